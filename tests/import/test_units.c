/* The importer's small parts alone: bounded strings, IANA's flattening
 * rules, reference texts, the CSV writer, and the replacement of files. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csv_writer.h"
#include "flatten.h"
#include "import_util.h"
#include "replace.h"
#include "text.h"
#include "util.h"

LEAK_CHECKED_SUITE(text);
LEAK_CHECKED_SUITE(flatten);
LEAK_CHECKED_SUITE(xref);
LEAK_CHECKED_SUITE(csv_writer);
LEAK_CHECKED_SUITE(replace);

/* ---- pr_text ---- */

Test(text, grows_and_stops_at_its_limit)
{
    pr_text t = pr_text_make(5);
    cr_assert_str_eq(pr_text_str(&t), "");
    cr_assert(pr_text_append(&t, "abc", 3));
    cr_assert_not(pr_text_append(&t, "def", 3));
    cr_assert(t.overflow);
    cr_assert_str_eq(pr_text_str(&t), "abc", "a refused append changes nothing");
    cr_assert(pr_text_append(&t, "de", 2));
    cr_assert_not(pr_text_append_char(&t, 'f'));
    cr_assert_str_eq(pr_text_str(&t), "abcde");
    pr_text_clear(&t);
    cr_assert_not(t.overflow);
    cr_assert_eq(t.len, 0);
    pr_text_free(&t);
}

Test(text, trims_xml_white_space_only)
{
    pr_text t = pr_text_make(64);
    cr_assert(pr_text_append(&t,
                             " \t\r\n a\xc2\xa0"
                             "b \n",
                             11));
    pr_text_trim(&t);
    cr_assert_str_eq(pr_text_str(&t),
                     "a\xc2\xa0"
                     "b",
                     "a no-break space is not XML white space");
    pr_text_clear(&t);
    cr_assert(pr_text_append(&t, " \n ", 3));
    pr_text_trim(&t);
    cr_assert_str_eq(pr_text_str(&t), "");
    pr_text_free(&t);
}

/* ---- flattening ---- */

typedef struct step {
    char kind; /* 't' text, 'b' <br/>, 'r' reference, 'p' <paragraph>, 'e' </paragraph> */
    const char *text;
} step;

static char *flatten(const step *steps, size_t n)
{
    pr_text out = pr_text_make(1024);
    pr_flat f;
    pr_flat_start(&f, &out);
    for (size_t i = 0; i < n; i++) {
        const step *s = &steps[i];
        bool ok = s->kind == 't'   ? pr_flat_text(&f, s->text, strlen(s->text))
                  : s->kind == 'b' ? pr_flat_break(&f)
                  : s->kind == 'r' ? pr_flat_ref(&f, s->text, strlen(s->text))
                  : s->kind == 'p' ? pr_flat_paragraph_start(&f)
                                   : (pr_flat_paragraph_end(&f), true);
        cr_assert(ok);
    }
    pr_flat_finish(&f);
    char *copy = strdup(pr_text_str(&out));
    pr_text_free(&out);
    return copy;
}

#define FLATTEN(...)                                                                               \
    flatten((const step[]){__VA_ARGS__}, sizeof((const step[]){__VA_ARGS__}) / sizeof(step))

static void check_flat(char *got, const char *want)
{
    cr_assert_str_eq(got, want);
    free(got);
}

Test(flatten, text_is_kept_as_written_and_trimmed)
{
    check_flat(FLATTEN({'t', "\n  two  spaces\nand a line break  \n"}),
               "two  spaces\nand a line break");
}

Test(flatten, a_break_writes_nothing_and_keeps_the_line_break_after_it)
{
    check_flat(FLATTEN({'t', "whois++"}, {'b', NULL}, {'b', NULL}, {'t', "\nIANA assigned"}),
               "whois++\nIANA assigned");
    check_flat(FLATTEN({'t', "keys:"}, {'b', NULL}, {'t', "\n  txtvers"}, {'b', NULL},
                       {'t', "\n  server"}),
               "keys:\n  txtvers\n  server");
    check_flat(FLATTEN({'b', NULL}, {'t', "  leading"}, {'b', NULL}), "leading");
}

Test(flatten, a_line_break_between_blanks_is_one_space)
{
    check_flat(FLATTEN({'t', "tunable \n      optical"}), "tunable optical");
    check_flat(FLATTEN({'t', "a  \t\n \tb"}), "a b");
    /* blanks on one side only: the line break and its indentation stay */
    check_flat(FLATTEN({'t', "Thing\n      Description"}), "Thing\n      Description");
    check_flat(FLATTEN({'t', "end \nnext"}), "end \nnext");
    /* two line breaks are not one */
    check_flat(FLATTEN({'t', "a \n\n b"}), "a \n\n b");
}

Test(flatten, references_go_in_brackets)
{
    check_flat(FLATTEN({'t', "previously compressnet by "}, {'r', "Bernie_Volz"}),
               "previously compressnet by [Bernie_Volz]");
    check_flat(FLATTEN({'t', "see "}, {'b', NULL}, {'r', "RFC6763"}, {'t', " too"}),
               "see [RFC6763] too");
}

Test(flatten, paragraphs_are_joined_by_a_line_break_and_14_spaces)
{
    check_flat(FLATTEN({'t', "\n  "}, {'p', NULL}, {'t', "Defined TXT keys:"}, {'e', NULL},
                       {'t', "\n  "}, {'p', NULL}, {'t', "td: a path\n  more"}, {'e', NULL},
                       {'p', NULL}, {'t', "type: Thing"}, {'e', NULL}, {'t', "\n"}),
               "Defined TXT keys:\n              td: a path\n  more\n              type: Thing");
}

Test(flatten, stops_at_the_limit)
{
    pr_text out = pr_text_make(8);
    pr_flat f;
    pr_flat_start(&f, &out);
    cr_assert(pr_flat_text(&f, "1234567", 7));
    cr_assert_not(pr_flat_ref(&f, "x", 1), "[x] needs 3 bytes, 1 is left");
    cr_assert(out.overflow);
    cr_assert_str_eq(pr_text_str(&out), "1234567");
    pr_text_free(&out);
}

/* ---- references ---- */

static void check_xref(const char *type, const char *data, const char *section, const char *content,
                       const char *want)
{
    pr_text out = pr_text_make(256);
    char why[160] = "";
    pr_xref x = {type, data, section, content};
    bool ok = pr_xref_text(&x, &out, why, sizeof why);
    if (want) {
        cr_assert(ok, "%s: %s", type, why);
        cr_assert_str_eq(pr_text_str(&out), want);
    } else {
        cr_assert_not(ok, "%s gave %s", type, pr_text_str(&out));
        cr_assert_neq(why[0], '\0');
    }
    pr_text_free(&out);
}

Test(xref, texts_as_in_ianas_csv)
{
    check_xref("rfc", "rfc6335", NULL, "", "RFC6335");
    /* an xref's own text wins, folded as a cell is */
    check_xref("rfc", "rfc8765", NULL, "RFC8765, Section 6.1", "RFC8765, Section 6.1");
    check_xref("uri", "https://example.org/a", NULL, "a long \n   title", "a long title");
    check_xref("rfc", "rfc9271", "4.1", "", "RFC9271, Section 4.1");
    check_xref("draft", "draft-zubov-snif-05", "4.3", "draft-zubov-snif-05, Section 4.3",
               "draft-zubov-snif-05, Section 4.3");
    check_xref("draft", "RFC-ietf-emailcore-rfc5321bis-43", NULL, "",
               "RFC-ietf-emailcore-rfc5321bis-43");
    check_xref("person", "Jon_Postel", NULL, "", "Jon_Postel");
    check_xref("note", "1", NULL, "", "1");
    check_xref("uri", "https://example.org/TR-352.pdf", NULL, "TR-352", "TR-352");
    check_xref("uri", "https://xahau.network", NULL, "", "https://xahau.network");
    check_xref("text", NULL, NULL, "n/a", "n/a");
    check_xref("registry", "ports", NULL, "", "ports");
}

Test(xref, without_anything_to_show)
{
    check_xref("rfc", NULL, NULL, "", NULL);
    check_xref("person", "", NULL, "", NULL);
    check_xref("text", NULL, NULL, "", NULL);
}

/* ---- CSV writer ---- */

static pr_csv_writer written(size_t max)
{
    pr_csv_writer w;
    pr_csv_writer_init(&w, max);
    const char *header[] = {"A", "B"};
    size_t hl[] = {1, 1};
    cr_assert(pr_csv_writer_row(&w, header, hl, 2));
    const char *rows[][2] = {{"plain", ""},
                             {"a,comma", "say \"hi\""},
                             {"two\nlines", "three\r\nlines\n"},
                             {"last", "x"}};
    for (size_t i = 0; i < 4; i++) {
        size_t lens[] = {strlen(rows[i][0]), strlen(rows[i][1])};
        cr_assert(pr_csv_writer_row(&w, rows[i], lens, 2));
    }
    return w;
}

Test(csv_writer, quotes_only_where_needed_and_ends_rows_with_crlf)
{
    pr_csv_writer w = written(4096);
    cr_assert_str_eq(pr_text_str(&w.out), "A,B\r\n"
                                          "plain,\r\n"
                                          "\"a,comma\",\"say \"\"hi\"\"\"\r\n"
                                          "\"two\nlines\",\"three\r\nlines\n\"\r\n"
                                          "last,x\r\n");
    pr_csv_writer_free(&w);
}

Test(csv_writer, knows_which_row_a_line_belongs_to)
{
    pr_csv_writer w = written(4096);
    cr_assert_eq(w.rows, 4);
    /* line 1 is the header; the third row starts on line 4 and, with three
     * line feeds inside its fields, spans 4-7 */
    static const long want[] = {-1, -1, 0, 1, 2, 2, 2, 2, 3, -1};
    for (unsigned long line = 0; line < 10; line++)
        cr_assert_eq(pr_csv_writer_row_at(&w, line), want[line], "line %lu", line);
    pr_csv_writer_free(&w);
}

Test(csv_writer, a_row_past_the_limit_is_not_written)
{
    pr_csv_writer w;
    pr_csv_writer_init(&w, 12);
    const char *row[] = {"abc", "def"};
    size_t lens[] = {3, 3};
    cr_assert(pr_csv_writer_row(&w, row, lens, 2)); /* 9 bytes */
    cr_assert_not(pr_csv_writer_row(&w, row, lens, 2));
    cr_assert(w.out.overflow);
    cr_assert_str_eq(pr_text_str(&w.out), "abc,def\r\n");
    cr_assert_eq(w.line, 2);
    pr_csv_writer_free(&w);
}

/* ---- replacing files ---- */

static void put(const char *dir, const char *name, const char *text, mode_t mode)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    write_file(path, text, strlen(text));
    cr_assert_eq(chmod(path, mode), 0);
}

static char *content(const char *dir, const char *name)
{
    char path[4200];
    size_t len;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *text = (char *)read_whole_file(path, &len);
    cr_assert_not_null(text, "%s", path);
    return text;
}

Test(replace, swaps_every_file_and_keeps_permissions)
{
    char dir[4096];
    scratch_dir(dir, sizeof dir);
    put(dir, "a", "old a", 0640);
    put(dir, "keep", "untouched", 0600);
    const pr_new_file files[] = {{"a", "new a", 5}, {"b", "new b", 5}};
    pr_error err;
    pr_error_clear(&err);
    cr_assert_eq(pr_replace_files(dir, files, 2, &err), 0, "%s", format_error(&err));
    char *a = content(dir, "a"), *b = content(dir, "b"), *keep = content(dir, "keep");
    cr_assert_str_eq(a, "new a");
    cr_assert_str_eq(b, "new b");
    cr_assert_str_eq(keep, "untouched");
    free(a), free(b), free(keep);
    char path[4200];
    struct stat sb;
    snprintf(path, sizeof path, "%s/a", dir);
    cr_assert_eq(stat(path, &sb), 0);
    cr_assert_eq(sb.st_mode & 0777, 0640, "the replaced file's permissions carry over");
    snprintf(path, sizeof path, "%s/b", dir);
    cr_assert_eq(stat(path, &sb), 0);
    cr_assert_eq(sb.st_mode & 0777, 0644);
    char *snap = dir_snapshot(dir);
    cr_assert_eq(strstr(snap, "\n."), NULL, "no hidden temporary left: %s", snap);
    cr_assert_neq(snap[0], '.');
    free(snap);
    remove_tree(dir);
}

Test(replace, a_target_that_is_not_a_file_changes_nothing)
{
    char dir[4096], sub[4200];
    scratch_dir(dir, sizeof dir);
    put(dir, "a", "old a", 0644);
    snprintf(sub, sizeof sub, "%s/b", dir);
    cr_assert_eq(mkdir(sub, 0755), 0);
    char *before = dir_snapshot(dir);
    const pr_new_file files[] = {{"a", "new a", 5}, {"b", "new b", 5}};
    pr_error err;
    pr_error_clear(&err);
    cr_assert_eq(pr_replace_files(dir, files, 2, &err), -1);
    char want[4300];
    snprintf(want, sizeof want, "%s: is not a regular file; not replaced", sub);
    cr_assert_str_eq(format_error(&err), want);
    char *after = dir_snapshot(dir);
    cr_assert_str_eq(after, before);
    free(before), free(after);
    remove_tree(dir);
}

Test(replace, creates_a_missing_directory_but_not_its_parents)
{
    char dir[4096], sub[4200], deep[4300];
    scratch_dir(dir, sizeof dir);
    snprintf(sub, sizeof sub, "%s/new", dir);
    snprintf(deep, sizeof deep, "%s/no/such", dir);
    const pr_new_file files[] = {{"a", "x", 1}};
    pr_error err;
    pr_error_clear(&err);
    cr_assert_eq(pr_replace_files(sub, files, 1, &err), 0, "%s", format_error(&err));
    cr_assert_eq(pr_replace_files(deep, files, 1, &err), -1);
    cr_assert(strstr(format_error(&err), "cannot create the directory"), "%s", format_error(&err));
    cr_assert_neq(access(sub, F_OK), -1);
    remove_tree(dir);
}

Test(replace, refuses_names_that_are_not_plain)
{
    char dir[4096];
    scratch_dir(dir, sizeof dir);
    const pr_new_file files[] = {{"../a", "x", 1}};
    pr_error err;
    pr_error_clear(&err);
    cr_assert_eq(pr_replace_files(dir, files, 1, &err), -1);
    cr_assert(strstr(format_error(&err), "is not a plain file name"));
    remove_tree(dir);
}

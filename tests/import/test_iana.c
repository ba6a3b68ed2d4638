/* The importer on IANA's whole registry of 2026-08-17 (../shared/iana):
 * the XML gives the same records as IANA's CSV, row by row and field by
 * field, and the same contacts as the contact table made from it. Every
 * test skips, saying why, where those files are absent. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "csv_table.h"
#include "header.h"
#include "import_util.h"
#include "registry.h"
#include "util.h"

LEAK_CHECKED_SUITE(iana_import);

#define IANA_XML PR_IANA_DIR "/service-names-port-numbers.xml"

static void skip_without_xml(void)
{
    SKIP_WITHOUT_IANA();
    if (access(IANA_XML, R_OK) != 0)
        cr_skip_test("../shared/iana absent: no %s", IANA_XML);
}

/* ---- a CSV table read into memory, cell by cell ---- */

typedef struct table {
    char **cells; /* rows * ncols, NUL-terminated copies */
    size_t rows, cap, ncols;
} table;

static int keep_row(void *ctx, const pr_csv_field *fields, unsigned long line, pr_error *err)
{
    (void)line, (void)err;
    table *t = ctx;
    if ((t->rows + 1) * t->ncols > t->cap) {
        t->cap = t->cap ? t->cap * 2 : 1024 * t->ncols;
        t->cells = realloc(t->cells, t->cap * sizeof *t->cells);
        cr_assert_not_null(t->cells);
    }
    for (size_t i = 0; i < t->ncols; i++)
        t->cells[t->rows * t->ncols + i] = strndup(fields[i].text, fields[i].len);
    t->rows++;
    return 0;
}

static table read_table(const char *path, const char *const *columns, size_t ncols)
{
    size_t len;
    unsigned char *bytes = read_whole_file(path, &len);
    cr_assert_not_null(bytes, "%s", path);
    table t = {.ncols = ncols};
    pr_source src = {path, bytes, len};
    pr_error err;
    pr_error_clear(&err);
    long n = pr_csv_read(&src, columns, ncols, keep_row, &t, &err);
    cr_assert_geq(n, 0, "%s", format_error(&err));
    free(bytes);
    return t;
}

static void free_table(table *t)
{
    for (size_t i = 0; i < t->rows * t->ncols; i++)
        free(t->cells[i]);
    free(t->cells);
}

/* Runs of spaces, tabs and line breaks as one space, trimmed. */
static char *fold(const char *s)
{
    char *out = malloc(strlen(s) + 1);
    cr_assert_not_null(out);
    size_t o = 0;
    bool space = false;
    for (; *s; s++) {
        if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') {
            space = o > 0;
            continue;
        }
        if (space)
            out[o++] = ' ';
        space = false;
        out[o++] = *s;
    }
    out[o] = '\0';
    return out;
}

/* Compares two tables cell by cell, once white space is folded; returns
 * how many cells needed the folding to match. */
static size_t compare(const table *got, const table *want, const char *const *columns,
                      const char *what)
{
    cr_assert_eq(got->rows, want->rows, "%s: %zu rows, IANA's has %zu", what, got->rows,
                 want->rows);
    size_t folded = 0;
    for (size_t r = 0; r < got->rows; r++) {
        for (size_t c = 0; c < got->ncols; c++) {
            const char *a = got->cells[r * got->ncols + c], *b = want->cells[r * want->ncols + c];
            if (!strcmp(a, b))
                continue;
            char *fa = fold(a), *fb = fold(b);
            bool same = !strcmp(fa, fb);
            free(fa);
            free(fb);
            cr_assert(same, "%s row %zu, %s:\n imported: %s\n IANA's:   %s", what, r + 1,
                      columns[c], a, b);
            folded++;
        }
    }
    return folded;
}

static const char *const record_columns[] = {
    "Service Name", "Port Number",  "Transport Protocol",        "Description",
    "Assignee",     "Contact",      "Registration Date",         "Modification Date",
    "Reference",    "Service Code", "Unauthorized Use Reported", "Assignment Notes"};
static const char *const contact_columns[] = {"ID", "Name", "Organization", "Contact URI",
                                              "Last Updated"};

Test(iana_import, the_xml_gives_ianas_tables)
{
    skip_without_xml();
    char dir[4096], path[4200];
    scratch_dir(dir, sizeof dir);
    pr_import_result res;
    pr_error err;
    unsigned warnings = 0;
    cr_assert_eq(import_into(IANA_XML, NULL, dir, &res, &err, &warnings), 0, "%s",
                 format_error(&err));
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    cr_log_info("import of the whole registry: %.1f ms, peak RSS of the test process %.1f MiB",
                res.seconds * 1e3, (double)ru.ru_maxrss / 1024.0);
    cr_assert_eq(res.records, 14533);
    cr_assert_eq(res.contacts, 5615);
    cr_assert_eq(warnings, 0);
    char date[11];
    cr_assert_str_eq(pr_date_format(res.updated, date), "2026-08-17");

    snprintf(path, sizeof path, "%s/%s", dir, PR_RECORDS_FILE);
    table got = read_table(path, record_columns, 12);
    table want = read_table(PR_IANA_DIR "/" PR_RECORDS_FILE, record_columns, 12);
    size_t folded = compare(&got, &want, record_columns, "records");
    cr_log_info("records: %zu rows equal, %zu fields needed white space folded", got.rows, folded);
    /* the flattening rules are IANA's own: not one field differs at all */
    cr_assert_eq(folded, 0);
    free_table(&got);
    free_table(&want);

    snprintf(path, sizeof path, "%s/%s", dir, PR_CONTACTS_FILE);
    got = read_table(path, contact_columns, 5);
    want = read_table(PR_IANA_DIR "/" PR_CONTACTS_FILE, contact_columns, 5);
    folded = compare(&got, &want, contact_columns, "contacts");
    cr_log_info("contacts: %zu rows equal, %zu fields needed white space folded", got.rows, folded);
    cr_assert_eq(folded, 0);
    free_table(&got);
    free_table(&want);

    /* and so the files are IANA's byte for byte (quoting and CRLF included) */
    pr_registry *reg = pr_registry_load_dir(dir, &err);
    cr_assert_not_null(reg, "%s", format_error(&err));
    char hex[2 * PR_SHA256_LEN + 1];
    cr_assert_str_eq(pr_hex(reg->sources[0].sha256, PR_SHA256_LEN, hex),
                     "757d5969a623680753269c420688fc01b050ce8dae9f47d90aab0a057f144dc8");
    cr_assert_str_eq(pr_hex(reg->sources[1].sha256, PR_SHA256_LEN, hex),
                     "f64663a5a6e9a94d2dc0ff1718dcc8d1f16942ac02c286239853eb70b3bf2a74");
    cr_assert_str_eq(pr_date_format(reg->updated, date), "2026-08-17");

    /* the registry's own header, as IANA's page shows it above a search */
    const pr_header *h = reg->header;
    cr_assert_not_null(h);
    cr_assert_str_eq(h->title, "Service Name and Transport Protocol Port Number Registry");
    cr_assert_str_eq(h->category, "Service Names and Transport Protocol Port Numbers");
    cr_assert_eq(h->reference_count, 1);
    cr_assert_str_eq(h->references[0], "RFC6335");
    cr_assert_eq(h->expert_count, 3);
    cr_assert_str_eq(h->experts[0].protocols, "TCP/UDP");
    cr_assert_str_eq(h->experts[0].names, "Joe Touch; Eliot Lear, Kumiko Ono, Wes Eddy, Brian "
                                          "Trammell, and Michael Scharf");
    cr_assert_str_eq(h->experts[1].protocols, "SCTP");
    cr_assert_str_eq(h->experts[1].names, "Michael Tuexen");
    cr_assert_str_eq(h->experts[2].protocols, "DCCP");
    cr_assert_str_eq(h->experts[2].names, "Eddie Kohler and Yoshifumi Nishida");
    const char *start =
        "Service names and port numbers are used to distinguish between different\n";
    cr_assert_eq(strncmp(h->note, start, strlen(start)), 0, "%s", h->note);
    cr_assert_not_null(strstr(h->note, "documented in [RFC6335].\n"));
    cr_assert_not_null(strstr(h->note, "* PLEASE NOTE THE FOLLOWING:"));
    cr_assert_eq(h->note_count, 1);
    cr_assert_str_eq(h->notes[0].title, "Request an Assignment");
    cr_assert_str_eq(h->request_uri, "https://www.iana.org/protocols/apply");
    pr_registry_free(reg);
    remove_tree(dir);
}

/* --csv: the records as IANA publishes them, the contacts from the XML. */
Test(iana_import, with_ianas_csv)
{
    skip_without_xml();
    char dir[4096];
    scratch_dir(dir, sizeof dir);
    pr_import_result res;
    pr_error err;
    unsigned warnings = 0;
    cr_assert_eq(import_into(IANA_XML, PR_IANA_DIR "/" PR_RECORDS_FILE, dir, &res, &err, &warnings),
                 0, "%s", format_error(&err));
    cr_assert_eq(res.records, 14533);
    cr_assert_eq(res.contacts, 5615);
    cr_assert_eq(warnings, 0);
    remove_tree(dir);
}

/* A problem far down the file (past line 65,535, where libxml2's own node
 * line numbers stop) is reported at its exact line. */
Test(iana_import, lines_are_exact_to_the_end)
{
    skip_without_xml();
    size_t len;
    char *xml = (char *)read_whole_file(IANA_XML, &len);
    cr_assert_not_null(xml);
    /* the last record's <number> */
    char *at = NULL;
    for (char *p = xml; (p = strstr(p, "<number>")) != NULL; p++)
        at = p;
    cr_assert_not_null(at);
    unsigned long line = 1;
    for (const char *p = xml; p < at; p++)
        line += *p == '\n';
    cr_assert_gt(line, 65535);
    char *end = strstr(at, "</number>");
    cr_assert_not_null(end);

    char dir[4096], bad[4200], out[4300];
    scratch_dir(dir, sizeof dir);
    snprintf(bad, sizeof bad, "%s/bad.xml", dir);
    FILE *f = fopen(bad, "wb");
    cr_assert_not_null(f);
    fwrite(xml, 1, (size_t)(at - xml), f);
    fputs("<number>70000", f);
    fwrite(end, 1, len - (size_t)(end - xml), f);
    cr_assert_eq(fclose(f), 0);
    free(xml);

    snprintf(out, sizeof out, "%s/data", dir);
    pr_import_result res;
    pr_error err;
    cr_assert_eq(import_into(bad, NULL, out, &res, &err, NULL), -1);
    char want[4400];
    snprintf(want, sizeof want, "%s:%lu: Port Number: \"70000\" is not a port (0-65535)", bad,
             line);
    cr_assert_str_eq(format_error(&err), want);
    remove_tree(dir);
}

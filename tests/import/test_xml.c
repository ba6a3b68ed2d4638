/* The importer on small XML files written by hand: good/ must give exactly
 * the CSV files beside it; each bad/NAME.xml must fail with the message in
 * bad/NAME.expected (a message ending in "..." is compared up to there, as
 * what follows is libxml2's own wording) and leave the data directory byte
 * for byte as it was. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "header.h"
#include "import_util.h"
#include "registry.h"
#include "util.h"

LEAK_CHECKED_SUITE(good);
LEAK_CHECKED_SUITE(bad);
LEAK_CHECKED_SUITE(imports);

static void check_same_file(const char *got_path, const char *want_path)
{
    size_t got_len, want_len;
    unsigned char *got = read_whole_file(got_path, &got_len);
    unsigned char *want = read_whole_file(want_path, &want_len);
    cr_assert_not_null(got, "%s", got_path);
    cr_assert_not_null(want, "%s", want_path);
    size_t at = 0;
    while (at < got_len && at < want_len && got[at] == want[at])
        at++;
    cr_assert(at == got_len && at == want_len, "%s differs from %s at byte %zu:\n%.80s\n%.80s",
              got_path, want_path, at, (const char *)got + (at > 20 ? at - 20 : 0),
              (const char *)want + (at > 20 ? at - 20 : 0));
    free(got);
    free(want);
}

static void path_in(char *buf, size_t size, const char *dir, const char *name)
{
    int n = snprintf(buf, size, "%s/%s", dir, name);
    cr_assert(n > 0 && (size_t)n < size);
}

/* A directory holding the good import, as the data an import replaces. */
static void good_data(char *dir, size_t size)
{
    scratch_dir(dir, size);
    pr_import_result res;
    pr_error err;
    cr_assert_eq(import_into(GOOD_XML, NULL, dir, &res, &err, NULL), 0, "%s", format_error(&err));
}

Test(good, gives_the_expected_tables)
{
    char dir[4096], path[4200];
    scratch_dir(dir, sizeof dir);
    pr_import_result res;
    pr_error err;
    unsigned warnings = 0;
    cr_assert_eq(import_into(GOOD_XML, NULL, dir, &res, &err, &warnings), 0, "%s",
                 format_error(&err));
    cr_assert_eq(res.records, 13);
    cr_assert_eq(res.contacts, 15);
    cr_assert_eq(warnings, 0);
    cr_assert_eq(res.warnings, 0);
    cr_assert(res.updated.year == 2021 && res.updated.month == 3 && res.updated.day == 4);
    path_in(path, sizeof path, dir, PR_RECORDS_FILE);
    check_same_file(path, IMPORT_DIR "/good/expected-records.csv");
    path_in(path, sizeof path, dir, PR_CONTACTS_FILE);
    check_same_file(path, IMPORT_DIR "/good/expected-contacts.csv");
    path_in(path, sizeof path, dir, PR_HEADER_FILE);
    check_same_file(path, IMPORT_DIR "/good/expected-header.csv");
    path_in(path, sizeof path, dir, PR_UPDATED_FILE);
    size_t len;
    char *date = (char *)read_whole_file(path, &len);
    cr_assert_str_eq(date, "2021-03-04\n");
    free(date);
    char *snap = dir_snapshot(dir);
    cr_assert_eq(strstr(snap, "\n."), NULL, "only the three files: %s", snap);
    free(snap);
    remove_tree(dir);
}

/* The directory loads as the server loads it, with IANA's date. */
Test(good, loads_with_the_registry_date)
{
    char dir[4096];
    good_data(dir, sizeof dir);
    pr_error err;
    pr_error_clear(&err);
    pr_registry *reg = pr_registry_load_dir(dir, &err);
    cr_assert_not_null(reg, "%s", format_error(&err));
    cr_assert(reg->updated_given);
    char updated[11], newest[11];
    cr_assert_str_eq(pr_date_format(reg->updated, updated), "2021-03-04");
    cr_assert_str_eq(pr_date_format(reg->newest, newest), "2026-01-23",
                     "the rows' newest date is another thing");
    const pr_service_name *n = pr_registry_find_name(reg, "nut", 3);
    cr_assert_not_null(n);
    const pr_record *r = &reg->records[reg->name_records[n->records.first]];
    cr_assert_str_eq(reg->people[reg->person_refs[r->assignees.first]].id,
                     "Network_UPS_Tools_Project");
    cr_assert_str_eq(reg->people[reg->person_refs[r->contacts.first]].id, "Arnaud_Quette");
    cr_assert_eq(r->references.count, 2);
    cr_assert_str_eq(reg->references[r->references.first], "RFC9271, Section 4.1");
    pr_registry_free(reg);
    remove_tree(dir);
}

Test(good, a_second_import_replaces_the_first)
{
    char dir[4096], path[4200];
    good_data(dir, sizeof dir);
    path_in(path, sizeof path, dir, PR_RECORDS_FILE);
    cr_assert_eq(chmod(path, 0640), 0);
    write_file(path, "stale", 5);
    pr_import_result res;
    pr_error err;
    cr_assert_eq(import_into(GOOD_XML, NULL, dir, &res, &err, NULL), 0, "%s", format_error(&err));
    check_same_file(path, IMPORT_DIR "/good/expected-records.csv");
    struct stat sb;
    cr_assert_eq(stat(path, &sb), 0);
    cr_assert_eq(sb.st_mode & 0777, 0640);
    remove_tree(dir);
}

/* With --csv the records are IANA's CSV byte for byte; the contacts and the
 * date still come from the XML. */
Test(good, records_from_a_csv_as_published)
{
    char dir[4096], csv[4200], path[4200];
    scratch_dir(dir, sizeof dir);
    path_in(csv, sizeof csv, dir, "published.csv");
    static const char published[] =
        "Service Name,Port Number,Transport Protocol,Description,Assignee,Contact,"
        "Registration Date,Modification Date,Reference,Service Code,Unauthorized Use "
        "Reported,Assignment Notes\n"
        "nut,3493,tcp,Network UPS Tools,[Network_UPS_Tools_Project],[Arnaud_Quette],,,,,,\n";
    write_file(csv, published, sizeof published - 1);
    char out[4300];
    path_in(out, sizeof out, dir, "data");
    pr_import_result res;
    pr_error err;
    unsigned warnings = 0;
    cr_assert_eq(import_into(GOOD_XML, csv, out, &res, &err, &warnings), 0, "%s",
                 format_error(&err));
    cr_assert_eq(res.records, 1);
    cr_assert_eq(res.contacts, 15);
    cr_assert_eq(warnings, 1, "the CSV has 1 record, the XML 13");
    path_in(path, sizeof path, out, PR_RECORDS_FILE);
    check_same_file(path, csv);
    path_in(path, sizeof path, out, PR_CONTACTS_FILE);
    check_same_file(path, IMPORT_DIR "/good/expected-contacts.csv");
    remove_tree(dir);
}

/* A problem in the published CSV is reported in the CSV's own terms. */
Test(good, a_bad_csv_is_named_with_its_line)
{
    char dir[4096], csv[4200];
    scratch_dir(dir, sizeof dir);
    path_in(csv, sizeof csv, dir, "published.csv");
    static const char published[] =
        "Service Name,Port Number,Transport Protocol,Description,Assignee,Contact,"
        "Registration Date,Modification Date,Reference,Service Code,Unauthorized Use "
        "Reported,Assignment Notes\n"
        "nut,3493,tcp,Network UPS Tools,,,,,,,,\n"
        "big,70000,tcp,Too big,,,,,,,,\n";
    write_file(csv, published, sizeof published - 1);
    char out[4300];
    path_in(out, sizeof out, dir, "data");
    pr_import_result res;
    pr_error err;
    cr_assert_eq(import_into(GOOD_XML, csv, out, &res, &err, NULL), -1);
    char want[4400];
    snprintf(want, sizeof want, "%s:3: Port Number: \"70000\" is not a port (0-65535)", csv);
    cr_assert_str_eq(format_error(&err), want);
    cr_assert_eq(access(out, F_OK), -1, "nothing was created");
    remove_tree(dir);
}

/* An ID that <people> lacks loads, with a warning at the XML's line. */
Test(imports, a_dangling_id_is_a_warning)
{
    char dir[4096], xml[4200];
    scratch_dir(dir, sizeof dir);
    path_in(xml, sizeof xml, dir, "dangling.xml");
    static const char text[] =
        "<registry xmlns=\"http://www.iana.org/assignments\" id=\"service-names-port-numbers\">\n"
        "  <updated>2021-03-04</updated>\n"
        "  <record>\n"
        "    <name>x</name>\n"
        "    <xref type=\"person\" data=\"Nobody\"/>\n"
        "  </record>\n"
        "  <people/>\n"
        "</registry>\n";
    write_file(xml, text, sizeof text - 1);
    char out[4300];
    path_in(out, sizeof out, dir, "data");
    pr_import_result res;
    pr_error err;
    unsigned warnings = 0;
    cr_assert_eq(import_into(xml, NULL, out, &res, &err, &warnings), 0, "%s", format_error(&err));
    cr_assert_eq(res.warnings, 2, "cited as assignee and as contact");
    cr_assert_eq(warnings, 2);
    cr_assert_eq(res.contacts, 0);
    remove_tree(dir);
}

static void check_warning_line(void *ctx, const pr_error *w)
{
    char *want = ctx;
    cr_assert_str_eq(format_error(w), want);
}

Test(imports, warnings_point_at_the_xml)
{
    char dir[4096], xml[4200], out[4300], want[4400];
    scratch_dir(dir, sizeof dir);
    path_in(xml, sizeof xml, dir, "dangling.xml");
    static const char text[] =
        "<registry xmlns=\"http://www.iana.org/assignments\" id=\"service-names-port-numbers\">\n"
        "  <updated>2021-03-04</updated>\n"
        "  <record>\n"
        "    <name>x</name>\n"
        "    <assignee><xref type=\"person\" data=\"Nobody\"/></assignee>\n"
        "  </record>\n"
        "  <people/>\n"
        "</registry>\n";
    write_file(xml, text, sizeof text - 1);
    path_in(out, sizeof out, dir, "data");
    snprintf(want, sizeof want, "%s:5: Assignee: ID \"Nobody\" is not in the contact table", xml);
    pr_import_options opt = {xml, NULL, out, check_warning_line, want};
    pr_import_result res;
    pr_error err;
    pr_error_clear(&err);
    cr_assert_eq(pr_import_run(&opt, &res, &err), 0, "%s", format_error(&err));
    cr_assert_eq(res.warnings, 1);
    remove_tree(dir);
}

/* A cell over PR_MAX_FIELD_BYTES stops the read at its element. */
Test(imports, a_cell_too_long)
{
    char dir[4096], xml[4200], out[4300];
    scratch_dir(dir, sizeof dir);
    path_in(xml, sizeof xml, dir, "long.xml");
    FILE *f = fopen(xml, "w");
    cr_assert_not_null(f);
    fputs("<registry xmlns=\"http://www.iana.org/assignments\" id=\"service-names-port-numbers\">\n"
          "  <updated>2021-03-04</updated>\n"
          "  <record>\n"
          "    <description>",
          f);
    for (unsigned i = 0; i < PR_MAX_FIELD_BYTES / 8 + 1; i++)
        fputs("lengthy ", f);
    fputs("</description>\n  </record>\n  <people/>\n</registry>\n", f);
    cr_assert_eq(fclose(f), 0);
    path_in(out, sizeof out, dir, "data");
    pr_import_result res;
    pr_error err;
    cr_assert_eq(import_into(xml, NULL, out, &res, &err, NULL), -1);
    char want[4400];
    snprintf(want, sizeof want, "%s:4: <description> is longer than %u bytes", xml,
             PR_MAX_FIELD_BYTES);
    cr_assert_str_eq(format_error(&err), want);
    remove_tree(dir);
}

Test(imports, a_missing_file_is_named)
{
    char dir[4096];
    scratch_dir(dir, sizeof dir);
    pr_import_result res;
    pr_error err;
    cr_assert_eq(import_into(IMPORT_DIR "/no-such.xml", NULL, dir, &res, &err, NULL), -1);
    cr_assert_str_eq(format_error(&err), IMPORT_DIR "/no-such.xml: cannot open: No such file or "
                                                    "directory");
    remove_tree(dir);
}

/* ---- bad files ---- */

static void check_bad(const char *name)
{
    char xml[1024], expected[1024], want[1024];
    snprintf(xml, sizeof xml, IMPORT_DIR "/bad/%s.xml", name);
    snprintf(expected, sizeof expected, IMPORT_DIR "/bad/%s.expected", name);
    size_t len;
    char *text = (char *)read_whole_file(expected, &len);
    cr_assert_not_null(text, "bad/%s has no .expected file", name);
    snprintf(want, sizeof want, IMPORT_DIR "/bad/%.*s", (int)strcspn(text, "\r\n"), text);
    free(text);

    /* the data an import would replace, plus a file of the operator's */
    char dir[4096], extra[4200];
    good_data(dir, sizeof dir);
    path_in(extra, sizeof extra, dir, "notes.txt");
    write_file(extra, "mine\n", 5);
    char *before = dir_snapshot(dir);

    pr_import_result res;
    pr_error err;
    int rc = import_into(xml, NULL, dir, &res, &err, NULL);
    const char *got = format_error(&err);
    cr_assert_eq(rc, -1, "bad/%s imported", name);
    size_t want_len = strlen(want);
    if (want_len > 3 && !strcmp(want + want_len - 3, "...")) {
        cr_assert(strncmp(got, want, want_len - 3) == 0, "bad/%s:\n got:  %s\n want: %s", name, got,
                  want);
        cr_assert_gt(strlen(got), want_len - 3, "libxml2's words follow");
    } else {
        cr_assert_str_eq(got, want, "bad/%s:\n got:  %s\n want: %s", name, got, want);
    }
    char *after = dir_snapshot(dir);
    cr_assert_str_eq(after, before, "bad/%s changed the directory", name);
    free(before);
    free(after);
    remove_tree(dir);
}

/* Every case file; bad.every_file_is_listed keeps this list complete. */
#define BAD_CASES(X)                                                                               \
    X(truncated)                                                                                   \
    X(not_xml)                                                                                     \
    X(mismatched_tag)                                                                              \
    X(wrong_root)                                                                                  \
    X(other_registry)                                                                              \
    X(no_namespace)                                                                                \
    X(doctype)                                                                                     \
    X(bad_port)                                                                                    \
    X(bad_protocol)                                                                                \
    X(bad_registration_date)                                                                       \
    X(bad_updated)                                                                                 \
    X(partial_updated)                                                                             \
    X(no_updated)                                                                                  \
    X(two_updated)                                                                                 \
    X(no_people)                                                                                   \
    X(two_people)                                                                                  \
    X(no_records)                                                                                  \
    X(unknown_in_record)                                                                           \
    X(unknown_in_registry)                                                                         \
    X(second_name)                                                                                 \
    X(text_in_record)                                                                              \
    X(element_in_name)                                                                             \
    X(assignee_not_person)                                                                         \
    X(xref_without_data)                                                                           \
    X(bad_id)                                                                                      \
    X(bad_contact_date)                                                                            \
    X(duplicate_person)                                                                            \
    X(person_without_id)                                                                           \
    X(undecodable)

#define BAD_TEST(name)                                                                             \
    Test(bad, name)                                                                                \
    {                                                                                              \
        check_bad(#name);                                                                          \
    }
BAD_CASES(BAD_TEST)

#define BAD_NAME(name) #name,
static const char *const bad_names[] = {BAD_CASES(BAD_NAME)};

Test(bad, every_file_is_listed)
{
    DIR *d = opendir(IMPORT_DIR "/bad");
    cr_assert_not_null(d);
    size_t files = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        size_t n = strlen(e->d_name);
        if (n < 5 || strcmp(e->d_name + n - 4, ".xml") != 0)
            continue;
        files++;
        bool listed = false;
        for (size_t i = 0; i < sizeof bad_names / sizeof *bad_names; i++)
            listed = listed ||
                     (strlen(bad_names[i]) == n - 4 && !strncmp(bad_names[i], e->d_name, n - 4));
        cr_assert(listed, "bad/%s is not in BAD_CASES", e->d_name);
    }
    closedir(d);
    cr_assert_eq(files, sizeof bad_names / sizeof *bad_names);
}

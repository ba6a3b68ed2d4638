/* The loader on small files: each folder under bad/ must fail with the exact
 * message in its `expected`; the folders under good/ must load. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry.h"
#include "util.h"

LEAK_CHECKED_SUITE(bad);
LEAK_CHECKED_SUITE(load);
LEAK_CHECKED_SUITE(contacts);
LEAK_CHECKED_SUITE(status);
LEAK_CHECKED_SUITE(good);

typedef struct files {
    unsigned char *records, *contacts;
    size_t records_len, contacts_len;
} files;

/* Reads DIR's pair of files, taking any that DIR lacks from base/. */
static files read_case(const char *dir)
{
    files f = {0};
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, PR_RECORDS_FILE);
    f.records = read_whole_file(path, &f.records_len);
    if (!f.records)
        f.records = read_whole_file(DATA_DIR "/base/" PR_RECORDS_FILE, &f.records_len);
    snprintf(path, sizeof path, "%s/%s", dir, PR_CONTACTS_FILE);
    f.contacts = read_whole_file(path, &f.contacts_len);
    if (!f.contacts)
        f.contacts = read_whole_file(DATA_DIR "/base/" PR_CONTACTS_FILE, &f.contacts_len);
    cr_assert(f.records && f.contacts, "cannot read the files of %s", dir);
    return f;
}

/* Loads under the bare file names, so that messages do not depend on where
 * the source tree is. */
static pr_registry *load_case(const char *dir, pr_error *err)
{
    files f = read_case(dir);
    pr_source records = {PR_RECORDS_FILE, f.records, f.records_len};
    pr_source contacts = {PR_CONTACTS_FILE, f.contacts, f.contacts_len};
    pr_registry *reg = pr_registry_load_sources(&records, &contacts, err);
    free(f.records);
    free(f.contacts);
    return reg;
}

static pr_registry *load_good(const char *name)
{
    char dir[1024];
    snprintf(dir, sizeof dir, DATA_DIR "/good/%s", name);
    pr_error err;
    pr_error_clear(&err);
    pr_registry *reg = load_case(dir, &err);
    cr_assert_not_null(reg, "good/%s: %s", name, format_error(&err));
    return reg;
}

static void check_bad(const char *name)
{
    char dir[1024], path[1100], want[1024];
    snprintf(dir, sizeof dir, DATA_DIR "/bad/%s", name);
    snprintf(path, sizeof path, "%s/expected", dir);
    size_t len;
    char *text = (char *)read_whole_file(path, &len);
    cr_assert_not_null(text, "bad/%s has no expected file", name);
    snprintf(want, sizeof want, "%.*s", (int)strcspn(text, "\r\n"), text);
    free(text);

    pr_error err;
    pr_error_clear(&err);
    pr_registry *reg = load_case(dir, &err);
    bool loaded = reg != NULL;
    pr_registry_free(reg);
    const char *got = format_error(&err);
    cr_assert_not(loaded, "bad/%s loaded", name);
    cr_assert_str_eq(got, want, "bad/%s:\n got:  %s\n want: %s", name, got, want);
}

/* Every case folder; bad.every_folder_is_listed keeps this list complete. */
#define BAD_CASES(X)                                                                               \
    X(empty_records)                                                                               \
    X(empty_contacts)                                                                              \
    X(header_unknown_column)                                                                       \
    X(header_missing_column)                                                                       \
    X(header_duplicate_column)                                                                     \
    X(header_extra_column)                                                                         \
    X(too_few_fields)                                                                              \
    X(too_many_fields)                                                                             \
    X(contacts_too_few_fields)                                                                     \
    X(unterminated_quote)                                                                          \
    X(malformed_quote)                                                                             \
    X(text_after_quote)                                                                            \
    X(text_after_multiline_quote)                                                                  \
    X(port_out_of_range)                                                                           \
    X(port_reversed)                                                                               \
    X(port_not_number)                                                                             \
    X(unknown_protocol)                                                                            \
    X(bad_assignee)                                                                                \
    X(bad_contact_cell)                                                                            \
    X(bad_registration_date)                                                                       \
    X(bad_modification_date)                                                                       \
    X(bad_contact_date)                                                                            \
    X(bad_reference)                                                                               \
    X(bad_service_code)                                                                            \
    X(invalid_utf8_record)                                                                         \
    X(nul_byte)                                                                                    \
    X(invalid_utf8_contact)                                                                        \
    X(bad_contact_id)                                                                              \
    X(duplicate_contact_id)                                                                        \
    X(error_after_multiline)                                                                       \
    X(cell_after_multiline)                                                                        \
    X(short_row_starting_multiline)

#define BAD_TEST(name)                                                                             \
    Test(bad, name)                                                                                \
    {                                                                                              \
        check_bad(#name);                                                                          \
    }
BAD_CASES(BAD_TEST)

#define BAD_NAME(name) #name,
static const char *const bad_names[] = {BAD_CASES(BAD_NAME)};

/* A folder added without a test would otherwise pass unnoticed. */
Test(bad, every_folder_is_listed)
{
    DIR *d = opendir(DATA_DIR "/bad");
    cr_assert_not_null(d);
    size_t folders = 0;
    bool unlisted = false;
    char name[256] = "";
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (e->d_name[0] == '.')
            continue;
        folders++;
        bool listed = false;
        for (size_t i = 0; i < sizeof bad_names / sizeof bad_names[0]; i++)
            listed = listed || strcmp(bad_names[i], e->d_name) == 0;
        if (!listed && !unlisted) {
            unlisted = true;
            snprintf(name, sizeof name, "%s", e->d_name);
        }
    }
    closedir(d);
    cr_assert_not(unlisted, "bad/%s is not in BAD_CASES", name);
    cr_assert_eq(folders, sizeof bad_names / sizeof bad_names[0]);
}

/* ---- cases built in memory or needing real paths ---- */

Test(load, missing_contacts_file_is_named)
{
    pr_error err;
    pr_error_clear(&err);
    cr_assert_null(pr_registry_load_dir(DATA_DIR "/missing", &err));
    char want[1024];
    snprintf(want, sizeof want, "%s: cannot open: %s", DATA_DIR "/missing/" PR_CONTACTS_FILE,
             strerror(ENOENT));
    cr_assert_str_eq(format_error(&err), want);
}

Test(load, missing_directory_names_the_records_file)
{
    pr_error err;
    pr_error_clear(&err);
    cr_assert_null(pr_registry_load_dir(DATA_DIR "/no-such-folder", &err));
    char want[1024];
    snprintf(want, sizeof want, "%s: cannot open: %s", DATA_DIR "/no-such-folder/" PR_RECORDS_FILE,
             strerror(ENOENT));
    cr_assert_str_eq(format_error(&err), want);
}

Test(load, directory_loads_under_its_paths)
{
    pr_error err;
    pr_error_clear(&err);
    pr_registry *reg = pr_registry_load_dir(DATA_DIR "/base", &err);
    cr_assert_not_null(reg, "%s", format_error(&err));
    cr_assert_str_eq(reg->sources[0].name, DATA_DIR "/base/" PR_RECORDS_FILE);
    cr_assert_str_eq(reg->sources[1].name, DATA_DIR "/base/" PR_CONTACTS_FILE);
    cr_assert_eq(reg->record_count, 3);
    cr_assert_eq(reg->contact_count, 2);
    pr_registry_free(reg);
}

#define RECORDS_HEADER                                                                             \
    "Service Name,Port Number,Transport Protocol,Description,Assignee,Contact,Registration "       \
    "Date,Modification Date,Reference,Service Code,Unauthorized Use Reported,Assignment Notes\n"
#define CONTACTS_HEADER "ID,Name,Organization,Contact URI,Last Updated\n"

static pr_registry *load_text(const char *records, const char *contacts, pr_error *err)
{
    pr_source r = {"x.csv", (const unsigned char *)records, strlen(records)};
    pr_source c = {"c.csv", (const unsigned char *)contacts, strlen(contacts)};
    return pr_registry_load_sources(&r, &c, err);
}

static pr_registry *load_text_ok(const char *records, const char *contacts)
{
    pr_error err;
    pr_error_clear(&err);
    pr_registry *reg = load_text(records, contacts, &err);
    cr_assert_not_null(reg, "%s", format_error(&err));
    return reg;
}

/* A records file with one row whose Description is `desc_len` bytes. */
static pr_registry *load_with_description(size_t desc_len, pr_error *err)
{
    static const char head[] = RECORDS_HEADER "nut,3493,tcp,Network UPS Tools,,,,,,,,\n"
                                              "big,1,tcp,";
    static const char tail[] = ",,,,,,,,\n";
    static const char contacts[] = CONTACTS_HEADER;
    size_t len = sizeof head - 1 + desc_len + sizeof tail - 1;
    unsigned char *buf = malloc(len);
    cr_assert_not_null(buf);
    memcpy(buf, head, sizeof head - 1);
    memset(buf + sizeof head - 1, 'x', desc_len);
    memcpy(buf + sizeof head - 1 + desc_len, tail, sizeof tail - 1);
    pr_source r = {"x.csv", buf, len};
    pr_source c = {"c.csv", (const unsigned char *)contacts, sizeof contacts - 1};
    pr_registry *reg = pr_registry_load_sources(&r, &c, err);
    free(buf);
    return reg;
}

Test(load, field_at_the_size_limit_loads)
{
    pr_error err;
    pr_error_clear(&err);
    pr_registry *reg = load_with_description(PR_MAX_FIELD_BYTES, &err);
    cr_assert_not_null(reg, "%s", format_error(&err));
    cr_assert_eq(strlen(reg->records[1].description), PR_MAX_FIELD_BYTES);
    pr_registry_free(reg);
}

Test(load, over_long_field)
{
    pr_error err;
    pr_error_clear(&err);
    cr_assert_null(load_with_description(PR_MAX_FIELD_BYTES + 1, &err));
    cr_assert_str_eq(format_error(&err),
                     "x.csv:3: Description: field is 16385 bytes long, over the limit of 16384");
}

/* Records whose ranges cover `full` times all 65,536 ports, then one more
 * port: the index would be that many entries. */
static pr_registry *load_full_ranges(unsigned full, bool one_more, pr_error *err)
{
    static const char head[] = RECORDS_HEADER;
    static const char row[] = "r,0-65535,tcp,R,,,,,,,,\n";
    static const char extra[] = "s,7,udp,S,,,,,,,,\n";
    size_t len = sizeof head - 1 + full * (sizeof row - 1) + sizeof extra - 1;
    char *buf = malloc(len + 1);
    cr_assert_not_null(buf);
    size_t at = 0;
    memcpy(buf, head, sizeof head - 1);
    at += sizeof head - 1;
    for (unsigned i = 0; i < full; i++, at += sizeof row - 1)
        memcpy(buf + at, row, sizeof row - 1);
    if (one_more) {
        memcpy(buf + at, extra, sizeof extra - 1);
        at += sizeof extra - 1;
    }
    pr_source r = {"x.csv", (const unsigned char *)buf, at};
    pr_source c = {"c.csv", (const unsigned char *)CONTACTS_HEADER, sizeof CONTACTS_HEADER - 1};
    pr_registry *reg = pr_registry_load_sources(&r, &c, err);
    free(buf);
    return reg;
}

/* The port index is bounded: ranges that add up to more than
 * PR_MAX_PORT_ENTRIES ports are refused with the line that crosses it. */
Test(load, port_entries_at_the_limit_load)
{
    pr_error err;
    pr_error_clear(&err);
    pr_registry *reg = load_full_ranges(PR_MAX_PORT_ENTRIES / 65536, false, &err);
    cr_assert_not_null(reg, "%s", format_error(&err));
    uint32_t n;
    pr_registry_port_records(reg, 65535, &n);
    cr_assert_eq(n, PR_MAX_PORT_ENTRIES / 65536);
    pr_registry_free(reg);
}

Test(load, port_entries_over_the_limit)
{
    pr_error err;
    pr_error_clear(&err);
    cr_assert_null(load_full_ranges(PR_MAX_PORT_ENTRIES / 65536, true, &err));
    cr_assert_str_eq(format_error(&err),
                     "x.csv:66: Port Number: the records' port ranges add up to over 4194304 "
                     "ports; a registry's are far fewer");
}

Test(load, header_only_gives_an_empty_registry)
{
    pr_registry *reg = load_text_ok(RECORDS_HEADER, CONTACTS_HEADER);
    cr_assert_eq(reg->record_count, 0);
    cr_assert_eq(reg->person_count, 0);
    cr_assert_eq(reg->name_count, 0);
    cr_assert_eq(reg->newest.year, 0);
    uint32_t n = 99;
    pr_registry_port_records(reg, 80, &n);
    cr_assert_eq(n, 0);
    cr_assert_eq(pr_registry_port_status(reg, 80, PR_PROTO_TCP), PR_STATUS_UNASSIGNED);
    cr_assert_eq(pr_registry_port_status(reg, 50000, PR_PROTO_TCP), PR_STATUS_DYNAMIC);
    cr_assert_null(pr_registry_find_name(reg, "nut", 3));
    cr_assert_null(pr_registry_find_person(reg, "Jon_Postel", 10));
    pr_registry_free(reg);
}

Test(load, last_line_without_line_end)
{
    pr_registry *reg = load_text_ok(RECORDS_HEADER "a,1,tcp,A,,,,,,,,\nb,2,tcp,B,,,,,,,,end",
                                    CONTACTS_HEADER "[X],X,,,2001");
    cr_assert_eq(reg->record_count, 2);
    cr_assert_str_eq(reg->records[1].notes, "end");
    cr_assert_eq(reg->records[1].line, 3);
    cr_assert_eq(reg->contact_count, 1);
    cr_assert_str_eq(reg->people[0].updated_text, "2001");
    pr_registry_free(reg);
}

/* IANA's fields are taken as written: libcsv must not trim them. */
Test(load, spaces_are_kept)
{
    pr_registry *reg = load_text_ok(RECORDS_HEADER "nut,3493,tcp, Network UPS Tools ,,,,,,,,\t\n",
                                    CONTACTS_HEADER "[X],Jo Smith , Org,,\n");
    cr_assert_str_eq(reg->records[0].description, " Network UPS Tools ");
    cr_assert_str_eq(reg->records[0].notes, "\t");
    cr_assert_str_eq(reg->people[0].name, "Jo Smith ");
    cr_assert_str_eq(reg->people[0].organization, " Org");
    pr_registry_free(reg);
}

Test(load, failed_contacts_leave_nothing_behind)
{
    pr_error err;
    pr_error_clear(&err);
    /* the records load first; a bad contact row must still release them */
    cr_assert_null(load_text(RECORDS_HEADER "nut,3493,tcp,N,[A],[B],,,[RFC1],,,\n",
                             CONTACTS_HEADER "[A],A,,,\nB,B,,,\n", &err));
    cr_assert_str_eq(format_error(&err),
                     "c.csv:3: ID: \"B\" is not one bracketed ID such as [Jon_Postel]");
}

/* IANA hides '@' as '&' in mailto: URIs; the email is the URI's address. */
Test(contacts, email_from_uri)
{
    pr_registry *reg =
        load_text_ok(RECORDS_HEADER, CONTACTS_HEADER "[A],,,mailto:a&b&example.com,\n"
                                                     "[B],,,mailto:x@y.org,\n"
                                                     "[C],,,mailto:user&example.com?subject=port,\n"
                                                     "[D],,,tel:+1-555-0100,\n"
                                                     "[E],,,http://example.com/a&b,\n"
                                                     "[F],,,,\n");
    static const struct {
        const char *id, *email;
    } want[] = {{"A", "a&b@example.com"},
                {"B", "x@y.org"},
                {"C", "user@example.com"},
                {"D", ""},
                {"E", ""},
                {"F", ""}};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const pr_person *p = pr_registry_find_person(reg, want[i].id, 1);
        cr_assert_not_null(p, "%s", want[i].id);
        cr_assert_str_eq(p->email, want[i].email, "%s", want[i].id);
    }
    cr_assert_str_eq(pr_registry_find_person(reg, "C", 1)->uri,
                     "mailto:user&example.com?subject=port", "the URI stays as published");
    pr_registry_free(reg);
}

/* A Contact URI cell holds one URI a line; a URI may hold a space. */
Test(contacts, several_uris_one_a_line)
{
    pr_registry *reg = load_text_ok(RECORDS_HEADER, CONTACTS_HEADER
                                    "[A],,,\"mailto:a&example.com\n  tel:+1-555-0100 \r\n\n"
                                    "mailto:b&example.org\",\n"
                                    "[B],,,mailto:Giriraj Harapanahalli,\n"
                                    "[C],,,\"\n\",\n");
    const pr_person *a = pr_registry_find_person(reg, "A", 1);
    cr_assert_eq(a->uri_count, 3);
    cr_assert_str_eq(a->uris[0], "mailto:a&example.com");
    cr_assert_str_eq(a->uris[1], "tel:+1-555-0100");
    cr_assert_str_eq(a->uris[2], "mailto:b&example.org");
    cr_assert_eq(a->email_count, 2);
    cr_assert_str_eq(a->emails[0], "a@example.com");
    cr_assert_str_eq(a->emails[1], "b@example.org");
    cr_assert_str_eq(a->uri, a->uris[0]);
    cr_assert_str_eq(a->email, a->emails[0]);
    const pr_person *b = pr_registry_find_person(reg, "B", 1);
    cr_assert_eq(b->uri_count, 1);
    cr_assert_str_eq(b->uris[0], "mailto:Giriraj Harapanahalli");
    cr_assert_eq(b->email_count, 1);
    const pr_person *c = pr_registry_find_person(reg, "C", 1);
    cr_assert_eq(c->uri_count, 0);
    cr_assert_eq(c->email_count, 0);
    cr_assert_str_eq(c->uri, "");
    cr_assert_str_eq(c->email, "");
    /* a contact search finds every address, but never across two fields */
    uint32_t ai = (uint32_t)(a - reg->people);
    cr_assert(pr_registry_person_matches(reg, ai, "b@example.org", 13));
    cr_assert(pr_registry_person_matches(reg, ai, "tel:+1-555", 10));
    cr_assert_not(pr_registry_person_matches(reg, ai, "example.comtel", 14));
    cr_assert_not(pr_registry_person_matches(reg, (uint32_t)(b - reg->people), "b@example", 9));
    pr_registry_free(reg);
}

/* Assigned beats reserved beats unassigned; a record without protocol holds
 * for all four; no record leaves the range class to decide. */
Test(status, precedence_and_protocols)
{
    pr_registry *reg = load_text_ok(RECORDS_HEADER ",100,,Reserved,,,,,,,,\n"
                                                   "svc,100,tcp,Service,,,,,,,,\n"
                                                   "any,101,,Anything,,,,,,,,\n"
                                                   ",102,tcp,Unassigned,,,,,,,,\n"
                                                   ",102,,Reserved,,,,,,,,\n"
                                                   ",103,tcp,unassigned (returned),,,,,,,,\n"
                                                   ",104,tcp,De-registered,,,,,,,,\n"
                                                   ",50000,udp,Reserved,,,,,,,,\n",
                                    CONTACTS_HEADER);
    static const struct {
        uint16_t port;
        enum pr_proto proto;
        enum pr_status status;
    } want[] = {
        {100, PR_PROTO_TCP, PR_STATUS_ASSIGNED},   {100, PR_PROTO_UDP, PR_STATUS_RESERVED},
        {101, PR_PROTO_SCTP, PR_STATUS_ASSIGNED},  {101, PR_PROTO_DCCP, PR_STATUS_ASSIGNED},
        {102, PR_PROTO_TCP, PR_STATUS_RESERVED},   {102, PR_PROTO_UDP, PR_STATUS_RESERVED},
        {103, PR_PROTO_TCP, PR_STATUS_UNASSIGNED}, {103, PR_PROTO_UDP, PR_STATUS_UNASSIGNED},
        {104, PR_PROTO_TCP, PR_STATUS_RESERVED},   {104, PR_PROTO_UDP, PR_STATUS_UNASSIGNED},
        {50000, PR_PROTO_UDP, PR_STATUS_RESERVED}, {50000, PR_PROTO_TCP, PR_STATUS_DYNAMIC},
        {50001, PR_PROTO_UDP, PR_STATUS_DYNAMIC},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        cr_assert_eq(pr_registry_port_status(reg, want[i].port, want[i].proto), want[i].status,
                     "%u/%s is %s", want[i].port, pr_proto_name(want[i].proto),
                     pr_status_name(pr_registry_port_status(reg, want[i].port, want[i].proto)));
    cr_assert_eq(reg->records[5].status, PR_STATUS_UNASSIGNED, "the rule ignores case");
    cr_assert_eq(reg->records[6].status, PR_STATUS_RESERVED);
    pr_registry_free(reg);
}

Test(status, names)
{
    enum pr_status s = PR_STATUS_COUNT;
    cr_assert(pr_status_parse("Reserved", 8, &s));
    cr_assert_eq(s, PR_STATUS_RESERVED);
    cr_assert_not(pr_status_parse("reserve", 7, &s));
    cr_assert_str_eq(pr_status_name(PR_STATUS_DYNAMIC), "dynamic");
    cr_assert_eq(pr_range_class_of(1023), PR_CLASS_SYSTEM);
    cr_assert_eq(pr_range_class_of(1024), PR_CLASS_USER);
    cr_assert_eq(pr_range_class_of(49151), PR_CLASS_USER);
    cr_assert_eq(pr_range_class_of(49152), PR_CLASS_DYNAMIC);
    cr_assert_str_eq(pr_range_class_name(PR_CLASS_USER), "user");
}

/* ---- line endings and byte order mark ---- */

/* lf/, crlf/ and bom/ hold the same rows; all must read alike. */
static void check_two_rows(const char *name)
{
    pr_registry *reg = load_good(name);
    cr_assert_eq(reg->record_count, 2, "%s", name);
    cr_assert_eq(reg->contact_count, 2, "%s", name);
    cr_assert_eq(reg->warning_count, 0, "%s", name);

    const pr_record *nut = &reg->records[0], *ping = &reg->records[1];
    cr_assert_str_eq(nut->service, "nut");
    cr_assert_eq(nut->line, 2);
    cr_assert_eq(ping->line, 3);
    cr_assert_str_eq(ping->service, "dccp-ping");
    cr_assert_not(ping->has_port);
    /* the last column must not keep the CR of a CRLF line end */
    cr_assert_str_eq(ping->notes, "Defined TXT keys: None", "%s", name);
    cr_assert_eq(ping->service_code, 1885957735u);

    const pr_person *p = pr_registry_find_person(reg, "Evgeny_Klimov", 13);
    cr_assert_not_null(p);
    cr_assert_str_eq(p->updated_text, "2020-12-16", "%s", name);
    cr_assert_eq(p->line, 2);
    p = pr_registry_find_person(reg, "Network_UPS_Tools_Project", 25);
    cr_assert_not_null(p);
    cr_assert_eq(p->line, 3);
    pr_registry_free(reg);
}

Test(good, lf)
{
    check_two_rows("lf");
}

Test(good, crlf)
{
    check_two_rows("crlf");
}

Test(good, utf8_bom)
{
    check_two_rows("bom");
}

/* Quoted fields with line breaks, commas and doubled quotes; the rows after
 * them keep their true line numbers. */
Test(good, multiline_fields)
{
    pr_registry *reg = load_good("multiline");
    cr_assert_eq(reg->record_count, 4);
    const pr_record *r = reg->records;
    cr_assert_str_eq(r[0].service, "whois++");
    cr_assert_str_eq(r[0].notes, "This entry is an alias to \"whoispp\".\nIt is historic, not "
                                 "usable\nwith DNS-SD.");
    cr_assert_eq(r[0].line, 2);
    cr_assert_eq(r[1].line, 5);
    cr_assert_str_eq(r[2].description, "Network, UPS\nTools");
    cr_assert_eq(r[2].line, 6);
    cr_assert_str_eq(r[2].port_text, "3493");
    cr_assert_eq(r[2].proto, PR_PROTO_UDP);
    cr_assert_eq(r[3].line, 8);
    cr_assert_str_eq(r[3].port_text, "5255-5263");
    pr_registry_free(reg);
}

/* IDs the contact table lacks: the load goes on, with one warning per
 * citation naming the cell's own line and column (the last row starts on
 * line 4, but its cells after the two-line Description are on line 5). */
Test(good, dangling_ids_warn)
{
    pr_registry *reg = load_good("dangling");
    cr_assert_eq(reg->record_count, 3);
    cr_assert_eq(reg->contact_count, 2);
    cr_assert_eq(reg->person_count, 4);
    cr_assert_eq(reg->warning_count, 3);
    cr_assert_str_eq(format_error(&reg->warnings[0]),
                     "service-names-port-numbers.csv:3: Contact: ID \"Nobody\" is not in the "
                     "contact table");
    cr_assert_str_eq(format_error(&reg->warnings[1]),
                     "service-names-port-numbers.csv:5: Assignee: ID \"Ghost\" is not in the "
                     "contact table");
    cr_assert_str_eq(format_error(&reg->warnings[2]),
                     "service-names-port-numbers.csv:5: Contact: ID \"Nobody\" is not in the "
                     "contact table");

    const pr_person *nobody = pr_registry_find_person(reg, "[Nobody]", 8);
    cr_assert_not_null(nobody);
    cr_assert_not(nobody->in_table);
    cr_assert_eq(nobody->line, 0);
    cr_assert_str_eq(nobody->name, "");
    cr_assert_str_eq(nobody->email, "");
    cr_assert_eq(nobody->as_contact.count, 2);
    cr_assert_eq(nobody->as_assignee.count, 0);
    cr_assert_eq(reg->person_records[nobody->as_contact.first], 1);
    cr_assert_eq(reg->person_records[nobody->as_contact.first + 1], 2);

    /* the cell order is kept: the missing ID first, then the known one */
    const pr_record *r = &reg->records[2];
    cr_assert_eq(r->assignees.count, 2);
    cr_assert_str_eq(reg->people[reg->person_refs[r->assignees.first]].id, "Ghost");
    cr_assert_str_eq(reg->people[reg->person_refs[r->assignees.first + 1]].id,
                     "Network_UPS_Tools_Project");
    const pr_person *project = pr_registry_find_person(reg, "Network_UPS_Tools_Project", 25);
    cr_assert_not_null(project);
    cr_assert(project->in_table);
    cr_assert_eq(project->as_assignee.count, 3);
    pr_registry_free(reg);
}

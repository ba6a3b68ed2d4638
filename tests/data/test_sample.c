/* The seed sample (data/sample/), a test fixture that no command falls back
 * to, and its fidelity to the real registry it was cut from (the snapshot
 * in registry/iana, built into the binary). */
#include <criterion/criterion.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv_table.h"
#include "registry.h"
#include "util.h"

LEAK_CHECKED_SUITE(sample);
LEAK_CHECKED_SUITE(sample_vs_iana);

static pr_registry *sample(void)
{
    pr_error err;
    pr_error_clear(&err);
    pr_registry *reg = pr_registry_load_dir(SAMPLE_DIR, &err);
    cr_assert_not_null(reg, "%s", format_error(&err));
    return reg;
}

static const pr_service_name *find_name(const pr_registry *reg, const char *name)
{
    return pr_registry_find_name(reg, name, strlen(name));
}

static const pr_person *find_person(const pr_registry *reg, const char *id)
{
    return pr_registry_find_person(reg, id, strlen(id));
}

static const char *ref(const pr_registry *reg, pr_span span, uint32_t i)
{
    cr_assert_lt(i, span.count);
    return reg->references[span.first + i];
}

static const char *person_id(const pr_registry *reg, pr_span span, uint32_t i)
{
    cr_assert_lt(i, span.count);
    return reg->people[reg->person_refs[span.first + i]].id;
}

static const char *date_text(pr_date d)
{
    static char buf[4][11];
    static int next;
    next = (next + 1) % 4;
    return pr_date_format(d, buf[next]);
}

Test(sample, counts)
{
    pr_registry *reg = sample();
    cr_assert_eq(reg->record_count, 128);
    cr_assert_eq(reg->contact_count, 55);
    cr_assert_eq(reg->person_count, 55, "every cited ID is in the contact table");
    cr_assert_eq(reg->warning_count, 0);
    cr_assert_eq(reg->name_count, 61);
    cr_assert_eq(reg->range_count, 5);
    cr_assert_str_eq(reg->sources[0].name, SAMPLE_DIR "/" PR_RECORDS_FILE);
    cr_assert_str_eq(reg->sources[1].name, SAMPLE_DIR "/" PR_CONTACTS_FILE);
    pr_registry_free(reg);
}

Test(sample, nut_field_by_field)
{
    pr_registry *reg = sample();
    const pr_service_name *name = find_name(reg, "NUT");
    cr_assert_not_null(name, "names compare case-insensitively");
    cr_assert_str_eq(name->name, "nut");
    cr_assert_eq(name->records.count, 2);

    const pr_record *tcp = &reg->records[reg->name_records[name->records.first]];
    const pr_record *udp = &reg->records[reg->name_records[name->records.first + 1]];
    cr_assert_eq(tcp->line, 63);
    cr_assert_eq(udp->line, 64);
    for (int k = 0; k < 2; k++) {
        const pr_record *r = k ? udp : tcp;
        cr_assert_str_eq(r->service, "nut");
        cr_assert_str_eq(r->port_text, "3493");
        cr_assert(r->has_port);
        cr_assert_not(r->is_range);
        cr_assert_eq(r->port_first, 3493);
        cr_assert_eq(r->port_last, 3493);
        cr_assert_str_eq(r->description, "Network UPS Tools");
        cr_assert_eq(r->assignees.count, 1);
        cr_assert_str_eq(person_id(reg, r->assignees, 0), "Network_UPS_Tools_Project");
        cr_assert_eq(r->contacts.count, 1);
        cr_assert_str_eq(person_id(reg, r->contacts, 0), "Evgeny_Klimov");
        cr_assert_str_eq(date_text(r->registered), "2002-05");
        cr_assert_not(r->has_service_code);
        cr_assert_str_eq(r->unauthorized_use, "");
        cr_assert_str_eq(r->notes, "");
        cr_assert_eq(r->status, PR_STATUS_ASSIGNED);
    }
    cr_assert_eq(tcp->proto, PR_PROTO_TCP);
    cr_assert_str_eq(date_text(tcp->modified), "2022-05-18");
    cr_assert_eq(tcp->references.count, 1);
    cr_assert_str_eq(ref(reg, tcp->references, 0), "RFC9271");
    cr_assert_eq(udp->proto, PR_PROTO_UDP);
    cr_assert_str_eq(date_text(udp->modified), "2020-12-16");
    cr_assert_eq(udp->references.count, 0);
    pr_registry_free(reg);
}

Test(sample, port_in_an_unassigned_range)
{
    pr_registry *reg = sample();
    uint32_t n;
    const uint32_t *idx = pr_registry_port_records(reg, 5260, &n);
    cr_assert_eq(n, 1);
    const pr_record *r = &reg->records[idx[0]];
    cr_assert_str_eq(r->port_text, "5255-5263");
    cr_assert(r->is_range);
    cr_assert_eq(r->port_first, 5255);
    cr_assert_eq(r->port_last, 5263);
    cr_assert_eq(r->proto, PR_PROTO_NONE);
    cr_assert_str_eq(r->service, "");
    cr_assert_str_eq(r->description, "Unassigned");
    cr_assert_eq(r->status, PR_STATUS_UNASSIGNED);
    cr_assert_eq(r->line, 107);
    /* the ports just outside the range are not covered by it */
    pr_registry_port_records(reg, 5254, &n);
    cr_assert_eq(n, 0);
    idx = pr_registry_port_records(reg, 5264, &n);
    cr_assert_eq(n, 2);
    cr_assert_str_eq(reg->records[idx[0]].service, "3com-njack-1");
    pr_registry_free(reg);
}

Test(sample, port_status)
{
    pr_registry *reg = sample();
    cr_assert_eq(pr_registry_port_status(reg, 3493, PR_PROTO_TCP), PR_STATUS_ASSIGNED);
    cr_assert_eq(pr_registry_port_status(reg, 4726, PR_PROTO_TCP), PR_STATUS_RESERVED);
    cr_assert_eq(pr_registry_port_status(reg, 4726, PR_PROTO_UDP), PR_STATUS_ASSIGNED);
    cr_assert_eq(pr_registry_port_status(reg, 5260, PR_PROTO_TCP), PR_STATUS_UNASSIGNED);
    cr_assert_eq(pr_registry_port_status(reg, 60000, PR_PROTO_TCP), PR_STATUS_DYNAMIC);
    /* a record with no protocol holds for every protocol */
    cr_assert_eq(pr_registry_port_status(reg, 3126, PR_PROTO_SCTP), PR_STATUS_UNASSIGNED);
    /* assigned for udp only: sctp on the same port is not */
    cr_assert_eq(pr_registry_port_status(reg, 6081, PR_PROTO_UDP), PR_STATUS_ASSIGNED);
    cr_assert_eq(pr_registry_port_status(reg, 6081, PR_PROTO_TCP), PR_STATUS_UNASSIGNED);
    /* no record at all: the range class decides */
    cr_assert_eq(pr_registry_port_status(reg, 49151, PR_PROTO_TCP), PR_STATUS_UNASSIGNED);
    cr_assert_eq(pr_registry_port_status(reg, 49152, PR_PROTO_TCP), PR_STATUS_DYNAMIC);
    cr_assert_eq(pr_registry_port_status(reg, 65535, PR_PROTO_DCCP), PR_STATUS_DYNAMIC);
    pr_registry_free(reg);
}

Test(sample, find_name)
{
    pr_registry *reg = sample();
    cr_assert_not_null(find_name(reg, "nut"));
    cr_assert_not_null(find_name(reg, "Nut"));
    cr_assert_not_null(find_name(reg, "3COM-NJACK-1"));
    cr_assert_null(find_name(reg, "nu"));
    cr_assert_null(find_name(reg, "nuts"));
    cr_assert_null(find_name(reg, ""));
    /* the length is the name: a prefix of the buffer, or a NUL inside it */
    const pr_service_name *n = pr_registry_find_name(reg, "nutty", 3);
    cr_assert_not_null(n);
    cr_assert_str_eq(n->name, "nut");
    cr_assert_null(pr_registry_find_name(reg, "nut\0x", 5));
    pr_registry_free(reg);
}

Test(sample, find_person)
{
    pr_registry *reg = sample();
    const pr_person *bare = find_person(reg, "Network_UPS_Tools_Project");
    const pr_person *bracketed = find_person(reg, "[Network_UPS_Tools_Project]");
    cr_assert_not_null(bare);
    cr_assert_eq(bare, bracketed);
    cr_assert(bare->in_table);
    cr_assert_eq(bare->line, 41);
    cr_assert_str_eq(bare->id, "Network_UPS_Tools_Project");
    cr_assert_str_eq(bare->name, "");
    cr_assert_str_eq(bare->organization, "Network UPS Tools Project");
    cr_assert_str_eq(bare->uri, "mailto:iana&networkupstools.org");
    cr_assert_str_eq(bare->email, "iana@networkupstools.org");
    cr_assert_str_eq(bare->updated_text, "2020-12-16");
    cr_assert_eq(bare->as_assignee.count, 2);
    cr_assert_eq(bare->as_contact.count, 0);
    cr_assert_eq(bare->any_role.count, 2);

    /* IDs are case-sensitive and whole */
    cr_assert_null(find_person(reg, "network_ups_tools_project"));
    cr_assert_null(find_person(reg, "Network_UPS_Tools"));
    cr_assert_null(find_person(reg, "[Network_UPS_Tools_Project"));
    cr_assert_null(find_person(reg, "[]"));
    cr_assert_null(find_person(reg, ""));

    const pr_person *wilson = find_person(reg, "Chris_Wilson");
    cr_assert_not_null(wilson);
    cr_assert_str_eq(wilson->email, "chris+iana@qwirx.com");
    /* assignee and contact of the same four records: any_role lists each once */
    const pr_person *rajaram = find_person(reg, "Abhay_Rajaram");
    cr_assert_not_null(rajaram);
    cr_assert_eq(rajaram->as_assignee.count, 4);
    cr_assert_eq(rajaram->as_contact.count, 4);
    cr_assert_eq(rajaram->any_role.count, 4);
    pr_registry_free(reg);
}

/* The seed page searched for "ups": 27 records match it. */
Test(sample, search_ups)
{
    pr_registry *reg = sample();
    uint32_t hits = 0;
    for (uint32_t i = 0; i < reg->record_count; i++)
        hits += pr_registry_record_matches(reg, i, "ups", 3);
    cr_assert_eq(hits, 27);
    cr_assert(pr_registry_record_matches(reg, 0, "uninterruptible", 15), "description");
    cr_assert(pr_registry_record_matches(reg, 0, "401", 3), "port");
    cr_assert_not(pr_registry_record_matches(reg, 0, "supply401", 9), "across parts");
    pr_registry_free(reg);
}

/* The one-pass scan finds what the per-record test finds, and never a hit
 * that runs from one record's port into the next record's name. */
Test(sample, search_scan_agrees_with_each_record)
{
    pr_registry *reg = sample();
    cr_assert_eq(scan_agrees_with_record_matches(reg, "ups"), 27);
    const char *terms[] = {"u", "401", "3493", "nut", "network", "-", "zzz", "upsups", " "};
    for (size_t t = 0; t < sizeof terms / sizeof *terms; t++)
        scan_agrees_with_record_matches(reg, terms[t]);
    /* every term made of a record's port text and the next record's first
     * letters spans two records, and so matches neither */
    for (uint32_t i = 0; i + 1 < reg->record_count; i++) {
        char straddle[64];
        const pr_record *a = &reg->records[i], *b = &reg->records[i + 1];
        if (!a->port_text[0] || !b->service[0])
            continue;
        snprintf(straddle, sizeof straddle, "%s%c", a->port_text, b->service[0]);
        for (char *c = straddle; *c; c++)
            *c = (char)tolower((unsigned char)*c);
        scan_agrees_with_record_matches(reg, straddle);
    }
    cr_assert_eq(pr_registry_next_match(reg, reg->record_count, "ups", 3), reg->record_count);
    pr_registry_free(reg);
}

/* ---- against the real registry ---- */

static const char *const record_columns[] = {
    "Service Name", "Port Number",  "Transport Protocol",        "Description",
    "Assignee",     "Contact",      "Registration Date",         "Modification Date",
    "Reference",    "Service Code", "Unauthorized Use Reported", "Assignment Notes"};
static const char *const contact_columns[] = {"ID", "Name", "Organization", "Contact URI",
                                              "Last Updated"};

typedef struct rows {
    size_t ncols;
    char **row; /* each row's fields, length-prefixed, as one string */
    size_t count, cap;
} rows;

static int keep_row(void *ctx, const pr_csv_field *fields, unsigned long line, pr_error *err)
{
    (void)line;
    (void)err;
    rows *t = ctx;
    size_t len = 1;
    for (size_t i = 0; i < t->ncols; i++)
        len += fields[i].len + 24;
    char *s = malloc(len);
    cr_assert_not_null(s);
    size_t at = 0;
    for (size_t i = 0; i < t->ncols; i++)
        at += (size_t)snprintf(s + at, len - at, "%zu:%s", fields[i].len, fields[i].text);
    if (t->count == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 256;
        t->row = realloc(t->row, t->cap * sizeof *t->row);
        cr_assert_not_null(t->row);
    }
    t->row[t->count++] = s;
    return 0;
}

static rows read_rows(const char *path, const char *const *columns, size_t ncols)
{
    size_t len;
    unsigned char *bytes = read_whole_file(path, &len);
    cr_assert_not_null(bytes, "cannot read %s", path);
    rows t = {.ncols = ncols};
    pr_source src = {path, bytes, len};
    pr_error err;
    pr_error_clear(&err);
    long n = pr_csv_read(&src, columns, ncols, keep_row, &t, &err);
    free(bytes);
    cr_assert_geq(n, 0, "%s", format_error(&err));
    cr_assert_eq((size_t)n, t.count);
    return t;
}

static void free_rows(rows *t)
{
    for (size_t i = 0; i < t->count; i++)
        free(t->row[i]);
    free(t->row);
}

static int str_ptr_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every sample row is, field for field, a row of the real file. */
static void check_rows_in(const char *sample_path, const char *real_path,
                          const char *const *columns, size_t ncols, size_t expected_rows)
{
    rows part = read_rows(sample_path, columns, ncols);
    rows whole = read_rows(real_path, columns, ncols);
    cr_assert_eq(part.count, expected_rows);
    qsort(whole.row, whole.count, sizeof *whole.row, str_ptr_cmp);
    size_t missing = 0;
    const char *first_missing = "";
    for (size_t i = 0; i < part.count; i++) {
        if (!bsearch(&part.row[i], whole.row, whole.count, sizeof *whole.row, str_ptr_cmp)) {
            if (!missing++)
                first_missing = part.row[i];
        }
    }
    cr_expect_eq(missing, 0, "%zu rows of %s are not in %s, the first: %s", missing, sample_path,
                 real_path, first_missing);
    free_rows(&part);
    free_rows(&whole);
}

Test(sample_vs_iana, records_are_real_rows)
{
    check_rows_in(SAMPLE_DIR "/" PR_RECORDS_FILE, PR_SNAPSHOT_DIR "/" PR_RECORDS_FILE,
                  record_columns, 12, 128);
}

Test(sample_vs_iana, contacts_are_real_rows)
{
    check_rows_in(SAMPLE_DIR "/" PR_CONTACTS_FILE, PR_SNAPSHOT_DIR "/" PR_CONTACTS_FILE,
                  contact_columns, 5, 55);
}

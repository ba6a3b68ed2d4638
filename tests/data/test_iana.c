/* The whole registry as IANA published it on 2026-08-17 (../shared/iana).
 * The figures pinned here are those of that file's README; every test skips
 * when the files are absent. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "registry.h"
#include "util.h"

LEAK_CHECKED_SUITE(iana);

static pr_registry *iana(void)
{
    pr_error err;
    pr_error_clear(&err);
    pr_registry *reg = pr_registry_load_dir(PR_IANA_DIR, &err);
    cr_assert_not_null(reg, "%s", format_error(&err));
    return reg;
}

static const pr_person *find_person(const pr_registry *reg, const char *id)
{
    return pr_registry_find_person(reg, id, strlen(id));
}

static const char *person_id(const pr_registry *reg, pr_span span, uint32_t i)
{
    cr_assert_lt(i, span.count);
    return reg->people[reg->person_refs[span.first + i]].id;
}

/* The record of `name` for `proto`, with or without a port. */
static const pr_record *record_of(const pr_registry *reg, const char *name, enum pr_proto proto,
                                  bool has_port)
{
    const pr_service_name *n = pr_registry_find_name(reg, name, strlen(name));
    cr_assert_not_null(n, "no service %s", name);
    for (uint32_t i = 0; i < n->records.count; i++) {
        const pr_record *r = &reg->records[reg->name_records[n->records.first + i]];
        if (r->proto == proto && r->has_port == has_port)
            return r;
    }
    cr_assert_fail("no %s record for %s", pr_proto_name(proto), name);
    return NULL;
}

static bool date_is(pr_date d, unsigned y, unsigned m, unsigned day)
{
    return d.year == y && d.month == m && d.day == day;
}

Test(iana, loads_cleanly_with_the_published_figures)
{
    SKIP_WITHOUT_IANA();
    pr_registry *reg = iana();
    cr_assert_eq(reg->warning_count, 0, "first: %s",
                 reg->warning_count ? format_error(&reg->warnings[0]) : "");
    cr_assert_eq(reg->record_count, 14533);
    cr_assert_eq(reg->contact_count, 5615);
    cr_assert_eq(reg->person_count, 5615, "no dangling IDs");
    cr_assert_eq(reg->name_count, 7327);
    cr_assert_eq(reg->range_count, 766);
    cr_assert(date_is(reg->newest, 2026, 8, 17));

    uint32_t proto[PR_PROTO_COUNT] = {0}, status[PR_STATUS_COUNT] = {0};
    uint32_t unnamed = 0, portless = 0, codes = 0, unauthorized = 0, multi_id = 0, multiline = 0;
    for (uint32_t i = 0; i < reg->record_count; i++) {
        const pr_record *r = &reg->records[i];
        proto[r->proto]++;
        status[r->status]++;
        unnamed += r->service[0] == '\0';
        portless += !r->has_port;
        codes += r->has_service_code;
        unauthorized += r->unauthorized_use[0] != '\0';
        multi_id += r->assignees.count > 1 || r->contacts.count > 1;
        multiline += strchr(r->description, '\n') || strchr(r->notes, '\n') ||
                     strchr(r->unauthorized_use, '\n');
    }
    cr_assert_eq(proto[PR_PROTO_TCP], 6606);
    cr_assert_eq(proto[PR_PROTO_UDP], 6356);
    cr_assert_eq(proto[PR_PROTO_SCTP], 93);
    cr_assert_eq(proto[PR_PROTO_DCCP], 11);
    cr_assert_eq(proto[PR_PROTO_NONE], 1467);
    cr_assert_eq(unnamed, 1724);
    cr_assert_eq(status[PR_STATUS_ASSIGNED], 14533 - 1724);
    cr_assert_eq(status[PR_STATUS_UNASSIGNED], 888);
    cr_assert_eq(status[PR_STATUS_RESERVED], 836);
    cr_assert_eq(status[PR_STATUS_DYNAMIC], 0);
    cr_assert_eq(portless, 1070);
    cr_assert_eq(codes, 4);
    cr_assert_eq(unauthorized, 112);
    cr_assert_eq(multi_id, 77);
    cr_assert_eq(multiline, 444);
    pr_registry_free(reg);
}

Test(iana, search_scan_agrees_with_each_record)
{
    SKIP_WITHOUT_IANA();
    pr_registry *reg = iana();
    const char *terms[] = {"ups", "http", "a", "1", "80", "tcp", "unassigned", "x11", "zzzzzz"};
    for (size_t t = 0; t < sizeof terms / sizeof *terms; t++)
        scan_agrees_with_record_matches(reg, terms[t]);
    pr_registry_free(reg);
}

Test(iana, range_record)
{
    SKIP_WITHOUT_IANA();
    pr_registry *reg = iana();
    uint32_t n;
    const uint32_t *idx = pr_registry_port_records(reg, 49100, &n);
    cr_assert_eq(n, 1);
    const pr_record *r = &reg->records[idx[0]];
    cr_assert_str_eq(r->port_text, "49002-49149");
    cr_assert(r->has_port);
    cr_assert(r->is_range);
    cr_assert_eq(r->port_first, 49002);
    cr_assert_eq(r->port_last, 49149);
    cr_assert_eq(r->proto, PR_PROTO_NONE);
    cr_assert_str_eq(r->service, "");
    cr_assert_str_eq(r->description, "Unassigned");
    cr_assert_eq(r->status, PR_STATUS_UNASSIGNED);
    cr_assert_eq(r->assignees.count + r->contacts.count + r->references.count, 0);
    /* multi-line records come before it: the line counts physical lines */
    cr_assert_eq(r->line, 14125);
    cr_assert_eq(pr_registry_port_status(reg, 49100, PR_PROTO_TCP), PR_STATUS_UNASSIGNED);
    pr_registry_free(reg);
}

Test(iana, record_without_protocol)
{
    SKIP_WITHOUT_IANA();
    pr_registry *reg = iana();
    uint32_t n;
    const uint32_t *idx = pr_registry_port_records(reg, 51, &n);
    cr_assert_eq(n, 1);
    const pr_record *r = &reg->records[idx[0]];
    cr_assert_eq(r->proto, PR_PROTO_NONE);
    cr_assert_str_eq(r->port_text, "51");
    cr_assert_not(r->is_range);
    cr_assert_str_eq(r->description, "Reserved");
    cr_assert_eq(r->status, PR_STATUS_RESERVED);
    cr_assert(date_is(r->modified, 2013, 5, 24));
    cr_assert_eq(r->registered.year, 0);
    cr_assert_str_eq(r->notes, "This entry is being removed on 2013-05-24.");
    /* it holds for every protocol */
    for (int p = PR_PROTO_TCP; p < PR_PROTO_COUNT; p++)
        cr_assert_eq(pr_registry_port_status(reg, 51, (enum pr_proto)p), PR_STATUS_RESERVED);
    pr_registry_free(reg);
}

/* Names from before RFC 6335's syntax are found like any other. */
Test(iana, historic_names)
{
    SKIP_WITHOUT_IANA();
    pr_registry *reg = iana();
    static const struct {
        const char *name;
        uint16_t port;
    } historic[] = {{"whois++", 63}, {"sql*net", 66}, {"z39.50", 210}, {"914c/g", 211}};
    for (size_t i = 0; i < sizeof historic / sizeof historic[0]; i++) {
        const char *name = historic[i].name;
        const pr_service_name *n = pr_registry_find_name(reg, name, strlen(name));
        cr_assert_not_null(n, "%s", name);
        cr_assert_str_eq(n->name, name);
        cr_assert_eq(n->records.count, 2, "%s", name);
        const pr_record *r = &reg->records[reg->name_records[n->records.first]];
        cr_assert_eq(r->port_first, historic[i].port, "%s", name);
    }
    cr_assert_not_null(pr_registry_find_name(reg, "Z39.50", 6));
    cr_assert_null(pr_registry_find_name(reg, "z39-5", 5));

    const pr_record *w = record_of(reg, "whois++", PR_PROTO_TCP, true);
    cr_assert_eq(w->line, 136);
    cr_assert_str_eq(w->description, "whois++");
    cr_assert_str_eq(person_id(reg, w->assignees, 0), "Rickard_Schoultz");
    cr_assert_str_eq(w->notes, "This entry is an alias to \"whoispp\".\n"
                               "This entry is now historic, not usable for use with many\n"
                               "common service discovery mechanisms.");
    pr_registry_free(reg);
}

Test(iana, several_ids_in_one_cell)
{
    SKIP_WITHOUT_IANA();
    pr_registry *reg = iana();
    const pr_record *r = record_of(reg, "nas", PR_PROTO_TCP, true);
    cr_assert_eq(r->port_first, 991);
    cr_assert_eq(r->assignees.count, 2);
    cr_assert_str_eq(person_id(reg, r->assignees, 0), "Vera_Heinau");
    cr_assert_str_eq(person_id(reg, r->assignees, 1), "Heiko_Schlichting");
    cr_assert_eq(r->contacts.count, 2);
    cr_assert_str_eq(person_id(reg, r->contacts, 0), "Vera_Heinau");
    cr_assert_str_eq(person_id(reg, r->contacts, 1), "Heiko_Schlichting");
    cr_assert(date_is(r->modified, 2017, 2, 10));
    cr_assert_eq(r->references.count, 1);
    cr_assert_str_eq(reg->references[r->references.first], "RFC4707");

    const pr_person *vera = find_person(reg, "Vera_Heinau");
    cr_assert_not_null(vera);
    cr_assert_str_eq(vera->name, "Vera Heinau");
    cr_assert_str_eq(vera->email, "vera.heinau@fu-berlin.de");
    cr_assert_str_eq(vera->updated_text, "2022-06-07");
    bool listed = false;
    for (uint32_t i = 0; i < vera->as_assignee.count; i++)
        listed = listed || &reg->records[reg->person_records[vera->as_assignee.first + i]] == r;
    cr_assert(listed, "the nas record is among Vera_Heinau's");
    pr_registry_free(reg);
}

Test(iana, dccp_service_code)
{
    SKIP_WITHOUT_IANA();
    pr_registry *reg = iana();
    const pr_service_name *n = pr_registry_find_name(reg, "discard", 7);
    cr_assert_not_null(n);
    cr_assert_eq(n->records.count, 4);
    const pr_record *r = record_of(reg, "discard", PR_PROTO_DCCP, true);
    cr_assert_eq(r->port_first, 9);
    cr_assert(r->has_service_code);
    cr_assert_eq(r->service_code, 1145656131u);
    cr_assert_str_eq(person_id(reg, r->assignees, 0), "Eddie_Kohler");
    cr_assert_str_eq(reg->references[r->references.first], "RFC4340");
    cr_assert_not(record_of(reg, "discard", PR_PROTO_TCP, true)->has_service_code);
    pr_registry_free(reg);
}

Test(iana, record_without_port)
{
    SKIP_WITHOUT_IANA();
    pr_registry *reg = iana();
    const pr_record *r = record_of(reg, "dccp-ping", PR_PROTO_DCCP, false);
    cr_assert_str_eq(r->port_text, "");
    cr_assert_not(r->is_range);
    cr_assert_eq(r->line, 14459);
    cr_assert_str_eq(r->description, "ping/traceroute using DCCP");
    cr_assert(date_is(r->registered, 2012, 11, 14));
    cr_assert_eq(r->service_code, 1885957735u);
    cr_assert_str_eq(r->notes, "Defined TXT keys: None");
    cr_assert_str_eq(person_id(reg, r->contacts, 0), "Samuel_Jero");
    pr_registry_free(reg);
}

Test(iana, id_starting_with_underscore)
{
    SKIP_WITHOUT_IANA();
    pr_registry *reg = iana();
    const pr_person *p = find_person(reg, "_3GPP");
    cr_assert_not_null(p);
    cr_assert_eq(p, find_person(reg, "[_3GPP]"));
    cr_assert_str_eq(p->id, "_3GPP");
    cr_assert_str_eq(p->name, "");
    cr_assert_str_eq(p->organization, "3GPP");
    cr_assert_str_eq(p->email, "dongwook.kim@etsi.org");
    cr_assert(date_is(p->updated, 2026, 1, 23));
    cr_assert_eq(p->line, 2);
    cr_assert_gt(p->any_role.count, 0);
    cr_assert_null(find_person(reg, "3GPP"), "the '_' is part of the ID");
    cr_assert_null(find_person(reg, "_3gpp"));
    pr_registry_free(reg);
}

/* A few contacts begin or end with a space; it is kept as published. */
Test(iana, spaces_kept_in_contacts)
{
    SKIP_WITHOUT_IANA();
    pr_registry *reg = iana();
    const pr_person *p = find_person(reg, "Joshua_Boelter");
    cr_assert_not_null(p);
    cr_assert_str_eq(p->name, "Joshua Boelter ");
    p = find_person(reg, "Jeff_Peters");
    cr_assert_not_null(p);
    cr_assert_str_eq(p->organization, " National Instruments");
    pr_registry_free(reg);
}

/* ---- indexes, checked against the records and against a reading of our own ---- */

typedef struct by_hand {
    uint32_t records, ranges;
    uint64_t port_refs; /* sum over records of the ports each covers */
} by_hand;

static void count_port_cell(by_hand *h, const char *cell)
{
    unsigned a, b;
    char tail;
    h->records++;
    if (cell[0] == '\0')
        return;
    if (sscanf(cell, "%u-%u%c", &a, &b, &tail) == 2)
        h->ranges++;
    else if (sscanf(cell, "%u%c", &a, &tail) == 1)
        b = a;
    else
        cr_assert_fail("port cell %s", cell);
    h->port_refs += (uint64_t)b - a + 1;
}

/* A deliberately naive RFC 4180 reading that keeps only the second column,
 * so that the port index is checked against something other than the
 * loader's own parsing. */
static by_hand read_ports_by_hand(void)
{
    size_t len;
    unsigned char *s = read_whole_file(PR_IANA_DIR "/" PR_RECORDS_FILE, &len);
    cr_assert_not_null(s);
    by_hand h = {0};
    char cell[32];
    size_t cell_len = 0, column = 0;
    bool quoted = false, header = true;
    for (size_t i = 0; i <= len; i++) {
        int c = i < len ? s[i] : '\n';
        if (quoted) {
            if (c == '"' && i + 1 < len && s[i + 1] == '"')
                i++;
            else if (c == '"')
                quoted = false;
            continue; /* the port column is never quoted */
        }
        if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            column++;
        } else if (c == '\n') {
            cell[cell_len] = '\0';
            if (!header && column > 0)
                count_port_cell(&h, cell);
            header = false;
            column = cell_len = 0;
        } else if (column == 1 && c != '\r' && cell_len + 1 < sizeof cell) {
            cell[cell_len++] = (char)c;
        }
    }
    free(s);
    return h;
}

Test(iana, port_index)
{
    SKIP_WITHOUT_IANA();
    pr_registry *reg = iana();
    by_hand h = read_ports_by_hand();
    cr_assert_eq(h.records, reg->record_count);
    cr_assert_eq(h.ranges, reg->range_count);

    uint64_t total = 0;
    for (uint32_t port = 0; port <= 65535; port++) {
        uint32_t n;
        const uint32_t *idx = pr_registry_port_records(reg, (uint16_t)port, &n);
        total += n;
        for (uint32_t k = 0; k < n; k++) {
            const pr_record *r = &reg->records[idx[k]];
            cr_assert(r->has_port && r->port_first <= port && port <= r->port_last,
                      "port %u lists the record of line %u (%s)", port, r->line, r->port_text);
            /* registry order, each record once */
            cr_assert(k == 0 || idx[k - 1] < idx[k], "port %u", port);
        }
        for (int p = PR_PROTO_TCP; p < PR_PROTO_COUNT; p++) {
            enum pr_status s = pr_registry_port_status(reg, (uint16_t)port, (enum pr_proto)p);
            cr_assert_lt(s, PR_STATUS_COUNT);
            /* nothing is listed above 49151: the Dynamic range comes from the rule */
            if (port >= 49152)
                cr_assert_eq(s, PR_STATUS_DYNAMIC, "port %u", port);
        }
    }
    /* every listing is right (above) and there are as many as the CSV asks
     * for: so every record is listed under every port it covers */
    cr_assert_eq(total, h.port_refs);
    cr_assert_eq(total, 55659);

    cr_assert_eq(pr_registry_port_status(reg, 22, PR_PROTO_TCP), PR_STATUS_ASSIGNED);
    uint32_t n;
    const uint32_t *idx = pr_registry_port_records(reg, 22, &n);
    cr_assert_eq(n, 3);
    cr_assert_str_eq(reg->records[idx[0]].service, "ssh");
    cr_assert_eq(reg->records[idx[0]].proto, PR_PROTO_TCP);
    pr_registry_free(reg);
}

Test(iana, name_index)
{
    SKIP_WITHOUT_IANA();
    pr_registry *reg = iana();
    uint32_t grouped = 0;
    for (uint32_t g = 0; g < reg->name_count; g++) {
        const pr_service_name *n = &reg->names[g];
        grouped += n->records.count;
        cr_assert(g == 0 || strcasecmp(reg->names[g - 1].name, n->name) < 0, "%s after %s", n->name,
                  reg->names[g - 1].name);
        for (uint32_t k = 0; k < n->records.count; k++)
            cr_assert_eq(
                strcasecmp(reg->records[reg->name_records[n->records.first + k]].service, n->name),
                0);
    }
    cr_assert_eq(grouped, 14533 - 1724);

    /* every named record is found through its own name */
    for (uint32_t i = 0; i < reg->record_count; i++) {
        const char *name = reg->records[i].service;
        if (!name[0])
            continue;
        const pr_service_name *n = pr_registry_find_name(reg, name, strlen(name));
        cr_assert_not_null(n, "%s", name);
        bool found = false;
        for (uint32_t k = 0; k < n->records.count && !found; k++)
            found = reg->name_records[n->records.first + k] == i;
        cr_assert(found, "record of line %u under %s", reg->records[i].line, name);
    }
    pr_registry_free(reg);
}

Test(iana, people_index)
{
    SKIP_WITHOUT_IANA();
    pr_registry *reg = iana();
    for (uint32_t i = 0; i < reg->person_count; i++) {
        const pr_person *p = &reg->people[i];
        cr_assert(p->in_table, "%s", p->id);
        cr_assert(i == 0 || strcmp(reg->people[i - 1].id, p->id) < 0, "%s", p->id);
        cr_assert_eq(find_person(reg, p->id), p);
        /* each record listed for a person does cite them */
        for (uint32_t k = 0; k < p->any_role.count; k++) {
            const pr_record *r = &reg->records[reg->person_records[p->any_role.first + k]];
            bool cites = false;
            for (uint32_t j = 0; j < r->assignees.count; j++)
                cites = cites || reg->person_refs[r->assignees.first + j] == i;
            for (uint32_t j = 0; j < r->contacts.count; j++)
                cites = cites || reg->person_refs[r->contacts.first + j] == i;
            cr_assert(cites, "%s and the record of line %u", p->id, r->line);
        }
    }
    pr_registry_free(reg);
}

Test(iana, sources_are_the_published_files)
{
    SKIP_WITHOUT_IANA();
    pr_registry *reg = iana();
    char hex[2 * PR_SHA256_LEN + 1];
    cr_assert_str_eq(pr_hex(reg->sources[0].sha256, PR_SHA256_LEN, hex),
                     "757d5969a623680753269c420688fc01b050ce8dae9f47d90aab0a057f144dc8");
    cr_assert_str_eq(pr_hex(reg->sources[1].sha256, PR_SHA256_LEN, hex),
                     "f64663a5a6e9a94d2dc0ff1718dcc8d1f16942ac02c286239853eb70b3bf2a74");
    cr_assert_str_eq(reg->sources[0].name, PR_IANA_DIR "/" PR_RECORDS_FILE);
    pr_registry_free(reg);
}

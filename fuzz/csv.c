/* csv.c: fuzzes the CSV loader (data/registry.c over libcsv): a records
 * file, a contacts file and an optional date file, as
 * pr_registry_load_dated() takes them.
 *
 * Input: RECORDS [SEP_CONTACTS CONTACTS [SEP_UPDATED UPDATED]], where the
 * separators are the lines below (csv.dict holds them). With no contacts
 * part, the contacts file is a header alone.
 *
 * Oracle: a load either fails with a located message or yields a registry
 * whose indexes are consistent: every index in range, every port's records
 * covering that port, every name lookup finding its own records, and every
 * record found by a search for its own service name. */
#include <string.h>

#include "fuzz.h"
#include "registry.h"

#define SEP_CONTACTS "\n%%contacts%%\n"
#define SEP_UPDATED  "\n%%updated%%\n"

static const char empty_contacts[] = "ID,Name,Organization,Contact URI,Last Updated\n";

/* The sizes of the index arrays are not stored; they are bounded by what
 * the spans into them claim, so the spans are checked against each other. */
static void check_registry(const pr_registry *reg)
{
    FUZZ_REQUIRE(reg->contact_count <= reg->person_count, "%u contacts, %u people",
                 reg->contact_count, reg->person_count);
    uint32_t contacts = 0;
    for (uint32_t p = 0; p < reg->person_count; p++) {
        const pr_person *who = &reg->people[p];
        FUZZ_REQUIRE(who->id && who->name && who->organization && who->uri && who->email,
                     "person %u has a NULL field", p);
        contacts += who->in_table;
        if (p > 0)
            FUZZ_REQUIRE(strcmp(reg->people[p - 1].id, who->id) < 0, "people not sorted at %u", p);
        const pr_person *found = pr_registry_find_person(reg, who->id, strlen(who->id));
        FUZZ_REQUIRE(found == who, "person %s not found by its id", who->id);
    }
    FUZZ_REQUIRE(contacts == reg->contact_count, "contact_count %u, counted %u", reg->contact_count,
                 contacts);

    uint32_t ranges = 0;
    for (uint32_t i = 0; i < reg->record_count; i++) {
        const pr_record *r = &reg->records[i];
        FUZZ_REQUIRE(r->service && r->description && r->unauthorized_use && r->notes &&
                         r->port_text,
                     "record %u has a NULL field", i);
        FUZZ_REQUIRE(r->proto < PR_PROTO_COUNT && r->status < PR_STATUS_DYNAMIC,
                     "record %u: proto %u status %u", i, r->proto, r->status);
        FUZZ_REQUIRE(r->status == pr_record_status_of(r->service, r->description),
                     "record %u: status not the rule's", i);
        ranges += r->is_range;
        if (r->has_port) {
            FUZZ_REQUIRE(r->port_first <= r->port_last, "record %u: port %u-%u", i, r->port_first,
                         r->port_last);
            uint32_t n;
            const uint32_t *at = pr_registry_port_records(reg, r->port_first, &n);
            int seen = 0;
            for (uint32_t k = 0; k < n; k++)
                seen |= at[k] == i;
            FUZZ_REQUIRE(seen, "record %u not indexed under its port %u", i, r->port_first);
        }
        if (r->service[0]) {
            const pr_service_name *sn = pr_registry_find_name(reg, r->service, strlen(r->service));
            FUZZ_REQUIRE(sn, "record %u: service %s not found", i, r->service);
            int seen = 0;
            for (uint32_t k = 0; k < sn->records.count; k++)
                seen |= reg->name_records[sn->records.first + k] == i;
            FUZZ_REQUIRE(seen, "record %u not under its name", i);
        }
    }
    FUZZ_REQUIRE(ranges == reg->range_count, "range_count %u, counted %u", reg->range_count,
                 ranges);

    /* the records listed under each end of every record's port range cover
     * that port (all 65,536 ports would cost more than the load) */
    for (uint32_t i = 0; i < reg->record_count; i++) {
        const pr_record *r = &reg->records[i];
        if (!r->has_port)
            continue;
        uint16_t ends[2] = {r->port_first, r->port_last};
        for (int e = 0; e < 2; e++) {
            uint16_t port = ends[e];
            uint32_t n;
            const uint32_t *at = pr_registry_port_records(reg, port, &n);
            for (uint32_t k = 0; k < n; k++) {
                FUZZ_REQUIRE(at[k] < reg->record_count, "port %u: record %u of %u", port, at[k],
                             reg->record_count);
                const pr_record *o = &reg->records[at[k]];
                FUZZ_REQUIRE(o->has_port && o->port_first <= port && port <= o->port_last,
                             "port %u lists record %u (%u-%u)", port, at[k], o->port_first,
                             o->port_last);
            }
            for (int proto = PR_PROTO_TCP; proto < PR_PROTO_COUNT; proto++)
                FUZZ_REQUIRE(pr_registry_port_status(reg, port, proto) < PR_STATUS_DYNAMIC ||
                                 (pr_registry_port_status(reg, port, proto) == PR_STATUS_DYNAMIC &&
                                  port >= 49152),
                             "port %u: bad status", port);
        }
    }

    for (uint32_t i = 0; i < reg->record_count; i++) {
        const pr_record *r = &reg->records[i];
        for (uint32_t k = 0; k < r->assignees.count; k++)
            FUZZ_REQUIRE(reg->person_refs[r->assignees.first + k] < reg->person_count,
                         "record %u: assignee out of range", i);
        for (uint32_t k = 0; k < r->contacts.count; k++)
            FUZZ_REQUIRE(reg->person_refs[r->contacts.first + k] < reg->person_count,
                         "record %u: contact out of range", i);
        for (uint32_t k = 0; k < r->references.count; k++)
            FUZZ_REQUIRE(reg->references[r->references.first + k] != NULL,
                         "record %u: NULL reference", i);
    }
    for (uint32_t n = 0; n < reg->name_count; n++) {
        const pr_service_name *sn = &reg->names[n];
        FUZZ_REQUIRE(sn->records.count > 0, "name %s has no records", sn->name);
        for (uint32_t k = 0; k < sn->records.count; k++)
            FUZZ_REQUIRE(reg->name_records[sn->records.first + k] < reg->record_count,
                         "name %s: record out of range", sn->name);
    }

    /* a search for a record's service name (ASCII-lower-cased) finds it */
    for (uint32_t i = 0; i < reg->record_count && i < 64; i++) {
        const char *s = reg->records[i].service;
        size_t len = strlen(s);
        if (len == 0 || len > 256)
            continue;
        char lower[257];
        for (size_t k = 0; k < len; k++)
            lower[k] = (char)(s[k] >= 'A' && s[k] <= 'Z' ? s[k] + 32 : s[k]);
        lower[len] = '\0';
        FUZZ_REQUIRE(pr_registry_record_matches(reg, i, lower, len),
                     "record %u does not match its own name", i);
        uint32_t at = pr_registry_next_match(reg, 0, lower, len);
        FUZZ_REQUIRE(at <= i, "search for record %u's name starts at %u", i, at);
        /* the trigram index gives the scan's records, in order */
        pr_search search;
        pr_search_records(reg, lower, len, &search);
        for (uint32_t want = at;; want = pr_registry_next_match(reg, want + 1, lower, len)) {
            uint32_t got = pr_search_next(reg, &search);
            FUZZ_REQUIRE(got == want, "search for record %u's name: index %u, scan %u", i, got,
                         want);
            if (got == reg->record_count)
                break;
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *records, *rest, *contacts, *updated;
    size_t records_len, rest_len, contacts_len, updated_len;
    fuzz_split(data, size, SEP_CONTACTS, sizeof SEP_CONTACTS - 1, &records, &records_len, &rest,
               &rest_len);
    if (rest) {
        fuzz_split(rest, rest_len, SEP_UPDATED, sizeof SEP_UPDATED - 1, &contacts, &contacts_len,
                   &updated, &updated_len);
    } else {
        contacts = (const uint8_t *)empty_contacts;
        contacts_len = sizeof empty_contacts - 1;
        updated = NULL;
        updated_len = 0;
    }
    pr_source rsrc = {"records.csv", records, records_len};
    pr_source csrc = {"contacts.csv", contacts, contacts_len};
    pr_source usrc = {"registry-updated", updated, updated_len};
    pr_error err;
    memset(&err, 0, sizeof err);
    pr_registry *reg = pr_registry_load_dated(&rsrc, &csrc, updated ? &usrc : NULL, &err);
    if (!reg) {
        FUZZ_REQUIRE(err.text[0] != '\0', "a failed load without a message");
        FUZZ_REQUIRE(memchr(err.text, '\0', sizeof err.text) != NULL, "message not terminated");
        return 0;
    }
    check_registry(reg);
    pr_registry_free(reg);
    return 0;
}

/* registry.h: IANA's Service Name and Transport Protocol Port Number Registry,
 * loaded into memory with the indexes that the API asks of it.
 *
 * Ownership: pr_registry_load*() returns a registry that the caller owns and
 * releases with pr_registry_free(). Every pointer reachable from it (records,
 * people, strings, index arrays) is owned by the registry and lives exactly
 * as long as it.
 *
 * Threads: a loaded registry is never modified. Any number of threads may
 * read it and call the const query functions below at the same time without
 * locking. Only pr_registry_free() must not race with readers.
 *
 * Errors: loading either returns a complete registry or NULL with *err
 * naming the file, line and field; nothing is ever half-loaded. Problems that
 * do not stop the load (an ID the contact table lacks) are kept as warnings.
 *
 * This module knows nothing of HTTP or JSON. */
#ifndef PR_REGISTRY_H
#define PR_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "sha256.h"

#define PR_RECORDS_FILE  "service-names-port-numbers.csv"
#define PR_CONTACTS_FILE "contacts.csv"
/* Optional: the registry's own date, "YYYY-MM-DD\n" (see updated.h). */
#define PR_UPDATED_FILE "registry-updated"
/* Optional: the organization's own port plan (plan.h). */
#define PR_PLAN_FILE "port-plan.csv"

/* Bounds on what a data file may hold. Real files stay far below them
 * (2026-08: 1.2 MB, longest field 1,532 bytes); they exist so that a bad or
 * hostile file fails with a message instead of exhausting memory. */
#define PR_MAX_FILE_BYTES   (64u * 1024 * 1024)
#define PR_MAX_FIELD_BYTES  (16u * 1024)
#define PR_MAX_IDS_PER_CELL 64
#define PR_MAX_ID_BYTES     128
/* The port index's entries: a record counts once per port it covers (real
 * files: 55,659). */
#define PR_MAX_PORT_ENTRIES (4u * 1024 * 1024)

enum pr_proto {
    PR_PROTO_NONE = 0, /* no protocol: the record holds for every protocol */
    PR_PROTO_TCP,
    PR_PROTO_UDP,
    PR_PROTO_SCTP,
    PR_PROTO_DCCP,
    PR_PROTO_COUNT
};

/* What a record says of its port(s). Derived once at load from the service
 * name and description; see pr_record_status_of() for the rule. */
enum pr_status {
    PR_STATUS_ASSIGNED = 0,
    PR_STATUS_RESERVED,
    PR_STATUS_UNASSIGNED,
    PR_STATUS_DYNAMIC, /* only for a port with no record in 49152-65535 */
    PR_STATUS_COUNT
};

/* RFC 6335 section 6: the three port ranges. */
enum pr_range_class { PR_CLASS_SYSTEM = 0, PR_CLASS_USER, PR_CLASS_DYNAMIC };

/* A date as IANA publishes it: YYYY, YYYY-MM or YYYY-MM-DD. year == 0 means
 * absent; month or day 0 means that part was not given. */
typedef struct pr_date {
    uint16_t year;
    uint8_t month;
    uint8_t day;
} pr_date;

/* A slice [first, first + count) of one of the registry's index arrays. */
typedef struct pr_span {
    uint32_t first;
    uint32_t count;
} pr_span;

typedef struct pr_record {
    const char *service;          /* as published, "" when none */
    const char *description;      /* "" when none */
    const char *unauthorized_use; /* "" when none */
    const char *notes;            /* assignment notes, "" when none */
    const char *port_text;        /* the Port Number cell as published */
    pr_span assignees;            /* into pr_registry.person_refs */
    pr_span contacts;             /* into pr_registry.person_refs */
    pr_span references;           /* into pr_registry.references */
    pr_date registered;
    pr_date modified;
    uint32_t service_code; /* DCCP service code (RFC 4340), valid if has_service_code */
    uint32_t line;         /* line of the CSV the record starts on */
    uint16_t port_first;   /* valid if has_port; equal to port_last for one port */
    uint16_t port_last;
    uint8_t has_port;
    uint8_t is_range; /* written as N-M, even where N == M ("4748-4748") */
    uint8_t has_service_code;
    uint8_t proto;  /* enum pr_proto */
    uint8_t status; /* enum pr_status, never DYNAMIC */
    /* Where the record comes from: IANA's registry or the organization's
     * own plan (plan.h). A plan entry is a record like IANA's, so that every
     * index and query sees both; its status above is ASSIGNED for assigned
     * and pending-iana entries, RESERVED for reserved ones and bands, and it
     * never counts towards IANA's per-port status. */
    uint8_t source;            /* enum pr_record_source */
    uint8_t local_status;      /* enum pr_plan_status; local records only */
    const char *owner;         /* local: the team owning it; NULL for IANA's */
    const char *local_contact; /* local: the entry's contact, "" when none */
} pr_record;

enum pr_record_source { PR_SOURCE_IANA = 0, PR_SOURCE_LOCAL };

/* The statuses of the plan's entries. */
enum pr_plan_status {
    PR_PLAN_ASSIGNED = 0, /* in use by its owner */
    PR_PLAN_RESERVED,     /* held by its owner, not yet used */
    PR_PLAN_PENDING_IANA, /* an application filed with IANA (its ticket is the reference) */
    PR_PLAN_BAND,         /* a range only its owner's services may take ports from */
    PR_PLAN_STATUS_COUNT
};

/* A team of the plan, with its entries and bands. */
typedef struct pr_owner {
    const char *name;
    const char *contact;  /* the first contact its entries give, "" when none */
    pr_span records;      /* into pr_registry.owner_records, plan order */
    uint32_t entry_count; /* entries that are not bands (one per protocol) */
    uint32_t band_count;
} pr_owner;

/* pr_registry.local_marks: what the plan holds of a port, per protocol. */
#define PR_MARK_ENTRY 1u /* an assigned, reserved or pending-iana entry */
#define PR_MARK_BAND  2u

/* A person or organization that records cite by ID. Those in the contact
 * table have in_table set; an ID cited but missing from the table still gets
 * an entry (with empty details) so that lookups by ID stay uniform. */
typedef struct pr_person {
    const char *id; /* without the brackets: "Jon_Postel" */
    const char *name;
    const char *organization;
    const char *uri;   /* the first of uris, "" when none */
    const char *email; /* the first of emails, "" when none */
    /* Every URI of the Contact URI cell, one a line there, as published
     * (a URI may hold a space: "mailto:Giriraj Harapanahalli"), and the
     * address of each mailto: URI among them with IANA's '&' turned back
     * into '@', in the same order. */
    const char *const *uris;
    const char *const *emails;
    uint32_t uri_count;
    uint32_t email_count;
    const char *updated_text;
    pr_date updated;
    uint32_t line; /* line in the contacts file, 0 when not in the table */
    bool in_table;
    pr_span as_assignee; /* record indexes, into pr_registry.person_records */
    pr_span as_contact;
    pr_span any_role; /* union of both, in registry order */
} pr_person;

/* A distinct service name, compared case-insensitively (RFC 6335 5.1). */
typedef struct pr_service_name {
    const char *name; /* spelling of the first record that uses it */
    pr_span records;  /* into pr_registry.name_records, registry order */
} pr_service_name;

typedef struct pr_source_info {
    char name[256]; /* file path or embedded name, as errors cite it */
    size_t bytes;
    unsigned char sha256[PR_SHA256_LEN];
} pr_source_info;

/* Every 3-byte run (trigram) of the records' search text (lower-cased, the
 * NULs and brackets between parts included), with the items (records)
 * whose text holds it: a term of 3 bytes or more
 * can only occur in the items holding every one of its trigrams, so a
 * search verifies those instead of reading the whole text. Built once at
 * load. An open-addressing hash of 2^bits slots, at most half full: slot
 * s is empty when slots[s] is 0, else holds trigram (slots[s] >> 32) - 1
 * (b0 << 16 | b1 << 8 | b2), whose items, ascending and each once, are
 * items[start[l] .. start[l + 1]) for l the slot's low 32 bits. An item's
 * text of L bytes adds at most L - 2 entries, so the lists together hold
 * fewer entries than the text has bytes, whatever the input. */
typedef struct pr_trigram_index {
    const uint64_t *slots;
    const uint32_t *start;
    const uint32_t *items;
    uint32_t bits; /* 0: no index (every search scans) */
} pr_trigram_index;

/* The registry's own header (header.h); NULL in a data set without one. */
typedef struct pr_header pr_header;

typedef struct pr_registry {
    const pr_record *records; /* registry order, as in the CSV */
    uint32_t record_count;

    const pr_person *people; /* sorted by id (byte order) */
    uint32_t person_count;
    uint32_t contact_count; /* people with in_table */

    const pr_service_name *names; /* sorted case-insensitively */
    uint32_t name_count;
    uint32_t range_count; /* records whose port is written as a range */

    /* Index arrays the spans above point into. */
    const uint32_t *person_refs;    /* person indexes */
    const char *const *references;  /* reference texts, brackets removed */
    const uint32_t *person_records; /* record indexes */
    const uint32_t *name_records;   /* record indexes */

    /* Every record that covers port p (single port or range, any protocol)
     * is port_records[port_start[p] .. port_start[p + 1]), in registry
     * order: constant time for any port 0-65535. */
    const uint32_t *port_start; /* 65537 entries */
    const uint32_t *port_records;
    /* The status of every port for each protocol, TCP to DCCP, worked out
     * once: port_status[(proto - 1) * 65536 + port] is an enum pr_status. */
    const uint8_t *port_status;

    /* For search: per record, ASCII-lower-cased
     * "service\0description\0port\0[ref1][ref2]" in one buffer; record i's
     * text is search_text[search_start[i] .. search_start[i + 1]). */
    const char *search_text;
    const uint32_t *search_start; /* record_count + 1 entries */
    /* The same for people: ID, name, organization, every URI and every
     * e-mail address, each lower-cased and ended by a NUL. */
    const char *people_text;
    const uint32_t *people_start; /* person_count + 1 entries */
    /* The trigrams of search_text (pr_trigram_index), for terms of 3 bytes
     * or more; pr_search_records() reads them. */
    pr_trigram_index search_trigrams; /* items: record indexes */

    /* Record indexes by their last change (registered or modified, a date
     * given as YYYY or YYYY-MM taken at its first day), newest first, a
     * day's records in registry order; records with neither date are not
     * in it. */
    const uint32_t *changes;
    uint32_t change_count;
    /* The records file in its own bytes, for answers in its own format:
     * record i's row as the file has it (quotes, line breaks inside
     * fields and its line ending included) is csv_text[csv_start[i] ..
     * csv_start[i + 1]), and csv_header[0 .. csv_header_len) is the
     * file's header row. All NULL when the file's rows could not be told
     * apart (rows ended by a bare CR: csv_table.h). */
    const char *csv_text;
    const uint32_t *csv_start; /* record_count + 1 entries */
    const char *csv_header;
    size_t csv_header_len;

    pr_date newest; /* newest date in either file */
    /* The registry's date, as /v1/registry and Last-Modified report it: the
     * date file's when the data came with one (IANA's <updated>), else
     * newest. */
    pr_date updated;
    bool updated_given;      /* updated came from a date file */
    const pr_header *header; /* the registry's title, experts, note...; NULL if absent */
    /* Where the data came from: the directory as given to
     * pr_registry_load_dir, "built-in" (builtin.h), "" for other buffers. */
    char source[256];
    pr_source_info sources[2]; /* [0] records file, [1] contacts file */
    const pr_error *warnings;  /* e.g. an ID the contact table lacks */
    uint32_t warning_count;
    double load_seconds; /* wall time spent in the load */

    /* The organization's plan (plan.h); all zero and NULL without one.
     * records[local_first .. record_count) are its entries, in file order. */
    bool has_plan;
    uint32_t local_first;
    uint32_t plan_rows;     /* entries (lines) of the file; a line may give several records */
    uint32_t plan_warnings; /* of warning_count, how many are about the plan */
    pr_source_info plan_source;
    const pr_owner *owners; /* sorted by name (byte order) */
    uint32_t owner_count;
    const uint32_t *owner_records; /* record indexes */
    /* local_marks[(proto - 1) * 65536 + port]: PR_MARK_* bits, TCP to DCCP;
     * an entry for every protocol marks all four. NULL without a plan. */
    const uint8_t *local_marks;
    void *_storage; /* private: allocations behind the above */
} pr_registry;

/* One input file already in memory: its name (for messages) and bytes. */
typedef struct pr_source {
    const char *name;
    const unsigned char *bytes;
    size_t len;
} pr_source;

/* Loads DIR/service-names-port-numbers.csv and DIR/contacts.csv, and
 * DIR/registry-updated, DIR/registry-header.csv and DIR/port-plan.csv when
 * they exist (a malformed one fails the load). */
pr_registry *pr_registry_load_dir(const char *dir, pr_error *err);

/* Loads from two buffers (tests build registries this way). The buffers
 * are only read during the call; the registry keeps no pointer into them.
 * reg->updated is reg->newest. */
pr_registry *pr_registry_load_sources(const pr_source *records, const pr_source *contacts,
                                      pr_error *err);

/* As pr_registry_load_sources, with the date file's bytes in `updated`
 * (NULL: no date file, reg->updated is reg->newest). */
pr_registry *pr_registry_load_dated(const pr_source *records, const pr_source *contacts,
                                    const pr_source *updated, pr_error *err);

/* The files of one data set, already in memory; records and contacts are
 * required, the others may be NULL. The buffers are only read during the
 * load; the registry keeps no pointer into them. */
typedef struct pr_registry_files {
    const pr_source *records;
    const pr_source *contacts;
    const pr_source *updated; /* the registry's date (updated.h) */
    const pr_source *header;  /* the registry's own header (header.h) */
    const pr_source *plan;    /* the organization's port plan (plan.h) */
} pr_registry_files;

pr_registry *pr_registry_load_files(const pr_registry_files *files, pr_error *err);

/* As pr_registry_load_files, with the plan read from plan_path (NULL: the
 * files' own plan, if any). */
pr_registry *pr_registry_load_files_plan(const pr_registry_files *files, const char *plan_path,
                                         pr_error *err);

/* As pr_registry_load_dir, with the plan read from plan_path instead of
 * DIR/port-plan.csv (NULL: DIR/port-plan.csv when it exists). */
pr_registry *pr_registry_load_dir_plan(const char *dir, const char *plan_path, pr_error *err);

/* Reads the whole regular file at path, of at most `max` bytes, into a
 * malloc'ed buffer the caller frees (NUL-terminated past *len), or returns
 * NULL with *err naming the file and the problem. */
unsigned char *pr_read_file(const char *path, size_t max, size_t *len, pr_error *err);

/* Releases the registry and everything it owns. Accepts NULL. */
void pr_registry_free(pr_registry *reg);

/* ---- Queries (all const, thread-safe, allocation-free) ---- */

/* Record indexes covering `port` (any protocol); *count receives how many. */
const uint32_t *pr_registry_port_records(const pr_registry *reg, uint16_t port, uint32_t *count);

/* The status of `port` for one protocol (TCP, UDP, SCTP or DCCP): ASSIGNED if
 * any record for that protocol (or for every protocol) assigns it, else
 * RESERVED if one reserves it, else UNASSIGNED if one lists it as such; a
 * port with no record is DYNAMIC in 49152-65535 and UNASSIGNED elsewhere.
 * A table lookup: the rule is applied to every port once, at load. */
enum pr_status pr_registry_port_status(const pr_registry *reg, uint16_t port, enum pr_proto proto);

enum pr_range_class pr_range_class_of(uint16_t port);

/* Case-insensitive exact lookup of a service name; NULL when unknown. */
const pr_service_name *pr_registry_find_name(const pr_registry *reg, const char *name, size_t len);

/* Exact (case-sensitive) lookup of a person ID, with or without brackets;
 * NULL when no record or contact row names it. */
const pr_person *pr_registry_find_person(const pr_registry *reg, const char *id, size_t len);

/* Does record i match a search term? `lower_term` must already be ASCII-lower-
 * cased and non-empty. Matches, as IANA's own search does, the service name,
 * the description, the port text and the references as the Reference cell
 * shows them ("[RFC3263]"); not the dates, notes or people. */
bool pr_registry_record_matches(const pr_registry *reg, uint32_t i, const char *lower_term,
                                size_t len);

/* Does person i match a contact search? The term as for records: lower-
 * cased, non-empty. Matches the ID, name, organization, every URI and every
 * e-mail address (people search for alice@example.org, not
 * alice&example.org). */
bool pr_registry_person_matches(const pr_registry *reg, uint32_t i, const char *lower_term,
                                size_t len);

/* The first record at or after `from` that matches the term, as
 * pr_registry_record_matches decides, or record_count when none does. One
 * memmem over the records' joined text finds each next match, instead of a
 * call per record: a search of the whole registry is one pass. This is the
 * plain scan, whose cost grows with the whole text; pr_search_records()
 * finds the same records from the trigrams. */
uint32_t pr_registry_next_match(const pr_registry *reg, uint32_t from, const char *lower_term,
                                size_t len);

/* A search under way: the caller's own (on its stack, say), filled by
 * pr_search_records(), read by pr_search_next().
 * It points at the term, which must outlive it, and into the registry.
 * The fields are private. */
typedef struct pr_search {
    const char *term;
    size_t len;
    const uint32_t *cand, *other; /* the two shortest trigram lists */
    uint32_t cand_count, other_count, at, other_at;
    uint32_t next;  /* scan: the next item to test */
    uint32_t count; /* items in all: the end */
    bool scan;      /* a term under 3 bytes, or no index */
} pr_search;

/* Starts a search of the records for a term as pr_registry_record_matches
 * takes it (lower-cased, non-empty). pr_search_next() then gives the
 * matching records in ascending order, exactly those the matcher accepts,
 * then record_count at the end, and ever after. A term of 3 bytes or more
 * is looked up in the trigram index: its two rarest trigrams' lists are
 * intersected, and each record in both is verified by the matcher, so the
 * cost follows the candidates, not the text; a shorter term is scanned for
 * (pr_registry_next_match). Allocation-free; as thread-safe as the other
 * queries: any number of searches may run at once on one registry, each
 * with its own pr_search. */
void pr_search_records(const pr_registry *reg, const char *lower_term, size_t len, pr_search *s);
uint32_t pr_search_next(const pr_registry *reg, pr_search *s);

/* The plan's team of that name (exact, case-sensitive); NULL when none. */
const pr_owner *pr_registry_find_owner(const pr_registry *reg, const char *name, size_t len);

/* PR_MARK_* bits the plan puts on port for proto (TCP to DCCP); 0 without a plan. */
static inline unsigned pr_registry_local_marks(const pr_registry *reg, uint16_t port,
                                               enum pr_proto proto)
{
    if (!reg->local_marks || proto <= PR_PROTO_NONE || proto >= PR_PROTO_COUNT)
        return 0;
    return reg->local_marks[(size_t)(proto - 1) * 65536 + port];
}

/* How many of reg->changes changed on or after `since` (a missing month or
 * day taken as 1): they are changes[0 .. result). A binary search. */
uint32_t pr_registry_changes_since(const pr_registry *reg, pr_date since);

/* ---- Names and small helpers ---- */

const char *pr_proto_name(enum pr_proto proto); /* "tcp", ..., "" for NONE */
/* Parses "tcp", "udp", "sctp", "dccp" (case-insensitive); false otherwise. */
bool pr_proto_parse(const char *text, size_t len, enum pr_proto *out);
const char *pr_status_name(enum pr_status status);
/* Parses "assigned", "reserved", "unassigned", "dynamic". */
bool pr_status_parse(const char *text, size_t len, enum pr_status *out);
const char *pr_range_class_name(enum pr_range_class cls);
const char *pr_source_name(enum pr_record_source source); /* "iana", "local" */
/* "assigned", "reserved", "pending-iana", "band". */
const char *pr_plan_status_name(enum pr_plan_status status);
bool pr_plan_status_parse(const char *text, size_t len, enum pr_plan_status *out);

/* Parses YYYY, YYYY-MM or YYYY-MM-DD with real calendar bounds. */
bool pr_date_parse(const char *text, size_t len, pr_date *out);
/* Formats as published (YYYY, YYYY-MM or YYYY-MM-DD) into buf[11]. */
char *pr_date_format(pr_date date, char buf[11]);
/* <0, 0, >0; an absent date sorts first, a missing month/day as 0. */
int pr_date_cmp(pr_date a, pr_date b);

/* The rule behind pr_record.status: a record with a service name is
 * ASSIGNED; one without is UNASSIGNED when its description starts with
 * "Unassigned" (any case), else RESERVED ("Reserved", "De-registered",
 * "Removed", ...: not free to take). */
enum pr_status pr_record_status_of(const char *service, const char *description);

#endif

/* index.c: the indexes built once at load: service names, ports (with
 * every port's status per protocol) and search text (see build.h). */
#include "build.h"

#include <stdlib.h>
#include <string.h>

/* A record's name, ASCII-lower-cased once into a scratch buffer, so that
 * the sort compares with strcmp: the same order as prd_name_cmp, which
 * lowers each byte on every comparison. */
typedef struct name_key {
    const char *name;
    const char *lower;
    uint32_t record;
} name_key;

static int name_key_cmp(const void *a, const void *b)
{
    const name_key *x = a, *y = b;
    int c = strcmp(x->lower, y->lower);
    if (c)
        return c;
    return x->record < y->record ? -1 : x->record > y->record;
}

int prd_build_name_index(builder *b, pr_registry *reg, pr_error *err)
{
    storage *st = b->st;
    size_t text = 0;
    for (uint32_t i = 0; i < b->record_count; i++)
        text += strlen(st->records[i].service) + 1;
    name_key *keys = malloc(((size_t)b->record_count + 1) * sizeof *keys);
    char *lowered = malloc(text + 1);
    st->name_records = malloc(((size_t)b->record_count + 1) * sizeof *st->name_records);
    st->names = malloc(((size_t)b->record_count + 1) * sizeof *st->names);
    if (!keys || !lowered || !st->name_records || !st->names) {
        free(keys);
        free(lowered);
        return prd_out_of_memory(b, b->records_name, 0, err);
    }
    uint32_t n = 0;
    char *at = lowered;
    for (uint32_t i = 0; i < b->record_count; i++) {
        const char *name = st->records[i].service;
        if (!name[0])
            continue;
        keys[n++] = (name_key){name, at, i};
        for (const char *c = name; *c; c++)
            *at++ = (char)prd_ascii_lower((unsigned char)*c);
        *at++ = '\0';
    }
    qsort(keys, n, sizeof *keys, name_key_cmp);
    uint32_t groups = 0;
    for (uint32_t i = 0; i < n; i++) {
        st->name_records[i] = keys[i].record;
        if (i == 0 || strcmp(keys[i - 1].lower, keys[i].lower) != 0)
            st->names[groups++] = (pr_service_name){keys[i].name, {i, 0}};
        st->names[groups - 1].records.count++;
    }
    free(lowered);
    free(keys);
    reg->names = st->names;
    reg->name_count = groups;
    reg->name_records = st->name_records;
    return 0;
}

int prd_build_port_index(builder *b, pr_registry *reg, pr_error *err)
{
    storage *st = b->st;
    st->port_start = calloc(65537, sizeof *st->port_start);
    if (!st->port_start)
        return prd_out_of_memory(b, b->records_name, 0, err);
    uint32_t *start = st->port_start;
    /* The index holds a record once per port it covers. Ranges are few and
     * short in IANA's data (55,659 entries in all, 2026-08), so a file whose
     * ranges add up to more than the bound is refused here, before any loop
     * over their ports, instead of taking gigabytes and hours to index. */
    uint64_t entries = 0;
    for (uint32_t i = 0; i < b->record_count; i++) {
        const pr_record *r = &st->records[i];
        entries += r->has_port ? (uint64_t)r->port_last - r->port_first + 1 : 0;
        if (entries > PR_MAX_PORT_ENTRIES) {
            pr_error_set(err, b->records_name, r->line, prd_record_columns[COL_PORT],
                         "the records' port ranges add up to over %u ports; a registry's "
                         "are far fewer",
                         PR_MAX_PORT_ENTRIES);
            return -1;
        }
    }
    for (uint32_t i = 0; i < b->record_count; i++) {
        const pr_record *r = &st->records[i];
        if (!r->has_port)
            continue;
        reg->range_count += r->is_range;
        for (uint32_t p = r->port_first; p <= r->port_last; p++)
            start[p + 1]++;
    }
    for (uint32_t p = 1; p <= 65536; p++)
        start[p] += start[p - 1];
    st->port_records = malloc(((size_t)start[65536] + 1) * sizeof *st->port_records);
    uint32_t *fill = malloc(65536 * sizeof *fill);
    if (!st->port_records || !fill) {
        free(fill);
        return prd_out_of_memory(b, b->records_name, 0, err);
    }
    memcpy(fill, start, 65536 * sizeof *fill);
    for (uint32_t i = 0; i < b->record_count; i++) {
        const pr_record *r = &st->records[i];
        if (!r->has_port)
            continue;
        for (uint32_t p = r->port_first; p <= r->port_last; p++)
            st->port_records[fill[p]++] = i;
    }
    free(fill);
    reg->port_start = start;
    reg->port_records = st->port_records;

    /* Statuses, in one pass over the records: the enum orders ASSIGNED before
     * RESERVED before UNASSIGNED before DYNAMIC, so the lowest value covering
     * a port wins, and a port no record covers keeps its range's default,
     * set first with two memsets rather than a test of each of the 262,144
     * entries afterwards. */
    enum { PROTOS = PR_PROTO_COUNT - 1 };
    st->port_status = malloc((size_t)PROTOS * 65536);
    if (!st->port_status)
        return prd_out_of_memory(b, b->records_name, 0, err);
    for (int proto = 0; proto < PROTOS; proto++) {
        uint8_t *row = st->port_status + (size_t)proto * 65536;
        memset(row, PR_STATUS_UNASSIGNED, 49152);
        memset(row + 49152, PR_STATUS_DYNAMIC, 65536 - 49152);
    }
    for (uint32_t i = 0; i < b->record_count; i++) {
        const pr_record *r = &st->records[i];
        /* the statuses are IANA's; the plan's marks are its own (plan.c) */
        if (!r->has_port || r->source != PR_SOURCE_IANA)
            continue;
        for (int proto = PR_PROTO_TCP; proto < PR_PROTO_COUNT; proto++) {
            if (r->proto != PR_PROTO_NONE && r->proto != proto)
                continue;
            uint8_t *row = st->port_status + (size_t)(proto - 1) * 65536;
            for (uint32_t p = r->port_first; p <= r->port_last; p++)
                if (r->status < row[p])
                    row[p] = r->status;
        }
    }
    reg->port_status = st->port_status;
    return 0;
}

/* Record r's search text, as IANA's search sees the record: its service
 * name, description, port text and the Reference cell as published
 * ("[RFC3263][RFC8926]"), ASCII-lower-cased, a NUL between two parts so that
 * a term never matches across them. Not the dates: IANA's search for "26"
 * does not find a record by its date. With out NULL, only counts. */
static size_t put_record_text(char *out, size_t at, const char *const *refs, const pr_record *r)
{
    /* a plan entry is found by its owner too, in the description's place */
    const char *parts[3] = {r->service, r->owner ? r->owner : r->description, r->port_text};
    for (int k = 0; k < 3; k++) {
        for (const char *s = parts[k]; *s; s++, at++)
            if (out)
                out[at] = (char)prd_ascii_lower((unsigned char)*s);
        if (out)
            out[at] = '\0';
        at++;
    }
    for (uint32_t k = 0; k < r->references.count; k++) {
        const char *ref = refs[r->references.first + k];
        if (out)
            out[at] = '[';
        at++;
        for (const char *s = ref; *s; s++, at++)
            if (out)
                out[at] = (char)prd_ascii_lower((unsigned char)*s);
        if (out)
            out[at] = ']';
        at++;
    }
    return at;
}

int prd_build_search_text(builder *b, pr_registry *reg, pr_error *err)
{
    storage *st = b->st;
    const char *const *refs = (const char *const *)st->references;
    size_t total = 0;
    for (uint32_t i = 0; i < b->record_count; i++)
        total = put_record_text(NULL, total, refs, &st->records[i]);
    if (total >= UINT32_MAX)
        return prd_out_of_memory(b, b->records_name, 0, err);
    st->search_text = malloc(total + 1);
    st->search_start = malloc(((size_t)b->record_count + 1) * sizeof *st->search_start);
    if (!st->search_text || !st->search_start)
        return prd_out_of_memory(b, b->records_name, 0, err);
    size_t at = 0;
    for (uint32_t i = 0; i < b->record_count; i++) {
        st->search_start[i] = (uint32_t)at;
        at = put_record_text(st->search_text, at, refs, &st->records[i]);
    }
    st->search_start[b->record_count] = (uint32_t)at;
    st->search_text[at] = '\0';
    reg->search_text = st->search_text;
    reg->search_start = st->search_start;
    return 0;
}

/* Appends the ASCII-lower-cased text, and a NUL after it so that no match
 * runs across two fields; with out NULL, only counts. */
static size_t put_field(char *out, size_t at, const char *text)
{
    for (const char *c = text; *c; c++, at++)
        if (out)
            out[at] = (char)prd_ascii_lower((unsigned char)*c);
    if (out)
        out[at] = '\0';
    return at + 1;
}

static size_t put_person_text(char *out, size_t at, const pr_person *p)
{
    at = put_field(out, at, p->id);
    at = put_field(out, at, p->name);
    at = put_field(out, at, p->organization);
    for (uint32_t k = 0; k < p->uri_count; k++)
        at = put_field(out, at, p->uris[k]);
    for (uint32_t k = 0; k < p->email_count; k++)
        at = put_field(out, at, p->emails[k]);
    return at;
}

int prd_build_people_text(builder *b, pr_registry *reg, pr_error *err)
{
    storage *st = b->st;
    size_t total = 0;
    for (uint32_t i = 0; i < b->person_count; i++)
        total = put_person_text(NULL, total, &st->people[i]);
    if (total >= UINT32_MAX)
        return prd_out_of_memory(b, b->contacts_name, 0, err);
    st->people_text = malloc(total + 1);
    st->people_start = malloc(((size_t)b->person_count + 1) * sizeof *st->people_start);
    if (!st->people_text || !st->people_start)
        return prd_out_of_memory(b, b->contacts_name, 0, err);
    size_t at = 0;
    for (uint32_t i = 0; i < b->person_count; i++) {
        st->people_start[i] = (uint32_t)at;
        at = put_person_text(st->people_text, at, &st->people[i]);
    }
    st->people_start[b->person_count] = (uint32_t)at;
    st->people_text[at] = '\0';
    reg->people_text = st->people_text;
    reg->people_start = st->people_start;
    return 0;
}

/* people.c: people sorted and linked to the records that cite them, as
 * assignee, contact or either (see build.h). */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int person_cmp(const void *a, const void *b)
{
    const pr_person *x = a, *y = b;
    int c = strcmp(x->id, y->id);
    if (c)
        return c;
    /* table rows before cited-only entries, then by line: duplicates are adjacent and ordered */
    if (x->in_table != y->in_table)
        return x->in_table ? -1 : 1;
    return x->line < y->line ? -1 : x->line > y->line;
}

int prd_find_person_index(const pr_person *people, uint32_t count, const char *id, size_t len)
{
    uint32_t lo = 0, hi = count;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        int c = strncmp(people[mid].id, id, len);
        if (c == 0 && people[mid].id[len] != '\0')
            c = 1;
        if (c < 0)
            lo = mid + 1;
        else if (c > 0)
            hi = mid;
        else
            return (int)mid;
    }
    return -1;
}

/* People by ID for linking the records' citations to them: open
 * addressing over positions in people[] (0 empty, else position + 1), so
 * that each of the registry's 12,000 citations is one hash and a compare or
 * two, where a binary search of 5,600 IDs was a dozen string compares. */
typedef struct id_index {
    uint32_t *slots;
    size_t mask;
} id_index;

static uint64_t id_hash(const char *id)
{
    uint64_t h = 0xcbf29ce484222325u; /* FNV-1a */
    for (const unsigned char *c = (const unsigned char *)id; *c; c++)
        h = (h ^ *c) * 0x100000001b3u;
    return h;
}

/* False when out of memory. IDs are unique (checked before). */
static bool index_build(id_index *ix, const pr_person *people, uint32_t count)
{
    size_t size = 16;
    while (size < 2 * (size_t)count)
        size *= 2;
    free(ix->slots);
    ix->slots = calloc(size, sizeof *ix->slots);
    ix->mask = size - 1;
    if (!ix->slots)
        return false;
    for (uint32_t i = 0; i < count; i++) {
        size_t at = id_hash(people[i].id) & ix->mask;
        while (ix->slots[at])
            at = (at + 1) & ix->mask;
        ix->slots[at] = i + 1;
    }
    return true;
}

static int index_find(const id_index *ix, const pr_person *people, const char *id)
{
    for (size_t at = id_hash(id) & ix->mask; ix->slots[at]; at = (at + 1) & ix->mask)
        if (strcmp(people[ix->slots[at] - 1].id, id) == 0)
            return (int)(ix->slots[at] - 1);
    return -1;
}

static int add_warning(builder *b, const char *file, unsigned long line, const char *field,
                       const char *id)
{
    if (!prd_reserve((void **)&b->st->warnings, &b->warn_cap, (size_t)b->warning_count + 1,
                     sizeof *b->st->warnings))
        return -1;
    char q[160];
    pr_error_quote(id, strlen(id), 128, q, sizeof q);
    pr_error_set(&b->st->warnings[b->warning_count++], file, line, field,
                 "ID %s is not in the contact table", q);
    return 0;
}

/* Sorts people, rejects duplicate IDs, adds entries for IDs that records cite
 * but the table lacks (with a warning each), and turns citations into person
 * indexes grouped per record and per person. */
int prd_link_people(builder *b, pr_error *err)
{
    storage *st = b->st;
    /* an empty contact table leaves st->people NULL, which qsort must not get */
    if (b->person_count > 0)
        qsort(st->people, b->person_count, sizeof *st->people, person_cmp);
    for (uint32_t i = 1; i < b->person_count; i++) {
        if (strcmp(st->people[i].id, st->people[i - 1].id) == 0) {
            pr_error_set(err, b->contacts_name, st->people[i].line, "ID",
                         "ID [%s] appears twice (first on line %u)", st->people[i].id,
                         (unsigned)st->people[i - 1].line);
            return -1;
        }
    }
    uint32_t table_count = b->person_count;
    id_index ix = {NULL, 0};
    if (!index_build(&ix, st->people, table_count))
        return prd_out_of_memory(b, b->contacts_name, 0, err);
    for (uint32_t c = 0; c < b->cite_count; c++) {
        const citation *cite = &b->cites[c];
        if (index_find(&ix, st->people, cite->id) >= 0)
            continue;
        if (add_warning(b, b->records_name, cite->line,
                        prd_record_columns[cite->as_contact ? COL_CONTACT : COL_ASSIGNEE],
                        cite->id) != 0 ||
            !prd_reserve((void **)&st->people, &b->people_cap, (size_t)b->person_count + 1,
                         sizeof *st->people)) {
            free(ix.slots);
            return prd_out_of_memory(b, b->records_name, cite->line, err);
        }
        pr_person *p = &st->people[b->person_count++];
        memset(p, 0, sizeof *p);
        p->id = cite->id;
        p->name = p->organization = p->uri = p->email = p->updated_text = "";
        p->uris = p->emails = prd_store_pointers(st, 0);
    }
    if (b->person_count > table_count) {
        /* several records may cite the same missing ID: keep one entry */
        qsort(st->people, b->person_count, sizeof *st->people, person_cmp);
        uint32_t w = 0;
        for (uint32_t i = 0; i < b->person_count; i++)
            if (w == 0 || strcmp(st->people[i].id, st->people[w - 1].id) != 0)
                st->people[w++] = st->people[i];
        b->person_count = w;
    }

    /* Per-record lists: citations are in record order, assignees before contacts. */
    st->person_refs = malloc(((size_t)b->cite_count + 1) * sizeof *st->person_refs);
    uint32_t *assignee_n = calloc((size_t)b->person_count + 1, sizeof *assignee_n);
    uint32_t *contact_n = calloc((size_t)b->person_count + 1, sizeof *contact_n);
    uint32_t *any_n = calloc((size_t)b->person_count + 1, sizeof *any_n);
    /* the people sorted anew with those the table lacks: index them again */
    bool indexed = b->person_count == table_count || index_build(&ix, st->people, b->person_count);
    if (!st->person_refs || !assignee_n || !contact_n || !any_n || !indexed) {
        free(ix.slots);
        free(assignee_n);
        free(contact_n);
        free(any_n);
        return prd_out_of_memory(b, b->records_name, 0, err);
    }
    for (uint32_t c = 0; c < b->cite_count; c++) {
        const citation *cite = &b->cites[c];
        /* every cited ID is a person by now */
        uint32_t pi = (uint32_t)index_find(&ix, st->people, cite->id);
        st->person_refs[c] = pi;
        pr_record *r = &st->records[cite->record];
        pr_span *span = cite->as_contact ? &r->contacts : &r->assignees;
        if (span->count == 0)
            span->first = c;
        span->count++;
        (cite->as_contact ? contact_n : assignee_n)[pi]++;
    }
    free(ix.slots);
    /* any_role counts each record once per person, even when cited twice in it */
    for (uint32_t ri = 0; ri < b->record_count; ri++) {
        const pr_record *r = &st->records[ri];
        uint32_t first = r->assignees.count ? r->assignees.first : r->contacts.first;
        uint32_t n = r->assignees.count + r->contacts.count;
        for (uint32_t k = 0; k < n; k++) {
            bool dup = false;
            for (uint32_t j = 0; j < k && !dup; j++)
                dup = st->person_refs[first + j] == st->person_refs[first + k];
            if (!dup)
                any_n[st->person_refs[first + k]]++;
        }
    }
    size_t total = 0;
    for (uint32_t p = 0; p < b->person_count; p++) {
        pr_person *person = &st->people[p];
        person->as_assignee = (pr_span){(uint32_t)total, 0};
        total += assignee_n[p];
        person->as_contact = (pr_span){(uint32_t)total, 0};
        total += contact_n[p];
        person->any_role = (pr_span){(uint32_t)total, 0};
        total += any_n[p];
    }
    free(assignee_n);
    free(contact_n);
    free(any_n);
    st->person_records = malloc((total + 1) * sizeof *st->person_records);
    if (!st->person_records)
        return prd_out_of_memory(b, b->records_name, 0, err);
    for (uint32_t ri = 0; ri < b->record_count; ri++) {
        const pr_record *r = &st->records[ri];
        uint32_t first = r->assignees.count ? r->assignees.first : r->contacts.first;
        uint32_t n = r->assignees.count + r->contacts.count;
        for (uint32_t k = 0; k < n; k++) {
            pr_person *person = &st->people[st->person_refs[first + k]];
            pr_span *role = k < r->assignees.count ? &person->as_assignee : &person->as_contact;
            /* a person named twice in one cell still lists the record once */
            if (role->count == 0 || st->person_records[role->first + role->count - 1] != ri)
                st->person_records[role->first + role->count++] = ri;
            pr_span *any = &person->any_role;
            if (any->count == 0 || st->person_records[any->first + any->count - 1] != ri)
                st->person_records[any->first + any->count++] = ri;
        }
    }
    return 0;
}

/* changes.c: the records in the order of their last change, newest first,
 * built once at load so that /v1/changes is a binary search and a slice. */
#include "build.h"

#include <stdlib.h>

/* A date as IANA gives it, taken at its first day (2019-05 is 2019-05-01),
 * as one comparable number; 0 when absent. */
static uint32_t day_key(pr_date d)
{
    if (!d.year)
        return 0;
    return (uint32_t)d.year * 10000u + (d.month ? d.month : 1u) * 100u + (d.day ? d.day : 1u);
}

uint32_t prd_change_key(const pr_record *r)
{
    uint32_t reg = day_key(r->registered), mod = day_key(r->modified);
    return mod > reg ? mod : reg;
}

typedef struct change {
    uint32_t key;
    uint32_t record;
} change;

/* Newest first; records of one day in registry order, so the order is the
 * same on every load of the same files. */
static int change_cmp(const void *a, const void *b)
{
    const change *x = a, *y = b;
    if (x->key != y->key)
        return x->key > y->key ? -1 : 1;
    return x->record < y->record ? -1 : x->record > y->record;
}

int prd_build_change_index(builder *b, pr_registry *reg, pr_error *err)
{
    storage *st = b->st;
    change *all = malloc(((size_t)b->record_count + 1) * sizeof *all);
    st->changes = malloc(((size_t)b->record_count + 1) * sizeof *st->changes);
    if (!all || !st->changes) {
        free(all);
        return prd_out_of_memory(b, b->records_name, 0, err);
    }
    uint32_t n = 0;
    for (uint32_t i = 0; i < b->record_count; i++) {
        uint32_t key = prd_change_key(&st->records[i]);
        if (key) /* a record with neither date has no change to list */
            all[n++] = (change){key, i};
    }
    qsort(all, n, sizeof *all, change_cmp);
    for (uint32_t i = 0; i < n; i++)
        st->changes[i] = all[i].record;
    free(all);
    reg->changes = st->changes;
    reg->change_count = n;
    return 0;
}

uint32_t pr_registry_changes_since(const pr_registry *reg, pr_date since)
{
    uint32_t want = day_key(since);
    /* the first record older than `since`: every one before it is as new or newer */
    uint32_t lo = 0, hi = reg->change_count;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (prd_change_key(&reg->records[reg->changes[mid]]) >= want)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

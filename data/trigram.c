/* trigram.c: the trigram index of the records' search text, built once at
 * load (pr_trigram_index in registry.h), and the searches that read it. */
#include "build.h"

#include <stdlib.h>
#include <string.h>

/* Fibonacci hashing: the top bits of the key times 2^32 / phi spread keys
 * that differ in any byte over the whole table. bits is 1 to 31. */
static uint32_t slot_of(uint32_t key, uint32_t bits)
{
    return (uint32_t)(key * 2654435769u) >> (32 - bits);
}

static uint32_t key_at(const unsigned char *p)
{
    return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

/* A slot of the hash: 0 when empty, else the trigram + 1 above its list. */
static uint64_t slot_make(uint32_t key, uint32_t list)
{
    return (uint64_t)(key + 1) << 32 | list;
}

/* What one build holds while it runs. */
typedef struct tri_build {
    uint64_t *slots; /* 2^bits of them */
    uint32_t bits, distinct;
    struct tri_list {
        uint32_t last;  /* the last item added + 1 */
        uint32_t count; /* items; then where the next one goes */
    } * lists;
    size_t list_cap;
} tri_build;

/* Doubles the table, keeping every trigram's list. */
static bool grow(tri_build *t)
{
    uint32_t bits = t->bits + 1;
    uint32_t mask = ((uint32_t)1 << bits) - 1;
    uint64_t *slots = calloc((size_t)mask + 1, sizeof *slots);
    if (!slots)
        return false;
    for (size_t s = 0; s < (size_t)1 << t->bits; s++) {
        if (!t->slots[s])
            continue;
        uint32_t at = slot_of((uint32_t)(t->slots[s] >> 32) - 1, bits);
        while (slots[at])
            at = (at + 1) & mask;
        slots[at] = t->slots[s];
    }
    free(t->slots);
    t->slots = slots;
    t->bits = bits;
    return true;
}

/* The list of trigram key, added (empty) when new; UINT32_MAX when out of
 * memory. The table stays at most half full, so a probe ends soon. */
static uint32_t list_of(tri_build *t, uint32_t key)
{
    uint32_t mask = ((uint32_t)1 << t->bits) - 1;
    uint32_t at = slot_of(key, t->bits);
    uint64_t want = (uint64_t)(key + 1) << 32;
    for (; t->slots[at]; at = (at + 1) & mask)
        if ((t->slots[at] & 0xffffffff00000000u) == want)
            return (uint32_t)t->slots[at];
    if ((size_t)(t->distinct + 1) * 2 > (size_t)mask + 1) {
        if (!grow(t))
            return UINT32_MAX;
        return list_of(t, key);
    }
    if (!prd_reserve((void **)&t->lists, &t->list_cap, (size_t)t->distinct + 1, sizeof *t->lists))
        return UINT32_MAX;
    t->lists[t->distinct] = (struct tri_list){0, 0};
    t->slots[at] = slot_make(key, t->distinct);
    return t->distinct++;
}

/* at_list's mark of a position whose trigram is new to its item */
#define FIRST_IN_ITEM 0x80000000u

/* Indexes the n items whose texts are text[start[i] .. start[i + 1]) into
 * out[0..3) (slots, start, items) and *idx. Two passes: the first finds
 * each position's list, marks the positions that bring a list a new item
 * and counts those; the second puts each marked position's item in its
 * list, item by item, so that each list ascends and holds an item once
 * however often its text repeats the trigram. Lists number at most 2^24
 * (the trigrams), below the mark's bit. */
static int build(const char *text_chars, const uint32_t *start, uint32_t n, void *out[3],
                 pr_trigram_index *idx)
{
    const unsigned char *text = (const unsigned char *)text_chars;
    size_t total = start[n];
    tri_build t = {.bits = 12};
    uint32_t *at_list = malloc((total + 1) * sizeof *at_list);
    t.slots = calloc((size_t)1 << t.bits, sizeof *t.slots);
    uint32_t *list_start = NULL, *items = NULL;
    if (!at_list || !t.slots)
        goto fail;
    size_t entries = 0;
    for (uint32_t i = 0; i < n; i++) {
        size_t p = start[i], end = start[i + 1];
        if (end - p < 3)
            continue;
        uint32_t key = (uint32_t)text[p] << 8 | text[p + 1];
        for (; p + 3 <= end; p++) {
            key = (key << 8 | text[p + 2]) & 0xffffff;
            uint32_t l = list_of(&t, key);
            if (l == UINT32_MAX)
                goto fail;
            /* without a branch: whether it is new to the item is as good
             * as random */
            uint32_t first = t.lists[l].last != i + 1;
            t.lists[l].last = i + 1;
            t.lists[l].count += first;
            at_list[p] = l | first << 31;
            entries += first;
        }
    }
    list_start = malloc(((size_t)t.distinct + 1) * sizeof *list_start);
    items = malloc((entries + 1) * sizeof *items);
    if (!list_start || !items)
        goto fail;
    uint32_t sum = 0; /* entries < total < UINT32_MAX (index.c) */
    for (uint32_t l = 0; l < t.distinct; l++) {
        list_start[l] = sum;
        sum += t.lists[l].count;
        t.lists[l].count = list_start[l];
    }
    list_start[t.distinct] = sum;
    for (uint32_t i = 0; i < n; i++)
        for (size_t p = start[i]; p + 3 <= start[i + 1]; p++)
            if (at_list[p] & FIRST_IN_ITEM)
                items[t.lists[at_list[p] & ~FIRST_IN_ITEM].count++] = i;
    free(at_list);
    free(t.lists);
    out[0] = t.slots;
    out[1] = list_start;
    out[2] = items;
    *idx = (pr_trigram_index){t.slots, list_start, items, t.bits};
    return 0;
fail:
    free(at_list);
    free(t.slots);
    free(t.lists);
    free(list_start);
    free(items);
    return -1;
}

int prd_build_trigrams(builder *b, pr_registry *reg, pr_error *err)
{
    storage *st = b->st;
    /* Not the people's text: as long as the records', its index would
     * double the cost of a load (some 5 ms) for the rarer contact search. */
    if (build(st->search_text, st->search_start, b->record_count, st->trigram_arrays,
              &reg->search_trigrams) != 0)
        return prd_out_of_memory(b, b->records_name, 0, err);
    return 0;
}

/* The items of trigram key: *count of them, none when no text holds it. */
static const uint32_t *items_of(const pr_trigram_index *idx, uint32_t key, uint32_t *count)
{
    uint32_t mask = ((uint32_t)1 << idx->bits) - 1;
    uint64_t want = (uint64_t)(key + 1) << 32;
    for (uint32_t at = slot_of(key, idx->bits); idx->slots[at]; at = (at + 1) & mask) {
        if ((idx->slots[at] & 0xffffffff00000000u) == want) {
            uint32_t l = (uint32_t)idx->slots[at];
            *count = idx->start[l + 1] - idx->start[l];
            return idx->items + idx->start[l];
        }
    }
    *count = 0;
    return NULL;
}

void pr_search_records(const pr_registry *reg, const char *term, size_t len, pr_search *s)
{
    const pr_trigram_index *idx = &reg->search_trigrams;
    *s = (pr_search){.term = term, .len = len, .count = reg->record_count};
    if (len < 3 || !idx->bits) {
        s->scan = true;
        return;
    }
    /* the two rarest trigrams: every match holds both, and few items do */
    uint32_t n_best = UINT32_MAX, n_other = UINT32_MAX;
    for (size_t k = 0; k + 3 <= len; k++) {
        uint32_t n;
        const uint32_t *list = items_of(idx, key_at((const unsigned char *)term + k), &n);
        if (n == 0) {
            s->cand = NULL;
            s->cand_count = 0;
            s->other = NULL;
            return;
        }
        if (list == s->cand || list == s->other)
            continue;
        if (n < n_best) {
            s->other = s->cand, n_other = n_best;
            s->cand = list, n_best = n;
        } else if (n < n_other) {
            s->other = list, n_other = n;
        }
    }
    s->cand_count = n_best;
    s->other_count = s->other ? n_other : 0;
}

/* Whether the other list holds item i, moving its cursor past the items
 * below i: the lists ascend, and so do the items asked about. A gallop,
 * then a binary search, so that a long list costs a logarithm per item. */
static bool other_holds(pr_search *s, uint32_t i)
{
    uint32_t lo = s->other_at, step = 1;
    while (lo + step < s->other_count && s->other[lo + step] < i) {
        lo += step;
        step *= 2;
    }
    uint32_t hi = lo + step < s->other_count ? lo + step : s->other_count;
    while (lo < hi) { /* the first at or above i in [lo, hi) */
        uint32_t mid = lo + (hi - lo) / 2;
        if (s->other[mid] < i)
            lo = mid + 1;
        else
            hi = mid;
    }
    s->other_at = lo;
    return lo < s->other_count && s->other[lo] == i;
}

uint32_t pr_search_next(const pr_registry *reg, pr_search *s)
{
    if (s->scan) {
        if (s->next >= s->count)
            return s->count;
        s->next = pr_registry_next_match(reg, s->next, s->term, s->len);
        return s->next < s->count ? s->next++ : s->count;
    }
    while (s->at < s->cand_count) {
        uint32_t i = s->cand[s->at++];
        if (s->other && !other_holds(s, i))
            continue;
        if (pr_registry_record_matches(reg, i, s->term, s->len))
            return i;
    }
    return s->count;
}

/* admit.c: the cache's admission gate, a count-min sketch (see admit.h). */
#include "admit.h"

#include <stdatomic.h>
#include <stdlib.h>

struct pr_admit {
    atomic_uint_fast64_t renders; /* counted since creation: the window clock */
    atomic_uchar counts[PR_ADMIT_ROWS][PR_ADMIT_WIDTH];
};

pr_admit *pr_admit_new(void)
{
    /* calloc'ed: the counters start at zero, and pages of them cost memory
     * only once a key lands there */
    return calloc(1, sizeof(pr_admit));
}

void pr_admit_free(pr_admit *admit)
{
    free(admit);
}

/* The hashes given are FNV-1a or addresses, whose low bits are not spread
 * well enough to index four rows: SplitMix64's finalizer mixes them, and
 * each row takes its own 15 bits of the result. */
static uint64_t mix(uint64_t h)
{
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9u;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebu;
    return h ^ (h >> 31);
}

static size_t column(uint64_t mixed, int row)
{
    return (size_t)(mixed >> (16 * row)) & (PR_ADMIT_WIDTH - 1);
}

/* Halves every counter: what was asked long ago fades, and a count that
 * one-off keys happened to share drops back. */
static void age(pr_admit *a)
{
    for (int r = 0; r < PR_ADMIT_ROWS; r++)
        for (size_t i = 0; i < PR_ADMIT_WIDTH; i++) {
            unsigned char c = atomic_load_explicit(&a->counts[r][i], memory_order_relaxed);
            if (c)
                atomic_store_explicit(&a->counts[r][i], (unsigned char)(c >> 1),
                                      memory_order_relaxed);
        }
}

unsigned pr_admit_threshold(size_t used, size_t budget)
{
    /* compared in quarters without overflow: used < budget * k / 4 */
    size_t quarter = budget / 4;
    if (used < quarter)
        return 1;
    if (used < 2 * quarter)
        return 2;
    if (used < 3 * quarter)
        return 4;
    return 8;
}

bool pr_admit_ask(pr_admit *a, uint64_t hash, size_t used, size_t budget)
{
    uint64_t mixed = mix(hash);
    unsigned estimate = 255;
    for (int r = 0; r < PR_ADMIT_ROWS; r++) {
        atomic_uchar *c = &a->counts[r][column(mixed, r)];
        unsigned char seen = atomic_load_explicit(c, memory_order_relaxed);
        /* saturating: a lost race only loses a count */
        while (seen < 255 &&
               !atomic_compare_exchange_weak_explicit(c, &seen, (unsigned char)(seen + 1),
                                                      memory_order_relaxed, memory_order_relaxed))
            ;
        unsigned now = seen < 255 ? seen + 1u : 255u;
        estimate = now < estimate ? now : estimate;
    }
    uint_fast64_t n = atomic_fetch_add_explicit(&a->renders, 1, memory_order_relaxed) + 1;
    if (n % PR_ADMIT_WINDOW == 0)
        age(a);
    return estimate >= pr_admit_threshold(used, budget);
}

unsigned pr_admit_estimate(const pr_admit *a, uint64_t hash)
{
    uint64_t mixed = mix(hash);
    unsigned estimate = 255;
    for (int r = 0; r < PR_ADMIT_ROWS; r++) {
        unsigned c = atomic_load_explicit((atomic_uchar *)&a->counts[r][column(mixed, r)],
                                          memory_order_relaxed);
        estimate = c < estimate ? c : estimate;
    }
    return estimate;
}

/* admit.h: which rendered answers earn a place in the cache budget.
 *
 * Without a gate, one-off questions (a search never asked again, a check of
 * a random name) spent the budget as fast as the answers that are asked all
 * day. The single lookups' slots are never evicted, and the table of
 * searches and checks evicts only to make room for an admitted answer
 * (answers.h), so the gate decides what may take a place at all.
 *
 * The gate is a frequency sketch in the manner of TinyLFU: a count-min
 * sketch of small counters counts how often each key was rendered (four
 * counters per key, the estimate is their minimum), and every
 * PR_ADMIT_WINDOW renders all counters are halved, so the counts are of
 * recent asking. While less than a quarter of the budget is spent, every
 * answer is kept, as before; past that, an answer is kept only when its key
 * was asked at least 2, then 4, then 8 times lately (past one half, three
 * quarters of the budget), so the last of the budget goes to the answers
 * asked most. Counting happens only when an answer is rendered: a cached
 * answer costs nothing here.
 *
 * Memory: PR_ADMIT_ROWS * PR_ADMIT_WIDTH bytes (128 KiB) per pr_api, not
 * counted in the cache budget. Thread-safety: pr_admit_ask() may run from
 * any number of threads; counters are relaxed atomics, so concurrent
 * updates can lose a count, which only makes an estimate approximate. */
#ifndef PR_API_ADMIT_H
#define PR_API_ADMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PR_ADMIT_ROWS   4
#define PR_ADMIT_WIDTH  32768 /* counters per row, a power of two */
#define PR_ADMIT_WINDOW 8192  /* renders between two halvings: a quarter of a row */

typedef struct pr_admit pr_admit;

/* A sketch with every count at zero; NULL when out of memory. */
pr_admit *pr_admit_new(void);
void pr_admit_free(pr_admit *admit);

/* Counts one more render of the key with this hash and says whether its
 * answer may be kept, with `used` of `budget` bytes spent. */
bool pr_admit_ask(pr_admit *admit, uint64_t hash, size_t used, size_t budget);

/* The sketch's estimate of how often the key was rendered lately (for tests). */
unsigned pr_admit_estimate(const pr_admit *admit, uint64_t hash);

/* The count a key needs to be kept with `used` of `budget` bytes spent. */
unsigned pr_admit_threshold(size_t used, size_t budget);

#endif

/* answers.h: rendered answers to requests with query parameters (a search,
 * a list page, a GET /v1/check), kept for reuse, so that a dashboard or a CI
 * fleet asking the same question again costs a table lookup, not a scan and
 * a rendering.
 *
 * The key is the request's decoded path and its parameters, in the order
 * given; the answer depends on nothing else (the data set is immutable), so
 * an entry stays right for the life of its pr_api. Entries count against
 * pr_api_config.cache_bytes with the lookups; the caller decides which
 * answers are worth their cost (admit.h).
 *
 * Eviction is a clock: a lookup that finds an entry marks it; when an
 * admitted answer finds the budget spent, a hand sweeps the table, clearing
 * marks and taking out entries not found since its last pass, until the new
 * answer's cost is free. So answers asked often stay, and one-off answers
 * (which the admission gate already mostly keeps out) give way.
 *
 * Memory: the table and its entries belong to the pr_api. An evicted entry
 * is handed to the grace period (grace.h), which frees it with
 * pr_answers_free_retired() once no request can still be using its body: a
 * response that borrows a body must be made inside a grace token.
 * Thread-safety: lookups, insertions and evictions are lock-free and may run
 * from any number of threads; an entry is published whole with one
 * compare-and-swap and never changes afterwards but for its mark. */
#ifndef PR_API_ANSWERS_H
#define PR_API_ANSWERS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api.h"
#include "grace.h"

#define PR_ANSWER_KEY_MAX 2048 /* longer requests are answered, not kept */

typedef struct pr_answer_key {
    size_t len;
    uint64_t hash;
    char bytes[PR_ANSWER_KEY_MAX];
} pr_answer_key;

typedef struct pr_answers pr_answers;

/* Takes cost from a cache budget shared by threads: true when *used + cost
 * stays within budget (and is now counted), false when it would not (and
 * nothing is). Give it back with atomic_fetch_sub when the entry is not kept
 * after all. */
static inline bool pr_budget_take(atomic_size_t *used, size_t budget, size_t cost)
{
    if (atomic_fetch_add(used, cost) + cost <= budget)
        return true;
    atomic_fetch_sub(used, cost);
    return false;
}

/* A table of `slots` entries (a power of two), retiring evicted entries to
 * grace and releasing bodies with free_body(ctx, body); NULL when out of
 * memory. */
pr_answers *pr_answers_new(size_t slots, pr_grace *grace,
                           void (*free_body)(void *ctx, pr_body *body), void *ctx);
/* Frees every entry in the table and its body, then the table; entries
 * waiting in the grace period are the grace's. Accepts NULL. */
void pr_answers_free(pr_answers *answers);
/* Frees an entry the grace period hands back. */
void pr_answers_free_retired(pr_answers *answers, void *retired);
/* How many entries were evicted so far. */
size_t pr_answers_evicted(const pr_answers *answers);

/* Builds the key of a request; false when it would not fit. */
bool pr_answer_key_of(const pr_request *req, pr_answer_key *key);

/* When an answer is kept under key, fills resp to borrow it and returns true. */
bool pr_answers_find(pr_answers *answers, const pr_answer_key *key, pr_response *resp);

/* Keeps resp's answer under key when it is a cacheable 200 whose body resp
 * owns and *budget_used + its cost stays within budget, or, with may_evict,
 * once the clock has freed enough of it: the body passes to the table and
 * resp borrows it. Otherwise resp is left as it is. The cost counts the
 * body's gzip variant, if it has one, and extra for each of the two (what
 * the server attaches to a body). */
void pr_answers_keep(pr_answers *answers, const pr_answer_key *key, pr_response *resp,
                     atomic_size_t *budget_used, size_t budget, size_t extra, bool may_evict);

#endif

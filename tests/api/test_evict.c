/* Eviction from the table of kept answers (answers.h) and the grace period
 * that frees what it takes out (grace.h): hot answers stay while a changing
 * crowd of often-asked ones comes and goes, the budget holds, and a body a
 * response still borrows is never freed under it. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_test.h"
#include "grace.h"
#include "internal.h"

TestSuite(grace, .fini = assert_no_leaks);
TestSuite(evict, .fini = assert_no_leaks);

/* ---- the grace period alone ---- */

static atomic_int freed_count;

static void count_free(void *ctx, void *body)
{
    (void)ctx;
    free(body);
    atomic_fetch_add(&freed_count, 1);
}

Test(grace, a_body_waits_for_every_request_that_could_have_seen_it)
{
    atomic_store(&freed_count, 0);
    pr_grace *g = pr_grace_new(count_free, NULL);
    cr_assert_not_null(g);
    unsigned early = pr_grace_enter(g); /* a request that may have found it */
    cr_assert(pr_grace_retire(g, malloc(16)));
    /* requests come and go after it was unlinked: still not freed, the
     * early one is in */
    for (int i = 0; i < 10; i++) {
        unsigned t = pr_grace_enter(g);
        pr_grace_leave(g, t);
    }
    cr_assert_eq(atomic_load(&freed_count), 0);
    cr_assert_eq(pr_grace_waiting(g), 1);
    pr_grace_leave(g, early);
    /* the epoch can now move on twice; the next request out frees it */
    for (int i = 0; i < 3 && atomic_load(&freed_count) == 0; i++) {
        unsigned t = pr_grace_enter(g);
        pr_grace_leave(g, t);
    }
    cr_assert_eq(atomic_load(&freed_count), 1);
    cr_assert_eq(pr_grace_waiting(g), 0);
    cr_assert_eq(pr_grace_freed(g), 1);
    pr_grace_free(g);
}

Test(grace, what_waits_at_the_end_is_freed_with_it)
{
    atomic_store(&freed_count, 0);
    pr_grace *g = pr_grace_new(count_free, NULL);
    unsigned t = pr_grace_enter(g);
    cr_assert(pr_grace_retire(g, malloc(8)));
    cr_assert(pr_grace_retire(g, malloc(8)));
    pr_grace_leave(g, t);
    pr_grace_free(g); /* frees both, whatever the epoch */
    cr_assert_eq(atomic_load(&freed_count), 2);
}

/* Many threads enter, read a shared pointer, and leave, while another
 * swaps it and retires the old one: under ASan, a read of a freed block is
 * a failure. */
#define READERS 3
#define SWAPS   20000

static _Atomic(int *) shared;
static atomic_bool stop;
static pr_grace *race_grace;

static void *reader(void *arg)
{
    (void)arg;
    long sum = 0;
    while (!atomic_load(&stop)) {
        unsigned t = pr_grace_enter(race_grace);
        int *p = atomic_load(&shared);
        for (int i = 0; i < 8; i++)
            sum += p[i];
        pr_grace_leave(race_grace, t);
    }
    return (void *)sum;
}

Test(grace, readers_never_see_a_freed_block)
{
    atomic_store(&freed_count, 0);
    race_grace = pr_grace_new(count_free, NULL);
    atomic_store(&shared, calloc(8, sizeof(int)));
    atomic_store(&stop, false);
    pthread_t th[READERS];
    for (int i = 0; i < READERS; i++)
        pthread_create(&th[i], NULL, reader, NULL);
    for (int i = 0; i < SWAPS; i++) {
        int *fresh = calloc(8, sizeof(int));
        fresh[0] = i;
        int *old = atomic_exchange(&shared, fresh);
        cr_assert(pr_grace_retire(race_grace, old));
        if (i % 64 == 0)
            sched_yield(); /* let preempted readers leave, as requests do */
    }
    atomic_store(&stop, true);
    for (int i = 0; i < READERS; i++)
        pthread_join(th[i], NULL);
    cr_assert_gt(atomic_load(&freed_count), 0, "blocks were freed while the readers ran");
    /* with the readers gone, requests passing through free the rest: the
     * grace period never stalls for good */
    for (int i = 0; i < 3; i++) {
        unsigned t = pr_grace_enter(race_grace);
        pr_grace_leave(race_grace, t);
    }
    cr_assert_eq(atomic_load(&freed_count), SWAPS);
    cr_assert_eq(pr_grace_waiting(race_grace), 0);
    free(atomic_load(&shared));
    pr_grace_free(race_grace);
}

/* ---- eviction through the API ---- */

#define BUDGET (128 * 1024)

/* A page of a search: each about 1-3 KB of JSON on the sample. */
static void page(char *out, size_t size, unsigned i)
{
    snprintf(out, size, "/v1/search?q=%c&limit=%u&offset=%u", "aeiou"[i % 5], 1 + i % 7, i / 35);
}

Test(evict, answers_asked_often_take_the_place_of_those_no_longer_asked)
{
    pr_registry *reg = load_sample();
    pr_api_config cfg = test_config(BUDGET);
    pr_api *api = pr_api_new(reg, &cfg);
    cr_assert_not_null(api);
    char target[128];
    const pr_body *hot_body[3];
    const char *hot[3] = {"/v1/search?q=ups", "/v1/services?limit=10", "/v1/contacts?q=a"};
    /* Three hot answers, asked all along; and crowds that change: each
     * crowd's answers are asked several times (so the gate admits them)
     * while it lasts, then no more. Every crowd needs more than the budget. */
    unsigned kept_late = 0, asked_late = 0;
    for (unsigned crowd = 0; crowd < 4; crowd++) {
        for (int round = 0; round < 10; round++) {
            for (unsigned i = 0; i < 200; i++) {
                page(target, sizeof target, crowd * 200 + i);
                bool kept = ask_kept(api, target, NULL);
                if (round == 9) {
                    kept_late += kept;
                    asked_late++;
                }
                cr_assert_leq(atomic_load(&api->cached_bytes), BUDGET);
                if (i % 20 == 0)
                    for (int h = 0; h < 3; h++) {
                        const pr_body *body;
                        bool was = ask_kept(api, hot[h], &body);
                        if (crowd > 0 || round > 0) {
                            cr_assert(was, "%s stays kept (crowd %u, round %d)", hot[h], crowd,
                                      round);
                            cr_assert_eq(body, hot_body[h], "%s: the same copy", hot[h]);
                        }
                        hot_body[h] = body;
                    }
            }
        }
    }
    cr_assert_gt(pr_api_evicted(api), 0);
    /* each new crowd found room in a full cache: by its last round, a good
     * part of it is served from the cache */
    cr_assert_gt(kept_late * 4, asked_late, "%u of %u kept late", kept_late, asked_late);
    pr_api_free(api);
    pr_registry_free(reg);
}

/* A response that borrowed a body keeps it readable while the answer is
 * evicted and other requests come and go; the body is freed after the
 * response is released. */
Test(evict, a_borrowed_body_outlives_its_eviction)
{
    pr_registry *reg = load_sample();
    pr_api_config cfg = test_config(BUDGET);
    pr_api *api = pr_api_new(reg, &cfg);
    char target[128];
    exchange held;
    /* asked until kept, then borrowed and held */
    for (int i = 0; i < 10; i++) {
        exchange_run_unparsed(api, &held, PR_GET, "/v1/search?q=nut&limit=3");
        if (!held.resp.body_owned)
            break;
        exchange_end(&held);
    }
    cr_assert_not(held.resp.body_owned, "the answer is kept");
    char *copy = malloc(held.resp.body->len);
    memcpy(copy, held.resp.body->data, held.resp.body->len);
    /* crowds of others until it has been evicted */
    size_t evicted_before = pr_api_evicted(api);
    for (unsigned crowd = 0; crowd < 3; crowd++)
        for (int round = 0; round < 10; round++)
            for (unsigned i = 0; i < 200; i++) {
                page(target, sizeof target, 10000 + crowd * 200 + i);
                ask_kept(api, target, NULL);
            }
    cr_assert_gt(pr_api_evicted(api), evicted_before);
    /* still the same bytes (ASan would report a freed block) */
    cr_assert_eq(memcmp(held.resp.body->data, copy, held.resp.body->len), 0);
    size_t waiting = pr_api_evicted(api) - pr_api_evicted_freed(api);
    cr_assert_gt(waiting, 0, "what the held response may use waits");
    exchange_end(&held);
    /* with the response gone, a few more requests free what waited */
    for (int i = 0; i < 4; i++)
        ask_kept(api, "/v1/search?q=ups", NULL);
    cr_assert_eq(pr_api_evicted_freed(api), pr_api_evicted(api));
    free(copy);
    pr_api_free(api);
    pr_registry_free(reg);
}

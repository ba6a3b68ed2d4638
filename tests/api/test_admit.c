/* The answer cache's admission gate (api/admit.h): its sketch on its own,
 * then through pr_api_handle(): a flood of one-off questions must not spend
 * the budget that the answers asked again and again need, the budget holds,
 * and all of it stays right with many threads asking at once. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admit.h"
#include "api_test.h"
#include "internal.h"

TestSuite(admit, .fini = assert_no_leaks);

/* ---- the sketch ---- */

Test(admit, the_sketch_counts_each_key_apart)
{
    pr_admit *a = pr_admit_new();
    cr_assert_not_null(a);
    for (int i = 0; i < 5; i++)
        pr_admit_ask(a, 42, 0, 100);
    cr_assert_eq(pr_admit_estimate(a, 42), 5);
    /* a thousand other keys asked once each barely touch it */
    for (uint64_t k = 1000; k < 2000; k++)
        pr_admit_ask(a, k * 0x9e3779b97f4a7c15u, 0, 100);
    cr_assert_eq(pr_admit_estimate(a, 42), 5);
    unsigned over_one = 0;
    for (uint64_t k = 1000; k < 2000; k++)
        over_one += pr_admit_estimate(a, k * 0x9e3779b97f4a7c15u) > 1;
    cr_assert_lt(over_one, 10, "%u of 1000 one-off keys look asked twice", over_one);
    pr_admit_free(a);
}

Test(admit, counts_fade_by_half_each_window)
{
    pr_admit *a = pr_admit_new();
    for (int i = 0; i < 40; i++)
        pr_admit_ask(a, 7, 0, 100);
    cr_assert_eq(pr_admit_estimate(a, 7), 40);
    /* the rest of the window with other keys: then every count is halved */
    for (uint64_t k = 40; k < PR_ADMIT_WINDOW; k++)
        pr_admit_ask(a, (k + 1) * 0x9e3779b97f4a7c15u, 0, 100);
    cr_assert_eq(pr_admit_estimate(a, 7), 20);
    pr_admit_free(a);
}

Test(admit, the_bar_rises_as_the_budget_is_spent)
{
    size_t budget = 1000;
    cr_assert_eq(pr_admit_threshold(0, budget), 1);
    cr_assert_eq(pr_admit_threshold(249, budget), 1);
    cr_assert_eq(pr_admit_threshold(250, budget), 2);
    cr_assert_eq(pr_admit_threshold(499, budget), 2);
    cr_assert_eq(pr_admit_threshold(500, budget), 4);
    cr_assert_eq(pr_admit_threshold(750, budget), 8);
    cr_assert_eq(pr_admit_threshold(budget, budget), 8);
    cr_assert_eq(pr_admit_threshold((size_t)-1, (size_t)-1), 8, "no overflow");
    /* a key asked once gets in while the budget is mostly free, not after */
    pr_admit *a = pr_admit_new();
    cr_assert(pr_admit_ask(a, 1, 0, budget));
    cr_assert_not(pr_admit_ask(a, 2, 300, budget));
    cr_assert(pr_admit_ask(a, 2, 300, budget), "asked twice: in");
    pr_admit_free(a);
}

/* ---- through the API ---- */

#define BUDGET (256 * 1024)

/* A search or check nobody asks twice. */
static void junk_target(char *out, size_t size, unsigned i)
{
    if (i % 2)
        snprintf(out, size, "/v1/check?port=%u&protocol=tcp&name=junk%u", 3493 + i % 3, i);
    else
        snprintf(out, size, "/v1/search?q=u&limit=%u&offset=%u", 1 + i % 50, i / 2);
}

static const char *const hot[] = {
    "/v1/search?q=ups",
    "/v1/search?q=tcp&limit=20",
    "/v1/services?limit=10",
    "/v1/services?protocol=udp&limit=5",
    "/v1/contacts?q=a",
    "/v1/assignees?sort=count",
    "/v1/check?port=3493&protocol=tcp&name=nut",
    "/v1/check?port=5264&protocol=tcp&name=mysvc",
    "/v1/ports/free?protocol=tcp&from=5000&to=5100",
    "/v1/ports/3493",
    "/v1/services/nut",
    "/v1/contacts/IESG",
};
#define HOT_COUNT (sizeof hot / sizeof *hot)

static size_t spent(pr_api *api)
{
    return atomic_load(&api->cached_bytes);
}

Test(admit, a_flood_of_one_off_questions_leaves_room_for_hot_ones)
{
    pr_registry *reg = load_sample();
    pr_api_config cfg = test_config(BUDGET);
    pr_api *api = pr_api_new(reg, &cfg);
    cr_assert_not_null(api);
    char target[128];
    /* 20,000 one-off questions: answers of 1 to 40 KB, some 100 MB in all */
    for (unsigned i = 0; i < 20000; i++) {
        junk_target(target, sizeof target, i);
        ask_kept(api, target, NULL);
        cr_assert_leq(spent(api), BUDGET, "the budget holds");
    }
    /* once a quarter is spent, a key must be asked twice: one-offs stop
     * there, give or take the answer that crossed the line and the rare key
     * whose counters all collide with others' */
    size_t after_flood = spent(api);
    cr_assert_lt(after_flood, BUDGET * 3 / 8, "one-off answers spent %zu of %d bytes", after_flood,
                 BUDGET);
    /* hot questions asked a few times each are all kept, and stay kept
     * through another flood */
    const pr_body *kept[HOT_COUNT];
    for (int round = 0; round < 3; round++)
        for (size_t h = 0; h < HOT_COUNT; h++)
            ask_kept(api, hot[h], &kept[h]);
    for (size_t h = 0; h < HOT_COUNT; h++)
        cr_assert_not_null(kept[h], "%s is kept", hot[h]);
    for (unsigned i = 20000; i < 30000; i++) {
        junk_target(target, sizeof target, i);
        ask_kept(api, target, NULL);
    }
    for (size_t h = 0; h < HOT_COUNT; h++) {
        const pr_body *again;
        cr_assert(ask_kept(api, hot[h], &again), "%s is still kept", hot[h]);
        cr_assert_eq(again, kept[h], "%s: the same copy", hot[h]);
    }
    cr_assert_leq(spent(api), BUDGET);
    pr_api_free(api);
    pr_registry_free(reg);
}

Test(admit, a_key_asked_once_is_kept_while_the_budget_is_mostly_free)
{
    /* the first quarter is open to all: a small deployment caches as before */
    pr_registry *reg = load_sample();
    pr_api_config cfg = test_config(BUDGET);
    pr_api *api = pr_api_new(reg, &cfg);
    const pr_body *first, *second;
    ask_kept(api, "/v1/search?q=ups", &first);
    cr_assert_not_null(first, "kept on the first asking");
    cr_assert(ask_kept(api, "/v1/search?q=ups", &second));
    cr_assert_eq(first, second);
    pr_api_free(api);
    pr_registry_free(reg);
}

/* ---- threads ---- */

#define THREADS  4
#define REQUESTS 3000

typedef struct worker {
    pr_api *api;
    unsigned id;
    unsigned wrong;
    char first_wrong[160];
} worker;

static char *want[HOT_COUNT];
static atomic_int gate;

static void *mix_of_hot_and_junk(void *arg)
{
    worker *w = arg;
    while (!atomic_load(&gate))
        ;
    char target[128];
    for (unsigned i = 0; i < REQUESTS; i++) {
        /* nine hot questions in ten, the tenth never asked before */
        size_t h = (w->id * 3 + i) % HOT_COUNT;
        bool junk = i % 10 == 9;
        if (junk)
            junk_target(target, sizeof target, w->id * REQUESTS + i);
        exchange ex;
        exchange_run_unparsed(w->api, &ex, PR_GET, junk ? target : hot[h]);
        bool right = ex.resp.status == 200 && ex.resp.body &&
                     (junk || strcmp(ex.resp.body->data, want[h]) == 0);
        if (!right && w->wrong++ == 0)
            snprintf(w->first_wrong, sizeof w->first_wrong, "%s: %d", junk ? target : hot[h],
                     ex.resp.status);
        exchange_end(&ex);
    }
    return NULL;
}

Test(admit, many_threads_asking_at_once)
{
    pr_registry *reg = load_sample();
    pr_api_config plain = test_config(0);
    pr_api *reference = pr_api_new(reg, &plain);
    for (size_t h = 0; h < HOT_COUNT; h++) {
        exchange ex;
        exchange_run_unparsed(reference, &ex, PR_GET, hot[h]);
        want[h] = strndup(ex.resp.body->data, ex.resp.body->len);
        exchange_end(&ex);
    }
    pr_api_free(reference);

    /* a small budget, so that the gate and the budget are both raced for */
    pr_api_config cfg = test_config(64 * 1024);
    pr_api *api = pr_api_new(reg, &cfg);
    pthread_t threads[THREADS];
    worker workers[THREADS];
    atomic_store(&gate, 0);
    for (unsigned t = 0; t < THREADS; t++) {
        workers[t] = (worker){.api = api, .id = t};
        cr_assert_eq(pthread_create(&threads[t], NULL, mix_of_hot_and_junk, &workers[t]), 0);
    }
    atomic_store(&gate, 1);
    for (unsigned t = 0; t < THREADS; t++)
        cr_assert_eq(pthread_join(threads[t], NULL), 0);
    for (unsigned t = 0; t < THREADS; t++)
        cr_assert_eq(workers[t].wrong, 0, "thread %u: %u wrong answers, first %s", t,
                     workers[t].wrong, workers[t].first_wrong);
    cr_assert_leq(spent(api), 64 * 1024, "the budget holds");
    /* every hot answer that fits is kept by now */
    unsigned hot_kept = 0;
    for (size_t h = 0; h < HOT_COUNT; h++)
        hot_kept += ask_kept(api, hot[h], NULL);
    cr_assert_geq(hot_kept, HOT_COUNT - 2, "%u of %zu hot answers kept", hot_kept, HOT_COUNT);
    pr_api_free(api);
    pr_registry_free(reg);
    for (size_t h = 0; h < HOT_COUNT; h++)
        free(want[h]);
}

/* pr_api_handle() from many threads at once: every answer must equal the one
 * a single thread gets, while the cache fills under contention. The
 * sanitizer build turns a lifetime race (a body freed while borrowed, a
 * double publish) into a failure. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "api_test.h"

#define THREADS  4
#define REQUESTS 2000

TestSuite(threads, .fini = assert_no_leaks);

/* Hot keys that every thread asks for (the same slot raced for), keys that
 * differ per thread, and uncached lists. */
static const char *const keys[] = {
    "/v1/ports/3493",
    "/v1/ports/3493/tcp",
    "/v1/ports/3493/udp",
    "/v1/ports/5260",
    "/v1/ports/60000",
    "/v1/ports/4726/dccp",
    "/v1/services/nut",
    "/v1/services/NUT",
    "/v1/services/sip",
    "/v1/assignees/IESG",
    "/v1/contacts/IESG",
    "/v1/registry",
    "/",
    "/v1/ports/0",
    "/v1/ports/65535",
    "/v1/search?q=ups",
    "/v1/services?q=5&limit=3",
    "/v1/ports/abc",
    "/v1/contacts?q=a",
    "/v1/ports/7010/udp",
};
#define KEY_COUNT (sizeof keys / sizeof *keys)

typedef struct expected {
    int status;
    size_t len;
    char *data;
    char etag[35];
} expected;

static expected want[KEY_COUNT];

typedef struct worker {
    pr_api *api;
    unsigned seed;
    unsigned failures;
    char first_failure[160];
} worker;

static atomic_int start_gate;

static void *hammer(void *arg)
{
    worker *w = arg;
    while (!atomic_load(&start_gate))
        ; /* start together, so the first renders of each slot race */
    for (unsigned i = 0; i < REQUESTS; i++) {
        /* every thread walks the keys from its own start, and strides by a
         * number coprime to the key count so each key is asked often */
        size_t k = (w->seed + (size_t)i * 7) % KEY_COUNT;
        exchange ex;
        exchange_run(w->api, &ex, PR_GET, keys[k]);
        const pr_response *r = &ex.resp;
        bool same = r->status == want[k].status && r->body && r->body->len == want[k].len &&
                    memcmp(r->body->data, want[k].data, want[k].len) == 0 &&
                    (r->status != 200 || strcmp(r->body->etag, want[k].etag) == 0);
        if (!same && w->failures++ == 0)
            snprintf(w->first_failure, sizeof w->first_failure, "%s: status %d", keys[k],
                     r->status);
        exchange_end(&ex);
    }
    return NULL;
}

static void reference_answers(const pr_registry *reg)
{
    pr_api_config cfg = test_config(0);
    pr_api *api = pr_api_new(reg, &cfg);
    cr_assert_not_null(api);
    for (size_t k = 0; k < KEY_COUNT; k++) {
        exchange ex;
        exchange_run(api, &ex, PR_GET, keys[k]);
        cr_assert_not_null(ex.resp.body);
        want[k].status = ex.resp.status;
        want[k].len = ex.resp.body->len;
        want[k].data = malloc(want[k].len);
        memcpy(want[k].data, ex.resp.body->data, want[k].len);
        strcpy(want[k].etag, ex.resp.body->etag);
        exchange_end(&ex);
    }
    pr_api_free(api);
}

static void run_threads(size_t cache_bytes)
{
    pr_registry *reg = load_sample();
    reference_answers(reg);
    pr_api_config cfg = test_config(cache_bytes);
    pr_api *api = pr_api_new(reg, &cfg);
    cr_assert_not_null(api);

    pthread_t threads[THREADS];
    worker workers[THREADS];
    atomic_store(&start_gate, 0);
    for (unsigned t = 0; t < THREADS; t++) {
        workers[t] = (worker){.api = api, .seed = t * 5};
        cr_assert_eq(pthread_create(&threads[t], NULL, hammer, &workers[t]), 0);
    }
    atomic_store(&start_gate, 1);
    for (unsigned t = 0; t < THREADS; t++)
        cr_assert_eq(pthread_join(threads[t], NULL), 0);
    for (unsigned t = 0; t < THREADS; t++)
        cr_assert_eq(workers[t].failures, 0, "thread %u: %u wrong answers, first %s", t,
                     workers[t].failures, workers[t].first_failure);

    pr_api_free(api);
    pr_registry_free(reg);
    for (size_t k = 0; k < KEY_COUNT; k++)
        free(want[k].data);
}

Test(threads, ample_cache)
{
    run_threads(1 << 20);
}

Test(threads, cache_that_fills_midway)
{
    /* room for a few bodies: threads race both for slots and for the budget */
    run_threads(2048);
}

Test(threads, no_cache)
{
    run_threads(0);
}

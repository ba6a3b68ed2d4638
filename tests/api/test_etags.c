/* Content ETags and the bounded body cache. */
#include <criterion/criterion.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "api_test.h"
#include "sha256.h"

TestSuite(etags, .fini = assert_no_leaks);
TestSuite(cache, .fini = assert_no_leaks);

/* Answers that together touch every kind of body: fixed, cached per key,
 * and rendered per request. */
static const char *const targets[] = {
    "/",
    "/openapi.yaml",
    "/v1/registry",
    "/v1/ports/3493",
    "/v1/ports/3493/tcp",
    "/v1/ports/5260/udp",
    "/v1/ports/60000",
    "/v1/services/nut",
    "/v1/services/NUT",
    "/v1/services?protocol=tcp&limit=7&offset=3",
    "/v1/search?q=ups",
    "/v1/assignees?sort=count",
    "/v1/assignees/IESG",
    "/v1/contacts?q=david",
    "/v1/contacts/Chris_Wilson",
};
#define TARGET_COUNT (sizeof targets / sizeof *targets)

static pr_api *new_api(const pr_registry *reg, size_t cache_bytes)
{
    pr_api_config cfg = test_config(cache_bytes);
    pr_api *api = pr_api_new(reg, &cfg);
    cr_assert_not_null(api);
    return api;
}

static bool same_body(const pr_body *a, const pr_body *b)
{
    return a->len == b->len && memcmp(a->data, b->data, a->len) == 0 &&
           strcmp(a->etag, b->etag) == 0;
}

Test(etags, tag_is_the_first_128_bits_of_sha256_quoted)
{
    pr_body *abc = pr_body_new("abc", 3);
    cr_assert_not_null(abc);
    /* FIPS 180-2's example: SHA-256("abc") = ba7816bf8f01cfea414140de5dae2223... */
    cr_assert_str_eq(abc->etag, "\"ba7816bf8f01cfea414140de5dae2223\"");
    cr_assert_eq(abc->len, 3);
    cr_assert_eq(memcmp(abc->data, "abc", 3), 0);
    free(abc);

    pr_registry *reg = load_sample();
    pr_api *api = new_api(reg, 1 << 20);
    for (size_t i = 0; i < TARGET_COUNT; i++) {
        exchange ex;
        exchange_run(api, &ex, PR_GET, targets[i]);
        cr_assert_eq(ex.resp.status, 200, "%s", targets[i]);
        unsigned char digest[PR_SHA256_LEN];
        pr_sha256(ex.resp.body->data, ex.resp.body->len, digest);
        char want[35] = "\"";
        pr_hex(digest, 16, want + 1);
        strcat(want, "\"");
        cr_assert_str_eq(ex.resp.body->etag, want, "%s", targets[i]);
        exchange_end(&ex);
    }
    pr_api_free(api);
    pr_registry_free(reg);
}

Test(etags, same_request_twice_borrows_the_cached_body)
{
    pr_registry *reg = load_sample();
    /* 2 MiB: the API's description and its gzip copy alone take over a
     * quarter of 1 MiB, past which answers asked once are not kept */
    pr_api *api = new_api(reg, 2 << 20);
    /* not /v1/registry: its age_days is worked out for each answer */
    const char *cached[] = {"/",
                            "/openapi.yaml",
                            "/v1/ports/3493",
                            "/v1/ports/3493/udp",
                            "/v1/services/nut",
                            "/v1/assignees/IESG",
                            "/v1/contacts/IESG"};
    for (size_t i = 0; i < sizeof cached / sizeof *cached; i++) {
        exchange a, b;
        exchange_run(api, &a, PR_GET, cached[i]);
        exchange_run(api, &b, PR_GET, cached[i]);
        cr_assert_eq(a.resp.status, 200, "%s", cached[i]);
        cr_assert_not(b.resp.body_owned, "%s: the second answer is served from the cache",
                      cached[i]);
        cr_assert_eq(a.resp.body, b.resp.body, "%s: one cached copy", cached[i]);
        cr_assert(same_body(a.resp.body, b.resp.body));
        exchange_end(&a);
        exchange_end(&b);
    }
    pr_api_free(api);
    pr_registry_free(reg);
}

Test(etags, case_variants_of_a_name_share_one_body)
{
    pr_registry *reg = load_sample();
    pr_api *api = new_api(reg, 1 << 20);
    exchange a, b;
    exchange_run(api, &a, PR_GET, "/v1/services/nut");
    exchange_run(api, &b, PR_GET, "/v1/services/NuT");
    cr_assert_eq(a.resp.body, b.resp.body);
    exchange_end(&a);
    exchange_end(&b);
    pr_api_free(api);
    pr_registry_free(reg);
}

Test(etags, searches_and_pages_are_kept_by_request)
{
    pr_registry *reg = load_sample();
    pr_api *api = new_api(reg, 1 << 20);
    exchange a, b, c, d;
    exchange_run(api, &a, PR_GET, "/v1/search?q=ups&limit=5");
    exchange_run(api, &b, PR_GET, "/v1/search?q=ups&limit=5");
    cr_assert(!a.resp.body_owned && a.resp.cacheable, "the answer is kept");
    cr_assert_eq(a.resp.body, b.resp.body, "the same request borrows the kept answer");
    cr_assert_str_eq(a.resp.link, b.resp.link, "its Link comes with it");
    cr_assert(a.resp.link[0], "a page with more after it links to the next");
    /* another order of the same parameters is another key, with equal bytes */
    exchange_run(api, &c, PR_GET, "/v1/search?limit=5&q=ups");
    cr_assert_neq(c.resp.body, a.resp.body);
    cr_assert(same_body(a.resp.body, c.resp.body));
    cr_assert_str_eq(a.resp.body->etag, c.resp.body->etag);
    exchange_run(api, &d, PR_GET, "/v1/search?q=ups&limit=6");
    cr_assert(!same_body(a.resp.body, d.resp.body), "other parameters, another answer");
    exchange_end(&a);
    exchange_end(&b);
    exchange_end(&c);
    exchange_end(&d);
    pr_api_free(api);

    /* without a budget nothing is kept, and the bytes are the same */
    api = new_api(reg, 0);
    exchange_run(api, &a, PR_GET, "/v1/search?q=ups&limit=5");
    exchange_run(api, &b, PR_GET, "/v1/search?q=ups&limit=5");
    cr_assert(a.resp.body_owned && b.resp.body_owned);
    cr_assert(same_body(a.resp.body, b.resp.body));
    exchange_end(&a);
    exchange_end(&b);
    pr_api_free(api);
    pr_registry_free(reg);
}

Test(etags, kept_answers_respect_the_budget)
{
    pr_registry *reg = load_sample();
    /* room for about one search page, counting the prebuilt responses */
    pr_api *api = new_api(reg, 4096);
    exchange a, b;
    exchange_run(api, &a, PR_GET, "/v1/search?q=ups&limit=1");
    exchange_run(api, &b, PR_GET, "/v1/services?limit=1000");
    cr_assert(!a.resp.body_owned, "a small answer fits");
    cr_assert(b.resp.body_owned, "a large one does not, and is rendered each time");
    exchange_end(&a);
    exchange_end(&b);
    pr_api_free(api);
    pr_registry_free(reg);
}

Test(etags, same_data_same_bytes_across_restarts)
{
    /* two loads of the same data stand for two runs of the server, or two replicas */
    pr_registry *reg1 = load_sample(), *reg2 = load_sample();
    pr_registry *reg3 = load_dir(SAMPLE_DIR);
    pr_api *api1 = new_api(reg1, 1 << 20), *api2 = new_api(reg2, 0), *api3 = new_api(reg3, 4096);
    for (size_t i = 0; i < TARGET_COUNT; i++) {
        exchange a, b, c;
        exchange_run(api1, &a, PR_GET, targets[i]);
        exchange_run(api2, &b, PR_GET, targets[i]);
        exchange_run(api3, &c, PR_GET, targets[i]);
        cr_assert(same_body(a.resp.body, b.resp.body), "%s: %s vs %s", targets[i],
                  a.resp.body->data, b.resp.body->data);
        /* the embedded copy and the files on disk are the same data */
        cr_assert(same_body(a.resp.body, c.resp.body), "%s: %s vs %s", targets[i],
                  a.resp.body->data, c.resp.body->data);
        exchange_end(&a);
        exchange_end(&b);
        exchange_end(&c);
    }
    pr_api_free(api1);
    pr_api_free(api2);
    pr_api_free(api3);
    pr_registry_free(reg1);
    pr_registry_free(reg2);
    pr_registry_free(reg3);
}

Test(etags, different_content_different_tags)
{
    pr_registry *reg = load_sample();
    pr_api *api = new_api(reg, 1 << 20);
    char tags[TARGET_COUNT][35];
    size_t n = 0;
    for (size_t i = 0; i < TARGET_COUNT; i++) {
        if (strcmp(targets[i], "/v1/services/NUT") == 0)
            continue; /* same content as /v1/services/nut */
        exchange ex;
        exchange_run(api, &ex, PR_GET, targets[i]);
        for (size_t k = 0; k < n; k++)
            cr_assert_str_neq(ex.resp.body->etag, tags[k], "%s", targets[i]);
        strcpy(tags[n++], ex.resp.body->etag);
        exchange_end(&ex);
    }
    exchange a, b;
    exchange_run(api, &a, PR_GET, "/v1/ports/3493");
    exchange_run(api, &b, PR_GET, "/v1/ports/3494");
    cr_assert_str_neq(a.resp.body->etag, b.resp.body->etag);
    exchange_end(&a);
    exchange_end(&b);
    pr_api_free(api);
    pr_registry_free(reg);
}

/* ---- the cache bound ---- */

Test(cache, zero_budget_owns_every_body)
{
    pr_registry *reg = load_sample();
    pr_api *cached = new_api(reg, 1 << 20), *uncached = new_api(reg, 0);
    for (int round = 0; round < 2; round++) {
        for (size_t i = 0; i < TARGET_COUNT; i++) {
            exchange a, b;
            exchange_run(cached, &a, PR_GET, targets[i]);
            exchange_run(uncached, &b, PR_GET, targets[i]);
            cr_assert(b.resp.body_owned, "%s: nothing may be cached", targets[i]);
            cr_assert_eq(b.resp.status, 200);
            cr_assert_str_eq(b.resp.content_type, a.resp.content_type);
            cr_assert(same_body(a.resp.body, b.resp.body), "%s", targets[i]);
            exchange_end(&a);
            exchange_end(&b);
        }
    }
    pr_api_free(cached);
    pr_api_free(uncached);
    pr_registry_free(reg);
}

static size_t body_cost(pr_api *api, const char *target)
{
    exchange ex;
    exchange_run(api, &ex, PR_GET, target);
    size_t cost = sizeof(pr_body) + ex.resp.body->len;
    exchange_end(&ex);
    return cost;
}

/* The borrowed (cached) body of target, or NULL when the answer owned it. */
static const pr_body *get_body(pr_api *api, const char *target, bool *owned)
{
    exchange ex;
    exchange_run(api, &ex, PR_GET, target);
    cr_assert_eq(ex.resp.status, 200, "%s", target);
    *owned = ex.resp.body_owned;
    const pr_body *body = *owned ? NULL : ex.resp.body;
    exchange_end(&ex);
    return body;
}

Test(cache, a_full_cache_hands_out_owned_bodies)
{
    pr_registry *reg = load_sample();
    pr_api *probe = new_api(reg, 0);
    /* room for the first body and no more */
    size_t budget = body_cost(probe, "/v1/ports/3493") + body_cost(probe, "/v1/ports/3494") - 1;
    pr_api_free(probe);

    pr_api *api = new_api(reg, budget);
    bool owned;
    const pr_body *first = get_body(api, "/v1/ports/3493", &owned);
    cr_assert_not(owned, "the first body fits");
    get_body(api, "/v1/ports/3494", &owned);
    cr_assert(owned, "the cache is full");
    get_body(api, "/v1/ports/3494", &owned);
    cr_assert(owned, "still full: the body was not kept");
    cr_assert_not_null(first);
    cr_assert_eq(get_body(api, "/v1/ports/3493", &owned), first);
    cr_assert_not(owned, "what was cached stays cached");
    get_body(api, "/v1/services/nut", &owned);
    cr_assert(owned, "other kinds of body count against the same budget");
    pr_api_free(api);
    pr_registry_free(reg);
}

Test(cache, release_is_idempotent_and_frees_owned_bodies)
{
    /* under the sanitizer build a leak or double free here fails the test */
    pr_registry *reg = load_sample();
    pr_api *api = new_api(reg, 0);
    exchange ex;
    exchange_run(api, &ex, PR_GET, "/v1/registry");
    cr_assert(ex.resp.body_owned);
    pr_response_release(&ex.resp);
    cr_assert_null(ex.resp.body);
    cr_assert_not(ex.resp.body_owned);
    pr_response_release(&ex.resp);
    exchange_end(&ex);
    pr_api_free(api);
    pr_registry_free(reg);
}

static int wire_frees;

static void count_wire_free(void *wire)
{
    wire_frees++;
    free(wire);
}

Test(cache, wire_objects_are_released_with_the_api)
{
    pr_registry *reg = load_sample();
    pr_api_config cfg = test_config(1 << 20);
    cfg.wire_free = count_wire_free;
    pr_api *api = pr_api_new(reg, &cfg);
    cr_assert_not_null(api);
    bool owned;
    pr_body *body = (pr_body *)get_body(api, "/v1/ports/3493", &owned);
    cr_assert_not(owned);
    /* what a server does: attach a prebuilt response to the cached body */
    void *wire = malloc(16);
    void *expected = NULL;
    cr_assert(atomic_compare_exchange_strong(&body->wire[0], &expected, wire));
    body = (pr_body *)get_body(api, "/", &owned);
    atomic_store(&body->wire[1], malloc(8));
    wire_frees = 0;
    pr_api_free(api);
    cr_assert_eq(wire_frees, 2);
    pr_registry_free(reg);
}

/* Content codings: Accept-Encoding as RFC 9110 12.5.3 reads it, and gzip
 * variants of answers, each with its own ETag, kept beside the body they
 * encode and counted in the cache's budget. */
#include <criterion/criterion.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "encoding.h"
#include "fixture.h"
#include "negotiate.h"

TestSuite(negotiate_coding);
TestSuite(encoding, .init = fixture_iana, .fini = fixture_close);

Test(negotiate_coding, reads_weights_wildcards_and_identity)
{
    static const struct {
        const char *field;
        bool gzip;
    } cases[] = {
        {NULL, false},
        {"", false},
        {"gzip", true},
        {"GZip", true},
        {"x-gzip", true},
        {"br, gzip, deflate", true},
        {"gzip;q=0", false},
        {"gzip; q=0.000", false},
        {"gzip;q=0.001, identity;q=0", true},
        {"gzip;q=1.000", true},
        {"*", true},
        {"*;q=0", false},
        {"*;q=0.5, gzip;q=0", false},
        {"deflate", false},
        {"identity", false},
        {"identity;q=0", false},
        {"identity;q=0, gzip", true},
        {"gzip;q=0.5, identity", false},      /* identity weighs more */
        {"gzip;q=0.5, identity;q=0.5", true}, /* a tie goes to the smaller */
        {"gzip;q=0.5, *;q=0.9", false},       /* the wildcard weighs identity as well */
        {"identity;q=0.2, *;q=0.4", true},    /* gzip by the wildcard */
        {"gzip;q=1.5", false},                /* not a qvalue: the member is skipped */
        {"gzip;q=0.1234", false},             /* four decimals */
        {"gzip;q=", false},
        {"gzip;q=abc, deflate", false},
        {"gzip;level=9;q=0.8, identity;q=0.5", true},      /* other parameters are passed over */
        {"gzip;name=\"a,b\";q=0.8, identity;q=0.5", true}, /* a comma inside quotes ends nothing */
        {", ,gzip,,", true},                               /* RFC 9110 5.6.1: empty elements */
        {"gzip junk, deflate", false},                     /* a bad member spoils only itself */
        {"gzip junk, *", true},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        cr_expect_eq(pr_accepts_gzip(cases[i].field), cases[i].gzip, "Accept-Encoding: %s",
                     cases[i].field ? cases[i].field : "(absent)");
}

/* The bytes of a gzip stream, inflated; the caller frees them. */
static char *gunzip(const pr_body *gz, size_t *len)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    cr_assert_eq(inflateInit2(&z, 15 + 16), Z_OK);
    size_t cap = 1 << 22;
    char *out = malloc(cap);
    cr_assert_not_null(out);
    z.next_in = (Bytef *)(void *)gz->data;
    z.avail_in = (uInt)gz->len;
    z.next_out = (Bytef *)out;
    z.avail_out = (uInt)cap;
    cr_assert_eq(inflate(&z, Z_FINISH), Z_STREAM_END, "not one whole gzip stream");
    cr_assert_eq(z.avail_in, 0, "bytes after the gzip stream");
    *len = cap - z.avail_out;
    inflateEnd(&z);
    return out;
}

static void ask(exchange *e, const char *target, const char *accept_encoding)
{
    request_fields f = {.accept_encoding = accept_encoding};
    exchange_run_fields(api, e, PR_GET, target, &f);
    cr_assert_eq(e->resp.status, 200, "%s", target);
}

/* The identity answer and its gzip variant agree byte for byte once
 * inflated; the variant's tag is the identity's with -gz. */
static void assert_variant_of(const pr_body *identity, const pr_body *gz)
{
    cr_assert_eq(identity->coding, PR_CODING_IDENTITY);
    cr_assert_eq(gz->coding, PR_CODING_GZIP);
    cr_assert_str_eq(pr_coding_name(gz), "gzip");
    cr_assert_null(pr_coding_name(identity));
    cr_assert_lt(gz->len, identity->len);
    size_t len;
    char *inflated = gunzip(gz, &len);
    cr_assert_eq(len, identity->len);
    cr_assert(memcmp(inflated, identity->data, len) == 0);
    free(inflated);
    char want[48];
    size_t tag = strlen(identity->etag);
    snprintf(want, sizeof want, "%.*s-gz\"", (int)(tag - 1), identity->etag);
    cr_assert_str_eq(gz->etag, want);
}

/* Every kind of body: kept by request, kept in a slot, fixed, and one made
 * for a request alone (a page past the admission of one-off answers). */
static const char *const big_targets[] = {
    "/v1/search?q=ups", "/v1/services?protocol=tcp&limit=20",
    "/v1/ports/80",     "/v1/services/http",
    "/openapi.yaml",    "/v1/assignees/IESG",
};

Test(encoding, gzip_when_asked_with_vary_and_its_own_etag)
{
    for (size_t i = 0; i < sizeof big_targets / sizeof *big_targets; i++) {
        exchange plain, packed;
        ask(&plain, big_targets[i], NULL);
        ask(&packed, big_targets[i], "gzip, deflate, br");
        cr_assert_geq(plain.resp.body->len, PR_GZIP_MIN_BYTES, "%s", big_targets[i]);
        cr_expect(plain.resp.vary_encoding, "%s: identity varies too", big_targets[i]);
        cr_expect(packed.resp.vary_encoding, "%s", big_targets[i]);
        assert_variant_of(plain.resp.body, packed.resp.body);
        cr_expect_str_eq(plain.resp.content_type, packed.resp.content_type);
        cr_expect_str_eq(plain.resp.link, packed.resp.link);
        exchange_end(&plain);
        exchange_end(&packed);
    }
}

Test(encoding, small_answers_go_out_as_they_are)
{
    exchange e;
    ask(&e, "/v1/ports/3493/tcp", "gzip");
    cr_assert_lt(e.resp.body->len, PR_GZIP_MIN_BYTES);
    cr_expect_eq(e.resp.body->coding, PR_CODING_IDENTITY);
    cr_expect_not(e.resp.vary_encoding, "a body never encoded does not vary");
    exchange_end(&e);
}

Test(encoding, refused_gzip_and_refused_identity_both_give_identity)
{
    static const char *const fields[] = {"gzip;q=0", "identity;q=0, *;q=0", "deflate", "br"};
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++) {
        exchange e;
        ask(&e, "/v1/search?q=ups", fields[i]);
        cr_expect_eq(e.resp.body->coding, PR_CODING_IDENTITY, "%s", fields[i]);
        cr_expect(e.resp.vary_encoding);
        exchange_end(&e);
    }
}

/* Compressed once, when kept: every later gzip answer lends the same bytes. */
Test(encoding, a_kept_answer_is_compressed_once)
{
    const pr_body *seen = NULL;
    for (int i = 0; i < 6; i++) { /* past the admission gate's repeats */
        exchange e;
        ask(&e, "/v1/search?q=http", "gzip");
        cr_assert_eq(e.resp.body->coding, PR_CODING_GZIP);
        if (!e.resp.body_owned) {
            if (seen)
                cr_expect_eq(e.resp.body, seen, "the same variant each time");
            seen = e.resp.body;
        }
        exchange_end(&e);
    }
    cr_assert_not_null(seen, "the answer was never kept");
    exchange e;
    ask(&e, "/v1/search?q=http", NULL);
    cr_assert_not(e.resp.body_owned);
    cr_expect_eq(atomic_load(&((pr_body *)e.resp.body)->gzip), seen,
                 "the variant hangs on the identity body it encodes");
    exchange_end(&e);
}

/* The cache counts both: its bytes grow by the body and its variant. */
Test(encoding, the_budget_counts_the_compressed_bytes)
{
    pr_api_config cfg = test_config(1 << 20);
    cfg.wire_bytes = 0;
    pr_api *own = pr_api_new(reg, &cfg);
    cr_assert_not_null(own);
    size_t before = 0;
    const pr_body *body = NULL;
    for (int i = 0; i < 6 && !body; i++) {
        before = pr_api_cache_bytes(own);
        exchange e;
        exchange_run_fields(own, &e, PR_GET, "/v1/ports/80", NULL);
        cr_assert_eq(e.resp.status, 200);
        if (!e.resp.body_owned)
            body = e.resp.body;
        exchange_end(&e);
    }
    cr_assert_not_null(body, "never kept");
    const pr_body *gz = atomic_load(&((pr_body *)body)->gzip);
    cr_assert_not_null(gz);
    cr_expect_eq(pr_api_cache_bytes(own) - before, sizeof *body + body->len + sizeof *gz + gz->len);
    pr_api_free(own);
}

/* Without a cache, each answer is compressed for its request and owned. */
Test(encoding, uncached_answers_are_compressed_per_request)
{
    pr_api_config cfg = test_config(0);
    pr_api *own = pr_api_new(reg, &cfg);
    cr_assert_not_null(own);
    exchange plain, packed;
    request_fields f = {.accept_encoding = "gzip"};
    exchange_run_fields(own, &plain, PR_GET, "/v1/search?q=ups", NULL);
    exchange_run_fields(own, &packed, PR_GET, "/v1/search?q=ups", &f);
    cr_assert(plain.resp.body_owned && packed.resp.body_owned);
    assert_variant_of(plain.resp.body, packed.resp.body);
    cr_expect_null(atomic_load(&((pr_body *)packed.resp.body)->gzip));
    exchange_end(&plain);
    exchange_end(&packed);
    pr_api_free(own);
}

/* Problems are never encoded: they are small, and clients read them raw. */
Test(encoding, problems_are_not_encoded)
{
    exchange e;
    request_fields f = {.accept_encoding = "gzip"};
    exchange_run_fields(api, &e, PR_GET, "/v1/nope", &f);
    cr_assert_eq(e.resp.status, 404);
    cr_expect_eq(e.resp.body->coding, PR_CODING_IDENTITY);
    cr_expect_not(e.resp.vary_encoding);
    exchange_end(&e);
}

/* Any bytes at all: the readers of both fields end, and stay within the
 * field (AddressSanitizer watches), on random and adversarial values. */
Test(negotiate_coding, any_field_value_is_read_safely)
{
    static const char alphabet[] = "gzipidentity*/;=q0.19,\" \t\\abcxX-\x01\x7f\xff";
    char field[300];
    unsigned seed = 12345;
    for (int round = 0; round < 20000; round++) {
        size_t len = (seed = seed * 1103515245u + 12345u) % (sizeof field - 1);
        for (size_t i = 0; i < len; i++) {
            seed = seed * 1103515245u + 12345u;
            field[i] = alphabet[(seed >> 16) % (sizeof alphabet - 1)];
        }
        field[len] = '\0';
        enum pr_format f;
        (void)pr_accepts_gzip(field);
        if (pr_negotiate_format(field, &f))
            cr_assert(f < PR_FORMAT_COUNT);
    }
    static const char *const edges[] = {
        ";",           ";;;",      "q=", "gzip;q", "gzip;=", "\"",   "gzip;a=\"",
        "gzip;a=\"\\", "*/*;q=0.", "/",  "//",     "*/",     "a/b/c"};
    for (size_t i = 0; i < sizeof edges / sizeof *edges; i++) {
        enum pr_format f;
        (void)pr_accepts_gzip(edges[i]);
        (void)pr_negotiate_format(edges[i], &f);
    }
}

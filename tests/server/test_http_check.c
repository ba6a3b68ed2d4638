/* Port-choice validation over HTTP, on the real server: GET, HEAD, OPTIONS
 * and POST /v1/check and GET /v1/ports/free, on the built-in sample (suite
 * check) and on the whole registry (suite check_registry, skipped when
 * ../shared/iana/ is absent). What a verdict says of a port is checked
 * against what /v1/ports/{port}/{protocol} says of it. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../both_layers.h"
#include "fixture.h"
#include "harness.h"

TestSuite(check, .init = fixture_sample, .fini = fixture_stop);
TestSuite(check_registry, .init = fixture_registry, .fini = fixture_stop);

#define NEED_REGISTRY()                                                                            \
    do {                                                                                           \
        if (!started)                                                                              \
            cr_skip_test("the whole registry is absent (" PR_IANA_DIR "): skipped");               \
    } while (0)

/* A test run on both data sets: the sample and the whole registry. */
#define ON_BOTH(name) PR_ON_BOTH(check, check_registry, NEED_REGISTRY(), name)

#define USER_FIRST 1024
#define USER_LAST  49151
#define JSON_TYPE  "Content-Type: application/json\r\n"

/* ---- requests ---- */

/* The tests of the registry's rules judge without the host hazards, which
 * have tests of their own: a check target without hazards= gets
 * hazards=none. */
static void registry_rules_only(char *target, size_t size)
{
    if (strncmp(target, "/v1/check", 9) != 0 || strstr(target, "hazards="))
        return;
    size_t len = strlen(target);
    snprintf(target + len, size - len, "%shazards=none", strchr(target, '?') ? "&" : "?");
}

/* GET a target (printf-style) that must answer 200 JSON: its body, parsed. */
__attribute__((format(printf, 1, 2))) static json_t *get(const char *fmt, ...)
{
    char target[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(target, sizeof target, fmt, ap);
    va_end(ap);
    registry_rules_only(target, sizeof target);
    http_response r;
    http_request(srv.port, "GET", target, NULL, &r);
    cr_assert_eq(r.status, 200, "GET %s: status %d: %s", target, r.status, r.body);
    char type[128];
    cr_assert_str_eq(http_header(&r, "Content-Type", type, sizeof type), "application/json");
    json_t *j = http_json(&r);
    http_response_free(&r);
    return j;
}

/* Asserts r is a problem about /v1/check with this status whose detail
 * holds part. */
static void assert_problem(const http_response *r, int status, const char *part)
{
    cr_assert_eq(r->status, status, "status %d, wanted %d: %s", r->status, status, r->body);
    char value[256];
    cr_assert_str_eq(http_header(r, "Content-Type", value, sizeof value),
                     "application/problem+json");
    cr_assert_str_eq(http_header(r, "Cache-Control", value, sizeof value), "no-store");
    cr_assert_null(http_header(r, "ETag", value, sizeof value), "errors carry no ETag");
    json_t *p = http_json(r);
    cr_assert_eq(json_integer_value(json_object_get(p, "status")), status);
    cr_assert_str_eq(json_string_value(json_object_get(p, "type")), "about:blank");
    cr_assert_str_eq(json_string_value(json_object_get(p, "instance")), "/v1/check");
    const char *detail = json_string_value(json_object_get(p, "detail"));
    cr_assert(detail && strstr(detail, part), "detail \"%s\" lacks \"%s\"", detail, part);
    json_decref(p);
}

static void expect_get_problem(const char *target, int status, const char *parameter,
                               const char *part)
{
    http_response r;
    http_request(srv.port, "GET", target, NULL, &r);
    cr_assert_eq(r.status, status, "GET %s: status %d, wanted %d: %s", target, r.status, status,
                 r.body);
    char value[256];
    cr_assert_str_eq(http_header(&r, "Content-Type", value, sizeof value),
                     "application/problem+json");
    cr_assert_str_eq(http_header(&r, "Cache-Control", value, sizeof value), "no-store");
    json_t *p = http_json(&r);
    if (parameter)
        cr_assert_str_eq(json_string_value(json_object_get(p, "parameter")), parameter, "GET %s",
                         target);
    const char *detail = json_string_value(json_object_get(p, "detail"));
    if (part)
        cr_assert(detail && strstr(detail, part), "GET %s: detail \"%s\" lacks \"%s\"", target,
                  detail, part);
    json_decref(p);
    http_response_free(&r);
}

/* POST a manifest; headers are extra header lines (Content-Type included). */
static void post(const char *query, const char *headers, const char *body, size_t len,
                 http_response *r)
{
    char target[256];
    snprintf(target, sizeof target, "/v1/check%s%s", query ? "?" : "", query ? query : "");
    registry_rules_only(target, sizeof target);
    http_request_body(srv.port, "POST", target, headers, body, len, r);
}

/* POST a JSON manifest that must answer 200; the answer, parsed. */
static json_t *post_ok(const char *query, const char *body)
{
    http_response r;
    post(query, JSON_TYPE, body, strlen(body), &r);
    cr_assert_eq(r.status, 200, "POST %s: status %d: %s", body, r.status, r.body);
    char v[256];
    cr_assert_str_eq(http_header(&r, "Content-Type", v, sizeof v), "application/json");
    cr_assert_str_eq(http_header(&r, "Cache-Control", v, sizeof v), "no-store",
                     "an answer to a POST must not be stored");
    cr_assert_null(http_header(&r, "ETag", v, sizeof v), "an answer to a POST has no ETag");
    cr_assert_null(http_header(&r, "Last-Modified", v, sizeof v));
    cr_assert_str_eq(http_header(&r, "Access-Control-Allow-Origin", v, sizeof v), "*");
    json_t *j = http_json(&r);
    http_response_free(&r);
    return j;
}

/* POST a manifest that must be refused with status and a detail holding part. */
static void post_problem(const char *query, const char *headers, const char *body, int status,
                         const char *part)
{
    http_response r;
    post(query, headers, body, strlen(body), &r);
    assert_problem(&r, status, part);
    http_response_free(&r);
}

static const char *status_of(unsigned port, const char *proto, char *out, size_t size)
{
    json_t *j = get("/v1/ports/%u/%s", port, proto);
    snprintf(out, size, "%s", json_string_value(json_object_get(j, "status")));
    json_decref(j);
    return out;
}

static const char *reason_message(json_t *v, const char *code)
{
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(v, "reasons"), i, r)
    {
        if (!strcmp(json_string_value(json_object_get(r, "code")), code))
            return json_string_value(json_object_get(r, "message"));
    }
    return NULL;
}

static bool is_ok(json_t *v)
{
    json_t *ok = json_object_get(v, "ok");
    cr_assert(json_is_boolean(ok), "ok must be a boolean");
    return json_is_true(ok);
}

static size_t size_of(json_t *v, const char *key)
{
    json_t *a = json_object_get(v, key);
    cr_assert(json_is_array(a), "%s must be an array", key);
    return json_array_size(a);
}

static void assert_codes(json_t *v, const char *const *codes)
{
    json_t *reasons = json_object_get(v, "reasons");
    size_t n = 0;
    while (codes[n])
        n++;
    char *text = json_dumps(reasons, JSON_COMPACT);
    cr_assert_eq(json_array_size(reasons), n, "reasons %s: wanted %zu", text, n);
    for (size_t i = 0; i < n; i++)
        cr_assert_str_eq(json_string_value(json_object_get(json_array_get(reasons, i), "code")),
                         codes[i], "reasons %s", text);
    free(text);
    cr_assert_eq(is_ok(v), n == 0, "ok iff there is no reason");
}

#define CODES(...) ((const char *const[]){__VA_ARGS__, NULL})
#define NO_CODES   ((const char *const[]){NULL})

static void assert_contains(const char *text, const char *part)
{
    cr_assert(text && strstr(text, part), "\"%s\" lacks \"%s\"", text ? text : "(none)", part);
}

static unsigned distance(unsigned a, unsigned b)
{
    return a > b ? a - b : b - a;
}

/* The suggestions of a verdict, checked without the server's help beyond
 * /v1/ports/{p}/{proto} and /v1/ports/free: every one a free user port,
 * nearest to the start first (lower first on a tie), none skipped. */
static void assert_suggestions(json_t *v, unsigned port, const char *proto, bool both, size_t k)
{
    json_t *s = json_object_get(v, "suggestions");
    cr_assert(json_is_array(s));
    cr_assert_eq(json_array_size(s), k, "%u/%s: %zu suggestions, wanted %zu", port, proto,
                 json_array_size(s), k);
    unsigned start = port < USER_FIRST ? USER_FIRST : port > USER_LAST ? USER_LAST : port;
    unsigned prev = 0, far = 0;
    for (size_t i = 0; i < k; i++) {
        unsigned p = (unsigned)json_integer_value(json_array_get(s, i));
        cr_assert(p >= USER_FIRST && p <= USER_LAST, "%u is not a user port", p);
        cr_assert_neq(p, port);
        const char *protos[2] = {both ? "tcp" : proto, both ? "udp" : NULL};
        for (int q = 0; q < 2 && protos[q]; q++) {
            char st[32];
            cr_assert_str_eq(status_of(p, protos[q], st, sizeof st), "unassigned",
                             "suggestion %u is not free for %s", p, protos[q]);
        }
        if (i) {
            cr_assert(distance(p, start) > distance(prev, start) ||
                          (distance(p, start) == distance(prev, start) && p > prev),
                      "%u/%s: %u after %u is not nearest first, lower first", port, proto, p, prev);
        }
        prev = p;
        far = distance(p, start);
    }
    if (!k)
        return;
    /* every free port nearer than the farthest suggestion is suggested */
    unsigned from = start < USER_FIRST + far ? USER_FIRST : start - far;
    unsigned to = start + far > USER_LAST ? USER_LAST : start + far;
    json_t *list = get("/v1/ports/free?protocol=%s&from=%u&to=%u&limit=1000",
                       both ? "tcp,udp" : proto, from, to);
    cr_assert_leq(json_integer_value(json_object_get(list, "total")), 1000);
    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(list, "items"), i, item)
    {
        unsigned p = (unsigned)json_integer_value(item);
        if (p == port || distance(p, start) >= far)
            continue;
        bool suggested = false;
        for (size_t j = 0; j < k; j++)
            suggested |= json_integer_value(json_array_get(s, j)) == p;
        cr_assert(suggested, "%u/%s: free port %u is nearer than %u, but not suggested", port,
                  proto, p, far);
    }
    json_decref(list);
}

/* ---- single choices ---- */

ON_BOTH(free_user_port)
{
    json_t *v = get("/v1/check?port=5260&protocol=tcp");
    cr_assert(is_ok(v));
    cr_assert_eq(size_of(v, "reasons"), 0);
    cr_assert_eq(size_of(v, "suggestions"), 0);
    cr_assert_eq(size_of(v, "conflicts"), 0);
    cr_assert_eq(size_of(v, "name_problems"), 0);
    cr_assert_eq(size_of(v, "registered"), 0);
    cr_assert_eq(json_integer_value(json_object_get(v, "port")), 5260);
    cr_assert_str_eq(json_string_value(json_object_get(v, "protocol")), "tcp");
    cr_assert(json_is_null(json_object_get(v, "name")));
    cr_assert_str_eq(json_string_value(json_object_get(v, "range_class")), "user");
    cr_assert_str_eq(json_string_value(json_object_get(v, "status")), "unassigned");
    json_decref(v);
    v = get("/v1/check?port=5260&protocol=udp&name=mysvc");
    cr_assert(is_ok(v));
    cr_assert_str_eq(json_string_value(json_object_get(v, "name")), "mysvc");
    json_decref(v);
}

ON_BOTH(assigned_port)
{
    const char *const names[] = {"", "&name=mysvc", "&name=apcupsd"};
    for (int i = 0; i < 3; i++) {
        json_t *v = get("/v1/check?port=3493&protocol=tcp%s", names[i]);
        cr_assert_not(is_ok(v), "3493/tcp%s", names[i]);
        assert_contains(reason_message(v, "assigned"), "3493/tcp is assigned to nut");
        cr_assert_str_eq(json_string_value(json_object_get(v, "status")), "assigned");
        json_t *c = json_array_get(json_object_get(v, "conflicts"), 0);
        cr_assert_str_eq(json_string_value(json_object_get(c, "service")), "nut");
        assert_suggestions(v, 3493, "tcp", false, 5);
        json_decref(v);
    }
    json_t *v = get("/v1/check?port=3493&protocol=tcp&name=apcupsd");
    assert_codes(v, CODES("assigned", "name_registered"));
    assert_contains(reason_message(v, "name_registered"), "3551/tcp, 3551/udp");
    json_decref(v);
    v = get("/v1/check?port=5264&protocol=tcp&name=mysvc");
    assert_codes(v, CODES("assigned"));
    cr_assert_str_eq(reason_message(v, "assigned"),
                     "5264/tcp is assigned to 3com-njack-1 (3Com Network Jack Port 1)");
    json_decref(v);
}

ON_BOTH(own_registration)
{
    const char *const names[] = {"nut", "NUT", "nUt"};
    for (int i = 0; i < 3; i++) {
        json_t *v = get("/v1/check?port=3493&protocol=tcp&name=%s", names[i]);
        assert_codes(v, NO_CODES);
        cr_assert_str_eq(json_string_value(json_object_get(v, "name")), names[i]);
        cr_assert_eq(size_of(v, "conflicts"), 1);
        cr_assert_eq(size_of(v, "registered"), 2);
        cr_assert_eq(size_of(v, "suggestions"), 0);
        json_decref(v);
    }
}

ON_BOTH(reserved_port)
{
    json_t *v = get("/v1/check?port=4726&protocol=tcp");
    assert_codes(v, CODES("reserved"));
    assert_contains(reason_message(v, "reserved"), "4726/tcp");
    cr_assert_str_eq(json_string_value(json_object_get(v, "status")), "reserved");
    json_t *c = json_array_get(json_object_get(v, "conflicts"), 0);
    cr_assert(json_is_null(json_object_get(c, "service")));
    cr_assert_str_eq(json_string_value(json_object_get(c, "description")), "Reserved");
    assert_suggestions(v, 4726, "tcp", false, 5);
    json_decref(v);
}

ON_BOTH(inside_an_unassigned_range)
{
    const char *const protos[] = {"tcp", "udp", "sctp", "dccp"};
    for (int i = 0; i < 4; i++) {
        json_t *v = get("/v1/check?port=5260&protocol=%s&name=my-new-svc", protos[i]);
        assert_codes(v, NO_CODES);
        char st[32];
        cr_assert_str_eq(status_of(5260, protos[i], st, sizeof st), "unassigned");
        json_decref(v);
    }
}

/* 0 and 1023 are system ports, 49152 and 65535 dynamic ones; 1024 and 49151
 * are user ports, judged by what the registry says of them. */
ON_BOTH(range_ends)
{
    static const struct {
        unsigned port;
        const char *cls, *range_code;
    } ends[] = {
        {0, "system", "system_port"},
        {1023, "system", "system_port"},
        {1024, "user", NULL},
        {49151, "user", NULL},
        {49152, "dynamic", "dynamic_port"},
        {65535, "dynamic", "dynamic_port"},
    };
    const char *const protos[] = {"tcp", "udp"};
    for (size_t i = 0; i < sizeof ends / sizeof *ends; i++) {
        for (int k = 0; k < 2; k++) {
            json_t *v = get("/v1/check?port=%u&protocol=%s", ends[i].port, protos[k]);
            char st[32];
            status_of(ends[i].port, protos[k], st, sizeof st);
            cr_assert_str_eq(json_string_value(json_object_get(v, "status")), st);
            cr_assert_str_eq(json_string_value(json_object_get(v, "range_class")), ends[i].cls);
            const char *codes[3] = {ends[i].range_code, NULL, NULL};
            size_t n = codes[0] != NULL;
            if (!strcmp(st, "assigned") || !strcmp(st, "reserved"))
                codes[n++] = st;
            assert_codes(v, codes);
            if (ends[i].range_code) {
                char number[8];
                snprintf(number, sizeof number, "%u", ends[i].port);
                assert_contains(reason_message(v, ends[i].range_code), number);
            }
            assert_suggestions(v, ends[i].port, protos[k], false, n ? 5 : 0);
            json_decref(v);
        }
    }
    json_t *v = get("/v1/check?port=1023&protocol=tcp");
    assert_contains(reason_message(v, "system_port"), "1023 is a system port (0-1023)");
    json_decref(v);
    v = get("/v1/check?port=65535&protocol=udp");
    assert_contains(reason_message(v, "dynamic_port"), "65535 is a dynamic port (49152-65535)");
    cr_assert_str_eq(json_string_value(json_object_get(v, "status")), "dynamic");
    json_decref(v);
}

ON_BOTH(name_registered_on_another_port)
{
    json_t *v = get("/v1/check?port=5260&protocol=tcp&name=nut");
    assert_codes(v, CODES("name_registered"));
    assert_contains(reason_message(v, "name_registered"), "3493/tcp, 3493/udp");
    cr_assert_eq(size_of(v, "registered"), 2);
    cr_assert_eq(size_of(v, "suggestions"), 0, "the port is fine: nothing to suggest");
    json_decref(v);
}

ON_BOTH(rfc_6335_rules)
{
    static const struct {
        const char *query, *problem;
    } cases[] = {
        {"abcdefghijklmnop", "\"abcdefghijklmnop\" is longer than 15 characters"},
        {"my_svc", "\"my_svc\" contains characters other than letters, digits and hyphens"},
        {"8080", "\"8080\" contains no letter"},
        {"-mysvc", "\"-mysvc\" begins or ends with a hyphen"},
        {"mysvc-", "\"mysvc-\" begins or ends with a hyphen"},
        {"my--svc", "\"my--svc\" contains two hyphens in a row"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        json_t *v = get("/v1/check?port=5260&protocol=tcp&name=%s", cases[i].query);
        assert_codes(v, CODES("name_invalid"));
        json_t *p = json_object_get(v, "name_problems");
        cr_assert_eq(json_array_size(p), 1, "%s", cases[i].query);
        cr_assert_str_eq(json_string_value(json_array_get(p, 0)), cases[i].problem);
        cr_assert_eq(size_of(v, "suggestions"), 0, "%s: only the name is wrong", cases[i].query);
        json_decref(v);
    }
    json_t *v = get("/v1/check?port=5260&protocol=tcp&name=abcdefghijklmno");
    assert_codes(v, NO_CODES);
    json_decref(v);
}

/* ---- suggestions ---- */

ON_BOTH(suggestions)
{
    static const struct {
        unsigned port;
        const char *proto;
    } cases[] = {{5264, "tcp"}, {4726, "tcp"},  {3493, "udp"},  {22, "tcp"},
                 {0, "udp"},    {49152, "tcp"}, {65535, "udp"}, {5269, "udp"}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        for (int both = 0; both < 2; both++) {
            json_t *v = get("/v1/check?port=%u&protocol=%s&suggest=12%s", cases[i].port,
                            cases[i].proto, both ? "&both=true" : "");
            assert_suggestions(v, cases[i].port, cases[i].proto, both, 12);
            json_decref(v);
        }
    }
    json_t *v = get("/v1/check?port=5264&protocol=tcp");
    const int want[] = {5263, 5262, 5266, 5261, 5267};
    for (int i = 0; i < 5; i++)
        cr_assert_eq(json_integer_value(json_array_get(json_object_get(v, "suggestions"), i)),
                     want[i], "5264/tcp: suggestion %d", i);
    json_decref(v);

    v = get("/v1/check?port=5264&protocol=tcp&suggest=0");
    cr_assert_not(is_ok(v));
    cr_assert_eq(size_of(v, "suggestions"), 0);
    json_decref(v);
    v = get("/v1/check?port=5264&protocol=tcp&suggest=20");
    assert_suggestions(v, 5264, "tcp", false, 20);
    json_decref(v);
    expect_get_problem("/v1/check?port=5264&protocol=tcp&suggest=21", 400, "suggest", "suggest");
    expect_get_problem("/v1/check?port=5264&protocol=sctp&both=true", 400, "both", "sctp");
    expect_get_problem("/v1/check?port=5264&protocol=dccp&both=true", 400, "both", "dccp");
    expect_get_problem("/v1/check?port=5264&protocol=tcp&both=1", 400, "both", NULL);
}

Test(check_registry, both_skips_ports_free_for_one_protocol_only)
{
    NEED_REGISTRY();
    /* 9876 is sd on tcp, and free on udp */
    char st[32];
    cr_assert_str_eq(status_of(9876, "udp", st, sizeof st), "unassigned");
    cr_assert_str_eq(status_of(9876, "tcp", st, sizeof st), "assigned");
    json_t *v = get("/v1/check?port=9875&protocol=udp");
    cr_assert_eq(json_integer_value(json_array_get(json_object_get(v, "suggestions"), 1)), 9876);
    json_decref(v);
    v = get("/v1/check?port=9875&protocol=udp&both=true");
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(v, "suggestions"), i, s)
    {
        cr_assert_neq(json_integer_value(s), 9876, "9876 is not free for tcp");
    }
    assert_suggestions(v, 9875, "udp", true, 5);
    json_decref(v);
}

/* ---- parameters, methods, caching ---- */

Test(check, bad_parameters)
{
    expect_get_problem("/v1/check?protocol=tcp", 400, "port", "required");
    expect_get_problem("/v1/check?port=5264", 400, "protocol", "required");
    expect_get_problem("/v1/check?port=65536&protocol=tcp", 400, "port", NULL);
    expect_get_problem("/v1/check?port=5264&protocol=xtp", 400, "protocol", NULL);
    expect_get_problem("/v1/check?port=5264&protocol=tcp&name=", 400, "name", NULL);
    char target[256];
    snprintf(target, sizeof target, "/v1/check?port=5264&protocol=tcp&name=a%064d", 0);
    expect_get_problem(target, 400, "name", "65");
    expect_get_problem("/v1/check?port=5264&protocol=tcp&extra=1", 400, "extra", NULL);
    /* the verdict repeats the name, so it must be UTF-8 */
    expect_get_problem("/v1/check?port=5264&protocol=tcp&name=%FF%FE", 400, "name", "UTF-8");
    json_t *v = get("/v1/check?port=5260&protocol=tcp&name=caf%%C3%%A9");
    cr_assert_str_eq(json_string_value(json_object_get(v, "name")), "caf\xc3\xa9");
    assert_codes(v, CODES("name_invalid"));
    json_decref(v);
}

Test(check, get_is_cached_and_revalidated)
{
    const char *target = "/v1/check?port=5264&protocol=tcp&name=mysvc";
    http_response r;
    http_request(srv.port, "GET", target, NULL, &r);
    cr_assert_eq(r.status, 200);
    char etag[64], v[256];
    cr_assert_not_null(http_header(&r, "ETag", etag, sizeof etag));
    cr_assert_eq(strlen(etag), 34, "a strong tag of 32 hex digits: %s", etag);
    cr_assert_not_null(http_header(&r, "Cache-Control", v, sizeof v));
    cr_assert(!strncmp(v, "public, max-age=", 16), "Cache-Control: %s", v);
    cr_assert_not_null(http_header(&r, "Last-Modified", v, sizeof v));
    cr_assert_str_eq(http_header(&r, "Access-Control-Allow-Origin", v, sizeof v), "*");
    size_t len = r.body_len;
    http_response_free(&r);

    char headers[128];
    snprintf(headers, sizeof headers, "If-None-Match: %s\r\n", etag);
    http_request(srv.port, "GET", target, headers, &r);
    cr_assert_eq(r.status, 304);
    cr_assert_eq(r.body_len, 0);
    cr_assert_str_eq(http_header(&r, "ETag", v, sizeof v), etag);
    http_response_free(&r);
    http_request(srv.port, "GET", "/v1/check?port=5264&protocol=tcp&name=other", headers, &r);
    cr_assert_eq(r.status, 200, "another verdict, another tag");
    http_response_free(&r);

    http_request(srv.port, "HEAD", target, NULL, &r);
    cr_assert_eq(r.status, 200);
    cr_assert_eq(r.body_len, 0);
    cr_assert_str_eq(http_header(&r, "ETag", v, sizeof v), etag);
    char length[32];
    snprintf(length, sizeof length, "%zu", len);
    cr_assert_str_eq(http_header(&r, "Content-Length", v, sizeof v), length);
    http_response_free(&r);

    /* a POST is answered afresh, whatever validators come with it */
    const char body[] = "[{\"port\": 5264, \"protocol\": \"tcp\", \"name\": \"mysvc\"}]";
    snprintf(headers, sizeof headers, JSON_TYPE "If-None-Match: *\r\n");
    post(NULL, headers, body, strlen(body), &r);
    cr_assert_eq(r.status, 200);
    cr_assert_null(http_header(&r, "ETag", v, sizeof v));
    http_response_free(&r);
}

Test(check, methods)
{
    http_response r;
    char v[256];
    http_request(srv.port, "OPTIONS", "/v1/check", NULL, &r);
    cr_assert_eq(r.status, 204);
    cr_assert_str_eq(http_header(&r, "Allow", v, sizeof v), "GET, HEAD, OPTIONS, POST");
    http_response_free(&r);
    /* a browser's preflight of a cross-origin JSON POST */
    http_request(srv.port, "OPTIONS", "/v1/check",
                 "Origin: https://example.org\r\nAccess-Control-Request-Method: POST\r\n"
                 "Access-Control-Request-Headers: content-type\r\n",
                 &r);
    cr_assert_eq(r.status, 204);
    cr_assert_str_eq(http_header(&r, "Access-Control-Allow-Methods", v, sizeof v),
                     "GET, HEAD, OPTIONS, POST");
    assert_contains(http_header(&r, "Access-Control-Allow-Headers", v, sizeof v), "Content-Type");
    http_response_free(&r);
    const char *const refused[] = {"DELETE", "PUT", "PATCH"};
    for (int i = 0; i < 3; i++) {
        http_request(srv.port, refused[i], "/v1/check", NULL, &r);
        cr_assert_eq(r.status, 405, "%s", refused[i]);
        cr_assert_str_eq(http_header(&r, "Allow", v, sizeof v), "GET, HEAD, OPTIONS, POST");
        cr_assert_str_eq(http_header(&r, "Content-Type", v, sizeof v), "application/problem+json");
        http_response_free(&r);
    }
    /* /v1/ports/free reads only, like every other path */
    http_request(srv.port, "OPTIONS", "/v1/ports/free", NULL, &r);
    cr_assert_eq(r.status, 204);
    cr_assert_str_eq(http_header(&r, "Allow", v, sizeof v), "GET, HEAD, OPTIONS");
    http_response_free(&r);
    http_request(srv.port, "POST", "/v1/ports/free?protocol=tcp", NULL, &r);
    cr_assert_eq(r.status, 405);
    cr_assert_str_eq(http_header(&r, "Allow", v, sizeof v), "GET, HEAD, OPTIONS");
    http_response_free(&r);
}

/* ---- POST /v1/check ---- */

ON_BOTH(manifest_verdicts_are_the_get_verdicts)
{
    json_t *a =
        post_ok("suggest=3", "[{\"port\": 5264, \"protocol\": \"tcp\", \"name\": \"mysvc\"},"
                             " {\"port\": 3493, \"protocol\": \"udp\", \"name\": \"nut\"},"
                             " {\"port\": 1023, \"protocol\": \"tcp\", \"name\": null},"
                             " {\"port\": 5260, \"protocol\": \"sctp\"}]");
    const char *const queries[] = {
        "port=5264&protocol=tcp&name=mysvc&suggest=3", "port=3493&protocol=udp&name=nut&suggest=3",
        "port=1023&protocol=tcp&suggest=3", "port=5260&protocol=sctp&suggest=3"};
    json_t *verdicts = json_object_get(a, "verdicts");
    cr_assert_eq(json_array_size(verdicts), 4);
    for (size_t i = 0; i < 4; i++) {
        json_t *v = get("/v1/check?%s", queries[i]);
        cr_assert(json_equal(json_object_get(v, "registry"), json_object_get(a, "registry")),
                  "both answers name the same registry");
        json_object_del(v, "registry"); /* the answer's, not the verdict's */
        cr_assert(json_equal(json_array_get(verdicts, i), v), "entry %zu differs from GET", i);
        json_decref(v);
    }
    cr_assert_eq(size_of(a, "clashes"), 0);
    cr_assert(json_is_false(json_object_get(a, "ok")));
    json_decref(a);
}

ON_BOTH(manifest_clashes)
{
    /* free ports, but each entry of a clash is not ok, and so is the manifest */
    json_t *a = post_ok(NULL, "[{\"port\": 5260, \"protocol\": \"tcp\", \"name\": \"svc-a\"},"
                              " {\"port\": 5261, \"protocol\": \"tcp\", \"name\": \"svc-b\"},"
                              " {\"port\": 5260, \"protocol\": \"tcp\", \"name\": \"svc-c\"},"
                              " {\"port\": 5262, \"protocol\": \"tcp\", \"name\": \"SVC-B\"}]");
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(a, "verdicts"), i, v)
    {
        cr_assert_not(is_ok(v), "verdict %zu", i);
        assert_codes(v, (const char *const[]){"clash", NULL});
    }
    cr_assert(json_is_false(json_object_get(a, "ok")));
    json_t *want = json_loads("[{\"entries\": [0, 2], \"code\": \"same_port\", \"message\": "
                              "\"entries 0 and 2 both use 5260/tcp\"},"
                              " {\"entries\": [1, 3], \"code\": \"same_name\", \"message\": "
                              "\"entries 1 and 3 give the name \\\"svc-b\\\" two different ports "
                              "for tcp\"}]",
                              0, NULL);
    cr_assert_not_null(want);
    char *got = json_dumps(json_object_get(a, "clashes"), JSON_COMPACT);
    cr_assert(json_equal(json_object_get(a, "clashes"), want), "clashes %s", got);
    free(got);
    json_decref(want);
    json_decref(a);

    a = post_ok(NULL, "[{\"port\": 5260, \"protocol\": \"tcp\", \"name\": \"svc-a\"},"
                      " {\"port\": 5260, \"protocol\": \"udp\", \"name\": \"svc-a\"}]");
    cr_assert(json_is_true(json_object_get(a, "ok")), "tcp and udp of one port do not clash");
    cr_assert_eq(size_of(a, "clashes"), 0);
    json_decref(a);
}

Test(check, bad_json_and_wrong_shapes)
{
    post_problem(NULL, JSON_TYPE, "[{\"port\": 5264, \"protocol\": \"tcp\"},\n {\"port\": }]", 400,
                 "line 2, column");
    post_problem(NULL, JSON_TYPE, "[", 400, "not JSON: line 1, column ");
    static const struct {
        const char *body, *part;
    } bad[] = {
        {"{\"port\": 5264, \"protocol\": \"tcp\"}", "must be a JSON array"},
        {"[]", "no entries"},
        {"[{\"port\": 5264, \"protocol\": \"tcp\"}, 5264]", "entry 1: must be an object"},
        {"[{\"port\": 5264, \"protocol\": \"tcp\", \"service\": \"x\"}]",
         "entry 0: unknown key \"service\""},
        {"[{\"port\": 1, \"protocol\": \"tcp\"}, {\"port\": 70000, \"protocol\": \"tcp\"}]",
         "entry 1: port must be an integer from 0 to 65535"},
        {"[{\"port\": 1, \"protocol\": \"tcp\"}, {\"port\": 1, \"protocol\": \"tcp\"},"
         " {\"port\": \"80\", \"protocol\": \"tcp\"}]",
         "entry 2: port must be an integer from 0 to 65535"},
        {"[{\"port\": 80, \"protocol\": \"xtp\"}]", "entry 0: protocol must be one of"},
        {"[{\"port\": 80, \"protocol\": \"tcp\", \"name\": \"\"}]",
         "entry 0: name must be a string of 1 to 64 bytes or null"},
        {"[{\"port\": 80, \"protocol\": \"tcp\"}, {\"port\": 80, \"protocol\": \"tcp\", \"name\": "
         "\"a1234567890123456789012345678901234567890123456789012345678901234\"}]",
         "entry 1: name must be a string of 1 to 64 bytes or null"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        post_problem(NULL, JSON_TYPE, bad[i].body, 400, bad[i].part);
    post_problem("both=true", JSON_TYPE, "[{\"port\": 80, \"protocol\": \"sctp\"}]", 400,
                 "entry 0: both=true");
    post_problem("suggest=21", JSON_TYPE, "[{\"port\": 80, \"protocol\": \"tcp\"}]", 400,
                 "suggest");
}

/* A manifest of n entries: the body, to free. */
static char *manifest_of(size_t n, size_t *len)
{
    size_t cap = 64 + n * 48, used = 0;
    char *body = malloc(cap);
    cr_assert_not_null(body);
    used += (size_t)snprintf(body, cap, "[");
    for (size_t i = 0; i < n; i++)
        used +=
            (size_t)snprintf(body + used, cap - used, "%s{\"port\": %zu, \"protocol\": \"udp\"}",
                             i ? "," : "", 6000 + i);
    used += (size_t)snprintf(body + used, cap - used, "]");
    *len = used;
    return body;
}

/* The server still answers a normal request. */
static void still_serving(void)
{
    json_decref(get("/v1/check?port=5264&protocol=tcp"));
}

Test(check, size_limits)
{
    size_t len;
    char *body = manifest_of(100, &len);
    http_response r;
    post(NULL, JSON_TYPE, body, len, &r);
    cr_assert_eq(r.status, 200, "100 entries: %d", r.status);
    json_t *a = http_json(&r);
    cr_assert_eq(size_of(a, "verdicts"), 100);
    json_decref(a);
    http_response_free(&r);
    free(body);

    body = manifest_of(101, &len);
    post_problem(NULL, JSON_TYPE, body, 413, "manifest has 101 entries, the limit is 100");
    free(body);

    /* 64 KiB of body is taken, one byte more is refused */
    size_t limit = 64 * 1024;
    char *big = malloc(limit + 2);
    cr_assert_not_null(big);
    const char entry[] = "[{\"port\": 5260, \"protocol\": \"tcp\"}";
    memcpy(big, entry, strlen(entry));
    memset(big + strlen(entry), ' ', limit - strlen(entry));
    big[limit - 1] = ']';
    post(NULL, JSON_TYPE, big, limit, &r);
    cr_assert_eq(r.status, 200, "65536 bytes: %d %s", r.status, r.body);
    http_response_free(&r);
    big[limit - 1] = ' ';
    big[limit] = ']';
    post(NULL, JSON_TYPE, big, limit + 1, &r);
    assert_problem(&r, 413, "65536");
    assert_contains(r.body, "65536");
    http_response_free(&r);
    free(big);
    still_serving();
}

/* Sends a raw request (not recorded); the status of its answer, and the
 * answer in out. */
static int raw(const char *head, const char *body, size_t len, char *out, size_t size)
{
    size_t head_len = strlen(head);
    char *req = malloc(head_len + len);
    cr_assert_not_null(req);
    memcpy(req, head, head_len);
    memcpy(req + head_len, body, len);
    int status = http_raw(srv.port, req, head_len + len, out, size);
    free(req);
    return status;
}

/* body in chunks of chunk bytes, chunked transfer coding, in a new buffer */
static char *chunked(const char *body, size_t len, size_t chunk, size_t *out_len)
{
    char *out = malloc(len + (len / chunk + 2) * 16);
    cr_assert_not_null(out);
    size_t o = 0;
    for (size_t at = 0; at < len; at += chunk) {
        size_t n = len - at < chunk ? len - at : chunk;
        o += (size_t)sprintf(out + o, "%zx\r\n", n);
        memcpy(out + o, body + at, n);
        o += n;
        o += (size_t)sprintf(out + o, "\r\n");
    }
    o += (size_t)sprintf(out + o, "0\r\n\r\n");
    *out_len = o;
    return out;
}

Test(check, oversized_bodies_however_sent)
{
    char *out = malloc(1 << 17);
    cr_assert_not_null(out);
    /* a Content-Length over the limit is refused before the body comes:
     * only its first byte is sent */
    const char *const lengths[] = {"65537", "10000000"};
    for (int i = 0; i < 2; i++) {
        char declared[256];
        snprintf(declared, sizeof declared,
                 "POST /v1/check HTTP/1.1\r\nHost: x\r\n" JSON_TYPE "Content-Length: %s\r\n\r\n",
                 lengths[i]);
        int status = raw(declared, "[", 1, out, 1 << 17);
        cr_assert_eq(status, 413, "Content-Length %s: %s", lengths[i], out);
        assert_contains(out, "application/problem+json");
        assert_contains(out, "65536");
    }
    int status;
    /* a chunked body is counted as it comes */
    size_t limit = 64 * 1024, len;
    char *big = malloc(limit + 2);
    cr_assert_not_null(big);
    const char entry[] = "[{\"port\": 5264, \"protocol\": \"tcp\"}";
    memcpy(big, entry, strlen(entry));
    memset(big + strlen(entry), ' ', limit + 1 - strlen(entry));
    big[limit] = ']';
    char *body = chunked(big, limit + 1, 4000, &len);
    const char head[] = "POST /v1/check HTTP/1.1\r\nHost: x\r\n" JSON_TYPE
                        "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
    status = raw(head, body, len, out, 1 << 17);
    cr_assert_eq(status, 413, "%.300s", out);
    assert_contains(out, "65536");
    free(body);
    /* and taken when within the limit */
    big[limit - 1] = ']';
    body = chunked(big, limit, 1000, &len);
    status = raw(head, body, len, out, 1 << 17);
    cr_assert_eq(status, 200, "%.300s", out);
    assert_contains(out, "\"verdicts\"");
    assert_contains(out, "3com-njack-1");
    free(body);
    free(big);
    free(out);
    still_serving();
}

Test(check, media_types)
{
    const char body[] = "[{\"port\": 5264, \"protocol\": \"tcp\"}]";
    post_problem(NULL, "Content-Type: text/plain\r\n", body, 415, "application/json");
    post_problem(NULL, "Content-Type: application/x-www-form-urlencoded\r\n", body, 415,
                 "application/json");
    json_t *a;
    http_response r;
    post(NULL, NULL, body, strlen(body), &r);
    cr_assert_eq(r.status, 200, "no Content-Type is accepted: %d", r.status);
    a = http_json(&r);
    cr_assert_eq(size_of(a, "verdicts"), 1);
    json_decref(a);
    http_response_free(&r);
    post(NULL, "Content-Type: application/json; charset=utf-8\r\n", body, strlen(body), &r);
    cr_assert_eq(r.status, 200);
    http_response_free(&r);
    /* a POST without a body */
    http_request(srv.port, "POST", "/v1/check", JSON_TYPE, &r);
    assert_problem(&r, 400, "no body");
    http_response_free(&r);
}

Test(check, keep_alive_across_posts)
{
    const char body[] = "[{\"port\": 5264, \"protocol\": \"tcp\"}]";
    int fd = http_connect(srv.port);
    for (int i = 0; i < 3; i++) {
        http_response r;
        cr_assert(http_send_body(fd, "POST", "/v1/check", JSON_TYPE, body, strlen(body), &r),
                  "request %d on one connection", i);
        cr_assert_eq(r.status, 200);
        cr_assert_not(r.closed, "the connection stays open after a POST");
        json_decref(http_json(&r));
        http_response_free(&r);
        http_response g;
        cr_assert(http_send(fd, "GET", "/v1/check?port=5260&protocol=tcp", NULL, &g));
        cr_assert_eq(g.status, 200);
        http_response_free(&g);
    }
    close(fd);
}

/* ---- GET /v1/ports/free ---- */

ON_BOTH(free_ports_totals_match_the_port_resource)
{
    const char *const lists[] = {"tcp", "udp", "tcp,udp", "sctp"};
    for (int l = 0; l < 4; l++) {
        json_t *j = get("/v1/ports/free?protocol=%s&from=5250&to=5270", lists[l]);
        json_t *items = json_object_get(j, "items");
        size_t at = 0;
        for (unsigned p = 5250; p <= 5270; p++) {
            bool free_all = true;
            char list[16], st[32];
            snprintf(list, sizeof list, "%s", lists[l]);
            for (char *proto = strtok(list, ","); proto; proto = strtok(NULL, ","))
                free_all &= !strcmp(status_of(p, proto, st, sizeof st), "unassigned");
            if (free_all) {
                cr_assert_eq(json_integer_value(json_array_get(items, at)), p,
                             "%s: item %zu should be %u", lists[l], at, p);
                at++;
            }
        }
        cr_assert_eq(json_array_size(items), at, "%s", lists[l]);
        cr_assert_eq(json_integer_value(json_object_get(j, "total")), (json_int_t)at);
        cr_assert_eq(json_integer_value(json_object_get(j, "limit")), 100);
        cr_assert_eq(json_integer_value(json_object_get(j, "offset")), 0);
        cr_assert_geq(at, 12, "5255-5263 and 5266-5268 are Unassigned ranges");
        json_decref(j);
    }
}

ON_BOTH(free_ports_pages)
{
    json_t *whole = get("/v1/ports/free?protocol=tcp,udp&from=5250&to=5270");
    size_t total = json_array_size(json_object_get(whole, "items"));
    char target[512] = "/v1/ports/free?protocol=udp,tcp&from=5250&to=5270&limit=4";
    size_t seen = 0, pages = 0;
    bool first = true;
    for (;;) {
        http_response r;
        http_request(srv.port, "GET", target, NULL, &r);
        cr_assert_eq(r.status, 200, "%s", target);
        char link[2048], next[512], prev[512], etag[64];
        const char *l = http_header(&r, "Link", link, sizeof link);
        cr_assert_not_null(http_header(&r, "ETag", etag, sizeof etag));
        json_t *j = http_json(&r);
        http_response_free(&r);
        cr_assert_eq(json_integer_value(json_object_get(j, "total")), (json_int_t)total);
        cr_assert_eq(json_integer_value(json_object_get(j, "offset")), (json_int_t)seen);
        size_t i;
        json_t *item;
        json_array_foreach(json_object_get(j, "items"), i, item)
        {
            cr_assert(json_equal(item, json_array_get(json_object_get(whole, "items"), seen + i)));
        }
        size_t n = json_array_size(json_object_get(j, "items"));
        json_decref(j);
        if (first)
            cr_assert_null(link_target(l, "prev", prev, sizeof prev), "no prev on the first page");
        else
            cr_assert_not_null(link_target(l, "prev", prev, sizeof prev), "%s", target);
        if (!first) {
            char want[512];
            snprintf(want, sizeof want,
                     "/v1/ports/free?protocol=tcp%%2Cudp&from=5250&to=5270&limit=4&offset=%zu",
                     seen - 4);
            cr_assert_str_eq(prev, want);
        }
        first = false;
        seen += n;
        pages++;
        if (!link_target(l, "next", next, sizeof next))
            break;
        cr_assert_lt(seen, total, "a next link after the last item");
        snprintf(target, sizeof target, "%s", next);
    }
    cr_assert_eq(seen, total);
    cr_assert_eq(pages, (total + 3) / 4);
    json_decref(whole);

    /* revalidation, as on any GET */
    http_response r;
    http_request(srv.port, "GET", "/v1/ports/free?protocol=tcp&from=5250&to=5270", NULL, &r);
    char etag[64], headers[128];
    cr_assert_not_null(http_header(&r, "ETag", etag, sizeof etag));
    http_response_free(&r);
    snprintf(headers, sizeof headers, "If-None-Match: %s\r\n", etag);
    http_request(srv.port, "GET", "/v1/ports/free?protocol=tcp&from=5250&to=5270", headers, &r);
    cr_assert_eq(r.status, 304);
    http_response_free(&r);
}

ON_BOTH(free_ports_parameters)
{
    expect_get_problem("/v1/ports/free", 400, "protocol", "required");
    expect_get_problem("/v1/ports/free?protocol=tcp,tcp", 400, "protocol", NULL);
    expect_get_problem("/v1/ports/free?protocol=tcp,xtp", 400, "protocol", NULL);
    expect_get_problem("/v1/ports/free?protocol=tcp&from=5270&to=5250", 400, "from", NULL);
    expect_get_problem("/v1/ports/free?protocol=tcp&from=5251&to=5250", 400, "from", NULL);
    expect_get_problem("/v1/ports/free?protocol=tcp&from=65536&to=65536", 400, "from", NULL);
    expect_get_problem("/v1/ports/free?protocol=tcp&to=65536", 400, "to", NULL);
    expect_get_problem("/v1/ports/free?protocol=tcp&limit=1001", 400, "limit", NULL);
    /* defaults: the user range */
    json_t *j = get("/v1/ports/free?protocol=udp");
    json_t *items = json_object_get(j, "items");
    cr_assert_eq(json_array_size(items), 100);
    cr_assert_geq(json_integer_value(json_array_get(items, 0)), USER_FIRST);
    json_decref(j);
    j = get("/v1/ports/free?protocol=udp&from=48000&limit=1000");
    items = json_object_get(j, "items");
    size_t n = json_array_size(items);
    cr_assert_gt(n, 0);
    cr_assert_leq(json_integer_value(json_array_get(items, n - 1)), USER_LAST);
    json_decref(j);
    /* dynamic ports are never free; the widest span is allowed */
    j = get("/v1/ports/free?protocol=tcp&from=49152&to=65535");
    cr_assert_eq(json_integer_value(json_object_get(j, "total")), 0);
    json_decref(j);
    j = get("/v1/ports/free?protocol=tcp&from=0&to=65535&limit=1");
    cr_assert_gt(json_integer_value(json_object_get(j, "total")), 0);
    json_decref(j);
}

/* ---- a data set of its own ---- */

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "%s", path);
    cr_assert_eq(fwrite(text, 1, strlen(text), f), strlen(text));
    cr_assert_eq(fclose(f), 0);
}

static void remove_data(const char *dir)
{
    const char *names[] = {"service-names-port-numbers.csv", "contacts.csv"};
    for (int i = 0; i < 2; i++) {
        char path[256];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
    rmdir(dir);
}

/* A holder whose long description has a multi-byte character where the
 * reason's text was once cut: the verdict lost its reason and said ok. */
Test(check_data, a_reason_survives_a_multibyte_character_at_the_cut)
{
    char dir[] = "/tmp/portreg-check-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char records[2048], desc[512];
    /* "holder (" and 290 bytes: the euro sign's first byte was the last kept */
    memset(desc, 'x', 290);
    strcpy(desc + 290, "\xe2\x82\xac and more text after it");
    snprintf(records, sizeof records,
             "Service Name,Port Number,Transport Protocol,Description,Assignee,Contact,"
             "Registration Date,Modification Date,Reference,Service Code,"
             "Unauthorized Use Reported,Assignment Notes\n"
             "holder,5004,tcp,%s,[Someone],[Someone],2020-01-01,,,,,\n",
             desc);
    write_file(dir, "service-names-port-numbers.csv", records);
    write_file(dir, "contacts.csv",
               "ID,Name,Organization,Contact URI,Last Updated\n"
               "[Someone],Some One,,mailto:someone&example.org,2020-01-01\n");
    server s;
    const char *args[] = {"--data", dir, NULL};
    server_start(&s, args);
    http_response r;
    http_request(s.port, "GET", "/v1/check?port=5004&protocol=tcp&name=mine", NULL, &r);
    cr_assert_eq(r.status, 200);
    cr_assert(strncmp(r.body, "{\"ok\":false,", 12) == 0, "%s", r.body);
    json_t *v = http_json(&r);
    json_t *reason = json_array_get(json_object_get(v, "reasons"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(reason, "code")), "assigned");
    const char *message = json_string_value(json_object_get(reason, "message"));
    cr_assert(strstr(message, "holder (xxx"), "%s", message);
    json_decref(v);
    http_response_free(&r);
    cr_assert_eq(server_stop(&s), 0);
    remove_data(dir);
}

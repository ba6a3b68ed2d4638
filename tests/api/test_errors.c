/* Errors: every 400 of the design, 404s, 405, 414 and OPTIONS, each as an
 * RFC 9457 problem (application/problem+json). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "api_test.h"
#include "fixture.h"

TestSuite(errors, .init = fixture_sample, .fini = fixture_close);

static void expect(enum pr_method method, const char *target, int status, const char *parameter)
{
    exchange_run(api, &ex, method, target);
    assert_problem(&ex, status, parameter);
    cr_assert_null(ex.resp.allow, "%s: Allow belongs to 405 and OPTIONS", target);
    exchange_end(&ex);
}

static void bad(const char *target, const char *parameter)
{
    expect(PR_GET, target, 400, parameter);
}

Test(errors, bad_port)
{
    bad("/v1/ports/abc", "port");
    bad("/v1/ports/70000", "port");
    bad("/v1/ports/65536", "port");
    bad("/v1/ports/-1", "port");
    bad("/v1/ports/+80", "port");
    bad("/v1/ports/%2080", "port");
    bad("/v1/ports/100000", "port");
    bad("/v1/ports/99999999999999999999", "port");
    bad("/v1/ports/3493x/tcp", "port");
    bad("/v1/services?port=", "port");
    bad("/v1/services?port", "port");
    bad("/v1/services?port=abc", "port");
    bad("/v1/services?port=70000", "port");
    bad("/v1/services?port=-1", "port");
}

/* Issue 13 item 9: /v1/ports/00080 was port 80 and 000080 a 400. Numbers in
 * paths and queries are written without leading zeros, one URL a resource. */
Test(errors, leading_zeros)
{
    bad("/v1/ports/00080", "port");
    bad("/v1/ports/000080", "port");
    bad("/v1/ports/080/tcp", "port");
    bad("/v1/ports/00", "port");
    bad("/v1/services?port=080", "port");
    bad("/v1/services?limit=010", "limit");
    bad("/v1/services?offset=00", "offset");
    bad("/v1/ports/free?protocol=tcp&from=01024", "from");
    json_t *zero = get_ok(api, &ex, "/v1/ports/0");
    cr_assert_eq(json_integer_value(json_object_get(zero, "port")), 0);
    exchange_end(&ex);
    json_t *page = get_ok(api, &ex, "/v1/services?offset=0&limit=10");
    cr_assert_eq(json_integer_value(json_object_get(page, "offset")), 0);
    exchange_end(&ex);
}

/* Issue 13 item 9: a parameter name that is not UTF-8 lost the problem's
 * parameter member; it is now given as sent, percent-encoded. */
Test(errors, parameter_name_not_utf8)
{
    exchange_run(api, &ex, PR_GET, "/v1/services?%FF=1");
    assert_problem(&ex, 400, "%FF");
    exchange_end(&ex);
    exchange_run(api, &ex, PR_GET, "/v1/services?a%C3%A9%FF%25b=1");
    assert_problem(&ex, 400, "a\xc3\xa9%FF%25b");
    exchange_end(&ex);
    exchange_run(api, &ex, PR_GET, "/v1/services?caf%C3%A9=1");
    assert_problem(&ex, 400, "caf\xc3\xa9");
    exchange_end(&ex);
}

Test(errors, bad_protocol)
{
    bad("/v1/ports/3493/icmp", "protocol");
    bad("/v1/ports/3493/tcpx", "protocol");
    bad("/v1/services?protocol=icmp", "protocol");
    bad("/v1/services?protocol=", "protocol");
}

Test(errors, bad_status_and_sort)
{
    bad("/v1/services?status=dynamic", "status"); /* a port's state, not a record's */
    bad("/v1/services?status=taken", "status");
    bad("/v1/assignees?sort=name", "sort");
    bad("/v1/assignees?sort=", "sort");
}

Test(errors, bad_limit)
{
    const char *lists[] = {"/v1/services", "/v1/search?q=a", "/v1/assignees", "/v1/contacts"};
    const char *values[] = {"0", "1001", "x", "", "-1", "1e2", "10000000000000"};
    for (size_t i = 0; i < sizeof lists / sizeof *lists; i++) {
        for (size_t k = 0; k < sizeof values / sizeof *values; k++) {
            char target[128];
            snprintf(target, sizeof target, "%s%slimit=%s", lists[i],
                     strchr(lists[i], '?') ? "&" : "?", values[k]);
            bad(target, "limit");
        }
    }
}

Test(errors, limit_bounds_are_inclusive)
{
    json_t *j = get_ok(api, &ex, "/v1/services?limit=1000");
    cr_assert_eq(member_int(j, "limit"), 1000);
    exchange_end(&ex);
    j = get_ok(api, &ex, "/v1/services?limit=1&offset=10000000");
    cr_assert_eq(member_int(j, "offset"), 10000000);
}

Test(errors, bad_offset)
{
    bad("/v1/services?offset=-1", "offset");
    bad("/v1/services?offset=10000001", "offset");
    bad("/v1/contacts?offset=x", "offset");
    bad("/v1/assignees?offset=", "offset");
    bad("/v1/search?q=a&offset=-1", "offset");
}

Test(errors, bad_term)
{
    bad("/v1/search", "q");
    bad("/v1/search?q=", "q");
    bad("/v1/search?q", "q");
    bad("/v1/services?q=", "q");
    bad("/v1/contacts?q=", "q");
    /* A NUL in a term: no target the server decodes holds one ("%00" stays
     * three characters, target.h), but the API refuses it from any caller.
     * Given decoded, as only a caller other than the server could. */
    exchange_run_decoded(api, &ex, PR_GET, "/v1/search", 10, "q", "a\0b", 3);
    ex.json = json_loadb(ex.resp.body->data, ex.resp.body->len, 0, NULL);
    assert_problem(&ex, 400, "q");
    exchange_end(&ex);
    /* and as the server hands it over: a term that matches nothing */
    cr_assert_eq(member_int(get_ok(api, &ex, "/v1/search?q=a%00b"), "total"), 0);
    exchange_end(&ex);

    char target[400] = "/v1/search?q=";
    size_t at = strlen(target);
    memset(target + at, 'a', PR_MAX_Q_BYTES + 1);
    target[at + PR_MAX_Q_BYTES + 1] = '\0';
    bad(target, "q");
    target[at + PR_MAX_Q_BYTES] = '\0'; /* exactly the bound is fine */
    json_t *j = get_ok(api, &ex, target);
    cr_assert_eq(member_int(j, "total"), 0);
}

Test(errors, bad_person)
{
    bad("/v1/services?assignee=", "assignee");
    bad("/v1/services?contact=", "contact");
    char target[300] = "/v1/services?contact=";
    size_t at = strlen(target);
    memset(target + at, 'x', PR_MAX_ID_BYTES + 1);
    target[at + PR_MAX_ID_BYTES + 1] = '\0';
    bad(target, "contact");
}

Test(errors, unknown_parameter)
{
    bad("/?x=1", "x");
    bad("/v1/registry?verbose", "verbose");
    bad("/openapi.yaml?v=2", "v");
    bad("/v1/ports/3493?format=xml", "format");
    bad("/v1/ports/3493/tcp?x=", "x");
    bad("/v1/services/nut?x=1", "x");
    bad("/v1/services?proto=tcp", "proto");
    bad("/v1/services?Limit=5", "Limit"); /* names are case-sensitive */
    bad("/v1/search?q=a&sort=id", "sort");
    bad("/v1/assignees?q=a", "q");
    bad("/v1/assignees/IESG?x=1", "x");
    bad("/v1/contacts/IESG?x=1", "x");
}

Test(errors, duplicate_parameter)
{
    bad("/v1/services?limit=1&limit=2", "limit");
    bad("/v1/services?port=80&port=80", "port");
    bad("/v1/search?q=a&q=b", "q");
    bad("/v1/assignees?sort=id&offset=1&sort=id", "sort");
}

Test(errors, too_many_parameters)
{
    char target[512] = "/v1/services?";
    for (int i = 0; i <= PR_MAX_QUERY_PARAMS; i++)
        snprintf(target + strlen(target), sizeof target - strlen(target), "%sa%d=1", i ? "&" : "",
                 i);
    exchange_run(api, &ex, PR_GET, target);
    cr_assert(ex.req.too_many_params, "the helper marks the overflow");
    assert_problem(&ex, 400, NULL);
    cr_assert_null(json_object_get(ex.json, "parameter"), "no single parameter is at fault");
    exchange_end(&ex);
    /* the bound is checked before each resource's own parameter rules */
    pr_request req = {.method = PR_GET, .path = "/", .path_len = 1, .too_many_params = true};
    pr_api_handle(api, &req, &ex.resp);
    cr_assert_eq(ex.resp.status, 400);
    pr_response_release(&ex.resp);
}

Test(errors, not_found)
{
    expect(PR_GET, "/nope", 404, NULL);
    expect(PR_GET, "/v1", 404, NULL);
    expect(PR_GET, "/v1/", 404, NULL);
    expect(PR_GET, "/v1/ports", 404, NULL);
    expect(PR_GET, "/v1/ports/", 404, NULL);
    expect(PR_GET, "/v1/ports/3493/tcp/extra", 404, NULL);
    expect(PR_GET, "/v1/ports/3493/", 404, NULL);
    expect(PR_GET, "/v1/services/", 404, NULL);
    expect(PR_GET, "/v1/services/nonexistent", 404, NULL);
    expect(PR_GET, "/v1/assignees/Nobody", 404, NULL);
    expect(PR_GET, "/v1/assignees/", 404, NULL);
    expect(PR_GET, "/v1/contacts/Nobody", 404, NULL);
    expect(PR_GET, "/V1/registry", 404, NULL);
    expect(PR_GET, "/v1/registry/", 404, NULL);
    expect(PR_GET, "/openapi.json", 404, NULL);
}

Test(errors, long_ids_are_not_found_not_overflowed)
{
    char target[PR_MAX_PATH_BYTES] = "/v1/contacts/";
    size_t at = strlen(target);
    memset(target + at, 'x', sizeof target - at - 1);
    target[sizeof target - 1] = '\0';
    expect(PR_GET, target, 404, NULL);
    memcpy(target, "/v1/assignees/", 14);
    expect(PR_GET, target, 404, NULL);
}

Test(errors, other_methods_are_405_with_allow)
{
    const char *paths[] = {"/", "/v1/ports/3493", "/v1/services", "/v1/contacts/IESG"};
    enum pr_method methods[] = {PR_POST, PR_OTHER_METHOD};
    for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
        for (size_t m = 0; m < 2; m++) {
            exchange_run(api, &ex, methods[m], paths[i]);
            assert_problem(&ex, 405, NULL);
            cr_assert_str_eq(ex.resp.allow, "GET, HEAD, OPTIONS", "%s", paths[i]);
            exchange_end(&ex);
        }
    }
}

Test(errors, options_is_204_without_body)
{
    const char *paths[] = {"/",
                           "/openapi.yaml",
                           "/v1/registry",
                           "/v1/ports/1/udp",
                           "/v1/services/nut",
                           "/v1/services",
                           "/v1/search",
                           "/v1/assignees",
                           "/v1/assignees/IESG",
                           "/v1/contacts",
                           "/v1/contacts/IESG"};
    for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
        exchange_run(api, &ex, PR_OPTIONS, paths[i]);
        cr_assert_eq(ex.resp.status, 204, "%s", paths[i]);
        cr_assert_null(ex.resp.body, "%s", paths[i]);
        cr_assert_not(ex.resp.cacheable);
        cr_assert_str_eq(ex.resp.allow, "GET, HEAD, OPTIONS", "%s", paths[i]);
        exchange_end(&ex);
    }
}

Test(errors, path_over_the_bound_is_414)
{
    char *target = malloc(PR_MAX_PATH_BYTES + 2);
    target[0] = '/';
    memset(target + 1, 'a', PR_MAX_PATH_BYTES);
    target[PR_MAX_PATH_BYTES + 1] = '\0';
    expect(PR_GET, target, 414, NULL);
    /* exactly at the bound the path is read, and simply not found */
    target[PR_MAX_PATH_BYTES] = '\0';
    expect(PR_GET, target, 404, NULL);
    free(target);
}

Test(errors, request_target_must_be_an_absolute_path)
{
    expect(PR_GET, "v1/registry", 400, NULL);
    pr_request req = {.method = PR_GET, .path = "", .path_len = 0};
    pr_api_handle(api, &req, &ex.resp);
    cr_assert_eq(ex.resp.status, 400);
    pr_response_release(&ex.resp);
    /* a decoded NUL must not cut the path short; the instance shows it whole,
     * encoded again. No target the server decodes holds one ("%00" stays
     * three characters, target.h): the path is given decoded, as only a
     * caller other than the server could. */
    exchange_run_decoded(api, &ex, PR_GET, "/v1/registry\0", 13, NULL, NULL, 0);
    cr_assert_eq(ex.resp.status, 400);
    cr_assert_str_eq(ex.resp.content_type, "application/problem+json");
    ex.json = json_loadb(ex.resp.body->data, ex.resp.body->len, 0, NULL);
    cr_assert_str_eq(json_string_value(json_object_get(ex.json, "instance")), "/v1/registry%00");
    exchange_end(&ex);
    /* as the server hands it over: a path that names nothing, "%" encoded
     * again in the instance */
    exchange_run(api, &ex, PR_GET, "/v1/registry%00");
    assert_problem(&ex, 404, NULL);
    cr_assert_str_eq(member_str(ex.json, "instance"), "/v1/registry%2500");
}

Test(errors, problem_outside_the_router)
{
    pr_request req = {.method = PR_POST, .path = "/v1/services", .path_len = 12};
    pr_response resp;
    memset(&resp, 0xa5, sizeof resp); /* pr_api_problem must not trust what is there */
    pr_api_problem(&resp, &req, 413, "no body belongs here");
    cr_assert_eq(resp.status, 413);
    cr_assert_str_eq(resp.content_type, "application/problem+json");
    cr_assert(resp.body_owned);
    json_t *j = json_loadb(resp.body->data, resp.body->len, 0, NULL);
    cr_assert_not_null(j);
    cr_assert_str_eq(member_str(j, "detail"), "no body belongs here");
    cr_assert_str_eq(member_str(j, "instance"), "/v1/services");
    cr_assert_str_eq(member_str(j, "title"), "Content Too Large");
    json_decref(j);
    pr_response_release(&resp);
    cr_assert_null(resp.body);
}

Test(errors, instance_survives_invalid_utf8)
{
    exchange_run(api, &ex, PR_GET, "/v1/services/%FF%FE");
    cr_assert_eq(ex.resp.status, 404);
    cr_assert_not_null(ex.json, "still a JSON problem");
    cr_assert(json_is_string(json_object_get(ex.json, "instance")));
}

/* A parameter's name is the client's bytes: those that are not UTF-8 are
 * percent-encoded, and the problem keeps every member. */
Test(errors, a_parameter_name_that_is_not_utf8_is_named_still)
{
    exchange_run(api, &ex, PR_GET, "/v1/services?%FFx%C3=1");
    assert_problem(&ex, 400, "%FFx%C3");
    exchange_end(&ex);
}

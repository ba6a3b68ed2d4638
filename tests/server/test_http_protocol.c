/* What a hostile or broken client can send: the server answers with a 4xx,
 * keeps serving everyone else, and stops cleanly afterwards. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fixture.h"
#include "harness.h"

TestSuite(protocol, .init = fixture_sample, .fini = fixture_stop);

/* The server still answers a normal request. */
static void still_serving(void)
{
    http_response r;
    http_request(srv.port, "GET", "/v1/ports/3493", NULL, &r);
    cr_assert_eq(r.status, 200);
    http_response_free(&r);
}

Test(protocol, oversized_uri_is_refused)
{
    size_t n = 64 * 1024;
    char *req = malloc(n + 64);
    char *out = malloc(4096);
    int len = sprintf(req, "GET /v1/search?q=");
    memset(req + len, 'a', n);
    len += (int)n;
    len += sprintf(req + len, " HTTP/1.1\r\nHost: x\r\n\r\n");
    int status = http_raw(srv.port, req, (size_t)len, out, 4096);
    cr_assert(status == 414 || status == 431, "status %d", status);
    free(req);
    free(out);
    still_serving();
}

Test(protocol, oversized_headers_are_refused)
{
    size_t n = 64 * 1024;
    char *req = malloc(n + 128);
    char *out = malloc(4096);
    int len = sprintf(req, "GET /v1/ports/1 HTTP/1.1\r\nHost: x\r\nX-Big: ");
    memset(req + len, 'b', n);
    len += (int)n;
    len += sprintf(req + len, "\r\n\r\n");
    int status = http_raw(srv.port, req, (size_t)len, out, 4096);
    cr_assert_eq(status, 431, "status %d", status);
    free(req);
    free(out);
    still_serving();
}

Test(protocol, a_long_path_gets_a_problem)
{
    char target[1200] = "/v1/services/";
    memset(target + strlen(target), 'x', 1100);
    http_response r;
    http_request(srv.port, "GET", target, NULL, &r);
    cr_assert_eq(r.status, 414);
    json_decref(http_json(&r));
    http_response_free(&r);
}

Test(protocol, garbage_request_line)
{
    char out[4096];
    const char *bad[] = {"HELLO\r\n\r\n", "GET\r\n\r\n", "GET / HTTP/9.9\r\nHost: x\r\n\r\n",
                         "\x01\x02\x03\x04\r\n\r\n"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        int status = http_raw(srv.port, bad[i], strlen(bad[i]), out, sizeof out);
        cr_assert(status == 0 || (status >= 400 && status < 600), "case %zu: status %d", i, status);
    }
    still_serving();
}

Test(protocol, a_body_where_none_belongs)
{
    const char req[] = "GET /v1/ports/1 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello";
    char out[4096];
    int status = http_raw(srv.port, req, sizeof req - 1, out, sizeof out);
    cr_assert_eq(status, 413, "%s", out);
    cr_assert(strstr(out, "application/problem+json"));
    still_serving();
}

Test(protocol, too_many_query_parameters)
{
    char target[512] = "/v1/services?";
    for (int i = 0; i < 20; i++)
        sprintf(target + strlen(target), "p%d=1&", i);
    http_response r;
    http_request(srv.port, "GET", target, NULL, &r);
    cr_assert_eq(r.status, 400);
    http_response_free(&r);
}

Test(protocol, percent_encoding_edge_cases)
{
    http_response r;
    /* "%00" must not cut the name short into something that exists */
    http_request(srv.port, "GET", "/v1/services/nut%00xyz", NULL, &r);
    cr_assert_neq(r.status, 200);
    cr_assert_lt(r.status, 500);
    http_response_free(&r);
    http_request(srv.port, "GET", "/v1/search?q=%FF%FE", NULL, &r);
    cr_assert_eq(r.status, 200, "invalid UTF-8 in a term simply matches nothing");
    http_response_free(&r);
    http_request(srv.port, "GET", "/v1/services/%zz", NULL, &r);
    cr_assert_eq(r.status, 404);
    http_response_free(&r);
    http_request(srv.port, "GET", "/v1/services/%FF%FE", NULL, &r);
    cr_assert_eq(r.status, 404);
    json_decref(http_json(&r)); /* the problem body stays valid JSON */
    http_response_free(&r);
    still_serving();
}

/* The split of a target on the wire is the one the API's tests use
 * (api/target.h, tests/api/test_target.c): the same cases, asked here. */
static void expect_problem(const char *target, int status, const char *member, const char *value)
{
    http_response r;
    http_request(srv.port, "GET", target, NULL, &r);
    cr_assert_eq(r.status, status, "%s: %d", target, r.status);
    json_t *j = http_json(&r);
    cr_assert_str_eq(json_string_value(json_object_get(j, member)), value, "%s", target);
    json_decref(j);
    http_response_free(&r);
}

Test(protocol, the_target_is_split_as_the_api_tests_split_it)
{
    expect_problem("/v1/search?q=ups&&limit=1", 400, "parameter", "");
    expect_problem("/v1/contacts?q%3D=1", 400, "parameter", "q=");
    http_record(false); /* a path that is not the API's: nothing to check against the spec */
    expect_problem("/v1/registry%00", 404, "instance", "/v1/registry%2500");
    http_record(true);
    expect_problem("/v1/services/a+b", 404, "detail", "no record has the service name \"a+b\"");
    http_response r;
    http_request(srv.port, "GET", "/v1/search?q=ups&limit=1&", NULL, &r);
    cr_assert_eq(r.status, 200, "a '&' at the end adds nothing");
    http_response_free(&r);
}

Test(protocol, http_1_0_and_pipelining)
{
    char out[16384];
    const char one[] = "GET /v1/ports/22 HTTP/1.0\r\n\r\n";
    cr_assert_eq(http_raw(srv.port, one, sizeof one - 1, out, sizeof out), 200);
    const char two[] = "GET /v1/ports/1 HTTP/1.1\r\nHost: x\r\n\r\n"
                       "GET /v1/ports/2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    cr_assert_eq(http_raw(srv.port, two, sizeof two - 1, out, sizeof out), 200);
    const char *second = strstr(out + 1, "HTTP/1.1 200");
    cr_assert_not_null(second, "both pipelined requests answered: %s", out);
}

Test(protocol, idle_connections_do_not_block_others)
{
    int fds[40];
    for (int i = 0; i < 40; i++)
        fds[i] = http_connect(srv.port);
    still_serving();
    for (int i = 0; i < 40; i++)
        close(fds[i]);
}

Test(protocol, cors_origin_and_max_age_are_configurable)
{
    server custom;
    const char *args[] = {"--cors-origin", "https://dash.example", "--max-age", "60", NULL};
    server_start(&custom, args);
    http_response r;
    http_request(custom.port, "GET", "/v1/ports/3493", "Origin: https://dash.example\r\n", &r);
    char v[128];
    cr_assert_str_eq(http_header(&r, "Access-Control-Allow-Origin", v, sizeof v),
                     "https://dash.example");
    cr_assert_str_eq(http_header(&r, "Vary", v, sizeof v), "Origin");
    cr_assert_str_eq(http_header(&r, "Cache-Control", v, sizeof v), "public, max-age=60");
    http_response_free(&r);
    cr_assert_eq(server_stop(&custom), 0);

    /* the same through the environment, as a container would set it */
    setenv("PORTREG_MAX_AGE", "5", 1);
    server_start(&custom, NULL);
    unsetenv("PORTREG_MAX_AGE");
    http_request(custom.port, "GET", "/v1/registry", NULL, &r);
    cr_assert_str_eq(http_header(&r, "Cache-Control", v, sizeof v), "public, max-age=5");
    http_response_free(&r);
    cr_assert_eq(server_stop(&custom), 0);
}

Test(protocol, bad_flags_exit_with_usage)
{
    char cmd[1024];
    const char *cases[] = {"--max-age -1",     "--threads 0", "--threads 65",
                           "--listen nowhere", "--bogus",     "--data"};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        snprintf(cmd, sizeof cmd, "%s serve %s 2>/dev/null", PR_PORTREG, cases[i]);
        int status = system(cmd);
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 2, "%s: status %d", cases[i], status);
    }
    snprintf(cmd, sizeof cmd, "%s serve --data /nonexistent 2>/dev/null", PR_PORTREG);
    int status = system(cmd);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 1, "a data load error exits 1");
}

/* Issue 13 item 9, on the wire: leading zeros are refused alike however
 * many, and a parameter name that is not UTF-8 keeps the problem's
 * parameter member, percent-encoded, in a body that is UTF-8 JSON. */
Test(protocol, leading_zeros_and_names_not_utf8)
{
    const char *zeros[] = {"/v1/ports/080", "/v1/ports/00080", "/v1/ports/000080"};
    for (size_t i = 0; i < sizeof zeros / sizeof *zeros; i++) {
        http_response r;
        http_request(srv.port, "GET", zeros[i], NULL, &r);
        cr_assert_eq(r.status, 400, "%s: %d", zeros[i], r.status);
        json_t *j = http_json(&r);
        cr_assert_str_eq(json_string_value(json_object_get(j, "parameter")), "port");
        json_decref(j);
        http_response_free(&r);
    }
    http_response r;
    http_request(srv.port, "GET", "/v1/services?%FF=1", NULL, &r);
    cr_assert_eq(r.status, 400);
    json_t *j = http_json(&r); /* jansson refuses JSON that is not UTF-8 */
    cr_assert_str_eq(json_string_value(json_object_get(j, "parameter")), "%FF");
    json_decref(j);
    http_response_free(&r);
}

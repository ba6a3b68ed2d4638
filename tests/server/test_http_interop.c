/* The real server: /v1/changes, the services(5) and sysctl exports, list
 * parameters, /v1/check?port=PORT/PROTOCOL, the index, and CORS with a
 * list of origins (and a malformed one refused at start-up). */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fixture.h"

TestSuite(interop, .init = fixture_sample, .fini = fixture_stop);

static void get(const char *target, const char *headers, int status, http_response *r)
{
    http_request(srv.port, "GET", target, headers, r);
    cr_assert_eq(r->status, status, "%s: %d\n%s", target, r->status, r->head);
}

static void assert_header(const http_response *r, const char *name, const char *want)
{
    char buf[512];
    const char *v = http_header(r, name, buf, sizeof buf);
    if (!want) {
        cr_assert_null(v, "%s: %s", name, v);
        return;
    }
    cr_assert_not_null(v, "no %s in\n%s", name, r->head);
    cr_assert_str_eq(v, want, "%s", name);
}

Test(interop, services_file_is_cacheable)
{
    http_response r, again, head;
    get("/v1/export/services", NULL, 200, &r);
    assert_header(&r, "Content-Type", "text/plain; charset=utf-8");
    cr_assert_not_null(strstr(r.body, "\nups\t\t401/tcp\t\t\t\t# Uninterruptible Power Supply\n"));
    char etag[64], cond[128];
    cr_assert_not_null(http_header(&r, "ETag", etag, sizeof etag));
    snprintf(cond, sizeof cond, "If-None-Match: %s\r\n", etag);
    get("/v1/export/services", cond, 304, &again);
    cr_assert_eq(again.body_len, 0);
    assert_header(&again, "ETag", etag);
    http_request(srv.port, "HEAD", "/v1/export/services", NULL, &head);
    cr_assert_eq(head.status, 200);
    assert_header(&head, "ETag", etag);
    cr_assert_eq(head.body_len, 0);
    http_response_free(&r);
    http_response_free(&again);
    http_response_free(&head);
}

Test(interop, reserved_ports)
{
    http_response r;
    get("/v1/export/ip_local_reserved_ports?services=ups&services=sip,sips", NULL, 200, &r);
    assert_header(&r, "Content-Type", "text/plain; charset=utf-8");
    cr_assert_str_eq(r.body, "401,5060-5061\n");
    cr_assert_not_null(http_header(&r, "ETag", (char[64]){0}, 64));
    http_response_free(&r);
    get("/v1/export/ip_local_reserved_ports?services=ups,nonesuch", NULL, 404, &r);
    json_t *j = http_json(&r);
    cr_assert_not_null(strstr(json_string_value(json_object_get(j, "detail")), "nonesuch"));
    json_decref(j);
    http_response_free(&r);
}

Test(interop, changes)
{
    http_response r;
    get("/v1/changes?since=2002-01-01&limit=3", NULL, 200, &r);
    json_t *j = http_json(&r);
    cr_assert_eq(json_array_size(json_object_get(j, "items")), 3);
    cr_assert_gt(json_integer_value(json_object_get(j, "total")), 3);
    char link[512];
    cr_assert_not_null(http_header(&r, "Link", link, sizeof link));
    cr_assert_str_eq(link, "</v1/changes?since=2002-01-01&limit=3&offset=3>; rel=\"next\"");
    json_decref(j);
    http_response_free(&r);
    get("/v1/changes?since=2002-13-01", NULL, 400, &r);
    http_response_free(&r);
}

Test(interop, changes_in_every_format_and_coding)
{
    http_response csv, gz, head;
    get("/v1/changes?since=2002-01-01&limit=3&format=csv", NULL, 200, &csv);
    assert_header(&csv, "Content-Type", "text/csv; charset=utf-8; header=present");
    cr_assert_eq(strncmp(csv.body, "Service Name,Port Number,", 25), 0, "%s", csv.body);
    char link[512];
    cr_assert_not_null(http_header(&csv, "Link", link, sizeof link));
    cr_assert_not_null(strstr(link, "format=csv"), "%s", link);
    http_response_free(&csv);
    /* a services file is well over 1 KB: it goes out gzip-encoded when
     * asked, with a tag of its own */
    get("/v1/export/services", "Accept-Encoding: gzip\r\n", 200, &gz);
    assert_header(&gz, "Content-Encoding", "gzip");
    char etag[64];
    cr_assert_not_null(http_header(&gz, "ETag", etag, sizeof etag));
    cr_assert_not_null(strstr(etag, "-gz\""), "%s", etag);
    cr_assert_eq((unsigned char)gz.body[0], 0x1f);
    cr_assert_eq((unsigned char)gz.body[1], 0x8b);
    http_response_free(&gz);
    http_request(srv.port, "HEAD", "/v1/changes?since=2002-01-01&format=txt", NULL, &head);
    cr_assert_eq(head.status, 200);
    assert_header(&head, "Content-Type", "text/plain; charset=utf-8");
    http_response_free(&head);
}

Test(interop, lists_and_check_form)
{
    http_response a, b;
    get("/v1/services?protocol=tcp&protocol=udp&limit=1", NULL, 200, &a);
    get("/v1/services?protocol=tcp,udp&limit=1", NULL, 200, &b);
    cr_assert_str_eq(a.body, b.body);
    http_response_free(&a);
    http_response_free(&b);
    get("/v1/check?port=401/tcp&name=ups", NULL, 200, &a);
    get("/v1/check?port=401&protocol=tcp&name=ups", NULL, 200, &b);
    cr_assert_str_eq(a.body, b.body);
    http_response_free(&a);
    http_response_free(&b);
}

Test(interop, index_lists_the_endpoints)
{
    http_response r;
    get("/", NULL, 200, &r);
    json_t *j = http_json(&r);
    json_t *links = json_object_get(j, "links");
    const char *want[] = {"changes",  "export_services", "reserved_ports", "check",  "free_ports",
                          "assignee", "contact",         "healthz",        "readyz", "metrics"};
    for (size_t i = 0; i < sizeof want / sizeof *want; i++)
        cr_assert(json_is_string(json_object_get(links, want[i])), "%s", want[i]);
    json_decref(j);
    http_response_free(&r);
}

/* ---- CORS with a list of origins ---- */

static void start_listed(void)
{
    const char *args[] = {"--data", SAMPLE_DIR, "--cors-origin",
                          "https://a.example, https://b.example:8443", NULL};
    server_start(&srv, args);
    started = true;
}

TestSuite(cors, .init = start_listed, .fini = fixture_stop);

Test(cors, names_the_matching_origin)
{
    http_response r;
    /* asked twice each, so that the kept answer and its shared response
     * are in play: the shared one must never carry another's origin */
    for (int round = 0; round < 2; round++) {
        get("/v1/ports/401", "Origin: https://b.example:8443\r\n", 200, &r);
        assert_header(&r, "Access-Control-Allow-Origin", "https://b.example:8443");
        assert_header(&r, "Vary", "Origin");
        http_response_free(&r);
        get("/v1/ports/401", "Origin: https://c.example\r\n", 200, &r);
        assert_header(&r, "Access-Control-Allow-Origin", NULL);
        assert_header(&r, "Vary", "Origin");
        http_response_free(&r);
        get("/v1/ports/401", NULL, 200, &r);
        assert_header(&r, "Access-Control-Allow-Origin", NULL);
        http_response_free(&r);
        get("/v1/ports/401", "Origin: https://a.example\r\n", 200, &r);
        assert_header(&r, "Access-Control-Allow-Origin", "https://a.example");
        http_response_free(&r);
    }
    char etag[64], cond[256];
    get("/v1/ports/401", NULL, 200, &r);
    cr_assert_not_null(http_header(&r, "ETag", etag, sizeof etag));
    http_response_free(&r);
    snprintf(cond, sizeof cond, "If-None-Match: %s\r\nOrigin: https://a.example\r\n", etag);
    get("/v1/ports/401", cond, 304, &r);
    assert_header(&r, "Access-Control-Allow-Origin", "https://a.example");
    http_response_free(&r);
    /* errors and preflights name it too */
    get("/v1/ports/abc", "Origin: https://a.example\r\n", 400, &r);
    assert_header(&r, "Access-Control-Allow-Origin", "https://a.example");
    http_response_free(&r);
    http_request(srv.port, "OPTIONS", "/v1/check",
                 "Origin: https://a.example\r\nAccess-Control-Request-Method: POST\r\n", &r);
    cr_assert_eq(r.status, 204);
    assert_header(&r, "Access-Control-Allow-Origin", "https://a.example");
    http_response_free(&r);
}

/* ---- a malformed setting is a usage error ---- */

static int serve_with_cors(const char *setting)
{
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        dup2(null, 2);
        alarm(10); /* a server that did start is stopped by this */
        execl(PR_PORTREG, PR_PORTREG, "serve", "--listen", "127.0.0.1:0", "--data", SAMPLE_DIR,
              "--cors-origin", setting, (char *)NULL);
        _exit(127);
    }
    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

Test(cors_setting, malformed_is_refused)
{
    const char *bad[] = {"",
                         "https://a.example,",
                         ",https://a.example",
                         "https://a.example/",
                         "https://a.example/path",
                         "*,https://a.example",
                         "https://A.example",
                         "a.example",
                         "https://a.example:0",
                         "https://a.example:65536",
                         "https://a.example:080",
                         "null",
                         "https://a example"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        cr_assert_eq(serve_with_cors(bad[i]), 2, "--cors-origin '%s'", bad[i]);
}

/* POST /v1/check with deployment files (application/yaml) and the report
 * formats, on the real server with the built-in registry: each port's
 * verdict and place, every format's media type and shape, the host hazards
 * as query parameters, and the inputs refused with a 4xx problem. The
 * renderings themselves are validated against their schemas by
 * tests/reports; here, that the server answers with them. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "harness.h"

TestSuite(deploy, .init = fixture_registry, .fini = fixture_stop);

#define YAML_TYPE "Content-Type: application/yaml\r\n"

static const char compose[] = "name: shop\n"
                              "services:\n"
                              "  web:\n"
                              "    ports:\n"
                              "      - \"8080:80\"\n"
                              "      - \"127.0.0.1:5260:5260\"\n"
                              "  admin:\n"
                              "    ports:\n"
                              "      - target: 9000\n"
                              "        published: 5260\n";

static void post(const char *query, const char *headers, const char *body, size_t len,
                 http_response *r)
{
    char target[256];
    snprintf(target, sizeof target, "/v1/check%s%s", query ? "?" : "", query ? query : "");
    http_request_body(srv.port, "POST", target, headers, body, len, r);
}

static void assert_type(const http_response *r, const char *type)
{
    char got[128];
    cr_assert_eq(r->status, 200, "status %d: %s", r->status, r->body);
    cr_assert_str_eq(http_header(r, "Content-Type", got, sizeof got), type);
}

static json_t *verdict(json_t *answer, size_t i)
{
    json_t *v = json_array_get(json_object_get(answer, "verdicts"), i);
    cr_assert_not_null(v, "no verdict %zu", i);
    return v;
}

static long long origin_int(json_t *v, const char *key)
{
    return json_integer_value(json_object_get(json_object_get(v, "origin"), key));
}

static const char *origin_str(json_t *v, const char *key)
{
    return json_string_value(json_object_get(json_object_get(v, "origin"), key));
}

Test(deploy, a_compose_file_is_judged_port_by_port)
{
    http_response r;
    post("file=compose.yaml", YAML_TYPE, compose, strlen(compose), &r);
    assert_type(&r, "application/json");
    json_t *a = http_json(&r);
    http_response_free(&r);
    cr_assert(json_is_false(json_object_get(a, "ok")));
    cr_assert_eq(json_array_size(json_object_get(a, "verdicts")), 6);
    /* 80 (container side), 8080, 5260 (container), 5260, 9000 (container), 5260 */
    const struct {
        long long port, line, column;
        bool ok;
        const char *use, *first_reason;
    } want[] = {
        {80, 5, 9, true, "clash_only", NULL},    {8080, 5, 9, false, "choice", "assigned"},
        {5260, 6, 9, true, "clash_only", NULL},  {5260, 6, 9, false, "choice", "clash"},
        {9000, 9, 17, true, "clash_only", NULL}, {5260, 10, 20, false, "choice", "clash"},
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        json_t *v = verdict(a, i);
        cr_assert_eq(json_integer_value(json_object_get(v, "port")), want[i].port, "%zu", i);
        cr_assert_eq(json_is_true(json_object_get(v, "ok")), want[i].ok, "%zu", i);
        cr_assert_eq(origin_int(v, "line"), want[i].line, "%zu", i);
        cr_assert_eq(origin_int(v, "column"), want[i].column, "%zu", i);
        cr_assert_str_eq(origin_str(v, "file"), "compose.yaml");
        cr_assert_str_eq(origin_str(v, "use"), want[i].use, "%zu", i);
        json_t *reasons = json_object_get(v, "reasons");
        if (want[i].first_reason)
            cr_assert_str_eq(json_string_value(json_object_get(json_array_get(reasons, 0), "code")),
                             want[i].first_reason, "%zu", i);
        else
            cr_assert_eq(json_array_size(reasons), 0, "%zu", i);
    }
    cr_assert_str_eq(origin_str(verdict(a, 3), "scope"), "compose project shop");
    cr_assert_eq(json_array_size(json_object_get(a, "clashes")), 1);
    json_decref(a);
}

Test(deploy, every_format_through_format_or_accept)
{
    const struct {
        const char *query, *accept, *type, *starts;
    } cases[] = {
        {"format=sarif", NULL, "application/sarif+json", "{"},
        {NULL, "Accept: application/sarif+json\r\n", "application/sarif+json", "{"},
        {"format=junit", NULL, "application/xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"},
        {NULL, "Accept: text/html;q=0.9, text/xml\r\n", "application/xml", "<?xml"},
        {"format=text", NULL, "text/plain; charset=utf-8",
         "registry: 2026-08-17 (built-in)\nbody:5:9: 80/tcp"},
        {"format=github", NULL, "text/plain; charset=utf-8", "::error file=body,line=5,col=9,"},
        {"format=json", "Accept: application/xml\r\n", "application/json", "{\"ok\":false"},
        {NULL, "Accept: application/xml;q=0, */*\r\n", "application/json", "{\"ok\":false"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char headers[256];
        snprintf(headers, sizeof headers, "%s%s", YAML_TYPE,
                 cases[i].accept ? cases[i].accept : "");
        http_response r;
        post(cases[i].query, headers, compose, strlen(compose), &r);
        assert_type(&r, cases[i].type);
        cr_assert(strncmp(r.body, cases[i].starts, strlen(cases[i].starts)) == 0,
                  "case %zu: %.120s", i, r.body);
        if (strcmp(cases[i].type, "application/sarif+json") == 0) {
            json_t *log = http_json(&r);
            json_t *results =
                json_object_get(json_array_get(json_object_get(log, "runs"), 0), "results");
            /* a result per reason: 8080 assigned, and 5260's clash twice */
            cr_assert_eq(json_array_size(results), 3);
            json_t *region = json_object_get(
                json_object_get(
                    json_array_get(json_object_get(json_array_get(results, 0), "locations"), 0),
                    "physicalLocation"),
                "region");
            cr_assert_eq(json_integer_value(json_object_get(region, "startLine")), 5);
            json_decref(log);
        }
        char cc[64];
        cr_assert_str_eq(http_header(&r, "Cache-Control", cc, sizeof cc), "no-store");
        http_response_free(&r);
    }
}

Test(deploy, kubernetes_in_many_documents)
{
    static const char k8s[] = "apiVersion: v1\n"
                              "kind: Service\n"
                              "metadata: {name: api, namespace: shop}\n"
                              "spec:\n"
                              "  type: NodePort\n"
                              "  ports:\n"
                              "    - {name: http, port: 80, nodePort: 31080, protocol: TCP}\n"
                              "---\n"
                              "apiVersion: apps/v1\n"
                              "kind: Deployment\n"
                              "metadata: {name: api, namespace: shop}\n"
                              "spec:\n"
                              "  template:\n"
                              "    spec:\n"
                              "      containers:\n"
                              "        - name: api\n"
                              "          ports:\n"
                              "            - {name: http, containerPort: 8080, hostPort: 40001}\n";
    http_response r;
    post("file=k8s.yaml", YAML_TYPE, k8s, strlen(k8s), &r);
    assert_type(&r, "application/json");
    json_t *a = http_json(&r);
    http_response_free(&r);
    cr_assert_eq(json_array_size(json_object_get(a, "verdicts")), 4);
    cr_assert(json_is_true(json_object_get(verdict(a, 0), "ok")), "80 is http's own");
    cr_assert_str_eq(origin_str(verdict(a, 1), "use"), "node_port");
    cr_assert(json_is_true(json_object_get(verdict(a, 1), "ok")));
    cr_assert_str_eq(origin_str(verdict(a, 2), "use"), "clash_only");
    /* the hostPort is in Linux's ephemeral range */
    json_t *host = verdict(a, 3);
    cr_assert_eq(origin_int(host, "line"), 18);
    cr_assert_str_eq(json_string_value(json_object_get(
                         json_array_get(json_object_get(host, "reasons"), 0), "code")),
                     "linux_ephemeral");
    json_decref(a);
    post("file=k8s.yaml&hazards=none", YAML_TYPE, k8s, strlen(k8s), &r);
    a = http_json(&r);
    http_response_free(&r);
    cr_assert(json_is_true(json_object_get(a, "ok")), "no hazard, nothing against them");
    json_decref(a);
}

static void refused(const char *query, const char *body, size_t len, int status, const char *part)
{
    http_response r;
    post(query, YAML_TYPE, body, len, &r);
    cr_assert_eq(r.status, status, "status %d: %s", r.status, r.body);
    char type[64];
    cr_assert_str_eq(http_header(&r, "Content-Type", type, sizeof type),
                     "application/problem+json");
    json_t *p = http_json(&r);
    const char *detail = json_string_value(json_object_get(p, "detail"));
    cr_assert(detail && strstr(detail, part), "detail \"%s\" lacks \"%s\"", detail, part);
    json_decref(p);
    http_response_free(&r);
}

Test(deploy, bad_files_are_4xx_problems)
{
    const char malformed[] = "services:\n  web:\n    ports: [ \"80:80\"\n";
    refused("file=c.yaml", malformed, strlen(malformed), 400,
            "c.yaml: not readable YAML: line 4, column 1");
    const char unknown[] = "hello: world\n";
    refused(NULL, unknown, strlen(unknown), 400, "body:1:1: unknown kind");
    refused(NULL, "# only a comment\n", 17, 400, "body: empty");
    const char no_ports[] = "services:\n  web:\n    image: nginx\n";
    refused("file=c.yaml", no_ports, strlen(no_ports), 400, "c.yaml: no port in it to check");
    char deep[400];
    size_t n = (size_t)snprintf(deep, sizeof deep, "a: ");
    for (int i = 0; i < 100; i++)
        deep[n++] = '[';
    for (int i = 0; i < 100; i++)
        deep[n++] = ']';
    deep[n++] = '\n';
    refused(NULL, deep, n, 400, "nested more than 64 collections deep");
    /* more ports than the server's --max-manifest (100) */
    const char wide[] = "services:\n  web:\n    ports: [\"10000-10200:10000-10200\"]\n";
    refused(NULL, wide, strlen(wide), 413, "more than 100 ports in all");
    refused("format=pdf", compose, strlen(compose), 400, "format must be one of");
    refused("hazards=linux", compose, strlen(compose), 400, "hazards must be all, none");
    refused("from=3000&to=2000", compose, strlen(compose), 400, "from (3000) is above to (2000)");
}

Test(deploy, hazards_and_constrained_suggestions_on_get)
{
    http_response r;
    http_request(srv.port, "GET", "/v1/check?port=40001&protocol=tcp&count=3&from=20000&to=29000",
                 NULL, &r);
    cr_assert_eq(r.status, 200, "%s", r.body);
    json_t *v = http_json(&r);
    http_response_free(&r);
    cr_assert(json_is_false(json_object_get(v, "ok")));
    cr_assert_str_eq(json_string_value(
                         json_object_get(json_array_get(json_object_get(v, "reasons"), 0), "code")),
                     "linux_ephemeral");
    json_t *s = json_object_get(v, "suggestions");
    cr_assert_gt(json_array_size(s), 0);
    for (size_t i = 0; i < json_array_size(s); i++) {
        long long p = json_integer_value(json_array_get(s, i));
        cr_assert(p >= 20000 && p + 2 <= 29000, "%lld", p);
    }
    json_decref(v);
    http_request(srv.port, "GET", "/v1/check?port=40001&protocol=tcp&hazards=none", NULL, &r);
    v = http_json(&r);
    http_response_free(&r);
    cr_assert(json_is_true(json_object_get(v, "ok")));
    json_decref(v);
}

Test(deploy, a_json_manifest_groups_entries_by_scope)
{
    /* 5260/tcp in two scopes: no clash; twice in one scope: a clash */
    const char body[] = "[{\"port\": 5260, \"protocol\": \"tcp\", \"scope\": \"host-a\"},"
                        " {\"port\": 5260, \"protocol\": \"tcp\", \"scope\": \"host-b\"},"
                        " {\"port\": 5261, \"protocol\": \"tcp\", \"scope\": \"host-a\"},"
                        " {\"port\": 5261, \"protocol\": \"tcp\", \"scope\": \"host-a\"}]";
    http_response r;
    post(NULL, "Content-Type: application/json\r\n", body, strlen(body), &r);
    assert_type(&r, "application/json");
    json_t *a = http_json(&r);
    http_response_free(&r);
    json_t *clashes = json_object_get(a, "clashes");
    cr_assert_eq(json_array_size(clashes), 1);
    json_t *pair = json_object_get(json_array_get(clashes, 0), "entries");
    cr_assert_eq(json_integer_value(json_array_get(pair, 0)), 2);
    cr_assert_eq(json_integer_value(json_array_get(pair, 1)), 3);
    cr_assert(json_is_true(json_object_get(verdict(a, 0), "ok")));
    cr_assert(json_is_true(json_object_get(verdict(a, 1), "ok")));
    cr_assert(json_is_false(json_object_get(verdict(a, 2), "ok")));
    json_decref(a);
    const char bad[] = "[{\"port\": 5260, \"protocol\": \"tcp\", \"scope\": 7}]";
    post(NULL, "Content-Type: application/json\r\n", bad, strlen(bad), &r);
    cr_assert_eq(r.status, 400);
    cr_assert(strstr(r.body, "entry 0: scope must be a string of 1 to 64 bytes or null"), "%s",
              r.body);
    http_response_free(&r);
}

/* The targetPort rule through POST: the Service and its Deployment in one
 * multi-document body; the verdict at the Service's port, with the
 * reason's code and the targetPort's line. */
Test(deploy, a_target_port_name_no_selected_pod_declares)
{
    const char body[] = "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n"
                        "  selector: {app: web}\n"
                        "  ports:\n  - {name: admin, port: 28081, targetPort: admin}\n"
                        "---\n"
                        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n"
                        "  template:\n    metadata: {labels: {app: web}}\n    spec:\n"
                        "      containers:\n      - name: web\n"
                        "        ports: [{name: http, containerPort: 8080}]\n";
    http_response r;
    post("file=web.yaml", YAML_TYPE, body, strlen(body), &r);
    assert_type(&r, "application/json");
    json_t *a = http_json(&r);
    http_response_free(&r);
    cr_assert(json_is_false(json_object_get(a, "ok")));
    json_t *v = verdict(a, 0);
    cr_assert_eq(origin_int(v, "line"), 7);
    cr_assert(json_is_false(json_object_get(v, "ok")));
    json_t *reason = json_array_get(json_object_get(v, "reasons"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(reason, "code")), "target_port");
    cr_assert_str_eq(json_string_value(json_object_get(reason, "message")),
                     "targetPort \"admin\" (line 7, column 44) is no tcp port of the pod "
                     "templates the selector selects: Deployment web (http/tcp)");
    cr_assert(json_is_true(json_object_get(verdict(a, 1), "ok")), "the container's port");
    json_decref(a);
}

/* Every endpoint of the real server over HTTP, on the built-in sample data. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "harness.h"

TestSuite(sample, .init = fixture_sample, .fini = fixture_stop);

/* GET that must answer 200 with JSON; returns the parsed body. */
static json_t *get_json(const char *target, http_response *r)
{
    http_request(srv.port, "GET", target, NULL, r);
    cr_assert_eq(r->status, 200, "GET %s: status %d: %s", target, r->status, r->body);
    char type[128];
    cr_assert_str_eq(http_header(r, "Content-Type", type, sizeof type), "application/json");
    return http_json(r);
}

static void expect_problem(const char *method, const char *target, int status,
                           const char *detail_part)
{
    http_response r;
    http_request(srv.port, method, target, NULL, &r);
    cr_assert_eq(r.status, status, "%s %s: want %d, got %d: %s", method, target, status, r.status,
                 r.body);
    char value[256];
    cr_assert_str_eq(http_header(&r, "Content-Type", value, sizeof value),
                     "application/problem+json");
    cr_assert_str_eq(http_header(&r, "Cache-Control", value, sizeof value), "no-store");
    cr_assert_null(http_header(&r, "ETag", value, sizeof value), "errors carry no ETag");
    cr_assert_str_eq(http_header(&r, "Access-Control-Allow-Origin", value, sizeof value), "*");
    json_t *p = http_json(&r);
    cr_assert_eq(json_integer_value(json_object_get(p, "status")), status);
    cr_assert_str_eq(json_string_value(json_object_get(p, "type")), "about:blank");
    cr_assert_not_null(json_string_value(json_object_get(p, "title")));
    const char *detail = json_string_value(json_object_get(p, "detail"));
    cr_assert(detail && strstr(detail, detail_part), "detail \"%s\" lacks \"%s\"", detail,
              detail_part);
    json_decref(p);
    http_response_free(&r);
}

static json_t *record_at(json_t *list, size_t i)
{
    json_t *rec = json_array_get(list, i);
    cr_assert_not_null(rec, "no record at %zu", i);
    return rec;
}

Test(sample, port_3493_lists_nut_with_status_per_protocol)
{
    http_response r;
    json_t *j = get_json("/v1/ports/3493", &r);
    cr_assert_eq(json_integer_value(json_object_get(j, "port")), 3493);
    cr_assert_str_eq(json_string_value(json_object_get(j, "range_class")), "user");
    json_t *status = json_object_get(j, "status");
    cr_assert_str_eq(json_string_value(json_object_get(status, "tcp")), "assigned");
    cr_assert_str_eq(json_string_value(json_object_get(status, "udp")), "assigned");
    cr_assert_str_eq(json_string_value(json_object_get(status, "sctp")), "unassigned");
    json_t *records = json_object_get(j, "records");
    cr_assert_eq(json_array_size(records), 2);
    json_t *tcp = record_at(records, 0);
    cr_assert_str_eq(json_string_value(json_object_get(tcp, "service")), "nut");
    cr_assert_str_eq(json_string_value(json_object_get(tcp, "protocol")), "tcp");
    cr_assert_str_eq(json_string_value(json_array_get(json_object_get(tcp, "assignee"), 0)),
                     "Network_UPS_Tools_Project");
    cr_assert_str_eq(json_string_value(json_array_get(json_object_get(tcp, "contact"), 0)),
                     "Evgeny_Klimov");
    cr_assert_str_eq(json_string_value(json_object_get(tcp, "registered")), "2002-05");
    cr_assert_str_eq(json_string_value(json_object_get(tcp, "modified")), "2022-05-18");
    cr_assert_str_eq(json_string_value(json_array_get(json_object_get(tcp, "reference"), 0)),
                     "RFC9271");
    cr_assert(json_is_null(json_object_get(tcp, "range")));
    json_t *udp = record_at(records, 1);
    cr_assert_str_eq(json_string_value(json_object_get(udp, "modified")), "2020-12-16");
    cr_assert_eq(json_array_size(json_object_get(udp, "reference")), 0);

    char value[128];
    const char *etag = http_header(&r, "ETag", value, sizeof value);
    cr_assert(etag && strlen(etag) == 34 && etag[0] == '"' && etag[33] == '"', "ETag %s", etag);
    cr_assert_str_eq(http_header(&r, "Cache-Control", value, sizeof value), "public, max-age=3600");
    /* the sample's newest date is 2022-08-12 (geognosis' modification) */
    cr_assert_str_eq(http_header(&r, "Last-Modified", value, sizeof value),
                     "Fri, 12 Aug 2022 00:00:00 GMT");
    cr_assert_str_eq(http_header(&r, "Access-Control-Allow-Origin", value, sizeof value), "*");
    json_decref(j);
    http_response_free(&r);
}

Test(sample, a_port_inside_a_range_finds_the_range)
{
    http_response r;
    json_t *j = get_json("/v1/ports/5260", &r);
    json_t *rec = record_at(json_object_get(j, "records"), 0);
    cr_assert_eq(json_array_size(json_object_get(j, "records")), 1);
    cr_assert_str_eq(json_string_value(json_object_get(rec, "description")), "Unassigned");
    cr_assert_eq(json_integer_value(json_object_get(json_object_get(rec, "range"), "first")), 5255);
    cr_assert_eq(json_integer_value(json_object_get(json_object_get(rec, "range"), "last")), 5263);
    cr_assert_eq(json_integer_value(json_object_get(rec, "port")), 5255);
    cr_assert(json_is_null(json_object_get(rec, "protocol")));
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "status"), "tcp")),
                     "unassigned");
    json_decref(j);
    http_response_free(&r);
}

Test(sample, port_and_protocol)
{
    http_response r;
    json_t *j = get_json("/v1/ports/4726/tcp", &r);
    cr_assert_str_eq(json_string_value(json_object_get(j, "protocol")), "tcp");
    cr_assert_str_eq(json_string_value(json_object_get(j, "status")), "reserved");
    cr_assert_eq(json_array_size(json_object_get(j, "records")), 1);
    json_decref(j);
    http_response_free(&r);

    j = get_json("/v1/ports/4726/UDP", &r);
    cr_assert_str_eq(json_string_value(json_object_get(j, "protocol")), "udp");
    cr_assert_str_eq(json_string_value(json_object_get(j, "status")), "assigned");
    json_t *rec = record_at(json_object_get(j, "records"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(rec, "service")), "a26-fap-fgw");
    json_decref(j);
    http_response_free(&r);

    j = get_json("/v1/ports/60000/sctp", &r);
    cr_assert_str_eq(json_string_value(json_object_get(j, "status")), "dynamic");
    cr_assert_str_eq(json_string_value(json_object_get(j, "range_class")), "dynamic");
    cr_assert_eq(json_array_size(json_object_get(j, "records")), 0);
    json_decref(j);
    http_response_free(&r);

    j = get_json("/v1/ports/0", &r);
    cr_assert_str_eq(json_string_value(json_object_get(j, "range_class")), "system");
    json_decref(j);
    http_response_free(&r);
}

Test(sample, service_by_name_is_case_insensitive)
{
    http_response r;
    json_t *j = get_json("/v1/services/NUT", &r);
    cr_assert_str_eq(json_string_value(json_object_get(j, "service")), "nut");
    cr_assert_eq(json_array_size(json_object_get(j, "records")), 2);
    json_decref(j);
    http_response_free(&r);
    expect_problem("GET", "/v1/services/no-such-service", 404, "no-such-service");
}

Test(sample, services_list_filters_and_links)
{
    http_response r;
    json_t *j = get_json("/v1/services?protocol=tcp&status=assigned&limit=3&offset=3", &r);
    cr_assert_eq(json_integer_value(json_object_get(j, "limit")), 3);
    cr_assert_eq(json_integer_value(json_object_get(j, "offset")), 3);
    json_t *items = json_object_get(j, "items");
    cr_assert_eq(json_array_size(items), 3);
    for (size_t i = 0; i < 3; i++) {
        cr_assert_str_eq(json_string_value(json_object_get(record_at(items, i), "protocol")),
                         "tcp");
        cr_assert_str_eq(json_string_value(json_object_get(record_at(items, i), "status")),
                         "assigned");
    }
    char link[1024];
    cr_assert_not_null(http_header(&r, "Link", link, sizeof link));
    cr_assert(strstr(link, "</v1/services?protocol=tcp&status=assigned&limit=3&offset=6>; "
                           "rel=\"next\""),
              "%s", link);
    cr_assert(strstr(link, "</v1/services?protocol=tcp&status=assigned&limit=3&offset=0>; "
                           "rel=\"prev\""),
              "%s", link);
    json_decref(j);
    http_response_free(&r);

    j = get_json("/v1/services?assignee=Network_UPS_Tools_Project", &r);
    cr_assert_eq(json_integer_value(json_object_get(j, "total")), 2);
    json_decref(j);
    http_response_free(&r);

    j = get_json("/v1/services?port=5260", &r);
    cr_assert_eq(json_integer_value(json_object_get(j, "total")), 1);
    json_decref(j);
    http_response_free(&r);

    j = get_json("/v1/services?protocol=none", &r);
    json_t *items2 = json_object_get(j, "items");
    cr_assert_gt(json_array_size(items2), 0);
    cr_assert(json_is_null(json_object_get(record_at(items2, 0), "protocol")));
    json_decref(j);
    http_response_free(&r);

    j = get_json("/v1/services?contact=Nobody_At_All", &r);
    cr_assert_eq(json_integer_value(json_object_get(j, "total")), 0);
    json_decref(j);
    http_response_free(&r);
}

/* A search or page asked again is served from the kept answer: the same
 * bytes and headers, Link included, and its 304 on revalidation. */
Test(sample, a_repeated_page_is_answered_alike)
{
    const char *target = "/v1/search?q=ups&limit=4&offset=4";
    http_response first, again, n;
    http_request(srv.port, "GET", target, NULL, &first);
    for (int i = 0; i < 3; i++) {
        http_request(srv.port, "GET", target, NULL, &again);
        cr_assert_eq(again.status, 200);
        cr_assert_eq(again.body_len, first.body_len);
        cr_assert_eq(memcmp(again.body, first.body, first.body_len), 0);
        const char *fields[] = {"ETag", "Link", "Content-Type", "Cache-Control", "Content-Length"};
        for (size_t f = 0; f < sizeof fields / sizeof *fields; f++) {
            char a[1024], b[1024];
            cr_assert_not_null(http_header(&first, fields[f], a, sizeof a), "%s", fields[f]);
            cr_assert_str_eq(http_header(&again, fields[f], b, sizeof b), a, "%s", fields[f]);
        }
        http_response_free(&again);
    }
    char etag[64], inm[128];
    http_header(&first, "ETag", etag, sizeof etag);
    snprintf(inm, sizeof inm, "If-None-Match: %s\r\n", etag);
    http_request(srv.port, "GET", target, inm, &n);
    cr_assert_eq(n.status, 304);
    cr_assert_eq(n.body_len, 0);
    http_response_free(&n);
    http_response_free(&first);
}

Test(sample, search_ups_gives_the_seed_results)
{
    http_response r;
    json_t *j = get_json("/v1/search?q=UPS", &r);
    cr_assert_eq(json_integer_value(json_object_get(j, "total")), 27);
    cr_assert_eq(json_array_size(json_object_get(j, "items")), 27);
    json_t *contacts = json_object_get(j, "contacts");
    cr_assert_eq(json_array_size(contacts), 12);
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(contacts, 0), "id")),
                     "Brian_Schenkenberger");
    json_decref(j);
    http_response_free(&r);

    /* IANA's search also matches the port number: 3493 holds no "ups" */
    j = get_json("/v1/search?q=349", &r);
    cr_assert_str_eq(
        json_string_value(json_object_get(record_at(json_object_get(j, "items"), 0), "service")),
        "nut");
    json_decref(j);
    http_response_free(&r);
}

Test(sample, contacts_and_assignees)
{
    http_response r;
    json_t *j = get_json("/v1/contacts/Network_UPS_Tools_Project", &r);
    /* the seed shows "Network UPS Tools Project" as if a name; IANA has it as the organization */
    cr_assert(json_is_null(json_object_get(j, "name")));
    cr_assert_str_eq(json_string_value(json_object_get(j, "organization")),
                     "Network UPS Tools Project");
    cr_assert_str_eq(json_string_value(json_object_get(j, "uri")),
                     "mailto:iana&networkupstools.org");
    cr_assert_str_eq(json_string_value(json_object_get(j, "email")), "iana@networkupstools.org");
    cr_assert_str_eq(json_string_value(json_object_get(j, "updated")), "2020-12-16");
    cr_assert_eq(json_array_size(json_object_get(j, "records")), 2);
    json_decref(j);
    http_response_free(&r);

    /* a contact (not assignee) of nut lists nut among its records */
    j = get_json("/v1/contacts/Evgeny_Klimov", &r);
    cr_assert_eq(json_array_size(json_object_get(j, "records")), 2);
    json_decref(j);
    http_response_free(&r);
    expect_problem("GET", "/v1/assignees/Evgeny_Klimov", 404, "Evgeny_Klimov");

    j = get_json("/v1/assignees/Network_UPS_Tools_Project", &r);
    cr_assert_eq(json_array_size(json_object_get(j, "records")), 2);
    json_decref(j);
    http_response_free(&r);

    j = get_json("/v1/assignees?sort=count&limit=1", &r);
    json_t *top = json_array_get(json_object_get(j, "items"), 0);
    cr_assert_geq(json_integer_value(json_object_get(top, "count")), 2);
    json_decref(j);
    http_response_free(&r);

    j = get_json("/v1/contacts?q=ietf", &r);
    cr_assert_eq(json_integer_value(json_object_get(j, "total")), 2); /* IESG, IETF_Chair */
    json_decref(j);
    http_response_free(&r);
    expect_problem("GET", "/v1/contacts/Nobody_At_All", 404, "Nobody_At_All");
}

Test(sample, registry_root_and_openapi)
{
    http_response r;
    json_t *j = get_json("/v1/registry", &r);
    cr_assert_eq(json_integer_value(json_object_get(j, "records")), 128);
    cr_assert_eq(json_integer_value(json_object_get(j, "contacts")), 55);
    cr_assert_str_eq(json_string_value(json_object_get(j, "updated")), "2022-08-12");
    cr_assert_eq(json_array_size(json_object_get(j, "files")), 2);
    json_decref(j);
    http_response_free(&r);

    j = get_json("/", &r);
    cr_assert_str_eq(json_string_value(json_object_get(j, "name")), "portreg");
    json_decref(j);
    http_response_free(&r);

    http_request(srv.port, "GET", "/openapi.yaml", NULL, &r);
    char type[64];
    cr_assert_eq(r.status, 200);
    cr_assert_str_eq(http_header(&r, "Content-Type", type, sizeof type), "application/yaml");
    cr_assert(strncmp(r.body, "openapi: 3.1", 12) == 0, "%.40s", r.body);
    http_response_free(&r);
}

Test(sample, revalidation_answers_304)
{
    http_response r, n;
    http_request(srv.port, "GET", "/v1/services/nut", NULL, &r);
    char etag[64], value[256], length[32];
    cr_assert_not_null(http_header(&r, "ETag", etag, sizeof etag));
    snprintf(length, sizeof length, "%zu", r.body_len);

    /* a list, a weak form, "*", and an empty list element (RFC 9110 5.6.1) */
    char forms[4][256];
    snprintf(forms[0], sizeof forms[0], "If-None-Match: %s\r\n", etag);
    snprintf(forms[1], sizeof forms[1], "If-None-Match: \"nope\", W/%s\r\n", etag);
    snprintf(forms[2], sizeof forms[2], "If-None-Match: *\r\n");
    snprintf(forms[3], sizeof forms[3], "If-None-Match: \"a\",, %s\r\n", etag);
    for (size_t i = 0; i < 4; i++) {
        const char *hdr = forms[i];
        http_request(srv.port, "GET", "/v1/services/nut", hdr, &n);
        cr_assert_eq(n.status, 304, "%s", hdr);
        cr_assert_eq(n.body_len, 0);
        cr_assert_str_eq(http_header(&n, "ETag", value, sizeof value), etag);
        cr_assert_str_eq(http_header(&n, "Cache-Control", value, sizeof value),
                         "public, max-age=3600");
        cr_assert_not_null(http_header(&n, "Last-Modified", value, sizeof value));
        /* RFC 9110 8.6: if sent, it must be the length the 200 would have */
        const char *cl = http_header(&n, "Content-Length", value, sizeof value);
        cr_assert(!cl || strcmp(cl, length) == 0, "304 Content-Length %s, 200 had %s", cl, length);
        http_response_free(&n);
    }
    http_request(srv.port, "GET", "/v1/services/nut", "If-None-Match: \"other\"\r\n", &n);
    cr_assert_eq(n.status, 200);
    http_response_free(&n);

    /* If-Modified-Since counts only without If-None-Match (RFC 9110 13.2.2) */
    http_request(srv.port, "GET", "/v1/services/nut",
                 "If-Modified-Since: Fri, 12 Aug 2022 00:00:00 GMT\r\n", &n);
    cr_assert_eq(n.status, 304);
    http_response_free(&n);
    http_request(srv.port, "GET", "/v1/services/nut",
                 "If-Modified-Since: Thu, 11 Aug 2022 23:59:59 GMT\r\n", &n);
    cr_assert_eq(n.status, 200);
    http_response_free(&n);
    http_request(srv.port, "GET", "/v1/services/nut",
                 "If-None-Match: \"other\"\r\nIf-Modified-Since: Fri, 12 Aug 2022 00:00:00 GMT\r\n",
                 &n);
    cr_assert_eq(n.status, 200);
    http_response_free(&n);

    /* lists are rendered per request, and revalidate just the same */
    http_response l;
    http_request(srv.port, "GET", "/v1/search?q=ups", NULL, &l);
    char hdr[128];
    snprintf(hdr, sizeof hdr, "If-None-Match: %s\r\n", http_header(&l, "ETag", etag, sizeof etag));
    http_request(srv.port, "GET", "/v1/search?q=ups", hdr, &n);
    cr_assert_eq(n.status, 304);
    http_response_free(&n);
    http_response_free(&l);
    http_response_free(&r);
}

Test(sample, head_answers_like_get_without_body)
{
    http_response g, h;
    http_request(srv.port, "GET", "/v1/ports/3493", NULL, &g);
    http_request(srv.port, "HEAD", "/v1/ports/3493", NULL, &h);
    cr_assert_eq(h.status, 200);
    cr_assert_eq(h.body_len, 0);
    char a[128], b[128];
    cr_assert_str_eq(http_header(&h, "ETag", a, sizeof a), http_header(&g, "ETag", b, sizeof b));
    cr_assert_str_eq(http_header(&h, "Content-Length", a, sizeof a),
                     http_header(&g, "Content-Length", b, sizeof b));
    http_response_free(&g);
    http_response_free(&h);
}

Test(sample, connections_stay_alive)
{
    int fd = http_connect(srv.port);
    http_response r;
    const char *targets[] = {"/v1/ports/3493", "/v1/services/nut", "/v1/search?q=ups",
                             "/v1/ports/70000", "/v1/services/nut"};
    for (size_t i = 0; i < sizeof targets / sizeof *targets; i++) {
        cr_assert(http_send(fd, "GET", targets[i], NULL, &r), "request %zu on one connection", i);
        cr_assert(!r.closed, "the server closed the connection after %s", targets[i]);
        http_response_free(&r);
    }
    /* a 304 leaves no stray body bytes on the connection */
    char etag[64], hdr[128];
    cr_assert(http_send(fd, "GET", "/v1/ports/1", NULL, &r));
    snprintf(hdr, sizeof hdr, "If-None-Match: %s\r\n", http_header(&r, "ETag", etag, sizeof etag));
    http_response_free(&r);
    cr_assert(http_send(fd, "GET", "/v1/ports/1", hdr, &r));
    cr_assert_eq(r.status, 304);
    http_response_free(&r);
    cr_assert(http_send(fd, "GET", "/v1/registry", NULL, &r));
    cr_assert_eq(r.status, 200);
    json_decref(http_json(&r));
    http_response_free(&r);
    close(fd);
}

Test(sample, cors_preflight_and_options)
{
    http_response r;
    http_request(srv.port, "OPTIONS", "/v1/ports/3493",
                 "Origin: https://dash.example\r\nAccess-Control-Request-Method: GET\r\n"
                 "Access-Control-Request-Headers: If-None-Match\r\n",
                 &r);
    cr_assert_eq(r.status, 204);
    char v[256];
    cr_assert_str_eq(http_header(&r, "Access-Control-Allow-Origin", v, sizeof v), "*");
    cr_assert(strstr(http_header(&r, "Access-Control-Allow-Methods", v, sizeof v), "GET"));
    cr_assert(
        strstr(http_header(&r, "Access-Control-Allow-Headers", v, sizeof v), "If-None-Match"));
    cr_assert_str_eq(http_header(&r, "Allow", v, sizeof v), "GET, HEAD, OPTIONS");
    http_response_free(&r);
}

Test(sample, errors_are_problem_details)
{
    expect_problem("GET", "/v1/ports/abc", 400, "not a port number");
    expect_problem("GET", "/v1/ports/70000", 400, "70000");
    expect_problem("GET", "/v1/ports/-1", 400, "not a port number");
    expect_problem("GET", "/v1/ports/3493/xtp", 400, "not a transport protocol");
    expect_problem("GET", "/v1/services?limit=0", 400, "limit");
    expect_problem("GET", "/v1/services?limit=1001", 400, "limit");
    expect_problem("GET", "/v1/services?offset=x", 400, "offset");
    expect_problem("GET", "/v1/services?status=free", 400, "status");
    expect_problem("GET", "/v1/services?protcol=tcp", 400, "unknown query parameter");
    expect_problem("GET", "/v1/services?q=a&q=b", 400, "more than once");
    expect_problem("GET", "/v1/search", 400, "required");
    expect_problem("GET", "/v1/search?q=", 400, "1 to 256 bytes");
    char longq[400] = "/v1/search?q=";
    memset(longq + strlen(longq), 'a', 257);
    expect_problem("GET", longq, 400, "1 to 256 bytes");
    expect_problem("GET", "/v1/assignees?sort=name", 400, "sort");
    http_record(false);
    expect_problem("GET", "/v1/nothing-here", 404, "no such resource");
    expect_problem("GET", "/v1/ports/3493/tcp/more", 404, "no such resource");
    http_record(true);
    expect_problem("DELETE", "/v1/ports/3493", 405, "GET, HEAD, OPTIONS");
    expect_problem("POST", "/v1/services", 405, "GET, HEAD, OPTIONS");
    http_response r;
    http_request(srv.port, "PUT", "/v1/registry", NULL, &r);
    char v[64];
    cr_assert_str_eq(http_header(&r, "Allow", v, sizeof v), "GET, HEAD, OPTIONS");
    http_response_free(&r);
}

Test(sample, etags_are_the_same_after_a_restart)
{
    const char *targets[] = {"/v1/ports/3493", "/v1/search?q=ups", "/v1/registry",
                             "/v1/contacts?limit=5"};
    char before[4][64];
    http_response r;
    for (int i = 0; i < 4; i++) {
        http_request(srv.port, "GET", targets[i], NULL, &r);
        http_header(&r, "ETag", before[i], sizeof before[i]);
        http_response_free(&r);
    }
    server other;
    const char *args[] = {"--data", SAMPLE_DIR, NULL};
    server_start(&other, args);
    for (int i = 0; i < 4; i++) {
        char after[64];
        http_request(other.port, "GET", targets[i], NULL, &r);
        cr_assert_str_eq(http_header(&r, "ETag", after, sizeof after), before[i], "%s", targets[i]);
        http_response_free(&r);
    }
    cr_assert_eq(server_stop(&other), 0);
}

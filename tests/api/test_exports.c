/* /v1/changes, /v1/export/services, /v1/export/ip_local_reserved_ports, the
 * list parameters, /v1/check?port=PORT/PROTOCOL and the index of GET /.
 * Expected answers come from the sample CSV read here, not from data/. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api_test.h"
#include "fixture.h"
#include "routes.h"

static table_rows records;

static void setup(void)
{
    fixture_sample();
    records = table_read(SAMPLE_DIR "/" PR_RECORDS_FILE);
}

static void teardown(void)
{
    table_free(&records);
    fixture_close();
}

TestSuite(exports, .init = setup, .fini = teardown);

/* The exchange before is ended first: each answer is freed in turn. */
static json_t *fresh_get(const char *target)
{
    exchange_end(&ex);
    return get_ok(api, &ex, target);
}

static void bad(const char *target, int status, const char *parameter)
{
    exchange_end(&ex);
    exchange_run(api, &ex, PR_GET, target);
    assert_problem(&ex, status, parameter);
}

/* ---- /v1/changes ---- */

/* A date cell as YYYYMMDD, a missing month or day taken as 1; 0 if empty. */
static unsigned day_of(const char *cell)
{
    unsigned y = 0, m = 1, d = 1;
    if (!cell[0])
        return 0;
    int got = sscanf(cell, "%u-%u-%u", &y, &m, &d);
    cr_assert_geq(got, 1, "date %s", cell);
    return y * 10000 + m * 100 + d;
}

static unsigned row_change(char **row)
{
    unsigned r = day_of(row[COL_REGISTERED]), m = day_of(row[COL_MODIFIED]);
    return m > r ? m : r;
}

/* The rows changed on or after since, newest first, ties in file order. */
static size_t expected_changes(unsigned since, size_t *out)
{
    size_t n = 0;
    for (size_t i = 0; i < records.count; i++)
        if (row_change(records.rows[i]) && row_change(records.rows[i]) >= since)
            out[n++] = i;
    for (size_t a = 1; a < n; a++) /* insertion sort: stable */
        for (size_t b = a;
             b > 0 && row_change(records.rows[out[b]]) > row_change(records.rows[out[b - 1]]);
             b--) {
            size_t t = out[b];
            out[b] = out[b - 1];
            out[b - 1] = t;
        }
    return n;
}

static const char *text_or_empty(const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);
    return json_is_string(v) ? json_string_value(v) : "";
}

static void assert_changes(const char *since_text, unsigned since)
{
    size_t *want = malloc((records.count + 1) * sizeof *want);
    size_t n = expected_changes(since, want);
    char target[128];
    snprintf(target, sizeof target, "/v1/changes?since=%s&limit=1000", since_text);
    json_t *j = fresh_get(target);
    cr_assert_eq(member_int(j, "total"), (long long)n, "%s", target);
    cr_assert_str_eq(member_str(j, "since"), since_text);
    json_t *items = member_array(j, "items");
    cr_assert_eq(json_array_size(items), n);
    for (size_t i = 0; i < n; i++) {
        char **row = records.rows[want[i]];
        json_t *item = json_array_get(items, i);
        cr_assert_str_eq(text_or_empty(item, "description"), row[COL_DESC], "%s item %zu", target,
                         i);
        cr_assert_str_eq(text_or_empty(item, "protocol"), row[COL_PROTO]);
        cr_assert_str_eq(text_or_empty(item, "registered"), row[COL_REGISTERED]);
        cr_assert_str_eq(text_or_empty(item, "modified"), row[COL_MODIFIED]);
    }
    free(want);
}

Test(exports, changes_newest_first)
{
    assert_changes("2014-01-01", 20140101);
    assert_changes("2000-01-01", 20000101);
    assert_changes("2099-12-31", 20991231);
}

Test(exports, changes_month_counts_from_its_first_day)
{
    /* arkivio was registered 2002-02: it counts from 2002-02-01 */
    assert_changes("2002-02-01", 20020201);
    json_t *j = fresh_get("/v1/changes?since=2002-02-01&limit=1000");
    json_t *items = member_array(j, "items");
    cr_assert_str_eq(member_str(json_array_get(items, json_array_size(items) - 1), "service"),
                     "arkivio");
    j = fresh_get("/v1/changes?since=2002-02-02&limit=1000");
    items = member_array(j, "items");
    cr_assert_str_neq(member_str(json_array_get(items, json_array_size(items) - 1), "service"),
                      "arkivio");
}

Test(exports, changes_pages)
{
    json_t *all = json_deep_copy(member_array(fresh_get("/v1/changes?since=2002-01-01"), "items"));
    long long total = member_int(ex.json, "total");
    cr_assert_gt(total, 4);
    json_t *j = fresh_get("/v1/changes?since=2002-01-01&limit=2&offset=2");
    cr_assert_eq(member_int(j, "total"), total);
    cr_assert(json_equal(json_array_get(member_array(j, "items"), 0), json_array_get(all, 2)));
    cr_assert(json_equal(json_array_get(member_array(j, "items"), 1), json_array_get(all, 3)));
    cr_assert_not_null(
        strstr(ex.resp.link, "</v1/changes?since=2002-01-01&limit=2&offset=4>; rel=\"next\""), "%s",
        ex.resp.link);
    cr_assert_not_null(strstr(ex.resp.link, "offset=0>; rel=\"prev\""), "%s", ex.resp.link);
    json_decref(all);
}

Test(exports, changes_bad_since)
{
    bad("/v1/changes", 400, "since");
    bad("/v1/changes?since=2020", 400, "since");
    bad("/v1/changes?since=2020-05", 400, "since");
    bad("/v1/changes?since=2020-02-30", 400, "since");
    bad("/v1/changes?since=2020-1-01", 400, "since");
    bad("/v1/changes?since=yesterday", 400, "since");
    bad("/v1/changes?since=2020-01-01T00:00", 400, "since");
    bad("/v1/changes?since=2020-01-01&since=2020-01-02", 400, "since");
    bad("/v1/changes?since=2020-01-01&limit=0", 400, "limit");
}

/* ---- /v1/export/services ---- */

static size_t col_after(const char *s, size_t n, size_t col)
{
    for (size_t i = 0; i < n; i++)
        col = s[i] == '\t' ? (col / 8 + 1) * 8 : col + 1;
    return col;
}

typedef struct line {
    char name[128], where[32], aliases[512];
} line;

/* Splits one services(5) line and checks its columns: the name at 0, then
 * PORT/PROTOCOL, the aliases and the comment at the next of 16, 32 and 48
 * that the field before leaves free, tabs between them. */
static void parse_line(const char *s, size_t n, line *out)
{
    memset(out, 0, sizeof *out);
    size_t i = 0, col = 0;
    const size_t stops[] = {16, 32, 48};
    char *fields[] = {out->name, out->where, out->aliases};
    size_t sizes[] = {sizeof out->name, sizeof out->where, sizeof out->aliases};
    for (int f = 0; f < 3 && i < n && s[i] != '#'; f++) {
        size_t start = i;
        while (i < n && s[i] != '\t')
            i++;
        cr_assert_lt(i - start, sizes[f]);
        memcpy(fields[f], s + start, i - start);
        col = col_after(s + start, i - start, col);
        size_t tabs = i;
        while (i < n && s[i] == '\t')
            i++;
        col = col_after(s + tabs, i - tabs, col);
        /* an empty aliases field: the comment follows at 48 */
        if (f == 1 && i < n && s[i] == '#')
            cr_assert_eq(col, 48, "%.*s", (int)n, s);
        else if (i < n)
            cr_assert(col >= stops[f] && (col == stops[f] || i - tabs == 1),
                      "%.*s: field %d ends at column %zu", (int)n, s, f, col);
    }
    cr_assert(out->name[0] && out->where[0], "%.*s", (int)n, s);
    if (i < n)
        cr_assert(s[i] == '#' && s[i + 1] == ' ', "%.*s", (int)n, s);
}

/* Where name/proto is written, as line name or alias: its port, or -1. */
static long written_at(const char *file, const char *name, const char *proto, int *times)
{
    long at = -1;
    *times = 0;
    for (const char *s = file; *s;) {
        const char *end = strchr(s, '\n');
        size_t n = end ? (size_t)(end - s) : strlen(s);
        if (n && s[0] != '#') {
            line l;
            parse_line(s, n, &l);
            unsigned port;
            char p[8];
            cr_assert_eq(sscanf(l.where, "%u/%7s", &port, p), 2, "%s", l.where);
            if (!strcmp(p, proto)) {
                bool found = !strcasecmp(l.name, name);
                char *save = NULL;
                for (char *t = strtok_r(l.aliases, " ", &save); t && !found;
                     t = strtok_r(NULL, " ", &save))
                    found = !strcasecmp(t, name);
                if (found) {
                    (*times)++;
                    at = port;
                }
            }
        }
        s += n + (end != NULL);
    }
    return at;
}

Test(exports, services_file)
{
    exchange_end(&ex);
    exchange_run(api, &ex, PR_GET, "/v1/export/services");
    cr_assert_eq(ex.resp.status, 200);
    cr_assert_str_eq(ex.resp.content_type, "text/plain; charset=utf-8");
    cr_assert(ex.resp.cacheable);
    char *file = strndup(ex.resp.body->data, ex.resp.body->len);
    cr_assert_eq(strncmp(file, "# Network services, Internet style\n", 35), 0);
    cr_assert_eq(file[strlen(file) - 1], '\n');
    /* every named, numbered record with a protocol is written, once per
     * name and protocol, at its name's lowest port */
    for (size_t i = 0; i < records.count; i++) {
        char **row = records.rows[i];
        if (!row[COL_SERVICE][0] || !row[COL_PROTO][0] || !row[COL_PORT][0])
            continue;
        unsigned lowest = 65536;
        for (size_t k = 0; k < records.count; k++)
            if (!strcasecmp(records.rows[k][COL_SERVICE], row[COL_SERVICE]) &&
                !strcmp(records.rows[k][COL_PROTO], row[COL_PROTO]) &&
                records.rows[k][COL_PORT][0] && (unsigned)atoi(records.rows[k][COL_PORT]) < lowest)
                lowest = (unsigned)atoi(records.rows[k][COL_PORT]);
        int times;
        long at = written_at(file, row[COL_SERVICE], row[COL_PROTO], &times);
        cr_assert_eq(times, 1, "%s/%s written %d times", row[COL_SERVICE], row[COL_PROTO], times);
        cr_assert_eq(at, (long)lowest, "%s/%s", row[COL_SERVICE], row[COL_PROTO]);
    }
    cr_assert_not_null(strstr(file, "\nups\t\t401/tcp\t\t\t\t# Uninterruptible Power Supply\n"));
    free(file);
    /* rendered once: the same body, borrowed from the cache */
    const pr_body *first = ex.resp.body;
    exchange_end(&ex);
    exchange_run(api, &ex, PR_GET, "/v1/export/services");
    cr_assert_eq(ex.resp.body, first);
    cr_assert_not(ex.resp.body_owned);
}

Test(exports, services_file_takes_no_parameters)
{
    bad("/v1/export/services?protocol=tcp", 400, "protocol");
}

/* ---- /v1/export/ip_local_reserved_ports ---- */

static void reserved(const char *target, const char *want)
{
    exchange_end(&ex);
    exchange_run(api, &ex, PR_GET, target);
    cr_assert_eq(ex.resp.status, 200, "%s: %d", target, ex.resp.status);
    cr_assert_str_eq(ex.resp.content_type, "text/plain; charset=utf-8");
    cr_assert_eq(ex.resp.body->len, strlen(want) + 1, "%s: %.*s", target, (int)ex.resp.body->len,
                 ex.resp.body->data);
    cr_assert_eq(memcmp(ex.resp.body->data, want, strlen(want)), 0, "%s: %.*s", target,
                 (int)ex.resp.body->len, ex.resp.body->data);
    cr_assert_eq(ex.resp.body->data[strlen(want)], '\n');
}

Test(exports, reserved_ports)
{
    reserved("/v1/export/ip_local_reserved_ports?services=sips,ups", "401,5061");
    reserved("/v1/export/ip_local_reserved_ports?services=ups&services=SIPS", "401,5061");
    /* 5264 and 5265 are adjacent: one range */
    reserved("/v1/export/ip_local_reserved_ports?services=3com-njack-2,3com-njack-1,ups",
             "401,5264-5265");
    reserved("/v1/export/ip_local_reserved_ports?services=sip,sips,sip", "5060-5061");
}

Test(exports, reserved_ports_errors)
{
    bad("/v1/export/ip_local_reserved_ports", 400, "services");
    bad("/v1/export/ip_local_reserved_ports?services=", 400, "services");
    bad("/v1/export/ip_local_reserved_ports?services=ups,,sip", 400, "services");
    bad("/v1/export/ip_local_reserved_ports?services=ups,no-such-name", 404, "services");
    cr_assert_not_null(strstr(member_str(ex.json, "detail"), "no-such-name"));
    char target[2048] = "/v1/export/ip_local_reserved_ports?services=ups";
    for (int i = 0; i < 64; i++)
        strcat(target, ",ups");
    bad(target, 400, "services");
}

/* ---- lists: repeated or comma-separated ---- */

static long long total_of(const char *target)
{
    return member_int(fresh_get(target), "total");
}

Test(exports, list_parameters)
{
    long long tcp = total_of("/v1/services?protocol=tcp");
    long long udp = total_of("/v1/services?protocol=udp");
    long long none = total_of("/v1/services?protocol=none");
    long long both = total_of("/v1/services?protocol=tcp&protocol=udp");
    cr_assert_eq(both, tcp + udp);
    cr_assert_eq(total_of("/v1/services?protocol=tcp,udp"), both);
    cr_assert_eq(total_of("/v1/services?protocol=udp,none&protocol=tcp"), both + none);
    fresh_get("/v1/services?protocol=udp&protocol=tcp&limit=2");
    cr_assert_not_null(strstr(ex.resp.link, "protocol=tcp%2Cudp&limit=2&offset=2"), "%s",
                       ex.resp.link);
    long long assigned = total_of("/v1/services?status=assigned");
    long long reserved = total_of("/v1/services?status=reserved");
    cr_assert_eq(total_of("/v1/services?status=assigned&status=reserved"), assigned + reserved);
    cr_assert_eq(total_of("/v1/ports/free?protocol=tcp&protocol=udp&from=2690&to=2700"),
                 total_of("/v1/ports/free?protocol=tcp,udp&from=2690&to=2700"));
    bad("/v1/services?protocol=tcp&protocol=xtp", 400, "protocol");
    bad("/v1/services?protocol=tcp,", 400, "protocol");
    bad("/v1/ports/free?protocol=tcp&protocol=tcp", 400, "protocol");
    /* a parameter that is not a list is still given once */
    bad("/v1/services?q=ups&q=sip", 400, "q");
}

/* ---- /v1/check?port=PORT/PROTOCOL ---- */

Test(exports, check_port_protocol_form)
{
    json_t *a = json_deep_copy(fresh_get("/v1/check?port=401&protocol=tcp&name=ups"));
    json_t *b = fresh_get("/v1/check?port=401/tcp&name=ups");
    cr_assert(json_equal(a, b));
    json_decref(a);
    bad("/v1/check?port=401/tcp&protocol=tcp", 400, "protocol");
    bad("/v1/check?port=401/xtp", 400, "port");
    bad("/v1/check?port=401/", 400, "port");
    bad("/v1/check?port=/tcp", 400, "port");
    bad("/v1/check?port=401", 400, "protocol");
}

/* ---- GET / ---- */

Test(exports, index_lists_every_endpoint)
{
    json_t *links = member_object(fresh_get("/"), "links");
    size_t count;
    const pr_route_row *rows = pr_route_rows(&count);
    size_t listed = 0;
    for (size_t i = 0; i < count; i++) {
        const char *shows = rows[i].shows ? rows[i].shows : rows[i].path;
        /* the server's own rows are 404s without it, and unlisted */
        if (!shows || rows[i].operations)
            continue;
        cr_assert_str_eq(member_str(links, rows[i].label), shows);
        listed++;
    }
    cr_assert_eq(json_object_size(links), listed);
    cr_assert_str_eq(member_str(links, "changes"), "/v1/changes?since={date}");
    cr_assert_str_eq(member_str(links, "export_services"), "/v1/export/services");
}

/* ---- on the whole registry: ranges ---- */

TestSuite(exports_iana, .init = fixture_iana, .fini = fixture_close);

Test(exports_iana, ranges)
{
    exchange_end(&ex);
    exchange_run(api, &ex, PR_GET, "/v1/export/services");
    cr_assert_eq(ex.resp.status, 200);
    char *file = strndup(ex.resp.body->data, ex.resp.body->len);
    cr_assert_not_null(
        strstr(file, "\nx11\t\t6000/tcp\t\t\t# X Window System (ports 6000-6063)\n"));
    cr_assert_not_null(strstr(file, "\nhttp\t\t80/tcp\t\twww www-http\t# World Wide Web HTTP\n"));
    cr_assert_null(strstr(file, "\nx11\t\t6001/tcp"));
    free(file);
    reserved("/v1/export/ip_local_reserved_ports?services=x11,ssh", "22,6000-6063");
}

Test(exports_iana, changes_match_the_order)
{
    json_t *j = fresh_get("/v1/changes?since=2020-01-01&limit=1000");
    json_t *items = member_array(j, "items");
    cr_assert_gt(json_array_size(items), 10);
    unsigned prev = 99999999;
    for (size_t i = 0; i < json_array_size(items); i++) {
        unsigned r = day_of(text_or_empty(json_array_get(items, i), "registered"));
        unsigned m = day_of(text_or_empty(json_array_get(items, i), "modified"));
        unsigned newest = m > r ? m : r;
        cr_assert_geq(newest, 20200101u);
        cr_assert_leq(newest, prev, "%u after %u", newest, prev);
        prev = newest;
    }
}

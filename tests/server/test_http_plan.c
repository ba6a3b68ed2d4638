/* The organization's port plan through the real server and the command
 * line: the README's example plan (docs/port-plan.example.csv) over the
 * built-in registry, every check rule by GET, POST and `portreg check`,
 * the plan's endpoints, ETags, every load error, and reloads (SIGHUP and
 * --watch) that add, change and remove entries under load. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define EXAMPLE PR_TEST_DIR "/../docs/port-plan.example.csv"
#define BAD_DIR PR_TEST_DIR "/data/plan/bad"
#define PLAN_HDR                                                                                   \
    "Service Name,Port Number,Transport Protocol,Owner,Contact,Status,Reference,Notes\n"

TestSuite(plan);
TestSuite(plan_reload);
TestSuite(plan_cli);

static server srv;

static void start_example(void)
{
    const char *args[] = {"--plan", EXAMPLE, "--access-log", "off", NULL};
    server_start(&srv, args);
}

static void stop_example(void)
{
    cr_assert_eq(server_stop(&srv), 0);
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void sleep_ms(int ms)
{
    struct timespec t = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

static json_t *get_json(uint16_t port, const char *target, int status)
{
    http_response r;
    http_request(port, "GET", target, NULL, &r);
    cr_assert_eq(r.status, status, "%s: %d %s", target, r.status, r.body);
    json_t *j = http_json(&r);
    http_response_free(&r);
    return j;
}

static json_t *post_json(uint16_t port, const char *target, const char *body)
{
    http_response r;
    http_request_body(port, "POST", target, "Content-Type: application/json\r\n", body,
                      strlen(body), &r);
    cr_assert_eq(r.status, 200, "%s: %d %s", target, r.status, r.body);
    json_t *j = http_json(&r);
    http_response_free(&r);
    return j;
}

static bool has_reason(json_t *v, const char *code, const char *part)
{
    size_t i;
    json_t *reason;
    json_array_foreach(json_object_get(v, "reasons"), i, reason)
    {
        const char *msg = json_string_value(json_object_get(reason, "message"));
        if (!strcmp(json_string_value(json_object_get(reason, "code")), code) &&
            (!part || strstr(msg, part)))
            return true;
    }
    return false;
}

static bool has_note(json_t *v, const char *part)
{
    size_t i;
    json_t *note;
    json_array_foreach(json_object_get(v, "notes"), i,
                       note) if (strstr(json_string_value(note), part)) return true;
    return false;
}

static bool is_ok(json_t *v)
{
    return json_is_true(json_object_get(v, "ok"));
}

static json_t *check(const char *query)
{
    char target[512];
    snprintf(target, sizeof target, "/v1/check?%s", query);
    return get_json(srv.port, target, 200);
}

/* ---- both layers in every answer ---- */

Test(plan, records_carry_their_source, .init = start_example, .fini = stop_example)
{
    json_t *j = get_json(srv.port, "/v1/ports/8080", 200);
    json_t *recs = json_object_get(j, "records"), *rec;
    size_t i;
    bool iana = false, local = false;
    json_array_foreach(recs, i, rec)
    {
        const char *source = json_string_value(json_object_get(rec, "source"));
        cr_assert_not_null(source, "every record says its source");
        if (!strcmp(source, "iana")) {
            iana = iana || !strcmp(json_string_value(json_object_get(rec, "service")), "http-alt");
            cr_assert_null(json_object_get(rec, "owner"), "IANA's records have no owner");
        } else {
            cr_assert_str_eq(source, "local");
            cr_assert_str_eq(json_string_value(json_object_get(rec, "owner")), "team-payments");
            cr_assert_str_eq(json_string_value(json_object_get(rec, "local_status")), "assigned");
            cr_assert_str_eq(json_string_value(json_object_get(rec, "local_contact")),
                             "payments-oncall@acme.example");
            cr_assert_str_eq(json_string_value(json_object_get(rec, "service")), "payments-api");
            local = true;
        }
    }
    cr_assert(iana && local, "8080 shows IANA's http-alt and the plan's payments-api");
    json_decref(j);

    j = get_json(srv.port, "/v1/services/acme-ledger", 200);
    rec = json_array_get(json_object_get(j, "records"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(rec, "local_status")), "pending-iana");
    cr_assert_str_eq(json_string_value(json_array_get(json_object_get(rec, "reference"), 0)),
                     "https://tools.iana.org/public-view/viewticket/1234567");
    json_decref(j);

    j = get_json(srv.port, "/v1/search?q=team-search", 200);
    cr_assert_eq(json_integer_value(json_object_get(j, "total")), 3,
                 "a team's entries are found by its name");
    json_decref(j);
}

Test(plan, services_filter_by_source, .init = start_example, .fini = stop_example)
{
    json_t *local = get_json(srv.port, "/v1/services?source=local&limit=100", 200);
    cr_assert_eq(json_integer_value(json_object_get(local, "total")), 9,
                 "8 lines, one of them for tcp and udp");
    json_t *iana = get_json(srv.port, "/v1/services?source=iana&limit=1", 200);
    json_t *all = get_json(srv.port, "/v1/services?limit=1", 200);
    cr_assert_eq(json_integer_value(json_object_get(iana, "total")) + 9,
                 json_integer_value(json_object_get(all, "total")));
    json_t *reg = get_json(srv.port, "/v1/registry", 200);
    cr_assert_eq(json_integer_value(json_object_get(reg, "records")),
                 json_integer_value(json_object_get(iana, "total")),
                 "the registry's count is IANA's");
    json_t *plan = json_object_get(reg, "plan");
    cr_assert_eq(json_integer_value(json_object_get(plan, "entries")), 8);
    cr_assert_eq(json_integer_value(json_object_get(plan, "records")), 9);
    cr_assert_eq(json_integer_value(json_object_get(plan, "owners")), 2);
    cr_assert_eq(json_integer_value(json_object_get(plan, "warnings")), 2);
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(plan, "file"), "name")),
                     "port-plan.example.csv");
    json_decref(local);
    json_decref(iana);
    json_decref(all);
    json_decref(reg);
    http_response r;
    http_request(srv.port, "GET", "/v1/services?source=nis", NULL, &r);
    cr_assert_eq(r.status, 400);
    cr_assert(strstr(r.body, "source must be iana or local"), "%s", r.body);
    http_response_free(&r);
}

Test(plan, owners_and_one_owner, .init = start_example, .fini = stop_example)
{
    json_t *j = get_json(srv.port, "/v1/owners", 200);
    cr_assert_eq(json_integer_value(json_object_get(j, "total")), 2);
    json_t *first = json_array_get(json_object_get(j, "items"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(first, "owner")), "team-payments");
    json_decref(j);
    j = get_json(srv.port, "/v1/owners?limit=1&offset=1", 200);
    first = json_array_get(json_object_get(j, "items"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(first, "owner")), "team-search");
    json_decref(j);

    j = get_json(srv.port, "/v1/owners/team-payments", 200);
    cr_assert_str_eq(json_string_value(json_object_get(j, "contact")),
                     "payments-oncall@acme.example");
    cr_assert_eq(json_array_size(json_object_get(j, "entries")), 4);
    cr_assert_eq(json_array_size(json_object_get(j, "bands")), 2, "tcp and udp");
    json_t *band = json_array_get(json_object_get(j, "bands"), 0);
    cr_assert_eq(json_integer_value(json_object_get(json_object_get(band, "range"), "first")),
                 21100);
    json_decref(j);
    json_decref(get_json(srv.port, "/v1/owners/team-nobody", 404));
}

Test(plan, free_ports_avoid_every_entry_and_band, .init = start_example, .fini = stop_example)
{
    json_t *j = get_json(srv.port, "/v1/ports/free?protocol=tcp&from=21100&to=21199", 200);
    cr_assert_eq(json_integer_value(json_object_get(j, "total")), 0, "the band is taken");
    json_decref(j);
    j = get_json(srv.port, "/v1/ports/free?protocol=udp&from=21100&to=21199", 200);
    cr_assert_eq(json_integer_value(json_object_get(j, "total")), 0, "for udp too");
    json_decref(j);
    j = get_json(srv.port, "/v1/ports/free?protocol=tcp&from=4481&to=4481", 200);
    cr_assert_eq(json_integer_value(json_object_get(j, "total")), 0, "the pending application");
    json_decref(j);
    j = get_json(srv.port, "/v1/ports/free?protocol=udp&from=4481&to=4481", 200);
    cr_assert_eq(json_integer_value(json_object_get(j, "total")), 1, "held for tcp only");
    json_decref(j);
}

/* ---- the check rules ---- */

Test(plan, held_by_another_owner_is_not_ok, .init = start_example, .fini = stop_example)
{
    const char *queries[] = {"port=8080&protocol=tcp", "port=8080&protocol=tcp&owner=team-search"};
    for (int i = 0; i < 2; i++) {
        json_t *v = check(queries[i]);
        cr_assert_not(is_ok(v), "%s", queries[i]);
        cr_assert(has_reason(v, "held",
                             "held by team-payments (payments-api, assigned), "
                             "contact payments-oncall@acme.example"),
                  "%s", json_dumps(v, 0));
        json_decref(v);
    }
}

Test(plan, own_entry_is_ok_even_on_an_iana_port, .init = start_example, .fini = stop_example)
{
    json_t *v = check("port=8080&protocol=tcp&name=payments-api&owner=team-payments");
    cr_assert(is_ok(v), "%s", json_dumps(v, 0));
    cr_assert_eq(json_array_size(json_object_get(v, "reasons")), 0);
    cr_assert(has_note(v, "8080/tcp is assigned to http-alt"), "IANA's clash is a note");
    cr_assert_str_eq(json_string_value(json_object_get(v, "owner")), "team-payments");
    json_decref(v);
    /* the dynamic range too, where gRPC lives: IANA's word is a note, the
     * host's hazard (Linux's ephemeral range) stays a reason */
    v = check("port=50051&protocol=tcp&owner=team-payments");
    cr_assert(has_note(v, "dynamic port"), "%s", json_dumps(v, 0));
    cr_assert_not(has_reason(v, "dynamic_port", NULL));
    cr_assert(has_reason(v, "linux_ephemeral", NULL) && !has_reason(v, "held", NULL));
    json_decref(v);
    v = check("port=50051&protocol=tcp&owner=team-payments&hazards=none");
    cr_assert(is_ok(v), "%s", json_dumps(v, 0));
    json_decref(v);
    v = check("port=50051&protocol=tcp");
    cr_assert(has_reason(v, "dynamic_port", NULL) && has_reason(v, "held", "team-payments"));
    json_decref(v);
}

Test(plan, another_owners_band_is_not_ok, .init = start_example, .fini = stop_example)
{
    json_t *v = check("port=21150&protocol=udp&owner=team-search");
    cr_assert_not(is_ok(v));
    cr_assert(has_reason(v, "in_band", "lies in band 21100-21199 of team-payments"), "%s",
              json_dumps(v, 0));
    json_decref(v);
    v = check("port=21150&protocol=udp");
    cr_assert(has_reason(v, "in_band", NULL), "nobody asking: every band is another's");
    json_decref(v);
    v = check("port=21150&protocol=udp&owner=team-payments");
    cr_assert(is_ok(v), "a port of the owner's own band: %s", json_dumps(v, 0));
    json_decref(v);
    v = check("port=21110&protocol=tcp&owner=team-search");
    cr_assert(has_reason(v, "held", "ledger-sync, reserved") && has_reason(v, "in_band", NULL));
    json_decref(v);
}

Test(plan, pending_iana_is_ok_for_its_owner, .init = start_example, .fini = stop_example)
{
    json_t *v = check("port=4481&protocol=tcp&name=acme-ledger&owner=team-payments");
    cr_assert(is_ok(v), "%s", json_dumps(v, 0));
    cr_assert(has_note(v, "applied to IANA for 4481/tcp: "
                          "https://tools.iana.org/public-view/viewticket/1234567"));
    json_decref(v);
    v = check("port=4481&protocol=tcp&owner=team-search");
    cr_assert(has_reason(v, "held", "pending-iana https://tools.iana.org"), "%s", json_dumps(v, 0));
    json_decref(v);
}

Test(plan, suggestions_prefer_the_band_and_avoid_the_plan, .init = start_example,
     .fini = stop_example)
{
    json_t *v = check("port=8080&protocol=tcp&owner=team-search&suggest=20");
    json_t *s = json_object_get(v, "suggestions");
    cr_assert_eq(json_array_size(s), 20);
    /* team-search's band is 28300-28399, and 28310 is its search-indexer */
    unsigned want = 28300;
    for (size_t i = 0; i < 11; i++, want++) {
        if (want == 28310)
            want++;
        cr_assert_eq(json_integer_value(json_array_get(s, i)), want, "suggestion %zu", i);
    }
    json_decref(v);
    v = check("port=21105&protocol=tcp&suggest=20");
    s = json_object_get(v, "suggestions");
    size_t i;
    json_t *p;
    json_array_foreach(s, i, p)
    {
        json_int_t n = json_integer_value(p);
        cr_assert(n < 21100 || n > 21199, "%lld lies in a band", (long long)n);
    }
    cr_assert_eq(json_integer_value(json_array_get(s, 0)), 21099, "the nearest outside it");
    json_decref(v);
    v = check("port=21105&protocol=tcp&owner=team-payments&suggest=3&both=true");
    cr_assert(is_ok(v), "the owner's own band");
    json_decref(v);
    v = check("port=8080&protocol=tcp&owner=team-payments&name=other&suggest=3&both=true");
    json_decref(v);
    v = check("port=9200&protocol=tcp&owner=team-payments&suggest=3&both=true");
    s = json_object_get(v, "suggestions");
    cr_assert_eq(json_integer_value(json_array_get(s, 0)), 21100, "the band covers tcp and udp: %s",
                 json_dumps(v, 0));
    cr_assert_eq(json_integer_value(json_array_get(s, 2)), 21102);
    json_decref(v);
}

Test(plan, owner_is_a_team_name, .init = start_example, .fini = stop_example)
{
    http_response r;
    http_request(srv.port, "GET", "/v1/check?port=8080&protocol=tcp&owner=Team%20A", NULL, &r);
    cr_assert_eq(r.status, 400);
    cr_assert(strstr(r.body, "owner must be a team name"), "%s", r.body);
    http_response_free(&r);
}

Test(plan, post_gives_the_verdicts_of_get, .init = start_example, .fini = stop_example)
{
    json_t *m = post_json(srv.port, "/v1/check?owner=team-payments",
                          "[{\"port\":8080,\"protocol\":\"tcp\",\"name\":\"payments-api\"},"
                          "{\"port\":21150,\"protocol\":\"udp\"},"
                          "{\"port\":28310,\"protocol\":\"tcp\"}]");
    const char *gets[] = {"port=8080&protocol=tcp&name=payments-api&owner=team-payments",
                          "port=21150&protocol=udp&owner=team-payments",
                          "port=28310&protocol=tcp&owner=team-payments"};
    for (int i = 0; i < 3; i++) {
        json_t *v = check(gets[i]);
        json_object_del(v, "registry");
        cr_assert(json_equal(v, json_array_get(json_object_get(m, "verdicts"), (size_t)i)),
                  "entry %d", i);
        json_decref(v);
    }
    cr_assert_not(is_ok(m), "28310 is team-search's");
    json_decref(m);
}

Test(plan, etags_change_only_where_the_plan_touches)
{
    server plain;
    const char *args[] = {"--access-log", "off", NULL};
    server_start(&plain, args);
    start_example();
    const char *touched[] = {"/v1/ports/8080", "/v1/registry", "/v1/search?q=payments",
                             "/v1/check?port=8080&protocol=tcp"};
    const char *untouched[] = {"/v1/ports/3493", "/v1/services/nut", "/v1/search?q=nut",
                               "/v1/check?port=3493&protocol=tcp"};
    for (int t = 0; t < 2; t++) {
        for (int i = 0; i < 4; i++) {
            const char *target = t ? untouched[i] : touched[i];
            http_response a, b;
            http_request(plain.port, "GET", target, NULL, &a);
            http_request(srv.port, "GET", target, NULL, &b);
            char ea[64] = "", eb[64] = "";
            http_header(&a, "ETag", ea, sizeof ea);
            http_header(&b, "ETag", eb, sizeof eb);
            cr_assert(ea[0] && eb[0], "%s has an ETag", target);
            if (t)
                cr_assert_str_eq(ea, eb, "%s: the plan does not touch it", target);
            else
                cr_assert_str_neq(ea, eb, "%s: the plan changes it", target);
            http_response_free(&a);
            http_response_free(&b);
        }
    }
    stop_example();
    cr_assert_eq(server_stop(&plain), 0);
}

/* ---- the command line ---- */

typedef struct run {
    int status;
    char *out; /* stdout and stderr together */
} run;

static run run_portreg(const char *args)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "env -u PORTREG_DATA -u PORTREG_PLAN %s %s 2>&1", PR_PORTREG, args);
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    run r = {0, NULL};
    size_t len = 0, cap = 0;
    char chunk[4096];
    for (size_t n; (n = fread(chunk, 1, sizeof chunk, p)) > 0;) {
        if (len + n + 1 > cap) {
            cap = (len + n + 1) * 2;
            r.out = realloc(r.out, cap);
            cr_assert_not_null(r.out);
        }
        memcpy(r.out + len, chunk, n);
        len += n;
    }
    if (!r.out)
        r.out = calloc(1, 1);
    r.out[len] = '\0';
    int st = pclose(p);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return r;
}

Test(plan_cli, check_gives_the_verdicts_of_post)
{
    start_example();
    const char *body = "[{\"port\":8080,\"protocol\":\"tcp\",\"name\":\"payments-api\"},"
                       "{\"port\":21150,\"protocol\":\"udp\"},"
                       "{\"port\":4481,\"protocol\":\"tcp\",\"name\":\"acme-ledger\"}]";
    const char *owners[] = {"team-payments", "team-search"};
    for (int o = 0; o < 2; o++) {
        char target[128], args[512];
        snprintf(target, sizeof target, "/v1/check?owner=%s", owners[o]);
        json_t *m = post_json(srv.port, target, body);
        snprintf(args, sizeof args,
                 "check --json --plan %s --owner %s 8080/tcp payments-api 21150/udp 4481/tcp "
                 "acme-ledger",
                 EXAMPLE, owners[o]);
        run r = run_portreg(args);
        cr_assert_eq(r.status, is_ok(m) ? 0 : 1, "%s", r.out);
        json_error_t err;
        json_t *c = json_loads(r.out, 0, &err);
        cr_assert_not_null(c, "%s", r.out);
        cr_assert(json_equal(c, m), "%s:\n%s", owners[o], r.out);
        json_decref(c);
        json_decref(m);
        free(r.out);
    }
    stop_example();
}

Test(plan_cli, check_text_shows_reasons_and_notes)
{
    run r = run_portreg("check --plan " EXAMPLE " --owner team-payments 8080/tcp payments-api");
    cr_assert_eq(r.status, 0, "%s", r.out);
    cr_assert(strstr(r.out, "8080/tcp payments-api: ok\n  note: 8080/tcp is assigned to http-alt"),
              "%s", r.out);
    free(r.out);
    r = run_portreg("check --plan " EXAMPLE " 8080/tcp");
    cr_assert_eq(r.status, 1, "%s", r.out);
    cr_assert(strstr(r.out, "  held: 8080/tcp is held by team-payments"), "%s", r.out);
    free(r.out);
    r = run_portreg("check --plan " EXAMPLE " --owner 'Team A' 8080/tcp");
    cr_assert_eq(r.status, 2, "%s", r.out);
    free(r.out);
}

Test(plan_cli, validate_reports_the_plan)
{
    run r = run_portreg("validate --plan " EXAMPLE);
    cr_assert_eq(r.status, 0, "%s", r.out);
    cr_assert(strstr(r.out, "plan entries:   8 lines: 6 records (one per protocol), 3 bands, "
                            "1 pending-iana\n"),
              "%s", r.out);
    cr_assert(strstr(r.out, "plan owners:    2\n"), "%s", r.out);
    cr_assert(strstr(r.out, "plan warnings:  2\n"), "%s", r.out);
    cr_assert(strstr(r.out, "port-plan.example.csv:7: Port Number: payments-api 8080/tcp of "
                            "team-payments overlaps IANA: 8080/tcp is assigned to http-alt"),
              "%s", r.out);
    free(r.out);
    setenv("PORTREG_PLAN", EXAMPLE, 1);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "env -u PORTREG_DATA %s validate 2>&1", PR_PORTREG);
    FILE *p = popen(cmd, "r");
    char out[8192];
    size_t n = fread(out, 1, sizeof out - 1, p);
    out[n] = '\0';
    cr_assert_eq(pclose(p), 0);
    unsetenv("PORTREG_PLAN");
    cr_assert(strstr(out, "plan owners:    2\n"), "PORTREG_PLAN names the plan: %s", out);
}

/* Every load error of the data tests, through the binary: validate exits 1
 * and check 3, both naming file, line and column. */
Test(plan_cli, every_load_error_names_its_place)
{
    const char *cases[] = {"bad_port",
                           "no_port",
                           "unknown_status",
                           "pending_without_reference",
                           "overlapping_bands",
                           "same_port_two_owners",
                           "same_port_every_protocol",
                           "bad_protocol",
                           "twice_protocol",
                           "bad_owner",
                           "no_service",
                           "missing_column",
                           "too_few_fields",
                           "bad_range"};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char path[512], args[1024], want[512];
        snprintf(path, sizeof path, BAD_DIR "/%s.csv", cases[i]);
        FILE *f = fopen(path, "r");
        cr_assert_not_null(f, "%s", path);
        char line[512];
        cr_assert_not_null(fgets(line, sizeof line, f));
        fclose(f);
        line[strcspn(line, "\n")] = '\0';
        /* the data tests load it as port-plan.csv; here it has its path */
        const char *msg = strstr(line, "port-plan.csv:") + strlen("port-plan.csv");
        snprintf(want, sizeof want, "%s%s", path, msg);
        snprintf(args, sizeof args, "validate --plan %s", path);
        run r = run_portreg(args);
        cr_assert_eq(r.status, 1, "%s: %s", cases[i], r.out);
        cr_assert(strstr(r.out, want), "%s:\n got:  %s\n want: %s", cases[i], r.out, want);
        free(r.out);
        snprintf(args, sizeof args, "check --plan %s 5000/tcp", path);
        r = run_portreg(args);
        cr_assert_eq(r.status, 3, "%s: %s", cases[i], r.out);
        cr_assert(strstr(r.out, want), "%s: %s", cases[i], r.out);
        free(r.out);
    }
}

/* ---- reloads ---- */

static void write_plan(const char *path, const char *text)
{
    char tmp[600];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    cr_assert_eq(fclose(f), 0);
    /* rename: a reader never sees half a file */
    cr_assert_eq(rename(tmp, path), 0);
}

typedef struct load {
    uint16_t port;
    atomic_bool stop;
    atomic_int failures, answers;
    char failure[512];
} load;

static void *client(void *arg)
{
    load *l = arg;
    static const char *const targets[] = {"/v1/ports/5000", "/v1/check?port=5000&protocol=tcp",
                                          "/v1/owners", "/v1/services?source=local",
                                          "/v1/search?q=team"};
    int fd = http_connect(l->port);
    double deadline = now() + 30;
    for (int i = 0; i < 20000 && !atomic_load(&l->stop) && now() < deadline; i++) {
        const char *target = targets[i % 5];
        http_response r;
        if (!http_send(fd, "GET", target, NULL, &r)) {
            close(fd);
            fd = http_connect(l->port);
            if (!http_send(fd, "GET", target, NULL, &r)) {
                atomic_fetch_add(&l->failures, 1);
                snprintf(l->failure, sizeof l->failure, "%s: no answer", target);
                continue;
            }
        }
        if (r.status != 200) {
            atomic_fetch_add(&l->failures, 1);
            snprintf(l->failure, sizeof l->failure, "%s: %d %.300s", target, r.status, r.body);
        }
        atomic_fetch_add(&l->answers, 1);
        if (r.closed) {
            close(fd);
            fd = http_connect(l->port);
        }
        http_response_free(&r);
    }
    close(fd);
    return NULL;
}

static const char plan_v1[] = PLAN_HDR "api,5000,tcp,team-a,a@example.org,assigned,,\n";
static const char plan_v2[] = PLAN_HDR "api,5000,tcp,team-a,a@example.org,assigned,,\n"
                                       "web,5001,tcp,team-b,b@example.org,assigned,,\n";
static const char plan_v3[] = PLAN_HDR "api,5000,tcp,team-c,c@example.org,reserved,,\n"
                                       "web,5001,tcp,team-b,b@example.org,assigned,,\n";
static const char plan_v4[] = PLAN_HDR "web,5001,tcp,team-b,b@example.org,assigned,,\n";
static const char plan_broken[] = PLAN_HDR "api,5000,tcp,team-a,,in-use,,\n";

Test(plan_reload, sighup_adds_changes_and_removes_under_load)
{
    char dir[] = "/tmp/portreg-plan-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char path[600];
    snprintf(path, sizeof path, "%s/plan.csv", dir);
    write_plan(path, plan_v1);
    const char *args[] = {"--plan", path, "--access-log", "off", NULL};
    server s;
    server_start(&s, args);
    load l = {.port = s.port};
    http_record(false);
    pthread_t threads[3];
    for (int i = 0; i < 3; i++)
        pthread_create(&threads[i], NULL, client, &l);
    struct {
        const char *text, *target, *needle;
        bool present;
    } steps[] = {
        {plan_v2, "/v1/owners", "\"team-b\"", true},                          /* adds */
        {plan_v3, "/v1/ports/5000", "\"owner\":\"team-c\"", true},            /* changes */
        {plan_broken, NULL, NULL, false},                                     /* keeps the old */
        {plan_v4, "/v1/services?source=local", "\"service\":\"api\"", false}, /* removes */
        {plan_v1, "/v1/owners", "\"team-b\"", false},
    };
    bool kept = true;
    for (size_t i = 0; i < sizeof steps / sizeof *steps; i++) {
        sleep_ms(100);
        write_plan(path, steps[i].text);
        kill(s.pid, SIGHUP);
        if (!steps[i].target) {
            sleep_ms(500);
            kept =
                kept && http_await_body(s.port, "/v1/ports/5000", "\"owner\":\"team-c\"", true, 10);
            continue;
        }
        cr_assert(http_await_body(s.port, steps[i].target, steps[i].needle, steps[i].present, 10),
                  "step %zu took effect", i);
    }
    sleep_ms(100);
    atomic_store(&l.stop, true);
    for (int i = 0; i < 3; i++)
        pthread_join(threads[i], NULL);
    http_record(true);
    cr_assert(kept, "a broken plan keeps the old data serving");
    cr_assert_eq(atomic_load(&l.failures), 0, "%d failures, e.g. %s", atomic_load(&l.failures),
                 l.failure);
    cr_assert_gt(atomic_load(&l.answers), 100, "the clients ran");
    char *log = server_log(&s);
    cr_assert(strstr(log, "plan.csv:2: Status: unknown status \"in-use\""), "%s", log);
    cr_assert(strstr(log, "reload failed"), "%s", log);
    free(log);
    cr_assert_eq(server_stop(&s), 0);
    remove(path);
    rmdir(dir);
}

Test(plan_reload, watch_covers_the_plan)
{
    char dir[] = "/tmp/portreg-planwatch-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char path[600];
    snprintf(path, sizeof path, "%s/plan.csv", dir);
    write_plan(path, plan_v1);
    const char *args[] = {"--plan", path, "--watch", "1", "--access-log", "off", NULL};
    server s;
    server_start(&s, args);
    write_plan(path, plan_v2);
    cr_assert(http_await_body(s.port, "/v1/owners", "\"team-b\"", true, 10),
              "a changed plan is picked up");
    write_plan(path, plan_broken);
    sleep_ms(2500);
    cr_assert(http_await_body(s.port, "/v1/owners", "\"team-b\"", true, 10), "a broken one is not");
    write_plan(path, plan_v4);
    cr_assert(http_await_body(s.port, "/v1/owners", "\"team-a\"", false, 10), "a repaired one is");
    cr_assert_eq(server_stop(&s), 0);
    remove(path);
    rmdir(dir);
}

/* A data directory's own port-plan.csv is loaded and watched beside IANA's. */
Test(plan_reload, a_data_directory_holds_its_plan)
{
    char dir[] = "/tmp/portreg-plandir-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    const char *names[] = {"service-names-port-numbers.csv", "contacts.csv"};
    for (int i = 0; i < 2; i++) {
        char from[600], to[600], cmd[1400];
        snprintf(from, sizeof from, PR_TEST_DIR "/../data/sample/%s", names[i]);
        snprintf(to, sizeof to, "%s/%s", dir, names[i]);
        snprintf(cmd, sizeof cmd, "cp '%s' '%s'", from, to);
        cr_assert_eq(system(cmd), 0);
    }
    char path[600];
    snprintf(path, sizeof path, "%s/port-plan.csv", dir);
    write_plan(path, plan_v1);
    const char *args[] = {"--data", dir, "--watch", "1", "--access-log", "off", NULL};
    server s;
    server_start(&s, args);
    json_t *j = get_json(s.port, "/v1/owners/team-a", 200);
    json_decref(j);
    remove(path);
    cr_assert(http_await_body(s.port, "/v1/owners", "\"total\":0", true, 10),
              "a removed plan is noticed");
    cr_assert_eq(server_stop(&s), 0);
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

/* The band's suggestions under count and both, as the README shows them,
 * the same from POST and from the command line. */
Test(plan, band_suggestions_keep_count_and_both, .init = start_example, .fini = stop_example)
{
    json_t *v = check("port=9200&protocol=tcp&owner=team-payments&count=3&both=true&suggest=4");
    json_t *s = json_object_get(v, "suggestions");
    /* 21100-21199 is the team's for tcp and udp; 21110/tcp its ledger-sync */
    const json_int_t runs[] = {21100, 21103, 21106, 21111};
    for (size_t i = 0; i < 4; i++)
        cr_assert_eq(json_integer_value(json_array_get(s, i)), runs[i], "run %zu: %s", i,
                     json_dumps(s, 0));
    json_decref(v);
    /* team-search's band is tcp only: with both, nothing of it */
    v = check("port=9300&protocol=tcp&owner=team-search&count=2&both=true&suggest=20");
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(v, "suggestions"), i, p)
    {
        json_int_t n = json_integer_value(p);
        cr_assert(n < 28300 || n > 28399, "%lld is in a tcp-only band", (long long)n);
    }
    json_decref(v);
    v = post_json(srv.port, "/v1/check?owner=team-payments&count=3&both=true&suggest=4",
                  "[{\"port\":9200,\"protocol\":\"tcp\"}]");
    s = json_object_get(json_array_get(json_object_get(v, "verdicts"), 0), "suggestions");
    cr_assert_eq(json_integer_value(json_array_get(s, 3)), 21111, "%s", json_dumps(v, 0));
    json_decref(v);
    run r = run_portreg("check --json --plan " EXAMPLE
                        " --owner team-payments --count 3 --both --suggest 4 9200/tcp");
    cr_assert_eq(r.status, 1, "%s", r.out);
    json_error_t err;
    json_t *c = json_loads(r.out, 0, &err);
    cr_assert_not_null(c, "%s", r.out);
    s = json_object_get(json_array_get(json_object_get(c, "verdicts"), 0), "suggestions");
    for (i = 0; i < 4; i++)
        cr_assert_eq(json_integer_value(json_array_get(s, i)), runs[i], "%s", r.out);
    json_decref(c);
    free(r.out);
}

/* Another service name on the team's own entry: ok with a note, by GET,
 * POST of a compose file (whose names are labels: no note) and the
 * command line's text. */
Test(plan, another_name_on_the_own_entry_is_a_note, .init = start_example, .fini = stop_example)
{
    json_t *v = check("port=21110&protocol=tcp&name=ledger-api&owner=team-payments");
    cr_assert(is_ok(v), "%s", json_dumps(v, 0));
    json_t *notes = json_object_get(v, "notes");
    cr_assert_eq(json_array_size(notes), 1, "%s", json_dumps(v, 0));
    cr_assert_str_eq(json_string_value(json_array_get(notes, 0)),
                     "21110/tcp is already team-payments's ledger-sync (reserved) in the plan, not "
                     "\"ledger-api\"");
    json_decref(v);
    /* the long syntax names the port: a label, no service of the plan's */
    const char *compose = "services:\n  ledger-api:\n    image: x\n    ports:\n"
                          "      - target: 8080\n        published: \"21110\"\n"
                          "        name: ledger-api\n";
    http_response r;
    http_request_body(srv.port, "POST", "/v1/check?owner=team-payments",
                      "Content-Type: application/yaml\r\n", compose, strlen(compose), &r);
    cr_assert_eq(r.status, 200, "%d %s", r.status, r.body);
    v = http_json(&r);
    http_response_free(&r);
    json_t *verdict = json_array_get(json_object_get(v, "verdicts"), 0);
    cr_assert(is_ok(verdict), "%s", json_dumps(v, 0));
    cr_assert_str_eq(json_string_value(json_object_get(verdict, "name")), "ledger-api");
    cr_assert_eq(json_array_size(json_object_get(verdict, "notes")), 0, "%s", json_dumps(v, 0));
    json_decref(v);
    run cli = run_portreg("check --plan " EXAMPLE " --owner team-payments 21110/tcp ledger-api");
    cr_assert_eq(cli.status, 0, "%s", cli.out);
    cr_assert(strstr(cli.out, "21110/tcp ledger-api: ok\n  note: 21110/tcp is already "
                              "team-payments's ledger-sync (reserved) in the plan, not "
                              "\"ledger-api\"\n"),
              "%s", cli.out);
    free(cli.out);
}

/* The plan the Kubernetes overlay ships (deploy/kubernetes/plan) loads as
 * the pods load it, named by PORTREG_PLAN over the built-in registry, and
 * the server serves its teams: a plan that failed here would keep every
 * new pod unready. */
Test(plan_cli, the_kubernetes_overlays_plan_loads)
{
    const char *file = PR_TEST_DIR "/../deploy/kubernetes/plan/port-plan.csv";
    setenv("PORTREG_PLAN", file, 1);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "env -u PORTREG_DATA %s validate 2>&1", PR_PORTREG);
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    char out[8192];
    size_t n = fread(out, 1, sizeof out - 1, p);
    out[n] = '\0';
    cr_assert_eq(pclose(p), 0, "%s", out);
    cr_assert(strstr(out, "plan owners:    2\n"), "%s", out);
    const char *args[] = {"--access-log", "off", NULL};
    server_start(&srv, args);
    unsetenv("PORTREG_PLAN");
    json_t *owners = get_json(srv.port, "/v1/owners", 200);
    cr_assert_eq(json_integer_value(json_object_get(owners, "total")), 2, "%s",
                 json_dumps(owners, 0));
    json_decref(owners);
    stop_example();
}

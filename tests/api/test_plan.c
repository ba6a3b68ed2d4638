/* The organization's port plan at the API layer: every check rule, the
 * plan's endpoints, the source filter, free ports and ETags, through
 * pr_api_handle() over the sample registry with a small plan. The same
 * rules through the real server are in tests/server/test_http_plan.c. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_test.h"

#define HEADER "Service Name,Port Number,Transport Protocol,Owner,Contact,Status,Reference,Notes\n"

/* team-a: api on 5000/tcp, web on IANA's ups (401/tcp), a tcp band; team-b:
 * a udp band on the same ports, a band for every protocol with a reserved
 * entry inside, and a pending application on 5100/tcp. */
static const char plan[] = HEADER "api,5000,tcp,team-a,a@example.org,assigned,A-1,\n"
                                  "web,401,tcp,team-a,a@example.org,assigned,,\n"
                                  ",6100-6199,tcp,team-a,a@example.org,band,,\n"
                                  ",6100-6199,udp,team-b,b@example.org,band,,\n"
                                  ",6300-6349,,team-b,b@example.org,band,,\n"
                                  "queue,6310,tcp,team-b,b@example.org,reserved,,\n"
                                  "acme,5100,tcp,team-b,b@example.org,pending-iana,T-9,\n";

static pr_registry *reg, *plain_reg;
static pr_api *api, *plain;
static exchange ex;

static pr_registry *load_with(const char *text)
{
    size_t rl, cl;
    unsigned char *r = NULL, *c = NULL;
    FILE *f = fopen(SAMPLE_DIR "/" PR_RECORDS_FILE, "rb");
    cr_assert_not_null(f);
    r = malloc(4 << 20);
    rl = fread(r, 1, 4 << 20, f);
    fclose(f);
    f = fopen(SAMPLE_DIR "/" PR_CONTACTS_FILE, "rb");
    cr_assert_not_null(f);
    c = malloc(4 << 20);
    cl = fread(c, 1, 4 << 20, f);
    fclose(f);
    pr_source records = {PR_RECORDS_FILE, r, rl}, contacts = {PR_CONTACTS_FILE, c, cl};
    pr_source p = {PR_PLAN_FILE, (const unsigned char *)text, strlen(text)};
    pr_registry_files files = {&records, &contacts, NULL, NULL, &p};
    pr_error err;
    pr_registry *out = pr_registry_load_files(&files, &err);
    free(r);
    free(c);
    cr_assert_not_null(out, "%s", err.text);
    return out;
}

static void setup(void)
{
    reg = load_with(plan);
    plain_reg = load_sample();
    /* the same source for both, as a check's answer names it */
    snprintf(reg->source, sizeof reg->source, "%s", plain_reg->source);
    pr_api_config cfg = test_config(1 << 20);
    api = pr_api_new(reg, &cfg);
    plain = pr_api_new(plain_reg, &cfg);
    cr_assert(api && plain);
}

static void teardown(void)
{
    exchange_end(&ex);
    pr_api_free(api);
    pr_api_free(plain);
    pr_registry_free(reg);
    pr_registry_free(plain_reg);
    assert_no_leaks();
}

TestSuite(plan_api, .init = setup, .fini = teardown);

static bool reason(json_t *v, const char *code, const char *part)
{
    size_t i;
    json_t *r;
    json_array_foreach(member_array(v, "reasons"), i, r)
    {
        if (!strcmp(member_str(r, "code"), code) &&
            (!part || strstr(member_str(r, "message"), part)))
            return true;
    }
    return false;
}

static bool note(json_t *v, const char *part)
{
    size_t i;
    json_t *n;
    json_array_foreach(member_array(v, "notes"), i,
                       n) if (strstr(json_string_value(n), part)) return true;
    return false;
}

static json_t *check(const char *query)
{
    char target[256];
    snprintf(target, sizeof target, "/v1/check?%s", query);
    exchange_end(&ex);
    return get_ok(api, &ex, target);
}

static bool ok(json_t *v)
{
    return json_is_true(json_object_get(v, "ok"));
}

Test(plan_api, held_by_another_team_or_by_anyone_when_nobody_asks)
{
    json_t *v = check("port=5000&protocol=tcp");
    cr_assert(
        reason(v, "held", "5000/tcp is held by team-a (api, assigned), contact a@example.org"));
    cr_assert_not(ok(v));
    assert_member_null(v, "owner");
    v = check("port=5000&protocol=tcp&owner=team-b");
    cr_assert(reason(v, "held", "team-a"));
    cr_assert_str_eq(member_str(v, "owner"), "team-b");
    /* the plan's record is among the conflicts, with its layer */
    json_t *c = json_array_get(member_array(v, "conflicts"), 0);
    cr_assert_str_eq(member_str(c, "source"), "local");
    cr_assert_str_eq(member_str(c, "owner"), "team-a");
    v = check("port=5000&protocol=udp");
    cr_assert_not(reason(v, "held", NULL), "the entry is for tcp only");
}

Test(plan_api, own_entry_is_ok_and_iana_becomes_a_note)
{
    json_t *v = check("port=5000&protocol=tcp&owner=team-a");
    cr_assert_not(reason(v, "held", NULL));
    v = check("port=401&protocol=tcp&name=web&owner=team-a");
    cr_assert(ok(v), "%s", json_dumps(v, 0));
    cr_assert(note(v, "401 is a system port"));
    cr_assert(note(v, "401/tcp is assigned to ups"));
    cr_assert(note(v, "the plan gives it to team-a (web)"));
    cr_assert_eq(json_array_size(member_array(v, "suggestions")), 0);
    v = check("port=401&protocol=tcp&name=web");
    cr_assert(reason(v, "system_port", NULL) && reason(v, "assigned", "ups") &&
              reason(v, "held", "team-a"));
    cr_assert_eq(json_array_size(member_array(v, "notes")), 0);
}

Test(plan_api, another_name_on_the_own_entry_is_ok_with_a_note)
{
    json_t *v = check("port=5000&protocol=tcp&name=other&owner=team-a");
    cr_assert(ok(v), "%s", json_dumps(v, 0));
    cr_assert(note(v, "5000/tcp is already team-a's api (assigned) in the plan, not \"other\""),
              "%s", json_dumps(v, 0));
    cr_assert_eq(json_array_size(member_array(v, "notes")), 1);
    /* the entry's own name, in any case: nothing to note */
    v = check("port=5000&protocol=tcp&name=API&owner=team-a");
    cr_assert(ok(v));
    cr_assert_eq(json_array_size(member_array(v, "notes")), 0, "%s", json_dumps(v, 0));
    /* no name: the port alone is the team's */
    v = check("port=5000&protocol=tcp&owner=team-a");
    cr_assert_eq(json_array_size(member_array(v, "notes")), 0);
    /* a reserved entry inside the team's band; beside IANA's notes */
    v = check("port=6310&protocol=tcp&name=cache&owner=team-b");
    cr_assert(ok(v) && note(v, "6310/tcp is already team-b's queue (reserved) in the plan"));
    v = check("port=401&protocol=tcp&name=www&owner=team-a");
    cr_assert(note(v, "the plan gives it to team-a (web)") && note(v, "team-a's web (assigned)"),
              "%s", json_dumps(v, 0));
    /* someone else's entry stays a reason, with no such note */
    v = check("port=5000&protocol=tcp&name=other&owner=team-b");
    cr_assert(reason(v, "held", "team-a") && !note(v, "already"));
}

Test(plan_api, another_teams_band_is_not_ok)
{
    json_t *v = check("port=6150&protocol=tcp&owner=team-b");
    cr_assert(reason(v, "in_band",
                     "6150/tcp lies in band 6100-6199 of team-a, contact "
                     "a@example.org"));
    v = check("port=6150&protocol=tcp&owner=team-a");
    cr_assert(ok(v), "its own band: %s", json_dumps(v, 0));
    v = check("port=6150&protocol=udp&owner=team-a");
    cr_assert(reason(v, "in_band", "of team-b"), "the udp band is team-b's");
    v = check("port=6310&protocol=tcp&owner=team-b");
    cr_assert(ok(v), "team-b's own entry in its own band");
    v = check("port=6310&protocol=sctp&owner=team-a");
    cr_assert(reason(v, "in_band", "6300-6349 of team-b") && !reason(v, "held", NULL),
              "a band for every protocol; the entry is tcp only");
}

Test(plan_api, pending_iana_is_ok_for_its_owner_only)
{
    json_t *v = check("port=5100&protocol=tcp&name=acme&owner=team-b");
    cr_assert(ok(v), "%s", json_dumps(v, 0));
    cr_assert(note(v, "acme applied to IANA for 5100/tcp: T-9"));
    v = check("port=5100&protocol=tcp&owner=team-a");
    cr_assert(reason(v, "held", "(acme, pending-iana T-9)"));
}

Test(plan_api, suggestions_prefer_the_band_and_avoid_the_plan)
{
    json_t *v = check("port=5100&protocol=tcp&owner=team-a&suggest=3");
    json_t *s = member_array(v, "suggestions");
    for (size_t i = 0; i < 3; i++)
        cr_assert_eq(json_integer_value(json_array_get(s, i)), 6100 + (json_int_t)i);
    /* both: team-a's band is tcp only, the udp band team-b's: none from it */
    v = check("port=5100&protocol=tcp&owner=team-a&suggest=20&both=true");
    size_t i;
    json_t *p;
    json_array_foreach(member_array(v, "suggestions"), i, p)
    {
        json_int_t n = json_integer_value(p);
        cr_assert((n < 6100 || n > 6199) && (n < 6300 || n > 6349) && n != 5000 && n != 5100,
                  "%lld", (long long)n);
    }
    /* team-b's band for every protocol, around its entry */
    v = check("port=5000&protocol=tcp&owner=team-b&suggest=12&both=true");
    s = member_array(v, "suggestions");
    json_int_t want = 6300;
    for (i = 0; i < 12; i++, want++) {
        if (want == 6310)
            want++;
        cr_assert_eq(json_integer_value(json_array_get(s, i)), want, "suggestion %zu", i);
    }
    /* nobody asking: suggestions avoid every entry and band */
    v = check("port=6150&protocol=tcp&suggest=20");
    json_array_foreach(member_array(v, "suggestions"), i, p)
    {
        json_int_t n = json_integer_value(p);
        cr_assert(n < 6100 || n > 6199, "%lld", (long long)n);
    }
}

Test(plan_api, owner_must_be_a_team_name)
{
    exchange_run(api, &ex, PR_GET, "/v1/check?port=5000&protocol=tcp&owner=Team%20A");
    assert_problem(&ex, 400, "owner");
    exchange_end(&ex);
    exchange_run(api, &ex, PR_GET, "/v1/check?port=5000&protocol=tcp&owner=");
    assert_problem(&ex, 400, "owner");
    /* a team the plan does not list owns nothing: everything is another's */
    json_t *v = check("port=5000&protocol=tcp&owner=team-z");
    cr_assert(reason(v, "held", "team-a"));
}

Test(plan_api, post_judges_as_get)
{
    const char *body = "[{\"port\":5000,\"protocol\":\"tcp\"},{\"port\":6150,\"protocol\":\"udp\"},"
                       "{\"port\":5100,\"protocol\":\"tcp\",\"name\":\"acme\"}]";
    const char *gets[] = {"port=5000&protocol=tcp&owner=team-b",
                          "port=6150&protocol=udp&owner=team-b",
                          "port=5100&protocol=tcp&name=acme&owner=team-b"};
    exchange post;
    memset(&post, 0, sizeof post);
    post.req.method = PR_POST;
    post.req.path = "/v1/check";
    post.req.path_len = strlen(post.req.path);
    pr_param owner = {"owner", "team-b", 6};
    post.req.params = &owner;
    post.req.param_count = 1;
    post.req.body = body;
    post.req.body_len = strlen(body);
    post.req.content_type = "application/json";
    pr_api_handle(api, &post.req, &post.resp);
    cr_assert_eq(post.resp.status, 200);
    json_t *m = json_loadb(post.resp.body->data, post.resp.body->len, 0, NULL);
    pr_response_release(&post.resp);
    cr_assert_not_null(m);
    for (size_t i = 0; i < 3; i++) {
        json_t *v = json_deep_copy(check(gets[i]));
        json_object_del(v, "registry");
        cr_assert(json_equal(v, json_array_get(json_object_get(m, "verdicts"), i)), "entry %zu", i);
        json_decref(v);
    }
    json_decref(m);
}

Test(plan_api, owners_and_one_owner)
{
    json_t *j = get_ok(api, &ex, "/v1/owners?limit=1");
    cr_assert_eq(member_int(j, "total"), 2);
    cr_assert_str_eq(member_str(json_array_get(member_array(j, "items"), 0), "owner"), "team-a");
    cr_assert(strstr(ex.resp.link, "</v1/owners?limit=1&offset=1>; rel=\"next\""), "%s",
              ex.resp.link);
    exchange_end(&ex);
    j = get_ok(api, &ex, "/v1/owners/team-b");
    cr_assert_str_eq(member_str(j, "contact"), "b@example.org");
    cr_assert_eq(json_array_size(member_array(j, "entries")), 2);
    cr_assert_eq(json_array_size(member_array(j, "bands")), 2);
    json_t *e = json_array_get(member_array(j, "entries"), 1);
    cr_assert_str_eq(member_str(e, "local_status"), "pending-iana");
    cr_assert_str_eq(json_string_value(json_array_get(member_array(e, "reference"), 0)), "T-9");
    exchange_end(&ex);
    exchange_run(api, &ex, PR_GET, "/v1/owners/team-z");
    assert_problem(&ex, 404, NULL);
    exchange_end(&ex);
    /* without a plan: no teams */
    j = get_ok(plain, &ex, "/v1/owners");
    cr_assert_eq(member_int(j, "total"), 0);
}

/* ?pretty indents every JSON answer (README, Formats), the plan's too; an
 * owner's page is kept like the other single pages, so it is the same
 * body, not a new rendering, when asked again */
Test(plan_api, owners_answer_pretty_and_are_kept)
{
    static const char *const targets[] = {"/v1/owners", "/v1/owners/team-b"};
    for (size_t i = 0; i < 2; i++) {
        char target[64];
        snprintf(target, sizeof target, "%s?pretty", targets[i]);
        exchange compact, pretty, again;
        exchange_run(api, &compact, PR_GET, targets[i]);
        exchange_run(api, &pretty, PR_GET, target);
        cr_assert_eq(pretty.resp.status, 200, "%s", target);
        cr_assert(json_equal(compact.json, pretty.json), "%s", target);
        cr_assert_not_null(strstr(pretty.resp.body->data, "\n  \""), "%s: indented", target);
        exchange_run(api, &again, PR_GET, targets[i]);
        cr_assert_eq(again.resp.body, compact.resp.body, "%s: kept", targets[i]);
        exchange_end(&compact);
        exchange_end(&pretty);
        exchange_end(&again);
    }
}

Test(plan_api, services_by_source_and_free_ports)
{
    json_t *j = get_ok(api, &ex, "/v1/services?source=local&limit=100");
    cr_assert_eq(member_int(j, "total"), 7);
    exchange_end(&ex);
    long long all = member_int(get_ok(api, &ex, "/v1/services?limit=1"), "total");
    exchange_end(&ex);
    long long iana = member_int(get_ok(api, &ex, "/v1/services?source=iana&limit=1"), "total");
    exchange_end(&ex);
    long long sample = member_int(get_ok(plain, &ex, "/v1/services?limit=1"), "total");
    cr_assert_eq(iana, sample, "IANA's records are the sample's");
    cr_assert_eq(all, iana + 7);
    exchange_end(&ex);
    exchange_run(api, &ex, PR_GET, "/v1/services?source=nis");
    assert_problem(&ex, 400, "source");
    exchange_end(&ex);
    /* free ports: those free without the plan, less the plan's */
    json_t *with = json_deep_copy(
        member_array(get_ok(api, &ex, "/v1/ports/free?protocol=tcp&from=6090&to=6110"), "items"));
    exchange_end(&ex);
    json_t *without =
        member_array(get_ok(plain, &ex, "/v1/ports/free?protocol=tcp&from=6090&to=6110"), "items");
    size_t i, k = 0;
    json_t *p;
    json_array_foreach(without, i, p)
    {
        if (json_integer_value(p) >= 6100)
            continue;
        cr_assert(json_equal(p, json_array_get(with, k++)));
    }
    cr_assert_eq(json_array_size(with), k, "nothing of the band is free");
    json_decref(with);
}

Test(plan_api, answers_the_plan_does_not_touch_keep_their_bytes)
{
    const char *same[] = {"/v1/ports/3493", "/v1/services/nut", "/v1/check?port=3493&protocol=tcp",
                          "/v1/search?q=ups"};
    const char *changed[] = {"/v1/ports/5000", "/v1/ports/401", "/v1/search?q=team",
                             "/v1/check?port=5000&protocol=tcp", "/v1/registry"};
    for (size_t t = 0; t < 2; t++) {
        size_t n = t ? 5 : 4;
        for (size_t i = 0; i < n; i++) {
            const char *target = t ? changed[i] : same[i];
            exchange a, b;
            exchange_run_unparsed(api, &a, PR_GET, target);
            exchange_run_unparsed(plain, &b, PR_GET, target);
            cr_assert(a.resp.body && b.resp.body, "%s", target);
            bool equal = !strcmp(a.resp.body->etag, b.resp.body->etag);
            cr_assert_eq(equal, t == 0, "%s: ETags %s and %s", target, a.resp.body->etag,
                         b.resp.body->etag);
            exchange_end(&a);
            exchange_end(&b);
        }
    }
}

/* team-c's bands: tcp over the browsers' bad ports 6665-6669 and 6679; tcp
 * 7000-7019 and udp 7010-7029, which cover both only on 7010-7019; tcp
 * across the NodePort range's end and Linux's ephemeral start. */
static const char band_plan[] = HEADER ",6660-6684,tcp,team-c,c@example.org,band,,\n"
                                       ",7000-7019,tcp,team-c,c@example.org,band,,\n"
                                       ",7010-7029,udp,team-c,c@example.org,band,,\n"
                                       "relay,7012,udp,team-c,c@example.org,reserved,,\n"
                                       ",32760-32779,tcp,team-c,c@example.org,band,,\n";

static json_t *suggestions_of(pr_api *a, const char *query)
{
    char target[256];
    snprintf(target, sizeof target, "/v1/check?%s", query);
    exchange_end(&ex);
    return member_array(get_ok(a, &ex, target), "suggestions");
}

static json_int_t nth(json_t *s, size_t i)
{
    cr_assert_gt(json_array_size(s), i, "suggestion %zu of %zu", i, json_array_size(s));
    return json_integer_value(json_array_get(s, i));
}

Test(plan_api, band_suggestions_keep_count_both_span_and_hazards)
{
    pr_registry *r = load_with(band_plan);
    pr_api_config cfg = test_config(1 << 20);
    pr_api *a = pr_api_new(r, &cfg);
    cr_assert_not_null(a);
    /* runs of 3 inside the band, none over a port browsers refuse */
    json_t *s = suggestions_of(a, "port=401&protocol=tcp&owner=team-c&count=3&suggest=5");
    const json_int_t runs[] = {6660, 6670, 6673, 6676, 6680};
    for (size_t i = 0; i < 5; i++)
        cr_assert_eq(nth(s, i), runs[i], "run %zu", i);
    /* count is still 1 by default, and the bad ports are still avoided */
    s = suggestions_of(a, "port=401&protocol=tcp&owner=team-c&suggest=8");
    const json_int_t ones[] = {6660, 6661, 6662, 6663, 6664, 6670, 6671, 6672};
    for (size_t i = 0; i < 8; i++)
        cr_assert_eq(nth(s, i), ones[i], "port %zu", i);
    /* with hazards off, the bad ports are the band's like any other */
    s = suggestions_of(a, "port=401&protocol=tcp&owner=team-c&suggest=7&hazards=none");
    cr_assert_eq(nth(s, 6), 6666);
    /* both: only 7010-7019 is team-c's for tcp and udp, IANA assigned 7010
     * (ups-onlinet) and 7012/udp is reserved: runs of 3 are 7013 and 7016;
     * what follows is outside every band */
    s = suggestions_of(a, "port=401&protocol=tcp&owner=team-c&count=3&both=true&suggest=4");
    cr_assert_eq(nth(s, 0), 7013);
    cr_assert_eq(nth(s, 1), 7016);
    for (size_t i = 2; i < json_array_size(s); i++)
        cr_assert(nth(s, i) < 6660 || nth(s, i) > 7029, "%lld", (long long)nth(s, i));
    /* without both, the tcp band's runs of 4 around IANA's 7002 and 7010,
     * inside the span only, then the span's runs outside the band */
    s = suggestions_of(a, "port=401&protocol=tcp&owner=team-c&count=4&from=7000&to=7100");
    const json_int_t spanned[] = {7003, 7011, 7015, 7020};
    for (size_t i = 0; i < 4; i++)
        cr_assert_eq(nth(s, i), spanned[i], "run %zu: %s", i, json_dumps(s, 0));
    /* a band under hazards gives nothing while they are on */
    s = suggestions_of(a, "port=401&protocol=tcp&owner=team-c&count=2&from=32000&to=33000");
    for (size_t i = 0; i < json_array_size(s); i++)
        cr_assert(nth(s, i) < 32760 || nth(s, i) > 32779, "%lld", (long long)nth(s, i));
    s = suggestions_of(
        a, "port=401&protocol=tcp&owner=team-c&count=2&from=32000&to=33000&hazards=none");
    cr_assert_eq(nth(s, 0), 32760);
    cr_assert_eq(nth(s, 1), 32762);
    exchange_end(&ex);
    pr_api_free(a);
    pr_registry_free(r);
}

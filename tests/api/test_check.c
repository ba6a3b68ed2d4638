/* Port-choice validation through pr_api_handle(): GET and POST /v1/check and
 * GET /v1/ports/free, on the sample registry (suite check) and on the whole
 * registry, the built-in one (suite check_iana).
 *
 * Expected verdicts are worked out here from the design's rules and from
 * what GET /v1/ports/{port}/{protocol} and GET /v1/services/{name} say, never
 * from check.c; facts known from the CSV files are asserted as they are. */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../both_layers.h"
#include "api_test.h"
#include "fixture.h"

TestSuite(check, .init = fixture_sample, .fini = fixture_close);
TestSuite(check_iana, .init = fixture_iana, .fini = fixture_close);

/* A test run on both data sets: the sample and the whole registry. */
#define ON_BOTH(name) PR_ON_BOTH(check, check_iana, SKIP_WITHOUT_IANA(), name)

#define USER_FIRST  1024
#define USER_LAST   49151
#define MAX_SUGGEST 20 /* the largest suggest= */

/* ---- requests ---- */

/* The tests of the registry's rules judge without the host hazards, which
 * have tests of their own (test_check_hazards.c): a check target without
 * hazards= gets hazards=none. */
static void registry_rules_only(char *target, size_t size)
{
    if (strncmp(target, "/v1/check", 9) != 0 || strstr(target, "hazards="))
        return;
    size_t len = strlen(target);
    snprintf(target + len, size - len, "%shazards=none", strchr(target, '?') ? "&" : "?");
}

/* GET a target (printf-style) that must answer 200: a new reference to its JSON. */
__attribute__((format(printf, 1, 2))) static json_t *get(const char *fmt, ...)
{
    char target[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(target, sizeof target, fmt, ap);
    va_end(ap);
    registry_rules_only(target, sizeof target);
    exchange_end(&ex);
    json_t *j = json_incref(get_ok(api, &ex, target));
    exchange_end(&ex);
    return j;
}

/* GET a target that must answer a problem; detail_part (if not NULL) must be
 * in its detail. */
static void get_problem(const char *target, int status, const char *parameter,
                        const char *detail_part)
{
    exchange_end(&ex);
    exchange_run(api, &ex, PR_GET, target);
    assert_problem(&ex, status, parameter);
    const char *detail = member_str(ex.json, "detail");
    if (detail_part)
        cr_assert(strstr(detail, detail_part), "GET %s: detail \"%s\" lacks \"%s\"", target, detail,
                  detail_part);
    exchange_end(&ex);
}

/* POST /v1/check?query with a body, as the server hands it over: ex holds
 * the answer (json parsed when it is JSON). content_type may be NULL. */
static void post(const char *query, const char *content_type, const char *body, size_t len)
{
    exchange_end(&ex);
    char q[1024];
    snprintf(q, sizeof q, "/v1/check%s%s", query && *query ? "?" : "", query ? query : "");
    registry_rules_only(q, sizeof q);
    ex.storage = strdup(strchr(q, '?') + 1);
    cr_assert_not_null(ex.storage);
    size_t count = 0;
    for (char *p = ex.storage; *p;) {
        char *end = p + strcspn(p, "&");
        bool last = *end == '\0';
        *end = '\0';
        cr_assert_lt(count, PR_MAX_QUERY_PARAMS);
        char *eq = strchr(p, '=');
        if (eq)
            *eq = '\0';
        ex.params[count++] = (pr_param){p, eq ? eq + 1 : "", eq ? strlen(eq + 1) : 0};
        p = last ? end : end + 1;
    }
    ex.req.method = PR_POST;
    ex.req.path = "/v1/check";
    ex.req.path_len = strlen(ex.req.path);
    ex.req.params = ex.params;
    ex.req.param_count = count;
    ex.req.body = body;
    ex.req.body_len = len;
    ex.req.content_type = content_type;
    pr_api_handle(api, &ex.req, &ex.resp);
    if (ex.resp.body && ex.resp.content_type && strstr(ex.resp.content_type, "json")) {
        json_error_t jerr;
        ex.json = json_loadb(ex.resp.body->data, ex.resp.body->len, 0, &jerr);
        cr_assert_not_null(ex.json, "POST: answer is not JSON: %s", jerr.text);
    }
}

/* A check answer names the registry that judged: {"updated", "source"},
 * the loaded registry's, as its last member. */
static void assert_stamp(json_t *answer)
{
    json_t *stamp = json_object_get(answer, "registry");
    cr_assert(json_is_object(stamp), "a check answer carries the registry");
    cr_assert_eq(json_object_size(stamp), 2);
    char day[11];
    cr_assert_str_eq(member_str(stamp, "updated"), pr_date_format(reg->updated, day));
    cr_assert_str_eq(member_str(stamp, "source"), reg->source);
    const char *last = NULL;
    const char *key;
    json_t *value;
    json_object_foreach(answer, key, value)
    {
        last = key;
    }
    cr_assert_str_eq(last, "registry", "\"ok\" stays first, the stamp comes last");
}

/* POST a manifest that must be answered 200: a new reference to the answer. */
static json_t *post_ok(const char *query, const char *body)
{
    post(query, "application/json", body, strlen(body));
    cr_assert_eq(ex.resp.status, 200, "POST %s: status %d: %.*s", body, ex.resp.status,
                 ex.resp.body ? (int)ex.resp.body->len : 0, ex.resp.body ? ex.resp.body->data : "");
    cr_assert_str_eq(ex.resp.content_type, "application/json");
    cr_assert_not(ex.resp.cacheable, "an answer to a POST is not cacheable");
    json_t *j = json_incref(ex.json);
    exchange_end(&ex);
    assert_stamp(j);
    return j;
}

/* POST a manifest that must be refused with status and a detail holding part. */
static void post_problem(const char *query, const char *body, int status, const char *parameter,
                         const char *detail_part)
{
    post(query, "application/json", body, strlen(body));
    assert_problem(&ex, status, parameter);
    const char *detail = member_str(ex.json, "detail");
    cr_assert(strstr(detail, detail_part), "POST %s: detail \"%s\" lacks \"%s\"", body, detail,
              detail_part);
    exchange_end(&ex);
}

/* name with every byte but RFC 3986 unreserved ones percent-encoded */
static const char *enc(const char *name, char *out, size_t size)
{
    size_t o = 0;
    for (const unsigned char *s = (const unsigned char *)name; *s && o + 4 < size; s++) {
        if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
            *s == '-' || *s == '.' || *s == '_' || *s == '~')
            out[o++] = (char)*s;
        else
            o += (size_t)snprintf(out + o, size - o, "%%%02X", *s);
    }
    out[o] = '\0';
    return out;
}

/* ---- what a verdict must be, from the design's rules ---- */

static enum pr_proto proto_of(const char *name)
{
    enum pr_proto p;
    cr_assert(pr_proto_parse(name, strlen(name), &p), "%s", name);
    return p;
}

static const char *class_of(unsigned port)
{
    return port <= 1023 ? "system" : port <= USER_LAST ? "user" : "dynamic";
}

/* What GET /v1/ports/{port}/{protocol} says of a port, for a given name. */
typedef struct port_facts {
    char status[16];
    json_t *holding;       /* records that assign or reserve it: the conflicts */
    size_t assigned;       /* assigning records */
    size_t owned;          /* of those, under the name (case-insensitive) */
    char first_owner[128]; /* the service of the first assigning record */
} port_facts;

static port_facts facts_of(unsigned port, const char *proto, const char *name)
{
    json_t *j = get("/v1/ports/%u/%s", port, proto);
    port_facts f = {.holding = json_array()};
    snprintf(f.status, sizeof f.status, "%s", member_str(j, "status"));
    size_t i;
    json_t *r;
    json_array_foreach(member_array(j, "records"), i, r)
    {
        const char *status = member_str(r, "status");
        if (!strcmp(status, "unassigned"))
            continue;
        json_array_append(f.holding, r);
        if (!strcmp(status, "assigned")) {
            if (!f.assigned)
                snprintf(f.first_owner, sizeof f.first_owner, "%s", member_str(r, "service"));
            f.assigned++;
            f.owned += name && !strcasecmp(member_str(r, "service"), name);
        }
    }
    json_decref(j);
    return f;
}

/* Is the port unassigned for proto (and for tcp and udp with both)? */
static bool port_free(unsigned port, enum pr_proto proto, bool both)
{
    if (both)
        return pr_registry_port_status(reg, (uint16_t)port, PR_PROTO_TCP) == PR_STATUS_UNASSIGNED &&
               pr_registry_port_status(reg, (uint16_t)port, PR_PROTO_UDP) == PR_STATUS_UNASSIGNED;
    return pr_registry_port_status(reg, (uint16_t)port, proto) == PR_STATUS_UNASSIGNED;
}

static unsigned sort_start;

static int by_distance(const void *a, const void *b)
{
    unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
    unsigned dx = x > sort_start ? x - sort_start : sort_start - x;
    unsigned dy = y > sort_start ? y - sort_start : sort_start - y;
    return dx != dy ? (dx < dy ? -1 : 1) : (x > y) - (x < y);
}

/* The suggestions the design asks for: every free user port but the asked
 * one, sorted by distance from the start (1024 for a system port, 49151 for
 * a dynamic one), the lower port first on a tie; the first k. */
static size_t expected_suggestions(unsigned port, enum pr_proto proto, bool both, unsigned k,
                                   unsigned *out)
{
    static unsigned all[USER_LAST - USER_FIRST + 1];
    size_t n = 0;
    for (unsigned p = USER_FIRST; p <= USER_LAST; p++)
        if (p != port && port_free(p, proto, both))
            all[n++] = p;
    sort_start = port < USER_FIRST ? USER_FIRST : port > USER_LAST ? USER_LAST : port;
    qsort(all, n, sizeof *all, by_distance);
    n = n < k ? n : k;
    memcpy(out, all, n * sizeof *out);
    return n;
}

/* RFC 6335 5.1, rule by rule, as the design words the problems. */
static size_t expected_name_problems(const char *name, char out[5][200])
{
    size_t len = strlen(name), n = 0;
    bool other = false, letter = false, twice = false;
    for (size_t i = 0; i < len; i++) {
        bool alpha = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", name[i]);
        bool digit = name[i] >= '0' && name[i] <= '9';
        letter |= alpha;
        other |= !alpha && !digit && name[i] != '-';
        twice |= i && name[i] == '-' && name[i - 1] == '-';
    }
    const char *broken[5] = {
        len > 15 ? "is longer than 15 characters" : NULL,
        other ? "contains characters other than letters, digits and hyphens" : NULL,
        !letter ? "contains no letter" : NULL,
        len && (name[0] == '-' || name[len - 1] == '-') ? "begins or ends with a hyphen" : NULL,
        twice ? "contains two hyphens in a row" : NULL,
    };
    for (int i = 0; i < 5; i++)
        if (broken[i])
            snprintf(out[n++], 200, "\"%s\" %s", name, broken[i]);
    return n;
}

/* "3493/tcp" for a record, as a name_registered message lists it. */
static void record_place(json_t *rec, char *out, size_t size)
{
    json_t *port = json_object_get(rec, "port"), *range = json_object_get(rec, "range");
    json_t *proto = json_object_get(rec, "protocol");
    if (json_is_null(port))
        snprintf(out, size, "(no port)");
    else if (json_is_object(range))
        snprintf(out, size, "%lld-%lld%s%s", member_int(range, "first"), member_int(range, "last"),
                 json_is_string(proto) ? "/" : "",
                 json_is_string(proto) ? json_string_value(proto) : "");
    else
        snprintf(out, size, "%lld%s%s", (long long)json_integer_value(port),
                 json_is_string(proto) ? "/" : "",
                 json_is_string(proto) ? json_string_value(proto) : "");
}

static const char *reason_message(json_t *v, const char *code)
{
    size_t i;
    json_t *r;
    json_array_foreach(member_array(v, "reasons"), i, r)
    {
        if (!strcmp(member_str(r, "code"), code))
            return member_str(r, "message");
    }
    return NULL;
}

static void assert_contains(const char *text, const char *part)
{
    cr_assert(text && strstr(text, part), "\"%s\" lacks \"%s\"", text ? text : "(none)", part);
}

/* Asserts that v is the whole verdict the design gives for this choice. */
static void assert_verdict(json_t *v, unsigned port, const char *proto, const char *name, bool both,
                           unsigned suggest)
{
    char at[128];
    snprintf(at, sizeof at, "%u/%s %s", port, proto, name ? name : "(no name)");
    cr_assert(json_is_object(v), "%s: not an object", at);
    cr_assert_eq(json_object_size(v), 14, "%s: a verdict has 13 members and the registry", at);
    /* no plan here: nobody asks, and nothing is said beside the reasons */
    assert_member_null(v, "owner");
    cr_assert_eq(json_array_size(member_array(v, "notes")), 0, "%s: no notes without a plan", at);
    assert_stamp(v);
    cr_assert(json_is_boolean(json_object_get(v, "ok")), "%s: ok", at);
    cr_assert_eq(member_int(v, "port"), port, "%s", at);
    cr_assert_str_eq(member_str(v, "protocol"), proto, "%s", at);
    if (name)
        cr_assert_str_eq(member_str(v, "name"), name, "%s: the name as given", at);
    else
        assert_member_null(v, "name");
    cr_assert_str_eq(member_str(v, "range_class"), class_of(port), "%s", at);

    port_facts f = facts_of(port, proto, name);
    cr_assert_str_eq(member_str(v, "status"), f.status, "%s: the port's own status", at);
    cr_assert(json_equal(member_array(v, "conflicts"), f.holding),
              "%s: conflicts are the records assigning or reserving the port", at);
    bool own = f.assigned > 0 && f.owned == f.assigned;

    /* the reasons, in the design's order */
    const char *codes[6];
    size_t n = 0;
    if (port <= 1023 && !own)
        codes[n++] = "system_port";
    if (port >= 49152)
        codes[n++] = "dynamic_port";
    if (!strcmp(f.status, "assigned") && !own)
        codes[n++] = "assigned";
    if (!strcmp(f.status, "reserved"))
        codes[n++] = "reserved";
    bool port_problem = n > 0;
    char problems[5][200];
    size_t np = name ? expected_name_problems(name, problems) : 0;
    if (np)
        codes[n++] = "name_invalid";
    json_t *registered = json_array();
    bool registered_elsewhere = false;
    if (name) {
        char e[256];
        exchange_end(&ex);
        char target[400];
        snprintf(target, sizeof target, "/v1/services/%s", enc(name, e, sizeof e));
        exchange_run(api, &ex, PR_GET, target);
        if (ex.resp.status == 200) {
            json_decref(registered);
            registered = json_incref(member_array(ex.json, "records"));
            registered_elsewhere = true;
            size_t i;
            json_t *r;
            json_array_foreach(registered, i, r)
            {
                json_t *rp = json_object_get(r, "port"), *rr = json_object_get(r, "range");
                json_t *rproto = json_object_get(r, "protocol");
                long long first = json_is_integer(rp) ? json_integer_value(rp) : -1;
                long long last = json_is_object(rr) ? member_int(rr, "last") : first;
                if (first >= 0 && first <= port && port <= last &&
                    (json_is_null(rproto) || !strcmp(json_string_value(rproto), proto)))
                    registered_elsewhere = false;
            }
        } else {
            cr_assert_eq(ex.resp.status, 404, "%s", target);
        }
        exchange_end(&ex);
    }
    if (registered_elsewhere)
        codes[n++] = "name_registered";

    json_t *reasons = member_array(v, "reasons");
    cr_assert_eq(json_array_size(reasons), n, "%s: %zu reasons, wanted %zu", at,
                 json_array_size(reasons), n);
    for (size_t i = 0; i < n; i++) {
        json_t *r = json_array_get(reasons, i);
        cr_assert_eq(json_object_size(r), 2, "%s: a reason is {code, message}", at);
        cr_assert_str_eq(member_str(r, "code"), codes[i], "%s: reason %zu", at, i);
        cr_assert_gt(strlen(member_str(r, "message")), 0, "%s", at);
    }
    cr_assert_eq(json_is_true(json_object_get(v, "ok")), n == 0, "%s: ok iff no reason", at);

    /* each message says what it is about */
    char number[16];
    snprintf(number, sizeof number, "%u", port);
    char place[32];
    snprintf(place, sizeof place, "%u/%s", port, proto);
    if (reason_message(v, "system_port")) {
        assert_contains(reason_message(v, "system_port"), number);
        assert_contains(reason_message(v, "system_port"), "0-1023");
    }
    if (reason_message(v, "dynamic_port")) {
        assert_contains(reason_message(v, "dynamic_port"), number);
        assert_contains(reason_message(v, "dynamic_port"), "49152-65535");
    }
    if (reason_message(v, "assigned")) {
        assert_contains(reason_message(v, "assigned"), place);
        assert_contains(reason_message(v, "assigned"), f.first_owner);
    }
    if (reason_message(v, "reserved"))
        assert_contains(reason_message(v, "reserved"), place);
    if (reason_message(v, "name_registered")) {
        size_t i;
        json_t *r;
        json_array_foreach(registered, i, r)
        {
            char where[64];
            record_place(r, where, sizeof where);
            assert_contains(reason_message(v, "name_registered"), where);
        }
    }

    json_t *got_problems = member_array(v, "name_problems");
    cr_assert_eq(json_array_size(got_problems), np, "%s: name problems", at);
    for (size_t i = 0; i < np; i++)
        cr_assert_str_eq(json_string_value(json_array_get(got_problems, i)), problems[i], "%s", at);
    cr_assert(json_equal(member_array(v, "registered"), registered),
              "%s: registered holds the name's records, as /v1/services/{name} lists them", at);
    json_decref(registered);
    json_decref(f.holding);

    /* suggestions only when the port itself is the problem */
    json_t *got = member_array(v, "suggestions");
    unsigned want[MAX_SUGGEST];
    size_t nw = port_problem ? expected_suggestions(port, proto_of(proto), both, suggest, want) : 0;
    cr_assert_eq(json_array_size(got), nw, "%s: %zu suggestions, wanted %zu", at,
                 json_array_size(got), nw);
    for (size_t i = 0; i < nw; i++)
        cr_assert_eq(json_integer_value(json_array_get(got, i)), want[i],
                     "%s: suggestion %zu is %lld, wanted %u", at, i,
                     (long long)json_integer_value(json_array_get(got, i)), want[i]);
}

/* GET /v1/check for a choice and assert the whole verdict; a new reference. */
static json_t *check_one(unsigned port, const char *proto, const char *name)
{
    char e[256];
    json_t *v =
        name ? get("/v1/check?port=%u&protocol=%s&name=%s", port, proto, enc(name, e, sizeof e))
             : get("/v1/check?port=%u&protocol=%s", port, proto);
    assert_verdict(v, port, proto, name, false, 5);
    return v;
}

static void assert_codes(json_t *v, const char *a, const char *b)
{
    json_t *reasons = member_array(v, "reasons");
    size_t n = (a != NULL) + (b != NULL);
    cr_assert_eq(json_array_size(reasons), n, "%zu reasons, wanted %zu", json_array_size(reasons),
                 n);
    if (a)
        cr_assert_str_eq(member_str(json_array_get(reasons, 0), "code"), a);
    if (b)
        cr_assert_str_eq(member_str(json_array_get(reasons, 1), "code"), b);
}

static void assert_ints(json_t *list, const unsigned *want, size_t n)
{
    cr_assert(json_is_array(list));
    cr_assert_eq(json_array_size(list), n, "%zu items, wanted %zu", json_array_size(list), n);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(json_integer_value(json_array_get(list, i)), want[i],
                     "item %zu is %lld, wanted %u", i,
                     (long long)json_integer_value(json_array_get(list, i)), want[i]);
}

/* ---- single choices ---- */

ON_BOTH(a_free_user_port_is_ok)
{
    /* 5260 is in the 5255-5263 Unassigned range, in both data sets */
    json_t *v = check_one(5260, "tcp", NULL);
    cr_assert(json_is_true(json_object_get(v, "ok")));
    cr_assert_str_eq(member_str(v, "status"), "unassigned");
    cr_assert_str_eq(member_str(v, "range_class"), "user");
    cr_assert_eq(json_array_size(member_array(v, "reasons")), 0);
    cr_assert_eq(json_array_size(member_array(v, "suggestions")), 0);
    cr_assert_eq(json_array_size(member_array(v, "conflicts")), 0,
                 "an Unassigned range is no conflict");
    json_decref(v);
    /* with a fresh name, and over every protocol: the range has none */
    const char *protos[] = {"tcp", "udp", "sctp", "dccp"};
    for (int i = 0; i < 4; i++) {
        v = check_one(5260, protos[i], "mysvc");
        cr_assert(json_is_true(json_object_get(v, "ok")), "5260/%s", protos[i]);
        cr_assert_eq(json_array_size(member_array(v, "suggestions")), 0);
        json_decref(v);
    }
}

ON_BOTH(an_assigned_port_is_not_ok)
{
    json_t *v = check_one(3493, "tcp", NULL);
    assert_codes(v, "assigned", NULL);
    cr_assert_str_eq(reason_message(v, "assigned"),
                     "3493/tcp is assigned to nut (Network UPS Tools)");
    json_t *conflicts = member_array(v, "conflicts");
    cr_assert_eq(json_array_size(conflicts), 1);
    cr_assert_str_eq(member_str(json_array_get(conflicts, 0), "service"), "nut");
    cr_assert_str_eq(member_str(json_array_get(conflicts, 0), "protocol"), "tcp");
    cr_assert_eq(json_array_size(member_array(v, "suggestions")), 5);
    json_decref(v);

    v = check_one(3493, "tcp", "mysvc");
    assert_codes(v, "assigned", NULL);
    json_decref(v);

    /* another registered name: both problems */
    v = check_one(3493, "tcp", "ups");
    assert_codes(v, "assigned", "name_registered");
    assert_contains(reason_message(v, "name_registered"), "401/tcp, 401/udp");
    json_decref(v);

    v = check_one(5264, "tcp", "mysvc");
    assert_codes(v, "assigned", NULL);
    cr_assert_str_eq(reason_message(v, "assigned"),
                     "5264/tcp is assigned to 3com-njack-1 (3Com Network Jack Port 1)");
    json_decref(v);
}

ON_BOTH(the_own_registration_is_ok)
{
    const char *names[] = {"nut", "NUT", "Nut"};
    for (int i = 0; i < 3; i++) {
        json_t *v = check_one(3493, "tcp", names[i]);
        cr_assert(json_is_true(json_object_get(v, "ok")), "3493/tcp %s", names[i]);
        cr_assert_str_eq(member_str(v, "name"), names[i], "the name as given");
        cr_assert_str_eq(member_str(v, "status"), "assigned");
        cr_assert_eq(json_array_size(member_array(v, "conflicts")), 1,
                     "the own record is still listed");
        cr_assert_eq(json_array_size(member_array(v, "registered")), 2);
        cr_assert_eq(json_array_size(member_array(v, "suggestions")), 0);
        json_decref(v);
    }
    json_t *v = check_one(3493, "udp", "nut");
    cr_assert(json_is_true(json_object_get(v, "ok")));
    json_decref(v);
    /* the name of the neighbour is not the own registration */
    v = check_one(5264, "tcp", "3com-njack-2");
    assert_codes(v, "assigned", "name_registered");
    assert_contains(reason_message(v, "name_registered"), "5265/tcp, 5265/udp");
    json_decref(v);
    v = check_one(5264, "udp", "3COM-NJACK-1");
    cr_assert(json_is_true(json_object_get(v, "ok")));
    json_decref(v);
}

ON_BOTH(a_reserved_port_is_not_ok)
{
    json_t *v = check_one(4726, "tcp", NULL);
    assert_codes(v, "reserved", NULL);
    cr_assert_str_eq(member_str(v, "status"), "reserved");
    json_t *conflicts = member_array(v, "conflicts");
    cr_assert_eq(json_array_size(conflicts), 1);
    assert_member_null(json_array_get(conflicts, 0), "service");
    cr_assert_str_eq(member_str(json_array_get(conflicts, 0), "description"), "Reserved");
    assert_contains(reason_message(v, "reserved"), "4726/tcp");
    cr_assert_eq(json_array_size(member_array(v, "suggestions")), 5);
    json_decref(v);
    /* a name does not make a reservation the service's own */
    v = check_one(4726, "tcp", "mysvc");
    assert_codes(v, "reserved", NULL);
    json_decref(v);
    /* on udp the port is assigned */
    v = check_one(4726, "udp", NULL);
    assert_codes(v, "assigned", NULL);
    assert_contains(reason_message(v, "assigned"), "a26-fap-fgw");
    json_decref(v);
}

ON_BOTH(the_ends_of_the_ranges)
{
    static const unsigned ports[] = {0, 1, 1023, 1024, 1025, 49150, 49151, 49152, 65535};
    const char *protos[] = {"tcp", "udp", "sctp", "dccp"};
    for (size_t i = 0; i < sizeof ports / sizeof *ports; i++)
        for (int k = 0; k < 4; k++)
            json_decref(check_one(ports[i], protos[k], NULL));

    json_t *v = check_one(1023, "tcp", NULL);
    cr_assert_str_eq(member_str(v, "range_class"), "system");
    cr_assert_str_eq(
        json_string_value(json_object_get(json_array_get(member_array(v, "reasons"), 0), "code")),
        "system_port");
    cr_assert_str_eq(reason_message(v, "system_port"),
                     "1023 is a system port (0-1023): assigned only through IETF Review or IESG "
                     "Approval (RFC 6335 8.1.2)");
    /* from a system port, the search starts at 1024 */
    json_t *s = member_array(v, "suggestions");
    cr_assert_eq(json_array_size(s), 5);
    for (size_t i = 0; i < 5; i++)
        cr_assert_geq(json_integer_value(json_array_get(s, i)), USER_FIRST);
    json_decref(v);

    v = check_one(0, "udp", NULL);
    cr_assert_str_eq(member_str(v, "range_class"), "system");
    cr_assert_not_null(reason_message(v, "system_port"));
    json_decref(v);

    v = check_one(49152, "tcp", NULL);
    cr_assert_str_eq(member_str(v, "range_class"), "dynamic");
    cr_assert_str_eq(member_str(v, "status"), "dynamic");
    assert_codes(v, "dynamic_port", NULL);
    assert_contains(reason_message(v, "dynamic_port"), "49152 is a dynamic port (49152-65535)");
    /* from a dynamic port, the search starts at 49151, downwards */
    s = member_array(v, "suggestions");
    cr_assert_eq(json_array_size(s), 5);
    for (size_t i = 0; i < 5; i++)
        cr_assert_leq(json_integer_value(json_array_get(s, i)), USER_LAST);
    json_decref(v);

    v = check_one(65535, "dccp", "mysvc");
    assert_codes(v, "dynamic_port", NULL);
    json_decref(v);

    v = check_one(1024, "tcp", NULL);
    cr_assert_str_eq(member_str(v, "range_class"), "user");
    cr_assert_null(reason_message(v, "system_port"));
    json_decref(v);
    v = check_one(49151, "udp", NULL);
    cr_assert_str_eq(member_str(v, "range_class"), "user");
    cr_assert_null(reason_message(v, "dynamic_port"));
    json_decref(v);
}

/* 1024 and 49151 are user ports: judged by what the registry says of them */
Test(check, user_range_ends_in_the_sample_are_free)
{
    /* no sample row covers them */
    unsigned ports[] = {1024, 49151};
    for (int i = 0; i < 2; i++) {
        json_t *v = check_one(ports[i], "tcp", NULL);
        cr_assert(json_is_true(json_object_get(v, "ok")), "%u", ports[i]);
        cr_assert_str_eq(member_str(v, "status"), "unassigned");
        json_decref(v);
    }
    json_t *v = check_one(0, "tcp", NULL);
    assert_codes(v, "system_port", NULL);
    unsigned want[] = {1024, 1025, 1026, 1027, 1028};
    assert_ints(member_array(v, "suggestions"), want, 5);
    json_decref(v);
    v = check_one(65535, "tcp", NULL);
    unsigned down[] = {49151, 49150, 49149, 49148, 49147};
    assert_ints(member_array(v, "suggestions"), down, 5);
    json_decref(v);
}

Test(check_iana, user_range_ends_are_reserved)
{
    SKIP_WITHOUT_IANA();
    /* ",1024,tcp,Reserved", ",49151,,Reserved" and ",0,tcp,Reserved" in the registry */
    json_t *v = check_one(1024, "tcp", NULL);
    assert_codes(v, "reserved", NULL);
    json_decref(v);
    v = check_one(49151, "sctp", NULL);
    assert_codes(v, "reserved", NULL);
    json_decref(v);
    v = check_one(0, "tcp", NULL);
    assert_codes(v, "system_port", "reserved");
    json_decref(v);
    v = check_one(1023, "udp", NULL);
    assert_codes(v, "system_port", "reserved");
    json_decref(v);
    v = check_one(65535, "udp", NULL);
    assert_codes(v, "dynamic_port", NULL);
    cr_assert_str_eq(member_str(v, "status"), "dynamic");
    json_decref(v);
}

ON_BOTH(system_ports_and_their_own_names)
{
    /* 401 is ups: a system port, assigned */
    json_t *v = check_one(401, "tcp", NULL);
    assert_codes(v, "system_port", "assigned");
    json_decref(v);
    v = check_one(401, "tcp", "mysvc");
    assert_codes(v, "system_port", "assigned");
    json_decref(v);
    /* the code treats a service's own registration as ok even in the system
     * range (no system_port reason): see the design notes of the report */
    v = check_one(401, "udp", "UPS");
    cr_assert(json_is_true(json_object_get(v, "ok")));
    json_decref(v);
}

ON_BOTH(a_name_registered_elsewhere)
{
    json_t *v = check_one(5260, "tcp", "nut");
    assert_codes(v, "name_registered", NULL);
    assert_contains(reason_message(v, "name_registered"), "3493/tcp, 3493/udp");
    assert_contains(reason_message(v, "name_registered"), "nut");
    json_t *registered = member_array(v, "registered");
    cr_assert_eq(json_array_size(registered), 2);
    cr_assert_eq(member_int(json_array_get(registered, 0), "port"), 3493);
    cr_assert_str_eq(member_str(json_array_get(registered, 0), "protocol"), "tcp");
    cr_assert_str_eq(member_str(json_array_get(registered, 1), "protocol"), "udp");
    cr_assert_eq(json_array_size(member_array(v, "suggestions")), 0,
                 "only the name is the problem: no other port is suggested");
    json_decref(v);
    v = check_one(5260, "udp", "NuT");
    assert_codes(v, "name_registered", NULL);
    json_decref(v);
    /* registered on this port, but for other protocols only */
    v = check_one(3493, "sctp", "nut");
    assert_codes(v, "name_registered", NULL);
    json_decref(v);
}

ON_BOTH(each_rfc_6335_rule_broken_once)
{
    static const struct {
        const char *name, *problem;
    } cases[] = {
        {"abcdefghijklmnop", "\"abcdefghijklmnop\" is longer than 15 characters"},
        {"my_svc", "\"my_svc\" contains characters other than letters, digits and hyphens"},
        {"12345", "\"12345\" contains no letter"},
        {"-mysvc", "\"-mysvc\" begins or ends with a hyphen"},
        {"mysvc-", "\"mysvc-\" begins or ends with a hyphen"},
        {"my--svc", "\"my--svc\" contains two hyphens in a row"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        json_t *v = check_one(5260, "tcp", cases[i].name);
        assert_codes(v, "name_invalid", NULL);
        json_t *problems = member_array(v, "name_problems");
        cr_assert_eq(json_array_size(problems), 1, "%s", cases[i].name);
        cr_assert_str_eq(json_string_value(json_array_get(problems, 0)), cases[i].problem);
        assert_contains(reason_message(v, "name_invalid"), cases[i].name);
        cr_assert_eq(json_array_size(member_array(v, "suggestions")), 0,
                     "%s: only the name is the problem", cases[i].name);
        json_decref(v);
    }
    /* just within the rules */
    const char *fine[] = {"abcdefghijklmno", "a", "1a", "a-1-b", "X11"};
    for (size_t i = 0; i < sizeof fine / sizeof *fine; i++) {
        json_t *v = check_one(5261, "tcp", fine[i]);
        cr_assert_eq(json_array_size(member_array(v, "name_problems")), 0, "%s", fine[i]);
        json_decref(v);
    }
    /* several broken at once: one problem each, in the RFC's order */
    json_t *v = check_one(5260, "tcp", "--1_");
    json_t *p = member_array(v, "name_problems");
    cr_assert_eq(json_array_size(p), 4);
    cr_assert_str_eq(json_string_value(json_array_get(p, 0)),
                     "\"--1_\" contains characters other than letters, digits and hyphens");
    cr_assert_str_eq(json_string_value(json_array_get(p, 1)), "\"--1_\" contains no letter");
    cr_assert_str_eq(json_string_value(json_array_get(p, 2)),
                     "\"--1_\" begins or ends with a hyphen");
    cr_assert_str_eq(json_string_value(json_array_get(p, 3)),
                     "\"--1_\" contains two hyphens in a row");
    json_decref(v);
    /* and with a port problem too */
    v = check_one(5264, "tcp", "my_svc");
    assert_codes(v, "assigned", "name_invalid");
    cr_assert_eq(json_array_size(member_array(v, "suggestions")), 5);
    json_decref(v);
}

/* ---- suggestions ---- */

Test(check, suggestions_nearest_first_lower_first_on_ties)
{
    /* 5263 (distance 1; 5265 is assigned), then 5262 and 5266 (distance 2,
     * the lower first), then 5261 and 5267 */
    json_t *v = check_one(5264, "tcp", "mysvc");
    unsigned want[] = {5263, 5262, 5266, 5261, 5267};
    assert_ints(member_array(v, "suggestions"), want, 5);
    json_decref(v);
    /* 5269/udp is reserved: 5268 and 5270 tie, then 5267 and 5271 */
    v = check_one(5269, "udp", NULL);
    unsigned want2[] = {5268, 5270, 5267, 5271, 5266};
    assert_ints(member_array(v, "suggestions"), want2, 5);
    json_decref(v);
}

Test(check_iana, suggestions_nearest_first_lower_first_on_ties)
{
    SKIP_WITHOUT_IANA();
    json_t *v = check_one(5264, "tcp", "mysvc");
    unsigned want[] = {5263, 5262, 5266, 5261, 5267};
    assert_ints(member_array(v, "suggestions"), want, 5);
    json_decref(v);
}

ON_BOTH(suggestions_follow_the_rule)
{
    static const struct {
        unsigned port;
        const char *proto;
    } cases[] = {
        {5264, "tcp"}, {5264, "udp"},  {4726, "tcp"},  {3493, "udp"},  {401, "tcp"},
        {0, "sctp"},   {1023, "dccp"}, {49152, "udp"}, {65535, "tcp"}, {5269, "udp"},
        {6081, "udp"}, {5060, "tcp"},  {22, "tcp"},    {80, "udp"},    {8080, "tcp"},
        {1024, "tcp"}, {49151, "tcp"}, {3260, "tcp"},  {5061, "udp"},  {6268, "sctp"},
    };
    const unsigned counts[] = {0, 1, 5, 20};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        for (int both = 0; both < 2; both++) {
            if (both && strcmp(cases[i].proto, "tcp") && strcmp(cases[i].proto, "udp"))
                continue;
            for (int c = 0; c < 4; c++) {
                json_t *v = get("/v1/check?port=%u&protocol=%s&suggest=%u%s", cases[i].port,
                                cases[i].proto, counts[c], both ? "&both=true" : "");
                assert_verdict(v, cases[i].port, cases[i].proto, NULL, both, counts[c]);
                /* each suggestion is free as /v1/ports/{p}/{proto} tells */
                size_t k;
                json_t *s;
                json_array_foreach(member_array(v, "suggestions"), k, s)
                {
                    unsigned p = (unsigned)json_integer_value(s);
                    cr_assert(p >= USER_FIRST && p <= USER_LAST, "%u is not a user port", p);
                    const char *protos[2] = {cases[i].proto, NULL};
                    if (both) {
                        protos[0] = "tcp";
                        protos[1] = "udp";
                    }
                    for (int q = 0; q < 2 && protos[q]; q++) {
                        json_t *pj = get("/v1/ports/%u/%s", p, protos[q]);
                        cr_assert_str_eq(member_str(pj, "status"), "unassigned", "%u/%s", p,
                                         protos[q]);
                        json_decref(pj);
                    }
                }
                json_decref(v);
            }
        }
    }
}

Test(check, suggest_counts)
{
    json_t *v = get("/v1/check?port=5264&protocol=tcp&suggest=0");
    cr_assert_eq(json_array_size(member_array(v, "suggestions")), 0);
    cr_assert(json_is_false(json_object_get(v, "ok")), "suggest=0 changes only the suggestions");
    json_decref(v);
    v = get("/v1/check?port=5264&protocol=tcp&suggest=1");
    unsigned one[] = {5263};
    assert_ints(member_array(v, "suggestions"), one, 1);
    json_decref(v);
    v = get("/v1/check?port=5264&protocol=tcp&suggest=20");
    cr_assert_eq(json_array_size(member_array(v, "suggestions")), 20);
    json_decref(v);
    v = get("/v1/check?port=5264&protocol=tcp");
    cr_assert_eq(json_array_size(member_array(v, "suggestions")), 5, "5 by default");
    json_decref(v);
    get_problem("/v1/check?port=5264&protocol=tcp&suggest=21", 400, "suggest", "suggest");
    get_problem("/v1/check?port=5264&protocol=tcp&suggest=-1", 400, "suggest", NULL);
    get_problem("/v1/check?port=5264&protocol=tcp&suggest=", 400, "suggest", NULL);
    get_problem("/v1/check?port=5264&protocol=tcp&suggest=five", 400, "suggest", NULL);
}

/* With both=true, the suggestions are free for tcp and for udp. */
static void both_differs(unsigned port, const char *proto)
{
    json_t *one = get("/v1/check?port=%u&protocol=%s&suggest=20", port, proto);
    json_t *two = get("/v1/check?port=%u&protocol=%s&suggest=20&both=true", port, proto);
    assert_verdict(one, port, proto, NULL, false, 20);
    assert_verdict(two, port, proto, NULL, true, 20);
    cr_assert_not(json_equal(member_array(one, "suggestions"), member_array(two, "suggestions")),
                  "%u/%s: both=true must skip ports free for one protocol only", port, proto);
    /* the rest of the verdict is the same */
    json_object_del(one, "suggestions");
    json_object_del(two, "suggestions");
    cr_assert(json_equal(one, two));
    json_decref(one);
    json_decref(two);
}

Test(check_iana, both_skips_ports_free_for_one_protocol_only)
{
    SKIP_WITHOUT_IANA();
    /* 9876/udp is free, 9876/tcp is sd: near sapv1 on 9875 */
    json_t *v = get("/v1/check?port=9875&protocol=udp");
    unsigned one[] = {9874, 9876, 9873, 9872, 9871};
    assert_ints(member_array(v, "suggestions"), one, 5);
    json_decref(v);
    v = get("/v1/check?port=9875&protocol=udp&both=true");
    unsigned two[] = {9874, 9873, 9872, 9871, 9879};
    assert_ints(member_array(v, "suggestions"), two, 5);
    json_decref(v);
    both_differs(9875, "udp");
    both_differs(4914, "udp"); /* 4913/udp is free, 4913/tcp is lutcp */
}

/* Replaces the sample with a registry of these rows (records file header
 * and one contact row supplied). */
static void use_rows(const char *rows)
{
    static const char header[] = "Service Name,Port Number,Transport Protocol,Description,"
                                 "Assignee,Contact,Registration Date,Modification Date,"
                                 "Reference,Service Code,Unauthorized Use Reported,"
                                 "Assignment Notes\n";
    static const char contacts[] = "ID,Name,Organization,Contact URI,Last Updated\n"
                                   "[Someone],Some One,,mailto:someone&example.org,2020-01-01\n";
    char text[4096];
    snprintf(text, sizeof text, "%s%s", header, rows);
    pr_source r = {"records.csv", (const unsigned char *)text, strlen(text)};
    pr_source c = {"contacts.csv", (const unsigned char *)contacts, strlen(contacts)};
    pr_error err;
    pr_error_clear(&err);
    pr_registry *tiny = pr_registry_load_sources(&r, &c, &err);
    cr_assert_not_null(tiny, "%s", err.text);
    pr_api_free(api);
    pr_registry_free(reg);
    reg = tiny;
    pr_api_config cfg = test_config(1 << 20);
    api = pr_api_new(reg, &cfg);
    cr_assert_not_null(api);
}

Test(check, both_skips_ports_free_for_one_protocol_only)
{
    /* The sample has no port free for one of tcp and udp only within 20
     * ports of one that is not ok; a registry of four rows has. */
    use_rows("tcponly,5001,tcp,TCP only,[Someone],[Someone],2020-01-01,,,,,\n"
             "taken,5002,tcp,Taken,[Someone],[Someone],2020-01-01,,,,,\n"
             "taken,5002,udp,Taken,[Someone],[Someone],2020-01-01,,,,,\n"
             "udponly,5003,udp,UDP only,[Someone],[Someone],2020-01-01,,,,,\n");
    json_t *v = get("/v1/check?port=5002&protocol=tcp");
    unsigned tcp[] = {5003, 5000, 5004, 4999, 5005};
    assert_ints(member_array(v, "suggestions"), tcp, 5);
    json_decref(v);
    v = get("/v1/check?port=5002&protocol=udp");
    unsigned udp[] = {5001, 5000, 5004, 4999, 5005};
    assert_ints(member_array(v, "suggestions"), udp, 5);
    json_decref(v);
    unsigned both[] = {5000, 5004, 4999, 5005, 4998};
    v = get("/v1/check?port=5002&protocol=tcp&both=true");
    assert_ints(member_array(v, "suggestions"), both, 5);
    json_decref(v);
    v = get("/v1/check?port=5002&protocol=udp&both=true");
    assert_ints(member_array(v, "suggestions"), both, 5);
    json_decref(v);
    both_differs(5002, "tcp");
    both_differs(5002, "udp");
    v = get("/v1/check?port=5002&protocol=tcp&both=false");
    assert_ints(member_array(v, "suggestions"), tcp, 5);
    json_decref(v);
}

/* The reason of an assigned port quotes its holder's description, cut when
 * long. A cut inside a multi-byte character once made the reason invalid
 * UTF-8: jansson refused it, the reason was dropped and the verdict said ok.
 * Every position of a two-, three- and four-byte character around the cut
 * is tried, as is a description with IANA's mojibake (valid UTF-8 that
 * passes through unchanged). */
Test(check, a_reason_survives_a_description_cut_inside_a_character)
{
    static const char *const chars[] = {"\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80",
                                        "Ari\xe2\x88\x9a\xc2\xb4n"};
    for (size_t c = 0; c < sizeof chars / sizeof *chars; c++) {
        for (size_t at = 200; at <= 320; at++) {
            char desc[512];
            memset(desc, 'd', at);
            snprintf(desc + at, sizeof desc - at, "%s%s", chars[c],
                     "-and-some-more-text-after-it-to-make-it-long");
            char rows[1024];
            snprintf(rows, sizeof rows, "holder,5004,tcp,%s,[Someone],[Someone],2020-01-01,,,,,\n",
                     desc);
            use_rows(rows);
            json_t *v = get("/v1/check?port=5004&protocol=tcp&name=mine");
            cr_assert(json_is_false(json_object_get(v, "ok")), "character %zu at byte %zu", c, at);
            json_t *reasons = member_array(v, "reasons");
            cr_assert_eq(json_array_size(reasons), 1, "character %zu at byte %zu", c, at);
            json_t *reason = json_array_get(reasons, 0);
            cr_assert_str_eq(member_str(reason, "code"), "assigned");
            const char *message = member_str(reason, "message");
            static const char head[] = "5004/tcp is assigned to holder (";
            cr_assert(strncmp(message, head, sizeof head - 1) == 0, "%s", message);
            /* what is shown of the description is a prefix of it, whole characters */
            const char *shown = message + sizeof head - 1;
            size_t shown_len = strlen(shown) - 1; /* the closing parenthesis */
            cr_assert_eq(shown[shown_len], ')', "%s", message);
            if (shown_len > 3 && strncmp(shown + shown_len - 3, "...", 3) == 0)
                shown_len -= 3;
            cr_assert(shown_len > 0 && strncmp(shown, desc, shown_len) == 0, "%s", message);
            /* the conflict lists the record with its whole description */
            json_t *conflict = json_array_get(member_array(v, "conflicts"), 0);
            cr_assert_str_eq(member_str(conflict, "description"), desc);
            json_decref(v);
        }
    }
}

/* ---- GET /v1/check: parameters, methods, caching ---- */

Test(check, bad_parameters_are_400)
{
    get_problem("/v1/check", 400, "port", "port");
    get_problem("/v1/check?protocol=tcp", 400, "port", "required");
    get_problem("/v1/check?port=5264", 400, "protocol", "required");
    get_problem("/v1/check?port=65536&protocol=tcp", 400, "port", "65536");
    get_problem("/v1/check?port=-1&protocol=tcp", 400, "port", NULL);
    get_problem("/v1/check?port=http&protocol=tcp", 400, "port", NULL);
    get_problem("/v1/check?port=&protocol=tcp", 400, "port", NULL);
    get_problem("/v1/check?port=5264&protocol=xtp", 400, "protocol", "xtp");
    get_problem("/v1/check?port=5264&protocol=tcp,udp", 400, "protocol", NULL);
    get_problem("/v1/check?port=5264&protocol=none", 400, "protocol", NULL);
    get_problem("/v1/check?port=5264&protocol=tcp&name=", 400, "name", "64");
    char target[256];
    snprintf(target, sizeof target, "/v1/check?port=5264&protocol=tcp&name=%065d", 0);
    get_problem(target, 400, "name", "65");
    snprintf(target, sizeof target, "/v1/check?port=5264&protocol=tcp&name=a%063d", 0);
    json_t *v = get("%s", target); /* 64 bytes: long, but a name to judge */
    assert_codes(v, "assigned", "name_invalid");
    json_decref(v);
    /* the answer repeats the name: it must be UTF-8 */
    get_problem("/v1/check?port=5264&protocol=tcp&name=%FF", 400, "name", "UTF-8");
    get_problem("/v1/check?port=5264&protocol=tcp&name=caf%C3", 400, "name", "UTF-8");
    get_problem("/v1/check?port=5264&protocol=tcp&name=%ED%A0%80", 400, "name", "UTF-8");
    v = get("/v1/check?port=5260&protocol=tcp&name=caf%%C3%%A9");
    cr_assert_str_eq(member_str(v, "name"), "caf\xc3\xa9");
    assert_codes(v, "name_invalid", NULL);
    json_decref(v);
    get_problem("/v1/check?port=5264&protocol=tcp&both=yes", 400, "both", "true or false");
    get_problem("/v1/check?port=5264&protocol=tcp&both=", 400, "both", NULL);
    get_problem("/v1/check?port=5264&protocol=sctp&both=true", 400, "both", "sctp");
    get_problem("/v1/check?port=5264&protocol=dccp&both=true", 400, "both", "dccp");
    get_problem("/v1/check?port=5264&protocol=tcp&limit=3", 400, "limit", "unknown");
    get_problem("/v1/check?port=5264&protocol=tcp&port=5265", 400, "port", "more than once");
    /* both=false is fine with any protocol; protocols are case-insensitive */
    v = get("/v1/check?port=5264&protocol=SCTP&both=false");
    cr_assert_str_eq(member_str(v, "protocol"), "sctp");
    json_decref(v);
}

Test(check, methods)
{
    exchange_run(api, &ex, PR_OPTIONS, "/v1/check");
    cr_assert_eq(ex.resp.status, 204);
    cr_assert_str_eq(ex.resp.allow, "GET, HEAD, OPTIONS, POST");
    exchange_end(&ex);
    exchange_run(api, &ex, PR_OTHER_METHOD, "/v1/check");
    assert_problem(&ex, 405, NULL);
    cr_assert_str_eq(ex.resp.allow, "GET, HEAD, OPTIONS, POST");
    assert_contains(member_str(ex.json, "detail"), "GET, HEAD, OPTIONS, POST");
    exchange_end(&ex);
    exchange_run(api, &ex, PR_HEAD, "/v1/check?port=5264&protocol=tcp");
    cr_assert_eq(ex.resp.status, 200);
    exchange_end(&ex);
    /* the other resources keep to reading, /v1/ports/free included */
    exchange_run(api, &ex, PR_OPTIONS, "/v1/ports/free");
    cr_assert_eq(ex.resp.status, 204);
    cr_assert_str_eq(ex.resp.allow, "GET, HEAD, OPTIONS");
    exchange_end(&ex);
    const char *read_only[] = {"/v1/ports/free?protocol=tcp", "/v1/ports/5264", "/v1/services"};
    for (int i = 0; i < 3; i++) {
        exchange_run(api, &ex, PR_POST, read_only[i]);
        assert_problem(&ex, 405, NULL);
        cr_assert_str_eq(ex.resp.allow, "GET, HEAD, OPTIONS", "%s", read_only[i]);
        exchange_end(&ex);
    }
}

Test(check, get_answers_are_cacheable)
{
    exchange_run(api, &ex, PR_GET, "/v1/check?port=5264&protocol=tcp&name=mysvc");
    cr_assert_eq(ex.resp.status, 200);
    cr_assert(ex.resp.cacheable);
    cr_assert_eq(strlen(ex.resp.body->etag), 34);
    char etag[40];
    snprintf(etag, sizeof etag, "%s", ex.resp.body->etag);
    exchange_end(&ex);
    exchange_run(api, &ex, PR_GET, "/v1/check?protocol=tcp&name=mysvc&port=5264");
    cr_assert_str_eq(ex.resp.body->etag, etag, "the same verdict, the same tag");
    exchange_end(&ex);
    exchange_run(api, &ex, PR_GET, "/v1/check?port=5264&protocol=tcp&name=other");
    cr_assert_str_neq(ex.resp.body->etag, etag);
    exchange_end(&ex);
}

/* ---- POST /v1/check ---- */

/* The POST answer's verdicts are GET /v1/check's, entry by entry. */
static void assert_same_as_get(json_t *answer, size_t i, const char *query)
{
    json_t *v = get("/v1/check?%s", query);
    assert_stamp(v);
    json_object_del(v, "registry"); /* the answer's, not the verdict's */
    cr_assert(json_equal(json_array_get(member_array(answer, "verdicts"), i), v),
              "verdict %zu differs from GET /v1/check?%s", i, query);
    json_decref(v);
}

static void assert_clash(json_t *answer, size_t at, long long a, long long b, const char *code,
                         const char *message)
{
    json_t *c = json_array_get(member_array(answer, "clashes"), at);
    cr_assert_not_null(c, "no clash %zu", at);
    cr_assert_eq(json_object_size(c), 3);
    json_t *entries = member_array(c, "entries");
    cr_assert_eq(json_array_size(entries), 2);
    cr_assert_eq(json_integer_value(json_array_get(entries, 0)), a, "clash %zu", at);
    cr_assert_eq(json_integer_value(json_array_get(entries, 1)), b, "clash %zu", at);
    cr_assert_str_eq(member_str(c, "code"), code, "clash %zu", at);
    cr_assert_str_eq(member_str(c, "message"), message, "clash %zu", at);
}

ON_BOTH(a_manifest_is_judged_entry_by_entry)
{
    json_t *a = post_ok(NULL, "[{\"port\": 5264, \"protocol\": \"tcp\", \"name\": \"mysvc\"},"
                              " {\"port\": 3493, \"protocol\": \"TCP\", \"name\": \"NUT\"},"
                              " {\"port\": 5260, \"protocol\": \"udp\", \"name\": null},"
                              " {\"port\": 49152, \"protocol\": \"sctp\"},"
                              " {\"port\": 5261, \"protocol\": \"dccp\", \"name\": \"my--svc\"}]");
    cr_assert_eq(json_object_size(a), 4, "ok, verdicts, clashes, registry");
    cr_assert(json_is_false(json_object_get(a, "ok")));
    cr_assert_eq(json_array_size(member_array(a, "verdicts")), 5);
    cr_assert_eq(json_array_size(member_array(a, "clashes")), 0);
    assert_same_as_get(a, 0, "port=5264&protocol=tcp&name=mysvc");
    assert_same_as_get(a, 1, "port=3493&protocol=tcp&name=NUT");
    assert_same_as_get(a, 2, "port=5260&protocol=udp");
    assert_same_as_get(a, 3, "port=49152&protocol=sctp");
    assert_same_as_get(a, 4, "port=5261&protocol=dccp&name=my--svc");
    json_decref(a);

    /* both and suggest apply to every entry */
    a = post_ok("both=true&suggest=2", "[{\"port\": 5264, \"protocol\": \"tcp\"},"
                                       " {\"port\": 3493, \"protocol\": \"udp\"}]");
    assert_same_as_get(a, 0, "port=5264&protocol=tcp&both=true&suggest=2");
    assert_same_as_get(a, 1, "port=3493&protocol=udp&both=true&suggest=2");
    json_decref(a);

    a = post_ok(NULL, "[{\"port\": 5260, \"protocol\": \"tcp\", \"name\": \"mysvc\"}]");
    cr_assert(json_is_true(json_object_get(a, "ok")), "one sound entry is ok");
    json_decref(a);
}

ON_BOTH(clashes_within_a_manifest)
{
    /* free ports, but two entries on 5260/tcp: each of the two is not ok,
     * with the clash as its reason, and the other entry is */
    json_t *a = post_ok(NULL, "[{\"port\": 5260, \"protocol\": \"tcp\", \"name\": \"alpha\"},"
                              " {\"port\": 5261, \"protocol\": \"tcp\", \"name\": \"beta\"},"
                              " {\"port\": 5260, \"protocol\": \"tcp\", \"name\": \"gamma\"}]");
    size_t i;
    json_t *v;
    json_array_foreach(member_array(a, "verdicts"), i, v)
    {
        cr_assert_eq(json_is_true(json_object_get(v, "ok")), i == 1, "verdict %zu", i);
        if (i != 1) {
            assert_codes(v, "clash", NULL);
            assert_contains(reason_message(v, "clash"), i == 0
                                                            ? "5260/tcp is also taken by entry 2"
                                                            : "5260/tcp is also taken by entry 0");
        }
    }
    cr_assert(json_is_false(json_object_get(a, "ok")), "a clash makes the manifest not ok");
    cr_assert_eq(json_array_size(member_array(a, "clashes")), 1);
    assert_clash(a, 0, 0, 2, "same_port", "entries 0 and 2 both use 5260/tcp");
    json_decref(a);

    /* one name on two ports of one protocol, compared case-insensitively */
    a = post_ok(NULL, "[{\"port\": 5260, \"protocol\": \"udp\", \"name\": \"mysvc\"},"
                      " {\"port\": 5261, \"protocol\": \"udp\", \"name\": \"MySvc\"}]");
    cr_assert(json_is_false(json_object_get(json_array_get(member_array(a, "verdicts"), 0), "ok")));
    cr_assert(json_is_false(json_object_get(json_array_get(member_array(a, "verdicts"), 1), "ok")));
    assert_codes(json_array_get(member_array(a, "verdicts"), 1), "clash", NULL);
    cr_assert(json_is_false(json_object_get(a, "ok")));
    cr_assert_eq(json_array_size(member_array(a, "clashes")), 1);
    assert_clash(a, 0, 0, 1, "same_name",
                 "entries 0 and 1 give the name \"mysvc\" two different ports for udp");
    json_decref(a);

    /* no clash: other protocols, or the same name on one port over tcp and udp */
    a = post_ok(NULL, "[{\"port\": 5260, \"protocol\": \"tcp\", \"name\": \"mysvc\"},"
                      " {\"port\": 5260, \"protocol\": \"udp\", \"name\": \"mysvc\"},"
                      " {\"port\": 5261, \"protocol\": \"sctp\", \"name\": \"mysvc\"},"
                      " {\"port\": 5262, \"protocol\": \"dccp\"},"
                      " {\"port\": 5263, \"protocol\": \"dccp\"}]");
    cr_assert_eq(json_array_size(member_array(a, "clashes")), 0);
    cr_assert(json_is_true(json_object_get(a, "ok")));
    json_decref(a);

    /* several clashes, ordered by first then second entry */
    a = post_ok(NULL, "[{\"port\": 5262, \"protocol\": \"tcp\", \"name\": \"b\"},"
                      " {\"port\": 5260, \"protocol\": \"tcp\", \"name\": \"a\"},"
                      " {\"port\": 5260, \"protocol\": \"tcp\"},"
                      " {\"port\": 5261, \"protocol\": \"tcp\", \"name\": \"B\"},"
                      " {\"port\": 5260, \"protocol\": \"tcp\", \"name\": \"a\"}]");
    cr_assert_eq(json_array_size(member_array(a, "clashes")), 4);
    assert_clash(a, 0, 0, 3, "same_name",
                 "entries 0 and 3 give the name \"b\" two different ports for tcp");
    assert_clash(a, 1, 1, 2, "same_port", "entries 1 and 2 both use 5260/tcp");
    assert_clash(a, 2, 1, 4, "same_port", "entries 1 and 4 both use 5260/tcp");
    assert_clash(a, 3, 2, 4, "same_port", "entries 2 and 4 both use 5260/tcp");
    json_decref(a);
}

/* jansson quotes the bytes near a fault, and after a backslash it quotes
 * one byte: the first of a character. The detail then held invalid UTF-8,
 * and the problem lost its body; now the byte is U+FFFD. */
Test(check, bad_json_quoting_part_of_a_character_keeps_its_problem)
{
    post_problem(NULL, "[\"a\\\xc3\xa9\"]", 400, NULL, "invalid escape near '\"a\\\xef\xbf\xbd'");
}

Test(check, bad_json_says_where)
{
    post_problem(NULL, "[{\"port\": 5264,}]", 400, NULL,
                 "request body is not JSON: line 1, column");
    post_problem(NULL, "[\n  {\"port\": 5264, \"protocol\": \"tcp\"},\n  {\"port\": 5264\n", 400,
                 NULL, "line 4");
    post_problem(NULL, "[{\"port\": 5264, \"protocol\": tcp}]", 400, NULL, "column");
    post_problem(NULL, "not json", 400, NULL, "line 1");
    post_problem(NULL, "[] []", 400, NULL, "not JSON");
    /* neither is a NUL in a string */
    post_problem(NULL, "[{\"port\": 1, \"protocol\": \"tcp\", \"name\": \"a\\u0000b\"}]", 400, NULL,
                 "not JSON");
    /* a key given twice is not JSON the server accepts */
    post_problem(NULL, "[{\"port\": 1, \"port\": 2, \"protocol\": \"tcp\"}]", 400, NULL,
                 "not JSON");
    post(NULL, "application/json", "", 0);
    assert_problem(&ex, 400, NULL);
    assert_contains(member_str(ex.json, "detail"), "no body");
    exchange_end(&ex);
    post(NULL, NULL, NULL, 0);
    assert_problem(&ex, 400, NULL);
    exchange_end(&ex);
}

Test(check, wrong_shapes_name_the_entry)
{
    static const char ok[] = "{\"port\": 5260, \"protocol\": \"tcp\"}";
    static const struct {
        const char *entry, *detail;
    } bad[] = {
        {"5", "entry 2: must be an object"},
        {"[5260, \"tcp\"]", "entry 2: must be an object"},
        {"null", "entry 2: must be an object"},
        {"{\"port\": 5260, \"protocol\": \"tcp\", \"nme\": \"x\"}", "entry 2: unknown key \"nme\""},
        {"{\"port\": 70000, \"protocol\": \"tcp\"}",
         "entry 2: port must be an integer from 0 to 65535"},
        {"{\"port\": 65536, \"protocol\": \"tcp\"}", "entry 2: port must be an integer"},
        {"{\"port\": -1, \"protocol\": \"tcp\"}", "entry 2: port must be an integer"},
        {"{\"port\": \"80\", \"protocol\": \"tcp\"}", "entry 2: port must be an integer"},
        {"{\"port\": 80.0, \"protocol\": \"tcp\"}", "entry 2: port must be an integer"},
        {"{\"port\": null, \"protocol\": \"tcp\"}", "entry 2: port must be an integer"},
        {"{\"protocol\": \"tcp\"}", "entry 2: port must be an integer"},
        {"{\"port\": 80, \"protocol\": \"xtp\"}", "entry 2: protocol must be one of"},
        {"{\"port\": 80, \"protocol\": 6}", "entry 2: protocol must be one of"},
        {"{\"port\": 80, \"protocol\": \"\"}", "entry 2: protocol must be one of"},
        {"{\"port\": 80}", "entry 2: protocol must be one of"},
        {"{\"port\": 80, \"protocol\": \"tcp\", \"name\": \"\"}", "entry 2: name must be"},
        {"{\"port\": 80, \"protocol\": \"tcp\", \"name\": 5}", "entry 2: name must be"},
        {"{\"port\": 80, \"protocol\": \"tcp\", \"name\": [\"a\"]}", "entry 2: name must be"},
        {"{\"port\": 80, \"protocol\": \"tcp\", "
         "\"name\": \"a1234567890123456789012345678901234567890123456789012345678901234\"}",
         "entry 2: name must be a string of 1 to 64 bytes or null"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char body[1024];
        snprintf(body, sizeof body, "[%s, %s, %s, %s]", ok, ok, bad[i].entry, ok);
        post_problem(NULL, body, 400, NULL, bad[i].detail);
    }
    /* the first bad entry is the one named */
    post_problem(NULL, "[{\"port\": 5260}, {\"port\": 70000, \"protocol\": \"tcp\"}]", 400, NULL,
                 "entry 0: protocol");
    /* not a list of entries */
    post_problem(NULL, "{\"port\": 5264, \"protocol\": \"tcp\"}", 400, NULL,
                 "must be a JSON array");
    post_problem(NULL, "\"5264/tcp\"", 400, NULL, "JSON"); /* jansson wants [ or { first */
    post_problem(NULL, "[]", 400, NULL, "no entries");
    /* both=true needs tcp or udp in every entry */
    post_problem("both=true",
                 "[{\"port\": 5264, \"protocol\": \"tcp\"},"
                 " {\"port\": 5264, \"protocol\": \"sctp\"}]",
                 400, "both", "entry 1: both=true");
    /* query parameters: only both and suggest */
    post_problem("suggest=21", "[{\"port\": 5264, \"protocol\": \"tcp\"}]", 400, "suggest",
                 "suggest");
    post_problem("both=1", "[{\"port\": 5264, \"protocol\": \"tcp\"}]", 400, "both", "both");
    post_problem("port=5264", "[{\"port\": 5264, \"protocol\": \"tcp\"}]", 400, "port", "unknown");
    /* a 64-byte name is a name, 1 byte too */
    json_t *a =
        post_ok(NULL, "[{\"port\": 5260, \"protocol\": \"tcp\", \"name\": "
                      "\"a123456789012345678901234567890123456789012345678901234567890123\"},"
                      " {\"port\": 5260, \"protocol\": \"udp\", \"name\": \"a\"}]");
    json_decref(a);
}

/* A manifest of n entries on ports 5000, 5001, ...: the body, to free. */
static char *manifest_of(size_t n)
{
    size_t cap = 64 + n * 48, used = 0;
    char *body = malloc(cap);
    cr_assert_not_null(body);
    used += (size_t)snprintf(body, cap, "[");
    for (size_t i = 0; i < n; i++)
        used +=
            (size_t)snprintf(body + used, cap - used, "%s{\"port\": %zu, \"protocol\": \"tcp\"}",
                             i ? ", " : "", 5000 + i);
    snprintf(body + used, cap - used, "]");
    return body;
}

Test(check, manifest_limits)
{
    char *body = manifest_of(100);
    json_t *a = post_ok(NULL, body);
    cr_assert_eq(json_array_size(member_array(a, "verdicts")), 100);
    cr_assert_eq(member_int(json_array_get(member_array(a, "verdicts"), 99), "port"), 5099);
    json_decref(a);
    free(body);

    body = manifest_of(101);
    post_problem(NULL, body, 413, NULL, "manifest has 101 entries, the limit is 100");
    free(body);

    /* 64 KiB exactly is taken; one byte more is not */
    size_t limit = 64 * 1024;
    char *big = malloc(limit + 2);
    cr_assert_not_null(big);
    const char entry[] = "[{\"port\": 5260, \"protocol\": \"tcp\"}";
    memcpy(big, entry, strlen(entry));
    memset(big + strlen(entry), ' ', limit - strlen(entry) - 1);
    big[limit - 1] = ']';
    post("suggest=0", "application/json", big, limit);
    cr_assert_eq(ex.resp.status, 200, "a 65536-byte manifest: status %d", ex.resp.status);
    exchange_end(&ex);
    big[limit - 1] = ' ';
    big[limit] = ']';
    post(NULL, "application/json", big, limit + 1);
    assert_problem(&ex, 413, NULL);
    assert_contains(member_str(ex.json, "detail"), "65536");
    exchange_end(&ex);
    free(big);
}

Test(check, media_types)
{
    const char body[] = "[{\"port\": 5264, \"protocol\": \"tcp\"}]";
    const char *accepted[] = {"application/json", "application/json; charset=utf-8",
                              "Application/JSON", "application/json ;charset=UTF-8", NULL};
    for (int i = 0; i < 5; i++) {
        post(NULL, accepted[i], body, strlen(body));
        cr_assert_eq(ex.resp.status, 200, "Content-Type %s: status %d",
                     accepted[i] ? accepted[i] : "(none)", ex.resp.status);
        cr_assert_not(ex.resp.cacheable);
        exchange_end(&ex);
    }
    const char *refused[] = {"text/plain",
                             "application/x-www-form-urlencoded",
                             "multipart/form-data; boundary=x",
                             "application/jsonl",
                             "json",
                             ""};
    for (int i = 0; i < 6; i++) {
        post(NULL, refused[i], body, strlen(body));
        assert_problem(&ex, 415, NULL);
        assert_contains(member_str(ex.json, "title"), "Unsupported Media Type");
        assert_contains(member_str(ex.json, "detail"), "application/json");
        exchange_end(&ex);
    }
}

/* ---- GET /v1/ports/free ---- */

/* The free ports of [from, to] for the protocols, from /v1/ports/{p}/{proto}. */
static size_t free_by_port_resource(unsigned from, unsigned to, const char *const *protos,
                                    unsigned *out)
{
    size_t n = 0;
    for (unsigned p = from; p <= to; p++) {
        bool all = true;
        for (int k = 0; protos[k] && all; k++) {
            json_t *j = get("/v1/ports/%u/%s", p, protos[k]);
            all = !strcmp(member_str(j, "status"), "unassigned");
            json_decref(j);
        }
        if (all)
            out[n++] = p;
    }
    return n;
}

static void assert_free_list(json_t *j, const unsigned *want, size_t total, size_t limit,
                             size_t offset)
{
    cr_assert_eq(json_object_size(j), 4);
    cr_assert_eq(member_int(j, "total"), (long long)total);
    cr_assert_eq(member_int(j, "limit"), (long long)limit);
    cr_assert_eq(member_int(j, "offset"), (long long)offset);
    size_t shown = offset >= total ? 0 : total - offset < limit ? total - offset : limit;
    assert_ints(member_array(j, "items"), want + offset, shown);
}

ON_BOTH(free_ports_in_a_small_span)
{
    unsigned want[64];
    const char *tcp[] = {"tcp", NULL}, *udp[] = {"udp", NULL}, *tcp_udp[] = {"tcp", "udp", NULL};
    size_t n = free_by_port_resource(5250, 5270, tcp, want);
    json_t *j = get("/v1/ports/free?protocol=tcp&from=5250&to=5270");
    assert_free_list(j, want, n, 100, 0);
    json_decref(j);
    exchange_run(api, &ex, PR_GET, "/v1/ports/free?protocol=tcp&from=5250&to=5270");
    cr_assert_str_eq(ex.resp.link, "", "one page: no links");
    exchange_end(&ex);

    n = free_by_port_resource(5250, 5270, udp, want);
    j = get("/v1/ports/free?protocol=udp&from=5250&to=5270");
    assert_free_list(j, want, n, 100, 0);
    json_decref(j);

    n = free_by_port_resource(4720, 4730, tcp_udp, want);
    j = get("/v1/ports/free?protocol=tcp,udp&from=4720&to=4730");
    assert_free_list(j, want, n, 100, 0);
    json_decref(j);
    j = get("/v1/ports/free?protocol=UDP%%2CTCP&from=4720&to=4730");
    assert_free_list(j, want, n, 100, 0);
    json_decref(j);
    /* 4726 is reserved on tcp and assigned on udp */
    for (size_t i = 0; i < n; i++)
        cr_assert_neq(want[i], 4726);

    /* 5255-5263 and 5266-5268 are Unassigned ranges for every protocol */
    n = free_by_port_resource(5250, 5270, tcp_udp, want);
    for (unsigned p = 5255; p <= 5268; p++) {
        bool listed = false;
        for (size_t i = 0; i < n; i++)
            listed |= want[i] == p;
        cr_assert_eq(listed, p != 5264 && p != 5265, "%u", p);
    }

    n = free_by_port_resource(5264, 5264, tcp, want);
    cr_assert_eq(n, 0);
    j = get("/v1/ports/free?protocol=tcp&from=5264&to=5264");
    assert_free_list(j, want, 0, 100, 0);
    json_decref(j);
    j = get("/v1/ports/free?protocol=sctp&from=5263&to=5263");
    unsigned one[] = {5263};
    assert_free_list(j, one, 1, 100, 0);
    json_decref(j);
}

Test(check, free_ports_in_the_sample_match_the_csv)
{
    /* read the rows here: a port is free for a protocol when no row for it
     * (or for every protocol) assigns or reserves it */
    table_rows rows = table_read(SAMPLE_DIR "/" PR_RECORDS_FILE);
    unsigned want[64];
    size_t n = 0;
    for (unsigned p = 5250; p <= 5270; p++) {
        bool held = false;
        for (size_t i = 0; i < rows.count; i++) {
            char **row = rows.rows[i];
            if (row_covers_port(row, p) && (!row[COL_PROTO][0] || !strcmp(row[COL_PROTO], "tcp")))
                held |= !row_status_is(row, "unassigned");
        }
        if (!held)
            want[n++] = p;
    }
    table_free(&rows);
    cr_assert_eq(n, 18, "21 ports, 5264, 5265 and 5269 held on tcp: %zu free", n);
    json_t *j = get("/v1/ports/free?protocol=tcp&from=5250&to=5270");
    assert_free_list(j, want, n, 100, 0);
    json_decref(j);
}

ON_BOTH(free_ports_defaults_and_totals)
{
    /* by default, the user range: count it here */
    size_t tcp = 0, both = 0, system = 0, dynamic = 0;
    unsigned first = 0, last = 0;
    for (unsigned p = 0; p <= 65535; p++) {
        bool t = pr_registry_port_status(reg, (uint16_t)p, PR_PROTO_TCP) == PR_STATUS_UNASSIGNED;
        bool u = pr_registry_port_status(reg, (uint16_t)p, PR_PROTO_UDP) == PR_STATUS_UNASSIGNED;
        if (p < USER_FIRST) {
            system += t;
        } else if (p > USER_LAST) {
            dynamic += t;
        } else {
            first = t && !tcp ? p : first;
            last = t ? p : last;
            tcp += t;
            both += t && u;
        }
    }
    json_t *j = get("/v1/ports/free?protocol=tcp");
    cr_assert_eq(member_int(j, "total"), (long long)tcp);
    cr_assert_eq(member_int(j, "limit"), 100);
    cr_assert_eq(member_int(j, "offset"), 0);
    cr_assert_eq(json_integer_value(json_array_get(member_array(j, "items"), 0)), first);
    json_decref(j);
    j = get("/v1/ports/free?protocol=tcp&from=1024&to=49151&limit=1&offset=%zu", tcp - 1);
    cr_assert_eq(json_integer_value(json_array_get(member_array(j, "items"), 0)), last);
    json_decref(j);
    j = get("/v1/ports/free?protocol=tcp,udp");
    cr_assert_eq(member_int(j, "total"), (long long)both);
    json_decref(j);
    j = get("/v1/ports/free?protocol=tcp&from=0&to=1023");
    cr_assert_eq(member_int(j, "total"), (long long)system, "system ports count when unassigned");
    json_decref(j);
    /* a dynamic port is never free */
    cr_assert_eq(dynamic, 0);
    j = get("/v1/ports/free?protocol=tcp&from=49152&to=65535");
    cr_assert_eq(member_int(j, "total"), 0);
    cr_assert_eq(json_array_size(member_array(j, "items")), 0);
    json_decref(j);
    j = get("/v1/ports/free?protocol=udp&from=0&to=65535&limit=1000");
    size_t udp_all = (size_t)member_int(j, "total");
    json_decref(j);
    size_t udp_count = 0;
    for (unsigned p = 0; p <= 65535; p++)
        udp_count +=
            pr_registry_port_status(reg, (uint16_t)p, PR_PROTO_UDP) == PR_STATUS_UNASSIGNED;
    cr_assert_eq(udp_all, udp_count);
}

ON_BOTH(free_ports_pages)
{
    unsigned all[64];
    const char *tcp[] = {"tcp", NULL};
    size_t n = free_by_port_resource(5250, 5270, tcp, all);
    cr_assert_geq(n, 12);
    /* follow next from the first page; the pages add up to the whole */
    char target[512] = "/v1/ports/free?protocol=tcp&from=5250&to=5270&limit=5";
    size_t seen = 0, pages = 0;
    for (;;) {
        exchange_end(&ex);
        json_t *j = get_ok(api, &ex, target);
        assert_free_list(j, all, n, 5, seen);
        seen += json_array_size(member_array(j, "items"));
        pages++;
        char prev[512], next[512];
        if (seen > 5) {
            char want[512];
            snprintf(want, sizeof want,
                     "/v1/ports/free?protocol=tcp&from=5250&to=5270&limit=5&offset=%zu",
                     seen - json_array_size(member_array(j, "items")) - 5);
            cr_assert_str_eq(link_target(ex.resp.link, "prev", prev, sizeof prev), want);
        } else {
            cr_assert_null(link_target(ex.resp.link, "prev", prev, sizeof prev));
        }
        if (!link_target(ex.resp.link, "next", next, sizeof next))
            break;
        char want[512];
        snprintf(want, sizeof want,
                 "/v1/ports/free?protocol=tcp&from=5250&to=5270&limit=5&offset=%zu", seen);
        cr_assert_str_eq(next, want);
        snprintf(target, sizeof target, "%s", next);
    }
    exchange_end(&ex);
    cr_assert_eq(seen, n);
    cr_assert_eq(pages, (n + 4) / 5);

    /* the links list the query canonically, whatever order it came in */
    exchange_run(api, &ex, PR_GET,
                 "/v1/ports/free?offset=2&limit=2&to=5270&from=5250&protocol=udp,tcp");
    char next[512], prev[512];
    cr_assert_str_eq(link_target(ex.resp.link, "next", next, sizeof next),
                     "/v1/ports/free?protocol=tcp%2Cudp&from=5250&to=5270&limit=2&offset=4");
    cr_assert_str_eq(link_target(ex.resp.link, "prev", prev, sizeof prev),
                     "/v1/ports/free?protocol=tcp%2Cudp&from=5250&to=5270&limit=2&offset=0");
    exchange_end(&ex);
    /* defaults are spelt out */
    exchange_run(api, &ex, PR_GET, "/v1/ports/free?protocol=dccp");
    cr_assert_str_eq(link_target(ex.resp.link, "next", next, sizeof next),
                     "/v1/ports/free?protocol=dccp&from=1024&to=49151&limit=100&offset=100");
    exchange_end(&ex);
    /* past the end: no items, prev to the last page */
    exchange_run(api, &ex, PR_GET, "/v1/ports/free?protocol=tcp&from=5250&to=5270&offset=50");
    cr_assert_eq(ex.resp.status, 200);
    cr_assert_eq(json_array_size(member_array(ex.json, "items")), 0);
    cr_assert_null(link_target(ex.resp.link, "next", next, sizeof next));
    cr_assert_not_null(link_target(ex.resp.link, "prev", prev, sizeof prev));
    exchange_end(&ex);
}

Test(check, free_ports_bad_parameters)
{
    get_problem("/v1/ports/free", 400, "protocol", "required");
    get_problem("/v1/ports/free?from=1&to=2", 400, "protocol", "required");
    get_problem("/v1/ports/free?protocol=tcp,tcp", 400, "protocol", "distinct");
    get_problem("/v1/ports/free?protocol=tcp,TCP", 400, "protocol", NULL);
    get_problem("/v1/ports/free?protocol=xtp", 400, "protocol", "xtp");
    get_problem("/v1/ports/free?protocol=tcp,", 400, "protocol", NULL);
    get_problem("/v1/ports/free?protocol=,tcp", 400, "protocol", NULL);
    get_problem("/v1/ports/free?protocol=", 400, "protocol", NULL);
    get_problem("/v1/ports/free?protocol=tcp;udp", 400, "protocol", NULL);
    get_problem("/v1/ports/free?protocol=tcp&from=5270&to=5250", 400, "from", "above");
    get_problem("/v1/ports/free?protocol=tcp&from=5251&to=5250", 400, "from", "above");
    get_problem("/v1/ports/free?protocol=tcp&from=50000", 400, "from", NULL); /* to 49151 */
    get_problem("/v1/ports/free?protocol=tcp&from=65536", 400, "from", NULL);
    get_problem("/v1/ports/free?protocol=tcp&to=65536", 400, "to", NULL);
    get_problem("/v1/ports/free?protocol=tcp&from=-1", 400, "from", NULL);
    get_problem("/v1/ports/free?protocol=tcp&to=x", 400, "to", NULL);
    get_problem("/v1/ports/free?protocol=tcp&limit=0", 400, "limit", NULL);
    get_problem("/v1/ports/free?protocol=tcp&limit=1001", 400, "limit", NULL);
    get_problem("/v1/ports/free?protocol=tcp&offset=-1", 400, "offset", NULL);
    get_problem("/v1/ports/free?protocol=tcp&port=80", 400, "port", "unknown");
    /* the bounds themselves are fine */
    json_t *j = get("/v1/ports/free?protocol=tcp&from=0&to=65535&limit=1000");
    cr_assert_eq(member_int(j, "limit"), 1000);
    json_decref(j);
    j = get("/v1/ports/free?protocol=tcp&from=65535&to=65535");
    cr_assert_eq(member_int(j, "total"), 0);
    json_decref(j);
    j = get("/v1/ports/free?protocol=tcp&from=0&to=0");
    cr_assert_eq(member_int(j, "total"), 1, "no sample row covers port 0");
    json_decref(j);
    /* "free" is not taken for a port number */
    get_problem("/v1/ports/free/tcp", 400, "port", "\"free\"");
}

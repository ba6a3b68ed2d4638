/* deploy.h, yamltree.h, hazards.h: the ports that compose files and
 * Kubernetes manifests choose, each judged against the built-in registry
 * and checked at its line and column; the inputs that must be refused with
 * a clear message; the limits that keep any YAML from costing more than a
 * bounded amount; the host hazards and constrained suggestions. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "deploy.h"
#include "fixture.h"
#include "hazards.h"
#include "yamltree.h"

TestSuite(deploy, .init = fixture_iana, .fini = fixture_close);

static char *read_fixture(const char *rel, size_t *len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/deploy/%s", PR_TEST_DIR, rel);
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s", path);
    static char buf[1 << 16];
    *len = fread(buf, 1, sizeof buf, f);
    cr_assert(feof(f));
    fclose(f);
    char *copy = malloc(*len + 1);
    cr_assert_not_null(copy);
    memcpy(copy, buf, *len);
    copy[*len] = '\0';
    return copy;
}

/* What a port of a fixture must come out as. */
typedef struct want {
    unsigned port;
    const char *proto;
    enum pr_port_use use;
    unsigned line, column;
    bool ok;
    const char *first_reason; /* NULL: none */
    const char *where;
} want;

static void judge_fixture(const char *rel, const want *w, size_t n, const pr_check_options *opt)
{
    size_t len;
    char *text = read_fixture(rel, &len);
    pr_deploy_set set;
    pr_deploy_init(&set, PR_DEPLOY_MAX_ENTRIES);
    char err[512];
    cr_assert_eq(pr_deploy_read(&set, rel, text, len, err, sizeof err), 0, "%s: %s", rel, err);
    pr_deploy_finish(&set);
    cr_assert_eq(set.count, n, "%s: %zu ports, wanted %zu", rel, set.count, n);
    pr_manifest m;
    cr_assert_eq(pr_check_manifest_judge(api, set.entries, set.count, opt, &m), 0);
    for (size_t i = 0; i < n; i++) {
        const pr_verdict *v = &m.verdicts[i];
        const pr_origin *o = v->entry.origin;
        cr_assert_not_null(o);
        cr_assert_eq(v->entry.port, w[i].port, "%s entry %zu: port %u", rel, i, v->entry.port);
        cr_assert_str_eq(pr_proto_name(v->entry.proto), w[i].proto, "%s entry %zu", rel, i);
        cr_assert_eq(v->entry.use, w[i].use, "%s entry %zu: use", rel, i);
        cr_assert_eq(o->line, w[i].line, "%s entry %zu: line %u, wanted %u", rel, i, o->line,
                     w[i].line);
        cr_assert_eq(o->column, w[i].column, "%s entry %zu: column %u, wanted %u", rel, i,
                     o->column, w[i].column);
        cr_assert_str_eq(o->file, rel);
        cr_assert_eq(v->ok, w[i].ok, "%s entry %zu (%u): ok is %d", rel, i, w[i].port, v->ok);
        if (w[i].first_reason) {
            cr_assert_gt(v->reason_count, 0, "%s entry %zu", rel, i);
            cr_assert_str_eq(pr_reason_code_name(v->reasons[0].code), w[i].first_reason,
                             "%s entry %zu (%u): %s", rel, i, w[i].port, v->reasons[0].message);
        } else {
            cr_assert_eq(v->reason_count, 0, "%s entry %zu (%u): %s", rel, i, w[i].port,
                         v->reason_count ? v->reasons[0].message : "");
        }
        if (w[i].where)
            cr_assert_str_eq(o->where, w[i].where, "%s entry %zu", rel, i);
    }
    pr_manifest_free(&m);
    pr_deploy_free(&set);
    free(text);
}

static const pr_check_options defaults = {.suggest = 5};

#define C PR_USE_CHOICE
#define K PR_USE_CLASH_ONLY
#define N PR_USE_NODE_PORT
#define V PR_USE_VIRTUAL

Test(deploy, compose_short_syntax)
{
    const want w[] = {
        {80, "tcp", K, 8, 9, true, NULL, "service web, ports[0], container side"},
        {8080, "tcp", C, 8, 9, false, "assigned", "service web, ports[0]"},
        {443, "tcp", K, 9, 9, true, NULL, NULL},
        {8443, "tcp", C, 9, 9, false, "assigned", NULL},
        {3000, "tcp", K, 10, 9, true, NULL, "service web, ports[2], container side"},
        {9125, "udp", K, 14, 9, true, NULL, NULL},
        {9125, "udp", C, 14, 9, true, NULL, "service metrics, ports[0]"},
        {9102, "tcp", K, 15, 9, true, NULL, NULL},
        {9102, "tcp", C, 15, 9, false, "assigned", NULL},
        {9103, "tcp", K, 17, 9, true, NULL, "service metrics, expose[0], container side"},
        {9000, "tcp", K, 21, 9, true, NULL, NULL},
        {9001, "tcp", K, 21, 9, true, NULL, NULL},
        {9002, "tcp", K, 21, 9, true, NULL, NULL},
        {9000, "tcp", C, 21, 9, false, "assigned", NULL},
        {9001, "tcp", C, 21, 9, false, "assigned", NULL},
        {9002, "tcp", C, 21, 9, false, "assigned", NULL},
        {5432, "tcp", K, 25, 9, true, NULL, NULL},
        {5432, "tcp", C, 25, 9, false, "assigned", "service db, ports[0]"},
    };
    judge_fixture("good/compose-short.yaml", w, sizeof w / sizeof *w, &defaults);
}

Test(deploy, compose_long_syntax_merge_keys_and_a_clash)
{
    const want w[] = {
        {8000, "tcp", K, 8, 17, true, NULL, NULL},
        {8000, "tcp", C, 9, 20, false, "assigned", "service api, ports[0]"},
        {8001, "tcp", K, 14, 17, true, NULL, NULL},
        {55680, "tcp", C, 15, 20, false, "dynamic_port", "service api, ports[1]"},
        {6379, "tcp", K, 20, 17, true, NULL, "service cache, ports[0], container side"},
        {8000, "tcp", K, 24, 9, true, NULL, NULL},
        {8000, "tcp", C, 24, 9, false, "assigned", "service admin, ports[0]"},
    };
    judge_fixture("good/compose-long.yml", w, sizeof w / sizeof *w, &defaults);
}

Test(deploy, kubernetes_services_workloads_and_host_ports)
{
    const want w[] = {
        {80, "tcp", V, 12, 13, true, NULL, "Service api, spec.ports[0]"},
        {30080, "tcp", N, 14, 17, true, NULL, "Service api, spec.ports[0].nodePort"},
        {9095, "tcp", V, 17, 13, true, NULL, NULL},
        {8080, "tcp", K, 38, 30, false, "clash", "Deployment api, container api, ports[0]"},
        {9095, "tcp", K, 40, 30, true, NULL, NULL},
        {9090, "tcp", K, 42, 30, false, "name_invalid", NULL},
        {8080, "tcp", K, 46, 30, false, "clash", NULL},
        {9100, "tcp", K, 60, 30, true, NULL, NULL},
        {9100, "tcp", C, 61, 25, false, "assigned",
         "DaemonSet node-agent, container agent, ports[0].hostPort"},
        {8125, "udp", K, 62, 30, true, NULL, NULL},
        {8125, "udp", C, 63, 25, true, NULL, NULL},
    };
    judge_fixture("good/k8s-app.yaml", w, sizeof w / sizeof *w, &defaults);
}

Test(deploy, helm_rendered_multi_document)
{
    /* a ServiceAccount and a ConfigMap carry no ports; a trailing empty
     * document is passed over; hostNetwork makes a containerPort a choice */
    const want w[] = {
        {8080, "tcp", V, 28, 13, false, "assigned", "Service release-web, spec.ports[0]"},
        {6000, "tcp", C, 49, 34, false, "assigned", NULL},
    };
    judge_fixture("good/helm-rendered.yaml", w, sizeof w / sizeof *w, &defaults);
}

Test(deploy, a_list_in_json_and_a_json_manifest)
{
    const want list[] = {
        {7000, "tcp", K, 3, 70, true, NULL, NULL},
        {7000, "tcp", C, 3, 88, false, "assigned", NULL},
        {7001, "tcp", K, 4, 71, true, NULL, NULL},
        {7000, "tcp", C, 4, 89, false, "assigned", NULL},
    };
    judge_fixture("good/list.json", list, sizeof list / sizeof *list, &defaults);
    const want manifest[] = {
        {5264, "tcp", C, 2, 12, false, "assigned", "entry 0"},
        {80, "tcp", C, 3, 12, false, "system_port", "entry 1"},
    };
    judge_fixture("good/manifest.json", manifest, sizeof manifest / sizeof *manifest, &defaults);
}

Test(deploy, clashes_are_scoped)
{
    /* two projects may both publish 8080... */
    const char *a = "name: one\nservices:\n  web:\n    ports: [\"18080:80\"]\n";
    const char *b = "name: two\nservices:\n  web:\n    ports: [\"18080:80\"]\n";
    pr_deploy_set set;
    pr_deploy_init(&set, 100);
    char err[256];
    cr_assert_eq(pr_deploy_read(&set, "one.yaml", a, strlen(a), err, sizeof err), 0, "%s", err);
    cr_assert_eq(pr_deploy_read(&set, "two.yaml", b, strlen(b), err, sizeof err), 0, "%s", err);
    /* ...one project may not: the same project read twice */
    cr_assert_eq(pr_deploy_read(&set, "one-again.yaml", a, strlen(a), err, sizeof err), 0);
    pr_deploy_finish(&set);
    pr_manifest m;
    cr_assert_eq(pr_check_manifest_judge(api, set.entries, set.count, &defaults, &m), 0);
    /* the container's side (entries 0 and 4) and the published (1 and 5) */
    cr_assert_eq(m.clash_count, 2, "%zu clashes", m.clash_count);
    cr_assert_eq(m.clashes[0].a, 0);
    cr_assert_eq(m.clashes[0].b, 4);
    cr_assert_eq(m.clashes[1].a, 1);
    cr_assert_eq(m.clashes[1].b, 5);
    cr_assert_not(m.verdicts[1].ok);
    cr_assert(m.verdicts[3].ok, "project two's 18080 is its own");
    cr_assert_not(m.verdicts[5].ok);
    cr_assert(strstr(m.verdicts[1].reasons[m.verdicts[1].reason_count - 1].message,
                     "also taken by service web, ports[0] (one-again.yaml:4)"),
              "%s", m.verdicts[1].reasons[0].message);
    pr_manifest_free(&m);
    pr_deploy_free(&set);
}

/* ---- inputs refused, each with its message ---- */

static void refused(const char *name, const char *text, size_t len, const char *part)
{
    pr_deploy_set set;
    pr_deploy_init(&set, PR_DEPLOY_MAX_ENTRIES);
    char err[512];
    cr_assert_eq(pr_deploy_read(&set, name, text, len, err, sizeof err), -1, "%s was read", name);
    cr_assert(strstr(err, part), "%s: \"%s\" lacks \"%s\"", name, err, part);
    pr_deploy_free(&set);
}

static void refused_text(const char *name, const char *text, const char *part)
{
    refused(name, text, strlen(text), part);
}

static void refused_fixture(const char *rel, const char *part)
{
    size_t len;
    char *text = read_fixture(rel, &len);
    refused(rel, text, len, part);
    free(text);
}

Test(deploy, bad_inputs_say_what_and_where)
{
    refused_fixture("bad/empty.yaml", "bad/empty.yaml: empty: no compose file");
    refused_fixture("bad/malformed.yaml", "not readable YAML: line 4, column 1: did not find "
                                          "expected ',' or ']'");
    refused_fixture("bad/unknown-kind.yaml", "bad/unknown-kind.yaml:1:1: unknown kind");
    refused_fixture("bad/deep.yaml", "nested more than 64 collections deep");
    refused_fixture("bad/bad-port.yaml", "bad/bad-port.yaml:4:9: service web, ports[0]: "
                                         "\"70000:80\": the published port must be");
    refused_fixture("bad/laughs.yaml", "laughs.yaml:25:4:");
    refused("t", "services:\n  web:\n    ports: [\"8000-8003:80-81\"]\n", 47, "differ in size");
    refused("t", "services:\n  web:\n    ports: [\"1:2:3:4\"]\n", 39,
            "an IPv6 address goes in brackets");
    refused("t", "services:\n  web:\n    ports: [\"80/quic\"]\n", 39, "protocol after /");
    refused_text("t", "services: [1]\n", "t:1:11: services must be a mapping");
    refused_text("t",
                 "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports:\n"
                 "  - {port: 0}\n",
                 "t:6:12: Service s, spec.ports[0]: port must be a port number of 1-65535");
    refused_text(
        "t",
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n"
        "    ports:\n    - {containerPort: 80, protocol: ICMP}\n",
        "protocol must be TCP, UDP or SCTP");
    refused_text("t", "--- 42\n", "unknown kind");
    refused_text("t",
                 "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports:\n"
                 "  - {port: 80, targetPort: web--http}\n",
                 "t:6:28: Service s, spec.ports[0]: targetPort \"web--http\" contains two "
                 "hyphens in a row (RFC 6335 5.1)");
    refused_text("t", "---\n---\n", "empty");
    refused_text("t", "[{port: 80, protocol: tcp, nmae: x}]", "unknown key");
    refused_text("t", "[{port: 80, protocol: tcp, scope: [a]}]", "t:1:35: entry 0: scope must be");
}

Test(deploy, a_file_over_the_limit_is_refused_before_parsing)
{
    size_t len = 10u * 1024 * 1024;
    char *big = malloc(len);
    cr_assert_not_null(big);
    memset(big, ' ', len);
    memcpy(big, "services:", 9);
    refused("big.yaml", big, len, "big.yaml: not readable YAML: 10485760 bytes, over the limit");
    free(big);
}

Test(deploy, aliases_are_bounded_and_never_copied)
{
    /* 1,000 aliases of one 9-item list pass; the one after is refused */
    size_t cap = 16 * 1024;
    char *text = malloc(cap);
    cr_assert_not_null(text);
    size_t n = (size_t)snprintf(text, cap, "x: &a [1,2,3,4,5,6,7,8,9]\ny: [");
    for (int i = 0; i < PR_YAML_MAX_ALIASES; i++)
        n += (size_t)snprintf(text + n, cap - n, "%s*a", i ? "," : "");
    n += (size_t)snprintf(text + n, cap - n, "]\n");
    char err[256];
    pr_yaml_tree *t = pr_yaml_load(text, n, err, sizeof err);
    cr_assert_not_null(t, "%s", err);
    const pr_yaml_node *y = pr_yaml_get(t->docs[0], "y");
    cr_assert_eq(y->count, PR_YAML_MAX_ALIASES);
    cr_assert_eq(y->items[0], y->items[999], "an alias is the node its anchor names");
    pr_yaml_free(t);
    memcpy(text + n - 2, ",*a]\n", 6);
    cr_assert_null(pr_yaml_load(text, n + 3, err, sizeof err));
    cr_assert(strstr(err, "more than 1000 aliases"), "%s", err);
    free(text);
    /* an alias before its anchor ends cannot make a cycle */
    const char *cycle = "a: &x [1, *x]\n";
    cr_assert_null(pr_yaml_load(cycle, strlen(cycle), err, sizeof err));
    cr_assert(strstr(err, "names no anchor before it"), "%s", err);
}

Test(deploy, the_port_limit_is_a_clear_error)
{
    const char *wide = "services:\n  web:\n    ports: [\"10000-12000:10000-12000\"]\n";
    pr_deploy_set set;
    pr_deploy_init(&set, 1000);
    char err[256];
    cr_assert_eq(pr_deploy_read(&set, "w", wide, strlen(wide), err, sizeof err), -1);
    cr_assert(strstr(err, "more than 1000 ports in all"), "%s", err);
    pr_deploy_free(&set);
}

/* ---- hazards ---- */

static pr_verdict judge_one(unsigned port, enum pr_proto proto, enum pr_port_use use,
                            const pr_check_options *opt)
{
    pr_check_entry e = {.port = (uint16_t)port, .proto = proto, .use = use};
    pr_verdict v;
    cr_assert_eq(pr_check_judge(api, &e, opt, &v), 0);
    return v;
}

static bool has_reason(const pr_verdict *v, const char *code)
{
    for (unsigned i = 0; i < v->reason_count; i++)
        if (!strcmp(pr_reason_code_name(v->reasons[i].code), code))
            return true;
    return false;
}

Test(deploy, each_hazard_is_a_reason_and_switchable)
{
    pr_check_options on = {.suggest = 0};
    struct {
        unsigned port;
        enum pr_port_use use;
        const char *code;
        bool hit;
    } cases[] = {
        {32767, C, "linux_ephemeral", false}, {32768, C, "linux_ephemeral", true},
        {60999, C, "linux_ephemeral", true},  {61000, C, "linux_ephemeral", false},
        {49151, C, "windows_dynamic", false}, {49152, C, "windows_dynamic", true},
        {6697, C, "browser_blocked", true},   {6698, C, "browser_blocked", false},
        {10080, V, "browser_blocked", true},  {29999, C, "node_port_range", false},
        {30000, C, "node_port_range", true},  {32767, C, "node_port_range", true},
        {30000, N, "node_port_range", false}, {29999, N, "node_port_range", true},
        {40000, V, "linux_ephemeral", false}, {40000, K, "linux_ephemeral", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        pr_verdict v = judge_one(cases[i].port, PR_PROTO_TCP, cases[i].use, &on);
        cr_assert_eq(has_reason(&v, cases[i].code), cases[i].hit, "%u %s", cases[i].port,
                     cases[i].code);
        pr_verdict_free(&v);
    }
    unsigned off;
    cr_assert(pr_hazards_parse("browser_blocked,node_port_range", 31, &off));
    pr_check_options some = {.hazards_off = off};
    pr_verdict v = judge_one(40001, PR_PROTO_TCP, C, &some);
    cr_assert(v.ok, "linux_ephemeral is off: %s", v.reason_count ? v.reasons[0].message : "");
    pr_verdict_free(&v);
    v = judge_one(6697, PR_PROTO_TCP, C, &some);
    cr_assert(has_reason(&v, "browser_blocked"));
    pr_verdict_free(&v);
    cr_assert_not(pr_hazards_parse("linux", 5, &off));
    cr_assert_not(pr_hazards_parse("linux_ephemeral,", 16, &off));
    cr_assert(pr_hazards_parse("none", 4, &off));
    cr_assert_eq(off, (1u << PR_HAZARD_COUNT) - 1);
}

Test(deploy, local_ranges_replace_the_defaults)
{
    char range[] = "/tmp/portreg-range-XXXXXX", reserved[] = "/tmp/portreg-reserved-XXXXXX";
    int fd = mkstemp(range);
    cr_assert_geq(fd, 0);
    cr_assert_eq(write(fd, "20000\t29999\n", 12), 12);
    close(fd);
    fd = mkstemp(reserved);
    cr_assert_geq(fd, 0);
    cr_assert_eq(write(fd, "20500,21000-21002\n", 18), 18);
    close(fd);
    pr_check_options opt = {0};
    static uint8_t bits[PR_RESERVED_BYTES];
    char err[256];
    cr_assert_eq(pr_hazards_read_local(&opt, bits, range, reserved, err, sizeof err), 0, "%s", err);
    struct {
        unsigned port;
        bool hit;
    } cases[] = {{19999, false}, {20000, true}, {20500, false}, {21001, false},
                 {21003, true},  {29999, true}, {40000, false}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char msg[256] = "";
        cr_assert_eq(pr_hazard_hit(&opt, PR_HAZARD_LINUX_EPHEMERAL, (uint16_t)cases[i].port,
                                   PR_PROTO_TCP, C, msg, sizeof msg),
                     cases[i].hit, "%u", cases[i].port);
        if (cases[i].hit)
            cr_assert(strstr(msg, "this machine's ephemeral range (20000-29999)"), "%s", msg);
    }
    FILE *f = fopen(range, "w");
    fputs("30000 20000\n", f);
    fclose(f);
    cr_assert_eq(pr_hazards_read_local(&opt, bits, range, reserved, err, sizeof err), -1);
    cr_assert(strstr(err, "not two ports, low then high"), "%s", err);
    unlink(range);
    unlink(reserved);
}

/* ---- suggestions with constraints ---- */

Test(deploy, suggestions_are_runs_free_of_hazards_inside_the_span)
{
    pr_check_options opt = {
        .suggest = 5, .count = 4, .both = true, .span_first = 20000, .span_last = 45000};
    pr_verdict v = judge_one(8080, PR_PROTO_TCP, C, &opt);
    cr_assert_eq(v.suggestion_count, 5);
    for (unsigned i = 0; i < v.suggestion_count; i++) {
        unsigned p = v.suggestions[i];
        /* 30000-32767 is the NodePort range, 32768-60999 Linux's ephemeral */
        cr_assert(p >= 20000 && p + 3 < 30000, "%u", p);
        cr_assert(i == 0 || p >= v.suggestions[i - 1] + 4u || p + 4u <= v.suggestions[i - 1],
                  "runs do not overlap");
        for (unsigned k = 0; k < 4; k++) {
            cr_assert(pr_check_port_free(api, (uint16_t)(p + k), PR_PROTO_TCP, true), "%u", p + k);
            cr_assert_not(pr_hazard_any(&opt, (uint16_t)(p + k), PR_PROTO_TCP, C), "%u", p + k);
        }
    }
    pr_verdict_free(&v);
    opt.span_first = 30000;
    v = judge_one(8080, PR_PROTO_TCP, C, &opt);
    cr_assert_eq(v.suggestion_count, 0, "every port of 30000-45000 meets a hazard");
    pr_verdict_free(&v);
    opt.hazards_off = (1u << PR_HAZARD_COUNT) - 1;
    v = judge_one(8080, PR_PROTO_TCP, C, &opt);
    cr_assert_eq(v.suggestion_count, 5);
    cr_assert_geq(v.suggestions[0], 30000, "with no hazard the span is open");
    pr_verdict_free(&v);
}

Test(deploy, suggestions_by_name_are_deterministic)
{
    pr_origin o = {.file = "f", .line = 1, .column = 1, .owner = "billing-api"};
    pr_check_entry e = {.port = 8080, .proto = PR_PROTO_TCP, .origin = &o};
    pr_check_options opt = {.suggest = 3, .by_name = true};
    pr_verdict a, b;
    cr_assert_eq(pr_check_judge(api, &e, &opt, &a), 0);
    cr_assert_eq(pr_check_judge(api, &e, &opt, &b), 0);
    cr_assert_eq(a.suggestion_count, 3);
    cr_assert_arr_eq(a.suggestions, b.suggestions, sizeof a.suggestions);
    o.owner = "BILLING-API";
    pr_verdict c;
    cr_assert_eq(pr_check_judge(api, &e, &opt, &c), 0);
    cr_assert_eq(c.suggestions[0], a.suggestions[0], "the hash folds case");
    o.owner = "search-api";
    pr_verdict d;
    cr_assert_eq(pr_check_judge(api, &e, &opt, &d), 0);
    cr_assert_neq(d.suggestions[0], a.suggestions[0], "another name starts elsewhere");
    /* runs are ascending from the name's place, not nearest the port */
    cr_assert_gt(a.suggestions[1], a.suggestions[0]);
    pr_verdict_free(&a);
    pr_verdict_free(&b);
    pr_verdict_free(&c);
    pr_verdict_free(&d);
}

Test(deploy, compose_interpolation_takes_the_default)
{
    const char *text = "services:\n  web:\n    ports:\n"
                       "      - \"127.0.0.1:${WEB_PORT:-5260}:80\"\n"
                       "      - target: 81\n        published: \"${ALT-5261}\"\n";
    pr_deploy_set set;
    pr_deploy_init(&set, 100);
    char err[256];
    cr_assert_eq(pr_deploy_read(&set, "c", text, strlen(text), err, sizeof err), 0, "%s", err);
    cr_assert_eq(set.count, 4);
    cr_assert_eq(set.entries[1].port, 5260);
    cr_assert_eq(set.entries[3].port, 5261);
    pr_deploy_free(&set);
    refused_text("c", "services:\n  web:\n    ports: [\"${WEB_PORT}:80\"]\n",
                 "c:3:13: service web, ports[0]: the variable WEB_PORT has no default");
    refused_text("c", "services:\n  web:\n    expose: [\"$PORT\"]\n",
                 "the variable PORT has no default");
}

Test(deploy, a_file_name_that_is_not_utf8_is_shown_with_question_marks)
{
    const char *text = "services:\n  web:\n    ports: [\"5260:80\"]\n";
    pr_deploy_set set;
    pr_deploy_init(&set, 10);
    char err[256];
    cr_assert_eq(pr_deploy_read(&set, "bad\xff\xfe.yaml", text, strlen(text), err, sizeof err), 0);
    pr_deploy_finish(&set);
    cr_assert_str_eq(set.entries[0].origin->file, "bad??.yaml", "reports are UTF-8 text");
    pr_deploy_free(&set);
}

/* ---- a Service's targetPort name against the pods it selects ---- */

/* Reads the texts as files f0, f1..., judges them, and returns the
 * verdict of the entry at `where` (its problem, or NULL when it is ok). */
static const char *target_verdict(const char *const *texts, size_t n, const char *where, bool *ok)
{
    static char message[PR_REASON_BYTES];
    pr_deploy_set set;
    pr_deploy_init(&set, 100);
    char err[512], name[8];
    for (size_t i = 0; i < n; i++) {
        snprintf(name, sizeof name, "f%zu", i);
        cr_assert_eq(pr_deploy_read(&set, name, texts[i], strlen(texts[i]), err, sizeof err), 0,
                     "%s", err);
    }
    pr_deploy_finish(&set);
    pr_manifest m;
    cr_assert_eq(pr_check_manifest_judge(api, set.entries, set.count, &defaults, &m), 0);
    const char *found = NULL;
    for (size_t i = 0; i < m.verdict_count; i++) {
        const pr_verdict *v = &m.verdicts[i];
        if (strcmp(v->entry.origin->where, where) != 0)
            continue;
        *ok = v->ok;
        message[0] = '\0';
        for (unsigned r = 0; r < v->reason_count; r++)
            if (v->reasons[r].code == PR_REASON_TARGET_PORT)
                snprintf(message, sizeof message, "%s", v->reasons[r].message);
        found = message;
        if (v->reason_count == 1 && v->reasons[0].code == PR_REASON_TARGET_PORT)
            cr_assert_eq(v->suggestion_count, 0, "no other Service port mends a targetPort");
    }
    cr_assert_not_null(found, "no entry at %s", where);
    pr_manifest_free(&m);
    pr_deploy_free(&set);
    return found[0] ? found : NULL;
}

#define SERVICE(ns, selector, target, proto)                                                       \
    "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: " ns "}\nspec:\n" selector    \
    "  ports:\n  - port: 28443\n    protocol: " proto "\n    targetPort: " target "\n"
#define DEPLOYMENT(ns, labels, port_name, proto)                                                   \
    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: " ns "}\nspec:\n"     \
    "  template:\n    metadata:\n      labels: " labels "\n    spec:\n      containers:\n"         \
    "      - name: web\n        ports:\n        - {name: " port_name                               \
    ", containerPort: 8443, protocol: " proto "}\n"

#define SVC_PORT "Service web, spec.ports[0]"

Test(deploy, target_port_name_must_be_a_port_of_the_selected_pods)
{
    bool ok;
    /* declared: ok, as before */
    const char *good[] = {
        SERVICE("shop", "  selector: {app: web}\n", "https",
                "TCP") "---\n" DEPLOYMENT("shop", "{app: web, tier: front}", "https", "TCP")};
    cr_assert_null(target_verdict(good, 1, SVC_PORT, &ok));
    cr_assert(ok);
    /* a name no selected template declares: not ok, with the targetPort's
     * line and what the pods do declare */
    const char *typo[] = {SERVICE("shop", "  selector: {app: web}\n", "htps",
                                  "TCP") "---\n" DEPLOYMENT("shop", "{app: web}", "https", "TCP")};
    const char *why = target_verdict(typo, 1, SVC_PORT, &ok);
    cr_assert_not(ok);
    cr_assert_str_eq(why, "targetPort \"htps\" (line 9, column 17) is no tcp port of the pod "
                          "templates the selector selects: Deployment web (https/tcp)");
    /* the name, but for another protocol: the endpoints controller matches both */
    const char *udp[] = {SERVICE("shop", "  selector: {app: web}\n", "https",
                                 "UDP") "---\n" DEPLOYMENT("shop", "{app: web}", "https", "TCP")};
    cr_assert(strstr(target_verdict(udp, 1, SVC_PORT, &ok), "is no udp port"));
    /* the Service in one file, the pods in another */
    const char *split[] = {SERVICE("shop", "  selector: {app: web}\n", "htps", "TCP"),
                           DEPLOYMENT("shop", "{app: web}", "https", "TCP")};
    cr_assert_not_null(target_verdict(split, 2, SVC_PORT, &ok));
    cr_assert_not(ok);
    /* today's behaviour: no selector; no pod template; the template in
     * another namespace; labels the selector does not match */
    const char *no_selector[] = {SERVICE("shop", "", "htps", "TCP") "---\n" DEPLOYMENT(
        "shop", "{app: web}", "https", "TCP")};
    cr_assert_null(target_verdict(no_selector, 1, SVC_PORT, &ok));
    cr_assert(ok);
    const char *alone[] = {SERVICE("shop", "  selector: {app: web}\n", "htps", "TCP")};
    cr_assert_null(target_verdict(alone, 1, SVC_PORT, &ok));
    cr_assert(ok);
    const char *elsewhere[] = {
        SERVICE("shop", "  selector: {app: web}\n", "htps",
                "TCP") "---\n" DEPLOYMENT("other", "{app: web}", "https", "TCP")};
    cr_assert_null(target_verdict(elsewhere, 1, SVC_PORT, &ok));
    const char *unmatched[] = {
        SERVICE("shop", "  selector: {app: web, tier: back}\n", "htps",
                "TCP") "---\n" DEPLOYMENT("shop", "{app: web, tier: front}", "https", "TCP")};
    cr_assert_null(target_verdict(unmatched, 1, SVC_PORT, &ok));
    /* a number is no name; a second selected template that declares it
     * is enough */
    const char *number[] = {
        SERVICE("shop", "  selector: {app: web}\n", "8443",
                "TCP") "---\n" DEPLOYMENT("shop", "{app: web}", "https", "TCP")};
    cr_assert_null(target_verdict(number, 1, SVC_PORT, &ok));
    const char *two[] = {
        SERVICE("shop", "  selector: {app: web}\n", "admin", "TCP") "---\n" DEPLOYMENT(
            "shop", "{app: web}", "https", "TCP") "---\n" DEPLOYMENT("shop", "{app: web}", "admin",
                                                                     "TCP")};
    cr_assert_null(target_verdict(two, 1, SVC_PORT, &ok));
    /* a template with more labels than are kept might be the one that
     * declares the name: then no name is judged, rather than a wrong one */
    char many[4096] = "{app: web";
    for (int i = 0; i < 70; i++)
        snprintf(many + strlen(many), sizeof many - strlen(many), ", l%d: x", i);
    strcat(many, "}");
    char text[8192];
    snprintf(text, sizeof text,
             "%s---\n%s---\n"
             "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: big}\nspec:\n"
             "  template:\n    metadata:\n      labels: %s\n    spec:\n      containers:\n"
             "      - name: b\n        ports: [{name: admin, containerPort: 8443}]\n",
             SERVICE("default", "  selector: {app: web}\n", "admin", "TCP"),
             DEPLOYMENT("default", "{app: web}", "https", "TCP"), many);
    const char *big[] = {text};
    cr_assert_null(target_verdict(big, 1, SVC_PORT, &ok));
}

Test(deploy, target_port_names_of_pods_cronjobs_and_init_containers)
{
    bool ok;
    const char *pod[] = {SERVICE(
        "default", "  selector: {app: job}\n", "metrics",
        "TCP") "---\n"
               "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels: {app: job}\nspec:\n"
               "  initContainers:\n  - name: init\n    ports: [{name: metrics, containerPort: "
               "9090}]\n"
               "  containers:\n  - name: main\n    ports: [{name: http, containerPort: 8080}]\n"};
    const char *why = target_verdict(pod, 1, SVC_PORT, &ok);
    cr_assert_not(ok, "an init container's port serves no endpoint");
    cr_assert(strstr(why, "Pod p (http/tcp)"), "%s", why);
    const char *cron[] = {SERVICE(
        "default", "  selector: {app: job}\n", "metrics",
        "TCP") "---\n"
               "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n  jobTemplate:\n"
               "    spec:\n      template:\n        metadata: {labels: {app: job}}\n        spec:\n"
               "          containers:\n          - name: m\n            ports: [{containerPort: "
               "9090}]\n"};
    why = target_verdict(cron, 1, SVC_PORT, &ok);
    cr_assert_not(ok);
    cr_assert(strstr(why, "CronJob c (no named port)"), "%s", why);
    /* an ExternalName Service selects no pods */
    const char *external[] = {
        "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  type: ExternalName\n"
        "  externalName: db.example.org\n  selector: {app: job}\n"
        "  ports:\n  - {port: 8443, targetPort: nothing}\n---\n" DEPLOYMENT("default", "{app: job}",
                                                                            "https", "TCP")};
    cr_assert_null(target_verdict(external, 1, SVC_PORT, &ok));
}

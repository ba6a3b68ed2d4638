/* Failed JSON builds are loud: every allocation jansson makes while an
 * answer is built is made to fail in turn (json_set_alloc_funcs), and the
 * answer must then be a 500 (or the very answer, where the failure is
 * recovered from), never a 200 with something missing (a verdict without
 * its reason says ok). The suites run leak-checked, so every
 * failure path also frees what it built. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "api_test.h"

/* The allocation that fails: the nth from arming (1-based); 0: none. */
static long fail_at;
static long seen;
static bool failed;

static void *failing_malloc(size_t size)
{
    if (fail_at && ++seen == fail_at) {
        failed = true;
        return NULL;
    }
    return malloc(size);
}

static void arm(long n)
{
    fail_at = n;
    seen = 0;
    if (n)
        failed = false;
}

static pr_registry *reg;
static pr_api *api;

static void open_sample(void)
{
    json_set_alloc_funcs(failing_malloc, free);
    reg = load_sample();
    pr_api_config cfg = test_config(0); /* nothing kept: each run builds afresh */
    api = pr_api_new(reg, &cfg);
    cr_assert_not_null(api);
}

static void close_all(void)
{
    arm(0);
    pr_api_free(api);
    pr_registry_free(reg);
    api = NULL;
    reg = NULL;
    assert_no_leaks();
}

TestSuite(alloc, .init = open_sample, .fini = close_all);

typedef struct answer {
    int status;
    char *body; /* NULL when none */
} answer;

/* One request with the nth allocation failing (0: none). */
static answer ask(enum pr_method method, const char *target, const char *content, long n)
{
    exchange ex;
    arm(n);
    if (content) {
        /* POST /v1/check: the body goes with the decoded target */
        exchange_run_unparsed(api, &ex, PR_OPTIONS, target);
        pr_response_release(&ex.resp);
        ex.req.method = method;
        ex.req.body = content;
        ex.req.body_len = strlen(content);
        ex.req.content_type = "application/json";
        pr_api_handle(api, &ex.req, &ex.resp);
    } else {
        exchange_run_unparsed(api, &ex, method, target);
    }
    arm(0);
    answer a = {ex.resp.status, NULL};
    if (ex.resp.body)
        a.body = strndup(ex.resp.body->data, ex.resp.body->len);
    exchange_end(&ex);
    return a;
}

/* Fails each allocation of the request in turn, until one run needs fewer
 * allocations than the one that would fail: every run must be a 500 (or,
 * for a request answered with an error anyway, that error), and the run
 * with nothing failed must give the same answer as before. Returns how many
 * allocations the request makes. */
static long fail_each(enum pr_method method, const char *target, const char *content)
{
    answer want = ask(method, target, content, 0);
    cr_assert_not_null(want.body, "%s: an answer with a body", target);
    long n;
    for (n = 1;; n++) {
        answer got = ask(method, target, content, n);
        if (!failed) {
            cr_assert_eq(got.status, want.status, "%s", target);
            cr_assert_str_eq(got.body, want.body, "%s", target);
            free(got.body);
            break;
        }
        if (want.status == 200) {
            /* a 500, or the very answer when the failure was recovered from */
            cr_assert(got.status == 500 || (got.status == 200 && !strcmp(got.body, want.body)),
                      "%s: allocation %ld failed, and the answer was %d instead of 500: %s", target,
                      n, got.status, got.body ? got.body : "(no body)");
        } else {
            /* an error answer stays that error, its body whole or absent */
            cr_assert_eq(got.status, want.status, "%s: allocation %ld", target, n);
            cr_assert(!got.body || strcmp(got.body, want.body) == 0, "%s: allocation %ld: %s",
                      target, n, got.body);
        }
        if (got.body && got.status == 500)
            cr_assert(strstr(got.body, "\"status\":500"), "%s: %s", target, got.body);
        free(got.body);
    }
    free(want.body);
    return n - 1;
}

Test(alloc, every_failed_build_of_a_lookup_is_a_500)
{
    const char *targets[] = {"/",
                             "/v1/registry",
                             "/v1/ports/3493",
                             "/v1/ports/3493/udp",
                             "/v1/ports/5260/tcp",
                             "/v1/services/nut",
                             "/v1/assignees/IESG",
                             "/v1/contacts/IESG"};
    for (size_t i = 0; i < sizeof targets / sizeof *targets; i++)
        cr_assert_gt(fail_each(PR_GET, targets[i], NULL), 0, "%s builds with jansson", targets[i]);
}

Test(alloc, every_failed_build_of_a_list_is_a_500)
{
    const char *targets[] = {"/v1/assignees?sort=count&limit=3", "/v1/contacts?q=a&limit=2",
                             "/v1/ports/free?protocol=tcp,udp&from=1024&to=1100&limit=3"};
    for (size_t i = 0; i < sizeof targets / sizeof *targets; i++)
        cr_assert_gt(fail_each(PR_GET, targets[i], NULL), 0, "%s builds with jansson", targets[i]);
}

Test(alloc, every_failed_build_of_a_verdict_is_a_500)
{
    const char *targets[] = {
        /* assigned to another: conflicts, a reason, suggestions */
        "/v1/check?port=3493&protocol=tcp&name=mysvc",
        /* a system port, a broken name registered elsewhere */
        "/v1/check?port=80&protocol=tcp&name=nut",
        "/v1/check?port=81&protocol=tcp&name=Bad--name_x",
        "/v1/check?port=5264&protocol=tcp&name=mysvc&both=true",
    };
    for (size_t i = 0; i < sizeof targets / sizeof *targets; i++)
        cr_assert_gt(fail_each(PR_GET, targets[i], NULL), 0, "%s builds with jansson", targets[i]);
}

Test(alloc, every_failed_build_of_a_manifest_is_a_500)
{
    /* two clashes, and verdicts with reasons */
    static const char manifest[] = "[{\"port\":3493,\"protocol\":\"tcp\",\"name\":\"a\"},"
                                   "{\"port\":3493,\"protocol\":\"tcp\",\"name\":\"b\"},"
                                   "{\"port\":5264,\"protocol\":\"tcp\",\"name\":\"a\"}]";
    cr_assert_gt(fail_each(PR_POST, "/v1/check", manifest), 0);
}

Test(alloc, a_failed_problem_keeps_its_status)
{
    cr_assert_gt(fail_each(PR_GET, "/v1/check?port=x&protocol=tcp", NULL), 0);
    cr_assert_gt(fail_each(PR_GET, "/v1/services?nope=1", NULL), 0);
    cr_assert_gt(fail_each(PR_GET, "/v1/services/no-such-name", NULL), 0);
}

/* The exact failure of the issue, with every allocation failing in turn
 * too: a description cut inside a character must cost neither the reason
 * nor memory. */
Test(alloc, a_verdict_on_a_long_multibyte_description)
{
    static const char header[] = "Service Name,Port Number,Transport Protocol,Description,"
                                 "Assignee,Contact,Registration Date,Modification Date,"
                                 "Reference,Service Code,Unauthorized Use Reported,"
                                 "Assignment Notes\n";
    static const char contacts[] = "ID,Name,Organization,Contact URI,Last Updated\n"
                                   "[Someone],Some One,,mailto:someone&example.org,2020-01-01\n";
    char records[2048], desc[600];
    /* "holder (" and 290 bytes: the euro sign's first byte was the last
     * that the old 300-byte buffer kept */
    memset(desc, 'x', 290);
    strcpy(desc + 290, "\xe2\x82\xac and so on and so on long past any cut");
    snprintf(records, sizeof records, "%sholder,5004,tcp,%s,[Someone],[Someone],2020-01-01,,,,,\n",
             header, desc);
    pr_source r = {"records.csv", (const unsigned char *)records, strlen(records)};
    pr_source c = {"contacts.csv", (const unsigned char *)contacts, strlen(contacts)};
    pr_error err;
    pr_error_clear(&err);
    pr_registry *tiny = pr_registry_load_sources(&r, &c, &err);
    cr_assert_not_null(tiny, "%s", err.text);
    pr_api_free(api);
    pr_registry_free(reg);
    reg = tiny;
    pr_api_config cfg = test_config(0);
    api = pr_api_new(reg, &cfg);
    cr_assert_not_null(api);

    answer a = ask(PR_GET, "/v1/check?port=5004&protocol=tcp&name=mine", NULL, 0);
    cr_assert_eq(a.status, 200);
    cr_assert(strncmp(a.body, "{\"ok\":false,", 12) == 0, "%s", a.body);
    cr_assert(strstr(a.body, "\"code\":\"assigned\""), "%s", a.body);
    free(a.body);
    cr_assert_gt(fail_each(PR_GET, "/v1/check?port=5004&protocol=tcp&name=mine", NULL), 0);
}

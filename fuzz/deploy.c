/* deploy.c: fuzzes the readers of deployment files (api/yamltree.c,
 * api/deploy*.c) and the reports rendered from what they read
 * (api/check_report.c), over the sample (data/sample/) registry.
 *
 * Input: the bytes of one file, as `portreg check FILE` and POST /v1/check
 * with application/yaml read it.
 *
 * Oracle: a refused file has a message that names it; a read one has at
 * most the set's limit of entries (none is possible: services without
 * ports), each with a place in the
 * file (line and column from 1, a description) and a scope for every entry
 * that clashes only; the judged verdicts echo their entries, are ok exactly
 * when they have no reason, and a container's own port (clash only) has no
 * reason but its name's syntax or a clash; every format renders: the JSON
 * parses with one verdict per entry, the SARIF parses with version 2.1.0
 * and one result per reason, the JUnit XML counts every entry. */
#include <jansson.h>
#include <string.h>

#include "answer.h"
#include "api.h"
#include "check.h"
#include "check_report.h"
#include "deploy.h"
#include "fuzz.h"
#include "registry.h"

static pr_registry *reg;
static pr_api *api;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    reg = fuzz_sample_registry("");
    pr_api_config cfg = {
        .max_limit = 1000, .default_limit = 100, .max_manifest = 100, .version = "fuzz"};
    api = pr_api_new(reg, &cfg);
    FUZZ_REQUIRE(api, "pr_api_new failed");
    return 0;
}

/* Renders m in format f into a malloc'ed text (NUL-terminated). */
static char *render(const pr_manifest *m, enum pr_report_format f, size_t *len)
{
    char *text = NULL;
    FILE *out = open_memstream(&text, len);
    FUZZ_REQUIRE(out, "open_memstream failed");
    int rc = pr_report_write(out, api, m, f, "registry: fuzz");
    FUZZ_REQUIRE(fclose(out) == 0 && rc == 0, "format %s did not render", pr_report_format_name(f));
    return text;
}

static void check_reports(const pr_manifest *m)
{
    size_t reasons = 0;
    for (size_t i = 0; i < m->verdict_count; i++)
        reasons += m->verdicts[i].reason_count;
    size_t len;
    char *text = render(m, PR_REPORT_JSON, &len);
    json_t *j = json_loadb(text, len, 0, NULL);
    FUZZ_REQUIRE(j && json_array_size(json_object_get(j, "verdicts")) == m->verdict_count,
                 "the JSON report is not one verdict per entry");
    json_decref(j);
    free(text);
    text = render(m, PR_REPORT_SARIF, &len);
    j = json_loadb(text, len, 0, NULL);
    json_t *run = json_array_get(json_object_get(j, "runs"), 0);
    FUZZ_REQUIRE(j && !strcmp(json_string_value(json_object_get(j, "version")), "2.1.0") &&
                     json_array_size(json_object_get(run, "results")) == reasons,
                 "the SARIF report is not a result per reason");
    json_decref(j);
    free(text);
    text = render(m, PR_REPORT_JUNIT, &len);
    char tests[64];
    snprintf(tests, sizeof tests, " tests=\"%zu\"", m->verdict_count);
    FUZZ_REQUIRE(strstr(text, tests), "the JUnit report does not count every entry");
    free(text);
    free(render(m, PR_REPORT_TEXT, &len));
    free(render(m, PR_REPORT_GITHUB, &len));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pr_deploy_set set;
    pr_deploy_init(&set, 200);
    char err[1024];
    int rc = pr_deploy_read(&set, "fuzz.yaml", (const char *)data, size, err, sizeof err);
    if (rc != 0) {
        FUZZ_REQUIRE(strncmp(err, "fuzz.yaml", 9) == 0, "the message does not name the file: %s",
                     err);
        pr_deploy_free(&set);
        return 0;
    }
    /* a file may read well and hold no port (services without ports, a
     * ConfigMap): the callers refuse a check of nothing */
    FUZZ_REQUIRE(set.count <= 200, "%zu entries", set.count);
    if (set.count == 0) {
        pr_deploy_free(&set);
        return 0;
    }
    pr_deploy_finish(&set);
    for (size_t i = 0; i < set.count; i++) {
        const pr_check_entry *e = &set.entries[i];
        const pr_origin *o = e->origin;
        FUZZ_REQUIRE(o && o->line >= 1 && o->column >= 1 && o->where &&
                         !strcmp(o->file, "fuzz.yaml"),
                     "entry %zu has no place", i);
        FUZZ_REQUIRE(e->use != PR_USE_CLASH_ONLY || o->scope, "entry %zu clashes in no scope", i);
        FUZZ_REQUIRE(!e->name || (strlen(e->name) >= 1 && strlen(e->name) <= PR_MAX_NAME_BYTES),
                     "entry %zu: a name of %zu bytes", i, strlen(e->name));
    }
    pr_check_options opt = {.suggest = 3, .count = 2, .by_name = size % 2 == 0};
    pr_manifest m;
    FUZZ_REQUIRE(pr_check_manifest_judge(api, set.entries, set.count, &opt, &m) == 0,
                 "judging failed");
    for (size_t i = 0; i < m.verdict_count; i++) {
        const pr_verdict *v = &m.verdicts[i];
        FUZZ_REQUIRE(v->entry.port == set.entries[i].port && v->entry.proto == set.entries[i].proto,
                     "verdict %zu does not echo its entry", i);
        FUZZ_REQUIRE(v->ok == (v->reason_count == 0), "verdict %zu: ok and reasons disagree", i);
        for (unsigned r = 0; v->entry.use == PR_USE_CLASH_ONLY && r < v->reason_count; r++)
            FUZZ_REQUIRE(v->reasons[r].code == PR_REASON_NAME_INVALID ||
                             v->reasons[r].code == PR_REASON_CLASH,
                         "a container's port got %s", pr_reason_code_name(v->reasons[r].code));
    }
    check_reports(&m);
    pr_manifest_free(&m);
    pr_deploy_free(&set);
    return 0;
}

/* check_cmd.c: `portreg check`: the verdicts of /v1/check, offline, with an
 * exit status a CI job can act on. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "check.h"
#include "commands.h"
#include "csv_table.h"
#include "fields.h"

/* "5264/tcp" into port and protocol. */
static bool parse_port_proto(const char *arg, pr_check_entry *out)
{
    const char *slash = strchr(arg, '/');
    uint64_t port;
    if (!slash || !pr_parse_decimal(arg, (size_t)(slash - arg), &port) || port > 65535 ||
        !pr_proto_parse(slash + 1, strlen(slash + 1), &out->proto))
        return false;
    out->port = (uint16_t)port;
    return true;
}

/* The text rendering of a verdict, for people and CI logs. */
static void print_verdict(const pr_verdict *v)
{
    const char *name = v->entry.name;
    printf("%u/%s%s%s: %s\n", (unsigned)v->entry.port, pr_proto_name(v->entry.proto),
           name ? " " : "", name ? name : "", v->ok ? "ok" : "NOT OK");
    for (unsigned i = 0; i < v->reason_count; i++)
        printf("  %s: %s\n", pr_reason_code_name(v->reasons[i].code), v->reasons[i].message);
    for (unsigned i = 0; i < v->name_problem_count; i++)
        printf("  name: %s\n", v->name_problems[i]);
    if (v->suggestion_count) {
        printf("  free nearby:");
        for (unsigned i = 0; i < v->suggestion_count; i++)
            printf("%s %u", i ? "," : "", (unsigned)v->suggestions[i]);
        printf("\n");
    }
}

int pr_cmd_check(const pr_options *opt, int argc, char **argv)
{
    if (argc == 0) {
        fprintf(stderr, "portreg: check needs PORT/PROTOCOL [NAME] ...\n");
        return 2;
    }
    if (argc > PR_MAX_MANIFEST_ENTRIES * 2) {
        fprintf(stderr, "portreg: check takes at most %d entries\n", PR_MAX_MANIFEST_ENTRIES);
        return 2;
    }
    pr_check_entry entries[PR_MAX_MANIFEST_ENTRIES];
    size_t n = 0;
    for (int i = 0; i < argc; i++) {
        pr_check_entry e = {0};
        if (parse_port_proto(argv[i], &e)) {
            if (n == PR_MAX_MANIFEST_ENTRIES) {
                fprintf(stderr, "portreg: check takes at most %d entries\n",
                        PR_MAX_MANIFEST_ENTRIES);
                return 2;
            }
            if (opt->check_both && e.proto != PR_PROTO_TCP && e.proto != PR_PROTO_UDP) {
                fprintf(stderr, "portreg: %s: --both needs tcp or udp\n", argv[i]);
                return 2;
            }
            entries[n++] = e;
        } else if (n > 0 && !entries[n - 1].name && strchr(argv[i], '/') == NULL &&
                   strlen(argv[i]) <= PR_MAX_NAME_BYTES &&
                   pr_utf8_valid(argv[i], strlen(argv[i]), NULL)) {
            entries[n - 1].name = argv[i];
        } else {
            fprintf(stderr,
                    "portreg: check: \"%s\" is neither PORT/PROTOCOL (5264/tcp) nor a service "
                    "name after one\n",
                    argv[i]);
            return 2;
        }
    }
    pr_error err;
    pr_registry *reg = pr_options_try_load(opt, &err);
    if (!reg) {
        /* one line, naming the file (and line) that failed: a CI log shows
         * at once that the data, not the choice, is the problem */
        char msg[1024];
        fprintf(stderr, "portreg: check: the data did not load: %s\n",
                pr_error_format(&err, msg, sizeof msg));
        return 3;
    }
    pr_api_config cfg = {.max_limit = 1, .default_limit = 1, .cache_bytes = 0};
    pr_api *api = pr_api_new(reg, &cfg);
    pr_check_options copt = {.both = opt->check_both, .suggest = opt->check_suggest};
    pr_manifest m;
    bool judged = api && pr_check_manifest_judge(api, entries, n, &copt, &m) == 0;
    json_t *result = NULL;
    if (judged && opt->check_json) {
        /* the API's own bytes, the one writer of the shape, indented for a
         * reader: jansson reads them back only to lay them out */
        pr_body *body = pr_manifest_body(api, &m);
        result = body ? json_loadb(body->data, body->len, 0, NULL) : NULL;
        free(body);
    }
    int status = 1;
    if (!judged || (opt->check_json && !result)) {
        fprintf(stderr, "portreg: out of memory\n");
    } else if (opt->check_json) {
        /* a verdict cut short on the way out must not pass for a whole one */
        if (json_dumpf(result, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0) {
            fprintf(stderr, "portreg: could not write the verdicts\n");
            m.ok = false;
        } else {
            printf("\n");
        }
        status = m.ok ? 0 : 1;
    } else {
        /* which data judged, first: a verdict is only as good as its date */
        char updated[11];
        printf("registry: %s (%s, %ld days old)\n", pr_date_format(reg->updated, updated),
               reg->source, pr_registry_age_days(reg, (long long)time(NULL)));
        for (size_t i = 0; i < m.verdict_count; i++)
            print_verdict(&m.verdicts[i]);
        for (size_t i = 0; i < m.clash_count; i++)
            printf("clash: %s\n", m.clashes[i].message);
        status = m.ok ? 0 : 1;
    }
    if (judged)
        pr_manifest_free(&m);
    json_decref(result);
    pr_api_free(api);
    pr_registry_free(reg);
    return status;
}

/* plancost.c: what the organization's port plan adds to the CPU time of an
 * answer, in process (pr_api_handle: no sockets, no cache), where the
 * difference sought is not drowned by the kernel's TCP work and a busy
 * machine's swings as it is over the wire.
 *
 * Loads DIR's registry twice, without and with the plan, builds an API over
 * each with the answer cache off (every answer rendered, the plan's records
 * and rules included), and answers every request of each mix file (one
 * target a line, as bench/run's mixes) --rounds times, the two APIs in
 * turn, round after round. Reports, per mix, the median over the rounds of
 * the process's CPU time per answer without and with the plan, and the
 * change. bench/plan.py runs it after its wrk runs.
 *
 *   plancost --data DIR --plan FILE [--rounds N] MIX...
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "registry.h"

#define MAX_TARGETS 4096

static int hex(int c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* Percent-decodes s in place (a '+' stays: the mixes hold none). */
static size_t decode(char *s)
{
    char *out = s;
    for (char *in = s; *in; in++) {
        if (in[0] == '%' && hex(in[1]) >= 0 && hex(in[2]) >= 0) {
            *out++ = (char)(hex(in[1]) * 16 + hex(in[2]));
            in += 2;
        } else {
            *out++ = *in;
        }
    }
    *out = '\0';
    return (size_t)(out - s);
}

/* One GET of target through the API; the status, or -1 when the target
 * does not fit. */
static int ask(pr_api *api, const char *target)
{
    char buf[2048];
    pr_param params[PR_MAX_QUERY_PARAMS];
    int n = snprintf(buf, sizeof buf, "%s", target);
    if (n < 0 || (size_t)n >= sizeof buf)
        return -1;
    pr_request req = {.method = PR_GET, .path = buf, .params = params};
    char *query = strchr(buf, '?');
    if (query) {
        *query++ = '\0';
        for (char *p = query; p && *p && req.param_count < PR_MAX_QUERY_PARAMS;) {
            char *amp = strchr(p, '&');
            if (amp)
                *amp = '\0';
            char *eq = strchr(p, '=');
            if (eq)
                *eq = '\0';
            decode(p);
            size_t vlen = eq ? decode(eq + 1) : 0;
            params[req.param_count++] = (pr_param){p, eq ? eq + 1 : "", vlen};
            p = amp ? amp + 1 : NULL;
        }
    }
    req.path_len = decode(buf);
    pr_response resp;
    pr_api_handle(api, &req, &resp);
    int status = resp.status;
    pr_response_release(&resp);
    return status;
}

static double cpu_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static pr_api *api_over(const char *dir, const char *plan, pr_registry **reg)
{
    pr_error err;
    *reg = pr_registry_load_dir_plan(dir, plan, &err);
    if (!*reg) {
        fprintf(stderr, "plancost: %s:%lu: %s: %s\n", err.file, err.line, err.field, err.text);
        exit(1);
    }
    /* no cache: every answer is rendered, as a one-off question is */
    pr_api_config cfg = {.max_limit = 1000, .default_limit = 100, .cache_bytes = 0};
    pr_api *api = pr_api_new(*reg, &cfg);
    if (!api) {
        fprintf(stderr, "plancost: out of memory\n");
        exit(1);
    }
    return api;
}

int main(int argc, char **argv)
{
    const char *data = NULL, *plan = NULL;
    unsigned rounds = 15;
    int first_mix = argc;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--data") && i + 1 < argc)
            data = argv[++i];
        else if (!strcmp(argv[i], "--plan") && i + 1 < argc)
            plan = argv[++i];
        else if (!strcmp(argv[i], "--rounds") && i + 1 < argc)
            rounds = (unsigned)strtoul(argv[++i], NULL, 10);
        else {
            first_mix = i;
            break;
        }
    }
    if (!data || !plan || first_mix >= argc || rounds == 0 || rounds > 1000) {
        fprintf(stderr, "usage: plancost --data DIR --plan FILE [--rounds N] MIX...\n");
        return 2;
    }
    pr_registry *reg[2];
    pr_api *api[2] = {api_over(data, NULL, &reg[0]), api_over(data, plan, &reg[1])};
    static char *targets[MAX_TARGETS];
    double *per[2] = {malloc(rounds * sizeof(double)), malloc(rounds * sizeof(double))};
    if (!per[0] || !per[1])
        return 1;
    for (int m = first_mix; m < argc; m++) {
        FILE *f = fopen(argv[m], "r");
        if (!f) {
            perror(argv[m]);
            return 1;
        }
        size_t n = 0;
        char line[2048];
        while (n < MAX_TARGETS && fgets(line, sizeof line, f)) {
            line[strcspn(line, "\t\r\n")] = '\0';
            if (line[0] && !(targets[n++] = strdup(line)))
                return 1;
        }
        fclose(f);
        /* a round of at least 50 ms of CPU per API, however cheap the
         * answers: a mix of port lookups takes half a millisecond, shorter
         * than the scheduler's swings */
        unsigned passes = 1;
        double t0 = cpu_now();
        for (size_t i = 0; i < n; i++)
            if (ask(api[0], targets[i]) != 200) {
                fprintf(stderr, "plancost: %s: not a 200\n", targets[i]);
                return 1;
            }
        double one = cpu_now() - t0;
        if (one < 0.05)
            passes = (unsigned)(0.05 / (one > 1e-6 ? one : 1e-6)) + 1;
        for (unsigned r = 0; r < rounds; r++) {
            /* the two in turn, which goes first alternating: drift hits both */
            for (int k = 0; k < 2; k++) {
                int which = (int)((r + (unsigned)k) % 2);
                t0 = cpu_now();
                for (unsigned pass = 0; pass < passes; pass++) {
                    for (size_t i = 0; i < n; i++) {
                        int status = ask(api[which], targets[i]);
                        if (status != 200) {
                            fprintf(stderr, "plancost: %s: status %d\n", targets[i], status);
                            return 1;
                        }
                    }
                }
                per[which][r] = (cpu_now() - t0) / ((double)n * passes) * 1e6;
            }
        }
        qsort(per[0], rounds, sizeof(double), cmp_double);
        qsort(per[1], rounds, sizeof(double), cmp_double);
        double without = per[0][rounds / 2], with = per[1][rounds / 2];
        const char *name = strrchr(argv[m], '/');
        printf("%s %.3f %.3f %+.2f\n", name ? name + 1 : argv[m], without, with,
               (with / without - 1) * 100);
        for (size_t i = 0; i < n; i++)
            free(targets[i]);
    }
    free(per[0]);
    free(per[1]);
    for (int k = 0; k < 2; k++) {
        pr_api_free(api[k]);
        pr_registry_free(reg[k]);
    }
    return 0;
}

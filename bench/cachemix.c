/* cachemix.c: the answer cache under a mix of hot and one-off questions.
 *
 * Asks a loaded registry's API (pr_api_handle, in this process: no sockets,
 * so what is measured is the API and its cache alone) a fixed number of
 * questions: most from a hot set that every dashboard and CI fleet repeats,
 * the rest (--junk percent) never asked before (checks of new names,
 * searches with a new page size and offset). The hot set drifts: every
 * --phase questions, --drift percent of it is replaced by questions not
 * asked before, as jobs and dashboards come and go.
 *
 * It reports the hit rate (answers borrowed from the cache, the same copy a
 * previous asking got), for all questions and for the hot ones alone, and
 * the CPU time per answer (the process's CPU clock over the loop). Only the
 * public API is used, so the same file builds against any version of it.
 *
 *   cachemix [--data DIR] [--requests N] [--hot N] [--junk PCT] [--phase N]
 *            [--drift PCT] [--budget BYTES] [--seed N]
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "registry.h"

typedef struct options {
    const char *data;
    unsigned long requests, hot, junk_pct, phase, drift_pct, seed;
    size_t budget;
} options;

static uint64_t rng_state;

/* xorshift64*: deterministic for a seed, so two builds see the same questions */
static uint64_t next_random(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1du;
}

static unsigned long below(unsigned long n)
{
    return (unsigned long)(next_random() % n);
}

static bool plain_name(const char *s)
{
    if (!s[0] || strlen(s) > 15)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-'))
            return false;
    return true;
}

/* The n-th question of the pool of those that can be hot: the kinds of the
 * bench's mixes in turn, each walking the data by a stride. */
static void hot_question(const pr_registry *reg, unsigned long n, char *out, size_t size)
{
    static const char *const protos[] = {"tcp", "udp"};
    static const char *const statuses[] = {"assigned", "unassigned", "reserved"};
    unsigned long k = n / 6;
    const pr_record *r = &reg->records[(k * 7919) % reg->record_count];
    switch (n % 6) {
    case 0:
        snprintf(out, size, "/v1/search?q=%s&limit=20",
                 plain_name(r->service) ? r->service : "ups");
        break;
    case 1:
        snprintf(out, size, "/v1/services?protocol=%s&status=%s&limit=25&offset=%lu", protos[k % 2],
                 statuses[k / 2 % 3], (k / 6) * 25 % 5000);
        break;
    case 2:
        snprintf(out, size, "/v1/check?port=%u&protocol=tcp&name=%s", (unsigned)r->port_first,
                 plain_name(r->service) && k % 2 ? r->service : "mysvc");
        break;
    case 3:
        snprintf(out, size, "/v1/ports/%lu", (k * 4099) % 49152);
        break;
    case 4:
        snprintf(out, size, "/v1/services/%s", r->service[0] ? r->service : "http");
        break;
    default: {
        /* the next person from a stride who is in the contact table */
        uint32_t p = (uint32_t)((k * 613) % reg->person_count);
        for (uint32_t tries = 0; tries < reg->person_count && !reg->people[p].in_table; tries++)
            p = (p + 1) % reg->person_count;
        snprintf(out, size, "/v1/contacts/%s", reg->people[p].id);
        break;
    }
    }
}

/* A question nobody asked before (seq makes it new). */
static void junk_question(const pr_registry *reg, unsigned long seq, char *out, size_t size)
{
    const pr_record *r = &reg->records[below(reg->record_count)];
    if (seq % 2)
        snprintf(out, size, "/v1/check?port=%u&protocol=tcp&name=oneoff-%lu",
                 (unsigned)r->port_first, seq);
    else
        snprintf(out, size, "/v1/search?q=%s&limit=%lu&offset=%lu",
                 plain_name(r->service) ? r->service : "ups", 10 + below(90), seq % 7);
}

/* Decodes nothing: the questions above hold no escapes. */
static void run(pr_api *api, const char *target, pr_response *resp)
{
    static char buf[2048];
    static pr_param params[PR_MAX_QUERY_PARAMS];
    snprintf(buf, sizeof buf, "%s", target);
    char *query = strchr(buf, '?');
    pr_request req = {.method = PR_GET, .path = buf, .params = params};
    if (query) {
        *query++ = '\0';
        for (char *p = query; p && *p && req.param_count < PR_MAX_QUERY_PARAMS;) {
            char *amp = strchr(p, '&');
            if (amp)
                *amp = '\0';
            char *eq = strchr(p, '=');
            if (eq)
                *eq = '\0';
            params[req.param_count++] = (pr_param){p, eq ? eq + 1 : "", eq ? strlen(eq + 1) : 0};
            p = amp ? amp + 1 : NULL;
        }
    }
    req.path_len = strlen(buf);
    pr_api_handle(api, &req, resp);
}

static double cpu_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static bool parse_args(int argc, char **argv, options *o)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (i + 1 >= argc)
            return false;
        const char *v = argv[++i];
        char *end;
        unsigned long n = strtoul(v, &end, 10);
        bool number = *v && !*end;
        if (!strcmp(a, "--data"))
            o->data = v;
        else if (number && !strcmp(a, "--requests"))
            o->requests = n;
        else if (number && !strcmp(a, "--hot") && n > 0)
            o->hot = n;
        else if (number && !strcmp(a, "--junk") && n <= 100)
            o->junk_pct = n;
        else if (number && !strcmp(a, "--phase") && n > 0)
            o->phase = n;
        else if (number && !strcmp(a, "--drift") && n <= 100)
            o->drift_pct = n;
        else if (number && !strcmp(a, "--budget"))
            o->budget = n;
        else if (number && !strcmp(a, "--seed") && n > 0)
            o->seed = n;
        else
            return false;
    }
    return true;
}

int main(int argc, char **argv)
{
    options o = {.data = "../shared/iana",
                 .requests = 300000,
                 .hot = 1200,
                 .junk_pct = 10,
                 .phase = 50000,
                 .drift_pct = 25,
                 .budget = 8u << 20,
                 .seed = 1};
    if (!parse_args(argc, argv, &o)) {
        fprintf(stderr, "usage: cachemix [--data DIR] [--requests N] [--hot N] [--junk PCT] "
                        "[--phase N] [--drift PCT] [--budget BYTES] [--seed N]\n");
        return 2;
    }
    rng_state = o.seed * 0x9e3779b97f4a7c15u;
    pr_error err;
    pr_error_clear(&err);
    pr_registry *reg = pr_registry_load_dir(o.data, &err);
    if (!reg) {
        char text[1024];
        fprintf(stderr, "cachemix: %s\n", pr_error_format(&err, text, sizeof text));
        return 1;
    }
    /* as `portreg serve` configures it, the wire objects' cost included */
    pr_api_config cfg = {.max_limit = 1000,
                         .default_limit = 100,
                         .cache_bytes = o.budget,
                         .wire_bytes = 2304,
                         .version = "bench"};
    pr_api *api = pr_api_new(reg, &cfg);
    unsigned long *hot = malloc(o.hot * sizeof *hot);
    const pr_body **seen = calloc(o.hot, sizeof *seen);
    if (!api || !hot || !seen) {
        fprintf(stderr, "cachemix: out of memory\n");
        return 1;
    }
    unsigned long next_hot = 0, junk_seq = 0;
    for (unsigned long h = 0; h < o.hot; h++)
        hot[h] = next_hot++;

    unsigned long hot_asked = 0, hot_hits = 0, junk_asked = 0, errors = 0;
    char target[2048];
    double cpu0 = cpu_seconds();
    for (unsigned long i = 0; i < o.requests; i++) {
        if (i && i % o.phase == 0) {
            for (unsigned long d = 0; d < o.hot * o.drift_pct / 100; d++) {
                unsigned long h = below(o.hot);
                hot[h] = next_hot++;
                seen[h] = NULL;
            }
        }
        bool junk = below(100) < o.junk_pct;
        unsigned long h = junk ? 0 : below(o.hot);
        if (junk)
            junk_question(reg, junk_seq++, target, sizeof target);
        else
            hot_question(reg, hot[h], target, sizeof target);
        pr_response resp;
        run(api, target, &resp);
        if (resp.status != 200)
            errors++;
        if (junk) {
            junk_asked++;
        } else {
            hot_asked++;
            /* a kept answer never changes: the same copy again is a hit */
            if (!resp.body_owned && resp.body == seen[h])
                hot_hits++;
            seen[h] = resp.body_owned ? NULL : resp.body;
        }
        pr_response_release(&resp);
    }
    double cpu = cpu_seconds() - cpu0;
    printf("{\"requests\":%lu,\"hot\":%lu,\"junk_pct\":%lu,\"phase\":%lu,\"drift_pct\":%lu,"
           "\"budget\":%zu,\"hot_asked\":%lu,\"junk_asked\":%lu,\"hot_hits\":%lu,"
           "\"hit_rate\":%.4f,\"hot_hit_rate\":%.4f,\"cpu_us_per_answer\":%.2f,\"errors\":%lu}\n",
           o.requests, o.hot, o.junk_pct, o.phase, o.drift_pct, o.budget, hot_asked, junk_asked,
           hot_hits, (double)hot_hits / (double)o.requests,
           hot_asked ? (double)hot_hits / (double)hot_asked : 0.0, cpu * 1e6 / (double)o.requests,
           errors);
    free(hot);
    free(seen);
    pr_api_free(api);
    pr_registry_free(reg);
    return errors ? 1 : 0;
}

/* main.c: the portreg command line: flags, environment, subcommands.
 *
 * Every setting is one row of the table below: its flag, the environment
 * variable that sets it too (flags win), its bounds and its help text, so the
 * parser, the environment and --help cannot disagree. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builtin.h"
#include "commands.h"
#include "conditional.h"
#include "log.h"

#ifndef PORTREG_VERSION
#define PORTREG_VERSION "unknown"
#endif

enum kind { TEXT, NUMBER, SWITCH, CHOICE };

typedef struct setting {
    const char *flag;
    const char *env; /* NULL: flag only */
    enum kind kind;
    const char *arg; /* the value's name in --help */
    unsigned long min, max;
    const char *const *choices; /* CHOICE: NULL-terminated */
    const char *help;
    size_t offset;   /* into pr_options */
    const char *def; /* the default, as it would be written; NULL: none */
} setting;

static const char *const log_formats[] = {"plain", "json", NULL};
static const char *const log_levels[] = {"error", "warn", "info", "debug", NULL};
static const char *const on_off[] = {"on", "off", NULL};
static const char *const http_modes[] = {"pool", "per-connection", NULL};
/* in the order of enum pr_report_format */
static const char *const check_formats[] = {"text", "json", "sarif", "junit", "github", NULL};

#define AT(member) offsetof(pr_options, member)

static const setting settings[] = {
    {"--data", "PORTREG_DATA", TEXT, "DIR", 0, 0, NULL,
     "data directory with service-names-port-numbers.csv and contacts.csv;\n"
     "default: the built-in registry (IANA's, dated, compiled in)",
     AT(data_dir), NULL},
    {"--plan", "PORTREG_PLAN", TEXT, "FILE", 0, 0, NULL,
     "the organization's own port plan (CSV, see README); default:\n"
     "DIR/" PR_PLAN_FILE " when the --data directory has one",
     AT(plan_file), NULL},
    {"--max-data-age", "PORTREG_MAX_DATA_AGE", NUMBER, "DAYS", 1, 36500, NULL,
     "warn in the log, at start-up and on reload, when the registry's date\n"
     "is older than this; the data still serves",
     AT(max_data_age), "120"},
    {"--listen", "PORTREG_LISTEN", TEXT, "HOST:PORT", 0, 0, NULL,
     "address to serve on, [::1]:PORT for IPv6,\n"
     "port 0 for any free one",
     AT(listen), "127.0.0.1:8080"},
    {"--threads", "PORTREG_THREADS", NUMBER, "N", 1, 64, NULL, "worker threads of the pool mode",
     AT(threads), "2"},
    {"--http-mode", "PORTREG_HTTP_MODE", CHOICE, "pool|per-connection", 0, 0, http_modes,
     "pool: --threads threads share every connection through epoll;\n"
     "per-connection: a thread for each connection",
     AT(http_mode), "pool"},
    {"--connection-limit", "PORTREG_CONNECTION_LIMIT", NUMBER, "N", 1, 100000, NULL,
     "connections served at once; more wait to be accepted", AT(conn_limit), "1024"},
    {"--per-ip-limit", "PORTREG_PER_IP_LIMIT", NUMBER, "N", 0, 100000, NULL,
     "connections at once from one address, 0 for no limit\n"
     "(behind a load balancer every client has its address)",
     AT(per_ip_limit), "0"},
    {"--timeout", "PORTREG_TIMEOUT", NUMBER, "SECONDS", 1, 3600, NULL,
     "an idle or slow connection is closed after this long", AT(timeout), "30"},
    {"--max-header-bytes", "PORTREG_MAX_HEADER_BYTES", NUMBER, "BYTES", 8192, 1048576, NULL,
     "request line and header fields together; more is 414 or 431", AT(max_header_bytes), "32768"},
    {"--max-path-bytes", "PORTREG_MAX_PATH_BYTES", NUMBER, "BYTES", 64, 8192, NULL,
     "decoded path; longer is 414", AT(max_path_bytes), "1024"},
    {"--max-limit", "PORTREG_MAX_LIMIT", NUMBER, "N", 1, 100000, NULL,
     "largest page size (limit) of a list", AT(max_limit), "1000"},
    {"--max-manifest", "PORTREG_MAX_MANIFEST", NUMBER, "N", 1, 1000, NULL,
     "entries in a POST /v1/check manifest (at most 64 KiB)", AT(max_manifest), "100"},
    {"--max-age", "PORTREG_MAX_AGE", NUMBER, "SECONDS", 0, 31536000, NULL,
     "Cache-Control max-age of answers to GET", AT(max_age), "3600"},
    {"--cors-origin", "PORTREG_CORS_ORIGIN", TEXT, "ORIGINS", 0, 0, NULL,
     "the origins whose pages may read the answers (CORS): * for any\n"
     "(the registry is public), or a comma-separated list such as\n"
     "'https://a.example,https://b.example'; a malformed one exits 2",
     AT(cors_origin), "*"},
    {"--cache-bytes", "PORTREG_CACHE_BYTES", NUMBER, "BYTES", 0, 1073741824, NULL,
     "memory for rendered lookups and their prebuilt responses kept for\n"
     "reuse (about 2.8 KiB for a port lookup); past a quarter of it, only\n"
     "answers asked again and again are kept",
     AT(cache_bytes), "8388608"},
    {"--drain-delay", "PORTREG_DRAIN_DELAY", NUMBER, "SECONDS", 0, 600, NULL,
     "on SIGTERM, answer /readyz 503 and go on serving this long before\n"
     "accepting stops, so load balancers move away first",
     AT(drain_delay), "0"},
    {"--shutdown-grace", "PORTREG_SHUTDOWN_GRACE", NUMBER, "SECONDS", 0, 600, NULL,
     "then how long open requests may take to finish", AT(shutdown_grace), "10"},
    {"--watch", "PORTREG_WATCH", NUMBER, "SECONDS", 0, 3600, NULL,
     "look at the --data files this often and reload once they have\n"
     "changed and stayed unchanged for as long again; 0 never",
     AT(watch_seconds), "0"},
    {"--access-log", "PORTREG_ACCESS_LOG", CHOICE, "on|off", 0, 0, on_off,
     "one line per request on stderr", AT(access_log), "on"},
    {"--log-format", "PORTREG_LOG_FORMAT", CHOICE, "plain|json", 0, 0, log_formats,
     "format of every log line", AT(log_format), "plain"},
    {"--log-level", "PORTREG_LOG_LEVEL", CHOICE, "LEVEL", 0, 0, log_levels,
     "error, warn, info or debug", AT(log_level), "info"},
    {"--json", NULL, SWITCH, NULL, 0, 0, NULL, "check: print the verdicts as JSON", AT(check_json),
     NULL},
    {"--both", NULL, SWITCH, NULL, 0, 0, NULL, "check: suggest ports free for tcp and udp",
     AT(check_both), NULL},
    {"--owner", NULL, TEXT, "TEAM", 0, 0, NULL,
     "check: who asks, a team of the plan: its own entries and bands\n"
     "are ok for it, and suggestions come from its bands first",
     AT(check_owner), NULL},
    {"--suggest", NULL, NUMBER, "N", 0, 20, NULL, "check: how many free ports to suggest",
     AT(check_suggest), "5"},
    {"--format", NULL, CHOICE, "text|json|sarif|junit|github", 0, 0, check_formats,
     "check: the report's format: text for people, json, sarif (2.1.0,\n"
     "for code scanning), junit (XML), github (workflow commands)",
     AT(check_format), "text"},
    {"--manifest", NULL, TEXT, "FILE", 0, 0, NULL,
     "check: a JSON manifest as POST /v1/check takes (- for standard input)", AT(check_manifest),
     NULL},
    {"--hazards", NULL, TEXT, "LIST", 0, 0, NULL,
     "check: the host hazards to judge: all, none, or some of\n"
     "linux_ephemeral,windows_dynamic,browser_blocked,node_port_range",
     AT(check_hazards), "all"},
    {"--local", NULL, SWITCH, NULL, 0, 0, NULL,
     "check: this machine's ip_local_port_range and ip_local_reserved_ports\n"
     "instead of Linux's default ephemeral range",
     AT(check_local), NULL},
    {"--count", NULL, NUMBER, "N", 1, 64, NULL, "check: suggest runs of N consecutive free ports",
     AT(check_count), "1"},
    {"--span", NULL, TEXT, "FROM-TO", 0, 0, NULL,
     "check: suggest only ports inside this span (default 1024-49151,\n"
     "and anywhere in the bands of --owner)",
     AT(check_span), NULL},
    {"--by-name", NULL, SWITCH, NULL, 0, 0, NULL,
     "check: start suggestions where the service's name hashes to, so that\n"
     "a name gets the same first suggestion while it stays free",
     AT(check_by_name), NULL},
    {"--xml", NULL, TEXT, "FILE", 0, 0, NULL,
     "import: IANA's service-names-port-numbers.xml (records, contacts, date)", AT(import_xml),
     NULL},
    {"--csv", NULL, TEXT, "FILE", 0, 0, NULL,
     "import: take the records from IANA's service-names-port-numbers.csv\n"
     "as published instead of from the XML",
     AT(import_csv), NULL},
    {"--out", NULL, TEXT, "DIR", 0, 0, NULL,
     "import: the data directory to write (created if missing)", AT(import_out), NULL},
};

#define SETTING_COUNT (sizeof settings / sizeof *settings)

static void print_usage(FILE *to)
{
    fputs("usage: portreg COMMAND [OPTIONS]\n"
          "\n"
          "Answers questions about IANA's Service Name and Transport Protocol Port\n"
          "Number Registry over HTTP/JSON.\n"
          "\n"
          "commands:\n"
          "  serve       serve the REST API (see openapi.yaml); SIGHUP reloads the\n"
          "              data, SIGTERM or SIGINT stop after open requests finish\n"
          "  validate    load the data (--data DIR or the built-in registry), print\n"
          "              its counts and warnings; exit 1 if it does not load\n"
          "  check [--format F] [--local] ARG ...\n"
          "              judge port choices offline, as GET/POST /v1/check does;\n"
          "              each ARG is PORT/PROTOCOL [NAME], a compose file, a\n"
          "              Kubernetes manifest, a JSON manifest, a directory (its\n"
          "              *.yaml, *.yml, *.json) or - for standard input;\n"
          "              the first line names the registry's date and source.\n"
          "              exit 0 when all are sound, 1 when any is not, 2 on a\n"
          "              usage error, 3 when the data did not load\n"
          "  import --xml FILE [--csv FILE] --out DIR\n"
          "              turn IANA's XML into a data directory; the new files\n"
          "              replace the old only once they load; exit 1 if not\n"
          "  healthcheck ask the server at --listen whether it is ready (/readyz);\n"
          "              exit 0 if so, 1 if not: for a container's HEALTHCHECK\n"
          "\n"
          "options (the variable shown sets the same; a flag wins over it):\n",
          to);
    for (size_t i = 0; i < SETTING_COUNT; i++) {
        const setting *s = &settings[i];
        /* written straight out, so no buffer can cut a long one short */
        int head = fprintf(to, "  %s%s%s", s->flag, s->arg ? " " : "", s->arg ? s->arg : "");
        /* a head too long for its column gets a line of its own */
        if (head < 0 || head - 2 >= 28)
            fprintf(to, "\n%30s", "");
        else
            fprintf(to, "%*s", 28 - (head - 2), "");
        for (const char *line = s->help; *line;) {
            size_t n = strcspn(line, "\n");
            bool last = line[n] == '\0';
            fprintf(to, "%s%.*s%s%s\n", line == s->help ? "" : "                              ",
                    (int)n, line, last && s->def ? "; default " : "", last && s->def ? s->def : "");
            line += n + (line[n] == '\n');
        }
        if (s->env)
            fprintf(to, "                              (%s)\n", s->env);
    }
    fputs("  -h, --help                  show this help\n"
          "  -V, --version               show the version\n",
          to);
}

__attribute__((format(printf, 1, 2))) static int bad_usage(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "portreg: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\nTry 'portreg --help'.\n");
    va_end(ap);
    return 2;
}

/* Stores one value; false when it is out of bounds or not a choice. */
static bool apply(const setting *s, const char *value, pr_options *opt)
{
    void *target = (char *)opt + s->offset;
    switch (s->kind) {
    case TEXT:
        if (!value || !*value)
            return false;
        *(const char **)target = value;
        return true;
    case SWITCH:
        *(bool *)target = true;
        return true;
    case CHOICE:
        for (int i = 0; value && s->choices[i]; i++) {
            if (!strcmp(value, s->choices[i])) {
                *(int *)target = i;
                return true;
            }
        }
        return false;
    case NUMBER: {
        if (!value || !*value || *value == '-' || *value == '+')
            return false;
        errno = 0;
        char *end;
        unsigned long v = strtoul(value, &end, 10);
        if (errno || *end || v < s->min || v > s->max)
            return false;
        *(unsigned *)target = (unsigned)v;
        return true;
    }
    }
    return false;
}

static int bad_value(const setting *s, const char *where, const char *value)
{
    if (s->kind == NUMBER)
        return bad_usage("%s: \"%s\" is not a number from %lu to %lu", where, value ? value : "",
                         s->min, s->max);
    if (s->kind == CHOICE)
        return bad_usage("%s: \"%s\" is not one of %s", where, value ? value : "", s->arg);
    return bad_usage("%s needs %s", where, s->arg);
}

pr_registry *pr_options_try_load(const pr_options *opt, pr_error *err)
{
    return opt->data_dir ? pr_registry_load_dir_plan(opt->data_dir, opt->plan_file, err)
                         : pr_builtin_load_plan(opt->plan_file, err);
}

pr_registry *pr_options_load(const pr_options *opt)
{
    pr_error err;
    pr_registry *reg = pr_options_try_load(opt, &err);
    if (!reg) {
        char msg[1024];
        pr_log(PR_LOG_ERROR, "%s", pr_error_format(&err, msg, sizeof msg));
    }
    return reg;
}

long pr_registry_age_days(const pr_registry *reg, long long now)
{
    pr_date d = reg->updated;
    if (!d.year)
        return 0;
    /* a date given as YYYY or YYYY-MM is taken at its first day, as
     * Last-Modified takes it */
    long long t = pr_epoch_of_date(d.year, d.month ? d.month : 1u, d.day ? d.day : 1u);
    long long diff = now - t;
    /* floor, so that the day of the date is day 0 and the day before it -1 */
    return (long)(diff >= 0 ? diff / 86400 : -((-diff + 86399) / 86400));
}

bool pr_warn_if_stale(const pr_options *opt, const pr_registry *reg, long long now)
{
    long age = pr_registry_age_days(reg, now);
    if (!reg->updated.year || age <= (long)opt->max_data_age)
        return false;
    char updated[11];
    pr_log(PR_LOG_WARN,
           "the registry from %s is dated %s, %ld days ago, more than --max-data-age %u: "
           "it still serves, but refresh it (tools/update-registry)",
           reg->source[0] ? reg->source : "?", pr_date_format(reg->updated, updated), age,
           opt->max_data_age);
    return true;
}

int main(int argc, char **argv)
{
    /* the defaults, then the environment, then the flags: each through the
     * same parser, from the one table that --help prints */
    pr_options opt = {0};
    for (size_t i = 0; i < SETTING_COUNT; i++)
        if (settings[i].def && !apply(&settings[i], settings[i].def, &opt))
            return bad_value(&settings[i], "the default of", settings[i].def);
    for (size_t i = 0; i < SETTING_COUNT; i++) {
        const char *value = settings[i].env ? getenv(settings[i].env) : NULL;
        if (value && *value && !apply(&settings[i], value, &opt))
            return bad_value(&settings[i], settings[i].env, value);
    }

    const char *command = NULL;
    char *operands[256];
    int operand_count = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            print_usage(stdout);
            return 0;
        }
        if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
            printf("portreg %s\n", PORTREG_VERSION);
            return 0;
        }
        const setting *s = NULL;
        for (size_t k = 0; k < SETTING_COUNT && !s; k++)
            if (!strcmp(a, settings[k].flag))
                s = &settings[k];
        if (s) {
            const char *value = s->kind == SWITCH ? NULL : i + 1 < argc ? argv[++i] : NULL;
            if (!apply(s, value, &opt))
                return bad_value(s, s->flag, value);
        } else if (a[0] == '-' && a[1]) { /* "-": standard input */
            return bad_usage("unknown option %s", a);
        } else if (!command) {
            command = a;
        } else if (!strcmp(command, "check") &&
                   operand_count < (int)(sizeof operands / sizeof *operands)) {
            operands[operand_count++] = argv[i];
        } else {
            return bad_usage("unexpected argument %s", a);
        }
    }
    pr_log_configure((enum pr_log_level)opt.log_level, (enum pr_log_format)opt.log_format,
                     opt.access_log == 0);
    if (!command) {
        print_usage(stderr);
        return 2;
    }
    if (!strcmp(command, "validate"))
        return pr_cmd_validate(&opt);
    if (!strcmp(command, "serve"))
        return pr_cmd_serve(&opt);
    if (!strcmp(command, "check"))
        return pr_cmd_check(&opt, operand_count, operands);
    if (!strcmp(command, "import"))
        return pr_cmd_import(&opt);
    if (!strcmp(command, "healthcheck"))
        return pr_cmd_healthcheck(&opt);
    return bad_usage("unknown command %s", command);
}

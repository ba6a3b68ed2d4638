/* check_cmd.c: `portreg check`: the verdicts of /v1/check, offline, over
 * port arguments and deployment files, in the formats CI systems read,
 * with an exit status a CI job can act on. */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "api.h"
#include "check.h"
#include "check_report.h"
#include "commands.h"
#include "csv_table.h"
#include "deploy.h"
#include "fields.h"
#include "plan.h"
#include "hazards.h"
#include "yamltree.h"

#define MAX_DIR_FILES 256 /* files read from one directory */

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

/* A word right after PORT/PROTOCOL is its name when it cannot be a path:
 * an RFC 6335 name has neither "/" nor "." */
static bool name_like(const char *arg)
{
    return !strchr(arg, '/') && !strchr(arg, '.') && strlen(arg) <= PR_MAX_NAME_BYTES &&
           pr_utf8_valid(arg, strlen(arg), NULL);
}

/* Reads a whole file (or standard input for "-") of at most
 * PR_YAML_MAX_BYTES; NULL with a message in err otherwise. */
static char *slurp(const char *path, size_t *len, char *err, size_t err_size)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) {
        snprintf(err, err_size, "%s: %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap);
    bool too_big = false;
    while (buf) {
        if (n == cap) {
            if (cap > PR_YAML_MAX_BYTES) {
                too_big = true;
                break;
            }
            char *more = realloc(buf, cap * 2);
            if (!more) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = more;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    bool failed = ferror(f);
    if (f != stdin)
        fclose(f);
    if (!buf) {
        snprintf(err, err_size, "%s: out of memory", path);
        return NULL;
    }
    if (too_big || n > PR_YAML_MAX_BYTES) {
        snprintf(err, err_size, "%s: over %d bytes, the limit of a deployment file", path,
                 PR_YAML_MAX_BYTES);
        free(buf);
        return NULL;
    }
    if (failed) {
        snprintf(err, err_size, "%s: read error", path);
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

static int read_file(pr_deploy_set *set, const char *path, char *err, size_t err_size)
{
    size_t len;
    char *text = slurp(path, &len, err, err_size);
    if (!text)
        return -1;
    int rc = pr_deploy_read(set, path, text, len, err, err_size);
    free(text);
    return rc;
}

static bool wanted_file(const char *name)
{
    size_t n = strlen(name);
    return name[0] != '.' &&
           ((n > 5 && !strcmp(name + n - 5, ".yaml")) || (n > 4 && !strcmp(name + n - 4, ".yml")) ||
            (n > 5 && !strcmp(name + n - 5, ".json")));
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A directory's *.yaml, *.yml and *.json, in name order (not recursive). */
static int read_dir(pr_deploy_set *set, const char *dir, char *err, size_t err_size)
{
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(err, err_size, "%s: %s", dir, strerror(errno));
        return -1;
    }
    char *names[MAX_DIR_FILES];
    size_t n = 0;
    int rc = 0;
    struct dirent *ent;
    while (rc == 0 && (ent = readdir(d))) {
        if (!wanted_file(ent->d_name))
            continue;
        if (n == MAX_DIR_FILES) {
            snprintf(err, err_size, "%s: more than %d files to read", dir, MAX_DIR_FILES);
            rc = -1;
        } else if (!(names[n] = malloc(strlen(dir) + strlen(ent->d_name) + 2))) {
            snprintf(err, err_size, "%s: out of memory", dir);
            rc = -1;
        } else {
            sprintf(names[n], "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", ent->d_name);
            n++;
        }
    }
    closedir(d);
    qsort(names, n, sizeof *names, by_name);
    for (size_t i = 0; i < n; i++) {
        if (rc == 0)
            rc = read_file(set, names[i], err, err_size);
        free(names[i]);
    }
    return rc;
}

static int read_operand(pr_deploy_set *set, const char *arg, char *err, size_t err_size)
{
    struct stat st;
    if (strcmp(arg, "-") != 0 && stat(arg, &st) == 0 && S_ISDIR(st.st_mode))
        return read_dir(set, arg, err, err_size);
    if (strcmp(arg, "-") != 0 && stat(arg, &st) != 0 && (strchr(arg, '/') || strchr(arg, '.'))) {
        snprintf(err, err_size, "%s: %s", arg, strerror(errno));
        return -1;
    }
    if (strcmp(arg, "-") != 0 && stat(arg, &st) != 0) {
        snprintf(err, err_size,
                 "\"%s\" is neither PORT/PROTOCOL (5264/tcp), a service name after one, nor a "
                 "file: %s",
                 arg, strerror(errno));
        return -1;
    }
    return read_file(set, arg, err, err_size);
}

/* "FROM-TO" of ports. */
static bool parse_span(const char *s, pr_check_options *o)
{
    const char *dash = strchr(s, '-');
    uint64_t a, b;
    if (!dash || !pr_parse_decimal(s, (size_t)(dash - s), &a) ||
        !pr_parse_decimal(dash + 1, strlen(dash + 1), &b) || a > b || b > 65535 || a == 0)
        return false;
    o->span_first = (uint16_t)a;
    o->span_last = (uint16_t)b;
    return true;
}

__attribute__((format(printf, 1, 2))) static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "portreg: check: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    return 2;
}

/* The judgement's options from the command line; 2 on a usage error. */
static int check_options(const pr_options *opt, pr_check_options *c, uint8_t *reserved)
{
    *c = (pr_check_options){.both = opt->check_both,
                            .suggest = opt->check_suggest,
                            .count = opt->check_count,
                            .by_name = opt->check_by_name,
                            .owner = opt->check_owner};
    if (opt->check_owner) {
        size_t len = strlen(opt->check_owner);
        bool ok = len >= 1 && len <= PR_PLAN_MAX_OWNER;
        for (size_t i = 0; ok && i < len; i++) {
            char ch = opt->check_owner[i];
            ok = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' ||
                 ch == '_';
        }
        if (!ok)
            return usage_error("--owner: \"%s\" is not a team name of 1 to %d of a-z, 0-9, "
                               "'.', '_', '-'",
                               opt->check_owner, PR_PLAN_MAX_OWNER);
    }
    const char *h = opt->check_hazards ? opt->check_hazards : "all";
    if (!pr_hazards_parse(h, strlen(h), &c->hazards_off))
        return usage_error("--hazards: \"%s\" is not all, none, or a list of linux_ephemeral, "
                           "windows_dynamic, browser_blocked, node_port_range",
                           h);
    if (opt->check_span && !parse_span(opt->check_span, c))
        return usage_error("--span: \"%s\" is not FROM-TO, two ports of 1-65535", opt->check_span);
    if (opt->check_local) {
        char err[512];
        if (pr_hazards_read_local(c, reserved, "/proc/sys/net/ipv4/ip_local_port_range",
                                  "/proc/sys/net/ipv4/ip_local_reserved_ports", err,
                                  sizeof err) != 0)
            return usage_error("--local: %s", err);
    }
    return 0;
}

/* Reads every operand (and --manifest) into set; 2 with a message on a
 * usage or input error. */
static int read_inputs(const pr_options *opt, int argc, char **argv, pr_deploy_set *set)
{
    char err[1024];
    if (opt->check_manifest && read_file(set, opt->check_manifest, err, sizeof err) != 0)
        return usage_error("%s", err);
    bool last_is_port = false;
    size_t given = 0; /* PORT/PROTOCOL arguments, bounded as a POST manifest is */
    for (int i = 0; i < argc; i++) {
        pr_check_entry e = {0};
        if (parse_port_proto(argv[i], &e)) {
            if (opt->check_both && e.proto != PR_PROTO_TCP && e.proto != PR_PROTO_UDP) {
                fprintf(stderr, "portreg: %s: --both needs tcp or udp\n", argv[i]);
                return 2;
            }
            if (++given > PR_MAX_MANIFEST_ENTRIES)
                return usage_error("takes at most %d PORT/PROTOCOL entries",
                                   PR_MAX_MANIFEST_ENTRIES);
            if (pr_deploy_add(set, &e, NULL) != 0)
                return usage_error("takes at most %d entries in all", PR_DEPLOY_MAX_ENTRIES);
            last_is_port = true;
        } else if (last_is_port && name_like(argv[i])) {
            pr_check_entry *prev = &set->entries[set->count - 1];
            /* the set owns its strings: add the named entry anew */
            pr_check_entry named = *prev;
            named.name = argv[i];
            set->count--;
            if (pr_deploy_add(set, &named, NULL) != 0)
                return usage_error("%s", "out of memory");
            last_is_port = false;
        } else {
            if (read_operand(set, argv[i], err, sizeof err) != 0)
                return usage_error("%s", err);
            last_is_port = false;
        }
    }
    if (set->count == 0) {
        fprintf(stderr, "portreg: check needs PORT/PROTOCOL [NAME], files or directories "
                        "with ports in them\n");
        return 2;
    }
    if (opt->check_both)
        for (size_t i = 0; i < set->count; i++)
            if (set->entries[i].proto != PR_PROTO_TCP && set->entries[i].proto != PR_PROTO_UDP &&
                set->entries[i].use != PR_USE_CLASH_ONLY) {
                fprintf(stderr, "portreg: check: --both needs tcp or udp, and entry %zu is %s\n", i,
                        pr_proto_name(set->entries[i].proto));
                return 2;
            }
    pr_deploy_finish(set);
    return 0;
}

int pr_cmd_check(const pr_options *opt, int argc, char **argv)
{
    if (argc == 0 && !opt->check_manifest) {
        fprintf(stderr, "portreg: check needs PORT/PROTOCOL [NAME], files or directories\n");
        return 2;
    }
    static uint8_t reserved[PR_RESERVED_BYTES];
    pr_check_options copt;
    int status = check_options(opt, &copt, reserved);
    if (status != 0)
        return status;
    enum pr_report_format format = (enum pr_report_format)opt->check_format;
    if (opt->check_json && format == PR_REPORT_TEXT)
        format = PR_REPORT_JSON;
    pr_deploy_set set;
    pr_deploy_init(&set, PR_DEPLOY_MAX_ENTRIES);
    status = read_inputs(opt, argc, argv, &set);
    if (status != 0) {
        pr_deploy_free(&set);
        return status;
    }
    pr_error err;
    pr_registry *reg = pr_options_try_load(opt, &err);
    if (!reg) {
        /* one line, naming the file (and line) that failed: a CI log shows
         * at once that the data, not the choice, is the problem */
        char msg[1024];
        fprintf(stderr, "portreg: check: the data did not load: %s\n",
                pr_error_format(&err, msg, sizeof msg));
        pr_deploy_free(&set);
        return 3;
    }
    pr_api_config cfg = {.max_limit = 1, .default_limit = 1, .cache_bytes = 0};
    pr_api *api = pr_api_new(reg, &cfg);
    pr_manifest m;
    bool judged = api && pr_check_manifest_judge(api, set.entries, set.count, &copt, &m) == 0;
    status = 1;
    if (!judged) {
        fprintf(stderr, "portreg: out of memory\n");
    } else {
        /* which data judged, first: a verdict is only as good as its date */
        char updated[11], header[400];
        snprintf(header, sizeof header, "registry: %s (%s, %ld days old)",
                 pr_date_format(reg->updated, updated), reg->source,
                 pr_registry_age_days(reg, (long long)time(NULL)));
        /* a report cut short on the way out must not pass for a whole one */
        if (pr_report_write(stdout, api, &m, format, header) != 0) {
            fprintf(stderr, "portreg: could not write the verdicts\n");
            m.ok = false;
        }
        status = m.ok ? 0 : 1;
        pr_manifest_free(&m);
    }
    pr_api_free(api);
    pr_registry_free(reg);
    pr_deploy_free(&set);
    return status;
}

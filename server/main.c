/* main.c: the portreg command line: flags, environment, subcommands. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "sample.h"

#ifndef PORTREG_VERSION
#define PORTREG_VERSION "unknown"
#endif

static const char usage[] =
    "usage: portreg COMMAND [OPTIONS]\n"
    "\n"
    "Answers questions about IANA's Service Name and Transport Protocol Port\n"
    "Number Registry over HTTP/JSON.\n"
    "\n"
    "commands:\n"
    "  serve       serve the REST API (see openapi.yaml)\n"
    "  validate    load a data directory, print its counts and warnings;\n"
    "              exit 1 if it does not load\n"
    "\n"
    "options (each also read from the environment variable shown):\n"
    "  --data DIR          data directory holding service-names-port-numbers.csv\n"
    "                      and contacts.csv (PORTREG_DATA); default: the\n"
    "                      built-in sample data set\n"
    "  --listen HOST:PORT  address to serve on (PORTREG_LISTEN);\n"
    "                      default 127.0.0.1:8080; [::1]:8080 for IPv6\n"
    "  --threads N         worker threads, 1-64 (PORTREG_THREADS); default 2\n"
    "  --max-age SECONDS   Cache-Control max-age, 0-31536000 (PORTREG_MAX_AGE);\n"
    "                      default 3600\n"
    "  --cors-origin ORIGIN  Access-Control-Allow-Origin (PORTREG_CORS_ORIGIN);\n"
    "                      default *, as the registry is public\n"
    "  -h, --help          show this help\n"
    "  -V, --version       show the version\n";

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

static int parse_uint(const char *text, unsigned long min, unsigned long max, unsigned *out)
{
    if (!text || !*text || *text == '-' || *text == '+')
        return -1;
    errno = 0;
    char *end;
    unsigned long v = strtoul(text, &end, 10);
    if (errno || *end || v < min || v > max)
        return -1;
    *out = (unsigned)v;
    return 0;
}

pr_registry *pr_options_load(const pr_options *opt)
{
    pr_error err;
    pr_registry *reg =
        opt->data_dir ? pr_registry_load_dir(opt->data_dir, &err) : pr_sample_load(&err);
    if (!reg) {
        char msg[1024];
        fprintf(stderr, "portreg: %s\n", pr_error_format(&err, msg, sizeof msg));
    }
    return reg;
}

int main(int argc, char **argv)
{
    pr_options opt = {.data_dir = getenv("PORTREG_DATA"),
                      .listen = getenv("PORTREG_LISTEN"),
                      .cors_origin = getenv("PORTREG_CORS_ORIGIN"),
                      .max_age = 3600,
                      .threads = 2};
    if (opt.data_dir && !*opt.data_dir)
        opt.data_dir = NULL;
    if (!opt.listen || !*opt.listen)
        opt.listen = "127.0.0.1:8080";
    if (!opt.cors_origin || !*opt.cors_origin)
        opt.cors_origin = "*";
    const char *env;
    if ((env = getenv("PORTREG_MAX_AGE")) && *env && parse_uint(env, 0, 31536000, &opt.max_age))
        return bad_usage("PORTREG_MAX_AGE: \"%s\" is not 0-31536000", env);
    if ((env = getenv("PORTREG_THREADS")) && *env && parse_uint(env, 1, 64, &opt.threads))
        return bad_usage("PORTREG_THREADS: \"%s\" is not 1-64", env);

    const char *command = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(usage, stdout);
            return 0;
        } else if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
            printf("portreg %s\n", PORTREG_VERSION);
            return 0;
        } else if (!strcmp(a, "--data")) {
            if (!value)
                return bad_usage("%s needs a directory", a);
            opt.data_dir = value, i++;
        } else if (!strcmp(a, "--listen")) {
            if (!value)
                return bad_usage("%s needs HOST:PORT", a);
            opt.listen = value, i++;
        } else if (!strcmp(a, "--cors-origin")) {
            if (!value || !*value)
                return bad_usage("%s needs an origin or *", a);
            opt.cors_origin = value, i++;
        } else if (!strcmp(a, "--max-age")) {
            if (parse_uint(value, 0, 31536000, &opt.max_age))
                return bad_usage("--max-age needs seconds, 0-31536000");
            i++;
        } else if (!strcmp(a, "--threads")) {
            if (parse_uint(value, 1, 64, &opt.threads))
                return bad_usage("--threads needs a number, 1-64");
            i++;
        } else if (a[0] == '-') {
            return bad_usage("unknown option %s", a);
        } else if (!command) {
            command = a;
        } else {
            return bad_usage("unexpected argument %s", a);
        }
    }
    if (!command) {
        fputs(usage, stderr);
        return 2;
    }
    if (!strcmp(command, "validate"))
        return pr_cmd_validate(&opt);
    if (!strcmp(command, "serve"))
        return pr_cmd_serve(&opt);
    return bad_usage("unknown command %s", command);
}

/* commands.h: the portreg subcommands and the options they share.
 *
 * pr_options is filled once by main() from flags and PORTREG_* environment
 * variables (flags win) and is read-only afterwards. Each command returns the
 * process exit status. */
#ifndef PR_COMMANDS_H
#define PR_COMMANDS_H

#include <stdbool.h>

#include "registry.h"

typedef struct pr_options {
    const char *data_dir;       /* NULL: the built-in registry (builtin.h) */
    const char *plan_file;      /* the port plan; NULL: DIR/port-plan.csv if any */
    unsigned max_data_age;      /* days after the registry's date to warn that it is old */
    const char *listen;         /* HOST:PORT, [IPv6]:PORT */
    const char *cors_origin;    /* "*" or a list of origins (cors.h) */
    unsigned max_age;           /* Cache-Control max-age, seconds */
    unsigned threads;           /* worker threads serving requests (pool mode) */
    int http_mode;              /* index into {"pool", "per-connection"} */
    unsigned conn_limit;        /* connections at once */
    unsigned per_ip_limit;      /* connections at once per client address; 0: none */
    unsigned timeout;           /* seconds before an idle or slow connection is closed */
    unsigned max_header_bytes;  /* request line and headers, per connection */
    unsigned max_path_bytes;    /* decoded path */
    unsigned max_limit;         /* largest list page */
    unsigned max_manifest;      /* entries in a POST /v1/check manifest */
    unsigned cache_bytes;       /* rendered lookups kept for reuse */
    unsigned shutdown_grace;    /* seconds open requests get on SIGTERM */
    unsigned drain_delay;       /* seconds /readyz fails before accepting stops */
    unsigned watch_seconds;     /* look for changed data files this often; 0: never */
    int access_log;             /* index into {"on", "off"} */
    int log_format;             /* enum pr_log_format */
    int log_level;              /* enum pr_log_level */
    bool check_json;            /* check: print the JSON answer */
    bool check_both;            /* check: suggest ports free for tcp and udp */
    unsigned check_suggest;     /* check: how many free ports to suggest */
    const char *check_owner;    /* check: the team asking; NULL: nobody */
    int check_format;           /* check: enum pr_report_format */
    const char *check_manifest; /* check: a JSON manifest file, "-" for standard input */
    const char *check_hazards;  /* check: "all", "none" or a list of hazard names */
    bool check_local;           /* check: the machine's ephemeral range and reserved ports */
    unsigned check_count;       /* check: suggestions are runs of this many free ports */
    const char *check_span;     /* check: "FROM-TO", where suggestions may be */
    bool check_by_name;         /* check: suggestions seeded by the service's name */
    const char *import_xml;     /* import: IANA's service-names-port-numbers.xml */
    const char *import_csv;     /* import: IANA's CSV for the records; NULL: from the XML */
    const char *import_out;     /* import: the data directory to write */
} pr_options;

/* Loads the data set the options name. On failure logs
 * "FILE:LINE: FIELD: PROBLEM" as an error and returns NULL. */
pr_registry *pr_options_load(const pr_options *opt);
/* As pr_options_load, leaving the message in *err instead of logging it. */
pr_registry *pr_options_try_load(const pr_options *opt, pr_error *err);

/* Whole days from the registry's date to `now` (seconds since the epoch);
 * negative when the date is in the future, 0 when the data has none. */
long pr_registry_age_days(const pr_registry *reg, long long now);

/* Logs a warning when the registry's date is more than opt->max_data_age
 * days before `now`; says whether it did. */
bool pr_warn_if_stale(const pr_options *opt, const pr_registry *reg, long long now);

int pr_cmd_validate(const pr_options *opt);
int pr_cmd_serve(const pr_options *opt);
/* argv holds the command's operands: PORT/PROTOCOL [NAME], files,
 * directories, "-" ... Exit 0 when
 * every choice is sound, 1 when one is not, 2 on a usage error, 3 when the
 * data did not load. */
int pr_cmd_check(const pr_options *opt, int argc, char **argv);
/* Exit 0 when the directory now holds the new data, 1 when the import
 * failed (the directory is unchanged), 2 on a usage error. */
int pr_cmd_import(const pr_options *opt);
/* Asks the server at --listen for /readyz: exit 0 when it answers 200, 1
 * otherwise. For a container's HEALTHCHECK, which has no HTTP client. */
int pr_cmd_healthcheck(const pr_options *opt);

#endif

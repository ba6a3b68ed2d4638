/* commands.h: the portreg subcommands and the options they share.
 *
 * pr_options is filled once by main() from flags and PORTREG_* environment
 * variables (flags win) and is read-only afterwards. Each command returns the
 * process exit status. */
#ifndef PR_COMMANDS_H
#define PR_COMMANDS_H

#include "registry.h"

typedef struct pr_options {
    const char *data_dir;    /* NULL: the built-in sample data set */
    const char *listen;      /* HOST:PORT, [IPv6]:PORT */
    const char *cors_origin; /* Access-Control-Allow-Origin value */
    unsigned max_age;        /* Cache-Control max-age, seconds */
    unsigned threads;        /* worker threads serving requests */
} pr_options;

/* Loads the data set the options name. On failure prints
 * "portreg: FILE:LINE: FIELD: PROBLEM" to stderr and returns NULL. */
pr_registry *pr_options_load(const pr_options *opt);

int pr_cmd_validate(const pr_options *opt);
int pr_cmd_serve(const pr_options *opt);

#endif

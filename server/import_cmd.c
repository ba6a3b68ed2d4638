/* import_cmd.c: `portreg import`: IANA's XML into a data directory, with a
 * report a person or a cron job's mail can read. The work is import/'s. */
#include <stdio.h>
#include <sys/resource.h>

#include "commands.h"

#ifdef PR_WITHOUT_IMPORTER

int pr_cmd_import(const pr_options *opt)
{
    (void)opt;
    fprintf(stderr, "portreg: import: this portreg was built without the importer "
                    "(meson -Dimporter=disabled); run it where `portreg import` is built\n");
    return 2;
}

#else

#include "importer.h"

static void print_warning(void *ctx, const pr_error *w)
{
    (void)ctx;
    char msg[1024];
    fprintf(stderr, "portreg: import: warning: %s\n", pr_error_format(w, msg, sizeof msg));
}

int pr_cmd_import(const pr_options *opt)
{
    if (!opt->import_xml || !opt->import_out) {
        fprintf(stderr, "portreg: import needs --xml FILE and --out DIR\n"
                        "Try 'portreg --help'.\n");
        return 2;
    }
    pr_import_options io = {.xml_path = opt->import_xml,
                            .csv_path = opt->import_csv,
                            .out_dir = opt->import_out,
                            .warn = print_warning};
    pr_import_result res;
    pr_error err;
    pr_error_clear(&err);
    if (pr_import_run(&io, &res, &err) != 0) {
        char msg[1024];
        fprintf(stderr, "portreg: import: %s\n", pr_error_format(&err, msg, sizeof msg));
        fprintf(stderr, "portreg: import: nothing in %s was changed\n", opt->import_out);
        return 1;
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    char date[11];
    printf("records:        %u (from %s)\n", res.records,
           opt->import_csv ? opt->import_csv : opt->import_xml);
    printf("contacts:       %u\n", res.contacts);
    printf("registry date:  %s\n", pr_date_format(res.updated, date));
    printf("written to:     %s\n", opt->import_out);
    printf("import time:    %.1f ms\n", res.seconds * 1e3);
    printf("peak memory:    %.1f MiB (whole process, max RSS)\n", (double)ru.ru_maxrss / 1024.0);
    printf("warnings:       %u\n", res.warnings);
    return 0;
}

#endif

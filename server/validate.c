/* validate.c: `portreg validate`: load the data (a directory or the
 * built-in registry) and report on it. */
#include "commands.h"

#include <stdio.h>
#include <sys/resource.h>

#include "registry.h"

int pr_cmd_validate(const pr_options *opt)
{
    pr_registry *reg = pr_options_load(opt);
    if (!reg)
        return 1;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    char newest[11], updated[11];
    printf("source:         %s\n", reg->source);
    printf("records:        %u\n", reg->record_count);
    printf("contacts:       %u\n", reg->contact_count);
    printf("service names:  %u (distinct, case-insensitive)\n", reg->name_count);
    printf("port ranges:    %u\n", reg->range_count);
    printf("newest date:    %s\n", pr_date_format(reg->newest, newest));
    printf("registry date:  %s (%s)\n", pr_date_format(reg->updated, updated),
           reg->updated_given ? "from " PR_UPDATED_FILE : "the newest date; no " PR_UPDATED_FILE);
    printf("load time:      %.1f ms\n", reg->load_seconds * 1e3);
    printf("peak memory:    %.1f MiB (whole process, max RSS)\n", (double)ru.ru_maxrss / 1024.0);
    printf("warnings:       %u\n", reg->warning_count);
    for (uint32_t i = 0; i < reg->warning_count; i++) {
        char msg[1024];
        printf("warning: %s\n", pr_error_format(&reg->warnings[i], msg, sizeof msg));
    }
    pr_registry_free(reg);
    return 0;
}

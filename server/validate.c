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
    printf("records:        %u\n", reg->local_first);
    printf("contacts:       %u\n", reg->contact_count);
    printf("service names:  %u (distinct, case-insensitive)\n", reg->name_count);
    printf("port ranges:    %u\n", reg->range_count);
    printf("newest date:    %s\n", pr_date_format(reg->newest, newest));
    printf("registry date:  %s (%s)\n", pr_date_format(reg->updated, updated),
           reg->updated_given ? "from " PR_UPDATED_FILE : "the newest date; no " PR_UPDATED_FILE);
    printf("load time:      %.1f ms\n", reg->load_seconds * 1e3);
    printf("peak memory:    %.1f MiB (whole process, max RSS)\n", (double)ru.ru_maxrss / 1024.0);
    if (reg->has_plan) {
        uint32_t entries = 0, bands = 0, pending = 0;
        for (uint32_t i = 0; i < reg->owner_count; i++) {
            entries += reg->owners[i].entry_count;
            bands += reg->owners[i].band_count;
        }
        for (uint32_t i = reg->local_first; i < reg->record_count; i++)
            pending += reg->records[i].local_status == PR_PLAN_PENDING_IANA;
        printf("plan:           %s\n", reg->plan_source.name);
        printf("plan entries:   %u lines: %u records (one per protocol), %u bands, "
               "%u pending-iana\n",
               reg->plan_rows, entries, bands, pending);
        printf("plan owners:    %u\n", reg->owner_count);
        printf("plan warnings:  %u\n", reg->plan_warnings);
    } else {
        printf("plan:           none\n");
    }
    printf("warnings:       %u\n", reg->warning_count);
    for (uint32_t i = 0; i < reg->warning_count; i++) {
        char msg[1024];
        printf("warning: %s\n", pr_error_format(&reg->warnings[i], msg, sizeof msg));
    }
    pr_registry_free(reg);
    return 0;
}

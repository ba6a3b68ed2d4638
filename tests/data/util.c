/* util.c: see util.h. */
#include "util.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "registry.h"

#if defined(__SANITIZE_ADDRESS__)
#define PR_TEST_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PR_TEST_LSAN 1
#endif
#endif
#ifdef PR_TEST_LSAN
#include <sanitizer/lsan_interface.h>
#endif

void check_no_leaks(void)
{
#ifdef PR_TEST_LSAN
    if (__lsan_do_recoverable_leak_check())
        abort();
#endif
}

unsigned char *read_whole_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    unsigned char *buf = NULL;
    size_t used = 0, cap = 0;
    for (;;) {
        if (cap - used < 4096) {
            cap = cap ? cap * 2 : 65536;
            unsigned char *grown = realloc(buf, cap + 1);
            if (!grown) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = grown;
        }
        size_t got = fread(buf + used, 1, cap - used, f);
        used += got;
        if (got == 0)
            break;
    }
    bool failed = ferror(f);
    fclose(f);
    if (failed) {
        free(buf);
        return NULL;
    }
    buf[used] = '\0';
    *len = used;
    return buf;
}

bool iana_present(void)
{
    return access(PR_IANA_DIR "/" PR_RECORDS_FILE, R_OK) == 0 &&
           access(PR_IANA_DIR "/" PR_CONTACTS_FILE, R_OK) == 0;
}

const char *format_error(const pr_error *err)
{
    static char buf[1024];
    return pr_error_format(err, buf, sizeof buf);
}

unsigned scan_agrees_with_record_matches(const pr_registry *reg, const char *lower_term)
{
    size_t len = strlen(lower_term);
    unsigned found = 0;
    uint32_t next = pr_registry_next_match(reg, 0, lower_term, len);
    for (uint32_t i = 0; i < reg->record_count; i++) {
        if (!pr_registry_record_matches(reg, i, lower_term, len))
            continue;
        cr_assert_eq(next, i, "\"%s\": the scan gave record %u, not %u", lower_term, next, i);
        next = pr_registry_next_match(reg, i + 1, lower_term, len);
        found++;
    }
    cr_assert_eq(next, reg->record_count, "\"%s\": the scan found more", lower_term);
    return found;
}

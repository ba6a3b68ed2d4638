/* The registry built into the binary: IANA's files of registry/iana, byte
 * for byte, every one of them embedded and found by name, loading as the
 * same directory does. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builtin.h"
#include "registry.h"
#include "util.h"

LEAK_CHECKED_SUITE(builtin);

static pr_registry *builtin(void)
{
    pr_error err;
    pr_error_clear(&err);
    pr_registry *reg = pr_builtin_load(&err);
    cr_assert_not_null(reg, "%s", format_error(&err));
    return reg;
}

static void hex(const unsigned char *digest, char out[2 * PR_SHA256_LEN + 1])
{
    for (int i = 0; i < PR_SHA256_LEN; i++)
        snprintf(out + 2 * i, 3, "%02x", digest[i]);
}

Test(builtin, is_ianas_registry_of_2026_08_17)
{
    pr_registry *reg = builtin();
    cr_assert_str_eq(reg->source, PR_BUILTIN_SOURCE);
    cr_assert_str_eq(reg->source, "built-in");
    cr_assert_eq(reg->record_count, 14533);
    cr_assert_eq(reg->contact_count, 5615);
    cr_assert_eq(reg->name_count, 7327);
    cr_assert_eq(reg->range_count, 766);
    cr_assert_eq(reg->warning_count, 0);
    cr_assert(reg->updated_given, "the snapshot carries IANA's date");
    char day[11];
    cr_assert_str_eq(pr_date_format(reg->updated, day), "2026-08-17");
    /* the published checksums (../shared/iana/README.md): byte for byte */
    char h[2 * PR_SHA256_LEN + 1];
    hex(reg->sources[0].sha256, h);
    cr_assert_str_eq(h, "757d5969a623680753269c420688fc01b050ce8dae9f47d90aab0a057f144dc8");
    cr_assert_eq(reg->sources[0].bytes, 1156686);
    hex(reg->sources[1].sha256, h);
    cr_assert_str_eq(h, "f64663a5a6e9a94d2dc0ff1718dcc8d1f16942ac02c286239853eb70b3bf2a74");
    cr_assert_eq(reg->sources[1].bytes, 389513);
    cr_assert_str_eq(reg->sources[0].name, "(built-in)/" PR_RECORDS_FILE);
    cr_assert_str_eq(reg->sources[1].name, "(built-in)/" PR_CONTACTS_FILE);
    pr_registry_free(reg);
}

Test(builtin, holds_every_file_of_the_snapshot_unchanged)
{
    DIR *d = opendir(PR_SNAPSHOT_DIR);
    cr_assert_not_null(d, PR_SNAPSHOT_DIR);
    int files = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", PR_SNAPSHOT_DIR, e->d_name);
        size_t len;
        unsigned char *bytes = read_whole_file(path, &len);
        cr_assert_not_null(bytes, "%s", path);
        pr_source src;
        cr_assert(pr_builtin_file(e->d_name, &src),
                  "%s is in the snapshot but not built in: list it in registry/meson.build",
                  e->d_name);
        cr_assert_eq(src.len, len, "%s", e->d_name);
        cr_assert_eq(memcmp(src.bytes, bytes, len), 0, "%s", e->d_name);
        char want[300];
        snprintf(want, sizeof want, "(built-in)/%s", e->d_name);
        cr_assert_str_eq(src.name, want);
        free(bytes);
        files++;
    }
    closedir(d);
    cr_assert_geq(files, 3, "the two tables and the date at least");
    pr_source none;
    cr_assert_not(pr_builtin_file("no-such-file", &none));
    cr_assert_not(pr_builtin_file("", &none));
}

Test(builtin, loads_as_the_snapshot_directory_does)
{
    pr_registry *a = builtin();
    pr_error err;
    pr_registry *b = pr_registry_load_dir(PR_SNAPSHOT_DIR, &err);
    cr_assert_not_null(b, "%s", format_error(&err));
    cr_assert_str_eq(b->source, PR_SNAPSHOT_DIR, "a directory's source is the directory");
    cr_assert_eq(a->record_count, b->record_count);
    cr_assert_eq(a->contact_count, b->contact_count);
    cr_assert_eq(pr_date_cmp(a->updated, b->updated), 0);
    for (int i = 0; i < 2; i++) {
        cr_assert_eq(a->sources[i].bytes, b->sources[i].bytes);
        cr_assert_eq(memcmp(a->sources[i].sha256, b->sources[i].sha256, PR_SHA256_LEN), 0);
    }
    for (uint32_t i = 0; i < a->record_count; i++) {
        cr_assert_str_eq(a->records[i].service, b->records[i].service);
        cr_assert_str_eq(a->records[i].description, b->records[i].description);
        cr_assert_eq(a->records[i].port_first, b->records[i].port_first);
    }
    pr_registry_free(a);
    pr_registry_free(b);
}

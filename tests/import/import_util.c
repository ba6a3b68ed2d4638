/* import_util.c: see import_util.h. */
#include "import_util.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sha256.h"
#include "util.h"

void scratch_dir(char *buf, size_t size)
{
    int n = snprintf(buf, size, "%s/scratch-XXXXXX", PR_TEST_TMP);
    cr_assert(n > 0 && (size_t)n < size);
    cr_assert_not_null(mkdtemp(buf), "mkdtemp %s", buf);
}

static int remove_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(path);
}

void remove_tree(const char *path)
{
    nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

void write_file(const char *path, const void *bytes, size_t len)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "cannot create %s", path);
    cr_assert_eq(fwrite(bytes, 1, len, f), len);
    cr_assert_eq(fclose(f), 0);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char *dir_snapshot(const char *dir)
{
    DIR *d = opendir(dir);
    cr_assert_not_null(d, "cannot open %s", dir);
    char *names[256];
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        cr_assert_lt(n, 256);
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, by_name);
    size_t cap = 256 * (n + 1), used = 0;
    char *out = malloc(cap);
    cr_assert_not_null(out);
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        char path[4096], hex[2 * PR_SHA256_LEN + 1] = "-";
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        struct stat sb;
        cr_assert_eq(lstat(path, &sb), 0);
        if (S_ISREG(sb.st_mode)) {
            size_t len;
            unsigned char *bytes = read_whole_file(path, &len);
            cr_assert_not_null(bytes);
            unsigned char digest[PR_SHA256_LEN];
            pr_sha256(bytes, len, digest);
            pr_hex(digest, PR_SHA256_LEN, hex);
            free(bytes);
        }
        used += (size_t)snprintf(out + used, cap - used, "%s %o %lld %s\n", names[i],
                                 (unsigned)sb.st_mode, (long long)sb.st_size, hex);
        free(names[i]);
    }
    return out;
}

static void count_warning(void *ctx, const pr_error *w)
{
    (void)w;
    (*(unsigned *)ctx)++;
}

int import_into(const char *xml, const char *csv, const char *out, pr_import_result *res,
                pr_error *err, unsigned *warnings)
{
    unsigned ignored = 0;
    pr_import_options opt = {.xml_path = xml,
                             .csv_path = csv,
                             .out_dir = out,
                             .warn = count_warning,
                             .warn_ctx = warnings ? warnings : &ignored};
    pr_error_clear(err);
    return pr_import_run(&opt, res, err);
}

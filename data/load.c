/* load.c: a registry from its files, in memory or in a directory, all or
 * nothing (see registry.h). */
#include "build.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "header.h"
#include "plan.h"
#include "updated.h"

pr_registry *pr_registry_load_sources(const pr_source *records, const pr_source *contacts,
                                      pr_error *err)
{
    return pr_registry_load_dated(records, contacts, NULL, err);
}

pr_registry *pr_registry_load_dated(const pr_source *records, const pr_source *contacts,
                                    const pr_source *updated, pr_error *err)
{
    pr_registry_files files = {records, contacts, updated, NULL, NULL};
    return pr_registry_load_files(&files, err);
}

/* The records file's rows as it has them, for answers in its own format;
 * none when its rows cannot be told apart (csv_table.h). False when out of
 * memory. */
static bool keep_csv(builder *b, pr_registry *reg)
{
    storage *st = b->st;
    if (!b->raw.shared_lines && b->raw.header && !st->csv_start) { /* a header and no rows */
        st->csv_start = calloc(1, sizeof *st->csv_start);
        st->csv_text = calloc(1, 1);
        if (!st->csv_start || !st->csv_text)
            return false;
    }
    if (b->raw.shared_lines || !b->raw.header) {
        free(st->csv_text);
        free(st->csv_start);
        st->csv_text = NULL;
        st->csv_start = NULL;
        return true;
    }
    st->csv_header = malloc(b->raw.header_len + 1);
    if (!st->csv_header)
        return false;
    memcpy(st->csv_header, b->raw.header, b->raw.header_len);
    st->csv_header[b->raw.header_len] = '\0';
    reg->csv_text = st->csv_text;
    reg->csv_start = st->csv_start;
    reg->csv_header = st->csv_header;
    reg->csv_header_len = b->raw.header_len;
    return true;
}

pr_registry *pr_registry_load_files(const pr_registry_files *files, pr_error *err)
{
    const pr_source *records = files->records, *contacts = files->contacts,
                    *updated = files->updated;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pr_date registry_date = {0};
    /* the small files first: a bad date fails before the tables are parsed */
    if (updated && !pr_updated_parse(updated, &registry_date, err))
        return NULL;
    pr_header *header = files->header ? pr_header_load(files->header, err) : NULL;
    if (files->header && !header)
        return NULL;
    pr_registry *reg = calloc(1, sizeof *reg);
    storage *st = calloc(1, sizeof *st);
    builder b = {.st = st, .records_name = records->name, .contacts_name = contacts->name};
    if (!reg || !st) {
        pr_error_set(err, NULL, 0, NULL, "out of memory");
        goto fail;
    }
    st->header = header;
    reg->header = header;
    reg->_storage = st;
    if (pr_csv_read_raw(records, prd_record_columns, REC_COLS, prd_on_record_row, &b, &b.raw, err) <
        0)
        goto fail;
    if (!keep_csv(&b, reg)) {
        pr_error_set(err, records->name, 0, NULL, "out of memory");
        goto fail;
    }
    if (pr_csv_read(contacts, prd_contact_columns, CONTACT_COLS, prd_on_contact_row, &b, err) < 0)
        goto fail;
    reg->contact_count = b.person_count;
    b.local_first = b.record_count;
    if (files->plan && prd_read_plan(&b, files->plan, err) != 0)
        goto fail;
    if (prd_link_people(&b, err) != 0 || prd_build_name_index(&b, reg, err) != 0 ||
        prd_build_port_index(&b, reg, err) != 0 || prd_build_search_text(&b, reg, err) != 0 ||
        prd_build_people_text(&b, reg, err) != 0 || prd_build_trigrams(&b, reg, err) != 0 ||
        prd_build_change_index(&b, reg, err) != 0)
        goto fail;
    reg->local_first = b.local_first;
    if (files->plan) {
        if (prd_finish_plan(&b, reg, err) != 0)
            goto fail;
        snprintf(reg->plan_source.name, sizeof reg->plan_source.name, "%s", files->plan->name);
        reg->plan_source.bytes = files->plan->len;
        pr_sha256(files->plan->bytes, files->plan->len, reg->plan_source.sha256);
    }
    free(b.cites);
    b.cites = NULL;

    reg->records = st->records;
    reg->record_count = b.record_count;
    reg->people = st->people;
    reg->person_count = b.person_count;
    reg->person_refs = st->person_refs;
    reg->references = st->references;
    reg->person_records = st->person_records;
    reg->warnings = st->warnings;
    reg->warning_count = b.warning_count;
    reg->newest = b.newest;
    reg->updated = updated ? registry_date : b.newest;
    reg->updated_given = updated != NULL;
    const pr_source *src[2] = {records, contacts};
    for (int i = 0; i < 2; i++) {
        snprintf(reg->sources[i].name, sizeof reg->sources[i].name, "%s", src[i]->name);
        reg->sources[i].bytes = src[i]->len;
        pr_sha256(src[i]->bytes, src[i]->len, reg->sources[i].sha256);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    reg->load_seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    return reg;
fail:
    free(b.cites);
    if (!st)
        pr_header_free(header);
    prd_storage_free(st);
    free(reg);
    return NULL;
}

unsigned char *pr_read_file(const char *path, size_t max, size_t *len, pr_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        pr_error_set(err, path, 0, NULL, "cannot open: %s", strerror(errno));
        return NULL;
    }
    struct stat sb;
    if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
        pr_error_set(err, path, 0, NULL, "not a regular file");
        fclose(f);
        return NULL;
    }
    if ((unsigned long long)sb.st_size > max) {
        pr_error_set(err, path, 0, NULL, "file is %lld bytes, over the limit of %zu",
                     (long long)sb.st_size, max);
        fclose(f);
        return NULL;
    }
    size_t size = (size_t)sb.st_size;
    unsigned char *buf = malloc(size + 1);
    if (!buf) {
        pr_error_set(err, path, 0, NULL, "out of memory");
        fclose(f);
        return NULL;
    }
    size_t got = fread(buf, 1, size, f);
    if (got != size || ferror(f)) {
        pr_error_set(err, path, 0, NULL, "read error: %s",
                     ferror(f) ? strerror(errno) : "short read");
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    buf[size] = '\0';
    *len = size;
    return buf;
}

/* Reads DIR/name into *buf, or leaves it NULL when the file is optional and
 * absent. False with *err set on any other failure. */
static bool read_data_file(const char *dir, const char *name, size_t max, bool optional, char *path,
                           size_t path_size, unsigned char **buf, size_t *len, pr_error *err)
{
    *buf = NULL;
    *len = 0;
    int n = snprintf(path, path_size, "%s/%s", dir, name);
    if (n < 0 || (size_t)n >= path_size) {
        pr_error_set(err, NULL, 0, NULL, "data directory path is too long");
        return false;
    }
    struct stat sb;
    if (optional && stat(path, &sb) != 0 && errno == ENOENT)
        return true;
    *buf = pr_read_file(path, max, len, err);
    return *buf != NULL;
}

pr_registry *pr_registry_load_files_plan(const pr_registry_files *files, const char *plan_path,
                                         pr_error *err)
{
    if (!plan_path)
        return pr_registry_load_files(files, err);
    size_t len;
    unsigned char *buf = pr_read_file(plan_path, PR_PLAN_MAX_BYTES, &len, err);
    if (!buf)
        return NULL;
    pr_source plan = {plan_path, buf, len};
    pr_registry_files with = *files;
    with.plan = &plan;
    pr_registry *reg = pr_registry_load_files(&with, err);
    free(buf);
    return reg;
}

pr_registry *pr_registry_load_dir(const char *dir, pr_error *err)
{
    return pr_registry_load_dir_plan(dir, NULL, err);
}

pr_registry *pr_registry_load_dir_plan(const char *dir, const char *plan_path, pr_error *err)
{
    enum { RECORDS, CONTACTS, UPDATED, HEADER, PLAN, FILES };
    static const struct {
        const char *name;
        size_t max;
        bool optional;
    } wanted[FILES] = {
        [RECORDS] = {PR_RECORDS_FILE, PR_MAX_FILE_BYTES, false},
        [CONTACTS] = {PR_CONTACTS_FILE, PR_MAX_FILE_BYTES, false},
        [UPDATED] = {PR_UPDATED_FILE, PR_UPDATED_MAX_BYTES, true},
        [HEADER] = {PR_HEADER_FILE, PR_HEADER_MAX_BYTES, true},
        [PLAN] = {PR_PLAN_FILE, PR_PLAN_MAX_BYTES, true},
    };
    char paths[FILES][4096];
    unsigned char *bufs[FILES] = {NULL};
    pr_source src[FILES];
    pr_registry *reg = NULL;
    for (int i = 0; i < FILES; i++) {
        size_t len;
        src[i] = (pr_source){paths[i], NULL, 0};
        if (i == PLAN && plan_path) {
            /* a plan named apart replaces the directory's */
            snprintf(paths[i], sizeof paths[i], "%s", plan_path);
            if (!(bufs[i] = pr_read_file(plan_path, wanted[i].max, &len, err)))
                goto done;
            src[i] = (pr_source){paths[i], bufs[i], len};
            continue;
        }
        if (!read_data_file(dir, wanted[i].name, wanted[i].max, wanted[i].optional, paths[i],
                            sizeof paths[i], &bufs[i], &len, err))
            goto done;
        src[i] = (pr_source){paths[i], bufs[i], len};
    }
    pr_registry_files files = {&src[RECORDS], &src[CONTACTS], bufs[UPDATED] ? &src[UPDATED] : NULL,
                               bufs[HEADER] ? &src[HEADER] : NULL, bufs[PLAN] ? &src[PLAN] : NULL};
    reg = pr_registry_load_files(&files, err);
    if (reg)
        snprintf(reg->source, sizeof reg->source, "%s", dir);
done:
    for (int i = 0; i < FILES; i++)
        free(bufs[i]);
    return reg;
}

void pr_registry_free(pr_registry *reg)
{
    if (!reg)
        return;
    prd_storage_free(reg->_storage);
    free(reg);
}

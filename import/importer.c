/* importer.c: XML to a checked data directory (see importer.h). */
#include "importer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "csv_writer.h"
#include "header.h"
#include "iana_xml.h"
#include "replace.h"
#include "updated.h"

/* One table made from the XML, with where each of its cells came from. */
typedef struct table {
    pr_csv_writer csv;
    const char *const *columns;
    size_t ncols;
    /* per data row: ncols cell lines, then the row element's own line */
    uint32_t *xml_lines;
    size_t lines_cap;
} table;

typedef struct importer {
    const pr_import_options *opt;
    table records, contacts, header;
} importer;

static uint32_t clamp_line(unsigned long line)
{
    return line > UINT32_MAX ? UINT32_MAX : (uint32_t)line;
}

/* Starts the table with its header row; false when memory runs out. */
static bool table_init(table *t, const char *const *columns, size_t ncols)
{
    memset(t, 0, sizeof *t);
    pr_csv_writer_init(&t->csv, PR_MAX_FILE_BYTES);
    t->columns = columns;
    t->ncols = ncols;
    size_t lens[PR_IANA_RECORD_COLS];
    for (size_t i = 0; i < ncols; i++)
        lens[i] = strlen(columns[i]);
    return pr_csv_writer_row(&t->csv, columns, lens, ncols);
}

static void table_free(table *t)
{
    pr_csv_writer_free(&t->csv);
    free(t->xml_lines);
}

static int table_row(table *t, const char *xml_path, const pr_iana_cell *cells, unsigned long line,
                     pr_error *err)
{
    const char *texts[PR_IANA_RECORD_COLS];
    size_t lens[PR_IANA_RECORD_COLS];
    for (size_t i = 0; i < t->ncols; i++) {
        texts[i] = cells[i].text;
        lens[i] = cells[i].len;
    }
    size_t row = t->csv.rows, per = t->ncols + 1;
    if ((row + 1) * per > t->lines_cap) {
        size_t cap = t->lines_cap ? t->lines_cap * 2 : 1024 * per;
        uint32_t *grown = realloc(t->xml_lines, cap * sizeof *grown);
        if (!grown) {
            pr_error_set(err, xml_path, line, NULL, "out of memory");
            return -1;
        }
        t->xml_lines = grown;
        t->lines_cap = cap;
    }
    if (!pr_csv_writer_row(&t->csv, texts, lens, t->ncols)) {
        if (t->csv.out.overflow)
            pr_error_set(err, xml_path, line, NULL, "the %s table would be over %u bytes",
                         t->ncols == PR_IANA_RECORD_COLS    ? "records"
                         : t->ncols == PR_IANA_CONTACT_COLS ? "contacts"
                                                            : "header",
                         PR_MAX_FILE_BYTES);
        else
            pr_error_set(err, xml_path, line, NULL, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < t->ncols; i++)
        t->xml_lines[row * per + i] = clamp_line(cells[i].line);
    t->xml_lines[row * per + t->ncols] = clamp_line(line);
    return 0;
}

static int on_record(void *ctx, const pr_iana_cell *cells, unsigned long line, pr_error *err)
{
    importer *im = ctx;
    return table_row(&im->records, im->opt->xml_path, cells, line, err);
}

static int on_person(void *ctx, const pr_iana_cell *cells, unsigned long line, pr_error *err)
{
    importer *im = ctx;
    return table_row(&im->contacts, im->opt->xml_path, cells, line, err);
}

static int on_header(void *ctx, const pr_iana_cell *cells, unsigned long line, pr_error *err)
{
    importer *im = ctx;
    return table_row(&im->header, im->opt->xml_path, cells, line, err);
}

/* The XML line of what CSV line `csv_line` of the table holds: the cell of
 * column `field` when it names one, else the row's element. 0 if unknown. */
static unsigned long xml_line_of(const table *t, unsigned long csv_line, const char *field)
{
    long row = pr_csv_writer_row_at(&t->csv, csv_line);
    if (row < 0)
        return 0;
    const uint32_t *lines = t->xml_lines + (size_t)row * (t->ncols + 1);
    for (size_t i = 0; i < t->ncols; i++)
        if (field && !strcmp(field, t->columns[i]))
            return lines[i];
    return lines[t->ncols];
}

/* Names used for the tables while they are checked: only seen in an error
 * that relocate() then points at the XML. */
#define RECORDS_FROM_XML  "(records from the XML)"
#define CONTACTS_FROM_XML "(contacts from the XML)"
#define HEADER_FROM_XML   "(header from the XML)"

/* Points an error or warning about a table made from the XML at the XML. */
static void relocate(const importer *im, pr_error *e)
{
    const table *t = !strcmp(e->file, RECORDS_FROM_XML)    ? &im->records
                     : !strcmp(e->file, CONTACTS_FROM_XML) ? &im->contacts
                     : !strcmp(e->file, HEADER_FROM_XML)   ? &im->header
                                                           : NULL;
    if (!t)
        return;
    e->line = xml_line_of(t, e->line, e->field);
    snprintf(e->file, sizeof e->file, "%s", im->opt->xml_path);
    /* the loader cites a duplicate's first row by its CSV line as well */
    static const char first[] = "(first on line ";
    char *at = strstr(e->text, first);
    unsigned long csv_line;
    if (at && sscanf(at + sizeof first - 1, "%lu", &csv_line) == 1) {
        unsigned long xml_line = xml_line_of(t, csv_line, NULL);
        snprintf(at, sizeof e->text - (size_t)(at - e->text), "(first on line %lu)", xml_line);
    }
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

int pr_import_run(const pr_import_options *opt, pr_import_result *res, pr_error *err)
{
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    memset(res, 0, sizeof *res);
    importer im = {.opt = opt};
    unsigned char *csv_bytes = NULL;
    size_t csv_len = 0;
    pr_registry *reg = NULL;
    int rc = -1;
    bool started = table_init(&im.records, pr_iana_record_columns, PR_IANA_RECORD_COLS);
    started = table_init(&im.contacts, pr_iana_contact_columns, PR_IANA_CONTACT_COLS) && started;
    started = table_init(&im.header, pr_iana_header_columns, PR_IANA_HEADER_COLS) && started;
    if (!started) {
        pr_error_set(err, NULL, 0, NULL, "out of memory");
        goto done;
    }

    /* IANA's CSV as published, when given: read first, so that a missing
     * one fails before the XML is parsed */
    if (opt->csv_path) {
        csv_bytes = pr_read_file(opt->csv_path, PR_MAX_FILE_BYTES, &csv_len, err);
        if (!csv_bytes)
            goto done;
    }
    pr_iana_sink sink = {&im, opt->csv_path ? NULL : on_record, on_person, on_header};
    pr_iana_summary sum;
    if (pr_iana_xml_read(opt->xml_path, &sink, &sum, err) != 0)
        goto done;

    char date[12];
    int date_len = pr_updated_format(sum.updated, date);
    pr_source records =
        opt->csv_path
            ? (pr_source){opt->csv_path, csv_bytes, csv_len}
            : (pr_source){RECORDS_FROM_XML, (const unsigned char *)pr_text_str(&im.records.csv.out),
                          im.records.csv.out.len};
    pr_source contacts = {CONTACTS_FROM_XML,
                          (const unsigned char *)pr_text_str(&im.contacts.csv.out),
                          im.contacts.csv.out.len};
    pr_source updated = {PR_UPDATED_FILE, (const unsigned char *)date, (size_t)date_len};
    pr_source header = {HEADER_FROM_XML, (const unsigned char *)pr_text_str(&im.header.csv.out),
                        im.header.csv.out.len};

    /* the server's own loader decides whether the new data is good */
    pr_registry_files loaded = {&records, &contacts, &updated, &header, NULL};
    reg = pr_registry_load_files(&loaded, err);
    if (!reg) {
        relocate(&im, err);
        goto done;
    }
    for (uint32_t i = 0; i < reg->warning_count; i++) {
        pr_error w = reg->warnings[i];
        relocate(&im, &w);
        if (opt->warn)
            opt->warn(opt->warn_ctx, &w);
    }
    /* IANA publishes the two files together; a count that differs means
     * they were fetched from different publications */
    if (opt->csv_path && reg->record_count != sum.records) {
        pr_error w;
        pr_error_set(&w, opt->csv_path, 0, NULL,
                     "has %u records, the XML %u: are they from the same publication?",
                     reg->record_count, sum.records);
        res->warnings++;
        if (opt->warn)
            opt->warn(opt->warn_ctx, &w);
    }
    res->records = reg->record_count;
    res->contacts = reg->contact_count;
    res->warnings += reg->warning_count;
    res->updated = reg->updated;
    res->records_bytes = records.len;
    res->contacts_bytes = contacts.len;

    /* contacts first: records that cite new IDs never go in ahead of them */
    const pr_new_file files[] = {
        {PR_CONTACTS_FILE, contacts.bytes, contacts.len},
        {PR_RECORDS_FILE, records.bytes, records.len},
        {PR_UPDATED_FILE, updated.bytes, updated.len},
        {PR_HEADER_FILE, header.bytes, header.len},
    };
    if (pr_replace_files(opt->out_dir, files, sizeof files / sizeof *files, err) != 0)
        goto done;
    rc = 0;
done:
    pr_registry_free(reg);
    free(csv_bytes);
    table_free(&im.records);
    table_free(&im.contacts);
    table_free(&im.header);
    res->seconds = seconds_since(&t0);
    return rc;
}

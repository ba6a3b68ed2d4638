/* build.h: what the files that build a registry share, and nothing else
 * includes: the storage a registry owns, the builder a load threads through
 * its steps, and the steps themselves. Names are prd_ (data-private).
 *
 * A load runs in one thread, in this order: the CSV rows (rows.c), the
 * people linked to the records (people.c), the indexes (index.c); load.c
 * drives it. Every step returns 0, or -1 with *err filled (file, line,
 * field), after which the builder's storage is freed whole by
 * prd_storage_free(): a step never frees what an earlier one made.
 *
 * Ownership: a storage owns every allocation behind one registry; strings
 * and small pointer arrays live in its chunks, which never move, so pointers
 * into them stay valid while the storage grows. */
#ifndef PR_DATA_BUILD_H
#define PR_DATA_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "csv_table.h"
#include "error.h"
#include "registry.h"

typedef struct chunk {
    struct chunk *next;
    size_t used, size;
    char data[];
} chunk;

typedef struct storage {
    chunk *chunks; /* strings; chunks never move, so pointers stay valid */
    pr_record *records;
    pr_person *people;
    pr_service_name *names;
    uint32_t *person_refs;
    const char **references;
    uint32_t *person_records;
    uint32_t *name_records;
    uint32_t *port_start;
    uint32_t *port_records;
    uint8_t *port_status;
    char *search_text;
    uint32_t *search_start;
    char *people_text;
    uint32_t *people_start;
    void *trigram_arrays[3]; /* the records' trigram index: slots, start, items */
    uint32_t *changes;
    pr_error *warnings;
    pr_header *header;
    pr_owner *owners;
    uint32_t *owner_records;
    uint8_t *local_marks;
    char *csv_text; /* the records' rows as in the file (pr_registry.csv_text) */
    uint32_t *csv_start;
    char *csv_header;
} storage;

enum rec_col {
    COL_SERVICE,
    COL_PORT,
    COL_PROTO,
    COL_DESCRIPTION,
    COL_ASSIGNEE,
    COL_CONTACT,
    COL_REGISTERED,
    COL_MODIFIED,
    COL_REFERENCE,
    COL_SERVICE_CODE,
    COL_UNAUTHORIZED,
    COL_NOTES,
    REC_COLS
};

extern const char *const prd_record_columns[REC_COLS];

enum contact_col { CCOL_ID, CCOL_NAME, CCOL_ORG, CCOL_URI, CCOL_UPDATED, CONTACT_COLS };

extern const char *const prd_contact_columns[CONTACT_COLS];

/* An ID cited by a record, before people are known: where, and in which cell. */
typedef struct citation {
    const char *id;
    uint32_t record;
    uint32_t line;
    uint8_t as_contact; /* 0: Assignee column, 1: Contact column */
} citation;

typedef struct builder {
    storage *st;
    const char *records_name;
    const char *contacts_name;
    size_t record_cap, people_cap, ref_cap, cite_cap, warn_cap;
    uint32_t record_count, person_count, ref_count, cite_count, warning_count;
    citation *cites;
    pr_date newest;
    const char *plan_name; /* NULL: no plan */
    uint32_t local_first;  /* the first record of the plan */
    uint32_t plan_rows;
    uint32_t plan_warnings;
    pr_csv_raw raw; /* the records file's row being read, as it is there */
    size_t csv_len, csv_cap, csv_start_cap;
} builder;

/* ---- storage (store.c) ---- */

void prd_storage_free(storage *st);
/* Copies text[0..len) into the chunks, NUL-terminated; "" for len 0; NULL
 * when out of memory. */
const char *prd_store_string(storage *st, const char *text, size_t len);
/* Room for n pointers in the chunks; NULL when out of memory. */
const char **prd_store_pointers(storage *st, size_t n);
/* Grows *array (of elem-sized items) so that it holds at least need items. */
bool prd_reserve(void **array, size_t *cap, size_t need, size_t elem);

/* ---- text (types.c) ---- */

int prd_ascii_lower(int c);
/* Case-insensitive (ASCII) comparison of a NUL-terminated name with text[0..len). */
int prd_name_cmp(const char *name, const char *text, size_t len);

/* ---- the steps of a load ---- */

/* Fills *err with "out of memory" at file:line; returns -1. */
int prd_out_of_memory(builder *b, const char *file, unsigned long line, pr_error *err);
/* pr_csv_read callbacks: one records row, one contacts row (rows.c). */
int prd_on_record_row(void *ctx, const pr_csv_field *f, unsigned long line, pr_error *err);
int prd_on_contact_row(void *ctx, const pr_csv_field *f, unsigned long line, pr_error *err);
/* Sorts people, rejects duplicate IDs, adds the IDs records cite but the
 * table lacks (a warning each), and links records and people (people.c). */
int prd_link_people(builder *b, pr_error *err);
/* The index of people sorted by ID: its position, or -1 (people.c). */
int prd_find_person_index(const pr_person *people, uint32_t count, const char *id, size_t len);
/* The indexes (index.c): names, ports and port statuses, search text. */
int prd_build_name_index(builder *b, pr_registry *reg, pr_error *err);
int prd_build_port_index(builder *b, pr_registry *reg, pr_error *err);
int prd_build_search_text(builder *b, pr_registry *reg, pr_error *err);
int prd_build_people_text(builder *b, pr_registry *reg, pr_error *err);
/* The trigram index of the records' search text (pr_trigram_index), once
 * the text is built (trigram.c). */
int prd_build_trigrams(builder *b, pr_registry *reg, pr_error *err);
/* The plan (plan.c): its rows appended as local records and checked against
 * one another (after IANA's rows, before the people and the indexes); then,
 * once the port index is built, its owners, marks and the warnings about
 * IANA's assignments. */
int prd_read_plan(builder *b, const pr_source *plan, pr_error *err);
int prd_finish_plan(builder *b, pr_registry *reg, pr_error *err);
/* Appends a warning at file:line, field; -1 when out of memory. */
int prd_add_warning(builder *b, const char *file, unsigned long line, const char *field,
                    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* The records by their last change, newest first (changes.c). */
int prd_build_change_index(builder *b, pr_registry *reg, pr_error *err);
/* A record's last change, registered or modified, as YYYYMMDD with a
 * missing month or day taken as 1; 0 when it has neither date. */
uint32_t prd_change_key(const pr_record *r);

#endif

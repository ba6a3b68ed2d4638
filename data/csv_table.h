/* csv_table.h: reads one CSV table (RFC 4180, as IANA writes it) row by row.
 *
 * Streams the bytes through libcsv, so quoted fields may hold commas, quotes
 * and line breaks; lines may end in CRLF or LF; a leading UTF-8 byte order
 * mark is skipped. The first row is the header: columns are found by name, so
 * their order in the file does not matter, but each expected name must be
 * there exactly once and no other column may be.
 *
 * Every field is checked before the row callback sees it: valid UTF-8, at
 * most PR_MAX_FIELD_BYTES long, and the row has exactly the header's number of
 * fields. The first problem stops the read and fills *err with the file, the
 * line the offending field starts on, and the column's name.
 *
 * Memory: field texts handed to the callback live only until it returns
 * (copy what you keep). Nothing is retained after pr_csv_read() returns.
 * Reentrant: distinct calls may run in different threads. */
#ifndef PR_CSV_TABLE_H
#define PR_CSV_TABLE_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "registry.h"

typedef struct pr_csv_field {
    const char *text; /* NUL-terminated, may contain newlines */
    size_t len;
    unsigned long line; /* line the field starts on */
} pr_csv_field;

/* Called once per data row with fields[i] holding column columns[i] of
 * pr_csv_read(). Return 0 to go on, or -1 after filling *err to stop. */
typedef int (*pr_csv_row_fn)(void *ctx, const pr_csv_field *fields, unsigned long line,
                             pr_error *err);

/* Returns the number of data rows read, or -1 with *err filled. */
long pr_csv_read(const pr_source *src, const char *const *columns, size_t ncols,
                 pr_csv_row_fn on_row, void *ctx, pr_error *err);

/* The bytes of the file a row was read from, exactly as they are there
 * (quotes, line breaks inside fields and the row's own line ending
 * included; the byte order mark and blank lines between rows excluded),
 * for a caller that hands rows on as it found them. Spans point into the
 * source's buffer. */
typedef struct pr_csv_raw {
    const char *header; /* the header row: set once it is read */
    size_t header_len;
    const char *row; /* the row being handed to the callback */
    size_t row_len;
    /* Rows that share a line (a row ended by a bare CR, which libcsv
     * accepts) cannot be told apart: once set, the spans of this read
     * are not to be trusted, including those already handed out. */
    bool shared_lines;
} pr_csv_raw;

/* As pr_csv_read, filling *raw before each call of on_row. */
long pr_csv_read_raw(const pr_source *src, const char *const *columns, size_t ncols,
                     pr_csv_row_fn on_row, void *ctx, pr_csv_raw *raw, pr_error *err);

/* True when buf[0..len) is well-formed UTF-8 (no overlongs, no surrogates,
 * nothing above U+10FFFF). On false, *bad_at receives the offending offset. */
bool pr_utf8_valid(const char *buf, size_t len, size_t *bad_at);

/* The length of the longest prefix of buf[0..len) that does not end inside a
 * character: len itself, or less when the last bytes begin a sequence that
 * len cuts short. A cut of valid UTF-8 at this length stays valid UTF-8. */
size_t pr_utf8_cut(const char *buf, size_t len);

#endif

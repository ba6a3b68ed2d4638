/* csv_writer.h: writes a CSV table the way IANA writes its registry:
 * RFC 4180, every row ended by CRLF, a field quoted only when it holds a
 * comma, a double quote, CR or LF (its quotes doubled), line breaks inside
 * fields kept as they are.
 *
 * The table is built in memory, within a byte limit, and remembers which
 * line each row starts on, counted as the loader counts (by LF), so that a
 * problem the loader finds in row N can be traced back to its source.
 *
 * Memory: the writer owns its buffer and row index until
 * pr_csv_writer_free(). Not thread-safe: one owner. */
#ifndef PR_IMPORT_CSV_WRITER_H
#define PR_IMPORT_CSV_WRITER_H

#include <stdbool.h>
#include <stddef.h>

#include "text.h"

typedef struct pr_csv_writer {
    pr_text out;
    unsigned long line;       /* the line the next row starts on */
    unsigned long *row_lines; /* row_lines[i]: line data row i starts on */
    size_t rows, rows_cap;    /* data rows written (the header is not one) */
    bool header_done;
} pr_csv_writer;

void pr_csv_writer_init(pr_csv_writer *w, size_t max_bytes);

/* Writes one row of n fields; the first row written is the header. False,
 * with the table as it was, when it would pass max_bytes (w->out.overflow
 * is then set) or memory runs out. */
bool pr_csv_writer_row(pr_csv_writer *w, const char *const *fields, const size_t *lens, size_t n);

/* The data row that CSV line `line` belongs to, or -1 for the header or a
 * line past the table. */
long pr_csv_writer_row_at(const pr_csv_writer *w, unsigned long line);

void pr_csv_writer_free(pr_csv_writer *w);

#endif

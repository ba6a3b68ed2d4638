/* csv_writer.c: IANA-style CSV output (see csv_writer.h). */
#include "csv_writer.h"

#include <stdlib.h>
#include <string.h>

void pr_csv_writer_init(pr_csv_writer *w, size_t max_bytes)
{
    memset(w, 0, sizeof *w);
    w->out = pr_text_make(max_bytes);
    w->line = 1;
}

static bool needs_quotes(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n')
            return true;
    return false;
}

static bool put_field(pr_csv_writer *w, const char *s, size_t len, unsigned long *breaks)
{
    if (!needs_quotes(s, len))
        return pr_text_append(&w->out, s, len);
    if (!pr_text_append_char(&w->out, '"'))
        return false;
    for (size_t i = 0, run = 0; i <= len; i++) {
        if (i < len && s[i] == '\n')
            (*breaks)++;
        if (i == len || s[i] == '"') {
            /* the text up to here, then the quote doubled */
            size_t end = i + (i < len); /* include this quote once ... */
            if (!pr_text_append(&w->out, s + run, end - run))
                return false;
            if (i < len && !pr_text_append_char(&w->out, '"')) /* ... and once more */
                return false;
            run = i + 1;
        }
    }
    return pr_text_append_char(&w->out, '"');
}

bool pr_csv_writer_row(pr_csv_writer *w, const char *const *fields, const size_t *lens, size_t n)
{
    size_t mark = w->out.len;
    unsigned long breaks = 0;
    bool ok = true;
    for (size_t i = 0; ok && i < n; i++)
        ok = (i == 0 || pr_text_append_char(&w->out, ',')) &&
             put_field(w, fields[i], lens[i], &breaks);
    ok = ok && pr_text_append(&w->out, "\r\n", 2);
    if (ok && w->header_done && w->rows == w->rows_cap) {
        size_t cap = w->rows_cap ? w->rows_cap * 2 : 1024;
        unsigned long *grown = realloc(w->row_lines, cap * sizeof *grown);
        ok = grown != NULL;
        if (ok) {
            w->row_lines = grown;
            w->rows_cap = cap;
        }
    }
    if (!ok) {
        /* leave the table as it was: the row is all or nothing */
        w->out.len = mark;
        if (w->out.data)
            w->out.data[mark] = '\0';
        return false;
    }
    if (w->header_done)
        w->row_lines[w->rows++] = w->line;
    w->header_done = true;
    w->line += breaks + 1;
    return true;
}

long pr_csv_writer_row_at(const pr_csv_writer *w, unsigned long line)
{
    if (w->rows == 0 || line < w->row_lines[0] || line >= w->line)
        return -1;
    size_t lo = 0, hi = w->rows; /* the last row starting at or before line */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (w->row_lines[mid] <= line)
            lo = mid;
        else
            hi = mid;
    }
    return (long)lo;
}

void pr_csv_writer_free(pr_csv_writer *w)
{
    pr_text_free(&w->out);
    free(w->row_lines);
    memset(w, 0, sizeof *w);
}

/* csv_table.c: one CSV table through libcsv, with positions for errors. */
#include "csv_table.h"

#include <csv.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_COLUMNS 32

typedef struct reader {
    const pr_source *src;
    const char *const *columns;
    size_t ncols;
    pr_csv_row_fn on_row;
    void *ctx;
    pr_error *err;
    bool failed;

    bool header_done;
    size_t file_ncols;          /* columns in the file's header */
    int column_of[MAX_COLUMNS]; /* file column -> expected column */

    unsigned long line;     /* line being fed to libcsv */
    unsigned long row_line; /* line the current row starts on */
    unsigned long next_field_line;
    long rows;

    size_t nfields; /* fields of the current row so far */
    size_t field_off[MAX_COLUMNS];
    size_t field_len[MAX_COLUMNS];
    unsigned long field_line[MAX_COLUMNS];
    char *buf; /* the current row's fields, NUL-separated */
    size_t buf_len, buf_cap;

    pr_csv_raw *raw;            /* NULL: the caller wants no spans */
    const char *base;           /* the bytes after any byte order mark */
    size_t row_start, line_end; /* offsets: where the row began, the end of the line fed */
    unsigned rows_in_line;      /* rows ended in the line fed */
} reader;

static const char *column_name(const reader *r, size_t file_col)
{
    if (!r->header_done)
        return "header";
    if (file_col >= r->file_ncols)
        return "row";
    return r->columns[r->column_of[file_col]];
}

bool pr_utf8_valid(const char *buf, size_t len, size_t *bad_at)
{
    const unsigned char *s = (const unsigned char *)buf;
    size_t i = 0;
    while (i < len) {
        unsigned c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t need;
        unsigned min, cp;
        if (c >= 0xc2 && c <= 0xdf) {
            need = 1, min = 0x80, cp = c & 0x1f;
        } else if (c >= 0xe0 && c <= 0xef) {
            need = 2, min = 0x800, cp = c & 0x0f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            need = 3, min = 0x10000, cp = c & 0x07;
        } else {
            goto bad;
        }
        if (len - i <= need)
            goto bad;
        for (size_t k = 1; k <= need; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                goto bad;
            cp = cp << 6 | (s[i + k] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            goto bad;
        i += need + 1;
    }
    return true;
bad:
    if (bad_at)
        *bad_at = i;
    return false;
}

size_t pr_utf8_cut(const char *buf, size_t len)
{
    const unsigned char *s = (const unsigned char *)buf;
    /* a character is at most four bytes: look back over at most three
     * continuation bytes for the lead byte of the last one */
    size_t lead = len;
    for (size_t back = 0; back < 4 && lead > 0; back++) {
        lead--;
        if ((s[lead] & 0xc0) != 0x80)
            break;
    }
    if (lead == len || s[lead] < 0x80)
        return len;
    size_t need = s[lead] >= 0xf0 ? 4 : s[lead] >= 0xe0 ? 3 : s[lead] >= 0xc0 ? 2 : 1;
    return len - lead >= need ? len : lead;
}

__attribute__((format(printf, 4, 5))) static void fail(reader *r, unsigned long line,
                                                       const char *field, const char *fmt, ...)
{
    if (r->failed)
        return;
    r->failed = true;
    char text[sizeof r->err->text];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    pr_error_set(r->err, r->src->name, line, field, "%s", text);
}

/* The line the field being parsed starts on: its row's first line for the
 * first field, else the line the previous field ended on. */
static unsigned long current_field_line(const reader *r)
{
    return r->nfields ? r->next_field_line : r->row_line;
}

static void finish_header(reader *r)
{
    bool seen[MAX_COLUMNS] = {false};
    for (size_t f = 0; f < r->nfields; f++) {
        const char *name = r->buf + r->field_off[f];
        size_t c = 0;
        while (c < r->ncols && strcmp(r->columns[c], name) != 0)
            c++;
        char q[96];
        pr_error_quote(name, r->field_len[f], 40, q, sizeof q);
        if (c == r->ncols) {
            fail(r, r->row_line, "header", "unknown column %s (column %zu)", q, f + 1);
            return;
        }
        if (seen[c]) {
            fail(r, r->row_line, "header", "column %s appears twice (again as column %zu)", q,
                 f + 1);
            return;
        }
        seen[c] = true;
        r->column_of[f] = (int)c;
    }
    for (size_t c = 0; c < r->ncols; c++) {
        if (!seen[c]) {
            char q[96];
            pr_error_quote(r->columns[c], strlen(r->columns[c]), 40, q, sizeof q);
            fail(r, r->row_line, "header", "missing column %s", q);
            return;
        }
    }
    r->file_ncols = r->nfields;
    r->header_done = true;
}

static void on_field(void *data, size_t len, void *arg)
{
    reader *r = arg;
    if (r->failed)
        return;
    size_t idx = r->nfields;
    unsigned long start = idx == 0 ? r->row_line : r->next_field_line;
    size_t limit = r->header_done ? r->file_ncols : r->ncols;
    if (idx >= limit || idx >= MAX_COLUMNS) {
        if (r->header_done)
            fail(r, r->row_line, "row", "too many fields: more than the header's %zu", limit);
        else
            fail(r, r->row_line, "header", "too many columns: more than the %zu expected", limit);
        return;
    }
    if (len > PR_MAX_FIELD_BYTES) {
        fail(r, start, column_name(r, idx), "field is %zu bytes long, over the limit of %u", len,
             PR_MAX_FIELD_BYTES);
        return;
    }
    /* a NUL is valid UTF-8 but would silently cut the stored C string short */
    const char *nul = memchr(data, '\0', len);
    if (nul) {
        fail(r, start, column_name(r, idx), "NUL byte at byte %zu of the field",
             (size_t)(nul - (const char *)data) + 1);
        return;
    }
    size_t bad_at;
    if (!pr_utf8_valid(data, len, &bad_at)) {
        fail(r, start, column_name(r, idx), "invalid UTF-8 at byte %zu of the field", bad_at + 1);
        return;
    }
    if (r->buf_len + len + 1 > r->buf_cap) {
        size_t cap = r->buf_cap ? r->buf_cap : 4096;
        while (cap < r->buf_len + len + 1)
            cap *= 2;
        char *grown = realloc(r->buf, cap);
        if (!grown) {
            fail(r, start, column_name(r, idx), "out of memory");
            return;
        }
        r->buf = grown;
        r->buf_cap = cap;
    }
    memcpy(r->buf + r->buf_len, data, len);
    r->buf[r->buf_len + len] = '\0';
    r->field_off[idx] = r->buf_len;
    r->field_len[idx] = len;
    r->field_line[idx] = start;
    r->buf_len += len + 1;
    r->nfields++;
    r->next_field_line = r->line;
}

static void on_row_end(int term, void *arg)
{
    (void)term;
    reader *r = arg;
    if (r->failed)
        return;
    if (r->raw) {
        /* a row ends on the line it was fed with: its span runs to that
         * line's end, unless another row ended there before */
        if (r->rows_in_line++)
            r->raw->shared_lines = true;
        r->raw->row = r->base + r->row_start;
        r->raw->row_len = r->line_end - r->row_start;
        if (!r->header_done) {
            r->raw->header = r->raw->row;
            r->raw->header_len = r->raw->row_len;
        }
    }
    if (!r->header_done) {
        finish_header(r);
    } else if (r->nfields != r->file_ncols) {
        fail(r, r->row_line, "row", "has %zu fields, the header has %zu", r->nfields,
             r->file_ncols);
    } else {
        pr_csv_field fields[MAX_COLUMNS];
        for (size_t f = 0; f < r->nfields; f++) {
            int c = r->column_of[f];
            fields[c].text = r->buf + r->field_off[f];
            fields[c].len = r->field_len[f];
            fields[c].line = r->field_line[f];
        }
        r->rows++;
        if (r->on_row(r->ctx, fields, r->row_line, r->err) != 0)
            r->failed = true;
    }
    r->nfields = 0;
    r->buf_len = 0;
}

/* libcsv trims spaces and tabs around unquoted fields by default; IANA's
 * fields are taken exactly as written, so nothing counts as space. */
static int no_space(unsigned char c)
{
    (void)c;
    return 0;
}

long pr_csv_read(const pr_source *src, const char *const *columns, size_t ncols,
                 pr_csv_row_fn on_row, void *ctx, pr_error *err)
{
    return pr_csv_read_raw(src, columns, ncols, on_row, ctx, NULL, err);
}

long pr_csv_read_raw(const pr_source *src, const char *const *columns, size_t ncols,
                     pr_csv_row_fn on_row, void *ctx, pr_csv_raw *raw, pr_error *err)
{
    reader r = {.src = src,
                .columns = columns,
                .ncols = ncols,
                .on_row = on_row,
                .ctx = ctx,
                .err = err,
                .raw = raw};
    const unsigned char *p = src->bytes;
    size_t len = src->len;
    if (len >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)
        p += 3, len -= 3;
    r.base = (const char *)p;
    if (raw)
        *raw = (pr_csv_raw){0};
    if (len == 0) {
        pr_error_set(err, src->name, 0, NULL, "file is empty: expected a header row");
        return -1;
    }
    if (src->len > PR_MAX_FILE_BYTES) {
        pr_error_set(err, src->name, 0, NULL, "file is %zu bytes, over the limit of %u", src->len,
                     PR_MAX_FILE_BYTES);
        return -1;
    }
    struct csv_parser parser;
    if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
        pr_error_set(err, src->name, 0, NULL, "out of memory");
        return -1;
    }
    csv_set_space_func(&parser, no_space);

    /* Fed one physical line at a time so that every callback knows which line
     * it is on; libcsv itself keeps no positions. */
    size_t at = 0;
    r.line = 0;
    while (at < len && !r.failed) {
        const unsigned char *nl = memchr(p + at, '\n', len - at);
        size_t end = nl ? (size_t)(nl - p) + 1 : len;
        r.line++;
        /* libcsv's state 0 is "row not begun": a new record starts here. */
        if (r.nfields == 0 && parser.pstate == 0) {
            r.row_line = r.line;
            r.row_start = at;
        }
        r.line_end = end;
        r.rows_in_line = 0;
        size_t done = csv_parse(&parser, p + at, end - at, on_field, on_row_end, &r);
        if (!r.failed && done != end - at) {
            int code = csv_error(&parser);
            if (code == CSV_EPARSE)
                fail(&r, current_field_line(&r), column_name(&r, r.nfields),
                     "malformed quoting: a quote inside an unquoted field, or text after a "
                     "closing quote");
            else
                fail(&r, current_field_line(&r), column_name(&r, r.nfields), "%s",
                     csv_strerror(code));
        }
        /* a row begun on the line where another ended shares it too */
        if (raw && r.rows_in_line && (r.nfields || parser.pstate != 0))
            raw->shared_lines = true;
        at = end;
    }
    if (!r.failed && csv_fini(&parser, on_field, on_row_end, &r) != 0)
        fail(&r, current_field_line(&r), column_name(&r, r.nfields),
             "unterminated quoted field: the closing quote is missing");
    if (!r.failed && !r.header_done)
        fail(&r, 1, "header", "no header row");
    csv_free(&parser);
    free(r.buf);
    return r.failed ? -1 : r.rows;
}

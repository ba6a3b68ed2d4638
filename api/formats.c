/* formats.c: record lists as CSV and as a text table (see formats.h). */
#include "formats.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "listpage.h"
#include "render.h"

/* A growing body; a failed allocation is remembered, and ends in NULL. */
typedef struct out {
    pr_body *body;
    size_t cap;
    bool failed;
} out;

static void out_init(out *o, size_t expected)
{
    o->cap = expected ? expected : 256;
    o->body = malloc(sizeof *o->body + o->cap + 1);
    o->failed = o->body == NULL;
    if (o->body)
        o->body->len = 0;
}

static void put(out *o, const char *bytes, size_t len)
{
    if (o->failed)
        return;
    if (len > o->cap - o->body->len) {
        size_t cap = o->cap;
        while (len > cap - o->body->len) {
            if (cap > SIZE_MAX / 4) {
                o->failed = true;
                return;
            }
            cap *= 2;
        }
        pr_body *grown = realloc(o->body, sizeof *grown + cap + 1);
        if (!grown) {
            o->failed = true;
            return;
        }
        o->body = grown;
        o->cap = cap;
    }
    memcpy(o->body->data + o->body->len, bytes, len);
    o->body->len += len;
}

static pr_body *out_finish(out *o)
{
    if (o->failed) {
        free(o->body);
        return NULL;
    }
    o->body->data[o->body->len] = '\0';
    return pr_body_seal(o->body);
}

/* ---- CSV ---- */

static bool ends_line(const char *bytes, size_t len)
{
    return len && (bytes[len - 1] == '\n' || bytes[len - 1] == '\r');
}

static pr_body *csv_body(const pr_registry *reg, const uint32_t *idx, uint32_t n)
{
    /* a row the file did not end takes the header's line ending, or
     * RFC 4180's CRLF when the header has none either */
    const char *h = reg->csv_header;
    size_t hl = reg->csv_header_len;
    const char *eol = hl >= 2 && h[hl - 2] == '\r' && h[hl - 1] == '\n' ? "\r\n"
                      : hl && h[hl - 1] == '\n'                         ? "\n"
                                                                        : "\r\n";
    size_t expected = hl + 2;
    for (uint32_t i = 0; i < n; i++)
        expected += reg->csv_start[idx[i] + 1] - reg->csv_start[idx[i]] + 2;
    out o;
    out_init(&o, expected);
    put(&o, h, hl);
    if (!ends_line(h, hl))
        put(&o, eol, strlen(eol));
    for (uint32_t i = 0; i < n; i++) {
        const char *row = reg->csv_text + reg->csv_start[idx[i]];
        size_t len = reg->csv_start[idx[i] + 1] - reg->csv_start[idx[i]];
        put(&o, row, len);
        if (!ends_line(row, len))
            put(&o, eol, strlen(eol));
    }
    return out_finish(&o);
}

/* ---- text table ---- */

enum { COL_SERVICE, COL_PORT, COL_PROTOCOL, COL_STATUS, COL_ASSIGNEE, COL_DESCRIPTION, COLS };

static const char *const titles[COLS] = {"service", "port",     "protocol",
                                         "status",  "assignee", "description"};

/* A cell made safe for a terminal: every control character, C0 or C1
 * (U+0080-U+009F, 0xC2 0x80-0x9F in UTF-8), and DEL become a space; "" is
 * "-". Written into o when given; returns its width in characters. The
 * registry's text is valid UTF-8 (the loader checks), so counting the
 * bytes that do not continue a character counts characters. */
static size_t cell(out *o, const char *text, size_t len)
{
    if (len == 0) {
        if (o)
            put(o, "-", 1);
        return 1;
    }
    size_t width = 0, at = 0;
    while (at < len) {
        unsigned char c = (unsigned char)text[at];
        size_t run = at;
        /* copy a run of harmless bytes at once */
        while (run < len) {
            c = (unsigned char)text[run];
            if (c < 0x20 || c == 0x7f ||
                (c == 0xc2 && run + 1 < len && (unsigned char)text[run + 1] >= 0x80 &&
                 (unsigned char)text[run + 1] <= 0x9f))
                break;
            if ((c & 0xc0) != 0x80)
                width++;
            run++;
        }
        if (o)
            put(o, text + at, run - at);
        at = run;
        if (at < len) {
            if (o)
                put(o, " ", 1);
            width++;
            at += c == 0xc2 ? 2 : 1;
        }
    }
    return width;
}

/* A record's cells; assignee IDs joined with ", " into buf. */
static void record_cells(const pr_registry *reg, const pr_record *r, const char *cells[COLS],
                         size_t lens[COLS], char *buf, size_t buf_size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (uint32_t k = 0; k < r->assignees.count; k++) {
        const char *id = reg->people[reg->person_refs[r->assignees.first + k]].id;
        size_t id_len = strlen(id), sep = k ? 2 : 0;
        if (used + sep + id_len + 1 > buf_size)
            break; /* IDs are bounded; a cell of 64 of the longest would not fit: cut there */
        memcpy(buf + used, ", ", sep);
        memcpy(buf + used + sep, id, id_len);
        used += sep + id_len;
        buf[used] = '\0';
    }
    cells[COL_SERVICE] = r->service;
    cells[COL_PORT] = r->port_text;
    cells[COL_PROTOCOL] = pr_proto_name((enum pr_proto)r->proto);
    cells[COL_STATUS] = pr_status_name((enum pr_status)r->status);
    cells[COL_ASSIGNEE] = buf;
    cells[COL_DESCRIPTION] = r->description;
    for (int c = 0; c < COLS; c++)
        lens[c] = strlen(cells[c]);
}

static void pad(out *o, size_t n)
{
    static const char spaces[] = "                                ";
    while (n) {
        size_t k = n < sizeof spaces - 1 ? n : sizeof spaces - 1;
        put(o, spaces, k);
        n -= k;
    }
}

static void text_line(out *o, const char *const cells[COLS], const size_t lens[COLS],
                      const size_t widths[COLS])
{
    for (int c = 0; c < COLS; c++) {
        size_t w = cell(o, cells[c], lens[c]);
        if (c + 1 < COLS)
            pad(o, widths[c] - w + 2);
    }
    put(o, "\n", 1);
}

enum { ASSIGNEE_BYTES = PR_MAX_IDS_PER_CELL * (PR_MAX_ID_BYTES + 2) + 1 };

static pr_body *text_body(const pr_registry *reg, const uint32_t *idx, uint32_t n)
{
    char *buf = malloc(ASSIGNEE_BYTES);
    if (!buf)
        return NULL;
    const char *cells[COLS];
    size_t lens[COLS], widths[COLS];
    for (int c = 0; c < COLS; c++)
        widths[c] = strlen(titles[c]);
    size_t expected = 128;
    for (uint32_t i = 0; i < n; i++) {
        record_cells(reg, &reg->records[idx[i]], cells, lens, buf, ASSIGNEE_BYTES);
        for (int c = 0; c < COLS; c++) {
            size_t w = cell(NULL, cells[c], lens[c]);
            if (w > widths[c])
                widths[c] = w;
            expected += lens[c] + 2;
        }
    }
    out o;
    out_init(&o, expected + (size_t)n * 32);
    size_t title_lens[COLS];
    for (int c = 0; c < COLS; c++)
        title_lens[c] = strlen(titles[c]);
    text_line(&o, titles, title_lens, widths);
    for (uint32_t i = 0; i < n; i++) {
        record_cells(reg, &reg->records[idx[i]], cells, lens, buf, ASSIGNEE_BYTES);
        text_line(&o, cells, lens, widths);
    }
    free(buf);
    return out_finish(&o);
}

pr_body *pr_records_body(const pr_registry *reg, enum pr_format format, const uint32_t *idx,
                         uint32_t n)
{
    if (format == PR_FORMAT_CSV)
        return reg->csv_text ? csv_body(reg, idx, n) : NULL;
    if (format == PR_FORMAT_TEXT)
        return text_body(reg, idx, n);
    return NULL;
}

static pr_body *csv_page(const pr_list *list, const uint32_t *page, uint32_t count)
{
    return pr_records_body(list->records, PR_FORMAT_CSV, page, count);
}

static pr_body *text_page(const pr_list *list, const uint32_t *page, uint32_t count)
{
    return pr_records_body(list->records, PR_FORMAT_TEXT, page, count);
}

static const pr_list_format csv_list = {.media_type = PR_CSV_MEDIA_TYPE, .page_body = csv_page};
static const pr_list_format text_list = {.media_type = PR_TEXT_MEDIA_TYPE, .page_body = text_page};

const pr_list_format *pr_records_list_format(enum pr_format format)
{
    return format == PR_FORMAT_CSV ? &csv_list : format == PR_FORMAT_TEXT ? &text_list : NULL;
}

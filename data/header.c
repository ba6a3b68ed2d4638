/* header.c: the registry's own header table (see header.h). */
#include "header.h"

#include <stdalign.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "csv_table.h"

enum { HCOL_FIELD, HCOL_TITLE, HCOL_VALUE, HEADER_COLS };
static const char *const header_columns[HEADER_COLS] = {"Field", "Title", "Value"};

/* Bounds far above IANA's (one reference, three expert lines, two notes),
 * so that a hostile file fails with a message. */
#define MAX_ROWS 256

enum kind { K_TITLE, K_CATEGORY, K_REFERENCE, K_EXPERT, K_NOTE };
static const char *const kind_names[] = {"title", "category", "reference", "expert", "note"};

typedef struct row {
    enum kind kind;
    char *title; /* a note's title, "" for the others */
    char *value;
    unsigned long line;
} row;

typedef struct reader {
    const char *file;
    row rows[MAX_ROWS];
    uint32_t count;
    unsigned long seen[5]; /* line of the first title, category, expert */
} reader;

static char *copy(const char *text, size_t len)
{
    char *out = malloc(len + 1);
    if (out) {
        memcpy(out, text, len);
        out[len] = '\0';
    }
    return out;
}

static int on_row(void *ctx, const pr_csv_field *f, unsigned long line, pr_error *err)
{
    reader *rd = ctx;
    int kind = -1;
    for (int k = 0; k < 5; k++)
        if (f[HCOL_FIELD].len == strlen(kind_names[k]) &&
            !memcmp(f[HCOL_FIELD].text, kind_names[k], f[HCOL_FIELD].len))
            kind = k;
    if (kind < 0) {
        char q[96];
        pr_error_quote(f[HCOL_FIELD].text, f[HCOL_FIELD].len, 40, q, sizeof q);
        pr_error_set(err, rd->file, f[HCOL_FIELD].line, "Field",
                     "%s is not one of title, category, reference, expert, note", q);
        return -1;
    }
    if (kind != K_REFERENCE && kind != K_NOTE && rd->seen[kind]) {
        pr_error_set(err, rd->file, line, "Field", "a second %s (the first is on line %lu)",
                     kind_names[kind], rd->seen[kind]);
        return -1;
    }
    if (kind != K_NOTE && f[HCOL_TITLE].len) {
        pr_error_set(err, rd->file, f[HCOL_TITLE].line, "Title", "only a note has a title");
        return -1;
    }
    if (f[HCOL_VALUE].len == 0) {
        pr_error_set(err, rd->file, line, "Value", "the %s is empty", kind_names[kind]);
        return -1;
    }
    if (kind == K_REFERENCE && (memchr(f[HCOL_VALUE].text, '[', f[HCOL_VALUE].len) ||
                                memchr(f[HCOL_VALUE].text, ']', f[HCOL_VALUE].len) ||
                                memchr(f[HCOL_VALUE].text, '\n', f[HCOL_VALUE].len))) {
        pr_error_set(err, rd->file, f[HCOL_VALUE].line, "Value",
                     "a reference is one line without brackets, such as RFC6335");
        return -1;
    }
    if (kind == K_NOTE && !f[HCOL_TITLE].len) {
        for (uint32_t i = 0; i < rd->count; i++)
            if (rd->rows[i].kind == K_NOTE && !rd->rows[i].title[0]) {
                pr_error_set(err, rd->file, line, "Title",
                             "a second note without a title (the first is on line %lu)",
                             rd->rows[i].line);
                return -1;
            }
    }
    if (rd->count == MAX_ROWS) {
        pr_error_set(err, rd->file, line, NULL, "more than %d rows", MAX_ROWS);
        return -1;
    }
    row *r = &rd->rows[rd->count];
    r->kind = (enum kind)kind;
    r->line = line;
    r->title = copy(f[HCOL_TITLE].text, f[HCOL_TITLE].len);
    r->value = copy(f[HCOL_VALUE].text, f[HCOL_VALUE].len);
    if (!r->title || !r->value) {
        free(r->title);
        free(r->value);
        pr_error_set(err, rd->file, line, NULL, "out of memory");
        return -1;
    }
    rd->count++;
    if (!rd->seen[kind])
        rd->seen[kind] = line;
    return 0;
}

/* A bump allocator over the header's one allocation. */
typedef struct arena {
    char *at, *end;
} arena;

static void *take(arena *a, size_t bytes, size_t align)
{
    size_t pad = (align - ((uintptr_t)a->at % align)) % align;
    if ((size_t)(a->end - a->at) < pad + bytes)
        return NULL; /* the size was worked out beforehand: never */
    void *out = a->at + pad;
    a->at += pad + bytes;
    return out;
}

static const char *take_string(arena *a, const char *text, size_t len)
{
    char *out = take(a, len + 1, 1);
    if (out) {
        memcpy(out, text, len);
        out[len] = '\0';
    }
    return out ? out : "";
}

/* "PROTOCOLS: names": the label is letters, digits and '/', then ": ". */
static size_t label_length(const char *line, size_t len)
{
    size_t i = 0;
    while (i < len && ((line[i] >= 'A' && line[i] <= 'Z') || (line[i] >= 'a' && line[i] <= 'z') ||
                       (line[i] >= '0' && line[i] <= '9') || line[i] == '/'))
        i++;
    return i > 0 && i + 1 < len && line[i] == ':' && line[i + 1] == ' ' ? i : 0;
}

static void trim(const char **s, size_t *len)
{
    while (*len && (**s == ' ' || **s == '\t' || **s == '\r'))
        (*s)++, (*len)--;
    while (*len && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t' || (*s)[*len - 1] == '\r'))
        (*len)--;
}

/* Splits the experts text into entries by protocol, into experts[] (NULL:
 * only counts), joining an entry's lines in joined[] (as long as the text,
 * NULL when only counting); returns how many. */
static uint32_t split_experts(const char *text, pr_expert *experts, char *joined, arena *a)
{
    uint32_t n = 0;
    size_t len = strlen(text);
    size_t jlen = 0;
    const char *label = NULL;
    size_t label_len = 0;
    for (size_t at = 0; at <= len;) {
        const char *nl = memchr(text + at, '\n', len - at);
        size_t end = nl ? (size_t)(nl - text) : len;
        const char *line = text + at;
        size_t line_len = end - at;
        at = end + 1;
        trim(&line, &line_len);
        if (!line_len)
            continue;
        size_t l = label_length(line, line_len);
        if (l || n == 0) {
            if (n && experts && joined) {
                experts[n - 1].protocols = take_string(a, label, label_len);
                experts[n - 1].names = take_string(a, joined, jlen);
            }
            n++;
            label = line;
            label_len = l;
            jlen = 0;
            if (l) {
                line += l + 2;
                line_len -= l + 2;
                trim(&line, &line_len);
            }
        }
        if (joined) {
            if (jlen && line_len)
                joined[jlen++] = ' ';
            memcpy(joined + jlen, line, line_len);
            jlen += line_len;
        }
    }
    if (n && experts && joined) {
        experts[n - 1].protocols = take_string(a, label, label_len);
        experts[n - 1].names = take_string(a, joined, jlen);
    }
    return n;
}

/* The URI of a note that is one bracketed reference: "[https://...]". */
static bool only_reference(const char *text, const char **start, size_t *len)
{
    size_t n = strlen(text);
    if (n < 3 || text[0] != '[' || text[n - 1] != ']' || memchr(text + 1, '[', n - 2) ||
        memchr(text + 1, ']', n - 2))
        return false;
    *start = text + 1;
    *len = n - 2;
    return true;
}

pr_header *pr_header_load(const pr_source *src, pr_error *err)
{
    reader *rd = calloc(1, sizeof *rd);
    if (!rd) {
        pr_error_set(err, src->name, 0, NULL, "out of memory");
        return NULL;
    }
    rd->file = src->name;
    pr_header *h = NULL;
    char *joined = NULL; /* an expert entry's lines, joined */
    if (pr_csv_read(src, header_columns, HEADER_COLS, on_row, rd, err) < 0)
        goto done;
    /* one allocation: the struct, the arrays, then the strings (each at
     * most twice its source: the experts' names are copied once more) */
    uint32_t refs = 0, notes = 0;
    size_t strings = 0;
    const char *expert_text = "";
    for (uint32_t i = 0; i < rd->count; i++) {
        const row *r = &rd->rows[i];
        refs += r->kind == K_REFERENCE;
        notes += r->kind == K_NOTE && r->title[0];
        /* a value, its title, and what is cut from it (the experts' names
         * and labels, a note's URI), each with its NUL */
        strings += 4 * (strlen(r->title) + strlen(r->value) + 4);
        if (r->kind == K_EXPERT)
            expert_text = r->value;
    }
    uint32_t experts = split_experts(expert_text, NULL, NULL, NULL);
    size_t size = sizeof *h + refs * sizeof(char *) + experts * sizeof(pr_expert) +
                  notes * sizeof(pr_titled_note) + strings + 4 * alignof(max_align_t) + 16;
    h = calloc(1, size);
    joined = malloc(strlen(expert_text) + 1);
    if (!h || !joined) {
        free(h);
        h = NULL;
        pr_error_set(err, src->name, 0, NULL, "out of memory");
        goto done;
    }
    arena a = {(char *)(h + 1), (char *)h + size};
    const char **ref_list = take(&a, refs * sizeof(char *) + 1, alignof(char *));
    pr_expert *expert_list = take(&a, experts * sizeof(pr_expert) + 1, alignof(pr_expert));
    pr_titled_note *note_list =
        take(&a, notes * sizeof(pr_titled_note) + 1, alignof(pr_titled_note));
    h->title = h->category = h->expert_text = h->note = h->request_uri = "";
    for (uint32_t i = 0; i < rd->count; i++) {
        const row *r = &rd->rows[i];
        const char *v = take_string(&a, r->value, strlen(r->value));
        switch (r->kind) {
        case K_TITLE:
            h->title = v;
            break;
        case K_CATEGORY:
            h->category = v;
            break;
        case K_REFERENCE:
            ref_list[h->reference_count++] = v;
            break;
        case K_EXPERT:
            h->expert_text = v;
            break;
        case K_NOTE:
            if (!r->title[0]) {
                h->note = v;
                break;
            }
            note_list[h->note_count].title = take_string(&a, r->title, strlen(r->title));
            note_list[h->note_count++].text = v;
            const char *uri;
            size_t uri_len;
            if (!strcmp(r->title, PR_HEADER_REQUEST_TITLE) && only_reference(v, &uri, &uri_len))
                h->request_uri = take_string(&a, uri, uri_len);
            break;
        }
    }
    h->expert_count = split_experts(h->expert_text, expert_list, joined, &a);
    h->references = ref_list;
    h->experts = expert_list;
    h->notes = note_list;
done:
    free(joined);
    for (uint32_t i = 0; i < rd->count; i++) {
        free(rd->rows[i].title);
        free(rd->rows[i].value);
    }
    free(rd);
    return h;
}

void pr_header_free(pr_header *header)
{
    free(header);
}

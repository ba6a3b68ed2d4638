/* jsonw.c: JSON text written straight into a body (see jsonw.h). */
#include "jsonw.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv_table.h"
#include "render.h"

/* A body's memory comes from jansson's allocator, as a tree's does: every
 * JSON build, written or dumped, then fails the same way when memory runs
 * out, and one hook (json_set_alloc_funcs) reaches them all in tests. */
static void *jw_malloc(size_t size)
{
    json_malloc_t m;
    json_free_t f;
    json_get_alloc_funcs(&m, &f);
    return m(size);
}

static void jw_free(void *p)
{
    json_malloc_t m;
    json_free_t f;
    json_get_alloc_funcs(&m, &f);
    f(p);
}

void pr_jw_init(pr_jw *w, size_t expected_bytes)
{
    w->cap = expected_bytes < 256 ? 256 : expected_bytes;
    w->body = jw_malloc(sizeof *w->body + w->cap);
    w->failed = !w->body;
    if (w->body)
        w->body->len = 0;
}

/* Room for n more bytes, and two for pr_jw_finish's "\n\0". */
static bool reserve(pr_jw *w, size_t n)
{
    if (w->failed)
        return false;
    size_t need = w->body->len + n + 2;
    if (need <= w->cap)
        return true;
    size_t cap = w->cap;
    while (cap < need)
        cap *= 2;
    pr_body *bigger = jw_malloc(sizeof *bigger + cap);
    if (!bigger) {
        pr_jw_abandon(w);
        return false;
    }
    memcpy(bigger, w->body, sizeof *bigger + w->body->len);
    jw_free(w->body);
    w->body = bigger;
    w->cap = cap;
    return true;
}

void pr_jw_raw(pr_jw *w, const char *bytes, size_t len)
{
    if (!reserve(w, len))
        return;
    memcpy(w->body->data + w->body->len, bytes, len);
    w->body->len += len;
}

#define RAW PR_JW_LIT

void pr_jw_string(pr_jw *w, const char *text)
{
    size_t len = strlen(text);
    /* at most six bytes out for one in (\u00XX) */
    if (!reserve(w, 6 * len + 2))
        return;
    char *out = w->body->data + w->body->len;
    char *at = out;
    unsigned char any = 0;
    *at++ = '"';
    for (const unsigned char *s = (const unsigned char *)text; *s; s++) {
        unsigned char c = *s;
        any |= c;
        if (c >= 0x20 && c != '"' && c != '\\') {
            *at++ = (char)c;
            continue;
        }
        *at++ = '\\';
        switch (c) {
        case '"':
        case '\\':
            *at++ = (char)c;
            break;
        case '\b':
            *at++ = 'b';
            break;
        case '\f':
            *at++ = 'f';
            break;
        case '\n':
            *at++ = 'n';
            break;
        case '\r':
            *at++ = 'r';
            break;
        case '\t':
            *at++ = 't';
            break;
        default: {
            static const char hex[] = "0123456789ABCDEF";
            *at++ = 'u';
            *at++ = '0';
            *at++ = '0';
            *at++ = hex[c >> 4];
            *at++ = hex[c & 15];
        }
        }
    }
    *at++ = '"';
    /* JSON text is UTF-8 (RFC 8259 section 8.1): a string that is not fails
     * the body, as jansson's json_string() refuses it on the other path */
    if ((any & 0x80) && !pr_utf8_valid(text, len, NULL)) {
        w->failed = true;
        return;
    }
    w->body->len += (size_t)(at - out);
}

void pr_jw_text(pr_jw *w, const char *text)
{
    if (text && text[0])
        pr_jw_string(w, text);
    else
        RAW(w, "null");
}

void pr_jw_uint(pr_jw *w, uint64_t value)
{
    char digits[24];
    int n = snprintf(digits, sizeof digits, "%llu", (unsigned long long)value);
    pr_jw_raw(w, digits, (size_t)n);
}

void pr_jw_bool(pr_jw *w, bool value)
{
    if (value)
        RAW(w, "true");
    else
        RAW(w, "false");
}

static void id_list(pr_jw *w, const pr_registry *reg, pr_span span)
{
    RAW(w, "[");
    for (uint32_t i = 0; i < span.count; i++) {
        if (i)
            RAW(w, ",");
        pr_jw_string(w, reg->people[reg->person_refs[span.first + i]].id);
    }
    RAW(w, "]");
}

static void date_or_null(pr_jw *w, pr_date date)
{
    char buf[11];
    if (date.year)
        pr_jw_string(w, pr_date_format(date, buf));
    else
        RAW(w, "null");
}

void pr_jw_record(pr_jw *w, const pr_registry *reg, const pr_record *rec)
{
    RAW(w, "{\"service\":");
    pr_jw_text(w, rec->service);
    RAW(w, ",\"port\":");
    if (rec->has_port)
        pr_jw_uint(w, rec->port_first);
    else
        RAW(w, "null");
    RAW(w, ",\"range\":");
    if (rec->is_range) {
        RAW(w, "{\"first\":");
        pr_jw_uint(w, rec->port_first);
        RAW(w, ",\"last\":");
        pr_jw_uint(w, rec->port_last);
        RAW(w, "}");
    } else {
        RAW(w, "null");
    }
    RAW(w, ",\"protocol\":");
    pr_jw_text(w, pr_proto_name((enum pr_proto)rec->proto));
    RAW(w, ",\"description\":");
    pr_jw_text(w, rec->description);
    RAW(w, ",\"status\":");
    pr_jw_string(w, pr_status_name((enum pr_status)rec->status));
    RAW(w, ",\"assignee\":");
    id_list(w, reg, rec->assignees);
    RAW(w, ",\"contact\":");
    id_list(w, reg, rec->contacts);
    RAW(w, ",\"registered\":");
    date_or_null(w, rec->registered);
    RAW(w, ",\"modified\":");
    date_or_null(w, rec->modified);
    RAW(w, ",\"reference\":[");
    for (uint32_t i = 0; i < rec->references.count; i++) {
        if (i)
            RAW(w, ",");
        pr_jw_string(w, reg->references[rec->references.first + i]);
    }
    RAW(w, "],\"service_code\":");
    if (rec->has_service_code)
        pr_jw_uint(w, rec->service_code);
    else
        RAW(w, "null");
    RAW(w, ",\"unauthorized_use\":");
    pr_jw_text(w, rec->unauthorized_use);
    RAW(w, ",\"notes\":");
    pr_jw_text(w, rec->notes);
    RAW(w, "}");
}

void pr_jw_records(pr_jw *w, const pr_registry *reg, const uint32_t *idx, uint32_t n)
{
    RAW(w, "[");
    for (uint32_t i = 0; i < n; i++) {
        if (i)
            RAW(w, ",");
        pr_jw_record(w, reg, &reg->records[idx[i]]);
    }
    RAW(w, "]");
}

static void string_list(pr_jw *w, const char *const *items, uint32_t n)
{
    RAW(w, "[");
    for (uint32_t i = 0; i < n; i++) {
        if (i)
            RAW(w, ",");
        pr_jw_string(w, items[i]);
    }
    RAW(w, "]");
}

void pr_jw_contact(pr_jw *w, const pr_person *p)
{
    RAW(w, "{");
    pr_jw_contact_members(w, p);
    RAW(w, "}");
}

void pr_jw_contact_members(pr_jw *w, const pr_person *p)
{
    RAW(w, "\"id\":");
    pr_jw_string(w, p->id);
    RAW(w, ",\"name\":");
    pr_jw_text(w, p->name);
    RAW(w, ",\"organization\":");
    pr_jw_text(w, p->organization);
    RAW(w, ",\"uri\":");
    pr_jw_text(w, p->uri);
    RAW(w, ",\"uris\":");
    string_list(w, p->uris, p->uri_count);
    RAW(w, ",\"email\":");
    pr_jw_text(w, p->email);
    RAW(w, ",\"emails\":");
    string_list(w, p->emails, p->email_count);
    RAW(w, ",\"updated\":");
    pr_jw_text(w, p->updated_text);
}

pr_body *pr_jw_finish(pr_jw *w)
{
    if (w->failed || !reserve(w, 0)) {
        pr_jw_abandon(w);
        return NULL;
    }
    pr_body *body = w->body;
    w->body = NULL;
    body->data[body->len++] = '\n';
    body->data[body->len] = '\0';
    if (w->cap - body->len > 1024) {
        pr_body *fitted = realloc(body, sizeof *fitted + body->len + 1);
        if (fitted)
            body = fitted;
    }
    return pr_body_seal(body);
}

void pr_jw_abandon(pr_jw *w)
{
    jw_free(w->body);
    w->body = NULL;
    w->failed = true;
}

/* render.c: JSON for records and contacts; bodies with content ETags. */
#include "render.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv_table.h"
#include "jsonw.h"
#include "sha256.h"

json_t *pr_json_text(const char *text)
{
    return text && text[0] ? json_string(text) : json_null();
}

bool pr_textf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    if (n < 0) {
        buf[0] = '\0';
        return false;
    }
    if ((size_t)n < size)
        return true;
    /* a cut in the middle of a character would make the text invalid
     * UTF-8, and jansson refuses such a string */
    size_t keep = pr_utf8_cut(buf, size - 4);
    memcpy(buf + keep, "...", 4);
    return false;
}

json_t *pr_json_lossy(const char *text, size_t len)
{
    size_t bad;
    if (pr_utf8_valid(text, len, &bad))
        return json_stringn(text, len);
    /* U+FFFD is three bytes: at most three out for each byte in */
    char *fixed = malloc(3 * len + 1);
    if (!fixed)
        return NULL;
    size_t out = 0, at = 0;
    while (at < len) {
        size_t good_len = len - at;
        if (pr_utf8_valid(text + at, good_len, &bad))
            bad = good_len;
        memcpy(fixed + out, text + at, bad);
        out += bad;
        at += bad;
        if (at < len) {
            memcpy(fixed + out, "\xef\xbf\xbd", 3);
            out += 3;
            at++;
        }
    }
    json_t *str = json_stringn(fixed, out);
    free(fixed);
    return str;
}

static json_t *date_or_null(pr_date date)
{
    char buf[11];
    return date.year ? json_string(pr_date_format(date, buf)) : json_null();
}

/* A JSON array of strings; NULL when any of them could not be made, so a
 * failure never leaves a shorter list behind. */
static json_t *string_list(uint32_t n, const char *(*at)(const pr_registry *, uint32_t),
                           const pr_registry *reg, uint32_t first)
{
    json_t *list = json_array();
    for (uint32_t i = 0; list && i < n; i++) {
        if (json_array_append_new(list, json_string(at(reg, first + i))) != 0) {
            json_decref(list);
            list = NULL;
        }
    }
    return list;
}

static const char *person_id_at(const pr_registry *reg, uint32_t ref)
{
    return reg->people[reg->person_refs[ref]].id;
}

static const char *reference_at(const pr_registry *reg, uint32_t i)
{
    return reg->references[i];
}

static json_t *id_list(const pr_registry *reg, pr_span span)
{
    return string_list(span.count, person_id_at, reg, span.first);
}

json_t *pr_json_record(const pr_registry *reg, const pr_record *rec)
{
    json_t *references =
        string_list(rec->references.count, reference_at, reg, rec->references.first);
    json_t *range = rec->is_range ? json_pack("{s:I,s:I}", "first", (json_int_t)rec->port_first,
                                              "last", (json_int_t)rec->port_last)
                                  : json_null();
    /* json_pack's "o" steals each value; a NULL member makes the whole pack
     * fail and release what it took, so allocation failures cannot leak. */
    return json_pack(
        "{s:o,s:o,s:o,s:o,s:o,s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "service",
        pr_json_text(rec->service), "port",
        rec->has_port ? json_integer(rec->port_first) : json_null(), "range", range, "protocol",
        pr_json_text(pr_proto_name((enum pr_proto)rec->proto)), "description",
        pr_json_text(rec->description), "status", pr_status_name((enum pr_status)rec->status),
        "assignee", id_list(reg, rec->assignees), "contact", id_list(reg, rec->contacts),
        "registered", date_or_null(rec->registered), "modified", date_or_null(rec->modified),
        "reference", references, "service_code",
        rec->has_service_code ? json_integer((json_int_t)rec->service_code) : json_null(),
        "unauthorized_use", pr_json_text(rec->unauthorized_use), "notes", pr_json_text(rec->notes));
}

json_t *pr_json_records(const pr_registry *reg, const uint32_t *idx, uint32_t n)
{
    json_t *list = json_array();
    for (uint32_t i = 0; list && i < n; i++) {
        if (json_array_append_new(list, pr_json_record(reg, &reg->records[idx[i]])) != 0) {
            json_decref(list);
            return NULL;
        }
    }
    return list;
}

/* A person's URIs or addresses as a JSON array; NULL on failure. */
static json_t *strings(const char *const *items, uint32_t n)
{
    json_t *list = json_array();
    for (uint32_t i = 0; list && i < n; i++) {
        if (json_array_append_new(list, json_string(items[i])) != 0) {
            json_decref(list);
            return NULL;
        }
    }
    return list;
}

json_t *pr_json_contact(const pr_person *p)
{
    return json_pack("{s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "id", p->id, "name",
                     pr_json_text(p->name), "organization", pr_json_text(p->organization), "uri",
                     pr_json_text(p->uri), "uris", strings(p->uris, p->uri_count), "email",
                     pr_json_text(p->email), "emails", strings(p->emails, p->email_count),
                     "updated", pr_json_text(p->updated_text));
}

/* Finishes a body whose bytes are in place: the ETag is a hash of exactly
 * what is sent, so equal content gives equal tags on any replica. */
pr_body *pr_body_seal(pr_body *body)
{
    atomic_init(&body->wire[0], NULL);
    atomic_init(&body->wire[1], NULL);
    atomic_init(&body->gzip, NULL);
    body->coding = PR_CODING_IDENTITY;
    unsigned char digest[PR_SHA256_LEN];
    pr_sha256(body->data, body->len, digest);
    body->etag[0] = '"';
    pr_hex(digest, 16, body->etag + 1);
    body->etag[33] = '"';
    body->etag[34] = '\0';
    return body;
}

pr_body *pr_body_new(const char *data, size_t len)
{
    pr_body *body = malloc(sizeof *body + len + 1);
    if (!body)
        return NULL;
    body->len = len;
    memcpy(body->data, data, len);
    body->data[len] = '\0';
    return pr_body_seal(body);
}

static int append_json(const char *bytes, size_t n, void *ctx)
{
    pr_jw *w = ctx;
    pr_jw_raw(w, bytes, n);
    return w->failed ? -1 : 0;
}

pr_body *pr_render_body(json_t *root)
{
    if (!root)
        return NULL;
    /* dumped once into a growing buffer: measuring the length with a first
     * dump would cost as much again */
    pr_jw w;
    pr_jw_init(&w, 4096);
    int dumped = json_dump_callback(root, append_json, &w, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(root);
    if (dumped != 0) {
        pr_jw_abandon(&w);
        return NULL;
    }
    return pr_jw_finish(&w);
}

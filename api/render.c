/* render.c: JSON for records and contacts; bodies with content ETags. */
#include "render.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"
#include "sha256.h"

json_t *pr_json_text(const char *text)
{
    return text && text[0] ? json_string(text) : json_null();
}

static json_t *date_or_null(pr_date date)
{
    char buf[11];
    return date.year ? json_string(pr_date_format(date, buf)) : json_null();
}

static json_t *id_list(const pr_registry *reg, pr_span span)
{
    json_t *list = json_array();
    for (uint32_t i = 0; list && i < span.count; i++)
        json_array_append_new(list, json_string(reg->people[reg->person_refs[span.first + i]].id));
    return list;
}

json_t *pr_json_record(const pr_registry *reg, const pr_record *rec)
{
    json_t *references = json_array();
    for (uint32_t i = 0; references && i < rec->references.count; i++)
        json_array_append_new(references, json_string(reg->references[rec->references.first + i]));
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

static json_t *string_list(const char *const *items, uint32_t n)
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
                     pr_json_text(p->uri), "uris", string_list(p->uris, p->uri_count), "email",
                     pr_json_text(p->email), "emails", string_list(p->emails, p->email_count),
                     "updated", pr_json_text(p->updated_text));
}

/* Finishes a body whose bytes are in place: the ETag is a hash of exactly
 * what is sent, so equal content gives equal tags on any replica. */
pr_body *pr_body_seal(pr_body *body)
{
    atomic_init(&body->wire[0], NULL);
    atomic_init(&body->wire[1], NULL);
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

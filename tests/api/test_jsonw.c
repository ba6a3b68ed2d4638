/* api/jsonw.c is the one writer of the Record and Contact objects; its bytes
 * must be exactly those jansson makes of the same objects, the form every
 * other answer (built as a jansson tree) takes. The jansson objects below
 * are the reference: the writers render.c held before jsonw.c became the
 * only one, kept here as the test's independent rendering. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "api_test.h"
#include "jsonw.h"
#include "render.h"

/* ---- the reference: the same objects as jansson trees ---- */

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

static json_t *pr_json_record(const pr_registry *reg, const pr_record *rec)
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

static json_t *pr_json_records(const pr_registry *reg, const uint32_t *idx, uint32_t n)
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

static json_t *pr_json_contact(const pr_person *p)
{
    return json_pack("{s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "id", p->id, "name",
                     pr_json_text(p->name), "organization", pr_json_text(p->organization), "uri",
                     pr_json_text(p->uri), "uris", strings(p->uris, p->uri_count), "email",
                     pr_json_text(p->email), "emails", strings(p->emails, p->email_count),
                     "updated", pr_json_text(p->updated_text));
}

/* ---- */

static void assert_same_bytes(pr_body *direct, json_t *via_jansson, const char *what)
{
    pr_body *reference = pr_render_body(via_jansson);
    cr_assert_not_null(direct, "%s", what);
    cr_assert_not_null(reference, "%s", what);
    cr_assert_eq(direct->len, reference->len, "%s: %zu bytes, jansson %zu:\n%s\n%s", what,
                 direct->len, reference->len, direct->data, reference->data);
    cr_assert_eq(memcmp(direct->data, reference->data, direct->len), 0, "%s:\n%s\n%s", what,
                 direct->data, reference->data);
    cr_assert_str_eq(direct->etag, reference->etag, "%s", what);
    free(direct);
    free(reference);
}

Test(jsonw, strings_are_escaped_as_jansson_escapes_them)
{
    char all_bytes[256];
    size_t n = 0;
    for (int c = 1; c < 256; c++)
        all_bytes[n++] = (char)c;
    all_bytes[n] = '\0';
    /* bytes 1-127: over 0x7f only valid UTF-8 will do, which comes below */
    all_bytes[127] = '\0';
    const char *texts[] = {"",
                           "plain",
                           "quote \" and backslash \\",
                           "tab\there\nnewline\r\f\b",
                           "\x01\x02\x1f end",
                           "slash / stays",
                           "caf\xc3\xa9 \xe2\x82\xac",
                           all_bytes};
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        /* in an array: jansson dumps nothing but arrays and objects */
        pr_jw w;
        pr_jw_init(&w, 0);
        pr_jw_raw(&w, "[", 1);
        pr_jw_text(&w, texts[i]);
        pr_jw_raw(&w, "]", 1);
        json_t *text = pr_json_text(texts[i]);
        cr_assert_not_null(text, "jansson takes %s", texts[i]);
        assert_same_bytes(pr_jw_finish(&w), json_pack("[o]", text), texts[i]);
    }
}

static void assert_every_record_and_contact(const pr_registry *reg)
{
    for (uint32_t i = 0; i < reg->record_count; i++) {
        pr_jw w;
        pr_jw_init(&w, 0);
        pr_jw_record(&w, reg, &reg->records[i]);
        char what[32];
        snprintf(what, sizeof what, "record %u", i);
        assert_same_bytes(pr_jw_finish(&w), pr_json_record(reg, &reg->records[i]), what);
    }
    for (uint32_t i = 0; i < reg->person_count; i++) {
        pr_jw w;
        pr_jw_init(&w, 0);
        pr_jw_contact(&w, &reg->people[i]);
        assert_same_bytes(pr_jw_finish(&w), pr_json_contact(&reg->people[i]), reg->people[i].id);
    }
    /* and a list of them all, through the buffer's growth */
    uint32_t *all = malloc(((size_t)reg->record_count + 1) * sizeof *all);
    for (uint32_t i = 0; i < reg->record_count; i++)
        all[i] = i;
    pr_jw w;
    pr_jw_init(&w, 16);
    pr_jw_records(&w, reg, all, reg->record_count);
    assert_same_bytes(pr_jw_finish(&w), pr_json_records(reg, all, reg->record_count), "all");
    free(all);
}

Test(jsonw, the_sample_renders_byte_for_byte)
{
    pr_registry *reg = load_sample();
    assert_every_record_and_contact(reg);
    pr_registry_free(reg);
}

Test(jsonw, the_whole_registry_renders_byte_for_byte)
{
    pr_registry *reg = load_builtin();
    assert_every_record_and_contact(reg);
    pr_registry_free(reg);
}

Test(jsonw, a_failed_writer_yields_nothing)
{
    pr_jw w;
    pr_jw_init(&w, 0);
    pr_jw_raw(&w, "{", 1);
    pr_jw_abandon(&w);
    pr_jw_raw(&w, "more", 4);
    pr_jw_string(&w, "after");
    cr_assert_null(pr_jw_finish(&w));
}

/* JSON text is UTF-8: a string that is not fails the body, as jansson's
 * json_string() fails for it, rather than putting bad bytes on the wire. */
Test(jsonw, a_string_that_is_not_utf8_fails_the_writer)
{
    static const char *const bad[] = {"Sch\xf6n", "cut \xe2\x82", "\xed\xa0\x80", "\x80"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        pr_jw w;
        pr_jw_init(&w, 0);
        pr_jw_string(&w, bad[i]);
        cr_assert(w.failed, "%zu", i);
        cr_assert_null(pr_jw_finish(&w), "%zu", i);
        cr_assert_null(json_string(bad[i]), "%zu: jansson refuses it too", i);
    }
    pr_jw w;
    pr_jw_init(&w, 0);
    pr_jw_string(&w, "Ari\xe2\x88\x9a\xc2\xb4n"); /* IANA's mojibake is valid UTF-8 */
    pr_body *body = pr_jw_finish(&w);
    cr_assert_not_null(body);
    cr_assert_str_eq(body->data, "\"Ari\xe2\x88\x9a\xc2\xb4n\"\n");
    free(body);
}

/* api/jsonw.c writes the JSON of records and contacts itself; its bytes
 * must be exactly those jansson makes of render.c's objects, or an answer's
 * ETag would depend on which path rendered it. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "api_test.h"
#include "jsonw.h"
#include "render.h"

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

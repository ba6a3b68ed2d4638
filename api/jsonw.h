/* jsonw.h: JSON text written straight into a body, and the one writer of
 * the Record and Contact objects of openapi.yaml: every answer that holds a
 * record or a contact (a port, a service, a person, a list page, a search,
 * a verdict) writes it here. Building a jansson tree of a hundred records,
 * dumping it and freeing it cost some 70,000 instructions a record; writing
 * the text costs a few thousand.
 *
 * The bytes are exactly those pr_render_body() makes of the same values with
 * jansson (compact, keys in order, the same escapes), so the answers that
 * are still built as jansson trees (problems, the registry's description)
 * share one form with these; tests hold the two equal over the whole
 * registry.
 *
 * Memory: the writer owns its body until pr_jw_finish() hands it over (or
 * pr_jw_abandon() frees it). The body is allocated with jansson's allocator
 * (json_get_alloc_funcs), so that failures injected there reach every JSON
 * build, and is freed with free() like every body: functions given to
 * json_set_alloc_funcs must be malloc and free or wrap them. A failed allocation is remembered and
 * makes pr_jw_finish() return NULL; writing on after it is harmless. One writer per thread; the
 * registry is only read. */
#ifndef PR_API_JSONW_H
#define PR_API_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api.h"

typedef struct pr_jw {
    pr_body *body;
    size_t cap; /* bytes of body->data */
    bool failed;
} pr_jw;

void pr_jw_init(pr_jw *w, size_t expected_bytes);
void pr_jw_raw(pr_jw *w, const char *bytes, size_t len);
/* A JSON string of text, escaped as jansson escapes (never NULL). Text that
 * is not valid UTF-8 fails the writer, as json_string() fails for it. */
void pr_jw_string(pr_jw *w, const char *text);
/* As pr_json_text(): an empty or NULL text is null. */
void pr_jw_text(pr_jw *w, const char *text);
void pr_jw_uint(pr_jw *w, uint64_t value);
void pr_jw_bool(pr_jw *w, bool value);
/* Writes a string literal's bytes as they are (JSON punctuation, keys). */
#define PR_JW_LIT(w, literal) pr_jw_raw((w), literal, sizeof literal - 1)

/* The Record and Contact objects of openapi.yaml. */
void pr_jw_record(pr_jw *w, const pr_registry *reg, const pr_record *rec);
void pr_jw_contact(pr_jw *w, const pr_person *person);
/* The Contact object's members without its braces, for objects that extend
 * it (a person's page adds the person's records). */
void pr_jw_contact_members(pr_jw *w, const pr_person *person);
/* [record, ...] for record indexes idx[0..n). */
void pr_jw_records(pr_jw *w, const pr_registry *reg, const uint32_t *idx, uint32_t n);

/* Ends the text with a newline and seals the body (its ETag); NULL when an
 * allocation failed. The writer is empty afterwards. */
pr_body *pr_jw_finish(pr_jw *w);
void pr_jw_abandon(pr_jw *w);

#endif

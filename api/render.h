/* render.h: finished bodies from jansson trees, for the answers built as
 * trees (problems, the registry's description, the index); the Record and
 * Contact shapes have one writer, jsonw.h.
 *
 * Builders return new jansson references that the caller owns (NULL only on
 * allocation failure). pr_render_body() steals its argument. All functions
 * are safe to call from many threads. */
#ifndef PR_RENDER_H
#define PR_RENDER_H

#include <jansson.h>

#include "api.h"

/* "" becomes null: the API says "absent" one way only. */
json_t *pr_json_text(const char *text);

/* Writes printf-style text into buf[size] (size > 4) for a JSON string.
 * Text that does not fit is cut where no UTF-8 character is split and ends
 * with "...", so it stays valid JSON text: false then (and when formatting
 * fails, which leaves ""). */
bool pr_textf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A JSON string of text[0..len) where every byte that is not part of valid
 * UTF-8 becomes U+FFFD, for text that did not come from the validated data
 * (a request's bytes, a library's message). NULL only when out of memory. */
json_t *pr_json_lossy(const char *text, size_t len);

/* Serializes root compactly (keys in insertion order, so the same data
 * always gives the same bytes and ETag), adds a trailing newline for
 * terminals, and computes the ETag. Steals root, even on failure. */
pr_body *pr_render_body(json_t *root);

/* Finishes a malloc'ed body whose len bytes (and a NUL after them) are in
 * place: clears its wire slots and sets its ETag. Returns it. */
pr_body *pr_body_seal(pr_body *body);

#endif

/* render.c: jansson trees into bodies with content ETags; JSON text helpers.
 * Records and contacts are not written here but in jsonw.c, their one writer. */
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

/* encoding.c: gzip variants of bodies (see encoding.h). */
#include "encoding.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "render.h"

pr_body *pr_body_gzip(const pr_body *body)
{
    if (body->len < PR_GZIP_MIN_BYTES || body->len > UINT32_MAX)
        return NULL;
    z_stream z;
    memset(&z, 0, sizeof z);
    /* windowBits 15 + 16: a gzip wrapper (RFC 1952) with no name and time 0,
     * so that equal bodies compress to equal bytes */
    if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return NULL;
    /* not worth it unless smaller: at most len - 1 bytes are kept */
    size_t cap = body->len - 1;
    pr_body *gz = malloc(sizeof *gz + cap + 1);
    if (!gz) {
        deflateEnd(&z);
        return NULL;
    }
    z.next_in = (Bytef *)(void *)body->data;
    z.avail_in = (uInt)body->len;
    z.next_out = (Bytef *)gz->data;
    z.avail_out = (uInt)cap;
    int rc = deflate(&z, Z_FINISH);
    size_t out = cap - z.avail_out;
    deflateEnd(&z);
    if (rc != Z_STREAM_END) { /* out of room: the stream would be no smaller */
        free(gz);
        return NULL;
    }
    /* give back what the stream did not use */
    pr_body *fit = realloc(gz, sizeof *gz + out + 1);
    if (fit)
        gz = fit;
    gz->len = out;
    gz->data[out] = '\0';
    atomic_init(&gz->wire[0], NULL);
    atomic_init(&gz->wire[1], NULL);
    atomic_init(&gz->gzip, NULL);
    gz->coding = PR_CODING_GZIP;
    /* the identity's tag, "-gz" before its closing quote (encoding.h) */
    size_t tag = strlen(body->etag);
    memcpy(gz->etag, body->etag, tag - 1);
    memcpy(gz->etag + tag - 1, "-gz\"", 5);
    return gz;
}

const char *pr_coding_name(const pr_body *body)
{
    return body->coding == PR_CODING_GZIP ? "gzip" : NULL;
}

void pr_body_attach_gzip(pr_body *body)
{
    if (!atomic_load_explicit(&body->gzip, memory_order_relaxed))
        atomic_store_explicit(&body->gzip, pr_body_gzip(body), memory_order_relaxed);
}

size_t pr_body_cost(const pr_body *body, size_t wire)
{
    const pr_body *gz = atomic_load_explicit(&((pr_body *)body)->gzip, memory_order_relaxed);
    return sizeof *body + body->len + wire + (gz ? sizeof *gz + gz->len + wire : 0);
}

void pr_body_free(pr_body *body)
{
    if (!body)
        return;
    free(atomic_load_explicit(&body->gzip, memory_order_relaxed));
    free(body);
}

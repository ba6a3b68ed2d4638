/* encoding.h: the gzip content coding of answers (RFC 9110 section 8.4.1.3);
 * which coding a request accepts is negotiate.h's.
 *
 * A body of PR_GZIP_MIN_BYTES or more may go out gzip-encoded; a smaller one
 * always goes out as it is, since the gzip header and trailer (18 bytes) and
 * a packet's worth of savings at best make it not worth a client's CPU.
 *
 * A variant is a pr_body of its own: its bytes are the gzip stream, its
 * ETag the identity's with "-gz" before the closing quote, so that each
 * representation has its own strong validator (RFC 9110 8.8.3) and an
 * If-None-Match made with one never matches the other. The variant's bytes
 * are a function of the identity's (zlib's level 6, no name, no time), so
 * equal bodies give equal variants on every replica built with the same
 * zlib.
 *
 * Memory: pr_body_gzip returns a malloc'ed body the caller owns (free()).
 * Thread-safety: all functions are reentrant. */
#ifndef PR_API_ENCODING_H
#define PR_API_ENCODING_H

#include <stdbool.h>
#include <stddef.h>

#include "api.h"

#define PR_GZIP_MIN_BYTES 1024

/* The gzip variant of body (at least PR_GZIP_MIN_BYTES long), sealed with
 * the variant's ETag and PR_CODING_GZIP; NULL when out of memory or when
 * the stream would not be smaller than the body itself. */
pr_body *pr_body_gzip(const pr_body *body);

/* Makes body's gzip variant (pr_body.gzip) if it has none, can have one,
 * and memory allows; for a body not yet published to other threads. */
void pr_body_attach_gzip(pr_body *body);

/* What a body and its variant count against the cache budget: their
 * structs and bytes, and `wire` for what the server attaches to each. */
size_t pr_body_cost(const pr_body *body, size_t wire);

/* Frees a body and its variant, neither with wire objects attached.
 * Accepts NULL. */
void pr_body_free(pr_body *body);

/* The Content-Encoding value of a body's coding, NULL for identity. */
const char *pr_coding_name(const pr_body *body);

#endif

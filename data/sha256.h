/* sha256.h: SHA-256 (FIPS 180-4), for data-set checksums and content ETags.
 *
 * The digest is Nettle's: Debian builds it to pick SHA-NI or other CPU
 * extensions at run time, which makes hashing the whole registry at start-up
 * several times cheaper than portable C. Nettle is already loaded with
 * libmicrohttpd (through GnuTLS), so this costs no new package at run time.
 *
 * The context is caller-owned; nothing allocates. Functions are reentrant:
 * distinct contexts may be used from different threads at once. */
#ifndef PR_SHA256_H
#define PR_SHA256_H

#include <nettle/sha2.h>
#include <stddef.h>
#include <stdint.h>

#define PR_SHA256_LEN 32

typedef struct pr_sha256_ctx {
    struct sha256_ctx nettle;
} pr_sha256_ctx;

void pr_sha256_init(pr_sha256_ctx *ctx);
void pr_sha256_update(pr_sha256_ctx *ctx, const void *data, size_t len);
/* Writes the digest; the context must be initialised again before reuse. */
void pr_sha256_final(pr_sha256_ctx *ctx, unsigned char out[PR_SHA256_LEN]);

/* One-shot digest of a buffer. */
void pr_sha256(const void *data, size_t len, unsigned char out[PR_SHA256_LEN]);

/* Lower-case hex of the first `bytes` bytes of a digest into out, which must
 * hold 2 * bytes + 1 characters. Returns out. */
char *pr_hex(const unsigned char *digest, size_t bytes, char *out);

#endif

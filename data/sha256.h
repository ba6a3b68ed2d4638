/* sha256.h: SHA-256 (FIPS 180-4), for data-set checksums and content ETags.
 *
 * The context is caller-owned; nothing allocates. Functions are reentrant:
 * distinct contexts may be used from different threads at once. */
#ifndef PR_SHA256_H
#define PR_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define PR_SHA256_LEN 32

typedef struct pr_sha256_ctx {
    uint32_t state[8];
    uint64_t bytes;
    unsigned char block[64];
    size_t used;
} pr_sha256_ctx;

void pr_sha256_init(pr_sha256_ctx *ctx);
void pr_sha256_update(pr_sha256_ctx *ctx, const void *data, size_t len);
void pr_sha256_final(pr_sha256_ctx *ctx, unsigned char out[PR_SHA256_LEN]);

/* One-shot digest of a buffer. */
void pr_sha256(const void *data, size_t len, unsigned char out[PR_SHA256_LEN]);

/* Lower-case hex of the first `bytes` bytes of a digest into out, which must
 * hold 2 * bytes + 1 characters. Returns out. */
char *pr_hex(const unsigned char *digest, size_t bytes, char *out);

#endif

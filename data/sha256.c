/* sha256.c: SHA-256 through Nettle (see sha256.h for why). */
#include "sha256.h"

_Static_assert(PR_SHA256_LEN == SHA256_DIGEST_SIZE, "Nettle's SHA-256 digest size");

void pr_sha256_init(pr_sha256_ctx *ctx)
{
    sha256_init(&ctx->nettle);
}

void pr_sha256_update(pr_sha256_ctx *ctx, const void *data, size_t len)
{
    sha256_update(&ctx->nettle, len, data);
}

void pr_sha256_final(pr_sha256_ctx *ctx, unsigned char out[PR_SHA256_LEN])
{
    sha256_digest(&ctx->nettle, PR_SHA256_LEN, out);
}

void pr_sha256(const void *data, size_t len, unsigned char out[PR_SHA256_LEN])
{
    struct sha256_ctx ctx;
    sha256_init(&ctx);
    sha256_update(&ctx, len, data);
    sha256_digest(&ctx, PR_SHA256_LEN, out);
}

char *pr_hex(const unsigned char *digest, size_t bytes, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < bytes; i++) {
        out[2 * i] = digits[digest[i] >> 4];
        out[2 * i + 1] = digits[digest[i] & 15];
    }
    out[2 * bytes] = '\0';
    return out;
}

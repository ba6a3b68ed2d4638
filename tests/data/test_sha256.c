/* SHA-256 against the FIPS 180-4 / NIST example vectors, and pr_hex. */
#include <criterion/criterion.h>
#include <string.h>

#include "sha256.h"
#include "util.h"

LEAK_CHECKED_SUITE(sha256);

static const char *hex_of(const unsigned char digest[PR_SHA256_LEN])
{
    static char out[2 * PR_SHA256_LEN + 1];
    return pr_hex(digest, PR_SHA256_LEN, out);
}

static const char *digest_of(const char *text)
{
    unsigned char d[PR_SHA256_LEN];
    pr_sha256(text, strlen(text), d);
    return hex_of(d);
}

Test(sha256, empty)
{
    cr_assert_str_eq(digest_of(""),
                     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

Test(sha256, abc)
{
    cr_assert_str_eq(digest_of("abc"),
                     "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

/* 56 bytes: the length no longer fits the first block, so padding spills
 * into a second one. */
Test(sha256, two_block_448_bits)
{
    cr_assert_str_eq(digest_of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
                     "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

Test(sha256, two_block_896_bits)
{
    cr_assert_str_eq(digest_of("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
                               "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"),
                     "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

/* Odd chunk sizes make every update straddle the 64-byte block boundary at
 * a different offset. */
Test(sha256, million_a_in_odd_chunks)
{
    static char chunk[1000];
    memset(chunk, 'a', sizeof chunk);
    static const size_t sizes[] = {1, 3, 7, 63, 64, 65, 127, 999};
    pr_sha256_ctx ctx;
    pr_sha256_init(&ctx);
    size_t left = 1000000;
    for (size_t i = 0; left > 0; i++) {
        size_t n = sizes[i % (sizeof sizes / sizeof sizes[0])];
        if (n > left)
            n = left;
        pr_sha256_update(&ctx, chunk, n);
        left -= n;
    }
    unsigned char d[PR_SHA256_LEN];
    pr_sha256_final(&ctx, d);
    cr_assert_str_eq(hex_of(d), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* Lengths around the padding boundaries (55/56) and the block size (64). */
Test(sha256, lengths_at_block_edges)
{
    static const struct {
        size_t n;
        const char *hex;
    } cases[] = {
        {55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"},
        {56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"},
        {63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"},
        {64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"},
        {65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0"},
    };
    char a[65];
    memset(a, 'a', sizeof a);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        unsigned char d[PR_SHA256_LEN];
        pr_sha256(a, cases[i].n, d);
        cr_assert_str_eq(hex_of(d), cases[i].hex, "%zu bytes of 'a'", cases[i].n);
    }
}

/* Feeding a buffer byte by byte must give what one call gives. */
Test(sha256, byte_at_a_time_matches_one_shot)
{
    unsigned char data[200];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (unsigned char)(i * 37 + 11);
    for (size_t len = 0; len <= sizeof data; len++) {
        unsigned char whole[PR_SHA256_LEN], bytes[PR_SHA256_LEN];
        pr_sha256(data, len, whole);
        pr_sha256_ctx ctx;
        pr_sha256_init(&ctx);
        for (size_t i = 0; i < len; i++)
            pr_sha256_update(&ctx, data + i, 1);
        pr_sha256_update(&ctx, data, 0);
        pr_sha256_final(&ctx, bytes);
        cr_assert_eq(memcmp(whole, bytes, sizeof whole), 0, "length %zu", len);
    }
}

Test(sha256, hex_writes_lower_case_and_stops_where_told)
{
    static const unsigned char digest[] = {0x00, 0x0f, 0xa0, 0xff, 0x12};
    char out[12];
    memset(out, '#', sizeof out);
    cr_assert_eq(pr_hex(digest, 4, out), out);
    cr_assert_str_eq(out, "000fa0ff");
    cr_assert_eq(out[9], '#', "wrote past 2 * bytes + 1");
    cr_assert_str_eq(pr_hex(digest, 0, out), "");
}

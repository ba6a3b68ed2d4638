/* fuzz.h: what the fuzz drivers share.
 *
 * Each driver is one file defining LLVMFuzzerTestOneInput (and, where it
 * needs set-up done once, LLVMFuzzerInitialize), and is linked two ways:
 * with libFuzzer (clang, -Dfuzz=enabled) to search for inputs, and with
 * replay.c (any compiler, every test build) to run the committed corpus and
 * every past crash as an ordinary test.
 *
 * A driver reports a broken property (its oracle) with FUZZ_REQUIRE, which
 * aborts: libFuzzer keeps the input as a crash, the replay test fails. */
#ifndef PR_FUZZ_H
#define PR_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define FUZZ_REQUIRE(cond, ...)                                                                    \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: oracle failed: %s: ", __FILE__, __LINE__, #cond);              \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* Is s[0..len) well-formed UTF-8 (RFC 3629 section 4: no overlong forms, no
 * surrogates, nothing past U+10FFFF)? */
int fuzz_utf8_valid(const unsigned char *s, size_t len);

/* Splits data at the first occurrence of sep (of sep_len bytes): the part
 * before it in *head and *head_len, the part after in *rest and *rest_len (NULL and
 * 0 when sep does not occur). */
void fuzz_split(const uint8_t *data, size_t size, const char *sep, size_t sep_len,
                const uint8_t **head, size_t *head_len, const uint8_t **rest, size_t *rest_len);

#endif

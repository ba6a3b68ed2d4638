/* common.c: helpers of fuzz.h. */
#include <string.h>

#include "fuzz.h"

int fuzz_utf8_valid(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned char c = s[i];
        size_t n;
        uint32_t cp;
        if (c < 0x80) {
            i++;
            continue;
        } else if (c >= 0xc2 && c <= 0xdf) {
            n = 1, cp = c & 0x1f;
        } else if (c >= 0xe0 && c <= 0xef) {
            n = 2, cp = c & 0x0f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            n = 3, cp = c & 0x07;
        } else {
            return 0;
        }
        if (len - i <= n)
            return 0;
        for (size_t k = 1; k <= n; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return 0;
            cp = cp << 6 | (s[i + k] & 0x3f);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        i += n + 1;
    }
    return 1;
}

void fuzz_split(const uint8_t *data, size_t size, const char *sep, size_t sep_len,
                const uint8_t **head, size_t *head_len, const uint8_t **rest, size_t *rest_len)
{
    const uint8_t *at = size ? memmem(data, size, sep, sep_len) : NULL;
    *head = data;
    if (!at) {
        *head_len = size;
        *rest = NULL;
        *rest_len = 0;
        return;
    }
    *head_len = (size_t)(at - data);
    *rest = at + sep_len;
    *rest_len = size - *head_len - sep_len;
}

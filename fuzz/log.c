/* log.c: fuzzes the access-log and message-log writers (server/log.c) in
 * both formats, through pr_log_format_access and pr_log_format_message, the
 * pure formatters behind pr_log_access and pr_log.
 *
 * Input: FLAGS STATUS_HI STATUS_LO TIME \0 METHOD \0 PATH \0 MESSAGE
 *   FLAGS bit 0: JSON, else plain; bit 1: method NULL; bit 2: path NULL;
 *   bits 3-4: the ETag word (-, hit, miss, or NULL); bits 5-6: the level;
 *   bit 7: the duration is NaN, else 0.25 s.
 *
 * Oracle, what a log shipper relies on: each line is at most
 * PR_LOG_LINE_MAX bytes, ends in its only newline, holds no other control
 * byte and is valid UTF-8; a JSON line is one JSON object (jansson's
 * json_loadb, which also refuses anything not UTF-8) with its members, and
 * gives back every field that was valid UTF-8 exactly, or cut ending in
 * "..." with "truncated":true; a plain access line is eight space-separated
 * words, none empty where the fields were not. */
#include <jansson.h>
#include <math.h>
#include <string.h>

#include "fuzz.h"
#include "log.h"

static char out[PR_LOG_LINE_MAX + 1];

static void one_line(size_t len)
{
    FUZZ_REQUIRE(len > 0 && len <= PR_LOG_LINE_MAX && strlen(out) == len && out[len - 1] == '\n',
                 "a line of %zu bytes: %s", len, out);
    for (size_t i = 0; i + 1 < len; i++) {
        unsigned char c = (unsigned char)out[i];
        FUZZ_REQUIRE(c >= 0x20 && c != 0x7f, "byte 0x%02x at %zu of %zu: %s", c, i, len, out);
    }
    FUZZ_REQUIRE(fuzz_utf8_valid((const unsigned char *)out, len), "not UTF-8: %s", out);
}

static json_t *json_line(size_t len)
{
    one_line(len);
    json_error_t jerr;
    json_t *root = json_loadb(out, len - 1, 0, &jerr);
    FUZZ_REQUIRE(json_is_object(root), "not a JSON object (%s): %s", jerr.text, out);
    json_t *cut = json_object_get(root, "truncated");
    FUZZ_REQUIRE(!cut || json_is_true(cut), "truncated is not true: %s", out);
    return root;
}

/* The member `key` gives `want` back: exactly, or (when the line says it
 * was cut) a prefix of it followed by "...". Checked where want is UTF-8. */
static void gives_back(json_t *root, const char *key, const char *want)
{
    json_t *v = json_object_get(root, key);
    FUZZ_REQUIRE(json_is_string(v), "no %s: %s", key, out);
    if (!want)
        want = "-";
    size_t len = strlen(want), got_len = json_string_length(v);
    const char *got = json_string_value(v);
    if (!fuzz_utf8_valid((const unsigned char *)want, len))
        return;
    if (got_len == len && !memcmp(got, want, len))
        return;
    FUZZ_REQUIRE(json_is_true(json_object_get(root, "truncated")) && got_len >= 3 &&
                     got_len - 3 < len && !memcmp(got + got_len - 3, "...", 3) &&
                     !memcmp(got, want, got_len - 3),
                 "%s is \"%s\", not \"%s\"", key, got, want);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3)
        return 0;
    int flags = data[0];
    int status = (data[1] << 8 | data[2]) % 1000;
    size_t n = size - 3;
    char *text = malloc(n + 4);
    if (!text)
        return 0;
    memcpy(text, data + 3, n);
    memset(text + n, 0, 4);
    /* up to four NUL-terminated fields; missing ones are "" */
    const char *field[4];
    const char *at = text;
    for (int i = 0; i < 4; i++) {
        field[i] = at <= text + n ? at : "";
        if (at <= text + n)
            at += strlen(at) + 1;
    }
    bool json = flags & 1;
    enum pr_log_format fmt = json ? PR_LOG_JSON : PR_LOG_PLAIN;
    static const char *const etags[] = {"-", "hit", "miss", NULL};
    pr_access a = {
        .method = flags & 2 ? NULL : field[1],
        .path = flags & 4 ? NULL : field[2],
        .status = status,
        .bytes = size,
        .seconds = flags & 128 ? NAN : 0.25,
        .etag = etags[(flags >> 3) & 3],
    };
    size_t len = pr_log_format_access(out, fmt, field[0], &a);
    if (json) {
        json_t *root = json_line(len);
        gives_back(root, "time", field[0]);
        gives_back(root, "method", a.method);
        gives_back(root, "path", a.path);
        gives_back(root, "etag", a.etag);
        json_t *st = json_object_get(root, "status");
        FUZZ_REQUIRE(json_is_integer(st) && json_integer_value(st) == status, "status: %s", out);
        FUZZ_REQUIRE(json_is_integer(json_object_get(root, "bytes")), "bytes: %s", out);
        FUZZ_REQUIRE(json_is_number(json_object_get(root, "duration")), "duration: %s", out);
        json_decref(root);
    } else {
        one_line(len);
        /* the server never logs an empty time, method or path */
        bool given = field[0][0] && (!a.method || a.method[0]) && (!a.path || a.path[0]);
        int words = 1;
        for (size_t i = 0; i + 1 < len; i++) {
            words += out[i] == ' ';
            FUZZ_REQUIRE(!given || !(out[i] == ' ' && (i == 0 || out[i - 1] == ' ')),
                         "an empty word: %s", out);
        }
        FUZZ_REQUIRE(words == 8, "%d words: %s", words, out);
    }

    enum pr_log_level level = (enum pr_log_level)((flags >> 5) & 3);
    len = pr_log_format_message(out, fmt, field[0], level, field[3]);
    if (json) {
        json_t *root = json_line(len);
        gives_back(root, "time", field[0]);
        gives_back(root, "msg", field[3]);
        FUZZ_REQUIRE(json_is_string(json_object_get(root, "level")), "level: %s", out);
        json_decref(root);
    } else {
        one_line(len);
    }
    free(text);
    return 0;
}

/* test_log.c: the log writer (server/log.c) on hostile fields: every line
 * bounded, one line, valid UTF-8, and in JSON one parseable object. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

/* The writer's buffer, allocated at its exact size so that ASan sees any
 * byte written past it. */
static char *out;

static void setup(void)
{
    out = malloc(PR_LOG_LINE_MAX + 1);
    cr_assert_not_null(out);
}

static void teardown(void)
{
    free(out);
}

TestSuite(log, .init = setup, .fini = teardown);

static const char time_text[] = "2026-11-29T12:00:00.000Z";

/* Checks the shape every line has whatever went in: bounded, ends with its
 * only newline, no control byte, well-formed UTF-8 (jansson refuses any
 * other as a string). */
static void assert_one_line(const char *text, size_t len)
{
    cr_assert_gt(len, 0);
    cr_assert_leq(len, PR_LOG_LINE_MAX);
    cr_assert_eq(strlen(text), len, "the returned length is the line's");
    cr_assert_eq(text[len - 1], '\n');
    for (size_t i = 0; i + 1 < len; i++)
        cr_assert(text[i] != '\n' && (unsigned char)text[i] >= 0x20 && text[i] != 0x7f,
                  "control byte 0x%02x at %zu", (unsigned char)text[i], i);
    json_t *s = json_stringn(text, len);
    cr_assert_not_null(s, "the line is not UTF-8: %.200s", text);
    json_decref(s);
}

/* The line parsed as one JSON object; the caller json_decref()s. */
static json_t *json_line(const char *text, size_t len)
{
    assert_one_line(text, len);
    json_error_t err;
    json_t *j = json_loadb(text, len, 0, &err);
    cr_assert_not_null(j, "not JSON (%s): %.300s", err.text, text);
    cr_assert(json_is_object(j));
    return j;
}

static const char *member(const json_t *j, const char *name)
{
    const char *v = json_string_value(json_object_get(j, name));
    cr_assert_not_null(v, "no string member %s", name);
    return v;
}

static size_t access_line(enum pr_log_format fmt, const char *method, const char *path)
{
    pr_access a = {method, path, 400, 123, 0.25, "-"};
    return pr_log_format_access(out, fmt, time_text, &a);
}

Test(log, ordinary_lines_unchanged)
{
    size_t n = access_line(PR_LOG_PLAIN, "GET", "/v1/ports/80");
    cr_assert_str_eq(out, "2026-11-29T12:00:00.000Z access GET /v1/ports/80 400 123 0.250000 -\n");
    cr_assert_eq(n, strlen(out));
    n = access_line(PR_LOG_JSON, "GET", "/v1/ports/80");
    cr_assert_str_eq(out,
                     "{\"time\":\"2026-11-29T12:00:00.000Z\",\"method\":\"GET\",\"path\":\"/v1/"
                     "ports/80\",\"status\":400,\"bytes\":123,\"duration\":0.250000,"
                     "\"etag\":\"-\"}\n");
    json_decref(json_line(out, n));
}

/* The crash of issue 13: a 4 KB method overflowed the line on the stack. */
Test(log, long_method_is_cut_and_marked)
{
    char *method = malloc(4061);
    memset(method, 'X', 4060);
    method[4060] = '\0';
    size_t n = access_line(PR_LOG_JSON, method, "/");
    json_t *j = json_line(out, n);
    const char *m = member(j, "method");
    cr_assert_lt(strlen(m), 200);
    cr_assert_eq(strcmp(m + strlen(m) - 3, "..."), 0, "%s", m);
    cr_assert_str_eq(member(j, "path"), "/");
    cr_assert_eq(json_integer_value(json_object_get(j, "status")), 400);
    cr_assert(json_is_true(json_object_get(j, "truncated")));
    json_decref(j);

    n = access_line(PR_LOG_PLAIN, method, "/");
    assert_one_line(out, n);
    cr_assert(strstr(out, "XXX... / 400 123 0.250000 -\n"), "%s", out);
    free(method);
}

Test(log, control_bytes_escaped_within_bounds)
{
    char method[701];
    for (size_t i = 0; i < 700; i++)
        method[i] = (char)(1 + i % 31);
    method[700] = '\0';
    for (int f = 0; f < 2; f++) {
        size_t n = access_line(f ? PR_LOG_JSON : PR_LOG_PLAIN, method, "/a\nb\r\x1b[2J");
        assert_one_line(out, n);
        if (f) {
            json_t *j = json_line(out, n);
            cr_assert_str_eq(member(j, "path"), "/a\nb\r\x1b[2J");
            cr_assert_eq(strncmp(member(j, "method"), method, 20), 0);
            cr_assert(json_is_true(json_object_get(j, "truncated")));
            json_decref(j);
        } else {
            cr_assert(strstr(out, " /a\\x0ab\\x0d\\x1b[2J 400 "), "%s", out);
        }
    }
}

/* Issue 13: a path that is not UTF-8 went into JSON lines raw. */
Test(log, bytes_not_utf8)
{
    size_t n = access_line(PR_LOG_JSON, "GET",
                           "/v1/services/\xff"
                           "x");
    json_t *j = json_line(out, n);
    cr_assert_str_eq(member(j, "path"), "/v1/services/\xef\xbf\xbd"
                                        "x");
    cr_assert_null(json_object_get(j, "truncated"));
    json_decref(j);
    n = access_line(PR_LOG_PLAIN, "GET",
                    "/v1/services/\xff"
                    "x");
    assert_one_line(out, n);
    cr_assert(strstr(out, " /v1/services/\\xffx "), "%s", out);

    /* overlong, surrogate, above U+10FFFF, cut sequence: each refused */
    const char *bad[] = {"\xc0\xaf",         "\xe0\x80\xaf", "\xed\xa0\x80",
                         "\xf4\x90\x80\x80", "\xe2\x82",     "\xf0\x9f\x98"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        n = access_line(PR_LOG_JSON, "GET", bad[i]);
        j = json_line(out, n);
        const char *p = member(j, "path");
        cr_assert_eq(strncmp(p, "\xef\xbf\xbd", 3), 0, "case %zu: %s", i, p);
        json_decref(j);
        n = access_line(PR_LOG_PLAIN, "GET", bad[i]);
        assert_one_line(out, n);
    }
    /* well-formed characters pass unchanged; a C1 control is escaped */
    n = access_line(PR_LOG_JSON, "GET", "/caf\xc3\xa9/\xe2\x82\xac/\xf0\x9f\x98\x80/\xc2\x9b");
    j = json_line(out, n);
    cr_assert_str_eq(member(j, "path"), "/caf\xc3\xa9/\xe2\x82\xac/\xf0\x9f\x98\x80/\xc2\x9b");
    cr_assert(strstr(out, "\\u009b"), "%s", out);
    json_decref(j);
    n = access_line(PR_LOG_PLAIN, "GET", "/caf\xc3\xa9/\xc2\x9b");
    cr_assert(strstr(out, " /caf\xc3\xa9/\\xc2\\x9b "), "%s", out);
}

/* A cut falls between characters and escapes, never inside one. */
Test(log, cut_on_a_character_boundary)
{
    for (size_t pad = 0; pad < 8; pad++) {
        char path[9000];
        size_t len = 0;
        for (size_t i = 0; i < pad; i++)
            path[len++] = 'a';
        while (len + 4 < sizeof path) {
            memcpy(path + len, len % 3 ? "\xc3\xa9" : "\x01", len % 3 ? 2 : 1);
            len += len % 3 ? 2 : 1;
        }
        path[len] = '\0';
        for (int f = 0; f < 2; f++) {
            size_t n = access_line(f ? PR_LOG_JSON : PR_LOG_PLAIN, "GET", path);
            assert_one_line(out, n);
            if (f) {
                json_t *j = json_line(out, n);
                const char *p = member(j, "path");
                cr_assert_eq(strcmp(p + strlen(p) - 3, "..."), 0);
                cr_assert_eq(json_integer_value(json_object_get(j, "bytes")), 123);
                json_decref(j);
            } else {
                cr_assert(strstr(out, "... 400 123 0.250000 -\n"), "%s", out);
            }
        }
    }
}

Test(log, odd_numbers_and_null_fields)
{
    pr_access a = {NULL, NULL, -2147483647 - 1, (size_t)1 << 52, 1e300, NULL};
    size_t n = pr_log_format_access(out, PR_LOG_JSON, NULL, &a);
    json_t *j = json_line(out, n);
    cr_assert_str_eq(member(j, "method"), "-");
    cr_assert_eq(json_integer_value(json_object_get(j, "status")), -2147483647 - 1);
    cr_assert_eq(json_real_value(json_object_get(j, "duration")), 1e9);
    json_decref(j);
    a.seconds = -1.0 / 0.0;
    n = pr_log_format_access(out, PR_LOG_PLAIN, NULL, &a);
    assert_one_line(out, n);
    cr_assert(strstr(out, " 0.000000 -\n"), "%s", out);
}

Test(log, messages)
{
    char message[1024];
    memset(message, 'm', sizeof message - 1);
    message[sizeof message - 1] = '\0';
    message[10] = '\n';
    message[11] = '\xff';
    size_t n = pr_log_format_message(out, PR_LOG_JSON, time_text, PR_LOG_WARN, message);
    json_t *j = json_line(out, n);
    cr_assert_str_eq(member(j, "level"), "warn");
    cr_assert_eq(strncmp(member(j, "msg"), "mmmmmmmmmm\n\xef\xbf\xbdmm", 15), 0);
    json_decref(j);
    n = pr_log_format_message(out, PR_LOG_PLAIN, time_text, PR_LOG_ERROR, "a b\nforged");
    cr_assert_str_eq(out, "2026-11-29T12:00:00.000Z error portreg: a b\\x0aforged\n");
    /* escapes of six bytes each overflow the message's share: cut, marked */
    memset(message, '\x01', sizeof message - 1);
    n = pr_log_format_message(out, PR_LOG_JSON, time_text, PR_LOG_INFO, message);
    j = json_line(out, n);
    cr_assert(json_is_true(json_object_get(j, "truncated")));
    json_decref(j);
}

/* Many random fields, of every byte and length: the shape holds for each. */
Test(log, random_fields)
{
    uint64_t state = 0x9e3779b97f4a7c15u;
    char *method = malloc(6001), *path = malloc(6001);
    for (int round = 0; round < 3000; round++) {
        char *fields[] = {method, path};
        for (int k = 0; k < 2; k++) {
            state = state * 6364136223846793005u + 1442695040888963407u;
            size_t len = (size_t)(state >> 33) % (round % 10 == 0 ? 6000 : 80);
            for (size_t i = 0; i < len; i++) {
                state = state * 6364136223846793005u + 1442695040888963407u;
                unsigned char c = (unsigned char)(state >> 56);
                fields[k][i] = (char)(c ? c : 'z');
            }
            fields[k][len] = '\0';
        }
        pr_access a = {method, path, 200, (size_t)round, 0.001, "miss"};
        size_t n = pr_log_format_access(out, PR_LOG_JSON, time_text, &a);
        json_t *j = json_line(out, n);
        cr_assert_eq(json_integer_value(json_object_get(j, "status")), 200);
        cr_assert_eq(json_integer_value(json_object_get(j, "bytes")), round);
        cr_assert_str_eq(member(j, "etag"), "miss");
        json_decref(j);
        n = pr_log_format_access(out, PR_LOG_PLAIN, time_text, &a);
        assert_one_line(out, n);
        size_t words = 1;
        for (size_t i = 0; i + 1 < n; i++)
            words += out[i] == ' ';
        cr_assert_eq(words, 8, "a field holds a space: %s", out);
    }
    free(method);
    free(path);
}

/* test_framing.c: the RFC 9112 framing checks (server/framing.c) on field
 * lines as libmicrohttpd hands them over. */
#include <criterion/criterion.h>
#include <string.h>

#include "framing.h"

/* Feeds "Name: value" lines (the value as libmicrohttpd keeps it, leading
 * whitespace gone) and returns the verdict. */
static const char *verdict(bool http11, const char *const *lines, pr_framing *f)
{
    pr_framing_init(f);
    for (size_t i = 0; lines[i]; i++) {
        const char *colon = strchr(lines[i], ':');
        cr_assert_not_null(colon);
        const char *value = colon + 1;
        value += strspn(value, " \t");
        pr_framing_field(f, lines[i], (size_t)(colon - lines[i]), value, strlen(value));
    }
    return pr_framing_verdict(f, http11);
}

#define LINES(...) ((const char *const[]){__VA_ARGS__, NULL})

Test(framing, sound_requests)
{
    pr_framing f;
    cr_assert_null(verdict(true, LINES("Host: x"), &f));
    cr_assert_not(pr_framing_has_body(&f));
    cr_assert_null(verdict(true, LINES("Host: x:8080", "Content-Length: 00"), &f));
    cr_assert_not(pr_framing_has_body(&f), "00 is zero");
    cr_assert_null(verdict(true, LINES("Host: [::1]:80", "Content-Length: 12 "), &f));
    cr_assert(pr_framing_has_body(&f));
    cr_assert_eq(f.length, 12);
    cr_assert_null(verdict(true, LINES("host: x", "Transfer-Encoding: CHUNKED"), &f));
    cr_assert(pr_framing_has_body(&f));
    cr_assert_null(verdict(false, LINES("Accept: */*"), &f), "HTTP/1.0 needs no Host");
    cr_assert_null(verdict(true, LINES("Host: ", "X-A: 1"), &f), "an empty Host is allowed");
    cr_assert_null(verdict(true, LINES("Host: x", "Content-Length: 5", "Content-Length: 005"), &f),
                   "equal lengths repeated");
    cr_assert_null(verdict(true, LINES("Host: x", "Content-Length: 18446744073709551615"), &f));
    cr_assert_eq(f.length, UINT64_MAX);
}

Test(framing, refused)
{
    pr_framing f;
    static const struct {
        bool http11;
        const char *lines[4];
        const char *says;
    } cases[] = {
        {true, {"Host: x", "Content-Length: 1", "Transfer-Encoding: chunked"}, "6.1"},
        {true, {"Host: x", "Transfer-Encoding: chunked", "Content-Length: 0"}, "6.1"},
        {true, {"Host: x", "Content-Length: 0", "Content-Length: 1"}, "differ"},
        {true, {"Host: x", "Content-Length: 1, 1"}, "decimal"},
        {true, {"Host: x", "Content-Length: -1"}, "decimal"},
        {true, {"Host: x", "Content-Length: "}, "decimal"},
        {true, {"Host: x", "Content-Length: 18446744073709551616"}, "decimal"},
        {true, {"Host: x", "Transfer-Encoding: gzip, chunked"}, "chunked"},
        {true, {"Host: x", "Transfer-Encoding: chunked, gzip"}, "chunked"},
        {true, {"Host: x", "Transfer-Encoding: xchunked"}, "chunked"},
        {true, {"Host: x", "Transfer-Encoding: chunked", "Transfer-Encoding: chunked"}, "chunked"},
        {false, {"Transfer-Encoding: identity"}, "chunked"},
        {true, {"Host: x", "Content-Length : 5"}, "5.1"},
        {true, {"Host: x", "Content-Length\t: 5"}, "5.1"},
        {true, {"Host: x", "X(y): 5"}, "5.1"},
        {true, {"Accept: */*"}, "without a Host"},
        {true, {"Host: a", "Host: a"}, "more than one Host"},
        {false, {"Host: a", "Host: b"}, "more than one Host"},
        {true, {"Host: a b"}, "not a host"},
        {true, {"Host: a/b"}, "not a host"},
        {true, {"Host: a@b"}, "not a host"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const char *lines[5] = {0};
        memcpy(lines, cases[i].lines, sizeof cases[i].lines);
        const char *v = verdict(cases[i].http11, lines, &f);
        cr_assert_not_null(v, "case %zu passed", i);
        cr_assert(strstr(v, cases[i].says), "case %zu: %s", i, v);
    }
    /* a name libmicrohttpd could not give (NULL) is refused, not read */
    pr_framing_init(&f);
    pr_framing_field(&f, NULL, 0, "x", 1);
    cr_assert_not_null(pr_framing_verdict(&f, false));
}

Test(framing, targets)
{
    cr_assert_null(pr_framing_target("/v1/ports/22?x=%00", 18, 18));
    cr_assert_null(pr_framing_target("http://h/\xc3\xa9", 11, 11), "bytes over 0x7f pass");
    cr_assert_not_null(pr_framing_target("/v1/ports/2", 11, 13), "a raw NUL shortened it");
    const char bad[] = {' ', '\t', '\x01', '\x1f', '\x7f'};
    for (size_t i = 0; i < sizeof bad; i++) {
        char t[] = "/v1/ports/2x";
        t[11] = bad[i];
        cr_assert_not_null(pr_framing_target(t, 12, 12), "byte 0x%02x", (unsigned char)bad[i]);
    }
}

Test(framing, query_fields_are_counted_as_libmicrohttpd_splits_them)
{
    cr_assert_eq(pr_framing_query_fields("/v1/ports/22", 12), 0);
    cr_assert_eq(pr_framing_query_fields("/v1/ports/22?", 13), 1);
    cr_assert_eq(pr_framing_query_fields("/v1/search?q=a&limit=2", 22), 2);
    cr_assert_eq(pr_framing_query_fields("/x?&&&", 6), 4, "empty fields count");
    cr_assert_eq(pr_framing_query_fields("/x&y?a", 6), 1, "'&' before the '?' is the path's");
    cr_assert_eq(pr_framing_query_fields("/x?a?b&c", 8), 2, "only the first '?' splits");
}

Test(framing, query_budget_leaves_the_pool_room)
{
    cr_assert_eq(pr_framing_query_budget(32768, 100), PR_FRAMING_MAX_QUERY_FIELDS);
    cr_assert_eq(pr_framing_query_budget(32768, 7870), PR_FRAMING_MAX_QUERY_FIELDS);
    /* a 8 KiB pool: half of it is the read buffer, the rest 64 fields */
    cr_assert_eq(pr_framing_query_budget(8192, 100), PR_FRAMING_MAX_QUERY_FIELDS);
    cr_assert_lt(pr_framing_query_budget(8192, 6000), 20);
    cr_assert_eq(pr_framing_query_budget(32768, 30000), 0);
    cr_assert_eq(pr_framing_query_budget(32768, 32768), 0);
    cr_assert_eq(pr_framing_query_budget(0, 0), 0);
    /* every budget, times a field's record, fits beside the longest line */
    for (size_t limit = 8192; limit <= 1048576; limit *= 2)
        for (size_t len = 0; len <= limit; len += 97) {
            size_t fit = pr_framing_query_budget(limit, len);
            cr_assert_leq(fit, PR_FRAMING_MAX_QUERY_FIELDS);
            if (fit > 0)
                cr_assert_leq(len + len / 8 + fit * 56, limit, "%zu, %zu", limit, len);
        }
}

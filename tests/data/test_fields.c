/* The typed-cell parsers of fields.c, the UTF-8 check of csv_table.c, the
 * date helpers of types.c, and the error formatting of error.c. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "csv_table.h"
#include "error.h"
#include "fields.h"
#include "registry.h"
#include "util.h"

LEAK_CHECKED_SUITE(port);
LEAK_CHECKED_SUITE(proto);
LEAK_CHECKED_SUITE(date);
LEAK_CHECKED_SUITE(ids);
LEAK_CHECKED_SUITE(references);
LEAK_CHECKED_SUITE(service_code);
LEAK_CHECKED_SUITE(utf8);
LEAK_CHECKED_SUITE(error);

/* ---- ports ---- */

typedef struct port_result {
    bool ok, has;
    uint16_t first, last;
    char why[256];
} port_result;

static port_result port(const char *text)
{
    /* poisoned, so that a parser that forgets an output is caught */
    port_result r = {.has = true, .first = 7, .last = 7};
    r.ok = pr_parse_port_cell(text, strlen(text), &r.has, &r.first, &r.last, r.why, sizeof r.why);
    return r;
}

static void assert_port(const char *text, uint16_t first, uint16_t last)
{
    port_result r = port(text);
    cr_assert(r.ok, "%s rejected: %s", text, r.why);
    cr_assert(r.has, "%s", text);
    cr_assert_eq(r.first, first, "%s", text);
    cr_assert_eq(r.last, last, "%s", text);
}

static void assert_port_error(const char *text, const char *why)
{
    port_result r = port(text);
    cr_assert_not(r.ok, "%s accepted", text);
    cr_assert_str_eq(r.why, why);
}

Test(port, empty_is_no_port)
{
    port_result r = port("");
    cr_assert(r.ok);
    cr_assert_not(r.has);
}

Test(port, single_ports_at_the_bounds)
{
    assert_port("0", 0, 0);
    assert_port("65535", 65535, 65535);
    assert_port("3493", 3493, 3493);
}

Test(port, ranges)
{
    assert_port("5255-5263", 5255, 5263);
    assert_port("4748-4748", 4748, 4748);
    assert_port("0-65535", 0, 65535);
}

Test(port, out_of_range)
{
    assert_port_error("65536", "\"65536\" is not a port (0-65535)");
    assert_port_error("70000", "\"70000\" is not a port (0-65535)");
    assert_port_error("1-70000", "\"1-70000\" is not a port (0-65535)");
    /* too many digits for the parser is still a number, just too big */
    assert_port_error("123456789012", "\"123456789012\" is not a port (0-65535)");
}

Test(port, reversed_range)
{
    assert_port_error("12-5", "\"12-5\" is a reversed range: its first port is above its last");
    assert_port_error("4749-4748",
                      "\"4749-4748\" is a reversed range: its first port is above its last");
}

Test(port, not_a_number)
{
    static const char *const bad[] = {"abc",   "1-",  "-1",  "-",   "1--2",
                                      "1-2-3", " 80", "80 ", "+80", "0x50"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char want[128];
        snprintf(want, sizeof want, "\"%s\" is not a port number or range (N or N-M)", bad[i]);
        assert_port_error(bad[i], want);
    }
}

Test(port, reads_only_len_bytes)
{
    bool has;
    uint16_t a, b;
    char why[64];
    cr_assert(pr_parse_port_cell("80-90", 2, &has, &a, &b, why, sizeof why));
    cr_assert_eq(a, 80);
    cr_assert_eq(b, 80);
}

Test(port, message_is_cut_to_the_buffer)
{
    bool has;
    uint16_t a, b;
    char why[8];
    memset(why, '#', sizeof why);
    cr_assert_not(pr_parse_port_cell("70000", 5, &has, &a, &b, why, sizeof why));
    cr_assert_eq(strlen(why), sizeof why - 1);
}

/* ---- protocols ---- */

Test(proto, the_four_and_empty)
{
    static const struct {
        const char *text;
        enum pr_proto proto;
    } ok[] = {{"", PR_PROTO_NONE},
              {"tcp", PR_PROTO_TCP},
              {"udp", PR_PROTO_UDP},
              {"sctp", PR_PROTO_SCTP},
              {"dccp", PR_PROTO_DCCP}};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        enum pr_proto p = PR_PROTO_COUNT;
        char why[128];
        cr_assert(pr_parse_proto_cell(ok[i].text, strlen(ok[i].text), &p, why, sizeof why), "%s",
                  ok[i].text);
        cr_assert_eq(p, ok[i].proto, "%s", ok[i].text);
    }
}

/* The cell is exact, as IANA writes it; pr_proto_parse (for queries) is not. */
Test(proto, cell_is_exact)
{
    static const char *const bad[] = {"TCP", "tc", "tcpx", "tcp ", "quic", "ddp"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        enum pr_proto p;
        char why[128], want[128];
        cr_assert_not(pr_parse_proto_cell(bad[i], strlen(bad[i]), &p, why, sizeof why), "%s",
                      bad[i]);
        snprintf(want, sizeof want,
                 "\"%s\" is not a transport protocol (tcp, udp, sctp, dccp or empty)", bad[i]);
        cr_assert_str_eq(why, want);
    }
    enum pr_proto p = PR_PROTO_NONE;
    cr_assert(pr_proto_parse("TCP", 3, &p));
    cr_assert_eq(p, PR_PROTO_TCP);
    cr_assert_not(pr_proto_parse("", 0, &p));
    cr_assert_str_eq(pr_proto_name(PR_PROTO_SCTP), "sctp");
    cr_assert_str_eq(pr_proto_name(PR_PROTO_NONE), "");
}

/* ---- dates ---- */

static pr_date date(const char *text, bool *ok)
{
    pr_date d = {9999, 99, 99};
    char why[128];
    *ok = pr_parse_date_cell(text, strlen(text), &d, why, sizeof why);
    return d;
}

static void assert_date(const char *text, unsigned y, unsigned m, unsigned d)
{
    bool ok;
    pr_date got = date(text, &ok);
    cr_assert(ok, "%s rejected", text);
    cr_assert_eq(got.year, y, "%s", text);
    cr_assert_eq(got.month, m, "%s", text);
    cr_assert_eq(got.day, d, "%s", text);
}

static void assert_not_date(const char *text)
{
    pr_date d;
    char why[128], want[128];
    cr_assert_not(pr_parse_date_cell(text, strlen(text), &d, why, sizeof why), "%s accepted", text);
    snprintf(want, sizeof want, "\"%s\" is not a date (YYYY, YYYY-MM or YYYY-MM-DD)", text);
    cr_assert_str_eq(why, want);
}

Test(date, three_precisions)
{
    assert_date("", 0, 0, 0);
    assert_date("2002", 2002, 0, 0);
    assert_date("2002-05", 2002, 5, 0);
    assert_date("2022-05-18", 2022, 5, 18);
    assert_date("1999-12-31", 1999, 12, 31);
}

Test(date, calendar_bounds)
{
    assert_date("2024-02-29", 2024, 2, 29);
    assert_date("2000-02-29", 2000, 2, 29);
    assert_not_date("2023-02-29");
    assert_not_date("1900-02-29");
    assert_not_date("2023-04-31");
    assert_not_date("2023-01-32");
    assert_not_date("2023-01-00");
    assert_not_date("2002-13");
    assert_not_date("2002-00");
    assert_not_date("0000");
}

Test(date, shapes)
{
    assert_not_date("2002-5");
    assert_not_date("2002-05-1");
    assert_not_date("02-05-18");
    assert_not_date("2002/05");
    assert_not_date("2002-05-18 ");
    assert_not_date("20020518");
    assert_not_date("200a");
}

Test(date, format_round_trips_and_compares)
{
    static const char *const texts[] = {"", "2002", "2002-05", "2022-05-18"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        bool ok;
        char buf[11];
        pr_date d = date(texts[i], &ok);
        cr_assert_str_eq(pr_date_format(d, buf), texts[i]);
    }
    bool ok;
    pr_date absent = date("", &ok), y = date("2002", &ok), ym = date("2002-05", &ok),
            ymd = date("2002-05-01", &ok), later = date("2003", &ok);
    cr_assert_lt(pr_date_cmp(absent, y), 0);
    cr_assert_lt(pr_date_cmp(y, ym), 0);
    cr_assert_lt(pr_date_cmp(ym, ymd), 0);
    cr_assert_gt(pr_date_cmp(later, ymd), 0);
    cr_assert_eq(pr_date_cmp(ymd, ymd), 0);
}

/* ---- ID and reference lists ---- */

typedef struct list_result {
    bool ok;
    size_t count;
    pr_text_span spans[PR_MAX_IDS_PER_CELL];
    char why[256];
} list_result;

static list_result ids(const char *text)
{
    list_result r = {.count = 99};
    r.ok = pr_parse_id_list(text, strlen(text), r.spans, PR_MAX_IDS_PER_CELL, &r.count, r.why,
                            sizeof r.why);
    return r;
}

static void assert_span(const char *text, pr_text_span span, const char *want)
{
    cr_assert_eq(span.len, strlen(want));
    cr_assert_eq(memcmp(text + span.offset, want, span.len), 0, "want %s", want);
}

Test(ids, two_ids)
{
    const char *text = "[Vera_Heinau][Heiko_Schlichting]";
    list_result r = ids(text);
    cr_assert(r.ok, "%s", r.why);
    cr_assert_eq(r.count, 2);
    assert_span(text, r.spans[0], "Vera_Heinau");
    assert_span(text, r.spans[1], "Heiko_Schlichting");
}

Test(ids, empty_cell_and_odd_ids)
{
    list_result r = ids("");
    cr_assert(r.ok);
    cr_assert_eq(r.count, 0);
    /* the ID is the whole string between brackets, '_' and spaces included */
    const char *text = "[_3GPP][Jon Postel]";
    r = ids(text);
    cr_assert(r.ok);
    cr_assert_eq(r.count, 2);
    assert_span(text, r.spans[0], "_3GPP");
    assert_span(text, r.spans[1], "Jon Postel");
}

Test(ids, malformed)
{
    static const struct {
        const char *text, *why;
    } bad[] = {
        {"[A]B", "\"[A]B\" is not a list of [ID]s: expected '[' at character 4"},
        {"[A] [B]", "\"[A] [B]\" is not a list of [ID]s: expected '[' at character 4"},
        {"A", "\"A\" is not a list of [ID]s: expected '[' at character 1"},
        {"[]", "\"[]\" is not a list of [ID]s: empty brackets at character 1"},
        {"[A][]", "\"[A][]\" is not a list of [ID]s: empty brackets at character 4"},
        {"[A", "\"[A\" is not a list of [ID]s: '[' at character 1 is not closed"},
        {"[A[B]", "\"[A[B]\" is not a list of [ID]s: '[' at character 1 is not closed"},
        {"[A\tB]", "\"[A\\x09B]\" is not a list of [ID]s: control character at character 3"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        list_result r = ids(bad[i].text);
        cr_assert_not(r.ok, "%s accepted", bad[i].text);
        cr_assert_str_eq(r.why, bad[i].why);
    }
}

Test(ids, length_limit)
{
    char text[PR_MAX_ID_BYTES + 4];
    text[0] = '[';
    memset(text + 1, 'x', PR_MAX_ID_BYTES);
    text[PR_MAX_ID_BYTES + 1] = ']';
    text[PR_MAX_ID_BYTES + 2] = '\0';
    list_result r = ids(text);
    cr_assert(r.ok, "an ID of exactly the limit must pass: %s", r.why);

    text[PR_MAX_ID_BYTES + 1] = 'x';
    text[PR_MAX_ID_BYTES + 2] = ']';
    text[PR_MAX_ID_BYTES + 3] = '\0';
    r = ids(text);
    cr_assert_not(r.ok);
    /* the quote shows the first 40 bytes of the cell, then marks the cut */
    char want[160];
    snprintf(want, sizeof want,
             "\"%.40s\"... is not a list of [ID]s: item at character 1 is over 128 bytes", text);
    cr_assert_str_eq(r.why, want);
}

Test(ids, count_limit)
{
    char text[3 * (PR_MAX_IDS_PER_CELL + 1) + 1] = "";
    for (int i = 0; i < PR_MAX_IDS_PER_CELL; i++)
        strcat(text, "[a]");
    list_result r = ids(text);
    cr_assert(r.ok, "%s", r.why);
    cr_assert_eq(r.count, PR_MAX_IDS_PER_CELL);

    strcat(text, "[a]");
    r = ids(text);
    cr_assert_not(r.ok);
    cr_assert(strstr(r.why, "is not a list of [ID]s: more than 64 items") != NULL, "%s", r.why);
}

Test(references, section_and_footnote)
{
    const char *text = "[RFC8765, Section 6.1][1]";
    pr_text_span spans[4];
    size_t n = 0;
    char why[256];
    cr_assert(pr_parse_reference_list(text, strlen(text), spans, 4, &n, why, sizeof why), "%s",
              why);
    cr_assert_eq(n, 2);
    assert_span(text, spans[0], "RFC8765, Section 6.1");
    assert_span(text, spans[1], "1");
}

Test(references, malformed)
{
    const char *text = "[RFC9271] [1]";
    pr_text_span spans[4];
    size_t n;
    char why[256];
    cr_assert_not(pr_parse_reference_list(text, strlen(text), spans, 4, &n, why, sizeof why));
    cr_assert_str_eq(
        why, "\"[RFC9271] [1]\" is not a list of [reference]s: expected '[' at character 10");
}

/* ---- service codes ---- */

Test(service_code, bounds)
{
    static const struct {
        const char *text;
        bool has;
        uint32_t value;
    } ok[] = {{"", false, 0},
              {"0", true, 0},
              {"1145656131", true, 1145656131u},
              {"4294967295", true, 4294967295u}};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        bool has = !ok[i].has;
        uint32_t v = 12345;
        char why[128];
        cr_assert(pr_parse_service_code(ok[i].text, strlen(ok[i].text), &has, &v, why, sizeof why),
                  "%s", ok[i].text);
        cr_assert_eq(has, ok[i].has, "%s", ok[i].text);
        cr_assert_eq(v, ok[i].value, "%s", ok[i].text);
    }
}

Test(service_code, rejects)
{
    static const char *const bad[] = {"4294967296", "99999999999", "12a", "-1", " 1", "0x10"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        bool has;
        uint32_t v;
        char why[128], want[128];
        cr_assert_not(pr_parse_service_code(bad[i], strlen(bad[i]), &has, &v, why, sizeof why),
                      "%s", bad[i]);
        snprintf(want, sizeof want, "\"%s\" is not a service code (a decimal 0-4294967295)",
                 bad[i]);
        cr_assert_str_eq(why, want);
    }
}

/* ---- UTF-8 ---- */

static void assert_utf8_bad(const char *text, size_t len, size_t at)
{
    size_t bad_at = 999;
    cr_assert_not(pr_utf8_valid(text, len, &bad_at), "accepted at %zu", at);
    cr_assert_eq(bad_at, at);
}

Test(utf8, valid)
{
    /* one to four bytes, and the highest code point */
    static const char ok[] = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf";
    cr_assert(pr_utf8_valid(ok, sizeof ok - 1, NULL));
    cr_assert(pr_utf8_valid("", 0, NULL));
    /* NUL is a character like any other */
    cr_assert(pr_utf8_valid("a\0b", 3, NULL));
}

Test(utf8, invalid)
{
    assert_utf8_bad("ab\xff", 3, 2);
    assert_utf8_bad("Sch\xf6n", 5, 3);          /* Latin-1 */
    assert_utf8_bad("x\xc0\xaf", 3, 1);         /* overlong '/' */
    assert_utf8_bad("x\xe0\x80\xaf", 4, 1);     /* overlong, three bytes */
    assert_utf8_bad("x\xf0\x80\x80\xaf", 5, 1); /* overlong, four bytes */
    assert_utf8_bad("\xed\xa0\x80", 3, 0);      /* surrogate U+D800 */
    assert_utf8_bad("\xf4\x90\x80\x80", 4, 0);  /* above U+10FFFF */
    assert_utf8_bad("\x80", 1, 0);              /* lone continuation */
    assert_utf8_bad("\xe2\x82x", 3, 0);         /* continuation missing */
    assert_utf8_bad("ok\xe2\x82", 4, 2);        /* cut at the end of the field */
}

Test(utf8, cut_never_splits_a_character)
{
    /* every character width, at the start, the middle and the end */
    static const char text[] = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80z\xf4\x8f\xbf\xbf";
    /* where each character of text starts, and its end */
    static const size_t starts[] = {0, 1, 3, 6, 10, 11, 15};
    size_t len = sizeof text - 1;
    for (size_t cut = 0; cut <= len; cut++) {
        size_t kept = pr_utf8_cut(text, cut);
        /* the longest character start at or before cut */
        size_t want = 0;
        for (size_t i = 0; i < sizeof starts / sizeof *starts; i++)
            if (starts[i] <= cut)
                want = starts[i];
        cr_assert_eq(kept, want, "cut at %zu kept %zu, not %zu", cut, kept, want);
        cr_assert(pr_utf8_valid(text, kept, NULL), "cut at %zu", cut);
    }
    cr_assert_eq(pr_utf8_cut("", 0), 0);
    cr_assert_eq(pr_utf8_cut("abc", 3), 3, "ASCII is never cut back");
}

/* ---- error values ---- */

Test(error, a_long_text_is_cut_between_characters)
{
    /* a text of euro signs (three bytes each) longer than any member */
    char text[2048] = "";
    for (int i = 0; i < 600; i++)
        strcat(text, "\xe2\x82\xac");
    for (size_t lead = 0; lead < 3; lead++) {
        pr_error err;
        pr_error_set(&err, text, 1, text, "%.*s%s", (int)lead, "xx", text);
        cr_assert(pr_utf8_valid(err.file, strlen(err.file), NULL), "file, %zu", lead);
        cr_assert(pr_utf8_valid(err.field, strlen(err.field), NULL), "field, %zu", lead);
        cr_assert(pr_utf8_valid(err.text, strlen(err.text), NULL), "text, %zu", lead);
        cr_assert_geq(strlen(err.text), sizeof err.text - 3, "cut as late as it can be");
    }
}

Test(error, format_leaves_out_absent_parts)
{
    pr_error err;
    char buf[128];
    pr_error_set(&err, "x.csv", 3, "Port Number", "%s", "bad");
    cr_assert_str_eq(pr_error_format(&err, buf, sizeof buf), "x.csv:3: Port Number: bad");
    pr_error_set(&err, "x.csv", 0, NULL, "cannot open");
    cr_assert_str_eq(pr_error_format(&err, buf, sizeof buf), "x.csv: cannot open");
    pr_error_set(&err, NULL, 7, "ID", "bad");
    cr_assert_str_eq(pr_error_format(&err, buf, sizeof buf), "ID: bad");
    pr_error_clear(&err);
    cr_assert_str_eq(pr_error_format(&err, buf, sizeof buf), "");
}

Test(error, format_truncates_safely)
{
    pr_error err;
    pr_error_set(&err, "service-names-port-numbers.csv", 12, "Port Number", "long text");
    char buf[10];
    memset(buf, '#', sizeof buf);
    pr_error_format(&err, buf, sizeof buf);
    cr_assert_str_eq(buf, "service-n");
    pr_error_set(NULL, "x", 1, "y", "no crash on NULL");
}

Test(error, quote_escapes_and_cuts)
{
    char buf[64];
    cr_assert_str_eq(pr_error_quote("a\"b\\c\n\xc3\xa9", 8, 40, buf, sizeof buf),
                     "\"a\\\"b\\\\c\\x0a\\xc3\\xa9\"");
    cr_assert_str_eq(pr_error_quote("abcdef", 6, 3, buf, sizeof buf), "\"abc\"...");
    /* a small buffer still ends with the quote, the cut mark and a NUL */
    char small[12];
    pr_error_quote("abcdefghijklmnop", 16, 40, small, sizeof small);
    cr_assert_str_eq(small, "\"abc\"...");
}

/* Conditional requests and HTTP-dates (RFC 9110 13.1.2, 13.2.2, 5.6.7, 8.8.3). */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "conditional.h"

#define TAG "\"0123456789abcdef0123456789abcdef\""

/* RFC 9110 5.6.7's example instant, 1994-11-06 08:49:37 UTC */
#define EXAMPLE_TIME INT64_C(784111777)

Test(if_none_match, exact_strong_tag)
{
    cr_assert(pr_if_none_match(TAG, TAG));
    cr_assert_not(pr_if_none_match("\"0123456789abcdef0123456789abcdee\"", TAG));
}

Test(if_none_match, weak_comparison_ignores_w_on_either_side)
{
    cr_assert(pr_if_none_match("W/" TAG, TAG), "W/ in the field");
    cr_assert(pr_if_none_match(TAG, "W/" TAG), "W/ on our tag");
    cr_assert(pr_if_none_match("W/" TAG, "W/" TAG), "W/ on both");
    /* the W/ is a prefix outside the quotes, not part of the opaque tag */
    cr_assert_not(pr_if_none_match("\"W/x\"", "\"x\""));
}

Test(if_none_match, list_with_whitespace_and_empty_elements)
{
    cr_assert(pr_if_none_match("\"a\", , W/\"b\"", "\"b\""));
    cr_assert(pr_if_none_match("\"a\", , W/\"b\"", "\"a\""));
    cr_assert(pr_if_none_match(" ,\t\"x\" ,\"y\"\t, ", "\"y\""));
    cr_assert(pr_if_none_match(",,\"z\",,", "\"z\""));
    cr_assert_not(pr_if_none_match("\"a\", , W/\"b\"", "\"c\""));
}

Test(if_none_match, star_matches_any_current_representation)
{
    cr_assert(pr_if_none_match("*", TAG));
    cr_assert(pr_if_none_match(" * ", "\"anything\""));
    /* "*" is only valid alone; a list holding it is malformed */
    cr_assert_not(pr_if_none_match("*, \"a\"", "\"b\""));
    cr_assert_not(pr_if_none_match("\"*\"", "\"a\""), "a quoted star is an ordinary tag");
}

Test(if_none_match, no_match_and_empty_field)
{
    cr_assert_not(pr_if_none_match("", TAG));
    cr_assert_not(pr_if_none_match("  ", TAG));
    cr_assert_not(pr_if_none_match(" , ,", TAG));
    cr_assert_not(pr_if_none_match("\"abc\"", "\"abcd\""), "a prefix is not a match");
    cr_assert_not(pr_if_none_match("\"abcd\"", "\"abc\""));
}

Test(if_none_match, malformed_member_stops_the_scan)
{
    /* members before the bad one still count ... */
    cr_assert(pr_if_none_match("\"a\", b, \"c\"", "\"a\""));
    /* ... and nothing after it is trusted */
    cr_assert_not(pr_if_none_match("\"a\", b, \"c\"", "\"c\""), "unquoted member");
    cr_assert_not(pr_if_none_match("\"abc", "\"abc\""), "missing closing quote");
    cr_assert_not(pr_if_none_match("\"a\", \"c", "\"c\""), "missing closing quote after a member");
    cr_assert_not(pr_if_none_match("\"a b\"", "\"a b\""), "a space is not an etagc");
    cr_assert_not(pr_if_none_match("\"a\" \"b\"", "\"b\""), "members need a comma between them");
    cr_assert_not(pr_if_none_match("W/ \"b\"", "\"b\""), "W/ must touch the quote");
    cr_assert_not(pr_if_none_match("w/\"b\"", "\"b\""), "the weak prefix is case-sensitive");
}

Test(if_none_match, etagc_accepts_obs_text)
{
    cr_assert(pr_if_none_match("\"caf\xc3\xa9\"", "\"caf\xc3\xa9\""));
    cr_assert_not(pr_if_none_match("\"a\x7f\"", "\"a\x7f\""), "DEL is not an etagc");
}

Test(not_modified, if_none_match_decides_alone)
{
    const char *later = "Mon, 01 Jan 2035 00:00:00 GMT";
    cr_assert(pr_not_modified(TAG, NULL, TAG, EXAMPLE_TIME));
    cr_assert(pr_not_modified(TAG, later, TAG, EXAMPLE_TIME));
    /* If-Modified-Since alone would say 304; the failed tag match wins */
    cr_assert_not(pr_not_modified("\"other\"", later, TAG, EXAMPLE_TIME));
    cr_assert_not(pr_not_modified("", later, TAG, EXAMPLE_TIME), "present but empty still decides");
    cr_assert_not(pr_not_modified("*", NULL, "", EXAMPLE_TIME), "no tag, nothing to match");
    cr_assert_not(pr_not_modified("*", NULL, NULL, EXAMPLE_TIME));
}

Test(not_modified, if_modified_since_compares_to_last_modified)
{
    cr_assert(pr_not_modified(NULL, "Sun, 06 Nov 1994 08:49:37 GMT", TAG, EXAMPLE_TIME), "equal");
    cr_assert(pr_not_modified(NULL, "Sun, 06 Nov 1994 08:49:38 GMT", TAG, EXAMPLE_TIME), "later");
    cr_assert_not(pr_not_modified(NULL, "Sun, 06 Nov 1994 08:49:36 GMT", TAG, EXAMPLE_TIME),
                  "earlier: changed since");
    cr_assert_not(pr_not_modified(NULL, "yesterday", TAG, EXAMPLE_TIME), "invalid date is ignored");
    cr_assert_not(pr_not_modified(NULL, "Sun, 06 Nov 1994 08:49:37 GMT", TAG, 0),
                  "unknown last modification");
    cr_assert_not(pr_not_modified(NULL, NULL, TAG, EXAMPLE_TIME), "no condition at all");
}

static int64_t parsed(const char *text)
{
    int64_t t = -1;
    cr_assert(pr_http_date_parse(text, &t), "rejected: \"%s\"", text);
    return t;
}

static void assert_rejected(const char *text)
{
    int64_t t = 12345;
    cr_assert_not(pr_http_date_parse(text, &t), "accepted: \"%s\"", text);
    cr_assert_eq(t, 12345, "\"%s\": output written on failure", text);
}

Test(http_date, three_formats_of_rfc_9110)
{
    cr_assert_eq(parsed("Sun, 06 Nov 1994 08:49:37 GMT"), EXAMPLE_TIME);
    cr_assert_eq(parsed("Sunday, 06-Nov-94 08:49:37 GMT"), EXAMPLE_TIME);
    cr_assert_eq(parsed("Sun Nov  6 08:49:37 1994"), EXAMPLE_TIME);
    cr_assert_eq(parsed("Sun Nov 16 08:49:37 1994"), EXAMPLE_TIME + 10 * 86400);
    cr_assert_eq(parsed("Thu, 01 Jan 1970 00:00:00 GMT"), 0);
    cr_assert_eq(parsed("Mon, 17 Aug 2026 23:59:59 GMT"), INT64_C(1786924800) + 86399);
}

Test(http_date, rfc_850_two_digit_years)
{
    cr_assert_eq(parsed("Monday, 17-Aug-26 00:00:00 GMT"), INT64_C(1786924800), "26 is 2026");
    cr_assert_eq(parsed("Saturday, 01-Jan-00 00:00:00 GMT"), INT64_C(946684800), "00 is 2000");
    cr_assert_eq(parsed("Friday, 31-Dec-99 23:59:59 GMT"), INT64_C(946684799), "99 is 1999");
    /* RFC 9110 5.6.7: more than 50 years ahead means the previous century. The
     * expected century depends on today, so it is computed here the same way. */
    time_t now = time(NULL);
    struct tm utc;
    gmtime_r(&now, &utc);
    int this_year = utc.tm_year + 1900;
    int two = (this_year + 51) % 100;
    int full = this_year + 51 - 100;
    char text[64];
    snprintf(text, sizeof text, "Thursday, 01-Jan-%02d 00:00:00 GMT", two);
    cr_assert_eq(parsed(text), pr_epoch_of_date(full, 1, 1), "%s is %d", text, full);
    two = (this_year + 50) % 100;
    snprintf(text, sizeof text, "Thursday, 01-Jan-%02d 00:00:00 GMT", two);
    cr_assert_eq(parsed(text), pr_epoch_of_date(this_year + 50, 1, 1), "%s is %d", text,
                 this_year + 50);
}

Test(http_date, rejects)
{
    assert_rejected("");
    assert_rejected("Sun, 06 Xyz 1994 08:49:37 GMT");
    assert_rejected("Sun, 06 nov 1994 08:49:37 GMT");
    assert_rejected("Sun, 06 Nov 1994 25:00:00 GMT");
    assert_rejected("Sun, 06 Nov 1994 08:60:00 GMT");
    assert_rejected("Sun, 06 Nov 1994 08:49:37 GMT junk");
    assert_rejected("Sun, 06 Nov 1994 08:49:37 GMT ");
    assert_rejected("Sun, 06 Nov 1994 08:49:37 UTC");
    assert_rejected("Sun, 00 Nov 1994 08:49:37 GMT");
    assert_rejected("Sun, 32 Nov 1994 08:49:37 GMT");
    assert_rejected("Sun, 6 Nov 1994 08:49:37 GMT");
    assert_rejected("Sunday, 06-Nov-1994 08:49:37 GMT");
    assert_rejected("Sunday, 06-Nov-94 08:49:37 GMT+1");
    assert_rejected("Sun Nov  6 08:49:37 1994 ");
    assert_rejected("Sun Nov 6 08:49:37 1994");
    assert_rejected("1994-11-06T08:49:37Z");
}

Test(http_date, rejects_what_the_grammar_does_not_allow)
{
    assert_rejected("Xyz, 06 Nov 1994 08:49:37 GMT");
    assert_rejected("sun, 06 Nov 1994 08:49:37 GMT");
    assert_rejected("Sun,x06 Nov 1994 08:49:37 GMT");
    assert_rejected("Funday, 06-Nov-94 08:49:37 GMT");
    assert_rejected("Sun, 06-Nov-94 08:49:37 GMT");
    assert_rejected("Sat Nov  6 08:49:37 1994x");
    assert_rejected("Xyz Nov  6 08:49:37 1994");
    /* days that no calendar has */
    assert_rejected("Wed, 31 Nov 2001 00:00:00 GMT");
    assert_rejected("Thu, 29 Feb 1900 00:00:00 GMT");
    assert_rejected("Sat, 30 Feb 2000 00:00:00 GMT");
    assert_rejected("Fri Apr 31 00:00:00 2026");
    cr_assert_eq(parsed("Tue, 29 Feb 2000 00:00:00 GMT"), pr_epoch_of_date(2000, 2, 29));
    cr_assert_eq(parsed("Thu, 29 Feb 2024 00:00:00 GMT"), pr_epoch_of_date(2024, 2, 29));
    assert_rejected("784111777");
}

Test(http_date, format_known_instants)
{
    char out[30];
    cr_assert_str_eq(pr_http_date_format(0, out), "Thu, 01 Jan 1970 00:00:00 GMT");
    cr_assert_str_eq(pr_http_date_format(EXAMPLE_TIME, out), "Sun, 06 Nov 1994 08:49:37 GMT");
    cr_assert_str_eq(pr_http_date_format(pr_epoch_of_date(2000, 2, 29), out),
                     "Tue, 29 Feb 2000 00:00:00 GMT");
    cr_assert_str_eq(pr_http_date_format(pr_epoch_of_date(2026, 8, 17), out),
                     "Mon, 17 Aug 2026 00:00:00 GMT");
    cr_assert_str_eq(pr_http_date_format(pr_epoch_of_date(2024, 12, 31) + 86399, out),
                     "Tue, 31 Dec 2024 23:59:59 GMT");
    /* a year too wide for the format gives no date, not a cut one */
    cr_assert_str_eq(pr_http_date_format(pr_epoch_of_date(-1000, 1, 1), out), "");
}

Test(http_date, epoch_of_date)
{
    cr_assert_eq(pr_epoch_of_date(1970, 1, 1), 0);
    cr_assert_eq(pr_epoch_of_date(1970, 1, 2), 86400);
    cr_assert_eq(pr_epoch_of_date(2026, 8, 17), INT64_C(1786924800));
    cr_assert_eq(pr_epoch_of_date(2000, 3, 1) - pr_epoch_of_date(2000, 2, 28), 2 * 86400,
                 "2000 is a leap year");
    cr_assert_eq(pr_epoch_of_date(1900, 3, 1) - pr_epoch_of_date(1900, 2, 28), 86400,
                 "1900 is not");
    cr_assert_eq(pr_epoch_of_date(1969, 12, 31), -86400);
}

Test(http_date, format_then_parse_round_trips)
{
    /* a stride that is prime in seconds visits every weekday, month and hour */
    for (int64_t t = 0; t < INT64_C(4102444800); t += 999983) {
        char out[30];
        pr_http_date_format(t, out);
        cr_assert_eq(strlen(out), 29, "%s", out);
        cr_assert_eq(parsed(out), t, "%s", out);
    }
}

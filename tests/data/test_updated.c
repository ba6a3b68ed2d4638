/* The registry's date file (registry-updated): its strict format, and the
 * loader taking the registry's date from it, or from the rows without it. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry.h"
#include "updated.h"
#include "util.h"

LEAK_CHECKED_SUITE(updated_file);
LEAK_CHECKED_SUITE(updated_load);

/* Parses text as the file "u"; returns the message ("" when it parsed). */
static const char *parse(const char *text, size_t len, pr_date *out)
{
    static char msg[1024];
    pr_source src = {"u", (const unsigned char *)text, len};
    pr_error err;
    pr_error_clear(&err);
    msg[0] = '\0';
    if (!pr_updated_parse(&src, out, &err))
        snprintf(msg, sizeof msg, "%s", format_error(&err));
    return msg;
}

#define PARSE(literal, out) parse(literal, sizeof literal - 1, out)

Test(updated_file, one_date_and_a_line_feed)
{
    pr_date d = {0};
    cr_assert_str_eq(PARSE("2026-08-17\n", &d), "");
    cr_assert(d.year == 2026 && d.month == 8 && d.day == 17);
    cr_assert_str_eq(PARSE("2024-02-29\n", &d), "");
}

Test(updated_file, anything_else_is_named)
{
    pr_date d = {0};
    cr_assert_str_eq(PARSE("2026-08-17", &d), "u:1: the date does not end with a line feed");
    cr_assert_str_eq(PARSE("2026-08-17\r\n", &d),
                     "u:1: \"2026-08-17\\x0d\" is not a date YYYY-MM-DD");
    cr_assert_str_eq(PARSE("2026-08\n", &d), "u:1: \"2026-08\" is not a date YYYY-MM-DD");
    cr_assert_str_eq(PARSE("2026\n", &d), "u:1: \"2026\" is not a date YYYY-MM-DD");
    cr_assert_str_eq(PARSE("2023-02-29\n", &d), "u:1: \"2023-02-29\" is not a date YYYY-MM-DD");
    cr_assert_str_eq(PARSE(" 2026-08-17\n", &d), "u:1: \" 2026-08-17\" is not a date YYYY-MM-DD");
    cr_assert_str_eq(PARSE("\xef\xbb\xbf"
                           "2026-08-17\n",
                           &d),
                     "u:1: \"\\xef\\xbb\\xbf2026-08-17\" is not a date YYYY-MM-DD");
    cr_assert_str_eq(PARSE("", &d), "u:1: \"\" is not a date YYYY-MM-DD");
    cr_assert_str_eq(PARSE("\n", &d), "u:1: \"\" is not a date YYYY-MM-DD");
    cr_assert_str_eq(PARSE("2026-08-17\n\n", &d),
                     "u:2: \"\\x0a\" follows the date; the file holds one line");
    cr_assert_str_eq(PARSE("2026-08-17\n2026-08-18\n", &d),
                     "u:2: \"2026-08-18\\x0a\" follows the date; the file holds one line");
    char big[PR_UPDATED_MAX_BYTES + 2];
    memset(big, '\n', sizeof big);
    cr_assert_str_eq(parse(big, sizeof big, &d),
                     "u: is 66 bytes; it holds one date, YYYY-MM-DD and a line feed");
    cr_assert_eq(d.year, 0, "nothing is written on failure");
}

Test(updated_file, formats_what_it_parses)
{
    char buf[12];
    cr_assert_eq(pr_updated_format((pr_date){2026, 8, 17}, buf), 11);
    cr_assert_str_eq(buf, "2026-08-17\n");
    pr_date d;
    cr_assert_str_eq(parse(buf, 11, &d), "");
    cr_assert_eq(pr_updated_format((pr_date){2026, 8, 0}, buf), 0, "only a full date");
    cr_assert_str_eq(buf, "");
}

Test(updated_load, the_file_sets_the_registry_date)
{
    pr_error err;
    pr_error_clear(&err);
    pr_registry *reg = pr_registry_load_dir(DATA_DIR "/dated/good", &err);
    cr_assert_not_null(reg, "%s", format_error(&err));
    char updated[11], newest[11];
    cr_assert_str_eq(pr_date_format(reg->updated, updated), "2026-08-17");
    cr_assert_str_eq(pr_date_format(reg->newest, newest), "2022-05-18", "the rows' own");
    cr_assert(reg->updated_given);
    pr_registry_free(reg);
}

Test(updated_load, without_the_file_the_newest_date_stands_in)
{
    pr_error err;
    pr_error_clear(&err);
    pr_registry *reg = pr_registry_load_dir(DATA_DIR "/base", &err);
    cr_assert_not_null(reg, "%s", format_error(&err));
    cr_assert_eq(pr_date_cmp(reg->updated, reg->newest), 0);
    cr_assert_not(reg->updated_given);
    pr_registry_free(reg);
}

Test(updated_load, a_malformed_file_fails_the_load)
{
    pr_error err;
    pr_error_clear(&err);
    cr_assert_null(pr_registry_load_dir(DATA_DIR "/dated/bad", &err));
    cr_assert_str_eq(format_error(&err), DATA_DIR "/dated/bad/" PR_UPDATED_FILE
                                                  ":1: \"2026-08-32\" is not a date YYYY-MM-DD");
}

Test(updated_load, sources_with_and_without_a_date)
{
    size_t rl, cl;
    unsigned char *r = read_whole_file(DATA_DIR "/base/" PR_RECORDS_FILE, &rl);
    unsigned char *c = read_whole_file(DATA_DIR "/base/" PR_CONTACTS_FILE, &cl);
    cr_assert(r && c);
    pr_source records = {"r", r, rl}, contacts = {"c", c, cl};
    pr_source date = {"d", (const unsigned char *)"2020-01-02\n", 11};
    pr_error err;
    pr_error_clear(&err);
    pr_registry *reg = pr_registry_load_dated(&records, &contacts, &date, &err);
    cr_assert_not_null(reg, "%s", format_error(&err));
    cr_assert(reg->updated.year == 2020 && reg->updated.month == 1 && reg->updated.day == 2);
    pr_registry_free(reg);
    reg = pr_registry_load_dated(&records, &contacts, NULL, &err);
    cr_assert_not_null(reg, "%s", format_error(&err));
    cr_assert_eq(pr_date_cmp(reg->updated, reg->newest), 0);
    pr_registry_free(reg);
    free(r);
    free(c);
}

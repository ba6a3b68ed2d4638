/* The records file kept in its own bytes (pr_registry.csv_text): the header
 * and every row, concatenated, give the file back. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry.h"
#include "util.h"

LEAK_CHECKED_SUITE(raw);

static const char contacts[] = "ID,Name,Organization,Contact URI,Last Updated\n";
static const char header[] = "Service Name,Port Number,Transport Protocol,Description,Assignee,"
                             "Contact,Registration Date,Modification Date,Reference,Service "
                             "Code,Unauthorized Use Reported,Assignment Notes";

static pr_registry *load_text(const char *records)
{
    pr_source r = {"records.csv", (const unsigned char *)records, strlen(records)};
    pr_source c = {"contacts.csv", (const unsigned char *)contacts, strlen(contacts)};
    pr_error err;
    pr_registry *reg = pr_registry_load_sources(&r, &c, &err);
    cr_assert_not_null(reg, "%s", format_error(&err));
    return reg;
}

/* header + rows == the file, less what is not part of any row */
static void assert_gives_back(const pr_registry *reg, const char *bytes, size_t len)
{
    cr_assert_not_null(reg->csv_text);
    size_t total = reg->csv_header_len + reg->csv_start[reg->record_count];
    cr_assert_eq(total, len, "%zu bytes kept of %zu", total, len);
    cr_assert(memcmp(reg->csv_header, bytes, reg->csv_header_len) == 0);
    cr_assert(memcmp(reg->csv_text, bytes + reg->csv_header_len, len - reg->csv_header_len) == 0);
    for (uint32_t i = 0; i < reg->record_count; i++)
        cr_assert_gt(reg->csv_start[i + 1], reg->csv_start[i], "record %u has no bytes", i);
}

Test(raw, the_whole_registry_is_given_back_byte_for_byte)
{
    SKIP_WITHOUT_IANA();
    pr_error err;
    pr_registry *reg = pr_registry_load_dir(PR_IANA_DIR, &err);
    cr_assert_not_null(reg, "%s", format_error(&err));
    size_t len;
    unsigned char *bytes = read_whole_file(PR_IANA_DIR "/service-names-port-numbers.csv", &len);
    cr_assert_not_null(bytes);
    assert_gives_back(reg, (const char *)bytes, len);
    free(bytes);
    pr_registry_free(reg);
}

Test(raw, quotes_line_breaks_and_a_last_row_without_an_ending)
{
    char text[1024];
    snprintf(text, sizeof text,
             "%s\r\n"
             "a,1,tcp,\"two\r\nlines, and \"\"quotes\"\"\",,,,,,,,\r\n"
             "b,2,udp,plain,,,,,,,,\n"
             "c,3,tcp,last,,,,,,,,",
             header);
    pr_registry *reg = load_text(text);
    cr_assert_eq(reg->record_count, 3);
    assert_gives_back(reg, text, strlen(text));
    const char *row0 = reg->csv_text + reg->csv_start[0];
    cr_expect(strncmp(row0, "a,1,tcp,\"two\r\nlines, and \"\"quotes\"\"\",,,,,,,,\r\n",
                      reg->csv_start[1]) == 0);
    pr_registry_free(reg);
}

Test(raw, blank_lines_and_a_byte_order_mark_are_no_row)
{
    char text[1024];
    snprintf(text, sizeof text, "\xef\xbb\xbf%s\n\na,1,tcp,x,,,,,,,,\n\r\nb,2,tcp,y,,,,,,,,\n",
             header);
    pr_registry *reg = load_text(text);
    cr_assert_eq(reg->record_count, 2);
    cr_expect_eq(reg->csv_header_len, strlen(header) + 1);
    cr_expect_eq(reg->csv_start[1], strlen("a,1,tcp,x,,,,,,,,\n"));
    cr_expect(strncmp(reg->csv_text + reg->csv_start[1], "b,2,tcp,y,,,,,,,,\n", 18) == 0);
    pr_registry_free(reg);
}

/* rows ended by a bare CR share a line: no spans rather than wrong ones */
Test(raw, rows_that_share_a_line_keep_no_bytes)
{
    char text[1024];
    snprintf(text, sizeof text, "%s\na,1,tcp,x,,,,,,,,\rb,2,tcp,y,,,,,,,,\n", header);
    pr_registry *reg = load_text(text);
    cr_assert_eq(reg->record_count, 2);
    cr_expect_null(reg->csv_text);
    cr_expect_null(reg->csv_start);
    cr_expect_null(reg->csv_header);
    pr_registry_free(reg);
}

Test(raw, a_header_without_rows)
{
    char text[1024];
    snprintf(text, sizeof text, "%s\r\n", header);
    pr_registry *reg = load_text(text);
    cr_assert_eq(reg->record_count, 0);
    assert_gives_back(reg, text, strlen(text));
    pr_registry_free(reg);
}

/* RFC 8288 Link values of list pages: next/prev, with the filters in their
 * canonical order and percent-encoded, so that equal queries share links. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "api_test.h"
#include "fixture.h"

static long long tcp_total;

static void setup(void)
{
    fixture_sample();
    table_rows records = table_read(SAMPLE_DIR "/" PR_RECORDS_FILE);
    tcp_total = 0;
    for (size_t i = 0; i < records.count; i++)
        tcp_total += strcmp(records.rows[i][COL_PROTO], "tcp") == 0;
    table_free(&records);
}

TestSuite(pages, .init = setup, .fini = fixture_close);

static void expect_link(const char *target, const char *link)
{
    get_ok(api, &ex, target);
    cr_assert_str_eq(ex.resp.link, link, "GET %s", target);
    exchange_end(&ex);
}

Test(pages, first_page_links_next_only)
{
    expect_link("/v1/services?protocol=tcp&limit=2",
                "</v1/services?protocol=tcp&limit=2&offset=2>; rel=\"next\"");
}

Test(pages, middle_page_links_both_ways)
{
    expect_link("/v1/services?protocol=tcp&limit=2&offset=2",
                "</v1/services?protocol=tcp&limit=2&offset=4>; rel=\"next\", "
                "</v1/services?protocol=tcp&limit=2&offset=0>; rel=\"prev\"");
    /* a page that does not start on a multiple of limit: prev never goes below 0 */
    expect_link("/v1/services?protocol=tcp&limit=5&offset=3",
                "</v1/services?protocol=tcp&limit=5&offset=8>; rel=\"next\", "
                "</v1/services?protocol=tcp&limit=5&offset=0>; rel=\"prev\"");
}

Test(pages, last_page_links_prev_only)
{
    cr_assert_gt(tcp_total, 4);
    char target[128], link[256];
    snprintf(target, sizeof target, "/v1/services?protocol=tcp&limit=2&offset=%lld", tcp_total - 2);
    snprintf(link, sizeof link, "</v1/services?protocol=tcp&limit=2&offset=%lld>; rel=\"prev\"",
             tcp_total - 4);
    expect_link(target, link);
    /* a last page with fewer items than the limit */
    snprintf(target, sizeof target, "/v1/services?protocol=tcp&limit=4&offset=%lld", tcp_total - 1);
    snprintf(link, sizeof link, "</v1/services?protocol=tcp&limit=4&offset=%lld>; rel=\"prev\"",
             tcp_total - 5);
    expect_link(target, link);
}

Test(pages, beyond_the_end_links_back_to_the_last_page)
{
    char target[128], link[256];
    snprintf(target, sizeof target, "/v1/services?protocol=tcp&limit=2&offset=%lld",
             tcp_total + 10);
    snprintf(link, sizeof link, "</v1/services?protocol=tcp&limit=2&offset=%lld>; rel=\"prev\"",
             tcp_total - 2);
    get_ok(api, &ex, target);
    cr_assert_eq(json_array_size(member_array(ex.json, "items")), 0);
    cr_assert_str_eq(ex.resp.link, link);
}

Test(pages, one_page_has_no_links)
{
    expect_link("/v1/services?protocol=tcp&limit=1000", "");
    expect_link("/v1/search?q=ups", "");
    expect_link("/v1/services?port=1", "");
    expect_link("/v1/ports/3493", "");
}

Test(pages, canonical_order_and_spelling)
{
    /* given in any order and case, the filters come back in one order, the
     * parser's spelling, with limit and offset last */
    expect_link("/v1/services?limit=1&q=ups&protocol=TCP&status=assigned",
                "</v1/services?protocol=tcp&status=assigned&q=ups&limit=1&offset=1>; rel=\"next\"");
    expect_link("/v1/services?contact=IETF_Chair&assignee=IESG&port=3260&limit=1",
                "</v1/services?port=3260&assignee=IESG&contact=IETF_Chair&limit=1&offset=1>; "
                "rel=\"next\"");
    expect_link("/v1/services?protocol=none&limit=1",
                "</v1/services?protocol=none&limit=1&offset=1>; rel=\"next\"");
}

Test(pages, values_are_percent_encoded)
{
    expect_link("/v1/services?assignee=%5BIESG%5D&limit=1",
                "</v1/services?assignee=%5BIESG%5D&limit=1&offset=1>; rel=\"next\"");
    expect_link("/v1/services?q=ups%20t&limit=1",
                "</v1/services?q=ups%20t&limit=1&offset=1>; rel=\"next\"");
    /* RFC 3986 unreserved characters go as they are, reserved ones escaped */
    expect_link("/v1/services?q=H.263&limit=1",
                "</v1/services?q=H.263&limit=1&offset=1>; rel=\"next\"");
    expect_link("/v1/services?q=cc%3Amail%2F&limit=1",
                "</v1/services?q=cc%3Amail%2F&limit=1&offset=1>; rel=\"next\"");
    /* an unescaped '&' or '=' would split the query differently */
    expect_link("/v1/search?q=s%20%26%20g&limit=1",
                "</v1/search?q=s%20%26%20g&limit=1&offset=1>; rel=\"next\"");
}

Test(pages, search_assignees_and_contacts)
{
    expect_link("/v1/search?q=UPS&limit=10&offset=20",
                "</v1/search?q=UPS&limit=10&offset=10>; rel=\"prev\"");
    expect_link("/v1/search?q=ups&limit=10", "</v1/search?q=ups&limit=10&offset=10>; rel=\"next\"");
    expect_link("/v1/assignees?sort=count&limit=10&offset=10",
                "</v1/assignees?sort=count&limit=10&offset=20>; rel=\"next\", "
                "</v1/assignees?sort=count&limit=10&offset=0>; rel=\"prev\"");
    expect_link("/v1/assignees?limit=10", "</v1/assignees?limit=10&offset=10>; rel=\"next\"");
    expect_link("/v1/contacts?q=david&limit=1",
                "</v1/contacts?q=david&limit=1&offset=1>; rel=\"next\"");
    expect_link("/v1/contacts?limit=50&offset=50",
                "</v1/contacts?limit=50&offset=0>; rel=\"prev\"");
}

Test(pages, default_limit_is_spelled_out)
{
    expect_link("/v1/services", "</v1/services?limit=100&offset=100>; rel=\"next\"");
}

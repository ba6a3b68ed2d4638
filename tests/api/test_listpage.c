/* api/listpage.c on its own: paging, the envelope, the links, and a body
 * format other than JSON plugged in through pr_list_format. The items are
 * numbers 0..n-1 that are multiples of a step, so that what a page must
 * hold is plain arithmetic. */
#include <criterion/criterion.h>
#include <string.h>

#include "api_test.h"
#include "listpage.h"

typedef struct numbers {
    uint32_t at, n, step;
    unsigned calls; /* of next */
} numbers;

static bool next_number(void *ctx, uint32_t *item)
{
    numbers *nb = ctx;
    nb->calls++;
    while (nb->at < nb->n) {
        uint32_t v = nb->at++;
        if (v % nb->step == 0) {
            *item = v;
            return true;
        }
    }
    return false;
}

static void write_number(pr_jw *w, void *ctx, uint32_t item)
{
    (void)ctx;
    pr_jw_uint(w, item);
}

static const pr_request request = {.method = PR_GET, .path = "/x", .path_len = 2};

static pr_list numbers_list(numbers *nb, uint32_t limit, uint32_t offset)
{
    return (pr_list){.path = "/x",
                     .base = "a=b",
                     .limit = limit,
                     .offset = offset,
                     .next = next_number,
                     .ctx = nb,
                     .item = write_number,
                     .item_bytes = 4};
}

static void assert_body(const pr_response *resp, const char *want)
{
    cr_assert_eq(resp->status, 200);
    cr_assert_not_null(resp->body);
    cr_assert_eq(resp->body->len, strlen(want), "%s", resp->body->data);
    cr_assert_str_eq(resp->body->data, want);
}

Test(listpage, a_middle_page_has_both_links)
{
    numbers nb = {.n = 30, .step = 3}; /* 0, 3, ..., 27: ten matches */
    pr_list list = numbers_list(&nb, 2, 2);
    pr_response resp;
    memset(&resp, 0, sizeof resp);
    pr_list_respond(&request, &resp, &list);
    assert_body(&resp, "{\"items\":[6,9],\"total\":10,\"limit\":2,\"offset\":2}\n");
    cr_assert_str_eq(resp.content_type, "application/json");
    cr_assert_str_eq(resp.link, "</x?a=b&limit=2&offset=4>; rel=\"next\", "
                                "</x?a=b&limit=2&offset=0>; rel=\"prev\"");
    pr_response_release(&resp);
}

Test(listpage, past_the_end_is_empty_and_prev_is_the_last_page)
{
    numbers nb = {.n = 30, .step = 3};
    pr_list list = numbers_list(&nb, 4, 50);
    pr_response resp;
    memset(&resp, 0, sizeof resp);
    pr_list_respond(&request, &resp, &list);
    assert_body(&resp, "{\"items\":[],\"total\":10,\"limit\":4,\"offset\":50}\n");
    cr_assert_str_eq(resp.link, "</x?a=b&limit=4&offset=6>; rel=\"prev\"");
    pr_response_release(&resp);
}

Test(listpage, a_known_total_stops_the_walk_at_the_page_end)
{
    numbers nb = {.n = 1000, .step = 1};
    pr_list list = numbers_list(&nb, 3, 1);
    list.total_known = true;
    list.total = 1000;
    pr_response resp;
    memset(&resp, 0, sizeof resp);
    pr_list_respond(&request, &resp, &list);
    assert_body(&resp, "{\"items\":[1,2,3],\"total\":1000,\"limit\":3,\"offset\":1}\n");
    cr_assert_eq(nb.calls, 4, "the walk went on for %u items", nb.calls);
    pr_response_release(&resp);
}

static void extra_members(pr_jw *w, void *ctx, const uint32_t *page, uint32_t count)
{
    (void)ctx;
    PR_JW_LIT(w, ",\"first\":");
    pr_jw_uint(w, count ? page[0] : 0);
}

Test(listpage, members_follow_the_offset)
{
    numbers nb = {.n = 10, .step = 5};
    pr_list list = numbers_list(&nb, 10, 0);
    list.members = extra_members;
    pr_response resp;
    memset(&resp, 0, sizeof resp);
    pr_list_respond(&request, &resp, &list);
    assert_body(&resp, "{\"items\":[0,5],\"total\":2,\"limit\":10,\"offset\":0,\"first\":0}\n");
    cr_assert_str_eq(resp.link, "");
    pr_response_release(&resp);
}

/* Another format: one item a line, then a summary line. */
static void text_open(pr_jw *w, const pr_list *list)
{
    (void)list;
    PR_JW_LIT(w, "# numbers\n");
}

static void text_separator(pr_jw *w, const pr_list *list)
{
    (void)list;
    PR_JW_LIT(w, "\n");
}

static void text_close(pr_jw *w, const pr_list *list, uint32_t total, const uint32_t *page,
                       uint32_t count)
{
    (void)list, (void)page, (void)count;
    PR_JW_LIT(w, "\n# total ");
    pr_jw_uint(w, total);
}

static const pr_list_format text_format = {
    .media_type = "text/plain; charset=utf-8",
    .open = text_open,
    .separator = text_separator,
    .close = text_close,
};

Test(listpage, another_format_plugs_in)
{
    numbers nb = {.n = 10, .step = 2};
    pr_list list = numbers_list(&nb, 2, 1);
    list.format = &text_format;
    pr_response resp;
    memset(&resp, 0, sizeof resp);
    pr_list_respond(&request, &resp, &list);
    assert_body(&resp, "# numbers\n2\n4\n# total 5\n");
    cr_assert_str_eq(resp.content_type, "text/plain; charset=utf-8");
    cr_assert_str_eq(resp.link, "</x?a=b&limit=2&offset=3>; rel=\"next\", "
                                "</x?a=b&limit=2&offset=0>; rel=\"prev\"");
    pr_response_release(&resp);
}

Test(listpage, links_that_cannot_be_built_are_a_500)
{
    numbers nb = {.n = 10, .step = 1};
    pr_list list = numbers_list(&nb, 2, 0);
    list.base = NULL;
    pr_response resp;
    memset(&resp, 0, sizeof resp);
    pr_list_respond(&request, &resp, &list);
    cr_assert_eq(resp.status, 500);
    cr_assert_str_eq(resp.content_type, "application/problem+json");
    pr_response_release(&resp);
}

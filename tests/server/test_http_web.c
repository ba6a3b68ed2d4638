/* The registry explorer on the wire: GET / negotiated by Accept, the page's
 * policy, Vary on the 200 and the 304, and the assets' types and ETags. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "fixture.h"
#include "harness.h"

TestSuite(web, .init = fixture_sample, .fini = fixture_stop);

#define BROWSER_ACCEPT "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n"

Test(web, a_browser_gets_the_page_and_a_tool_the_index)
{
    http_response page, index;
    char buf[512], etag[64];
    http_request(srv.port, "GET", "/", BROWSER_ACCEPT, &page);
    http_request(srv.port, "GET", "/", "Accept: */*\r\n", &index);
    cr_assert_eq(page.status, 200);
    cr_assert_eq(index.status, 200);
    cr_expect_str_eq(http_header(&page, "Content-Type", buf, sizeof buf),
                     "text/html; charset=utf-8");
    cr_expect_eq(strncmp(page.body, "<!doctype html>", 15), 0);
    cr_expect_str_eq(http_header(&index, "Content-Type", buf, sizeof buf), "application/json");
    /* the page, over 1 KB, may also go out gzip-encoded; the index may not */
    cr_expect_str_eq(http_header(&page, "Vary", buf, sizeof buf), "Accept, Accept-Encoding");
    cr_expect_str_eq(http_header(&index, "Vary", buf, sizeof buf),
                     index.body_len >= 1024 ? "Accept, Accept-Encoding" : "Accept");
    const char *csp = http_header(&page, "Content-Security-Policy", buf, sizeof buf);
    cr_assert_not_null(csp);
    cr_expect_eq(strncmp(csp, "default-src 'self'", 18), 0, "%s", csp);
    cr_expect_null(http_header(&index, "Content-Security-Policy", buf, sizeof buf));
    cr_assert_not_null(http_header(&page, "ETag", etag, sizeof etag));
    cr_expect_str_neq(etag, http_header(&index, "ETag", buf, sizeof buf));

    /* RFC 9110 15.4.5: the 304 says Vary as its 200 would */
    char cond[160];
    cr_assert(snprintf(cond, sizeof cond, "%sIf-None-Match: %s\r\n", BROWSER_ACCEPT, etag) <
              (int)sizeof cond);
    http_response again;
    http_request(srv.port, "GET", "/", cond, &again);
    cr_expect_eq(again.status, 304);
    cr_expect_str_eq(http_header(&again, "Vary", buf, sizeof buf), "Accept, Accept-Encoding");
    cr_expect_eq(again.body_len, 0);
    http_response_free(&again);
    /* the page's tag is not the index's: a tool holding it gets the index */
    cr_assert(snprintf(cond, sizeof cond, "If-None-Match: %s\r\n", etag) < (int)sizeof cond);
    http_request(srv.port, "GET", "/", cond, &again);
    cr_expect_eq(again.status, 200);
    http_response_free(&again);
    http_response_free(&page);
    http_response_free(&index);
}

Test(web, the_assets_are_cached_like_every_answer)
{
    static const char *const paths[][2] = {{"/app.js", "text/javascript; charset=utf-8"},
                                           {"/app.css", "text/css; charset=utf-8"},
                                           {"/favicon.svg", "image/svg+xml"}};
    for (size_t i = 0; i < 3; i++) {
        http_response r, head, again;
        char buf[256], etag[64];
        http_request(srv.port, "GET", paths[i][0], NULL, &r);
        cr_assert_eq(r.status, 200, "%s", paths[i][0]);
        cr_expect_str_eq(http_header(&r, "Content-Type", buf, sizeof buf), paths[i][1]);
        cr_expect_gt(r.body_len, 100);
        cr_expect_not_null(http_header(&r, "Cache-Control", buf, sizeof buf));
        /* an asset of 1 KB or more may also go out gzip-encoded */
        if (r.body_len >= 1024)
            cr_expect_str_eq(http_header(&r, "Vary", buf, sizeof buf), "Accept-Encoding");
        else
            cr_expect_null(http_header(&r, "Vary", buf, sizeof buf));
        cr_assert_not_null(http_header(&r, "ETag", etag, sizeof etag));
        http_request(srv.port, "HEAD", paths[i][0], NULL, &head);
        cr_expect_eq(head.status, 200);
        cr_expect_str_eq(http_header(&head, "ETag", buf, sizeof buf), etag);
        char cond[96];
        cr_assert(snprintf(cond, sizeof cond, "If-None-Match: %s\r\n", etag) < (int)sizeof cond);
        http_request(srv.port, "GET", paths[i][0], cond, &again);
        cr_expect_eq(again.status, 304, "%s", paths[i][0]);
        http_response_free(&r);
        http_response_free(&head);
        http_response_free(&again);
    }
}

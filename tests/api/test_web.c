/* The registry explorer's files and GET /'s negotiation (api/web.c): which
 * Accept fields get the page, the bytes served against the files in web/,
 * their types, policy, caching and errors. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "api_test.h"
#include "fixture.h"
#include "web.h"

TestSuite(accept, .fini = assert_no_leaks);
TestSuite(web, .init = fixture_sample, .fini = fixture_close);

#define WEB_DIR PR_TEST_DIR "/../web"

/* What browsers and tools send, and what each must get. */
static const struct {
    const char *accept;
    bool html;
} cases[] = {
    {NULL, false},
    {"", false},
    {"*/*", false},
    {"application/json", false},
    {"text/html", true},
    {"TEXT/HTML", true},
    {"text/*", true},
    /* Chromium's and Firefox's navigation requests */
    {"text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;"
     "q=0.8,application/signed-exchange;v=b3;q=0.7",
     true},
    {"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", true},
    /* a fetch() from the page itself */
    {"application/json, text/plain, */*", false},
    {"text/html;q=0.5, application/json", false},
    {"application/json;q=0.5, text/html", true},
    {"text/html ; q=0.9 , application/json ; q=0.8", true},
    {"text/html;q=0.8, application/json;q=0.8", false}, /* a tie goes to JSON */
    {"text/html;q=0, */*", false},
    {"text/*;q=0.1, text/html;q=0.9, */*;q=0.5", true}, /* the most specific range decides */
    {"text/html;q=0.", false},
    {"text/html;q=1.000", true},
    {"text/html;q=1.5", false}, /* not a weight: the element is ignored */
    {"text/html;q=abc", false},
    {"text/html;q=0.1234", false},
    {"*/html", false},
    {"/,;;,text/,/html,,,", false},
    {"text/html;level=1;q=0.7, application/json;q=0.6", true},
};

Test(accept, ranks_text_html_against_application_json)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        cr_expect_eq(pr_web_wants_html(cases[i].accept), cases[i].html, "Accept: %s",
                     cases[i].accept ? cases[i].accept : "(absent)");
}

Test(accept, reads_a_bounded_prefix)
{
    size_t n = 2 * PR_MAX_ACCEPT_BYTES;
    char *field = malloc(n + 16);
    cr_assert_not_null(field);
    for (size_t i = 0; i < n; i += 4)
        memcpy(field + i, "a/b,", 4);
    strcpy(field + n, "text/html");
    cr_expect_not(pr_web_wants_html(field), "what lies past the bound is not read");
    memcpy(field + 8, "text/html,", 10);
    cr_expect(pr_web_wants_html(field));
    free(field);
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s", path);
    struct stat st;
    cr_assert_eq(fstat(fileno(f), &st), 0);
    char *data = malloc((size_t)st.st_size + 1);
    cr_assert_not_null(data);
    cr_assert_eq(fread(data, 1, (size_t)st.st_size, f), (size_t)st.st_size);
    fclose(f);
    data[st.st_size] = '\0';
    *len = (size_t)st.st_size;
    return data;
}

static void get_with(pr_response *resp, enum pr_method method, const char *path, const char *accept)
{
    pr_request req = {.method = method, .path = path, .path_len = strlen(path), .accept = accept};
    pr_api_handle(api, &req, resp);
}

static const struct {
    const char *path, *file, *type;
} files[] = {
    {"/", "index.html", "text/html; charset=utf-8"},
    {"/app.js", "app.js", "text/javascript; charset=utf-8"},
    {"/app.css", "app.css", "text/css; charset=utf-8"},
    {"/favicon.svg", "favicon.svg", "image/svg+xml"},
};

Test(web, serves_each_file_as_built_in)
{
    size_t total = 0;
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        pr_response resp;
        get_with(&resp, PR_GET, files[i].path, "text/html");
        size_t len;
        char path[512];
        cr_assert(snprintf(path, sizeof path, "%s/%s", WEB_DIR, files[i].file) < (int)sizeof path);
        char *want = read_file(path, &len);
        total += len;
        cr_assert_eq(resp.status, 200, "%s", files[i].path);
        cr_expect_str_eq(resp.content_type, files[i].type, "%s", files[i].path);
        cr_expect(resp.cacheable, "%s", files[i].path);
        cr_assert_eq(resp.body->len, len, "%s", files[i].path);
        cr_expect_eq(memcmp(resp.body->data, want, len), 0, "%s differs from web/%s", files[i].path,
                     files[i].file);
        cr_expect_eq(pr_api_route_of(files[i].path, strlen(files[i].path)),
                     i ? PR_ROUTE_WEB : PR_ROUTE_ROOT);
        /* the policy guards the document; a script or style sheet has none */
        cr_expect_eq(resp.csp != NULL, i == 0, "%s", files[i].path);
        free(want);
        pr_response_release(&resp);
    }
    cr_expect_lt(total, 60 * 1024, "the whole page is %zu bytes", total);
    cr_expect_str_eq(pr_route_name(PR_ROUTE_WEB), "web");
}

Test(web, root_negotiates_and_says_vary)
{
    pr_response page, index;
    get_with(&page, PR_GET, "/", "text/html,*/*;q=0.8");
    get_with(&index, PR_GET, "/", "*/*");
    cr_assert_eq(page.status, 200);
    cr_assert_eq(index.status, 200);
    cr_expect_str_eq(page.vary, "Accept");
    cr_expect_str_eq(index.vary, "Accept");
    cr_expect_str_eq(index.content_type, "application/json");
    cr_expect_null(index.csp);
    cr_expect_str_eq(page.csp, pr_web_csp);
    cr_expect_not_null(strstr(page.csp, "default-src 'self'"));
    cr_expect(strcmp(page.body->etag, index.body->etag) != 0, "two representations, two ETags");
    cr_expect_not_null(memmem(index.body->data, index.body->len, "\"name\":\"portreg\"", 16));
    pr_response again;
    get_with(&again, PR_HEAD, "/", "text/html");
    cr_expect_eq(again.body, page.body, "the page is rendered once and kept");
    cr_expect_not(again.body_owned);
    pr_response_release(&again);
    pr_response_release(&page);
    pr_response_release(&index);
}

Test(web, the_page_loads_nothing_from_elsewhere_and_runs_no_inline_script)
{
    size_t len;
    char *html = read_file(WEB_DIR "/index.html", &len);
    cr_expect_not_null(strstr(html, "<script src=\"/app.js\" defer></script>"));
    size_t scripts = 0;
    for (const char *s = html; (s = strstr(s, "<script")); s++)
        scripts++;
    cr_expect_eq(scripts, 1, "one script, from its own file");
    cr_expect_null(strstr(html, " style="), "no inline style: the policy would refuse it");
    cr_expect_null(strstr(html, " onclick="));
    free(html);
    for (size_t i = 0; i < 3; i++) {
        char path[512];
        cr_assert(snprintf(path, sizeof path, "%s/%s", WEB_DIR, files[i].file) < (int)sizeof path);
        char *text = read_file(path, &len);
        cr_expect_null(strstr(text, "http://"), "%s names another origin", files[i].file);
        cr_expect_null(strstr(text, "https://"), "%s names another origin", files[i].file);
        cr_expect_null(strstr(text, "innerHTML"), "%s parses text as HTML", files[i].file);
        free(text);
    }
}

Test(web, assets_take_no_parameters_and_only_read_methods)
{
    exchange_run(api, &ex, PR_GET, "/app.js?v=2");
    assert_problem(&ex, 400, NULL);
    exchange_end(&ex);
    exchange_run(api, &ex, PR_POST, "/app.css");
    assert_problem(&ex, 405, NULL);
    cr_expect_str_eq(ex.resp.allow, "GET, HEAD, OPTIONS");
    exchange_end(&ex);
    exchange_run(api, &ex, PR_OPTIONS, "/favicon.svg");
    cr_expect_eq(ex.resp.status, 204);
    exchange_end(&ex);
    const char *const missing[] = {"/app.js/", "/App.js",     "/app.j",
                                   "/app.jsx", "/index.html", "/web/app.js"};
    for (size_t i = 0; i < sizeof missing / sizeof missing[0]; i++) {
        exchange_run(api, &ex, PR_GET, missing[i]);
        assert_problem(&ex, 404, NULL);
        exchange_end(&ex);
    }
    /* a stray parameter on / is refused for the page as for the index */
    pr_response resp;
    pr_param p = {"x", "1", 1};
    pr_request req = {.method = PR_GET,
                      .path = "/",
                      .path_len = 1,
                      .params = &p,
                      .param_count = 1,
                      .accept = "text/html"};
    pr_api_handle(api, &req, &resp);
    cr_expect_eq(resp.status, 400);
    pr_response_release(&resp);
}

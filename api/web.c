/* web.c: the registry explorer's page and assets, and GET /'s negotiation. */
#include "web.h"

#include <string.h>
#include <strings.h>

#include "internal.h"
#include "web_files.h"

const char pr_web_csp[] = "default-src 'self'; base-uri 'none'; form-action 'self'; "
                          "frame-ancestors 'none'";

/* ---- Accept (RFC 9110 12.5.1) ---- */

typedef struct media_pref {
    const char *type; /* "text" */
    const char *subtype;
    int specificity; /* of the range that matched: 0 none, 1 * / *, 2 type/ *, 3 exact */
    int q;           /* 0..1000 */
} media_pref;

static bool is_ows(char c)
{
    return c == ' ' || c == '\t';
}

static bool same_token(const char *s, size_t len, const char *token)
{
    return strlen(token) == len && strncasecmp(s, token, len) == 0;
}

/* qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ) (RFC 9110
 * 12.4.2), as thousandths; -1 when it is not one. */
static int parse_qvalue(const char *s, size_t len)
{
    if (len == 0 || (s[0] != '0' && s[0] != '1') || len > 5)
        return -1;
    int q = (s[0] - '0') * 1000;
    if (len > 1 && s[1] != '.')
        return -1;
    int scale = 100;
    for (size_t i = 2; i < len; i++, scale /= 10) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        q += (s[i] - '0') * scale;
    }
    return q <= 1000 ? q : -1;
}

/* One element of the list, s[0..len): a media range and its parameters. */
static void weigh_element(const char *s, size_t len, media_pref *prefs, size_t n)
{
    while (len && is_ows(*s))
        s++, len--;
    const char *semi = memchr(s, ';', len);
    size_t range_len = semi ? (size_t)(semi - s) : len;
    while (range_len && is_ows(s[range_len - 1]))
        range_len--;
    const char *slash = memchr(s, '/', range_len);
    if (!slash || slash == s || slash == s + range_len - 1)
        return; /* not a media range: ignored */
    size_t type_len = (size_t)(slash - s), sub_len = range_len - type_len - 1;
    int q = 1000;
    for (const char *p = semi; p;) {
        const char *param = p + 1;
        const char *end = s + len;
        p = memchr(param, ';', (size_t)(end - param));
        const char *param_end = p ? p : end;
        while (param < param_end && is_ows(*param))
            param++;
        while (param_end > param && is_ows(param_end[-1]))
            param_end--;
        if (param_end - param >= 2 && (param[0] == 'q' || param[0] == 'Q') && param[1] == '=') {
            q = parse_qvalue(param + 2, (size_t)(param_end - param - 2));
            if (q < 0)
                return; /* a weight that is not one: the element is ignored */
        }
    }
    bool any_type = same_token(s, type_len, "*");
    bool any_sub = same_token(slash + 1, sub_len, "*");
    if (any_type && !any_sub)
        return; /* * /subtype is no media range */
    for (size_t i = 0; i < n; i++) {
        int specificity = 0;
        if (any_type)
            specificity = 1;
        else if (same_token(s, type_len, prefs[i].type))
            specificity = any_sub ? 2 : same_token(slash + 1, sub_len, prefs[i].subtype) ? 3 : 0;
        /* the most specific range that matches decides; among equals, the
         * first (RFC 9110 12.5.1 leaves it open) */
        if (specificity > prefs[i].specificity) {
            prefs[i].specificity = specificity;
            prefs[i].q = q;
        }
    }
}

bool pr_web_wants_html(const char *accept)
{
    if (!accept)
        return false;
    media_pref prefs[2] = {{"text", "html", 0, 0}, {"application", "json", 0, 0}};
    size_t len = strnlen(accept, PR_MAX_ACCEPT_BYTES);
    const char *s = accept, *end = accept + len;
    while (s < end) {
        const char *comma = memchr(s, ',', (size_t)(end - s));
        const char *stop = comma ? comma : end;
        weigh_element(s, (size_t)(stop - s), prefs, 2);
        s = comma ? comma + 1 : end;
    }
    return prefs[0].q > prefs[1].q;
}

/* ---- the page and its assets ---- */

typedef struct web_file {
    const char *path;
    const unsigned char *data;
    const size_t *len;
    const char *type;
    enum pr_fixed_body slot;
} web_file;

static const web_file files[] = {
    {"/", pr_web_index_html, &pr_web_index_html_len, "text/html; charset=utf-8", PR_FIXED_PAGE},
    {"/app.js", pr_web_app_js, &pr_web_app_js_len, "text/javascript; charset=utf-8",
     PR_FIXED_SCRIPT},
    {"/app.css", pr_web_app_css, &pr_web_app_css_len, "text/css; charset=utf-8", PR_FIXED_STYLE},
    {"/favicon.svg", pr_web_favicon_svg, &pr_web_favicon_svg_len, "image/svg+xml", PR_FIXED_ICON},
};

static pr_body *make_file(pr_api *api, const void *arg)
{
    (void)api;
    const web_file *f = arg;
    return pr_body_new((const char *)f->data, *f->len);
}

static void respond_file(pr_api *api, const pr_request *req, pr_response *resp, const web_file *f)
{
    pr_respond_cached(api, req, resp, &api->fixed[f->slot], make_file, f);
    if (resp->status != 200)
        return;
    resp->content_type = f->type;
    if (f->slot == PR_FIXED_PAGE)
        resp->csp = pr_web_csp;
}

/* The asset at path[0..len), NULL when none: / is the page, not an asset. */
static const web_file *find_asset(const char *path, size_t len)
{
    for (size_t i = 1; i < sizeof files / sizeof files[0]; i++)
        if (strlen(files[i].path) == len && memcmp(files[i].path, path, len) == 0)
            return &files[i];
    return NULL;
}

bool pr_web_is_asset(const char *path, size_t len)
{
    return find_asset(path, len) != NULL;
}

void pr_handle_web_asset(pr_api *api, const pr_request *req, pr_response *resp, const char *arg,
                         size_t arg_len)
{
    (void)arg, (void)arg_len;
    const web_file *f = find_asset(req->path, req->path_len);
    if (f)
        respond_file(api, req, resp, f);
    else
        pr_problem(resp, req, 404, NULL, "no such resource; see /openapi.yaml for the API");
}

void pr_handle_index(pr_api *api, const pr_request *req, pr_response *resp, const char *arg,
                     size_t arg_len)
{
    (void)arg, (void)arg_len;
    if (pr_web_wants_html(req->accept))
        respond_file(api, req, resp, &files[0]);
    else
        pr_handle_root(api, req, resp);
    /* RFC 9110 12.5.5: the answer depends on Accept; a 304 repeats it
     * (15.4.5), and a 400 for a stray parameter is the same for all */
    if (resp->status == 200)
        resp->vary = "Accept";
}

/* router.c: one request through the route table (routes.h): the path's
 * row, method and parameters, ?pretty and the format a list goes out in,
 * the answers kept by request, the row's handler, and the content coding. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#include "encoding.h"
#include "formats.h"
#include "negotiate.h"

static const char json_media_type[] = "application/json";

/* ?pretty, ?pretty=true or ?pretty=1 indent JSON; =false or =0 do not. */
static bool read_pretty(const pr_request *req, pr_response *resp, bool *pretty)
{
    const pr_param *p = pr_param_find(req, "pretty");
    *pretty = p && (!p->value[0] || !strcmp(p->value, "true") || !strcmp(p->value, "1"));
    if (!p || *pretty || !strcmp(p->value, "false") || !strcmp(p->value, "0"))
        return true;
    char q[96];
    pr_error_quote(p->value, p->value_len, 40, q, sizeof q);
    pr_problem(resp, req, 400, "pretty", "pretty takes no value, or true, false, 1 or 0, not %s",
               q);
    return false;
}

/* The format of a list of records: ?format= when given (a link names its
 * format whatever the client's Accept says), else Accept (RFC 9110
 * 12.5.1). A 400 for a format that is none, a 406 when Accept allows none
 * of them. */
static bool choose_format(const pr_api *api, const pr_request *req, pr_response *resp,
                          unsigned char *out)
{
    enum pr_format format;
    const pr_param *p = pr_param_find(req, "format");
    if (p) {
        format = pr_format_parse(p->value);
        if (format == PR_FORMAT_COUNT) {
            char q[96];
            pr_error_quote(p->value, p->value_len, 40, q, sizeof q);
            pr_problem(resp, req, 400, "format", "format must be json, csv or txt, not %s", q);
            return false;
        }
    } else if (!pr_negotiate_format(req->accept, &format)) {
        pr_problem(resp, req, 406, NULL,
                   "this resource is application/json, text/csv or text/plain, and Accept "
                   "allows none of them");
        return false;
    }
    if (format == PR_FORMAT_CSV && !api->reg->csv_text) {
        pr_problem(resp, req, 406, NULL,
                   "this data set's records file keeps no rows to answer text/csv with");
        return false;
    }
    *out = (unsigned char)format;
    return true;
}

/* ?pretty: a JSON 200 again, indented by two spaces, members in the same
 * order, ending in a newline. A body that will not parse (none should)
 * or no memory leave the compact one. */
static void indent_json(const pr_request *req, pr_response *resp)
{
    (void)req;
    if (resp->status != 200 || !resp->body || !resp->content_type ||
        strcmp(resp->content_type, json_media_type) != 0)
        return;
    json_t *root = json_loadb(resp->body->data, resp->body->len, 0, NULL);
    char *text = root ? json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    json_decref(root);
    size_t len = text ? strlen(text) : 0;
    pr_body *body = text ? malloc(sizeof *body + len + 2) : NULL;
    if (body) {
        memcpy(body->data, text, len);
        body->data[len] = '\n';
        body->data[len + 1] = '\0';
        body->len = len + 1;
        pr_body_seal(body);
        if (resp->body_owned)
            pr_body_free((pr_body *)resp->body);
        resp->body = body;
        resp->body_owned = true;
    }
    free(text);
}

/* Everything that comes from the route's row (routes.h): the path's row,
 * OPTIONS and Allow, the method, the query parameters' names; then the
 * answers kept by request, and the row's handler. */
static enum pr_route route_request(pr_api *api, const pr_request *req, pr_response *resp)
{
    memset(resp, 0, sizeof *resp);
    const char *path = req->path;
    size_t len = req->path_len;
    if (len > api->cfg.max_path_bytes) {
        pr_problem(resp, req, 414, NULL, "the path is over %u bytes",
                   (unsigned)api->cfg.max_path_bytes);
        return PR_ROUTE_UNKNOWN;
    }
    if (len == 0 || path[0] != '/' || memchr(path, '\0', len)) {
        pr_problem(resp, req, 400, NULL, "the request target is not an absolute path");
        return PR_ROUTE_UNKNOWN;
    }
    size_t arg_at = len;
    const pr_route_row *row = pr_route_find(path, len, &arg_at);
    if (!row || (row->operations && !api->cfg.operations)) {
        pr_problem(resp, req, 404, NULL, "no such resource; see /openapi.yaml for the API");
        return PR_ROUTE_UNKNOWN;
    }
    const char *allow = pr_route_allow(row);
    if (req->method == PR_OPTIONS) {
        resp->status = 204;
        resp->allow = allow;
        return row->id;
    }
    bool posting = req->method == PR_POST && row->post;
    if (req->method != PR_GET && req->method != PR_HEAD && !posting) {
        pr_problem(resp, req, 405, NULL, "this resource answers %s", allow);
        resp->allow = allow;
        return row->id;
    }
    if (req->too_many_params) {
        pr_problem(resp, req, 400, NULL, "more than %d query parameters", PR_MAX_QUERY_PARAMS);
        return row->id;
    }
    /* the row's own parameters, and those of its representations */
    const char *const *listed = posting ? row->post_params : row->params;
    const char *allowed[PR_MAX_QUERY_PARAMS + 3];
    size_t n_allowed = 0;
    while (listed[n_allowed] && n_allowed < PR_MAX_QUERY_PARAMS) {
        allowed[n_allowed] = listed[n_allowed];
        n_allowed++;
    }
    if (row->formats && !posting)
        allowed[n_allowed++] = "format";
    if (row->pretty)
        allowed[n_allowed++] = "pretty";
    allowed[n_allowed] = NULL;
    if (!pr_params_allow_lists(req, resp, allowed, posting ? NULL : row->lists))
        return row->id;
    if (row->operations) {
        api->cfg.operations(row->id, api, req, resp);
        return row->id;
    }
    pr_request chosen = *req;
    chosen.format = PR_FORMAT_JSON;
    bool pretty = false;
    if ((row->pretty && !read_pretty(req, resp, &pretty)) ||
        (row->formats && !posting && !choose_format(api, req, resp, &chosen.format)))
        return row->id;
    req = &chosen;
    const char *arg = path + arg_at;
    size_t arg_len = len - arg_at;
    if (posting) {
        row->post(api, req, resp, arg, arg_len);
        if (pretty)
            indent_json(req, resp);
        return row->id;
    }
    /* Answers that scan or compute are kept by their request (answers.h);
     * single lookups have slots of their own. */
    pr_answer_key key;
    bool kept = api->answers && row->kept && pr_answer_key_of(req, &key);
    if (kept && pr_answers_find(api->answers, &key, resp)) {
        if (row->formats)
            resp->vary = "Accept";
        return row->id;
    }
    row->get(api, req, resp, arg, arg_len);
    if (pretty)
        indent_json(req, resp);
    /* RFC 9110 12.5.5: a list's representation depends on Accept; a 304
     * repeats it (15.4.5) */
    if (row->formats && resp->status == 200)
        resp->vary = "Accept";
    if (kept && resp->status == 200 && resp->cacheable && resp->body_owned &&
        pr_cache_admits(api, key.hash)) {
        /* compressed once, here, and sent from memory from then on */
        pr_body_attach_gzip((pr_body *)resp->body);
        pr_answers_keep(api->answers, &key, resp, &api->cached_bytes, api->cfg.cache_bytes,
                        api->cfg.wire_bytes, true);
    }
    return row->id;
}

/* RFC 9110 8.4 and 12.5.3: the content coding a 200 goes out in. A kept
 * body's variant was made when it was kept; a body made for this request
 * alone is compressed now, and only if the client takes gzip. */
static void choose_coding(const pr_request *req, pr_response *resp)
{
    pr_body *body = (pr_body *)resp->body;
    if (resp->status != 200 || !body || body->len < PR_GZIP_MIN_BYTES)
        return;
    resp->vary_encoding = true;
    bool gzip = pr_accepts_gzip(req->accept_encoding);
    if (!resp->body_owned) {
        pr_body *gz = gzip ? atomic_load_explicit(&body->gzip, memory_order_acquire) : NULL;
        if (gz)
            resp->body = gz;
        return;
    }
    /* an owned body may carry a variant made for a cache that had no room:
     * it leaves here attached to nothing (api.h) */
    pr_body *gz = atomic_exchange_explicit(&body->gzip, NULL, memory_order_relaxed);
    if (gzip && !gz)
        gz = pr_body_gzip(body);
    if (!gzip || !gz) {
        free(gz);
        return;
    }
    free(body);
    resp->body = gz;
}

void pr_api_handle(pr_api *api, const pr_request *req, pr_response *resp)
{
    /* entered before the cache is looked into, so that nothing found there
     * can be freed under the response */
    unsigned token = api->grace ? pr_grace_enter(api->grace) : 0;
    enum pr_route route = route_request(api, req, resp);
    choose_coding(req, resp);
    resp->route = route;
    resp->grace = api->grace;
    resp->grace_token = token;
}

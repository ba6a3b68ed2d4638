/* api.c: the pr_api object, its body cache, problems, and the router. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "conditional.h"
#include "csv_table.h"
#include "encoding.h"
#include "formats.h"
#include "negotiate.h"
#include "web.h"

static const char json_media_type[] = "application/json";
static const char problem_type[] = "application/problem+json";

/* ---- object ---- */

static int by_count_desc(const void *a, const void *b, void *ctx)
{
    const pr_registry *reg = ctx;
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    uint32_t cx = reg->people[x].as_assignee.count, cy = reg->people[y].as_assignee.count;
    if (cx != cy)
        return cx > cy ? -1 : 1;
    return x < y ? -1 : x > y; /* people are sorted by ID: ties go by ID */
}

static void free_kept_body(void *ctx, pr_body *body);

/* The grace period's callback: an evicted answer no request can still use. */
static void free_retired(void *ctx, void *retired)
{
    pr_api *api = ctx;
    pr_answers_free_retired(api->answers, retired);
}

pr_api *pr_api_new(const pr_registry *reg, const pr_api_config *cfg)
{
    pr_api *api = calloc(1, sizeof *api);
    if (!api)
        return NULL;
    api->reg = reg;
    api->cfg = *cfg;
    if (!api->cfg.max_path_bytes)
        api->cfg.max_path_bytes = PR_MAX_PATH_BYTES;
    if (!api->cfg.max_manifest)
        api->cfg.max_manifest = PR_MAX_MANIFEST_ENTRIES;
    atomic_init(&api->cached_bytes, 0);
    for (int i = 0; i < PR_FIXED_COUNT; i++)
        atomic_init(&api->fixed[i], NULL);
    /* calloc'ed slot arrays: untouched pages cost no memory until a key is asked */
    api->port_slots = calloc(65536 * (size_t)PR_PORT_VIEWS, sizeof *api->port_slots);
    api->name_slots = calloc((size_t)reg->name_count + 1, sizeof *api->name_slots);
    api->assignee_slots = calloc((size_t)reg->person_count + 1, sizeof *api->assignee_slots);
    api->contact_slots = calloc((size_t)reg->person_count + 1, sizeof *api->contact_slots);
    api->assignees_by_count = malloc(((size_t)reg->person_count + 1) * sizeof(uint32_t));
    /* 16384 slots: 128 KiB of table at most, more entries than an 8 MiB
     * budget can pay for */
    if (api->cfg.cache_bytes &&
        (!(api->grace = pr_grace_new(free_retired, api)) ||
         !(api->answers = pr_answers_new(16384, api->grace, free_kept_body, api)) ||
         !(api->admit = pr_admit_new()))) {
        pr_api_free(api);
        return NULL;
    }
    if (!api->port_slots || !api->name_slots || !api->assignee_slots || !api->contact_slots ||
        !api->assignees_by_count) {
        pr_api_free(api);
        return NULL;
    }
    for (uint32_t i = 0; i < reg->person_count; i++)
        if (reg->people[i].as_assignee.count)
            api->assignees_by_count[api->assignee_count++] = i;
    qsort_r(api->assignees_by_count, api->assignee_count, sizeof(uint32_t), by_count_desc,
            (void *)reg);
    if (reg->updated.year) {
        /* a date given as YYYY or YYYY-MM is taken at its first day */
        pr_date d = reg->updated;
        api->last_modified_time =
            pr_epoch_of_date(d.year, d.month ? d.month : 1u, d.day ? d.day : 1u);
        pr_http_date_format(api->last_modified_time, api->last_modified);
    }
    return api;
}

static void free_body(const pr_api *api, pr_body *body)
{
    if (!body)
        return;
    free_body(api, atomic_load(&body->gzip));
    for (int i = 0; i < 2; i++) {
        void *wire = atomic_load(&body->wire[i]);
        if (wire && api->cfg.wire_free)
            api->cfg.wire_free(wire);
    }
    free(body);
}

static void free_kept_body(void *ctx, pr_body *body)
{
    free_body(ctx, body);
}

static void free_slots(const pr_api *api, pr_body *_Atomic *slots, size_t n)
{
    if (!slots)
        return;
    for (size_t i = 0; i < n; i++)
        free_body(api, atomic_load(&slots[i]));
    free(slots);
}

void pr_api_free(pr_api *api)
{
    if (!api)
        return;
    const pr_registry *reg = api->reg;
    for (int i = 0; i < PR_FIXED_COUNT; i++)
        free_body(api, atomic_load(&api->fixed[i]));
    free_slots(api, api->port_slots, 65536 * (size_t)PR_PORT_VIEWS);
    free_slots(api, api->name_slots, reg->name_count);
    free_slots(api, api->assignee_slots, reg->person_count);
    free_slots(api, api->contact_slots, reg->person_count);
    /* retired answers first: freeing them needs the table's callbacks */
    pr_grace_free(api->grace);
    pr_answers_free(api->answers);
    pr_admit_free(api->admit);
    free(api->assignees_by_count);
    free(api);
}

const char *pr_api_last_modified(const pr_api *api)
{
    return api->last_modified;
}

int64_t pr_api_last_modified_time(const pr_api *api)
{
    return api->last_modified_time;
}

const pr_registry *pr_api_registry(const pr_api *api)
{
    return api->reg;
}

/* ---- responses ---- */

static void respond_body(pr_response *resp, pr_body *body, bool owned, const char *type)
{
    resp->status = 200;
    resp->content_type = type;
    resp->body = body;
    resp->body_owned = owned;
    resp->cacheable = true;
}

bool pr_cache_admits(pr_api *api, uint64_t hash)
{
    return api->admit &&
           pr_admit_ask(api->admit, hash,
                        atomic_load_explicit(&api->cached_bytes, memory_order_relaxed),
                        api->cfg.cache_bytes);
}

void pr_respond_cached(pr_api *api, const pr_request *req, pr_response *resp,
                       pr_body *_Atomic *slot, pr_make_body_fn make, const void *arg)
{
    pr_body *body = atomic_load_explicit(slot, memory_order_acquire);
    if (body) {
        respond_body(resp, body, false, json_media_type);
        return;
    }
    body = make(api, arg);
    if (!body) {
        pr_problem(resp, req, 500, NULL, "out of memory while rendering the response");
        return;
    }
    /* a slot's address names its answer as well as a key would */
    if (!pr_cache_admits(api, (uint64_t)(uintptr_t)slot)) {
        respond_body(resp, body, true, json_media_type);
        return;
    }
    /* compressed once, here, and sent from memory from then on */
    pr_body_attach_gzip(body);
    size_t cost = pr_body_cost(body, api->cfg.wire_bytes);
    if (!pr_budget_take(&api->cached_bytes, api->cfg.cache_bytes, cost)) {
        respond_body(resp, body, true, json_media_type);
        return;
    }
    pr_body *expected = NULL;
    if (!atomic_compare_exchange_strong_explicit(slot, &expected, body, memory_order_acq_rel,
                                                 memory_order_acquire)) {
        /* another thread rendered the same bytes first: use its copy */
        atomic_fetch_sub(&api->cached_bytes, cost);
        pr_body_free(body);
        body = expected;
    }
    respond_body(resp, body, false, json_media_type);
}

void pr_respond_body(pr_response *resp, const pr_request *req, pr_body *body)
{
    if (!body) {
        pr_problem(resp, req, 500, NULL, "out of memory while rendering the response");
        return;
    }
    respond_body(resp, body, true, json_media_type);
}

void pr_respond_records(pr_api *api, const pr_request *req, pr_response *resp, const uint32_t *idx,
                        uint32_t n)
{
    enum pr_format format = (enum pr_format)req->format;
    pr_body *body = pr_records_body(api->reg, format, idx, n);
    if (!body) {
        pr_problem(resp, req, 500, NULL, "out of memory while rendering the response");
        return;
    }
    respond_body(resp, body, true, pr_format_media_type(format));
}

static const char *reason_phrase(int status)
{
    switch (status) {
    case 400:
        return "Bad Request";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 406:
        return "Not Acceptable";
    case 413:
        return "Content Too Large";
    case 415:
        return "Unsupported Media Type";
    case 414:
        return "URI Too Long";
    case 500:
        return "Internal Server Error";
    case 503:
        return "Service Unavailable";
    default:
        return "Error";
    }
}

/* Percent-encodes what RFC 3986 does not allow as is in a path. */
static void encode_path(const char *path, size_t len, char *out)
{
    static const char hex[] = "0123456789ABCDEF";
    static const char allowed[] = "-._~!$&'()*+,;=:@/";
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)path[i];
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            (c && strchr(allowed, c))) {
            out[o++] = (char)c;
        } else {
            out[o++] = '%';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        }
    }
    out[o] = '\0';
}

/* RFC 8259 section 8.1: JSON text is UTF-8, so a parameter name that is not
 * (?%FF=1) would fail json_string and drop the member. It is given instead
 * as sent on the wire: each byte that breaks UTF-8, and each "%", encoded
 * as %XX. NULL only when out of memory. */
static json_t *parameter_string(const char *name)
{
    size_t len = strlen(name), bad;
    if (pr_utf8_valid(name, len, &bad))
        return json_string(name);
    static const char hex[] = "0123456789ABCDEF";
    char *out = malloc(3 * len + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        size_t good;
        if (pr_utf8_valid(name + i, len - i, &good))
            good = len - i;
        for (size_t k = 0; k < good; k++, i++) {
            if (name[i] == '%') {
                memcpy(out + o, "%25", 3);
                o += 3;
            } else {
                out[o++] = name[i];
            }
        }
        if (i < len) {
            unsigned char c = (unsigned char)name[i++];
            out[o++] = '%';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        }
    }
    out[o] = '\0';
    json_t *s = json_string(out);
    free(out);
    return s;
}

void pr_problem(pr_response *resp, const pr_request *req, int status, const char *parameter,
                const char *fmt, ...)
{
    char detail[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    if (n < 0)
        snprintf(detail, sizeof detail, "%s", reason_phrase(status));
    else if ((size_t)n >= sizeof detail) /* cut between characters, and say so */
        memcpy(detail + pr_utf8_cut(detail, sizeof detail - 4), "...", 4);
    if (resp->body_owned)
        free((void *)resp->body);
    memset(resp, 0, sizeof *resp);
    resp->status = status;
    resp->content_type = problem_type;
    /* RFC 9457 3.1.5: instance is a URI reference, so the decoded path is
     * encoded again; bounded, as a path over the limit is itself the problem */
    size_t shown = req->path_len < PR_MAX_INSTANCE_BYTES ? req->path_len : PR_MAX_INSTANCE_BYTES;
    char *instance_text = malloc(3 * shown + 1);
    if (instance_text)
        encode_path(req->path, shown, instance_text);
    json_t *instance = instance_text ? json_string(instance_text) : NULL;
    free(instance_text);
    /* The detail may quote what a client or a library wrote (jansson's parse
     * errors show the bytes near the error): each invalid byte becomes
     * U+FFFD rather than failing the body. A parameter's name is given as
     * sent, its bytes that are not UTF-8 percent-encoded, so that it still
     * names the parameter. */
    json_t *root = json_pack("{s:s,s:s,s:i,s:o,s:o}", "type", "about:blank", "title",
                             reason_phrase(status), "status", status, "detail",
                             pr_json_lossy(detail, strlen(detail)), "instance", instance);
    if (root && parameter &&
        json_object_set_new(root, "parameter", parameter_string(parameter)) != 0) {
        json_decref(root);
        root = NULL; /* all of the problem or none of it */
    }
    /* NULL only when out of memory: the status still goes out, without a body */
    resp->body = pr_render_body(root);
    resp->body_owned = resp->body != NULL;
}

void pr_api_problem(pr_response *resp, const pr_request *req, int status, const char *detail)
{
    memset(resp, 0, sizeof *resp);
    pr_problem(resp, req, status, NULL, "%s", detail);
}

void pr_response_release(pr_response *resp)
{
    if (resp->grace) {
        pr_grace_leave(resp->grace, resp->grace_token);
        resp->grace = NULL;
    }
    if (resp->body_owned)
        free((void *)resp->body);
    resp->body = NULL;
    resp->body_owned = false;
}

/* ---- router ---- */

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

bool pr_response_take_grace(pr_response *resp, unsigned *token)
{
    if (!resp->grace)
        return false;
    *token = resp->grace_token;
    resp->grace = NULL;
    return true;
}

void pr_api_grace_leave(pr_api *api, unsigned token)
{
    if (api->grace)
        pr_grace_leave(api->grace, token);
}

size_t pr_api_evicted(const pr_api *api)
{
    return api->answers ? pr_answers_evicted(api->answers) : 0;
}

size_t pr_api_evicted_freed(const pr_api *api)
{
    return api->grace ? pr_grace_freed(api->grace) : 0;
}

size_t pr_api_cache_bytes(const pr_api *api)
{
    return atomic_load(&((pr_api *)api)->cached_bytes);
}

size_t pr_api_cache_budget(const pr_api *api)
{
    return api->cfg.cache_bytes;
}

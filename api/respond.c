/* respond.c: the 200 answers handlers give, and the body cache behind
 * them: per-key slots (pr_respond_cached) and the admission of kept
 * answers; then the response's release. */
#include "internal.h"

#include <stdlib.h>

#include "encoding.h"
#include "formats.h"

static const char json_media_type[] = "application/json";

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

bool pr_response_take_grace(pr_response *resp, unsigned *token)
{
    if (!resp->grace)
        return false;
    *token = resp->grace_token;
    resp->grace = NULL;
    return true;
}

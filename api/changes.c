/* changes.c: /v1/changes?since=YYYY-MM-DD: the records registered or
 * modified on or after a day, newest first, from the order data/ built at
 * load (pr_registry.changes): a binary search and a slice per request. A
 * list of records like the others: JSON, IANA's CSV or a text table
 * (formats.h); `since` is a member of the JSON envelope only. */
#include "formats.h"
#include "internal.h"
#include "jsonw.h"
#include "listpage.h"

#include <string.h>

/* since is a whole day, YYYY-MM-DD: a dashboard asks from a day it knows.
 * (A record's own date may be YYYY or YYYY-MM; it counts from its first
 * day, see pr_registry_changes_since.) */
static bool read_since(const pr_request *req, pr_response *resp, pr_date *out)
{
    const pr_param *p;
    if (!pr_param_required(req, resp, "since", &p))
        return false;
    if (p->value_len != 10 || !pr_date_parse(p->value, p->value_len, out) || !out->day) {
        char q[96];
        pr_error_quote(p->value, p->value_len, 40, q, sizeof q);
        pr_problem(resp, req, 400, "since", "since must be a date YYYY-MM-DD, not %s", q);
        return false;
    }
    return true;
}

/* The walk over reg->changes[0 .. total): the list's order is the index's. */
typedef struct changes_walk {
    const pr_registry *reg;
    uint32_t at, total;
    char since[11];
} changes_walk;

static bool next_change(void *ctx, uint32_t *item)
{
    changes_walk *cw = ctx;
    if (cw->at >= cw->total)
        return false;
    *item = cw->reg->changes[cw->at++];
    return true;
}

static void write_change(pr_jw *w, void *ctx, uint32_t item)
{
    const changes_walk *cw = ctx;
    pr_jw_record(w, cw->reg, &cw->reg->records[item]);
}

static void write_since(pr_jw *w, void *ctx, const uint32_t *page, uint32_t count)
{
    (void)page, (void)count;
    const changes_walk *cw = ctx;
    pr_jw_raw(w, ",\"since\":", 9);
    pr_jw_string(w, cw->since);
}

void pr_handle_changes(pr_api *api, const pr_request *req, pr_response *resp, const char *arg,
                       size_t arg_len)
{
    (void)arg, (void)arg_len;
    pr_date since;
    uint32_t limit, offset;
    if (!read_since(req, resp, &since) || !pr_param_page(api, req, resp, &limit, &offset))
        return;
    changes_walk cw = {.reg = api->reg, .total = pr_registry_changes_since(api->reg, since)};
    pr_date_format(since, cw.since);
    char base[64] = "";
    bool fits = pr_query_append(base, sizeof base, "since", cw.since);
    /* the total is the binary search's: the walk stops at the page's end */
    pr_list list = {.path = "/v1/changes",
                    .base = fits ? base : NULL,
                    .limit = limit,
                    .offset = offset,
                    .next = next_change,
                    .ctx = &cw,
                    .total_known = true,
                    .total = cw.total,
                    .item = write_change,
                    .item_bytes = 384,
                    .members = write_since,
                    .records = api->reg,
                    .format = pr_records_list_format((enum pr_format)req->format)};
    pr_list_respond(req, resp, &list);
}

/* changes.c: /v1/changes?since=YYYY-MM-DD: the records registered or
 * modified on or after a day, newest first, from the order data/ built at
 * load (pr_registry.changes): a binary search and a slice per request. */
#include "internal.h"
#include "jsonw.h"

#include <string.h>

/* since is a whole day, YYYY-MM-DD: a dashboard asks from a day it knows.
 * (A record's own date may be YYYY or YYYY-MM; it counts from its first
 * day, see pr_registry_changes_since.) */
static bool read_since(const pr_request *req, pr_response *resp, pr_date *out)
{
    const pr_param *p = pr_param_find(req, "since");
    if (!p) {
        pr_problem(resp, req, 400, "since", "query parameter since is required");
        return false;
    }
    if (p->value_len != 10 || !pr_date_parse(p->value, p->value_len, out) || !out->day) {
        char q[96];
        pr_error_quote(p->value, p->value_len, 40, q, sizeof q);
        pr_problem(resp, req, 400, "since", "since must be a date YYYY-MM-DD, not %s", q);
        return false;
    }
    return true;
}

void pr_handle_changes(pr_api *api, const pr_request *req, pr_response *resp, const char *arg,
                       size_t arg_len)
{
    (void)arg, (void)arg_len;
    const pr_registry *reg = api->reg;
    pr_date since;
    uint32_t limit, offset;
    if (!read_since(req, resp, &since) || !pr_param_page(api, req, resp, &limit, &offset))
        return;
    uint32_t total = pr_registry_changes_since(reg, since);
    uint32_t n = offset < total ? (total - offset < limit ? total - offset : limit) : 0;
    char day[11];
    pr_date_format(since, day);
    pr_jw w;
    pr_jw_init(&w, 256 + (size_t)n * 384);
    pr_jw_raw(&w, "{\"items\":", 9);
    pr_jw_records(&w, reg, reg->changes + (n ? offset : 0), n);
    pr_jw_raw(&w, ",\"total\":", 9);
    pr_jw_uint(&w, total);
    pr_jw_raw(&w, ",\"limit\":", 9);
    pr_jw_uint(&w, limit);
    pr_jw_raw(&w, ",\"offset\":", 10);
    pr_jw_uint(&w, offset);
    pr_jw_raw(&w, ",\"since\":", 9);
    pr_jw_string(&w, day);
    pr_jw_raw(&w, "}", 1);
    pr_respond_body(resp, req, pr_jw_finish(&w));
    char base[64] = "";
    bool fits = pr_query_append(base, sizeof base, "since", day);
    pr_set_page_links(resp, req, "/v1/changes", fits ? base : NULL, limit, offset, total);
}

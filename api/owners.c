/* owners.c: GET /v1/owners and /v1/owners/{owner}: the organization's plan
 * (plan.h) by team, each with its entries and its bands. Without a plan
 * the list is empty and every team is unknown. */
#include "internal.h"
#include "jsonw.h"
#include "listpage.h"

#include <stdio.h>
#include <string.h>

/* The Owner object of openapi.yaml: {"owner","contact","entries","bands"},
 * the records in plan order. */
static void write_owner(pr_jw *w, const pr_registry *reg, const pr_owner *o)
{
    pr_jw_raw(w, "{\"owner\":", 9);
    pr_jw_string(w, o->name);
    pr_jw_raw(w, ",\"contact\":", 11);
    pr_jw_text(w, o->contact);
    for (int bands = 0; bands < 2; bands++) {
        pr_jw_raw(w, bands ? "],\"bands\":[" : ",\"entries\":[", bands ? 11 : 12);
        bool first = true;
        for (uint32_t k = 0; k < o->records.count; k++) {
            const pr_record *r = &reg->records[reg->owner_records[o->records.first + k]];
            if ((r->local_status == PR_PLAN_BAND) != (bands == 1))
                continue;
            if (!first)
                pr_jw_raw(w, ",", 1);
            first = false;
            pr_jw_record(w, reg, r);
        }
    }
    pr_jw_raw(w, "]}", 2);
}

typedef struct owners_walk {
    const pr_registry *reg;
    uint32_t at;
} owners_walk;

static bool next_owner(void *ctx, uint32_t *item)
{
    owners_walk *ow = ctx;
    if (ow->at >= ow->reg->owner_count)
        return false;
    *item = ow->at++;
    return true;
}

static void write_owner_item(pr_jw *w, void *ctx, uint32_t item)
{
    owners_walk *ow = ctx;
    write_owner(w, ow->reg, &ow->reg->owners[item]);
}

void pr_handle_owners(pr_api *api, const pr_request *req, pr_response *resp, const char *arg,
                      size_t arg_len)
{
    (void)arg, (void)arg_len;
    uint32_t limit, offset;
    if (!pr_param_page(api, req, resp, &limit, &offset))
        return;
    owners_walk ow = {api->reg, 0};
    pr_list list = {.path = "/v1/owners",
                    .base = "",
                    .limit = limit,
                    .offset = offset,
                    .next = next_owner,
                    .ctx = &ow,
                    .total_known = true,
                    .total = api->reg->owner_count,
                    .item = write_owner_item,
                    .item_bytes = 1024};
    pr_list_respond(req, resp, &list);
}

void pr_handle_owner(pr_api *api, const pr_request *req, pr_response *resp, const char *name,
                     size_t len)
{
    const pr_owner *o = pr_registry_find_owner(api->reg, name, len);
    if (!o) {
        char q[96];
        pr_error_quote(name, len, 64, q, sizeof q);
        pr_problem(resp, req, 404, NULL, "the port plan has no team %s", q);
        return;
    }
    pr_jw w;
    pr_jw_init(&w, 1024);
    write_owner(&w, api->reg, o);
    pr_respond_body(resp, req, pr_jw_finish(&w));
}

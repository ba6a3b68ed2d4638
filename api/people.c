/* people.c: /v1/assignees, /v1/assignees/{id}, /v1/contacts, /v1/contacts/{id}. */
#include "internal.h"
#include "jsonw.h"
#include "listpage.h"

#include <stdlib.h>
#include <string.h>

typedef struct person_view {
    const pr_person *person;
    bool any_role; /* contacts list every record that cites them; assignees their own */
} person_view;

static pr_body *make_person(pr_api *api, const void *arg)
{
    const person_view *view = arg;
    const pr_registry *reg = api->reg;
    pr_span span = view->any_role ? view->person->any_role : view->person->as_assignee;
    pr_jw w;
    pr_jw_init(&w, 512 + (size_t)span.count * 384);
    PR_JW_LIT(&w, "{");
    pr_jw_contact_members(&w, view->person);
    PR_JW_LIT(&w, ",\"records\":");
    pr_jw_records(&w, reg, reg->person_records + span.first, span.count);
    PR_JW_LIT(&w, "}");
    return pr_jw_finish(&w);
}

static const pr_person *find(pr_api *api, const char *id, size_t len)
{
    return len <= PR_MAX_ID_BYTES + 2 ? pr_registry_find_person(api->reg, id, len) : NULL;
}

/* One person's page: as assignee (their own records) or as contact (every
 * record that names them). */
static void handle_person(pr_api *api, const pr_request *req, pr_response *resp, const char *id,
                          size_t len, bool as_contact)
{
    const pr_person *p = find(api, id, len);
    if (!p || (as_contact ? !p->in_table : p->as_assignee.count == 0)) {
        char q[160];
        pr_error_quote(id, len, 128, q, sizeof q);
        if (as_contact)
            pr_problem(resp, req, 404, NULL, "no contact has the ID %s", q);
        else
            pr_problem(resp, req, 404, NULL, "%s is not the assignee of any record", q);
        return;
    }
    if (req->format != PR_FORMAT_JSON) {
        pr_span span = as_contact ? p->any_role : p->as_assignee;
        pr_respond_records(api, req, resp, api->reg->person_records + span.first, span.count);
        return;
    }
    person_view view = {p, as_contact};
    pr_body *_Atomic *slots = as_contact ? api->contact_slots : api->assignee_slots;
    pr_respond_cached(api, req, resp, &slots[p - api->reg->people], make_person, &view);
}

void pr_handle_assignee(pr_api *api, const pr_request *req, pr_response *resp, const char *id,
                        size_t len)
{
    handle_person(api, req, resp, id, len, false);
}

void pr_handle_contact(pr_api *api, const pr_request *req, pr_response *resp, const char *id,
                       size_t len)
{
    handle_person(api, req, resp, id, len, true);
}

/* The walk over people for the lists: assignees in ID or count order,
 * contacts in ID order and matching a term. */
typedef struct people_walk {
    const pr_api *api;
    uint32_t at;
    bool by_count; /* assignees: api->assignees_by_count's order */
    const char *term;
    size_t term_len;
} people_walk;

static bool next_assignee(void *ctx, uint32_t *item)
{
    people_walk *pw = ctx;
    const pr_registry *reg = pw->api->reg;
    if (pw->by_count) {
        if (pw->at >= pw->api->assignee_count)
            return false;
        *item = pw->api->assignees_by_count[pw->at++];
        return true;
    }
    /* by ID: people in their (ID) order, those who assign any record */
    while (pw->at < reg->person_count) {
        uint32_t i = pw->at++;
        if (reg->people[i].as_assignee.count) {
            *item = i;
            return true;
        }
    }
    return false;
}

static bool next_contact(void *ctx, uint32_t *item)
{
    people_walk *pw = ctx;
    const pr_registry *reg = pw->api->reg;
    while (pw->at < reg->person_count) {
        uint32_t i = pw->at++;
        if (reg->people[i].in_table &&
            (!pw->term_len || pr_registry_person_matches(reg, i, pw->term, pw->term_len))) {
            *item = i;
            return true;
        }
    }
    return false;
}

/* {"id","name","organization","count"}: an assignee and how many records. */
static void write_assignee(pr_jw *w, void *ctx, uint32_t item)
{
    const pr_person *p = &((people_walk *)ctx)->api->reg->people[item];
    PR_JW_LIT(w, "{\"id\":");
    pr_jw_string(w, p->id);
    PR_JW_LIT(w, ",\"name\":");
    pr_jw_text(w, p->name);
    PR_JW_LIT(w, ",\"organization\":");
    pr_jw_text(w, p->organization);
    PR_JW_LIT(w, ",\"count\":");
    pr_jw_uint(w, p->as_assignee.count);
    PR_JW_LIT(w, "}");
}

static void write_contact(pr_jw *w, void *ctx, uint32_t item)
{
    pr_jw_contact(w, &((people_walk *)ctx)->api->reg->people[item]);
}

void pr_handle_assignees(pr_api *api, const pr_request *req, pr_response *resp, const char *arg,
                         size_t arg_len)
{
    (void)arg, (void)arg_len;
    uint32_t limit, offset;
    if (!pr_param_page(api, req, resp, &limit, &offset))
        return;
    const pr_param *sort = pr_param_find(req, "sort");
    bool by_count = false;
    if (sort) {
        by_count = strcmp(sort->value, "count") == 0;
        if (!by_count && strcmp(sort->value, "id") != 0) {
            char q[96];
            pr_error_quote(sort->value, sort->value_len, 40, q, sizeof q);
            pr_problem(resp, req, 400, "sort", "sort must be id or count, not %s", q);
            return;
        }
    }
    char base[64] = "";
    bool fits = !sort || pr_query_append(base, sizeof base, "sort", by_count ? "count" : "id");
    people_walk pw = {.api = api, .by_count = by_count};
    pr_list list = {.path = "/v1/assignees",
                    .base = fits ? base : NULL,
                    .limit = limit,
                    .offset = offset,
                    .next = next_assignee,
                    .ctx = &pw,
                    .total_known = true,
                    .total = api->assignee_count,
                    .item = write_assignee,
                    .item_bytes = 96};
    pr_list_respond(req, resp, &list);
}

void pr_handle_contacts(pr_api *api, const pr_request *req, pr_response *resp, const char *arg,
                        size_t arg_len)
{
    (void)arg, (void)arg_len;
    char term[PR_MAX_Q_BYTES + 1];
    size_t term_len;
    uint32_t limit, offset;
    if (!pr_param_term(req, resp, "q", false, term, &term_len) ||
        !pr_param_page(api, req, resp, &limit, &offset))
        return;
    char base[1024] = ""; /* q is at most PR_MAX_Q_BYTES, three bytes each encoded */
    bool fits =
        !term_len || pr_query_append(base, sizeof base, "q", pr_param_find(req, "q")->value);
    people_walk pw = {.api = api, .term = term, .term_len = term_len};
    /* a contact is some 200 bytes of JSON */
    pr_list list = {.path = "/v1/contacts",
                    .base = fits ? base : NULL,
                    .limit = limit,
                    .offset = offset,
                    .next = next_contact,
                    .ctx = &pw,
                    .item = write_contact,
                    .item_bytes = 256};
    pr_list_respond(req, resp, &list);
}

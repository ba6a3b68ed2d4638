/* people.c: /v1/assignees, /v1/assignees/{id}, /v1/contacts, /v1/contacts/{id}. */
#include "internal.h"
#include "jsonw.h"

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
    const pr_registry *reg = api->reg;
    json_t *items = json_array();
    uint32_t total = api->assignee_count;
    /* by ID: walk people in their (ID) order, counting assignees as we go */
    uint32_t seen = 0;
    for (uint32_t i = 0; items && i < (by_count ? total : reg->person_count); i++) {
        uint32_t pi = by_count ? api->assignees_by_count[i] : i;
        const pr_person *p = &reg->people[pi];
        if (!by_count && p->as_assignee.count == 0)
            continue;
        if (seen++ < offset)
            continue;
        if (seen > (uint64_t)offset + limit)
            break;
        json_t *item = json_pack("{s:s,s:o,s:o,s:I}", "id", p->id, "name", pr_json_text(p->name),
                                 "organization", pr_json_text(p->organization), "count",
                                 (json_int_t)p->as_assignee.count);
        if (json_array_append_new(items, item) != 0) {
            json_decref(items);
            items = NULL;
        }
    }
    pr_respond_json(resp, req, pr_list_envelope(items, total, limit, offset));
    char base[64] = "";
    bool fits = !sort || pr_query_append(base, sizeof base, "sort", by_count ? "count" : "id");
    pr_set_page_links(resp, req, "/v1/assignees", fits ? base : NULL, limit, offset, total);
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
    const pr_registry *reg = api->reg;
    pr_jw w;
    /* a contact is some 200 bytes of JSON */
    pr_jw_init(&w, 256 + (size_t)(limit < 1000 ? limit : 1000) * 256);
    PR_JW_LIT(&w, "{\"items\":[");
    uint32_t total = 0;
    for (uint32_t i = 0; i < reg->person_count; i++) {
        const pr_person *p = &reg->people[i];
        if (!p->in_table)
            continue;
        if (term_len) {
            if (!pr_registry_person_matches(reg, i, term, term_len))
                continue;
        }
        if (total++ < offset || total > (uint64_t)offset + limit)
            continue;
        if (total - 1 > offset)
            PR_JW_LIT(&w, ",");
        pr_jw_contact(&w, p);
    }
    PR_JW_LIT(&w, "],\"total\":");
    pr_jw_uint(&w, total);
    PR_JW_LIT(&w, ",\"limit\":");
    pr_jw_uint(&w, limit);
    PR_JW_LIT(&w, ",\"offset\":");
    pr_jw_uint(&w, offset);
    PR_JW_LIT(&w, "}");
    pr_respond_body(resp, req, pr_jw_finish(&w));
    char base[1024] = ""; /* q is at most PR_MAX_Q_BYTES, three bytes each encoded */
    bool fits =
        !term_len || pr_query_append(base, sizeof base, "q", pr_param_find(req, "q")->value);
    pr_set_page_links(resp, req, "/v1/contacts", fits ? base : NULL, limit, offset, total);
}

/* records.c: /v1/services/{name}, /v1/services (filtered list), /v1/search. */
#include "internal.h"
#include "jsonw.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- one service name ---- */

static pr_body *make_service(pr_api *api, const void *arg)
{
    const pr_service_name *name = arg;
    const pr_registry *reg = api->reg;
    pr_jw w;
    pr_jw_init(&w, 256 + (size_t)name->records.count * 384);
    PR_JW_LIT(&w, "{\"service\":");
    pr_jw_string(&w, name->name);
    PR_JW_LIT(&w, ",\"records\":");
    pr_jw_records(&w, reg, reg->name_records + name->records.first, name->records.count);
    PR_JW_LIT(&w, "}");
    return pr_jw_finish(&w);
}

void pr_handle_service(pr_api *api, const pr_request *req, pr_response *resp, const char *name,
                       size_t len)
{
    const pr_service_name *found = pr_registry_find_name(api->reg, name, len);
    if (!found) {
        char q[96];
        pr_error_quote(name, len, 64, q, sizeof q);
        pr_problem(resp, req, 404, NULL, "no record has the service name %s", q);
        return;
    }
    pr_respond_cached(api, req, resp, &api->name_slots[found - api->reg->names], make_service,
                      found);
}

/* ---- matching records, one page at a time ---- */

typedef struct filter {
    bool by_proto, by_status, by_port;
    enum pr_proto proto;
    enum pr_status status;
    uint16_t port;
    const pr_person *assignee, *contact;
    char term[PR_MAX_Q_BYTES + 1];
    size_t term_len;
} filter;

static bool cites(const pr_registry *reg, pr_span span, const pr_person *person)
{
    uint32_t want = (uint32_t)(person - reg->people);
    for (uint32_t i = 0; i < span.count; i++)
        if (reg->person_refs[span.first + i] == want)
            return true;
    return false;
}

static bool matches(const pr_registry *reg, const filter *f, uint32_t i)
{
    const pr_record *r = &reg->records[i];
    if (f->by_proto && r->proto != f->proto)
        return false;
    if (f->by_status && r->status != f->status)
        return false;
    if (f->by_port && (!r->has_port || f->port < r->port_first || f->port > r->port_last))
        return false;
    if (f->assignee && !cites(reg, r->assignees, f->assignee))
        return false;
    if (f->contact && !cites(reg, r->contacts, f->contact))
        return false;
    return f->term_len == 0 || pr_registry_record_matches(reg, i, f->term, f->term_len);
}

/* The narrowest candidate list a filter allows: a port's records, a
 * person's, or else every record. NULL means "all records 0..n". */
static const uint32_t *candidates(const pr_registry *reg, const filter *f, uint32_t *n)
{
    if (f->by_port)
        return pr_registry_port_records(reg, f->port, n);
    if (f->assignee) {
        *n = f->assignee->as_assignee.count;
        return reg->person_records + f->assignee->as_assignee.first;
    }
    if (f->contact) {
        *n = f->contact->as_contact.count;
        return reg->person_records + f->contact->as_contact.first;
    }
    *n = reg->record_count;
    return NULL;
}

/* Counts every match and collects those in [offset, offset + limit) into page. */
static uint32_t collect(const pr_registry *reg, const filter *f, uint32_t offset, uint32_t limit,
                        uint32_t *page, uint32_t *page_n)
{
    uint32_t n, total = 0;
    const uint32_t *cand = candidates(reg, f, &n);
    *page_n = 0;
    /* with every record a candidate, a term lets the text scan jump from hit
     * to hit instead of trying each record */
    bool scan = !cand && f->term_len;
    for (uint32_t k = scan ? pr_registry_next_match(reg, 0, f->term, f->term_len) : 0; k < n;
         k = scan ? pr_registry_next_match(reg, k + 1, f->term, f->term_len) : k + 1) {
        uint32_t i = cand ? cand[k] : k;
        if (!matches(reg, f, i))
            continue;
        if (total >= offset && *page_n < limit)
            page[(*page_n)++] = i;
        total++;
    }
    return total;
}

/* The list envelope of openapi.yaml around the page's records, as
 * pr_list_envelope() would make it: {"items":[...],"total":..,"limit":..,
 * "offset":.. and no closing brace, for the caller to add members first. */
static void open_page(pr_jw *w, const pr_registry *reg, const uint32_t *page, uint32_t page_n,
                      uint32_t total, uint32_t limit, uint32_t offset)
{
    /* a record is some 300 bytes of JSON */
    pr_jw_init(w, 256 + (size_t)page_n * 384);
    pr_jw_raw(w, "{\"items\":", 9);
    pr_jw_records(w, reg, page, page_n);
    pr_jw_raw(w, ",\"total\":", 9);
    pr_jw_uint(w, total);
    pr_jw_raw(w, ",\"limit\":", 9);
    pr_jw_uint(w, limit);
    pr_jw_raw(w, ",\"offset\":", 10);
    pr_jw_uint(w, offset);
}

/* An ID no record cites filters everything out: the answer is an empty list.
 * The length bound keeps the page links' query within its buffer. */
static bool person_param(pr_api *api, const pr_request *req, pr_response *resp, const char *key,
                         const pr_person **out, bool *impossible)
{
    const pr_param *p = pr_param_find(req, key);
    *out = NULL;
    if (!p)
        return true;
    if (p->value_len == 0 || p->value_len > PR_MAX_ID_BYTES) {
        pr_problem(resp, req, 400, key, "%s must be an ID of 1 to %d bytes", key, PR_MAX_ID_BYTES);
        return false;
    }
    *out = pr_registry_find_person(api->reg, p->value, p->value_len);
    if (!*out)
        *impossible = true;
    return true;
}

void pr_handle_services(pr_api *api, const pr_request *req, pr_response *resp, const char *arg,
                        size_t arg_len)
{
    (void)arg, (void)arg_len;
    filter f = {0};
    uint32_t limit, offset;
    const pr_param *p;
    char base[2048] = "";
    bool fits = true; /* base holds every canonical parameter */
    if ((p = pr_param_find(req, "protocol"))) {
        f.by_proto = true;
        if (p->value_len == 4 && strncasecmp(p->value, "none", 4) == 0) {
            f.proto = PR_PROTO_NONE;
        } else if (!pr_proto_parse(p->value, p->value_len, &f.proto)) {
            char q[96];
            pr_error_quote(p->value, p->value_len, 40, q, sizeof q);
            pr_problem(resp, req, 400, "protocol",
                       "protocol must be tcp, udp, sctp, dccp or none, not %s", q);
            return;
        }
        fits = pr_query_append(base, sizeof base, "protocol",
                               f.proto ? pr_proto_name(f.proto) : "none") &&
               fits;
    }
    if ((p = pr_param_find(req, "status"))) {
        f.by_status = true;
        if (!pr_status_parse(p->value, p->value_len, &f.status) || f.status == PR_STATUS_DYNAMIC) {
            char q[96];
            pr_error_quote(p->value, p->value_len, 40, q, sizeof q);
            pr_problem(resp, req, 400, "status",
                       "status must be assigned, reserved or unassigned, not %s", q);
            return;
        }
        fits = pr_query_append(base, sizeof base, "status", pr_status_name(f.status)) && fits;
    }
    if ((p = pr_param_find(req, "port"))) {
        f.by_port = true;
        if (!pr_read_port(req, resp, "port", p->value, p->value_len, &f.port))
            return;
        char digits[8]; /* a port is at most five digits */
        snprintf(digits, sizeof digits, "%u", (unsigned)f.port);
        fits = pr_query_append(base, sizeof base, "port", digits) && fits;
    }
    bool impossible = false;
    if (!person_param(api, req, resp, "assignee", &f.assignee, &impossible) ||
        !person_param(api, req, resp, "contact", &f.contact, &impossible) ||
        !pr_param_term(req, resp, "q", false, f.term, &f.term_len) ||
        !pr_param_page(api, req, resp, &limit, &offset))
        return;
    const pr_param *assignee = pr_param_find(req, "assignee");
    const pr_param *contact = pr_param_find(req, "contact");
    if (assignee)
        fits = pr_query_append(base, sizeof base, "assignee", assignee->value) && fits;
    if (contact)
        fits = pr_query_append(base, sizeof base, "contact", contact->value) && fits;
    if (f.term_len)
        fits = pr_query_append(base, sizeof base, "q", pr_param_find(req, "q")->value) && fits;

    uint32_t *page = malloc(((size_t)limit + 1) * sizeof *page);
    if (!page) {
        pr_problem(resp, req, 500, NULL, "out of memory");
        return;
    }
    uint32_t page_n = 0;
    uint32_t total = impossible ? 0 : collect(api->reg, &f, offset, limit, page, &page_n);
    pr_jw w;
    open_page(&w, api->reg, page, page_n, total, limit, offset);
    pr_jw_raw(&w, "}", 1);
    free(page);
    pr_respond_body(resp, req, pr_jw_finish(&w));
    pr_set_page_links(resp, req, "/v1/services", fits ? base : NULL, limit, offset, total);
}

/* ---- IANA's search ---- */

static int u32_cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* The contact rows the page's records cite, each once, in ID order (people
 * are sorted by ID, so sorting their indexes sorts by ID). */
static void write_cited_contacts(pr_jw *w, const pr_registry *reg, const uint32_t *page, uint32_t n)
{
    size_t cap = 0;
    for (uint32_t i = 0; i < n; i++)
        cap += reg->records[page[i]].assignees.count + reg->records[page[i]].contacts.count;
    uint32_t *who = malloc((cap + 1) * sizeof *who);
    if (!who) {
        pr_jw_abandon(w);
        return;
    }
    size_t m = 0;
    for (uint32_t i = 0; i < n; i++) {
        const pr_record *r = &reg->records[page[i]];
        pr_span spans[2] = {r->assignees, r->contacts};
        for (int s = 0; s < 2; s++)
            for (uint32_t k = 0; k < spans[s].count; k++)
                who[m++] = reg->person_refs[spans[s].first + k];
    }
    qsort(who, m, sizeof *who, u32_cmp);
    pr_jw_raw(w, "[", 1);
    bool first = true;
    for (size_t i = 0; i < m; i++) {
        if ((i > 0 && who[i] == who[i - 1]) || !reg->people[who[i]].in_table)
            continue;
        if (!first)
            pr_jw_raw(w, ",", 1);
        first = false;
        pr_jw_contact(w, &reg->people[who[i]]);
    }
    pr_jw_raw(w, "]", 1);
    free(who);
}

void pr_handle_search(pr_api *api, const pr_request *req, pr_response *resp, const char *arg,
                      size_t arg_len)
{
    (void)arg, (void)arg_len;
    filter f = {0};
    uint32_t limit, offset;
    if (!pr_param_term(req, resp, "q", true, f.term, &f.term_len) ||
        !pr_param_page(api, req, resp, &limit, &offset))
        return;
    uint32_t *page = malloc(((size_t)limit + 1) * sizeof *page);
    if (!page) {
        pr_problem(resp, req, 500, NULL, "out of memory");
        return;
    }
    uint32_t page_n;
    uint32_t total = collect(api->reg, &f, offset, limit, page, &page_n);
    pr_jw w;
    open_page(&w, api->reg, page, page_n, total, limit, offset);
    pr_jw_raw(&w, ",\"contacts\":", 12);
    write_cited_contacts(&w, api->reg, page, page_n);
    pr_jw_raw(&w, "}", 1);
    free(page);
    pr_respond_body(resp, req, pr_jw_finish(&w));
    char base[2048] = "";
    bool fits = pr_query_append(base, sizeof base, "q", pr_param_find(req, "q")->value);
    pr_set_page_links(resp, req, "/v1/search", fits ? base : NULL, limit, offset, total);
}

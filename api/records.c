/* records.c: /v1/services/{name}, /v1/services (filtered list), /v1/search. */
#include "internal.h"
#include "formats.h"
#include "jsonw.h"
#include "listpage.h"

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
    if (req->format != PR_FORMAT_JSON) {
        pr_respond_records(api, req, resp, api->reg->name_records + found->records.first,
                           found->records.count);
        return;
    }
    pr_respond_cached(api, req, resp, &api->name_slots[found - api->reg->names], make_service,
                      found);
}

/* ---- matching records, one page at a time ---- */

typedef struct filter {
    bool by_proto, by_status, by_port, by_source;
    enum pr_record_source source;
    unsigned protos;   /* with by_proto: bit 1 << enum pr_proto for each wanted */
    unsigned statuses; /* with by_status: bit 1 << enum pr_status */
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
    if (f->by_proto && !(f->protos & (1u << r->proto)))
        return false;
    if (f->by_status && !(f->statuses & (1u << r->status)))
        return false;
    if (f->by_source && r->source != f->source)
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

/* The walk over a filter's matches for the list page (listpage.h). */
typedef struct walk {
    const pr_registry *reg;
    const filter *f;
    const uint32_t *cand; /* NULL: every record */
    uint32_t n, k;        /* candidates, and the next one to try */
    bool scan;            /* with every record a candidate, jump from term hit to hit */
    bool none;            /* the filter names a person no record cites */
    pr_search search;     /* the term's hits, when scan */
} walk;

static void walk_start(walk *wk, const pr_registry *reg, const filter *f, bool none)
{
    wk->reg = reg;
    wk->f = f;
    wk->none = none;
    wk->cand = candidates(reg, f, &wk->n);
    wk->scan = !wk->cand && f->term_len;
    if (wk->scan)
        pr_search_records(reg, f->term, f->term_len, &wk->search);
    wk->k = wk->scan ? pr_search_next(reg, &wk->search) : 0;
}

static bool walk_next(void *ctx, uint32_t *item)
{
    walk *wk = ctx;
    if (wk->none)
        return false;
    while (wk->k < wk->n) {
        uint32_t k = wk->k;
        wk->k = wk->scan ? pr_search_next(wk->reg, &wk->search) : k + 1;
        uint32_t i = wk->cand ? wk->cand[k] : k;
        if (matches(wk->reg, wk->f, i)) {
            *item = i;
            return true;
        }
    }
    return false;
}

static void write_record(pr_jw *w, void *ctx, uint32_t item)
{
    const walk *wk = ctx;
    pr_jw_record(w, wk->reg, &wk->reg->records[item]);
}

/* A page of records: the walk, its record writer, and a record's size. */
static pr_list record_list(const pr_request *req, walk *wk, const char *path, const char *base,
                           uint32_t limit, uint32_t offset)
{
    /* a record is some 300 bytes of JSON; CSV and text are the formats'
     * own (formats.h) */
    return (pr_list){.path = path,
                     .base = base,
                     .limit = limit,
                     .offset = offset,
                     .next = walk_next,
                     .ctx = wk,
                     .item = write_record,
                     .item_bytes = 384,
                     .records = wk->reg,
                     .format = pr_records_list_format((enum pr_format)req->format)};
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
    /* protocol and status are lists (either may repeat, or list values
     * separated by commas): a record matches any value of each */
    pr_slice items[8];
    size_t n;
    if (!pr_param_list(req, resp, "protocol", items, sizeof items / sizeof items[0], &n))
        return;
    for (size_t i = 0; i < n; i++) {
        enum pr_proto proto;
        if (items[i].len == 4 && strncasecmp(items[i].text, "none", 4) == 0) {
            proto = PR_PROTO_NONE;
        } else if (!pr_proto_parse(items[i].text, items[i].len, &proto)) {
            char q[96];
            pr_error_quote(items[i].text, items[i].len, 40, q, sizeof q);
            pr_problem(resp, req, 400, "protocol",
                       "protocol must be tcp, udp, sctp, dccp or none, not %s", q);
            return;
        }
        f.by_proto = true;
        f.protos |= 1u << proto;
    }
    if (!pr_param_list(req, resp, "status", items, sizeof items / sizeof items[0], &n))
        return;
    for (size_t i = 0; i < n; i++) {
        enum pr_status status;
        if (!pr_status_parse(items[i].text, items[i].len, &status) || status == PR_STATUS_DYNAMIC) {
            char q[96];
            pr_error_quote(items[i].text, items[i].len, 40, q, sizeof q);
            pr_problem(resp, req, 400, "status",
                       "status must be assigned, reserved or unassigned, not %s", q);
            return;
        }
        f.by_status = true;
        f.statuses |= 1u << status;
    }
    if ((p = pr_param_find(req, "source"))) {
        f.by_source = true;
        if (p->value_len == 4 && memcmp(p->value, "iana", 4) == 0) {
            f.source = PR_SOURCE_IANA;
        } else if (p->value_len == 5 && memcmp(p->value, "local", 5) == 0) {
            f.source = PR_SOURCE_LOCAL;
        } else {
            char q[96];
            pr_error_quote(p->value, p->value_len, 40, q, sizeof q);
            pr_problem(resp, req, 400, "source", "source must be iana or local, not %s", q);
            return;
        }
        fits = pr_query_append(base, sizeof base, "source", pr_source_name(f.source)) && fits;
    }
    /* the links name each value once, in one order, however they were asked */
    char canon[64] = "";
    for (int k = 0; f.by_proto && k < PR_PROTO_COUNT; k++)
        if (f.protos & (1u << k)) {
            size_t used = strlen(canon);
            snprintf(canon + used, sizeof canon - used, "%s%s", used ? "," : "",
                     k ? pr_proto_name((enum pr_proto)k) : "none");
        }
    if (f.by_proto)
        fits = pr_query_append(base, sizeof base, "protocol", canon) && fits;
    canon[0] = '\0';
    for (int k = 0; f.by_status && k < PR_STATUS_COUNT; k++)
        if (f.statuses & (1u << k)) {
            size_t used = strlen(canon);
            snprintf(canon + used, sizeof canon - used, "%s%s", used ? "," : "",
                     pr_status_name((enum pr_status)k));
        }
    if (f.by_status)
        fits = pr_query_append(base, sizeof base, "status", canon) && fits;
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

    walk wk;
    walk_start(&wk, api->reg, &f, impossible);
    pr_list list = record_list(req, &wk, "/v1/services", fits ? base : NULL, limit, offset);
    pr_list_respond(req, resp, &list);
}

/* ---- IANA's search ---- */

static int u32_cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* The contact rows the page's records cite, each once, in ID order (people
 * are sorted by ID, so sorting their indexes sorts by ID). */
static void write_cited_contacts(pr_jw *w, void *ctx, const uint32_t *page, uint32_t n)
{
    const pr_registry *reg = ((const walk *)ctx)->reg;
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
    PR_JW_LIT(w, ",\"contacts\":[");
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
    char base[2048] = "";
    bool fits = pr_query_append(base, sizeof base, "q", pr_param_find(req, "q")->value);
    walk wk;
    walk_start(&wk, api->reg, &f, false);
    pr_list list = record_list(req, &wk, "/v1/search", fits ? base : NULL, limit, offset);
    list.members = write_cited_contacts;
    pr_list_respond(req, resp, &list);
}

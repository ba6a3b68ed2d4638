/* listpage.c: one page of a list answer (see listpage.h). */
#include "listpage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static void json_open(pr_jw *w, const pr_list *list)
{
    (void)list;
    PR_JW_LIT(w, "{\"items\":[");
}

static void json_separator(pr_jw *w, const pr_list *list)
{
    (void)list;
    PR_JW_LIT(w, ",");
}

static void json_close(pr_jw *w, const pr_list *list, uint32_t total, const uint32_t *page,
                       uint32_t count)
{
    PR_JW_LIT(w, "],\"total\":");
    pr_jw_uint(w, total);
    PR_JW_LIT(w, ",\"limit\":");
    pr_jw_uint(w, list->limit);
    PR_JW_LIT(w, ",\"offset\":");
    pr_jw_uint(w, list->offset);
    if (list->members)
        list->members(w, list->ctx, page, count);
    PR_JW_LIT(w, "}");
}

const pr_list_format pr_list_json = {
    .media_type = "application/json",
    .open = json_open,
    .separator = json_separator,
    .close = json_close,
};

static bool page_link(char *out, size_t size, const char *path, const char *base, uint32_t limit,
                      uint32_t offset, const char *rel)
{
    char query[2048];
    int n = snprintf(query, sizeof query, "%s", base);
    if (n < 0 || (size_t)n >= sizeof query)
        return false;
    char l[16], o[16];
    snprintf(l, sizeof l, "%u", (unsigned)limit);
    snprintf(o, sizeof o, "%u", (unsigned)offset);
    if (!pr_query_append(query, sizeof query, "limit", l) ||
        !pr_query_append(query, sizeof query, "offset", o))
        return false;
    size_t at = strlen(out);
    n = snprintf(out + at, size - at, "%s<%s?%s>; rel=\"%s\"", at ? ", " : "", path, query, rel);
    if (n < 0 || (size_t)n >= size - at) {
        out[at] = '\0';
        return false;
    }
    return true;
}

/* When resp is a 200, sets resp->link to the next and previous pages (RFC
 * 8288). A NULL base (its building failed) or links that do not fit turn
 * resp into a 500: the buffers are sized so that this cannot happen for
 * accepted parameters. */
static void set_page_links(pr_response *resp, const pr_request *req, const char *path,
                           const char *base, uint32_t limit, uint32_t offset, uint32_t total)
{
    if (resp->status != 200)
        return;
    resp->link[0] = '\0';
    /* a link asks for the representation this page was asked in by its
     * query: ?format= and ?pretty go along (values already checked) */
    char with[2048];
    bool fits = base != NULL && (size_t)snprintf(with, sizeof with, "%s", base) < sizeof with;
    static const char *const kept[] = {"format", "pretty"};
    for (size_t i = 0; fits && i < sizeof kept / sizeof *kept; i++) {
        const pr_param *p = pr_param_find(req, kept[i]);
        if (p)
            fits = pr_query_append(with, sizeof with, kept[i], p->value);
    }
    base = with;
    if (fits && (uint64_t)offset + limit < total)
        fits = page_link(resp->link, sizeof resp->link, path, base, limit, offset + limit, "next");
    if (fits && offset > 0) {
        /* from beyond the end, "prev" is the last page that has items */
        uint32_t prev = offset > total ? (total > limit ? total - limit : 0)
                                       : (offset > limit ? offset - limit : 0);
        fits = page_link(resp->link, sizeof resp->link, path, base, limit, prev, "prev");
    }
    /* a page without its links would silently end a client's walk */
    if (!fits)
        pr_problem(resp, req, 500, NULL, "the page links did not fit their buffer");
}

/* One walk over the matches: counts them all (or, with a known total, up to
 * the page's end) and keeps those of the page. */
static uint32_t collect(const pr_list *list, uint32_t *page, uint32_t *count)
{
    uint32_t total = 0, item;
    uint64_t end = (uint64_t)list->offset + list->limit;
    *count = 0;
    while ((!list->total_known || total < end) && list->next(list->ctx, &item)) {
        if (total >= list->offset && *count < list->limit)
            page[(*count)++] = item;
        total++;
    }
    return list->total_known ? list->total : total;
}

void pr_list_respond(const pr_request *req, pr_response *resp, const pr_list *list)
{
    const pr_list_format *format = list->format ? list->format : &pr_list_json;
    uint32_t *page = malloc(((size_t)list->limit + 1) * sizeof *page);
    if (!page) {
        pr_problem(resp, req, 500, NULL, "out of memory");
        return;
    }
    uint32_t count;
    uint32_t total = collect(list, page, &count);
    if (format->page_body) {
        pr_body *body = format->page_body(list, page, count);
        free(page);
        pr_respond_body(resp, req, body);
        if (resp->status == 200)
            resp->content_type = format->media_type;
        set_page_links(resp, req, list->path, list->base, list->limit, list->offset, total);
        return;
    }
    pr_jw w;
    pr_jw_init(&w, 256 + (size_t)count * list->item_bytes);
    format->open(&w, list);
    for (uint32_t i = 0; i < count; i++) {
        if (i)
            format->separator(&w, list);
        list->item(&w, list->ctx, page[i]);
    }
    format->close(&w, list, total, page, count);
    free(page);
    pr_respond_body(resp, req, pr_jw_finish(&w));
    if (resp->status == 200)
        resp->content_type = format->media_type;
    set_page_links(resp, req, list->path, list->base, list->limit, list->offset, total);
}

/* listpage.h: one page of a list answer, written once for every list
 * (/v1/services, /v1/search, /v1/assignees, /v1/contacts, /v1/ports/free).
 *
 * A list is described, not written, by its handler: the matches in order
 * (a `next` function over the handler's own context), how one item is
 * written, the canonical query of its page links. pr_list_respond() does
 * the rest, the same way for each: it counts every match, keeps those in
 * [offset, offset + limit), writes them inside the envelope, responds, and
 * sets the Link header (RFC 8288) to the next and previous pages.
 *
 * The envelope is a small table of functions (pr_list_format) and the item
 * writer a function of the list, so that another body format of a list (a
 * CSV or text rendering of records) is one more table and item writer; the
 * paging, the counting and the links stay here. The JSON envelope is
 * {"items":[...],"total":N,"limit":N,"offset":N} with the list's extra
 * members, if any, before its closing brace.
 *
 * Errors: the answer is a 500 problem when memory runs out or the links do
 * not fit (never a partial page). Threads: as the handlers, any number at
 * once; a list's context belongs to the one request. */
#ifndef PR_API_LISTPAGE_H
#define PR_API_LISTPAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api.h"
#include "jsonw.h"

typedef struct pr_list pr_list;

/* How a page's body is laid out around its items. */
typedef struct pr_list_format {
    const char *media_type; /* the answer's Content-Type */
    void (*open)(pr_jw *w, const pr_list *list);
    void (*separator)(pr_jw *w, const pr_list *list); /* between two items */
    /* after the last item: what the format says of the page (total, limit,
     * offset), the list's extra members, the end */
    void (*close)(pr_jw *w, const pr_list *list, uint32_t total, const uint32_t *page,
                  uint32_t count);
    /* A format that lays out the whole page itself, because it must see
     * every item first (an aligned table) or writes bytes of its own (a
     * CSV without JSON's closing newline): when set, it makes the page's
     * body (NULL when out of memory) and the three above go unused. */
    pr_body *(*page_body)(const pr_list *list, const uint32_t *page, uint32_t count);
} pr_list_format;

/* The JSON envelope of openapi.yaml. */
extern const pr_list_format pr_list_json;

struct pr_list {
    const char *path; /* the list's own path, for its page links */
    const char *base; /* canonical query without limit and offset; NULL: it
                         did not fit its buffer, which makes the answer a 500 */
    uint32_t limit, offset;
    /* The next match in the list's order into *item: false after the last. */
    bool (*next)(void *ctx, uint32_t *item);
    void *ctx;
    /* When the list knows its total without counting (every assignee), the
       walk stops at the end of the page: total_known and this total. */
    bool total_known;
    uint32_t total;
    /* Writes one item of the page (item as next gave it). */
    void (*item)(pr_jw *w, void *ctx, uint32_t item);
    size_t item_bytes; /* about how long an item is written, to size the body */
    /* JSON members after "offset" (",\"contacts\":[...]"), from the page's
       items; NULL: none. */
    void (*members)(pr_jw *w, void *ctx, const uint32_t *page, uint32_t count);
    const pr_list_format *format; /* NULL: pr_list_json */
    const pr_registry *records;   /* a list of records: their registry, for page_body */
};

/* Answers the list's page into resp: a 200 with its body and Link header,
 * or a 500 problem. */
void pr_list_respond(const pr_request *req, pr_response *resp, const pr_list *list);

#endif

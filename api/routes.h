/* routes.h: the API's one map: a row per endpoint, with its path, the
 * methods it answers and their handlers, the query parameters each takes,
 * whether its answers are kept by request (answers.h), and its metric label.
 *
 * Routing, 404, 405 and Allow, OPTIONS, HEAD (answered as GET, without the
 * body), too many or unknown query parameters are all decided here, once,
 * from the row; a handler sees only requests its row accepts. A new endpoint
 * is a row and a handler.
 *
 * The server's own endpoints (/healthz, /readyz, /metrics) are rows too,
 * answered by the handler the server gives in pr_api_config.operations.
 *
 * The table is static and read-only: thread-safe. */
#ifndef PR_API_ROUTES_H
#define PR_API_ROUTES_H

#include <stdbool.h>
#include <stddef.h>

#include "api.h"

/* Every handler: arg[0..arg_len) is the rest of the path after a prefix
 * row's path ("3493/tcp" for /v1/ports/3493/tcp), "" for other rows. */
typedef void pr_handler(pr_api *api, const pr_request *req, pr_response *resp, const char *arg,
                        size_t arg_len);

typedef struct pr_route_row {
    enum pr_route id;
    const char *label; /* the metric label, stable */
    /* the path: the whole path, or with `prefix` the start of it, a
     * non-empty rest being the argument; or, with `family`, paths the
     * function accepts */
    const char *path;
    bool prefix;
    bool (*family)(const char *path, size_t len);
    pr_handler *get; /* GET and HEAD */
    pr_handler *post;
    const char *const *params; /* GET's query parameters, NULL-terminated */
    const char *const *post_params;
    /* GET's list parameters (pr_param_list), which may be repeated;
     * NULL-terminated, or NULL for none */
    const char *const *lists;
    /* how GET / lists the endpoint ("/v1/ports/{port}"); NULL: its path,
     * and a row with neither (the web page's assets) is not listed */
    const char *shows;
    bool kept; /* GET answers are kept by request in the answers table */
    /* A list of records: answers CSV and text too, chosen by ?format= or
     * else by Accept (negotiate.h), and says Vary: Accept. */
    bool formats;
    bool pretty;     /* answers JSON: ?pretty indents it */
    bool operations; /* answered by pr_api_config.operations */
} pr_route_row;

/* The row of a path, and where its argument starts; NULL when no row has it. */
const pr_route_row *pr_route_find(const char *path, size_t len, size_t *arg_at);

/* The row of a route id; NULL for PR_ROUTE_UNKNOWN. */
const pr_route_row *pr_route_row_of(enum pr_route id);

/* Every row, in the table's order: *count receives how many. */
const pr_route_row *pr_route_rows(size_t *count);

/* The Allow field value of a row (RFC 9110 10.2.1). */
const char *pr_route_allow(const pr_route_row *row);

#endif

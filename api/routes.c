/* routes.c: the table of endpoints (see routes.h). */
#include "routes.h"

#include <string.h>

#include "internal.h"
#include "web.h"

static const char *const none[] = {NULL};
static const char *const services_params[] = {"protocol", "status", "assignee", "contact", "port",
                                              "q",        "source", "limit",    "offset",  NULL};
static const char *const page_params[] = {"limit", "offset", NULL};
static const char *const search_params[] = {"q", "limit", "offset", NULL};
static const char *const assignees_params[] = {"sort", "limit", "offset", NULL};
static const char *const check_params[] = {"port",    "protocol", "name",  "both",
                                           "suggest", "hazards",  "count", "from",
                                           "to",      "by_name",  "owner", NULL};
static const char *const check_post_params[] = {"both", "suggest", "hazards", "count",
                                                "from", "to",      "by_name", "format",
                                                "file", "owner",   NULL};
static const char *const free_params[] = {"protocol", "from", "to", "limit", "offset", NULL};
static const char *const changes_params[] = {"since", "limit", "offset", NULL};
static const char *const reserved_params[] = {"services", NULL};
/* list parameters: repeated or comma-separated (pr_param_list) */
static const char *const services_lists[] = {"protocol", "status", NULL};
static const char *const free_lists[] = {"protocol", NULL};
static const char *const reserved_lists[] = {"services", NULL};

/* In the order paths are tried: a literal path before a prefix that would
 * take it (/v1/ports/free before /v1/ports/). Names and IDs take the whole
 * rest of the path: a historic name such as 914c/g holds a slash, and
 * arrives decoded from 914c%2Fg. */
static const pr_route_row rows[] = {
    {PR_ROUTE_ROOT, "root", "/", .get = pr_handle_index, .params = none, .pretty = true},
    {PR_ROUTE_OPENAPI, "openapi", "/openapi.yaml", .get = pr_handle_openapi, .params = none},
    {PR_ROUTE_WEB, "web", NULL, .family = pr_web_is_asset, .get = pr_handle_web_asset,
     .params = none},
    {PR_ROUTE_REGISTRY, "registry", "/v1/registry", .get = pr_handle_registry, .params = none,
     .pretty = true},
    {PR_ROUTE_SERVICES, "services", "/v1/services", .get = pr_handle_services,
     .params = services_params, .lists = services_lists, .kept = true, .formats = true,
     .pretty = true},
    {PR_ROUTE_SEARCH, "search", "/v1/search", .get = pr_handle_search, .params = search_params,
     .shows = "/v1/search?q={term}", .kept = true, .formats = true, .pretty = true},
    {PR_ROUTE_ASSIGNEES, "assignees", "/v1/assignees", .get = pr_handle_assignees,
     .params = assignees_params, .kept = true, .pretty = true},
    {PR_ROUTE_CONTACTS, "contacts", "/v1/contacts", .get = pr_handle_contacts,
     .params = search_params, .kept = true, .pretty = true},
    {PR_ROUTE_CHECK, "check", "/v1/check", .get = pr_handle_check, .post = pr_handle_check_post,
     .params = check_params, .post_params = check_post_params, .kept = true, .pretty = true},
    {PR_ROUTE_FREE_PORTS, "free_ports", "/v1/ports/free", .get = pr_handle_free_ports,
     .params = free_params, .lists = free_lists, .kept = true, .pretty = true},
    {PR_ROUTE_CHANGES, "changes", "/v1/changes", .get = pr_handle_changes, .params = changes_params,
     .shows = "/v1/changes?since={date}", .kept = true, .formats = true, .pretty = true},
    {PR_ROUTE_EXPORT_SERVICES, "export_services", "/v1/export/services",
     .get = pr_handle_export_services, .params = none},
    {PR_ROUTE_RESERVED_PORTS, "reserved_ports", "/v1/export/ip_local_reserved_ports",
     .get = pr_handle_reserved_ports, .params = reserved_params, .lists = reserved_lists,
     .shows = "/v1/export/ip_local_reserved_ports?services={names}", .kept = true},
    {PR_ROUTE_OWNERS, "owners", "/v1/owners", .get = pr_handle_owners, .params = page_params,
     .kept = true, .pretty = true},
    {PR_ROUTE_OWNER, "owner", "/v1/owners/", .prefix = true, .shows = "/v1/owners/{owner}",
     .get = pr_handle_owner, .params = none, .kept = true, .pretty = true},
    {PR_ROUTE_PORT, "port", "/v1/ports/", .prefix = true, .shows = "/v1/ports/{port}",
     .get = pr_handle_port, .params = none, .formats = true, .pretty = true},
    {PR_ROUTE_SERVICE, "service", "/v1/services/", .prefix = true, .shows = "/v1/services/{name}",
     .get = pr_handle_service, .params = none, .formats = true, .pretty = true},
    {PR_ROUTE_ASSIGNEE, "assignee", "/v1/assignees/", .prefix = true, .shows = "/v1/assignees/{id}",
     .get = pr_handle_assignee, .params = none, .formats = true, .pretty = true},
    {PR_ROUTE_CONTACT, "contact", "/v1/contacts/", .prefix = true, .shows = "/v1/contacts/{id}",
     .get = pr_handle_contact, .params = none, .formats = true, .pretty = true},
    {PR_ROUTE_HEALTHZ, "healthz", "/healthz", .params = none, .operations = true},
    {PR_ROUTE_READYZ, "readyz", "/readyz", .params = none, .operations = true},
    {PR_ROUTE_METRICS, "metrics", "/metrics", .params = none, .operations = true},
};

const pr_route_row *pr_route_find(const char *path, size_t len, size_t *arg_at)
{
    *arg_at = len;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const pr_route_row *r = &rows[i];
        if (r->family) {
            if (r->family(path, len))
                return r;
            continue;
        }
        size_t n = strlen(r->path);
        if (r->prefix ? len > n && memcmp(path, r->path, n) == 0
                      : len == n && memcmp(path, r->path, n) == 0) {
            *arg_at = r->prefix ? n : len;
            return r;
        }
    }
    return NULL;
}

const pr_route_row *pr_route_rows(size_t *count)
{
    *count = sizeof rows / sizeof rows[0];
    return rows;
}

const pr_route_row *pr_route_row_of(enum pr_route id)
{
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        if (rows[i].id == id)
            return &rows[i];
    return NULL;
}

const char *pr_route_allow(const pr_route_row *row)
{
    return row->post ? "GET, HEAD, OPTIONS, POST" : "GET, HEAD, OPTIONS";
}

bool pr_api_takes_body(enum pr_method method, const char *path, size_t path_len)
{
    size_t at;
    const pr_route_row *row = pr_route_find(path, path_len, &at);
    return method == PR_POST && row && row->post;
}

enum pr_route pr_api_route_of(const char *path, size_t len)
{
    size_t at;
    const pr_route_row *row = pr_route_find(path, len, &at);
    return row ? row->id : PR_ROUTE_UNKNOWN;
}

const char *pr_route_name(enum pr_route route)
{
    const pr_route_row *row = pr_route_row_of(route);
    return row ? row->label : "unknown";
}

enum pr_method pr_method_of(const char *m)
{
    if (!strcmp(m, "GET"))
        return PR_GET;
    if (!strcmp(m, "HEAD"))
        return PR_HEAD;
    if (!strcmp(m, "OPTIONS"))
        return PR_OPTIONS;
    if (!strcmp(m, "POST"))
        return PR_POST;
    return PR_OTHER_METHOD;
}

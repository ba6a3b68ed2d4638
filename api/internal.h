/* internal.h: what the api/ modules share; not part of the API's contract.
 *
 * Handlers have one shape: they read the request and fill the response,
 * using pr_problem() for every error, and return. */
#ifndef PR_API_INTERNAL_H
#define PR_API_INTERNAL_H

#include <stdarg.h>
#include <stdatomic.h>

#include "admit.h"
#include "answers.h"
#include "api.h"
#include "negotiate.h"
#include "render.h"

enum pr_fixed_body {
    PR_FIXED_ROOT,
    PR_FIXED_OPENAPI,
    PR_FIXED_PAGE, /* the web page and its assets (web.h) */
    PR_FIXED_SCRIPT,
    PR_FIXED_STYLE,
    PR_FIXED_ICON,
    PR_FIXED_SERVICES, /* /v1/export/services */
    PR_FIXED_COUNT
};

/* Port pages are cached per port and per view: all protocols, then one each. */
#define PR_PORT_VIEWS PR_PROTO_COUNT

struct pr_api {
    const pr_registry *reg;
    pr_api_config cfg;
    atomic_size_t cached_bytes;
    pr_body *_Atomic fixed[PR_FIXED_COUNT];
    pr_body *_Atomic *port_slots;     /* 65536 * PR_PORT_VIEWS */
    pr_body *_Atomic *name_slots;     /* one per distinct service name */
    pr_body *_Atomic *assignee_slots; /* one per person */
    pr_body *_Atomic *contact_slots;  /* one per person */
    pr_answers *answers;              /* searches, list pages, checks; NULL: none */
    pr_grace *grace;                  /* frees what answers evicts; NULL with no answers */
    pr_admit *admit;                  /* what may be kept; NULL when nothing is */
    uint32_t *assignees_by_count;     /* assignee person indexes, most records first */
    uint32_t assignee_count;
    /* Per person, ASCII-lower-cased "id\0name\0organization\0uri\0email", for
     * /v1/contacts?q= */
    char last_modified[30];
    int64_t last_modified_time;
};

static inline bool pr_port_unassigned(const pr_api *api, uint16_t port, enum pr_proto proto)
{
    return pr_registry_port_status(api->reg, port, proto) == PR_STATUS_UNASSIGNED;
}

/* Counts one more rendering of the answer under hash, and says whether it
 * may be kept (admit.h): false when caching is off. */
bool pr_cache_admits(pr_api *api, uint64_t hash);

/* Renders a body with make(api, arg) unless `slot` holds one already; keeps it
 * in the slot when admitted and while the cache budget allows. The response borrows a cached
 * body and owns one that did not fit. Fills a 500 problem on failure. */
typedef pr_body *(*pr_make_body_fn)(pr_api *api, const void *arg);
void pr_respond_cached(pr_api *api, const pr_request *req, pr_response *resp,
                       pr_body *_Atomic *slot, pr_make_body_fn make, const void *arg);

/* Sets a 200 JSON response that owns body (NULL: out of memory, a 500). */
void pr_respond_body(pr_response *resp, const pr_request *req, pr_body *body);

/* Sets a 200 that owns records idx[0..n) in req->format, CSV or text
 * (formats.h), for a row whose list is not JSON; a 500 when out of memory. */
void pr_respond_records(pr_api *api, const pr_request *req, pr_response *resp, const uint32_t *idx,
                        uint32_t n);

/* Fills an application/problem+json response (RFC 9457). parameter may be NULL. */
void pr_problem(pr_response *resp, const pr_request *req, int status, const char *parameter,
                const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* {"updated": "YYYY-MM-DD" or null, "source": "built-in" or the directory}:
 * which data answered, for answers that carry it (/v1/check, `portreg
 * check --json`). */
struct pr_jw;
void pr_jw_registry_stamp(struct pr_jw *w, const pr_api *api);

/* ---- query parameters ---- */

/* Accepts only the named keys, each at most once; otherwise fills a 400. */
bool pr_params_allow(const pr_request *req, pr_response *resp, const char *const *allowed);
/* As pr_params_allow, where the keys in `lists` (NULL-terminated, may be
 * NULL) may be given more than once: list parameters (pr_param_list). */
bool pr_params_allow_lists(const pr_request *req, pr_response *resp, const char *const *allowed,
                           const char *const *lists);
/* A slice of a parameter's value. */
typedef struct pr_slice {
    const char *text;
    size_t len;
} pr_slice;
/* Every item of a list parameter, in order: its values separated by
 * commas, the key given once (protocol=tcp,udp) or repeated, as OpenAPI
 * clients send an array (protocol=tcp&protocol=udp, style form with
 * explode), or both. Items point into the request. *n is 0 when the key is
 * absent. false with resp a 400 for an empty item or more than max. */
bool pr_param_list(const pr_request *req, pr_response *resp, const char *key, pr_slice *items,
                   size_t max, size_t *n);
/* The value of key, or NULL when absent. */
const pr_param *pr_param_find(const pr_request *req, const char *key);
/* An absent key gives def; a present one must be a decimal in [min, max]. */
bool pr_param_uint(const pr_request *req, pr_response *resp, const char *key, uint32_t min,
                   uint32_t max, uint32_t def, uint32_t *out);
/* The value of key into *out; a 400 when it is absent. */
bool pr_param_required(const pr_request *req, pr_response *resp, const char *key,
                       const pr_param **out);
/* An absent key is false; a present one must be true or false. */
bool pr_param_bool(const pr_request *req, pr_response *resp, const char *key, bool *out);
/* limit and offset, bounded by the configuration. */
bool pr_param_page(pr_api *api, const pr_request *req, pr_response *resp, uint32_t *limit,
                   uint32_t *offset);
/* A search term: 1..PR_MAX_Q_BYTES bytes, ASCII-lower-cased into out. */
bool pr_param_term(const pr_request *req, pr_response *resp, const char *key, bool required,
                   char out[PR_MAX_Q_BYTES + 1], size_t *len);
/* A port number: 1-5 decimal digits without leading zeros, 0-65535. */
bool pr_parse_port(const char *text, size_t len, uint16_t *out);
/* Typed readers of a value named `what` (a path segment or a parameter):
 * true with *out set, or false with resp a 400 that names `what` and says
 * what it must be, in the one wording every endpoint uses. */
bool pr_read_port(const pr_request *req, pr_response *resp, const char *what, const char *text,
                  size_t len, uint16_t *out);
bool pr_read_proto(const pr_request *req, pr_response *resp, const char *what, const char *text,
                   size_t len, enum pr_proto *out);

/* Appends "key=value" (percent-encoded, '&'-separated) to a query string being
 * built in buf[size]; false when it would not fit (buf is then unchanged). */
bool pr_query_append(char *buf, size_t size, const char *key, const char *value);

/* ---- handlers ---- */
/* Each is a row of the route table (routes.h), which has already checked the
 * method and the query parameters' names. */
#include "routes.h"

pr_handler pr_handle_registry, pr_handle_openapi, pr_handle_port, pr_handle_service,
    pr_handle_services, pr_handle_search, pr_handle_assignees, pr_handle_assignee,
    pr_handle_contacts, pr_handle_contact, pr_handle_check, pr_handle_check_post,
    pr_handle_free_ports, pr_handle_changes, pr_handle_export_services, pr_handle_reserved_ports;
/* The JSON index of GET / (pr_handle_index negotiates between it and the page). */
void pr_handle_root(pr_api *api, const pr_request *req, pr_response *resp);

#endif

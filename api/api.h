/* api.h: the REST API as plain functions: request in, status and body out.
 *
 * This layer knows HTTP's semantics (paths, query parameters, statuses,
 * ETags) but not its wire: it never touches a socket or libmicrohttpd, so
 * every endpoint can be tested by calling pr_api_handle() directly.
 *
 * A pr_api is built once per loaded registry and then only read. It caches
 * rendered bodies (a port, a service, a contact; a search, a list page, a
 * check) so repeat requests cost no rendering; the cache fills lock-free, is
 * bounded in bytes, and past a quarter of its budget keeps only answers
 * asked again and again (admit.h). Everything else a request
 * needs (indexes, search text) was built at load time.
 *
 * Threads: pr_api_handle() may run in any number of threads at once.
 * pr_api_free() must not race with them.
 *
 * Ownership: the pr_api borrows the registry (which must outlive it) and owns
 * its cache. A pr_response either borrows its body from the pr_api (cached
 * bodies live as long as the pr_api) or owns it (body_owned: free() it).
 */
#ifndef PR_API_H
#define PR_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "registry.h"

enum pr_method { PR_GET, PR_HEAD, PR_OPTIONS, PR_POST, PR_OTHER_METHOD };

/* The method named by a request line's token (case-sensitive, RFC 9110
 * 9.1); PR_OTHER_METHOD for any other. */
enum pr_method pr_method_of(const char *token);

/* Which resource a request was routed to, for metrics and logs. */
enum pr_route {
    PR_ROUTE_UNKNOWN = 0, /* no such path */
    PR_ROUTE_ROOT,
    PR_ROUTE_OPENAPI,
    PR_ROUTE_REGISTRY,
    PR_ROUTE_PORT,
    PR_ROUTE_FREE_PORTS,
    PR_ROUTE_SERVICE,
    PR_ROUTE_SERVICES,
    PR_ROUTE_SEARCH,
    PR_ROUTE_ASSIGNEE,
    PR_ROUTE_ASSIGNEES,
    PR_ROUTE_CONTACT,
    PR_ROUTE_CONTACTS,
    PR_ROUTE_CHECK,
    PR_ROUTE_WEB,     /* the web page's assets (web.h) */
    PR_ROUTE_HEALTHZ, /* the server's own (pr_api_config.operations) */
    PR_ROUTE_READYZ,
    PR_ROUTE_METRICS,
    PR_ROUTE_CHANGES,         /* records by their last change */
    PR_ROUTE_EXPORT_SERVICES, /* the registry as a services(5) file */
    PR_ROUTE_RESERVED_PORTS,  /* a net.ipv4.ip_local_reserved_ports value */
    PR_ROUTE_COUNT
};

/* The resource a path names (by its shape alone: an unknown service name is
 * still PR_ROUTE_SERVICE), from the route table (routes.h). */
enum pr_route pr_api_route_of(const char *path, size_t len);

/* A short, stable label: "port", "services", ..., "unknown". */
const char *pr_route_name(enum pr_route route);

/* Bounds applied to requests. */
#define PR_MAX_QUERY_PARAMS 16
#define PR_MAX_PATH_BYTES   1024 /* the default of pr_api_config.max_path_bytes */
#define PR_MAX_Q_BYTES      256
/* A problem's "instance" names the path it is about, up to this many bytes of
 * it: the longest path any configuration accepts. */
#define PR_MAX_INSTANCE_BYTES 8192
#define PR_MAX_BODY_BYTES     (64 * 1024) /* a POST /v1/check manifest */

typedef struct pr_param {
    const char *key;   /* NUL-terminated, percent-decoded */
    const char *value; /* NUL-terminated, percent-decoded; "" for ?key */
    size_t value_len;
} pr_param;

typedef struct pr_request {
    enum pr_method method;
    const char *path; /* percent-decoded path, without the query */
    size_t path_len;
    const pr_param *params;
    size_t param_count; /* at most PR_MAX_QUERY_PARAMS honoured; more is a 400 */
    bool too_many_params;
    const char *body; /* request content (POST), NULL when none */
    size_t body_len;
    const char *content_type;    /* its Content-Type field, NULL when absent */
    const char *accept;          /* its Accept field, NULL when absent (GET / negotiates) */
    const char *accept_encoding; /* its Accept-Encoding field, NULL when absent */
    void *server;                /* the server's own, handed to pr_api_config.operations */
    /* Set by the router for its handlers, ignored on input: the format
     * (enum pr_format, negotiate.h) a list of records is asked in. */
    unsigned char format;
} pr_request;

/* A rendered body with its content-derived strong ETag. Immutable once
 * published. `wire` is for the server's own use: it may attach prebuilt
 * protocol objects to a cached body (released by the callback given to
 * pr_api_new), so that a hot response is built once, not per request. */
enum pr_coding { PR_CODING_IDENTITY = 0, PR_CODING_GZIP };

typedef struct pr_body {
    size_t len;
    /* "\"" 32 hex "\"" NUL: SHA-256 of the body, first 128 bits; a gzip
     * variant's adds "-gz" before the closing quote (encoding.h) */
    char etag[40];
    unsigned char coding; /* enum pr_coding of data[] */
    /* A kept body's gzip variant, made once when the body was rendered and
     * kept, freed with it; NULL when it has none (too small, no smaller
     * compressed). A body a response owns never carries one. */
    struct pr_body *_Atomic gzip;
    void *_Atomic wire[2];
    char data[];
} pr_body;

typedef struct pr_response {
    int status;
    enum pr_route route;
    const char *content_type;
    const pr_body *body; /* NULL for 204/304/405-with-empty-body */
    bool body_owned;     /* the caller frees body with free() */
    bool cacheable;      /* a 200 that gets ETag/Cache-Control/Last-Modified */
    const char *allow;   /* Allow header for 405 and OPTIONS, else NULL */
    char link[4608];     /* RFC 8288 Link header value, "" when none */
    /* A borrowed body may be evicted from the cache while the response is
     * sent: it is freed only once every request that could use it has left
     * (grace.h). pr_api_handle enters for the response; pr_response_release
     * leaves, unless the caller took the token over (pr_response_take_grace). */
    struct pr_grace *grace; /* NULL: no token held */
    unsigned grace_token;
    const char *vary; /* a Vary value to add to a 200 and its 304, NULL when none */
    const char *csp;  /* a 200's Content-Security-Policy, NULL when none */
    /* The body may go out in another content coding: a 200 and its 304
     * carry Vary: Accept-Encoding (RFC 9110 12.5.5). The body's own coding
     * (pr_body.coding) gives Content-Encoding. */
    bool vary_encoding;
} pr_response;

typedef struct pr_api pr_api;

typedef struct pr_api_config {
    uint32_t max_limit;      /* largest `limit` a list accepts */
    uint32_t default_limit;  /* `limit` when none is given */
    size_t cache_bytes;      /* bound on cached bodies; 0 disables caching */
    size_t wire_bytes;       /* what wire[] objects add per cached body, counted too */
    uint32_t max_path_bytes; /* longer decoded paths are 414; 0: PR_MAX_PATH_BYTES */
    uint32_t max_manifest;   /* entries of a POST /v1/check; 0: PR_MAX_MANIFEST_ENTRIES */
    const char *version;     /* reported by GET / */
    /* releases a body's wire[] objects when the pr_api is freed; may be NULL */
    void (*wire_free)(void *wire);
    /* Answers /healthz, /readyz and /metrics (route), rows of the route
     * table like any other, once the table has accepted the request (a GET
     * or HEAD without query parameters). NULL: those paths are 404s. */
    void (*operations)(enum pr_route route, const pr_api *api, const pr_request *req,
                       pr_response *resp);
} pr_api_config;

/* Builds the API over a loaded registry. NULL on allocation failure. */
pr_api *pr_api_new(const pr_registry *reg, const pr_api_config *cfg);
void pr_api_free(pr_api *api);

/* Does this method and path take request content? The server reads a body
 * (at most PR_MAX_BODY_BYTES) only for these, and refuses it elsewhere. */
bool pr_api_takes_body(enum pr_method method, const char *path, size_t path_len);

/* Answers one request. Never fails: errors become problem+json responses.
 * The caller releases the response with pr_response_release(). */
void pr_api_handle(pr_api *api, const pr_request *req, pr_response *resp);
void pr_response_release(pr_response *resp);

/* Moves the response's grace token to the caller, who must keep whatever
 * bytes of its body it still sends until it gives the token back with
 * pr_api_grace_leave() (the server does so when libmicrohttpd reports the
 * request complete). False when the response holds none. */
bool pr_response_take_grace(pr_response *resp, unsigned *token);
void pr_api_grace_leave(pr_api *api, unsigned token);

/* How many kept answers were evicted, and how many of those are freed (for
 * metrics and tests). */
size_t pr_api_evicted(const pr_api *api);
size_t pr_api_evicted_freed(const pr_api *api);
/* Bytes kept in the cache now, and its budget. */
size_t pr_api_cache_bytes(const pr_api *api);
size_t pr_api_cache_budget(const pr_api *api);

/* Fills resp with a problem+json answer (RFC 9457), for errors found outside
 * pr_api_handle (a request body where none belongs, for instance). */
void pr_api_problem(pr_response *resp, const pr_request *req, int status, const char *detail);

/* The registry's date (pr_registry.updated) as an IMF-fixdate (RFC 9110
 * 5.6.7), and as seconds since the epoch; "" / 0 when the data carries no date. */
const char *pr_api_last_modified(const pr_api *api);
int64_t pr_api_last_modified_time(const pr_api *api);

const pr_registry *pr_api_registry(const pr_api *api);

/* Whole days from the registry's date to `now` (seconds since the epoch),
 * the date's own day being 0; 0 when the data carries no date. */
long pr_api_age_days(const pr_api *api, int64_t now);

/* A body built outside the cache (for problem responses and tests):
 * malloc'ed, ETag computed. NULL on allocation failure. */
pr_body *pr_body_new(const char *data, size_t len);

#endif

/* http.c: libmicrohttpd glue (see http.h). */
#include "http.h"

#include <microhttpd.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "conditional.h"
#include "cors.h"
#include "encoding.h"
#include "framing.h"
#include "log.h"
#include "metrics.h"
#include "peer_watch.h"
#include "target.h"

struct pr_http {
    struct MHD_Daemon *daemon;
    pr_current *current;
    pr_peer_watch *watch; /* see peer_watch.h */
    pr_http_config cfg;
    char cache_control[48];
    pr_cors cors;          /* the allowed origins (cors.h) */
    atomic_bool draining;  /* stopping: /readyz says 503, connections close */
    atomic_uint in_flight; /* requests begun and not yet complete */
};

/* What a request holds between libmicrohttpd's callbacks (its *req_cls).
 * Before the first call, what on_uri found in the raw request target (a
 * "target note": its length and whether it held a control character, in a
 * word whose low bits are 10). From the first call on: the data set it
 * answers from, dropped when the request completes; or, for a request that
 * sends content (POST /v1/check), a body_sink, which holds the data set and
 * whose pointer carries its low bit set (malloc aligns far more than that).
 * A note costs no allocation, so neither does a cached answer. */
typedef struct body_sink {
    pr_dataset *ds;
    size_t len;
    bool too_large; /* more than PR_MAX_BODY_BYTES came: the rest is dropped */
    size_t dropped; /* bytes dropped so far, up to MAX_DROPPED_BYTES */
    bool graced;    /* holds grace_token (see hold_grace) */
    unsigned grace_token;
    char data[PR_MAX_BODY_BYTES];
} body_sink;

/* A chunked body over the limit (its size is known only once it ends) is
 * read and dropped so that the 413 can follow it, but only this far: then
 * the connection is cut. The same budget as a lingering close. */
enum { MAX_DROPPED_BYTES = 1 << 20 };

enum { NOTE_TAG = 2u, NOTE_TAG_MASK = 3u, NOTE_BAD = 4u, NOTE_CROWDED = 8u, NOTE_SHIFT = 4 };

static bool is_note(void *state)
{
    return ((uintptr_t)state & NOTE_TAG_MASK) == NOTE_TAG;
}

static void *tag_sink(body_sink *sink)
{
    return (void *)((uintptr_t)sink | 1u);
}

static body_sink *sink_of(void *state)
{
    return ((uintptr_t)state & 1u) ? (body_sink *)((uintptr_t)state & ~(uintptr_t)1u) : NULL;
}

/* A request that borrowed a kept answer holds a grace token until it is
 * complete, so that an eviction cannot free the bytes being sent
 * (pr_response_take_grace): on a data-set state in two of the pointer's low
 * bits (a data set is malloc'ed, so they are free), in a body sink in its
 * own fields. */
enum { GRACE_HELD = 4u, GRACE_ODD = 8u };

static pr_dataset *dataset_of(void *state)
{
    body_sink *sink = sink_of(state);
    /* stepping back over the bits from the pointer itself keeps what it
     * points into in the compiler's sight */
    return sink ? sink->ds
                : (pr_dataset *)(void *)((char *)state -
                                         ((uintptr_t)state & (GRACE_HELD | GRACE_ODD)));
}

static void hold_grace(void **state, pr_response *resp)
{
    unsigned token;
    if (!pr_response_take_grace(resp, &token))
        return;
    body_sink *sink = sink_of(*state);
    if (sink) {
        sink->graced = true;
        sink->grace_token = token;
    } else {
        *state = (void *)((uintptr_t)*state | GRACE_HELD | (token ? GRACE_ODD : 0u));
    }
}

static void leave_grace(void *state, pr_api *api)
{
    body_sink *sink = sink_of(state);
    if (sink ? sink->graced : ((uintptr_t)state & GRACE_HELD) != 0)
        pr_api_grace_leave(api, sink ? sink->grace_token : ((uintptr_t)state & GRACE_ODD) != 0);
}

/* MHD_OPTION_URI_LOG_CALLBACK: the only place libmicrohttpd shows the
 * request target as it came, before splitting off the query and decoding
 * %HH. It is a C string there, so a raw NUL shortens it: its length is kept
 * to be compared with the span the target took on the request line.
 *
 * A query of more fields than the connection's memory can hold is refused
 * here, before libmicrohttpd splits it and loses the connection's answer
 * (see pr_framing_query_budget). The target lies in the connection's read
 * buffer, writable memory that libmicrohttpd hands over as const: ending
 * the query right after its '?' leaves it nothing to split, and the note
 * makes the request a 400 once it reaches on_request. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    const pr_http *h = cls;
    (void)conn;
    if (!uri)
        uri = ""; /* a request line without a target, which is refused anyway */
    size_t len = strlen(uri);
    bool bad = pr_framing_target(uri, len, len) != NULL;
    bool crowded =
        pr_framing_query_fields(uri, len) > pr_framing_query_budget(h->cfg.memory_limit, len);
    if (crowded) {
        char *query = strchr(uri, '?');
        query[1] = '\0';
    }
    if (len > (SIZE_MAX >> NOTE_SHIFT))
        len = SIZE_MAX >> NOTE_SHIFT, bad = true;
    return (void *)(((uintptr_t)len << NOTE_SHIFT) | (bad ? NOTE_BAD : 0) |
                    (crowded ? NOTE_CROWDED : 0) | NOTE_TAG);
}

enum { WIRE_OK = 0, WIRE_NOT_MODIFIED = 1 };

void pr_http_wire_free(void *wire)
{
    MHD_destroy_response(wire);
}

/* origin: the request's Origin when the configured list has it, else NULL
 * (always NULL with "*"). A list makes every answer depend on who asks. */
static void add_cors(const pr_http *h, struct MHD_Response *r, const char *origin)
{
    if (h->cors.any) {
        MHD_add_response_header(r, "Access-Control-Allow-Origin", "*");
        return;
    }
    if (origin)
        MHD_add_response_header(r, "Access-Control-Allow-Origin", origin);
    MHD_add_response_header(r, "Vary", "Origin");
}

/* api: the data set the request is answered from, whose date is Last-Modified */
static void add_validators(const pr_http *h, const pr_api *api, struct MHD_Response *r,
                           const pr_body *body)
{
    MHD_add_response_header(r, "ETag", body->etag);
    MHD_add_response_header(r, "Cache-Control", h->cache_control);
    const char *lm = pr_api_last_modified(api);
    if (lm[0])
        MHD_add_response_header(r, "Last-Modified", lm);
    MHD_add_response_header(r, "Access-Control-Expose-Headers",
                            "ETag, Link, Last-Modified, Cache-Control");
}

/* RFC 9110 12.5.5: what the choice of this answer's representation
 * depended on, for a 200 and its 304 alike */
static void add_vary(struct MHD_Response *r, const pr_response *resp)
{
    char both[128];
    const char *vary = resp->vary;
    if (resp->vary_encoding) {
        int n = vary ? snprintf(both, sizeof both, "%s, Accept-Encoding", vary) : -1;
        vary = n > 0 && (size_t)n < sizeof both ? both : "Accept-Encoding";
        if (resp->vary && vary != both) /* too long to join: a field each */
            MHD_add_response_header(r, "Vary", resp->vary);
    }
    if (vary)
        MHD_add_response_header(r, "Vary", vary);
}

static void free_body_cb(void *cls)
{
    free(cls);
}

/* A response over a body's bytes, taking ownership of an owned body. */
static struct MHD_Response *over_body(const pr_body *body, bool owned)
{
    return owned ? MHD_create_response_from_buffer_with_free_callback_cls(
                       body->len, (void *)body->data, free_body_cb, (void *)body)
                 : MHD_create_response_from_buffer(body->len, (void *)body->data,
                                                   MHD_RESPMEM_PERSISTENT);
}

/* A 200 response for a body: all headers but Link. An answer that is not
 * cacheable (to a POST) gets no validators and must not be stored. */
static struct MHD_Response *make_ok(const pr_http *h, const pr_api *api, const pr_response *resp,
                                    bool owned, const char *origin)
{
    struct MHD_Response *r = over_body(resp->body, owned);
    if (!r)
        return NULL;
    MHD_add_response_header(r, "Content-Type", resp->content_type);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    if (resp->cacheable)
        add_validators(h, api, r, resp->body);
    else
        MHD_add_response_header(r, "Cache-Control", "no-store");
    add_cors(h, r, origin);
    add_vary(r, resp);
    const char *coding = pr_coding_name(resp->body);
    if (coding)
        MHD_add_response_header(r, "Content-Encoding", coding);
    if (resp->csp)
        MHD_add_response_header(r, "Content-Security-Policy", resp->csp);
    return r;
}

/* RFC 9110 15.4.5: a 304 repeats the validators and caching fields a 200
 * would carry, without content. RFC 9110 8.6: its Content-Length, if any,
 * must be the 200's. libmicrohttpd never sends the content of a 304 but does
 * write the length of the buffer it is given: so it is given the 200's. */
static struct MHD_Response *make_not_modified(const pr_http *h, const pr_api *api,
                                              const pr_response *resp, bool owned,
                                              const char *origin)
{
    struct MHD_Response *r = over_body(resp->body, owned);
    if (!r)
        return NULL;
    add_validators(h, api, r, resp->body);
    add_cors(h, r, origin);
    add_vary(r, resp);
    return r;
}

/* Builds a wire response once per cached body and keeps it on the body, so a
 * hot lookup costs no allocation and no header work. */
static struct MHD_Response *cached_wire(const pr_http *h, const pr_api *api,
                                        const pr_response *resp, int which)
{
    pr_body *body = (pr_body *)resp->body;
    struct MHD_Response *r = atomic_load_explicit(&body->wire[which], memory_order_acquire);
    if (r)
        return r;
    r = which == WIRE_OK ? make_ok(h, api, resp, false, NULL)
                         : make_not_modified(h, api, resp, false, NULL);
    if (!r)
        return NULL;
    if (which == WIRE_OK && resp->link[0])
        MHD_add_response_header(r, "Link", resp->link);
    void *expected = NULL;
    if (!atomic_compare_exchange_strong(&body->wire[which], &expected, r)) {
        MHD_destroy_response(r);
        r = expected;
    }
    return r;
}

typedef struct param_sink {
    pr_param params[PR_MAX_QUERY_PARAMS];
    size_t count;
    bool too_many;
} param_sink;

/* The API's own decoder (target.h), for the path and each query name and
 * value libmicrohttpd splits off: the tests decode with it too. */
static size_t unescape(void *cls, struct MHD_Connection *conn, char *s)
{
    (void)cls, (void)conn;
    return pr_target_unescape(s);
}

static enum MHD_Result collect_param(void *cls, enum MHD_ValueKind kind, const char *key,
                                     size_t key_size, const char *value, size_t value_size)
{
    (void)kind, (void)key_size;
    param_sink *sink = cls;
    if (sink->count == PR_MAX_QUERY_PARAMS) {
        sink->too_many = true;
        return MHD_NO;
    }
    sink->params[sink->count++] = (pr_param){key, value ? value : "", value ? value_size : 0};
    return MHD_YES;
}

/* Errors, 204s and pages with links: built for this request alone. An owned
 * body passes to the response returned; the caller clears body_owned then. */
static struct MHD_Response *make_plain(const pr_http *h, const pr_api *api,
                                       struct MHD_Connection *conn, pr_response *resp,
                                       const char *origin)
{
    struct MHD_Response *r;
    if (resp->status == 200) {
        r = make_ok(h, api, resp, resp->body_owned, origin);
        if (r && resp->link[0])
            MHD_add_response_header(r, "Link", resp->link);
        return r;
    }
    const pr_body *body = resp->body;
    r = body ? over_body(body, resp->body_owned)
             : MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    if (!r)
        return NULL;
    if (body)
        MHD_add_response_header(r, "Content-Type", resp->content_type);
    if (resp->allow)
        MHD_add_response_header(r, "Allow", resp->allow);
    add_cors(h, r, origin);
    if (resp->status == 204) {
        /* CORS preflight (Fetch standard): what a cross-origin page may send */
        if (MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Access-Control-Request-Method")) {
            MHD_add_response_header(r, "Access-Control-Allow-Methods", resp->allow);
            MHD_add_response_header(r, "Access-Control-Allow-Headers",
                                    "If-None-Match, If-Modified-Since, Content-Type");
            MHD_add_response_header(r, "Access-Control-Max-Age", "86400");
        }
    } else {
        MHD_add_response_header(r, "Cache-Control", "no-store");
        MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    }
    return r;
}

static enum MHD_Result walk_field(void *cls, enum MHD_ValueKind kind, const char *key,
                                  size_t key_size, const char *value, size_t value_size)
{
    (void)kind;
    pr_framing_field(cls, key, key_size, value, value_size);
    return MHD_YES;
}

/* The framing checks of framing.h on this request: NULL when it may be
 * served. url and version are libmicrohttpd's pointers into the request
 * line it received, which it splits in place: the target spans from url
 * to the byte before version (the space it overwrote). */
static const char *framing_problem(struct MHD_Connection *conn, const char *url,
                                   const char *version, void *note, pr_framing *f)
{
    pr_framing_init(f);
    MHD_get_connection_values_n(conn, MHD_HEADER_KIND, walk_field, f);
    /* libmicrohttpd passes on HTTP/1.0 to 1.9: any but 1.0 is held to 1.1's
     * rules (RFC 9110 section 2.5, minor versions are compatible) */
    const char *detail = pr_framing_verdict(f, strcmp(version, "HTTP/1.0") != 0);
    if (detail)
        return detail;
    uintptr_t n = (uintptr_t)note;
    if (!note)
        return NULL;
    size_t raw_len = (size_t)(n >> NOTE_SHIFT);
    uintptr_t from = (uintptr_t)url, to = (uintptr_t)version;
    size_t span = to > from ? (size_t)(to - from - 1) : 0;
    if (n & NOTE_BAD)
        return "the request target holds whitespace or a control character (RFC 9112 section "
               "3.2)";
    if (n & NOTE_CROWDED)
        return "the request target has too many query parameters (at most 64, fewer in a long "
               "target)";
    /* the target itself is decoded by now: only its length is compared */
    return raw_len != span ? "the request target holds a NUL byte" : NULL;
}

static double seconds_since(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

void pr_http_operations(enum pr_route route, const pr_api *api, const pr_request *req,
                        pr_response *resp)
{
    pr_http *h = req->server;
    char text[160];
    const char *type = "application/json";
    char *metrics = NULL;
    size_t len = 0;
    if (route == PR_ROUTE_HEALTHZ) {
        len = (size_t)snprintf(text, sizeof text, "{\"status\":\"alive\"}\n");
    } else if (route == PR_ROUTE_READYZ) {
        if (!h || atomic_load(&h->draining)) {
            pr_api_problem(resp, req, 503, "shutting down: finishing the requests under way");
            return;
        }
        const pr_registry *reg = pr_api_registry(api);
        len = (size_t)snprintf(text, sizeof text,
                               "{\"status\":\"ready\",\"records\":%u,\"contacts\":%u}\n",
                               reg->record_count, reg->contact_count);
    } else {
        pr_metrics_cache cache = {pr_api_cache_bytes(api), pr_api_cache_budget(api),
                                  pr_api_evicted(api), pr_api_evicted_freed(api)};
        metrics = pr_metrics_render(&len, &cache);
        type = "text/plain; version=0.0.4; charset=utf-8";
    }
    pr_body *body = metrics                     ? pr_body_new(metrics, len)
                    : route != PR_ROUTE_METRICS ? pr_body_new(text, len)
                                                : NULL;
    free(metrics);
    if (!body) {
        pr_api_problem(resp, req, 500, "out of memory");
        return;
    }
    resp->status = 200;
    resp->content_type = type;
    resp->body = body;
    resp->body_owned = true;
    resp->cacheable = false;
}

/* Queues resp for req and records it: metrics and the access log. */
static enum MHD_Result respond_closing(pr_http *h, const pr_api *api, struct MHD_Connection *conn,
                                       const pr_request *req, const char *method, pr_response *resp,
                                       int route, const struct timespec *start, bool close)
{
    bool not_modified =
        resp->status == 200 && resp->cacheable &&
        pr_not_modified(MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "If-None-Match"),
                        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "If-Modified-Since"),
                        resp->body->etag, pr_api_last_modified_time(api));
    int status = not_modified ? 304 : resp->status;
    size_t bytes = resp->body && status != 304 && req->method != PR_HEAD ? resp->body->len : 0;
    const char *etag = not_modified ? "hit" : resp->status == 200 && resp->cacheable ? "miss" : "-";
    bool closing = close || atomic_load(&h->draining);
    /* A shared, prebuilt response serves a cached body unless the connection
     * must be told to close (draining, or a framing error), which needs a header of its own. A
     * borrowed body is a kept one, whose Link, if any, is as fixed as its
     * bytes. */
    /* The shared response names no origin: a request from a listed origin
     * gets one of its own, which names it (cors.h). */
    const char *origin =
        pr_cors_match(&h->cors, MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Origin"));
    bool shared = !closing && !resp->body_owned && resp->status == 200 && !origin;
    struct MHD_Response *r;
    if (not_modified && shared)
        r = cached_wire(h, api, resp, WIRE_NOT_MODIFIED);
    else if (not_modified)
        r = make_not_modified(h, api, resp, resp->body_owned, origin);
    else if (shared)
        r = cached_wire(h, api, resp, WIRE_OK);
    else
        r = make_plain(h, api, conn, resp, origin);
    if (r && !shared)
        resp->body_owned = false; /* the response frees it now */
    if (r && !shared && closing)
        MHD_add_response_header(r, "Connection", "close");
    enum MHD_Result ok = r ? MHD_queue_response(conn, (unsigned)status, r) : MHD_NO;
    if (r && !shared)
        MHD_destroy_response(r);
    pr_response_release(resp);
    double seconds = seconds_since(start);
    pr_metrics_request(route, status, bytes, seconds);
    pr_access line = {method, req->path, status, bytes, seconds, etag};
    pr_log_access(&line);
    return ok;
}

/* The answer to this request is queued before its content was read, and
 * libmicrohttpd closes the connection after it: close it in stages (RFC
 * 9112 9.6), so a client still sending reads the answer, not a reset. */
static void linger_after(pr_http *h, struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (info)
        pr_peer_watch_linger(h->watch, info->connect_fd);
}

/* Queues resp for req, keeping the connection open if the client may. */
static enum MHD_Result respond(pr_http *h, const pr_api *api, struct MHD_Connection *conn,
                               const pr_request *req, const char *method, pr_response *resp,
                               int route, const struct timespec *start)
{
    return respond_closing(h, api, conn, req, method, resp, route, start, false);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **req_cls)
{
    pr_http *h = cls;
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    const char *path = pr_target_origin_path(url);
    pr_request req = {.method = pr_method_of(method), .path = path, .path_len = strlen(path)};
    pr_response resp;
    /* no note at all would mean libmicrohttpd skipped on_uri: the target
     * then goes unchecked rather than the request unanswered */
    if (!*req_cls || is_note(*req_cls)) {
        void *note = *req_cls;
        pr_dataset *ds = pr_current_acquire(h->current);
        atomic_fetch_add(&h->in_flight, 1);
        *req_cls = ds;
        pr_framing framing;
        const char *bad_framing = framing_problem(conn, url, version, note, &framing);
        if (bad_framing) {
            /* RFC 9112 6.3: after a 400 for framing, the connection closes,
             * as what follows on it cannot be told apart from a body */
            pr_api_problem(&resp, &req, 400, bad_framing);
            linger_after(h, conn);
            int route = pr_api_route_of(req.path, req.path_len);
            return respond_closing(h, ds->api, conn, &req, method, &resp, route, &start, true);
        }
        if (!pr_framing_has_body(&framing))
            return MHD_YES; /* answered on the next call, as said below */
        bool too_large = framing.lengths && framing.length > PR_MAX_BODY_BYTES;
        if (pr_api_takes_body(req.method, req.path, req.path_len) && !too_large) {
            body_sink *sink = malloc(sizeof *sink);
            if (!sink)
                return MHD_NO;
            sink->ds = ds;
            sink->len = 0;
            sink->too_large = false;
            sink->dropped = 0;
            sink->graced = false;
            *req_cls = tag_sink(sink);
            return MHD_YES;
        }
        /* Any other content is refused before it is read: a response queued
         * now makes libmicrohttpd close the connection after it, which is
         * right, as the unread content cannot be skipped. */
        linger_after(h, conn);
        int route = pr_api_route_of(req.path, req.path_len);
        req.server = h;
        if (pr_api_takes_body(req.method, req.path, req.path_len)) {
            pr_api_problem(&resp, &req, 413, "the request body is over 65536 bytes");
        } else if (req.method == PR_POST) {
            pr_api_handle(ds->api, &req, &resp); /* a 405, or 404 where nothing is */
            hold_grace(req_cls, &resp);
        } else {
            pr_api_problem(&resp, &req, 413, "this resource takes no request body");
        }
        return respond(h, ds->api, conn, &req, method, &resp, route, &start);
    }
    /* libmicrohttpd 0.9.75 closes the connection when a response is queued
     * on the first call for a request, which would defeat keep-alive: so a
     * request without content is answered here, on the second call. */
    pr_dataset *ds = dataset_of(*req_cls);
    body_sink *sink = sink_of(*req_cls);
    if (sink) {
        if (*upload_data_size) {
            size_t n = *upload_data_size;
            if (sink->too_large || n > sizeof sink->data - sink->len) {
                sink->too_large = true;
                sink->dropped += n;
                if (sink->dropped > MAX_DROPPED_BYTES)
                    return MHD_NO; /* libmicrohttpd closes the connection */
            } else {
                memcpy(sink->data + sink->len, upload_data, n);
                sink->len += n;
            }
            *upload_data_size = 0;
            return MHD_YES;
        }
        if (sink->too_large) {
            pr_api_problem(&resp, &req, 413, "the request body is over 65536 bytes");
            resp.route = PR_ROUTE_CHECK;
            return respond(h, ds->api, conn, &req, method, &resp, resp.route, &start);
        }
        req.body = sink->data;
        req.body_len = sink->len;
        req.content_type = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type");
    }
    param_sink params = {.count = 0};
    MHD_get_connection_values_n(conn, MHD_GET_ARGUMENT_KIND, collect_param, &params);
    req.params = params.params;
    req.param_count = params.count;
    req.too_many_params = params.too_many;
    req.accept = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Accept");
    req.accept_encoding = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Accept-Encoding");
    req.server = h;
    pr_api_handle(ds->api, &req, &resp);
    hold_grace(req_cls, &resp);
    return respond(h, ds->api, conn, &req, method, &resp, resp.route, &start);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                         enum MHD_RequestTerminationCode why)
{
    (void)conn, (void)why;
    pr_http *h = cls;
    /* a note: the request ended before its header was complete */
    if (!*req_cls || is_note(*req_cls)) {
        *req_cls = NULL;
        return;
    }
    body_sink *sink = sink_of(*req_cls);
    pr_dataset *ds = dataset_of(*req_cls);
    leave_grace(*req_cls, ds->api);
    pr_dataset_release(ds);
    free(sink);
    *req_cls = NULL;
    atomic_fetch_sub(&h->in_flight, 1);
}

/* libmicrohttpd reports a connection closed before it closes the socket,
 * so the watcher lets go of the fd while it is still this connection's. */
static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    (void)socket_context;
    pr_http *h = cls;
    const union MHD_ConnectionInfo *info =
        h->watch ? MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD) : NULL;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        pr_metrics_connection_opened();
        if (info)
            pr_peer_watch_add(h->watch, info->connect_fd);
    } else {
        if (info)
            pr_peer_watch_remove(h->watch, info->connect_fd);
        pr_metrics_connection_closed();
    }
}

pr_http *pr_http_start(const struct sockaddr *addr, socklen_t addr_len, pr_current *current,
                       const pr_http_config *cfg, char *why, size_t why_size)
{
    (void)addr_len;
    pr_http *h = calloc(1, sizeof *h);
    if (!h) {
        snprintf(why, why_size, "out of memory");
        return NULL;
    }
    h->current = current;
    h->cfg = *cfg;
    if (!pr_cors_parse(cfg->cors_origin, &h->cors, why, why_size)) {
        free(h);
        return NULL;
    }
    atomic_init(&h->draining, false);
    atomic_init(&h->in_flight, 0);
    snprintf(h->cache_control, sizeof h->cache_control, "public, max-age=%u", cfg->max_age);
    /* A peer that has gone is noticed within a quarter of a second. A
     * lingering close reads up to 1 MiB for up to 2 s: enough for a body a
     * little over the limit on any link, bounded for one far over it. The
     * thread per connection mode needs no nudge but closes in stages too. */
    const pr_peer_watch_config watch = {
        .period_ms = 250, .linger_bytes = 1 << 20, .linger_ms = 2000, .linger_max = 256};
    if (!(h->watch = pr_peer_watch_start(&watch, why, why_size))) {
        free(h);
        return NULL;
    }
    unsigned flags =
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG |
        (addr->sa_family == AF_INET6 ? MHD_USE_IPv6 : 0) |
        (cfg->per_connection ? MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL : MHD_USE_EPOLL);
    /* libmicrohttpd refuses a thread pool size with a thread per connection */
    unsigned pool = cfg->per_connection ? 0 : cfg->threads;
    h->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, h, MHD_OPTION_SOCK_ADDR, addr,
        MHD_OPTION_THREAD_POOL_SIZE, pool, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->timeout,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)cfg->conn_limit, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
        (unsigned)cfg->per_ip_limit, MHD_OPTION_CONNECTION_MEMORY_LIMIT, cfg->memory_limit,
        MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL, MHD_OPTION_URI_LOG_CALLBACK, on_uri, h,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, h, MHD_OPTION_NOTIFY_CONNECTION, on_connection,
        h, MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024, MHD_OPTION_END);
    if (!h->daemon) {
        snprintf(why, why_size, "cannot listen (address in use, or not permitted?)");
        pr_peer_watch_stop(h->watch);
        free(h);
        return NULL;
    }
    return h;
}

uint16_t pr_http_port(const pr_http *http)
{
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(http->daemon, MHD_DAEMON_INFO_BIND_PORT);
    return info ? info->port : 0;
}

unsigned pr_http_stop(pr_http *http, unsigned delay_ms, unsigned grace_ms)
{
    if (!http)
        return 0;
    /* Readiness fails first while connections are still taken, so that a
     * load balancer polling /readyz sees it and stops sending traffic here
     * before the listening socket goes away. */
    atomic_store(&http->draining, true);
    if (delay_ms)
        nanosleep(&(struct timespec){delay_ms / 1000, (long)(delay_ms % 1000) * 1000000L}, NULL);
    MHD_quiesce_daemon(http->daemon);
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    while (atomic_load(&http->in_flight) > 0 && seconds_since(&start) * 1000 < grace_ms)
        nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
    unsigned left = atomic_load(&http->in_flight);
    MHD_stop_daemon(http->daemon);
    pr_peer_watch_stop(http->watch);
    free(http);
    return left;
}

/* http.c: libmicrohttpd glue (see http.h). */
#include "http.h"

#include <microhttpd.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conditional.h"
#include "log.h"
#include "metrics.h"

struct pr_http {
    struct MHD_Daemon *daemon;
    pr_current *current;
    pr_http_config cfg;
    char cache_control[48];
    bool cors_any;
    atomic_bool draining;  /* stopping: /readyz says 503, connections close */
    atomic_uint in_flight; /* requests begun and not yet complete */
};

/* What a request holds between libmicrohttpd's callbacks (its *req_cls): the
 * data set it answers from, taken on the first callback and dropped when the
 * request completes. A request that sends content (POST /v1/check) holds a
 * body_sink instead, which holds the data set; the sink's pointer carries
 * its low bit set to tell the two apart (malloc aligns far more than that). */
typedef struct body_sink {
    pr_dataset *ds;
    size_t len;
    bool too_large; /* more than PR_MAX_BODY_BYTES came: the rest is dropped */
    char data[PR_MAX_BODY_BYTES];
} body_sink;

static void *tag_sink(body_sink *sink)
{
    return (void *)((uintptr_t)sink | 1u);
}

static body_sink *sink_of(void *state)
{
    return ((uintptr_t)state & 1u) ? (body_sink *)((uintptr_t)state & ~(uintptr_t)1u) : NULL;
}

static pr_dataset *dataset_of(void *state)
{
    body_sink *sink = sink_of(state);
    return sink ? sink->ds : state;
}

enum { WIRE_OK = 0, WIRE_NOT_MODIFIED = 1 };

void pr_http_wire_free(void *wire)
{
    MHD_destroy_response(wire);
}

static void add_cors(const pr_http *h, struct MHD_Response *r)
{
    MHD_add_response_header(r, "Access-Control-Allow-Origin", h->cfg.cors_origin);
    /* a single configured origin makes the answer depend on who asks */
    if (!h->cors_any)
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
                                    bool owned)
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
    add_cors(h, r);
    if (resp->vary)
        MHD_add_response_header(r, "Vary", resp->vary);
    if (resp->csp)
        MHD_add_response_header(r, "Content-Security-Policy", resp->csp);
    return r;
}

/* RFC 9110 15.4.5: a 304 repeats the validators and caching fields a 200
 * would carry, without content. RFC 9110 8.6: its Content-Length, if any,
 * must be the 200's. libmicrohttpd never sends the content of a 304 but does
 * write the length of the buffer it is given: so it is given the 200's. */
static struct MHD_Response *make_not_modified(const pr_http *h, const pr_api *api,
                                              const pr_response *resp, bool owned)
{
    struct MHD_Response *r = over_body(resp->body, owned);
    if (!r)
        return NULL;
    add_validators(h, api, r, resp->body);
    add_cors(h, r);
    if (resp->vary)
        MHD_add_response_header(r, "Vary", resp->vary);
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
    r = which == WIRE_OK ? make_ok(h, api, resp, false) : make_not_modified(h, api, resp, false);
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

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

typedef struct param_sink {
    pr_param params[PR_MAX_QUERY_PARAMS];
    size_t count;
    bool too_many;
} param_sink;

/* Decodes %HH in the path and query, as libmicrohttpd's own unescaper does,
 * except %00: a NUL would end the C string early and make "nut%00xyz" ask for
 * "nut". Left encoded, it is an ordinary character that matches nothing. */
static size_t unescape(void *cls, struct MHD_Connection *conn, char *s)
{
    (void)cls, (void)conn;
    char *out = s;
    for (const char *in = s; *in; in++) {
        int hi, lo;
        if (in[0] == '%' && (hi = hex_value(in[1])) >= 0 && (lo = hex_value(in[2])) >= 0 &&
            (hi | lo) != 0) {
            *out++ = (char)(hi << 4 | lo);
            in += 2;
        } else {
            *out++ = *in;
        }
    }
    *out = '\0';
    return (size_t)(out - s);
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

static enum pr_method method_of(const char *m)
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

/* Errors, 204s and pages with links: built for this request alone. An owned
 * body passes to the response returned; the caller clears body_owned then. */
static struct MHD_Response *make_plain(const pr_http *h, const pr_api *api,
                                       struct MHD_Connection *conn, pr_response *resp)
{
    struct MHD_Response *r;
    if (resp->status == 200) {
        r = make_ok(h, api, resp, resp->body_owned);
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
    add_cors(h, r);
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

/* A Content-Length over the limit is refused before anything is read. */
static bool declared_too_large(struct MHD_Connection *conn)
{
    const char *length = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
    if (!length)
        return false;
    char *end;
    unsigned long long n = strtoull(length, &end, 10);
    return *end != '\0' || n > PR_MAX_BODY_BYTES;
}

static bool has_body(struct MHD_Connection *conn)
{
    const char *length = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
    return (length && strcmp(length, "0") != 0) ||
           MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Transfer-Encoding");
}

static double seconds_since(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

/* The route of /healthz, /readyz or /metrics, or -1 for any other path. */
static int operations_route(const char *path)
{
    if (!strcmp(path, "/healthz"))
        return PR_METRICS_ROUTE_HEALTHZ;
    if (!strcmp(path, "/readyz"))
        return PR_METRICS_ROUTE_READYZ;
    if (!strcmp(path, "/metrics"))
        return PR_METRICS_ROUTE_METRICS;
    return -1;
}

/* /healthz, /readyz and /metrics: about this process, not about the data, so
 * answered here and never cached. False when the path is none of them. */
static bool answer_operations(pr_http *h, const pr_dataset *ds, const pr_request *req,
                              pr_response *resp, int *route)
{
    *route = operations_route(req->path);
    if (*route < 0)
        return false;
    memset(resp, 0, sizeof *resp);
    if (req->method == PR_OPTIONS) {
        resp->status = 204;
        resp->allow = "GET, HEAD, OPTIONS";
        return true;
    }
    if (req->method != PR_GET && req->method != PR_HEAD) {
        pr_api_problem(resp, req, 405, "this resource answers GET, HEAD, OPTIONS");
        resp->allow = "GET, HEAD, OPTIONS";
        return true;
    }
    if (req->param_count || req->too_many_params) {
        pr_api_problem(resp, req, 400, "this resource takes no query parameters");
        return true;
    }
    char text[160];
    const char *type = "application/json";
    char *metrics = NULL;
    size_t len = 0;
    if (*route == PR_METRICS_ROUTE_HEALTHZ) {
        len = (size_t)snprintf(text, sizeof text, "{\"status\":\"alive\"}\n");
    } else if (*route == PR_METRICS_ROUTE_READYZ) {
        if (atomic_load(&h->draining)) {
            pr_api_problem(resp, req, 503, "shutting down: finishing the requests under way");
            return true;
        }
        const pr_registry *reg = pr_api_registry(ds->api);
        len = (size_t)snprintf(text, sizeof text,
                               "{\"status\":\"ready\",\"records\":%u,\"contacts\":%u}\n",
                               reg->record_count, reg->contact_count);
    } else {
        metrics = pr_metrics_render(&len);
        type = "text/plain; version=0.0.4; charset=utf-8";
    }
    pr_body *body = metrics                              ? pr_body_new(metrics, len)
                    : *route != PR_METRICS_ROUTE_METRICS ? pr_body_new(text, len)
                                                         : NULL;
    free(metrics);
    if (!body) {
        pr_api_problem(resp, req, 500, "out of memory");
        return true;
    }
    resp->status = 200;
    resp->content_type = type;
    resp->body = body;
    resp->body_owned = true;
    resp->cacheable = false;
    return true;
}

/* Queues resp for req and records it: metrics and the access log. */
static enum MHD_Result respond(pr_http *h, const pr_api *api, struct MHD_Connection *conn,
                               const pr_request *req, const char *method, pr_response *resp,
                               int route, const struct timespec *start)
{
    bool not_modified =
        resp->status == 200 && resp->cacheable &&
        pr_not_modified(MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "If-None-Match"),
                        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "If-Modified-Since"),
                        resp->body->etag, pr_api_last_modified_time(api));
    int status = not_modified ? 304 : resp->status;
    size_t bytes = resp->body && status != 304 && req->method != PR_HEAD ? resp->body->len : 0;
    const char *etag = not_modified ? "hit" : resp->status == 200 && resp->cacheable ? "miss" : "-";
    bool draining = atomic_load(&h->draining);
    /* A shared, prebuilt response serves a cached body unless the connection
     * must be told to close (draining), which needs a header of its own. A
     * borrowed body is a kept one, whose Link, if any, is as fixed as its
     * bytes. */
    bool shared = !draining && !resp->body_owned && resp->status == 200;
    struct MHD_Response *r;
    if (not_modified && shared)
        r = cached_wire(h, api, resp, WIRE_NOT_MODIFIED);
    else if (not_modified)
        r = make_not_modified(h, api, resp, resp->body_owned);
    else if (shared)
        r = cached_wire(h, api, resp, WIRE_OK);
    else
        r = make_plain(h, api, conn, resp);
    if (r && !shared)
        resp->body_owned = false; /* the response frees it now */
    if (r && !shared && draining)
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

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **req_cls)
{
    (void)version;
    pr_http *h = cls;
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    pr_request req = {.method = method_of(method), .path = url, .path_len = strlen(url)};
    pr_response resp;
    if (*req_cls == NULL) {
        pr_dataset *ds = pr_current_acquire(h->current);
        atomic_fetch_add(&h->in_flight, 1);
        *req_cls = ds;
        if (!has_body(conn))
            return MHD_YES; /* answered on the next call, as said below */
        if (pr_api_takes_body(req.method, req.path, req.path_len) && !declared_too_large(conn)) {
            body_sink *sink = malloc(sizeof *sink);
            if (!sink)
                return MHD_NO;
            sink->ds = ds;
            sink->len = 0;
            sink->too_large = false;
            *req_cls = tag_sink(sink);
            return MHD_YES;
        }
        /* Any other content is refused before it is read: a response queued
         * now makes libmicrohttpd close the connection after it, which is
         * right, as the unread content cannot be skipped. */
        int route = operations_route(req.path);
        if (route < 0)
            route = pr_api_route_of(req.path, req.path_len);
        if (pr_api_takes_body(req.method, req.path, req.path_len))
            pr_api_problem(&resp, &req, 413, "the request body is over 65536 bytes");
        else if (req.method == PR_POST && !answer_operations(h, ds, &req, &resp, &route))
            pr_api_handle(ds->api, &req, &resp); /* a 405, or 404 where nothing is */
        else if (req.method != PR_POST)
            pr_api_problem(&resp, &req, 413, "this resource takes no request body");
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
    int route;
    if (!answer_operations(h, ds, &req, &resp, &route)) {
        pr_api_handle(ds->api, &req, &resp);
        route = resp.route;
    }
    return respond(h, ds->api, conn, &req, method, &resp, route, &start);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                         enum MHD_RequestTerminationCode why)
{
    (void)conn, (void)why;
    pr_http *h = cls;
    if (!*req_cls)
        return;
    body_sink *sink = sink_of(*req_cls);
    pr_dataset_release(dataset_of(*req_cls));
    free(sink);
    *req_cls = NULL;
    atomic_fetch_sub(&h->in_flight, 1);
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    (void)cls, (void)conn, (void)socket_context;
    if (code == MHD_CONNECTION_NOTIFY_STARTED)
        pr_metrics_connection_opened();
    else
        pr_metrics_connection_closed();
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
    h->cors_any = strcmp(cfg->cors_origin, "*") == 0;
    atomic_init(&h->draining, false);
    atomic_init(&h->in_flight, 0);
    snprintf(h->cache_control, sizeof h->cache_control, "public, max-age=%u", cfg->max_age);
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
        MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL, MHD_OPTION_NOTIFY_COMPLETED, on_completed, h,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, NULL, MHD_OPTION_LISTEN_BACKLOG_SIZE,
        (unsigned)1024, MHD_OPTION_END);
    if (!h->daemon) {
        snprintf(why, why_size, "cannot listen (address in use, or not permitted?)");
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
    free(http);
    return left;
}

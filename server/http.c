/* http.c: libmicrohttpd glue (see http.h). */
#include "http.h"

#include <microhttpd.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conditional.h"

struct pr_http {
    struct MHD_Daemon *daemon;
    pr_api *api;
    pr_http_config cfg;
    char cache_control[48];
    bool cors_any;
};

/* Set on a connection's first callback for a request, so the answer is
 * queued on the second: libmicrohttpd 0.9.75 closes the connection when a
 * response is queued on the first call, which would defeat keep-alive. */
static char headers_seen;

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

static void add_validators(const pr_http *h, struct MHD_Response *r, const pr_body *body)
{
    MHD_add_response_header(r, "ETag", body->etag);
    MHD_add_response_header(r, "Cache-Control", h->cache_control);
    const char *lm = pr_api_last_modified(h->api);
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

/* A 200 response for a body: all headers but Link. */
static struct MHD_Response *make_ok(const pr_http *h, const pr_response *resp, bool owned)
{
    struct MHD_Response *r = over_body(resp->body, owned);
    if (!r)
        return NULL;
    MHD_add_response_header(r, "Content-Type", resp->content_type);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    add_validators(h, r, resp->body);
    add_cors(h, r);
    return r;
}

/* RFC 9110 15.4.5: a 304 repeats the validators and caching fields a 200
 * would carry, without content. RFC 9110 8.6: its Content-Length, if any,
 * must be the 200's. libmicrohttpd never sends the content of a 304 but does
 * write the length of the buffer it is given: so it is given the 200's. */
static struct MHD_Response *make_not_modified(const pr_http *h, const pr_body *body, bool owned)
{
    struct MHD_Response *r = over_body(body, owned);
    if (!r)
        return NULL;
    add_validators(h, r, body);
    add_cors(h, r);
    return r;
}

/* Builds a wire response once per cached body and keeps it on the body, so a
 * hot lookup costs no allocation and no header work. */
static struct MHD_Response *cached_wire(const pr_http *h, const pr_response *resp, int which)
{
    pr_body *body = (pr_body *)resp->body;
    struct MHD_Response *r = atomic_load_explicit(&body->wire[which], memory_order_acquire);
    if (r)
        return r;
    r = which == WIRE_OK ? make_ok(h, resp, false) : make_not_modified(h, body, false);
    if (!r)
        return NULL;
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

static enum MHD_Result queue_and_release(struct MHD_Connection *conn, int status,
                                         struct MHD_Response *r, bool destroy)
{
    if (!r)
        return MHD_NO; /* out of memory: libmicrohttpd closes the connection */
    enum MHD_Result ok = MHD_queue_response(conn, (unsigned)status, r);
    if (destroy)
        MHD_destroy_response(r);
    return ok;
}

/* Errors, 204s and pages with links: built for this request alone. */
static struct MHD_Response *make_plain(const pr_http *h, struct MHD_Connection *conn,
                                       pr_response *resp)
{
    struct MHD_Response *r;
    if (resp->status == 200) {
        r = make_ok(h, resp, resp->body_owned);
        if (r)
            resp->body_owned = false; /* the response frees it now */
        if (r && resp->link[0])
            MHD_add_response_header(r, "Link", resp->link);
        return r;
    }
    const pr_body *body = resp->body;
    if (body) {
        r = over_body(body, resp->body_owned);
        if (r)
            resp->body_owned = false;
    } else {
        r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    }
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

static bool has_body(struct MHD_Connection *conn)
{
    const char *length = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
    return (length && strcmp(length, "0") != 0) ||
           MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Transfer-Encoding");
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **req_cls)
{
    (void)version, (void)upload_data;
    pr_http *h = cls;
    pr_request req = {.method = method_of(method), .path = url, .path_len = strlen(url)};
    pr_response resp;
    if (*req_cls == NULL) {
        if (!has_body(conn)) {
            *req_cls = &headers_seen;
            return MHD_YES;
        }
        /* No resource takes a request body. Refuse it before reading it: a
         * response queued now makes libmicrohttpd close the connection after
         * it, which is right, as the unread body cannot be skipped. */
        if (req.method == PR_POST)
            pr_api_handle(h->api, &req, &resp);
        else
            pr_api_problem(&resp, &req, 413, "this resource takes no request body");
        struct MHD_Response *r = make_plain(h, conn, &resp);
        int status = resp.status;
        pr_response_release(&resp);
        return queue_and_release(conn, status, r, true);
    }
    *upload_data_size = 0; /* bodies were refused above: nothing to take */
    param_sink sink = {.count = 0};
    MHD_get_connection_values_n(conn, MHD_GET_ARGUMENT_KIND, collect_param, &sink);
    req.params = sink.params;
    req.param_count = sink.count;
    req.too_many_params = sink.too_many;

    pr_api_handle(h->api, &req, &resp);
    if (resp.status == 200 && resp.cacheable &&
        pr_not_modified(MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "If-None-Match"),
                        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "If-Modified-Since"),
                        resp.body->etag, pr_api_last_modified_time(h->api))) {
        enum MHD_Result ok;
        if (resp.body_owned) {
            struct MHD_Response *r = make_not_modified(h, resp.body, true);
            if (r)
                resp.body_owned = false; /* the response frees it now */
            ok = queue_and_release(conn, 304, r, true);
        } else {
            ok = queue_and_release(conn, 304, cached_wire(h, &resp, WIRE_NOT_MODIFIED), false);
        }
        pr_response_release(&resp);
        return ok;
    }
    if (resp.status == 200 && !resp.body_owned && !resp.link[0]) {
        enum MHD_Result ok = queue_and_release(conn, 200, cached_wire(h, &resp, WIRE_OK), false);
        pr_response_release(&resp);
        return ok;
    }
    struct MHD_Response *r = make_plain(h, conn, &resp);
    int status = resp.status;
    pr_response_release(&resp);
    return queue_and_release(conn, status, r, true);
}

pr_http *pr_http_start(const struct sockaddr *addr, socklen_t addr_len, pr_api *api,
                       const pr_http_config *cfg, char *why, size_t why_size)
{
    (void)addr_len;
    pr_http *h = calloc(1, sizeof *h);
    if (!h) {
        snprintf(why, why_size, "out of memory");
        return NULL;
    }
    h->api = api;
    h->cfg = *cfg;
    h->cors_any = strcmp(cfg->cors_origin, "*") == 0;
    snprintf(h->cache_control, sizeof h->cache_control, "public, max-age=%u", cfg->max_age);
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
                     MHD_USE_ERROR_LOG | (addr->sa_family == AF_INET6 ? MHD_USE_IPv6 : 0);
    h->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, h, MHD_OPTION_SOCK_ADDR, addr,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)cfg->threads, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)cfg->timeout, MHD_OPTION_CONNECTION_LIMIT, (unsigned)cfg->conn_limit,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)cfg->per_ip_limit,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, cfg->memory_limit, MHD_OPTION_UNESCAPE_CALLBACK,
        unescape, NULL, MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024, MHD_OPTION_END);
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

void pr_http_stop(pr_http *http, unsigned grace_ms)
{
    if (!http)
        return;
    MHD_quiesce_daemon(http->daemon);
    for (unsigned waited = 0; waited < grace_ms; waited += 20) {
        const union MHD_DaemonInfo *info =
            MHD_get_daemon_info(http->daemon, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
        if (!info || info->num_connections == 0)
            break;
        nanosleep(&(struct timespec){0, 20 * 1000 * 1000}, NULL);
    }
    MHD_stop_daemon(http->daemon);
    free(http);
}

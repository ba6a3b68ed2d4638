/* http.h: puts a pr_api on the network with libmicrohttpd.
 *
 * This is the only module that speaks the wire: it turns libmicrohttpd's
 * callbacks into pr_request values, answers conditional requests (304), and
 * adds the headers every response carries (ETag, caching, CORS, Allow).
 *
 * Threads: libmicrohttpd runs its own threads (an epoll thread pool); the
 * pr_api is only read from them. pr_http_start/stop are called from one
 * thread. Ownership: the pr_http borrows the pr_api, which must outlive it. */
#ifndef PR_HTTP_H
#define PR_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "api.h"

typedef struct pr_http_config {
    const char *cors_origin; /* "*" or one origin */
    unsigned max_age;        /* Cache-Control max-age of 200/304 answers */
    unsigned threads;        /* worker threads, >= 1 */
    unsigned timeout;        /* seconds an idle connection is kept */
    unsigned conn_limit;     /* connections at once */
    unsigned per_ip_limit;   /* connections at once from one address; 0: no limit */
    size_t memory_limit;     /* per connection: bounds request line + headers */
} pr_http_config;

typedef struct pr_http pr_http;

/* Binds and starts serving. NULL with why[] filled on failure. */
pr_http *pr_http_start(const struct sockaddr *addr, socklen_t addr_len, pr_api *api,
                       const pr_http_config *cfg, char *why, size_t why_size);

/* The port actually bound (useful after asking for port 0). */
uint16_t pr_http_port(const pr_http *http);

/* Stops accepting, lets open connections finish for up to grace_ms, then
 * closes the rest and frees the server. Accepts NULL. */
void pr_http_stop(pr_http *http, unsigned grace_ms);

/* For pr_api_config.wire_free: releases the prebuilt responses that this
 * module attaches to cached bodies. */
void pr_http_wire_free(void *wire);

#endif

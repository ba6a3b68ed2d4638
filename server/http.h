/* http.h: puts the API on the network with libmicrohttpd.
 *
 * This is the only module that speaks the wire: it turns libmicrohttpd's
 * callbacks into pr_request values, answers conditional requests (304), adds
 * the headers every response carries (ETag, caching, CORS, Allow), answers
 * /healthz, /readyz and /metrics itself, and writes the access log.
 *
 * Each request takes a reference on the data set being served when it
 * starts and drops it when libmicrohttpd reports it complete, so a reload
 * (pr_current_replace) never changes or frees data under a request.
 *
 * Threads: libmicrohttpd runs its own threads (an epoll thread pool), and
 * a peer_watch thread notices clients that have gone and closes in stages
 * the connections whose request content was refused unread.
 * pr_http_start and pr_http_stop are called from one thread. Ownership: the
 * pr_http borrows the pr_current, which must outlive it. */
#ifndef PR_HTTP_H
#define PR_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "dataset.h"

typedef struct pr_http_config {
    const char *cors_origin; /* "*" or a list of origins (cors.h) */
    unsigned max_age;        /* Cache-Control max-age of 200/304 answers */
    unsigned threads;        /* worker threads, >= 1, when per_connection is false */
    bool per_connection;     /* a thread per connection instead of an epoll pool */
    unsigned timeout;        /* seconds an idle or slow connection is kept */
    unsigned conn_limit;     /* connections at once */
    unsigned per_ip_limit;   /* connections at once from one address; 0: no limit */
    size_t memory_limit;     /* per connection: bounds request line + headers */
} pr_http_config;

typedef struct pr_http pr_http;

/* Binds and starts serving. NULL with why[] filled on failure. */
pr_http *pr_http_start(const struct sockaddr *addr, socklen_t addr_len, pr_current *current,
                       const pr_http_config *cfg, char *why, size_t why_size);

/* The port actually bound (useful after asking for port 0). */
uint16_t pr_http_port(const pr_http *http);

/* Graceful stop: turns /readyz to 503 and asks clients to close kept-alive
 * connections; after delay_ms (still accepting, so that load balancers see
 * the 503) stops accepting; waits up to grace_ms for the requests under way
 * to finish; then closes what is left and frees the server. Returns how many
 * requests were still under way at the deadline. Accepts NULL. */
unsigned pr_http_stop(pr_http *http, unsigned delay_ms, unsigned grace_ms);

/* For pr_api_config.operations: /healthz, /readyz and /metrics, about this
 * process rather than the data, so never cached. The server hands itself to
 * it in pr_request.server; /readyz is a 503 while the server drains. */
void pr_http_operations(enum pr_route route, const pr_api *api, const pr_request *req,
                        pr_response *resp);

/* For pr_api_config.wire_free: releases the prebuilt responses that this
 * module attaches to cached bodies. */
void pr_http_wire_free(void *wire);

/* For pr_api_config.wire_bytes: the memory a cached body's prebuilt 200 and
 * 304 responses take together. libmicrohttpd keeps each header field of a
 * response in its own allocations (a list node, a copy of the name, a copy
 * of the value); measured with 0.9.75 on the registry's port lookups, a
 * cached body grew the process by 0.9 KiB per prebuilt response over its
 * own bytes, plus allocator slack. */
#define PR_HTTP_WIRE_BYTES 2304

#endif

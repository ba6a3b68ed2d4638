/* framing.h: the checks of RFC 9112 on a request's framing that
 * libmicrohttpd 0.9.75 leaves undone, so that no request can be read two
 * ways (by portreg and by a proxy in front of it: request smuggling).
 *
 * libmicrohttpd frames a request by the first Transfer-Encoding or else the
 * first Content-Length it finds and ignores any other; it keeps a field
 * whose name is followed by whitespace under a name with that whitespace,
 * so "Content-Length : 5" frames nothing; it takes a Transfer-Encoding
 * other than chunked as a body read to the end of the connection; it
 * requires no Host. A proxy may read each of these otherwise. So each field
 * line of a request is fed here, and a request whose framing is ambiguous
 * or malformed is refused with 400 and its connection closed (RFC 9112
 * sections 6.1 and 6.3), before any of its body is read.
 *
 * Pure functions over caller-owned state; thread-safe. */
#ifndef PR_FRAMING_H
#define PR_FRAMING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct pr_framing {
    unsigned hosts, lengths, encodings;
    bool bad_name;   /* a field name that is not a token (RFC 9110 5.1) */
    bool bad_host;   /* a Host value that cannot be a uri-host[:port] */
    bool bad_length; /* a Content-Length that is not 1*DIGIT, or too big */
    bool lengths_differ;
    bool bad_encoding; /* a Transfer-Encoding other than the one "chunked" */
    uint64_t length;   /* the Content-Length, when there is one */
} pr_framing;

/* Starts the state for a request. */
void pr_framing_init(pr_framing *f);

/* One field line as received (name and value as libmicrohttpd keeps them:
 * the value without leading whitespace). */
void pr_framing_field(pr_framing *f, const char *name, size_t name_len, const char *value,
                      size_t value_len);

/* After the last field: NULL when the framing is sound, else the detail of
 * the 400 to answer (a static string). http11: the request says HTTP/1.1. */
const char *pr_framing_verdict(const pr_framing *f, bool http11);

/* Whether the request has content to read: a chunked body, or a
 * Content-Length other than zero (however many digits it is written with).
 * Only meaningful when the verdict was NULL. */
bool pr_framing_has_body(const pr_framing *f);

/* The request target as received, before any decoding: NULL when sound,
 * else the detail of a 400. RFC 9112 3.2 and RFC 3986: a target holds no
 * whitespace and no control characters. target_span is how many bytes the
 * target took on the request line; a raw NUL in it makes len shorter (the
 * caller sees the target as a C string), which is refused too. */
const char *pr_framing_target(const char *target, size_t len, size_t target_span);

/* Query parameters: no endpoint takes more than a dozen, so more than this
 * many are refused whatever the budget below allows. */
#define PR_FRAMING_MAX_QUERY_FIELDS 64

/* How many query parameters libmicrohttpd would split the target into: one
 * per '&'-separated field after the first '?', 0 without a query. An upper
 * bound (empty fields count too), computed without writing. */
size_t pr_framing_query_fields(const char *target, size_t len);

/* How many query parameters a target of target_len bytes may carry when
 * each connection has memory_limit bytes (libmicrohttpd's
 * MHD_OPTION_CONNECTION_MEMORY_LIMIT): at most
 * PR_FRAMING_MAX_QUERY_FIELDS, fewer when a long target leaves the
 * connection's memory too little room for the fields' records.
 *
 * Why: libmicrohttpd 0.9.75 splits the query into records (56 bytes each
 * on 64-bit) in the connection's memory pool, beside the read buffer that
 * still holds the request line. When the pool runs out there, it queues a
 * 431 but then overwrites the connection's state (parse_initial_message_line
 * returns success whatever MHD_parse_arguments_ did), so no answer is ever
 * sent: in its epoll mode the connection is held until --timeout, in its
 * thread-per-connection mode it is closed without a word. The server
 * refuses such a target itself before the split (server/http.c, on_uri). */
size_t pr_framing_query_budget(size_t memory_limit, size_t target_len);

#endif

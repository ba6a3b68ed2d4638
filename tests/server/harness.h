/* harness.h: starts the real portreg server on an ephemeral loopback port and
 * speaks HTTP/1.1 to it over plain sockets, so tests see exactly the bytes a
 * client would: status line, headers, body, keep-alive.
 *
 * Every exchange is also appended, as one JSON line, to the file named by
 * PORTREG_TEST_EXCHANGES (when set), for validation against openapi.yaml.
 * PORTREG_TEST_SERVER_WRAPPER (when set) is a command the server is run
 * under, its words split at blanks: tools/test runs the wire suites with
 * the server under valgrind this way.
 *
 * Memory: http_response owns its buffers; http_response_free releases them. */
#ifndef PR_TEST_HARNESS_H
#define PR_TEST_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct server {
    pid_t pid;
    uint16_t port;
    char log_path[64]; /* the server's stderr goes to this file (its log) */
} server;

/* Starts `portreg serve --listen 127.0.0.1:0` with extra arguments (NULL-
 * terminated; may be NULL) and waits until it listens. Asserts on failure. */
void server_start(server *s, const char *const *args);
/* Sends SIGTERM, waits, and returns the exit status (or -1 if killed). The
 * log file is removed. */
int server_stop(server *s);

/* For a test that waited for the server's exit itself: forget it, and
 * remove its log. */
void server_reaped(server *s);

/* What the server has logged so far (malloc'ed; the caller frees it). */
char *server_log(const server *s);

typedef struct http_response {
    int status;
    char *head; /* status line and header fields, NUL-terminated */
    char *body; /* NUL-terminated for convenience; may hold NULs */
    size_t body_len;
    bool closed; /* the server closed the connection after this response */
} http_response;

/* Whether exchanges are recorded for the OpenAPI check (default true). Tests
 * that probe paths outside the API on purpose turn it off around them: no
 * description can list every path that does not exist. */
void http_record(bool on);

/* Polls GET target until a 200 whose body holds needle (or, when !present,
 * lacks it): true then, false when `seconds` pass first. For what a server
 * does on its own time (a reload on SIGHUP or --watch). */
bool http_await_body(uint16_t port, const char *target, const char *needle, bool present,
                     double seconds);

/* Opens a TCP connection to 127.0.0.1:port. Asserts on failure. */
int http_connect(uint16_t port);

/* Sends one request on fd and reads one response. extra_headers are full
 * "Name: value\r\n" lines (may be NULL). Returns false if the connection
 * failed or the response could not be read within 10 s. */
bool http_send(int fd, const char *method, const char *target, const char *extra_headers,
               http_response *out);

/* As http_send, with request content (Content-Length is added). */
bool http_send_body(int fd, const char *method, const char *target, const char *extra_headers,
                    const char *body, size_t body_len, http_response *out);

/* One request on a fresh connection, closed afterwards. Asserts it worked. */
void http_request(uint16_t port, const char *method, const char *target, const char *extra_headers,
                  http_response *out);

/* One request with content on a fresh connection. Asserts it worked. */
void http_request_body(uint16_t port, const char *method, const char *target,
                       const char *extra_headers, const char *body, size_t body_len,
                       http_response *out);

/* Value of a header field (case-insensitive name) copied into buf, or NULL. */
const char *http_header(const http_response *r, const char *name, char *buf, size_t size);

void http_response_free(http_response *r);

/* The body of a gzip-encoded response, inflated (malloc'ed, NUL-terminated
 * past *len; the caller frees it); NULL when it is not one whole gzip
 * stream. */
char *http_gunzip(const http_response *r, size_t *len);

/* Sends raw bytes on a fresh connection and reads what comes back until the
 * server closes or 5 s pass (out is NUL-terminated). Returns the status of
 * the first response, or 0 when there was none. */
int http_raw(uint16_t port, const char *bytes, size_t len, char *out, size_t out_size);

/* The body parsed as JSON; asserts it is valid JSON. Caller json_decref()s. */
struct json_t;
struct json_t *http_json(const http_response *r);

/* The repository's snapshot of the whole registry as a data directory
 * (registry/iana: the files built into the binary), or NULL when it is
 * absent. */
const char *iana_dir(void);

#endif

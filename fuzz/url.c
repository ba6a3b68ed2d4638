/* url.c: fuzzes the step from a raw request target to the path and query
 * parameters the API sees: libmicrohttpd's split of the target at '?', '&'
 * and '=', the percent-decoding of api/target.c, and the API
 * behind them. The real server (pr_http_start) runs in this process on an
 * ephemeral loopback port, over the sample data (data/sample/); each input is the
 * target of one GET on a kept-alive connection.
 *
 * Input: the request target, as sent. Bytes that would end the request
 * line (space, CR, LF) are sent percent-encoded instead, so that every
 * input is one request; every other byte goes out raw, NUL included.
 *
 * Oracle: an answer comes within 5 seconds, is a complete HTTP/1.1
 * response, and passes fuzz_check_wire_answer (answer.h): a documented
 * status, never a 500, problem+json on errors, JSON that parses. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "answer.h"
#include "dataset.h"
#include "fuzz.h"
#include "http.h"
#include "log.h"

#define MAX_TARGET 8192

static pr_current current;
static pr_http *server;
static struct sockaddr_in addr;
static int conn = -1;
static char response[1 << 20];

/* Stops the server at exit, so that nothing is left running for leak
 * checkers to report. */
static void stop_server(void)
{
    if (conn >= 0)
        close(conn);
    pr_http_stop(server, 0, 1000);
    pr_current_destroy(&current);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    pr_log_configure(PR_LOG_ERROR, PR_LOG_PLAIN, false);
    pr_registry *reg = fuzz_sample_registry("");
    pr_api_config cfg = {.max_limit = 1000,
                         .default_limit = 100,
                         .cache_bytes = 256 * 1024,
                         .max_path_bytes = PR_MAX_PATH_BYTES,
                         .max_manifest = 100,
                         .version = "fuzz",
                         .wire_free = pr_http_wire_free,
                         .wire_bytes = PR_HTTP_WIRE_BYTES};
    pr_dataset *ds = pr_dataset_new(reg, &cfg);
    FUZZ_REQUIRE(ds, "pr_dataset_new failed");
    pr_current_init(&current, ds);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    pr_http_config hc = {.cors_origin = "*",
                         .max_age = 60,
                         .threads = 2, /* the default; libmicrohttpd warns of a pool of 1 */
                         .timeout = 30,
                         .conn_limit = 64,
                         .memory_limit = 32768};
    char why[256];
    server =
        pr_http_start((const struct sockaddr *)&addr, sizeof addr, &current, &hc, why, sizeof why);
    FUZZ_REQUIRE(server, "cannot start the server: %s", why);
    addr.sin_port = htons(pr_http_port(server));
    atexit(stop_server);
    return 0;
}

/* libFuzzer's timers interrupt system calls (SIGALRM every second), so
 * each call here is retried on EINTR. */
static int connect_retrying(int fd)
{
    if (connect(fd, (const struct sockaddr *)&addr, sizeof addr) == 0)
        return 0;
    if (errno != EINTR && errno != EINPROGRESS)
        return -1;
    /* the connection goes on in the background: wait for its outcome */
    struct pollfd p = {fd, POLLOUT, 0};
    int rc;
    do
        rc = poll(&p, 1, 5000);
    while (rc < 0 && errno == EINTR);
    int error = 0;
    socklen_t len = sizeof error;
    if (rc <= 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) != 0 || error) {
        errno = rc == 0 ? ETIMEDOUT : error ? error : errno;
        return -1;
    }
    return 0;
}

/* poll() for POLLIN on fd for up to ms milliseconds, through interruptions. */
static int wait_readable(int fd, int ms)
{
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        struct pollfd p = {fd, POLLIN, 0};
        int rc = poll(&p, 1, ms);
        if (rc >= 0 || errno != EINTR)
            return rc;
        clock_gettime(CLOCK_MONOTONIC, &now);
        long spent = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
        if (spent >= ms)
            return 0;
        ms -= (int)spent;
        start = now;
    }
}

static ssize_t recv_retrying(int fd, void *buf, size_t len)
{
    ssize_t n;
    do
        n = recv(fd, buf, len, 0);
    while (n < 0 && errno == EINTR);
    return n;
}

static ssize_t send_retrying(int fd, const void *buf, size_t len)
{
    ssize_t n;
    do
        n = send(fd, buf, len, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    return n;
}

static void connect_server(void)
{
    conn = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    FUZZ_REQUIRE(conn >= 0, "socket: %s", strerror(errno));
    int one = 1;
    setsockopt(conn, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    FUZZ_REQUIRE(connect_retrying(conn) == 0, "connect: %s", strerror(errno));
}

static void disconnect(void)
{
    if (conn >= 0)
        close(conn);
    conn = -1;
}

/* After a hang: does the server still answer GET /healthz on a new
 * connection within 5 s? Tells a stuck connection from a stuck server. */
static const char *server_state(void)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect_retrying(fd) != 0) {
        if (fd >= 0)
            close(fd);
        return "a new connection is refused";
    }
    static const char probe[] = "GET /healthz HTTP/1.1\r\nHost: fuzz\r\n\r\n";
    char buf[64];
    bool answered = send_retrying(fd, probe, sizeof probe - 1) > 0 && wait_readable(fd, 5000) > 0 &&
                    recv_retrying(fd, buf, sizeof buf) > 0;
    close(fd);
    return answered ? "the server answers a new connection" : "a new connection gets no answer";
}

/* Reads more of the response into response[*len..]; false when the server
 * closed the connection. Aborts after 5 s without a byte: a hang. */
static bool read_more(size_t *len)
{
    int ready = wait_readable(conn, 5000);
    FUZZ_REQUIRE(ready > 0, "no answer within 5 s (poll: %d, %zu bytes so far; %s): %.*s", ready,
                 *len, server_state(), (int)(*len < 200 ? *len : 200), response);
    ssize_t n = recv_retrying(conn, response + *len, sizeof response - 1 - *len);
    if (n <= 0)
        return false;
    *len += (size_t)n;
    response[*len] = '\0';
    return true;
}

/* Sends the request; reads and checks its response. False when the server
 * closed the connection before answering (the caller retries once). */
static bool exchange(const char *request, size_t request_len)
{
    if (conn < 0)
        connect_server();
    for (size_t sent = 0; sent < request_len;) {
        ssize_t n = send_retrying(conn, request + sent, request_len - sent);
        if (n <= 0) {
            disconnect();
            return false;
        }
        sent += (size_t)n;
    }
    size_t len = 0;
    char *end = NULL;
    while (!(end = strstr(response, "\r\n\r\n")) || len == 0) {
        if (!read_more(&len)) {
            disconnect();
            FUZZ_REQUIRE(len == 0, "the connection closed inside a header: %s", response);
            return false;
        }
    }
    int status = 0;
    FUZZ_REQUIRE(sscanf(response, "HTTP/1.1 %3d ", &status) == 1, "status line: %.80s", response);
    size_t head = (size_t)(end - response) + 4;
    const char *cl = strcasestr(response, "\r\nContent-Length:");
    FUZZ_REQUIRE(cl && cl < end, "no Content-Length: %.*s", (int)head, response);
    size_t body_len = strtoul(cl + 17, NULL, 10);
    FUZZ_REQUIRE(body_len < sizeof response - head - 1, "a body of %zu bytes", body_len);
    while (len < head + body_len)
        FUZZ_REQUIRE(read_more(&len), "the connection closed inside a body");
    FUZZ_REQUIRE(len == head + body_len, "%zu bytes after the response", len - head - body_len);
    char type[128] = "";
    const char *ct = strcasestr(response, "\r\nContent-Type:");
    if (ct && ct < end) {
        ct += 15;
        while (*ct == ' ')
            ct++;
        size_t n = strcspn(ct, "\r");
        snprintf(type, sizeof type, "%.*s", (int)(n < sizeof type ? n : sizeof type - 1), ct);
    }
    json_decref(
        fuzz_check_wire_answer(status, type[0] ? type : NULL, response + head, body_len, true));
    bool closes = strcasestr(response, "\r\nConnection: close") &&
                  strcasestr(response, "\r\nConnection: close") < end;
    response[0] = '\0';
    if (closes)
        disconnect();
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0 || size > MAX_TARGET)
        return 0;
    static char request[3 * MAX_TARGET + 64];
    size_t n = 0;
    memcpy(request, "GET ", 4);
    n = 4;
    for (size_t i = 0; i < size; i++) {
        if (data[i] == ' ' || data[i] == '\r' || data[i] == '\n') {
            n += (size_t)snprintf(request + n, 4, "%%%02X", data[i]);
        } else {
            request[n++] = (char)data[i];
        }
    }
    static const char tail[] = " HTTP/1.1\r\nHost: fuzz\r\n\r\n";
    memcpy(request + n, tail, sizeof tail - 1);
    n += sizeof tail - 1;
    response[0] = '\0';
    if (!exchange(request, n)) {
        response[0] = '\0';
        FUZZ_REQUIRE(exchange(request, n), "the server closed the connection without an answer");
    }
    return 0;
}

/* harness.c: the real server, started and spoken to (see harness.h). */
#include "harness.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Servers this process started and has not stopped. A failed assertion ends
 * a test without running its cleanup, so whatever is left is killed when the
 * test process exits rather than outliving it. */
static pid_t running[16];

static void kill_leftovers(void)
{
    for (size_t i = 0; i < sizeof running / sizeof *running; i++) {
        if (running[i] > 0) {
            kill(running[i], SIGKILL);
            waitpid(running[i], NULL, 0);
            running[i] = 0;
        }
    }
}

static void track(pid_t pid, pid_t replace)
{
    static bool registered;
    if (!registered)
        registered = atexit(kill_leftovers) == 0;
    for (size_t i = 0; i < sizeof running / sizeof *running; i++) {
        if (running[i] == replace) {
            running[i] = pid;
            return;
        }
    }
}

/* The server's stderr goes to a file rather than a pipe: it logs a line per
 * request, and a pipe nobody reads would fill and stall it. Its stdout goes
 * nowhere, so that it never holds the test runner's output open. */
void server_start(server *s, const char *const *args)
{
    snprintf(s->log_path, sizeof s->log_path, "/tmp/portreg-test-log-XXXXXX");
    int log_fd = mkstemp(s->log_path);
    cr_assert_geq(log_fd, 0);
    /* PORTREG_TEST_SERVER_WRAPPER: words to run the server under (valgrind
     * and its options, as tools/test does), split at blanks */
    static char wrapper[512];
    const char *argv[64];
    int argc = 0;
    const char *wrap = getenv("PORTREG_TEST_SERVER_WRAPPER");
    if (wrap && wrap[0]) {
        cr_assert_lt(strlen(wrap), sizeof wrapper, "PORTREG_TEST_SERVER_WRAPPER is too long");
        strcpy(wrapper, wrap);
        for (char *word = strtok(wrapper, " \t"); word; word = strtok(NULL, " \t")) {
            cr_assert_lt(argc, 24, "PORTREG_TEST_SERVER_WRAPPER has too many words");
            argv[argc++] = word;
        }
    }
    const char *const serve[] = {PR_PORTREG, "serve", "--listen", "127.0.0.1:0"};
    for (size_t i = 0; i < sizeof serve / sizeof *serve; i++)
        argv[argc++] = serve[i];
    for (int i = 0; args && args[i]; i++) {
        cr_assert_lt(argc, 63);
        argv[argc++] = args[i];
    }
    argv[argc] = NULL;
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        dup2(log_fd, 2);
        close(log_fd);
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        close(null);
        execvp(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(log_fd);
    track(pid, 0);
    s->pid = pid;
    s->port = 0;
    /* The server says where it listens once it does; wait for that line
     * (a wrapper such as valgrind makes it start many times slower). */
    double deadline = now() + (wrap && wrap[0] ? 120 : 10);
    char *log = NULL;
    while (now() < deadline) {
        free(log);
        log = server_log(s);
        const char *at = log ? strstr(log, "http://127.0.0.1:") : NULL;
        if (at) {
            s->port = (uint16_t)atoi(at + strlen("http://127.0.0.1:"));
            free(log);
            return;
        }
        if (waitpid(pid, NULL, WNOHANG) == pid)
            break;
        struct timespec ts = {0, 5 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    track(0, pid);
    cr_assert_fail("the server did not start; it said: %s", log ? log : "");
}

void server_reaped(server *s)
{
    track(0, s->pid);
    unlink(s->log_path);
}

char *server_log(const server *s)
{
    FILE *f = fopen(s->log_path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    for (size_t n; buf && (n = fread(buf + len, 1, cap - len - 1, f)) > 0;) {
        len += n;
        if (len + 1 == cap) {
            char *grown = realloc(buf, cap *= 2);
            if (!grown) {
                free(buf);
                buf = NULL;
            }
            buf = grown;
        }
    }
    fclose(f);
    if (buf)
        buf[len] = '\0';
    return buf;
}

int server_stop(server *s)
{
    int status = 0;
    kill(s->pid, SIGTERM);
    const char *wrap = getenv("PORTREG_TEST_SERVER_WRAPPER");
    double deadline = now() + (wrap && wrap[0] ? 120 : 20);
    while (waitpid(s->pid, &status, WNOHANG) == 0) {
        if (now() > deadline) {
            kill(s->pid, SIGKILL);
            waitpid(s->pid, &status, 0);
            break;
        }
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    track(0, s->pid);
    unlink(s->log_path);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int http_connect(uint16_t port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    cr_assert_geq(fd, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    cr_assert_eq(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0, "connect: %s", strerror(errno));
    return fd;
}

static bool send_all(int fd, const char *data, size_t len)
{
    while (len) {
        ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
        if (n <= 0)
            return false;
        data += n;
        len -= (size_t)n;
    }
    return true;
}

/* Reads more bytes into *buf, waiting up to the deadline. 0 on EOF, -1 on error. */
static ssize_t read_more(int fd, char **buf, size_t *len, size_t *cap, double deadline)
{
    if (*len + 4096 + 1 > *cap) {
        *cap = (*cap ? *cap * 2 : 8192) + 4096;
        *buf = realloc(*buf, *cap);
        cr_assert_not_null(*buf);
    }
    for (;;) {
        int wait_ms = (int)((deadline - now()) * 1000);
        if (wait_ms <= 0)
            return -1;
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int rc = poll(&p, 1, wait_ms);
        if (rc < 0 && errno == EINTR)
            continue;
        if (rc <= 0)
            return -1;
        ssize_t n = recv(fd, *buf + *len, *cap - *len - 1, 0);
        if (n > 0)
            *len += (size_t)n;
        return n;
    }
}

char *http_gunzip(const http_response *r, size_t *len)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, 15 + 16) != Z_OK)
        return NULL;
    size_t cap = 1 << 22;
    char *out = malloc(cap + 1);
    if (!out) {
        inflateEnd(&z);
        return NULL;
    }
    z.next_in = (Bytef *)r->body;
    z.avail_in = (uInt)r->body_len;
    z.next_out = (Bytef *)out;
    z.avail_out = (uInt)cap;
    int rc = inflate(&z, Z_FINISH);
    bool whole = rc == Z_STREAM_END && z.avail_in == 0;
    *len = cap - z.avail_out;
    inflateEnd(&z);
    if (!whole) {
        free(out);
        return NULL;
    }
    out[*len] = '\0';
    return out;
}

static bool recording = true;

void http_record(bool on)
{
    recording = on;
}

static void record(const char *method, const char *target, const http_response *r)
{
    const char *path = getenv("PORTREG_TEST_EXCHANGES");
    if (!recording)
        return;
    if (!path || !*path)
        return;
    json_t *headers = json_object();
    const char *line = strstr(r->head, "\r\n");
    while (line && line[2]) {
        line += 2;
        const char *end = strstr(line, "\r\n");
        const char *colon = memchr(line, ':', end ? (size_t)(end - line) : strlen(line));
        if (!end || !colon)
            break;
        char name[128];
        size_t n =
            (size_t)(colon - line) < sizeof name - 1 ? (size_t)(colon - line) : sizeof name - 1;
        for (size_t i = 0; i < n; i++)
            name[i] = (char)(line[i] >= 'A' && line[i] <= 'Z' ? line[i] + 32 : line[i]);
        name[n] = '\0';
        const char *v = colon + 1;
        while (*v == ' ')
            v++;
        json_object_set_new(headers, name, json_stringn(v, (size_t)(end - v)));
        line = end;
    }
    /* a gzip body is recorded as what it encodes, for the schema check */
    char coding[32];
    size_t plain_len = 0;
    char *plain = http_header(r, "Content-Encoding", coding, sizeof coding) &&
                          !strcmp(coding, "gzip") && r->body_len
                      ? http_gunzip(r, &plain_len)
                      : NULL;
    json_t *entry =
        json_pack("{s:s,s:s,s:i,s:o,s:o}", "method", method, "target", target, "status", r->status,
                  "headers", headers, "body",
                  plain ? json_stringn(plain, plain_len) : json_stringn(r->body, r->body_len));
    free(plain);
    char *text = entry ? json_dumps(entry, JSON_COMPACT) : NULL;
    if (text) {
        /* one write per line with O_APPEND: parallel test processes do not interleave */
        int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (fd >= 0) {
            size_t len = strlen(text);
            text[len] = '\n';
            ssize_t w = write(fd, text, len + 1);
            (void)w;
            close(fd);
        }
        free(text);
    }
    json_decref(entry);
}

bool http_send(int fd, const char *method, const char *target, const char *extra_headers,
               http_response *out)
{
    return http_send_body(fd, method, target, extra_headers, NULL, 0, out);
}

bool http_send_body(int fd, const char *method, const char *target, const char *extra_headers,
                    const char *body, size_t body_len, http_response *out)
{
    memset(out, 0, sizeof *out);
    char req[8192], length[64] = "";
    if (body)
        snprintf(length, sizeof length, "Content-Length: %zu\r\n", body_len);
    int n = snprintf(req, sizeof req, "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%s%s\r\n", method,
                     target, length, extra_headers ? extra_headers : "");
    if (n < 0 || (size_t)n >= sizeof req || !send_all(fd, req, (size_t)n))
        return false;
    /* the server may answer and close before taking all of a refused body */
    if (body && !send_all(fd, body, body_len) && errno != EPIPE && errno != ECONNRESET)
        return false;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    double deadline = now() + 10;
    char *end = NULL;
    while (!(end = buf ? strstr(buf, "\r\n\r\n") : NULL)) {
        if (read_more(fd, &buf, &len, &cap, deadline) <= 0) {
            free(buf);
            return false;
        }
        buf[len] = '\0';
    }
    size_t head_len = (size_t)(end - buf);
    out->head = strndup(buf, head_len);
    out->status = atoi(buf + 9);
    char value[64];
    bool no_body = !strcmp(method, "HEAD") || out->status == 204 || out->status == 304 ||
                   out->status / 100 == 1;
    const char *cl = http_header(out, "Content-Length", value, sizeof value);
    size_t want = no_body ? 0 : cl ? strtoul(cl, NULL, 10) : SIZE_MAX;
    const char *conn = http_header(out, "Connection", value, sizeof value);
    out->closed = conn && strcasecmp(conn, "close") == 0;
    size_t have = len - head_len - 4;
    while (have < want) {
        ssize_t got = read_more(fd, &buf, &len, &cap, deadline);
        if (got == 0 && want == SIZE_MAX) {
            out->closed = true;
            break;
        }
        if (got <= 0) {
            free(buf);
            http_response_free(out);
            return false;
        }
        have = len - head_len - 4;
    }
    if (want != SIZE_MAX)
        have = want;
    out->body = malloc(have + 1);
    memcpy(out->body, buf + head_len + 4, have);
    out->body[have] = '\0';
    out->body_len = have;
    free(buf);
    record(method, target, out);
    return true;
}

void http_request(uint16_t port, const char *method, const char *target, const char *extra_headers,
                  http_response *out)
{
    int fd = http_connect(port);
    cr_assert(http_send(fd, method, target, extra_headers, out), "%s %s: no response", method,
              target);
    close(fd);
}

void http_request_body(uint16_t port, const char *method, const char *target,
                       const char *extra_headers, const char *body, size_t body_len,
                       http_response *out)
{
    int fd = http_connect(port);
    cr_assert(http_send_body(fd, method, target, extra_headers, body, body_len, out),
              "%s %s: no response", method, target);
    close(fd);
}

const char *http_header(const http_response *r, const char *name, char *buf, size_t size)
{
    size_t n = strlen(name);
    for (const char *line = strstr(r->head, "\r\n"); line; line = strstr(line + 2, "\r\n")) {
        const char *h = line + 2;
        if (strncasecmp(h, name, n) == 0 && h[n] == ':') {
            h += n + 1;
            while (*h == ' ')
                h++;
            const char *e = strstr(h, "\r\n");
            size_t len = e ? (size_t)(e - h) : strlen(h);
            if (len >= size)
                len = size - 1;
            memcpy(buf, h, len);
            buf[len] = '\0';
            return buf;
        }
    }
    return NULL;
}

void http_response_free(http_response *r)
{
    free(r->head);
    free(r->body);
    r->head = r->body = NULL;
}

int http_raw(uint16_t port, const char *bytes, size_t len, char *out, size_t out_size)
{
    int fd = http_connect(port);
    bool sent = send_all(fd, bytes, len);
    shutdown(fd, SHUT_WR);
    size_t used = 0;
    double deadline = now() + 5;
    while (used + 1 < out_size && now() < deadline) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 100) <= 0)
            continue;
        ssize_t n = recv(fd, out + used, out_size - used - 1, 0);
        if (n <= 0)
            break;
        used += (size_t)n;
    }
    out[used] = '\0';
    close(fd);
    (void)sent; /* the server may close before reading everything: still read its answer */
    return strncmp(out, "HTTP/1.", 7) == 0 ? atoi(out + 9) : 0;
}

json_t *http_json(const http_response *r)
{
    json_error_t err;
    json_t *root = json_loadb(r->body, r->body_len, 0, &err);
    cr_assert_not_null(root, "body is not JSON (%s): %.200s", err.text, r->body);
    return root;
}

const char *iana_dir(void)
{
    struct stat st;
    if (stat(PR_SNAPSHOT_DIR "/"
                             "service-names-port-numbers.csv",
             &st) == 0 &&
        stat(PR_SNAPSHOT_DIR "/"
                             "contacts.csv",
             &st) == 0)
        return PR_SNAPSHOT_DIR;
    return NULL;
}

bool http_await_body(uint16_t port, const char *target, const char *needle, bool present,
                     double seconds)
{
    double deadline = now() + seconds;
    do {
        http_response r;
        http_request(port, "GET", target, NULL, &r);
        bool found = r.status == 200 && (strstr(r.body, needle) != NULL) == present;
        http_response_free(&r);
        if (found)
            return true;
        struct timespec ts = {0, 20 * 1000 * 1000};
        nanosleep(&ts, NULL);
    } while (now() < deadline);
    return false;
}

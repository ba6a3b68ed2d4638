/* revalidate.c: a closed-loop HTTP/1.1 load generator for conditional GETs,
 * for bench/run's revalidation row.
 *
 * wrk reads a body of Content-Length bytes after every answer, a 304 too;
 * RFC 9110 8.6 lets a server send the 200's length on a 304 (portreg does),
 * so wrk would wait forever. This client knows that a 304 has no content
 * (RFC 9110 6.4.1) and otherwise works as wrk does: each thread runs its
 * connections through epoll, each connection sends one request, reads the
 * whole answer, records the time it took, and sends the next, kept alive,
 * for a fixed time. No scripting: it costs the machine less per request
 * than wrk, and the same for every server it drives.
 *
 *   revalidate HOST PORT THREADS CONNECTIONS SECONDS MIX RESULT
 *
 * MIX holds one request a line: a path, a tab, the entity-tag to send as
 * If-None-Match. RESULT gets one JSON object, as bench/get.lua writes:
 * requests, duration_us, bytes, errors, unexpected_status (answers that
 * were not 304) and latency_us percentiles. Exit status 0, or 1 with a
 * message on a usage or set-up error. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { MAX_CONNS = 4096, BUF = 65536, BUCKETS = 1000000 /* 1 us each, up to 1 s */ };

typedef struct conn {
    int fd;
    size_t next;    /* index of the next request in the mix */
    size_t sent;    /* bytes of the current request sent */
    size_t have;    /* bytes of the answer read so far */
    long long need; /* whole answer's length once the head is read; -1 before */
    double started;
    bool waiting_to_send; /* registered for EPOLLOUT rather than EPOLLIN */
    char buf[BUF];
} conn;

typedef struct worker {
    pthread_t thread;
    int first, count; /* its connections */
    uint64_t requests, bytes, unexpected, read_errors, connect_errors, over;
    uint32_t *hist;
} worker;

static struct sockaddr_in server;
static char **requests; /* "GET path HTTP/1.1\r\nHost...\r\n\r\n" */
static size_t *request_len;
static size_t request_count;
static double deadline;
static conn *conns;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int open_conn(int ep, conn *c, int index)
{
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (c->fd < 0)
        return -1;
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(c->fd, (struct sockaddr *)&server, sizeof server) != 0 && errno != EINPROGRESS) {
        close(c->fd);
        return -1;
    }
    /* writable once connected: the first request goes out then */
    struct epoll_event ev = {.events = EPOLLOUT, .data.u32 = (uint32_t)index};
    epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
    c->waiting_to_send = true;
    c->sent = c->have = 0;
    c->need = -1;
    c->started = now();
    return 0;
}

/* The answer's whole length once its head is in: head plus content, none
 * for a 304 or 204 whatever Content-Length says. -1 while incomplete. */
static long long answer_length(const char *buf, size_t have, int *status)
{
    const char *end = memmem(buf, have, "\r\n\r\n", 4);
    if (!end)
        return -1;
    size_t head = (size_t)(end - buf) + 4;
    *status = have > 12 ? atoi(buf + 9) : 0;
    if (*status == 304 || *status == 204 || *status / 100 == 1)
        return (long long)head;
    long long length = 0;
    for (const char *line = buf; line < end;) {
        const char *eol = memmem(line, (size_t)(end - line) + 2, "\r\n", 2);
        if (!eol)
            break;
        if ((size_t)(eol - line) > 15 && strncasecmp(line, "Content-Length:", 15) == 0)
            length = atoll(line + 15);
        line = eol + 2;
    }
    return (long long)head + length;
}

/* Sends what is left of the connection's request; false when it broke.
 * Waits for writability only when the socket cannot take it all now, as
 * wrk does: a request is on the wire the moment the previous answer is in. */
static bool send_request(int ep, conn *c, uint32_t index)
{
    const char *req = requests[c->next];
    size_t len = request_len[c->next];
    while (c->sent < len) {
        ssize_t k = send(c->fd, req + c->sent, len - c->sent, MSG_NOSIGNAL);
        if (k < 0 && errno == EAGAIN) {
            struct epoll_event ev = {.events = EPOLLOUT, .data.u32 = index};
            epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
            c->waiting_to_send = true;
            return true;
        }
        if (k <= 0)
            return false;
        c->sent += (size_t)k;
    }
    if (c->waiting_to_send) {
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = index};
        epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
        c->waiting_to_send = false;
    }
    return true;
}

static void *run(void *arg)
{
    worker *w = arg;
    int ep = epoll_create1(0);
    for (int i = w->first; i < w->first + w->count; i++) {
        conns[i].next = (size_t)i * 7919 % request_count;
        if (open_conn(ep, &conns[i], i) != 0)
            w->connect_errors++;
    }
    struct epoll_event events[256];
    while (now() < deadline) {
        int n = epoll_wait(ep, events, 256, 100);
        for (int e = 0; e < n; e++) {
            uint32_t index = events[e].data.u32;
            conn *c = &conns[index];
            if (c->waiting_to_send) {
                if (!send_request(ep, c, index))
                    goto broken;
                continue;
            }
            ssize_t k = recv(c->fd, c->buf + c->have, BUF - c->have, 0);
            if (k == 0 || (k < 0 && errno != EAGAIN))
                goto broken;
            if (k < 0)
                continue;
            c->have += (size_t)k;
            int status = 0;
            if (c->need < 0)
                c->need = answer_length(c->buf, c->have, &status);
            if (c->need < 0 || (long long)c->have < c->need) {
                if (c->have == BUF) /* a larger answer: keep only the count */
                    c->have = 0, c->need -= BUF;
                continue;
            }
            double took = now() - c->started;
            uint64_t us = (uint64_t)(took * 1e6);
            if (us < BUCKETS)
                w->hist[us]++;
            else
                w->over++;
            w->requests++;
            w->bytes += c->have;
            if (status && status != 304)
                w->unexpected++;
            c->next = (c->next + 1) % request_count;
            c->sent = c->have = 0;
            c->need = -1;
            c->started = now();
            if (!send_request(ep, c, index))
                goto broken;
            continue;
        broken:
            w->read_errors++;
            epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
            close(c->fd);
            if (open_conn(ep, c, (int)index) != 0)
                w->connect_errors++;
        }
    }
    for (int i = w->first; i < w->first + w->count; i++)
        close(conns[i].fd);
    close(ep);
    return NULL;
}

static int load_mix(const char *path, const char *host, int port)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char line[4096];
    size_t cap = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        char *tab = strchr(line, '\t');
        if (!line[0] || !tab)
            continue;
        *tab = '\0';
        if (request_count == cap) {
            cap = cap ? 2 * cap : 512;
            requests = realloc(requests, cap * sizeof *requests);
            request_len = realloc(request_len, cap * sizeof *request_len);
        }
        int n = asprintf(&requests[request_count],
                         "GET %s HTTP/1.1\r\nHost: %s:%d\r\nIf-None-Match: %s\r\n\r\n", line, host,
                         port, tab + 1);
        if (n < 0)
            return -1;
        request_len[request_count++] = (size_t)n;
    }
    fclose(f);
    return request_count ? 0 : -1;
}

int main(int argc, char **argv)
{
    if (argc != 8) {
        fprintf(stderr, "usage: revalidate HOST PORT THREADS CONNECTIONS SECONDS MIX RESULT\n");
        return 1;
    }
    int port = atoi(argv[2]), threads = atoi(argv[3]), connections = atoi(argv[4]);
    double seconds = atof(argv[5]);
    if (inet_pton(AF_INET, argv[1], &server.sin_addr) != 1 || port <= 0 || port > 65535 ||
        threads < 1 || connections < threads || connections > MAX_CONNS || seconds <= 0) {
        fprintf(stderr,
                "revalidate: HOST must be an IPv4 address; 1 <= THREADS <= CONNECTIONS"
                " <= %d; SECONDS > 0\n",
                MAX_CONNS);
        return 1;
    }
    server.sin_family = AF_INET;
    server.sin_port = htons((uint16_t)port);
    if (load_mix(argv[6], argv[1], port) != 0) {
        fprintf(stderr, "revalidate: %s holds no \"PATH<tab>ETAG\" lines\n", argv[6]);
        return 1;
    }
    conns = calloc((size_t)connections, sizeof *conns);
    worker *ws = calloc((size_t)threads, sizeof *ws);
    double start = now();
    deadline = start + seconds;
    for (int t = 0, at = 0; t < threads; t++) {
        ws[t].first = at;
        ws[t].count = connections / threads + (t < connections % threads);
        at += ws[t].count;
        ws[t].hist = calloc(BUCKETS, sizeof *ws[t].hist);
        pthread_create(&ws[t].thread, NULL, run, &ws[t]);
    }
    uint64_t requests_done = 0, bytes = 0, unexpected = 0, read_errors = 0, connect_errors = 0,
             over = 0;
    uint32_t *hist = calloc(BUCKETS, sizeof *hist);
    for (int t = 0; t < threads; t++) {
        pthread_join(ws[t].thread, NULL);
        requests_done += ws[t].requests;
        bytes += ws[t].bytes;
        unexpected += ws[t].unexpected;
        read_errors += ws[t].read_errors;
        connect_errors += ws[t].connect_errors;
        over += ws[t].over;
        for (int i = 0; i < BUCKETS; i++)
            hist[i] += ws[t].hist[i];
        free(ws[t].hist);
    }
    double elapsed = now() - start;
    /* percentiles, mean and spread from the 1 us histogram */
    double sum = 0, sq = 0;
    uint64_t counted = 0, max = 0;
    for (uint64_t i = 0; i < BUCKETS; i++)
        if (hist[i]) {
            sum += (double)i * hist[i];
            sq += (double)i * i * hist[i];
            counted += hist[i];
            max = i;
        }
    double mean = counted ? sum / (double)counted : 0;
    double var = counted ? sq / (double)counted - mean * mean : 0;
    double ps[] = {50, 90, 99, 99.9};
    uint64_t at[4] = {0};
    for (int p = 0; p < 4; p++) {
        uint64_t want = (uint64_t)((double)counted * ps[p] / 100.0), seen = 0;
        for (uint64_t i = 0; i < BUCKETS; i++) {
            seen += hist[i];
            if (seen > want) {
                at[p] = i;
                break;
            }
        }
    }
    if (over)
        max = BUCKETS;
    FILE *out = fopen(argv[7], "w");
    if (!out) {
        fprintf(stderr, "revalidate: cannot write %s\n", argv[7]);
        return 1;
    }
    fprintf(out,
            "{\"requests\":%llu,\"duration_us\":%llu,\"bytes\":%llu,"
            "\"errors\":{\"connect\":%llu,\"read\":%llu,\"write\":0,\"timeout\":%llu,"
            "\"status\":0},\"unexpected_status\":%llu,"
            "\"latency_us\":{\"mean\":%.1f,\"stdev\":%.1f,\"p50\":%llu,\"p90\":%llu,"
            "\"p99\":%llu,\"p999\":%llu,\"max\":%llu}}\n",
            (unsigned long long)requests_done, (unsigned long long)(elapsed * 1e6),
            (unsigned long long)bytes, (unsigned long long)connect_errors,
            (unsigned long long)read_errors, (unsigned long long)over,
            (unsigned long long)unexpected, mean, var > 0 ? __builtin_sqrt(var) : 0.0,
            (unsigned long long)at[0], (unsigned long long)at[1], (unsigned long long)at[2],
            (unsigned long long)at[3], (unsigned long long)max);
    fclose(out);
    free(hist);
    return 0;
}

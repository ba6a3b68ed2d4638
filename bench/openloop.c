/* openloop.c: an open-loop HTTP/1.1 load generator for bench/run.
 *
 * Requests are scheduled at a fixed offered rate, request i at
 * start + i / rate, whatever the server does; each one's latency is taken
 * from that intended send time to the last byte of its answer. A server
 * that stalls therefore pays for every request that should have gone out
 * during the stall, not only for the one in flight: there is no
 * coordinated omission (a closed-loop tool such as wrk waits for an answer
 * before it sends again, and so leaves out exactly the slow moments).
 *
 * THREADS threads, each with its share of the rate and of the connections
 * (as wrk has threads), each an epoll loop over keep-alive connections; a
 * request due when no connection of its thread is free waits in a queue,
 * its clock running. A timerfd wakes a loop at its next intended time
 * (timer slack set to 1 us). Latencies go into log-linear buckets (64 per
 * power of two, under 1.6% error), as HdrHistogram keeps them, merged
 * over the threads at the end.
 *
 * usage: openloop HOST PORT RATE SECONDS WARMUP CONNECTIONS THREADS URLS_FILE OUT_JSON
 * Exit status: 0 when it ran (errors are counted in the JSON), 2 on a
 * usage error, 1 when it could not run at all. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS 256
#define BUF_BYTES (256 * 1024)
#define SUB       64 /* buckets per power of two */
#define BUCKETS   (64 * SUB)

static _Thread_local uint64_t *hist;
static _Thread_local uint64_t recorded, max_ns;

static unsigned bucket_of(uint64_t v)
{
    if (v < 2 * SUB)
        return (unsigned)v;
    unsigned e = 63u - (unsigned)__builtin_clzll(v) - 6u; /* v >> e in [64, 128) */
    unsigned b = (e + 1) * SUB + (unsigned)(v >> e) - SUB;
    return b < BUCKETS ? b : BUCKETS - 1;
}

/* the highest value a bucket holds: percentiles are never flattered */
static uint64_t bucket_top(unsigned b)
{
    if (b < 2 * SUB)
        return b;
    unsigned e = b / SUB - 1;
    return (((uint64_t)(b % SUB + SUB) + 1) << e) - 1;
}

static void record(uint64_t ns)
{
    hist[bucket_of(ns)]++;
    recorded++;
    if (ns > max_ns)
        max_ns = ns;
}

static double percentile_us(double p)
{
    if (!recorded)
        return 0;
    uint64_t want = (uint64_t)((double)recorded * p / 100.0 + 0.999999);
    if (want == 0)
        want = 1;
    uint64_t seen = 0;
    for (unsigned b = 0; b < BUCKETS; b++) {
        seen += hist[b];
        if (seen >= want) {
            uint64_t top = bucket_top(b);
            return (double)(top < max_ns ? top : max_ns) / 1e3;
        }
    }
    return (double)max_ns / 1e3;
}

static uint64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

typedef struct conn {
    int fd;
    bool busy;
    uint64_t intended; /* of the request in flight */
    bool measured;
    size_t have;
    char buf[BUF_BYTES];
} conn;

static _Thread_local conn *conns;
static _Thread_local int nconn, ep;
static struct sockaddr_in addr;
static char **urls;
static size_t nurls;
static const char *host;
static _Thread_local uint64_t completed, errors, reconnects;

/* What each thread is given and gives back. */
typedef struct worker {
    pthread_t thread;
    double rate;
    int conns;
    uint64_t start, measure_from, total, deadline;
    uint64_t hist[BUCKETS];
    uint64_t recorded, max_ns, completed, errors, reconnects, unfinished, sent, max_queue;
    int failed;
} worker;

static int open_conn(conn *c)
{
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->fd < 0)
        return -1;
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(c->fd, (struct sockaddr *)&addr, sizeof addr) < 0 && errno != EINPROGRESS) {
        close(c->fd);
        return -1;
    }
    c->busy = false;
    c->have = 0;
    struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.ptr = c};
    return epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
}

/* The connection failed or closed: a request in flight is an error, and a
 * new connection takes its place. */
static void reopen(conn *c)
{
    if (c->busy && c->measured)
        errors++;
    epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    reconnects++;
    if (open_conn(c) < 0) {
        fprintf(stderr, "openloop: cannot reconnect: %s\n", strerror(errno));
        exit(1);
    }
}

static bool send_request(conn *c, size_t i, uint64_t intended, bool measured)
{
    char req[2048];
    const char *url = urls[i % nurls];
    int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: %s\r\n\r\n", url, host);
    if (n < 0 || (size_t)n >= sizeof req)
        return false;
    /* a request is small: one send, or the connection is broken */
    ssize_t w = send(c->fd, req, (size_t)n, MSG_NOSIGNAL);
    if (w != n)
        return false;
    c->busy = true;
    c->intended = intended;
    c->measured = measured;
    c->have = 0;
    return true;
}

/* Length of a complete answer at the start of buf, 0 when incomplete,
 * (size_t)-1 when it cannot be read; *status receives its status. */
static size_t answer_length(const char *buf, size_t have, int *status)
{
    const char *end = memmem(buf, have, "\r\n\r\n", 4);
    if (!end)
        return have >= BUF_BYTES ? (size_t)-1 : 0;
    if (have < 12 || memcmp(buf, "HTTP/1.", 7) != 0)
        return (size_t)-1;
    *status = atoi(buf + 9);
    size_t head = (size_t)(end - buf) + 4, body = 0;
    for (const char *p = buf; p < end;) {
        const char *eol = memmem(p, (size_t)(end - p) + 2, "\r\n", 2);
        if (!eol)
            break;
        if ((size_t)(eol - p) > 15 && strncasecmp(p, "Content-Length:", 15) == 0)
            body = strtoul(p + 15, NULL, 10);
        p = eol + 2;
    }
    if (*status == 304 || *status == 204)
        body = 0;
    if (head + body > BUF_BYTES)
        return (size_t)-1;
    return have >= head + body ? head + body : 0;
}

/* One thread's share of the load (worker's fields in, counts out). */
static void *run(void *arg)
{
    worker *w = arg;
    prctl(PR_SET_TIMERSLACK, 1000UL); /* wake within 1 us of the next send */
    hist = w->hist;
    nconn = w->conns;
    conns = calloc((size_t)nconn, sizeof *conns);
    if (!conns) {
        w->failed = 1;
        return NULL;
    }
    ep = epoll_create1(EPOLL_CLOEXEC);
    int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    struct epoll_event tev = {.events = EPOLLIN, .data.ptr = NULL};
    epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &tev);
    for (int i = 0; i < nconn; i++)
        if (open_conn(&conns[i]) < 0) {
            fprintf(stderr, "openloop: connect: %s\n", strerror(errno));
            w->failed = 1;
            return NULL;
        }

    double interval = 1e9 / w->rate;
    uint64_t start = w->start, measure_from = w->measure_from, total = w->total;
    uint64_t next = 0;   /* the next request to become due */
    uint64_t queued = 0; /* due and not yet sent: next - queued is the first */
    uint64_t max_queue = 0, measured_sent = 0;
    int rr = 0;
    struct epoll_event events[MAX_CONNS + 1];
    uint64_t deadline = w->deadline;
    for (;;) {
        uint64_t now = now_ns();
        while (next < total && start + (uint64_t)((double)next * interval) <= now) {
            next++;
            queued++;
        }
        /* the due requests go out on free connections, oldest first */
        for (int k = 0; k < nconn && queued; k++) {
            conn *c = &conns[(rr + k) % nconn];
            if (c->busy)
                continue;
            uint64_t i = next - queued;
            uint64_t intended = start + (uint64_t)((double)i * interval);
            bool measured = intended >= measure_from;
            if (!send_request(c, i, intended, measured)) {
                reopen(c);
                continue;
            }
            measured_sent += measured;
            queued--;
            rr = (rr + k + 1) % nconn;
        }
        if (queued > max_queue)
            max_queue = queued;
        bool in_flight = false;
        for (int k = 0; k < nconn && !in_flight; k++)
            in_flight = conns[k].busy;
        if (next == total && !queued && !in_flight)
            break;
        if (now > deadline)
            break; /* what is still in flight or queued is counted below */
        if (next < total) {
            uint64_t at = start + (uint64_t)((double)next * interval);
            struct itimerspec its = {
                .it_value = {(time_t)(at / 1000000000u), (long)(at % 1000000000u)}};
            timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL);
        }
        int n = epoll_wait(ep, events, MAX_CONNS + 1, next < total ? -1 : 100);
        if (n < 0 && errno != EINTR) {
            perror("epoll_wait");
            w->failed = 1;
            return NULL;
        }
        for (int e = 0; e < n; e++) {
            conn *c = events[e].data.ptr;
            if (!c) {
                uint64_t expirations;
                ssize_t r = read(tfd, &expirations, sizeof expirations);
                (void)r;
                continue;
            }
            for (;;) {
                ssize_t r = recv(c->fd, c->buf + c->have, BUF_BYTES - c->have, 0);
                if (r > 0) {
                    c->have += (size_t)r;
                    int status = 0;
                    size_t len = answer_length(c->buf, c->have, &status);
                    if (len == (size_t)-1) {
                        reopen(c);
                        break;
                    }
                    if (len && c->busy) {
                        uint64_t done = now_ns();
                        if (c->measured) {
                            if (status == 200) {
                                record(done - c->intended);
                                completed++;
                            } else {
                                errors++;
                            }
                        }
                        c->busy = false;
                        memmove(c->buf, c->buf + len, c->have - len);
                        c->have -= len;
                    }
                    continue;
                }
                if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
                    break;
                reopen(c); /* closed or failed */
                break;
            }
        }
    }
    uint64_t unfinished = queued;
    for (int k = 0; k < nconn; k++)
        unfinished += conns[k].busy && conns[k].measured;
    w->recorded = recorded;
    w->max_ns = max_ns;
    w->completed = completed;
    w->errors = errors;
    w->reconnects = reconnects;
    w->unfinished = unfinished;
    w->sent = measured_sent;
    w->max_queue = max_queue;
    for (int k = 0; k < nconn; k++)
        close(conns[k].fd);
    close(tfd);
    close(ep);
    free(conns);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 10) {
        fprintf(stderr,
                "usage: openloop HOST PORT RATE SECONDS WARMUP CONNECTIONS THREADS URLS OUT\n");
        return 2;
    }
    host = argv[1];
    int port = atoi(argv[2]);
    double rate = atof(argv[3]), seconds = atof(argv[4]), warmup = atof(argv[5]);
    nconn = atoi(argv[6]);
    if (port <= 0 || port > 65535 || rate <= 0 || seconds <= 0 || warmup < 0 || nconn < 1 ||
        nconn > MAX_CONNS) {
        fprintf(stderr, "openloop: bad arguments\n");
        return 2;
    }
    FILE *f = fopen(argv[8], "r");
    if (!f) {
        fprintf(stderr, "openloop: %s: %s\n", argv[8], strerror(errno));
        return 1;
    }
    char line[1024];
    size_t cap = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0])
            continue;
        if (nurls == cap) {
            cap = cap ? cap * 2 : 256;
            urls = realloc(urls, cap * sizeof *urls);
        }
        urls[nurls++] = strdup(line);
    }
    fclose(f);
    if (!nurls) {
        fprintf(stderr, "openloop: no URLs in %s\n", argv[8]);
        return 1;
    }
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) {
        fprintf(stderr, "openloop: HOST must be an IPv4 address\n");
        return 2;
    }
    int threads = atoi(argv[7]);
    if (threads < 1 || threads > nconn || threads > 16) {
        fprintf(stderr, "openloop: THREADS must be 1-16 and at most CONNECTIONS\n");
        return 2;
    }
    static worker workers[16];
    uint64_t start = now_ns() + 200000000u; /* connections settle first */
    for (int t = 0; t < threads; t++) {
        worker *w = &workers[t];
        w->rate = rate / threads;
        w->conns = nconn / threads + (t < nconn % threads);
        w->start = start + (uint64_t)(1e9 / rate) * (uint64_t)t; /* interleaved */
        w->measure_from = start + (uint64_t)(warmup * 1e9);
        w->total = (uint64_t)((warmup + seconds) * w->rate);
        w->deadline = start + (uint64_t)((warmup + seconds) * 1e9) + 2000000000u;
        if (pthread_create(&w->thread, NULL, run, w) != 0) {
            fprintf(stderr, "openloop: cannot start a thread\n");
            return 1;
        }
    }
    uint64_t sent = 0, max_queue = 0, unfinished = 0;
    static uint64_t merged[BUCKETS];
    for (int t = 0; t < threads; t++) {
        worker *w = &workers[t];
        pthread_join(w->thread, NULL);
        if (w->failed)
            return 1;
        for (unsigned b = 0; b < BUCKETS; b++)
            merged[b] += w->hist[b];
        recorded += w->recorded;
        if (w->max_ns > max_ns)
            max_ns = w->max_ns;
        completed += w->completed;
        errors += w->errors;
        reconnects += w->reconnects;
        unfinished += w->unfinished;
        sent += w->sent;
        max_queue += w->max_queue;
    }
    hist = merged;
    FILE *out = fopen(argv[9], "w");
    if (!out) {
        fprintf(stderr, "openloop: %s: %s\n", argv[9], strerror(errno));
        return 1;
    }
    double achieved = (double)completed / seconds;
    (void)reconnects;
    fprintf(out,
            "{\"offered_rps\": %.0f, \"seconds\": %.1f, \"warmup\": %.1f, \"connections\": %d,"
            " \"threads\": %d,"
            " \"sent\": %" PRIu64 ", \"completed\": %" PRIu64 ", \"errors\": %" PRIu64
            ", \"unfinished\": %" PRIu64 ", \"reconnects\": %" PRIu64
            ", \"achieved_rps\": %.0f, \"max_queue\": %" PRIu64
            ", \"p50_us\": %.1f, \"p90_us\": %.1f, \"p99_us\": %.1f, \"p999_us\": %.1f,"
            " \"max_us\": %.1f}\n",
            rate, seconds, warmup, nconn, threads, sent, completed, errors, unfinished, reconnects,
            achieved, max_queue, percentile_us(50), percentile_us(90), percentile_us(99),
            percentile_us(99.9), (double)max_ns / 1e3);
    fclose(out);
    for (size_t i = 0; i < nurls; i++)
        free(urls[i]);
    free(urls);
    return 0;
}

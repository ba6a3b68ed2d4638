/* Cheap outages (issue 13): clients that send half a request and go, and
 * clients that connect and say nothing, must not keep others from being
 * answered. Bounded: 2,500 short-lived sockets, 1,000 idle ones, each step
 * with a deadline; loopback only. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The test holds up to 1,000 sockets at once, and the server its side of
 * them: both need more than the usual 1,024 descriptors. The server
 * inherits the limit from this process. */
static void raise_fd_limit(void)
{
    struct rlimit rl;
    cr_assert_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
    rlim_t want = 4096;
    if (rl.rlim_cur < want) {
        rl.rlim_cur = rl.rlim_max < want ? rl.rlim_max : want;
        cr_assert_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
    }
    if (rl.rlim_cur < 2200)
        cr_skip_test("only %llu file descriptors allowed", (unsigned long long)rl.rlim_cur);
}

static int connect_nonblocking(uint16_t port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    cr_assert_geq(fd, 0, "socket: %s", strerror(errno));
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int rc = connect(fd, (struct sockaddr *)&sa, sizeof sa);
    cr_assert(rc == 0 || errno == EINPROGRESS, "connect: %s", strerror(errno));
    return fd;
}

/* n clients, 250 at a time, each sending half a request line and closing
 * at once: the FIN follows the bytes, as it does for an attacker in a
 * hurry. Returns how many got their bytes out. */
static unsigned half_sent_flood(uint16_t port, unsigned n)
{
    enum { BATCH = 250 };
    static const char half[] = "GET /v1/po";
    unsigned sent = 0;
    for (unsigned done = 0; done < n; done += BATCH) {
        struct pollfd p[BATCH];
        unsigned k = n - done < BATCH ? n - done : BATCH;
        for (unsigned i = 0; i < k; i++)
            p[i] = (struct pollfd){.fd = connect_nonblocking(port), .events = POLLOUT};
        unsigned left = k;
        double deadline = now() + 2;
        while (left && now() < deadline) {
            if (poll(p, k, 100) <= 0)
                continue;
            for (unsigned i = 0; i < k; i++) {
                if (p[i].fd < 0 || !p[i].revents)
                    continue;
                if (send(p[i].fd, half, sizeof half - 1, MSG_NOSIGNAL) == sizeof half - 1)
                    sent++;
                close(p[i].fd);
                p[i].fd = -1;
                left--;
            }
        }
        for (unsigned i = 0; i < k; i++)
            if (p[i].fd >= 0)
                close(p[i].fd);
    }
    return sent;
}

/* One GET on a new connection, every step before the deadline. The status,
 * or 0 when there was no answer in time. */
static int get_by(uint16_t port, const char *target, double deadline, char *body, size_t size)
{
    int fd = connect_nonblocking(port);
    struct pollfd p = {.fd = fd, .events = POLLOUT};
    int status = 0;
    char req[256], buf[8192];
    int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                     target);
    size_t used = 0;
    if (poll(&p, 1, (int)((deadline - now()) * 1000)) == 1 && (p.revents & POLLOUT) &&
        send(fd, req, (size_t)n, MSG_NOSIGNAL) == n) {
        p.events = POLLIN;
        while (used + 1 < sizeof buf) {
            int wait_ms = (int)((deadline - now()) * 1000);
            if (wait_ms <= 0 || poll(&p, 1, wait_ms) != 1)
                break;
            ssize_t got = recv(fd, buf + used, sizeof buf - used - 1, 0);
            if (got <= 0)
                break;
            used += (size_t)got;
        }
    }
    close(fd);
    buf[used] = '\0';
    if (!strncmp(buf, "HTTP/1.1 ", 9))
        status = atoi(buf + 9);
    if (body) {
        const char *b = strstr(buf, "\r\n\r\n");
        snprintf(body, size, "%s", b ? b + 4 : "");
    }
    return status;
}

/* The connections the server holds open, from its /metrics. */
static long open_connections(uint16_t port)
{
    static char body[65536];
    if (get_by(port, "/metrics", now() + 2, body, sizeof body) != 200)
        return -1;
    const char *at = strstr(body, "\nportreg_http_open_connections ");
    return at ? atol(at + strlen("\nportreg_http_open_connections ")) : -1;
}

static void flood_then_serve(const char *const *args)
{
    raise_fd_limit();
    server s;
    server_start(&s, args);
    double start = now();
    unsigned sent = half_sent_flood(s.port, 2500);
    double flood_end = now();
    cr_assert_geq(sent, 2400, "only %u of 2500 clients got their half request out", sent);
    /* the service is not out: a normal request is answered within 1 s */
    int status = get_by(s.port, "/v1/ports/3493", flood_end + 1, NULL, 0);
    double answered = now() - flood_end;
    cr_assert_eq(status, 200, "no answer within 1 s after the flood (status %d)", status);
    /* and every connection of the flood is let go of within a second */
    long open = -1;
    while (now() < flood_end + 3 && (open = open_connections(s.port)) > 1)
        nanosleep(&(struct timespec){0, 50 * 1000 * 1000}, NULL);
    double released = now() - flood_end;
    cr_log_info("2500 half-sent clients in %.2f s; a request answered %.3f s after; all "
                "released %.3f s after",
                flood_end - start, answered, released);
    cr_assert_leq(open, 1, "%ld connections still open 3 s after the flood", open);
    cr_assert_lt(released, 1.5, "the flood's connections took %.2f s to go", released);
    cr_assert_eq(server_stop(&s), 0);
}

Test(flood, half_sent_requests_pool_mode, .timeout = 60)
{
    flood_then_serve(NULL);
}

Test(flood, half_sent_requests_per_connection_mode, .timeout = 60)
{
    const char *args[] = {"--http-mode", "per-connection", NULL};
    flood_then_serve(args);
}

/* 1,000 connections that say nothing, or half a request line, and stay:
 * within the connection limit, they hold no thread and delay nobody. */
Test(flood, idle_connections_delay_nobody, .timeout = 60)
{
    raise_fd_limit();
    server s;
    server_start(&s, NULL);
    enum { IDLE = 1000 };
    int *idle = malloc(IDLE * sizeof *idle);
    for (int i = 0; i < IDLE; i++) {
        idle[i] = http_connect(s.port);
        if (i % 2)
            cr_assert_eq(send(idle[i], "GET /v1/po", 10, MSG_NOSIGNAL), 10);
    }
    double worst = 0, total = 0;
    enum { ROUNDS = 100 };
    for (int i = 0; i < ROUNDS; i++) {
        double t = now();
        int status = get_by(s.port, "/v1/ports/3493", t + 1, NULL, 0);
        double took = now() - t;
        cr_assert_eq(status, 200, "request %d: no answer within 1 s beside %d idle ones", i, IDLE);
        total += took;
        worst = took > worst ? took : worst;
    }
    /* a kept-alive client too, on one connection */
    int fd = http_connect(s.port);
    for (int i = 0; i < ROUNDS; i++) {
        http_response r;
        double t = now();
        cr_assert(http_send(fd, "GET", "/v1/ports/3493", NULL, &r));
        double took = now() - t;
        cr_assert_eq(r.status, 200);
        cr_assert_lt(took, 1.0);
        http_response_free(&r);
    }
    close(fd);
    cr_log_info("beside %d idle connections: %d new-connection requests, mean %.2f ms, worst "
                "%.2f ms",
                IDLE, ROUNDS, total / ROUNDS * 1e3, worst * 1e3);
    long open = open_connections(s.port);
    cr_assert_geq(open, IDLE, "the idle connections are still held (%ld)", open);
    for (int i = 0; i < IDLE; i++)
        close(idle[i]);
    free(idle);
    cr_assert_eq(server_stop(&s), 0);
}

/* test_peer_watch.c: the watcher gives an edge-triggered epoll loop the
 * end of stream it missed, as libmicrohttpd 0.9.75's pool mode misses it
 * (server/peer_watch.h), and never touches a socket after its removal. */
#include <criterion/criterion.h>
#include <errno.h>
#include <poll.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "peer_watch.h"

/* A connected loopback pair: *server is the accepted side, nonblocking. */
static void tcp_pair(int *client, int *server)
{
    int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof sa;
    cr_assert_eq(bind(l, (struct sockaddr *)&sa, sizeof sa), 0);
    cr_assert_eq(listen(l, 1), 0);
    cr_assert_eq(getsockname(l, (struct sockaddr *)&sa, &len), 0);
    *client = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    cr_assert_eq(connect(*client, (struct sockaddr *)&sa, sizeof sa), 0);
    *server = accept4(l, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    cr_assert_geq(*server, 0);
    close(l);
}

/* The pattern of libmicrohttpd's loop: edge-triggered, and a read shorter
 * than asked taken to mean the socket is drained. Returns the epoll fd,
 * after the client's bytes and FIN have both arrived and one short read
 * took the bytes. */
static int missed_end_of_stream(int client, int server)
{
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLPRI | EPOLLET};
    cr_assert_eq(epoll_ctl(ep, EPOLL_CTL_ADD, server, &ev), 0);
    cr_assert_eq(send(client, "GET /v1/po", 10, 0), 10);
    close(client);
    nanosleep(&(struct timespec){0, 50 * 1000 * 1000}, NULL);
    cr_assert_eq(epoll_wait(ep, &ev, 1, 1000), 1);
    char buf[64];
    cr_assert_eq(recv(server, buf, sizeof buf, 0), 10, "a short read: drained, it assumes");
    return ep;
}

Test(peer_watch, no_edge_without_the_watcher)
{
    int client, server;
    tcp_pair(&client, &server);
    int ep = missed_end_of_stream(client, server);
    struct epoll_event ev;
    cr_assert_eq(epoll_wait(ep, &ev, 1, 300), 0, "the end of stream makes no new edge");
    close(ep);
    close(server);
}

Test(peer_watch, the_watcher_gives_the_edge)
{
    char why[128];
    pr_peer_watch_config cfg = {
        .period_ms = 50, .linger_bytes = 1 << 20, .linger_ms = 500, .linger_max = 4};
    pr_peer_watch *w = pr_peer_watch_start(&cfg, why, sizeof why);
    cr_assert_not_null(w, "%s", why);
    int client, server;
    tcp_pair(&client, &server);
    pr_peer_watch_add(w, server);
    int ep = missed_end_of_stream(client, server);
    struct epoll_event ev;
    cr_assert_eq(epoll_wait(ep, &ev, 1, 1000), 1, "an edge within a second");
    cr_assert(ev.events & EPOLLIN);
    char buf[16];
    cr_assert_eq(recv(server, buf, sizeof buf, 0), 0, "and the end of stream is read");
    cr_assert_geq(pr_peer_watch_nudges(w), 1);
    pr_peer_watch_remove(w, server);
    close(ep);
    close(server);
    pr_peer_watch_stop(w);
}

/* A live peer is never nudged; a removed fd is never touched, even when
 * the number is reused and its new peer goes. */
Test(peer_watch, live_and_removed_sockets_untouched)
{
    char why[128];
    pr_peer_watch_config cfg = {
        .period_ms = 20, .linger_bytes = 1 << 20, .linger_ms = 500, .linger_max = 4};
    pr_peer_watch *w = pr_peer_watch_start(&cfg, why, sizeof why);
    cr_assert_not_null(w, "%s", why);
    int client, server;
    tcp_pair(&client, &server);
    pr_peer_watch_add(w, server);
    cr_assert_eq(send(client, "x", 1, 0), 1);
    nanosleep(&(struct timespec){0, 150 * 1000 * 1000}, NULL);
    cr_assert_eq(pr_peer_watch_nudges(w), 0);
    pr_peer_watch_remove(w, server);
    close(client);
    nanosleep(&(struct timespec){0, 150 * 1000 * 1000}, NULL);
    cr_assert_eq(pr_peer_watch_nudges(w), 0);
    close(server);
    pr_peer_watch_stop(w);
    pr_peer_watch_stop(NULL);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The owner answers and closes while the client is still sending: without
 * a lingering close the client's next writes meet a reset and the answer
 * is lost; with it, the client finishes sending and reads the answer. */
static bool client_reads_answer(bool linger, size_t body)
{
    char why[128];
    pr_peer_watch_config cfg = {
        .period_ms = 50, .linger_bytes = 4 << 20, .linger_ms = 2000, .linger_max = 4};
    pr_peer_watch *w = pr_peer_watch_start(&cfg, why, sizeof why);
    cr_assert_not_null(w, "%s", why);
    int client, server;
    tcp_pair(&client, &server);
    pr_peer_watch_add(w, server);
    char *data = calloc(1, body);
    cr_assert_eq(send(client, data, 1000, 0), 1000, "the request head, say");
    /* the owner reads a little, answers, shuts its sending side, and closes */
    char buf[256];
    nanosleep(&(struct timespec){0, 20 * 1000 * 1000}, NULL);
    cr_assert_gt(recv(server, buf, sizeof buf, 0), 0);
    cr_assert_eq(send(server, "ANSWER", 6, 0), 6);
    shutdown(server, SHUT_WR);
    if (linger)
        pr_peer_watch_linger(w, server);
    pr_peer_watch_remove(w, server);
    close(server);
    size_t sent = 0;
    while (sent < body) {
        ssize_t n = send(client, data, body - sent, MSG_NOSIGNAL);
        if (n <= 0)
            break;
        sent += (size_t)n;
    }
    char answer[16] = "";
    ssize_t got = recv(client, answer, sizeof answer - 1, 0);
    bool ok = sent == body && got == 6 && !memcmp(answer, "ANSWER", 6);
    close(client);
    free(data);
    double deadline = now_s() + 3;
    while (pr_peer_watch_lingering(w) && now_s() < deadline)
        nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
    cr_assert_eq(pr_peer_watch_lingering(w), 0, "the linger ends when the client closes");
    pr_peer_watch_stop(w);
    return ok;
}

Test(peer_watch, a_lingering_close_lets_the_client_read)
{
    cr_assert_not(client_reads_answer(false, 2 << 20), "the control: a plain close resets");
    cr_assert(client_reads_answer(true, 2 << 20));
}

/* The budget bounds it: a client that sends on and on is cut off. */
Test(peer_watch, a_lingering_close_is_bounded)
{
    char why[128];
    pr_peer_watch_config cfg = {
        .period_ms = 50, .linger_bytes = 64 << 10, .linger_ms = 300, .linger_max = 1};
    pr_peer_watch *w = pr_peer_watch_start(&cfg, why, sizeof why);
    cr_assert_not_null(w, "%s", why);
    int client[2], server[2];
    for (int i = 0; i < 2; i++) {
        tcp_pair(&client[i], &server[i]);
        pr_peer_watch_add(w, server[i]);
        pr_peer_watch_linger(w, server[i]);
        pr_peer_watch_remove(w, server[i]);
        close(server[i]);
    }
    cr_assert_eq(pr_peer_watch_lingering(w), 1, "linger_max");
    /* a silent client: closed at the deadline */
    double start = now_s();
    while (pr_peer_watch_lingering(w) && now_s() < start + 3)
        nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
    double took = now_s() - start;
    cr_assert_eq(pr_peer_watch_lingering(w), 0);
    cr_assert(took > 0.2 && took < 1.0, "closed after %.2f s", took);
    close(client[0]);
    close(client[1]);
    /* a client that keeps sending: closed once the byte budget is spent */
    int c, s;
    tcp_pair(&c, &s);
    pr_peer_watch_add(w, s);
    pr_peer_watch_linger(w, s);
    pr_peer_watch_remove(w, s);
    close(s);
    static char data[65536];
    size_t sent = 0;
    start = now_s();
    while (now_s() < start + 2) {
        ssize_t n = send(c, data, sizeof data, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0)
            sent += (size_t)n;
        else if (errno != EAGAIN)
            break;
        else
            nanosleep(&(struct timespec){0, 1000 * 1000}, NULL);
    }
    cr_assert_lt(now_s() - start, 1.0, "cut off early, after %zu bytes", sent);
    close(c);
    pr_peer_watch_stop(w);
}

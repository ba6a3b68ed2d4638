/* test_peer_watch.c: the watcher gives an edge-triggered epoll loop the
 * end of stream it missed, as libmicrohttpd 0.9.75's pool mode misses it
 * (server/peer_watch.h), and never touches a socket after its removal. */
#include <criterion/criterion.h>
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
    pr_peer_watch *w = pr_peer_watch_start(50, why, sizeof why);
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
    pr_peer_watch *w = pr_peer_watch_start(20, why, sizeof why);
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

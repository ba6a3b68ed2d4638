/* peer_watch.h: notices clients that have closed their side of a connection
 * and makes libmicrohttpd's epoll loop notice it too.
 *
 * Why: libmicrohttpd 0.9.75 (up to 0.9.77 at least) watches connections in
 * its pool mode with edge-triggered epoll and, after a read that returned
 * fewer bytes than asked (recv_param_adapter in connection.c), assumes the
 * socket is drained and does not read again until epoll reports a new edge.
 * When a client's last bytes and its FIN arrive together (half a request
 * line, then close), that read takes the bytes, the end of stream stays
 * unread and no new edge ever comes: the connection sits in CLOSE-WAIT
 * until --timeout, holding one of --connection-limit. Poll-based loops (a
 * thread per connection) are level-triggered and do not lose it.
 *
 * How: every connection's socket is also in this module's own epoll set,
 * for EPOLLRDHUP (the peer's FIN) and errors. Once the peer has gone, the
 * watcher calls shutdown(fd, SHUT_RD) on it every period_ms until the
 * connection is removed. Shutting down the read side of a socket whose peer
 * has already finished sending loses nothing (no byte can come any more;
 * bytes already queued are still read), and it wakes the socket's waiters,
 * which gives libmicrohttpd's epoll the edge it missed: it reads again,
 * finds the end of stream and closes the connection. Sending is untouched,
 * so an answer under way to a client that half-closed still goes out.
 *
 * It also closes connections in stages (RFC 9112 section 9.6): a
 * connection marked with pr_peer_watch_linger is not closed outright when
 * libmicrohttpd lets go of it. A client that sends its whole request body
 * before reading (many do) would otherwise get a reset, which discards the
 * answer it has not read yet (a 413 for a body over the limit): the
 * kernel resets a connection closed with unread bytes. The watcher keeps a
 * duplicate of the socket, whose sending side libmicrohttpd has already
 * shut after the answer, and reads and discards what still comes until the
 * client closes, or linger_bytes or linger_ms run out, or more than
 * linger_max connections linger at once (then the newest is closed at
 * once), and only then closes it.
 *
 * Threads: one thread of its own. pr_peer_watch_add and _remove may be
 * called from any thread; an fd must be removed before it is closed (the
 * watcher never touches an fd after its removal returns, so a number reused
 * by a later socket is safe). */
#ifndef PR_PEER_WATCH_H
#define PR_PEER_WATCH_H

#include <stddef.h>

typedef struct pr_peer_watch pr_peer_watch;

typedef struct pr_peer_watch_config {
    unsigned period_ms;  /* how often a connection whose peer has gone is nudged again, >= 1 */
    size_t linger_bytes; /* at most this much is read and discarded per lingering close */
    unsigned linger_ms;  /* for at most this long */
    unsigned linger_max; /* connections lingering at once */
} pr_peer_watch_config;

/* Starts the watcher thread. NULL with why[] filled on failure. */
pr_peer_watch *pr_peer_watch_start(const pr_peer_watch_config *cfg, char *why, size_t why_size);

/* Watches a connected socket. Silently does nothing when the socket cannot
 * be watched (out of memory, a negative fd): the connection then merely
 * keeps libmicrohttpd's own behaviour. */
void pr_peer_watch_add(pr_peer_watch *w, int fd);

/* Asks for fd, which is watched, to be closed in stages once removed. */
void pr_peer_watch_linger(pr_peer_watch *w, int fd);

/* Stops watching fd; afterwards the watcher never touches it (a lingering
 * close goes on on a duplicate of the socket). */
void pr_peer_watch_remove(pr_peer_watch *w, int fd);

/* How many connections are lingering now: for tests. */
unsigned pr_peer_watch_lingering(pr_peer_watch *w);

/* How many nudges (shutdown calls) the watcher has made: for tests. */
unsigned long pr_peer_watch_nudges(pr_peer_watch *w);

/* Stops the thread, closes what still lingers, and frees the watcher.
 * Accepts NULL. */
void pr_peer_watch_stop(pr_peer_watch *w);

#endif

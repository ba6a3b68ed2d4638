/* peer_watch.c: nudges sockets whose peer has gone (see peer_watch.h). */
#include "peer_watch.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* What the watcher knows of an fd: the serial of its current registration
 * (0: not watched), so that an event for an fd since removed, whose number
 * a new socket may have taken, is recognised as stale and ignored. */
typedef struct slot {
    uint32_t serial;
    bool gone;   /* the peer has finished sending: nudged until removed */
    bool linger; /* to be closed in stages once removed */
} slot;

/* A connection being closed in stages: a duplicate of its socket, read and
 * discarded until the client closes or the budget runs out. */
typedef struct lingerer {
    int fd; /* -1: free */
    double deadline_ms;
    size_t left;
} lingerer;

struct pr_peer_watch {
    int epoll_fd;
    int wake_fd; /* an eventfd: written to stop the thread */
    pthread_t thread;
    pthread_mutex_t lock; /* guards everything below */
    slot *slots;          /* indexed by fd */
    size_t slot_count;
    uint32_t last_serial;
    size_t gone_count;
    lingerer *lingering; /* cfg.linger_max of them */
    unsigned lingering_count;
    pr_peer_watch_config cfg;
    char scratch[16384]; /* what lingering clients send, discarded */
    atomic_bool stopping;
    atomic_ulong nudges;
};

enum { MAX_EVENTS = 64 };
static const uint64_t wake_marker = UINT64_MAX;
static const uint64_t linger_bit = (uint64_t)1 << 62; /* or'ed with a lingerer's index */

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* With the lock held, so that fd is still the socket it was added as. */
static void nudge(pr_peer_watch *w, int fd)
{
    shutdown(fd, SHUT_RD);
    atomic_fetch_add(&w->nudges, 1);
}

static void end_linger(pr_peer_watch *w, lingerer *l)
{
    epoll_ctl(w->epoll_fd, EPOLL_CTL_DEL, l->fd, NULL);
    close(l->fd);
    l->fd = -1;
    w->lingering_count--;
}

/* Reads and discards what a lingering client sent; ends the linger at its
 * close, an error, or the end of the byte budget. */
static void drain(pr_peer_watch *w, lingerer *l)
{
    for (;;) {
        size_t want = l->left < sizeof w->scratch ? l->left : sizeof w->scratch;
        ssize_t n = want ? recv(l->fd, w->scratch, want, MSG_DONTWAIT) : 0;
        if (n > 0) {
            l->left -= (size_t)n;
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
            return;
        end_linger(w, l);
        return;
    }
}

/* The wait until the next thing to do: a sweep of the peers that have gone,
 * or a lingering close running out of time. -1: nothing pending. */
static int next_timeout(const pr_peer_watch *w, double now)
{
    double wait = w->gone_count ? (double)w->cfg.period_ms : -1;
    for (unsigned i = 0; w->lingering_count && i < w->cfg.linger_max; i++) {
        const lingerer *l = &w->lingering[i];
        if (l->fd < 0)
            continue;
        double left = l->deadline_ms > now ? l->deadline_ms - now : 0;
        if (wait < 0 || left < wait)
            wait = left;
    }
    return wait < 0 ? -1 : (int)wait + 1;
}

static void *watch_loop(void *arg)
{
    pr_peer_watch *w = arg;
    struct epoll_event events[MAX_EVENTS];
    double last_sweep = now_ms();
    while (!atomic_load(&w->stopping)) {
        pthread_mutex_lock(&w->lock);
        int timeout = next_timeout(w, now_ms());
        pthread_mutex_unlock(&w->lock);
        int n = epoll_wait(w->epoll_fd, events, MAX_EVENTS, timeout);
        if (n < 0 && errno != EINTR)
            break;
        pthread_mutex_lock(&w->lock);
        for (int i = 0; i < n; i++) {
            uint64_t key = events[i].data.u64;
            if (key == wake_marker) {
                uint64_t count;
                ssize_t got = read(w->wake_fd, &count, sizeof count);
                (void)got; /* nonblocking: nothing to read is fine */
                continue;
            }
            if (key & linger_bit) {
                size_t index = (size_t)(key & ~linger_bit);
                if (index < w->cfg.linger_max && w->lingering[index].fd >= 0)
                    drain(w, &w->lingering[index]);
                continue;
            }
            size_t fd = (size_t)(key >> 32);
            uint32_t serial = (uint32_t)key;
            if (fd >= w->slot_count || w->slots[fd].serial != serial || w->slots[fd].gone)
                continue;
            w->slots[fd].gone = true;
            w->gone_count++;
            nudge(w, (int)fd);
        }
        /* libmicrohttpd may have taken the socket's last bytes after the
         * nudge and be waiting again: so nudge again until it closes */
        double t = now_ms();
        if (w->gone_count && t - last_sweep >= w->cfg.period_ms) {
            last_sweep = t;
            for (size_t fd = 0; fd < w->slot_count; fd++)
                if (w->slots[fd].serial && w->slots[fd].gone)
                    nudge(w, (int)fd);
        }
        for (unsigned i = 0; w->lingering_count && i < w->cfg.linger_max; i++)
            if (w->lingering[i].fd >= 0 && w->lingering[i].deadline_ms <= t)
                end_linger(w, &w->lingering[i]);
        pthread_mutex_unlock(&w->lock);
    }
    return NULL;
}

pr_peer_watch *pr_peer_watch_start(const pr_peer_watch_config *cfg, char *why, size_t why_size)
{
    pr_peer_watch *w = calloc(1, sizeof *w);
    if (!w) {
        snprintf(why, why_size, "out of memory");
        return NULL;
    }
    w->cfg = *cfg;
    if (!w->cfg.period_ms)
        w->cfg.period_ms = 1;
    w->lingering = calloc(w->cfg.linger_max ? w->cfg.linger_max : 1, sizeof *w->lingering);
    if (!w->lingering) {
        free(w);
        snprintf(why, why_size, "out of memory");
        return NULL;
    }
    for (unsigned i = 0; i < w->cfg.linger_max; i++)
        w->lingering[i].fd = -1;
    atomic_init(&w->stopping, false);
    atomic_init(&w->nudges, 0);
    w->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    w->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = wake_marker};
    if (w->epoll_fd < 0 || w->wake_fd < 0 ||
        epoll_ctl(w->epoll_fd, EPOLL_CTL_ADD, w->wake_fd, &ev) != 0) {
        snprintf(why, why_size, "peer watch: %s", strerror(errno));
        goto fail;
    }
    if (pthread_mutex_init(&w->lock, NULL) != 0) {
        snprintf(why, why_size, "peer watch: cannot make a mutex");
        goto fail;
    }
    int err = pthread_create(&w->thread, NULL, watch_loop, w);
    if (err) {
        snprintf(why, why_size, "peer watch: %s", strerror(err));
        pthread_mutex_destroy(&w->lock);
        goto fail;
    }
    return w;
fail:
    if (w->epoll_fd >= 0)
        close(w->epoll_fd);
    if (w->wake_fd >= 0)
        close(w->wake_fd);
    free(w->lingering);
    free(w);
    return NULL;
}

void pr_peer_watch_add(pr_peer_watch *w, int fd)
{
    if (!w || fd < 0)
        return;
    pthread_mutex_lock(&w->lock);
    size_t i = (size_t)fd;
    if (i >= w->slot_count) {
        size_t count = w->slot_count ? w->slot_count : 256;
        while (count <= i)
            count *= 2;
        slot *grown = realloc(w->slots, count * sizeof *grown);
        if (!grown) {
            pthread_mutex_unlock(&w->lock);
            return;
        }
        memset(grown + w->slot_count, 0, (count - w->slot_count) * sizeof *grown);
        w->slots = grown;
        w->slot_count = count;
    }
    if (++w->last_serial == 0)
        w->last_serial = 1;
    /* edge-triggered, and only the peer's FIN and errors: ordinary traffic
     * never wakes this thread */
    struct epoll_event ev = {.events = EPOLLRDHUP | EPOLLET,
                             .data.u64 = (uint64_t)i << 32 | w->last_serial};
    if (epoll_ctl(w->epoll_fd, EPOLL_CTL_ADD, fd, &ev) == 0)
        w->slots[i] = (slot){w->last_serial, false, false};
    pthread_mutex_unlock(&w->lock);
}

void pr_peer_watch_linger(pr_peer_watch *w, int fd)
{
    if (!w || fd < 0)
        return;
    pthread_mutex_lock(&w->lock);
    if ((size_t)fd < w->slot_count && w->slots[fd].serial)
        w->slots[fd].linger = true;
    pthread_mutex_unlock(&w->lock);
}

/* With the lock held: goes on reading fd's socket through a duplicate,
 * which keeps the socket open when its owner closes fd. */
static void start_linger(pr_peer_watch *w, int fd)
{
    lingerer *l = NULL;
    for (unsigned i = 0; !l && i < w->cfg.linger_max; i++)
        if (w->lingering[i].fd < 0)
            l = &w->lingering[i];
    if (!l)
        return; /* too many at once: this one closes outright */
    int dup = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (dup < 0)
        return;
    /* libmicrohttpd shut the sending side after its answer; shut it here
     * too, in case it did not, so the client sees the end of the answer */
    shutdown(dup, SHUT_WR);
    struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP,
                             .data.u64 = linger_bit | (uint64_t)(l - w->lingering)};
    if (epoll_ctl(w->epoll_fd, EPOLL_CTL_ADD, dup, &ev) != 0) {
        close(dup);
        return;
    }
    *l = (lingerer){dup, now_ms() + w->cfg.linger_ms, w->cfg.linger_bytes};
    w->lingering_count++;
    uint64_t one = 1;
    ssize_t n = write(w->wake_fd, &one, sizeof one); /* to wait for its deadline */
    (void)n;
}

void pr_peer_watch_remove(pr_peer_watch *w, int fd)
{
    if (!w || fd < 0)
        return;
    pthread_mutex_lock(&w->lock);
    size_t i = (size_t)fd;
    if (i < w->slot_count && w->slots[i].serial) {
        epoll_ctl(w->epoll_fd, EPOLL_CTL_DEL, fd, NULL);
        if (w->slots[i].gone)
            w->gone_count--;
        if (w->slots[i].linger)
            start_linger(w, fd);
        w->slots[i] = (slot){0, false, false};
    }
    pthread_mutex_unlock(&w->lock);
}

unsigned pr_peer_watch_lingering(pr_peer_watch *w)
{
    if (!w)
        return 0;
    pthread_mutex_lock(&w->lock);
    unsigned n = w->lingering_count;
    pthread_mutex_unlock(&w->lock);
    return n;
}

unsigned long pr_peer_watch_nudges(pr_peer_watch *w)
{
    return w ? atomic_load(&w->nudges) : 0;
}

void pr_peer_watch_stop(pr_peer_watch *w)
{
    if (!w)
        return;
    atomic_store(&w->stopping, true);
    uint64_t one = 1;
    ssize_t n = write(w->wake_fd, &one, sizeof one);
    (void)n; /* an eventfd write of 1 cannot fail short of overflow */
    pthread_join(w->thread, NULL);
    for (unsigned i = 0; i < w->cfg.linger_max; i++)
        if (w->lingering[i].fd >= 0)
            end_linger(w, &w->lingering[i]);
    free(w->lingering);
    pthread_mutex_destroy(&w->lock);
    close(w->epoll_fd);
    close(w->wake_fd);
    free(w->slots);
    free(w);
}

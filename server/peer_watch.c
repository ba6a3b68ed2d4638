/* peer_watch.c: nudges sockets whose peer has gone (see peer_watch.h). */
#include "peer_watch.h"

#include <errno.h>
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
    bool gone; /* the peer has finished sending: nudged until removed */
} slot;

struct pr_peer_watch {
    int epoll_fd;
    int wake_fd; /* an eventfd: written to stop the thread */
    pthread_t thread;
    pthread_mutex_t lock; /* guards everything below */
    slot *slots;          /* indexed by fd */
    size_t slot_count;
    uint32_t last_serial;
    size_t gone_count;
    unsigned period_ms;
    atomic_bool stopping;
    atomic_ulong nudges;
};

enum { MAX_EVENTS = 64 };
static const uint64_t wake_marker = UINT64_MAX;

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

static void *watch_loop(void *arg)
{
    pr_peer_watch *w = arg;
    struct epoll_event events[MAX_EVENTS];
    double last_sweep = now_ms();
    while (!atomic_load(&w->stopping)) {
        pthread_mutex_lock(&w->lock);
        int timeout = w->gone_count ? (int)w->period_ms : -1;
        pthread_mutex_unlock(&w->lock);
        int n = epoll_wait(w->epoll_fd, events, MAX_EVENTS, timeout);
        if (n < 0 && errno != EINTR)
            break;
        pthread_mutex_lock(&w->lock);
        for (int i = 0; i < n; i++) {
            uint64_t key = events[i].data.u64;
            if (key == wake_marker)
                continue;
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
        if (w->gone_count && t - last_sweep >= w->period_ms) {
            last_sweep = t;
            for (size_t fd = 0; fd < w->slot_count; fd++)
                if (w->slots[fd].serial && w->slots[fd].gone)
                    nudge(w, (int)fd);
        }
        pthread_mutex_unlock(&w->lock);
    }
    return NULL;
}

pr_peer_watch *pr_peer_watch_start(unsigned period_ms, char *why, size_t why_size)
{
    pr_peer_watch *w = calloc(1, sizeof *w);
    if (!w) {
        snprintf(why, why_size, "out of memory");
        return NULL;
    }
    w->period_ms = period_ms ? period_ms : 1;
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
        w->slots[i] = (slot){w->last_serial, false};
    pthread_mutex_unlock(&w->lock);
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
        w->slots[i] = (slot){0, false};
    }
    pthread_mutex_unlock(&w->lock);
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
    pthread_mutex_destroy(&w->lock);
    close(w->epoll_fd);
    close(w->wake_fd);
    free(w->slots);
    free(w);
}

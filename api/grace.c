/* grace.c: deferred freeing of evicted bodies (see grace.h). */
#include "grace.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

typedef struct retired {
    struct retired *next;
    void *body;
} retired;

struct pr_grace {
    atomic_uint epoch;     /* only its parity matters to requests */
    atomic_uint active[2]; /* requests in an epoch of each parity */
    atomic_size_t waiting; /* bodies retired, not yet freed */
    atomic_size_t freed;
    pthread_mutex_t lock; /* guards lists and moving the epoch */
    retired *list[2];     /* retired in an epoch of each parity */
    void (*free_body)(void *ctx, void *body);
    void *ctx;
};

pr_grace *pr_grace_new(void (*free_body)(void *ctx, void *body), void *ctx)
{
    pr_grace *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    if (pthread_mutex_init(&g->lock, NULL) != 0) {
        free(g);
        return NULL;
    }
    g->free_body = free_body;
    g->ctx = ctx;
    return g;
}

static void free_list(pr_grace *g, retired *r)
{
    while (r) {
        retired *next = r->next;
        g->free_body(g->ctx, r->body);
        free(r);
        atomic_fetch_sub(&g->waiting, 1);
        atomic_fetch_add(&g->freed, 1);
        r = next;
    }
}

void pr_grace_free(pr_grace *g)
{
    if (!g)
        return;
    free_list(g, g->list[0]);
    free_list(g, g->list[1]);
    pthread_mutex_destroy(&g->lock);
    free(g);
}

unsigned pr_grace_enter(pr_grace *g)
{
    for (;;) {
        unsigned e = atomic_load(&g->epoch);
        atomic_fetch_add(&g->active[e & 1], 1);
        /* registered in the epoch still current: the mover, which checks the
         * counter of the epoch before the current one, sees it from now on */
        if (atomic_load(&g->epoch) == e)
            return e & 1;
        atomic_fetch_sub(&g->active[e & 1], 1);
    }
}

/* Moves the epoch on once if no request of the previous epoch is left,
 * freeing what was retired two epochs ago. Called with the lock held;
 * returns the list to free outside it. */
static retired *advance(pr_grace *g)
{
    unsigned e = atomic_load(&g->epoch);
    /* E -> E+1 needs epoch E-1 (parity of E+1) empty */
    if (atomic_load(&g->active[(e + 1) & 1]) != 0)
        return NULL;
    /* what was retired in E-1 (the same parity) was unlinked before any
     * request of E+1 can start, and every request of E-1 or before is gone */
    retired *done = g->list[(e + 1) & 1];
    g->list[(e + 1) & 1] = NULL;
    atomic_store(&g->epoch, e + 1);
    return done;
}

static void try_advance(pr_grace *g)
{
    if (pthread_mutex_trylock(&g->lock) != 0)
        return; /* another thread is at it */
    retired *done = advance(g);
    pthread_mutex_unlock(&g->lock);
    free_list(g, done);
}

void pr_grace_leave(pr_grace *g, unsigned token)
{
    atomic_fetch_sub(&g->active[token & 1], 1);
    if (atomic_load_explicit(&g->waiting, memory_order_relaxed) > 0)
        try_advance(g);
}

bool pr_grace_retire(pr_grace *g, void *body)
{
    retired *r = malloc(sizeof *r);
    if (!r)
        return false;
    r->body = body;
    pthread_mutex_lock(&g->lock);
    unsigned e = atomic_load(&g->epoch);
    r->next = g->list[e & 1];
    g->list[e & 1] = r;
    atomic_fetch_add(&g->waiting, 1);
    retired *done = advance(g);
    pthread_mutex_unlock(&g->lock);
    free_list(g, done);
    return true;
}

size_t pr_grace_waiting(pr_grace *g)
{
    return atomic_load(&g->waiting);
}

size_t pr_grace_freed(pr_grace *g)
{
    return atomic_load(&g->freed);
}

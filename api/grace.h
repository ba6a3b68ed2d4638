/* grace.h: when a kept answer that was taken out of the cache may be freed.
 *
 * A request that found a body in the cache borrows it without a reference
 * count (a hot answer costs no atomic write on the body), and the server
 * keeps sending its bytes until libmicrohttpd reports the request complete.
 * So a body evicted from the cache is not freed at once: it is retired, and
 * freed after a grace period, once every request that could have seen it
 * has finished (the idea of RCU's grace periods, with two epochs).
 *
 * Each request holds a token from pr_grace_enter() until it is done with
 * whatever it borrowed, then gives it back with pr_grace_leave(). The epoch
 * moves from E to E+1 only when no request of epoch E-1 is left; a body
 * retired during epoch E is freed when the epoch moves from E+1 to E+2, at
 * which point every request that entered in E or before has left. Requests
 * entering after the body was unlinked cannot find it.
 *
 * Cost: enter and leave are one atomic add each on a counter shared by all
 * threads, plus a load; retiring takes a mutex (evictions are rare).
 * Retired bodies are freed by whichever thread moves the epoch on: a
 * retire, or a leave that sees retired bodies waiting.
 *
 * Memory: the grace owns the retired bodies until it frees them with the
 * callback given to pr_grace_new(); pr_grace_free() frees those still
 * waiting (no request may hold a token then). Thread-safe throughout. */
#ifndef PR_API_GRACE_H
#define PR_API_GRACE_H

#include <stdbool.h>
#include <stddef.h>

typedef struct pr_grace pr_grace;

/* free_body(ctx, body) releases a retired body (and what hangs on it). NULL
 * when out of memory. */
pr_grace *pr_grace_new(void (*free_body)(void *ctx, void *body), void *ctx);
void pr_grace_free(pr_grace *g);

/* A token for a request about to look into the cache: 0 or 1. */
unsigned pr_grace_enter(pr_grace *g);
void pr_grace_leave(pr_grace *g, unsigned token);

/* Hands over a body that no request can find any more. False (and the body
 * not taken) when out of memory: the caller must then keep it reachable for
 * pr_grace_free's caller to free, or leak it knowingly. */
bool pr_grace_retire(pr_grace *g, void *body);

/* How many bodies wait to be freed, and how many were freed (for tests and
 * metrics). */
size_t pr_grace_waiting(pr_grace *g);
size_t pr_grace_freed(pr_grace *g);

#endif

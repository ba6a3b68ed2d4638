/* dataset.h: a loaded registry with its API, shared by reference count, and
 * the slot holding the one being served, which a reload replaces.
 *
 * A request takes a reference when it starts and drops it when libmicrohttpd
 * reports it complete (its answer sent), so it sees one whole data set from
 * start to end, and a data set is freed only when the last request using it
 * is done: a reload never pulls data from under a request.
 *
 * Threads: pr_current_acquire and pr_dataset_release may be called from any
 * thread; pr_current_replace from one thread at a time (the main thread). */
#ifndef PR_DATASET_H
#define PR_DATASET_H

#include <pthread.h>
#include <stdatomic.h>

#include "api.h"

typedef struct pr_dataset {
    atomic_uint refs;
    pr_registry *reg;
    pr_api *api;
} pr_dataset;

/* Wraps a loaded registry (taking ownership of it) with its API; one
 * reference, the caller's. NULL (and reg freed) when out of memory. */
pr_dataset *pr_dataset_new(pr_registry *reg, const pr_api_config *cfg);

/* Drops a reference; the last one frees the data set. Accepts NULL. */
void pr_dataset_release(pr_dataset *ds);

typedef struct pr_current {
    pthread_mutex_t lock;
    pr_dataset *ds;
} pr_current;

/* Takes over the caller's reference to ds. */
void pr_current_init(pr_current *cur, pr_dataset *ds);

/* The data set being served, with a new reference for the caller. */
pr_dataset *pr_current_acquire(pr_current *cur);

/* Serves ds from now on (taking over the caller's reference) and drops the
 * slot's reference to the previous one. */
void pr_current_replace(pr_current *cur, pr_dataset *ds);

/* Drops the slot's reference. No request may still acquire. */
void pr_current_destroy(pr_current *cur);

#endif

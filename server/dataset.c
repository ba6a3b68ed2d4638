/* dataset.c: reference-counted data sets and the slot serving one. */
#include "dataset.h"

#include <stdlib.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

pr_dataset *pr_dataset_new(pr_registry *reg, const pr_api_config *cfg)
{
    pr_dataset *ds = malloc(sizeof *ds);
    pr_api *api = ds ? pr_api_new(reg, cfg) : NULL;
    if (!api) {
        free(ds);
        pr_registry_free(reg);
        return NULL;
    }
    atomic_init(&ds->refs, 1);
    ds->reg = reg;
    ds->api = api;
    return ds;
}

void pr_dataset_release(pr_dataset *ds)
{
    if (!ds || atomic_fetch_sub_explicit(&ds->refs, 1, memory_order_acq_rel) != 1)
        return;
    pr_api_free(ds->api);
    pr_registry_free(ds->reg);
    free(ds);
#ifdef __GLIBC__
    /* A data set is megabytes of small allocations freed at once, once per
     * reload. glibc keeps such memory for reuse, so after a few reloads the
     * process would hold several data sets' worth; hand it back. */
    malloc_trim(0);
#endif
}

void pr_current_init(pr_current *cur, pr_dataset *ds)
{
    pthread_mutex_init(&cur->lock, NULL);
    cur->ds = ds;
}

/* The lock makes "read the pointer, add a reference" one step, so a reload
 * cannot drop the last reference between the two. It is held for a few
 * instructions, never across any work. */
pr_dataset *pr_current_acquire(pr_current *cur)
{
    pthread_mutex_lock(&cur->lock);
    pr_dataset *ds = cur->ds;
    atomic_fetch_add_explicit(&ds->refs, 1, memory_order_relaxed);
    pthread_mutex_unlock(&cur->lock);
    return ds;
}

void pr_current_replace(pr_current *cur, pr_dataset *ds)
{
    pthread_mutex_lock(&cur->lock);
    pr_dataset *old = cur->ds;
    cur->ds = ds;
    pthread_mutex_unlock(&cur->lock);
    pr_dataset_release(old);
}

void pr_current_destroy(pr_current *cur)
{
    pr_dataset_release(cur->ds);
    cur->ds = NULL;
    pthread_mutex_destroy(&cur->lock);
}

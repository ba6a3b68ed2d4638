/* metrics.h: what the server counts, rendered for /metrics in the Prometheus
 * text exposition format (version 0.0.4).
 *
 * One process-wide set of counters. Updates are relaxed atomic adds, safe
 * from any thread and cheap on the request path; a scrape reads them without
 * stopping anyone, so figures from one scrape may be a few requests apart. */
#ifndef PR_METRICS_H
#define PR_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "api.h"

/* One answered request: its route, status, content bytes, and the time from
 * the complete request to the queued answer. */
void pr_metrics_request(int route, int status, size_t bytes, double seconds);

void pr_metrics_connection_opened(void);
void pr_metrics_connection_closed(void);

/* A data set was loaded (at start or on reload) or failed to.
 * registry_updated: the registry's date, seconds since the epoch (0: none). */
void pr_metrics_loaded(uint32_t records, uint32_t contacts, double load_seconds,
                       int64_t registry_updated);
void pr_metrics_reload(int succeeded);

/* The answer cache of the data set being served (its counts start again
 * with each data set, which Prometheus reads as a counter reset). */
typedef struct pr_metrics_cache {
    size_t bytes, budget; /* kept now, and --cache-bytes */
    size_t evicted;       /* answers taken out to make room */
    size_t freed;         /* of those, freed after their grace period */
} pr_metrics_cache;

/* Renders every metric; a malloc'ed, NUL-terminated text (the caller frees
 * it), or NULL when out of memory. */
char *pr_metrics_render(size_t *len, const pr_metrics_cache *cache);

#endif

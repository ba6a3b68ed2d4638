/* metrics.c: counters and their Prometheus text rendering (see metrics.h). */
#include "metrics.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The statuses this server gives; anything else counts as "other". */
static const int statuses[] = {200, 204, 304, 400, 404, 405, 413, 414, 415, 431, 500, 503};
#define STATUS_SLOTS (sizeof statuses / sizeof *statuses + 1)

/* Upper bounds of the latency buckets, seconds: lookups answer in
 * microseconds, so the low end is fine-grained. */
static const double buckets[] = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                 0.01,   0.025,   0.05,   0.1,   0.25,   1.0};
#define BUCKETS (sizeof buckets / sizeof *buckets)

static atomic_uint_fast64_t requests[PR_ROUTE_COUNT][STATUS_SLOTS];
static atomic_uint_fast64_t latency_bucket[BUCKETS + 1]; /* the last is +Inf */
static atomic_uint_fast64_t latency_ns_sum;
static atomic_uint_fast64_t not_modified;
static atomic_uint_fast64_t bytes_sent;
static atomic_int_fast64_t open_connections;
static atomic_uint_fast64_t reloads, reload_failures;
static atomic_uint_fast32_t records, contacts;
static _Atomic double load_seconds;
static atomic_int_fast64_t loaded_at;
static atomic_int_fast64_t updated_at;

void pr_metrics_request(int route, int status, size_t bytes, double seconds)
{
    if (route < 0 || route >= PR_ROUTE_COUNT)
        route = PR_ROUTE_UNKNOWN;
    size_t slot = 0;
    while (slot < STATUS_SLOTS - 1 && statuses[slot] != status)
        slot++;
    atomic_fetch_add_explicit(&requests[route][slot], 1, memory_order_relaxed);
    size_t b = 0;
    while (b < BUCKETS && seconds > buckets[b])
        b++;
    atomic_fetch_add_explicit(&latency_bucket[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&latency_ns_sum, (uint_fast64_t)(seconds * 1e9),
                              memory_order_relaxed);
    if (status == 304)
        atomic_fetch_add_explicit(&not_modified, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&bytes_sent, bytes, memory_order_relaxed);
}

void pr_metrics_connection_opened(void)
{
    atomic_fetch_add_explicit(&open_connections, 1, memory_order_relaxed);
}

void pr_metrics_connection_closed(void)
{
    atomic_fetch_sub_explicit(&open_connections, 1, memory_order_relaxed);
}

void pr_metrics_loaded(uint32_t n_records, uint32_t n_contacts, double seconds,
                       int64_t registry_updated)
{
    atomic_store(&updated_at, (int_fast64_t)registry_updated);
    atomic_store(&records, n_records);
    atomic_store(&contacts, n_contacts);
    atomic_store(&load_seconds, seconds);
    atomic_store(&loaded_at, (int_fast64_t)time(NULL));
}

void pr_metrics_reload(int succeeded)
{
    atomic_fetch_add(succeeded ? &reloads : &reload_failures, 1);
}

typedef struct out {
    char *buf;
    size_t len, cap;
    int failed;
} out;

__attribute__((format(printf, 2, 3))) static void put(out *o, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = o->failed ? -1 : vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
        va_end(ap);
        if (n < 0) {
            o->failed = 1;
            return;
        }
        if ((size_t)n < o->cap - o->len) {
            o->len += (size_t)n;
            return;
        }
        size_t cap = o->cap * 2 + (size_t)n;
        char *grown = realloc(o->buf, cap);
        if (!grown) {
            o->failed = 1;
            return;
        }
        o->buf = grown;
        o->cap = cap;
    }
}

static void header(out *o, const char *name, const char *type, const char *help)
{
    put(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

char *pr_metrics_render(size_t *len, const pr_metrics_cache *cache)
{
    out o = {malloc(8192), 0, 8192, 0};
    if (!o.buf)
        return NULL;
    header(&o, "portreg_http_requests_total", "counter", "Requests answered, by route and status.");
    for (int r = 0; r < PR_ROUTE_COUNT; r++) {
        for (size_t s = 0; s < STATUS_SLOTS; s++) {
            uint_fast64_t n = atomic_load_explicit(&requests[r][s], memory_order_relaxed);
            if (!n)
                continue;
            if (s < STATUS_SLOTS - 1)
                put(&o, "portreg_http_requests_total{route=\"%s\",status=\"%d\"} %llu\n",
                    pr_route_name((enum pr_route)r), statuses[s], (unsigned long long)n);
            else
                put(&o, "portreg_http_requests_total{route=\"%s\",status=\"other\"} %llu\n",
                    pr_route_name((enum pr_route)r), (unsigned long long)n);
        }
    }
    header(&o, "portreg_http_request_duration_seconds", "histogram",
           "Time from a complete request to its queued answer.");
    uint_fast64_t cumulative = 0;
    for (size_t b = 0; b <= BUCKETS; b++) {
        cumulative += atomic_load_explicit(&latency_bucket[b], memory_order_relaxed);
        if (b < BUCKETS)
            put(&o, "portreg_http_request_duration_seconds_bucket{le=\"%g\"} %llu\n", buckets[b],
                (unsigned long long)cumulative);
        else
            put(&o, "portreg_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n",
                (unsigned long long)cumulative);
    }
    put(&o, "portreg_http_request_duration_seconds_sum %.9f\n",
        (double)atomic_load(&latency_ns_sum) / 1e9);
    put(&o, "portreg_http_request_duration_seconds_count %llu\n", (unsigned long long)cumulative);
    header(&o, "portreg_http_not_modified_total", "counter",
           "Revalidations answered 304 Not Modified.");
    put(&o, "portreg_http_not_modified_total %llu\n",
        (unsigned long long)atomic_load(&not_modified));
    header(&o, "portreg_http_response_bytes_total", "counter", "Content bytes sent in answers.");
    put(&o, "portreg_http_response_bytes_total %llu\n",
        (unsigned long long)atomic_load(&bytes_sent));
    header(&o, "portreg_http_open_connections", "gauge", "Client connections open now.");
    put(&o, "portreg_http_open_connections %lld\n", (long long)atomic_load(&open_connections));
    header(&o, "portreg_reloads_total", "counter", "Data sets reloaded and swapped in.");
    put(&o, "portreg_reloads_total %llu\n", (unsigned long long)atomic_load(&reloads));
    header(&o, "portreg_reload_failures_total", "counter",
           "Reloads that failed; the previous data set kept serving.");
    put(&o, "portreg_reload_failures_total %llu\n",
        (unsigned long long)atomic_load(&reload_failures));
    header(&o, "portreg_registry_records", "gauge", "Records in the data set being served.");
    put(&o, "portreg_registry_records %u\n", (unsigned)atomic_load(&records));
    header(&o, "portreg_registry_contacts", "gauge", "Contacts in the data set being served.");
    put(&o, "portreg_registry_contacts %u\n", (unsigned)atomic_load(&contacts));
    header(&o, "portreg_registry_load_seconds", "gauge",
           "Time it took to load and index the data set being served.");
    put(&o, "portreg_registry_load_seconds %.6f\n", atomic_load(&load_seconds));
    header(&o, "portreg_registry_loaded_timestamp_seconds", "gauge",
           "When the data set being served was loaded, seconds since the epoch.");
    put(&o, "portreg_registry_loaded_timestamp_seconds %lld\n", (long long)atomic_load(&loaded_at));
    /* the registry's own date, for an alert on its age:
     * time() - portreg_registry_updated_timestamp_seconds > 120 * 86400 */
    header(&o, "portreg_registry_updated_timestamp_seconds", "gauge",
           "The date IANA gave the registry being served (midnight UTC), seconds since the "
           "epoch; 0 when the data carries no date.");
    put(&o, "portreg_registry_updated_timestamp_seconds %lld\n",
        (long long)atomic_load(&updated_at));
    header(&o, "portreg_cache_bytes", "gauge",
           "Bytes of answers kept by the data set being served.");
    put(&o, "portreg_cache_bytes %zu\n", cache->bytes);
    header(&o, "portreg_cache_budget_bytes", "gauge", "The answer cache's budget (--cache-bytes).");
    put(&o, "portreg_cache_budget_bytes %zu\n", cache->budget);
    header(&o, "portreg_cache_evictions_total", "counter",
           "Kept answers taken out to make room for answers asked more, since the data set "
           "being served was loaded.");
    put(&o, "portreg_cache_evictions_total %zu\n", cache->evicted);
    header(&o, "portreg_cache_evictions_freed_total", "counter",
           "Evicted answers freed, once no request could still be sending them.");
    put(&o, "portreg_cache_evictions_freed_total %zu\n", cache->freed);
    if (o.failed) {
        free(o.buf);
        return NULL;
    }
    *len = o.len;
    return o.buf;
}

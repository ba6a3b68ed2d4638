/* api.c: the pr_api object: what it holds, made once per registry, and
 * the figures of its cache. Answers go through router.c, respond.c and
 * problem.c. */
#include "internal.h"

#include <stdlib.h>

#include "check.h"
#include "conditional.h"

/* ---- object ---- */

static int by_count_desc(const void *a, const void *b, void *ctx)
{
    const pr_registry *reg = ctx;
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    uint32_t cx = reg->people[x].as_assignee.count, cy = reg->people[y].as_assignee.count;
    if (cx != cy)
        return cx > cy ? -1 : 1;
    return x < y ? -1 : x > y; /* people are sorted by ID: ties go by ID */
}

static void free_kept_body(void *ctx, pr_body *body);

/* The grace period's callback: an evicted answer no request can still use. */
static void free_retired(void *ctx, void *retired)
{
    pr_api *api = ctx;
    pr_answers_free_retired(api->answers, retired);
}

pr_api *pr_api_new(const pr_registry *reg, const pr_api_config *cfg)
{
    pr_api *api = calloc(1, sizeof *api);
    if (!api)
        return NULL;
    api->reg = reg;
    api->cfg = *cfg;
    if (!api->cfg.max_path_bytes)
        api->cfg.max_path_bytes = PR_MAX_PATH_BYTES;
    if (!api->cfg.max_manifest)
        api->cfg.max_manifest = PR_MAX_MANIFEST_ENTRIES;
    atomic_init(&api->cached_bytes, 0);
    for (int i = 0; i < PR_FIXED_COUNT; i++)
        atomic_init(&api->fixed[i], NULL);
    /* calloc'ed slot arrays: untouched pages cost no memory until a key is asked */
    api->port_slots = calloc(65536 * (size_t)PR_PORT_VIEWS, sizeof *api->port_slots);
    api->name_slots = calloc((size_t)reg->name_count + 1, sizeof *api->name_slots);
    api->assignee_slots = calloc((size_t)reg->person_count + 1, sizeof *api->assignee_slots);
    api->contact_slots = calloc((size_t)reg->person_count + 1, sizeof *api->contact_slots);
    api->assignees_by_count = malloc(((size_t)reg->person_count + 1) * sizeof(uint32_t));
    /* 16384 slots: 128 KiB of table at most, more entries than an 8 MiB
     * budget can pay for */
    if (api->cfg.cache_bytes &&
        (!(api->grace = pr_grace_new(free_retired, api)) ||
         !(api->answers = pr_answers_new(16384, api->grace, free_kept_body, api)) ||
         !(api->admit = pr_admit_new()))) {
        pr_api_free(api);
        return NULL;
    }
    if (!api->port_slots || !api->name_slots || !api->assignee_slots || !api->contact_slots ||
        !api->assignees_by_count) {
        pr_api_free(api);
        return NULL;
    }
    for (int proto = PR_PROTO_TCP; proto < PR_PROTO_COUNT; proto++)
        for (uint32_t port = 0; port < 65536; port++)
            if (pr_registry_port_status(reg, (uint16_t)port, (enum pr_proto)proto) ==
                    PR_STATUS_UNASSIGNED &&
                !pr_registry_local_marks(reg, (uint16_t)port, (enum pr_proto)proto))
                api->free_bits[proto - 1][port / 64] |= (uint64_t)1 << (port % 64);
    for (uint32_t i = 0; i < reg->person_count; i++)
        if (reg->people[i].as_assignee.count)
            api->assignees_by_count[api->assignee_count++] = i;
    qsort_r(api->assignees_by_count, api->assignee_count, sizeof(uint32_t), by_count_desc,
            (void *)reg);
    if (reg->updated.year) {
        /* a date given as YYYY or YYYY-MM is taken at its first day */
        pr_date d = reg->updated;
        api->last_modified_time =
            pr_epoch_of_date(d.year, d.month ? d.month : 1u, d.day ? d.day : 1u);
        pr_http_date_format(api->last_modified_time, api->last_modified);
    }
    return api;
}

static void free_body(const pr_api *api, pr_body *body)
{
    if (!body)
        return;
    free_body(api, atomic_load(&body->gzip));
    for (int i = 0; i < 2; i++) {
        void *wire = atomic_load(&body->wire[i]);
        if (wire && api->cfg.wire_free)
            api->cfg.wire_free(wire);
    }
    free(body);
}

static void free_kept_body(void *ctx, pr_body *body)
{
    free_body(ctx, body);
}

static void free_slots(const pr_api *api, pr_body *_Atomic *slots, size_t n)
{
    if (!slots)
        return;
    for (size_t i = 0; i < n; i++)
        free_body(api, atomic_load(&slots[i]));
    free(slots);
}

void pr_api_free(pr_api *api)
{
    if (!api)
        return;
    const pr_registry *reg = api->reg;
    for (int i = 0; i < PR_FIXED_COUNT; i++)
        free_body(api, atomic_load(&api->fixed[i]));
    free_slots(api, api->port_slots, 65536 * (size_t)PR_PORT_VIEWS);
    free_slots(api, api->name_slots, reg->name_count);
    free_slots(api, api->assignee_slots, reg->person_count);
    free_slots(api, api->contact_slots, reg->person_count);
    /* retired answers first: freeing them needs the table's callbacks */
    pr_grace_free(api->grace);
    pr_answers_free(api->answers);
    pr_admit_free(api->admit);
    free(api->assignees_by_count);
    free(api);
}

const char *pr_api_last_modified(const pr_api *api)
{
    return api->last_modified;
}

int64_t pr_api_last_modified_time(const pr_api *api)
{
    return api->last_modified_time;
}

const pr_registry *pr_api_registry(const pr_api *api)
{
    return api->reg;
}

/* ---- cache figures ---- */

void pr_api_grace_leave(pr_api *api, unsigned token)
{
    if (api->grace)
        pr_grace_leave(api->grace, token);
}

size_t pr_api_evicted(const pr_api *api)
{
    return api->answers ? pr_answers_evicted(api->answers) : 0;
}

size_t pr_api_evicted_freed(const pr_api *api)
{
    return api->grace ? pr_grace_freed(api->grace) : 0;
}

size_t pr_api_cache_bytes(const pr_api *api)
{
    return atomic_load(&((pr_api *)api)->cached_bytes);
}

size_t pr_api_cache_budget(const pr_api *api)
{
    return api->cfg.cache_bytes;
}

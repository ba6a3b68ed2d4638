/* answers.c: the table of kept answers (see answers.h). Open addressing
 * with linear probing over atomic pointers: an empty slot is claimed with a
 * compare-and-swap, so readers need no lock and never see an entry half
 * made. An evicted entry leaves a tombstone, which lookups pass over and
 * insertions may take; the entry itself goes to the grace period. */
#include "answers.h"

#include <stdlib.h>
#include <string.h>

#include "encoding.h"

enum {
    MAX_PROBES = 16,
    /* what the clock hand looks at for one insertion at most: entries, and
     * slots in all (the table is sparse); a table of answers all asked
     * lately is left as it is */
    MAX_SWEEP = 64,
    MAX_VISIT = 1024
};

typedef struct entry {
    uint64_t hash;
    pr_body *body;
    const char *content_type;
    size_t cost; /* what it counts against the budget */
    size_t key_len, link_len;
    atomic_bool referenced; /* found since the clock hand last passed */
    char data[];            /* the key's bytes, then the Link value and a NUL */
} entry;

/* A slot whose entry was evicted: lookups go on past it. */
#define TOMBSTONE ((entry *)(uintptr_t)1)

struct pr_answers {
    size_t mask;
    pr_grace *grace;
    void (*free_body)(void *ctx, pr_body *body);
    void *ctx;
    atomic_size_t hand; /* the clock hand: the next slot to look at */
    atomic_size_t evicted;
    entry *_Atomic slots[];
};

pr_answers *pr_answers_new(size_t slots, pr_grace *grace,
                           void (*free_body)(void *ctx, pr_body *body), void *ctx)
{
    /* calloc'ed: pages of the table cost memory only once an entry lands there */
    pr_answers *a = calloc(1, sizeof *a + slots * sizeof(entry *));
    if (a) {
        a->mask = slots - 1;
        a->grace = grace;
        a->free_body = free_body;
        a->ctx = ctx;
    }
    return a;
}

void pr_answers_free(pr_answers *answers)
{
    if (!answers)
        return;
    for (size_t i = 0; i <= answers->mask; i++) {
        entry *e = atomic_load_explicit(&answers->slots[i], memory_order_acquire);
        if (e && e != TOMBSTONE) {
            answers->free_body(answers->ctx, e->body);
            free(e);
        }
    }
    free(answers);
}

void pr_answers_free_retired(pr_answers *answers, void *retired)
{
    entry *e = retired;
    answers->free_body(answers->ctx, e->body);
    free(e);
}

size_t pr_answers_evicted(const pr_answers *answers)
{
    return atomic_load(&((pr_answers *)answers)->evicted);
}

/* 64-bit FNV-1a: keys are short, and the table needs only a good spread. */
static uint64_t add_bytes(uint64_t h, const char *bytes, size_t len)
{
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)bytes[i]) * 0x100000001b3u;
    return h;
}

/* Decoded paths and parameters hold no NUL (the server leaves %00 encoded
 * and refuses a NUL in the path), so NUL separates the parts unambiguously. */
static bool append(pr_answer_key *key, const char *bytes, size_t len)
{
    if (len + 1 > sizeof key->bytes - key->len)
        return false;
    memcpy(key->bytes + key->len, bytes, len);
    key->len += len;
    key->bytes[key->len++] = '\0';
    return true;
}

bool pr_answer_key_of(const pr_request *req, pr_answer_key *key)
{
    key->len = 0;
    if (!append(key, req->path, req->path_len))
        return false;
    for (size_t i = 0; i < req->param_count; i++) {
        const pr_param *p = &req->params[i];
        if (!append(key, p->key, strlen(p->key)) || !append(key, p->value, p->value_len))
            return false;
    }
    /* the format chosen by Accept is part of the question; "\x01" begins
     * no parameter the router lets through */
    char format[2] = {'\x01', (char)('0' + req->format)};
    if (req->format && !append(key, format, sizeof format))
        return false;
    key->hash = add_bytes(0xcbf29ce484222325u, key->bytes, key->len);
    return true;
}

static bool same_key(const entry *e, const pr_answer_key *key)
{
    return e->hash == key->hash && e->key_len == key->len &&
           memcmp(e->data, key->bytes, key->len) == 0;
}

static void borrow(const entry *e, pr_response *resp)
{
    resp->status = 200;
    resp->content_type = e->content_type;
    resp->body = e->body;
    resp->body_owned = false;
    resp->cacheable = true;
    memcpy(resp->link, e->data + e->key_len, e->link_len + 1);
}

bool pr_answers_find(pr_answers *answers, const pr_answer_key *key, pr_response *resp)
{
    for (size_t i = 0; i < MAX_PROBES; i++) {
        entry *e = atomic_load_explicit(&answers->slots[(key->hash + i) & answers->mask],
                                        memory_order_acquire);
        if (!e)
            return false;
        if (e != TOMBSTONE && same_key(e, key)) {
            /* a load first: a hot entry's line is not written on every hit */
            if (!atomic_load_explicit(&e->referenced, memory_order_relaxed))
                atomic_store_explicit(&e->referenced, true, memory_order_relaxed);
            borrow(e, resp);
            return true;
        }
    }
    return false;
}

/* The clock: the hand passes over up to MAX_SWEEP slots, giving each entry
 * found since the last pass a second chance and taking out the others until
 * `need` bytes are freed. A taken entry's cost returns to the budget at
 * once; its memory after the grace period. Returns the bytes freed. */
static size_t evict(pr_answers *answers, size_t need, atomic_size_t *budget_used)
{
    size_t freed = 0;
    for (int n = 0; n < MAX_SWEEP && freed < need; n++) {
        size_t i =
            atomic_fetch_add_explicit(&answers->hand, 1, memory_order_relaxed) & answers->mask;
        entry *e = atomic_load_explicit(&answers->slots[i], memory_order_acquire);
        if (!e || e == TOMBSTONE)
            continue;
        if (atomic_exchange_explicit(&e->referenced, false, memory_order_relaxed))
            continue;
        if (!atomic_compare_exchange_strong_explicit(&answers->slots[i], &e, TOMBSTONE,
                                                     memory_order_acq_rel, memory_order_acquire))
            continue; /* another thread took it first */
        if (!pr_grace_retire(answers->grace, e)) {
            /* out of memory: put it back rather than free what a request
             * may be sending */
            entry *tomb = TOMBSTONE;
            if (!atomic_compare_exchange_strong(&answers->slots[i], &tomb, e))
                break; /* the slot was reused: e stays unreachable, but alive */
            continue;
        }
        atomic_fetch_sub(budget_used, e->cost);
        atomic_fetch_add(&answers->evicted, 1);
        freed += e->cost;
    }
    return freed;
}

void pr_answers_keep(pr_answers *answers, const pr_answer_key *key, pr_response *resp,
                     atomic_size_t *budget_used, size_t budget, size_t extra, bool may_evict)
{
    if (resp->status != 200 || !resp->cacheable || !resp->body_owned || !resp->body)
        return;
    size_t link_len = strlen(resp->link);
    size_t size = sizeof(entry) + key->len + link_len + 1;
    size_t cost = size + pr_body_cost(resp->body, extra);
    if (cost > budget)
        return;
    if (!pr_budget_take(budget_used, budget, cost) &&
        (!may_evict || evict(answers, cost, budget_used) < cost ||
         !pr_budget_take(budget_used, budget, cost)))
        return;
    entry *e = malloc(size);
    if (!e) {
        atomic_fetch_sub(budget_used, cost);
        return;
    }
    *e = (entry){.hash = key->hash,
                 .body = (pr_body *)resp->body,
                 .content_type = resp->content_type,
                 .cost = cost,
                 .key_len = key->len,
                 .link_len = link_len};
    atomic_init(&e->referenced, false);
    memcpy(e->data, key->bytes, key->len);
    memcpy(e->data + key->len, resp->link, link_len + 1);
    for (size_t i = 0; i < MAX_PROBES; i++) {
        entry *_Atomic *slot = &answers->slots[(key->hash + i) & answers->mask];
        entry *seen = atomic_load_explicit(slot, memory_order_acquire);
        if (seen && seen != TOMBSTONE) {
            if (same_key(seen, key))
                break; /* another thread kept the same answer first */
            continue;
        }
        /* an empty slot or a tombstone: claim it */
        if (atomic_compare_exchange_strong_explicit(slot, &seen, e, memory_order_acq_rel,
                                                    memory_order_acquire)) {
            resp->body_owned = false;
            return;
        }
        if (seen != TOMBSTONE && same_key(seen, key))
            break;
    }
    /* no room near its slot, or already kept: the response keeps its body */
    atomic_fetch_sub(budget_used, cost);
    free(e);
}

/* answers.c: the table of kept answers (see answers.h). Open addressing
 * with linear probing over atomic pointers: an empty slot is claimed with a
 * compare-and-swap, and a full slot is never emptied, so readers need no
 * lock and never see an entry half made. */
#include "answers.h"

#include <stdlib.h>
#include <string.h>

enum { MAX_PROBES = 16 };

typedef struct entry {
    uint64_t hash;
    pr_body *body;
    const char *content_type;
    size_t key_len, link_len;
    char data[]; /* the key's bytes, then the Link value and a NUL */
} entry;

struct pr_answers {
    size_t mask;
    entry *_Atomic slots[];
};

pr_answers *pr_answers_new(size_t slots)
{
    /* calloc'ed: pages of the table cost memory only once an entry lands there */
    pr_answers *a = calloc(1, sizeof *a + slots * sizeof(entry *));
    if (a)
        a->mask = slots - 1;
    return a;
}

void pr_answers_free(pr_answers *answers, void (*free_body)(void *ctx, pr_body *body), void *ctx)
{
    if (!answers)
        return;
    for (size_t i = 0; i <= answers->mask; i++) {
        entry *e = atomic_load_explicit(&answers->slots[i], memory_order_acquire);
        if (e) {
            free_body(ctx, e->body);
            free(e);
        }
    }
    free(answers);
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

bool pr_answers_find(const pr_answers *answers, const pr_answer_key *key, pr_response *resp)
{
    for (size_t i = 0; i < MAX_PROBES; i++) {
        entry *e = atomic_load_explicit(
            &((pr_answers *)answers)->slots[(key->hash + i) & answers->mask], memory_order_acquire);
        if (!e)
            return false;
        if (same_key(e, key)) {
            borrow(e, resp);
            return true;
        }
    }
    return false;
}

void pr_answers_keep(pr_answers *answers, const pr_answer_key *key, pr_response *resp,
                     atomic_size_t *budget_used, size_t budget, size_t extra)
{
    if (resp->status != 200 || !resp->cacheable || !resp->body_owned || !resp->body)
        return;
    size_t link_len = strlen(resp->link);
    size_t size = sizeof(entry) + key->len + link_len + 1;
    size_t cost = size + sizeof(pr_body) + resp->body->len + extra;
    if (!pr_budget_take(budget_used, budget, cost))
        return;
    entry *e = malloc(size);
    if (!e) {
        atomic_fetch_sub(budget_used, cost);
        return;
    }
    *e = (entry){.hash = key->hash,
                 .body = (pr_body *)resp->body,
                 .content_type = resp->content_type,
                 .key_len = key->len,
                 .link_len = link_len};
    memcpy(e->data, key->bytes, key->len);
    memcpy(e->data + key->len, resp->link, link_len + 1);
    for (size_t i = 0; i < MAX_PROBES; i++) {
        entry *_Atomic *slot = &answers->slots[(key->hash + i) & answers->mask];
        entry *seen = NULL;
        if (atomic_compare_exchange_strong_explicit(slot, &seen, e, memory_order_acq_rel,
                                                    memory_order_acquire)) {
            resp->body_owned = false;
            return;
        }
        if (same_key(seen, key))
            break; /* another thread kept the same answer first */
    }
    /* no room near its slot, or already kept: the response keeps its body */
    atomic_fetch_sub(budget_used, cost);
    free(e);
}

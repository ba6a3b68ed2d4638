/* check_manifest.c: a check of many entries at once (check.h): each
 * entry's verdict, then the clashes between entries of one scope. */
#include <stdlib.h>
#include <string.h>

#include "check_internal.h"
#include "internal.h"

static const char *scope_of(const pr_check_entry *e)
{
    return e->origin && e->origin->scope ? e->origin->scope : e->scope;
}

static bool same_scope(const pr_check_entry *a, const pr_check_entry *b)
{
    const char *x = scope_of(a), *y = scope_of(b);
    return (!x && !y) || (x && y && strcmp(x, y) == 0);
}

/* "service db, ports[1] (compose.yaml:12)", or "entry 3" without a source. */
static void describe_entry(const pr_check_entry *e, size_t i, char *out, size_t size)
{
    const pr_origin *s = e->origin;
    if (!s)
        pr_textf(out, size, "entry %zu", i);
    else
        pr_textf(out, size, "%s (%s:%u)", s->where ? s->where : "an entry", s->file, s->line);
}

/* The clash, as a reason on entry `self` of the pair: the first clash of
 * an entry is its reason; more are in the manifest's list. */
static void clash_reason(pr_manifest *m, const pr_check_entry *entries, size_t self, size_t other,
                         bool same_port)
{
    pr_verdict *v = &m->verdicts[self];
    v->ok = false;
    for (unsigned i = 0; i < v->reason_count; i++)
        if (v->reasons[i].code == PR_REASON_CLASH)
            return;
    char who[320];
    describe_entry(&entries[other], other, who, sizeof who);
    const pr_check_entry *e = &entries[self];
    if (same_port)
        pr_check_add_reason(v, PR_REASON_CLASH, "%u/%s is also taken by %s", (unsigned)e->port,
                            pr_proto_name(e->proto), who);
    else
        pr_check_add_reason(v, PR_REASON_CLASH, "the name is also given to port %u by %s",
                            (unsigned)entries[other].port, who);
}

int pr_check_manifest_judge(const pr_api *api, const pr_check_entry *entries, size_t n,
                            const pr_check_options *opt, pr_manifest *m)
{
    memset(m, 0, sizeof *m);
    m->verdicts = calloc(n + 1, sizeof *m->verdicts);
    size_t cap = 16;
    m->clashes = malloc(cap * sizeof *m->clashes);
    if (!m->verdicts || !m->clashes)
        goto oom;
    m->ok = true;
    for (size_t i = 0; i < n; i++) {
        if (pr_check_judge(api, &entries[i], opt, &m->verdicts[i]) != 0)
            goto oom;
        m->verdict_count++;
        m->ok = m->ok && m->verdicts[i].ok;
    }
    for (size_t i = 0; i < n; i++) {
        for (size_t j = i + 1; j < n; j++) {
            const pr_check_entry *a = &entries[i], *b = &entries[j];
            if (a->proto != b->proto || !same_scope(a, b))
                continue;
            bool same_port = a->port == b->port;
            if (!same_port && !(a->name && b->name && pr_check_same_name(a->name, b->name)))
                continue;
            if (m->clash_count == cap) {
                pr_clash *more = realloc(m->clashes, cap * 2 * sizeof *more);
                if (!more)
                    goto oom;
                m->clashes = more;
                cap *= 2;
            }
            pr_clash *c = &m->clashes[m->clash_count];
            const char *proto = pr_proto_name(a->proto);
            if (same_port) {
                pr_textf(c->message, sizeof c->message, "entries %zu and %zu both use %u/%s", i, j,
                         (unsigned)a->port, proto);
            } else {
                char q[96];
                pr_error_quote(a->name, strlen(a->name), 64, q, sizeof q);
                pr_textf(c->message, sizeof c->message,
                         "entries %zu and %zu give the name %s two different ports for %s", i, j, q,
                         proto);
            }
            c->same_port = same_port;
            c->a = i;
            c->b = j;
            m->clash_count++;
            clash_reason(m, entries, i, j, same_port);
            clash_reason(m, entries, j, i, same_port);
        }
    }
    /* a port clash makes other ports worth suggesting */
    for (size_t i = 0; i < n; i++)
        if (m->verdicts[i].suggestion_count == 0)
            pr_check_suggest(api, opt, &m->verdicts[i]);
    m->ok = m->ok && m->clash_count == 0;
    return 0;
oom:
    pr_manifest_free(m);
    return -1;
}

void pr_manifest_free(pr_manifest *m)
{
    for (size_t i = 0; m->verdicts && i < m->verdict_count; i++)
        pr_verdict_free(&m->verdicts[i]);
    free(m->verdicts);
    free(m->clashes);
    memset(m, 0, sizeof *m);
}

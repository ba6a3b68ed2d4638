/* yamltree.c: libyaml's events into a bounded tree (see yamltree.h). */
#include "yamltree.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

typedef struct open_node {
    pr_yaml_node *node;
    size_t cap;
    char *anchor; /* registered once the node ends; NULL: none */
} open_node;

typedef struct anchor {
    const char *name;
    pr_yaml_node *node;
} anchor;

typedef struct loader {
    pr_yaml_tree *tree;
    open_node stack[PR_YAML_MAX_DEPTH + 1];
    size_t depth;
    anchor anchors[PR_YAML_MAX_ALIASES];
    size_t anchor_count, alias_count, node_count, docs_cap;
    char *err;
    size_t err_size;
} loader;

__attribute__((format(printf, 4, 5))) static void fail(loader *l, const yaml_mark_t *mark,
                                                       const char *what, const char *fmt, ...)
{
    (void)what;
    char text[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (n < 0)
        text[0] = '\0';
    if (mark)
        n = snprintf(l->err, l->err_size, "line %zu, column %zu: %s", mark->line + 1,
                     mark->column + 1, text);
    else
        n = snprintf(l->err, l->err_size, "%s", text);
    (void)n; /* a cut message is still the message's start */
}

static void *track(pr_yaml_tree *t, void *block)
{
    if (!block)
        return NULL;
    if (t->_block_count == t->_block_cap) {
        size_t cap = t->_block_cap ? t->_block_cap * 2 : 64;
        void **b = realloc(t->_blocks, cap * sizeof *b);
        if (!b) {
            free(block);
            return NULL;
        }
        t->_blocks = b;
        t->_block_cap = cap;
    }
    t->_blocks[t->_block_count++] = block;
    return block;
}

void pr_yaml_free(pr_yaml_tree *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->_block_count; i++)
        free(t->_blocks[i]);
    free(t->_blocks);
    free(t->docs);
    free(t);
}

static char *dup_text(loader *l, const unsigned char *s, size_t len)
{
    char *c = malloc(len + 1);
    if (c) {
        memcpy(c, s, len);
        c[len] = '\0';
    }
    return track(l->tree, c);
}

/* Adds a finished node where it belongs: into the open collection, or as
 * a document's root. false when out of memory. */
static bool place(loader *l, pr_yaml_node *n)
{
    if (l->depth == 0) {
        pr_yaml_tree *t = l->tree;
        if (t->doc_count == l->docs_cap) {
            size_t cap = l->docs_cap ? l->docs_cap * 2 : 4;
            pr_yaml_node **d = realloc(t->docs, cap * sizeof *d);
            if (!d)
                return false;
            t->docs = d;
            l->docs_cap = cap;
        }
        t->docs[t->doc_count++] = n;
        return true;
    }
    open_node *o = &l->stack[l->depth - 1];
    pr_yaml_node *c = o->node;
    if (c->count == o->cap) {
        size_t cap = o->cap ? o->cap * 2 : 8;
        pr_yaml_node **items = realloc(c->items, cap * sizeof *items);
        if (!items)
            return false;
        c->items = items;
        o->cap = cap;
    }
    c->items[c->count++] = n;
    return true;
}

static pr_yaml_node *new_node(loader *l, const yaml_event_t *ev, enum pr_yaml_type type)
{
    if (++l->node_count > PR_YAML_MAX_NODES) {
        fail(l, &ev->start_mark, NULL, "more than %d nodes", PR_YAML_MAX_NODES);
        return NULL;
    }
    pr_yaml_node *n = track(l->tree, calloc(1, sizeof *n));
    if (!n) {
        fail(l, NULL, NULL, "out of memory");
        return NULL;
    }
    n->type = type;
    n->line = (unsigned)ev->start_mark.line + 1;
    n->column = (unsigned)ev->start_mark.column + 1;
    return n;
}

static bool add_anchor(loader *l, const yaml_event_t *ev, const unsigned char *name,
                       pr_yaml_node *n)
{
    if (!name)
        return true;
    if (l->anchor_count == PR_YAML_MAX_ALIASES) {
        fail(l, &ev->start_mark, NULL, "more than %d anchors", PR_YAML_MAX_ALIASES);
        return false;
    }
    char *copy = dup_text(l, name, strlen((const char *)name));
    if (!copy) {
        fail(l, NULL, NULL, "out of memory");
        return false;
    }
    /* a later anchor of the same name hides the earlier (YAML 1.2 3.2.2.2) */
    l->anchors[l->anchor_count++] = (anchor){copy, n};
    return true;
}

static bool on_event(loader *l, const yaml_event_t *ev)
{
    pr_yaml_node *n;
    switch (ev->type) {
    case YAML_SCALAR_EVENT:
        if (!(n = new_node(l, ev, PR_YAML_SCALAR)))
            return false;
        n->value = dup_text(l, ev->data.scalar.value, ev->data.scalar.length);
        n->len = ev->data.scalar.length;
        n->plain = ev->data.scalar.plain_implicit && !ev->data.scalar.tag;
        if (!n->value || !place(l, n)) {
            fail(l, NULL, NULL, "out of memory");
            return false;
        }
        return add_anchor(l, ev, ev->data.scalar.anchor, n);
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT: {
        if (l->depth == PR_YAML_MAX_DEPTH) {
            fail(l, &ev->start_mark, NULL, "nested more than %d collections deep",
                 PR_YAML_MAX_DEPTH);
            return false;
        }
        bool seq = ev->type == YAML_SEQUENCE_START_EVENT;
        if (!(n = new_node(l, ev, seq ? PR_YAML_SEQUENCE : PR_YAML_MAPPING)))
            return false;
        const unsigned char *a =
            seq ? ev->data.sequence_start.anchor : ev->data.mapping_start.anchor;
        char *name = a ? dup_text(l, a, strlen((const char *)a)) : NULL;
        if (a && !name) {
            fail(l, NULL, NULL, "out of memory");
            return false;
        }
        l->stack[l->depth++] = (open_node){n, 0, name};
        return true;
    }
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT: {
        open_node o = l->stack[--l->depth];
        /* the items array is tracked only now, once it stops moving */
        if (o.node->items && !track(l->tree, o.node->items)) {
            o.node->items = NULL;
            fail(l, NULL, NULL, "out of memory");
            return false;
        }
        if (!place(l, o.node)) {
            fail(l, NULL, NULL, "out of memory");
            return false;
        }
        return add_anchor(l, ev, (const unsigned char *)o.anchor, o.node);
    }
    case YAML_ALIAS_EVENT: {
        if (++l->alias_count > PR_YAML_MAX_ALIASES) {
            fail(l, &ev->start_mark, NULL, "more than %d aliases", PR_YAML_MAX_ALIASES);
            return false;
        }
        const char *name = (const char *)ev->data.alias.anchor;
        for (size_t i = l->anchor_count; i-- > 0;)
            if (strcmp(l->anchors[i].name, name) == 0) {
                if (!place(l, l->anchors[i].node)) {
                    fail(l, NULL, NULL, "out of memory");
                    return false;
                }
                return true;
            }
        fail(l, &ev->start_mark, NULL, "the alias *%.60s names no anchor before it", name);
        return false;
    }
    case YAML_DOCUMENT_START_EVENT:
        /* anchors are local to their document (YAML 1.2 9.1) */
        l->anchor_count = 0;
        if (l->tree->doc_count >= PR_YAML_MAX_DOCS) {
            fail(l, &ev->start_mark, NULL, "more than %d documents", PR_YAML_MAX_DOCS);
            return false;
        }
        return true;
    default:
        return true;
    }
}

pr_yaml_tree *pr_yaml_load(const char *text, size_t len, char *err, size_t err_size)
{
    loader l = {.err = err, .err_size = err_size};
    err[0] = '\0';
    if (len > PR_YAML_MAX_BYTES) {
        fail(&l, NULL, NULL, "%zu bytes, over the limit of %d", len, PR_YAML_MAX_BYTES);
        return NULL;
    }
    l.tree = calloc(1, sizeof *l.tree);
    yaml_parser_t parser;
    if (!l.tree || !yaml_parser_initialize(&parser)) {
        free(l.tree);
        fail(&l, NULL, NULL, "out of memory");
        return NULL;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    bool ok = true, done = false;
    while (ok && !done) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev)) {
            if (parser.error == YAML_MEMORY_ERROR)
                fail(&l, NULL, NULL, "out of memory");
            else
                fail(&l, &parser.problem_mark, NULL, "%s%s%s",
                     parser.problem ? parser.problem : "not YAML", parser.context ? " " : "",
                     parser.context ? parser.context : "");
            ok = false;
            break;
        }
        done = ev.type == YAML_STREAM_END_EVENT;
        ok = on_event(&l, &ev);
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&parser);
    /* collections left open by an error own their items and anchor names
     * only through the stack: free them here */
    for (size_t i = 0; i < l.depth; i++)
        free(l.stack[i].node->items);
    if (!ok) {
        pr_yaml_free(l.tree);
        return NULL;
    }
    return l.tree;
}

static bool key_is(const pr_yaml_node *k, const char *key)
{
    return k->type == PR_YAML_SCALAR && strlen(key) == k->len && memcmp(k->value, key, k->len) == 0;
}

static const pr_yaml_node *get(const pr_yaml_node *map, const char *key, int hops)
{
    if (!map || map->type != PR_YAML_MAPPING)
        return NULL;
    for (size_t i = 0; i + 1 < map->count; i += 2)
        if (key_is(map->items[i], key))
            return map->items[i + 1];
    if (hops == 0)
        return NULL;
    /* "<<: *base" or "<<: [*a, *b]": earlier maps win (the merge key spec) */
    for (size_t i = 0; i + 1 < map->count; i += 2) {
        if (!key_is(map->items[i], "<<"))
            continue;
        const pr_yaml_node *m = map->items[i + 1];
        if (m->type == PR_YAML_MAPPING)
            return get(m, key, hops - 1);
        for (size_t k = 0; m->type == PR_YAML_SEQUENCE && k < m->count && k < 8; k++) {
            const pr_yaml_node *v = get(m->items[k], key, hops - 1);
            if (v)
                return v;
        }
    }
    return NULL;
}

const pr_yaml_node *pr_yaml_get(const pr_yaml_node *map, const char *key)
{
    /* at most 8 maps merged at each of 3 levels: lookups stay bounded
     * however the aliases are stacked */
    return get(map, key, 3);
}

bool pr_yaml_is_null(const pr_yaml_node *n)
{
    return n->type == PR_YAML_SCALAR && n->plain &&
           (n->len == 0 || strcmp(n->value, "~") == 0 || strcmp(n->value, "null") == 0 ||
            strcmp(n->value, "Null") == 0 || strcmp(n->value, "NULL") == 0);
}

bool pr_yaml_int(const pr_yaml_node *n, long min, long max, long *out)
{
    if (!n || n->type != PR_YAML_SCALAR || n->len == 0 || n->len > 12)
        return false;
    size_t i = n->value[0] == '-' || n->value[0] == '+';
    if (i == n->len)
        return false;
    long v = 0;
    for (; i < n->len; i++) {
        if (n->value[i] < '0' || n->value[i] > '9')
            return false;
        v = v * 10 + (n->value[i] - '0');
    }
    v = n->value[0] == '-' ? -v : v;
    if (v < min || v > max)
        return false;
    *out = v;
    return true;
}

/* export.c: services(5) and ip_local_reserved_ports (see export.h). */
#include "export.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build.h"

/* ---- a growing text buffer ---- */

typedef struct text {
    char *data;
    size_t len, cap;
    bool failed;
    size_t col; /* the column the line has reached, tabs counted to stops of 8 */
} text;

static void put(text *t, const char *s, size_t n)
{
    if (t->failed)
        return;
    if (n + 1 > t->cap - t->len) {
        size_t cap = t->cap ? t->cap : 4096;
        while (n + 1 > cap - t->len)
            cap *= 2;
        char *data = realloc(t->data, cap);
        if (!data) {
            t->failed = true;
            return;
        }
        t->data = data;
        t->cap = cap;
    }
    memcpy(t->data + t->len, s, n);
    t->len += n;
    t->data[t->len] = '\0';
    for (size_t i = 0; i < n; i++)
        t->col = s[i] == '\n' ? 0 : s[i] == '\t' ? (t->col / 8 + 1) * 8 : t->col + 1;
}

static void puts_(text *t, const char *s)
{
    put(t, s, strlen(s));
}

/* At least one tab, then more until column `to`. */
static void tab_to(text *t, size_t to)
{
    do
        put(t, "\t", 1);
    while (t->col < to && !t->failed);
}

static char *finish(text *t, size_t *len)
{
    if (t->failed || !t->data) {
        free(t->data);
        return NULL;
    }
    if (len)
        *len = t->len;
    return t->data;
}

/* ---- services(5) ---- */

/* services(5): fields are separated by whitespace and '#' starts a comment */
static bool name_writable(const char *name)
{
    if (!name[0])
        return false;
    for (const char *c = name; *c; c++)
        if (*c == ' ' || *c == '\t' || *c == '\n' || *c == '\r' || *c == '#' || *c == '\v' ||
            *c == '\f')
            return false;
    return true;
}

typedef struct entry {
    uint16_t port;
    uint8_t proto;
    uint32_t layer;
    uint32_t record;
} entry;

static int entry_cmp(const void *a, const void *b)
{
    const entry *x = a, *y = b;
    if (x->port != y->port)
        return x->port < y->port ? -1 : 1;
    if (x->proto != y->proto)
        return x->proto < y->proto ? -1 : 1;
    if (x->layer != y->layer)
        return x->layer < y->layer ? -1 : 1;
    return x->record < y->record ? -1 : x->record > y->record;
}

/* The names written so far, per protocol: open addressing over a table
 * twice the size of the entries, keyed by the lower-cased name. */
typedef struct name_set {
    const char **names;
    uint8_t *protos;
    size_t size; /* a power of two */
} name_set;

static uint64_t name_hash(const char *name, uint8_t proto)
{
    uint64_t h = 1469598103934665603ull ^ proto;
    for (const char *c = name; *c; c++) {
        h ^= (uint64_t)prd_ascii_lower((unsigned char)*c);
        h *= 1099511628211ull;
    }
    return h;
}

static bool same_name(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (prd_ascii_lower((unsigned char)*a) != prd_ascii_lower((unsigned char)*b))
            return false;
    return *a == *b;
}

/* Adds name/proto; false when it was there already. */
static bool name_set_add(name_set *s, const char *name, uint8_t proto)
{
    size_t i = (size_t)name_hash(name, proto) & (s->size - 1);
    while (s->names[i]) {
        if (s->protos[i] == proto && same_name(s->names[i], name))
            return false;
        i = (i + 1) & (s->size - 1);
    }
    s->names[i] = name;
    s->protos[i] = proto;
    return true;
}

/* The description on one line: line breaks, tabs and runs of spaces become
 * one space, and none is left at either end. */
static void put_one_line(text *t, const char *s)
{
    bool space = false, any = false;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f') {
            space = any;
            continue;
        }
        if (space)
            put(t, " ", 1);
        space = false;
        any = true;
        put(t, s, 1);
    }
}

static bool has_text(const char *s)
{
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r' && *s != '\v' && *s != '\f')
            return true;
    return false;
}

static void put_header(text *t, const pr_export_layer *layers, size_t layer_count,
                       const char *updated)
{
    puts_(t, "# Network services, Internet style\n#\n# Written by portreg from:\n");
    for (size_t l = 0; l < layer_count; l++) {
        if (!layers[l].count && l > 0)
            continue; /* a layer with nothing in it is not a source */
        puts_(t, "#   ");
        puts_(t, layers[l].title);
        if (l == 0 && updated && updated[0]) {
            puts_(t, ", updated ");
            puts_(t, updated);
        }
        puts_(t, "\n");
    }
    puts_(t, "#\n"
             "# One line per port and protocol that has a name: the first name is the\n"
             "# line's, the others are its aliases. Each name appears once per protocol,\n"
             "# at its lowest port, as getservbyname(3) returns the first line only.\n"
             "# A range is written at its first port, with the range in the comment.\n"
             "# Records without a protocol or a port number are left out.\n\n");
}

/* One line: the entries [from, to) share a port and protocol. */
static void put_line(text *t, const pr_export_layer *layers, const entry *group, size_t n,
                     name_set *seen)
{
    const pr_record *first = NULL;
    bool aliases = false;
    for (size_t i = 0; i < n; i++) {
        const pr_record *r = &layers[group[i].layer].records[group[i].record];
        if (!name_set_add(seen, r->service, group[i].proto))
            continue;
        if (!first) {
            first = r;
            char where[24];
            snprintf(where, sizeof where, "%u/%s", (unsigned)group[i].port,
                     pr_proto_name((enum pr_proto)group[i].proto));
            puts_(t, r->service);
            tab_to(t, 16);
            puts_(t, where);
        } else {
            if (!aliases)
                tab_to(t, 32);
            else
                put(t, " ", 1);
            aliases = true;
            puts_(t, r->service);
        }
    }
    if (!first)
        return; /* every name here was written at a lower port */
    bool range = first->is_range && first->port_last != first->port_first;
    if (has_text(first->description) || range) {
        if (!aliases)
            tab_to(t, 32);
        tab_to(t, 48);
        puts_(t, "# ");
        put_one_line(t, first->description);
        if (range) {
            char span[32];
            snprintf(span, sizeof span, "%s(ports %u-%u)", has_text(first->description) ? " " : "",
                     (unsigned)first->port_first, (unsigned)first->port_last);
            puts_(t, span);
        }
    }
    puts_(t, "\n");
}

char *pr_export_services(const pr_export_layer *layers, size_t layer_count, const char *updated,
                         size_t *len)
{
    size_t total = 0;
    for (size_t l = 0; l < layer_count; l++)
        total += layers[l].count;
    entry *entries = malloc((total + 1) * sizeof *entries);
    name_set seen = {NULL, NULL, 16};
    while (seen.size < 2 * total)
        seen.size *= 2;
    seen.names = calloc(seen.size, sizeof *seen.names);
    seen.protos = calloc(seen.size, 1);
    text t = {0};
    if (!entries || !seen.names || !seen.protos) {
        t.failed = true;
        goto done;
    }
    size_t n = 0;
    for (size_t l = 0; l < layer_count; l++)
        for (uint32_t i = 0; i < layers[l].count; i++) {
            const pr_record *r = &layers[l].records[i];
            if (r->has_port && r->proto != PR_PROTO_NONE && name_writable(r->service))
                entries[n++] = (entry){r->port_first, r->proto, (uint32_t)l, i};
        }
    qsort(entries, n, sizeof *entries, entry_cmp);
    put_header(&t, layers, layer_count, updated);
    for (size_t i = 0; i < n && !t.failed;) {
        size_t j = i + 1;
        while (j < n && entries[j].port == entries[i].port && entries[j].proto == entries[i].proto)
            j++;
        put_line(&t, layers, entries + i, j - i, &seen);
        i = j;
    }
done:
    free(entries);
    free(seen.names);
    free(seen.protos);
    return finish(&t, len);
}

/* ---- ip_local_reserved_ports ---- */

char *pr_export_reserved_ports(const pr_registry *reg, const pr_service_name *const *names,
                               size_t name_count)
{
    uint8_t *taken = calloc(65536 / 8, 1);
    if (!taken)
        return NULL;
    for (size_t k = 0; k < name_count; k++)
        for (uint32_t i = 0; i < names[k]->records.count; i++) {
            const pr_record *r = &reg->records[reg->name_records[names[k]->records.first + i]];
            if (!r->has_port)
                continue;
            for (uint32_t p = r->port_first; p <= r->port_last; p++)
                taken[p / 8] |= (uint8_t)(1u << (p % 8));
        }
    text t = {0};
    puts_(&t, ""); /* "" rather than NULL when nothing is taken */
    bool first = true;
    for (uint32_t p = 0; p < 65536 && !t.failed;) {
        if (!(taken[p / 8] & (1u << (p % 8)))) {
            p++;
            continue;
        }
        uint32_t q = p;
        while (q + 1 < 65536 && (taken[(q + 1) / 8] & (1u << ((q + 1) % 8))))
            q++;
        char item[16];
        int w = q == p ? snprintf(item, sizeof item, "%s%u", first ? "" : ",", (unsigned)p)
                       : snprintf(item, sizeof item, "%s%u-%u", first ? "" : ",", (unsigned)p,
                                  (unsigned)q);
        if (w > 0 && (size_t)w < sizeof item)
            put(&t, item, (size_t)w);
        first = false;
        p = q + 1;
    }
    free(taken);
    return finish(&t, NULL);
}

/* deploy.c: inputs of a check: kind detection, the JSON manifest, and the
 * set of entries the readers fill (see deploy.h). */
#include "deploy.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv_table.h"
#include "deploy_internal.h"
#include "error.h"

void pr_deploy_init(pr_deploy_set *set, size_t max_entries)
{
    memset(set, 0, sizeof *set);
    set->max_entries = max_entries;
}

void pr_deploy_free(pr_deploy_set *set)
{
    prd_kube_free(set);
    for (size_t i = 0; i < set->_string_count; i++)
        free(set->_strings[i]);
    free(set->_strings);
    free(set->entries);
    free(set->origins);
    memset(set, 0, sizeof *set);
}

void pr_deploy_finish(pr_deploy_set *set)
{
    for (size_t i = 0; i < set->count; i++)
        set->entries[i].origin = set->origins[i].file ? &set->origins[i] : NULL;
    prd_kube_link(set);
}

static char *keep(pr_deploy_set *set, const char *text, size_t len)
{
    if (set->_string_count == set->_string_cap) {
        size_t cap = set->_string_cap ? set->_string_cap * 2 : 64;
        char **s = realloc(set->_strings, cap * sizeof *s);
        if (!s)
            return NULL;
        set->_strings = s;
        set->_string_cap = cap;
    }
    char *c = malloc(len + 1);
    if (!c)
        return NULL;
    memcpy(c, text, len);
    c[len] = '\0';
    set->_strings[set->_string_count++] = c;
    return c;
}

int prd_fail(prd_reader *r, const pr_yaml_node *at, const char *fmt, ...)
{
    char text[400];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (n < 0)
        text[0] = '\0';
    if (at)
        snprintf(r->err, r->err_size, "%s:%u:%u: %s", r->file, at->line, at->column, text);
    else
        snprintf(r->err, r->err_size, "%s: %s", r->file, text);
    return -1;
}

const char *prd_intern(prd_reader *r, const char *text, size_t len)
{
    const char *c = keep(r->set, text, len);
    if (!c)
        prd_fail(r, NULL, "out of memory");
    return c;
}

void *prd_alloc(prd_reader *r, size_t size)
{
    pr_deploy_set *set = r->set;
    if (set->_string_count == set->_string_cap) {
        size_t cap = set->_string_cap ? set->_string_cap * 2 : 64;
        char **s = realloc(set->_strings, cap * sizeof *s);
        if (!s) {
            prd_fail(r, NULL, "out of memory");
            return NULL;
        }
        set->_strings = s;
        set->_string_cap = cap;
    }
    char *p = calloc(1, size ? size : 1);
    if (!p) {
        prd_fail(r, NULL, "out of memory");
        return NULL;
    }
    set->_strings[set->_string_count++] = p;
    return p;
}

const char *prd_internf(prd_reader *r, const char *fmt, ...)
{
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    /* names inside are quoted and bounded, so a cut is rare; it cuts on a
     * character boundary all the same */
    size_t len = (size_t)n < sizeof text ? (size_t)n : pr_utf8_cut(text, sizeof text - 1);
    return prd_intern(r, text, len);
}

static int grow(pr_deploy_set *set)
{
    if (set->count < set->_cap)
        return 0;
    size_t cap = set->_cap ? set->_cap * 2 : 32;
    pr_check_entry *e = realloc(set->entries, cap * sizeof *e);
    if (!e)
        return -1;
    set->entries = e;
    pr_origin *s = realloc(set->origins, cap * sizeof *s);
    if (!s)
        return -1;
    set->origins = s;
    set->_cap = cap;
    return 0;
}

static const char *copy_or_null(pr_deploy_set *set, const char *s, bool *ok)
{
    if (!s)
        return NULL;
    const char *c = keep(set, s, strlen(s));
    *ok = *ok && c;
    return c;
}

int pr_deploy_add(pr_deploy_set *set, const pr_check_entry *entry, const pr_origin *source)
{
    if (set->count >= set->max_entries || grow(set) != 0)
        return -1;
    bool ok = true;
    pr_check_entry e = *entry;
    pr_origin s = source ? *source : (pr_origin){0};
    e.name = copy_or_null(set, e.name, &ok);
    e.scope = copy_or_null(set, e.scope, &ok);
    e.target_port_problem = copy_or_null(set, e.target_port_problem, &ok);
    e.origin = NULL;
    s.file = copy_or_null(set, s.file, &ok);
    s.where = copy_or_null(set, s.where, &ok);
    s.owner = copy_or_null(set, s.owner, &ok);
    s.scope = copy_or_null(set, s.scope, &ok);
    if (!ok)
        return -1;
    set->entries[set->count] = e;
    set->origins[set->count] = s;
    set->count++;
    return 0;
}

int prd_add(prd_reader *r, const pr_check_entry *e, const pr_yaml_node *at, const char *where,
            const char *owner, const char *scope)
{
    if (r->set->count >= r->set->max_entries)
        return prd_fail(r, at, "more than %zu ports in all: split the check", r->set->max_entries);
    pr_origin s = {.file = r->file,
                   .line = at ? at->line : 0,
                   .column = at ? at->column : 0,
                   .where = where,
                   .owner = owner,
                   .scope = scope};
    if (pr_deploy_add(r->set, e, &s) != 0)
        return prd_fail(r, NULL, "out of memory");
    return 0;
}

const char *prd_text(const pr_yaml_node *n, size_t max)
{
    if (!n || n->type != PR_YAML_SCALAR || n->len == 0 || n->len > max ||
        strlen(n->value) != n->len)
        return NULL;
    return n->value;
}

bool prd_proto(const char *text, size_t len, enum pr_proto *out)
{
    return pr_proto_parse(text, len, out);
}

const char *prd_name(prd_reader *r, const pr_yaml_node *n, bool *ok)
{
    *ok = true;
    if (!n || pr_yaml_is_null(n))
        return NULL;
    const char *t = prd_text(n, PR_MAX_NAME_BYTES);
    if (!t || !pr_utf8_valid(t, n->len, NULL)) {
        *ok = false;
        prd_fail(r, n, "a port name must be text of 1 to %d bytes", PR_MAX_NAME_BYTES);
    }
    return t;
}

/* POST /v1/check's body: [{port, protocol, name}, ...], here with lines. */
static int read_manifest(prd_reader *r, const pr_yaml_node *doc)
{
    for (size_t i = 0; i < doc->count; i++) {
        const pr_yaml_node *item = doc->items[i];
        if (item->type != PR_YAML_MAPPING)
            return prd_fail(r, item, "entry %zu: must be an object {port, protocol, name}", i);
        for (size_t k = 0; k < item->count; k += 2) {
            const char *key = prd_text(item->items[k], 16);
            if (!key || (strcmp(key, "port") && strcmp(key, "protocol") && strcmp(key, "name") &&
                         strcmp(key, "scope")))
                return prd_fail(r, item->items[k],
                                "entry %zu: unknown key (an entry has port, protocol, name and "
                                "scope)",
                                i);
        }
        const pr_yaml_node *port = pr_yaml_get(item, "port"),
                           *proto = pr_yaml_get(item, "protocol");
        long p;
        pr_check_entry e = {0};
        if (!pr_yaml_int(port, 0, 65535, &p))
            return prd_fail(r, port ? port : item,
                            "entry %zu: port must be an integer from 0 to 65535", i);
        const char *pt = prd_text(proto, 8);
        if (!pt || !pr_proto_parse(pt, strlen(pt), &e.proto))
            return prd_fail(r, proto ? proto : item,
                            "entry %zu: protocol must be one of tcp, udp, sctp, dccp", i);
        bool ok;
        e.port = (uint16_t)p;
        e.name = prd_name(r, pr_yaml_get(item, "name"), &ok);
        if (!ok)
            return -1;
        /* the user's grouping: entries clash only inside one scope */
        const pr_yaml_node *sc = pr_yaml_get(item, "scope");
        const char *scope = NULL;
        if (sc && !pr_yaml_is_null(sc) && !(scope = prd_text(sc, PR_MAX_NAME_BYTES)))
            return prd_fail(r, sc, "entry %zu: scope must be text of 1 to %d bytes", i,
                            PR_MAX_NAME_BYTES);
        const char *where = prd_internf(r, "entry %zu", i);
        if (!where || prd_add(r, &e, port, where, NULL, scope) != 0)
            return -1;
    }
    return 0;
}

static bool has_key(const pr_yaml_node *doc, const char *key)
{
    return pr_yaml_get(doc, key) != NULL;
}

int pr_deploy_read(pr_deploy_set *set, const char *file, const char *text, size_t len, char *err,
                   size_t err_size)
{
    prd_reader r = {.set = set, .file = file, .err = err, .err_size = err_size};
    err[0] = '\0';
    char yerr[300];
    pr_yaml_tree *tree = pr_yaml_load(text, len, yerr, sizeof yerr);
    if (!tree)
        return prd_fail(&r, NULL, "not readable YAML: %s", yerr);
    /* reports are UTF-8 text (JSON, SARIF, XML): a file name that is not
     * is shown with '?' for each byte that breaks it */
    char shown[1024];
    size_t len_shown = strlen(file) < sizeof shown - 1 ? strlen(file) : sizeof shown - 1;
    memcpy(shown, file, len_shown);
    shown[len_shown] = '\0';
    size_t bad;
    while (!pr_utf8_valid(shown, len_shown, &bad) && bad < len_shown)
        shown[bad] = '?';
    const char *kept = prd_intern(&r, shown, len_shown);
    if (!kept) {
        pr_yaml_free(tree);
        return -1;
    }
    r.file = kept;
    int rc = 0;
    size_t read = 0;
    for (size_t d = 0; rc == 0 && d < tree->doc_count; d++) {
        const pr_yaml_node *doc = tree->docs[d];
        if (pr_yaml_is_null(doc))
            continue; /* "---" with nothing after it, as Helm writes */
        read++;
        if (doc->type == PR_YAML_SEQUENCE)
            rc = read_manifest(&r, doc);
        else if (has_key(doc, "apiVersion") && has_key(doc, "kind"))
            rc = prd_read_kube(&r, doc);
        else if (has_key(doc, "services"))
            rc = prd_read_compose(&r, doc);
        else
            rc = prd_fail(&r, doc,
                          "unknown kind: neither a compose file (services:), a Kubernetes "
                          "object (apiVersion: and kind:) nor a JSON manifest ([{port, "
                          "protocol, name}])");
    }
    if (rc == 0 && read == 0)
        rc = prd_fail(&r, NULL, "empty: no compose file, Kubernetes object or JSON manifest in it");
    pr_yaml_free(tree);
    return rc;
}

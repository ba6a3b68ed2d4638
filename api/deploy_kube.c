/* deploy_kube.c: the ports of Kubernetes objects (see deploy.h for the
 * policy): a Service's ports and nodePorts; the containerPorts and
 * hostPorts of the pod template of a Pod, Deployment, StatefulSet,
 * DaemonSet, ReplicaSet, ReplicationController, Job or CronJob; the
 * objects of a List. Other kinds carry no ports and are passed over. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv_table.h"
#include "deploy_internal.h"

typedef struct object {
    const char *kind, *name, *ns; /* interned */
    const char *owner;            /* "Deployment api" */
} object;

/* ---- what prd_kube_link matches: Services' named targetPorts against
 * the container ports of the pod templates their selectors select ---- */

/* Past these, the set keeps no more and judges no targetPort name at all
 * (deploy.h): the matching costs targets x pods, and must stay bounded
 * whatever the input. */
#define PRD_KUBE_MAX_PODS    4096
#define PRD_KUBE_MAX_TARGETS 1000
#define PRD_KUBE_MAX_PORTS   16384
#define PRD_KUBE_MAX_LABELS  64 /* a selector or a template's labels */

typedef struct labels {
    const char **kv; /* key, value, key, value...; interned */
    size_t n;        /* pairs */
} labels;

typedef struct target {
    size_t entry; /* the Service port's entry in the set */
    const char *ns, *name;
    enum pr_proto proto;
    unsigned line, column; /* of the targetPort */
    labels selector;
} target;

typedef struct pod {
    const char *ns, *owner;
    labels labels;
    size_t first_port, port_count; /* in kube_links.ports */
} pod;

typedef struct named_port {
    const char *name;
    enum pr_proto proto;
} named_port;

typedef struct kube_links {
    target *targets;
    size_t target_count, target_cap;
    pod *pods;
    size_t pod_count, pod_cap;
    named_port *ports;
    size_t port_count, port_cap;
    bool overflow; /* a limit was passed: judge no name */
} kube_links;

static kube_links *links_of(prd_reader *r)
{
    if (!r->set->_kube) {
        r->set->_kube = calloc(1, sizeof(kube_links));
        if (!r->set->_kube)
            prd_fail(r, NULL, "out of memory");
    }
    return r->set->_kube;
}

/* Room for one more of an array of `size`-byte items, up to max items:
 * 1, or 0 when max is reached, or -1 when out of memory. */
static int room(void **items, size_t *cap, size_t count, size_t size, size_t max)
{
    if (count >= max)
        return 0;
    if (count < *cap)
        return 1;
    size_t more = *cap ? *cap * 2 : 16;
    void *p = realloc(*items, more * size);
    if (!p)
        return -1;
    *items = p;
    *cap = more;
    return 1;
}

/* A label map (a selector or metadata.labels) into out, its strings
 * interned. false, with out empty, when it is not a mapping of scalars
 * or holds more than PRD_KUBE_MAX_LABELS pairs; -1 only out of memory. */
static int read_labels(prd_reader *r, const pr_yaml_node *map, labels *out, bool *usable)
{
    *out = (labels){0};
    *usable = false;
    if (!map || map->type != PR_YAML_MAPPING || map->count / 2 > PRD_KUBE_MAX_LABELS)
        return 0;
    size_t n = map->count / 2;
    const char **kv = NULL;
    if (n) {
        kv = prd_alloc(r, 2 * n * sizeof *kv);
        if (!kv)
            return -1;
    }
    for (size_t i = 0; i < n; i++) {
        const pr_yaml_node *k = map->items[2 * i], *v = map->items[2 * i + 1];
        if (k->type != PR_YAML_SCALAR || v->type != PR_YAML_SCALAR || strlen(k->value) != k->len ||
            strlen(v->value) != v->len)
            return 0;
        /* `app:` with nothing after it is the empty value */
        bool empty = pr_yaml_is_null(v);
        kv[2 * i] = prd_intern(r, k->value, k->len);
        kv[2 * i + 1] = prd_intern(r, empty ? "" : v->value, empty ? 0 : v->len);
        if (!kv[2 * i] || !kv[2 * i + 1])
            return -1;
    }
    out->kv = kv;
    out->n = n;
    *usable = true;
    return 0;
}

static const char *label_value(const labels *l, const char *key)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->kv[2 * i], key) == 0)
            return l->kv[2 * i + 1];
    return NULL;
}

/* A Service's selector selects a pod when every one of its pairs is among
 * the pod's labels. */
static bool selects(const labels *selector, const labels *pod_labels)
{
    for (size_t i = 0; i < selector->n; i++) {
        const char *v = label_value(pod_labels, selector->kv[2 * i]);
        if (!v || strcmp(v, selector->kv[2 * i + 1]) != 0)
            return false;
    }
    return true;
}

static int keep_target(prd_reader *r, const target *t)
{
    kube_links *k = links_of(r);
    if (!k)
        return -1;
    int rc = room((void **)&k->targets, &k->target_cap, k->target_count, sizeof *k->targets,
                  PRD_KUBE_MAX_TARGETS);
    if (rc < 0)
        return prd_fail(r, NULL, "out of memory");
    if (rc == 0)
        k->overflow = true;
    else
        k->targets[k->target_count++] = *t;
    return 0;
}

/* Starts a pod template: its container ports follow by keep_port. */
static int keep_pod(prd_reader *r, const object *o, const pr_yaml_node *labels_node)
{
    kube_links *k = links_of(r);
    if (!k)
        return -1;
    pod p = {.ns = o->ns, .owner = o->owner, .first_port = k->port_count};
    bool usable;
    if (read_labels(r, labels_node, &p.labels, &usable) != 0)
        return -1;
    /* labels that could not be kept (too many) might be selected: rather
     * than call a name undeclared that such a pod declares, judge none */
    if (labels_node && labels_node->type == PR_YAML_MAPPING && !usable)
        k->overflow = true;
    int rc = room((void **)&k->pods, &k->pod_cap, k->pod_count, sizeof *k->pods, PRD_KUBE_MAX_PODS);
    if (rc < 0)
        return prd_fail(r, NULL, "out of memory");
    if (rc == 0)
        k->overflow = true;
    else
        k->pods[k->pod_count++] = p;
    return 0;
}

static int keep_port(prd_reader *r, const char *name, enum pr_proto proto)
{
    kube_links *k = links_of(r);
    if (!k)
        return -1;
    if (k->overflow || !k->pod_count)
        return 0;
    int rc =
        room((void **)&k->ports, &k->port_cap, k->port_count, sizeof *k->ports, PRD_KUBE_MAX_PORTS);
    if (rc < 0)
        return prd_fail(r, NULL, "out of memory");
    if (rc == 0) {
        k->overflow = true;
        return 0;
    }
    k->ports[k->port_count++] = (named_port){name, proto};
    k->pods[k->pod_count - 1].port_count++;
    return 0;
}

void prd_kube_free(pr_deploy_set *set)
{
    kube_links *k = set->_kube;
    if (!k)
        return;
    free(k->targets);
    free(k->pods);
    free(k->ports);
    free(k);
    set->_kube = NULL;
}

/* Appends to out[*used..size): false when it does not fit. */
__attribute__((format(printf, 4, 5))) static bool append(char *out, size_t size, size_t *used,
                                                         const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(out + *used, size - *used, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= size - *used)
        return false;
    *used += (size_t)n;
    return true;
}

/* "Deployment api (http/tcp, metrics/tcp)" for each selected pod template,
 * into out (size > 4); ends in "..." when out is too small. */
static void describe_selected(const kube_links *k, const target *t, char *out, size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    bool fits = true, first = true;
    for (size_t i = 0; fits && i < k->pod_count; i++) {
        const pod *p = &k->pods[i];
        if (strcmp(p->ns, t->ns) != 0 || !selects(&t->selector, &p->labels))
            continue;
        fits = append(out, size, &used, "%s%s (", first ? "" : "; ", p->owner);
        for (size_t j = 0; fits && j < p->port_count; j++) {
            const named_port *np = &k->ports[p->first_port + j];
            fits = append(out, size, &used, "%s%s/%s", j ? ", " : "", np->name,
                          pr_proto_name(np->proto));
        }
        fits = fits && append(out, size, &used, "%s)", p->port_count ? "" : "no named port");
        first = false;
    }
    if (!fits) /* names and owners may be any UTF-8: cut between characters */
        memcpy(out + pr_utf8_cut(out, size - 4), "...", 4);
}

void prd_kube_link(pr_deploy_set *set)
{
    kube_links *k = set->_kube;
    if (!k || k->overflow)
        return;
    for (size_t t = 0; t < k->target_count; t++) {
        const target *tg = &k->targets[t];
        size_t selected = 0;
        bool declared = false;
        for (size_t i = 0; i < k->pod_count && !declared; i++) {
            const pod *p = &k->pods[i];
            if (strcmp(p->ns, tg->ns) != 0 || !selects(&tg->selector, &p->labels))
                continue;
            selected++;
            for (size_t j = 0; j < p->port_count && !declared; j++) {
                const named_port *np = &k->ports[p->first_port + j];
                declared = np->proto == tg->proto && strcmp(np->name, tg->name) == 0;
            }
        }
        if (!selected || declared || tg->entry >= set->count)
            continue;
        char pods[600], text[900];
        describe_selected(k, tg, pods, sizeof pods);
        int n = snprintf(text, sizeof text,
                         "targetPort \"%s\" (line %u, column %u) is no %s port of the pod "
                         "templates the selector selects: %s",
                         tg->name, tg->line, tg->column, pr_proto_name(tg->proto), pods);
        const char *kept = NULL;
        if (n > 0 && (size_t)n < sizeof text) {
            prd_reader r = {.set = set, .file = "", .err = text, .err_size = sizeof text};
            kept = prd_intern(&r, text, (size_t)n);
        }
        /* out of memory, the reason still stands, in fewer words */
        set->entries[tg->entry].target_port_problem =
            kept ? kept : "targetPort names no port of the pod templates the selector selects";
    }
}

/* A port number at node n, or an error naming the field. */
static int port_of(prd_reader *r, const pr_yaml_node *n, const char *where, const char *field,
                   long min, uint16_t *out)
{
    long v;
    if (!pr_yaml_int(n, min, 65535, &v))
        return prd_fail(r, n, "%s: %s must be a port number of %ld-65535", where, field, min);
    *out = (uint16_t)v;
    return 0;
}

/* protocol: TCP (the default), UDP or SCTP, in any case. */
static int proto_of(prd_reader *r, const pr_yaml_node *item, const char *where, enum pr_proto *out)
{
    const pr_yaml_node *p = pr_yaml_get(item, "protocol");
    *out = PR_PROTO_TCP;
    if (!p || pr_yaml_is_null(p))
        return 0;
    const char *t = prd_text(p, 8);
    if (!t || !prd_proto(t, strlen(t), out) || *out == PR_PROTO_DCCP)
        return prd_fail(r, p, "%s: protocol must be TCP, UDP or SCTP", where);
    return 0;
}

static int read_service(prd_reader *r, const object *o, const pr_yaml_node *spec)
{
    const pr_yaml_node *ports = pr_yaml_get(spec, "ports");
    if (!ports || pr_yaml_is_null(ports))
        return 0;
    if (ports->type != PR_YAML_SEQUENCE)
        return prd_fail(r, ports, "%s: spec.ports must be a list", o->owner);
    const char *scope = prd_internf(r, "namespace %s, Service %s", o->ns, o->name);
    if (!scope)
        return -1;
    /* an ExternalName Service, or one without a selector, has no endpoints
     * of selected pods: its targetPort names nothing to look up */
    labels selector;
    bool usable;
    const char *type = prd_text(pr_yaml_get(spec, "type"), 32);
    if (read_labels(r, pr_yaml_get(spec, "selector"), &selector, &usable) != 0)
        return -1;
    usable = usable && selector.n > 0 && !(type && strcmp(type, "ExternalName") == 0);
    for (size_t i = 0; i < ports->count; i++) {
        const pr_yaml_node *item = ports->items[i];
        const char *where = prd_internf(r, "%s, spec.ports[%zu]", o->owner, i);
        if (!where)
            return -1;
        if (item->type != PR_YAML_MAPPING)
            return prd_fail(r, item, "%s: must be a mapping", where);
        pr_check_entry e = {.use = PR_USE_VIRTUAL, .name_syntax_only = true};
        bool ok;
        const pr_yaml_node *port = pr_yaml_get(item, "port");
        if (port_of(r, port ? port : item, where, "port", 1, &e.port) != 0 ||
            proto_of(r, item, where, &e.proto) != 0)
            return -1;
        e.name = prd_name(r, pr_yaml_get(item, "name"), &ok);
        if (!ok || prd_add(r, &e, port, where, o->owner, scope) != 0)
            return -1;
        /* a targetPort by name names a container's port: Kubernetes refuses
         * the Service unless the name keeps RFC 6335's syntax */
        const pr_yaml_node *tp = pr_yaml_get(item, "targetPort");
        long number;
        if (tp && !pr_yaml_is_null(tp) && !pr_yaml_int(tp, 0, 65535, &number)) {
            const char *tname = prd_name(r, tp, &ok);
            char problem[200];
            if (!ok)
                return -1;
            if (pr_check_name_problem(tname, problem, sizeof problem))
                return prd_fail(r, tp,
                                "%s: targetPort %s (RFC 6335 5.1): Kubernetes refuses the Service",
                                where, problem);
            target t = {.entry = r->set->count - 1,
                        .ns = o->ns,
                        .name = prd_intern(r, tname, strlen(tname)),
                        .proto = e.proto,
                        .line = tp->line,
                        .column = tp->column,
                        .selector = selector};
            if (!t.name || (usable && keep_target(r, &t) != 0))
                return -1;
        }
        const pr_yaml_node *np = pr_yaml_get(item, "nodePort");
        if (!np || pr_yaml_is_null(np))
            continue;
        /* nodePort: 0 asks Kubernetes to pick one */
        long v;
        if (pr_yaml_int(np, 0, 0, &v))
            continue;
        const char *nwhere = prd_internf(r, "%s, spec.ports[%zu].nodePort", o->owner, i);
        if (!nwhere)
            return -1;
        e.use = PR_USE_NODE_PORT;
        if (port_of(r, np, nwhere, "nodePort", 1, &e.port) != 0 ||
            prd_add(r, &e, np, nwhere, o->owner, "the cluster's nodePorts") != 0)
            return -1;
    }
    return 0;
}

static int read_containers(prd_reader *r, const object *o, const pr_yaml_node *list,
                           const char *field, bool host_network, const char *pod_scope,
                           const char *host_scope)
{
    if (!list || pr_yaml_is_null(list))
        return 0;
    if (list->type != PR_YAML_SEQUENCE)
        return prd_fail(r, list, "%s: %s must be a list", o->owner, field);
    for (size_t c = 0; c < list->count; c++) {
        const pr_yaml_node *ctr = list->items[c];
        const char *cname = prd_text(pr_yaml_get(ctr, "name"), 128);
        const pr_yaml_node *ports = pr_yaml_get(ctr, "ports");
        if (!ports || pr_yaml_is_null(ports))
            continue;
        if (ports->type != PR_YAML_SEQUENCE)
            return prd_fail(r, ports, "%s: %s[%zu].ports must be a list", o->owner, field, c);
        for (size_t i = 0; i < ports->count; i++) {
            const pr_yaml_node *item = ports->items[i];
            const char *where =
                prd_internf(r, "%s, container %s, ports[%zu]", o->owner, cname ? cname : "?", i);
            if (!where)
                return -1;
            if (item->type != PR_YAML_MAPPING)
                return prd_fail(r, item, "%s: must be a mapping", where);
            const pr_yaml_node *cp = pr_yaml_get(item, "containerPort");
            pr_check_entry e = {.name_syntax_only = true};
            bool ok;
            if (port_of(r, cp ? cp : item, where, "containerPort", 1, &e.port) != 0 ||
                proto_of(r, item, where, &e.proto) != 0)
                return -1;
            e.name = prd_name(r, pr_yaml_get(item, "name"), &ok);
            if (!ok)
                return -1;
            /* the endpoints controller looks a targetPort name up among
             * the containers' ports only, not the init containers' */
            if (e.name && strcmp(field, "containers") == 0) {
                const char *kept = prd_intern(r, e.name, strlen(e.name));
                if (!kept || keep_port(r, kept, e.proto) != 0)
                    return -1;
            }
            /* with hostNetwork the container's port is the node's */
            e.use = host_network ? PR_USE_CHOICE : PR_USE_CLASH_ONLY;
            if (prd_add(r, &e, cp, where, o->owner, host_network ? host_scope : pod_scope) != 0)
                return -1;
            const pr_yaml_node *hp = pr_yaml_get(item, "hostPort");
            long zero;
            if (!hp || pr_yaml_is_null(hp) || pr_yaml_int(hp, 0, 0, &zero) || host_network)
                continue;
            const char *hwhere = prd_internf(r, "%s, container %s, ports[%zu].hostPort", o->owner,
                                             cname ? cname : "?", i);
            if (!hwhere)
                return -1;
            e.use = PR_USE_CHOICE;
            if (port_of(r, hp, hwhere, "hostPort", 1, &e.port) != 0 ||
                prd_add(r, &e, hp, hwhere, o->owner, host_scope) != 0)
                return -1;
        }
    }
    return 0;
}

/* A pod template: its labels (what selectors match) and its spec. */
static int read_pod_spec(prd_reader *r, const object *o, const pr_yaml_node *labels_node,
                         const pr_yaml_node *spec)
{
    if (spec && !pr_yaml_is_null(spec) && spec->type != PR_YAML_MAPPING)
        return prd_fail(r, spec, "%s: the pod spec must be a mapping", o->owner);
    if (keep_pod(r, o, labels_node) != 0)
        return -1;
    if (!spec || pr_yaml_is_null(spec))
        return 0;
    const pr_yaml_node *hn = pr_yaml_get(spec, "hostNetwork");
    bool host_network = hn && hn->type == PR_YAML_SCALAR && strcmp(hn->value, "true") == 0;
    const char *pod_scope = prd_internf(r, "namespace %s, %s %s", o->ns, o->kind, o->name);
    const char *host_scope = prd_internf(r, "namespace %s, host ports", o->ns);
    if (!pod_scope || !host_scope)
        return -1;
    if (read_containers(r, o, pr_yaml_get(spec, "initContainers"), "initContainers", host_network,
                        pod_scope, host_scope) != 0)
        return -1;
    return read_containers(r, o, pr_yaml_get(spec, "containers"), "containers", host_network,
                           pod_scope, host_scope);
}

static int read_object(prd_reader *r, const pr_yaml_node *doc, int depth)
{
    const pr_yaml_node *kind_node = pr_yaml_get(doc, "kind");
    const char *kind = prd_text(kind_node, 64);
    if (!kind)
        return prd_fail(r, kind_node ? kind_node : doc, "kind must be a name");
    if (strcmp(kind, "List") == 0 ||
        (strlen(kind) > 4 && !strcmp(kind + strlen(kind) - 4, "List"))) {
        const pr_yaml_node *items = pr_yaml_get(doc, "items");
        if (depth > 0)
            return prd_fail(r, doc, "a List inside a List");
        if (!items || pr_yaml_is_null(items))
            return 0;
        if (items->type != PR_YAML_SEQUENCE)
            return prd_fail(r, items, "items must be a list of objects");
        for (size_t i = 0; i < items->count; i++)
            if (read_object(r, items->items[i], depth + 1) != 0)
                return -1;
        return 0;
    }
    const pr_yaml_node *meta = pr_yaml_get(doc, "metadata");
    const char *name = prd_text(pr_yaml_get(meta, "name"), 253);
    const char *ns = prd_text(pr_yaml_get(meta, "namespace"), 63);
    object o;
    o.kind = prd_intern(r, kind, strlen(kind));
    o.name = prd_intern(r, name ? name : "(unnamed)", strlen(name ? name : "(unnamed)"));
    o.ns = prd_intern(r, ns ? ns : "default", strlen(ns ? ns : "default"));
    o.owner = o.kind && o.name ? prd_internf(r, "%s %s", o.kind, o.name) : NULL;
    if (!o.kind || !o.name || !o.ns || !o.owner)
        return -1;
    const pr_yaml_node *spec = pr_yaml_get(doc, "spec");
    if (!strcmp(kind, "Service"))
        return read_service(r, &o, spec);
    if (!strcmp(kind, "Pod"))
        return read_pod_spec(r, &o, pr_yaml_get(meta, "labels"), spec);
    const pr_yaml_node *tmpl = NULL;
    if (!strcmp(kind, "Deployment") || !strcmp(kind, "StatefulSet") || !strcmp(kind, "DaemonSet") ||
        !strcmp(kind, "ReplicaSet") || !strcmp(kind, "ReplicationController") ||
        !strcmp(kind, "Job"))
        tmpl = pr_yaml_get(spec, "template");
    else if (!strcmp(kind, "CronJob"))
        tmpl = pr_yaml_get(pr_yaml_get(pr_yaml_get(spec, "jobTemplate"), "spec"), "template");
    else
        return 0; /* a ConfigMap, an Ingress...: no ports of its own */
    return read_pod_spec(r, &o, pr_yaml_get(pr_yaml_get(tmpl, "metadata"), "labels"),
                         pr_yaml_get(tmpl, "spec"));
}

int prd_read_kube(prd_reader *r, const pr_yaml_node *doc)
{
    return read_object(r, doc, 0);
}

/* deploy_kube.c: the ports of Kubernetes objects (see deploy.h for the
 * policy): a Service's ports and nodePorts; the containerPorts and
 * hostPorts of the pod template of a Pod, Deployment, StatefulSet,
 * DaemonSet, ReplicaSet, ReplicationController, Job or CronJob; the
 * objects of a List. Other kinds carry no ports and are passed over. */
#include <stdio.h>
#include <string.h>

#include "deploy_internal.h"

typedef struct object {
    const char *kind, *name, *ns; /* interned */
    const char *owner;            /* "Deployment api" */
} object;

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

static int read_pod_spec(prd_reader *r, const object *o, const pr_yaml_node *spec)
{
    if (!spec || pr_yaml_is_null(spec))
        return 0;
    if (spec->type != PR_YAML_MAPPING)
        return prd_fail(r, spec, "%s: the pod spec must be a mapping", o->owner);
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
        return read_pod_spec(r, &o, spec);
    if (!strcmp(kind, "Deployment") || !strcmp(kind, "StatefulSet") || !strcmp(kind, "DaemonSet") ||
        !strcmp(kind, "ReplicaSet") || !strcmp(kind, "ReplicationController") ||
        !strcmp(kind, "Job"))
        return read_pod_spec(r, &o, pr_yaml_get(pr_yaml_get(spec, "template"), "spec"));
    if (!strcmp(kind, "CronJob"))
        return read_pod_spec(
            r, &o,
            pr_yaml_get(
                pr_yaml_get(pr_yaml_get(pr_yaml_get(spec, "jobTemplate"), "spec"), "template"),
                "spec"));
    return 0; /* a ConfigMap, an Ingress...: no ports of its own */
}

int prd_read_kube(prd_reader *r, const pr_yaml_node *doc)
{
    return read_object(r, doc, 0);
}

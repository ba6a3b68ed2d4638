/* deploy.h: the ports that deployment files choose, as check entries.
 *
 * Reads docker-compose files, Kubernetes manifests (one or many documents,
 * as `kubectl` or `helm template` write them) and the JSON manifest of
 * POST /v1/check, through libyaml (yamltree.h), keeping each port's file,
 * line and column. The kind of each document is read from its content: a
 * mapping with `services` is a compose file; one with `apiVersion` and
 * `kind` a Kubernetes object (`kind: List` holds objects in `items`); a
 * sequence of {port, protocol, name} a JSON manifest. Anything else is an
 * error, and so is a file with no document at all.
 *
 * The policy: what is a choice, what only may clash.
 *  - Choices, judged against the registry and the host hazards: a compose
 *    service's published ports (`ports`, short or long syntax, each port
 *    of a range); a Kubernetes Service's `port` (use PR_USE_VIRTUAL: on a
 *    cluster IP, so only the browser hazard applies) and `nodePort`
 *    (PR_USE_NODE_PORT: expected inside the NodePort range); a container's
 *    `hostPort`; and a container's `containerPort` when its pod has
 *    `hostNetwork: true` (then it is a host port).
 *  - Clash-only (PR_USE_CLASH_ONLY): the container side, compose `target`
 *    ports and `expose`, and Kubernetes `containerPort`s. They are nobody's
 *    choice of a host port; they clash only with each other. A compose
 *    container port listed twice in one service is one entry.
 *  - Names: a Kubernetes port name (and a compose long-syntax `name`) is a
 *    label checked against RFC 6335 5.1's syntax only (IANA_SVC_NAME), not
 *    against IANA's registrations. A Service's targetPort given by name
 *    that breaks that syntax is an error: Kubernetes refuses the Service.
 *  - A Service's targetPort given by name is looked up, as the endpoints
 *    controller does, among the `containers` ports (name and protocol) of
 *    the pod templates of all inputs in the Service's namespace whose
 *    labels its `selector` matches. When it selects some and none declares
 *    the name, the Service's port is not ok (PR_REASON_TARGET_PORT): the
 *    Service would have no endpoints there. No selector (or ExternalName),
 *    or no pod template selected among the inputs (the pods may come from
 *    elsewhere), leaves the name judged by its syntax only; so does an
 *    input with more pod templates or named targetPorts than are kept
 *    (PRD_KUBE_MAX_PODS, PRD_KUBE_MAX_TARGETS in deploy_kube.c).
 *  - Scopes, inside which two entries clash: published ports within one
 *    compose project (`name:` or the file's directory, as compose names
 *    it); container ports within one compose service or one pod template;
 *    hostPorts within one Kubernetes namespace; Service ports within one
 *    Service; nodePorts across the cluster (Kubernetes allocates them
 *    cluster-wide); a JSON manifest's entries by their "scope" key, as the
 *    user groups them. A host_ip does not narrow a scope.
 *  - Compose interpolation: "${VAR:-8080}" (or "${VAR-8080}") is judged as
 *    its default, the port the file chooses when nothing overrides it; a
 *    variable without a default is an error, as there is no port to judge.
 *
 * Ownership: a pr_deploy_set owns its entries, sources and every string
 * they point to; pr_deploy_free releases them. Entries point at their
 * sources only after pr_deploy_finish. Errors: -1 with "FILE:LINE:COLUMN:
 * problem" in the caller's buffer; the set keeps what earlier inputs
 * added. Threads: a set belongs to one thread. */
#ifndef PR_DEPLOY_H
#define PR_DEPLOY_H

#include <stddef.h>

#include "check.h"

#define PR_DEPLOY_MAX_ENTRIES 1000 /* ports of all inputs of one check, by default */

typedef struct pr_deploy_set {
    pr_check_entry *entries;
    pr_origin *origins; /* origins[i] describes entries[i] */
    size_t count;
    size_t max_entries;
    /* private */
    size_t _cap;
    char **_strings;
    size_t _string_count, _string_cap;
    void *_kube; /* what Services and pod templates declare (deploy_kube.c) */
} pr_deploy_set;

/* An empty set that refuses more than max_entries entries. */
void pr_deploy_init(pr_deploy_set *set, size_t max_entries);

/* Reads one input, text[0..len) named `file`, and adds its ports. */
int pr_deploy_read(pr_deploy_set *set, const char *file, const char *text, size_t len, char *err,
                   size_t err_size);

/* Adds one entry (a PORT/PROTOCOL argument), copying its strings. */
int pr_deploy_add(pr_deploy_set *set, const pr_check_entry *entry, const pr_origin *source);

/* Points every entry at its source and judges the Services' targetPort
 * names against the pod templates of all inputs read; call once all
 * inputs are read. Out of memory, a targetPort's problem is still given,
 * in a shorter sentence. */
void pr_deploy_finish(pr_deploy_set *set);

void pr_deploy_free(pr_deploy_set *set);

#endif

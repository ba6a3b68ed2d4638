/* deploy_internal.h: what the readers of deploy.c share (not public). */
#ifndef PR_DEPLOY_INTERNAL_H
#define PR_DEPLOY_INTERNAL_H

#include "deploy.h"
#include "yamltree.h"

typedef struct prd_reader {
    pr_deploy_set *set;
    const char *file; /* interned */
    char *err;
    size_t err_size;
} prd_reader;

/* Fills the error "FILE:LINE:COLUMN: problem" (at may be NULL) and
 * returns -1. */
int prd_fail(prd_reader *r, const pr_yaml_node *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A copy the set owns, or NULL (with the error filled) when out of memory. */
const char *prd_intern(prd_reader *r, const char *text, size_t len);
/* size zeroed bytes the set owns (freed with its strings), or NULL with
 * the error filled. */
void *prd_alloc(prd_reader *r, size_t size);
/* As prd_intern, of a formatted text of at most 511 bytes. */
const char *prd_internf(prd_reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Adds an entry found at node `at`; copies every string. 0 or -1. */
int prd_add(prd_reader *r, const pr_check_entry *e, const pr_yaml_node *at, const char *where,
            const char *owner, const char *scope);

/* A scalar's text, if the node is a non-empty scalar of at most max bytes. */
const char *prd_text(const pr_yaml_node *n, size_t max);

/* A protocol, any case ("TCP", "udp"). */
bool prd_proto(const char *text, size_t len, enum pr_proto *out);

/* A port name: a scalar of 1 to PR_MAX_NAME_BYTES bytes of UTF-8, or NULL
 * with the error filled (ok false). */
const char *prd_name(prd_reader *r, const pr_yaml_node *n, bool *ok);

int prd_read_compose(prd_reader *r, const pr_yaml_node *doc);
int prd_read_kube(prd_reader *r, const pr_yaml_node *doc);

/* After every input: sets target_port_problem on the Service ports whose
 * targetPort name no selected pod template declares (deploy.h). */
void prd_kube_link(pr_deploy_set *set);
/* Frees what prd_read_kube kept for prd_kube_link. */
void prd_kube_free(pr_deploy_set *set);

#endif

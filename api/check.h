/* check.h: is a port (and service name) a sound choice for a new service?
 *
 * The verdicts behind GET/POST /v1/check and `portreg check`: a port is not
 * ok in the system range (0-1023) or the dynamic range (49152-65535), when
 * reserved, or when assigned to another service; a name is not ok when it
 * breaks RFC 6335 section 5.1 or is registered on other ports. A service's
 * own registration (a record assigning the port carries the name) is ok,
 * even where IANA registered aliases on the same port (80/tcp: http, www).
 *
 * Ownership: every json_t returned is a new reference the caller owns; NULL
 * only on allocation failure, and then never a partial verdict: a verdict
 * missing a reason would read ok. Threads: all functions only read the pr_api
 * and may run concurrently. */
#ifndef PR_CHECK_H
#define PR_CHECK_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api.h"

#define PR_MAX_NAME_BYTES       64
#define PR_MAX_SUGGESTIONS      20
#define PR_DEFAULT_SUGGESTIONS  5
#define PR_MAX_MANIFEST_ENTRIES 100 /* the default of pr_api_config.max_manifest */

typedef struct pr_check_entry {
    uint16_t port;
    enum pr_proto proto; /* TCP, UDP, SCTP or DCCP */
    const char *name;    /* NUL-terminated, or NULL when not given */
} pr_check_entry;

typedef struct pr_check_options {
    bool both;        /* suggestions must be free for both tcp and udp */
    unsigned suggest; /* how many suggestions, at most PR_MAX_SUGGESTIONS */
} pr_check_options;

/* The Verdict object of openapi.yaml for one entry. */
json_t *pr_check_verdict(const pr_api *api, const pr_check_entry *entry,
                         const pr_check_options *opt);

/* The ManifestResult object: {"ok", "verdicts", "clashes"} for n entries. */
json_t *pr_check_manifest(const pr_api *api, const pr_check_entry *entries, size_t n,
                          const pr_check_options *opt);

/* Appends to `problems` (a JSON array) one sentence per RFC 6335 5.1 rule
 * that `name` breaks; returns how many it appended, or -1 when one could not
 * be appended (out of memory: the list is then incomplete). */
int pr_check_name_rules(const char *name, json_t *problems);

/* Is `port` unassigned for `proto` (and, with both, for tcp and udp)? Uses
 * the bitmaps built once by pr_api_new. */
bool pr_check_port_free(const pr_api *api, uint16_t port, enum pr_proto proto, bool both);

#endif

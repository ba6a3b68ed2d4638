/* check.h: is a port (and service name) a sound choice for a new service?
 *
 * The verdicts behind GET/POST /v1/check and `portreg check`: a port is not
 * ok in the system range (0-1023) or the dynamic range (49152-65535), when
 * reserved, or when assigned to another service; a name is not ok when it
 * breaks RFC 6335 section 5.1 or is registered on other ports. A service's
 * own registration (a record assigning the port carries the name) is ok,
 * even where IANA registered aliases on the same port (80/tcp: http, www).
 *
 * With the organization's plan loaded (plan.h), a port is also not ok when
 * an entry of the plan holds it for another team (or for any team, when
 * the check does not say who asks), or when it lies in another team's band.
 * The asker's own entry, and a port in its own band, are ok even where IANA
 * assigned the port: IANA's claim is then a note, and so is a service
 * name other than its entry's there (the port is the team's to give).
 *
 * A check builds a plain value (pr_verdict, pr_manifest): reason codes and
 * sentences, the records in conflict, the name's problems, suggestions.
 * JSON (pr_verdict_body, pr_manifest_body) and the command line's text are
 * two renderings of it; neither reads the other back.
 *
 * Ownership: a verdict or manifest owns its arrays; free it with
 * pr_verdict_free / pr_manifest_free (also after a failed build, which
 * leaves it empty). Every body returned is the caller's; NULL only on
 * failure, and then never a partial verdict: a verdict missing a reason
 * would read ok. Threads: all functions only read
 * the pr_api and may run concurrently. */
#ifndef PR_CHECK_H
#define PR_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api.h"

#define PR_MAX_NAME_BYTES       64
#define PR_MAX_SUGGESTIONS      20
#define PR_DEFAULT_SUGGESTIONS  5
#define PR_MAX_MANIFEST_ENTRIES 100 /* the default of pr_api_config.max_manifest */

/* How a deployment uses a port, which decides what is judged (the policy
 * is stated in deploy.h). Zero, a choice, is what a JSON manifest and the
 * query parameters give. */
enum pr_port_use {
    PR_USE_CHOICE,     /* judged against the registry, the hazards, and in clashes */
    PR_USE_NODE_PORT,  /* a Service's nodePort: a choice, inside the NodePort range */
    PR_USE_CLASH_ONLY, /* a container's own port: only clashes and the name's syntax */
    PR_USE_VIRTUAL,    /* a Service's port on its cluster IP: the registry, no host hazard but
                          the browsers' */
};

/* Where an entry came from, for the reports that point into files. */
typedef struct pr_origin {
    const char *file;      /* as given on the command line; "-" for standard input */
    unsigned line, column; /* 1-based; 0 when unknown */
    const char *where;     /* what in the file: "service web, ports[0]" */
    const char *owner;     /* the compose service or Kubernetes object: seeds suggestions */
    const char *scope;     /* clashes count only inside one scope; NULL: the default scope */
} pr_origin;

typedef struct pr_check_entry {
    uint16_t port;
    enum pr_proto proto; /* TCP, UDP, SCTP or DCCP */
    const char *name;    /* NUL-terminated, or NULL when not given */
    enum pr_port_use use;
    bool name_syntax_only;   /* the name is a label (Kubernetes): RFC 6335's syntax only */
    const pr_origin *origin; /* NULL: none (a query, a JSON manifest) */
    const char *scope;       /* the user's grouping (a JSON entry's "scope"), when no origin
                                gives one; NULL: the default scope */
    /* A Kubernetes Service port whose targetPort names a port that no pod
     * template its selector selects declares (deploy.h): why, as a
     * sentence, made a reason PR_REASON_TARGET_PORT. NULL: nothing found. */
    const char *target_port_problem;
} pr_check_entry;

/* The host hazards: ranges and lists where a port is unsafe to choose
 * although IANA may have nothing against it. Each is on unless its bit is
 * in pr_check_options.hazards_off. */
enum pr_hazard {
    PR_HAZARD_LINUX_EPHEMERAL, /* 32768-60999, or the machine's ip_local_port_range */
    PR_HAZARD_WINDOWS_DYNAMIC, /* 49152-65535 */
    PR_HAZARD_BROWSER,         /* the Fetch standard's bad ports */
    PR_HAZARD_NODE_PORT,       /* Kubernetes' default NodePort range, 30000-32767 */
    PR_HAZARD_COUNT
};

typedef struct pr_check_options {
    bool both;                /* suggestions must be free for both tcp and udp */
    unsigned suggest;         /* how many suggestions, at most PR_MAX_SUGGESTIONS */
    unsigned hazards_off;     /* bits (1u << enum pr_hazard) of hazards not judged */
    uint16_t ephemeral_first; /* the ephemeral range; 0 and 0: Linux's default */
    uint16_t ephemeral_last;
    const uint8_t *reserved; /* 8192 bytes, a bit per port (ip_local_reserved_ports), or NULL */
    unsigned count;          /* suggestions are runs of this many free ports; 0 means 1 */
    uint16_t span_first;     /* suggestions only inside this span; 0 and 0: 1024-49151 */
    uint16_t span_last;
    bool by_name; /* start suggestions where the owner's (or name's) hash falls */
    /* Who asks: a team of the organization's plan, NUL-terminated, or NULL.
     * Its own entries and bands are ok for it (IANA's objections to them
     * become notes), and suggestions come from its bands first. */
    const char *owner;
} pr_check_options;

/* Why a choice is not sound, in the order a verdict gives them. */
enum pr_reason_code {
    PR_REASON_SYSTEM_PORT,
    PR_REASON_DYNAMIC_PORT,
    PR_REASON_ASSIGNED,
    PR_REASON_RESERVED,
    PR_REASON_HELD,    /* an entry of the plan holds it, not the asker's */
    PR_REASON_IN_BAND, /* it lies in another team's band */
    PR_REASON_NAME_INVALID,
    PR_REASON_NAME_REGISTERED,
    PR_REASON_LINUX_EPHEMERAL, /* the hazards, in the order of enum pr_hazard */
    PR_REASON_WINDOWS_DYNAMIC,
    PR_REASON_BROWSER_BLOCKED,
    PR_REASON_NODE_PORT_RANGE, /* also: a nodePort outside the range */
    PR_REASON_TARGET_PORT,     /* a Service's targetPort name no selected pod declares */
    PR_REASON_CLASH,           /* another entry of the scope takes the port or name */
    PR_REASON_COUNT
};

/* "system_port", ...: the codes of openapi.yaml. */
const char *pr_reason_code_name(enum pr_reason_code code);

#define PR_REASON_BYTES 1024 /* a reason's sentence, NUL included */
#define PR_NAME_RULES   5    /* the rules of RFC 6335 5.1 a name can break */
#define PR_MAX_NOTES    4    /* what a verdict says beside its reasons */

typedef struct pr_reason {
    enum pr_reason_code code;
    char message[PR_REASON_BYTES];
} pr_reason;

typedef struct pr_verdict {
    pr_check_entry entry; /* entry.name borrowed from the caller */
    const char *owner;    /* who asked (pr_check_options.owner), borrowed; NULL: nobody */
    bool ok;
    enum pr_status status; /* of entry.port for entry.proto */
    enum pr_range_class range_class;
    pr_reason reasons[PR_REASON_COUNT]; /* at most one of each code */
    unsigned reason_count;
    /* Sentences that do not make the choice unsound: IANA's claim on a
     * port the asker's own plan entry holds, its pending application. */
    char notes[PR_MAX_NOTES][PR_REASON_BYTES];
    unsigned note_count;
    char name_problems[PR_NAME_RULES][160];
    unsigned name_problem_count;
    uint32_t *conflicts; /* record indexes: what holds the port for the protocol */
    uint32_t conflict_count;
    uint32_t *registered; /* record indexes: the name's registrations */
    uint32_t registered_count;
    uint16_t suggestions[PR_MAX_SUGGESTIONS];
    unsigned suggestion_count;
} pr_verdict;

/* Judges one entry into *out. 0, or -1 when out of memory (*out then holds
 * nothing to free but is safe to pass to pr_verdict_free). */
int pr_check_judge(const pr_api *api, const pr_check_entry *entry, const pr_check_options *opt,
                   pr_verdict *out);
void pr_verdict_free(pr_verdict *v);

/* Two entries of a manifest that cannot both be: the same port and
 * protocol, or one name on two ports of a protocol, inside one scope
 * (pr_origin.scope; entries without a source share the default scope).
 * Each entry of a clash is then not ok, with a reason PR_REASON_CLASH. */
typedef struct pr_clash {
    size_t a, b;    /* entry indexes, a < b */
    bool same_port; /* else same_name */
    char message[256];
} pr_clash;

typedef struct pr_manifest {
    bool ok;
    pr_verdict *verdicts;
    size_t verdict_count;
    pr_clash *clashes;
    size_t clash_count;
} pr_manifest;

/* Judges n entries and their clashes; 0 or -1 as pr_check_judge. */
int pr_check_manifest_judge(const pr_api *api, const pr_check_entry *entries, size_t n,
                            const pr_check_options *opt, pr_manifest *out);
void pr_manifest_free(pr_manifest *m);

/* The Verdict and ManifestResult objects of openapi.yaml as answer bodies:
 * compact JSON, the judging registry's stamp {"updated", "source"} as the
 * member "registry" last, a trailing newline, the ETag. A new malloc'ed
 * body the caller owns (free()); NULL when out of memory or when a text
 * is not UTF-8, never a partial verdict. */
pr_body *pr_verdict_body(const pr_api *api, const pr_verdict *v);
pr_body *pr_manifest_body(const pr_api *api, const pr_manifest *m);

/* Judges and renders in one step, as the API answers; NULL as above. */
pr_body *pr_check_verdict(const pr_api *api, const pr_check_entry *entry,
                          const pr_check_options *opt);
pr_body *pr_check_manifest(const pr_api *api, const pr_check_entry *entries, size_t n,
                           const pr_check_options *opt);

/* The first rule of RFC 6335 section 5.1 that `name` breaks, as a
 * sentence into buf ("\"x--y\" contains two hyphens in a row"): true;
 * false when it breaks none. */
bool pr_check_name_problem(const char *name, char *buf, size_t size);

/* Is `port` unassigned for `proto` (and, with both, for tcp and udp)? Uses
 * the bitmaps built once by pr_api_new. */
bool pr_check_port_free(const pr_api *api, uint16_t port, enum pr_proto proto, bool both);

#endif

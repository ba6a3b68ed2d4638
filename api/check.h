/* check.h: is a port (and service name) a sound choice for a new service?
 *
 * The verdicts behind GET/POST /v1/check and `portreg check`: a port is not
 * ok in the system range (0-1023) or the dynamic range (49152-65535), when
 * reserved, or when assigned to another service; a name is not ok when it
 * breaks RFC 6335 section 5.1 or is registered on other ports. A service's
 * own registration (a record assigning the port carries the name) is ok,
 * even where IANA registered aliases on the same port (80/tcp: http, www).
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

typedef struct pr_check_entry {
    uint16_t port;
    enum pr_proto proto; /* TCP, UDP, SCTP or DCCP */
    const char *name;    /* NUL-terminated, or NULL when not given */
} pr_check_entry;

typedef struct pr_check_options {
    bool both;        /* suggestions must be free for both tcp and udp */
    unsigned suggest; /* how many suggestions, at most PR_MAX_SUGGESTIONS */
} pr_check_options;

/* Why a choice is not sound, in the order a verdict gives them. */
enum pr_reason_code {
    PR_REASON_SYSTEM_PORT,
    PR_REASON_DYNAMIC_PORT,
    PR_REASON_ASSIGNED,
    PR_REASON_RESERVED,
    PR_REASON_NAME_INVALID,
    PR_REASON_NAME_REGISTERED,
    PR_REASON_COUNT
};

/* "system_port", ...: the codes of openapi.yaml. */
const char *pr_reason_code_name(enum pr_reason_code code);

#define PR_REASON_BYTES 1024 /* a reason's sentence, NUL included */
#define PR_NAME_RULES   5    /* the rules of RFC 6335 5.1 a name can break */

typedef struct pr_reason {
    enum pr_reason_code code;
    char message[PR_REASON_BYTES];
} pr_reason;

typedef struct pr_verdict {
    pr_check_entry entry; /* entry.name borrowed from the caller */
    bool ok;
    enum pr_status status; /* of entry.port for entry.proto */
    enum pr_range_class range_class;
    pr_reason reasons[PR_REASON_COUNT]; /* at most one of each code */
    unsigned reason_count;
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
 * protocol, or one name on two ports of a protocol. */
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

/* Is `port` unassigned for `proto` (and, with both, for tcp and udp)? Uses
 * the bitmaps built once by pr_api_new. */
bool pr_check_port_free(const pr_api *api, uint16_t port, enum pr_proto proto, bool both);

#endif

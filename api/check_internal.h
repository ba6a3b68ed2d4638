/* check_internal.h: what the steps of a check share across check.c,
 * check_plan.c, check_names.c, check_suggest.c and check_manifest.c (not
 * public). Each step works on one verdict the caller owns; none is
 * thread-safe on a shared verdict. */
#ifndef PR_CHECK_INTERNAL_H
#define PR_CHECK_INTERNAL_H

#include <strings.h>

#include "check.h"

/* Appends a reason with a printf message, cut between characters at
 * PR_REASON_BYTES with "..."; the caller keeps reason_count in bounds. */
void pr_check_add_reason(pr_verdict *v, enum pr_reason_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Service names compare without regard to case (RFC 6335 5.1). */
static inline bool pr_check_same_name(const char *a, const char *b)
{
    return strcasecmp(a, b) == 0;
}

/* The plan's rules (check_plan.c): reasons and notes from the organization's
 * plan; runs after the IANA port rules, whose reasons it may turn into notes. */
void pr_check_local_rules(const pr_registry *reg, const pr_check_options *opt, pr_verdict *v);

/* RFC 6335 5.1, one sentence per broken rule, into v->name_problems. */
void pr_check_name_syntax(pr_verdict *v, const char *name);

/* The name's syntax and registrations as reasons; -1 when out of memory. */
int pr_check_name_rules(const pr_registry *reg, pr_verdict *v);

/* Fills v->suggestions when a reason is about the port (check_suggest.c). */
void pr_check_suggest(const pr_api *api, const pr_check_options *opt, pr_verdict *v);

#endif

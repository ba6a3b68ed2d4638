/* check_names.c: the service name's rules of a check (check.h): its
 * syntax by RFC 6335 5.1, and where else IANA registered it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_internal.h"
#include "internal.h"

/* RFC 6335 5.1, rule by rule, in the RFC's order: one sentence per rule
 * the name breaks, into v->name_problems. */
void pr_check_name_syntax(pr_verdict *v, const char *name)
{
    size_t len = strlen(name);
    bool other = false, letter = false, double_hyphen = false;
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        bool is_letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        letter = letter || is_letter;
        other = other || !(is_letter || (c >= '0' && c <= '9') || c == '-');
        double_hyphen = double_hyphen || (c == '-' && i > 0 && name[i - 1] == '-');
    }
    char q[96];
    pr_error_quote(name, len, 64, q, sizeof q);
    const struct {
        bool broken;
        const char *what;
    } rules[PR_NAME_RULES] = {
        {len > 15, "is longer than 15 characters"},
        {other, "contains characters other than letters, digits and hyphens"},
        {!letter, "contains no letter"},
        {len > 0 && (name[0] == '-' || name[len - 1] == '-'), "begins or ends with a hyphen"},
        {double_hyphen, "contains two hyphens in a row"},
    };
    for (size_t i = 0; i < PR_NAME_RULES; i++)
        if (rules[i].broken)
            pr_textf(v->name_problems[v->name_problem_count++], sizeof v->name_problems[0], "%s %s",
                     q, rules[i].what);
}

bool pr_check_name_problem(const char *name, char *buf, size_t size)
{
    pr_verdict v = {0};
    pr_check_name_syntax(&v, name);
    if (v.name_problem_count)
        pr_textf(buf, size, "%s", v.name_problems[0]);
    return v.name_problem_count > 0;
}

/* "3493/tcp, 3493/udp": where a name's records are, for a message; a list
 * too long for out ends with "..." (size > 4). */
static void describe_ports(const pr_registry *reg, const pr_service_name *sn, char *out,
                           size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    for (uint32_t k = 0; k < sn->records.count; k++) {
        const pr_record *r = &reg->records[reg->name_records[sn->records.first + k]];
        const char *proto = pr_proto_name((enum pr_proto)r->proto);
        int n = r->has_port ? snprintf(out + used, size - used, "%s%s%s%s", k ? ", " : "",
                                       r->port_text, proto[0] ? "/" : "", proto)
                            : snprintf(out + used, size - used, "%s(no port)%s%s", k ? ", " : "",
                                       proto[0] ? " over " : "", proto);
        if (n < 0 || (size_t)n >= size - used) {
            /* port texts and protocol names are ASCII: any cut is whole characters */
            memcpy(out + (used < size - 4 ? used : size - 4), "...", 4);
            return;
        }
        used += (size_t)n;
    }
}

/* The name: its syntax, and whether it is registered elsewhere. -1 when
 * out of memory. */
int pr_check_name_rules(const pr_registry *reg, pr_verdict *v)
{
    const pr_check_entry *e = &v->entry;
    char q[96];
    pr_error_quote(e->name, strlen(e->name), 64, q, sizeof q);
    pr_check_name_syntax(v, e->name);
    if (v->name_problem_count)
        pr_check_add_reason(v, PR_REASON_NAME_INVALID,
                            "the service name %s breaks RFC 6335 section 5.1 (see name_problems)",
                            q);
    /* a Kubernetes port name labels a port inside its object, not an IANA
     * service: where else IANA registered it is no fault */
    const pr_service_name *sn =
        e->name_syntax_only ? NULL : pr_registry_find_name(reg, e->name, strlen(e->name));
    if (!sn)
        return 0;
    v->registered = malloc(((size_t)sn->records.count + 1) * sizeof *v->registered);
    if (!v->registered)
        return -1;
    bool here = false;
    for (uint32_t k = 0; k < sn->records.count; k++) {
        uint32_t ri = reg->name_records[sn->records.first + k];
        const pr_record *r = &reg->records[ri];
        v->registered[v->registered_count++] = ri;
        here = here || (r->has_port && r->port_first <= e->port && e->port <= r->port_last &&
                        (r->proto == PR_PROTO_NONE || r->proto == e->proto));
    }
    if (!here) {
        char where[400];
        describe_ports(reg, sn, where, sizeof where);
        pr_check_add_reason(v, PR_REASON_NAME_REGISTERED,
                            "the service name %s is registered on %s, not on %u/%s", q, where,
                            (unsigned)e->port, pr_proto_name(e->proto));
    }
    return 0;
}

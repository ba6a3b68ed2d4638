/* check.c: verdicts on port choices, for /v1/check and `portreg check`
 * (see check.h). A verdict is built by small steps, each a rule of the
 * check: who holds the port, the port's range and status, the name's
 * syntax and registrations, then suggestions. check_json.c writes it as JSON. */
#include "check.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csv_table.h"
#include "internal.h"

bool pr_check_port_free(const pr_api *api, uint16_t port, enum pr_proto proto, bool both)
{
    if (both)
        return pr_port_unassigned(api, port, PR_PROTO_TCP) &&
               pr_port_unassigned(api, port, PR_PROTO_UDP);
    return pr_port_unassigned(api, port, proto);
}

const char *pr_reason_code_name(enum pr_reason_code code)
{
    static const char *const names[PR_REASON_COUNT] = {
        [PR_REASON_SYSTEM_PORT] = "system_port",   [PR_REASON_DYNAMIC_PORT] = "dynamic_port",
        [PR_REASON_ASSIGNED] = "assigned",         [PR_REASON_RESERVED] = "reserved",
        [PR_REASON_NAME_INVALID] = "name_invalid", [PR_REASON_NAME_REGISTERED] = "name_registered",
    };
    return (unsigned)code < PR_REASON_COUNT ? names[code] : "";
}

__attribute__((format(printf, 3, 4))) static void
add_reason(pr_verdict *v, enum pr_reason_code code, const char *fmt, ...)
{
    pr_reason *r = &v->reasons[v->reason_count++];
    r->code = code;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(r->message, sizeof r->message, fmt, ap);
    va_end(ap);
    if (n < 0)
        memcpy(r->message, "(no message)", sizeof "(no message)");
    else if ((size_t)n >= sizeof r->message) /* cut where no character is split */
        memcpy(r->message + pr_utf8_cut(r->message, sizeof r->message - 4), "...", 4);
}

/* A reason about the port itself makes other ports worth suggesting. */
static bool about_port(enum pr_reason_code code)
{
    return code <= PR_REASON_RESERVED;
}

/* Holder text is cut at this many bytes of its description: a reason is a
 * sentence, and IANA's descriptions run to a kilobyte and more. */
#define HOLDER_DESCRIPTION_BYTES 240

static bool same_name(const char *a, const char *b)
{
    return strcasecmp(a, b) == 0;
}

/* The records on the entry's port and protocol that hold it, assignments
 * and reservations, into v->conflicts. The port is the name's own when
 * every assignment is under that name; *holder is the first assignment to
 * another name, and *others how many there are. -1 when out of memory. */
static int find_holders(const pr_registry *reg, pr_verdict *v, bool *own, const pr_record **holder,
                        uint32_t *others)
{
    const pr_check_entry *e = &v->entry;
    uint32_t n;
    const uint32_t *idx = pr_registry_port_records(reg, e->port, &n);
    v->conflicts = malloc(((size_t)n + 1) * sizeof *v->conflicts);
    if (!v->conflicts)
        return -1;
    *own = false;
    *holder = NULL;
    *others = 0;
    for (uint32_t i = 0; i < n; i++) {
        const pr_record *r = &reg->records[idx[i]];
        if ((r->proto != PR_PROTO_NONE && r->proto != e->proto) ||
            r->status == PR_STATUS_UNASSIGNED)
            continue;
        v->conflicts[v->conflict_count++] = idx[i];
        if (r->status != PR_STATUS_ASSIGNED)
            continue;
        if (e->name && same_name(r->service, e->name)) {
            *own = true;
        } else {
            *holder = *holder ? *holder : r;
            (*others)++;
        }
    }
    return 0;
}

/* The port's range and status: system, dynamic, assigned, reserved. */
static void port_rules(pr_verdict *v, bool own, const pr_record *holder, uint32_t others)
{
    const pr_check_entry *e = &v->entry;
    const char *proto = pr_proto_name(e->proto);
    if (e->port <= 1023 && !own)
        add_reason(v, PR_REASON_SYSTEM_PORT,
                   "%u is a system port (0-1023): assigned only through IETF Review or IESG "
                   "Approval (RFC 6335 8.1.2)",
                   (unsigned)e->port);
    if (e->port >= 49152)
        add_reason(v, PR_REASON_DYNAMIC_PORT,
                   "%u is a dynamic port (49152-65535): never assigned, left for ephemeral use",
                   (unsigned)e->port);
    if (v->status == PR_STATUS_ASSIGNED && !own && holder) {
        /* the description is cut between characters: a cut inside one made
         * the message invalid UTF-8, and the reason was lost (ok: true) */
        const char *desc = holder->description;
        size_t desc_len = strlen(desc), shown = desc_len;
        if (desc_len > HOLDER_DESCRIPTION_BYTES)
            shown = pr_utf8_cut(desc, HOLDER_DESCRIPTION_BYTES);
        char more[48] = "";
        if (others > 1)
            pr_textf(more, sizeof more, " and %u other service%s", (unsigned)(others - 1),
                     others > 2 ? "s" : "");
        if (desc[0])
            add_reason(v, PR_REASON_ASSIGNED, "%u/%s is assigned to %s (%.*s%s)%s",
                       (unsigned)e->port, proto, holder->service, (int)shown, desc,
                       shown < desc_len ? "..." : "", more);
        else
            add_reason(v, PR_REASON_ASSIGNED, "%u/%s is assigned to %s%s", (unsigned)e->port, proto,
                       holder->service, more);
    }
    if (v->status == PR_STATUS_RESERVED)
        add_reason(v, PR_REASON_RESERVED, "%u/%s is reserved by IANA", (unsigned)e->port, proto);
}

/* RFC 6335 5.1, rule by rule, in the RFC's order: one sentence per rule
 * the name breaks, into v->name_problems. */
static void name_syntax(pr_verdict *v, const char *name)
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
static int name_rules(const pr_registry *reg, pr_verdict *v)
{
    const pr_check_entry *e = &v->entry;
    char q[96];
    pr_error_quote(e->name, strlen(e->name), 64, q, sizeof q);
    name_syntax(v, e->name);
    if (v->name_problem_count)
        add_reason(v, PR_REASON_NAME_INVALID,
                   "the service name %s breaks RFC 6335 section 5.1 (see name_problems)", q);
    const pr_service_name *sn = pr_registry_find_name(reg, e->name, strlen(e->name));
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
        add_reason(v, PR_REASON_NAME_REGISTERED,
                   "the service name %s is registered on %s, not on %u/%s", q, where,
                   (unsigned)e->port, pr_proto_name(e->proto));
    }
    return 0;
}

/* Other ports are worth naming only when this port is the problem: the
 * nearest user ports that are unassigned, lower first on a tie. */
static void suggest(const pr_api *api, const pr_check_options *opt, pr_verdict *v)
{
    bool port_problem = false;
    for (unsigned i = 0; i < v->reason_count; i++)
        port_problem = port_problem || about_port(v->reasons[i].code);
    if (!port_problem)
        return;
    unsigned want = opt->suggest < PR_MAX_SUGGESTIONS ? opt->suggest : PR_MAX_SUGGESTIONS;
    const pr_check_entry *e = &v->entry;
    int start = e->port < 1024 ? 1024 : e->port > 49151 ? 49151 : e->port;
    for (int d = 0; v->suggestion_count < want && d <= 49151 - 1024; d++) {
        int candidates[2] = {start - d, start + d};
        for (int c = 0; c < (d ? 2 : 1); c++) {
            int p = candidates[c];
            if (p >= 1024 && p <= 49151 && p != e->port && v->suggestion_count < want &&
                pr_check_port_free(api, (uint16_t)p, e->proto, opt->both))
                v->suggestions[v->suggestion_count++] = (uint16_t)p;
        }
    }
}

int pr_check_judge(const pr_api *api, const pr_check_entry *entry, const pr_check_options *opt,
                   pr_verdict *v)
{
    memset(v, 0, sizeof *v);
    v->entry = *entry;
    const pr_registry *reg = pr_api_registry(api);
    v->status = pr_registry_port_status(reg, entry->port, entry->proto);
    v->range_class = pr_range_class_of(entry->port);
    bool own;
    const pr_record *holder;
    uint32_t others;
    if (find_holders(reg, v, &own, &holder, &others) != 0)
        goto oom;
    port_rules(v, own, holder, others);
    if (entry->name && name_rules(reg, v) != 0)
        goto oom;
    suggest(api, opt, v);
    v->ok = v->reason_count == 0;
    return 0;
oom:
    pr_verdict_free(v);
    return -1;
}

void pr_verdict_free(pr_verdict *v)
{
    free(v->conflicts);
    free(v->registered);
    v->conflicts = v->registered = NULL;
    v->conflict_count = v->registered_count = 0;
}

int pr_check_manifest_judge(const pr_api *api, const pr_check_entry *entries, size_t n,
                            const pr_check_options *opt, pr_manifest *m)
{
    memset(m, 0, sizeof *m);
    m->verdicts = calloc(n + 1, sizeof *m->verdicts);
    /* at most one clash per pair */
    m->clashes = malloc((n * (n - (n > 0)) / 2 + 1) * sizeof *m->clashes);
    if (!m->verdicts || !m->clashes)
        goto oom;
    m->ok = true;
    for (size_t i = 0; i < n; i++) {
        if (pr_check_judge(api, &entries[i], opt, &m->verdicts[i]) != 0)
            goto oom;
        m->verdict_count++;
        m->ok = m->ok && m->verdicts[i].ok;
    }
    for (size_t i = 0; i < n; i++) {
        for (size_t j = i + 1; j < n; j++) {
            const pr_check_entry *a = &entries[i], *b = &entries[j];
            if (a->proto != b->proto)
                continue;
            pr_clash *c = &m->clashes[m->clash_count];
            const char *proto = pr_proto_name(a->proto);
            if (a->port == b->port) {
                pr_textf(c->message, sizeof c->message, "entries %zu and %zu both use %u/%s", i, j,
                         (unsigned)a->port, proto);
                c->same_port = true;
            } else if (a->name && b->name && same_name(a->name, b->name)) {
                char q[96];
                pr_error_quote(a->name, strlen(a->name), 64, q, sizeof q);
                pr_textf(c->message, sizeof c->message,
                         "entries %zu and %zu give the name %s two different ports for %s", i, j, q,
                         proto);
                c->same_port = false;
            } else {
                continue;
            }
            c->a = i;
            c->b = j;
            m->clash_count++;
        }
    }
    m->ok = m->ok && m->clash_count == 0;
    return 0;
oom:
    pr_manifest_free(m);
    return -1;
}

void pr_manifest_free(pr_manifest *m)
{
    for (size_t i = 0; m->verdicts && i < m->verdict_count; i++)
        pr_verdict_free(&m->verdicts[i]);
    free(m->verdicts);
    free(m->clashes);
    memset(m, 0, sizeof *m);
}

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
#include "hazards.h"
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
        [PR_REASON_SYSTEM_PORT] = "system_port",
        [PR_REASON_DYNAMIC_PORT] = "dynamic_port",
        [PR_REASON_ASSIGNED] = "assigned",
        [PR_REASON_RESERVED] = "reserved",
        [PR_REASON_HELD] = "held",
        [PR_REASON_IN_BAND] = "in_band",
        [PR_REASON_NAME_INVALID] = "name_invalid",
        [PR_REASON_NAME_REGISTERED] = "name_registered",
        [PR_REASON_LINUX_EPHEMERAL] = "linux_ephemeral",
        [PR_REASON_WINDOWS_DYNAMIC] = "windows_dynamic",
        [PR_REASON_BROWSER_BLOCKED] = "browser_blocked",
        [PR_REASON_NODE_PORT_RANGE] = "node_port_range",
        [PR_REASON_TARGET_PORT] = "target_port",
        [PR_REASON_CLASH] = "clash",
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

/* A reason about the port itself makes other ports worth suggesting; a
 * targetPort that names no pod's port is fixed in the pods or the name,
 * not by another Service port. */
static bool about_port(enum pr_reason_code code)
{
    return code != PR_REASON_NAME_INVALID && code != PR_REASON_NAME_REGISTERED &&
           code != PR_REASON_TARGET_PORT;
}

/* IANA's objections to a port, as opposed to the plan's, the hazards' or
 * the name's. */
static bool about_iana_port(enum pr_reason_code code)
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
        /* the plan's entries are judged by local_rules */
        if (r->status != PR_STATUS_ASSIGNED || r->source == PR_SOURCE_LOCAL)
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

__attribute__((format(printf, 2, 3))) static void add_note(pr_verdict *v, const char *fmt, ...)
{
    if (v->note_count == PR_MAX_NOTES)
        return;
    char *note = v->notes[v->note_count++];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(note, PR_REASON_BYTES, fmt, ap);
    va_end(ap);
    if (n < 0)
        memcpy(note, "(no message)", sizeof "(no message)");
    else if ((size_t)n >= PR_REASON_BYTES)
        memcpy(note + pr_utf8_cut(note, PR_REASON_BYTES - 4), "...", 4);
}

/* ", contact X" when the entry names one. */
static const char *contact_of(const pr_record *r, char *buf, size_t size)
{
    buf[0] = '\0';
    if (r->local_contact && r->local_contact[0])
        pr_textf(buf, size, ", contact %s", r->local_contact);
    return buf;
}

/* The organization's plan: who holds the port for the protocol, whose band
 * it lies in, and whether the asker is that owner. Runs after port_rules:
 * on the asker's own entry or band, IANA's objections become notes. */
static void local_rules(const pr_registry *reg, const pr_check_options *opt, pr_verdict *v)
{
    if (!reg->has_plan)
        return;
    const pr_check_entry *e = &v->entry;
    const char *proto = pr_proto_name(e->proto);
    uint32_t n;
    const uint32_t *idx = pr_registry_port_records(reg, e->port, &n);
    const pr_record *own = NULL, *own_band = NULL, *held = NULL, *band = NULL;
    bool own_named = false; /* one of the asker's entries here carries the name */
    uint32_t others = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (idx[i] < reg->local_first)
            continue;
        const pr_record *r = &reg->records[idx[i]];
        if (r->proto != PR_PROTO_NONE && r->proto != e->proto)
            continue;
        bool mine = opt->owner && strcmp(opt->owner, r->owner) == 0;
        if (r->local_status == PR_PLAN_BAND) {
            if (mine)
                own_band = own_band ? own_band : r;
            else
                band = band ? band : r;
        } else if (mine) {
            own = own ? own : r;
            own_named = own_named || (e->name && same_name(r->service, e->name));
        } else {
            held = held ? held : r;
            others += held != r;
        }
    }
    char contact[300];
    if (held) {
        char more[48] = "";
        if (others)
            pr_textf(more, sizeof more, " and %u other entr%s", (unsigned)others,
                     others > 1 ? "ies" : "y");
        add_reason(v, PR_REASON_HELD, "%u/%s is held by %s (%s, %s%s%s)%s%s", (unsigned)e->port,
                   proto, held->owner, held->service,
                   pr_plan_status_name((enum pr_plan_status)held->local_status),
                   held->local_status == PR_PLAN_PENDING_IANA ? " " : "",
                   held->local_status == PR_PLAN_PENDING_IANA
                       ? reg->references[held->references.first]
                       : "",
                   contact_of(held, contact, sizeof contact), more);
    }
    if (band && !own)
        add_reason(v, PR_REASON_IN_BAND, "%u/%s lies in band %s of %s%s", (unsigned)e->port, proto,
                   band->port_text, band->owner, contact_of(band, contact, sizeof contact));
    const pr_record *mine = own ? own : own_band;
    if (!mine)
        return;
    /* the plan is the organization's word on its own ports: what IANA says
     * of them is worth knowing, not a reason to refuse */
    unsigned kept = 0;
    for (unsigned i = 0; i < v->reason_count; i++) {
        if (about_iana_port(v->reasons[i].code)) {
            add_note(v, "%s; the plan gives it to %s (%s)", v->reasons[i].message, mine->owner,
                     own ? own->service : "its band");
            continue;
        }
        v->reasons[kept++] = v->reasons[i];
    }
    v->reason_count = kept;
    if (own && own->local_status == PR_PLAN_PENDING_IANA)
        add_note(v, "%s applied to IANA for %u/%s: %s", own->service, (unsigned)e->port, proto,
                 reg->references[own->references.first]);
    /* Another service name on the asker's own port is a note, not a
     * reason: the port is the team's to give (issue 16: its own entry is
     * ok), and the usual cause is a rename or a replacement, which the
     * plan's next revision records. Two services that really run side by
     * side on one host clash in the manifest's scope (PR_REASON_CLASH);
     * the note says which entry the plan has there, so that CI shows it.
     * A Kubernetes or compose port name is a label, not a service: none. */
    if (own && e->name && !e->name_syntax_only && !own_named) {
        char q[96];
        pr_error_quote(e->name, strlen(e->name), 64, q, sizeof q);
        add_note(v, "%u/%s is already %s's %s (%s) in the plan, not %s", (unsigned)e->port, proto,
                 own->owner, own->service,
                 pr_plan_status_name((enum pr_plan_status)own->local_status), q);
    }
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

bool pr_check_name_problem(const char *name, char *buf, size_t size)
{
    pr_verdict v = {0};
    name_syntax(&v, name);
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
static int name_rules(const pr_registry *reg, pr_verdict *v)
{
    const pr_check_entry *e = &v->entry;
    char q[96];
    pr_error_quote(e->name, strlen(e->name), 64, q, sizeof q);
    name_syntax(v, e->name);
    if (v->name_problem_count)
        add_reason(v, PR_REASON_NAME_INVALID,
                   "the service name %s breaks RFC 6335 section 5.1 (see name_problems)", q);
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
        add_reason(v, PR_REASON_NAME_REGISTERED,
                   "the service name %s is registered on %s, not on %u/%s", q, where,
                   (unsigned)e->port, pr_proto_name(e->proto));
    }
    return 0;
}

/* A port of the asker's own band it may take: no entry of the plan on it,
 * and IANA has assigned and reserved nothing there (a band may lie in the
 * dynamic range, which the organization chose to use). */
static bool band_port_free(const pr_registry *reg, uint16_t port, enum pr_proto proto)
{
    enum pr_status st = pr_registry_port_status(reg, port, proto);
    return (st == PR_STATUS_UNASSIGNED || st == PR_STATUS_DYNAMIC) &&
           !(pr_registry_local_marks(reg, port, proto) & PR_MARK_ENTRY);
}

/* Does one of the owner's bands cover port for proto? */
static bool own_band_covers(const pr_registry *reg, const pr_owner *o, uint32_t port,
                            enum pr_proto proto)
{
    for (uint32_t k = 0; k < o->records.count; k++) {
        const pr_record *r = &reg->records[reg->owner_records[o->records.first + k]];
        if (r->local_status == PR_PLAN_BAND && (r->proto == PR_PROTO_NONE || r->proto == proto) &&
            r->port_first <= port && port <= r->port_last)
            return true;
    }
    return false;
}

/* May the asker take port q of its bands for a suggestion: a band of its
 * own covers it for the protocol (with both, for tcp and udp alike), the
 * plan and IANA leave it free there, it lies in the span the check gave
 * (none given: anywhere in the band), and no hazard that is on applies. */
static bool band_port_fits(const pr_registry *reg, const pr_owner *o, const pr_check_options *opt,
                           const pr_check_entry *e, uint32_t q)
{
    bool span = opt->span_first || opt->span_last;
    if (q > 65535 || q == e->port || (span && (q < opt->span_first || q > opt->span_last)) ||
        !own_band_covers(reg, o, q, e->proto) || !band_port_free(reg, (uint16_t)q, e->proto) ||
        pr_hazard_any(opt, (uint16_t)q, e->proto, e->use))
        return false;
    if (!opt->both)
        return true;
    enum pr_proto other = e->proto == PR_PROTO_TCP ? PR_PROTO_UDP : PR_PROTO_TCP;
    return own_band_covers(reg, o, q, other) && band_port_free(reg, (uint16_t)q, other);
}

/* Does a run of count ports from p meet one already suggested? */
static bool overlaps_suggestion(const pr_verdict *v, uint32_t p, unsigned count)
{
    for (unsigned k = 0; k < v->suggestion_count; k++)
        if (p + count > v->suggestions[k] && p < (uint32_t)v->suggestions[k] + count)
            return true;
    return false;
}

/* The asker's bands for the protocol first, from their first port up: runs
 * of count ports that fit (band_port_fits), so the band suggestions keep
 * every constraint the others keep. A run may cross from one of the
 * asker's bands into the next adjacent one. */
static void suggest_from_bands(const pr_registry *reg, const pr_check_options *opt, unsigned want,
                               unsigned count, pr_verdict *v)
{
    const pr_owner *o =
        opt->owner ? pr_registry_find_owner(reg, opt->owner, strlen(opt->owner)) : NULL;
    const pr_check_entry *e = &v->entry;
    for (uint32_t k = 0; o && k < o->records.count && v->suggestion_count < want; k++) {
        const pr_record *r = &reg->records[reg->owner_records[o->records.first + k]];
        if (r->local_status != PR_PLAN_BAND || (r->proto != PR_PROTO_NONE && r->proto != e->proto))
            continue;
        for (uint32_t p = r->port_first; p <= r->port_last && v->suggestion_count < want; p++) {
            if (overlaps_suggestion(v, p, count))
                continue;
            unsigned fit = 0;
            while (fit < count && band_port_fits(reg, o, opt, e, p + fit))
                fit++;
            if (fit == count) {
                v->suggestions[v->suggestion_count++] = (uint16_t)p;
                p += count - 1; /* runs do not overlap */
            } else {
                p += fit; /* no run starts before the port that did not fit */
            }
        }
    }
}

/* The span suggestions come from: the options', else the user ports, or
 * the NodePort range for a nodePort. */
static void suggestion_span(const pr_check_options *opt, const pr_check_entry *e, int *first,
                            int *last)
{
    if (opt->span_first || opt->span_last) {
        *first = opt->span_first;
        *last = opt->span_last;
    } else if (e->use == PR_USE_NODE_PORT) {
        *first = PR_NODE_PORT_FIRST;
        *last = PR_NODE_PORT_LAST;
    } else {
        *first = 1024;
        *last = 49151;
    }
}

/* Are ports p .. p+count-1 all inside the span, unassigned, and clear of
 * every hazard that is on? */
static bool run_free(const pr_api *api, const pr_check_options *opt, const pr_check_entry *e, int p,
                     unsigned count, int last)
{
    if (p + (int)count - 1 > last)
        return false;
    for (unsigned k = 0; k < count; k++) {
        int q = p + (int)k;
        if (q == e->port || !pr_check_port_free(api, (uint16_t)q, e->proto, opt->both) ||
            pr_hazard_any(opt, (uint16_t)q, e->proto, e->use))
            return false;
    }
    return true;
}

/* FNV-1a, case-folded: the same owner starts at the same port on every run
 * and every machine. */
static uint32_t name_hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        h = (h ^ (c >= 'A' && c <= 'Z' ? c + 32u : c)) * 16777619u;
    }
    return h;
}

/* Other ports are worth naming only when this port is the problem. Each
 * suggestion is the first of `count` consecutive free ports. Seeded by a
 * name, runs are sought upward from where the name's hash falls in the
 * span, so a name keeps its first suggestion while that stays free; else
 * the runs nearest the port come first, lower first on a tie. */
static void suggest(const pr_api *api, const pr_check_options *opt, pr_verdict *v)
{
    bool port_problem = false;
    for (unsigned i = 0; i < v->reason_count; i++)
        port_problem = port_problem || about_port(v->reasons[i].code);
    if (!port_problem || v->entry.use == PR_USE_CLASH_ONLY)
        return;
    unsigned want = opt->suggest < PR_MAX_SUGGESTIONS ? opt->suggest : PR_MAX_SUGGESTIONS;
    unsigned count = opt->count ? opt->count : 1;
    const pr_check_entry *e = &v->entry;
    suggest_from_bands(pr_api_registry(api), opt, want, count, v);
    int first, last;
    suggestion_span(opt, e, &first, &last);
    if (first > last)
        return;
    const char *seed = e->origin && e->origin->owner ? e->origin->owner : e->name;
    if (opt->by_name && seed) {
        int width = last - first + 1;
        int at = first + (int)(name_hash(seed) % (uint32_t)width);
        for (int k = 0; v->suggestion_count < want && k < width; k++) {
            int p = first + (at - first + k) % width;
            if (run_free(api, opt, e, p, count, last)) {
                v->suggestions[v->suggestion_count++] = (uint16_t)p;
                k += (int)count - 1; /* runs do not overlap */
            }
        }
        return;
    }
    int start = e->port < first ? first : e->port > last ? last : e->port;
    for (int d = 0; v->suggestion_count < want && d <= last - first; d++) {
        int candidates[2] = {start - d, start + d};
        for (int c = 0; c < (d ? 2 : 1); c++) {
            int p = candidates[c];
            /* runs already suggested are not offered again in part */
            bool overlaps = false;
            for (unsigned k = 0; k < v->suggestion_count && !overlaps; k++)
                overlaps = p > v->suggestions[k] - (int)count && p < v->suggestions[k] + (int)count;
            if (p >= first && p <= last && v->suggestion_count < want && !overlaps &&
                run_free(api, opt, e, p, count, last))
                v->suggestions[v->suggestion_count++] = (uint16_t)p;
        }
    }
}

/* The hazards that are on, each a reason of its own. */
static void hazard_rules(const pr_check_options *opt, pr_verdict *v)
{
    for (int h = 0; h < PR_HAZARD_COUNT; h++) {
        char msg[PR_REASON_BYTES];
        if (pr_hazard_hit(opt, (enum pr_hazard)h, v->entry.port, v->entry.proto, v->entry.use, msg,
                          sizeof msg))
            add_reason(v, (enum pr_reason_code)(PR_REASON_LINUX_EPHEMERAL + h), "%s", msg);
    }
}

int pr_check_judge(const pr_api *api, const pr_check_entry *entry, const pr_check_options *opt,
                   pr_verdict *v)
{
    memset(v, 0, sizeof *v);
    v->entry = *entry;
    v->owner = opt->owner;
    const pr_registry *reg = pr_api_registry(api);
    v->status = pr_registry_port_status(reg, entry->port, entry->proto);
    v->range_class = pr_range_class_of(entry->port);
    bool own;
    const pr_record *holder;
    uint32_t others;
    if (find_holders(reg, v, &own, &holder, &others) != 0)
        goto oom;
    if (entry->use == PR_USE_CLASH_ONLY) {
        /* a container's own port is no choice of a host port (deploy.h):
         * what holds it is shown, but is no reason against it */
        if (entry->name) {
            name_syntax(v, entry->name);
            if (v->name_problem_count)
                add_reason(v, PR_REASON_NAME_INVALID,
                           "the port name breaks RFC 6335 section 5.1 (see name_problems)");
        }
        v->ok = v->reason_count == 0;
        return 0;
    }
    port_rules(v, own, holder, others);
    local_rules(reg, opt, v);
    hazard_rules(opt, v);
    if (entry->name && name_rules(reg, v) != 0)
        goto oom;
    if (entry->target_port_problem)
        add_reason(v, PR_REASON_TARGET_PORT, "%s", entry->target_port_problem);
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

static const char *scope_of(const pr_check_entry *e)
{
    return e->origin && e->origin->scope ? e->origin->scope : e->scope;
}

static bool same_scope(const pr_check_entry *a, const pr_check_entry *b)
{
    const char *x = scope_of(a), *y = scope_of(b);
    return (!x && !y) || (x && y && strcmp(x, y) == 0);
}

/* "service db, ports[1] (compose.yaml:12)", or "entry 3" without a source. */
static void describe_entry(const pr_check_entry *e, size_t i, char *out, size_t size)
{
    const pr_origin *s = e->origin;
    if (!s)
        pr_textf(out, size, "entry %zu", i);
    else
        pr_textf(out, size, "%s (%s:%u)", s->where ? s->where : "an entry", s->file, s->line);
}

/* The clash, as a reason on entry `self` of the pair: the first clash of
 * an entry is its reason; more are in the manifest's list. */
static void clash_reason(pr_manifest *m, const pr_check_entry *entries, size_t self, size_t other,
                         bool same_port)
{
    pr_verdict *v = &m->verdicts[self];
    v->ok = false;
    for (unsigned i = 0; i < v->reason_count; i++)
        if (v->reasons[i].code == PR_REASON_CLASH)
            return;
    char who[320];
    describe_entry(&entries[other], other, who, sizeof who);
    const pr_check_entry *e = &entries[self];
    if (same_port)
        add_reason(v, PR_REASON_CLASH, "%u/%s is also taken by %s", (unsigned)e->port,
                   pr_proto_name(e->proto), who);
    else
        add_reason(v, PR_REASON_CLASH, "the name is also given to port %u by %s",
                   (unsigned)entries[other].port, who);
}

int pr_check_manifest_judge(const pr_api *api, const pr_check_entry *entries, size_t n,
                            const pr_check_options *opt, pr_manifest *m)
{
    memset(m, 0, sizeof *m);
    m->verdicts = calloc(n + 1, sizeof *m->verdicts);
    size_t cap = 16;
    m->clashes = malloc(cap * sizeof *m->clashes);
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
            if (a->proto != b->proto || !same_scope(a, b))
                continue;
            bool same_port = a->port == b->port;
            if (!same_port && !(a->name && b->name && same_name(a->name, b->name)))
                continue;
            if (m->clash_count == cap) {
                pr_clash *more = realloc(m->clashes, cap * 2 * sizeof *more);
                if (!more)
                    goto oom;
                m->clashes = more;
                cap *= 2;
            }
            pr_clash *c = &m->clashes[m->clash_count];
            const char *proto = pr_proto_name(a->proto);
            if (same_port) {
                pr_textf(c->message, sizeof c->message, "entries %zu and %zu both use %u/%s", i, j,
                         (unsigned)a->port, proto);
            } else {
                char q[96];
                pr_error_quote(a->name, strlen(a->name), 64, q, sizeof q);
                pr_textf(c->message, sizeof c->message,
                         "entries %zu and %zu give the name %s two different ports for %s", i, j, q,
                         proto);
            }
            c->same_port = same_port;
            c->a = i;
            c->b = j;
            m->clash_count++;
            clash_reason(m, entries, i, j, same_port);
            clash_reason(m, entries, j, i, same_port);
        }
    }
    /* a port clash makes other ports worth suggesting */
    for (size_t i = 0; i < n; i++)
        if (m->verdicts[i].suggestion_count == 0)
            suggest(api, opt, &m->verdicts[i]);
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

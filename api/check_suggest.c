/* check_suggest.c: the ports a check suggests instead (check.h): runs
 * of free ports from the asker's own bands first, then from the span,
 * seeded by a name or nearest the port asked about. */
#include <string.h>

#include "check_internal.h"
#include "hazards.h"
#include "internal.h"

/* A reason about the port itself makes other ports worth suggesting; a
 * targetPort that names no pod's port is fixed in the pods or the name,
 * not by another Service port. */
static bool about_port(enum pr_reason_code code)
{
    return code != PR_REASON_NAME_INVALID && code != PR_REASON_NAME_REGISTERED &&
           code != PR_REASON_TARGET_PORT;
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
void pr_check_suggest(const pr_api *api, const pr_check_options *opt, pr_verdict *v)
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

/* check_plan.c: the organization's port plan's rules of a check
 * (check.h): who in the plan holds the port, whose band it lies in, and
 * IANA's objections turned into notes on the asker's own ports. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "check_internal.h"
#include "csv_table.h"
#include "internal.h"

/* IANA's objections to a port, as opposed to the plan's, the hazards' or
 * the name's. */
static bool about_iana_port(enum pr_reason_code code)
{
    return code <= PR_REASON_RESERVED;
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
void pr_check_local_rules(const pr_registry *reg, const pr_check_options *opt, pr_verdict *v)
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
            own_named = own_named || (e->name && pr_check_same_name(r->service, e->name));
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
        pr_check_add_reason(v, PR_REASON_HELD, "%u/%s is held by %s (%s, %s%s%s)%s%s",
                            (unsigned)e->port, proto, held->owner, held->service,
                            pr_plan_status_name((enum pr_plan_status)held->local_status),
                            held->local_status == PR_PLAN_PENDING_IANA ? " " : "",
                            held->local_status == PR_PLAN_PENDING_IANA
                                ? reg->references[held->references.first]
                                : "",
                            contact_of(held, contact, sizeof contact), more);
    }
    if (band && !own)
        pr_check_add_reason(v, PR_REASON_IN_BAND, "%u/%s lies in band %s of %s%s",
                            (unsigned)e->port, proto, band->port_text, band->owner,
                            contact_of(band, contact, sizeof contact));
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

/* check.c: verdicts on port choices, for /v1/check and `portreg check`
 * (see check.h). A verdict is built by small steps, each a rule of the
 * check: who holds the port and the port's range and status (here), the
 * plan (check_plan.c), the name's syntax and registrations
 * (check_names.c), then suggestions (check_suggest.c); many entries at
 * once in check_manifest.c. check_json.c writes it as JSON. */
#include "check_internal.h"

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

void pr_check_add_reason(pr_verdict *v, enum pr_reason_code code, const char *fmt, ...)
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

/* Holder text is cut at this many bytes of its description: a reason is a
 * sentence, and IANA's descriptions run to a kilobyte and more. */
#define HOLDER_DESCRIPTION_BYTES 240

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
        /* the plan's entries are judged by pr_check_local_rules */
        if (r->status != PR_STATUS_ASSIGNED || r->source == PR_SOURCE_LOCAL)
            continue;
        if (e->name && pr_check_same_name(r->service, e->name)) {
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
        pr_check_add_reason(
            v, PR_REASON_SYSTEM_PORT,
            "%u is a system port (0-1023): assigned only through IETF Review or IESG "
            "Approval (RFC 6335 8.1.2)",
            (unsigned)e->port);
    if (e->port >= 49152)
        pr_check_add_reason(
            v, PR_REASON_DYNAMIC_PORT,
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
            pr_check_add_reason(v, PR_REASON_ASSIGNED, "%u/%s is assigned to %s (%.*s%s)%s",
                                (unsigned)e->port, proto, holder->service, (int)shown, desc,
                                shown < desc_len ? "..." : "", more);
        else
            pr_check_add_reason(v, PR_REASON_ASSIGNED, "%u/%s is assigned to %s%s",
                                (unsigned)e->port, proto, holder->service, more);
    }
    if (v->status == PR_STATUS_RESERVED)
        pr_check_add_reason(v, PR_REASON_RESERVED, "%u/%s is reserved by IANA", (unsigned)e->port,
                            proto);
}

/* The hazards that are on, each a reason of its own. */
static void hazard_rules(const pr_check_options *opt, pr_verdict *v)
{
    for (int h = 0; h < PR_HAZARD_COUNT; h++) {
        char msg[PR_REASON_BYTES];
        if (pr_hazard_hit(opt, (enum pr_hazard)h, v->entry.port, v->entry.proto, v->entry.use, msg,
                          sizeof msg))
            pr_check_add_reason(v, (enum pr_reason_code)(PR_REASON_LINUX_EPHEMERAL + h), "%s", msg);
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
            pr_check_name_syntax(v, entry->name);
            if (v->name_problem_count)
                pr_check_add_reason(
                    v, PR_REASON_NAME_INVALID,
                    "the port name breaks RFC 6335 section 5.1 (see name_problems)");
        }
        v->ok = v->reason_count == 0;
        return 0;
    }
    port_rules(v, own, holder, others);
    pr_check_local_rules(reg, opt, v);
    hazard_rules(opt, v);
    if (entry->name && pr_check_name_rules(reg, v) != 0)
        goto oom;
    if (entry->target_port_problem)
        pr_check_add_reason(v, PR_REASON_TARGET_PORT, "%s", entry->target_port_problem);
    pr_check_suggest(api, opt, v);
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

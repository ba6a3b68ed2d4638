/* check.c: verdicts on port choices, for /v1/check and `portreg check`. */
#include "check.h"

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

int pr_check_name_rules(const char *name, json_t *problems)
{
    size_t len = strlen(name), before = json_array_size(problems);
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
    /* RFC 6335 5.1, rule by rule, in the RFC's order */
    const struct {
        bool broken;
        const char *what;
    } rules[] = {
        {len > 15, "is longer than 15 characters"},
        {other, "contains characters other than letters, digits and hyphens"},
        {!letter, "contains no letter"},
        {len > 0 && (name[0] == '-' || name[len - 1] == '-'), "begins or ends with a hyphen"},
        {double_hyphen, "contains two hyphens in a row"},
    };
    for (size_t i = 0; i < sizeof rules / sizeof *rules; i++) {
        if (!rules[i].broken)
            continue;
        char sentence[256];
        pr_textf(sentence, sizeof sentence, "%s %s", q, rules[i].what);
        if (json_array_append_new(problems, json_string(sentence)) != 0)
            return -1;
    }
    return (int)(json_array_size(problems) - before);
}

typedef struct reasons {
    json_t *list;
    bool port_problem; /* a reason about the port itself: worth suggesting others */
    bool failed;       /* a member could not be built: the verdict must not go out */
} reasons;

/* Appends value (stolen) to list; a failure marks the verdict failed rather
 * than leaving it shorter: a verdict without its reason would say ok. */
static void push(reasons *r, json_t *list, json_t *value)
{
    if (json_array_append_new(list, value) != 0)
        r->failed = true;
}

__attribute__((format(printf, 4, 5))) static void add_reason(reasons *r, const char *code,
                                                             bool about_port, const char *fmt, ...)
{
    char message[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    if (n < 0) {
        r->failed = true;
        return;
    }
    if ((size_t)n >= sizeof message) /* cut where no character is split */
        memcpy(message + pr_utf8_cut(message, sizeof message - 4), "...", 4);
    push(r, r->list, json_pack("{s:s,s:s}", "code", code, "message", message));
    r->port_problem = r->port_problem || about_port;
}

/* Holder text is cut at this many bytes of its description: a reason is a
 * sentence, and IANA's descriptions run to a kilobyte and more. */
#define HOLDER_DESCRIPTION_BYTES 240

static bool same_name(const char *a, const char *b)
{
    return strcasecmp(a, b) == 0;
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

json_t *pr_check_verdict(const pr_api *api, const pr_check_entry *e, const pr_check_options *opt)
{
    const pr_registry *reg = pr_api_registry(api);
    const char *proto = pr_proto_name(e->proto);
    enum pr_status status = pr_registry_port_status(reg, e->port, e->proto);
    json_t *conflicts = json_array(), *name_problems = json_array(), *registered = json_array(),
           *suggestions = json_array();
    reasons why = {json_array(), false, false};
    if (!conflicts || !name_problems || !registered || !suggestions || !why.list)
        goto oom;

    /* The records on this port and protocol that hold it: assignments and
     * reservations. The port is the name's own when every assignment is
     * under that name. */
    uint32_t n;
    const uint32_t *idx = pr_registry_port_records(reg, e->port, &n);
    const pr_record *holder = NULL; /* the first assignment to another name */
    uint32_t others = 0;
    bool own = false;
    for (uint32_t i = 0; i < n; i++) {
        const pr_record *r = &reg->records[idx[i]];
        if ((r->proto != PR_PROTO_NONE && r->proto != e->proto) ||
            r->status == PR_STATUS_UNASSIGNED)
            continue;
        push(&why, conflicts, pr_json_record(reg, r));
        if (r->status != PR_STATUS_ASSIGNED)
            continue;
        if (e->name && same_name(r->service, e->name)) {
            own = true;
        } else {
            holder = holder ? holder : r;
            others++;
        }
    }

    if (e->port <= 1023 && !own)
        add_reason(&why, "system_port", true,
                   "%u is a system port (0-1023): assigned only through IETF Review or IESG "
                   "Approval (RFC 6335 8.1.2)",
                   (unsigned)e->port);
    if (e->port >= 49152)
        add_reason(&why, "dynamic_port", true,
                   "%u is a dynamic port (49152-65535): never assigned, left for ephemeral use",
                   (unsigned)e->port);
    if (status == PR_STATUS_ASSIGNED && !own) {
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
            add_reason(&why, "assigned", true, "%u/%s is assigned to %s (%.*s%s)%s",
                       (unsigned)e->port, proto, holder->service, (int)shown, desc,
                       shown < desc_len ? "..." : "", more);
        else
            add_reason(&why, "assigned", true, "%u/%s is assigned to %s%s", (unsigned)e->port,
                       proto, holder->service, more);
    }
    if (status == PR_STATUS_RESERVED)
        add_reason(&why, "reserved", true, "%u/%s is reserved by IANA", (unsigned)e->port, proto);

    if (e->name) {
        char q[96];
        pr_error_quote(e->name, strlen(e->name), 64, q, sizeof q);
        int broken = pr_check_name_rules(e->name, name_problems);
        why.failed = why.failed || broken < 0;
        if (broken > 0)
            add_reason(&why, "name_invalid", false,
                       "the service name %s breaks RFC 6335 section 5.1 (see name_problems)", q);
        const pr_service_name *sn = pr_registry_find_name(reg, e->name, strlen(e->name));
        if (sn) {
            bool here = false;
            for (uint32_t k = 0; k < sn->records.count; k++) {
                const pr_record *r = &reg->records[reg->name_records[sn->records.first + k]];
                push(&why, registered, pr_json_record(reg, r));
                here =
                    here || (r->has_port && r->port_first <= e->port && e->port <= r->port_last &&
                             (r->proto == PR_PROTO_NONE || r->proto == e->proto));
            }
            if (!here) {
                char where[400];
                describe_ports(reg, sn, where, sizeof where);
                add_reason(&why, "name_registered", false,
                           "the service name %s is registered on %s, not on %u/%s", q, where,
                           (unsigned)e->port, proto);
            }
        }
    }

    /* Other ports are worth naming only when this port is the problem: the
     * nearest user ports that are unassigned, lower first on a tie. */
    if (why.port_problem) {
        int start = e->port < 1024 ? 1024 : e->port > 49151 ? 49151 : e->port;
        for (int d = 0;
             !why.failed && json_array_size(suggestions) < opt->suggest && d <= 49151 - 1024; d++) {
            int candidates[2] = {start - d, start + d};
            for (int c = 0; c < (d ? 2 : 1); c++) {
                int p = candidates[c];
                if (p >= 1024 && p <= 49151 && p != e->port &&
                    json_array_size(suggestions) < opt->suggest &&
                    pr_check_port_free(api, (uint16_t)p, e->proto, opt->both))
                    push(&why, suggestions, json_integer(p));
            }
        }
    }

    if (why.failed)
        goto oom;
    return json_pack("{s:b,s:i,s:s,s:o,s:s,s:s,s:o,s:o,s:o,s:o,s:o}", "ok",
                     json_array_size(why.list) == 0, "port", (int)e->port, "protocol", proto,
                     "name", e->name ? json_string(e->name) : json_null(), "range_class",
                     pr_range_class_name(pr_range_class_of(e->port)), "status",
                     pr_status_name(status), "reasons", why.list, "conflicts", conflicts,
                     "name_problems", name_problems, "registered", registered, "suggestions",
                     suggestions);
oom:
    json_decref(conflicts);
    json_decref(name_problems);
    json_decref(registered);
    json_decref(suggestions);
    json_decref(why.list);
    return NULL;
}

static json_t *clash(size_t a, size_t b, const char *code, const char *message)
{
    return json_pack("{s:[I,I],s:s,s:s}", "entries", (json_int_t)a, (json_int_t)b, "code", code,
                     "message", message);
}

json_t *pr_check_manifest(const pr_api *api, const pr_check_entry *entries, size_t n,
                          const pr_check_options *opt)
{
    json_t *verdicts = json_array(), *clashes = json_array();
    bool ok = true;
    for (size_t i = 0; verdicts && i < n; i++) {
        json_t *v = pr_check_verdict(api, &entries[i], opt);
        ok = ok && json_is_true(json_object_get(v, "ok"));
        if (json_array_append_new(verdicts, v) != 0)
            goto oom;
    }
    for (size_t i = 0; clashes && i < n; i++) {
        for (size_t j = i + 1; j < n; j++) {
            const pr_check_entry *a = &entries[i], *b = &entries[j];
            if (a->proto != b->proto)
                continue;
            char message[256];
            const char *proto = pr_proto_name(a->proto);
            json_t *found = NULL;
            if (a->port == b->port) {
                pr_textf(message, sizeof message, "entries %zu and %zu both use %u/%s", i, j,
                         (unsigned)a->port, proto);
                found = clash(i, j, "same_port", message);
            } else if (a->name && b->name && same_name(a->name, b->name)) {
                char q[96];
                pr_error_quote(a->name, strlen(a->name), 64, q, sizeof q);
                pr_textf(message, sizeof message,
                         "entries %zu and %zu give the name %s two different ports for %s", i, j, q,
                         proto);
                found = clash(i, j, "same_name", message);
            } else {
                continue;
            }
            /* a clash left out would let the manifest pass */
            if (json_array_append_new(clashes, found) != 0)
                goto oom;
        }
    }
    if (!verdicts || !clashes)
        goto oom;
    return json_pack("{s:b,s:o,s:o}", "ok", ok && json_array_size(clashes) == 0, "verdicts",
                     verdicts, "clashes", clashes);
oom:
    json_decref(verdicts);
    json_decref(clashes);
    return NULL;
}

/* plan.c: the organization's port plan, read into local records, checked
 * entry against entry, then indexed by owner and port (see plan.h). */
#include "plan.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build.h"
#include "fields.h"

enum { PROTOS = PR_PROTO_COUNT - 1 };

enum plan_col {
    PCOL_SERVICE,
    PCOL_PORT,
    PCOL_PROTO,
    PCOL_OWNER,
    PCOL_CONTACT,
    PCOL_STATUS,
    PCOL_REFERENCE,
    PCOL_NOTES,
    PLAN_COLS
};

static const char *const plan_columns[PLAN_COLS] = {
    "Service Name", "Port Number", "Transport Protocol", "Owner",
    "Contact",      "Status",      "Reference",          "Notes"};

static const char *const plan_status_names[PR_PLAN_STATUS_COUNT] = {
    [PR_PLAN_ASSIGNED] = "assigned",
    [PR_PLAN_RESERVED] = "reserved",
    [PR_PLAN_PENDING_IANA] = "pending-iana",
    [PR_PLAN_BAND] = "band",
};

const char *pr_plan_status_name(enum pr_plan_status status)
{
    return (unsigned)status < PR_PLAN_STATUS_COUNT ? plan_status_names[status] : "";
}

bool pr_plan_status_parse(const char *text, size_t len, enum pr_plan_status *out)
{
    for (int s = 0; s < PR_PLAN_STATUS_COUNT; s++) {
        if (strlen(plan_status_names[s]) == len && memcmp(plan_status_names[s], text, len) == 0) {
            *out = (enum pr_plan_status)s;
            return true;
        }
    }
    return false;
}

const char *pr_source_name(enum pr_record_source source)
{
    return source == PR_SOURCE_LOCAL ? "local" : "iana";
}

int prd_add_warning(builder *b, const char *file, unsigned long line, const char *field,
                    const char *fmt, ...)
{
    if (!prd_reserve((void **)&b->st->warnings, &b->warn_cap, (size_t)b->warning_count + 1,
                     sizeof *b->st->warnings))
        return -1;
    char text[sizeof b->st->warnings[0].text];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (n < 0)
        text[0] = '\0';
    pr_error_set(&b->st->warnings[b->warning_count++], file, line, field, "%s", text);
    return 0;
}

/* "tcp udp" into the protocols it lists, in the order given; "" is every
 * protocol (one PR_PROTO_NONE). False with why filled on anything else. */
static bool parse_protocols(const char *text, size_t len, enum pr_proto *out, size_t *count,
                            char *why, size_t why_size)
{
    *count = 0;
    bool seen[PR_PROTO_COUNT] = {false};
    size_t at = 0;
    while (at < len) {
        if (text[at] == ' ') {
            at++;
            continue;
        }
        size_t end = at;
        while (end < len && text[end] != ' ')
            end++;
        enum pr_proto p;
        char q[96];
        pr_error_quote(text + at, end - at, 40, q, sizeof q);
        /* exact lower case: the plan is reviewed text, and one spelling
         * keeps greps and diffs honest */
        if (!pr_proto_parse(text + at, end - at, &p) ||
            strncmp(pr_proto_name(p), text + at, end - at) != 0) {
            snprintf(why, why_size, "%s is not a protocol: tcp, udp, sctp or dccp, lower case", q);
            return false;
        }
        if (seen[p]) {
            snprintf(why, why_size, "%s is listed twice", q);
            return false;
        }
        seen[p] = true;
        out[(*count)++] = p;
        at = end;
    }
    if (*count == 0)
        out[(*count)++] = PR_PROTO_NONE;
    return true;
}

static bool owner_valid(const char *text, size_t len)
{
    if (len == 0 || len > PR_PLAN_MAX_OWNER)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_'))
            return false;
    }
    return true;
}

/* Free text of a cell that is one line: no control characters. */
static bool one_line(const char *text, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)text[i] < 0x20 || text[i] == 0x7f)
            return false;
    return true;
}

static int on_plan_row(void *ctx, const pr_csv_field *f, unsigned long line, pr_error *err)
{
    builder *b = ctx;
    storage *st = b->st;
    const char *file = b->plan_name;
    char why[256], q[96];
#define FAIL(col, ...)                                                                             \
    do {                                                                                           \
        pr_error_set(err, file, f[col].line, plan_columns[col], __VA_ARGS__);                      \
        return -1;                                                                                 \
    } while (0)
    if (++b->plan_rows > PR_PLAN_MAX_ROWS)
        FAIL(PCOL_SERVICE, "the plan has over %u entries", PR_PLAN_MAX_ROWS);

    enum pr_plan_status status;
    pr_error_quote(f[PCOL_STATUS].text, f[PCOL_STATUS].len, 40, q, sizeof q);
    if (!pr_plan_status_parse(f[PCOL_STATUS].text, f[PCOL_STATUS].len, &status))
        FAIL(PCOL_STATUS, "unknown status %s: assigned, reserved, pending-iana or band", q);

    bool has_port;
    uint16_t first, last;
    if (!pr_parse_port_cell(f[PCOL_PORT].text, f[PCOL_PORT].len, &has_port, &first, &last, why,
                            sizeof why))
        FAIL(PCOL_PORT, "%s", why);
    if (!has_port)
        FAIL(PCOL_PORT, "an entry needs a port or a range N-M");

    enum pr_proto protos[PR_PROTO_COUNT];
    size_t nprotos;
    if (!parse_protocols(f[PCOL_PROTO].text, f[PCOL_PROTO].len, protos, &nprotos, why, sizeof why))
        FAIL(PCOL_PROTO, "%s", why);

    pr_error_quote(f[PCOL_OWNER].text, f[PCOL_OWNER].len, 40, q, sizeof q);
    if (!owner_valid(f[PCOL_OWNER].text, f[PCOL_OWNER].len))
        FAIL(PCOL_OWNER, "%s is not a team name: 1 to %d of a-z, 0-9, '.', '_', '-'", q,
             PR_PLAN_MAX_OWNER);

    const pr_csv_field *svc = &f[PCOL_SERVICE];
    if (svc->len == 0 && status != PR_PLAN_BAND)
        FAIL(PCOL_SERVICE, "an entry needs a service name (only a band may go without)");
    if (svc->len > PR_PLAN_MAX_SERVICE)
        FAIL(PCOL_SERVICE, "the name is %zu bytes long, over %d", svc->len, PR_PLAN_MAX_SERVICE);
    if (!one_line(svc->text, svc->len) || memchr(svc->text, ' ', svc->len))
        FAIL(PCOL_SERVICE, "a service name holds no spaces or control characters");
    if (!one_line(f[PCOL_CONTACT].text, f[PCOL_CONTACT].len))
        FAIL(PCOL_CONTACT, "the contact is one line of text");
    const pr_csv_field *ref = &f[PCOL_REFERENCE];
    if (!one_line(ref->text, ref->len) || memchr(ref->text, '[', ref->len) ||
        memchr(ref->text, ']', ref->len))
        FAIL(PCOL_REFERENCE, "a reference is one line of text without brackets");
    if (status == PR_PLAN_PENDING_IANA && ref->len == 0)
        FAIL(PCOL_REFERENCE, "a pending-iana entry needs the reference of its IANA application "
                             "(its ticket or URL)");

    const char *service = prd_store_string(st, svc->text, svc->len);
    const char *owner = prd_store_string(st, f[PCOL_OWNER].text, f[PCOL_OWNER].len);
    const char *contact = prd_store_string(st, f[PCOL_CONTACT].text, f[PCOL_CONTACT].len);
    const char *notes = prd_store_string(st, f[PCOL_NOTES].text, f[PCOL_NOTES].len);
    const char *port_text = prd_store_string(st, f[PCOL_PORT].text, f[PCOL_PORT].len);
    const char *reference = ref->len ? prd_store_string(st, ref->text, ref->len) : "";
    if (!service || !owner || !contact || !notes || !port_text || !reference)
        return prd_out_of_memory(b, file, line, err);
    if (ref->len) {
        if (!prd_reserve((void **)&st->references, &b->ref_cap, (size_t)b->ref_count + 1,
                         sizeof *st->references))
            return prd_out_of_memory(b, file, line, err);
        st->references[b->ref_count++] = reference;
    }
    for (size_t k = 0; k < nprotos; k++) {
        if (!prd_reserve((void **)&st->records, &b->record_cap, (size_t)b->record_count + 1,
                         sizeof *st->records))
            return prd_out_of_memory(b, file, line, err);
        pr_record *r = &st->records[b->record_count++];
        *r = (pr_record){
            .service = service,
            .description = "",
            .unauthorized_use = "",
            .notes = notes,
            .port_text = port_text,
            .references = {ref->len ? b->ref_count - 1 : 0, ref->len ? 1 : 0},
            .line = (uint32_t)line,
            .port_first = first,
            .port_last = last,
            .has_port = 1,
            .is_range = memchr(f[PCOL_PORT].text, '-', f[PCOL_PORT].len) != NULL,
            .proto = (uint8_t)protos[k],
            .status = (uint8_t)(status == PR_PLAN_ASSIGNED || status == PR_PLAN_PENDING_IANA
                                    ? PR_STATUS_ASSIGNED
                                    : PR_STATUS_RESERVED),
            .source = PR_SOURCE_LOCAL,
            .local_status = (uint8_t)status,
            .owner = owner,
            .local_contact = contact,
        };
    }
#undef FAIL
    return 0;
}

static bool protos_meet(const pr_record *a, const pr_record *b)
{
    return a->proto == PR_PROTO_NONE || b->proto == PR_PROTO_NONE || a->proto == b->proto;
}

static const char *proto_suffix(const pr_record *r)
{
    return r->proto == PR_PROTO_NONE ? "" : pr_proto_name((enum pr_proto)r->proto);
}

/* Two entries of different owners that share ports and a protocol: an
 * error for two bands and for two entries, a warning for an entry inside
 * another's band. The one later in the file is the one reported. */
static int judge_pair(builder *b, const pr_record *x, const pr_record *y, pr_error *err)
{
    const pr_record *later = x->line > y->line ? x : y, *earlier = later == x ? y : x;
    bool later_band = later->local_status == PR_PLAN_BAND;
    bool earlier_band = earlier->local_status == PR_PLAN_BAND;
    const char *col = plan_columns[PCOL_PORT];
    if (later_band && earlier_band) {
        pr_error_set(err, b->plan_name, later->line, col,
                     "band %s of %s overlaps band %s of %s (line %u): two owners' bands may "
                     "not overlap",
                     later->port_text, later->owner, earlier->port_text, earlier->owner,
                     (unsigned)earlier->line);
        return -1;
    }
    if (!later_band && !earlier_band) {
        pr_error_set(err, b->plan_name, later->line, col,
                     "%s %s%s%s of %s overlaps %s %s%s%s of %s (line %u): two owners may not "
                     "hold the same port and protocol",
                     later->service, later->port_text, later->proto ? "/" : "", proto_suffix(later),
                     later->owner, earlier->service, earlier->port_text, earlier->proto ? "/" : "",
                     proto_suffix(earlier), earlier->owner, (unsigned)earlier->line);
        return -1;
    }
    const pr_record *band = later_band ? later : earlier, *entry = later_band ? earlier : later;
    if (prd_add_warning(b, b->plan_name, later->line, col,
                        "%s %s of %s lies inside band %s of %s (line %u)", entry->service,
                        entry->port_text, entry->owner, band->port_text, band->owner,
                        (unsigned)(later == band ? entry->line : band->line)) != 0)
        return prd_out_of_memory(b, b->plan_name, later->line, err);
    b->plan_warnings++;
    return 0;
}

int prd_read_plan(builder *b, const pr_source *plan, pr_error *err)
{
    b->plan_name = plan->name;
    b->local_first = b->record_count;
    if (plan->len > PR_PLAN_MAX_BYTES) {
        pr_error_set(err, plan->name, 0, NULL, "file is %zu bytes, over the limit of %u", plan->len,
                     PR_PLAN_MAX_BYTES);
        return -1;
    }
    if (pr_csv_read_flags(plan, plan_columns, PLAN_COLS, on_plan_row, b, PR_CSV_COMMENTS, err) < 0)
        return -1;
    /* The ports the plan covers, counted before any loop over them: a plan
     * of thousands of whole-range entries would otherwise take seconds to
     * check and gigabytes to index. */
    uint64_t covered = 0;
    for (uint32_t i = b->local_first; i < b->record_count; i++) {
        const pr_record *r = &b->st->records[i];
        covered += ((uint64_t)r->port_last - r->port_first + 1) * (r->proto ? 1 : PROTOS);
        if (covered > PR_PLAN_MAX_PORTS) {
            pr_error_set(err, plan->name, r->line, plan_columns[PCOL_PORT],
                         "the plan's entries cover over %u ports and protocols in all",
                         PR_PLAN_MAX_PORTS);
            return -1;
        }
    }
    /* Who holds each port, per protocol: the first record of the plan (its
     * index + 1; 0: none) that holds it as a band, and as an entry. The
     * bands first, so that every entry meets every band whatever the order
     * of the lines; a port is looked at once per record covering it. */
    uint32_t *claims = calloc((size_t)2 * PROTOS * 65536, sizeof *claims);
    if (!claims)
        return prd_out_of_memory(b, plan->name, 0, err);
    const pr_record *recs = b->st->records;
    int rc = 0;
    for (int pass = 0; pass < 2 && rc == 0; pass++) {
        bool entries = pass == 1;
        for (uint32_t i = b->local_first; i < b->record_count && rc == 0; i++) {
            const pr_record *r = &recs[i];
            if ((r->local_status != PR_PLAN_BAND) != entries)
                continue;
            bool warned = false;
            for (int proto = PR_PROTO_TCP; proto < PR_PROTO_COUNT && rc == 0; proto++) {
                if (r->proto != PR_PROTO_NONE && r->proto != proto)
                    continue;
                uint32_t *bands = claims + (size_t)(proto - 1) * 65536;
                uint32_t *mine = entries ? bands + (size_t)PROTOS * 65536 : bands;
                for (uint32_t p = r->port_first; p <= r->port_last && rc == 0; p++) {
                    uint32_t c = mine[p];
                    if (!c)
                        mine[p] = i + 1;
                    else if (strcmp(recs[c - 1].owner, r->owner) != 0)
                        rc = judge_pair(b, &recs[c - 1], r, err); /* an error */
                    c = bands[p];
                    if (entries && !warned && rc == 0 && c &&
                        strcmp(recs[c - 1].owner, r->owner) != 0) {
                        rc = judge_pair(b, &recs[c - 1], r, err); /* a warning */
                        warned = true;
                    }
                }
            }
        }
    }
    free(claims);
    return rc;
}

static int by_owner(const void *x, const void *y, void *ctx)
{
    const pr_record *recs = ctx;
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    int c = strcmp(recs[a].owner, recs[b].owner);
    return c ? c : (a < b ? -1 : a > b);
}

/* A warning for an entry on ports IANA assigned or reserved, naming both;
 * a range names the first such port and counts them. */
static int warn_iana(builder *b, const pr_registry *reg, const pr_record *r)
{
    const pr_record *first = NULL;
    uint16_t first_port = 0;
    uint32_t ports = 0;
    for (uint32_t p = r->port_first; p <= r->port_last; p++) {
        uint32_t n;
        const uint32_t *idx = pr_registry_port_records(reg, (uint16_t)p, &n);
        for (uint32_t k = 0; k < n && idx[k] < b->local_first; k++) {
            const pr_record *iana = &b->st->records[idx[k]];
            if (iana->status == PR_STATUS_UNASSIGNED || !protos_meet(r, iana))
                continue;
            if (!first) {
                first = iana;
                first_port = (uint16_t)p;
            }
            ports++;
            break;
        }
    }
    if (!first)
        return 0;
    b->plan_warnings++;
    const char *what = first->status == PR_STATUS_ASSIGNED ? "assigned to" : "reserved";
    const char *iana_name = first->status == PR_STATUS_ASSIGNED ? first->service : "";
    const char *proto = proto_suffix(first);
    char more[64] = "";
    if (ports > 1)
        snprintf(more, sizeof more, " (and %u more of its ports)", (unsigned)(ports - 1));
    const char *name = r->service[0] ? r->service : "band";
    return prd_add_warning(b, b->plan_name, r->line, plan_columns[PCOL_PORT],
                           "%s %s%s%s of %s overlaps IANA: %u%s%s is %s%s%s%s", name, r->port_text,
                           r->proto ? "/" : "", proto_suffix(r), r->owner, (unsigned)first_port,
                           proto[0] ? "/" : "", proto, what, iana_name[0] ? " " : "", iana_name,
                           more);
}

int prd_finish_plan(builder *b, pr_registry *reg, pr_error *err)
{
    storage *st = b->st;
    uint32_t n = b->record_count - b->local_first;
    reg->has_plan = true;
    reg->local_first = b->local_first;
    reg->plan_rows = b->plan_rows;
    st->owner_records = malloc(((size_t)n + 1) * sizeof *st->owner_records);
    st->owners = malloc(((size_t)n + 1) * sizeof *st->owners);
    st->local_marks = calloc((size_t)(PR_PROTO_COUNT - 1) * 65536, 1);
    if (!st->owner_records || !st->owners || !st->local_marks)
        return prd_out_of_memory(b, b->plan_name, 0, err);
    for (uint32_t i = 0; i < n; i++)
        st->owner_records[i] = b->local_first + i;
    qsort_r(st->owner_records, n, sizeof *st->owner_records, by_owner, st->records);
    uint32_t owners = 0;
    for (uint32_t i = 0; i < n; i++) {
        const pr_record *r = &st->records[st->owner_records[i]];
        if (i == 0 || strcmp(st->owners[owners - 1].name, r->owner) != 0)
            st->owners[owners++] = (pr_owner){r->owner, "", {i, 0}, 0, 0};
        pr_owner *o = &st->owners[owners - 1];
        o->records.count++;
        if (r->local_status == PR_PLAN_BAND)
            o->band_count++;
        else
            o->entry_count++;
        if (!o->contact[0])
            o->contact = r->local_contact;
    }
    for (uint32_t i = b->local_first; i < b->record_count; i++) {
        const pr_record *r = &st->records[i];
        uint8_t mark = r->local_status == PR_PLAN_BAND ? PR_MARK_BAND : PR_MARK_ENTRY;
        for (int proto = PR_PROTO_TCP; proto < PR_PROTO_COUNT; proto++) {
            if (r->proto != PR_PROTO_NONE && r->proto != proto)
                continue;
            uint8_t *row = st->local_marks + (size_t)(proto - 1) * 65536;
            for (uint32_t p = r->port_first; p <= r->port_last; p++)
                row[p] |= mark;
        }
    }
    reg->owners = st->owners;
    reg->owner_count = owners;
    reg->owner_records = st->owner_records;
    reg->local_marks = st->local_marks;
    for (uint32_t i = b->local_first; i < b->record_count; i++)
        if (warn_iana(b, reg, &st->records[i]) != 0)
            return prd_out_of_memory(b, b->plan_name, st->records[i].line, err);
    reg->plan_warnings = b->plan_warnings;
    return 0;
}

const pr_owner *pr_registry_find_owner(const pr_registry *reg, const char *name, size_t len)
{
    uint32_t lo = 0, hi = reg->owner_count;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        const char *o = reg->owners[mid].name;
        size_t olen = strlen(o);
        int c = memcmp(o, name, olen < len ? olen : len);
        if (c == 0)
            c = olen < len ? -1 : olen > len;
        if (c < 0)
            lo = mid + 1;
        else if (c > 0)
            hi = mid;
        else
            return &reg->owners[mid];
    }
    return NULL;
}

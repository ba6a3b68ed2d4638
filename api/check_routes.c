/* check_routes.c: GET and POST /v1/check, GET /v1/ports/free. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "check.h"
#include "check_report.h"
#include "csv_table.h"
#include "deploy.h"
#include "hazards.h"
#include "internal.h"
#include "listpage.h"
#include "plan.h"

/* A team of the plan, as the plan spells it (plan.h); one that has no
 * entries yet may still ask. */
static bool owner_param(const pr_request *req, pr_response *resp, const char **out)
{
    const pr_param *p = pr_param_find(req, "owner");
    *out = NULL;
    if (!p)
        return true;
    bool ok = p->value_len >= 1 && p->value_len <= PR_PLAN_MAX_OWNER;
    for (size_t i = 0; ok && i < p->value_len; i++) {
        char c = p->value[i];
        ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
    }
    if (!ok) {
        char q[96];
        pr_error_quote(p->value, p->value_len, 40, q, sizeof q);
        pr_problem(resp, req, 400, "owner",
                   "owner must be a team name of 1 to %d of a-z, 0-9, '.', '_', '-', not %s",
                   PR_PLAN_MAX_OWNER, q);
        return false;
    }
    *out = p->value;
    return true;
}

static bool options_params(const pr_request *req, pr_response *resp, pr_check_options *opt)
{
    *opt = (pr_check_options){0};
    uint32_t suggest, count, from, to;
    if (!owner_param(req, resp, &opt->owner))
        return false;
    if (!pr_param_bool(req, resp, "both", &opt->both) ||
        !pr_param_bool(req, resp, "by_name", &opt->by_name) ||
        !pr_param_uint(req, resp, "suggest", 0, PR_MAX_SUGGESTIONS, PR_DEFAULT_SUGGESTIONS,
                       &suggest) ||
        !pr_param_uint(req, resp, "count", 1, 64, 1, &count) ||
        !pr_param_uint(req, resp, "from", 1, 65535, 1, &from) ||
        !pr_param_uint(req, resp, "to", 1, 65535, 65535, &to))
        return false;
    const pr_param *hz = pr_param_find(req, "hazards");
    if (hz && !pr_hazards_parse(hz->value, hz->value_len, &opt->hazards_off)) {
        char q[96];
        pr_error_quote(hz->value, hz->value_len, 60, q, sizeof q);
        pr_problem(resp, req, 400, "hazards",
                   "hazards must be all, none, or a comma-separated list of linux_ephemeral, "
                   "windows_dynamic, browser_blocked, node_port_range, not %s",
                   q);
        return false;
    }
    bool span = pr_param_find(req, "from") || pr_param_find(req, "to");
    if (span && from > to) {
        pr_problem(resp, req, 400, "from", "from (%u) is above to (%u)", (unsigned)from,
                   (unsigned)to);
        return false;
    }
    if (span) {
        opt->span_first = (uint16_t)from;
        opt->span_last = (uint16_t)to;
    }
    opt->suggest = suggest;
    opt->count = count;
    return true;
}

static bool both_fits(const pr_request *req, pr_response *resp, const pr_check_options *opt,
                      enum pr_proto proto, const char *where)
{
    if (!opt->both || proto == PR_PROTO_TCP || proto == PR_PROTO_UDP)
        return true;
    pr_problem(resp, req, 400, "both",
               "%sboth=true asks for ports free for tcp and udp; it needs "
               "protocol tcp or udp, not %s",
               where, pr_proto_name(proto));
    return false;
}

void pr_handle_check(pr_api *api, const pr_request *req, pr_response *resp, const char *arg,
                     size_t arg_len)
{
    (void)arg, (void)arg_len;
    const pr_param *port, *proto;
    pr_check_entry entry = {0};
    pr_check_options opt;
    if (!pr_param_required(req, resp, "port", &port) || !options_params(req, resp, &opt))
        return;
    /* port=80/tcp, as the command line writes it (portreg check 80/tcp), or
     * port=80&protocol=tcp; not both */
    const char *slash = memchr(port->value, '/', port->value_len);
    size_t port_len = slash ? (size_t)(slash - port->value) : port->value_len;
    proto = pr_param_find(req, "protocol");
    if (slash && proto) {
        pr_problem(resp, req, 400, "protocol",
                   "the protocol is given twice: in port (PORT/PROTOCOL) and in protocol");
        return;
    }
    if (!slash && !pr_param_required(req, resp, "protocol", &proto))
        return;
    const char *proto_text = slash ? slash + 1 : proto->value;
    size_t proto_len = slash ? port->value_len - port_len - 1 : proto->value_len;
    if (!pr_read_port(req, resp, "port", port->value, port_len, &entry.port) ||
        !pr_read_proto(req, resp, slash ? "port" : "protocol", proto_text, proto_len, &entry.proto))
        return;
    const pr_param *name = pr_param_find(req, "name");
    if (name && (name->value_len == 0 || name->value_len > PR_MAX_NAME_BYTES)) {
        pr_problem(resp, req, 400, "name", "name must be 1 to %d bytes long, not %zu",
                   PR_MAX_NAME_BYTES, name->value_len);
        return;
    }
    /* the verdict repeats the name, and JSON text is UTF-8 */
    if (name && !pr_utf8_valid(name->value, name->value_len, NULL)) {
        pr_problem(resp, req, 400, "name", "name must be UTF-8 text");
        return;
    }
    entry.name = name ? name->value : NULL;
    if (!both_fits(req, resp, &opt, entry.proto, ""))
        return;
    pr_respond_body(resp, req, pr_check_verdict(api, &entry, &opt));
}

/* RFC 9110 8.3.1: the media type before any parameters, case-insensitive. */
static bool is_json_media_type(const char *field)
{
    size_t len = strcspn(field, ";");
    while (len && (field[len - 1] == ' ' || field[len - 1] == '\t'))
        len--;
    return (len == 16 && strncasecmp(field, "application/json", 16) == 0) ||
           (len > 5 && strncasecmp(field + len - 5, "+json", 5) == 0 &&
            strncasecmp(field, "application/", 12) == 0);
}

/* RFC 9512: application/yaml; the older names some tools still send. */
static bool is_yaml_media_type(const char *field)
{
    static const char *const types[] = {"application/yaml", "application/x-yaml", "text/yaml",
                                        "text/x-yaml"};
    size_t len = strcspn(field, ";");
    while (len && (field[len - 1] == ' ' || field[len - 1] == '\t'))
        len--;
    for (size_t i = 0; i < sizeof types / sizeof *types; i++)
        if (len == strlen(types[i]) && strncasecmp(field, types[i], len) == 0)
            return true;
    return false;
}

/* The report's format: format= wins; else the first media type of Accept
 * that names one (RFC 9110 12.5.1; a type with q=0 is refused, other
 * weights are not ranked); else JSON. */
static bool report_format(const pr_request *req, pr_response *resp, enum pr_report_format *out)
{
    *out = PR_REPORT_JSON;
    const pr_param *f = pr_param_find(req, "format");
    if (f) {
        if (pr_report_format_parse(f->value, f->value_len, out))
            return true;
        char q[96];
        pr_error_quote(f->value, f->value_len, 40, q, sizeof q);
        pr_problem(resp, req, 400, "format",
                   "format must be one of text, json, sarif, junit, github, not %s", q);
        return false;
    }
    static const struct {
        const char *type;
        enum pr_report_format format;
    } types[] = {{"application/json", PR_REPORT_JSON},
                 {"application/sarif+json", PR_REPORT_SARIF},
                 {"application/xml", PR_REPORT_JUNIT},
                 {"text/xml", PR_REPORT_JUNIT},
                 {"text/plain", PR_REPORT_TEXT}};
    for (const char *a = req->accept; a && *a;) {
        size_t item = strcspn(a, ","), len = strcspn(a, ";,");
        while (*a == ' ' || *a == '\t') {
            a++;
            item--;
            len--;
        }
        while (len && (a[len - 1] == ' ' || a[len - 1] == '\t'))
            len--;
        const char *params = a + len;
        bool refused = false;
        for (const char *qp = params; qp < a + item; qp++)
            if ((qp[0] == 'q' || qp[0] == 'Q') && qp[1] == '=' && qp > params &&
                (qp[-1] == ';' || qp[-1] == ' '))
                refused = strtod(qp + 2, NULL) == 0.0;
        for (size_t i = 0; !refused && i < sizeof types / sizeof *types; i++)
            if (len == strlen(types[i].type) && strncasecmp(a, types[i].type, len) == 0) {
                *out = types[i].format;
                return true;
            }
        a += item + (a[item] == ',');
    }
    return true;
}

/* Judges the entries and answers in the format: every format is a
 * rendering of the one judged manifest. */
static void answer(pr_api *api, const pr_request *req, pr_response *resp,
                   const pr_check_entry *entries, size_t n, const pr_check_options *opt,
                   enum pr_report_format format)
{
    pr_manifest m;
    if (pr_check_manifest_judge(api, entries, n, opt, &m) != 0) {
        pr_problem(resp, req, 500, NULL, "out of memory while judging the manifest");
        return;
    }
    if (format == PR_REPORT_JSON) {
        pr_respond_body(resp, req, pr_manifest_body(api, &m));
    } else {
        char *text = NULL;
        size_t len = 0;
        FILE *out = open_memstream(&text, &len);
        /* which data judged, first: a verdict is only as good as its date */
        const pr_registry *reg = pr_api_registry(api);
        char updated[11], header[320];
        snprintf(header, sizeof header, "registry: %s (%s)", pr_date_format(reg->updated, updated),
                 reg->source);
        int rc = out ? pr_report_write(out, api, &m, format, header) : -1;
        if (out && fclose(out) != 0)
            rc = -1;
        pr_respond_body(resp, req, rc == 0 ? pr_body_new(text, len) : NULL);
        free(text);
        if (resp->status == 200)
            resp->content_type = pr_report_media_type(format);
    }
    pr_manifest_free(&m);
    resp->cacheable = false; /* an answer to this body alone */
}

/* A body of compose files or Kubernetes manifests (deploy.h). */
static void check_yaml(pr_api *api, const pr_request *req, pr_response *resp,
                       const pr_check_options *opt, enum pr_report_format format)
{
    const pr_param *file = pr_param_find(req, "file");
    const char *name = file && file->value_len ? file->value : "body";
    if (file && (file->value_len > 200 || !pr_utf8_valid(file->value, file->value_len, NULL))) {
        pr_problem(resp, req, 400, "file", "file must be a name of 1 to 200 bytes of UTF-8");
        return;
    }
    pr_deploy_set set;
    pr_deploy_init(&set, api->cfg.max_manifest);
    char err[1024];
    if (pr_deploy_read(&set, name, req->body, req->body_len, err, sizeof err) != 0) {
        int status = strstr(err, "out of memory") ? 500 : set.count >= set.max_entries ? 413 : 400;
        pr_problem(resp, req, status, NULL, "%s", err);
    } else if (set.count == 0) {
        /* as for an empty JSON manifest: a job whose files lost their
         * ports must not pass */
        pr_problem(resp, req, 400, NULL, "%s: no port in it to check", name);
    } else if (opt->both) {
        size_t i = 0;
        while (i < set.count &&
               (set.entries[i].proto == PR_PROTO_TCP || set.entries[i].proto == PR_PROTO_UDP ||
                set.entries[i].use == PR_USE_CLASH_ONLY))
            i++;
        if (i < set.count)
            pr_problem(resp, req, 400, "both",
                       "both=true asks for ports free for tcp and udp; port %zu is %s", i,
                       pr_proto_name(set.entries[i].proto));
        else {
            pr_deploy_finish(&set);
            answer(api, req, resp, set.entries, set.count, opt, format);
        }
    } else {
        pr_deploy_finish(&set);
        answer(api, req, resp, set.entries, set.count, opt, format);
    }
    pr_deploy_free(&set);
}

/* Reads one manifest entry; on a problem fills a 400 naming the entry. */
static bool read_entry(const pr_request *req, pr_response *resp, json_t *item, size_t i,
                       const pr_check_options *opt, pr_check_entry *out)
{
    const char *key;
    json_t *value;
    if (!json_is_object(item)) {
        pr_problem(resp, req, 400, NULL, "entry %zu: must be an object {port, protocol, name}", i);
        return false;
    }
    json_object_foreach(item, key, value)
    {
        if (strcmp(key, "port") && strcmp(key, "protocol") && strcmp(key, "name") &&
            strcmp(key, "scope")) {
            char q[96];
            pr_error_quote(key, strlen(key), 40, q, sizeof q);
            pr_problem(resp, req, 400, NULL,
                       "entry %zu: unknown key %s (an entry has port, protocol, name and scope)", i,
                       q);
            return false;
        }
    }
    json_t *port = json_object_get(item, "port"), *proto = json_object_get(item, "protocol"),
           *name = json_object_get(item, "name");
    if (!json_is_integer(port) || json_integer_value(port) < 0 ||
        json_integer_value(port) > 65535) {
        pr_problem(resp, req, 400, NULL, "entry %zu: port must be an integer from 0 to 65535", i);
        return false;
    }
    const char *p = json_string_value(proto);
    if (!p || !pr_proto_parse(p, json_string_length(proto), &out->proto)) {
        pr_problem(resp, req, 400, NULL, "entry %zu: protocol must be one of tcp, udp, sctp, dccp",
                   i);
        return false;
    }
    if (name && !json_is_null(name) &&
        (!json_is_string(name) || json_string_length(name) == 0 ||
         json_string_length(name) > PR_MAX_NAME_BYTES ||
         strlen(json_string_value(name)) != json_string_length(name))) {
        pr_problem(resp, req, 400, NULL,
                   "entry %zu: name must be a string of 1 to %d bytes or null", i,
                   PR_MAX_NAME_BYTES);
        return false;
    }
    /* the user's grouping: entries clash only inside one scope */
    json_t *scope = json_object_get(item, "scope");
    if (scope && !json_is_null(scope) &&
        (!json_is_string(scope) || json_string_length(scope) == 0 ||
         json_string_length(scope) > PR_MAX_NAME_BYTES ||
         strlen(json_string_value(scope)) != json_string_length(scope))) {
        pr_problem(resp, req, 400, NULL,
                   "entry %zu: scope must be a string of 1 to %d bytes or null", i,
                   PR_MAX_NAME_BYTES);
        return false;
    }
    out->scope = json_is_string(scope) ? json_string_value(scope) : NULL;
    char where[32];
    snprintf(where, sizeof where, "entry %zu: ", i);
    if (!both_fits(req, resp, opt, out->proto, where))
        return false;
    out->port = (uint16_t)json_integer_value(port);
    out->name = json_is_string(name) ? json_string_value(name) : NULL;
    return true;
}

void pr_handle_check_post(pr_api *api, const pr_request *req, pr_response *resp, const char *arg,
                          size_t arg_len)
{
    (void)arg, (void)arg_len;
    pr_check_options opt;
    enum pr_report_format format;
    if (!options_params(req, resp, &opt) || !report_format(req, resp, &format))
        return;
    bool yaml = req->content_type && is_yaml_media_type(req->content_type);
    if (req->content_type && !yaml && !is_json_media_type(req->content_type)) {
        char q[96];
        pr_error_quote(req->content_type, strlen(req->content_type), 60, q, sizeof q);
        pr_problem(resp, req, 415, NULL,
                   "the manifest must be application/json, or compose files and Kubernetes "
                   "manifests as application/yaml, not %s (with curl: -H "
                   "'Content-Type: application/json')",
                   q);
        return;
    }
    if (!req->body || req->body_len == 0) {
        pr_problem(resp, req, 400, NULL,
                   "the request has no body: send a JSON array of {port, protocol, name}");
        return;
    }
    if (req->body_len > PR_MAX_BODY_BYTES) {
        pr_problem(resp, req, 413, NULL, "the manifest is over %d bytes", PR_MAX_BODY_BYTES);
        return;
    }
    if (yaml) {
        check_yaml(api, req, resp, &opt, format);
        return;
    }
    json_error_t jerr;
    json_t *root = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &jerr);
    /* jansson reports an allocation that failed inside a token as a fault
     * of the text ("string expected"): a manifest that fails once is read
     * again, so that a passing shortage of memory is not called bad JSON */
    if (!root)
        root = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &jerr);
    /* jansson explains every fault it finds in the text; it says nothing
     * when its own set-up could not allocate. Then the manifest may be fine,
     * and calling it not JSON would be wrong. */
    if (!root && (json_error_code(&jerr) == json_error_out_of_memory || !jerr.text[0])) {
        pr_problem(resp, req, 500, NULL, "out of memory while reading the manifest");
        return;
    }
    if (!root) {
        pr_problem(resp, req, 400, NULL, "request body is not JSON: line %d, column %d: %s",
                   jerr.line, jerr.column, jerr.text);
        return;
    }
    size_t n = json_array_size(root);
    pr_check_entry *entries = NULL;
    if (!json_is_array(root)) {
        pr_problem(resp, req, 400, NULL,
                   "the manifest must be a JSON array of {port, protocol, name} objects");
    } else if (n == 0) {
        pr_problem(resp, req, 400, NULL, "the manifest has no entries");
    } else if (n > api->cfg.max_manifest) {
        pr_problem(resp, req, 413, NULL, "the manifest has %zu entries, the limit is %d", n,
                   (int)api->cfg.max_manifest);
    } else if (!(entries = calloc(n, sizeof *entries))) {
        pr_problem(resp, req, 500, NULL, "out of memory");
    } else {
        size_t i = 0;
        while (i < n && read_entry(req, resp, json_array_get(root, i), i, &opt, &entries[i]))
            i++;
        if (i == n)
            answer(api, req, resp, entries, n, &opt, format);
    }
    free(entries);
    json_decref(root);
}

/* The walk over the ports of [from, to] free for every wanted protocol. */
typedef struct free_walk {
    const pr_api *api;
    uint32_t port, to;
    bool wanted[PR_PROTO_COUNT];
} free_walk;

static bool next_free_port(void *ctx, uint32_t *item)
{
    free_walk *fw = ctx;
    while (fw->port <= fw->to) {
        uint32_t port = fw->port++;
        bool free_for_all = true;
        for (int p = PR_PROTO_TCP; p < PR_PROTO_COUNT && free_for_all; p++)
            free_for_all =
                !fw->wanted[p] || pr_port_unassigned(fw->api, (uint16_t)port, (enum pr_proto)p);
        if (free_for_all) {
            *item = port;
            return true;
        }
    }
    return false;
}

static void write_port(pr_jw *w, void *ctx, uint32_t item)
{
    (void)ctx;
    pr_jw_uint(w, item);
}

void pr_handle_free_ports(pr_api *api, const pr_request *req, pr_response *resp, const char *arg,
                          size_t arg_len)
{
    (void)arg, (void)arg_len;
    const pr_param *proto;
    pr_slice items[PR_PROTO_COUNT];
    size_t n;
    uint32_t from, to, limit, offset;
    if (!pr_param_required(req, resp, "protocol", &proto) ||
        !pr_param_list(req, resp, "protocol", items, PR_PROTO_COUNT - 1, &n) ||
        !pr_param_uint(req, resp, "from", 0, 65535, 1024, &from) ||
        !pr_param_uint(req, resp, "to", 0, 65535, 49151, &to) ||
        !pr_param_page(api, req, resp, &limit, &offset))
        return;
    if (from > to) {
        pr_problem(resp, req, 400, "from", "from (%u) is above to (%u)", (unsigned)from,
                   (unsigned)to);
        return;
    }
    /* "tcp", "tcp,udp" or protocol=tcp&protocol=udp: free for every protocol listed */
    bool wanted[PR_PROTO_COUNT] = {false};
    for (size_t i = 0; i < n; i++) {
        enum pr_proto p;
        if (!pr_proto_parse(items[i].text, items[i].len, &p) || wanted[p]) {
            char q[96];
            pr_error_quote(items[i].text, items[i].len, 40, q, sizeof q);
            pr_problem(resp, req, 400, "protocol",
                       "protocol must list distinct protocols of tcp, udp, sctp, dccp, "
                       "separated by commas or repeated, not %s",
                       q);
            return;
        }
        wanted[p] = true;
    }
    /* "tcp,udp,sctp,dccp" and five digits each: base[128] holds them all */
    char base[128] = "", protocols[32] = "", number[8];
    bool fits = true;
    for (int p = PR_PROTO_TCP; p < PR_PROTO_COUNT; p++) {
        size_t used = strlen(protocols);
        int w = wanted[p] ? snprintf(protocols + used, sizeof protocols - used, "%s%s",
                                     used ? "," : "", pr_proto_name((enum pr_proto)p))
                          : 0;
        fits = fits && w >= 0 && (size_t)w < sizeof protocols - used;
    }
    fits = fits && pr_query_append(base, sizeof base, "protocol", protocols);
    snprintf(number, sizeof number, "%u", (unsigned)from);
    fits = fits && pr_query_append(base, sizeof base, "from", number);
    snprintf(number, sizeof number, "%u", (unsigned)to);
    fits = fits && pr_query_append(base, sizeof base, "to", number);
    free_walk fw = {.api = api, .port = from, .to = to};
    memcpy(fw.wanted, wanted, sizeof wanted);
    pr_list list = {.path = "/v1/ports/free",
                    .base = fits ? base : NULL,
                    .limit = limit,
                    .offset = offset,
                    .next = next_free_port,
                    .ctx = &fw,
                    .item = write_port,
                    .item_bytes = 6};
    pr_list_respond(req, resp, &list);
}

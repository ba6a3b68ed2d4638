/* ports.c: /v1/ports/{port} and /v1/ports/{port}/{protocol}. */
#include "internal.h"
#include "jsonw.h"

#include <stdlib.h>
#include <string.h>

typedef struct port_key {
    uint16_t port;
    enum pr_proto proto; /* NONE: every protocol */
} port_key;

static pr_body *make_port(pr_api *api, const void *arg)
{
    const port_key *key = arg;
    const pr_registry *reg = api->reg;
    uint32_t n;
    const uint32_t *idx = pr_registry_port_records(reg, key->port, &n);
    pr_jw w;
    /* a record is some 300 bytes of JSON */
    pr_jw_init(&w, 256 + (size_t)n * 384);
    PR_JW_LIT(&w, "{\"port\":");
    pr_jw_uint(&w, key->port);
    if (key->proto != PR_PROTO_NONE) {
        PR_JW_LIT(&w, ",\"protocol\":");
        pr_jw_string(&w, pr_proto_name(key->proto));
    }
    PR_JW_LIT(&w, ",\"range_class\":");
    pr_jw_string(&w, pr_range_class_name(pr_range_class_of(key->port)));
    PR_JW_LIT(&w, ",\"status\":");
    if (key->proto != PR_PROTO_NONE) {
        pr_jw_string(&w, pr_status_name(pr_registry_port_status(reg, key->port, key->proto)));
    } else {
        for (int p = PR_PROTO_TCP; p < PR_PROTO_COUNT; p++) {
            pr_jw_raw(&w, p == PR_PROTO_TCP ? "{" : ",", 1);
            pr_jw_string(&w, pr_proto_name((enum pr_proto)p));
            PR_JW_LIT(&w, ":");
            pr_jw_string(&w,
                         pr_status_name(pr_registry_port_status(reg, key->port, (enum pr_proto)p)));
        }
        PR_JW_LIT(&w, "}");
    }
    PR_JW_LIT(&w, ",\"records\":[");
    bool first = true;
    for (uint32_t i = 0; i < n; i++) {
        const pr_record *r = &reg->records[idx[i]];
        /* a record without a protocol holds for every protocol */
        if (key->proto != PR_PROTO_NONE && r->proto != PR_PROTO_NONE && r->proto != key->proto)
            continue;
        if (!first)
            PR_JW_LIT(&w, ",");
        first = false;
        pr_jw_record(&w, reg, r);
    }
    PR_JW_LIT(&w, "]}");
    return pr_jw_finish(&w);
}

/* The records of a port view in CSV or text: those make_port lists. */
static void respond_port_records(pr_api *api, const pr_request *req, pr_response *resp,
                                 const port_key *key)
{
    uint32_t n, kept = 0;
    const uint32_t *idx = pr_registry_port_records(api->reg, key->port, &n);
    uint32_t *list = malloc(((size_t)n + 1) * sizeof *list);
    if (!list) {
        pr_problem(resp, req, 500, NULL, "out of memory");
        return;
    }
    for (uint32_t i = 0; i < n; i++) {
        const pr_record *r = &api->reg->records[idx[i]];
        if (key->proto == PR_PROTO_NONE || r->proto == PR_PROTO_NONE || r->proto == key->proto)
            list[kept++] = idx[i];
    }
    pr_respond_records(api, req, resp, list, kept);
    free(list);
}

void pr_handle_port(pr_api *api, const pr_request *req, pr_response *resp, const char *arg,
                    size_t arg_len)
{
    /* "3493" or "3493/tcp" */
    const char *slash = memchr(arg, '/', arg_len);
    const char *port = arg, *proto = slash ? slash + 1 : NULL;
    size_t port_len = slash ? (size_t)(slash - arg) : arg_len;
    size_t proto_len = slash ? arg_len - port_len - 1 : 0;
    port_key key = {0, PR_PROTO_NONE};
    if (!pr_read_port(req, resp, "port", port, port_len, &key.port))
        return;
    /* "/v1/ports/80/" and "/v1/ports/80/tcp/x" name no resource */
    if (proto && (proto_len == 0 || memchr(proto, '/', proto_len))) {
        pr_problem(resp, req, 404, NULL, "no such resource; see /openapi.yaml for the API");
        return;
    }
    if (proto && !pr_read_proto(req, resp, "protocol", proto, proto_len, &key.proto))
        return;
    if (req->format != PR_FORMAT_JSON) {
        respond_port_records(api, req, resp, &key);
        return;
    }
    pr_respond_cached(api, req, resp,
                      &api->port_slots[(size_t)key.port * PR_PORT_VIEWS + key.proto], make_port,
                      &key);
}

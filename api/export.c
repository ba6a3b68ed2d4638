/* export.c: /v1/export/services (services(5)) and
 * /v1/export/ip_local_reserved_ports, rendered by data/export.h. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#include "export.h"

static const char text_plain[] = "text/plain; charset=utf-8";

/* At most this many names in one ip_local_reserved_ports request: more
 * than a host reserves, and few enough that the answer is cheap. */
#define PR_MAX_RESERVED_NAMES 64

static pr_body *make_services(pr_api *api, const void *arg)
{
    (void)arg;
    const pr_registry *reg = api->reg;
    /* The layers of the file, in order: IANA's records, then the
     * organization's plan. A plan is loaded as records that follow IANA's
     * in reg->records, from its first index on; until plans exist, IANA's
     * end at record_count and the plan's layer is empty (and unnamed in the
     * header). Once they do, this line alone changes, to
     * reg->has_plan ? reg->local_first : reg->record_count. */
    uint32_t iana_end = reg->record_count;
    const pr_export_layer layers[] = {
        {"IANA's Service Name and Transport Protocol Port Number Registry", reg->records, iana_end},
        {"the organization's port plan", reg->records + iana_end, reg->record_count - iana_end},
    };
    char updated[11];
    size_t len;
    char *file = pr_export_services(layers, sizeof layers / sizeof layers[0],
                                    pr_date_format(reg->updated, updated), &len);
    if (!file)
        return NULL;
    pr_body *body = pr_body_new(file, len);
    free(file);
    return body;
}

void pr_handle_export_services(pr_api *api, const pr_request *req, pr_response *resp,
                               const char *arg, size_t arg_len)
{
    (void)arg, (void)arg_len;
    pr_respond_cached(api, req, resp, &api->fixed[PR_FIXED_SERVICES], make_services, NULL);
    if (resp->status == 200)
        resp->content_type = text_plain;
}

void pr_handle_reserved_ports(pr_api *api, const pr_request *req, pr_response *resp,
                              const char *arg, size_t arg_len)
{
    (void)arg, (void)arg_len;
    pr_slice items[PR_MAX_RESERVED_NAMES];
    const pr_service_name *names[PR_MAX_RESERVED_NAMES];
    size_t n;
    if (!pr_param_list(req, resp, "services", items, PR_MAX_RESERVED_NAMES, &n))
        return;
    if (n == 0) {
        pr_problem(resp, req, 400, "services", "query parameter services is required");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        names[i] = pr_registry_find_name(api->reg, items[i].text, items[i].len);
        if (!names[i]) {
            char q[96];
            pr_error_quote(items[i].text, items[i].len, 64, q, sizeof q);
            pr_problem(resp, req, 404, "services", "no record has the service name %s", q);
            return;
        }
    }
    char *value = pr_export_reserved_ports(api->reg, names, n);
    if (!value) {
        pr_problem(resp, req, 500, NULL, "out of memory");
        return;
    }
    if (!value[0]) {
        /* an empty value would clear every reservation the host has */
        free(value);
        pr_problem(resp, req, 404, "services", "no record of the services listed has a port");
        return;
    }
    size_t len = strlen(value);
    value[len] = '\n'; /* the NUL's place: the body's length is given below */
    pr_body *body = pr_body_new(value, len + 1);
    free(value);
    pr_respond_body(resp, req, body);
    if (resp->status == 200)
        resp->content_type = text_plain;
}

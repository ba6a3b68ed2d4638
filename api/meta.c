/* meta.c: /, /v1/registry and /openapi.yaml: what the service and its data are. */
#include "internal.h"
#include "jsonw.h"

#include <string.h>
#include <time.h>

#include "header.h"
#include "openapi_spec.h"

static const char registry_title[] = "Service Name and Transport Protocol Port Number Registry";

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* The registry's own header (header.h), as IANA's page shows it above
 * every search; empty lists and nulls for a data set without one. A NULL
 * return (out of memory) fails the whole json_pack, and so the answer. */
static json_t *header_references(const pr_header *h)
{
    json_t *list = json_array();
    for (uint32_t i = 0; list && h && i < h->reference_count; i++)
        if (json_array_append_new(list, json_string(h->references[i])) != 0) {
            json_decref(list);
            return NULL;
        }
    return list;
}

static json_t *header_experts(const pr_header *h)
{
    json_t *list = json_array();
    for (uint32_t i = 0; list && h && i < h->expert_count; i++)
        if (json_array_append_new(list, json_pack("{s:o,s:s}", "protocols",
                                                  pr_json_text(h->experts[i].protocols), "names",
                                                  h->experts[i].names)) != 0) {
            json_decref(list);
            return NULL;
        }
    return list;
}

static json_t *header_notes(const pr_header *h)
{
    json_t *list = json_array();
    for (uint32_t i = 0; list && h && i < h->note_count; i++)
        if (json_array_append_new(list, json_pack("{s:s,s:s}", "title", h->notes[i].title, "text",
                                                  h->notes[i].text)) != 0) {
            json_decref(list);
            return NULL;
        }
    return list;
}

long pr_api_age_days(const pr_api *api, int64_t now)
{
    if (api->last_modified_time <= 0)
        return 0;
    int64_t diff = now - api->last_modified_time;
    /* floor: the registry's own day is day 0 */
    return (long)(diff >= 0 ? diff / 86400 : -((-diff + 86399) / 86400));
}

void pr_jw_registry_stamp(pr_jw *w, const pr_api *api)
{
    char updated[11];
    PR_JW_LIT(w, "{\"updated\":");
    pr_jw_text(w, pr_date_format(api->reg->updated, updated));
    PR_JW_LIT(w, ",\"source\":");
    pr_jw_string(w, api->reg->source);
    PR_JW_LIT(w, "}");
}

static pr_body *make_registry(pr_api *api, const void *arg)
{
    (void)arg;
    const pr_registry *reg = api->reg;
    json_t *files = json_array();
    for (int i = 0; files && i < 2; i++) {
        char hex[2 * PR_SHA256_LEN + 1];
        /* a file name is bytes chosen by whoever deployed the data, not text */
        const char *name = base_name(reg->sources[i].name);
        /* only the file's own name: where it sat on this host is no one's business,
         * and replicas with the same data must render the same bytes */
        json_t *file = json_pack("{s:o,s:I,s:s}", "name", pr_json_lossy(name, strlen(name)),
                                 "bytes", (json_int_t)reg->sources[i].bytes, "sha256",
                                 pr_hex(reg->sources[i].sha256, PR_SHA256_LEN, hex));
        if (json_array_append_new(files, file) != 0) {
            json_decref(files);
            files = NULL; /* the pack below fails on it: a 500, not a shorter list */
        }
    }
    char updated[11];
    const pr_header *h = reg->header;
    /* age_days makes the answer change daily, so it is rendered for each
     * request rather than kept: the ETag changes with it */
    return pr_render_body(json_pack(
        "{s:s,s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:I,s:I,s:I,s:I,s:o}", "title",
        h && h->title[0] ? h->title : registry_title, "source", reg->source, "category",
        pr_json_text(h ? h->category : ""), "updated",
        pr_json_text(pr_date_format(reg->updated, updated)), "age_days",
        reg->updated.year ? json_integer(pr_api_age_days(api, (int64_t)time(NULL))) : json_null(),
        "reference", header_references(h), "experts", header_experts(h), "note",
        pr_json_text(h ? h->note : ""), "notes", header_notes(h), "request_assignment",
        pr_json_text(h ? h->request_uri : ""), "records", (json_int_t)reg->record_count, "contacts",
        (json_int_t)reg->contact_count, "services", (json_int_t)reg->name_count, "ranges",
        (json_int_t)reg->range_count, "files", files));
}

/* The index lists every endpoint the route table serves, by its metric
 * label: a new row is listed without a second list to keep in step. */
static pr_body *make_root(pr_api *api, const void *arg)
{
    (void)arg;
    json_t *links = json_object();
    size_t count;
    const pr_route_row *rows = pr_route_rows(&count);
    for (size_t i = 0; links && i < count; i++) {
        const char *shows = rows[i].shows ? rows[i].shows : rows[i].path;
        if (!shows || (rows[i].operations && !api->cfg.operations))
            continue;
        if (json_object_set_new(links, rows[i].label, json_string(shows)) != 0) {
            json_decref(links);
            links = NULL; /* the pack below fails on it */
        }
    }
    return pr_render_body(json_pack("{s:s,s:s,s:o}", "name", "portreg", "version",
                                    api->cfg.version ? api->cfg.version : "", "links", links));
}

static pr_body *make_openapi(pr_api *api, const void *arg)
{
    (void)api, (void)arg;
    return pr_body_new((const char *)pr_openapi_yaml, pr_openapi_yaml_len);
}

void pr_handle_root(pr_api *api, const pr_request *req, pr_response *resp)
{
    pr_respond_cached(api, req, resp, &api->fixed[PR_FIXED_ROOT], make_root, NULL);
}

void pr_handle_registry(pr_api *api, const pr_request *req, pr_response *resp, const char *arg,
                        size_t arg_len)
{
    (void)arg, (void)arg_len;
    pr_respond_body(resp, req, make_registry(api, NULL));
}

void pr_handle_openapi(pr_api *api, const pr_request *req, pr_response *resp, const char *arg,
                       size_t arg_len)
{
    (void)arg, (void)arg_len;
    pr_respond_cached(api, req, resp, &api->fixed[PR_FIXED_OPENAPI], make_openapi, NULL);
    if (resp->status == 200)
        resp->content_type = "application/yaml"; /* RFC 9512 */
}

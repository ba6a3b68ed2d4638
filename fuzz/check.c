/* check.c: fuzzes the POST /v1/check manifest: its JSON parse, the entries'
 * validation and the verdicts, through pr_api_handle() over the sample data
 * (data/sample/) registry, with a few records added for the check's edge cases:
 * holders whose descriptions are long runs of multi-byte characters (so that
 * every cut of a reason's text falls inside one for some record), a range,
 * and a name of the longest length.
 *
 * Input: the request body, optionally preceded by a query line: when the
 * input starts with '?', its first line is "key=value&key=value" (not
 * percent-decoded), the rest the body.
 *
 * Oracle: fuzz_check_answer (answer.h), and for a 200 an account of the
 * verdicts worked out here from the registry alone: one verdict per entry,
 * echoing its port, protocol and name; a verdict is ok exactly when it has
 * no reason; never ok in the dynamic range, on a reserved port, on a system
 * port or on an assigned one unless the name's own record assigns it; the
 * manifest is ok exactly when every verdict is and no two entries clash,
 * and two entries on the same port and protocol clash. */
#include <strings.h>
#include <string.h>

#include "answer.h"
#include "fuzz.h"

static pr_registry *reg;
static pr_api *api;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    /* the sample's rows and the added ones, in one records file */
    static const char added[] =
        "longdesc,5301,tcp,"
        "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac"
        "%s,[Charles_Bennett],[Charles_Bennett],2020-01-01,,,,,\n"
        "longdesc1,5302,tcp,x%s,[Charles_Bennett],[Charles_Bennett],,,,,,\n"
        "longdesc2,5303,udp,xx%s,[Charles_Bennett],[Charles_Bennett],,,,,,\n"
        "ranged,5310-5320,tcp,A range,[Charles_Bennett],[Charles_Bennett],,,,,,\n"
        "a123456789012345,5330,sctp,\xf0\x9f\x98\x80%s,[Charles_Bennett],[Charles_Bennett],,,,,,\n";
    char run[3 * 200 + 1];
    for (int i = 0; i < 200; i++)
        memcpy(run + 3 * i, "\xe2\x82\xac", 3);
    run[600] = '\0';
    size_t cap = sizeof added + 4 * sizeof run;
    char *rows = malloc(cap);
    FUZZ_REQUIRE(rows, "out of memory");
    int n = snprintf(rows, cap, added, run, run, run, run);
    FUZZ_REQUIRE(n > 0 && (size_t)n < cap, "the added records do not fit");
    reg = fuzz_sample_registry(rows);
    free(rows);
    pr_api_config cfg = {.max_limit = 1000,
                         .default_limit = 100,
                         .cache_bytes = 256 * 1024,
                         .max_manifest = 100,
                         .version = "fuzz"};
    api = pr_api_new(reg, &cfg);
    FUZZ_REQUIRE(api, "pr_api_new failed");
    return 0;
}

/* Does a record on this port and protocol assign it to `name`? */
static bool owns(uint16_t port, enum pr_proto proto, const char *name)
{
    uint32_t n;
    const uint32_t *idx = pr_registry_port_records(reg, port, &n);
    for (uint32_t i = 0; name && i < n; i++) {
        const pr_record *r = &reg->records[idx[i]];
        if ((r->proto == PR_PROTO_NONE || r->proto == proto) && r->status == PR_STATUS_ASSIGNED &&
            !strcasecmp(r->service, name))
            return true;
    }
    return false;
}

static void check_verdicts(const char *body, size_t len, json_t *answer)
{
    json_t *manifest = json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL);
    FUZZ_REQUIRE(json_is_array(manifest), "a 200 for a body that is not a JSON array");
    size_t n = json_array_size(manifest);
    json_t *verdicts = json_object_get(answer, "verdicts"),
           *clashes = json_object_get(answer, "clashes");
    FUZZ_REQUIRE(json_is_boolean(json_object_get(answer, "ok")), "no ok");
    FUZZ_REQUIRE(json_array_size(verdicts) == n, "%zu entries, %zu verdicts", n,
                 json_array_size(verdicts));
    FUZZ_REQUIRE(json_is_array(clashes), "no clashes array");
    bool all_ok = true;
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_array_get(manifest, i), *v = json_array_get(verdicts, i);
        json_int_t port = json_integer_value(json_object_get(e, "port"));
        const char *proto_text = json_string_value(json_object_get(e, "protocol"));
        const char *name = json_string_value(json_object_get(e, "name"));
        enum pr_proto proto;
        FUZZ_REQUIRE(port >= 0 && port <= 65535 && proto_text &&
                         pr_proto_parse(proto_text, strlen(proto_text), &proto),
                     "entry %zu accepted with port %lld", i, (long long)port);
        FUZZ_REQUIRE(json_integer_value(json_object_get(v, "port")) == port, "entry %zu: port", i);
        FUZZ_REQUIRE(
            !strcmp(json_string_value(json_object_get(v, "protocol")), pr_proto_name(proto)),
            "entry %zu: protocol", i);
        json_t *vname = json_object_get(v, "name");
        FUZZ_REQUIRE(name ? json_is_string(vname) && !strcmp(json_string_value(vname), name)
                          : json_is_null(vname),
                     "entry %zu: name", i);
        json_t *ok = json_object_get(v, "ok"), *reasons = json_object_get(v, "reasons");
        FUZZ_REQUIRE(json_is_boolean(ok) && json_is_array(reasons), "entry %zu: ok, reasons", i);
        FUZZ_REQUIRE(json_is_true(ok) == (json_array_size(reasons) == 0),
                     "entry %zu: ok %d with %zu reasons", i, json_is_true(ok),
                     json_array_size(reasons));
        enum pr_status status = pr_registry_port_status(reg, (uint16_t)port, proto);
        bool own = owns((uint16_t)port, proto, name);
        bool must_fail = port >= 49152 || status == PR_STATUS_RESERVED || (port <= 1023 && !own) ||
                         (status == PR_STATUS_ASSIGNED && !own);
        FUZZ_REQUIRE(!(must_fail && json_is_true(ok)), "entry %zu: %lld/%s ok for %s", i,
                     (long long)port, pr_proto_name(proto), name ? name : "(no name)");
        all_ok = all_ok && json_is_true(ok);
        for (size_t j = i + 1; j < n; j++) {
            json_t *f = json_array_get(manifest, j);
            const char *p2 = json_string_value(json_object_get(f, "protocol"));
            enum pr_proto proto2;
            if (json_integer_value(json_object_get(f, "port")) != port || !p2 ||
                !pr_proto_parse(p2, strlen(p2), &proto2) || proto2 != proto)
                continue;
            bool found = false;
            for (size_t k = 0; k < json_array_size(clashes); k++) {
                json_t *pair = json_object_get(json_array_get(clashes, k), "entries");
                found = found || (json_integer_value(json_array_get(pair, 0)) == (json_int_t)i &&
                                  json_integer_value(json_array_get(pair, 1)) == (json_int_t)j);
            }
            FUZZ_REQUIRE(found, "entries %zu and %zu share %lld/%s without a clash", i, j,
                         (long long)port, pr_proto_name(proto));
        }
    }
    FUZZ_REQUIRE(json_is_true(json_object_get(answer, "ok")) ==
                     (all_ok && json_array_size(clashes) == 0),
                 "manifest ok does not follow its verdicts");
    json_decref(manifest);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *body = data;
    size_t body_len = size;
    char *query = NULL;
    pr_param params[PR_MAX_QUERY_PARAMS];
    size_t nparams = 0;
    if (size && data[0] == '?') {
        const uint8_t *nl = memchr(data, '\n', size);
        size_t qlen = nl ? (size_t)(nl - data) : size;
        query = malloc(qlen);
        if (!query)
            return 0;
        memcpy(query, data + 1, qlen - 1);
        query[qlen - 1] = '\0';
        body = nl ? nl + 1 : data + size;
        body_len = size - (size_t)(body - data);
        for (char *save = NULL, *kv = strtok_r(query, "&", &save);
             kv && nparams < PR_MAX_QUERY_PARAMS; kv = strtok_r(NULL, "&", &save)) {
            char *eq = strchr(kv, '=');
            if (eq)
                *eq = '\0';
            params[nparams++] = (pr_param){kv, eq ? eq + 1 : "", eq ? strlen(eq + 1) : 0};
        }
    }
    pr_request req = {.method = PR_POST,
                      .path = "/v1/check",
                      .path_len = 9,
                      .params = params,
                      .param_count = nparams,
                      .body = (const char *)body,
                      .body_len = body_len,
                      .content_type = "application/json"};
    pr_response resp;
    pr_api_handle(api, &req, &resp);
    json_t *answer = fuzz_check_answer(&req, &resp);
    if (resp.status == 200)
        check_verdicts((const char *)body, body_len, answer);
    json_decref(answer);
    pr_response_release(&resp);
    free(query);
    return 0;
}

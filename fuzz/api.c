/* api.c: fuzzes the whole API, pr_api_handle(), with any method, decoded
 * path, query parameters, Content-Type and body, over the sample data (data/sample/)
 * registry (loaded once).
 *
 * Input: fields separated by NUL bytes, which a request's fields cannot hold
 * (the server leaves %00 encoded):
 *   METHOD \0 PATH \0 CONTENT-TYPE \0 KEY=VALUE \0 KEY=VALUE ... [\0\0 BODY]
 * CONTENT-TYPE "-" means none; a parameter without '=' has the value "" (as
 * "?key" does); more than PR_MAX_QUERY_PARAMS parameters set
 * too_many_params, as the server does. The body is everything after the
 * first two NULs in a row, and may hold any byte.
 *
 * Oracle: fuzz_check_answer (answer.h) on every answer; and the answer of
 * an API that keeps answers (a small cache, so that answers are kept, found
 * and evicted) is byte for byte the answer of one that keeps none: a kept
 * answer is never given to a request it does not belong to. */
#include <string.h>

#include "answer.h"
#include "fuzz.h"

static pr_registry *reg;
static pr_api *api;       /* keeps answers */
static pr_api *reference; /* keeps none */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    reg = fuzz_sample_registry("");
    /* a small cache, so that both the cached and the uncached paths run */
    pr_api_config cfg = {.max_limit = 1000,
                         .default_limit = 100,
                         .cache_bytes = 256 * 1024,
                         .max_path_bytes = PR_MAX_PATH_BYTES,
                         .max_manifest = 100,
                         .version = "fuzz"};
    api = pr_api_new(reg, &cfg);
    cfg.cache_bytes = 0;
    reference = pr_api_new(reg, &cfg);
    FUZZ_REQUIRE(api && reference, "pr_api_new failed");
    return 0;
}

static bool same_answer(const pr_response *a, const pr_response *b)
{
    if (a->status != b->status || !a->body != !b->body || strcmp(a->link, b->link))
        return false;
    return !a->body ||
           (a->body->len == b->body->len && !memcmp(a->body->data, b->body->data, a->body->len) &&
            !strcmp(a->body->etag, b->body->etag));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *head, *body;
    size_t head_len, body_len;
    fuzz_split(data, size, "\0\0", 2, &head, &head_len, &body, &body_len);
    /* the fields, NUL-terminated in a copy */
    char *fields = malloc(head_len + 1);
    if (!fields)
        return 0;
    memcpy(fields, head, head_len);
    fields[head_len] = '\0';
    const char *field[3 + PR_MAX_QUERY_PARAMS + 1] = {"GET", "/", "-"};
    size_t nfields = 0, max_fields = sizeof field / sizeof *field;
    bool too_many = false;
    for (size_t at = 0; at <= head_len && head_len > 0;) {
        if (nfields == max_fields) {
            too_many = true;
            break;
        }
        field[nfields++] = fields + at;
        at += strlen(fields + at) + 1;
    }
    if (nfields < 3)
        nfields = 3;
    pr_param params[PR_MAX_QUERY_PARAMS];
    size_t nparams = 0;
    for (size_t i = 3; i < nfields && nparams < PR_MAX_QUERY_PARAMS; i++) {
        char *eq = strchr(field[i], '=');
        if (eq) {
            *eq = '\0';
            params[nparams++] = (pr_param){field[i], eq + 1, strlen(eq + 1)};
        } else {
            params[nparams++] = (pr_param){field[i], "", 0};
        }
    }
    if (nfields > 3 + PR_MAX_QUERY_PARAMS)
        too_many = true;

    pr_request req = {
        .method = pr_method_of(field[0]),
        .path = field[1],
        .path_len = strlen(field[1]),
        .params = params,
        .param_count = nparams,
        .too_many_params = too_many,
        .body = body ? (const char *)body : NULL,
        .body_len = body_len,
        .content_type = strcmp(field[2], "-") ? field[2] : NULL,
    };
    pr_response first, second;
    pr_api_handle(api, &req, &first);
    json_decref(fuzz_check_answer(&req, &first));
    pr_api_handle(reference, &req, &second);
    FUZZ_REQUIRE(same_answer(&first, &second),
                 "answered %d (%zu bytes) with a cache, %d (%zu bytes) without", first.status,
                 first.body ? first.body->len : 0, second.status,
                 second.body ? second.body->len : 0);
    pr_response_release(&first);
    pr_response_release(&second);
    free(fields);
    return 0;
}

/* answer.c: see answer.h. */
#include "answer.h"

#include <string.h>

#include "fuzz.h"

pr_registry *fuzz_sample_registry(const char *extra_records)
{
    pr_error err;
    size_t records_len, contacts_len;
    unsigned char *records =
        pr_read_file(FUZZ_SAMPLE_DIR "/" PR_RECORDS_FILE, PR_MAX_FILE_BYTES, &records_len, &err);
    FUZZ_REQUIRE(records, "%s", err.text);
    unsigned char *contacts =
        pr_read_file(FUZZ_SAMPLE_DIR "/" PR_CONTACTS_FILE, PR_MAX_FILE_BYTES, &contacts_len, &err);
    FUZZ_REQUIRE(contacts, "%s", err.text);
    size_t extra_len = strlen(extra_records);
    unsigned char *all = malloc(records_len + extra_len + 2);
    FUZZ_REQUIRE(all, "out of memory");
    memcpy(all, records, records_len);
    if (records_len && all[records_len - 1] != '\n')
        all[records_len++] = '\n';
    memcpy(all + records_len, extra_records, extra_len);
    pr_source rsrc = {"sample records", all, records_len + extra_len};
    pr_source csrc = {"sample contacts", contacts, contacts_len};
    pr_registry *reg = pr_registry_load_sources(&rsrc, &csrc, &err);
    FUZZ_REQUIRE(reg, "the sample does not load: %s", err.text);
    free(all);
    free(records);
    free(contacts);
    return reg;
}

static bool documented(int status)
{
    static const int known[] = {200, 204, 304, 400, 404, 405, 413, 414, 415};
    for (size_t i = 0; i < sizeof known / sizeof *known; i++)
        if (status == known[i])
            return true;
    return false;
}

static void no_controls(const char *what, const char *text)
{
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        FUZZ_REQUIRE(*p >= 0x20 && *p != 0x7f, "%s holds byte 0x%02x: %s", what, *p, text);
}

json_t *fuzz_check_wire_answer(int status, const char *content_type, const char *body, size_t len,
                               bool bare_400)
{
    FUZZ_REQUIRE(documented(status), "status %d", status);
    bool problem = content_type && !strcmp(content_type, "application/problem+json");
    if (status == 400 && bare_400 && !problem)
        return NULL;
    if (status >= 400)
        FUZZ_REQUIRE(problem && body && len > 0, "a %d without a problem body (type %s)", status,
                     content_type ? content_type : "none");
    if (!body || !content_type || !strstr(content_type, "json"))
        return NULL;
    FUZZ_REQUIRE(fuzz_utf8_valid((const unsigned char *)body, len), "body is not UTF-8: %.*s",
                 (int)(len < 300 ? len : 300), body);
    json_error_t jerr;
    json_t *root = json_loadb(body, len, 0, &jerr);
    FUZZ_REQUIRE(root, "body is not JSON (%s): %.*s", jerr.text, (int)(len < 300 ? len : 300),
                 body);
    if (problem) {
        json_t *st = json_object_get(root, "status");
        FUZZ_REQUIRE(json_is_integer(st) && json_integer_value(st) == status,
                     "problem status is not %d", status);
        FUZZ_REQUIRE(json_is_string(json_object_get(root, "title")), "problem without a title");
        FUZZ_REQUIRE(json_is_string(json_object_get(root, "detail")), "problem without a detail");
        json_t *instance = json_object_get(root, "instance");
        FUZZ_REQUIRE(json_is_string(instance), "problem without an instance");
        no_controls("instance", json_string_value(instance));
    }
    return root;
}

json_t *fuzz_check_answer(const pr_request *req, const pr_response *resp)
{
    (void)req;
    const pr_body *b = resp->body;
    if (resp->status == 200)
        FUZZ_REQUIRE(b && resp->content_type, "a 200 without a body");
    if (b) {
        FUZZ_REQUIRE(b->etag[0] == '"' && b->etag[33] == '"' && b->etag[34] == '\0', "ETag %s",
                     b->etag);
        for (int i = 1; i < 33; i++)
            FUZZ_REQUIRE(strchr("0123456789abcdef", b->etag[i]) && b->etag[i], "ETag %s not hex",
                         b->etag);
    }
    if (resp->status == 405)
        FUZZ_REQUIRE(resp->allow, "a 405 without Allow");
    if (resp->allow)
        no_controls("Allow", resp->allow);
    FUZZ_REQUIRE(memchr(resp->link, '\0', sizeof resp->link), "Link not terminated");
    no_controls("Link", resp->link);
    FUZZ_REQUIRE(resp->route >= PR_ROUTE_UNKNOWN && resp->route < PR_ROUTE_COUNT, "route %d",
                 (int)resp->route);
    return fuzz_check_wire_answer(resp->status, b ? resp->content_type : NULL, b ? b->data : NULL,
                                  b ? b->len : 0, false);
}

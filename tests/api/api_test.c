/* api_test.c: see api_test.h. */
#include "api_test.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "builtin.h"
#include "target.h"

#if defined(__SANITIZE_ADDRESS__)
#define HAVE_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HAVE_LSAN 1
#endif
#endif
#ifdef HAVE_LSAN
#include <sanitizer/lsan_interface.h>
#endif

void assert_no_leaks(void)
{
#ifdef HAVE_LSAN
    /* LeakSanitizer has printed what leaked; a crash is what fails the test */
    if (__lsan_do_recoverable_leak_check())
        abort();
#endif
}

pr_api_config test_config(size_t cache_bytes)
{
    pr_api_config cfg = {
        .max_limit = 1000,
        .default_limit = 100,
        .cache_bytes = cache_bytes,
        .version = TEST_VERSION,
        .wire_free = NULL,
    };
    return cfg;
}

pr_registry *load_sample(void)
{
    pr_error err;
    pr_error_clear(&err);
    pr_registry *reg = pr_registry_load_dir(SAMPLE_DIR, &err);
    cr_assert_not_null(reg, "sample failed to load: %s", err.text);
    return reg;
}

pr_registry *load_builtin(void)
{
    pr_error err;
    pr_error_clear(&err);
    pr_registry *reg = pr_builtin_load(&err);
    cr_assert_not_null(reg, "the built-in registry failed to load: %s", err.text);
    return reg;
}

pr_registry *load_dir(const char *dir)
{
    pr_error err;
    pr_error_clear(&err);
    pr_registry *reg = pr_registry_load_dir(dir, &err);
    cr_assert_not_null(reg, "%s failed to load: %s:%lu: %s", dir, err.file, err.line, err.text);
    return reg;
}

/* ---- requests ---- */

static void run(pr_api *api, exchange *ex, enum pr_method method, const char *target,
                const request_fields *fields);

void exchange_run_unparsed(pr_api *api, exchange *ex, enum pr_method method, const char *target)
{
    run(api, ex, method, target, NULL);
}

/* A JSON body, parsed (a gzip-encoded one is left unparsed). */
static void parse_json(exchange *ex, const char *target)
{
    if (ex->resp.body && ex->resp.body->coding == PR_CODING_IDENTITY && ex->resp.content_type &&
        strstr(ex->resp.content_type, "json")) {
        json_error_t jerr;
        ex->json = json_loadb(ex->resp.body->data, ex->resp.body->len, 0, &jerr);
        cr_assert_not_null(ex->json, "%s: body is not JSON: %s", target, jerr.text);
    }
}

void exchange_run_fields(pr_api *api, exchange *ex, enum pr_method method, const char *target,
                         const request_fields *fields)
{
    run(api, ex, method, target, fields);
    parse_json(ex, target);
}

static void run(pr_api *api, exchange *ex, enum pr_method method, const char *target,
                const request_fields *fields)
{
    memset(ex, 0, sizeof *ex);
    if (fields) {
        ex->req.accept = fields->accept;
        ex->req.accept_encoding = fields->accept_encoding;
    }
    size_t len = strlen(target);
    ex->storage = malloc(PR_TARGET_STORAGE(len));
    cr_assert_not_null(ex->storage);
    ex->req.method = method;
    /* the server's own boundary: what it would hand the API for this target */
    pr_target_parse(target, len, ex->storage, ex->params, &ex->req);
    pr_api_handle(api, &ex->req, &ex->resp);
}

void exchange_run_decoded(pr_api *api, exchange *ex, enum pr_method method, const char *path,
                          size_t path_len, const char *key, const char *value, size_t value_len)
{
    memset(ex, 0, sizeof *ex);
    ex->req.method = method;
    ex->req.path = path;
    ex->req.path_len = path_len;
    ex->req.params = ex->params;
    if (key) {
        ex->params[0] = (pr_param){key, value, value_len};
        ex->req.param_count = 1;
    }
    pr_api_handle(api, &ex->req, &ex->resp);
}

bool ask_kept(pr_api *api, const char *target, const pr_body **body)
{
    exchange ex;
    exchange_run_unparsed(api, &ex, PR_GET, target);
    cr_assert_eq(ex.resp.status, 200, "%s: %d", target, ex.resp.status);
    bool kept = !ex.resp.body_owned;
    if (body)
        *body = kept ? ex.resp.body : NULL;
    exchange_end(&ex);
    return kept;
}

void exchange_run(pr_api *api, exchange *ex, enum pr_method method, const char *target)
{
    exchange_run_unparsed(api, ex, method, target);
    parse_json(ex, target);
}

void exchange_end(exchange *ex)
{
    json_decref(ex->json);
    pr_response_release(&ex->resp);
    free(ex->storage);
    memset(ex, 0, sizeof *ex);
}

json_t *get_ok(pr_api *api, exchange *ex, const char *target)
{
    exchange_run(api, ex, PR_GET, target);
    cr_assert_eq(ex->resp.status, 200, "GET %s: status %d: %.*s", target, ex->resp.status,
                 ex->resp.body ? (int)ex->resp.body->len : 0,
                 ex->resp.body ? ex->resp.body->data : "");
    cr_assert_str_eq(ex->resp.content_type, "application/json", "GET %s", target);
    cr_assert(ex->resp.cacheable, "GET %s: a 200 is cacheable", target);
    cr_assert_not_null(ex->json, "GET %s", target);
    return ex->json;
}

static const char *reason_of(int status)
{
    switch (status) {
    case 400:
        return "Bad Request";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 406:
        return "Not Acceptable";
    case 414:
        return "URI Too Long";
    default:
        return NULL;
    }
}

void assert_problem(const exchange *ex, int status, const char *parameter)
{
    const pr_response *r = &ex->resp;
    const char *path = ex->req.path;
    cr_assert_eq(r->status, status, "%s: status %d, wanted %d", path, r->status, status);
    cr_assert_str_eq(r->content_type, "application/problem+json", "%s", path);
    cr_assert_not(r->cacheable, "%s: errors are not cacheable", path);
    cr_assert_not_null(r->body, "%s: a problem has a body", path);
    cr_assert(r->body_owned, "%s: problems are never cached", path);
    cr_assert_not_null(ex->json, "%s", path);
    const json_t *j = ex->json;
    cr_assert_str_eq(member_str(j, "type"), "about:blank");
    if (reason_of(status))
        cr_assert_str_eq(member_str(j, "title"), reason_of(status));
    cr_assert_eq(member_int(j, "status"), status);
    cr_assert_gt(strlen(member_str(j, "detail")), 0, "%s: an empty detail explains nothing", path);
    /* instance is a URI reference: plain ASCII that decodes back to the path */
    size_t shown =
        ex->req.path_len < PR_MAX_INSTANCE_BYTES ? ex->req.path_len : PR_MAX_INSTANCE_BYTES;
    const char *instance = member_str(j, "instance");
    char decoded[PR_MAX_INSTANCE_BYTES + 1];
    size_t n = 0;
    for (const char *c = instance; *c; c++) {
        cr_assert(*c > 0x20 && *c < 0x7f && *c != '"' && *c != '<' && *c != '>' && *c != '\\',
                  "%s: instance holds %c", path, *c);
        cr_assert_lt(n, sizeof decoded);
        if (*c == '%') {
            unsigned byte;
            cr_assert_eq(sscanf(c + 1, "%2x", &byte), 1, "%s: bad escape in %s", path, instance);
            decoded[n++] = (char)byte;
            c += 2;
        } else {
            decoded[n++] = *c;
        }
    }
    cr_assert_eq(n, shown, "%s: instance %s", path, instance);
    cr_assert_eq(memcmp(decoded, path, shown), 0, "%s", path);
    if (parameter)
        cr_assert_str_eq(member_str(j, "parameter"), parameter, "%s", path);
}

const char *member_str(const json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    cr_assert(json_is_string(v), "member %s: not a string", key);
    return json_string_value(v);
}

long long member_int(const json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    cr_assert(json_is_integer(v), "member %s: not an integer", key);
    return (long long)json_integer_value(v);
}

json_t *member_array(const json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    cr_assert(json_is_array(v), "member %s: not an array", key);
    return v;
}

json_t *member_object(const json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    cr_assert(json_is_object(v), "member %s: not an object", key);
    return v;
}

void assert_member_null(const json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    cr_assert_not_null(v, "member %s: absent, but every key must be present", key);
    cr_assert(json_is_null(v), "member %s: not null", key);
}

/* ---- the sample CSV files ---- */

/* Splits line in place; the returned array ends with the line itself, to free. */
static char **split_line(char *line, size_t *width)
{
    size_t cap = 16, n = 0;
    char **fields = malloc(cap * sizeof *fields);
    cr_assert_not_null(fields);
    char *p = line;
    for (;;) {
        if (n == cap) {
            cap *= 2;
            fields = realloc(fields, cap * sizeof *fields);
            cr_assert_not_null(fields);
        }
        if (*p == '"') {
            char *close = strchr(p + 1, '"');
            cr_assert_not_null(close, "unterminated quote in: %s", line);
            *close = '\0';
            fields[n++] = p + 1;
            p = close + 1;
            cr_assert(*p == ',' || *p == '\0', "text after a closing quote");
        } else {
            fields[n++] = p;
            p += strcspn(p, ",");
        }
        if (*p == '\0')
            break;
        *p++ = '\0';
    }
    *width = n;
    fields = realloc(fields, (n + 1) * sizeof *fields);
    cr_assert_not_null(fields);
    fields[n] = line;
    return fields;
}

table_rows table_read(const char *path)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s", path);
    table_rows t = {NULL, 0, 0};
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    bool header = true;
    while ((got = getline(&line, &cap, f)) > 0) {
        while (got > 0 && (line[got - 1] == '\n' || line[got - 1] == '\r'))
            line[--got] = '\0';
        size_t width;
        char **fields = split_line(strdup(line), &width);
        if (header) {
            t.width = width;
            free(fields[width]);
            free(fields);
            header = false;
            continue;
        }
        cr_assert_eq(width, t.width, "%s: a row of %zu fields under a header of %zu", path, width,
                     t.width);
        t.rows = realloc(t.rows, (t.count + 1) * sizeof *t.rows);
        cr_assert_not_null(t.rows);
        t.rows[t.count++] = fields;
    }
    free(line);
    fclose(f);
    return t;
}

void table_free(table_rows *t)
{
    for (size_t i = 0; i < t->count; i++) {
        free(t->rows[i][t->width]); /* the line every field points into */
        free(t->rows[i]);
    }
    free(t->rows);
    memset(t, 0, sizeof *t);
}

bool text_contains_folded(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (const char *h = hay; *h; h++)
        if (strncasecmp(h, needle, n) == 0)
            return true;
    return n == 0;
}

bool row_status_is(char **row, const char *status)
{
    const char *actual = row[COL_SERVICE][0]                                 ? "assigned"
                         : strncasecmp(row[COL_DESC], "Unassigned", 10) == 0 ? "unassigned"
                                                                             : "reserved";
    return strcmp(actual, status) == 0;
}

bool row_covers_port(char **row, unsigned port)
{
    unsigned first, last;
    if (sscanf(row[COL_PORT], "%u-%u", &first, &last) == 2)
        return first <= port && port <= last;
    return sscanf(row[COL_PORT], "%u", &first) == 1 && first == port;
}

bool row_cites(const char *cell, const char *id)
{
    char bracketed[160];
    snprintf(bracketed, sizeof bracketed, "[%s]", id);
    return strstr(cell, bracketed) != NULL;
}

bool row_matches_term(char **row, const char *term)
{
    return text_contains_folded(row[COL_SERVICE], term) ||
           text_contains_folded(row[COL_DESC], term) || text_contains_folded(row[COL_PORT], term) ||
           text_contains_folded(row[COL_REFERENCE], term);
}

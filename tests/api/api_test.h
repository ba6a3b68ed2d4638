/* api_test.h: what the api/ tests share: building an API over the sample
 * registry, turning a request target into a pr_request the way a server
 * would, reading JSON bodies, and an independent reading of the sample CSV
 * files to compute expected answers without going through data/.
 *
 * Every helper asserts on failure, so tests stay short. */
#ifndef PR_API_TEST_H
#define PR_API_TEST_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "api.h"

#define SAMPLE_DIR PR_TEST_DIR "/../data/sample"
#define SPEC_FILE  PR_TEST_DIR "/../openapi.yaml"

#define TEST_VERSION "9.8.7-test"

/* Criterion forks a worker per test, and a leak reported at the worker's exit
 * does not fail the test: suites call this in their teardown, which aborts
 * on a leak under AddressSanitizer and does nothing otherwise. */
void assert_no_leaks(void);

/* limits as openapi.yaml documents them; caching on unless said otherwise */
pr_api_config test_config(size_t cache_bytes);

/* The seed sample, a test fixture (data/sample), loaded as a directory. */
pr_registry *load_sample(void);
/* The whole registry: the one built into the binary. */
pr_registry *load_builtin(void);
pr_registry *load_dir(const char *dir);

/* One request and its answer. The request is decoded from a target such as
 * "/v1/services?protocol=tcp&limit=2" by the server's own boundary
 * (pr_target_parse, target.h), so a test sees what the server would hand
 * over. json is the body parsed when it is JSON, else NULL. */
typedef struct exchange {
    pr_request req;
    pr_param params[PR_MAX_QUERY_PARAMS + 8];
    char *storage;
    pr_response resp;
    json_t *json;
} exchange;

void exchange_run(pr_api *api, exchange *ex, enum pr_method method, const char *target);
/* The same, leaving json NULL: for bodies a strict parser would refuse. */
void exchange_run_unparsed(pr_api *api, exchange *ex, enum pr_method method, const char *target);
void exchange_end(exchange *ex);
/* A request given already decoded (path and at most one parameter, each
 * with its length), for what the API must refuse from any caller but no
 * target decoded by the server can hold: a NUL byte. json stays NULL, as
 * with exchange_run_unparsed. */
void exchange_run_decoded(pr_api *api, exchange *ex, enum pr_method method, const char *path,
                          size_t path_len, const char *key, const char *value, size_t value_len);

/* Header fields of a request that the API reads; NULL members are absent. */
typedef struct request_fields {
    const char *accept;
    const char *accept_encoding;
} request_fields;

/* As exchange_run, with these fields (NULL: none); json stays NULL for a
 * gzip-encoded body. */
void exchange_run_fields(pr_api *api, exchange *ex, enum pr_method method, const char *target,
                         const request_fields *fields);

/* GET target; asserts a 200 JSON answer and returns the parsed body, which
 * stays owned by ex. */
json_t *get_ok(pr_api *api, exchange *ex, const char *target);

/* GETs target, asserts a 200, and says whether its body was borrowed from
 * the cache (*body, when given, receives it; NULL when not kept). */
bool ask_kept(pr_api *api, const char *target, const pr_body **body);

/* Asserts ex holds an RFC 9457 problem with this status, an instance equal
 * to the request path, and (when not NULL) this "parameter" member. */
void assert_problem(const exchange *ex, int status, const char *parameter);

/* Members that must be present with the right JSON type. */
const char *member_str(const json_t *obj, const char *key);
long long member_int(const json_t *obj, const char *key);
json_t *member_array(const json_t *obj, const char *key);
json_t *member_object(const json_t *obj, const char *key);
void assert_member_null(const json_t *obj, const char *key);

/* ---- the sample CSV files, read with no help from data/ ---- */

enum {
    COL_SERVICE,
    COL_PORT,
    COL_PROTO,
    COL_DESC,
    COL_ASSIGNEE,
    COL_CONTACT,
    COL_REGISTERED,
    COL_MODIFIED,
    COL_REFERENCE
};
enum { CCOL_ID, CCOL_NAME, CCOL_ORG, CCOL_URI, CCOL_UPDATED };

typedef struct table_rows {
    char ***rows; /* rows[i][j], header excluded, every row as wide as the header */
    size_t count;
    size_t width;
} table_rows;

/* Comma-separated, optional "quoted" fields without escaped quotes or line
 * breaks: all that the sample files use. */
table_rows table_read(const char *path);
void table_free(table_rows *t);

/* Properties of one records-file row, computed the way the design states them. */
bool row_status_is(char **row, const char *status); /* assigned/reserved/unassigned */
bool row_covers_port(char **row, unsigned port);
bool row_cites(const char *cell, const char *id);    /* "[A][B]" holds "[id]" */
bool row_matches_term(char **row, const char *term); /* search: service, desc, port, reference */
bool text_contains_folded(const char *hay, const char *needle); /* ASCII case-insensitive */

#endif

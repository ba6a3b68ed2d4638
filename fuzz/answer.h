/* answer.h: the oracle over an API answer, shared by the drivers that reach
 * pr_api_handle (api, check, url). */
#ifndef PR_FUZZ_ANSWER_H
#define PR_FUZZ_ANSWER_H

#include <jansson.h>
#include <stdbool.h>

#include "api.h"

/* Checks what every answer must be, whatever the request:
 *  - a status the API documents (200, 204, 400, 404, 405, 413, 414, 415),
 *    never a 500;
 *  - an error carries an application/problem+json body (RFC 9457) whose
 *    "status" is the answer's, with a "title" and a "detail";
 *  - a JSON body is well-formed UTF-8 JSON (jansson rejects anything else);
 *  - the ETag is a strong one of 32 hex digits;
 *  - Link and Allow hold no control bytes (they become header fields).
 * Aborts on a failure. Returns the parsed JSON body (the caller decrefs it),
 * or NULL when the body is not JSON or absent. */
json_t *fuzz_check_answer(const pr_request *req, const pr_response *resp);

/* The same, for an answer that went over the wire: status, Content-Type (NULL
 * when absent) and body. bare_400: a 400 without a problem body is accepted
 * too (libmicrohttpd refuses a malformed request line itself, before the
 * server sees it). */
json_t *fuzz_check_wire_answer(int status, const char *content_type, const char *body, size_t len,
                               bool bare_400);

/* The registry the API drivers answer from: the sample data of data/sample/
 * (read from the source tree, whose path the build passes in), with
 * extra_records (CSV rows, or "") appended to its records file. Aborts if it
 * does not load. */
pr_registry *fuzz_sample_registry(const char *extra_records);

#endif

/* target.h: the request boundary: a request target as sent (RFC 9112
 * section 3.2) into the decoded path and query parameters of a pr_request.
 *
 * One decoder for everyone. The server hands pr_target_unescape() to
 * libmicrohttpd, which splits the target at '?', '&' and '=' in its own
 * buffer and decodes each part with it, and takes the path through
 * pr_target_origin_path(); pr_target_parse() does the same split, by the same
 * rules, for callers that hold the whole target (the API's tests, the fuzz
 * drivers), so that they see the very request the server would hand over.
 * The rules are libmicrohttpd's (0.9.71 and later):
 *   - the path ends at the first '?'; the query is split at each '&', and a
 *     field at its first '='; a field without '=' has the value "", an
 *     empty field in the middle ("a&&b") is a parameter named "", and one
 *     '&' at the end adds nothing;
 *   - in the query, '+' is a space (HTML's form encoding), then %HH is
 *     decoded in the path, names and values alike;
 *   - %00 stays as the three characters "%00": a NUL would end a C string
 *     early, and "nut%00xyz" would ask for "nut"; a '%' not followed by two
 *     hex digits stays as it is.
 * At most PR_MAX_QUERY_PARAMS parameters are kept, and too_many_params
 * says that more were given.
 *
 * Threads: no state; safe anywhere. Memory: the caller's buffers, as said
 * at each function. */
#ifndef PR_API_TARGET_H
#define PR_API_TARGET_H

#include <stddef.h>

#include "api.h"

/* Decodes %HH in the NUL-terminated s in place (not %00); returns the new
 * length. Decoding never lengthens text. */
size_t pr_target_unescape(char *s);

/* RFC 9112 3.2.2: a server accepts the absolute form of a target
 * (http://host/path), as sent to proxies, and answers it as the path; the
 * authority is not checked, as every name this server answers for is
 * equally its own. An empty path is "/" (RFC 9112 3.3). Returns a pointer
 * into url, or "/". */
const char *pr_target_origin_path(const char *url);

/* Bytes of storage pr_target_parse needs for a target of len bytes. */
#define PR_TARGET_STORAGE(len) ((len) + 2)

/* Parses target[0..len) into req's path, params and too_many_params (other
 * fields untouched), with the decoded text in storage (at least
 * PR_TARGET_STORAGE(len) bytes) and the parameters in params (at least
 * PR_MAX_QUERY_PARAMS of them); req points into both. A NUL byte in the
 * target ends it, as it ends the C string the server receives. */
void pr_target_parse(const char *target, size_t len, char *storage, pr_param *params,
                     pr_request *req);

#endif

/* cors.h: the --cors-origin setting, and which origin an answer names.
 *
 * The setting is "*" (any origin may read the answers: the registry is
 * public) or a comma-separated list of origins, each as a browser sends it
 * in the Origin field (RFC 6454 section 6.2): scheme "://" host, and ":"
 * port when it is not the scheme's default; lower case, no path, no
 * trailing slash. Spaces around the commas are allowed.
 *
 * With "*", every answer says Access-Control-Allow-Origin: *. With a list,
 * every answer says Vary: Origin (the answer depends on who asks), and
 * Access-Control-Allow-Origin names the request's Origin when the list
 * has it, and is absent otherwise (Fetch standard, CORS protocol).
 *
 * A pr_cors is a plain value, filled once at start-up and then only read:
 * any number of threads may match against it. */
#ifndef PR_SERVER_CORS_H
#define PR_SERVER_CORS_H

#include <stdbool.h>
#include <stddef.h>

#define PR_CORS_MAX_ORIGINS 32
#define PR_CORS_MAX_BYTES   256 /* one origin */

typedef struct pr_cors {
    bool any; /* "*" */
    size_t count;
    char origins[PR_CORS_MAX_ORIGINS][PR_CORS_MAX_BYTES + 1];
} pr_cors;

/* Parses the setting into *out. false with why[] saying what is wrong
 * (an empty item, "*" in a list, a path, upper case, ...). */
bool pr_cors_parse(const char *setting, pr_cors *out, char *why, size_t why_size);

/* The listed origin equal to `origin` (a request's Origin field, may be
 * NULL), or NULL when there is none or the setting is "*". */
const char *pr_cors_match(const pr_cors *cors, const char *origin);

#endif

/* web.h: the registry explorer, a page for people, served from the binary.
 *
 * GET / is negotiated (RFC 9110 12.5.1): a client that prefers text/html to
 * application/json (a browser) gets the page, every other client the JSON
 * index, and both answers say `Vary: Accept`. The page's script and style
 * sheet and icon live at fixed paths (/app.js, /app.css, /favicon.svg). All three are built into
 * the binary (web/, through tools/embed.py) and served like every other
 * answer: a cached body with a strong ETag, so conditional requests get 304s.
 *
 * The page uses only the public API; it holds no data of its own.
 *
 * Threads: every function may run in any number of threads at once; none
 * allocates except through pr_respond_cached. */
#ifndef PR_API_WEB_H
#define PR_API_WEB_H

#include <stdbool.h>
#include <stddef.h>

#include "api.h"

/* Does this Accept field value (NULL: the field is absent) rank text/html
 * above application/json? Ties, absence, and a value that cannot be read go
 * to JSON, so that scripts and tools keep today's answer. Reads at most
 * PR_MAX_ACCEPT_BYTES of it. */
#define PR_MAX_ACCEPT_BYTES 4096
bool pr_web_wants_html(const char *accept);

/* Is path[0..len) one of the page's assets (/app.js, /app.css, /favicon.svg)? */
bool pr_web_is_asset(const char *path, size_t len);

/* The Content-Security-Policy the page is served with. */
extern const char pr_web_csp[];

/* Handlers, for the router: GET / (negotiated), and an asset's path. */
void pr_handle_index(pr_api *api, const pr_request *req, pr_response *resp, const char *arg,
                     size_t arg_len);
void pr_handle_web_asset(pr_api *api, const pr_request *req, pr_response *resp, const char *arg,
                         size_t arg_len);

#endif

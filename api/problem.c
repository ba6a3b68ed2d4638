/* problem.c: pr_problem, the one writer of application/problem+json
 * (RFC 9457) bodies every error goes out as. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv_table.h"

static const char problem_type[] = "application/problem+json";

static const char *reason_phrase(int status)
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
    case 413:
        return "Content Too Large";
    case 415:
        return "Unsupported Media Type";
    case 414:
        return "URI Too Long";
    case 500:
        return "Internal Server Error";
    case 503:
        return "Service Unavailable";
    default:
        return "Error";
    }
}

/* Percent-encodes what RFC 3986 does not allow as is in a path. */
static void encode_path(const char *path, size_t len, char *out)
{
    static const char hex[] = "0123456789ABCDEF";
    static const char allowed[] = "-._~!$&'()*+,;=:@/";
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)path[i];
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            (c && strchr(allowed, c))) {
            out[o++] = (char)c;
        } else {
            out[o++] = '%';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        }
    }
    out[o] = '\0';
}

/* RFC 8259 section 8.1: JSON text is UTF-8, so a parameter name that is not
 * (?%FF=1) would fail json_string and drop the member. It is given instead
 * as sent on the wire: each byte that breaks UTF-8, and each "%", encoded
 * as %XX. NULL only when out of memory. */
static json_t *parameter_string(const char *name)
{
    size_t len = strlen(name), bad;
    if (pr_utf8_valid(name, len, &bad))
        return json_string(name);
    static const char hex[] = "0123456789ABCDEF";
    char *out = malloc(3 * len + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        size_t good;
        if (pr_utf8_valid(name + i, len - i, &good))
            good = len - i;
        for (size_t k = 0; k < good; k++, i++) {
            if (name[i] == '%') {
                memcpy(out + o, "%25", 3);
                o += 3;
            } else {
                out[o++] = name[i];
            }
        }
        if (i < len) {
            unsigned char c = (unsigned char)name[i++];
            out[o++] = '%';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        }
    }
    out[o] = '\0';
    json_t *s = json_string(out);
    free(out);
    return s;
}

void pr_problem(pr_response *resp, const pr_request *req, int status, const char *parameter,
                const char *fmt, ...)
{
    char detail[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    if (n < 0)
        snprintf(detail, sizeof detail, "%s", reason_phrase(status));
    else if ((size_t)n >= sizeof detail) /* cut between characters, and say so */
        memcpy(detail + pr_utf8_cut(detail, sizeof detail - 4), "...", 4);
    if (resp->body_owned)
        free((void *)resp->body);
    memset(resp, 0, sizeof *resp);
    resp->status = status;
    resp->content_type = problem_type;
    /* RFC 9457 3.1.5: instance is a URI reference, so the decoded path is
     * encoded again; bounded, as a path over the limit is itself the problem */
    size_t shown = req->path_len < PR_MAX_INSTANCE_BYTES ? req->path_len : PR_MAX_INSTANCE_BYTES;
    char *instance_text = malloc(3 * shown + 1);
    if (instance_text)
        encode_path(req->path, shown, instance_text);
    json_t *instance = instance_text ? json_string(instance_text) : NULL;
    free(instance_text);
    /* The detail may quote what a client or a library wrote (jansson's parse
     * errors show the bytes near the error): each invalid byte becomes
     * U+FFFD rather than failing the body. A parameter's name is given as
     * sent, its bytes that are not UTF-8 percent-encoded, so that it still
     * names the parameter. */
    json_t *root = json_pack("{s:s,s:s,s:i,s:o,s:o}", "type", "about:blank", "title",
                             reason_phrase(status), "status", status, "detail",
                             pr_json_lossy(detail, strlen(detail)), "instance", instance);
    if (root && parameter &&
        json_object_set_new(root, "parameter", parameter_string(parameter)) != 0) {
        json_decref(root);
        root = NULL; /* all of the problem or none of it */
    }
    /* NULL only when out of memory: the status still goes out, without a body */
    resp->body = pr_render_body(root);
    resp->body_owned = resp->body != NULL;
}

void pr_api_problem(pr_response *resp, const pr_request *req, int status, const char *detail)
{
    memset(resp, 0, sizeof *resp);
    pr_problem(resp, req, status, NULL, "%s", detail);
}

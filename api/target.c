/* target.c: a request target into a decoded path and parameters (see
 * target.h). */
#include "target.h"

#include <string.h>
#include <strings.h>

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

size_t pr_target_unescape(char *s)
{
    char *out = s;
    for (const char *in = s; *in; in++) {
        int hi, lo;
        if (in[0] == '%' && (hi = hex_value(in[1])) >= 0 && (lo = hex_value(in[2])) >= 0 &&
            (hi | lo) != 0) {
            *out++ = (char)(hi << 4 | lo);
            in += 2;
        } else {
            *out++ = *in;
        }
    }
    *out = '\0';
    return (size_t)(out - s);
}

const char *pr_target_origin_path(const char *url)
{
    const char *rest = NULL;
    if (!strncasecmp(url, "http://", 7))
        rest = url + 7;
    else if (!strncasecmp(url, "https://", 8))
        rest = url + 8;
    if (!rest)
        return url;
    const char *slash = strchr(rest, '/');
    return slash ? slash : "/";
}

/* A name or value of the query: '+' is a space, then %HH is decoded. */
static size_t query_part(char *s)
{
    for (char *p = s; *p; p++)
        if (*p == '+')
            *p = ' ';
    return pr_target_unescape(s);
}

static void add_param(pr_request *req, pr_param *params, char *key, char *value)
{
    if (req->param_count == PR_MAX_QUERY_PARAMS) {
        req->too_many_params = true; /* the first ones are kept */
        return;
    }
    query_part(key);
    size_t value_len = value ? query_part(value) : 0;
    params[req->param_count++] = (pr_param){key, value ? value : "", value_len};
}

void pr_target_parse(const char *target, size_t len, char *storage, pr_param *params,
                     pr_request *req)
{
    const char *nul = memchr(target, '\0', len);
    if (nul)
        len = (size_t)(nul - target);
    memcpy(storage, target, len);
    storage[len] = '\0';
    req->params = params;
    req->param_count = 0;
    req->too_many_params = false;
    char *query = strchr(storage, '?');
    if (query)
        *query++ = '\0';
    /* the split of libmicrohttpd's MHD_parse_arguments_, field by field */
    for (char *args = query; args && *args;) {
        char *equals = strchr(args, '='), *amper = strchr(args, '&');
        if (amper)
            *amper++ = '\0';
        if (equals && (!amper || equals < amper)) {
            *equals++ = '\0';
            add_param(req, params, args, equals);
        } else {
            add_param(req, params, args, NULL);
        }
        args = amper;
    }
    pr_target_unescape(storage);
    req->path = pr_target_origin_path(storage);
    req->path_len = strlen(req->path);
}

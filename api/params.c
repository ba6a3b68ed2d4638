/* params.c: query parameters: which are allowed, their bounds, typed readers. */
#include "internal.h"

#include "fields.h"

#include <stdio.h>
#include <string.h>

const pr_param *pr_param_find(const pr_request *req, const char *key)
{
    for (size_t i = 0; i < req->param_count; i++)
        if (strcmp(req->params[i].key, key) == 0)
            return &req->params[i];
    return NULL;
}

static bool quote_key(const char *key, char *out, size_t size)
{
    pr_error_quote(key, strlen(key), 40, out, size);
    return true;
}

static bool listed(const char *const *names, const char *key)
{
    for (; names && *names; names++)
        if (strcmp(*names, key) == 0)
            return true;
    return false;
}

bool pr_params_allow(const pr_request *req, pr_response *resp, const char *const *allowed)
{
    return pr_params_allow_lists(req, resp, allowed, NULL);
}

bool pr_params_allow_lists(const pr_request *req, pr_response *resp, const char *const *allowed,
                           const char *const *lists)
{
    for (size_t i = 0; i < req->param_count; i++) {
        const char *key = req->params[i].key;
        bool known = false;
        for (const char *const *a = allowed; *a && !known; a++)
            known = strcmp(*a, key) == 0;
        char q[96];
        quote_key(key, q, sizeof q);
        if (!known) {
            char list[256] = "";
            size_t used = 0;
            for (const char *const *a = allowed; *a; a++) {
                int n = snprintf(list + used, sizeof list - used, "%s%s", used ? ", " : "", *a);
                if (n < 0 || (size_t)n >= sizeof list - used) {
                    /* the names are ASCII: "..." after the last whole one */
                    memcpy(list + (used < sizeof list - 4 ? used : sizeof list - 4), "...", 4);
                    break;
                }
                used += (size_t)n;
            }
            if (allowed[0])
                pr_problem(resp, req, 400, key,
                           "unknown query parameter %s; this resource takes %s", q, list);
            else
                pr_problem(resp, req, 400, key,
                           "unknown query parameter %s; this resource takes none", q);
            return false;
        }
        for (size_t j = 0; j < i && !listed(lists, key); j++) {
            if (strcmp(req->params[j].key, key) == 0) {
                pr_problem(resp, req, 400, key, "query parameter %s is given more than once", q);
                return false;
            }
        }
    }
    return true;
}

/* Numbers in a path or query are written one way only: decimal digits
 * without a sign and without leading zeros ("0" itself aside), so that one
 * resource has one URL (and one cached answer and ETag), as JSON writes
 * numbers (RFC 8259 section 6). "080" is refused rather than read as 80. */
static bool canonical_decimal(const char *text, size_t len, uint64_t *out)
{
    return (len == 1 || (len > 1 && text[0] != '0')) && pr_parse_decimal(text, len, out);
}

bool pr_parse_port(const char *text, size_t len, uint16_t *out)
{
    uint64_t v;
    if (len > 5 || !canonical_decimal(text, len, &v) || v > 65535)
        return false;
    *out = (uint16_t)v;
    return true;
}

bool pr_param_uint(const pr_request *req, pr_response *resp, const char *key, uint32_t min,
                   uint32_t max, uint32_t def, uint32_t *out)
{
    const pr_param *p = pr_param_find(req, key);
    if (!p) {
        *out = def;
        return true;
    }
    uint64_t v;
    if (!canonical_decimal(p->value, p->value_len, &v) || v < min || v > max) {
        char q[96];
        pr_error_quote(p->value, p->value_len, 40, q, sizeof q);
        pr_problem(resp, req, 400, key,
                   "%s must be a whole number from %u to %u without leading zeros, not %s", key,
                   (unsigned)min, (unsigned)max, q);
        return false;
    }
    *out = (uint32_t)v;
    return true;
}

bool pr_param_required(const pr_request *req, pr_response *resp, const char *key,
                       const pr_param **out)
{
    *out = pr_param_find(req, key);
    if (!*out)
        pr_problem(resp, req, 400, key, "query parameter %s is required", key);
    return *out != NULL;
}

bool pr_param_bool(const pr_request *req, pr_response *resp, const char *key, bool *out)
{
    const pr_param *p = pr_param_find(req, key);
    *out = false;
    if (!p)
        return true;
    if (strcmp(p->value, "true") == 0 || strcmp(p->value, "false") == 0) {
        *out = p->value[0] == 't';
        return true;
    }
    char q[96];
    pr_error_quote(p->value, p->value_len, 40, q, sizeof q);
    pr_problem(resp, req, 400, key, "%s must be true or false, not %s", key, q);
    return false;
}

bool pr_param_page(pr_api *api, const pr_request *req, pr_response *resp, uint32_t *limit,
                   uint32_t *offset)
{
    return pr_param_uint(req, resp, "limit", 1, api->cfg.max_limit, api->cfg.default_limit,
                         limit) &&
           pr_param_uint(req, resp, "offset", 0, 10000000, 0, offset);
}

bool pr_param_term(const pr_request *req, pr_response *resp, const char *key, bool required,
                   char out[PR_MAX_Q_BYTES + 1], size_t *len)
{
    const pr_param *p = pr_param_find(req, key);
    *len = 0;
    out[0] = '\0';
    if (!p)
        return !required || pr_param_required(req, resp, key, &p);
    if (p->value_len == 0 || p->value_len > PR_MAX_Q_BYTES) {
        pr_problem(resp, req, 400, key, "%s must be 1 to %d bytes long, not %zu", key,
                   PR_MAX_Q_BYTES, p->value_len);
        return false;
    }
    if (memchr(p->value, '\0', p->value_len)) {
        pr_problem(resp, req, 400, key, "%s must not contain a NUL character", key);
        return false;
    }
    for (size_t i = 0; i < p->value_len; i++) {
        char c = p->value[i];
        out[i] = c >= 'A' && c <= 'Z' ? (char)(c + ('a' - 'A')) : c;
    }
    out[p->value_len] = '\0';
    *len = p->value_len;
    return true;
}

bool pr_query_append(char *buf, size_t size, const char *key, const char *value)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t at = strlen(buf), start = at;
    const char *parts[2] = {key, value};
    if (at && at + 1 < size)
        buf[at++] = '&';
    for (int k = 0; k < 2; k++) {
        for (const unsigned char *s = (const unsigned char *)parts[k]; *s; s++) {
            /* RFC 3986 unreserved characters go as they are; all else is encoded */
            bool plain = (*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
                         (*s >= '0' && *s <= '9') || *s == '-' || *s == '.' || *s == '_' ||
                         *s == '~';
            if (at + (plain ? 1 : 3) + 2 > size) {
                buf[start] = '\0'; /* all or nothing: a half pair would change the query */
                return false;
            }
            if (plain) {
                buf[at++] = (char)*s;
            } else {
                buf[at++] = '%';
                buf[at++] = hex[*s >> 4];
                buf[at++] = hex[*s & 15];
            }
        }
        if (k == 0)
            buf[at++] = '=';
    }
    buf[at] = '\0';
    return true;
}

bool pr_read_port(const pr_request *req, pr_response *resp, const char *what, const char *text,
                  size_t len, uint16_t *out)
{
    if (pr_parse_port(text, len, out))
        return true;
    char q[96];
    pr_error_quote(text, len, 40, q, sizeof q);
    pr_problem(resp, req, 400, what, "%s is not a port number (0-65535, without leading zeros)", q);
    return false;
}

bool pr_read_proto(const pr_request *req, pr_response *resp, const char *what, const char *text,
                   size_t len, enum pr_proto *out)
{
    if (pr_proto_parse(text, len, out))
        return true;
    char q[96];
    pr_error_quote(text, len, 40, q, sizeof q);
    pr_problem(resp, req, 400, what, "%s is not a transport protocol (tcp, udp, sctp, dccp)", q);
    return false;
}

bool pr_param_list(const pr_request *req, pr_response *resp, const char *key, pr_slice *items,
                   size_t max, size_t *n)
{
    *n = 0;
    for (size_t i = 0; i < req->param_count; i++) {
        const pr_param *p = &req->params[i];
        if (strcmp(p->key, key) != 0)
            continue;
        for (size_t at = 0;;) {
            const char *comma = memchr(p->value + at, ',', p->value_len - at);
            size_t len = comma ? (size_t)(comma - (p->value + at)) : p->value_len - at;
            if (len == 0) {
                pr_problem(resp, req, 400, key,
                           "%s has an empty item: list its values "
                           "separated by commas, or repeat the parameter",
                           key);
                return false;
            }
            if (*n == max) {
                pr_problem(resp, req, 400, key, "%s lists more than %zu items", key, max);
                return false;
            }
            items[(*n)++] = (pr_slice){p->value + at, len};
            if (!comma)
                break;
            at += len + 1;
        }
    }
    return true;
}

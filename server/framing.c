/* framing.c: RFC 9112 framing checks (see framing.h). */
#include "framing.h"

#include <string.h>
#include <strings.h>

void pr_framing_init(pr_framing *f)
{
    memset(f, 0, sizeof *f);
}

/* RFC 9110 5.6.2: tchar */
static bool is_tchar(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && strchr("!#$%&'*+-.^_`|~", c));
}

static bool is_token(const char *s, size_t len)
{
    if (len == 0)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!is_tchar((unsigned char)s[i]))
            return false;
    return true;
}

static bool named(const char *name, size_t len, const char *want)
{
    return len == strlen(want) && strncasecmp(name, want, len) == 0;
}

/* The value without trailing whitespace (RFC 9110 5.5: OWS around a value
 * is not part of it). */
static size_t trimmed(const char *value, size_t len)
{
    while (len && (value[len - 1] == ' ' || value[len - 1] == '\t'))
        len--;
    return len;
}

/* RFC 9110 7.2 and RFC 3986 3.2.2: uri-host [ ":" port ], where a host is
 * a reg-name (unreserved, pct-encoded, sub-delims), an IPv4 address or an
 * IP literal in brackets. Checked by the characters it may hold; empty is
 * allowed (RFC 9110 7.2, a target without an authority). */
static bool host_ok(const char *v, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)v[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  (c && strchr("-._~%!$&'()*+,;=:[]", c));
        if (!ok)
            return false;
    }
    return true;
}

/* RFC 9110 8.6: Content-Length = 1*DIGIT; more than 64 bits is refused. */
static bool parse_length(const char *v, size_t len, uint64_t *out)
{
    if (len == 0)
        return false;
    uint64_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (v[i] < '0' || v[i] > '9')
            return false;
        unsigned d = (unsigned)(v[i] - '0');
        if (n > (UINT64_MAX - d) / 10)
            return false;
        n = n * 10 + d;
    }
    *out = n;
    return true;
}

void pr_framing_field(pr_framing *f, const char *name, size_t name_len, const char *value,
                      size_t value_len)
{
    if (!name || !is_token(name, name_len)) {
        f->bad_name = true;
        return;
    }
    if (!value)
        value = "", value_len = 0;
    value_len = trimmed(value, value_len);
    if (named(name, name_len, "Host")) {
        f->hosts++;
        if (!host_ok(value, value_len))
            f->bad_host = true;
    } else if (named(name, name_len, "Content-Length")) {
        uint64_t n = 0;
        if (!parse_length(value, value_len, &n))
            f->bad_length = true;
        else if (f->lengths && n != f->length)
            f->lengths_differ = true;
        f->length = n;
        f->lengths++;
    } else if (named(name, name_len, "Transfer-Encoding")) {
        f->encodings++;
        /* RFC 9112 7: coding names are case-insensitive. Only chunked alone
         * is served: another coding before it is not implemented here, and
         * any other final coding leaves the length undetermined (6.3). */
        if (!named(value, value_len, "chunked"))
            f->bad_encoding = true;
    }
}

const char *pr_framing_verdict(const pr_framing *f, bool http11)
{
    if (f->bad_name)
        return "a header field name holds whitespace or another character a token may not "
               "(RFC 9112 section 5.1)";
    if (f->encodings && f->lengths)
        return "both Transfer-Encoding and Content-Length: the length is ambiguous "
               "(RFC 9112 section 6.1)";
    if (f->encodings > 1 || f->bad_encoding)
        return "Transfer-Encoding must be exactly chunked (RFC 9112 section 6.3)";
    if (f->bad_length)
        return "Content-Length must be a decimal number (RFC 9110 section 8.6)";
    if (f->lengths_differ)
        return "Content-Length fields that differ (RFC 9112 section 6.3)";
    if (f->hosts > 1)
        return "more than one Host field (RFC 9112 section 3.2)";
    if (http11 && f->hosts == 0)
        return "an HTTP/1.1 request without a Host field (RFC 9112 section 3.2)";
    if (f->bad_host)
        return "the Host field is not a host and port (RFC 9110 section 7.2)";
    return NULL;
}

bool pr_framing_has_body(const pr_framing *f)
{
    return f->encodings > 0 || (f->lengths > 0 && f->length > 0);
}

const char *pr_framing_target(const char *target, size_t len, size_t target_span)
{
    if (len != target_span)
        return "the request target holds a NUL byte";
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)target[i];
        if (c <= ' ' || c == 0x7f)
            return "the request target holds whitespace or a control character "
                   "(RFC 9112 section 3.2)";
    }
    return NULL;
}

size_t pr_framing_query_fields(const char *target, size_t len)
{
    const char *query = memchr(target, '?', len);
    if (!query)
        return 0;
    size_t fields = 1;
    for (const char *at = query + 1; at < target + len; at++)
        fields += *at == '&';
    return fields;
}

/* What one query field costs in libmicrohttpd's pool: its record (56 bytes
 * on 64-bit, rounded up) with room to spare for the pool's alignment. */
enum { FIELD_COST = 64, RESERVE = 1024 };

size_t pr_framing_query_budget(size_t memory_limit, size_t target_len)
{
    /* The read buffer takes half the pool at first and grows by an eighth
     * of what is left when a line does not fit (try_grow_read_buffer), so
     * when the request line is complete it holds at most this much. */
    size_t line = target_len + target_len / 8 + RESERVE;
    size_t buffer = line > memory_limit / 2 ? line : memory_limit / 2;
    if (buffer >= memory_limit)
        return 0;
    size_t fit = (memory_limit - buffer) / FIELD_COST;
    return fit < PR_FRAMING_MAX_QUERY_FIELDS ? fit : PR_FRAMING_MAX_QUERY_FIELDS;
}

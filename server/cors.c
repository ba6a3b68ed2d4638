/* cors.c: the allowed origins (see cors.h). */
#include "cors.h"

#include <stdio.h>
#include <string.h>

static bool is_lower(char c)
{
    return c >= 'a' && c <= 'z';
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* RFC 6454 section 6.2: scheme "://" host [ ":" port ], the scheme and host
 * lower-cased (RFC 3986 section 6.2.2.1), as browsers serialize an origin.
 * The host is a name of letters, digits, '-' and '.', or an IP literal in
 * brackets; the port is decimal, 1-65535, without leading zeros. */
static const char *origin_problem(const char *s, size_t len)
{
    size_t i = 0;
    if (len == 0)
        return "an empty origin";
    if (!is_lower(s[0]))
        return "the scheme must start with a lower-case letter";
    while (i < len &&
           (is_lower(s[i]) || is_digit(s[i]) || s[i] == '+' || s[i] == '-' || s[i] == '.'))
        i++;
    if (len - i < 3 || memcmp(s + i, "://", 3) != 0)
        return "an origin is scheme://host[:port]";
    i += 3;
    size_t host = i;
    if (i < len && s[i] == '[') {
        while (i < len && s[i] != ']') {
            if (!is_digit(s[i]) && !(s[i] >= 'a' && s[i] <= 'f') && s[i] != ':' && s[i] != '.' &&
                s[i] != '[')
                return "an IP literal holds hex digits, ':' and '.' in lower case";
            i++;
        }
        if (i == len)
            return "an IP literal must end with ']'";
        i++;
    } else {
        while (i < len && (is_lower(s[i]) || is_digit(s[i]) || s[i] == '-' || s[i] == '.'))
            i++;
    }
    if (i == host)
        return i < len && s[i] >= 'A' && s[i] <= 'Z' ? "write it in lower case, as browsers send it"
                                                     : "the host is missing";
    if (i < len && s[i] == ':') {
        size_t digits = ++i;
        unsigned long port = 0;
        while (i < len && is_digit(s[i]) && i - digits < 5)
            port = port * 10 + (unsigned long)(s[i++] - '0');
        if (i == digits || i < len || s[digits] == '0' || port > 65535)
            return "the port must be a number from 1 to 65535 without leading zeros";
    }
    if (i < len) {
        if (s[i] == '/')
            return "an origin has no path, not even '/'";
        if (s[i] >= 'A' && s[i] <= 'Z')
            return "write it in lower case, as browsers send it";
        return "the host holds a character a host name may not";
    }
    return NULL;
}

bool pr_cors_parse(const char *setting, pr_cors *out, char *why, size_t why_size)
{
    memset(out, 0, sizeof *out);
    if (strcmp(setting, "*") == 0) {
        out->any = true;
        return true;
    }
    for (const char *s = setting;;) {
        size_t len = strcspn(s, ",");
        const char *item = s;
        size_t n = len;
        while (n && (*item == ' ' || *item == '\t'))
            item++, n--;
        while (n && (item[n - 1] == ' ' || item[n - 1] == '\t'))
            n--;
        const char *problem = n == 1 && item[0] == '*' ? "'*' stands alone, not in a list"
                              : n > PR_CORS_MAX_BYTES  ? "an origin is at most 256 bytes"
                                                       : origin_problem(item, n);
        if (!problem && out->count == PR_CORS_MAX_ORIGINS)
            problem = "more than 32 origins";
        if (problem) {
            snprintf(why, why_size, "\"%.*s\": %s", (int)(n > 64 ? 64 : n), item, problem);
            return false;
        }
        memcpy(out->origins[out->count], item, n);
        out->origins[out->count++][n] = '\0';
        if (s[len] == '\0')
            return true;
        s += len + 1;
    }
}

const char *pr_cors_match(const pr_cors *cors, const char *origin)
{
    if (cors->any || !origin)
        return NULL;
    for (size_t i = 0; i < cors->count; i++)
        if (strcmp(cors->origins[i], origin) == 0)
            return cors->origins[i];
    return NULL;
}

/* negotiate.c: Accept and Accept-Encoding (see negotiate.h). */
#include "negotiate.h"

#include <stddef.h>
#include <string.h>
#include <strings.h>

static const char *skip_ows(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

/* RFC 9110 5.6.2: tchar */
static bool is_tchar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* RFC 9110 12.4.2: qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ),
 * as thousandths; -1 when it is not one. */
static int parse_qvalue(const char *p, size_t len)
{
    if (len == 0 || (p[0] != '0' && p[0] != '1'))
        return -1;
    int v = (p[0] - '0') * 1000;
    if (len == 1)
        return v;
    if (p[1] != '.' || len > 5)
        return -1;
    int scale = 100;
    for (size_t i = 2; i < len; i++, scale /= 10) {
        if (p[i] < '0' || p[i] > '9')
            return -1;
        v += (p[i] - '0') * scale;
    }
    return v > 1000 ? -1 : v;
}

typedef struct member {
    const char *name; /* a token, or type/subtype */
    size_t len;
    int q; /* thousandths */
} member;

/* Reads the next member of a list at *at; false at the end of the field.
 * A member that does not parse comes back with len 0. */
static bool next_member(const char **at, member *m)
{
    const char *p = *at;
    for (;;) {
        p = skip_ows(p);
        if (*p != ',')
            break;
        p++; /* RFC 9110 5.6.1: empty list elements are allowed */
    }
    if (*p == '\0')
        return false;
    m->name = p;
    m->q = 1000;
    bool ok = true;
    while (is_tchar(*p) || *p == '/')
        p++;
    m->len = (size_t)(p - m->name);
    ok = m->len > 0;
    for (;;) {
        p = skip_ows(p);
        if (*p != ';')
            break;
        p = skip_ows(p + 1);
        const char *key = p;
        while (is_tchar(*p))
            p++;
        size_t key_len = (size_t)(p - key);
        if (*p != '=') {
            ok = false;
            break;
        }
        const char *value = ++p;
        if (*p == '"') { /* a quoted-string parameter value */
            for (p++; *p && *p != '"'; p++)
                if (*p == '\\' && p[1])
                    p++;
            if (*p != '"') {
                ok = false;
                break;
            }
            p++;
        } else {
            while (is_tchar(*p))
                p++;
        }
        if (key_len == 1 && (key[0] == 'q' || key[0] == 'Q')) {
            int q = parse_qvalue(value, (size_t)(p - value));
            if (q < 0)
                ok = false;
            else
                m->q = q;
        }
    }
    p = skip_ows(p);
    if (*p != ',' && *p != '\0')
        ok = false;
    /* on to the next comma, so one bad member spoils only itself */
    while (*p && *p != ',')
        p++;
    *at = p;
    if (!ok)
        m->len = 0;
    return true;
}

static bool named(const member *m, const char *name)
{
    return m->len == strlen(name) && strncasecmp(m->name, name, m->len) == 0;
}

bool pr_accepts_gzip(const char *field)
{
    if (!field)
        return false;
    int gzip = -1, star = -1, identity = -1;
    member m;
    for (const char *at = field; next_member(&at, &m);) {
        if (named(&m, "gzip") || named(&m, "x-gzip"))
            gzip = m.q > gzip ? m.q : gzip;
        else if (named(&m, "*"))
            star = m.q;
        else if (named(&m, "identity"))
            identity = m.q;
    }
    if (gzip < 0)
        gzip = star < 0 ? 0 : star;
    if (identity < 0)
        identity = star < 0 ? 1000 : star;
    return gzip > 0 && gzip >= identity;
}

static const char *const media_types[PR_FORMAT_COUNT] = {"application/json", PR_CSV_MEDIA_TYPE,
                                                         PR_TEXT_MEDIA_TYPE};
static const char *const bare_types[PR_FORMAT_COUNT] = {"application/json", "text/csv",
                                                        "text/plain"};
static const char *const format_names[PR_FORMAT_COUNT] = {"json", "csv", "txt"};

const char *pr_format_media_type(enum pr_format format)
{
    return media_types[format < PR_FORMAT_COUNT ? format : PR_FORMAT_JSON];
}

enum pr_format pr_format_parse(const char *value)
{
    for (int f = 0; f < PR_FORMAT_COUNT; f++)
        if (strcmp(value, format_names[f]) == 0)
            return (enum pr_format)f;
    return PR_FORMAT_COUNT;
}

/* How specifically a range names type: 3 exactly, 2 its type's wildcard,
 * 1 the full wildcard, 0 not at all. */
static int specificity(const member *m, const char *type)
{
    const char *slash = memchr(m->name, '/', m->len);
    if (!slash)
        return 0;
    size_t main_len = (size_t)(slash - m->name), type_main = (size_t)(strchr(type, '/') - type);
    const char *sub = slash + 1;
    size_t sub_len = m->len - main_len - 1;
    if (main_len == 1 && m->name[0] == '*')
        return sub_len == 1 && sub[0] == '*' ? 1 : 0;
    if (main_len != type_main || strncasecmp(m->name, type, main_len) != 0)
        return 0;
    if (sub_len == 1 && sub[0] == '*')
        return 2;
    return strlen(type + type_main + 1) == sub_len &&
                   strncasecmp(sub, type + type_main + 1, sub_len) == 0
               ? 3
               : 0;
}

bool pr_negotiate_format(const char *accept, enum pr_format *out)
{
    *out = PR_FORMAT_JSON;
    if (!accept)
        return true;
    int best_q[PR_FORMAT_COUNT], best_spec[PR_FORMAT_COUNT];
    for (int f = 0; f < PR_FORMAT_COUNT; f++)
        best_q[f] = 0, best_spec[f] = 0;
    member m;
    bool any = false;
    for (const char *at = accept; next_member(&at, &m);) {
        if (m.len == 0 || !memchr(m.name, '/', m.len))
            continue; /* not a media range */
        any = true;
        for (int f = 0; f < PR_FORMAT_COUNT; f++) {
            int s = specificity(&m, bare_types[f]);
            /* the most specific range decides; among equally specific
             * ones (a list naming a type twice), the higher weight */
            if (s > best_spec[f] || (s && s == best_spec[f] && m.q > best_q[f]))
                best_spec[f] = s, best_q[f] = m.q;
        }
    }
    /* an empty field, or one of which nothing parses, is read as no field:
     * a client's slip gets the default, not a 406 */
    if (!any)
        return true;
    int win = -1;
    for (int f = 0; f < PR_FORMAT_COUNT; f++)
        if (best_q[f] > 0 && (win < 0 || best_q[f] > best_q[win]))
            win = f;
    if (win < 0)
        return false;
    *out = (enum pr_format)win;
    return true;
}

/* fields.c: typed cells of the registry (see fields.h). */
#include "fields.h"

#include <stdio.h>
#include <string.h>

static void explain(char *why, size_t size, const char *text, size_t len, const char *problem)
{
    char q[96];
    pr_error_quote(text, len, 40, q, sizeof q);
    snprintf(why, size, "%s %s", q, problem);
}

bool pr_parse_decimal(const char *text, size_t len, uint64_t *out)
{
    if (len == 0 || len > 10)
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (text[i] < '0' || text[i] > '9')
            return false;
        v = v * 10 + (uint64_t)(text[i] - '0');
    }
    *out = v;
    return true;
}

bool pr_parse_port_cell(const char *text, size_t len, bool *has_port, uint16_t *first,
                        uint16_t *last, char *why, size_t why_size)
{
    if (len == 0) {
        *has_port = false;
        *first = *last = 0;
        return true;
    }
    const char *dash = memchr(text, '-', len);
    size_t a_len = dash ? (size_t)(dash - text) : len;
    uint64_t a, b;
    if (!pr_parse_decimal(text, a_len, &a) ||
        (dash && !pr_parse_decimal(dash + 1, len - a_len - 1, &b))) {
        /* a long run of digits is a number out of range, not a malformed one */
        bool digits = true;
        for (size_t i = 0; i < len; i++)
            digits = digits && ((text[i] >= '0' && text[i] <= '9') || (dash && text + i == dash));
        explain(why, why_size, text, len,
                digits && len > 0 && text[0] != '-' && text[len - 1] != '-'
                    ? "is not a port (0-65535)"
                    : "is not a port number or range (N or N-M)");
        return false;
    }
    if (!dash)
        b = a;
    if (a > 65535 || b > 65535) {
        explain(why, why_size, text, len, "is not a port (0-65535)");
        return false;
    }
    if (a > b) {
        explain(why, why_size, text, len, "is a reversed range: its first port is above its last");
        return false;
    }
    *has_port = true;
    *first = (uint16_t)a;
    *last = (uint16_t)b;
    return true;
}

bool pr_parse_proto_cell(const char *text, size_t len, enum pr_proto *out, char *why,
                         size_t why_size)
{
    if (len == 0) {
        *out = PR_PROTO_NONE;
        return true;
    }
    for (int p = PR_PROTO_TCP; p < PR_PROTO_COUNT; p++) {
        const char *name = pr_proto_name((enum pr_proto)p);
        if (strlen(name) == len && memcmp(name, text, len) == 0) {
            *out = (enum pr_proto)p;
            return true;
        }
    }
    explain(why, why_size, text, len,
            "is not a transport protocol (tcp, udp, sctp, dccp or empty)");
    return false;
}

bool pr_parse_date_cell(const char *text, size_t len, pr_date *out, char *why, size_t why_size)
{
    if (len == 0) {
        *out = (pr_date){0, 0, 0};
        return true;
    }
    if (!pr_date_parse(text, len, out)) {
        explain(why, why_size, text, len, "is not a date (YYYY, YYYY-MM or YYYY-MM-DD)");
        return false;
    }
    return true;
}

static bool parse_bracket_list(const char *text, size_t len, pr_text_span *spans, size_t max,
                               size_t max_item, bool forbid_control, size_t *count, char *why,
                               size_t why_size, const char *what)
{
    size_t n = 0, i = 0;
    char problem[160];
    while (i < len) {
        if (text[i] != '[') {
            snprintf(problem, sizeof problem, "is not a list of %s: expected '[' at character %zu",
                     what, i + 1);
            goto bad;
        }
        size_t start = ++i;
        while (i < len && text[i] != ']' && text[i] != '[') {
            unsigned char c = (unsigned char)text[i];
            if (forbid_control && (c < 0x20 || c == 0x7f)) {
                snprintf(problem, sizeof problem,
                         "is not a list of %s: control character at character %zu", what, i + 1);
                goto bad;
            }
            i++;
        }
        if (i >= len || text[i] != ']') {
            snprintf(problem, sizeof problem,
                     "is not a list of %s: '[' at character %zu is not closed", what, start);
            goto bad;
        }
        size_t item = i - start;
        if (item == 0) {
            snprintf(problem, sizeof problem,
                     "is not a list of %s: empty brackets at character %zu", what, start);
            goto bad;
        }
        if (item > max_item) {
            snprintf(problem, sizeof problem,
                     "is not a list of %s: item at character %zu is over %zu bytes", what, start,
                     max_item);
            goto bad;
        }
        if (n == max) {
            snprintf(problem, sizeof problem, "is not a list of %s: more than %zu items", what,
                     max);
            goto bad;
        }
        spans[n].offset = (uint32_t)start;
        spans[n].len = (uint32_t)item;
        n++;
        i++;
    }
    *count = n;
    return true;
bad:
    explain(why, why_size, text, len, problem);
    return false;
}

bool pr_parse_id_list(const char *text, size_t len, pr_text_span *spans, size_t max, size_t *count,
                      char *why, size_t why_size)
{
    return parse_bracket_list(text, len, spans, max, PR_MAX_ID_BYTES, true, count, why, why_size,
                              "[ID]s");
}

bool pr_parse_reference_list(const char *text, size_t len, pr_text_span *spans, size_t max,
                             size_t *count, char *why, size_t why_size)
{
    return parse_bracket_list(text, len, spans, max, PR_MAX_FIELD_BYTES, false, count, why,
                              why_size, "[reference]s");
}

bool pr_parse_service_code(const char *text, size_t len, bool *has, uint32_t *out, char *why,
                           size_t why_size)
{
    if (len == 0) {
        *has = false;
        *out = 0;
        return true;
    }
    uint64_t v;
    if (!pr_parse_decimal(text, len, &v) || v > UINT32_MAX) {
        explain(why, why_size, text, len, "is not a service code (a decimal 0-4294967295)");
        return false;
    }
    *has = true;
    *out = (uint32_t)v;
    return true;
}

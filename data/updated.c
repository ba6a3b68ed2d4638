/* updated.c: the registry's date file (see updated.h). */
#include "updated.h"

#include <stdio.h>
#include <string.h>

bool pr_updated_parse(const pr_source *src, pr_date *out, pr_error *err)
{
    const char *text = (const char *)src->bytes;
    size_t len = src->len;
    char q[96];
    if (len > PR_UPDATED_MAX_BYTES) {
        pr_error_set(err, src->name, 0, NULL,
                     "is %zu bytes; it holds one date, YYYY-MM-DD and a line feed", len);
        return false;
    }
    const char *nl = memchr(text, '\n', len);
    size_t line_len = nl ? (size_t)(nl - text) : len;
    pr_date d;
    /* pr_date_parse also takes YYYY and YYYY-MM; IANA always dates the
     * registry to the day, so only the full form is accepted */
    if (line_len != 10 || !pr_date_parse(text, line_len, &d)) {
        pr_error_quote(text, line_len, 40, q, sizeof q);
        pr_error_set(err, src->name, 1, NULL, "%s is not a date YYYY-MM-DD", q);
        return false;
    }
    if (!nl) {
        pr_error_set(err, src->name, 1, NULL, "the date does not end with a line feed");
        return false;
    }
    if ((size_t)(nl - text) + 1 != len) {
        size_t rest = len - line_len - 1;
        pr_error_quote(nl + 1, rest, 40, q, sizeof q);
        pr_error_set(err, src->name, 2, NULL, "%s follows the date; the file holds one line", q);
        return false;
    }
    *out = d;
    return true;
}

int pr_updated_format(pr_date date, char buf[12])
{
    if (date.year == 0 || date.month == 0 || date.day == 0) {
        buf[0] = '\0';
        return 0;
    }
    char day[11];
    pr_date_format(date, day);
    return snprintf(buf, 12, "%s\n", day);
}

/* types.c: protocols, statuses, range classes and dates: their names and
 * parsing, and the rule that gives a record its status (see registry.h). */
#include "build.h"

#include <stdio.h>
#include <string.h>

static const char *const proto_names[PR_PROTO_COUNT] = {"", "tcp", "udp", "sctp", "dccp"};
static const char *const status_names[PR_STATUS_COUNT] = {"assigned", "reserved", "unassigned",
                                                          "dynamic"};
static const char *const class_names[] = {"system", "user", "dynamic"};

const char *pr_proto_name(enum pr_proto proto)
{
    return (unsigned)proto < PR_PROTO_COUNT ? proto_names[proto] : "";
}

int prd_ascii_lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* Case-insensitive (ASCII) comparison of a NUL-terminated name with text[0..len). */
int prd_name_cmp(const char *name, const char *text, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        int a = prd_ascii_lower((unsigned char)name[i]),
            b = prd_ascii_lower((unsigned char)text[i]);
        if (a != b || a == 0)
            return a - b;
    }
    return (unsigned char)name[len];
}

static bool word_is(const char *word, const char *text, size_t len)
{
    return strlen(word) == len && prd_name_cmp(word, text, len) == 0;
}

bool pr_proto_parse(const char *text, size_t len, enum pr_proto *out)
{
    for (int p = PR_PROTO_TCP; p < PR_PROTO_COUNT; p++) {
        if (word_is(proto_names[p], text, len)) {
            *out = (enum pr_proto)p;
            return true;
        }
    }
    return false;
}

const char *pr_status_name(enum pr_status status)
{
    return (unsigned)status < PR_STATUS_COUNT ? status_names[status] : "";
}

bool pr_status_parse(const char *text, size_t len, enum pr_status *out)
{
    for (int s = 0; s < PR_STATUS_COUNT; s++) {
        if (word_is(status_names[s], text, len)) {
            *out = (enum pr_status)s;
            return true;
        }
    }
    return false;
}

const char *pr_range_class_name(enum pr_range_class cls)
{
    return (unsigned)cls <= PR_CLASS_DYNAMIC ? class_names[cls] : "";
}

enum pr_range_class pr_range_class_of(uint16_t port)
{
    if (port <= 1023)
        return PR_CLASS_SYSTEM;
    return port <= 49151 ? PR_CLASS_USER : PR_CLASS_DYNAMIC;
}

static bool read_digits(const char *text, size_t n, unsigned *out)
{
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        if (text[i] < '0' || text[i] > '9')
            return false;
        v = v * 10 + (unsigned)(text[i] - '0');
    }
    *out = v;
    return true;
}

bool pr_date_parse(const char *text, size_t len, pr_date *out)
{
    static const unsigned char days_in[13] = {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    unsigned y, m = 0, d = 0;
    if ((len != 4 && len != 7 && len != 10) || !read_digits(text, 4, &y) || y == 0)
        return false;
    if (len >= 7 && (text[4] != '-' || !read_digits(text + 5, 2, &m) || m < 1 || m > 12))
        return false;
    if (len == 10) {
        if (text[7] != '-' || !read_digits(text + 8, 2, &d) || d < 1 || d > days_in[m])
            return false;
        bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        if (m == 2 && d == 29 && !leap)
            return false;
    }
    *out = (pr_date){(uint16_t)y, (uint8_t)m, (uint8_t)d};
    return true;
}

char *pr_date_format(pr_date date, char buf[11])
{
    /* the modulos bound each part, for the reader and for -Wformat-truncation */
    unsigned y = date.year % 10000u, m = date.month % 100u, d = date.day % 100u;
    if (y == 0)
        buf[0] = '\0';
    else if (m == 0)
        snprintf(buf, 11, "%04u", y);
    else if (d == 0)
        snprintf(buf, 11, "%04u-%02u", y, m);
    else
        snprintf(buf, 11, "%04u-%02u-%02u", y, m, d);
    return buf;
}

int pr_date_cmp(pr_date a, pr_date b)
{
    if (a.year != b.year)
        return a.year < b.year ? -1 : 1;
    if (a.month != b.month)
        return a.month < b.month ? -1 : 1;
    if (a.day != b.day)
        return a.day < b.day ? -1 : 1;
    return 0;
}

enum pr_status pr_record_status_of(const char *service, const char *description)
{
    if (service[0])
        return PR_STATUS_ASSIGNED;
    size_t n = strlen("unassigned");
    if (strlen(description) >= n && prd_name_cmp("unassigned", description, n) == 0)
        return PR_STATUS_UNASSIGNED;
    return PR_STATUS_RESERVED;
}

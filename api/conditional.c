/* conditional.c: If-None-Match, If-Modified-Since and HTTP-dates (RFC 9110). */
#include "conditional.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static const char *skip_ows(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

/* Compares two entity-tags ignoring a W/ prefix (weak comparison, 8.8.3.2). */
static bool opaque_equal(const char *a, size_t a_len, const char *b)
{
    if (b[0] == 'W' && b[1] == '/')
        b += 2;
    return strlen(b) == a_len && memcmp(a, b, a_len) == 0;
}

bool pr_if_none_match(const char *field, const char *etag)
{
    const char *p = skip_ows(field);
    if (*p == '*')
        return *skip_ows(p + 1) == '\0';
    for (;;) {
        p = skip_ows(p);
        while (*p == ',') /* RFC 9110 5.6.1: empty list elements are allowed */
            p = skip_ows(p + 1);
        if (*p == '\0')
            return false;
        if (p[0] == 'W' && p[1] == '/')
            p += 2;
        if (*p != '"')
            return false;
        const char *start = p++;
        /* etagc = %x21 / %x23-7E / obs-text (8.8.3) */
        while (*p && *p != '"' && ((unsigned char)*p >= 0x21 && (unsigned char)*p != 0x7f))
            p++;
        if (*p != '"')
            return false;
        p++;
        if (opaque_equal(start, (size_t)(p - start), etag))
            return true;
        p = skip_ows(p);
        if (*p != ',' && *p != '\0')
            return false;
    }
}

bool pr_not_modified(const char *if_none_match, const char *if_modified_since, const char *etag,
                     int64_t last_modified)
{
    if (if_none_match)
        return etag && etag[0] && pr_if_none_match(if_none_match, etag);
    if (!if_modified_since || last_modified <= 0)
        return false;
    int64_t since;
    return pr_http_date_parse(if_modified_since, &since) && last_modified <= since;
}

static const char *const day_names[7] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
static const char *const month_names[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* Days since 1970-01-01 of a proleptic Gregorian date (month 1-12). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

int64_t pr_epoch_of_date(int year, unsigned month, unsigned day)
{
    return days_from_civil(year, month, day) * 86400;
}

char *pr_http_date_format(int64_t t, char out[30])
{
    int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
    int64_t secs = t - days * 86400;
    /* civil_from_days: inverse of the above */
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    unsigned d = doy - (153 * mp + 2) / 5 + 1;
    unsigned m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    int weekday = (int)((days % 7 + 11) % 7); /* 1970-01-01 was a Thursday */
    int n = snprintf(out, 30, "%s, %02u %s %04d %02d:%02d:%02d GMT", day_names[weekday], d % 100u,
                     month_names[m - 1], (int)(y % 10000), (int)(secs / 3600),
                     (int)(secs / 60 % 60), (int)(secs % 60));
    /* a year of -1000 or before is too wide: better no date than a cut one */
    if (n < 0 || n >= 30)
        out[0] = '\0';
    return out;
}

static const char *const long_day_names[7] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                              "Thursday", "Friday", "Saturday"};

/* day-name (3 letters) or, for RFC 850, day-name-l: exact and case-sensitive */
static bool is_day_name(const char *p, size_t len)
{
    for (int i = 0; i < 7; i++) {
        const char *name = len == 3 ? day_names[i] : long_day_names[i];
        if (strlen(name) == len && memcmp(p, name, len) == 0)
            return true;
    }
    return false;
}

static bool valid_day(int year, int month, int day)
{
    static const int days[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return day >= 1 && day <= days[month - 1] && !(month == 2 && day == 29 && !leap);
}

static int month_index(const char *p)
{
    for (int i = 0; i < 12; i++)
        if (memcmp(p, month_names[i], 3) == 0)
            return i + 1;
    return 0;
}

static bool digits(const char *p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return false;
        v = v * 10 + (p[i] - '0');
    }
    *out = v;
    return true;
}

static bool parse_time_of_day(const char *p, int *h, int *mi, int *s)
{
    return digits(p, 2, h) && p[2] == ':' && digits(p + 3, 2, mi) && p[5] == ':' &&
           digits(p + 6, 2, s) && *h < 24 && *mi < 60 && *s < 61;
}

bool pr_http_date_parse(const char *text, int64_t *out)
{
    int day, year, h, mi, s, mon;
    size_t len = strlen(text);
    const char *comma = strchr(text, ',');
    if (len == 29 && comma == text + 3) {
        /* IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT */
        const char *p = text + 5;
        if (!is_day_name(text, 3) || text[4] != ' ' || !digits(p, 2, &day) || p[2] != ' ' ||
            !(mon = month_index(p + 3)) || p[6] != ' ' || !digits(p + 7, 4, &year) ||
            p[11] != ' ' || !parse_time_of_day(p + 12, &h, &mi, &s) || strcmp(p + 20, " GMT") != 0)
            return false;
    } else if (comma && comma > text + 5 && strlen(comma) == 24) {
        /* RFC 850: Sunday, 06-Nov-94 08:49:37 GMT; two-digit years per 5.6.7 */
        const char *p = comma + 2;
        if (!is_day_name(text, (size_t)(comma - text)) || comma[1] != ' ' || !digits(p, 2, &day) ||
            p[2] != '-' || !(mon = month_index(p + 3)) || p[6] != '-' || !digits(p + 7, 2, &year) ||
            p[9] != ' ' || !parse_time_of_day(p + 10, &h, &mi, &s) || strcmp(p + 18, " GMT") != 0)
            return false;
        /* RFC 9110 5.6.7: a two-digit year more than 50 years in the future
         * is the most recent past year with those digits */
        time_t now = time(NULL);
        struct tm utc;
        int this_year = gmtime_r(&now, &utc) ? utc.tm_year + 1900 : 2000;
        year += this_year / 100 * 100;
        if (year > this_year + 50)
            year -= 100;
    } else if (len == 24 && !comma) {
        /* asctime: Sun Nov  6 08:49:37 1994 */
        const char *p = text + 4;
        char d2[2] = {p[4] == ' ' ? '0' : p[4], p[5]};
        if (!is_day_name(text, 3) || text[3] != ' ' || !(mon = month_index(p)) || p[3] != ' ' ||
            !digits(d2, 2, &day) || p[6] != ' ' || !parse_time_of_day(p + 7, &h, &mi, &s) ||
            p[15] != ' ' || !digits(p + 16, 4, &year))
            return false;
    } else {
        return false;
    }
    if (!valid_day(year, mon, day))
        return false;
    *out = days_from_civil(year, (unsigned)mon, (unsigned)day) * 86400 + h * 3600 + mi * 60 + s;
    return true;
}

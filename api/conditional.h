/* conditional.h: RFC 9110 conditional requests and HTTP dates, as pure
 * functions over header field values. No allocation; all reentrant. */
#ifndef PR_CONDITIONAL_H
#define PR_CONDITIONAL_H

#include <stdbool.h>
#include <stdint.h>

/* RFC 9110 13.1.2: does an If-None-Match field value match `etag` (a quoted
 * strong entity-tag)? "*" matches any; list members compare weakly (a W/
 * prefix is ignored on either side). A malformed member ends the scan: the
 * members before it still count, and nothing after it is trusted. */
bool pr_if_none_match(const char *field, const char *etag);

/* RFC 9110 13.2.2: should a GET/HEAD get 304 Not Modified? If-None-Match,
 * when present, decides alone; otherwise If-Modified-Since does, if it is a
 * valid HTTP-date and last_modified is known (> 0). Either field may be NULL. */
bool pr_not_modified(const char *if_none_match, const char *if_modified_since, const char *etag,
                     int64_t last_modified);

/* RFC 9110 5.6.7: parses IMF-fixdate and the two obsolete forms (RFC 850,
 * asctime). Returns false on anything else. */
bool pr_http_date_parse(const char *text, int64_t *out);

/* Seconds since the epoch of 00:00:00 GMT on a proleptic Gregorian date. */
int64_t pr_epoch_of_date(int year, unsigned month, unsigned day);

/* Formats seconds since the epoch as IMF-fixdate into out[30]; "" for a
 * time whose year does not fit the format's four digits. */
char *pr_http_date_format(int64_t t, char out[30]);

#endif

/* negotiate.h: proactive negotiation (RFC 9110 section 12): which media type
 * (Accept, 12.5.1) and which content coding (Accept-Encoding, 12.5.3) an
 * answer takes, from the request's fields alone.
 *
 * Both fields are lists of members with an optional weight ";q=" (12.4.2):
 * 0 to 1 with at most three decimals; a member without one weighs 1. Other
 * parameters of a media range are not compared (text/csv;header=present
 * counts as text/csv). A member that does not parse is skipped; the list
 * goes on at the next comma.
 *
 * Pure functions over NUL-terminated field values: no allocation,
 * reentrant. */
#ifndef PR_API_NEGOTIATE_H
#define PR_API_NEGOTIATE_H

#include <stdbool.h>

/* RFC 9110 12.5.3: should an answer go out gzip-encoded, given the request's
 * Accept-Encoding field (NULL when absent)? True when "gzip" (or its alias
 * "x-gzip"; else "*") has a non-zero weight at least as high as identity's.
 * Identity weighs 1 unless it is named, or "*" is and it is not. An answer
 * that could go out in neither (identity;q=0 without gzip) is sent as
 * identity all the same: RFC 9110 12.1 lets a server disregard a preference
 * rather than answer 406, and a 406 for want of compression helps nobody. */
bool pr_accepts_gzip(const char *accept_encoding);

/* The formats of a list of records, in the server's order of preference
 * (the first wins a tie). */
enum pr_format { PR_FORMAT_JSON = 0, PR_FORMAT_CSV, PR_FORMAT_TEXT, PR_FORMAT_COUNT };

/* RFC 9110 12.5.1: the format an Accept field (NULL when absent: JSON)
 * prefers among application/json, text/csv and text/plain. Each weighs what
 * its most specific matching range gives it (an exact type over a type's
 * wildcard over the full wildcard), 0 when none matches. False when every format weighs 0: the
 * answer is then a 406. */
bool pr_negotiate_format(const char *accept, enum pr_format *out);

/* "json", "csv", "txt" (the values of ?format=); PR_FORMAT_COUNT for any
 * other value. */
enum pr_format pr_format_parse(const char *value);

/* The Content-Type of each format. */
#define PR_CSV_MEDIA_TYPE  "text/csv; charset=utf-8; header=present"
#define PR_TEXT_MEDIA_TYPE "text/plain; charset=utf-8"
const char *pr_format_media_type(enum pr_format format);

#endif

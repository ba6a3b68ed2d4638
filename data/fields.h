/* fields.h: parsing of the registry's typed cells (port, protocol, dates, ID
 * and reference lists, service codes).
 *
 * Each parser reads text[0..len), writes its result to caller-owned storage
 * and returns true, or returns false and writes one sentence saying what is
 * wrong into why[why_size] (the cell's value quoted, bounded). No parser
 * allocates or keeps a pointer; all are reentrant. */
#ifndef PR_FIELDS_H
#define PR_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "registry.h"

/* 1 to 10 decimal digits and nothing else (no sign, no space) into *out.
 * Shared with the API's query parameters so that both read numbers alike. */
bool pr_parse_decimal(const char *text, size_t len, uint64_t *out);

/* "" (no port), "N" or "N-M" with 0 <= N <= M <= 65535, digits only. */
bool pr_parse_port_cell(const char *text, size_t len, bool *has_port, uint16_t *first,
                        uint16_t *last, char *why, size_t why_size);

/* "" (every protocol) or exactly "tcp", "udp", "sctp", "dccp". */
bool pr_parse_proto_cell(const char *text, size_t len, enum pr_proto *out, char *why,
                         size_t why_size);

/* "" (absent) or a date as pr_date_parse() takes it. */
bool pr_parse_date_cell(const char *text, size_t len, pr_date *out, char *why, size_t why_size);

/* "" or "[ID][ID]...": at most `max` items, each 1..PR_MAX_ID_BYTES bytes of
 * anything but brackets and control characters. On success spans[i] holds the
 * offset and length of item i inside text (brackets excluded), *count the
 * number of items. */
typedef struct pr_text_span {
    uint32_t offset;
    uint32_t len;
} pr_text_span;
bool pr_parse_id_list(const char *text, size_t len, pr_text_span *spans, size_t max, size_t *count,
                      char *why, size_t why_size);

/* "" or "[ref][ref]...", where a reference is any non-empty bracketed text
 * without brackets inside ("RFC8765, Section 6.1", a URL, a footnote "1"). */
bool pr_parse_reference_list(const char *text, size_t len, pr_text_span *spans, size_t max,
                             size_t *count, char *why, size_t why_size);

/* "" (none) or a decimal 0..4294967295 (RFC 4340 section 19.8). */
bool pr_parse_service_code(const char *text, size_t len, bool *has, uint32_t *out, char *why,
                           size_t why_size);

#endif

/* formats.h: a list of records in the formats people already work with
 * besides JSON: IANA's own CSV, and an aligned table for terminals.
 *
 * CSV is the bytes of the registry's records file (pr_registry.csv_text):
 * its header row, then each record's row exactly as the file has it, so
 * the answer for a search is what a grep of IANA's CSV for those rows
 * would give. A row the file left without a line ending (its last) gets
 * the header's.
 *
 * The table has a header line and a line per record: service, port (as
 * published, "N-M" for a range), protocol, status, assignee IDs and
 * description, the columns padded to their widest cell in characters and
 * the description last and unpadded. Line breaks, tabs and other control
 * characters in a cell (C1 controls included, which a terminal would obey)
 * become spaces; an empty cell is "-". UTF-8, one record a line, "\n"
 * line endings.
 *
 * Memory: the body returned is malloc'ed and sealed (its ETag set); the
 * caller owns it. Reentrant; the registry is only read. */
#ifndef PR_API_FORMATS_H
#define PR_API_FORMATS_H

#include <stdint.h>

#include "api.h"
#include "negotiate.h"

/* Records idx[0..n) as a PR_FORMAT_CSV or PR_FORMAT_TEXT body; NULL when
 * out of memory, or for CSV when the registry keeps no rows of its file. */
pr_body *pr_records_body(const pr_registry *reg, enum pr_format format, const uint32_t *idx,
                         uint32_t n);

/* The list-page formats (listpage.h) of a list of records in CSV and in
 * text, which lay out the page themselves from pr_list.records; NULL for
 * JSON (the list's own). */
struct pr_list_format;
const struct pr_list_format *pr_records_list_format(enum pr_format format);

#endif

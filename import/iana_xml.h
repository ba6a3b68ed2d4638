/* iana_xml.h: reads IANA's service-names-port-numbers.xml with libxml2's
 * streaming reader (xmlTextReader) and hands over its records and people as
 * rows of IANA's CSV layout, flattened as IANA's own CSV has them (see
 * flatten.h). The document is never held in memory whole: one record or
 * person at a time.
 *
 * Mapping of a <record> to the 12 columns:
 *   Service Name <name>; Port Number <number>; Transport Protocol <protocol>;
 *   Description <description>; Assignee the <xref type="person"> inside
 *   <assignee>, or the Contact when there is no <assignee>; Contact the
 *   record's own <xref type="person">; Registration Date the date
 *   attribute; Modification Date the updated attribute; Reference the
 *   record's other <xref>s, in order, each in brackets; Service Code <sc>;
 *   Unauthorized Use Reported <unauthorized>; Assignment Notes <note>.
 * A <person id="X"> gives "[X]" and the text of its first <name>, <org>
 * and <updated>, and of every <uri>, one a line, as written (IANA keeps
 * their spaces). What stands before the records (<title>, <category>, the
 * registry's <xref>, <expert>, <note>s) goes to the header sink.
 *
 * Strictness: the root must be IANA's <registry id="service-names-port-
 * numbers">, with one <updated> date, records, and <people>. An element the
 * mapping does not know inside a record or person is an error, not
 * skipped, since its text would silently go missing. No DTD is accepted, no
 * network is used, and every cell is bounded by PR_MAX_FIELD_BYTES.
 *
 * Errors: -1 with *err naming the file, the line of the offending element
 * (or libxml2's line for XML that is not well-formed) and what is wrong.
 * Lines are exact: the parser is fed one line at a time, so that it never
 * runs ahead of the node the reader is on and
 * xmlTextReaderGetParserLineNumber() is that node's line.
 *
 * Threads: the first call initialises libxml2 and must not race another
 * use of it; after that, distinct calls may run in different threads. */
#ifndef PR_IMPORT_IANA_XML_H
#define PR_IMPORT_IANA_XML_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "registry.h"

#define PR_IANA_RECORD_COLS  12
#define PR_IANA_CONTACT_COLS 5
#define PR_IANA_HEADER_COLS  3

/* IANA's XML runs to 3.9 MB (2026-08); the CSV it becomes is bounded by
 * PR_MAX_FILE_BYTES. This bound keeps a runaway input from being read
 * without end. */
#define PR_IANA_MAX_XML_BYTES (256u * 1024 * 1024)

/* The header rows, in IANA's column order. */
extern const char *const pr_iana_record_columns[PR_IANA_RECORD_COLS];
extern const char *const pr_iana_contact_columns[PR_IANA_CONTACT_COLS];
extern const char *const pr_iana_header_columns[PR_IANA_HEADER_COLS];

/* One cell: its text (NUL-terminated, valid only during the callback) and
 * the line of the element it came from (the row's own line when absent). */
typedef struct pr_iana_cell {
    const char *text;
    size_t len;
    unsigned long line;
} pr_iana_cell;

/* Called per <record> with PR_IANA_RECORD_COLS cells, or per <person> with
 * PR_IANA_CONTACT_COLS, in document order; `line` is the element's. Return
 * 0 to go on, or -1 after filling *err to stop. */
typedef int (*pr_iana_row_fn)(void *ctx, const pr_iana_cell *cells, unsigned long line,
                              pr_error *err);

typedef struct pr_iana_sink {
    void *ctx;
    pr_iana_row_fn record; /* NULL: records are counted, not flattened */
    pr_iana_row_fn person;
    /* The registry's own header, as rows of header.h's table (Field, Title,
     * Value): title, category, reference, expert, note; NULL: skipped. */
    pr_iana_row_fn header;
} pr_iana_sink;

typedef struct pr_iana_summary {
    pr_date updated; /* <updated> under <registry> */
    unsigned long updated_line;
    uint32_t records;
    uint32_t people;
} pr_iana_summary;

/* Reads the file at path. Returns 0 with *out filled, or -1 with *err set. */
int pr_iana_xml_read(const char *path, const pr_iana_sink *sink, pr_iana_summary *out,
                     pr_error *err);

#endif

/* header.h: what IANA's page shows above every search of the registry, and
 * its XML carries before the records: title, category, reference, experts
 * per protocol, the note (the three port ranges, the procedures, the boxed
 * disclaimer) and the "Request an Assignment" link. IANA's CSV does not
 * carry it, so the importer keeps it in a small table of its own beside the
 * two CSVs, PR_HEADER_FILE ("registry-header.csv"), with the header row
 * "Field,Title,Value" and one row per item:
 *
 *   title,,Service Name and Transport Protocol Port Number Registry
 *   category,,Service Names and Transport Protocol Port Numbers
 *   reference,,RFC6335                      (one row per reference, in order)
 *   expert,,"TCP/UDP: Joe Touch; ...        (the text as published, with its
 *   SCTP: Michael Tuexen ..."                line breaks)
 *   note,,"Service names and port numbers ..."
 *   note,Request an Assignment,[https://www.iana.org/protocols/apply]
 *
 * Texts are as IANA's CSV would write them (flatten.h's rules: xrefs in
 * brackets). The items change over time (the experts of 2025-08-26 differ
 * from 2026-08-17's), so they travel with each data set.
 *
 * Ownership: pr_header_load() returns a header the caller owns and frees
 * with pr_header_free(); every string and array in it lives in the same
 * allocation. Immutable once loaded: any number of threads may read it.
 *
 * Errors: NULL with *err naming the file, line and field (an unknown field,
 * a second title, an empty value, a title on what is not a note, ...). */
#ifndef PR_HEADER_H
#define PR_HEADER_H

#include <stdint.h>

#include "error.h"
#include "registry.h"

#define PR_HEADER_FILE      "registry-header.csv"
#define PR_HEADER_MAX_BYTES (256u * 1024)
/* The note whose URI is where to apply for an assignment. */
#define PR_HEADER_REQUEST_TITLE "Request an Assignment"

/* One line of the experts text: "SCTP: Michael Tuexen" is {"SCTP",
 * "Michael Tuexen"}; a line that does not start with "PROTOCOLS: " goes on
 * the line before it, joined by a space. */
typedef struct pr_expert {
    const char *protocols;
    const char *names;
} pr_expert;

typedef struct pr_titled_note {
    const char *title;
    const char *text;
} pr_titled_note;

struct pr_header {
    const char *title;       /* "" when absent */
    const char *category;    /* "" when absent */
    const char *expert_text; /* as published, "" when absent */
    const char *note;        /* the untitled note, "" when absent */
    /* the URI of the "Request an Assignment" note's only reference, "" when
     * there is none */
    const char *request_uri;
    const char *const *references; /* without brackets: "RFC6335" */
    const pr_expert *experts;
    const pr_titled_note *notes; /* the titled notes, in order */
    uint32_t reference_count;
    uint32_t expert_count;
    uint32_t note_count;
};

/* Parses the table in src. */
pr_header *pr_header_load(const pr_source *src, pr_error *err);

void pr_header_free(pr_header *header);

#endif

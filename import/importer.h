/* importer.h: IANA's registry XML (and, optionally, IANA's CSV) into a data
 * directory the server loads, replacing what it held only once the new
 * data is known to load.
 *
 * What it writes into the directory:
 *   service-names-port-numbers.csv  the records, in IANA's 12-column CSV
 *                                   layout: flattened from the XML's
 *                                   <record>s, or IANA's CSV as published
 *                                   when one is given;
 *   contacts.csv                    the XML's <people>;
 *   registry-updated                the XML's <updated> date (updated.h).
 *
 * Order of work: the XML is streamed into the two tables in memory; the
 * three files are loaded with the server's own loader
 * (pr_registry_load_dated), exactly as a server would load them; only then
 * are they written beside the old files and renamed into place
 * (replace.h). Any failure before that leaves the directory as it was,
 * byte for byte.
 *
 * Errors: -1 with *err naming the file, line and field of the problem. A
 * problem the loader finds in a table made from the XML is reported at the
 * XML's line (the element the cell came from) with the CSV column's name,
 * e.g. `x.xml:812: Port Number: "70000" is not a port (0-65535)`.
 *
 * Memory: nothing is kept after the call. Threads: see iana_xml.h (the first
 * call initialises libxml2). */
#ifndef PR_IMPORT_IMPORTER_H
#define PR_IMPORT_IMPORTER_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "registry.h"

typedef struct pr_import_options {
    const char *xml_path; /* IANA's service-names-port-numbers.xml */
    const char *csv_path; /* NULL: the records come from the XML */
    const char *out_dir;  /* created (one level) when missing */
    /* Called with each warning (an ID that the contact table lacks, located
     * like errors; a CSV with another number of records than the XML); may
     * be NULL. */
    void (*warn)(void *ctx, const pr_error *warning);
    void *warn_ctx;
} pr_import_options;

typedef struct pr_import_result {
    uint32_t records;
    uint32_t contacts;
    uint32_t warnings;
    pr_date updated; /* the registry's date, as now in the directory */
    size_t records_bytes, contacts_bytes;
    double seconds; /* wall time of the whole import */
} pr_import_result;

/* Returns 0 with *res filled, or -1 with *err filled (res->seconds is set
 * either way). */
int pr_import_run(const pr_import_options *opt, pr_import_result *res, pr_error *err);

#endif

/* check_report.h: a judged manifest (pr_manifest) rendered for people and
 * for CI systems: text, JSON, SARIF 2.1.0, JUnit XML and GitHub Actions
 * workflow commands. Each is a rendering of the same pr_manifest value;
 * none reads another back. Entries with an origin (deploy.h) point at
 * their file, line and column.
 *
 * Ownership: the writers only read their arguments. Errors: -1 when out
 * of memory or when `out` reports a write error; the output is then
 * incomplete and must not pass for a report. Threads: no shared state. */
#ifndef PR_CHECK_REPORT_H
#define PR_CHECK_REPORT_H

#include <jansson.h>
#include <stdio.h>

#include "check.h"

enum pr_report_format {
    PR_REPORT_TEXT,
    PR_REPORT_JSON,
    PR_REPORT_SARIF,
    PR_REPORT_JUNIT,
    PR_REPORT_GITHUB,
    PR_REPORT_COUNT
};

/* "text", "json", "sarif", "junit", "github". */
const char *pr_report_format_name(enum pr_report_format f);
bool pr_report_format_parse(const char *text, size_t len, enum pr_report_format *out);
/* The media type an HTTP answer in the format has. */
const char *pr_report_media_type(enum pr_report_format f);

/* The JSON answer (pr_manifest_body's, check.h) as a tree, to lay out for
 * a reader. NULL: no memory. */
json_t *pr_report_json(const pr_api *api, const pr_manifest *m);

/* Writes the report in format f. `header` (may be NULL) opens the text
 * format, one line: which data judged. */
int pr_report_write(FILE *out, const pr_api *api, const pr_manifest *m, enum pr_report_format f,
                    const char *header);

#endif

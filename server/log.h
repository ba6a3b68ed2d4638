/* log.h: the server's log on stderr: messages at a level, and the access log.
 *
 * Each line goes out in one write(2), so lines from different threads never
 * interleave. Untrusted text (methods, paths, messages quoting data files)
 * is escaped so that a request cannot forge log lines, and every line is
 * valid UTF-8: in JSON lines, bytes that are not UTF-8 become U+FFFD and
 * control characters \u escapes, so each line is one JSON object (RFC 8259)
 * whatever a request held; in plain lines they become \xNN.
 *
 * Lines are bounded: no line is longer than PR_LOG_LINE_MAX bytes with its
 * newline. A field too long for its share of the line is cut at a character
 * boundary and ends with "..."; a JSON line then also carries
 * "truncated":true.
 *
 * Configure once before threads start; afterwards every function is
 * thread-safe. */
#ifndef PR_LOG_H
#define PR_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum pr_log_level { PR_LOG_ERROR, PR_LOG_WARN, PR_LOG_INFO, PR_LOG_DEBUG };
enum pr_log_format { PR_LOG_PLAIN, PR_LOG_JSON };

/* The longest line written, newline included. */
#define PR_LOG_LINE_MAX 4096

void pr_log_configure(enum pr_log_level level, enum pr_log_format format, bool access_log);

/* A message, when level is at or above the configured one. */
void pr_log(enum pr_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

typedef struct pr_access {
    const char *method;
    const char *path; /* decoded; escaped on output */
    int status;
    size_t bytes;     /* content bytes sent (0 for HEAD, 304, 204) */
    double seconds;   /* from the complete request to the queued answer */
    const char *etag; /* "hit" (304), "miss" (200 with an ETag) or "-" */
} pr_access;

/* One access-log line, unless the access log is off. */
void pr_log_access(const pr_access *a);

/* The writers behind pr_log and pr_log_access, without the clock and the
 * write: they format one line, newline included, into out and return its
 * length (at most PR_LOG_LINE_MAX); out is also NUL-terminated. time is the
 * timestamp to print (any text; escaped like the rest). Any string may be
 * NULL (printed as "-"). Pure and thread-safe; for tests and fuzzing. */
size_t pr_log_format_access(char out[PR_LOG_LINE_MAX + 1], enum pr_log_format format,
                            const char *time, const pr_access *a);
size_t pr_log_format_message(char out[PR_LOG_LINE_MAX + 1], enum pr_log_format format,
                             const char *time, enum pr_log_level level, const char *message);

/* Parsers for flags; false on an unknown word. */
bool pr_log_level_parse(const char *text, enum pr_log_level *out);
bool pr_log_format_parse(const char *text, enum pr_log_format *out);

#endif

/* error.h: errors as values, for everything that reads the registry's files.
 *
 * A pr_error is owned by the caller (usually on its stack) and filled by the
 * function that fails. It names where the problem is (file, line, field) and
 * what it is, so that a person can open the file at that line and fix it.
 * Nothing in here allocates; every function is thread-safe on distinct
 * pr_error values. */
#ifndef PR_ERROR_H
#define PR_ERROR_H

#include <stddef.h>

typedef struct pr_error {
    char file[256];     /* path or source name; "" when not about a file */
    unsigned long line; /* 1-based line the problem starts on; 0 when none */
    char field[64];     /* column or item name; "" when not about one field */
    char text[384];     /* what is wrong, one sentence, no trailing newline */
} pr_error;

/* Clears every member. Accepts NULL (then does nothing). */
void pr_error_clear(pr_error *err);

/* Fills err; any of file/field may be NULL. Long values are truncated, never
 * overflowed, and never inside a UTF-8 character. Accepts err == NULL (then
 * does nothing), so callers can pass an optional error through without
 * checking. */
void pr_error_set(pr_error *err, const char *file, unsigned long line, const char *field,
                  const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Writes "file:line: field: text" into buf (parts that are absent are left
 * out with their separators) and returns buf. Always NUL-terminates when
 * size > 0. */
char *pr_error_format(const pr_error *err, char *buf, size_t size);

/* Writes a bounded, quoted rendering of an untrusted value for use inside an
 * error text: at most max_chars bytes of the value are shown, control and
 * non-ASCII bytes as \xNN, and "..." marks a cut. Returns buf. */
char *pr_error_quote(const char *value, size_t len, size_t max_chars, char *buf, size_t size);

#endif

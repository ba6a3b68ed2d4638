/* text.h: a growable byte string with a hard size limit, for the importer's
 * cells and output files.
 *
 * Every append checks the limit first, so that a hostile input fails with a
 * message instead of exhausting memory. The content is always NUL-terminated
 * (the NUL is not counted in len).
 *
 * Memory: the string owns its buffer; pr_text_free() releases it and leaves
 * an empty string that can be used again. Not thread-safe: one owner. */
#ifndef PR_IMPORT_TEXT_H
#define PR_IMPORT_TEXT_H

#include <stdbool.h>
#include <stddef.h>

typedef struct pr_text {
    char *data; /* NULL until the first append; see pr_text_str() */
    size_t len;
    size_t cap;
    size_t max;    /* len never exceeds it */
    bool overflow; /* an append was refused for max (not for memory) */
} pr_text;

/* An empty string that may grow to `max` bytes. */
pr_text pr_text_make(size_t max);

/* False, with the string unchanged, when it would pass max (overflow is
 * then set) or memory runs out. */
bool pr_text_append(pr_text *t, const char *bytes, size_t n);
bool pr_text_append_char(pr_text *t, char c);

/* Whether `n` more bytes fit; sets overflow when not. For appends in
 * several steps that must go in whole or not at all. */
bool pr_text_fits(pr_text *t, size_t n);

/* The content, NUL-terminated; "" for a string never appended to. */
const char *pr_text_str(const pr_text *t);

/* Empties the string, clears overflow, and keeps the buffer. */
void pr_text_clear(pr_text *t);

/* Removes leading and trailing XML white space (space, tab, CR, LF). */
void pr_text_trim(pr_text *t);

void pr_text_free(pr_text *t);

/* XML's white space characters (XML 1.0 production S). */
bool pr_xml_space(char c);

#endif

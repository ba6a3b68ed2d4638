/* flatten.h: IANA's rules for turning the XML registry's mixed content into
 * the text of a CSV cell, as IANA's own CSV has it.
 *
 * The rules were read off the 2026-08-17 registry, where they reproduce
 * every one of the CSV's 14,533 rows byte for byte:
 *
 *   - text is kept as written, line breaks and runs of spaces included;
 *   - <br/> becomes one space, and swallows the white space on both sides
 *     of it ("keys:<br/>\n  txtvers" is "keys: txtvers"; "a<br/><br/>b" is
 *     "a b");
 *   - an inline <xref> becomes its reference text in brackets ("[RFC6763]",
 *     "[Bernie_Volz]"), see pr_xref_text();
 *   - <paragraph> contributes its content; the white space between two
 *     paragraphs is kept as written (a space is put between them only when
 *     there is none, so that words never run together);
 *   - the cell is trimmed of white space at both ends.
 *
 * Memory: a pr_flat writes into a caller-owned pr_text and owns nothing.
 * Every function returns false when the text would pass its limit or memory
 * runs out (the text's overflow flag tells which). Not thread-safe: one
 * owner. */
#ifndef PR_IMPORT_FLATTEN_H
#define PR_IMPORT_FLATTEN_H

#include <stdbool.h>
#include <stddef.h>

#include "text.h"

typedef struct pr_flat {
    pr_text *out;
    bool after_break; /* white space after a <br/> is dropped */
} pr_flat;

/* Starts a cell: empties out. */
void pr_flat_start(pr_flat *f, pr_text *out);
bool pr_flat_text(pr_flat *f, const char *text, size_t len);
bool pr_flat_break(pr_flat *f);
/* An inline reference: "[" ref "]". */
bool pr_flat_ref(pr_flat *f, const char *ref, size_t len);
/* The start of a <paragraph>. */
bool pr_flat_paragraph(pr_flat *f);
/* Ends the cell: trims it. */
void pr_flat_finish(pr_flat *f);

/* An <xref> as the XML gives it; absent attributes are NULL, content is ""
 * when the element is empty. */
typedef struct pr_xref {
    const char *type;    /* "rfc", "draft", "person", "uri", "text", "note", ... */
    const char *data;    /* what it refers to: "rfc6335", "Jon_Postel", a URL */
    const char *section; /* the sec or section attribute */
    const char *content; /* the element's text */
} pr_xref;

/* The reference text IANA's CSV shows for an xref, without brackets:
 *
 *   rfc     data upper-cased, with ", Section S" where a section is given
 *           ("rfc6335" -> "RFC6335"); the element's text is not used (the
 *           CSV has "[RFC8765]" where the XML says "RFC8765, Section 6.1")
 *   draft   data as written; a section is not shown
 *   person, note (a footnote number)
 *           data as written
 *   uri and any other type
 *           the element's text when it has some, else data
 *
 * Returns false, with a sentence in why[], when there is nothing to show
 * or the text would pass out's limit. */
bool pr_xref_text(const pr_xref *x, pr_text *out, char *why, size_t why_size);

#endif

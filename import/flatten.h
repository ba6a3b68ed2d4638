/* flatten.h: IANA's rules for turning the XML registry's mixed content into
 * the text of a CSV cell, as IANA's own CSV has it.
 *
 * The rules were read off real copies of IANA's published CSV, each paired
 * with IANA's XML of the same day (2025-11-14, 2026-02-13, 2026-02-26);
 * they reproduce those CSVs, and the 2026-08-17 one, byte for byte:
 *
 *   - text is kept as written, line breaks and indentation included;
 *   - <br/> writes nothing: the XML's own line break after it stays, with
 *     its indentation ("whois++<br/><br/>\nIANA assigned ..." is
 *     "whois++\nIANA assigned ...");
 *   - an inline <xref> becomes its reference text in brackets ("[RFC6763]",
 *     "[RFC8765, Section 6.1]", "[Bernie_Volz]"), see pr_xref_text();
 *   - <paragraph>s are joined by a line break and 14 spaces; the white
 *     space between two paragraphs in the XML is not written;
 *   - then, over the whole cell, a line break with blanks on both sides
 *     (" +\n +") becomes one space, and the cell is trimmed of white space
 *     at both ends.
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
    int paragraphs; /* paragraphs started so far in this cell */
    int depth;      /* > 0 inside a <paragraph> */
} pr_flat;

/* What IANA writes between two paragraphs of one cell. */
#define PR_PARAGRAPH_JOIN "\n              "

/* Starts a cell: empties out. */
void pr_flat_start(pr_flat *f, pr_text *out);
/* Text content; outside a paragraph, text between paragraphs is dropped. */
bool pr_flat_text(pr_flat *f, const char *text, size_t len);
/* A <br/>: writes nothing (see above); kept as a call so that the rule has
 * one home. */
bool pr_flat_break(pr_flat *f);
/* An inline reference: "[" ref "]". */
bool pr_flat_ref(pr_flat *f, const char *ref, size_t len);
/* The start and end of a <paragraph>. */
bool pr_flat_paragraph_start(pr_flat *f);
void pr_flat_paragraph_end(pr_flat *f);
/* Ends the cell: folds blank-surrounded line breaks and trims it. */
void pr_flat_finish(pr_flat *f);

/* The folding and trimming of pr_flat_finish, on any text. */
void pr_flat_fold(pr_text *t);

/* An <xref> as the XML gives it; absent attributes are NULL, content is ""
 * when the element is empty. */
typedef struct pr_xref {
    const char *type;    /* "rfc", "draft", "person", "uri", "text", "note", ... */
    const char *data;    /* what it refers to: "rfc6335", "Jon_Postel", a URL */
    const char *section; /* the sec or section attribute */
    const char *content; /* the element's text */
} pr_xref;

/* The reference text IANA's CSV shows for an xref, without brackets: the
 * element's own text when it has some ("RFC8765, Section 6.1"), else by
 * type:
 *
 *   rfc     data upper-cased, with ", Section S" where a section is given
 *           ("rfc6335" -> "RFC6335")
 *   draft, person, note (a footnote number), and any other type
 *           data as written
 *
 * Returns false, with a sentence in why[], when there is nothing to show
 * or the text would pass out's limit. */
bool pr_xref_text(const pr_xref *x, pr_text *out, char *why, size_t why_size);

#endif

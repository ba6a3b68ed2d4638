/* iana_xml.c: IANA's registry XML to CSV rows, streamed (see iana_xml.h). */
#include "iana_xml.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/xmlreader.h>

#include "csv_table.h"
#include "flatten.h"
#include "text.h"

/* How many bytes of an element or attribute name an error shows: up to 60,
 * never part of a character. */
static int shown(const char *name)
{
    size_t len = strlen(name);
    return (int)pr_utf8_cut(name, len < 60 ? len : 60);
}

#define IANA_NS     "http://www.iana.org/assignments"
#define REGISTRY_ID "service-names-port-numbers"
/* Paragraphs do not nest in IANA's data; a few levels leave room without
 * letting a hostile file recurse deep. */
#define MAX_NESTING 8

enum rec_col {
    R_NAME,
    R_PORT,
    R_PROTO,
    R_DESCRIPTION,
    R_ASSIGNEE,
    R_CONTACT,
    R_REGISTERED,
    R_MODIFIED,
    R_REFERENCE,
    R_CODE,
    R_UNAUTHORIZED,
    R_NOTES
};

enum contact_col { C_ID, C_NAME, C_ORG, C_URI, C_UPDATED };

const char *const pr_iana_record_columns[PR_IANA_RECORD_COLS] = {
    "Service Name", "Port Number",  "Transport Protocol",        "Description",
    "Assignee",     "Contact",      "Registration Date",         "Modification Date",
    "Reference",    "Service Code", "Unauthorized Use Reported", "Assignment Notes"};

const char *const pr_iana_contact_columns[PR_IANA_CONTACT_COLS] = {"ID", "Name", "Organization",
                                                                   "Contact URI", "Last Updated"};

const char *const pr_iana_header_columns[PR_IANA_HEADER_COLS] = {"Field", "Title", "Value"};

/* libxml2 2.12 made the error it hands to handlers const. */
#if LIBXML_VERSION >= 21200
typedef const xmlError *xml_error_ref;
#else
typedef xmlErrorPtr xml_error_ref;
#endif

typedef struct reader {
    xmlTextReaderPtr xr;
    const char *path;
    pr_error *err;
    bool failed; /* err is filled */
    const pr_iana_sink *sink;
    pr_iana_summary *sum;
    bool have_updated, have_people;
    bool root_closed; /* </registry> has been read */

    /* input: read in blocks, handed to the parser a line at a time */
    int fd;
    size_t at, end;
    unsigned long long total;
    bool too_big;
    bool at_eof; /* the whole file has been handed to the parser */
    int read_errno;

    /* libxml2's first error */
    bool xml_failed;
    unsigned long xml_line;
    char xml_message[256];
    char generic_message[256]; /* see on_generic_error */
    bool generic_done;

    /* the row being built: a record's 12 cells or a person's 5 */
    pr_text cells[PR_IANA_RECORD_COLS];
    unsigned long lines[PR_IANA_RECORD_COLS];
    bool seen[PR_IANA_RECORD_COLS];
    /* an <xref>: its attributes, its text, its rendering */
    pr_text x_type, x_data, x_section, x_content, x_rendered;
    pr_text scratch; /* text of an element being read */

    unsigned char buf[64 * 1024];
} reader;

__attribute__((format(printf, 3, 4))) static int fail(reader *rd, unsigned long line,
                                                      const char *fmt, ...)
{
    if (rd->failed)
        return -1;
    char text[sizeof rd->err->text];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (n < 0)
        snprintf(text, sizeof text, "unreadable XML");
    else if ((size_t)n >= sizeof text) /* between characters: the text may quote UTF-8 */
        text[pr_utf8_cut(text, sizeof text - 1)] = '\0';
    pr_error_set(rd->err, rd->path, line, NULL, "%s", text);
    rd->failed = true;
    return -1;
}

/* The line of the node the reader is on (exact: see the header). */
static unsigned long here(const reader *rd)
{
    int line = xmlTextReaderGetParserLineNumber(rd->xr);
    return line > 0 ? (unsigned long)line : 0;
}

static void on_xml_error(void *ctx, xml_error_ref e)
{
    reader *rd = ctx;
    if (!e || e->level < XML_ERR_ERROR || rd->xml_failed)
        return;
    rd->xml_failed = true;
    rd->xml_line = e->line > 0 ? (unsigned long)e->line : 0;
    snprintf(rd->xml_message, sizeof rd->xml_message, "%s",
             e->message ? e->message : "not well-formed");
    size_t n = strlen(rd->xml_message);
    while (n > 0 && pr_xml_space(rd->xml_message[n - 1]))
        rd->xml_message[--n] = '\0';
}

/* libxml2 2.9 reports some errors (a byte sequence the declared encoding
 * cannot convert) only through its generic handler, which prints to stderr
 * in pieces, not to the reader's structured one. Caught here, such an error
 * fails the read like any other, with its text, and nothing reaches stderr.
 * The pieces of the first message are gathered up to its newline. */
__attribute__((format(printf, 2, 3))) static void on_generic_error(void *ctx, const char *fmt, ...)
{
    reader *rd = ctx;
    if (rd->xml_failed || rd->generic_done)
        return;
    size_t n = strlen(rd->generic_message);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rd->generic_message + n, sizeof rd->generic_message - n, fmt, ap);
    va_end(ap);
    char *nl = strchr(rd->generic_message, '\n');
    if (!nl && strlen(rd->generic_message) < sizeof rd->generic_message - 1)
        return;
    if (nl)
        *nl = '\0';
    rd->generic_done = true;
    rd->xml_failed = true;
    rd->xml_line = rd->xr ? here(rd) : 0;
    /* "encoding error : input conversion failed ...": libxml2's own words */
    snprintf(rd->xml_message, sizeof rd->xml_message, "%s", rd->generic_message);
    size_t len = strlen(rd->xml_message);
    while (len > 0 && pr_xml_space(rd->xml_message[len - 1]))
        rd->xml_message[--len] = '\0';
}

/* libxml2's input callback. The parser gets at most one line per call: fed
 * larger blocks it parses ahead of the reader, by up to 26 lines on IANA's
 * file, and its line number then no longer points at the current node. */
static int feed(void *ctx, char *out, int len)
{
    reader *rd = ctx;
    if (len <= 0)
        return 0;
    if (rd->at == rd->end) {
        ssize_t n;
        do
            n = read(rd->fd, rd->buf, sizeof rd->buf);
        while (n < 0 && errno == EINTR);
        if (n < 0) {
            rd->read_errno = errno;
            return -1;
        }
        if (n == 0) {
            rd->at_eof = true;
            return 0;
        }
        rd->at = 0;
        rd->end = (size_t)n;
        rd->total += (size_t)n;
        if (rd->total > PR_IANA_MAX_XML_BYTES) {
            rd->too_big = true;
            return -1;
        }
    }
    size_t n = rd->end - rd->at;
    if (n > (size_t)len)
        n = (size_t)len;
    const unsigned char *nl = memchr(rd->buf + rd->at, '\n', n);
    if (nl)
        n = (size_t)(nl - (rd->buf + rd->at)) + 1;
    memcpy(out, rd->buf + rd->at, n);
    rd->at += n;
    return (int)n;
}

static int no_close(void *ctx)
{
    (void)ctx; /* the descriptor is the reader's to close */
    return 0;
}

/* ---- moving through the document ---- */

/* Turns what xmlTextReaderRead() returned into 0 (a node was read) or -1
 * with the error. Any error libxml2 reports fails the read, even one it
 * could recover from. */
static int check_read(reader *rd, int rc)
{
    if (rc == 1 && !rd->xml_failed)
        return 0;
    if (rd->too_big)
        return fail(rd, 0, "the file is over %u bytes, more than a registry should be",
                    PR_IANA_MAX_XML_BYTES);
    if (rd->read_errno)
        return fail(rd, 0, "read error: %s", strerror(rd->read_errno));
    /* libxml2 words a file cut short in several ways ("Extra content at
     * the end of the document", "Premature end of data"); say it plainly */
    if (rd->xml_failed && rd->at_eof && !rd->root_closed)
        return fail(rd, rd->xml_line, "the file ends before </registry>: cut short? (%s)",
                    rd->xml_message);
    if (rd->xml_failed)
        return fail(rd, rd->xml_line, "not well-formed XML: %s", rd->xml_message);
    if (rc == 0)
        return fail(rd, here(rd), "the file ends before </registry>");
    return fail(rd, here(rd), "not well-formed XML");
}

/* Reads the next node: 0, or -1 with the error. */
static int advance(reader *rd)
{
    return check_read(rd, xmlTextReaderRead(rd->xr));
}

static int node_type(const reader *rd)
{
    return xmlTextReaderNodeType(rd->xr);
}

static bool is_text(int type)
{
    return type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA ||
           type == XML_READER_TYPE_WHITESPACE || type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE;
}

static bool is_ignorable(int type)
{
    return type == XML_READER_TYPE_COMMENT || type == XML_READER_TYPE_PROCESSING_INSTRUCTION;
}

static const char *value_of(const reader *rd)
{
    const xmlChar *v = xmlTextReaderConstValue(rd->xr);
    return v ? (const char *)v : "";
}

static bool all_space(const char *s)
{
    while (*s && pr_xml_space(*s))
        s++;
    return *s == '\0';
}

/* The element's name when it is in IANA's namespace, else "" (which
 * matches nothing expected, so a foreign element is reported as such). */
static const char *element_name(const reader *rd)
{
    const xmlChar *ns = xmlTextReaderConstNamespaceUri(rd->xr);
    if (!ns || strcmp((const char *)ns, IANA_NS) != 0)
        return "";
    const xmlChar *name = xmlTextReaderConstLocalName(rd->xr);
    return name ? (const char *)name : "";
}

/* Whether the element the reader is on is written <x/> (no end tag follows). */
static bool is_empty(const reader *rd)
{
    return xmlTextReaderIsEmptyElement(rd->xr) == 1;
}

/* Inside the element at `depth`: moves to its next child node. 1 with the
 * reader on it, 0 once the element's end tag is read, -1 on error. */
static int next_in(reader *rd, int depth)
{
    if (advance(rd) != 0)
        return -1;
    if (node_type(rd) == XML_READER_TYPE_END_ELEMENT && xmlTextReaderDepth(rd->xr) == depth)
        return 0;
    return 1;
}

/* The current node is not one `parent` may hold. */
static int unexpected(reader *rd, const char *parent)
{
    int type = node_type(rd);
    if (type == XML_READER_TYPE_ELEMENT) {
        const xmlChar *name = xmlTextReaderConstName(rd->xr);
        return fail(rd, here(rd), "<%s> holds an unexpected element <%.64s>", parent,
                    name ? (const char *)name : "");
    }
    if (is_text(type)) {
        /* the parser is at the end of the text; report where its words start */
        const char *v = value_of(rd);
        while (pr_xml_space(*v))
            v++;
        size_t len = strlen(v);
        unsigned long breaks = 0;
        for (size_t i = 0; i < len; i++)
            breaks += v[i] == '\n';
        while (len > 0 && pr_xml_space(v[len - 1]))
            len--;
        unsigned long line = here(rd);
        char q[96];
        pr_error_quote(v, len, 40, q, sizeof q);
        return fail(rd, line > breaks ? line - breaks : line, "<%s> holds unexpected text %s",
                    parent, q);
    }
    if (type == XML_READER_TYPE_ENTITY_REFERENCE)
        return fail(rd, here(rd), "<%s> holds an entity reference, which is not expanded", parent);
    return fail(rd, here(rd), "<%s> holds an unexpected node (XML node type %d)", parent, type);
}

/* Reads past the element the reader is on, whatever it holds. */
static int skip_element(reader *rd)
{
    if (is_empty(rd))
        return 0;
    int depth = xmlTextReaderDepth(rd->xr), rc;
    while ((rc = next_in(rd, depth)) == 1)
        continue;
    return rc;
}

/* Calls on_child(rd, name) for each child element of the element the
 * reader is on, with the reader on the child; blank text, comments and
 * processing instructions between them are passed over, and anything else
 * is unexpected in `parent`. on_child reads its element whole and returns
 * 0, or -1 once it has failed (an element it does not know included).
 * Returns 0 after the end tag, -1 on error. */
typedef int (*child_fn)(reader *rd, const char *name);

static int for_each_child(reader *rd, const char *parent, child_fn on_child)
{
    if (is_empty(rd))
        return 0;
    int depth = xmlTextReaderDepth(rd->xr), rc;
    while ((rc = next_in(rd, depth)) == 1) {
        int type = node_type(rd);
        if (type != XML_READER_TYPE_ELEMENT) {
            if ((is_text(type) && all_space(value_of(rd))) || is_ignorable(type))
                continue;
            return unexpected(rd, parent);
        }
        if (on_child(rd, element_name(rd)))
            return -1;
    }
    return rc;
}

static int too_long(reader *rd, unsigned long line, const char *what, const pr_text *t)
{
    if (t->overflow)
        return fail(rd, line, "%s is longer than %zu bytes", what, t->max);
    return fail(rd, line, "out of memory");
}

/* The text of the element the reader is on, which may hold nothing else. */
static int read_text(reader *rd, pr_text *out, const char *name)
{
    pr_text_clear(out);
    if (is_empty(rd))
        return 0;
    unsigned long line = here(rd);
    int depth = xmlTextReaderDepth(rd->xr), rc;
    while ((rc = next_in(rd, depth)) == 1) {
        int type = node_type(rd);
        if (is_text(type)) {
            const char *v = value_of(rd);
            if (!pr_text_append(out, v, strlen(v))) {
                char what[80];
                snprintf(what, sizeof what, "<%.*s>", shown(name), name);
                return too_long(rd, line, what, out);
            }
        } else if (!is_ignorable(type)) {
            return unexpected(rd, name);
        }
    }
    return rc;
}

/* An attribute of the current element into out ("" when absent). */
static int read_attribute(reader *rd, const char *name, pr_text *out)
{
    pr_text_clear(out);
    xmlChar *v = xmlTextReaderGetAttribute(rd->xr, (const xmlChar *)name);
    if (!v)
        return 0;
    bool ok = pr_text_append(out, (const char *)v, strlen((const char *)v));
    xmlFree(v);
    if (!ok) {
        char what[80];
        snprintf(what, sizeof what, "the attribute %.*s", shown(name), name);
        return too_long(rd, here(rd), what, out);
    }
    return 0;
}

static void start_row(reader *rd, int cols, unsigned long line)
{
    for (int i = 0; i < cols; i++) {
        pr_text_clear(&rd->cells[i]);
        rd->lines[i] = line;
        rd->seen[i] = false;
    }
}

static int emit_row(reader *rd, pr_iana_row_fn fn, int cols, unsigned long line)
{
    pr_iana_cell cells[PR_IANA_RECORD_COLS];
    for (int i = 0; i < cols; i++)
        cells[i] = (pr_iana_cell){pr_text_str(&rd->cells[i]), rd->cells[i].len, rd->lines[i]};
    if (fn(rd->sink->ctx, cells, line, rd->err) != 0) {
        rd->failed = true;
        return -1;
    }
    return 0;
}

/* ---- <xref> ---- */

/* Reads the <xref> the reader is on; its parts are left in rd->x_*. */
static int read_xref(reader *rd, pr_xref *x)
{
    if (read_attribute(rd, "type", &rd->x_type) || read_attribute(rd, "data", &rd->x_data))
        return -1;
    /* IANA's schema spells it sec; its files have used section too */
    if (read_attribute(rd, "sec", &rd->x_section))
        return -1;
    if (rd->x_section.len == 0 && read_attribute(rd, "section", &rd->x_section))
        return -1;
    if (read_text(rd, &rd->x_content, "xref"))
        return -1;
    *x = (pr_xref){pr_text_str(&rd->x_type), pr_text_str(&rd->x_data), pr_text_str(&rd->x_section),
                   pr_text_str(&rd->x_content)};
    return 0;
}

/* Reads the <xref> the reader is on and renders it into rd->x_rendered. */
static int render_xref(reader *rd)
{
    unsigned long line = here(rd);
    pr_xref x;
    if (read_xref(rd, &x))
        return -1;
    char why[160];
    if (!pr_xref_text(&x, &rd->x_rendered, why, sizeof why))
        return fail(rd, line, "%s", why);
    return 0;
}

/* Appends "[text]" to a list cell. */
static int append_item(reader *rd, int col, const pr_text *item, unsigned long line)
{
    pr_text *cell = &rd->cells[col];
    if (!pr_text_fits(cell, item->len + 2) || !pr_text_append_char(cell, '[') ||
        !pr_text_append(cell, pr_text_str(item), item->len) || !pr_text_append_char(cell, ']')) {
        char what[80];
        snprintf(what, sizeof what, "the %s cell", pr_iana_record_columns[col]);
        return too_long(rd, line, what, cell);
    }
    return 0;
}

/* ---- a record's cells ---- */

static int claim(reader *rd, int col, const char *name, unsigned long line)
{
    if (rd->seen[col])
        return fail(rd, line, "a second <%s> in the record (the first is on line %lu)", name,
                    rd->lines[col]);
    rd->seen[col] = true;
    rd->lines[col] = line;
    return 0;
}

/* An element of plain text: <name>, <protocol>, <number>, <sc>. */
static int read_plain(reader *rd, int col, const char *name)
{
    if (claim(rd, col, name, here(rd)) || read_text(rd, &rd->cells[col], name))
        return -1;
    pr_text_trim(&rd->cells[col]);
    return 0;
}

/* Mixed content: text, <br/>, <xref>, <paragraph>. */
static int read_mixed(reader *rd, pr_flat *flat, const char *name, int nesting)
{
    if (is_empty(rd))
        return 0;
    int depth = xmlTextReaderDepth(rd->xr), rc;
    while ((rc = next_in(rd, depth)) == 1) {
        int type = node_type(rd);
        unsigned long line = here(rd);
        bool ok = true;
        if (is_text(type)) {
            const char *v = value_of(rd);
            ok = pr_flat_text(flat, v, strlen(v));
        } else if (type == XML_READER_TYPE_ELEMENT) {
            const char *child = element_name(rd);
            if (!strcmp(child, "br")) {
                if (read_text(rd, &rd->scratch, "br"))
                    return -1;
                if (!all_space(pr_text_str(&rd->scratch)))
                    return fail(rd, line, "<br> holds text");
                ok = pr_flat_break(flat);
            } else if (!strcmp(child, "xref")) {
                if (render_xref(rd))
                    return -1;
                ok = pr_flat_ref(flat, pr_text_str(&rd->x_rendered), rd->x_rendered.len);
            } else if (!strcmp(child, "paragraph")) {
                if (nesting >= MAX_NESTING)
                    return fail(rd, line, "paragraphs nested deeper than %d", MAX_NESTING);
                if (!pr_flat_paragraph_start(flat) ||
                    read_mixed(rd, flat, "paragraph", nesting + 1) != 0) {
                    if (rd->failed)
                        return -1;
                    ok = false;
                }
                pr_flat_paragraph_end(flat);
            } else {
                return unexpected(rd, name);
            }
        } else if (!is_ignorable(type)) {
            return unexpected(rd, name);
        }
        if (!ok) {
            char what[80];
            snprintf(what, sizeof what, "<%.*s>", shown(name), name);
            return too_long(rd, line, what, flat->out);
        }
    }
    return rc;
}

static int read_mixed_cell(reader *rd, int col, const char *name)
{
    if (claim(rd, col, name, here(rd)))
        return -1;
    pr_flat flat;
    pr_flat_start(&flat, &rd->cells[col]);
    if (read_mixed(rd, &flat, name, 0))
        return -1;
    pr_flat_finish(&flat);
    return 0;
}

static int assignee_child(reader *rd, const char *name)
{
    if (strcmp(name, "xref") != 0)
        return unexpected(rd, "assignee");
    unsigned long at = here(rd);
    pr_xref x;
    if (read_xref(rd, &x))
        return -1;
    if (strcmp(x.type, "person") != 0 || !x.data[0])
        return fail(rd, at, "<assignee> holds an <xref> that is not a person's");
    return append_item(rd, R_ASSIGNEE, &rd->x_data, at);
}

/* <assignee>: the people a record is assigned to, as person xrefs. */
static int read_assignee(reader *rd)
{
    unsigned long line = here(rd);
    if (!rd->seen[R_ASSIGNEE]) {
        rd->seen[R_ASSIGNEE] = true;
        rd->lines[R_ASSIGNEE] = line;
    }
    return for_each_child(rd, "assignee", assignee_child);
}

/* A record-level <xref>: a person is the contact, anything else a reference. */
static int read_record_xref(reader *rd)
{
    unsigned long line = here(rd);
    pr_xref x;
    if (read_xref(rd, &x))
        return -1;
    if (!strcmp(x.type, "person")) {
        if (!x.data[0])
            return fail(rd, line, "an <xref type=\"person\"> without data");
        if (!rd->seen[R_CONTACT]) {
            rd->seen[R_CONTACT] = true;
            rd->lines[R_CONTACT] = line;
        }
        return append_item(rd, R_CONTACT, &rd->x_data, line);
    }
    char why[160];
    if (!pr_xref_text(&x, &rd->x_rendered, why, sizeof why))
        return fail(rd, line, "%s", why);
    if (!rd->seen[R_REFERENCE]) {
        rd->seen[R_REFERENCE] = true;
        rd->lines[R_REFERENCE] = line;
    }
    return append_item(rd, R_REFERENCE, &rd->x_rendered, line);
}

static int record_child(reader *rd, const char *name)
{
    if (!strcmp(name, "name"))
        return read_plain(rd, R_NAME, name);
    if (!strcmp(name, "number"))
        return read_plain(rd, R_PORT, name);
    if (!strcmp(name, "protocol"))
        return read_plain(rd, R_PROTO, name);
    if (!strcmp(name, "sc"))
        return read_plain(rd, R_CODE, name);
    if (!strcmp(name, "description"))
        return read_mixed_cell(rd, R_DESCRIPTION, name);
    if (!strcmp(name, "note"))
        return read_mixed_cell(rd, R_NOTES, name);
    if (!strcmp(name, "unauthorized"))
        return read_mixed_cell(rd, R_UNAUTHORIZED, name);
    if (!strcmp(name, "assignee"))
        return read_assignee(rd);
    if (!strcmp(name, "xref"))
        return read_record_xref(rd);
    return unexpected(rd, "record");
}

static int read_record(reader *rd)
{
    unsigned long line = here(rd);
    rd->sum->records++;
    if (!rd->sink->record)
        return skip_element(rd);
    start_row(rd, PR_IANA_RECORD_COLS, line);
    if (read_attribute(rd, "date", &rd->cells[R_REGISTERED]) ||
        read_attribute(rd, "updated", &rd->cells[R_MODIFIED]))
        return -1;
    if (for_each_child(rd, "record", record_child))
        return -1;
    /* as IANA's CSV does: a record without <assignee> is assigned to its contact */
    if (!rd->seen[R_ASSIGNEE] || rd->cells[R_ASSIGNEE].len == 0) {
        pr_text_clear(&rd->cells[R_ASSIGNEE]);
        if (!pr_text_append(&rd->cells[R_ASSIGNEE], pr_text_str(&rd->cells[R_CONTACT]),
                            rd->cells[R_CONTACT].len))
            return too_long(rd, line, "the Assignee cell", &rd->cells[R_ASSIGNEE]);
        rd->lines[R_ASSIGNEE] = rd->lines[R_CONTACT];
    }
    return emit_row(rd, rd->sink->record, PR_IANA_RECORD_COLS, line);
}

/* ---- <people> ---- */

static int person_child(reader *rd, const char *name)
{
    int col = !strcmp(name, "name")      ? C_NAME
              : !strcmp(name, "org")     ? C_ORG
              : !strcmp(name, "uri")     ? C_URI
              : !strcmp(name, "updated") ? C_UPDATED
                                         : -1;
    if (col < 0)
        return unexpected(rd, "person");
    unsigned long at = here(rd);
    /* The text stays as written, spaces included ("mailto:Giriraj
     * Harapanahalli"), so several <uri>s cannot be told apart by spaces:
     * each goes on a line of its own in the cell. Of a second name,
     * organization or date only the first is kept. */
    bool again = rd->seen[col];
    pr_text *into = again ? &rd->scratch : &rd->cells[col];
    if (read_text(rd, into, name))
        return -1;
    if (!again) {
        rd->seen[col] = true;
        rd->lines[col] = at;
    } else if (col == C_URI && rd->scratch.len > 0) {
        pr_text *cell = &rd->cells[col];
        if (!pr_text_fits(cell, rd->scratch.len + 1) ||
            (cell->len > 0 && !pr_text_append_char(cell, '\n')) ||
            !pr_text_append(cell, pr_text_str(&rd->scratch), rd->scratch.len))
            return too_long(rd, at, "the Contact URI cell", cell);
    }
    return 0;
}

static int read_person(reader *rd)
{
    unsigned long line = here(rd);
    start_row(rd, PR_IANA_CONTACT_COLS, line);
    if (read_attribute(rd, "id", &rd->scratch))
        return -1;
    if (rd->scratch.len == 0)
        return fail(rd, line, "a <person> without an id");
    if (append_item(rd, C_ID, &rd->scratch, line))
        return -1;
    if (for_each_child(rd, "person", person_child))
        return -1;
    rd->sum->people++;
    return emit_row(rd, rd->sink->person, PR_IANA_CONTACT_COLS, line);
}

static int people_child(reader *rd, const char *name)
{
    return strcmp(name, "person") ? unexpected(rd, "people") : read_person(rd);
}

static int read_people(reader *rd)
{
    unsigned long line = here(rd);
    if (rd->have_people)
        return fail(rd, line, "a second <people> in <registry>");
    rd->have_people = true;
    return for_each_child(rd, "people", people_child);
}

/* ---- <registry> ---- */

static int read_updated(reader *rd)
{
    unsigned long line = here(rd);
    if (rd->have_updated)
        return fail(rd, line, "a second <updated> in <registry> (the first is on line %lu)",
                    rd->sum->updated_line);
    if (read_text(rd, &rd->scratch, "updated"))
        return -1;
    pr_text_trim(&rd->scratch);
    pr_date d;
    if (rd->scratch.len != 10 || !pr_date_parse(pr_text_str(&rd->scratch), 10, &d)) {
        char q[96];
        pr_error_quote(pr_text_str(&rd->scratch), rd->scratch.len, 40, q, sizeof q);
        return fail(rd, line, "<updated> %s is not a date YYYY-MM-DD", q);
    }
    rd->have_updated = true;
    rd->sum->updated = d;
    rd->sum->updated_line = line;
    return 0;
}

/* Finds the root element and checks that it is this registry. */
static int read_root(reader *rd)
{
    for (;;) {
        if (advance(rd))
            return -1;
        int type = node_type(rd);
        if (type == XML_READER_TYPE_ELEMENT)
            break;
        if (type == XML_READER_TYPE_DOCUMENT_TYPE)
            return fail(rd, here(rd), "a DOCTYPE declaration before <registry>; IANA's has none");
    }
    unsigned long line = here(rd);
    const xmlChar *local = xmlTextReaderConstLocalName(rd->xr);
    if (!local || strcmp((const char *)local, "registry") != 0) {
        const xmlChar *name = xmlTextReaderConstName(rd->xr);
        return fail(rd, line, "the root element is <%.64s>, not IANA's <registry>",
                    name ? (const char *)name : "");
    }
    if (!element_name(rd)[0])
        return fail(rd, line, "<registry> is not in IANA's namespace %s", IANA_NS);
    if (read_attribute(rd, "id", &rd->scratch))
        return -1;
    if (strcmp(pr_text_str(&rd->scratch), REGISTRY_ID) != 0) {
        char q[96];
        pr_error_quote(pr_text_str(&rd->scratch), rd->scratch.len, 60, q, sizeof q);
        return fail(rd, line, "this is the registry %s, not \"" REGISTRY_ID "\"", q);
    }
    return 0;
}

/* ---- the registry's own header (header.h's table) ---- */

enum { H_FIELD, H_TITLE, H_VALUE };

static int emit_header(reader *rd, const char *field, unsigned long line)
{
    if (!rd->sink->header)
        return 0;
    pr_text_clear(&rd->cells[H_FIELD]);
    rd->lines[H_FIELD] = line;
    if (!pr_text_append(&rd->cells[H_FIELD], field, strlen(field)))
        return too_long(rd, line, "a header field", &rd->cells[H_FIELD]);
    return emit_row(rd, rd->sink->header, PR_IANA_HEADER_COLS, line);
}

/* <title>, <category>, <expert>: text as written, trimmed at both ends. */
static int read_header_text(reader *rd, const char *name)
{
    unsigned long line = here(rd);
    start_row(rd, PR_IANA_HEADER_COLS, line);
    if (read_text(rd, &rd->cells[H_VALUE], name))
        return -1;
    pr_text_trim(&rd->cells[H_VALUE]);
    if (rd->cells[H_VALUE].len == 0)
        return 0; /* nothing to keep */
    return emit_header(rd, name, line);
}

/* The registry's own reference: <xref type="rfc" data="rfc6335"/>. */
static int read_header_xref(reader *rd)
{
    unsigned long line = here(rd);
    if (render_xref(rd))
        return -1;
    start_row(rd, PR_IANA_HEADER_COLS, line);
    if (!pr_text_append(&rd->cells[H_VALUE], pr_text_str(&rd->x_rendered), rd->x_rendered.len))
        return too_long(rd, line, "<xref>", &rd->cells[H_VALUE]);
    return emit_header(rd, "reference", line);
}

/* <note> and <note title="...">: mixed content, flattened as a cell is. */
static int read_header_note(reader *rd)
{
    unsigned long line = here(rd);
    start_row(rd, PR_IANA_HEADER_COLS, line);
    if (read_attribute(rd, "title", &rd->cells[H_TITLE]))
        return -1;
    pr_flat flat;
    pr_flat_start(&flat, &rd->cells[H_VALUE]);
    if (read_mixed(rd, &flat, "note", 0))
        return -1;
    pr_flat_finish(&flat);
    if (rd->cells[H_VALUE].len == 0)
        return 0;
    return emit_header(rd, "note", line);
}

static int registry_child(reader *rd, const char *name)
{
    if (!strcmp(name, "record"))
        return read_record(rd);
    if (!strcmp(name, "people"))
        return read_people(rd);
    if (!strcmp(name, "updated"))
        return read_updated(rd);
    if (!strcmp(name, "title") || !strcmp(name, "category") || !strcmp(name, "expert"))
        return read_header_text(rd, name);
    if (!strcmp(name, "xref"))
        return read_header_xref(rd);
    if (!strcmp(name, "note"))
        return read_header_note(rd);
    if (!strcmp(name, "footnote"))
        return skip_element(rd); /* cited from records as [1]; not in the tables */
    return unexpected(rd, "registry");
}

static int read_registry(reader *rd)
{
    if (read_root(rd))
        return -1;
    unsigned long line = here(rd);
    if (for_each_child(rd, "registry", registry_child))
        return -1;
    rd->root_closed = true;
    /* what may follow the root: comments, processing instructions, space */
    int rc;
    while ((rc = xmlTextReaderRead(rd->xr)) == 1 && !rd->xml_failed)
        continue;
    if (rc != 0 || rd->xml_failed)
        return check_read(rd, rc);
    if (!rd->have_updated)
        return fail(rd, line, "<registry> has no <updated> date");
    if (rd->sum->records == 0)
        return fail(rd, line, "<registry> has no <record>");
    if (!rd->have_people)
        return fail(rd, line, "<registry> has no <people>, where the contact table comes from");
    return 0;
}

int pr_iana_xml_read(const char *path, const pr_iana_sink *sink, pr_iana_summary *out,
                     pr_error *err)
{
    memset(out, 0, sizeof *out);
    reader *rd = calloc(1, sizeof *rd);
    if (!rd) {
        pr_error_set(err, path, 0, NULL, "out of memory");
        return -1;
    }
    rd->path = path;
    rd->err = err;
    rd->sink = sink;
    rd->sum = out;
    for (int i = 0; i < PR_IANA_RECORD_COLS; i++)
        rd->cells[i] = pr_text_make(PR_MAX_FIELD_BYTES);
    pr_text *bufs[] = {&rd->x_type,    &rd->x_data,     &rd->x_section,
                       &rd->x_content, &rd->x_rendered, &rd->scratch};
    for (size_t i = 0; i < sizeof bufs / sizeof *bufs; i++)
        *bufs[i] = pr_text_make(PR_MAX_FIELD_BYTES);

    int rc = -1;
    xmlGenericErrorFunc old_handler = NULL;
    void *old_ctx = NULL;
    bool handler_set = false;
    rd->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (rd->fd < 0) {
        pr_error_set(err, path, 0, NULL, "cannot open: %s", strerror(errno));
        goto done;
    }
    xmlInitParser();
    /* from the reader's creation (which reads the encoding declaration) to
     * its release (which flushes the decoder) */
    old_handler = xmlGenericError;
    old_ctx = xmlGenericErrorContext;
    xmlSetGenericErrorFunc(rd, on_generic_error);
    handler_set = true;
    /* no network, no DTD loading, CDATA as plain text; entities are not
     * substituted (and a DOCTYPE, where they would be declared, is refused) */
    rd->xr = xmlReaderForIO(feed, no_close, rd, path, NULL, XML_PARSE_NONET | XML_PARSE_NOCDATA);
    if (!rd->xr) {
        pr_error_set(err, path, 0, NULL, "cannot start the XML reader");
        goto done;
    }
    xmlTextReaderSetStructuredErrorHandler(rd->xr, on_xml_error, rd);
    rc = read_registry(rd);
done:
    if (rd->xr) {
        xmlTextReaderPtr xr = rd->xr;
        rd->xr = NULL; /* an error while it is released has no line */
        xmlFreeTextReader(xr);
    }
    if (handler_set)
        xmlSetGenericErrorFunc(old_ctx, old_handler);
    if (rd->fd >= 0)
        close(rd->fd);
    for (int i = 0; i < PR_IANA_RECORD_COLS; i++)
        pr_text_free(&rd->cells[i]);
    for (size_t i = 0; i < sizeof bufs / sizeof *bufs; i++)
        pr_text_free(bufs[i]);
    free(rd);
    return rc;
}

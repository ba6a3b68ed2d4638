/* The registry's own header table (registry-header.csv): its rows, the
 * experts split by protocol, the request link, and every malformed file
 * refused with its line and field. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "header.h"
#include "registry.h"
#include "util.h"

LEAK_CHECKED_SUITE(header);

#define HEADER_ROW "Field,Title,Value\r\n"

/* Loads text as the file "h"; on failure, msg holds the message. */
static pr_header *load(const char *text, char *msg, size_t size)
{
    pr_source src = {"h", (const unsigned char *)text, strlen(text)};
    pr_error err;
    pr_error_clear(&err);
    pr_header *h = pr_header_load(&src, &err);
    snprintf(msg, size, "%s", h ? "" : format_error(&err));
    return h;
}

Test(header, ianas_rows)
{
    char msg[1024];
    pr_header *h = load(HEADER_ROW "title,,The Registry\r\n"
                                   "category,,Ports\r\n"
                                   "reference,,RFC6335\r\n"
                                   "reference,,RFC7605\r\n"
                                   "expert,,\"TCP/UDP: Joe Touch; Eliot Lear,\n"
                                   "and Michael Scharf\n"
                                   "SCTP: Michael Tuexen\"\r\n"
                                   "note,,\"Line one\n\n[RFC6335] here\"\r\n"
                                   "note,Request an Assignment,[https://example.org/apply]\r\n"
                                   "note,Other,more text\r\n",
                        msg, sizeof msg);
    cr_assert_not_null(h, "%s", msg);
    cr_assert_str_eq(h->title, "The Registry");
    cr_assert_str_eq(h->category, "Ports");
    cr_assert_eq(h->reference_count, 2);
    cr_assert_str_eq(h->references[1], "RFC7605");
    cr_assert_eq(h->expert_count, 2);
    cr_assert_str_eq(h->experts[0].protocols, "TCP/UDP");
    cr_assert_str_eq(h->experts[0].names, "Joe Touch; Eliot Lear, and Michael Scharf");
    cr_assert_str_eq(h->experts[1].protocols, "SCTP");
    cr_assert_str_eq(h->experts[1].names, "Michael Tuexen");
    cr_assert_str_eq(h->expert_text, "TCP/UDP: Joe Touch; Eliot Lear,\nand Michael Scharf\n"
                                     "SCTP: Michael Tuexen");
    cr_assert_str_eq(h->note, "Line one\n\n[RFC6335] here");
    cr_assert_eq(h->note_count, 2);
    cr_assert_str_eq(h->notes[0].title, "Request an Assignment");
    cr_assert_str_eq(h->notes[1].text, "more text");
    cr_assert_str_eq(h->request_uri, "https://example.org/apply");
    pr_header_free(h);
}

Test(header, everything_is_optional)
{
    char msg[1024];
    pr_header *h = load(HEADER_ROW, msg, sizeof msg);
    cr_assert_not_null(h, "%s", msg);
    cr_assert_str_eq(h->title, "");
    cr_assert_str_eq(h->note, "");
    cr_assert_str_eq(h->request_uri, "");
    cr_assert_eq(h->reference_count + h->expert_count + h->note_count, 0);
    pr_header_free(h);
    /* experts without a protocol label are one entry */
    h = load(HEADER_ROW "expert,,Jane Doe\r\n", msg, sizeof msg);
    cr_assert_not_null(h, "%s", msg);
    cr_assert_eq(h->expert_count, 1);
    cr_assert_str_eq(h->experts[0].protocols, "");
    cr_assert_str_eq(h->experts[0].names, "Jane Doe");
    pr_header_free(h);
    /* a request note that is not one link gives no link */
    h = load(HEADER_ROW "note,Request an Assignment,see [a] and [b]\r\n", msg, sizeof msg);
    cr_assert_not_null(h, "%s", msg);
    cr_assert_str_eq(h->request_uri, "");
    pr_header_free(h);
}

Test(header, malformed_files_are_refused_with_line_and_field)
{
    static const struct {
        const char *text, *message;
    } cases[] = {
        {HEADER_ROW "colour,,red\r\n",
         "h:2: Field: \"colour\" is not one of title, category, reference, expert, note"},
        {HEADER_ROW "title,,A\r\ntitle,,B\r\n",
         "h:3: Field: a second title (the first is on line 2)"},
        {HEADER_ROW "expert,,A\r\nexpert,,B\r\n",
         "h:3: Field: a second expert (the first is on line 2)"},
        {HEADER_ROW "note,,A\r\nnote,,B\r\n",
         "h:3: Title: a second note without a title (the first is on line 2)"},
        {HEADER_ROW "title,T,A\r\n", "h:2: Title: only a note has a title"},
        {HEADER_ROW "category,,\r\n", "h:2: Value: the category is empty"},
        {HEADER_ROW "reference,,[RFC6335]\r\n",
         "h:2: Value: a reference is one line without brackets, such as RFC6335"},
        {"Field,Value\r\ntitle,A\r\n", NULL},
        {HEADER_ROW "title,,A,extra\r\n", NULL},
        {HEADER_ROW "title,,\"\xff\"\r\n", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char msg[1024];
        pr_header *h = load(cases[i].text, msg, sizeof msg);
        cr_assert_null(h, "case %zu loaded", i);
        if (cases[i].message)
            cr_assert_str_eq(msg, cases[i].message, "case %zu", i);
        else
            cr_assert(strncmp(msg, "h:", 2) == 0, "case %zu: %s", i, msg);
    }
}

Test(header, too_many_rows)
{
    size_t size = 300 * 20 + 64;
    char *text = malloc(size);
    size_t at = (size_t)snprintf(text, size, HEADER_ROW);
    for (int i = 0; i < 300; i++)
        at += (size_t)snprintf(text + at, size - at, "reference,,RFC%d\r\n", i);
    char msg[1024];
    cr_assert_null(load(text, msg, sizeof msg));
    cr_assert_str_eq(msg, "h:258: more than 256 rows");
    free(text);
}

/* A data directory's header goes with it; a broken one fails the load. */
Test(header, loaded_with_the_data_set)
{
    static const char records[] =
        "Service Name,Port Number,Transport Protocol,Description,Assignee,Contact,Registration "
        "Date,Modification Date,Reference,Service Code,Unauthorized Use Reported,Assignment "
        "Notes\r\n";
    static const char contacts[] = "ID,Name,Organization,Contact URI,Last Updated\r\n";
    pr_source r = {"r", (const unsigned char *)records, sizeof records - 1};
    pr_source c = {"c", (const unsigned char *)contacts, sizeof contacts - 1};
    static const char good[] = HEADER_ROW "title,,T\r\n";
    pr_source h = {"h", (const unsigned char *)good, sizeof good - 1};
    pr_registry_files files = {&r, &c, NULL, &h, NULL};
    pr_error err;
    pr_registry *reg = pr_registry_load_files(&files, &err);
    cr_assert_not_null(reg, "%s", format_error(&err));
    cr_assert_str_eq(reg->header->title, "T");
    pr_registry_free(reg);

    static const char bad[] = HEADER_ROW "title,,T\r\ntitle,,U\r\n";
    h = (pr_source){"h", (const unsigned char *)bad, sizeof bad - 1};
    cr_assert_null(pr_registry_load_files(&files, &err));
    cr_assert_str_eq(format_error(&err), "h:3: Field: a second title (the first is on line 2)");

    files.header = NULL;
    reg = pr_registry_load_files(&files, &err);
    cr_assert_not_null(reg, "%s", format_error(&err));
    cr_assert_null(reg->header);
    pr_registry_free(reg);
}

/* The API over the whole registry, the one built into the binary. */
#include <criterion/criterion.h>
#include <string.h>

#include "api_test.h"
#include "fixture.h"
#include "../seed_ups.h"

TestSuite(iana, .init = fixture_iana, .fini = fixture_close);

Test(iana, search_ups_is_the_seed_page)
{
    SKIP_WITHOUT_IANA();
    json_t *j = get_ok(api, &ex, "/v1/search?q=ups");
    size_t n = sizeof ups_rows / sizeof *ups_rows;
    cr_assert_eq(n, 27);
    cr_assert_eq(member_int(j, "total"), 27);
    json_t *items = member_array(j, "items");
    cr_assert_eq(json_array_size(items), n);
    for (size_t i = 0; i < n; i++) {
        json_t *item = json_array_get(items, i);
        cr_assert_str_eq(member_str(item, "service"), ups_rows[i].service, "row %zu", i);
        cr_assert_eq(member_int(item, "port"), ups_rows[i].port, "row %zu", i);
        cr_assert_str_eq(member_str(item, "protocol"), ups_rows[i].protocol, "row %zu", i);
    }
    json_t *contacts = member_array(j, "contacts");
    size_t m = sizeof ups_contacts / sizeof *ups_contacts;
    cr_assert_eq(json_array_size(contacts), m);
    for (size_t i = 0; i < m; i++)
        cr_assert_str_eq(member_str(json_array_get(contacts, i), "id"), ups_contacts[i]);
    json_t *nut = json_array_get(contacts, 9);
    cr_assert_str_eq(member_str(nut, "email"), "iana@networkupstools.org");
}

Test(iana, historic_names_are_found)
{
    SKIP_WITHOUT_IANA();
    json_t *j = get_ok(api, &ex, "/v1/services/whois%2B%2B");
    cr_assert_str_eq(member_str(j, "service"), "whois++");
    json_t *records = member_array(j, "records");
    cr_assert_eq(json_array_size(records), 2);
    cr_assert_eq(member_int(json_array_get(records, 0), "port"), 63);
    const char *alias = "This entry is an alias to \"whoispp\".";
    cr_assert_eq(strncmp(member_str(json_array_get(records, 0), "notes"), alias, strlen(alias)), 0);
    exchange_end(&ex);
    /* a name with a slash arrives decoded and takes the rest of the path */
    j = get_ok(api, &ex, "/v1/services/914C%2FG");
    cr_assert_str_eq(member_str(j, "service"), "914c/g");
    cr_assert_eq(json_array_size(member_array(j, "records")), 2);
}

Test(iana, port_22)
{
    SKIP_WITHOUT_IANA();
    json_t *j = get_ok(api, &ex, "/v1/ports/22");
    cr_assert_str_eq(member_str(j, "range_class"), "system");
    json_t *status = member_object(j, "status");
    cr_assert_str_eq(member_str(status, "tcp"), "assigned");
    cr_assert_str_eq(member_str(status, "udp"), "assigned");
    cr_assert_str_eq(member_str(status, "sctp"), "assigned");
    cr_assert_str_eq(member_str(status, "dccp"), "unassigned");
    json_t *records = member_array(j, "records");
    cr_assert_eq(json_array_size(records), 3);
    for (size_t i = 0; i < 3; i++)
        cr_assert_str_eq(member_str(json_array_get(records, i), "service"), "ssh");
    cr_assert_str_eq(member_str(json_array_get(records, 2), "protocol"), "sctp");
    exchange_end(&ex);
    j = get_ok(api, &ex, "/v1/ports/22/tcp");
    cr_assert_eq(json_array_size(member_array(j, "records")), 1);
}

Test(iana, port_65535)
{
    SKIP_WITHOUT_IANA();
    json_t *j = get_ok(api, &ex, "/v1/ports/65535");
    cr_assert_eq(member_int(j, "port"), 65535);
    cr_assert_str_eq(member_str(j, "range_class"), "dynamic");
    cr_assert_str_eq(member_str(member_object(j, "status"), "udp"), "dynamic");
    cr_assert_eq(json_array_size(member_array(j, "records")), 0);
}

Test(iana, registry_figures)
{
    SKIP_WITHOUT_IANA();
    json_t *j = get_ok(api, &ex, "/v1/registry");
    cr_assert_eq(member_int(j, "records"), 14533);
    cr_assert_eq(member_int(j, "services"), 7327);
    cr_assert_eq(member_int(j, "ranges"), 766);
    cr_assert_eq(member_int(j, "contacts"), 5615);
    cr_assert_str_eq(member_str(j, "updated"), "2026-08-17");
    cr_assert_str_eq(pr_api_last_modified(api), "Mon, 17 Aug 2026 00:00:00 GMT");

    /* what IANA's page shows above every search, as of 2026-08-17 */
    cr_assert_str_eq(member_str(j, "title"),
                     "Service Name and Transport Protocol Port Number Registry");
    cr_assert_str_eq(member_str(j, "category"),
                     "Service Names and Transport Protocol Port Numbers");
    json_t *refs = member_array(j, "reference");
    cr_assert_eq(json_array_size(refs), 1);
    cr_assert_str_eq(json_string_value(json_array_get(refs, 0)), "RFC6335");
    json_t *experts = member_array(j, "experts");
    cr_assert_eq(json_array_size(experts), 3);
    static const char *const want[3][2] = {
        {"TCP/UDP",
         "Joe Touch; Eliot Lear, Kumiko Ono, Wes Eddy, Brian Trammell, and Michael Scharf"},
        {"SCTP", "Michael Tuexen"},
        {"DCCP", "Eddie Kohler and Yoshifumi Nishida"}};
    for (size_t i = 0; i < 3; i++) {
        cr_assert_str_eq(member_str(json_array_get(experts, i), "protocols"), want[i][0]);
        cr_assert_str_eq(member_str(json_array_get(experts, i), "names"), want[i][1]);
    }
    const char *note = member_str(j, "note");
    cr_assert_not_null(
        strstr(note, "Port numbers are assigned in various ways, based on three ranges"));
    cr_assert_not_null(
        strstr(note, "* REGISTERED OR NOT.                                                   *"));
    cr_assert_str_eq(member_str(j, "request_assignment"), "https://www.iana.org/protocols/apply");
}

Test(iana, protocol_totals)
{
    SKIP_WITHOUT_IANA();
    const struct {
        const char *target;
        long long total;
    } figures[] = {
        {"/v1/services?protocol=tcp&limit=1", 6606},  {"/v1/services?protocol=udp&limit=1", 6356},
        {"/v1/services?protocol=sctp&limit=1", 93},   {"/v1/services?protocol=dccp&limit=1", 11},
        {"/v1/services?protocol=none&limit=1", 1467},
    };
    for (size_t i = 0; i < sizeof figures / sizeof *figures; i++) {
        json_t *j = get_ok(api, &ex, figures[i].target);
        cr_assert_eq(member_int(j, "total"), figures[i].total, "%s", figures[i].target);
        exchange_end(&ex);
    }
}

/* The record as IANA's plain-text page prints it: the non-empty cells of
 * its CSV row, one space apart, ID lists as "[A][B]". */
static void plain_text_row(const json_t *rec, char *out, size_t size)
{
    static const char *const cells[] = {
        "service",    "port",     "protocol",  "description",  "assignee",         "contact",
        "registered", "modified", "reference", "service_code", "unauthorized_use", "notes"};
    size_t at = 0;
    out[0] = '\0';
    for (size_t c = 0; c < sizeof cells / sizeof *cells; c++) {
        const json_t *v = json_object_get(rec, cells[c]);
        char text[2048] = "";
        const json_t *range = json_object_get(rec, "range");
        if (!strcmp(cells[c], "port") && json_is_object(range)) {
            snprintf(text, sizeof text, "%lld-%lld",
                     (long long)json_integer_value(json_object_get(range, "first")),
                     (long long)json_integer_value(json_object_get(range, "last")));
        } else if (json_is_string(v)) {
            snprintf(text, sizeof text, "%s", json_string_value(v));
        } else if (json_is_integer(v)) {
            snprintf(text, sizeof text, "%lld", (long long)json_integer_value(v));
        } else if (json_is_array(v)) {
            size_t k;
            const json_t *id;
            json_array_foreach(v, k, id)
            {
                size_t len = strlen(text);
                snprintf(text + len, sizeof text - len, "[%s]", json_string_value(id));
            }
        }
        if (!text[0])
            continue;
        int n = snprintf(out + at, size - at, "%s%s", at ? " " : "", text);
        cr_assert(n > 0 && (size_t)n < size - at);
        at += (size_t)n;
    }
}

/* Seed 001 is one page of IANA's own search for "26", printed as plain
 * text: its rows must be one unbroken run of our results. They are only
 * with the references matched too (sip 5060 and geneve 6081 hold "26" in
 * [RFC3263] and [RFC8926] alone), and not with the dates matched. */
Test(iana, search_26_holds_the_seed_page_as_one_run)
{
    SKIP_WITHOUT_IANA();
    const char *path = PR_IANA_DIR "/../seeds/001_42f11241c47f71cf.txt";
    FILE *f = fopen(path, "r");
    if (!f)
        cr_skip_test("the seed page %s is absent", path);
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    char *rows[128];
    size_t nrows = 0;
    bool in_table = false;
    while ((len = getline(&line, &cap, f)) > 0) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (!strncmp(line, "Service Name Port Number", 24)) {
            in_table = true;
            continue;
        }
        if (!in_table)
            continue;
        if (len == 0)
            break;
        cr_assert_lt(nrows, sizeof rows / sizeof *rows);
        rows[nrows++] = strdup(line);
    }
    free(line);
    fclose(f);
    cr_assert_eq(nrows, 101);

    json_t *j = get_ok(api, &ex, "/v1/search?q=26&limit=1000");
    cr_assert_eq(member_int(j, "total"), 485);
    json_t *items = member_array(j, "items");
    size_t n = json_array_size(items), first = n;
    char text[8192];
    for (size_t i = 0; i < n && first == n; i++) {
        plain_text_row(json_array_get(items, i), text, sizeof text);
        if (!strcmp(text, rows[0]))
            first = i;
    }
    cr_assert_lt(first, n, "the seed's first row is among the results: %s", rows[0]);
    cr_assert_leq(first + nrows, n);
    for (size_t r = 0; r < nrows; r++) {
        plain_text_row(json_array_get(items, first + r), text, sizeof text);
        cr_assert_str_eq(text, rows[r], "seed row %zu", r);
        free(rows[r]);
    }
}

/* IANA's CSV keeps the XML's line break after <br/>: whoispp's description
 * is two lines, as IANA publishes it. */
Test(iana, whoispp_text_as_published)
{
    SKIP_WITHOUT_IANA();
    json_t *j = get_ok(api, &ex, "/v1/services/whoispp");
    json_t *records = member_array(j, "records");
    cr_assert_eq(json_array_size(records), 2);
    cr_assert_str_eq(member_str(json_array_get(records, 0), "description"),
                     "whois++\nIANA assigned this well-formed service name as a replacement for "
                     "\"whois++\".");
}

/* Seven people have two URIs; every one, and every address, is served. */
Test(iana, a_contact_with_two_addresses)
{
    SKIP_WITHOUT_IANA();
    json_t *j = get_ok(api, &ex, "/v1/contacts/Oracle_Corp");
    cr_assert_str_eq(member_str(j, "organization"), "Oracle Corp");
    json_t *uris = member_array(j, "uris"), *emails = member_array(j, "emails");
    cr_assert_eq(json_array_size(uris), 2);
    cr_assert_str_eq(json_string_value(json_array_get(uris, 0)),
                     "mailto:bharathi.sivaramakrishnan&oracle.com");
    cr_assert_str_eq(json_string_value(json_array_get(uris, 1)), "mailto:chris.newman&oracle.com");
    cr_assert_eq(json_array_size(emails), 2);
    cr_assert_str_eq(json_string_value(json_array_get(emails, 0)),
                     "bharathi.sivaramakrishnan@oracle.com");
    cr_assert_str_eq(json_string_value(json_array_get(emails, 1)), "chris.newman@oracle.com");
    cr_assert_str_eq(member_str(j, "uri"), "mailto:bharathi.sivaramakrishnan&oracle.com");
    cr_assert_str_eq(member_str(j, "email"), "bharathi.sivaramakrishnan@oracle.com");
    exchange_end(&ex);
    /* the second address finds the contact too */
    j = get_ok(api, &ex, "/v1/contacts?q=chris.newman@oracle.com");
    cr_assert_eq(member_int(j, "total"), 2);
    json_t *items = member_array(j, "items");
    cr_assert_str_eq(member_str(json_array_get(items, 0), "id"), "Chris_Newman");
    cr_assert_str_eq(member_str(json_array_get(items, 1), "id"), "Oracle_Corp");
    exchange_end(&ex);
    /* a URI with a space in it is one URI */
    j = get_ok(api, &ex, "/v1/contacts/SAP_2");
    uris = member_array(j, "uris");
    cr_assert_eq(json_array_size(uris), 1);
    cr_assert_str_eq(json_string_value(json_array_get(uris, 0)), "mailto:Giriraj Harapanahalli");
    cr_assert_eq(json_array_size(member_array(j, "emails")), 1);
}

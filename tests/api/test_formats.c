/* Record lists in CSV and text, chosen by ?format= or Accept (RFC 9110
 * 12.5.1), and ?pretty JSON. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../iana_csv.h"
#include "fixture.h"
#include "formats.h"
#include "negotiate.h"

TestSuite(negotiate_format);
TestSuite(formats, .init = fixture_iana, .fini = fixture_close);
TestSuite(text_table, .fini = assert_no_leaks);

Test(negotiate_format, weights_specificity_and_ties)
{
    static const struct {
        const char *accept;
        bool ok;
        enum pr_format format;
    } cases[] = {
        {NULL, true, PR_FORMAT_JSON},
        {"", true, PR_FORMAT_JSON},
        {"*/*", true, PR_FORMAT_JSON},
        {"application/json", true, PR_FORMAT_JSON},
        {"text/csv", true, PR_FORMAT_CSV},
        {"TEXT/CSV; header=present", true, PR_FORMAT_CSV},
        {"text/plain", true, PR_FORMAT_TEXT},
        {"text/*", true, PR_FORMAT_CSV}, /* a tie among text: the server's order */
        {"text/*, text/plain;q=0", true, PR_FORMAT_CSV},
        {"text/*;q=0.5, text/plain", true, PR_FORMAT_TEXT},
        {"text/csv;q=0.4, application/json;q=0.3", true, PR_FORMAT_CSV},
        {"application/json;q=0, */*", true, PR_FORMAT_CSV}, /* the exact range decides */
        {"*/*;q=0.1, text/plain;q=0.2", true, PR_FORMAT_TEXT},
        {"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", true,
         PR_FORMAT_JSON}, /* a browser */
        {"image/png", false, PR_FORMAT_JSON},
        {"text/html", false, PR_FORMAT_JSON},
        {"*/*;q=0", false, PR_FORMAT_JSON},
        {"application/json;q=0", false, PR_FORMAT_JSON},
        {"text/csv;q=2, text/plain", true, PR_FORMAT_TEXT}, /* a bad weight spoils its range */
        {"garbage", true, PR_FORMAT_JSON},                  /* nothing usable: as if absent */
        {"application/json;q=0.0001", true, PR_FORMAT_JSON},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        enum pr_format f = PR_FORMAT_COUNT;
        bool ok = pr_negotiate_format(cases[i].accept, &f);
        cr_expect_eq(ok, cases[i].ok, "Accept: %s", cases[i].accept ? cases[i].accept : "(absent)");
        if (ok && cases[i].ok)
            cr_expect_eq(f, cases[i].format, "Accept: %s: %d",
                         cases[i].accept ? cases[i].accept : "(absent)", f);
    }
    cr_expect_eq(pr_format_parse("json"), PR_FORMAT_JSON);
    cr_expect_eq(pr_format_parse("csv"), PR_FORMAT_CSV);
    cr_expect_eq(pr_format_parse("txt"), PR_FORMAT_TEXT);
    cr_expect_eq(pr_format_parse("CSV"), PR_FORMAT_COUNT);
    cr_expect_eq(pr_format_parse("text"), PR_FORMAT_COUNT);
}

static void ask(exchange *e, const char *target, const char *accept)
{
    request_fields f = {.accept = accept};
    exchange_run_fields(api, e, PR_GET, target, &f);
}

Test(formats, the_csv_of_a_search_for_ups_is_ianas_own_bytes)
{
    size_t len;
    char *want = iana_csv_search(PR_IANA_DIR "/service-names-port-numbers.csv", "ups", &len);
    cr_assert_gt(len, 1000);
    static const struct {
        const char *target, *accept;
    } asks[] = {{"/v1/search?q=ups&limit=1000&format=csv", NULL},
                {"/v1/search?q=ups&limit=1000", "text/csv"},
                {"/v1/search?q=UPS&limit=1000", "text/csv;q=0.9, application/json;q=0.5"}};
    for (size_t i = 0; i < sizeof asks / sizeof *asks; i++) {
        for (int round = 0; round < 4; round++) { /* rendered, then kept */
            exchange e;
            ask(&e, asks[i].target, asks[i].accept);
            cr_assert_eq(e.resp.status, 200, "%s", asks[i].target);
            cr_expect_str_eq(e.resp.content_type, "text/csv; charset=utf-8; header=present");
            cr_assert_eq(e.resp.body->len, len, "%s: %zu bytes, IANA's rows are %zu",
                         asks[i].target, e.resp.body->len, len);
            cr_assert(memcmp(e.resp.body->data, want, len) == 0, "%s", asks[i].target);
            exchange_end(&e);
        }
    }
    free(want);
}

/* Every list of records answers each format, with the same records. */
Test(formats, every_list_of_records_in_every_format)
{
    static const char *const targets[] = {
        "/v1/search?q=nut",
        "/v1/services?protocol=sctp&limit=30",
        "/v1/ports/80",
        "/v1/ports/80/udp",
        "/v1/services/http",
        "/v1/assignees/IESG",
        "/v1/contacts/Jon_Postel",
        "/v1/changes?since=2020-01-01&limit=40",
        "/v1/services?port=3493",
    };
    for (size_t i = 0; i < sizeof targets / sizeof *targets; i++) {
        exchange json, csv, txt;
        ask(&json, targets[i], NULL);
        cr_assert_eq(json.resp.status, 200, "%s", targets[i]);
        cr_expect_str_eq(json.resp.vary, "Accept", "%s", targets[i]);
        json_t *records = json_object_get(json.json, "items");
        if (!records)
            records = json_object_get(json.json, "records");
        cr_assert(json_is_array(records), "%s", targets[i]);
        size_t n = json_array_size(records);
        ask(&csv, targets[i], "text/csv");
        ask(&txt, targets[i], "text/plain");
        cr_assert_eq(csv.resp.status, 200, "%s", targets[i]);
        cr_assert_eq(txt.resp.status, 200, "%s", targets[i]);
        cr_expect_str_eq(txt.resp.content_type, "text/plain; charset=utf-8");
        cr_expect_str_eq(csv.resp.vary, "Accept");
        cr_expect_str_eq(txt.resp.vary, "Accept");
        /* CSV: the header, then one row per record, each starting with its
         * service name as the file writes it (none holds a comma) */
        const char *p = strchr(csv.resp.body->data, '\n') + 1;
        for (size_t k = 0; k < n; k++) {
            const char *service =
                json_string_value(json_object_get(json_array_get(records, k), "service"));
            size_t sl = service ? strlen(service) : 0;
            cr_expect(strncmp(p, service ? service : "", sl) == 0 && p[sl] == ',', "%s: row %zu",
                      targets[i], k);
            /* on to the next row: a line break outside quotes */
            bool quoted = false;
            while (*p && (quoted || *p != '\n'))
                quoted ^= *p++ == '"';
            cr_assert_eq(*p, '\n', "%s: row %zu", targets[i], k);
            p++;
        }
        cr_expect_eq(*p, '\0', "%s: more rows than records", targets[i]);
        /* text: a line per record and the header */
        size_t lines = 0;
        for (const char *q = txt.resp.body->data; *q; q++)
            lines += *q == '\n';
        cr_expect_eq(lines, n + 1, "%s", targets[i]);
        cr_expect(strncmp(txt.resp.body->data, "service ", 8) == 0);
        exchange_end(&json);
        exchange_end(&csv);
        exchange_end(&txt);
    }
}

Test(formats, the_format_parameter_beats_accept)
{
    exchange e;
    ask(&e, "/v1/ports/22?format=json", "text/csv");
    cr_assert_eq(e.resp.status, 200);
    cr_expect_str_eq(e.resp.content_type, "application/json");
    exchange_end(&e);
    ask(&e, "/v1/ports/22?format=txt", "image/png"); /* no 406 when the link names it */
    cr_assert_eq(e.resp.status, 200);
    cr_expect_str_eq(e.resp.content_type, "text/plain; charset=utf-8");
    exchange_end(&e);
}

Test(formats, nothing_acceptable_is_a_406_and_a_bad_format_a_400)
{
    exchange e;
    ask(&e, "/v1/search?q=ups", "image/png, text/html");
    assert_problem(&e, 406, NULL);
    exchange_end(&e);
    ask(&e, "/v1/ports/22", "application/json;q=0, text/*;q=0");
    assert_problem(&e, 406, NULL);
    exchange_end(&e);
    ask(&e, "/v1/ports/22?format=xml", NULL);
    assert_problem(&e, 400, "format");
    exchange_end(&e);
    ask(&e, "/v1/ports/22?format=csv&format=txt", NULL);
    assert_problem(&e, 400, "format");
    exchange_end(&e);
    /* lists of other things have no CSV of IANA's, and no format parameter */
    ask(&e, "/v1/assignees?format=csv", NULL);
    assert_problem(&e, 400, "format");
    exchange_end(&e);
    ask(&e, "/v1/assignees", "text/csv"); /* and Accept does not bind them */
    cr_expect_eq(e.resp.status, 200);
    cr_expect_str_eq(e.resp.content_type, "application/json");
    exchange_end(&e);
}

/* A page's links keep the format its query named, and pagination holds. */
Test(formats, pages_link_on_in_their_format)
{
    exchange e;
    ask(&e, "/v1/services?protocol=tcp&limit=5&offset=5&format=csv", NULL);
    cr_assert_eq(e.resp.status, 200);
    cr_expect_str_eq(e.resp.link,
                     "</v1/services?protocol=tcp&format=csv&limit=5&offset=10>; rel=\"next\", "
                     "</v1/services?protocol=tcp&format=csv&limit=5&offset=0>; rel=\"prev\"");
    size_t lines = 0;
    for (const char *q = e.resp.body->data; *q; q++)
        lines += *q == '\n';
    cr_expect_geq(lines, 6);
    exchange_end(&e);
    ask(&e, "/v1/search?q=ups&limit=5", "text/plain");
    cr_expect_str_eq(e.resp.link, "</v1/search?q=ups&limit=5&offset=5>; rel=\"next\"");
    exchange_end(&e);
}

/* The format chosen by Accept is part of a kept answer's key. */
Test(formats, kept_answers_are_kept_per_format)
{
    for (int round = 0; round < 5; round++) {
        static const char *const accepts[] = {"text/csv", NULL, "text/plain"};
        static const char *const types[] = {"text/csv; charset=utf-8; header=present",
                                            "application/json", "text/plain; charset=utf-8"};
        for (int k = 0; k < 3; k++) {
            exchange e;
            ask(&e, "/v1/search?q=dns", accepts[k]);
            cr_assert_eq(e.resp.status, 200);
            cr_expect_str_eq(e.resp.content_type, types[k], "round %d", round);
            exchange_end(&e);
        }
    }
}

Test(formats, pretty_indents_the_same_json)
{
    static const char *const targets[] = {"/v1/ports/22", "/v1/search?q=ups", "/v1/registry",
                                          "/v1/assignees?limit=2",
                                          "/v1/check?port=4000&protocol=tcp"};
    for (size_t i = 0; i < sizeof targets / sizeof *targets; i++) {
        for (int round = 0; round < 3; round++) {
            char target[128];
            snprintf(target, sizeof target, "%s%s%s", targets[i],
                     strchr(targets[i], '?') ? "&" : "?",
                     round == 0   ? "pretty"
                     : round == 1 ? "pretty=true"
                                  : "pretty=1");
            exchange compact, pretty;
            exchange_run(api, &compact, PR_GET, targets[i]);
            exchange_run(api, &pretty, PR_GET, target);
            cr_assert_eq(pretty.resp.status, 200, "%s", target);
            cr_expect(json_equal(compact.json, pretty.json), "%s", target);
            cr_expect_not_null(strstr(pretty.resp.body->data, "\n  \""), "%s: indented", target);
            cr_expect_eq(pretty.resp.body->data[pretty.resp.body->len - 1], '\n');
            cr_expect_str_neq(pretty.resp.body->etag, compact.resp.body->etag);
            exchange_end(&compact);
            exchange_end(&pretty);
        }
    }
    exchange e;
    exchange_run(api, &e, PR_GET, "/v1/ports/22?pretty=false");
    cr_expect_null(strstr(e.resp.body->data, "\n "), "compact");
    exchange_end(&e);
    exchange_run(api, &e, PR_GET, "/v1/ports/22?pretty=yes");
    assert_problem(&e, 400, "pretty");
    exchange_end(&e);
    exchange_run(api, &e, PR_GET, "/openapi.yaml?pretty");
    assert_problem(&e, 400, "pretty");
    exchange_end(&e);
    ask(&e, "/v1/ports/22?pretty", "text/csv"); /* pretty is for JSON only */
    cr_expect_str_eq(e.resp.content_type, "text/csv; charset=utf-8; header=present");
    exchange_end(&e);
}

/* ---- the text table on records made for it ---- */

static pr_registry *load_text(const char *records)
{
    static const char contacts[] = "ID,Name,Organization,Contact URI,Last Updated\n"
                                   "[Zoe_Z],Zoë,,,\n";
    pr_source r = {"records.csv", (const unsigned char *)records, strlen(records)};
    pr_source c = {"contacts.csv", (const unsigned char *)contacts, strlen(contacts)};
    pr_error err;
    pr_registry *loaded = pr_registry_load_sources(&r, &c, &err);
    cr_assert_not_null(loaded, "%s", err.text);
    return loaded;
}

Test(text_table, aligned_and_safe_for_a_terminal)
{
    pr_registry *r = load_text(
        "Service Name,Port Number,Transport Protocol,Description,Assignee,Contact,Registration "
        "Date,Modification Date,Reference,Service Code,Unauthorized Use Reported,Assignment "
        "Notes\n"
        "café,8080,tcp,\"two\r\nlines\tand \x1b[31mred\xc2\x9b\",[Zoe_Z],,,,,,,\n"
        ",9000-9010,udp,,,,,,,,,\n");
    uint32_t idx[2] = {0, 1};
    pr_body *b = pr_records_body(r, PR_FORMAT_TEXT, idx, 2);
    cr_assert_not_null(b);
    cr_expect_str_eq(b->data,
                     "service  port       protocol  status    assignee  description\n"
                     "café     8080       tcp       assigned  Zoe_Z     two  lines and  [31mred \n"
                     "-        9000-9010  udp       reserved  -         -\n");
    free(b);
    /* CSV of the same records: their bytes as given */
    b = pr_records_body(r, PR_FORMAT_CSV, idx + 1, 1);
    cr_assert_not_null(b);
    cr_expect_str_eq(strchr(b->data, '\n') + 1, ",9000-9010,udp,,,,,,,,,\n");
    free(b);
    pr_registry_free(r);
}

/* Representations on the wire: gzip (Content-Encoding, Vary, an ETag and a
 * 304 per variant, HEAD), and the formats of record lists (CSV, text,
 * pretty JSON) with their negotiation, against the real server. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../iana_csv.h"
#include "fixture.h"

TestSuite(gzip, .init = fixture_registry, .fini = fixture_stop);

#define GZIP   "Accept-Encoding: gzip, deflate, br\r\n"
#define PR_CSV "text/csv; charset=utf-8; header=present"

/* GET target twice, plain and gzip: the second inflates to the first. */
Test(gzip, list_pages_go_out_compressed_when_asked)
{
    static const char *const targets[] = {"/v1/search?q=ups", "/v1/services?limit=20",
                                          "/v1/ports/80", "/openapi.yaml"};
    for (size_t i = 0; i < sizeof targets / sizeof *targets; i++) {
        for (int round = 0; round < 3; round++) { /* rendered, then kept, then from memory */
            http_response plain, packed;
            char a[128], b[128];
            http_request(srv.port, "GET", targets[i], NULL, &plain);
            http_request(srv.port, "GET", targets[i], GZIP, &packed);
            cr_assert_eq(plain.status, 200, "%s", targets[i]);
            cr_assert_eq(packed.status, 200, "%s", targets[i]);
            cr_expect_null(http_header(&plain, "Content-Encoding", a, sizeof a));
            cr_assert_str_eq(http_header(&packed, "Content-Encoding", a, sizeof a), "gzip");
            cr_expect_not_null(strstr(http_header(&plain, "Vary", a, sizeof a), "Accept-Encoding"));
            cr_expect_not_null(
                strstr(http_header(&packed, "Vary", a, sizeof a), "Accept-Encoding"));
            http_header(&plain, "ETag", a, sizeof a);
            http_header(&packed, "ETag", b, sizeof b);
            char want[160];
            snprintf(want, sizeof want, "%.*s-gz\"", (int)strlen(a) - 1, a);
            cr_expect_str_eq(b, want, "%s", targets[i]);
            size_t len;
            char *inflated = http_gunzip(&packed, &len);
            cr_assert_not_null(inflated, "%s: not a gzip stream", targets[i]);
            cr_assert_eq(len, plain.body_len, "%s", targets[i]);
            cr_assert(memcmp(inflated, plain.body, len) == 0, "%s", targets[i]);
            /* list pages shrink at least fourfold (the target) */
            if (strstr(targets[i], "/v1/search") || strstr(targets[i], "limit="))
                cr_expect_leq(packed.body_len * 4, plain.body_len, "%s: %zu of %zu", targets[i],
                              packed.body_len, plain.body_len);
            free(inflated);
            http_response_free(&plain);
            http_response_free(&packed);
        }
    }
}

/* RFC 9110 13.1.2: each variant matches only its own tag. */
Test(gzip, not_modified_per_variant)
{
    const char *target = "/v1/search?q=http";
    http_response plain, packed;
    char id_tag[128], gz_tag[128], hdr[512], buf[160];
    http_request(srv.port, "GET", target, NULL, &plain);
    http_request(srv.port, "GET", target, GZIP, &packed);
    cr_assert_not_null(http_header(&plain, "ETag", id_tag, sizeof id_tag));
    cr_assert_not_null(http_header(&packed, "ETag", gz_tag, sizeof gz_tag));
    cr_assert_str_neq(id_tag, gz_tag);
    static const struct {
        bool gzip_asked, gzip_tag;
        int status;
    } cases[] = {{true, true, 304}, {false, false, 304}, {true, false, 200}, {false, true, 200}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        snprintf(hdr, sizeof hdr, "%sIf-None-Match: %s\r\n", cases[i].gzip_asked ? GZIP : "",
                 cases[i].gzip_tag ? gz_tag : id_tag);
        for (int round = 0; round < 2; round++) {
            http_response r;
            http_request(srv.port, "GET", target, hdr, &r);
            cr_expect_eq(r.status, cases[i].status, "case %zu", i);
            cr_expect_str_eq(http_header(&r, "ETag", buf, sizeof buf),
                             cases[i].gzip_asked ? gz_tag : id_tag, "case %zu", i);
            cr_expect_not_null(strstr(http_header(&r, "Vary", buf, sizeof buf), "Accept-Encoding"),
                               "case %zu: a 304 repeats Vary", i);
            if (r.status == 304)
                cr_expect_eq(r.body_len, 0);
            http_response_free(&r);
        }
    }
    /* a list with both tags matches whichever variant is chosen */
    snprintf(hdr, sizeof hdr, "%sIf-None-Match: %s, %s\r\n", GZIP, id_tag, gz_tag);
    http_response both;
    http_request(srv.port, "GET", target, hdr, &both);
    cr_expect_eq(both.status, 304);
    http_response_free(&both);
    http_response_free(&plain);
    http_response_free(&packed);
}

Test(gzip, head_describes_the_variant)
{
    http_response get, head;
    char a[128], b[128];
    http_request(srv.port, "GET", "/v1/ports/80", GZIP, &get);
    http_request(srv.port, "HEAD", "/v1/ports/80", GZIP, &head);
    cr_assert_eq(head.status, 200);
    cr_expect_eq(head.body_len, 0);
    cr_expect_str_eq(http_header(&head, "Content-Encoding", a, sizeof a), "gzip");
    cr_expect_str_eq(http_header(&head, "ETag", a, sizeof a),
                     http_header(&get, "ETag", b, sizeof b));
    snprintf(b, sizeof b, "%zu", get.body_len);
    cr_expect_str_eq(http_header(&head, "Content-Length", a, sizeof a), b);
    http_response_free(&get);
    http_response_free(&head);
}

Test(gzip, small_answers_and_refusals_go_out_as_they_are)
{
    http_response small, refused;
    char a[128];
    http_request(srv.port, "GET", "/v1/ports/3493/tcp", GZIP, &small);
    cr_expect_null(http_header(&small, "Content-Encoding", a, sizeof a));
    cr_expect_str_eq(http_header(&small, "Vary", a, sizeof a), "Accept"); /* not the coding */
    http_request(srv.port, "GET", "/v1/search?q=ups", "Accept-Encoding: gzip;q=0, identity\r\n",
                 &refused);
    cr_expect_null(http_header(&refused, "Content-Encoding", a, sizeof a));
    cr_expect_not_null(http_header(&refused, "Vary", a, sizeof a));
    http_response_free(&small);
    http_response_free(&refused);
}

TestSuite(formats, .init = fixture_registry, .fini = fixture_stop);

Test(formats, csv_text_and_json_of_one_list_each_with_its_etag)
{
    static const struct {
        const char *target, *accept, *type;
    } asks[] = {
        {"/v1/search?q=ups", NULL, "application/json"},
        {"/v1/search?q=ups", "Accept: text/csv\r\n", "text/csv; charset=utf-8; header=present"},
        {"/v1/search?q=ups", "Accept: text/plain\r\n", "text/plain; charset=utf-8"},
        {"/v1/search?q=ups&format=csv", NULL, "text/csv; charset=utf-8; header=present"},
        {"/v1/search?q=ups&format=txt", "Accept: application/json\r\n",
         "text/plain; charset=utf-8"},
    };
    char tags[5][128];
    for (size_t i = 0; i < sizeof asks / sizeof *asks; i++) {
        http_response r;
        char buf[256];
        http_request(srv.port, "GET", asks[i].target, asks[i].accept, &r);
        cr_assert_eq(r.status, 200, "%s", asks[i].target);
        cr_expect_str_eq(http_header(&r, "Content-Type", buf, sizeof buf), asks[i].type);
        cr_expect_str_eq(http_header(&r, "Vary", buf, sizeof buf), "Accept, Accept-Encoding");
        cr_assert_not_null(http_header(&r, "ETag", tags[i], sizeof tags[i]));
        /* RFC 9110 13.1.2: the tag answers for its own representation */
        char hdr[1024];
        snprintf(hdr, sizeof hdr, "%sIf-None-Match: %s\r\n", asks[i].accept ? asks[i].accept : "",
                 tags[i]);
        http_response again;
        http_request(srv.port, "GET", asks[i].target, hdr, &again);
        cr_expect_eq(again.status, 304, "%s", asks[i].target);
        cr_expect_str_eq(http_header(&again, "Vary", buf, sizeof buf), "Accept, Accept-Encoding");
        http_response_free(&again);
        http_response_free(&r);
    }
    cr_expect_str_neq(tags[0], tags[1]);
    cr_expect_str_neq(tags[1], tags[2]);
    cr_expect_str_eq(tags[1], tags[3], "Accept and ?format= give the same bytes");
    cr_expect_str_eq(tags[2], tags[4]);
    /* the JSON tag does not match the CSV representation */
    http_response other;
    char hdr[256];
    snprintf(hdr, sizeof hdr, "Accept: text/csv\r\nIf-None-Match: %s\r\n", tags[0]);
    http_request(srv.port, "GET", "/v1/search?q=ups", hdr, &other);
    cr_expect_eq(other.status, 200);
    http_response_free(&other);
}

Test(formats, csv_compressed_and_head)
{
    http_response plain, packed, head;
    char a[128], b[128];
    const char *csv = "Accept: text/csv\r\n";
    http_request(srv.port, "GET", "/v1/services?limit=100", csv, &plain);
    char hdr[256];
    snprintf(hdr, sizeof hdr, "%s%s", csv, GZIP);
    http_request(srv.port, "GET", "/v1/services?limit=100", hdr, &packed);
    http_request(srv.port, "HEAD", "/v1/services?limit=100", hdr, &head);
    cr_assert_eq(packed.status, 200);
    cr_expect_str_eq(http_header(&packed, "Content-Encoding", a, sizeof a), "gzip");
    size_t len;
    char *inflated = http_gunzip(&packed, &len);
    cr_assert_not_null(inflated);
    cr_expect_eq(len, plain.body_len);
    cr_expect(memcmp(inflated, plain.body, len) == 0);
    free(inflated);
    cr_expect_str_eq(http_header(&head, "ETag", a, sizeof a),
                     http_header(&packed, "ETag", b, sizeof b));
    cr_expect_str_eq(http_header(&head, "Content-Type", a, sizeof a),
                     "text/csv; charset=utf-8; header=present");
    cr_expect_eq(head.body_len, 0);
    cr_expect_not_null(http_header(&plain, "Link", a, sizeof a));
    http_response_free(&plain);
    http_response_free(&packed);
    http_response_free(&head);
}

Test(formats, not_acceptable_and_pretty)
{
    http_response r;
    char buf[256];
    http_request(srv.port, "GET", "/v1/ports/80", "Accept: image/png\r\n", &r);
    cr_expect_eq(r.status, 406);
    cr_expect_str_eq(http_header(&r, "Content-Type", buf, sizeof buf), "application/problem+json");
    http_response_free(&r);
    http_request(srv.port, "GET", "/v1/ports/80?format=yaml", NULL, &r);
    cr_expect_eq(r.status, 400);
    http_response_free(&r);
    /* the changes since a day are a list of records too */
    http_request(srv.port, "GET", "/v1/changes?since=2024-01-01&limit=5&format=csv", NULL, &r);
    cr_expect_eq(r.status, 200);
    cr_expect_str_eq(http_header(&r, "Content-Type", buf, sizeof buf), PR_CSV);
    cr_expect_not_null(http_header(&r, "Link", buf, sizeof buf));
    http_response_free(&r);
    http_request(srv.port, "GET", "/v1/changes?since=2024-01-01&limit=5", "Accept: text/plain\r\n",
                 &r);
    cr_expect_eq(r.status, 200);
    cr_expect_eq(strncmp(r.body, "service ", 8), 0);
    http_response_free(&r);
    http_request(srv.port, "GET", "/v1/ports/22?pretty", NULL, &r);
    cr_expect_eq(r.status, 200);
    cr_expect_eq(strncmp(r.body, "{\n  \"port\": 22,\n", 16), 0, "%.40s", r.body);
    http_response_free(&r);
}

/* The issue's own test, on the wire: the CSV of a search for ups is the
 * matching rows of IANA's file, byte for byte, the header row first. */
Test(formats, the_csv_of_a_search_for_ups_is_ianas_own_bytes)
{
    size_t len;
    char *want = iana_csv_search(PR_IANA_DIR "/service-names-port-numbers.csv", "ups", &len);
    static const char *const asks[][2] = {{"/v1/search?q=ups&limit=1000&format=csv", NULL},
                                          {"/v1/search?q=ups&limit=1000", "Accept: text/csv\r\n"}};
    for (size_t i = 0; i < 2; i++) {
        http_response r;
        http_request(srv.port, "GET", asks[i][0], asks[i][1], &r);
        cr_assert_eq(r.status, 200);
        cr_assert_eq(r.body_len, len, "%zu bytes, IANA's rows are %zu", r.body_len, len);
        cr_assert(memcmp(r.body, want, len) == 0);
        http_response_free(&r);
    }
    free(want);
}

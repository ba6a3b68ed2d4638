/* Every resource on the sample registry: status, content type and the
 * values of the JSON body, checked against the sample files themselves. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "api_test.h"
#include "fixture.h"
#include "conditional.h"

TestSuite(routes, .init = fixture_sample, .fini = fixture_close);

/* The Record of nut/tcp as the design spells it, key order included: the
 * order is what makes bodies, and so ETags, stable. */
#define NUT_TCP                                                                                    \
    "{\"service\":\"nut\",\"port\":3493,\"range\":null,\"protocol\":\"tcp\","                      \
    "\"description\":\"Network UPS Tools\",\"status\":\"assigned\","                               \
    "\"assignee\":[\"Network_UPS_Tools_Project\"],\"contact\":[\"Evgeny_Klimov\"],"                \
    "\"registered\":\"2002-05\",\"modified\":\"2022-05-18\",\"reference\":[\"RFC9271\"],"          \
    "\"service_code\":null,\"unauthorized_use\":null,\"notes\":null,\"source\":\"iana\"}"

static void assert_body_is(const char *expected)
{
    size_t n = strlen(expected);
    cr_assert_not_null(ex.resp.body);
    cr_assert_eq(ex.resp.body->len, n + 1, "body: %.*s", (int)ex.resp.body->len,
                 ex.resp.body->data);
    cr_assert_eq(memcmp(ex.resp.body->data, expected, n), 0, "body: %s", ex.resp.body->data);
    cr_assert_eq(ex.resp.body->data[n], '\n', "a body ends with a newline");
}

Test(routes, root_names_the_service_and_links)
{
    json_t *j = get_ok(api, &ex, "/");
    cr_assert_str_eq(member_str(j, "name"), "portreg");
    cr_assert_str_eq(member_str(j, "version"), TEST_VERSION);
    json_t *links = member_object(j, "links");
    cr_assert_str_eq(member_str(links, "openapi"), "/openapi.yaml");
    cr_assert_str_eq(member_str(links, "registry"), "/v1/registry");
    const char *key;
    json_t *value;
    json_object_foreach(links, key, value) cr_assert(json_is_string(value), "links.%s", key);
}

Test(routes, openapi_is_the_spec_as_yaml)
{
    exchange_run(api, &ex, PR_GET, "/openapi.yaml");
    cr_assert_eq(ex.resp.status, 200);
    cr_assert_str_eq(ex.resp.content_type, "application/yaml");
    cr_assert(ex.resp.cacheable);
    FILE *f = fopen(SPEC_FILE, "rb");
    cr_assert_not_null(f);
    struct stat st;
    cr_assert_eq(fstat(fileno(f), &st), 0);
    char *spec = malloc((size_t)st.st_size + 1);
    cr_assert_eq(fread(spec, 1, (size_t)st.st_size, f), (size_t)st.st_size);
    fclose(f);
    bool same = ex.resp.body->len == (size_t)st.st_size &&
                memcmp(ex.resp.body->data, spec, (size_t)st.st_size) == 0;
    free(spec);
    cr_assert(same, "the served spec differs from openapi.yaml");
}

static long long file_size(const char *path)
{
    struct stat st;
    cr_assert_eq(stat(path, &st), 0, "%s", path);
    return (long long)st.st_size;
}

Test(routes, registry_counts)
{
    table_rows records = table_read(SAMPLE_DIR "/" PR_RECORDS_FILE);
    table_rows contacts = table_read(SAMPLE_DIR "/" PR_CONTACTS_FILE);
    size_t ranges = 0;
    for (size_t i = 0; i < records.count; i++)
        ranges += strchr(records.rows[i][COL_PORT], '-') != NULL;

    json_t *j = get_ok(api, &ex, "/v1/registry");
    cr_assert_str_eq(member_str(j, "title"),
                     "Service Name and Transport Protocol Port Number Registry");
    cr_assert_eq(member_int(j, "records"), (long long)records.count);
    cr_assert_eq(member_int(j, "records"), 128);
    cr_assert_eq(member_int(j, "contacts"), (long long)contacts.count);
    cr_assert_eq(member_int(j, "contacts"), 55);
    cr_assert_eq(member_int(j, "ranges"), (long long)ranges);
    cr_assert_eq(member_int(j, "services"), 61);
    cr_assert_str_eq(member_str(j, "updated"), "2022-08-12", "newest date in either file");
    json_t *files = member_array(j, "files");
    cr_assert_eq(json_array_size(files), 2);
    cr_assert_str_eq(member_str(json_array_get(files, 0), "name"), PR_RECORDS_FILE);
    cr_assert_str_eq(member_str(json_array_get(files, 1), "name"), PR_CONTACTS_FILE);
    cr_assert_eq(member_int(json_array_get(files, 0), "bytes"),
                 file_size(SAMPLE_DIR "/" PR_RECORDS_FILE));
    cr_assert_eq(member_int(json_array_get(files, 1), "bytes"),
                 file_size(SAMPLE_DIR "/" PR_CONTACTS_FILE));
    for (size_t i = 0; i < 2; i++) {
        const char *sha = member_str(json_array_get(files, i), "sha256");
        cr_assert_eq(strlen(sha), 64);
        cr_assert_eq(strspn(sha, "0123456789abcdef"), 64, "lower-case hex: %s", sha);
    }
    table_free(&records);
    table_free(&contacts);
}

Test(routes, last_modified_is_the_newest_date)
{
    cr_assert_str_eq(pr_api_last_modified(api), "Fri, 12 Aug 2022 00:00:00 GMT");
    cr_assert_eq(pr_api_last_modified_time(api), pr_epoch_of_date(2022, 8, 12));
    cr_assert_eq(pr_api_registry(api), reg);
}

Test(routes, port_with_every_protocol)
{
    json_t *j = get_ok(api, &ex, "/v1/ports/3493");
    cr_assert_eq(member_int(j, "port"), 3493);
    cr_assert_str_eq(member_str(j, "range_class"), "user");
    json_t *status = member_object(j, "status");
    cr_assert_eq(json_object_size(status), 4);
    cr_assert_str_eq(member_str(status, "tcp"), "assigned");
    cr_assert_str_eq(member_str(status, "udp"), "assigned");
    cr_assert_str_eq(member_str(status, "sctp"), "unassigned");
    cr_assert_str_eq(member_str(status, "dccp"), "unassigned");
    json_t *records = member_array(j, "records");
    cr_assert_eq(json_array_size(records), 2);
    json_t *udp = json_array_get(records, 1);
    cr_assert_str_eq(member_str(json_array_get(records, 0), "protocol"), "tcp");
    cr_assert_str_eq(member_str(udp, "protocol"), "udp");
    cr_assert_str_eq(member_str(udp, "modified"), "2020-12-16");
    cr_assert_eq(json_array_size(member_array(udp, "reference")), 0, "no reference: []");
}

Test(routes, port_with_one_protocol_is_case_insensitive)
{
    exchange_run(api, &ex, PR_GET, "/v1/ports/3493/TCP");
    cr_assert_eq(ex.resp.status, 200);
    assert_body_is("{\"port\":3493,\"protocol\":\"tcp\",\"range_class\":\"user\","
                   "\"status\":\"assigned\",\"records\":[" NUT_TCP "]}");
    exchange_end(&ex);
    json_t *j = get_ok(api, &ex, "/v1/ports/3493/sctp");
    cr_assert_str_eq(member_str(j, "status"), "unassigned");
    cr_assert_eq(json_array_size(member_array(j, "records")), 0);
}

Test(routes, port_inside_a_range)
{
    json_t *j = get_ok(api, &ex, "/v1/ports/5260");
    json_t *records = member_array(j, "records");
    cr_assert_eq(json_array_size(records), 1);
    json_t *r = json_array_get(records, 0);
    assert_member_null(r, "service");
    cr_assert_eq(member_int(r, "port"), 5255, "a range reports its first port");
    json_t *range = member_object(r, "range");
    cr_assert_eq(member_int(range, "first"), 5255);
    cr_assert_eq(member_int(range, "last"), 5263);
    assert_member_null(r, "protocol");
    cr_assert_str_eq(member_str(r, "status"), "unassigned");
    cr_assert_str_eq(member_str(member_object(j, "status"), "dccp"), "unassigned");
    exchange_end(&ex);

    /* a record without protocol is part of every single-protocol view */
    j = get_ok(api, &ex, "/v1/ports/5260/udp");
    cr_assert_eq(json_array_size(member_array(j, "records")), 1);
}

Test(routes, port_with_both_a_reservation_and_an_assignment)
{
    json_t *j = get_ok(api, &ex, "/v1/ports/5269");
    json_t *status = member_object(j, "status");
    cr_assert_str_eq(member_str(status, "tcp"), "assigned");
    cr_assert_str_eq(member_str(status, "udp"), "reserved");
    /* the 5266-5268 range ends just before */
    cr_assert_eq(json_array_size(member_array(j, "records")), 2);
}

Test(routes, dynamic_port_without_records)
{
    json_t *j = get_ok(api, &ex, "/v1/ports/60000");
    cr_assert_str_eq(member_str(j, "range_class"), "dynamic");
    cr_assert_eq(json_array_size(member_array(j, "records")), 0);
    json_t *status = member_object(j, "status");
    const char *key;
    json_t *value;
    json_object_foreach(status, key, value)
        cr_assert_str_eq(json_string_value(value), "dynamic", "%s", key);
}

Test(routes, extreme_ports)
{
    json_t *j = get_ok(api, &ex, "/v1/ports/0");
    cr_assert_str_eq(member_str(j, "range_class"), "system");
    cr_assert_str_eq(member_str(member_object(j, "status"), "tcp"), "unassigned");
    exchange_end(&ex);
    j = get_ok(api, &ex, "/v1/ports/65535/dccp");
    cr_assert_str_eq(member_str(j, "status"), "dynamic");
    exchange_end(&ex);
    j = get_ok(api, &ex, "/v1/ports/49151");
    cr_assert_str_eq(member_str(j, "range_class"), "user");
}

Test(routes, service_by_name_any_case)
{
    json_t *j = get_ok(api, &ex, "/v1/services/NUT");
    cr_assert_str_eq(member_str(j, "service"), "nut", "the published spelling");
    json_t *records = member_array(j, "records");
    cr_assert_eq(json_array_size(records), 2);
    cr_assert_str_eq(member_str(json_array_get(records, 0), "protocol"), "tcp");
    cr_assert_str_eq(member_str(json_array_get(records, 1), "protocol"), "udp");
}

Test(routes, service_with_unauthorized_use)
{
    json_t *j = get_ok(api, &ex, "/v1/services/afs3-prserver");
    json_t *r = json_array_get(member_array(j, "records"), 0);
    cr_assert_str_eq(member_str(r, "unauthorized_use"), "Known Unauthorized Use on port 7002");
    cr_assert_str_eq(member_str(r, "description"), "users & groups database");
    cr_assert_eq(json_array_size(member_array(r, "assignee")), 0, "no assignee: []");
    assert_member_null(r, "registered");
}

Test(routes, unknown_service_is_404)
{
    exchange_run(api, &ex, PR_GET, "/v1/services/nonexistent");
    assert_problem(&ex, 404, NULL);
}

Test(routes, head_answers_like_get)
{
    exchange_run(api, &ex, PR_GET, "/v1/ports/3493");
    char *get_body = strndup(ex.resp.body->data, ex.resp.body->len);
    exchange_end(&ex);
    exchange_run(api, &ex, PR_HEAD, "/v1/ports/3493");
    cr_assert_eq(ex.resp.status, 200);
    cr_assert_str_eq(ex.resp.body->data, get_body, "the server needs the body's length and tag");
    free(get_body);
}

/* ---- people ---- */

Test(routes, assignee_with_records)
{
    json_t *j = get_ok(api, &ex, "/v1/assignees/Network_UPS_Tools_Project");
    cr_assert_str_eq(member_str(j, "id"), "Network_UPS_Tools_Project");
    assert_member_null(j, "name");
    cr_assert_str_eq(member_str(j, "organization"), "Network UPS Tools Project");
    cr_assert_str_eq(member_str(j, "uri"), "mailto:iana&networkupstools.org");
    cr_assert_str_eq(member_str(j, "email"), "iana@networkupstools.org");
    cr_assert_str_eq(member_str(j, "updated"), "2020-12-16");
    json_t *records = member_array(j, "records");
    cr_assert_eq(json_array_size(records), 2);
    cr_assert_str_eq(member_str(json_array_get(records, 0), "service"), "nut");
}

Test(routes, assignee_accepts_brackets)
{
    json_t *j = get_ok(api, &ex, "/v1/assignees/%5BIESG%5D");
    cr_assert_str_eq(member_str(j, "id"), "IESG");
    cr_assert_eq(json_array_size(member_array(j, "records")), 3);
}

Test(routes, contact_only_person_is_not_an_assignee)
{
    exchange_run(api, &ex, PR_GET, "/v1/assignees/Evgeny_Klimov");
    assert_problem(&ex, 404, NULL);
    exchange_end(&ex);
    json_t *j = get_ok(api, &ex, "/v1/contacts/Evgeny_Klimov");
    cr_assert_eq(json_array_size(member_array(j, "records")), 2);
}

Test(routes, contact_email_turns_ampersand_into_at)
{
    json_t *j = get_ok(api, &ex, "/v1/contacts/Chris_Wilson");
    cr_assert_str_eq(member_str(j, "name"), "Chris Wilson");
    assert_member_null(j, "organization");
    cr_assert_str_eq(member_str(j, "uri"), "mailto:chris+iana&qwirx.com");
    cr_assert_str_eq(member_str(j, "email"), "chris+iana@qwirx.com");
    cr_assert_str_eq(member_str(j, "updated"), "2008-09-11");
    cr_assert_eq(json_array_size(member_array(j, "records")), 1);
}

Test(routes, contact_records_cover_both_roles)
{
    /* Storix_Inc assigns strexec-d; David_Huffman is its contact */
    json_t *j = get_ok(api, &ex, "/v1/contacts/David_Huffman");
    json_t *records = member_array(j, "records");
    cr_assert_eq(json_array_size(records), 2);
    cr_assert_str_eq(member_str(json_array_get(records, 0), "service"), "strexec-d");
    exchange_end(&ex);
    j = get_ok(api, &ex, "/v1/contacts/Storix_Inc");
    cr_assert_eq(json_array_size(member_array(j, "records")), 2);
    cr_assert_str_eq(member_str(j, "name"), "Storix Inc.");
}

Test(routes, contact_with_missing_details)
{
    json_t *j = get_ok(api, &ex, "/v1/contacts/brockman");
    assert_member_null(j, "name");
    assert_member_null(j, "organization");
    assert_member_null(j, "updated");
    cr_assert_str_eq(member_str(j, "email"), "brockman@ccmail.com");
}

Test(routes, unknown_contact_is_404)
{
    exchange_run(api, &ex, PR_GET, "/v1/contacts/Nobody_At_All");
    assert_problem(&ex, 404, NULL);
    exchange_end(&ex);
    exchange_run(api, &ex, PR_GET, "/v1/contacts/chris_wilson");
    assert_problem(&ex, 404, NULL); /* IDs are case-sensitive */
}

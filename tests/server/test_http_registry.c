/* The real server on IANA's whole registry, over HTTP: started with no
 * --data, as the README's first command starts it, so on the registry built
 * into the binary. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "../seed_ups.h"
#include "fixture.h"
#include "harness.h"

TestSuite(registry, .init = fixture_registry, .fini = fixture_stop);

#define NEED_REGISTRY()                                                                            \
    do {                                                                                           \
        if (!started)                                                                              \
            cr_skip_test("the whole registry is absent (" PR_IANA_DIR "): skipped");               \
    } while (0)

static json_t *get_json(const char *target)
{
    http_response r;
    http_request(srv.port, "GET", target, NULL, &r);
    cr_assert_eq(r.status, 200, "GET %s: %d %s", target, r.status, r.body);
    json_t *j = http_json(&r);
    http_response_free(&r);
    return j;
}

static const char *str(json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

Test(registry, metadata)
{
    NEED_REGISTRY();
    json_t *j = get_json("/v1/registry");
    cr_assert_eq(json_integer_value(json_object_get(j, "records")), 14533);
    cr_assert_eq(json_integer_value(json_object_get(j, "contacts")), 5615);
    cr_assert_eq(json_integer_value(json_object_get(j, "services")), 7327);
    cr_assert_eq(json_integer_value(json_object_get(j, "ranges")), 766);
    cr_assert_str_eq(str(j, "updated"), "2026-08-17");
    /* which data answered: the built-in registry, and how old it is */
    cr_assert_str_eq(str(j, "source"), "built-in");
    json_int_t age = json_integer_value(json_object_get(j, "age_days"));
    json_int_t want = ((json_int_t)time(NULL) - 1786924800) / 86400; /* since 2026-08-17 */
    cr_assert(age == want || age == want - 1, "age_days %lld, expected %lld", (long long)age,
              (long long)want);
    /* IANA's files, byte for byte (../shared/iana/README.md) */
    json_t *files = json_object_get(j, "files");
    cr_assert_str_eq(str(json_array_get(files, 0), "sha256"),
                     "757d5969a623680753269c420688fc01b050ce8dae9f47d90aab0a057f144dc8");
    cr_assert_str_eq(str(json_array_get(files, 1), "sha256"),
                     "f64663a5a6e9a94d2dc0ff1718dcc8d1f16942ac02c286239853eb70b3bf2a74");
    cr_assert_str_eq(str(json_array_get(files, 0), "name"), "service-names-port-numbers.csv");
    json_decref(j);
    /* the log says so too */
    char *log = server_log(&srv);
    cr_assert(strstr(log, "14533 records, 5615 contacts of 2026-08-17 from the built-in registry"),
              "%s", log);
    free(log);
}

/* The README's first command is tools/serve, which runs `portreg serve`
 * with no --data: what this suite starts. What the issue asked of it. */
Test(registry, the_readme_starts_with_serving_the_whole_registry)
{
    FILE *f = fopen(PR_TEST_DIR "/../README.md", "r");
    cr_assert_not_null(f);
    char line[512];
    int code_lines = 0, in_code = 0;
    char first[512] = "";
    while (fgets(line, sizeof line, f) && code_lines < 3) {
        if (strncmp(line, "```", 3) == 0) {
            if (in_code)
                break;
            in_code = 1;
            continue;
        }
        if (in_code && code_lines++ == 0)
            snprintf(first, sizeof first, "%s", line);
    }
    fclose(f);
    cr_assert_eq(code_lines, 2, "two set-up commands");
    cr_assert(strncmp(first, "tools/serve ", 12) == 0, "the first command: %s", first);
    struct stat st;
    cr_assert_eq(stat(PR_TEST_DIR "/../tools/serve", &st), 0);
    cr_assert(st.st_mode & S_IXUSR, "tools/serve is executable");

    json_t *j = get_json("/v1/ports/22");
    cr_assert_str_eq(str(json_array_get(json_object_get(j, "records"), 0), "service"), "ssh");
    json_decref(j);
    j = get_json("/v1/services/http");
    json_t *records = json_object_get(j, "records");
    cr_assert_geq(json_array_size(records), 1);
    cr_assert_eq(json_integer_value(json_object_get(json_array_get(records, 0), "port")), 80);
    json_decref(j);
    j = get_json("/v1/check?port=8080&protocol=tcp&name=web");
    cr_assert(json_is_false(json_object_get(j, "ok")));
    json_t *reason = json_array_get(json_object_get(j, "reasons"), 0);
    cr_assert(strstr(str(reason, "message"), "http-alt"), "%s", str(reason, "message"));
    json_t *stamp = json_object_get(j, "registry");
    cr_assert_str_eq(str(stamp, "updated"), "2026-08-17");
    cr_assert_str_eq(str(stamp, "source"), "built-in");
    json_decref(j);
}

Test(registry, port_22)
{
    NEED_REGISTRY();
    json_t *j = get_json("/v1/ports/22");
    json_t *records = json_object_get(j, "records");
    cr_assert_geq(json_array_size(records), 2);
    cr_assert_str_eq(str(json_array_get(records, 0), "service"), "ssh");
    cr_assert_str_eq(str(json_object_get(j, "status"), "tcp"), "assigned");
    cr_assert_str_eq(str(j, "range_class"), "system");
    json_decref(j);
}

Test(registry, port_3493_and_nut)
{
    NEED_REGISTRY();
    json_t *j = get_json("/v1/ports/3493/tcp");
    cr_assert_str_eq(str(j, "status"), "assigned");
    cr_assert_str_eq(str(json_array_get(json_object_get(j, "records"), 0), "service"), "nut");
    json_decref(j);
    j = get_json("/v1/services/nut");
    json_t *records = json_object_get(j, "records");
    cr_assert_eq(json_array_size(records), 2);
    cr_assert_str_eq(str(json_array_get(records, 1), "protocol"), "udp");
    json_decref(j);
}

Test(registry, port_5260_is_in_an_unassigned_range)
{
    NEED_REGISTRY();
    json_t *j = get_json("/v1/ports/5260");
    json_t *rec = json_array_get(json_object_get(j, "records"), 0);
    cr_assert_str_eq(str(rec, "description"), "Unassigned");
    cr_assert_eq(json_integer_value(json_object_get(json_object_get(rec, "range"), "first")), 5255);
    cr_assert_eq(json_integer_value(json_object_get(json_object_get(rec, "range"), "last")), 5263);
    cr_assert_str_eq(str(json_object_get(j, "status"), "udp"), "unassigned");
    json_decref(j);
}

Test(registry, dynamic_ports)
{
    NEED_REGISTRY();
    const char *targets[] = {"/v1/ports/49152", "/v1/ports/65535"};
    for (int i = 0; i < 2; i++) {
        json_t *j = get_json(targets[i]);
        cr_assert_str_eq(str(j, "range_class"), "dynamic");
        cr_assert_eq(json_array_size(json_object_get(j, "records")), 0);
        cr_assert_str_eq(str(json_object_get(j, "status"), "tcp"), "dynamic");
        json_decref(j);
    }
    json_t *j = get_json("/v1/ports/49151");
    cr_assert_str_eq(str(j, "range_class"), "user");
    json_decref(j);
}

Test(registry, historic_names)
{
    NEED_REGISTRY();
    json_t *j = get_json("/v1/services/whois%2B%2B");
    cr_assert_str_eq(str(j, "service"), "whois++");
    cr_assert_eq(json_integer_value(
                     json_object_get(json_array_get(json_object_get(j, "records"), 0), "port")),
                 63);
    json_decref(j);
    j = get_json("/v1/services/914c%2Fg");
    cr_assert_str_eq(str(j, "service"), "914c/g");
    json_decref(j);
    j = get_json("/v1/services/sql*net");
    cr_assert_str_eq(str(j, "service"), "sql*net");
    json_decref(j);
}

Test(registry, search_ups_is_the_seed)
{
    NEED_REGISTRY();
    json_t *j = get_json("/v1/search?q=ups");
    cr_assert_eq(json_integer_value(json_object_get(j, "total")), 27);
    json_t *items = json_object_get(j, "items");
    cr_assert_eq(json_array_size(items), 27);
    for (size_t i = 0; i < 27; i++) {
        json_t *rec = json_array_get(items, i);
        cr_assert_str_eq(str(rec, "service"), ups_rows[i].service, "row %zu", i);
        cr_assert_eq(json_integer_value(json_object_get(rec, "port")), ups_rows[i].port, "row %zu",
                     i);
        cr_assert_str_eq(str(rec, "protocol"), ups_rows[i].protocol, "row %zu", i);
    }
    json_t *contacts = json_object_get(j, "contacts");
    cr_assert_eq(json_array_size(contacts), 12);
    for (size_t i = 0; i < 12; i++)
        cr_assert_str_eq(str(json_array_get(contacts, i), "id"), ups_contacts[i]);
    json_decref(j);
}

Test(registry, contact_network_ups_tools_project)
{
    NEED_REGISTRY();
    json_t *j = get_json("/v1/contacts/Network_UPS_Tools_Project");
    cr_assert_str_eq(str(j, "email"), "iana@networkupstools.org");
    json_t *records = json_object_get(j, "records");
    cr_assert_eq(json_array_size(records), 2);
    cr_assert_str_eq(str(json_array_get(records, 0), "service"), "nut");
    json_decref(j);
    j = get_json("/v1/contacts/_3GPP");
    cr_assert_str_eq(str(j, "organization"), "3GPP");
    json_decref(j);
}

Test(registry, every_page_of_a_list_is_reachable_by_links)
{
    NEED_REGISTRY();
    /* follow rel="next" through the sctp records: the pages add up to total */
    char target[512] = "/v1/services?protocol=sctp&limit=40";
    size_t seen = 0;
    long long total = -1;
    for (int pages = 0; pages < 10; pages++) {
        http_response r;
        http_request(srv.port, "GET", target, NULL, &r);
        cr_assert_eq(r.status, 200);
        json_t *j = http_json(&r);
        total = json_integer_value(json_object_get(j, "total"));
        seen += json_array_size(json_object_get(j, "items"));
        json_decref(j);
        char link[2048];
        const char *l = http_header(&r, "Link", link, sizeof link);
        const char *next = l ? strstr(l, ">; rel=\"next\"") : NULL;
        http_response_free(&r);
        if (!next)
            break;
        const char *open = next;
        while (open > l && *open != '<')
            open--;
        snprintf(target, sizeof target, "%.*s", (int)(next - open - 1), open + 1);
    }
    cr_assert_eq(total, 93); /* sctp records, per the registry's own figures */
    cr_assert_eq((long long)seen, total);
}

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

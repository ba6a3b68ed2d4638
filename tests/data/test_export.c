/* data/export.c and data/changes.c on small registries written here: the
 * services(5) rules (aliases, each name once per protocol at its lowest
 * port, ranges, records left out, layers), the reserved-ports merge, and
 * the order of changes. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "registry.h"

#define RECORDS_HEADER                                                                             \
    "Service Name,Port Number,Transport Protocol,Description,Assignee,Contact,Registration "       \
    "Date,Modification Date,Reference,Service Code,Unauthorized Use Reported,Assignment Notes\n"
#define CONTACTS_HEADER "ID,Name,Organization,Contact URI,Last Updated\n"

static pr_registry *load(const char *records)
{
    pr_source r = {"x.csv", (const unsigned char *)records, strlen(records)};
    pr_source c = {"c.csv", (const unsigned char *)CONTACTS_HEADER, strlen(CONTACTS_HEADER)};
    pr_error err;
    pr_registry *reg = pr_registry_load_sources(&r, &c, &err);
    cr_assert_not_null(reg, "%s", err.text);
    return reg;
}

static const char records[] = RECORDS_HEADER "http,80,tcp,World Wide Web HTTP,,,,,,,,\n"
                                             "www,80,tcp,World Wide Web HTTP,,,,,,,,\n"
                                             "http,80,udp,\"World Wide Web\nHTTP\",,,2001-05,,,,,\n"
                                             "x11,6000-6063,tcp,X Window System,,,,2020-02-03,,,,\n"
                                             "WWW,8080,tcp,again,,,,,,,,\n"
                                             "alt,8080,tcp,,,,2019,,,,,\n"
                                             "boe-x,6400-6401,,no protocol,,,,,,,,\n"
                                             "dns-sd,,,a name without a port,,,,,,,,\n"
                                             ",8081,tcp,Unassigned,,,,,,,,\n";

Test(export, services_file)
{
    pr_registry *reg = load(records);
    pr_export_layer layer = {"the test registry", reg->records, reg->record_count};
    size_t len;
    char *file = pr_export_services(&layer, 1, "2026-08-17", &len);
    cr_assert_not_null(file);
    cr_assert_eq(strlen(file), len);
    cr_assert_not_null(strstr(file, "#   the test registry, updated 2026-08-17\n"));
    const char *body = strstr(file, "\n\n") + 2;
    cr_assert_str_eq(body, "http\t\t80/tcp\t\twww\t\t# World Wide Web HTTP\n"
                           "http\t\t80/udp\t\t\t\t# World Wide Web HTTP\n"
                           "x11\t\t6000/tcp\t\t\t# X Window System (ports 6000-6063)\n"
                           "alt\t\t8080/tcp\n");
    free(file);
    pr_registry_free(reg);
}

Test(export, layers_share_one_set_of_names)
{
    pr_registry *iana = load(records);
    pr_registry *local = load(RECORDS_HEADER "http,9000,tcp,ours,,,,,,,,\n"
                                             "team-api,9001,tcp,Team API,,,,,,,,\n"
                                             "team-api,9001,udp,,,,,,,,,\n");
    pr_export_layer layers[] = {{"IANA", iana->records, iana->record_count},
                                {"our plan", local->records, local->record_count}};
    char *file = pr_export_services(layers, 2, "", NULL);
    cr_assert_not_null(file);
    cr_assert_not_null(strstr(file, "#   IANA\n#   our plan\n#\n"));
    cr_assert_null(strstr(file, "9000/tcp"), "http was written by the first layer");
    cr_assert_not_null(strstr(file, "\nteam-api\t9001/tcp\t\t\t# Team API\n"));
    cr_assert_not_null(strstr(file, "\nteam-api\t9001/udp\n"));
    free(file);
    /* an empty layer adds nothing, not even its name */
    layers[1].count = 0;
    file = pr_export_services(layers, 2, "", NULL);
    cr_assert_not_null(strstr(file, "#   IANA\n#\n"));
    cr_assert_null(strstr(file, "our plan"));
    cr_assert_null(strstr(file, "team-api"));
    free(file);
    pr_registry_free(local);
    pr_registry_free(iana);
}

Test(export, reserved_ports)
{
    pr_registry *reg = load(records);
    const pr_service_name *names[3] = {pr_registry_find_name(reg, "www", 3),
                                       pr_registry_find_name(reg, "x11", 3),
                                       pr_registry_find_name(reg, "dns-sd", 6)};
    cr_assert(names[0] && names[1] && names[2]);
    char *value = pr_export_reserved_ports(reg, names, 3);
    cr_assert_str_eq(value, "80,6000-6063,8080");
    free(value);
    value = pr_export_reserved_ports(reg, names + 2, 1);
    cr_assert_str_eq(value, "", "a name without a port reserves nothing");
    free(value);
    pr_registry_free(reg);
}

Test(export, changes_newest_first)
{
    pr_registry *reg = load(records);
    /* x11 2020-02-03, http/udp 2001-05 (2001-05-01), alt 2019 (2019-01-01) */
    cr_assert_eq(reg->change_count, 3);
    cr_assert_str_eq(reg->records[reg->changes[0]].service, "x11");
    cr_assert_str_eq(reg->records[reg->changes[1]].service, "alt");
    cr_assert_str_eq(reg->records[reg->changes[2]].service, "http");
    cr_assert_eq(pr_registry_changes_since(reg, (pr_date){2020, 2, 3}), 1);
    cr_assert_eq(pr_registry_changes_since(reg, (pr_date){2020, 2, 4}), 0);
    cr_assert_eq(pr_registry_changes_since(reg, (pr_date){2019, 1, 1}), 2);
    cr_assert_eq(pr_registry_changes_since(reg, (pr_date){2001, 5, 1}), 3);
    cr_assert_eq(pr_registry_changes_since(reg, (pr_date){2001, 5, 2}), 2);
    pr_registry_free(reg);
}

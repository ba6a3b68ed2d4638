/* The organization's port plan (plan.h) loaded beside a small registry:
 * each file under plan/bad/ must fail with the message its first line
 * expects; a good plan gives local records in every index, its owners,
 * marks and warnings. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builtin.h"
#include "plan.h"
#include "registry.h"
#include "util.h"

LEAK_CHECKED_SUITE(plan);
LEAK_CHECKED_SUITE(plan_bad);

/* base/'s registry (nut on 3493/tcp and udp, 5255-5263 unassigned) with a
 * plan named port-plan.csv, so that messages do not depend on paths. */
static pr_registry *load_with_plan(const char *plan_text, size_t plan_len, pr_error *err)
{
    size_t rl, cl;
    unsigned char *r = read_whole_file(DATA_DIR "/base/" PR_RECORDS_FILE, &rl);
    unsigned char *c = read_whole_file(DATA_DIR "/base/" PR_CONTACTS_FILE, &cl);
    cr_assert(r && c);
    pr_source records = {PR_RECORDS_FILE, r, rl}, contacts = {PR_CONTACTS_FILE, c, cl};
    pr_source plan = {PR_PLAN_FILE, (const unsigned char *)plan_text, plan_len};
    pr_registry_files files = {&records, &contacts, NULL, NULL, &plan};
    pr_registry *reg = pr_registry_load_files(&files, err);
    free(r);
    free(c);
    return reg;
}

static pr_registry *load_good(const char *text)
{
    pr_error err;
    pr_error_clear(&err);
    pr_registry *reg = load_with_plan(text, strlen(text), &err);
    cr_assert_not_null(reg, "the plan did not load: %s", format_error(&err));
    return reg;
}

#define HEADER "Service Name,Port Number,Transport Protocol,Owner,Contact,Status,Reference,Notes\n"

static const char good_plan[] =
    "# a comment before the header\n"
    "\n" HEADER "# team-a\n"
    "api,5000,tcp,team-a,a@example.org,assigned,A-1,the API\n"
    "metrics,5001,tcp udp,team-a,a@example.org,reserved,,\n"
    ",5100-5199,tcp,team-a,a@example.org,band,A-2,\n"
    "\n"
    "# team-b: on IANA's nut, and a pending application\n"
    "ups-proxy,3493,tcp,team-b,#b-chat,assigned,,\"note, with a comma\"\n"
    "acme,5200,,team-b,,pending-iana,https://example.org/ticket/1,\n"
    "inside,5150,tcp,team-b,,assigned,,\n";

Test(plan, entries_become_local_records_after_iana)
{
    pr_registry *reg = load_good(good_plan);
    cr_assert(reg->has_plan);
    cr_assert_eq(reg->local_first, 3, "base/ has three records");
    cr_assert_eq(reg->plan_rows, 6);
    cr_assert_eq(reg->record_count, 3 + 7, "metrics is one record per protocol");
    for (uint32_t i = 0; i < reg->record_count; i++)
        cr_assert_eq(reg->records[i].source, i < 3 ? PR_SOURCE_IANA : PR_SOURCE_LOCAL);
    const pr_record *api = &reg->records[3];
    cr_assert_str_eq(api->service, "api");
    cr_assert_str_eq(api->owner, "team-a");
    cr_assert_str_eq(api->local_contact, "a@example.org");
    cr_assert_str_eq(api->notes, "the API");
    cr_assert_eq(api->local_status, PR_PLAN_ASSIGNED);
    cr_assert_eq(api->status, PR_STATUS_ASSIGNED);
    cr_assert_eq(api->line, 5, "lines count comments and blank lines");
    cr_assert_eq(api->references.count, 1);
    cr_assert_str_eq(reg->references[api->references.first], "A-1");
    cr_assert_eq(reg->records[4].proto, PR_PROTO_TCP);
    cr_assert_eq(reg->records[5].proto, PR_PROTO_UDP);
    cr_assert_eq(reg->records[5].local_status, PR_PLAN_RESERVED);
    const pr_record *band = &reg->records[6];
    cr_assert_eq(band->local_status, PR_PLAN_BAND);
    cr_assert(band->is_range);
    cr_assert_eq(band->port_first, 5100);
    cr_assert_eq(band->port_last, 5199);
    cr_assert_str_eq(band->service, "");
    cr_assert_str_eq(reg->records[7].notes, "note, with a comma");
    cr_assert_eq(reg->records[8].proto, PR_PROTO_NONE);
    cr_assert_eq(reg->records[8].local_status, PR_PLAN_PENDING_IANA);
    cr_assert_str_eq(reg->plan_source.name, PR_PLAN_FILE);
    pr_registry_free(reg);
}

Test(plan, indexes_hold_both_layers)
{
    pr_registry *reg = load_good(good_plan);
    uint32_t n;
    const uint32_t *idx = pr_registry_port_records(reg, 3493, &n);
    cr_assert_eq(n, 3, "nut tcp, nut udp, ups-proxy");
    cr_assert_eq(reg->records[idx[2]].source, PR_SOURCE_LOCAL);
    idx = pr_registry_port_records(reg, 5150, &n);
    cr_assert_eq(n, 2, "the band and the entry inside it");
    const pr_service_name *sn = pr_registry_find_name(reg, "API", 3);
    cr_assert_not_null(sn, "names are found case-insensitively in both layers");
    cr_assert_eq(sn->records.count, 1);
    /* a plan entry is found by its owner's name */
    cr_assert_gt(scan_agrees_with_record_matches(reg, "team-b"), 0);
    cr_assert_eq(scan_agrees_with_record_matches(reg, "team-b"), 3);
    /* IANA's statuses stay IANA's: the plan marks ports apart */
    cr_assert_eq(pr_registry_port_status(reg, 5000, PR_PROTO_TCP), PR_STATUS_UNASSIGNED);
    cr_assert_eq(pr_registry_local_marks(reg, 5000, PR_PROTO_TCP), PR_MARK_ENTRY);
    cr_assert_eq(pr_registry_local_marks(reg, 5000, PR_PROTO_UDP), 0);
    cr_assert_eq(pr_registry_local_marks(reg, 5001, PR_PROTO_UDP), PR_MARK_ENTRY);
    cr_assert_eq(pr_registry_local_marks(reg, 5120, PR_PROTO_TCP), PR_MARK_BAND);
    cr_assert_eq(pr_registry_local_marks(reg, 5150, PR_PROTO_TCP), PR_MARK_BAND | PR_MARK_ENTRY);
    cr_assert_eq(pr_registry_local_marks(reg, 5120, PR_PROTO_UDP), 0);
    for (int p = PR_PROTO_TCP; p < PR_PROTO_COUNT; p++)
        cr_assert_eq(pr_registry_local_marks(reg, 5200, (enum pr_proto)p), PR_MARK_ENTRY,
                     "an entry for every protocol marks all four");
    pr_registry_free(reg);
}

Test(plan, owners_with_their_entries_and_bands)
{
    pr_registry *reg = load_good(good_plan);
    cr_assert_eq(reg->owner_count, 2);
    const pr_owner *a = pr_registry_find_owner(reg, "team-a", 6);
    const pr_owner *b = pr_registry_find_owner(reg, "team-b", 6);
    cr_assert(a && b);
    cr_assert_null(pr_registry_find_owner(reg, "team", 4));
    cr_assert_null(pr_registry_find_owner(reg, "team-c", 6));
    cr_assert_eq(a->entry_count, 3);
    cr_assert_eq(a->band_count, 1);
    cr_assert_eq(b->entry_count, 3);
    cr_assert_eq(b->band_count, 0);
    cr_assert_str_eq(a->contact, "a@example.org");
    cr_assert_str_eq(b->contact, "#b-chat");
    for (uint32_t k = 1; k < a->records.count; k++)
        cr_assert_lt(reg->owner_records[a->records.first + k - 1],
                     reg->owner_records[a->records.first + k], "plan order within an owner");
    pr_registry_free(reg);
}

Test(plan, warnings_name_both_layers)
{
    pr_registry *reg = load_good(good_plan);
    cr_assert_eq(reg->plan_warnings, 2);
    cr_assert_eq(reg->warning_count, 2);
    bool iana = false, inside = false;
    for (uint32_t i = 0; i < reg->warning_count; i++) {
        const char *w = format_error(&reg->warnings[i]);
        iana = iana || strcmp(w, "port-plan.csv:10: Port Number: ups-proxy 3493/tcp of team-b "
                                 "overlaps IANA: 3493/tcp is assigned to nut") == 0;
        inside = inside || strcmp(w, "port-plan.csv:12: Port Number: inside 5150 of team-b lies "
                                     "inside band 5100-5199 of team-a (line 7)") == 0;
    }
    cr_assert(iana, "a warning names the entry and IANA's nut: %s",
              format_error(&reg->warnings[0]));
    cr_assert(inside, "a warning names the entry and the band: %s",
              format_error(&reg->warnings[1]));
    pr_registry_free(reg);
}

Test(plan, no_plan_changes_nothing)
{
    pr_error err;
    size_t rl, cl;
    unsigned char *r = read_whole_file(DATA_DIR "/base/" PR_RECORDS_FILE, &rl);
    unsigned char *c = read_whole_file(DATA_DIR "/base/" PR_CONTACTS_FILE, &cl);
    pr_source records = {PR_RECORDS_FILE, r, rl}, contacts = {PR_CONTACTS_FILE, c, cl};
    pr_registry *reg = pr_registry_load_sources(&records, &contacts, &err);
    free(r);
    free(c);
    cr_assert_not_null(reg);
    cr_assert_not(reg->has_plan);
    cr_assert_eq(reg->local_first, reg->record_count);
    cr_assert_null(reg->local_marks);
    cr_assert_eq(reg->owner_count, 0);
    cr_assert_eq(pr_registry_local_marks(reg, 3493, PR_PROTO_TCP), 0);
    pr_registry_free(reg);
}

Test(plan, one_owner_may_overlap_itself)
{
    pr_registry *reg = load_good(HEADER "a,6000,tcp,team-a,,assigned,,\n"
                                        "a-alias,6000,tcp,team-a,,assigned,,\n"
                                        ",6000-6099,,team-a,,band,,\n"
                                        ",6050-6150,tcp,team-a,,band,,\n"
                                        ",6200-6299,tcp,team-b,,band,,\n"
                                        ",6200-6299,udp,team-c,,band,,\n");
    cr_assert_eq(reg->plan_warnings, 0, "bands of two owners for two protocols do not meet");
    pr_registry_free(reg);
}

/* Checking overlaps looks at each port of each entry once: thousands of
 * one team's entries on one port load at once (a pairwise check took
 * minutes), and whole-range entries past a bound are refused before any
 * loop over their ports. */
Test(plan, crowded_plans_load_fast_or_are_refused, .timeout = 10)
{
    size_t n = 20000, line = strlen("a,5000,tcp udp sctp dccp,team-a,,assigned,,\n");
    char *text = malloc(sizeof HEADER + n * line);
    cr_assert_not_null(text);
    strcpy(text, HEADER);
    for (size_t i = 0, at = strlen(HEADER); i < n; i++, at += line)
        memcpy(text + at, "a,5000,tcp udp sctp dccp,team-a,,assigned,,\n", line + 1);
    pr_registry *reg = load_good(text);
    cr_assert_eq(reg->record_count - reg->local_first, 4 * n);
    pr_registry_free(reg);
    strcpy(text, HEADER);
    for (int i = 0; i < 40; i++)
        strcat(text, ",0-65535,,team-a,,band,,\n");
    pr_error err;
    cr_assert_null(load_with_plan(text, strlen(text), &err));
    cr_assert_str_eq(format_error(&err),
                     "port-plan.csv:10: Port Number: the plan's entries cover over 2097152 ports "
                     "and protocols in all");
    free(text);
}

Test(plan, a_plan_with_only_a_header_loads_empty)
{
    pr_registry *reg = load_good("# nothing planned yet\n" HEADER);
    cr_assert(reg->has_plan);
    cr_assert_eq(reg->owner_count, 0);
    cr_assert_eq(reg->record_count, reg->local_first);
    pr_registry_free(reg);
}

Test(plan, comments_only_is_no_header)
{
    pr_error err;
    const char *text = "# only a comment\n";
    cr_assert_null(load_with_plan(text, strlen(text), &err));
    cr_assert_str_eq(format_error(&err), "port-plan.csv:1: header: no header row");
}

Test(plan, a_plan_named_apart_replaces_the_directorys)
{
    pr_error err;
    pr_registry *reg = pr_registry_load_dir_plan(SAMPLE_DIR, "/nonexistent/plan.csv", &err);
    cr_assert_null(reg, "a plan that cannot be read fails the load");
    cr_assert(strstr(format_error(&err), "/nonexistent/plan.csv"), "%s", format_error(&err));
    reg = pr_registry_load_dir(SAMPLE_DIR, &err);
    cr_assert_not_null(reg);
    cr_assert_not(reg->has_plan, "the sample directory has no port-plan.csv");
    pr_registry_free(reg);
}

Test(plan, the_builtin_registry_takes_a_plan)
{
    char path[] = "/tmp/portreg-plan-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    FILE *f = fdopen(fd, "w");
    fputs(HEADER "payments-api,8080,tcp,team-payments,,assigned,,\n", f);
    fclose(f);
    pr_error err;
    pr_registry *reg = pr_builtin_load_plan(path, &err);
    remove(path);
    cr_assert_not_null(reg, "%s", format_error(&err));
    cr_assert_eq(reg->owner_count, 1);
    cr_assert_eq(reg->plan_warnings, 1, "8080/tcp is IANA's http-alt");
    cr_assert(strstr(format_error(&reg->warnings[reg->warning_count - 1]), "http-alt"));
    pr_registry_free(reg);
}

/* ---- every file under plan/bad/ fails as its first line expects ---- */

static void check_bad(const char *file)
{
    char path[1024];
    snprintf(path, sizeof path, DATA_DIR "/plan/bad/%s", file);
    size_t len;
    char *text = (char *)read_whole_file(path, &len);
    cr_assert_not_null(text, "cannot read %s", path);
    static const char prefix[] = "# expect: ";
    cr_assert_eq(strncmp(text, prefix, sizeof prefix - 1), 0, "%s: no expect line", file);
    char want[512];
    const char *w = text + sizeof prefix - 1;
    snprintf(want, sizeof want, "%.*s", (int)strcspn(w, "\n"), w);
    pr_error err;
    pr_error_clear(&err);
    pr_registry *reg = load_with_plan(text, len, &err);
    free(text);
    if (reg)
        pr_registry_free(reg);
    cr_expect_null(reg, "%s loaded", file);
    cr_expect_str_eq(format_error(&err), want, "%s:\n got:  %s\n want: %s", file,
                     format_error(&err), want);
}

Test(plan_bad, every_file_fails_as_it_expects)
{
    DIR *d = opendir(DATA_DIR "/plan/bad");
    cr_assert_not_null(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".csv") != 0)
            continue;
        check_bad(e->d_name);
        n++;
    }
    closedir(d);
    cr_assert_geq(n, 14, "the cases are all there");
}

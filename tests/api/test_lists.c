/* The list resources (/v1/services, /v1/search, /v1/assignees,
 * /v1/contacts) on the sample registry. Expected answers come from reading
 * the sample CSV files here, independently of data/'s loader and indexes. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_test.h"
#include "fixture.h"

static table_rows records, contacts;

static void setup(void)
{
    fixture_sample();
    records = table_read(SAMPLE_DIR "/" PR_RECORDS_FILE);
    contacts = table_read(SAMPLE_DIR "/" PR_CONTACTS_FILE);
}

static void teardown(void)
{
    table_free(&records);
    table_free(&contacts);
    fixture_close();
}

TestSuite(lists, .init = setup, .fini = teardown);

/* ---- records ---- */

typedef bool (*row_filter)(char **row, const char *arg);

static bool any_row(char **row, const char *arg)
{
    (void)row, (void)arg;
    return true;
}

static bool proto_is(char **row, const char *arg)
{
    return strcmp(row[COL_PROTO], arg) == 0;
}

static bool status_is(char **row, const char *arg)
{
    return row_status_is(row, arg);
}

static bool assignee_is(char **row, const char *arg)
{
    return row_cites(row[COL_ASSIGNEE], arg);
}

static bool contact_is(char **row, const char *arg)
{
    return row_cites(row[COL_CONTACT], arg);
}

static bool covers(char **row, const char *arg)
{
    return row_covers_port(row, (unsigned)atoi(arg));
}

static bool matches_term(char **row, const char *arg)
{
    return row_matches_term(row, arg);
}

/* Asserts that item is the Record of row: the fields the CSV states plainly. */
static void assert_record_is_row(json_t *item, char **row, size_t at)
{
    json_t *service = json_object_get(item, "service");
    if (row[COL_SERVICE][0])
        cr_assert_str_eq(json_string_value(service), row[COL_SERVICE], "item %zu", at);
    else
        cr_assert(json_is_null(service), "item %zu: no name is null", at);
    cr_assert_eq(member_int(item, "port"), atoll(row[COL_PORT]), "item %zu (%s)", at,
                 row[COL_SERVICE]);
    json_t *proto = json_object_get(item, "protocol");
    if (row[COL_PROTO][0])
        cr_assert_str_eq(json_string_value(proto), row[COL_PROTO], "item %zu", at);
    else
        cr_assert(json_is_null(proto), "item %zu", at);
    cr_assert_str_eq(member_str(item, "description"), row[COL_DESC], "item %zu", at);
}

/* The matching rows, in file order. */
static size_t expected_rows(row_filter keep, const char *arg, char ***out)
{
    size_t n = 0;
    for (size_t i = 0; i < records.count; i++)
        if (keep(records.rows[i], arg))
            out[n++] = records.rows[i];
    return n;
}

/* GETs target and checks the envelope and every item against the rows the
 * filter keeps, from `offset` on. Returns the total. */
static size_t check_records(const char *target, row_filter keep, const char *arg, size_t limit,
                            size_t offset)
{
    char ***want = calloc(records.count + 1, sizeof *want);
    size_t total = expected_rows(keep, arg, want);
    json_t *j = get_ok(api, &ex, target);
    cr_assert_eq(member_int(j, "total"), (long long)total, "%s", target);
    cr_assert_eq(member_int(j, "limit"), (long long)limit, "%s", target);
    cr_assert_eq(member_int(j, "offset"), (long long)offset, "%s", target);
    json_t *items = member_array(j, "items");
    size_t shown = offset >= total ? 0 : total - offset < limit ? total - offset : limit;
    cr_assert_eq(json_array_size(items), shown, "%s", target);
    for (size_t i = 0; i < shown; i++)
        assert_record_is_row(json_array_get(items, i), want[offset + i], offset + i);
    free(want);
    exchange_end(&ex);
    return total;
}

Test(lists, services_without_filter_pages_every_record)
{
    cr_assert_eq(check_records("/v1/services", any_row, NULL, 100, 0), 128);
    check_records("/v1/services?limit=1000", any_row, NULL, 1000, 0);
    check_records("/v1/services?offset=100", any_row, NULL, 100, 100);
    check_records("/v1/services?limit=5&offset=3", any_row, NULL, 5, 3);
    check_records("/v1/services?offset=500", any_row, NULL, 100, 500);
}

Test(lists, services_by_protocol)
{
    size_t tcp = check_records("/v1/services?protocol=tcp&limit=1000", proto_is, "tcp", 1000, 0);
    size_t udp = check_records("/v1/services?protocol=UDP&limit=1000", proto_is, "udp", 1000, 0);
    size_t none = check_records("/v1/services?protocol=none&limit=1000", proto_is, "", 1000, 0);
    cr_assert_eq(check_records("/v1/services?protocol=NONE&limit=1000", proto_is, "", 1000, 0),
                 none);
    check_records("/v1/services?protocol=sctp", proto_is, "sctp", 100, 0);
    check_records("/v1/services?protocol=dccp", proto_is, "dccp", 100, 0);
    cr_assert_gt(none, 0, "the sample has records without protocol");
    cr_assert_eq(tcp + udp + none, 128, "the sample has neither sctp nor dccp rows");
}

Test(lists, services_by_status)
{
    size_t a =
        check_records("/v1/services?status=assigned&limit=1000", status_is, "assigned", 1000, 0);
    size_t r =
        check_records("/v1/services?status=reserved&limit=1000", status_is, "reserved", 1000, 0);
    size_t u = check_records("/v1/services?status=unassigned&limit=1000", status_is, "unassigned",
                             1000, 0);
    cr_assert_eq(a + r + u, 128);
    cr_assert_gt(r, 0);
    cr_assert_gt(u, 0);
}

Test(lists, services_by_person)
{
    cr_assert_eq(check_records("/v1/services?assignee=IESG", assignee_is, "IESG", 100, 0), 3);
    check_records("/v1/services?assignee=%5BIESG%5D", assignee_is, "IESG", 100, 0);
    check_records("/v1/services?contact=IETF_Chair", contact_is, "IETF_Chair", 100, 0);
    check_records("/v1/services?assignee=Abhay_Rajaram", assignee_is, "Abhay_Rajaram", 100, 0);
    cr_assert_eq(
        check_records("/v1/services?contact=Evgeny_Klimov", contact_is, "Evgeny_Klimov", 100, 0),
        2);
    /* a contact who assigns nothing: a valid ID that matches no record */
    cr_assert_eq(
        check_records("/v1/services?assignee=Evgeny_Klimov", assignee_is, "Evgeny_Klimov", 100, 0),
        0);
    cr_assert_eq(check_records("/v1/services?assignee=No_Such_Person", assignee_is,
                               "No_Such_Person", 100, 0),
                 0);
}

Test(lists, services_by_port)
{
    cr_assert_eq(check_records("/v1/services?port=4726", covers, "4726", 100, 0), 2);
    cr_assert_eq(check_records("/v1/services?port=5260", covers, "5260", 100, 0), 1);
    check_records("/v1/services?port=4810", covers, "4810", 100, 0);
    cr_assert_eq(check_records("/v1/services?port=1", covers, "1", 100, 0), 0);
}

Test(lists, services_by_term)
{
    cr_assert_eq(check_records("/v1/services?q=ups", matches_term, "ups", 100, 0), 27);
    check_records("/v1/services?q=UPS", matches_term, "ups", 100, 0);
    check_records("/v1/services?q=526", matches_term, "526", 100, 0);
    check_records("/v1/services?q=cc%3Amail%2Flotus", matches_term, "cc:mail/lotus", 100, 0);
    check_records("/v1/services?q=%20", matches_term, " ", 100, 0);
}

static bool unassigned_any_protocol_with_5(char **row, const char *arg)
{
    (void)arg;
    return proto_is(row, "") && row_status_is(row, "unassigned") && row_matches_term(row, "5");
}

Test(lists, services_filters_combine)
{
    check_records("/v1/services?protocol=none&status=unassigned&q=5",
                  unassigned_any_protocol_with_5, NULL, 100, 0);
    check_records("/v1/services?q=5&status=unassigned&protocol=none&limit=2&offset=1",
                  unassigned_any_protocol_with_5, NULL, 2, 1);
}

/* ---- search ---- */

static int by_strcmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char **contact_row(const char *id)
{
    for (size_t i = 0; i < contacts.count; i++) {
        const char *cell = contacts.rows[i][CCOL_ID];
        if (cell[0] == '[' && strncmp(cell + 1, id, strlen(id)) == 0 &&
            strcmp(cell + 1 + strlen(id), "]") == 0)
            return contacts.rows[i];
    }
    return NULL;
}

/* Adds each bracketed ID of cell to ids (as new strings) unless present. */
static void add_ids(const char *cell, char **ids, size_t *n)
{
    for (const char *p = strchr(cell, '['); p; p = strchr(p + 1, '[')) {
        const char *close = strchr(p, ']');
        cr_assert_not_null(close);
        char *id = strndup(p + 1, (size_t)(close - p - 1));
        bool seen = false;
        for (size_t i = 0; i < *n && !seen; i++)
            seen = strcmp(ids[i], id) == 0;
        if (seen)
            free(id);
        else
            ids[(*n)++] = id;
    }
}

static void assert_contact_is_row(json_t *item, char **row)
{
    const char *cols[] = {"name", "organization", "uri", "updated"};
    const int idx[] = {CCOL_NAME, CCOL_ORG, CCOL_URI, CCOL_UPDATED};
    for (size_t k = 0; k < 4; k++) {
        json_t *v = json_object_get(item, cols[k]);
        if (row[idx[k]][0])
            cr_assert_str_eq(json_string_value(v), row[idx[k]], "%s", cols[k]);
        else
            cr_assert(json_is_null(v), "%s of %s", cols[k], row[CCOL_ID]);
    }
    json_t *email = json_object_get(item, "email");
    if (strncmp(row[CCOL_URI], "mailto:", 7) == 0) {
        char want[256];
        snprintf(want, sizeof want, "%s", row[CCOL_URI] + 7);
        for (char *c = want; *c; c++)
            *c = *c == '&' ? '@' : *c;
        cr_assert_str_eq(json_string_value(email), want);
    } else {
        cr_assert(json_is_null(email));
    }
}

/* Checks /v1/search for term over a page: its records, then the contacts those
 * records cite, once each, by ID. */
static void check_search(const char *target, const char *term, size_t limit, size_t offset,
                         size_t want_total, size_t want_contacts)
{
    char ***want = calloc(records.count + 1, sizeof *want);
    size_t total = expected_rows(matches_term, term, want);
    cr_assert_eq(total, want_total, "the sample itself: %zu rows match %s", total, term);
    json_t *j = get_ok(api, &ex, target);
    cr_assert_eq(member_int(j, "total"), (long long)total);
    cr_assert_eq(member_int(j, "limit"), (long long)limit);
    cr_assert_eq(member_int(j, "offset"), (long long)offset);
    json_t *items = member_array(j, "items");
    size_t shown = offset >= total ? 0 : total - offset < limit ? total - offset : limit;
    cr_assert_eq(json_array_size(items), shown);

    char *ids[256];
    size_t n = 0;
    for (size_t i = 0; i < shown; i++) {
        char **row = want[offset + i];
        assert_record_is_row(json_array_get(items, i), row, offset + i);
        add_ids(row[COL_ASSIGNEE], ids, &n);
        add_ids(row[COL_CONTACT], ids, &n);
    }
    qsort(ids, n, sizeof *ids, by_strcmp);
    json_t *list = member_array(j, "contacts");
    cr_assert_eq(json_array_size(list), n, "%s: cited contacts", target);
    cr_assert_eq(n, want_contacts);
    for (size_t i = 0; i < n; i++) {
        json_t *c = json_array_get(list, i);
        cr_assert_str_eq(member_str(c, "id"), ids[i], "contact %zu", i);
        char **row = contact_row(ids[i]);
        cr_assert_not_null(row, "%s is in the contact table", ids[i]);
        assert_contact_is_row(c, row);
        free(ids[i]);
    }
    free(want);
    exchange_end(&ex);
}

Test(lists, search_ups_is_the_seed)
{
    check_search("/v1/search?q=ups", "ups", 100, 0, 27, 12);
    check_search("/v1/search?q=UpS", "ups", 100, 0, 27, 12);
}

Test(lists, search_contacts_follow_the_page)
{
    check_search("/v1/search?q=ups&limit=5&offset=25", "ups", 5, 25, 27, 1);
    check_search("/v1/search?q=ups&limit=4", "ups", 4, 0, 27, 2);
    check_search("/v1/search?q=ups&offset=27", "ups", 100, 27, 27, 0);
}

Test(lists, search_without_matches)
{
    check_search("/v1/search?q=zzzz", "zzzz", 100, 0, 0, 0);
}

/* ---- assignees ---- */

typedef struct assignee_count {
    char *id;
    long long count;
} assignee_count;

static int by_id(const void *a, const void *b)
{
    return strcmp(((const assignee_count *)a)->id, ((const assignee_count *)b)->id);
}

static int by_count(const void *a, const void *b)
{
    const assignee_count *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return strcmp(x->id, y->id);
}

/* Every assignee with the number of rows that name it. */
static size_t count_assignees(assignee_count *out)
{
    char *ids[256];
    size_t n = 0;
    for (size_t i = 0; i < records.count; i++)
        add_ids(records.rows[i][COL_ASSIGNEE], ids, &n);
    for (size_t k = 0; k < n; k++) {
        out[k].id = ids[k];
        out[k].count = 0;
        for (size_t i = 0; i < records.count; i++)
            out[k].count += row_cites(records.rows[i][COL_ASSIGNEE], ids[k]);
    }
    return n;
}

static void check_assignees(const char *target, int (*order)(const void *, const void *))
{
    assignee_count want[256];
    size_t n = count_assignees(want);
    qsort(want, n, sizeof *want, order);
    json_t *j = get_ok(api, &ex, target);
    cr_assert_eq(member_int(j, "total"), (long long)n);
    json_t *items = member_array(j, "items");
    cr_assert_eq(json_array_size(items), n);
    for (size_t i = 0; i < n; i++) {
        json_t *item = json_array_get(items, i);
        cr_assert_str_eq(member_str(item, "id"), want[i].id, "item %zu", i);
        cr_assert_eq(member_int(item, "count"), want[i].count, "%s", want[i].id);
        char **row = contact_row(want[i].id);
        cr_assert_not_null(row);
        json_t *name = json_object_get(item, "name");
        if (row[CCOL_NAME][0])
            cr_assert_str_eq(json_string_value(name), row[CCOL_NAME]);
        else
            cr_assert(json_is_null(name));
        cr_assert_eq(json_object_size(item), 4, "id, name, organization, count");
        free(want[i].id);
    }
    exchange_end(&ex);
}

Test(lists, assignees_by_id)
{
    check_assignees("/v1/assignees?limit=1000", by_id);
    check_assignees("/v1/assignees?sort=id&limit=1000", by_id);
}

Test(lists, assignees_by_count)
{
    check_assignees("/v1/assignees?sort=count&limit=1000", by_count);
    json_t *j = get_ok(api, &ex, "/v1/assignees?sort=count&limit=2");
    json_t *items = member_array(j, "items");
    cr_assert_eq(json_array_size(items), 2);
    cr_assert_str_eq(member_str(json_array_get(items, 0), "id"), "Abhay_Rajaram");
    cr_assert_eq(member_int(json_array_get(items, 0), "count"), 4);
    cr_assert_str_eq(member_str(json_array_get(items, 1), "id"), "IESG");
    cr_assert_eq(member_int(json_array_get(items, 1), "count"), 3);
}

Test(lists, assignees_page)
{
    assignee_count want[256];
    size_t n = count_assignees(want);
    qsort(want, n, sizeof *want, by_id);
    json_t *j = get_ok(api, &ex, "/v1/assignees?limit=3&offset=4");
    cr_assert_eq(member_int(j, "total"), (long long)n);
    json_t *items = member_array(j, "items");
    cr_assert_eq(json_array_size(items), 3);
    for (size_t i = 0; i < 3; i++)
        cr_assert_str_eq(member_str(json_array_get(items, i), "id"), want[4 + i].id);
    exchange_end(&ex);
    j = get_ok(api, &ex, "/v1/assignees?limit=3&offset=1000");
    cr_assert_eq(json_array_size(member_array(j, "items")), 0);
    cr_assert_eq(member_int(j, "total"), (long long)n);
    for (size_t i = 0; i < n; i++)
        free(want[i].id);
}

/* ---- contacts ---- */

static bool contact_matches(char **row, const char *term)
{
    const char *id = row[CCOL_ID];
    char bare[160];
    snprintf(bare, sizeof bare, "%.*s", (int)strlen(id) - 2, id + 1);
    /* the e-mail address is the mailto: URI with its last '&' read as '@' */
    char email[256] = "";
    if (strncmp(row[CCOL_URI], "mailto:", 7) == 0) {
        snprintf(email, sizeof email, "%s", row[CCOL_URI] + 7);
        char *amp = strchr(email, '@') ? NULL : strrchr(email, '&');
        if (amp)
            *amp = '@';
    }
    return text_contains_folded(bare, term) || text_contains_folded(row[CCOL_NAME], term) ||
           text_contains_folded(row[CCOL_ORG], term) || text_contains_folded(row[CCOL_URI], term) ||
           text_contains_folded(email, term);
}

/* GETs target and checks the page [offset, offset + limit) of the contact rows
 * that term matches (all rows when term is NULL). Returns the total. */
static size_t check_contact_page(const char *target, const char *term, size_t limit, size_t offset)
{
    char **want[128];
    size_t n = 0;
    for (size_t i = 0; i < contacts.count; i++)
        if (!term || contact_matches(contacts.rows[i], term))
            want[n++] = contacts.rows[i];
    json_t *j = get_ok(api, &ex, target);
    cr_assert_eq(member_int(j, "total"), (long long)n, "%s", target);
    cr_assert_eq(member_int(j, "limit"), (long long)limit, "%s", target);
    cr_assert_eq(member_int(j, "offset"), (long long)offset, "%s", target);
    json_t *items = member_array(j, "items");
    size_t shown = offset >= n ? 0 : n - offset < limit ? n - offset : limit;
    cr_assert_eq(json_array_size(items), shown, "%s", target);
    for (size_t i = 0; i < shown; i++) {
        json_t *item = json_array_get(items, i);
        const char *id = want[offset + i][CCOL_ID];
        char bare[160];
        snprintf(bare, sizeof bare, "%.*s", (int)strlen(id) - 2, id + 1);
        cr_assert_str_eq(member_str(item, "id"), bare, "%s: item %zu", target, i);
        assert_contact_is_row(item, want[offset + i]);
    }
    exchange_end(&ex);
    return n;
}

static size_t check_contacts(const char *target, const char *term)
{
    return check_contact_page(target, term, 100, 0);
}

Test(lists, contacts_all)
{
    cr_assert_eq(check_contacts("/v1/contacts", NULL), 55);
}

Test(lists, contacts_by_term)
{
    cr_assert_eq(check_contacts("/v1/contacts?q=daegis", "daegis"), 2, "name and organization");
    cr_assert_eq(check_contacts("/v1/contacts?q=IBM.COM", "ibm.com"), 2, "uri, any case");
    check_contacts("/v1/contacts?q=david", "david");
    check_contacts("/v1/contacts?q=_2", "_2");
    check_contacts("/v1/contacts?q=mailto%3A", "mailto:");
    cr_assert_eq(check_contacts("/v1/contacts?q=nobody-here", "nobody-here"), 0);
    /* people search by the address they know, with '@' */
    cr_assert_eq(
        check_contacts("/v1/contacts?q=iana%40networkupstools.org", "iana@networkupstools.org"), 1);
    cr_assert_eq(check_contacts("/v1/contacts?q=%40", "@"), 55, "every sample contact has one");
}

Test(lists, contacts_page)
{
    check_contact_page("/v1/contacts?limit=5&offset=10", NULL, 5, 10);
    check_contact_page("/v1/contacts?limit=10&offset=50", NULL, 10, 50);
    check_contact_page("/v1/contacts?offset=55", NULL, 100, 55);
    check_contact_page("/v1/contacts?q=david&limit=2&offset=1", "david", 2, 1);
}

Test(lists, contacts_search_does_not_cross_fields)
{
    /* "Chris_Anderson" then "Chris Anderson": the id's end and the name's start
     * are adjacent only across a field boundary */
    cr_assert_eq(check_contacts("/v1/contacts?q=andersonchris", "andersonchris"), 0);
    cr_assert_eq(check_contacts("/v1/contacts?q=anderson%20chris", "anderson chris"), 0);
}

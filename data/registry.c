/* registry.c: builds a pr_registry from the two CSV files, once (see registry.h). */
#include "registry.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "csv_table.h"
#include "fields.h"
#include "updated.h"

/* ---- storage: everything a registry owns, freed together ---- */

typedef struct chunk {
    struct chunk *next;
    size_t used, size;
    char data[];
} chunk;

typedef struct storage {
    chunk *chunks; /* strings; chunks never move, so pointers stay valid */
    pr_record *records;
    pr_person *people;
    pr_service_name *names;
    uint32_t *person_refs;
    const char **references;
    uint32_t *person_records;
    uint32_t *name_records;
    uint32_t *port_start;
    uint32_t *port_records;
    uint8_t *port_status;
    char *search_text;
    uint32_t *search_start;
    pr_error *warnings;
} storage;

static void storage_free(storage *st)
{
    if (!st)
        return;
    for (chunk *c = st->chunks, *next; c; c = next) {
        next = c->next;
        free(c);
    }
    free(st->records);
    free(st->people);
    free(st->names);
    free(st->person_refs);
    free(st->references);
    free(st->person_records);
    free(st->name_records);
    free(st->port_start);
    free(st->port_records);
    free(st->port_status);
    free(st->search_text);
    free(st->search_start);
    free(st->warnings);
    free(st);
}

/* Copies text[0..len) into the string chunks, NUL-terminated. */
static const char *store_string(storage *st, const char *text, size_t len)
{
    static const char empty[] = "";
    if (len == 0)
        return empty;
    chunk *c = st->chunks;
    if (!c || c->size - c->used < len + 1) {
        size_t size = len + 1 > 64 * 1024 ? len + 1 : 64 * 1024;
        chunk *fresh = malloc(sizeof *fresh + size);
        if (!fresh)
            return NULL;
        fresh->used = 0;
        fresh->size = size;
        fresh->next = st->chunks;
        st->chunks = fresh;
        c = fresh;
    }
    char *out = c->data + c->used;
    memcpy(out, text, len);
    out[len] = '\0';
    c->used += len + 1;
    return out;
}

/* Grows *array (of elem-sized items) so that it holds at least need items. */
static bool reserve(void **array, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return true;
    size_t n = *cap ? *cap : 64;
    while (n < need)
        n *= 2;
    void *grown = realloc(*array, n * elem);
    if (!grown)
        return false;
    *array = grown;
    *cap = n;
    return true;
}

/* ---- names, dates, statuses ---- */

static const char *const proto_names[PR_PROTO_COUNT] = {"", "tcp", "udp", "sctp", "dccp"};
static const char *const status_names[PR_STATUS_COUNT] = {"assigned", "reserved", "unassigned",
                                                          "dynamic"};
static const char *const class_names[] = {"system", "user", "dynamic"};

const char *pr_proto_name(enum pr_proto proto)
{
    return (unsigned)proto < PR_PROTO_COUNT ? proto_names[proto] : "";
}

static int ascii_lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* Case-insensitive (ASCII) comparison of a NUL-terminated name with text[0..len). */
static int name_cmp(const char *name, const char *text, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        int a = ascii_lower((unsigned char)name[i]), b = ascii_lower((unsigned char)text[i]);
        if (a != b || a == 0)
            return a - b;
    }
    return (unsigned char)name[len];
}

static bool word_is(const char *word, const char *text, size_t len)
{
    return strlen(word) == len && name_cmp(word, text, len) == 0;
}

bool pr_proto_parse(const char *text, size_t len, enum pr_proto *out)
{
    for (int p = PR_PROTO_TCP; p < PR_PROTO_COUNT; p++) {
        if (word_is(proto_names[p], text, len)) {
            *out = (enum pr_proto)p;
            return true;
        }
    }
    return false;
}

const char *pr_status_name(enum pr_status status)
{
    return (unsigned)status < PR_STATUS_COUNT ? status_names[status] : "";
}

bool pr_status_parse(const char *text, size_t len, enum pr_status *out)
{
    for (int s = 0; s < PR_STATUS_COUNT; s++) {
        if (word_is(status_names[s], text, len)) {
            *out = (enum pr_status)s;
            return true;
        }
    }
    return false;
}

const char *pr_range_class_name(enum pr_range_class cls)
{
    return (unsigned)cls <= PR_CLASS_DYNAMIC ? class_names[cls] : "";
}

enum pr_range_class pr_range_class_of(uint16_t port)
{
    if (port <= 1023)
        return PR_CLASS_SYSTEM;
    return port <= 49151 ? PR_CLASS_USER : PR_CLASS_DYNAMIC;
}

static bool read_digits(const char *text, size_t n, unsigned *out)
{
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        if (text[i] < '0' || text[i] > '9')
            return false;
        v = v * 10 + (unsigned)(text[i] - '0');
    }
    *out = v;
    return true;
}

bool pr_date_parse(const char *text, size_t len, pr_date *out)
{
    static const unsigned char days_in[13] = {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    unsigned y, m = 0, d = 0;
    if ((len != 4 && len != 7 && len != 10) || !read_digits(text, 4, &y) || y == 0)
        return false;
    if (len >= 7 && (text[4] != '-' || !read_digits(text + 5, 2, &m) || m < 1 || m > 12))
        return false;
    if (len == 10) {
        if (text[7] != '-' || !read_digits(text + 8, 2, &d) || d < 1 || d > days_in[m])
            return false;
        bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        if (m == 2 && d == 29 && !leap)
            return false;
    }
    *out = (pr_date){(uint16_t)y, (uint8_t)m, (uint8_t)d};
    return true;
}

char *pr_date_format(pr_date date, char buf[11])
{
    /* the modulos bound each part, for the reader and for -Wformat-truncation */
    unsigned y = date.year % 10000u, m = date.month % 100u, d = date.day % 100u;
    if (y == 0)
        buf[0] = '\0';
    else if (m == 0)
        snprintf(buf, 11, "%04u", y);
    else if (d == 0)
        snprintf(buf, 11, "%04u-%02u", y, m);
    else
        snprintf(buf, 11, "%04u-%02u-%02u", y, m, d);
    return buf;
}

int pr_date_cmp(pr_date a, pr_date b)
{
    if (a.year != b.year)
        return a.year < b.year ? -1 : 1;
    if (a.month != b.month)
        return a.month < b.month ? -1 : 1;
    if (a.day != b.day)
        return a.day < b.day ? -1 : 1;
    return 0;
}

enum pr_status pr_record_status_of(const char *service, const char *description)
{
    if (service[0])
        return PR_STATUS_ASSIGNED;
    size_t n = strlen("unassigned");
    if (strlen(description) >= n && name_cmp("unassigned", description, n) == 0)
        return PR_STATUS_UNASSIGNED;
    return PR_STATUS_RESERVED;
}

/* ---- loading ---- */

enum rec_col {
    COL_SERVICE,
    COL_PORT,
    COL_PROTO,
    COL_DESCRIPTION,
    COL_ASSIGNEE,
    COL_CONTACT,
    COL_REGISTERED,
    COL_MODIFIED,
    COL_REFERENCE,
    COL_SERVICE_CODE,
    COL_UNAUTHORIZED,
    COL_NOTES,
    REC_COLS
};

static const char *const record_columns[REC_COLS] = {
    "Service Name", "Port Number",  "Transport Protocol",        "Description",
    "Assignee",     "Contact",      "Registration Date",         "Modification Date",
    "Reference",    "Service Code", "Unauthorized Use Reported", "Assignment Notes"};

enum contact_col { CCOL_ID, CCOL_NAME, CCOL_ORG, CCOL_URI, CCOL_UPDATED, CONTACT_COLS };

static const char *const contact_columns[CONTACT_COLS] = {"ID", "Name", "Organization",
                                                          "Contact URI", "Last Updated"};

/* An ID cited by a record, before people are known: where, and in which cell. */
typedef struct citation {
    const char *id;
    uint32_t record;
    uint32_t line;
    uint8_t as_contact; /* 0: Assignee column, 1: Contact column */
} citation;

typedef struct builder {
    storage *st;
    const char *records_name;
    const char *contacts_name;
    size_t record_cap, people_cap, ref_cap, cite_cap, warn_cap;
    uint32_t record_count, person_count, ref_count, cite_count, warning_count;
    citation *cites;
    pr_date newest;
} builder;

static int out_of_memory(builder *b, const char *file, unsigned long line, pr_error *err)
{
    (void)b;
    pr_error_set(err, file, line, NULL, "out of memory");
    return -1;
}

static void note_date(builder *b, pr_date d)
{
    if (pr_date_cmp(d, b->newest) > 0)
        b->newest = d;
}

static int on_record_row(void *ctx, const pr_csv_field *f, unsigned long line, pr_error *err)
{
    builder *b = ctx;
    storage *st = b->st;
    const char *file = b->records_name;
    char why[256];
    if (!reserve((void **)&st->records, &b->record_cap, (size_t)b->record_count + 1,
                 sizeof *st->records))
        return out_of_memory(b, file, line, err);
    pr_record *r = &st->records[b->record_count];
    memset(r, 0, sizeof *r);
    r->line = (uint32_t)line;

    bool has_port, has_code;
    enum pr_proto proto;
#define CELL_OR_FAIL(ok, col)                                                                      \
    do {                                                                                           \
        if (!(ok)) {                                                                               \
            pr_error_set(err, file, f[col].line, record_columns[col], "%s", why);                  \
            return -1;                                                                             \
        }                                                                                          \
    } while (0)
    CELL_OR_FAIL(pr_parse_port_cell(f[COL_PORT].text, f[COL_PORT].len, &has_port, &r->port_first,
                                    &r->port_last, why, sizeof why),
                 COL_PORT);
    CELL_OR_FAIL(pr_parse_proto_cell(f[COL_PROTO].text, f[COL_PROTO].len, &proto, why, sizeof why),
                 COL_PROTO);
    CELL_OR_FAIL(pr_parse_date_cell(f[COL_REGISTERED].text, f[COL_REGISTERED].len, &r->registered,
                                    why, sizeof why),
                 COL_REGISTERED);
    CELL_OR_FAIL(pr_parse_date_cell(f[COL_MODIFIED].text, f[COL_MODIFIED].len, &r->modified, why,
                                    sizeof why),
                 COL_MODIFIED);
    CELL_OR_FAIL(pr_parse_service_code(f[COL_SERVICE_CODE].text, f[COL_SERVICE_CODE].len, &has_code,
                                       &r->service_code, why, sizeof why),
                 COL_SERVICE_CODE);
    r->has_port = has_port;
    r->is_range = has_port && memchr(f[COL_PORT].text, '-', f[COL_PORT].len) != NULL;
    r->has_service_code = has_code;
    r->proto = (uint8_t)proto;
    note_date(b, r->registered);
    note_date(b, r->modified);

    /* IDs are resolved to people once the contact table is read. */
    static const enum rec_col id_cols[2] = {COL_ASSIGNEE, COL_CONTACT};
    for (int k = 0; k < 2; k++) {
        const pr_csv_field *cell = &f[id_cols[k]];
        pr_text_span spans[PR_MAX_IDS_PER_CELL];
        size_t n;
        CELL_OR_FAIL(pr_parse_id_list(cell->text, cell->len, spans, PR_MAX_IDS_PER_CELL, &n, why,
                                      sizeof why),
                     id_cols[k]);
        if (!reserve((void **)&b->cites, &b->cite_cap, b->cite_count + n, sizeof *b->cites))
            return out_of_memory(b, file, line, err);
        for (size_t i = 0; i < n; i++) {
            const char *id = store_string(st, cell->text + spans[i].offset, spans[i].len);
            if (!id)
                return out_of_memory(b, file, line, err);
            b->cites[b->cite_count++] =
                (citation){id, b->record_count, (uint32_t)cell->line, (uint8_t)k};
        }
    }

    pr_text_span spans[256];
    size_t nrefs;
    CELL_OR_FAIL(pr_parse_reference_list(f[COL_REFERENCE].text, f[COL_REFERENCE].len, spans, 256,
                                         &nrefs, why, sizeof why),
                 COL_REFERENCE);
#undef CELL_OR_FAIL
    if (!reserve((void **)&st->references, &b->ref_cap, b->ref_count + nrefs,
                 sizeof *st->references))
        return out_of_memory(b, file, line, err);
    r->references = (pr_span){b->ref_count, (uint32_t)nrefs};
    for (size_t i = 0; i < nrefs; i++) {
        const char *ref = store_string(st, f[COL_REFERENCE].text + spans[i].offset, spans[i].len);
        if (!ref)
            return out_of_memory(b, file, line, err);
        st->references[b->ref_count++] = ref;
    }

    r->service = store_string(st, f[COL_SERVICE].text, f[COL_SERVICE].len);
    r->description = store_string(st, f[COL_DESCRIPTION].text, f[COL_DESCRIPTION].len);
    r->unauthorized_use = store_string(st, f[COL_UNAUTHORIZED].text, f[COL_UNAUTHORIZED].len);
    r->notes = store_string(st, f[COL_NOTES].text, f[COL_NOTES].len);
    r->port_text = store_string(st, f[COL_PORT].text, f[COL_PORT].len);
    if (!r->service || !r->description || !r->unauthorized_use || !r->notes || !r->port_text)
        return out_of_memory(b, file, line, err);
    r->status = (uint8_t)pr_record_status_of(r->service, r->description);
    b->record_count++;
    return 0;
}

/* IANA hides '@' in mailto: URIs as '&'; the last '&' is the one that stood
 * for '@', as a domain cannot hold one. */
static const char *email_of(storage *st, const char *uri)
{
    static const char prefix[] = "mailto:";
    if (strncmp(uri, prefix, sizeof prefix - 1) != 0)
        return "";
    const char *addr = uri + sizeof prefix - 1;
    size_t len = strlen(addr);
    const char *q = memchr(addr, '?', len); /* RFC 6068 header fields are not the address */
    if (q)
        len = (size_t)(q - addr);
    char *copy = (char *)store_string(st, addr, len);
    if (!copy || !memchr(copy, '@', len)) {
        char *amp = copy ? strrchr(copy, '&') : NULL;
        if (amp)
            *amp = '@';
    }
    return copy;
}

static int on_contact_row(void *ctx, const pr_csv_field *f, unsigned long line, pr_error *err)
{
    builder *b = ctx;
    storage *st = b->st;
    const char *file = b->contacts_name;
    char why[256];
    pr_text_span span[2];
    size_t n = 0;
    if (!pr_parse_id_list(f[CCOL_ID].text, f[CCOL_ID].len, span, 2, &n, why, sizeof why) ||
        n != 1) {
        if (n != 1) {
            char q[96];
            pr_error_quote(f[CCOL_ID].text, f[CCOL_ID].len, 40, q, sizeof q);
            snprintf(why, sizeof why, "%s is not one bracketed ID such as [Jon_Postel]", q);
        }
        pr_error_set(err, file, f[CCOL_ID].line, "ID", "%s", why);
        return -1;
    }
    pr_date updated;
    if (!pr_parse_date_cell(f[CCOL_UPDATED].text, f[CCOL_UPDATED].len, &updated, why, sizeof why)) {
        pr_error_set(err, file, f[CCOL_UPDATED].line, contact_columns[CCOL_UPDATED], "%s", why);
        return -1;
    }
    if (!reserve((void **)&st->people, &b->people_cap, (size_t)b->person_count + 1,
                 sizeof *st->people))
        return out_of_memory(b, file, line, err);
    pr_person *p = &st->people[b->person_count];
    memset(p, 0, sizeof *p);
    p->id = store_string(st, f[CCOL_ID].text + span[0].offset, span[0].len);
    p->name = store_string(st, f[CCOL_NAME].text, f[CCOL_NAME].len);
    p->organization = store_string(st, f[CCOL_ORG].text, f[CCOL_ORG].len);
    p->uri = store_string(st, f[CCOL_URI].text, f[CCOL_URI].len);
    p->updated_text = store_string(st, f[CCOL_UPDATED].text, f[CCOL_UPDATED].len);
    if (!p->id || !p->name || !p->organization || !p->uri || !p->updated_text)
        return out_of_memory(b, file, line, err);
    p->email = email_of(st, p->uri);
    if (!p->email)
        return out_of_memory(b, file, line, err);
    p->updated = updated;
    p->line = (uint32_t)line;
    p->in_table = true;
    note_date(b, updated);
    b->person_count++;
    return 0;
}

static int person_cmp(const void *a, const void *b)
{
    const pr_person *x = a, *y = b;
    int c = strcmp(x->id, y->id);
    if (c)
        return c;
    /* table rows before cited-only entries, then by line: duplicates are adjacent and ordered */
    if (x->in_table != y->in_table)
        return x->in_table ? -1 : 1;
    return x->line < y->line ? -1 : x->line > y->line;
}

static int find_person_index(const pr_person *people, uint32_t count, const char *id, size_t len)
{
    uint32_t lo = 0, hi = count;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        int c = strncmp(people[mid].id, id, len);
        if (c == 0 && people[mid].id[len] != '\0')
            c = 1;
        if (c < 0)
            lo = mid + 1;
        else if (c > 0)
            hi = mid;
        else
            return (int)mid;
    }
    return -1;
}

static int add_warning(builder *b, const char *file, unsigned long line, const char *field,
                       const char *id)
{
    if (!reserve((void **)&b->st->warnings, &b->warn_cap, (size_t)b->warning_count + 1,
                 sizeof *b->st->warnings))
        return -1;
    char q[160];
    pr_error_quote(id, strlen(id), 128, q, sizeof q);
    pr_error_set(&b->st->warnings[b->warning_count++], file, line, field,
                 "ID %s is not in the contact table", q);
    return 0;
}

/* Sorts people, rejects duplicate IDs, adds entries for IDs that records cite
 * but the table lacks (with a warning each), and turns citations into person
 * indexes grouped per record and per person. */
static int link_people(builder *b, pr_error *err)
{
    storage *st = b->st;
    /* an empty contact table leaves st->people NULL, which qsort must not get */
    if (b->person_count > 0)
        qsort(st->people, b->person_count, sizeof *st->people, person_cmp);
    for (uint32_t i = 1; i < b->person_count; i++) {
        if (strcmp(st->people[i].id, st->people[i - 1].id) == 0) {
            pr_error_set(err, b->contacts_name, st->people[i].line, "ID",
                         "ID [%s] appears twice (first on line %u)", st->people[i].id,
                         (unsigned)st->people[i - 1].line);
            return -1;
        }
    }
    uint32_t table_count = b->person_count;
    for (uint32_t c = 0; c < b->cite_count; c++) {
        const citation *cite = &b->cites[c];
        size_t len = strlen(cite->id);
        if (find_person_index(st->people, table_count, cite->id, len) >= 0)
            continue;
        if (add_warning(b, b->records_name, cite->line,
                        record_columns[cite->as_contact ? COL_CONTACT : COL_ASSIGNEE],
                        cite->id) != 0)
            return out_of_memory(b, b->records_name, cite->line, err);
        if (!reserve((void **)&st->people, &b->people_cap, (size_t)b->person_count + 1,
                     sizeof *st->people))
            return out_of_memory(b, b->records_name, cite->line, err);
        pr_person *p = &st->people[b->person_count++];
        memset(p, 0, sizeof *p);
        p->id = cite->id;
        p->name = p->organization = p->uri = p->email = p->updated_text = "";
    }
    if (b->person_count > table_count) {
        /* several records may cite the same missing ID: keep one entry */
        qsort(st->people, b->person_count, sizeof *st->people, person_cmp);
        uint32_t w = 0;
        for (uint32_t i = 0; i < b->person_count; i++)
            if (w == 0 || strcmp(st->people[i].id, st->people[w - 1].id) != 0)
                st->people[w++] = st->people[i];
        b->person_count = w;
    }

    /* Per-record lists: citations are in record order, assignees before contacts. */
    st->person_refs = malloc(((size_t)b->cite_count + 1) * sizeof *st->person_refs);
    uint32_t *assignee_n = calloc((size_t)b->person_count + 1, sizeof *assignee_n);
    uint32_t *contact_n = calloc((size_t)b->person_count + 1, sizeof *contact_n);
    uint32_t *any_n = calloc((size_t)b->person_count + 1, sizeof *any_n);
    if (!st->person_refs || !assignee_n || !contact_n || !any_n) {
        free(assignee_n);
        free(contact_n);
        free(any_n);
        return out_of_memory(b, b->records_name, 0, err);
    }
    for (uint32_t c = 0; c < b->cite_count; c++) {
        const citation *cite = &b->cites[c];
        uint32_t pi =
            (uint32_t)find_person_index(st->people, b->person_count, cite->id, strlen(cite->id));
        st->person_refs[c] = pi;
        pr_record *r = &st->records[cite->record];
        pr_span *span = cite->as_contact ? &r->contacts : &r->assignees;
        if (span->count == 0)
            span->first = c;
        span->count++;
        (cite->as_contact ? contact_n : assignee_n)[pi]++;
    }
    /* any_role counts each record once per person, even when cited twice in it */
    for (uint32_t ri = 0; ri < b->record_count; ri++) {
        const pr_record *r = &st->records[ri];
        uint32_t first = r->assignees.count ? r->assignees.first : r->contacts.first;
        uint32_t n = r->assignees.count + r->contacts.count;
        for (uint32_t k = 0; k < n; k++) {
            bool dup = false;
            for (uint32_t j = 0; j < k && !dup; j++)
                dup = st->person_refs[first + j] == st->person_refs[first + k];
            if (!dup)
                any_n[st->person_refs[first + k]]++;
        }
    }
    size_t total = 0;
    for (uint32_t p = 0; p < b->person_count; p++) {
        pr_person *person = &st->people[p];
        person->as_assignee = (pr_span){(uint32_t)total, 0};
        total += assignee_n[p];
        person->as_contact = (pr_span){(uint32_t)total, 0};
        total += contact_n[p];
        person->any_role = (pr_span){(uint32_t)total, 0};
        total += any_n[p];
    }
    free(assignee_n);
    free(contact_n);
    free(any_n);
    st->person_records = malloc((total + 1) * sizeof *st->person_records);
    if (!st->person_records)
        return out_of_memory(b, b->records_name, 0, err);
    for (uint32_t ri = 0; ri < b->record_count; ri++) {
        const pr_record *r = &st->records[ri];
        uint32_t first = r->assignees.count ? r->assignees.first : r->contacts.first;
        uint32_t n = r->assignees.count + r->contacts.count;
        for (uint32_t k = 0; k < n; k++) {
            pr_person *person = &st->people[st->person_refs[first + k]];
            pr_span *role = k < r->assignees.count ? &person->as_assignee : &person->as_contact;
            /* a person named twice in one cell still lists the record once */
            if (role->count == 0 || st->person_records[role->first + role->count - 1] != ri)
                st->person_records[role->first + role->count++] = ri;
            pr_span *any = &person->any_role;
            if (any->count == 0 || st->person_records[any->first + any->count - 1] != ri)
                st->person_records[any->first + any->count++] = ri;
        }
    }
    return 0;
}

typedef struct name_key {
    const char *name;
    uint32_t record;
} name_key;

static int name_key_cmp(const void *a, const void *b)
{
    const name_key *x = a, *y = b;
    int c = name_cmp(x->name, y->name, strlen(y->name) + 1);
    if (c)
        return c;
    return x->record < y->record ? -1 : x->record > y->record;
}

static int build_name_index(builder *b, pr_registry *reg, pr_error *err)
{
    storage *st = b->st;
    name_key *keys = malloc(((size_t)b->record_count + 1) * sizeof *keys);
    st->name_records = malloc(((size_t)b->record_count + 1) * sizeof *st->name_records);
    st->names = malloc(((size_t)b->record_count + 1) * sizeof *st->names);
    if (!keys || !st->name_records || !st->names) {
        free(keys);
        return out_of_memory(b, b->records_name, 0, err);
    }
    uint32_t n = 0;
    for (uint32_t i = 0; i < b->record_count; i++)
        if (st->records[i].service[0])
            keys[n++] = (name_key){st->records[i].service, i};
    qsort(keys, n, sizeof *keys, name_key_cmp);
    uint32_t groups = 0;
    for (uint32_t i = 0; i < n; i++) {
        st->name_records[i] = keys[i].record;
        if (i == 0 || name_cmp(keys[i - 1].name, keys[i].name, strlen(keys[i].name) + 1) != 0)
            st->names[groups++] = (pr_service_name){keys[i].name, {i, 0}};
        st->names[groups - 1].records.count++;
    }
    free(keys);
    reg->names = st->names;
    reg->name_count = groups;
    reg->name_records = st->name_records;
    return 0;
}

static int build_port_index(builder *b, pr_registry *reg, pr_error *err)
{
    storage *st = b->st;
    st->port_start = calloc(65537, sizeof *st->port_start);
    if (!st->port_start)
        return out_of_memory(b, b->records_name, 0, err);
    uint32_t *start = st->port_start;
    for (uint32_t i = 0; i < b->record_count; i++) {
        const pr_record *r = &st->records[i];
        if (!r->has_port)
            continue;
        reg->range_count += r->is_range;
        for (uint32_t p = r->port_first; p <= r->port_last; p++)
            start[p + 1]++;
    }
    for (uint32_t p = 1; p <= 65536; p++)
        start[p] += start[p - 1];
    st->port_records = malloc(((size_t)start[65536] + 1) * sizeof *st->port_records);
    uint32_t *fill = malloc(65536 * sizeof *fill);
    if (!st->port_records || !fill) {
        free(fill);
        return out_of_memory(b, b->records_name, 0, err);
    }
    memcpy(fill, start, 65536 * sizeof *fill);
    for (uint32_t i = 0; i < b->record_count; i++) {
        const pr_record *r = &st->records[i];
        if (!r->has_port)
            continue;
        for (uint32_t p = r->port_first; p <= r->port_last; p++)
            st->port_records[fill[p]++] = i;
    }
    free(fill);
    reg->port_start = start;
    reg->port_records = st->port_records;

    /* Statuses, in one pass over the records: the enum orders ASSIGNED before
     * RESERVED before UNASSIGNED, so the lowest value covering a port wins. */
    enum { NO_RECORD = 0xff, PROTOS = PR_PROTO_COUNT - 1 };
    st->port_status = malloc((size_t)PROTOS * 65536);
    if (!st->port_status)
        return out_of_memory(b, b->records_name, 0, err);
    memset(st->port_status, NO_RECORD, (size_t)PROTOS * 65536);
    for (uint32_t i = 0; i < b->record_count; i++) {
        const pr_record *r = &st->records[i];
        if (!r->has_port)
            continue;
        for (int proto = PR_PROTO_TCP; proto < PR_PROTO_COUNT; proto++) {
            if (r->proto != PR_PROTO_NONE && r->proto != proto)
                continue;
            uint8_t *row = st->port_status + (size_t)(proto - 1) * 65536;
            for (uint32_t p = r->port_first; p <= r->port_last; p++)
                if (r->status < row[p])
                    row[p] = r->status;
        }
    }
    for (uint32_t k = 0; k < (uint32_t)PROTOS * 65536; k++)
        if (st->port_status[k] == NO_RECORD)
            st->port_status[k] = pr_range_class_of((uint16_t)(k & 0xffff)) == PR_CLASS_DYNAMIC
                                     ? PR_STATUS_DYNAMIC
                                     : PR_STATUS_UNASSIGNED;
    reg->port_status = st->port_status;
    return 0;
}

static int build_search_text(builder *b, pr_registry *reg, pr_error *err)
{
    storage *st = b->st;
    size_t total = 0;
    for (uint32_t i = 0; i < b->record_count; i++) {
        const pr_record *r = &st->records[i];
        total += strlen(r->service) + strlen(r->description) + strlen(r->port_text) + 2;
    }
    st->search_text = malloc(total + 1);
    st->search_start = malloc(((size_t)b->record_count + 1) * sizeof *st->search_start);
    if (!st->search_text || !st->search_start)
        return out_of_memory(b, b->records_name, 0, err);
    size_t at = 0;
    for (uint32_t i = 0; i < b->record_count; i++) {
        const pr_record *r = &st->records[i];
        const char *parts[3] = {r->service, r->description, r->port_text};
        st->search_start[i] = (uint32_t)at;
        for (int k = 0; k < 3; k++) {
            for (const char *s = parts[k]; *s; s++)
                st->search_text[at++] = (char)ascii_lower((unsigned char)*s);
            if (k < 2)
                st->search_text[at++] = '\0'; /* a term never matches across parts */
        }
    }
    st->search_start[b->record_count] = (uint32_t)at;
    st->search_text[at] = '\0';
    reg->search_text = st->search_text;
    reg->search_start = st->search_start;
    return 0;
}

pr_registry *pr_registry_load_sources(const pr_source *records, const pr_source *contacts,
                                      pr_error *err)
{
    return pr_registry_load_dated(records, contacts, NULL, err);
}

pr_registry *pr_registry_load_dated(const pr_source *records, const pr_source *contacts,
                                    const pr_source *updated, pr_error *err)
{
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pr_date registry_date = {0};
    /* the small file first: a bad date fails before the tables are parsed */
    if (updated && !pr_updated_parse(updated, &registry_date, err))
        return NULL;
    pr_registry *reg = calloc(1, sizeof *reg);
    storage *st = calloc(1, sizeof *st);
    builder b = {.st = st, .records_name = records->name, .contacts_name = contacts->name};
    if (!reg || !st) {
        pr_error_set(err, NULL, 0, NULL, "out of memory");
        goto fail;
    }
    reg->_storage = st;
    if (pr_csv_read(records, record_columns, REC_COLS, on_record_row, &b, err) < 0)
        goto fail;
    if (pr_csv_read(contacts, contact_columns, CONTACT_COLS, on_contact_row, &b, err) < 0)
        goto fail;
    reg->contact_count = b.person_count;
    if (link_people(&b, err) != 0 || build_name_index(&b, reg, err) != 0 ||
        build_port_index(&b, reg, err) != 0 || build_search_text(&b, reg, err) != 0)
        goto fail;
    free(b.cites);
    b.cites = NULL;

    reg->records = st->records;
    reg->record_count = b.record_count;
    reg->people = st->people;
    reg->person_count = b.person_count;
    reg->person_refs = st->person_refs;
    reg->references = st->references;
    reg->person_records = st->person_records;
    reg->warnings = st->warnings;
    reg->warning_count = b.warning_count;
    reg->newest = b.newest;
    reg->updated = updated ? registry_date : b.newest;
    reg->updated_given = updated != NULL;
    const pr_source *src[2] = {records, contacts};
    for (int i = 0; i < 2; i++) {
        snprintf(reg->sources[i].name, sizeof reg->sources[i].name, "%s", src[i]->name);
        reg->sources[i].bytes = src[i]->len;
        pr_sha256(src[i]->bytes, src[i]->len, reg->sources[i].sha256);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    reg->load_seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    return reg;
fail:
    free(b.cites);
    storage_free(st);
    free(reg);
    return NULL;
}

unsigned char *pr_read_file(const char *path, size_t max, size_t *len, pr_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        pr_error_set(err, path, 0, NULL, "cannot open: %s", strerror(errno));
        return NULL;
    }
    struct stat sb;
    if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
        pr_error_set(err, path, 0, NULL, "not a regular file");
        fclose(f);
        return NULL;
    }
    if ((unsigned long long)sb.st_size > max) {
        pr_error_set(err, path, 0, NULL, "file is %lld bytes, over the limit of %zu",
                     (long long)sb.st_size, max);
        fclose(f);
        return NULL;
    }
    size_t size = (size_t)sb.st_size;
    unsigned char *buf = malloc(size + 1);
    if (!buf) {
        pr_error_set(err, path, 0, NULL, "out of memory");
        fclose(f);
        return NULL;
    }
    size_t got = fread(buf, 1, size, f);
    if (got != size || ferror(f)) {
        pr_error_set(err, path, 0, NULL, "read error: %s",
                     ferror(f) ? strerror(errno) : "short read");
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    buf[size] = '\0';
    *len = size;
    return buf;
}

pr_registry *pr_registry_load_dir(const char *dir, pr_error *err)
{
    char records_path[4096], contacts_path[4096], updated_path[4096];
    int a = snprintf(records_path, sizeof records_path, "%s/%s", dir, PR_RECORDS_FILE);
    int c = snprintf(contacts_path, sizeof contacts_path, "%s/%s", dir, PR_CONTACTS_FILE);
    int u = snprintf(updated_path, sizeof updated_path, "%s/%s", dir, PR_UPDATED_FILE);
    if (a < 0 || c < 0 || u < 0 || (size_t)a >= sizeof records_path ||
        (size_t)c >= sizeof contacts_path || (size_t)u >= sizeof updated_path) {
        pr_error_set(err, NULL, 0, NULL, "data directory path is too long");
        return NULL;
    }
    pr_registry *reg = NULL;
    size_t records_len = 0, contacts_len = 0, updated_len = 0;
    unsigned char *records_buf = NULL, *contacts_buf = NULL, *updated_buf = NULL;
    records_buf = pr_read_file(records_path, PR_MAX_FILE_BYTES, &records_len, err);
    if (!records_buf)
        goto done;
    contacts_buf = pr_read_file(contacts_path, PR_MAX_FILE_BYTES, &contacts_len, err);
    if (!contacts_buf)
        goto done;
    /* the date file is optional: only its absence is not an error */
    struct stat sb;
    bool dated = stat(updated_path, &sb) == 0 || errno != ENOENT;
    if (dated) {
        updated_buf = pr_read_file(updated_path, PR_UPDATED_MAX_BYTES, &updated_len, err);
        if (!updated_buf)
            goto done;
    }
    pr_source records = {records_path, records_buf, records_len};
    pr_source contacts = {contacts_path, contacts_buf, contacts_len};
    pr_source updated = {updated_path, updated_buf, updated_len};
    reg = pr_registry_load_dated(&records, &contacts, dated ? &updated : NULL, err);
    if (reg)
        snprintf(reg->source, sizeof reg->source, "%s", dir);
done:
    free(records_buf);
    free(contacts_buf);
    free(updated_buf);
    return reg;
}

void pr_registry_free(pr_registry *reg)
{
    if (!reg)
        return;
    storage_free(reg->_storage);
    free(reg);
}

/* ---- queries ---- */

const uint32_t *pr_registry_port_records(const pr_registry *reg, uint16_t port, uint32_t *count)
{
    *count = reg->port_start[port + 1] - reg->port_start[port];
    return reg->port_records + reg->port_start[port];
}

enum pr_status pr_registry_port_status(const pr_registry *reg, uint16_t port, enum pr_proto proto)
{
    if (proto <= PR_PROTO_NONE || proto >= PR_PROTO_COUNT)
        return PR_STATUS_UNASSIGNED;
    return (enum pr_status)reg->port_status[(size_t)(proto - 1) * 65536 + port];
}

const pr_service_name *pr_registry_find_name(const pr_registry *reg, const char *name, size_t len)
{
    /* name_cmp stops at a NUL, so "nut\0x" would otherwise find "nut" */
    if (len > 0 && memchr(name, '\0', len))
        return NULL;
    uint32_t lo = 0, hi = reg->name_count;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        int c = name_cmp(reg->names[mid].name, name, len);
        if (c < 0)
            lo = mid + 1;
        else if (c > 0)
            hi = mid;
        else
            return &reg->names[mid];
    }
    return NULL;
}

const pr_person *pr_registry_find_person(const pr_registry *reg, const char *id, size_t len)
{
    if (len >= 2 && id[0] == '[' && id[len - 1] == ']')
        id++, len -= 2;
    if (len == 0 || memchr(id, '\0', len))
        return NULL;
    int i = find_person_index(reg->people, reg->person_count, id, len);
    return i < 0 ? NULL : &reg->people[i];
}

uint32_t pr_registry_next_match(const pr_registry *reg, uint32_t from, const char *lower_term,
                                size_t len)
{
    const uint32_t *start = reg->search_start;
    const char *text = reg->search_text;
    size_t at = from < reg->record_count ? start[from] : start[reg->record_count];
    size_t end = start[reg->record_count];
    uint32_t i = from;
    while (i < reg->record_count) {
        const char *hit = memmem(text + at, end - at, lower_term, len);
        if (!hit)
            break;
        size_t pos = (size_t)(hit - text);
        /* the record holding pos: the last i with start[i] <= pos */
        uint32_t lo = i, hi = reg->record_count;
        while (hi - lo > 1) {
            uint32_t mid = lo + (hi - lo) / 2;
            if (start[mid] <= pos)
                lo = mid;
            else
                hi = mid;
        }
        i = lo;
        /* records follow one another with no separator: a hit running into
         * the next record's text is no match */
        if (pos + len <= start[i + 1])
            return i;
        at = pos + 1;
    }
    return reg->record_count;
}

bool pr_registry_record_matches(const pr_registry *reg, uint32_t i, const char *lower_term,
                                size_t len)
{
    const char *text = reg->search_text + reg->search_start[i];
    size_t text_len = reg->search_start[i + 1] - reg->search_start[i];
    return memmem(text, text_len, lower_term, len) != NULL;
}

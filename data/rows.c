/* rows.c: one row of each CSV table into a record or a person, every cell
 * checked (see build.h). */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fields.h"

const char *const prd_record_columns[REC_COLS] = {
    "Service Name", "Port Number",  "Transport Protocol",        "Description",
    "Assignee",     "Contact",      "Registration Date",         "Modification Date",
    "Reference",    "Service Code", "Unauthorized Use Reported", "Assignment Notes"};

const char *const prd_contact_columns[CONTACT_COLS] = {"ID", "Name", "Organization", "Contact URI",
                                                       "Last Updated"};

int prd_out_of_memory(builder *b, const char *file, unsigned long line, pr_error *err)
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

/* Appends the row's bytes as the file has them to the records' CSV text;
 * -1 when out of memory. */
static int keep_raw_row(builder *b)
{
    storage *st = b->st;
    size_t len = b->raw.row ? b->raw.row_len : 0;
    if (!prd_reserve((void **)&st->csv_start, &b->csv_start_cap, (size_t)b->record_count + 2,
                     sizeof *st->csv_start) ||
        !prd_reserve((void **)&st->csv_text, &b->csv_cap, b->csv_len + len + 1, 1))
        return -1;
    st->csv_start[b->record_count] = (uint32_t)b->csv_len;
    if (len)
        memcpy(st->csv_text + b->csv_len, b->raw.row, len);
    b->csv_len += len;
    st->csv_start[b->record_count + 1] = (uint32_t)b->csv_len;
    st->csv_text[b->csv_len] = '\0';
    return 0;
}

int prd_on_record_row(void *ctx, const pr_csv_field *f, unsigned long line, pr_error *err)
{
    builder *b = ctx;
    storage *st = b->st;
    const char *file = b->records_name;
    char why[256];
    if (!prd_reserve((void **)&st->records, &b->record_cap, (size_t)b->record_count + 1,
                     sizeof *st->records))
        return prd_out_of_memory(b, file, line, err);
    pr_record *r = &st->records[b->record_count];
    memset(r, 0, sizeof *r);
    r->line = (uint32_t)line;
    if (keep_raw_row(b) != 0)
        return prd_out_of_memory(b, file, line, err);

    bool has_port, has_code;
    enum pr_proto proto;
#define CELL_OR_FAIL(ok, col)                                                                      \
    do {                                                                                           \
        if (!(ok)) {                                                                               \
            pr_error_set(err, file, f[col].line, prd_record_columns[col], "%s", why);              \
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
        if (!prd_reserve((void **)&b->cites, &b->cite_cap, b->cite_count + n, sizeof *b->cites))
            return prd_out_of_memory(b, file, line, err);
        for (size_t i = 0; i < n; i++) {
            const char *id = prd_store_string(st, cell->text + spans[i].offset, spans[i].len);
            if (!id)
                return prd_out_of_memory(b, file, line, err);
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
    if (!prd_reserve((void **)&st->references, &b->ref_cap, b->ref_count + nrefs,
                     sizeof *st->references))
        return prd_out_of_memory(b, file, line, err);
    r->references = (pr_span){b->ref_count, (uint32_t)nrefs};
    for (size_t i = 0; i < nrefs; i++) {
        const char *ref =
            prd_store_string(st, f[COL_REFERENCE].text + spans[i].offset, spans[i].len);
        if (!ref)
            return prd_out_of_memory(b, file, line, err);
        st->references[b->ref_count++] = ref;
    }

    r->service = prd_store_string(st, f[COL_SERVICE].text, f[COL_SERVICE].len);
    r->description = prd_store_string(st, f[COL_DESCRIPTION].text, f[COL_DESCRIPTION].len);
    r->unauthorized_use = prd_store_string(st, f[COL_UNAUTHORIZED].text, f[COL_UNAUTHORIZED].len);
    r->notes = prd_store_string(st, f[COL_NOTES].text, f[COL_NOTES].len);
    r->port_text = prd_store_string(st, f[COL_PORT].text, f[COL_PORT].len);
    if (!r->service || !r->description || !r->unauthorized_use || !r->notes || !r->port_text)
        return prd_out_of_memory(b, file, line, err);
    r->status = (uint8_t)pr_record_status_of(r->service, r->description);
    b->record_count++;
    return 0;
}

/* IANA hides '@' in mailto: URIs as '&'; the last '&' is the one that stood
 * for '@', as a domain cannot hold one. "" for a URI that is not mailto:. */
static const char *email_of(storage *st, const char *uri)
{
    static const char prefix[] = "mailto:";
    if (strncmp(uri, prefix, sizeof prefix - 1) != 0)
        return "";
    const char *addr = uri + sizeof prefix - 1;
    size_t len = strlen(addr);
    if (len == 0)
        return "";
    const char *q = memchr(addr, '?', len); /* RFC 6068 header fields are not the address */
    if (q)
        len = (size_t)(q - addr);
    char *copy = (char *)prd_store_string(st, addr, len);
    if (!copy || !memchr(copy, '@', len)) {
        char *amp = copy ? strrchr(copy, '&') : NULL;
        if (amp)
            *amp = '@';
    }
    return copy;
}

/* Splits a Contact URI cell, one URI a line (blank lines and the blanks
 * around a URI dropped), into p->uris, and their addresses into p->emails.
 * -1 when out of memory. */
static int store_uris(storage *st, pr_person *p, const char *cell, size_t len)
{
    size_t lines = 1;
    for (size_t i = 0; i < len; i++)
        lines += cell[i] == '\n';
    const char **uris = prd_store_pointers(st, lines), **emails = prd_store_pointers(st, lines);
    if (!uris || !emails)
        return -1;
    uint32_t nu = 0, ne = 0;
    for (size_t at = 0; at <= len;) {
        const char *nl = memchr(cell + at, '\n', len - at);
        size_t end = nl ? (size_t)(nl - cell) : len, start = at;
        at = end + 1;
        while (start < end && (cell[start] == ' ' || cell[start] == '\t'))
            start++;
        while (end > start &&
               (cell[end - 1] == ' ' || cell[end - 1] == '\t' || cell[end - 1] == '\r'))
            end--;
        if (start == end)
            continue;
        const char *uri = prd_store_string(st, cell + start, end - start);
        const char *email = uri ? email_of(st, uri) : NULL;
        if (!email)
            return -1;
        uris[nu++] = uri;
        if (*email)
            emails[ne++] = email;
    }
    p->uris = uris;
    p->emails = emails;
    p->uri_count = nu;
    p->email_count = ne;
    p->uri = nu ? uris[0] : "";
    p->email = ne ? emails[0] : "";
    return 0;
}

int prd_on_contact_row(void *ctx, const pr_csv_field *f, unsigned long line, pr_error *err)
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
        pr_error_set(err, file, f[CCOL_UPDATED].line, prd_contact_columns[CCOL_UPDATED], "%s", why);
        return -1;
    }
    if (!prd_reserve((void **)&st->people, &b->people_cap, (size_t)b->person_count + 1,
                     sizeof *st->people))
        return prd_out_of_memory(b, file, line, err);
    pr_person *p = &st->people[b->person_count];
    memset(p, 0, sizeof *p);
    p->id = prd_store_string(st, f[CCOL_ID].text + span[0].offset, span[0].len);
    p->name = prd_store_string(st, f[CCOL_NAME].text, f[CCOL_NAME].len);
    p->organization = prd_store_string(st, f[CCOL_ORG].text, f[CCOL_ORG].len);
    p->updated_text = prd_store_string(st, f[CCOL_UPDATED].text, f[CCOL_UPDATED].len);
    if (!p->id || !p->name || !p->organization || !p->updated_text ||
        store_uris(st, p, f[CCOL_URI].text, f[CCOL_URI].len) != 0)
        return prd_out_of_memory(b, file, line, err);
    p->updated = updated;
    p->line = (uint32_t)line;
    p->in_table = true;
    note_date(b, updated);
    b->person_count++;
    return 0;
}

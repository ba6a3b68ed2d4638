/* test_search.c: the trigram-indexed search (pr_search_records) finds
 * exactly what the plain scan and the per-record matcher find, on the
 * built-in registry with a plan, for every 3-byte run of a few hundred
 * records' text, longer runs, non-ASCII bytes and terms of 1 or 2 bytes. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "builtin.h"
#include "registry.h"
#include "util.h"

LEAK_CHECKED_SUITE(search);

/* A plan whose owners, references and names the search must find too. */
static const char plan_text[] =
    "Service Name,Port Number,Transport Protocol,Owner,Contact,Status,Reference,Notes\n"
    ",30000-30049,tcp udp,team-a,a@example.org,band,B-1,\n"
    "svc-one,30001,tcp,team-a,a@example.org,assigned,T-1,first\n"
    "svc-two,41000,tcp udp,team-b,b@example.org,reserved,T-2,\n"
    "caf\xc3\xa9-svc,41001,udp,team-c,c@example.org,pending-iana,"
    "https://tickets.example.org/7-\xc3\xa9t\xc3\xa9,\n";

static pr_registry *builtin_with_plan(void)
{
    pr_source records, contacts;
    cr_assert(pr_builtin_file(PR_RECORDS_FILE, &records));
    cr_assert(pr_builtin_file(PR_CONTACTS_FILE, &contacts));
    pr_source plan = {PR_PLAN_FILE, (const unsigned char *)plan_text, sizeof plan_text - 1};
    pr_registry_files files = {.records = &records, .contacts = &contacts, .plan = &plan};
    pr_error err;
    pr_error_clear(&err);
    pr_registry *reg = pr_registry_load_files(&files, &err);
    cr_assert_not_null(reg, "%s", format_error(&err));
    cr_assert(reg->has_plan);
    return reg;
}

/* Deterministic: the same records are picked on every run. */
static uint32_t next_random(uint64_t *state)
{
    *state = *state * 6364136223846793005u + 1442695040888963407u;
    return (uint32_t)(*state >> 33);
}

static const char *show(const char *term, size_t len)
{
    static char buf[256];
    size_t at = 0;
    for (size_t k = 0; k < len && at + 5 < sizeof buf; k++) {
        unsigned char c = (unsigned char)term[k];
        at += (size_t)snprintf(buf + at, sizeof buf - at, c >= 0x20 && c < 0x7f ? "%c" : "\\x%02x",
                               c);
    }
    buf[at] = '\0';
    return buf;
}

/* The indexed search gives the scan's records, in order, then stays at the
 * end; returns how many. */
static uint32_t records_agree(const pr_registry *reg, const char *term, size_t len)
{
    pr_search s;
    pr_search_records(reg, term, len, &s);
    uint32_t want = pr_registry_next_match(reg, 0, term, len), found = 0;
    for (;;) {
        uint32_t got = pr_search_next(reg, &s);
        if (got != want)
            cr_assert_fail("\"%s\" (%zu bytes): the index gave record %u, the scan %u",
                           show(term, len), len, got, want);
        if (got == reg->record_count)
            break;
        found++;
        want = pr_registry_next_match(reg, want + 1, term, len);
    }
    cr_assert_eq(pr_search_next(reg, &s), reg->record_count);
    return found;
}

/* The same against pr_registry_record_matches on every record. */
static uint32_t records_agree_each(const pr_registry *reg, const char *term, size_t len)
{
    pr_search s;
    pr_search_records(reg, term, len, &s);
    uint32_t found = 0;
    for (uint32_t i = 0; i < reg->record_count; i++) {
        if (!pr_registry_record_matches(reg, i, term, len))
            continue;
        uint32_t got = pr_search_next(reg, &s);
        if (got != i)
            cr_assert_fail("\"%s\": the index gave record %u, not %u", show(term, len), got, i);
        found++;
    }
    cr_assert_eq(pr_search_next(reg, &s), reg->record_count, "\"%s\": the index found more",
                 show(term, len));
    return found;
}

Test(search, every_trigram_of_random_records)
{
    pr_registry *reg = builtin_with_plan();
    uint64_t state = 16;
    uint32_t queries = 0, hits = 0;
    for (int n = 0; n < 300; n++) {
        /* a few of the plan's records among IANA's */
        uint32_t i = n % 10 == 0 ? reg->local_first +
                                       next_random(&state) % (reg->record_count - reg->local_first)
                                 : next_random(&state) % reg->record_count;
        const char *text = reg->search_text + reg->search_start[i];
        size_t len = reg->search_start[i + 1] - reg->search_start[i];
        /* every 3-byte run, NULs between parts and brackets included */
        for (size_t p = 0; p + 3 <= len; p++, queries++) {
            uint32_t found = records_agree(reg, text + p, 3);
            cr_assert_gt(found, 0, "\"%s\" is record %u's own text", show(text + p, 3), i);
            hits += found;
        }
        /* and a longer run from a random place, up to the whole text */
        if (len > 3) {
            size_t from = next_random(&state) % (len - 3);
            size_t run = 4 + next_random(&state) % (len - from - 3);
            cr_assert_gt(records_agree(reg, text + from, run), 0);
            queries++;
        }
    }
    cr_assert_gt(queries, 3000);
    cr_assert_gt(hits, queries);
    pr_registry_free(reg);
}

Test(search, agrees_with_each_record)
{
    pr_registry *reg = builtin_with_plan();
    const char *terms[] = {"ups",     "http",         "tcp",      "unassigned",
                           "x11",     "zzzzzz",       "26",       "team-a",
                           "svc-one", "t-2",          "[rfc",     "]\x00",
                           "aaaa",    "upsups",       "reserved", "tickets.example.org/7",
                           "ab\x00",  "\x00\x00\x00", "rfc6335",  "-"};
    size_t lens[] = {3, 4, 3, 10, 3, 6, 2, 6, 7, 3, 4, 2, 4, 6, 8, 21, 3, 3, 7, 1};
    cr_assert_eq(sizeof terms / sizeof *terms, sizeof lens / sizeof *lens);
    for (size_t t = 0; t < sizeof terms / sizeof *terms; t++)
        records_agree_each(reg, terms[t], lens[t]);
    cr_assert_eq(records_agree_each(reg, "svc-one", 7), 1);
    cr_assert_eq(records_agree_each(reg, "zzzzzz", 6), 0);
    pr_registry_free(reg);
}

/* Non-ASCII bytes are matched byte for byte, as the scan does: the plan's
 * UTF-8 names, every non-ASCII run in the registry's text, and bytes no
 * text holds. */
Test(search, non_ascii)
{
    pr_registry *reg = builtin_with_plan();
    cr_assert_eq(records_agree_each(reg, "caf\xc3\xa9", 5), 1);
    cr_assert_eq(records_agree_each(reg, "7-\xc3\xa9t\xc3\xa9", 7), 1);
    const char *odd[] = {"\xc3\xa9", "\xff\xfe\xfd", "\x80\x80\x80\x80", "\xe2\x80\x93",
                         "a\xc3\xa9"};
    for (size_t t = 0; t < sizeof odd / sizeof *odd; t++)
        records_agree(reg, odd[t], strlen(odd[t]));
    uint32_t runs = 0;
    size_t end = reg->search_start[reg->record_count];
    for (size_t p = 0; p + 3 <= end && runs < 400; p++) {
        if (!((unsigned char)reg->search_text[p] & 0x80))
            continue;
        for (size_t len = 1; len <= 5 && p + len <= end; len++)
            records_agree(reg, reg->search_text + p, len);
        runs++;
    }
    cr_assert_gt(runs, 0, "the built-in registry's text holds non-ASCII bytes");
    pr_registry_free(reg);
}

/* Terms of 1 and 2 bytes are scanned for: every byte value, and pairs. */
Test(search, short_terms)
{
    pr_registry *reg = builtin_with_plan();
    for (int c = 0; c < 256; c++) {
        char term = (char)c;
        records_agree(reg, &term, 1);
    }
    uint64_t state = 7;
    for (int n = 0; n < 300; n++) {
        char term[2];
        if (n % 2) {
            uint32_t i = next_random(&state) % reg->record_count;
            size_t len = reg->search_start[i + 1] - reg->search_start[i];
            memcpy(term, reg->search_text + reg->search_start[i] + next_random(&state) % (len - 1),
                   2);
        } else {
            term[0] = (char)next_random(&state), term[1] = (char)next_random(&state);
        }
        records_agree(reg, term, 2);
    }
    cr_assert_eq(records_agree(reg, "26", 2), records_agree_each(reg, "26", 2));
    pr_registry_free(reg);
}

/* The lists hold each item once, ascending, and in all fewer entries than
 * the text has bytes: a text can make them no longer, whatever it holds. */
static void check_bounded(const pr_trigram_index *idx, uint32_t items, size_t text_bytes)
{
    cr_assert_gt(idx->bits, 0);
    size_t entries = 0, lists = 0;
    for (size_t s = 0; s < (size_t)1 << idx->bits; s++) {
        if (!idx->slots[s])
            continue;
        uint32_t l = (uint32_t)idx->slots[s];
        const uint32_t *list = idx->items + idx->start[l];
        uint32_t n = idx->start[l + 1] - idx->start[l];
        cr_assert_gt(n, 0);
        for (uint32_t k = 0; k < n; k++) {
            cr_assert_lt(list[k], items);
            if (k)
                cr_assert_lt(list[k - 1], list[k]);
        }
        entries += n;
        lists++;
    }
    cr_assert_leq(entries, text_bytes);
    cr_assert_leq(lists * 2, (size_t)1 << idx->bits, "the hash stays at most half full");
}

Test(search, lists_bounded)
{
    pr_registry *reg = builtin_with_plan();
    check_bounded(&reg->search_trigrams, reg->record_count, reg->search_start[reg->record_count]);
    pr_registry_free(reg);
}

/* One record of 16 KiB of the same letter: one list of one entry. */
Test(search, repeated_text)
{
    static char records[20000];
    char desc[16001];
    memset(desc, 'a', sizeof desc - 1);
    desc[sizeof desc - 1] = '\0';
    int n = snprintf(records, sizeof records,
                     "Service Name,Port Number,Transport Protocol,Description,Assignee,Contact,"
                     "Registration Date,Modification Date,Reference,Service Code,"
                     "Unauthorized Use Reported,Assignment Notes\n"
                     "aaa,1,tcp,%s,,,,,,,,\n",
                     desc);
    cr_assert(n > 0 && (size_t)n < sizeof records);
    static const char contacts[] = "ID,Name,Organization,Contact URI,Last Updated\n";
    pr_source r = {PR_RECORDS_FILE, (const unsigned char *)records, (size_t)n};
    pr_source c = {PR_CONTACTS_FILE, (const unsigned char *)contacts, sizeof contacts - 1};
    pr_error err;
    pr_error_clear(&err);
    pr_registry *reg = pr_registry_load_sources(&r, &c, &err);
    cr_assert_not_null(reg, "%s", format_error(&err));
    check_bounded(&reg->search_trigrams, reg->record_count, reg->search_start[reg->record_count]);
    const pr_trigram_index *idx = &reg->search_trigrams;
    size_t entries = 0;
    for (size_t s = 0; s < (size_t)1 << idx->bits; s++)
        if (idx->slots[s])
            entries +=
                idx->start[(uint32_t)idx->slots[s] + 1] - idx->start[(uint32_t)idx->slots[s]];
    cr_assert_lt(entries, 16, "a handful of distinct trigrams, each list one record");
    cr_assert_eq(records_agree_each(reg, desc, 16000), 1);
    cr_assert_eq(records_agree_each(reg, "aaaa", 4), 1);
    pr_registry_free(reg);
}

/* query.c: the lookups a loaded registry answers, all const and
 * allocation-free (see registry.h). */
#include "build.h"

#include <string.h>

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
    /* prd_name_cmp stops at a NUL, so "nut\0x" would otherwise find "nut" */
    if (len > 0 && memchr(name, '\0', len))
        return NULL;
    uint32_t lo = 0, hi = reg->name_count;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        int c = prd_name_cmp(reg->names[mid].name, name, len);
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
    int i = prd_find_person_index(reg->people, reg->person_count, id, len);
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

bool pr_registry_person_matches(const pr_registry *reg, uint32_t i, const char *lower_term,
                                size_t len)
{
    const char *text = reg->people_text + reg->people_start[i];
    size_t text_len = reg->people_start[i + 1] - reg->people_start[i];
    return memmem(text, text_len, lower_term, len) != NULL;
}

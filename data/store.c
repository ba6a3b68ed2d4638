/* store.c: the storage behind a registry: string chunks that never move,
 * and growing arrays (see build.h). */
#include "build.h"

#include <stdlib.h>
#include <string.h>

#include "header.h"

void prd_storage_free(storage *st)
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
    pr_header_free(st->header);
    free(st);
}

/* Copies text[0..len) into the string chunks, NUL-terminated. */
const char *prd_store_string(storage *st, const char *text, size_t len)
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

/* Room for n pointers in the chunks, which never move; NULL when out of
 * memory. */
const char **prd_store_pointers(storage *st, size_t n)
{
    static const char *none[1];
    if (n == 0)
        return none;
    size_t bytes = n * sizeof(char *) + sizeof(char *);
    chunk *c = st->chunks;
    size_t pad = c ? (sizeof(char *) - (c->used % sizeof(char *))) % sizeof(char *) : 0;
    if (!c || c->size - c->used < bytes + pad) {
        size_t size = bytes > 64 * 1024 ? bytes : 64 * 1024;
        chunk *fresh = malloc(sizeof *fresh + size);
        if (!fresh)
            return NULL;
        fresh->used = 0;
        fresh->size = size;
        fresh->next = st->chunks;
        st->chunks = fresh;
        c = fresh;
        pad = 0;
    }
    c->used += pad;
    const char **out = (const char **)(void *)(c->data + c->used);
    c->used += bytes;
    return out;
}

/* Grows *array (of elem-sized items) so that it holds at least need items. */
bool prd_reserve(void **array, size_t *cap, size_t need, size_t elem)
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

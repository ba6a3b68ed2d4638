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
    free(st->people_text);
    free(st->people_start);
    for (int k = 0; k < 3; k++)
        free(st->trigram_arrays[k]);
    free(st->changes);
    free(st->warnings);
    free(st->csv_text);
    free(st->csv_start);
    free(st->csv_header);
    pr_header_free(st->header);
    free(st->owners);
    free(st->owner_records);
    free(st->local_marks);
    free(st);
}

/* bytes from the chunks, at a multiple of align (a power of two, at most
 * the chunks' own alignment); a new chunk when the newest lacks room. NULL
 * when out of memory. Chunks never move, so what they hold stays put. */
static void *take(storage *st, size_t bytes, size_t align)
{
    chunk *c = st->chunks;
    size_t pad = c ? (align - c->used % align) % align : 0;
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
    void *out = c->data + c->used + pad;
    c->used += pad + bytes;
    return out;
}

/* Copies text[0..len) into the string chunks, NUL-terminated. */
const char *prd_store_string(storage *st, const char *text, size_t len)
{
    static const char empty[] = "";
    if (len == 0)
        return empty;
    char *out = take(st, len + 1, 1);
    if (out) {
        memcpy(out, text, len);
        out[len] = '\0';
    }
    return out;
}

/* Room for n pointers in the chunks; NULL when out of memory. */
const char **prd_store_pointers(storage *st, size_t n)
{
    static const char *none[1];
    if (n == 0)
        return none;
    return take(st, (n + 1) * sizeof(char *), sizeof(char *));
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

/* iana_csv.h: IANA's service-names-port-numbers.csv read by the tests
 * themselves, with no help from data/, to say which of its rows a search
 * finds: their bytes exactly as the file has them. Header-only (static
 * functions) for the api/ and server/ suites; every helper asserts. */
#ifndef PR_TEST_IANA_CSV_H
#define PR_TEST_IANA_CSV_H

#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The file's header row, then each row whose Service Name, Port Number,
 * Description or Reference (columns 1, 2, 4, 9) holds `term` in any ASCII
 * case, as IANA's search and /v1/search match: their bytes concatenated
 * (malloc'ed, *len bytes). Rows end at a line break outside quotes (RFC
 * 4180 2.6); cells are unquoted before they are compared. */
static inline char *iana_csv_search(const char *path, const char *term, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    cr_assert_not_null(fp, "%s", path);
    cr_assert_eq(fseek(fp, 0, SEEK_END), 0);
    size_t size = (size_t)ftell(fp);
    rewind(fp);
    char *bytes = malloc(size + 1), *out = malloc(size + 1), *cell = malloc(size + 1);
    cr_assert(bytes && out && cell);
    cr_assert_eq(fread(bytes, 1, size, fp), size);
    fclose(fp);
    bytes[size] = '\0';
    size_t n = 0, at = 0;
    bool header = true;
    while (at < size) {
        /* one row: [at, end) */
        size_t end = at;
        bool quoted = false;
        while (end < size && (quoted || bytes[end] != '\n'))
            quoted ^= bytes[end++] == '"';
        end += end < size;
        bool hit = header;
        const char *p = bytes + at;
        for (int col = 0; col < 12 && !hit && p < bytes + end; col++) {
            size_t k = 0;
            if (*p == '"') {
                for (p++; p < bytes + end; p++) {
                    if (*p == '"' && p[1] == '"')
                        cell[k++] = '"', p++;
                    else if (*p == '"') {
                        p++;
                        break;
                    } else
                        cell[k++] = *p;
                }
            } else {
                while (p < bytes + end && *p != ',' && *p != '\r' && *p != '\n')
                    cell[k++] = *p++;
            }
            cell[k] = '\0';
            if (p < bytes + end && *p == ',')
                p++;
            if (col == 0 || col == 1 || col == 3 || col == 8)
                for (size_t s = 0; !hit && s + strlen(term) <= k; s++)
                    hit = strncasecmp(cell + s, term, strlen(term)) == 0;
        }
        if (hit) {
            memcpy(out + n, bytes + at, end - at);
            n += end - at;
        }
        header = false;
        at = end;
    }
    free(bytes);
    free(cell);
    *len = n;
    return out;
}

#endif

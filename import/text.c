/* text.c: bounded growable strings (see text.h). */
#include "text.h"

#include <stdlib.h>
#include <string.h>

pr_text pr_text_make(size_t max)
{
    return (pr_text){NULL, 0, 0, max, false};
}

bool pr_text_fits(pr_text *t, size_t n)
{
    if (n <= t->max - t->len)
        return true;
    t->overflow = true;
    return false;
}

bool pr_text_append(pr_text *t, const char *bytes, size_t n)
{
    if (!pr_text_fits(t, n))
        return false;
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 256;
        while (cap < t->len + n + 1)
            cap *= 2;
        char *grown = realloc(t->data, cap);
        if (!grown)
            return false;
        t->data = grown;
        t->cap = cap;
    }
    if (n)
        memcpy(t->data + t->len, bytes, n);
    t->len += n;
    t->data[t->len] = '\0';
    return true;
}

bool pr_text_append_char(pr_text *t, char c)
{
    return pr_text_append(t, &c, 1);
}

const char *pr_text_str(const pr_text *t)
{
    return t->data ? t->data : "";
}

void pr_text_clear(pr_text *t)
{
    t->len = 0;
    t->overflow = false;
    if (t->data)
        t->data[0] = '\0';
}

bool pr_xml_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

void pr_text_trim(pr_text *t)
{
    size_t start = 0, end = t->len;
    while (end > 0 && pr_xml_space(t->data[end - 1]))
        end--;
    while (start < end && pr_xml_space(t->data[start]))
        start++;
    if (start > 0)
        memmove(t->data, t->data + start, end - start);
    t->len = end - start;
    if (t->data)
        t->data[t->len] = '\0';
}

void pr_text_free(pr_text *t)
{
    free(t->data);
    t->data = NULL;
    t->len = t->cap = 0;
    t->overflow = false;
}

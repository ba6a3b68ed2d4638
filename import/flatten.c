/* flatten.c: mixed content to CSV cell text (see flatten.h). */
#include "flatten.h"

#include <stdio.h>
#include <string.h>

void pr_flat_start(pr_flat *f, pr_text *out)
{
    f->out = out;
    f->paragraphs = 0;
    f->depth = 0;
    pr_text_clear(out);
}

bool pr_flat_text(pr_flat *f, const char *text, size_t len)
{
    /* once a cell has paragraphs, what stands between them is layout */
    if (f->paragraphs > 0 && f->depth == 0)
        return true;
    return pr_text_append(f->out, text, len);
}

bool pr_flat_break(pr_flat *f)
{
    (void)f;
    return true;
}

bool pr_flat_ref(pr_flat *f, const char *ref, size_t len)
{
    if (!pr_text_fits(f->out, len + 2))
        return false;
    return pr_text_append_char(f->out, '[') && pr_text_append(f->out, ref, len) &&
           pr_text_append_char(f->out, ']');
}

bool pr_flat_paragraph_start(pr_flat *f)
{
    bool ok = true;
    if (f->depth == 0) {
        if (f->paragraphs == 0) {
            /* text before the first paragraph is layout too */
            pr_text_clear(f->out);
        } else {
            ok = pr_text_append(f->out, PR_PARAGRAPH_JOIN, sizeof PR_PARAGRAPH_JOIN - 1);
        }
        f->paragraphs++;
    }
    f->depth++;
    return ok;
}

void pr_flat_paragraph_end(pr_flat *f)
{
    if (f->depth > 0)
        f->depth--;
}

static bool blank(char c)
{
    return c == ' ' || c == '\t';
}

void pr_flat_fold(pr_text *t)
{
    size_t w = 0;
    for (size_t r = 0; r < t->len;) {
        /* " +\n +" -> " ": blanks, one line break, blanks */
        if (blank(t->data[r])) {
            size_t e = r;
            while (e < t->len && blank(t->data[e]))
                e++;
            if (e < t->len && t->data[e] == '\n' && e + 1 < t->len && blank(t->data[e + 1])) {
                e++;
                while (e < t->len && blank(t->data[e]))
                    e++;
                t->data[w++] = ' ';
                r = e;
                continue;
            }
            while (r < e)
                t->data[w++] = t->data[r++];
            continue;
        }
        t->data[w++] = t->data[r++];
    }
    t->len = w;
    if (t->data)
        t->data[w] = '\0';
    pr_text_trim(t);
}

void pr_flat_finish(pr_flat *f)
{
    pr_flat_fold(f->out);
    f->paragraphs = 0;
    f->depth = 0;
}

static bool empty(const char *s)
{
    return !s || !*s;
}

bool pr_xref_text(const pr_xref *x, pr_text *out, char *why, size_t why_size)
{
    const char *type = x->type ? x->type : "";
    const char *content = x->content ? x->content : "";
    pr_text_clear(out);
    bool ok;
    if (*content) {
        ok = pr_text_append(out, content, strlen(content));
    } else if (empty(x->data)) {
        snprintf(why, why_size, "an <xref type=\"%.32s\"> with neither text nor data", type);
        return false;
    } else if (!strcmp(type, "rfc")) {
        ok = true;
        for (const char *c = x->data; ok && *c; c++)
            ok = pr_text_append_char(out, *c >= 'a' && *c <= 'z' ? (char)(*c - 'a' + 'A') : *c);
        if (ok && !empty(x->section))
            ok = pr_text_append(out, ", Section ", 10) &&
                 pr_text_append(out, x->section, strlen(x->section));
    } else {
        ok = pr_text_append(out, x->data, strlen(x->data));
    }
    if (!ok)
        snprintf(why, why_size, "a reference longer than %zu bytes", out->max);
    else
        pr_flat_fold(out); /* an xref's own text is folded as a cell is */
    return ok;
}

/* flatten.c: mixed content to CSV cell text (see flatten.h). */
#include "flatten.h"

#include <stdio.h>
#include <string.h>

void pr_flat_start(pr_flat *f, pr_text *out)
{
    f->out = out;
    f->after_break = false;
    pr_text_clear(out);
}

bool pr_flat_text(pr_flat *f, const char *text, size_t len)
{
    if (f->after_break) {
        while (len > 0 && pr_xml_space(*text))
            text++, len--;
        if (len == 0)
            return true;
        f->after_break = false;
    }
    return pr_text_append(f->out, text, len);
}

bool pr_flat_break(pr_flat *f)
{
    pr_text *t = f->out;
    while (t->len > 0 && pr_xml_space(t->data[t->len - 1]))
        t->len--;
    if (t->data)
        t->data[t->len] = '\0';
    /* a space at the very start would be trimmed anyway */
    if (t->len > 0 && !pr_text_append_char(t, ' '))
        return false;
    f->after_break = true;
    return true;
}

bool pr_flat_ref(pr_flat *f, const char *ref, size_t len)
{
    f->after_break = false;
    if (!pr_text_fits(f->out, len + 2))
        return false;
    return pr_text_append_char(f->out, '[') && pr_text_append(f->out, ref, len) &&
           pr_text_append_char(f->out, ']');
}

bool pr_flat_paragraph(pr_flat *f)
{
    pr_text *t = f->out;
    if (t->len > 0 && !pr_xml_space(t->data[t->len - 1]))
        return pr_text_append_char(t, ' ');
    return true;
}

void pr_flat_finish(pr_flat *f)
{
    pr_text_trim(f->out);
    f->after_break = false;
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
    if (!strcmp(type, "rfc")) {
        if (empty(x->data)) {
            snprintf(why, why_size, "an <xref type=\"rfc\"> without data");
            return false;
        }
        ok = true;
        for (const char *c = x->data; ok && *c; c++)
            ok = pr_text_append_char(out, *c >= 'a' && *c <= 'z' ? (char)(*c - 'a' + 'A') : *c);
        if (ok && !empty(x->section))
            ok = pr_text_append(out, ", Section ", 10) &&
                 pr_text_append(out, x->section, strlen(x->section));
    } else if (!strcmp(type, "draft") || !strcmp(type, "person") || !strcmp(type, "note")) {
        if (empty(x->data)) {
            snprintf(why, why_size, "an <xref type=\"%.32s\"> without data", type);
            return false;
        }
        ok = pr_text_append(out, x->data, strlen(x->data));
    } else {
        const char *text = *content ? content : x->data;
        if (empty(text)) {
            snprintf(why, why_size, "an <xref type=\"%.32s\"> with neither text nor data", type);
            return false;
        }
        ok = pr_text_append(out, text, strlen(text));
    }
    if (!ok)
        snprintf(why, why_size, "a reference longer than %zu bytes", out->max);
    return ok;
}

/* error.c: formatting of pr_error values (see error.h). */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "csv_table.h"

/* After a snprintf of n bytes into buf[size]: a cut text ends between
 * characters, so an error quoting UTF-8 stays UTF-8 (a JSON log line
 * carries it). */
static void end_whole(char *buf, size_t size, int n)
{
    if (n < 0)
        buf[0] = '\0';
    else if ((size_t)n >= size)
        buf[pr_utf8_cut(buf, size - 1)] = '\0';
}

void pr_error_clear(pr_error *err)
{
    if (err)
        memset(err, 0, sizeof *err);
}

void pr_error_set(pr_error *err, const char *file, unsigned long line, const char *field,
                  const char *fmt, ...)
{
    if (!err)
        return;
    end_whole(err->file, sizeof err->file,
              snprintf(err->file, sizeof err->file, "%s", file ? file : ""));
    err->line = line;
    end_whole(err->field, sizeof err->field,
              snprintf(err->field, sizeof err->field, "%s", field ? field : ""));
    va_list ap;
    va_start(ap, fmt);
    end_whole(err->text, sizeof err->text, vsnprintf(err->text, sizeof err->text, fmt, ap));
    va_end(ap);
}

char *pr_error_format(const pr_error *err, char *buf, size_t size)
{
    if (size == 0)
        return buf;
    buf[0] = '\0';
    size_t used = 0;
#define PR_APPEND(...)                                                                             \
    do {                                                                                           \
        int n_ = snprintf(buf + used, size - used, __VA_ARGS__);                                   \
        if (n_ < 0)                                                                                \
            return buf;                                                                            \
        used += (size_t)n_;                                                                        \
        if (used >= size)                                                                          \
            return buf;                                                                            \
    } while (0)
    if (err->file[0]) {
        PR_APPEND("%s", err->file);
        if (err->line)
            PR_APPEND(":%lu", err->line);
        PR_APPEND(": ");
    }
    if (err->field[0])
        PR_APPEND("%s: ", err->field);
    PR_APPEND("%s", err->text);
#undef PR_APPEND
    return buf;
}

char *pr_error_quote(const char *value, size_t len, size_t max_chars, char *buf, size_t size)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    if (size < 8) {
        if (size)
            buf[0] = '\0';
        return buf;
    }
    buf[o++] = '"';
    size_t shown = len < max_chars ? len : max_chars;
    for (size_t i = 0; i < shown; i++) {
        unsigned char c = (unsigned char)value[i];
        /* room for the widest item, the closing quote, "..." and NUL */
        if (o + 4 + 1 + 3 + 1 > size) {
            shown = i;
            break;
        }
        if (c == '"' || c == '\\') {
            buf[o++] = '\\';
            buf[o++] = (char)c;
        } else if (c < 0x20 || c >= 0x7f) {
            buf[o++] = '\\';
            buf[o++] = 'x';
            buf[o++] = hex[c >> 4];
            buf[o++] = hex[c & 15];
        } else {
            buf[o++] = (char)c;
        }
    }
    buf[o++] = '"';
    if (shown < len) {
        memcpy(buf + o, "...", 3);
        o += 3;
    }
    buf[o] = '\0';
    return buf;
}

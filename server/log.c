/* log.c: plain or JSON lines on stderr (see log.h).
 *
 * Lines are built in a fixed buffer by appends that each check the room
 * left, so no input can write past it; untrusted fields also have a share
 * of the line each (field_budget) so that a long method cannot crowd the
 * status out of the line. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static enum pr_log_level max_level = PR_LOG_INFO;
static enum pr_log_format format = PR_LOG_PLAIN;
static bool access_on = true;

static const char *const level_names[] = {"error", "warn", "info", "debug"};

void pr_log_configure(enum pr_log_level level, enum pr_log_format fmt, bool access_log)
{
    max_level = level;
    format = fmt;
    access_on = access_log;
}

bool pr_log_level_parse(const char *text, enum pr_log_level *out)
{
    for (int i = 0; i <= PR_LOG_DEBUG; i++) {
        if (strcmp(text, level_names[i]) == 0) {
            *out = (enum pr_log_level)i;
            return true;
        }
    }
    return false;
}

bool pr_log_format_parse(const char *text, enum pr_log_format *out)
{
    if (strcmp(text, "plain") == 0 || strcmp(text, "json") == 0) {
        *out = text[0] == 'p' ? PR_LOG_PLAIN : PR_LOG_JSON;
        return true;
    }
    return false;
}

/* RFC 3339 UTC with milliseconds: 2026-11-22T10:00:00.123Z */
static void timestamp(char out[32])
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm utc;
    gmtime_r(&tv.tv_sec, &utc);
    size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &utc);
    snprintf(out + n, 32 - n, ".%03dZ", (int)(tv.tv_usec / 1000));
}

/* ---- the bounded line ---- */

/* buf holds PR_LOG_LINE_MAX + 1 bytes: up to PR_LOG_LINE_MAX - 1 of text,
 * then the newline and a NUL, which finish() adds. */
typedef struct line {
    char *buf;
    size_t used;
    bool cut; /* some field, or the line itself, was shortened */
} line;

enum { LINE_TEXT_MAX = PR_LOG_LINE_MAX - 1 };

static size_t room(const line *l)
{
    return LINE_TEXT_MAX - l->used;
}

/* Appends n bytes, or nothing when they do not fit. */
static bool put_bytes(line *l, const char *s, size_t n)
{
    if (n > room(l)) {
        l->cut = true;
        return false;
    }
    memcpy(l->buf + l->used, s, n);
    l->used += n;
    return true;
}

static bool put_text(line *l, const char *s)
{
    return put_bytes(l, s, strlen(s));
}

/* A formatted append, kept only when it fits whole. */
__attribute__((format(printf, 2, 3))) static bool put_format(line *l, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    /* buf has room() + 2 bytes from used on: vsnprintf may write its NUL */
    int n = vsnprintf(l->buf + l->used, room(l) + 1, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n > room(l)) {
        l->cut = true;
        return false;
    }
    l->used += (size_t)n;
    return true;
}

static size_t finish(line *l)
{
    l->buf[l->used++] = '\n';
    l->buf[l->used] = '\0';
    return l->used;
}

/* ---- escaping ---- */

/* The length of the well-formed UTF-8 sequence at s (RFC 3629 section 4: no
 * overlong forms, no surrogates, nothing above U+10FFFF), or 0. s is
 * NUL-terminated, so a cut sequence stops at the NUL. */
static size_t utf8_length(const unsigned char *s)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    size_t n;
    unsigned char lo = 0x80, hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf)
        n = 2;
    else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        if (c == 0xe0)
            lo = 0xa0;
        else if (c == 0xed)
            hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        if (c == 0xf0)
            lo = 0x90;
        else if (c == 0xf4)
            hi = 0x8f;
    } else {
        return 0;
    }
    if (s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++)
        if (s[i] < 0x80 || s[i] > 0xbf)
            return 0;
    return n;
}

enum escape_mode {
    ESCAPE_JSON,  /* inside a JSON string */
    ESCAPE_WORD,  /* a plain field: spaces escaped too, so it stays one word */
    ESCAPE_PROSE, /* a plain message: spaces kept */
};

/* One unit of s escaped into out (at most 8 bytes); returns the bytes of s
 * it consumed (>= 1) and sets *out_len. JSON: quote, backslash and control
 * characters (C0, DEL, C1) as escapes, bytes that are not UTF-8 as U+FFFD.
 * Plain: the same as \xNN per byte, which also makes a backslash \x5c so
 * that no escape can be forged. */
static size_t escape_unit(enum escape_mode mode, const unsigned char *s, char out[8],
                          size_t *out_len)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char c = s[0];
    size_t n = utf8_length(s);
    bool json = mode == ESCAPE_JSON;
    bool control = c < 0x20 || c == 0x7f || (n == 2 && c == 0xc2 && s[1] < 0xa0);
    if (json && (c == '"' || c == '\\')) {
        out[0] = '\\', out[1] = (char)c;
        *out_len = 2;
        return 1;
    }
    if (json && n == 0) {
        memcpy(out, "\\ufffd", 6);
        *out_len = 6;
        return 1;
    }
    if (json && control) {
        unsigned cp = n == 2 ? s[1] : c;
        memcpy(out, "\\u00", 4);
        out[4] = hex[cp >> 4], out[5] = hex[cp & 15];
        *out_len = 6;
        return n;
    }
    if (!json && (n == 0 || control || c == '\\' || (c == ' ' && mode == ESCAPE_WORD))) {
        size_t k = n == 2 ? 2 : 1; /* a C1 control: both of its bytes */
        for (size_t i = 0; i < k; i++) {
            out[4 * i] = '\\', out[4 * i + 1] = 'x';
            out[4 * i + 2] = hex[s[i] >> 4], out[4 * i + 3] = hex[s[i] & 15];
        }
        *out_len = 4 * k;
        return k;
    }
    memcpy(out, s, n);
    *out_len = n;
    return n;
}

static const char cut_mark[] = "...";

/* Appends text escaped, taking at most budget bytes of the line (and never
 * more than is left). When it does not all fit, it is cut between escape
 * units, so never inside an escape or a UTF-8 sequence, and ends with
 * cut_mark. NULL is printed as "-". */
static void put_escaped(line *l, enum escape_mode mode, const char *text, size_t budget)
{
    if (!text)
        text = "-";
    size_t limit = budget < room(l) ? budget : room(l);
    /* does it all fit? counting stops as soon as it does not */
    size_t need = 0;
    const unsigned char *s = (const unsigned char *)text;
    char unit[8];
    size_t unit_len;
    while (*s && need <= limit) {
        s += escape_unit(mode, s, unit, &unit_len);
        need += unit_len;
    }
    bool whole = !*s && need <= limit;
    size_t keep = whole ? limit : limit >= sizeof cut_mark - 1 ? limit - (sizeof cut_mark - 1) : 0;
    size_t written = 0;
    for (s = (const unsigned char *)text; *s;) {
        size_t used = escape_unit(mode, s, unit, &unit_len);
        if (written + unit_len > keep)
            break;
        put_bytes(l, unit, unit_len);
        written += unit_len;
        s += used;
    }
    if (!whole) {
        l->cut = true;
        if (written + sizeof cut_mark - 1 <= limit)
            put_bytes(l, cut_mark, sizeof cut_mark - 1);
    }
}

/* Each untrusted field's share of a line. With the fixed text of a line
 * (under 200 bytes) they add up to less than LINE_TEXT_MAX, so a cut field
 * never crowds out the fields after it. */
enum {
    BUDGET_TIME = 64,
    BUDGET_METHOD = 128,
    BUDGET_PATH = 2048,
    BUDGET_ETAG = 32,
    BUDGET_MESSAGE = 3072,
};

/* A duration printed in a bounded width, whatever the double holds. */
static double bounded_seconds(double s)
{
    return s >= 0 && s < 1e9 ? s : s >= 1e9 ? 1e9 : 0;
}

size_t pr_log_format_access(char out[PR_LOG_LINE_MAX + 1], enum pr_log_format fmt, const char *time,
                            const pr_access *a)
{
    line l = {out, 0, false};
    double seconds = bounded_seconds(a->seconds);
    if (fmt == PR_LOG_JSON) {
        put_text(&l, "{\"time\":\"");
        put_escaped(&l, ESCAPE_JSON, time, BUDGET_TIME);
        put_text(&l, "\",\"method\":\"");
        put_escaped(&l, ESCAPE_JSON, a->method, BUDGET_METHOD);
        put_text(&l, "\",\"path\":\"");
        put_escaped(&l, ESCAPE_JSON, a->path, BUDGET_PATH);
        put_format(&l, "\",\"status\":%d,\"bytes\":%zu,\"duration\":%.6f,\"etag\":\"", a->status,
                   a->bytes, seconds);
        put_escaped(&l, ESCAPE_JSON, a->etag, BUDGET_ETAG);
        put_text(&l, "\"");
        if (l.cut)
            put_text(&l, ",\"truncated\":true");
        put_text(&l, "}");
    } else {
        put_escaped(&l, ESCAPE_WORD, time, BUDGET_TIME);
        put_text(&l, " access ");
        put_escaped(&l, ESCAPE_WORD, a->method, BUDGET_METHOD);
        put_text(&l, " ");
        put_escaped(&l, ESCAPE_WORD, a->path, BUDGET_PATH);
        put_format(&l, " %d %zu %.6f ", a->status, a->bytes, seconds);
        put_escaped(&l, ESCAPE_WORD, a->etag, BUDGET_ETAG);
    }
    return finish(&l);
}

size_t pr_log_format_message(char out[PR_LOG_LINE_MAX + 1], enum pr_log_format fmt,
                             const char *time, enum pr_log_level level, const char *message)
{
    line l = {out, 0, false};
    const char *name = (unsigned)level <= PR_LOG_DEBUG ? level_names[level] : "-";
    if (fmt == PR_LOG_JSON) {
        put_text(&l, "{\"time\":\"");
        put_escaped(&l, ESCAPE_JSON, time, BUDGET_TIME);
        put_text(&l, "\",\"level\":\"");
        put_text(&l, name);
        put_text(&l, "\",\"msg\":\"");
        put_escaped(&l, ESCAPE_JSON, message, BUDGET_MESSAGE);
        put_text(&l, "\"");
        if (l.cut)
            put_text(&l, ",\"truncated\":true");
        put_text(&l, "}");
    } else {
        put_escaped(&l, ESCAPE_WORD, time, BUDGET_TIME);
        put_text(&l, " ");
        put_text(&l, name);
        put_text(&l, " portreg: ");
        put_escaped(&l, ESCAPE_PROSE, message, BUDGET_MESSAGE);
    }
    return finish(&l);
}

static void emit(const char *text, size_t len)
{
    ssize_t w = write(STDERR_FILENO, text, len);
    (void)w; /* nowhere to report a failure to log */
}

void pr_log(enum pr_log_level level, const char *fmt, ...)
{
    if (level > max_level)
        return;
    /* a message cut here ends with "..." once escaped, as a cut field does */
    char message[1024], text[PR_LOG_LINE_MAX + 1], now[32];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    if (n < 0)
        snprintf(message, sizeof message, "(unformattable message: %s)", fmt);
    else if ((size_t)n >= sizeof message)
        memcpy(message + sizeof message - 4, "...", 4);
    timestamp(now);
    emit(text, pr_log_format_message(text, format, now, level, message));
}

void pr_log_access(const pr_access *a)
{
    if (!access_on)
        return;
    char text[PR_LOG_LINE_MAX + 1], now[32];
    timestamp(now);
    emit(text, pr_log_format_access(text, format, now, a));
}

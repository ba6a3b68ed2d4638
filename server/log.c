/* log.c: plain or JSON lines on stderr (see log.h). */
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

/* Appends text to line[*used..size), escaped for the log format: JSON string
 * escapes, or in plain lines \xNN for control bytes, spaces and backslashes
 * so that one field stays one word. */
static void put_escaped(char *line, size_t *used, size_t size, const char *text)
{
    static const char hex[] = "0123456789abcdef";
    for (const unsigned char *s = (const unsigned char *)text; *s && *used + 8 < size; s++) {
        unsigned char c = *s;
        bool plain_bad = format == PR_LOG_PLAIN && (c <= ' ' || c == '\\' || c == 0x7f);
        bool json_bad = format == PR_LOG_JSON && (c < ' ' || c == '"' || c == '\\' || c == 0x7f);
        if (json_bad && (c == '"' || c == '\\')) {
            line[(*used)++] = '\\';
            line[(*used)++] = (char)c;
        } else if (plain_bad || json_bad) {
            const char *prefix = format == PR_LOG_JSON ? "\\u00" : "\\x";
            for (const char *p = prefix; *p; p++)
                line[(*used)++] = *p;
            line[(*used)++] = hex[c >> 4];
            line[(*used)++] = hex[c & 15];
        } else {
            line[(*used)++] = (char)c;
        }
    }
    line[*used] = '\0';
}

static void emit(char *line, size_t used, size_t size)
{
    if (used >= size - 1)
        used = size - 2;
    line[used++] = '\n';
    ssize_t w = write(STDERR_FILENO, line, used);
    (void)w; /* nowhere to report a failure to log */
}

void pr_log(enum pr_log_level level, const char *fmt, ...)
{
    if (level > max_level)
        return;
    char message[1024], line[1400], now[32];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    timestamp(now);
    size_t used;
    if (format == PR_LOG_JSON) {
        used = (size_t)snprintf(line, sizeof line, "{\"time\":\"%s\",\"level\":\"%s\",\"msg\":\"",
                                now, level_names[level]);
        put_escaped(line, &used, sizeof line, message);
        used += (size_t)snprintf(line + used, sizeof line - used, "\"}");
    } else {
        used = (size_t)snprintf(line, sizeof line, "%s %s portreg: %s", now, level_names[level],
                                message);
    }
    emit(line, used < sizeof line ? used : sizeof line - 1, sizeof line);
}

void pr_log_access(const pr_access *a)
{
    if (!access_on)
        return;
    char line[4096], now[32];
    timestamp(now);
    size_t used;
    if (format == PR_LOG_JSON) {
        used = (size_t)snprintf(line, sizeof line, "{\"time\":\"%s\",\"method\":\"", now);
        put_escaped(line, &used, sizeof line, a->method);
        used += (size_t)snprintf(line + used, sizeof line - used, "\",\"path\":\"");
        put_escaped(line, &used, sizeof line, a->path);
        used +=
            (size_t)snprintf(line + used, sizeof line - used,
                             "\",\"status\":%d,\"bytes\":%zu,\"duration\":%.6f,\"etag\":\"%s\"}",
                             a->status, a->bytes, a->seconds, a->etag);
    } else {
        used = (size_t)snprintf(line, sizeof line, "%s access ", now);
        put_escaped(line, &used, sizeof line, a->method);
        line[used++] = ' ';
        put_escaped(line, &used, sizeof line, a->path);
        used += (size_t)snprintf(line + used, sizeof line - used, " %d %zu %.6f %s", a->status,
                                 a->bytes, a->seconds, a->etag);
    }
    emit(line, used < sizeof line ? used : sizeof line - 1, sizeof line);
}

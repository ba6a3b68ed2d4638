/* log.c: fuzzes the access log and the message log (server/log.c) in both
 * formats, with the oracle a log shipper relies on: every call writes
 * exactly one line, ending in a newline and holding no other control byte;
 * a JSON line is one well-formed UTF-8 JSON object (jansson's json_loadb,
 * which refuses anything else) with its members; a plain access line is
 * eight space-separated words. Where the fields were short enough not to
 * be cut and valid UTF-8, the JSON line gives them back exactly.
 *
 * Input: FLAGS STATUS_HI STATUS_LO METHOD \0 PATH \0 MESSAGE
 * FLAGS bit 0: JSON (else plain); bit 1: also log MESSAGE with pr_log();
 * bits 2-3: the ETag word, one of the three the server writes (hit, miss,
 * -), as it is never taken from a request.
 *
 * The log writes to descriptor 2, which is a pipe during each call; the
 * sanitizers report on a copy of the real stderr. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "log.h"

void __sanitizer_set_report_fd(void *fd) __attribute__((weak));

static int pipe_fd[2] = {-1, -1};
static int real_stderr = -1;
static char captured[1 << 16];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    FUZZ_REQUIRE(pipe2(pipe_fd, O_CLOEXEC | O_NONBLOCK) == 0, "pipe: %s", strerror(errno));
    fcntl(pipe_fd[1], F_SETPIPE_SZ, (int)sizeof captured);
    real_stderr = fcntl(2, F_DUPFD_CLOEXEC, 3);
    FUZZ_REQUIRE(real_stderr >= 0, "dup: %s", strerror(errno));
    if (__sanitizer_set_report_fd)
        __sanitizer_set_report_fd((void *)(intptr_t)real_stderr);
    return 0;
}

static void capture_start(void)
{
    FUZZ_REQUIRE(dup2(pipe_fd[1], 2) == 2, "dup2: %s", strerror(errno));
}

/* Restores stderr and returns what was written meanwhile. */
static size_t capture_end(void)
{
    FUZZ_REQUIRE(dup2(real_stderr, 2) == 2, "dup2: %s", strerror(errno));
    size_t len = 0;
    ssize_t n;
    while (len < sizeof captured - 1 &&
           (n = read(pipe_fd[0], captured + len, sizeof captured - 1 - len)) > 0)
        len += (size_t)n;
    captured[len] = '\0';
    return len;
}

/* One line: a newline at the end and nowhere else, no other control byte
 * (a tab or a carriage return would let a request forge or split lines). */
static void one_line(size_t len)
{
    FUZZ_REQUIRE(len > 0 && captured[len - 1] == '\n', "no line, or no newline: %.*s", (int)len,
                 captured);
    for (size_t i = 0; i + 1 < len; i++) {
        unsigned char c = (unsigned char)captured[i];
        FUZZ_REQUIRE(c >= 0x20 && c != 0x7f, "byte 0x%02x at %zu of %zu: %.*s", c, i, len, (int)len,
                     captured);
    }
}

static json_t *json_line(size_t len)
{
    one_line(len);
    FUZZ_REQUIRE(fuzz_utf8_valid((const unsigned char *)captured, len - 1), "not UTF-8: %.*s",
                 (int)len, captured);
    json_error_t jerr;
    json_t *root = json_loadb(captured, len - 1, 0, &jerr);
    FUZZ_REQUIRE(json_is_object(root), "not a JSON object (%s): %.*s", jerr.text, (int)len,
                 captured);
    FUZZ_REQUIRE(json_is_string(json_object_get(root, "time")), "no time");
    return root;
}

/* The JSON string member `key` is `want` (when want is short, valid UTF-8). */
static void gives_back(json_t *root, const char *key, const char *want)
{
    json_t *v = json_object_get(root, key);
    FUZZ_REQUIRE(json_is_string(v), "no %s", key);
    size_t len = strlen(want);
    if (len > 200 || !fuzz_utf8_valid((const unsigned char *)want, len))
        return;
    FUZZ_REQUIRE(json_string_length(v) == len && !memcmp(json_string_value(v), want, len),
                 "%s is \"%s\", not \"%s\"", key, json_string_value(v), want);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3)
        return 0;
    int flags = data[0];
    int status = (data[1] << 8 | data[2]) % 1000;
    char *text = malloc(size - 3 + 4);
    if (!text)
        return 0;
    memcpy(text, data + 3, size - 3);
    memset(text + size - 3, 0, 4);
    const char *method = text;
    const char *path = method + strlen(method) + 1;
    const char *message = path < text + size - 3 ? path + strlen(path) + 1 : "";
    static const char *const etags[] = {"-", "hit", "miss", "-"};
    const char *etag = etags[(flags >> 2) & 3];
    if (path > text + size - 3)
        path = "";
    if (message > text + size - 3)
        message = "";
    bool json = flags & 1;

    pr_log_configure(PR_LOG_INFO, json ? PR_LOG_JSON : PR_LOG_PLAIN, true);
    pr_access a = {method, path, status, size, 0.25, etag};
    capture_start();
    pr_log_access(&a);
    size_t len = capture_end();
    if (json) {
        json_t *root = json_line(len);
        gives_back(root, "method", method);
        gives_back(root, "path", path);
        gives_back(root, "etag", etag);
        json_t *st = json_object_get(root, "status");
        FUZZ_REQUIRE(json_is_integer(st) && json_integer_value(st) == status, "status");
        json_decref(root);
    } else {
        one_line(len);
        if (method[0] && path[0] && len < 1024) {
            int words = 1;
            for (size_t i = 0; i + 1 < len; i++)
                words += captured[i] == ' ';
            FUZZ_REQUIRE(words == 8, "%d words: %s", words, captured);
        }
    }

    if (flags & 2) {
        capture_start();
        pr_log(PR_LOG_WARN, "%s", message);
        len = capture_end();
        if (json) {
            json_t *root = json_line(len);
            gives_back(root, "msg", message);
            json_decref(root);
        } else {
            FUZZ_REQUIRE(len > 0 && captured[len - 1] == '\n', "no line");
        }
    }
    free(text);
    return 0;
}

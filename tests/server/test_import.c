/* `portreg import` and tools/update-registry with the real server: the
 * server on an imported directory reports IANA's registry date, and the
 * update script (from a local folder only: tests never touch the network)
 * imports and has the running server reload, or changes nothing. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define GOOD_XML      PR_TEST_DIR "/import/good/service-names-port-numbers.xml"
#define BAD_XML       PR_TEST_DIR "/import/bad/bad_port.xml"
#define UPDATE_SCRIPT PR_TEST_DIR "/../tools/update-registry"

TestSuite(imported);
TestSuite(update_script);

static void scratch_dir(char *buf, size_t size)
{
    snprintf(buf, size, "%s/scratch-XXXXXX", PR_TEST_TMP);
    cr_assert_not_null(mkdtemp(buf), "mkdtemp %s", buf);
}

static void remove_tree(const char *dir)
{
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        execl("/bin/rm", "rm", "-rf", "--", dir, (char *)NULL);
        _exit(127);
    }
    waitpid(pid, NULL, 0);
}

/* Runs argv with stdout and stderr into the file `output` (read back into
 * *text when not NULL, which the caller frees); returns the exit status. */
static int run(const char *const *argv, const char *output, char **text)
{
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        int fd = open(output, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0)
            _exit(126);
        dup2(fd, 1);
        dup2(fd, 2);
        close(fd);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    if (text) {
        FILE *f = fopen(output, "rb");
        cr_assert_not_null(f);
        char *buf = calloc(1, 65536);
        cr_assert_not_null(buf);
        size_t n = fread(buf, 1, 65535, f);
        buf[n] = '\0';
        fclose(f);
        *text = buf;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void copy_file(const char *from, const char *to, const char *replace, const char *with)
{
    FILE *in = fopen(from, "rb");
    cr_assert_not_null(in, "%s", from);
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf - 1, in);
    fclose(in);
    buf[n] = '\0';
    FILE *out = fopen(to, "wb");
    cr_assert_not_null(out, "%s", to);
    char *at = replace ? strstr(buf, replace) : NULL;
    if (replace)
        cr_assert_not_null(at, "%s is not in %s", replace, from);
    if (at) {
        fwrite(buf, 1, (size_t)(at - buf), out);
        fputs(with, out);
        fputs(at + strlen(replace), out);
    } else {
        fwrite(buf, 1, n, out);
    }
    cr_assert_eq(fclose(out), 0);
}

static json_t *get_registry(uint16_t port)
{
    http_response r;
    http_request(port, "GET", "/v1/registry", NULL, &r);
    cr_assert_eq(r.status, 200, "%s", r.body);
    json_t *j = http_json(&r);
    http_response_free(&r);
    return j;
}

static const char *updated_of(json_t *registry)
{
    return json_string_value(json_object_get(registry, "updated"));
}

/* Waits (up to 10 s) until /v1/registry reports the date. */
static bool wait_for_date(uint16_t port, const char *date)
{
    for (int i = 0; i < 1000; i++) {
        json_t *j = get_registry(port);
        bool there = updated_of(j) && !strcmp(updated_of(j), date);
        json_decref(j);
        if (there)
            return true;
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return false;
}

static bool metrics_say(uint16_t port, const char *line)
{
    http_response r;
    http_request(port, "GET", "/metrics", NULL, &r);
    bool found = strstr(r.body, line) != NULL;
    http_response_free(&r);
    return found;
}

/* ---- the server on IANA's registry, imported from the XML ---- */

Test(imported, the_server_reports_ianas_date)
{
    const char *iana = iana_dir();
    if (!iana || access(PR_IANA_DIR "/service-names-port-numbers.xml", R_OK) != 0)
        cr_skip_test("the whole registry is absent (" PR_IANA_DIR "): skipped");
    char dir[4096], data[4200], log[4200];
    scratch_dir(dir, sizeof dir);
    snprintf(data, sizeof data, "%s/data", dir);
    snprintf(log, sizeof log, "%s/import.log", dir);
    const char *import[] = {
        PR_PORTREG, "import", "--xml", PR_IANA_DIR "/service-names-port-numbers.xml",
        "--out",    data,     NULL};
    char *said;
    cr_assert_eq(run(import, log, &said), 0, "%s", said);
    cr_assert(strstr(said, "records:        14533"), "%s", said);
    cr_assert(strstr(said, "registry date:  2026-08-17"), "%s", said);
    free(said);

    server s;
    const char *args[] = {"--data", data, NULL};
    server_start(&s, args);
    json_t *j = get_registry(s.port);
    cr_assert_str_eq(updated_of(j), "2026-08-17");
    cr_assert_eq(json_integer_value(json_object_get(j, "records")), 14533);
    cr_assert_eq(json_integer_value(json_object_get(j, "contacts")), 5615);
    cr_assert_eq(json_integer_value(json_object_get(j, "services")), 7327);
    /* the imported files are IANA's, byte for byte */
    json_t *files = json_object_get(j, "files");
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(files, 0), "sha256")),
                     "757d5969a623680753269c420688fc01b050ce8dae9f47d90aab0a057f144dc8");
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(files, 1), "sha256")),
                     "f64663a5a6e9a94d2dc0ff1718dcc8d1f16942ac02c286239853eb70b3bf2a74");
    json_decref(j);

    http_response r;
    http_request(s.port, "GET", "/v1/ports/3493", NULL, &r);
    cr_assert_eq(r.status, 200);
    char value[128];
    cr_assert_str_eq(http_header(&r, "Last-Modified", value, sizeof value),
                     "Mon, 17 Aug 2026 00:00:00 GMT");
    cr_assert(strstr(r.body, "\"service\":\"nut\""), "%.300s", r.body);
    http_response_free(&r);
    cr_assert_eq(server_stop(&s), 0);
    remove_tree(dir);
}

/* ---- tools/update-registry --from ---- */

typedef struct site {
    char dir[4096];
    char data[4200];  /* the data directory */
    char from[4200];  /* where the script takes the XML from */
    char cache[4200]; /* its downloads and record of the last import */
    char log[4200];   /* what it said */
    char pid[4200];   /* the server's pid file */
} site;

static void make_site(site *s)
{
    scratch_dir(s->dir, sizeof s->dir);
    snprintf(s->data, sizeof s->data, "%s/data", s->dir);
    snprintf(s->from, sizeof s->from, "%s/from", s->dir);
    snprintf(s->cache, sizeof s->cache, "%s/cache", s->dir);
    snprintf(s->log, sizeof s->log, "%s/update.log", s->dir);
    snprintf(s->pid, sizeof s->pid, "%s/portreg.pid", s->dir);
    cr_assert_eq(mkdir(s->from, 0755), 0);
}

/* Puts into the site's folder the good XML, dated `date` when not NULL. */
static void offer(const site *s, const char *xml, const char *date)
{
    char to[4300], with[64];
    snprintf(to, sizeof to, "%s/service-names-port-numbers.xml", s->from);
    snprintf(with, sizeof with, "<updated>%s</updated>", date ? date : "");
    copy_file(xml, to, date ? "<updated>2021-03-04</updated>" : NULL, with);
}

/* Runs the script with --from, --out, --cache, --portreg and `extra`. */
static int update(const site *s, const char *const *extra, char **said)
{
    const char *argv[20] = {"/bin/sh", UPDATE_SCRIPT, "--from", s->from,     "--out",
                            s->data,   "--cache",     s->cache, "--portreg", PR_PORTREG};
    int argc = 10;
    for (int i = 0; extra && extra[i]; i++)
        argv[argc++] = extra[i];
    argv[argc] = NULL;
    return run(argv, s->log, said);
}

static void write_pid(const site *s, pid_t pid)
{
    FILE *f = fopen(s->pid, "w");
    cr_assert_not_null(f);
    fprintf(f, "%d\n", (int)pid);
    cr_assert_eq(fclose(f), 0);
}

Test(update_script, imports_and_has_the_server_reload)
{
    site s;
    make_site(&s);
    offer(&s, GOOD_XML, NULL);
    char *said;
    cr_assert_eq(update(&s, NULL, &said), 0, "%s", said);
    free(said);

    server srv;
    const char *args[] = {"--data", s.data, NULL};
    server_start(&srv, args);
    json_t *j = get_registry(srv.port);
    cr_assert_str_eq(updated_of(j), "2021-03-04");
    cr_assert_eq(json_integer_value(json_object_get(j, "records")), 13);
    json_decref(j);

    /* IANA publishes a new registry: the server reloads it on the signal */
    offer(&s, GOOD_XML, "2022-05-06");
    write_pid(&s, srv.pid);
    const char *pid_args[] = {"--pid", s.pid, NULL};
    cr_assert_eq(update(&s, pid_args, &said), 0, "%s", said);
    cr_assert(strstr(said, "sent SIGHUP"), "%s", said);
    free(said);
    cr_assert(wait_for_date(srv.port, "2022-05-06"), "the server did not reload");

    /* nothing new: no import, no reload */
    cr_assert_eq(update(&s, pid_args, &said), 0, "%s", said);
    cr_assert(strstr(said, "up to date; nothing to do"), "%s", said);
    free(said);
    cr_assert(metrics_say(srv.port, "portreg_reloads_total 1\n"));

    /* the same through a reload command */
    offer(&s, GOOD_XML, "2023-07-08");
    char command[64];
    snprintf(command, sizeof command, "kill -HUP %d", (int)srv.pid);
    const char *cmd_args[] = {"--reload-cmd", command, NULL};
    cr_assert_eq(update(&s, cmd_args, &said), 0, "%s", said);
    free(said);
    cr_assert(wait_for_date(srv.port, "2023-07-08"), "the server did not reload");
    cr_assert_eq(server_stop(&srv), 0);
    remove_tree(s.dir);
}

/* A snapshot of the data directory: its files and their bytes. */
static char *snapshot(const char *dir)
{
    char cmd[4300], out[4400];
    snprintf(out, sizeof out, "%s.snapshot", dir);
    snprintf(cmd, sizeof cmd, "cd '%s' && ls -la --time-style=+ . | sed 1d && cat *", dir);
    const char *argv[] = {"/bin/sh", "-c", cmd, NULL};
    char *text;
    cr_assert_eq(run(argv, out, &text), 0, "%s", text);
    return text;
}

Test(update_script, a_bad_file_changes_nothing_and_signals_no_one)
{
    site s;
    make_site(&s);
    offer(&s, GOOD_XML, NULL);
    char *said;
    cr_assert_eq(update(&s, NULL, &said), 0, "%s", said);
    free(said);
    server srv;
    const char *args[] = {"--data", s.data, NULL};
    server_start(&srv, args);
    write_pid(&s, srv.pid);
    char *before = snapshot(s.data);

    offer(&s, BAD_XML, NULL);
    const char *pid_args[] = {"--pid", s.pid, NULL};
    cr_assert_eq(update(&s, pid_args, &said), 1, "%s", said);
    cr_assert(strstr(said, "bad_port") == NULL, "the message names the file it read: %s", said);
    cr_assert(strstr(said, "service-names-port-numbers.xml:17: Port Number: \"70000\" is not a "
                           "port (0-65535)"),
              "%s", said);
    cr_assert(strstr(said, "the import failed;"), "%s", said);
    free(said);
    char *after = snapshot(s.data);
    cr_assert_str_eq(after, before);
    free(before);
    free(after);
    cr_assert(metrics_say(srv.port, "portreg_reloads_total 0\n"), "no reload was asked for");
    json_t *j = get_registry(srv.port);
    cr_assert_str_eq(updated_of(j), "2021-03-04");
    json_decref(j);
    cr_assert_eq(server_stop(&srv), 0);
    remove_tree(s.dir);
}

Test(update_script, usage_errors)
{
    site s;
    make_site(&s);
    const char *none[] = {"/bin/sh", UPDATE_SCRIPT, NULL};
    char *said;
    cr_assert_eq(run(none, s.log, &said), 2);
    cr_assert(strstr(said, "--out DIR is required"), "%s", said);
    free(said);
    const char *two[] = {"--pid", s.pid, "--reload-cmd", "true", NULL};
    cr_assert_eq(update(&s, two, &said), 2);
    cr_assert(strstr(said, "give one of --pid, --pid-of and --reload-cmd"), "%s", said);
    free(said);
    /* an empty folder: nothing to import, nothing created */
    cr_assert_eq(update(&s, NULL, &said), 1);
    cr_assert(strstr(said, "no service-names-port-numbers.xml in"), "%s", said);
    free(said);
    cr_assert_eq(access(s.data, F_OK), -1);
    remove_tree(s.dir);
}

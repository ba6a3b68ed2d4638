/* `portreg check`: verdicts offline, with an exit status a CI job can act
 * on (0 all sound, 1 not, 2 usage errors, 3 the data did not load), after a
 * first line naming the registry's date and source. Its --json output is
 * compared with what the real server answers to POST /v1/check for the same
 * entries. Most tests run on the seed sample (PORTREG_DATA, a fixture); the
 * default, the built-in registry, has tests of its own. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fixture.h"
#include "harness.h"

TestSuite(cli);

typedef struct run_result {
    int status;      /* exit status, or -1 when killed */
    char *registry;  /* the first line of text output, "registry: ..." ("" if none) */
    char *out, *err; /* out: what follows that line */
    size_t out_len, err_len;
    char *all; /* the whole of stdout */
} run_result;

static void run_free(run_result *r)
{
    free(r->all);
    free(r->registry);
    free(r->err);
    memset(r, 0, sizeof *r);
}

static void append(int fd, char **buf, size_t *len, bool *open)
{
    char chunk[4096];
    ssize_t n = read(fd, chunk, sizeof chunk);
    if (n <= 0) {
        *open = false;
        return;
    }
    *buf = realloc(*buf, *len + (size_t)n + 1);
    cr_assert_not_null(*buf);
    memcpy(*buf + *len, chunk, (size_t)n);
    *len += (size_t)n;
    (*buf)[*len] = '\0';
}

/* When set, the file a run reads as its standard input. */
static const char *stdin_path;

/* Runs `portreg` with args (NULL-terminated) and data_env as PORTREG_DATA
 * (unset when NULL); collects stdout, stderr and the exit status. */
static run_result run_env(const char *data_env, const char *const *args)
{
    int out_pipe[2], err_pipe[2];
    cr_assert_eq(pipe(out_pipe), 0);
    cr_assert_eq(pipe(err_pipe), 0);
    const char *argv[300] = {PR_PORTREG};
    int argc = 1;
    /* the tests of the registry's rules judge without the host hazards,
     * which have tests of their own: a check without --hazards gets
     * --hazards none */
    bool hazards = false;
    for (int i = 0; args[i]; i++)
        hazards = hazards || strcmp(args[i], "--hazards") == 0;
    for (int i = 0; args[i]; i++) {
        cr_assert_lt(argc, 297);
        argv[argc++] = args[i];
        if (i == 0 && strcmp(args[0], "check") == 0 && !hazards) {
            argv[argc++] = "--hazards";
            argv[argc++] = "none";
        }
    }
    argv[argc] = NULL;
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        dup2(out_pipe[1], 1);
        dup2(err_pipe[1], 2);
        close(out_pipe[0]);
        close(out_pipe[1]);
        close(err_pipe[0]);
        close(err_pipe[1]);
        if (stdin_path) {
            int fd = open(stdin_path, O_RDONLY);
            if (fd < 0 || dup2(fd, 0) < 0)
                _exit(126);
            close(fd);
        }
        if (data_env)
            setenv("PORTREG_DATA", data_env, 1);
        else
            unsetenv("PORTREG_DATA");
        execv(PR_PORTREG, (char *const *)argv);
        _exit(127);
    }
    close(out_pipe[1]);
    close(err_pipe[1]);
    run_result r = {.out = calloc(1, 1), .err = calloc(1, 1)};
    cr_assert(r.out && r.err);
    bool out_open = true, err_open = true;
    while (out_open || err_open) {
        struct pollfd p[2] = {{.fd = out_open ? out_pipe[0] : -1, .events = POLLIN},
                              {.fd = err_open ? err_pipe[0] : -1, .events = POLLIN}};
        cr_assert_gt(poll(p, 2, 30000), 0, "portreg check did not finish");
        if (p[0].revents)
            append(out_pipe[0], &r.out, &r.out_len, &out_open);
        if (p[1].revents)
            append(err_pipe[0], &r.err, &r.err_len, &err_open);
    }
    close(out_pipe[0]);
    close(err_pipe[0]);
    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.all = r.out;
    size_t head = 0;
    if (strncmp(r.out, "registry: ", 10) == 0)
        head = strcspn(r.out, "\n") + (strchr(r.out, '\n') != NULL);
    r.registry = strndup(r.out, head);
    cr_assert_not_null(r.registry);
    r.out += head;
    r.out_len -= head;
    return r;
}

#define RUN(...)           run_env(SAMPLE_DIR, (const char *const[]){__VA_ARGS__, NULL})
#define RUN_BUILTIN(...)   run_env(NULL, (const char *const[]){__VA_ARGS__, NULL})
#define RUN_WITH(env, ...) run_env(env, (const char *const[]){__VA_ARGS__, NULL})

static void assert_contains(const char *text, const char *part)
{
    cr_assert(text && strstr(text, part), "output lacks \"%s\":\n%s", part, text ? text : "");
}

#define NEED_REGISTRY(dir)                                                                         \
    do {                                                                                           \
        if (!(dir))                                                                                \
            cr_skip_test("the whole registry is absent (" PR_IANA_DIR "): skipped");               \
    } while (0)

/* "registry: 2026-08-17 (SOURCE, N days old)\n" */
static void assert_registry_line(const run_result *r, const char *updated, const char *source)
{
    char want[512];
    snprintf(want, sizeof want, "registry: %s (%s, ", updated, source);
    cr_assert(strncmp(r->registry, want, strlen(want)) == 0, "first line \"%s\", not \"%s...\"",
              r->registry, want);
    const char *days = r->registry + strlen(want);
    char *end;
    long n = strtol(days, &end, 10);
    cr_assert(end != days && n >= 0 && strcmp(end, " days old)\n") == 0, "%s", r->registry);
}

Test(cli, an_assigned_port_is_not_ok)
{
    run_result r = RUN("check", "5264/tcp", "mysvc");
    cr_assert_eq(r.status, 1, "exit %d; stderr: %s", r.status, r.err);
    /* the sample has no date file: its date is its newest row's */
    assert_registry_line(&r, "2022-08-12", SAMPLE_DIR);
    cr_assert_str_eq(r.out, "5264/tcp mysvc: NOT OK\n"
                            "  assigned: 5264/tcp is assigned to 3com-njack-1 (3Com Network Jack "
                            "Port 1)\n"
                            "  free nearby: 5263, 5262, 5266, 5261, 5267\n");
    cr_assert_eq(r.err_len, 0, "stderr: %s", r.err);
    run_free(&r);
}

Test(cli, sound_choices_exit_0)
{
    run_result r = RUN("check", "3493/tcp", "nut");
    cr_assert_eq(r.status, 0, "exit %d; stderr: %s", r.status, r.err);
    cr_assert_str_eq(r.out, "3493/tcp nut: ok\n");
    run_free(&r);
    r = RUN("check", "3493/udp", "NUT", "5260/tcp", "5260/udp", "my-svc");
    cr_assert_eq(r.status, 0, "exit %d; stderr: %s", r.status, r.err);
    cr_assert_str_eq(r.out, "3493/udp NUT: ok\n5260/tcp: ok\n5260/udp my-svc: ok\n");
    run_free(&r);
}

Test(cli, every_kind_of_reason_is_printed)
{
    run_result r =
        RUN("check", "4726/tcp", "1023/udp", "49152/tcp", "5260/tcp", "nut", "5261/tcp", "my_svc");
    cr_assert_eq(r.status, 1);
    assert_contains(r.out, "4726/tcp: NOT OK\n  reserved: 4726/tcp is reserved");
    assert_contains(r.out, "1023/udp: NOT OK\n  system_port: 1023 is a system port (0-1023)");
    assert_contains(r.out, "49152/tcp: NOT OK\n  dynamic_port: 49152 is a dynamic port");
    assert_contains(r.out, "5260/tcp nut: NOT OK\n  name_registered: ");
    assert_contains(r.out, "3493/tcp, 3493/udp");
    assert_contains(r.out, "5261/tcp my_svc: NOT OK\n  name_invalid: ");
    assert_contains(r.out, "  name: \"my_svc\" contains characters other than letters, digits "
                           "and hyphens\n");
    /* from a dynamic port, downwards from 49151 */
    assert_contains(r.out, "free nearby: 49151, 49150, 49149, 49148, 49147\n");
    run_free(&r);
}

Test(cli, suggest_and_both)
{
    run_result r = RUN("check", "--suggest", "2", "5264/tcp");
    cr_assert_eq(r.status, 1);
    assert_contains(r.out, "  free nearby: 5263, 5262\n");
    run_free(&r);
    r = RUN("check", "5264/tcp", "--suggest", "0");
    cr_assert_eq(r.status, 1);
    cr_assert_null(strstr(r.out, "free nearby"), "%s", r.out);
    run_free(&r);
    r = RUN("check", "--both", "5264/udp");
    cr_assert_eq(r.status, 1);
    assert_contains(r.out, "  free nearby: 5263, 5262, 5266, 5261, 5267\n");
    run_free(&r);
}

Test(cli, clashes_exit_1)
{
    run_result r = RUN("check", "5260/tcp", "svc-a", "5260/tcp", "svc-b");
    cr_assert_eq(r.status, 1, "the port is free, but the two clash");
    cr_assert_str_eq(r.out, "5260/tcp svc-a: NOT OK\n"
                            "  clash: 5260/tcp is also taken by entry 1\n"
                            "  free nearby: 5259, 5261, 5258, 5262, 5257\n"
                            "5260/tcp svc-b: NOT OK\n"
                            "  clash: 5260/tcp is also taken by entry 0\n"
                            "  free nearby: 5259, 5261, 5258, 5262, 5257\n"
                            "clash: entries 0 and 1 both use 5260/tcp\n");
    run_free(&r);
    r = RUN("check", "5260/udp", "mysvc", "5261/udp", "MYSVC");
    cr_assert_eq(r.status, 1);
    assert_contains(r.out, "clash: entries 0 and 1 give the name \"mysvc\" two different ports "
                           "for udp\n");
    run_free(&r);
    r = RUN("check", "5260/tcp", "mysvc", "5260/udp", "mysvc");
    cr_assert_eq(r.status, 0, "tcp and udp of one port do not clash: %s", r.out);
    run_free(&r);
}

Test(cli, bad_operands_exit_2)
{
    const char *const cases[][4] = {
        {"check", NULL},
        {"check", "5264", NULL},
        {"check", "70000/tcp", NULL},
        {"check", "5264/xtp", NULL},
        {"check", "5264/", NULL},
        {"check", "/tcp", NULL},
        {"check", "mysvc", NULL},
        {"check", "5264/tcp", "a", "b"},
        {"check", "--suggest", "21", "5264/tcp"},
        {"check", "--suggest", "x", "5264/tcp"},
        {"check", "--both", "5264/sctp", NULL},
        {"check", "--bogus", "5264/tcp", NULL},
        {"check", "5264/tcp", "caf\xc3", NULL}, /* a name that is not UTF-8 */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const char *args[5] = {NULL};
        for (int k = 0; k < 4 && cases[i][k]; k++)
            args[k] = cases[i][k];
        run_result r = run_env(NULL, args);
        cr_assert_eq(r.status, 2, "case %zu (%s %s): exit %d", i, args[1] ? args[1] : "",
                     args[2] ? args[2] : "", r.status);
        cr_assert_eq(strlen(r.all), 0, "case %zu: nothing on stdout: %s", i, r.all);
        cr_assert_gt(r.err_len, 0, "case %zu: says why", i);
        run_free(&r);
    }
    /* the manifest limit holds offline too */
    const char *args[110] = {"check"};
    char ports[101][16];
    for (int i = 0; i < 101; i++) {
        snprintf(ports[i], sizeof ports[i], "%d/udp", 6000 + i);
        args[i + 1] = ports[i];
    }
    run_result r = run_env(NULL, args);
    cr_assert_eq(r.status, 2, "101 entries: exit %d", r.status);
    run_free(&r);
    args[101] = NULL;
    r = run_env(NULL, args);
    cr_assert_eq(r.status, 1, "100 entries are judged (6081/udp is geneve): exit %d", r.status);
    run_free(&r);
}

Test(cli, data_that_does_not_load_exits_3_naming_the_path)
{
    run_result r = RUN("check", "--data", "/nonexistent-portreg-data", "5264/tcp", "x");
    cr_assert_eq(r.status, 3, "exit %d", r.status);
    cr_assert_eq(strlen(r.all), 0, "no verdict without data: %s", r.all);
    cr_assert_str_eq(r.err, "portreg: check: the data did not load: "
                            "/nonexistent-portreg-data/service-names-port-numbers.csv: cannot "
                            "open: No such file or directory\n");
    run_free(&r);
    /* a file that is there but broken: its line, one line as well */
    char dir[] = PR_TEST_TMP "/cli-broken-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char records[4200], contacts[4200];
    snprintf(records, sizeof records, "%s/service-names-port-numbers.csv", dir);
    snprintf(contacts, sizeof contacts, "%s/contacts.csv", dir);
    FILE *f = fopen(records, "w");
    cr_assert_not_null(f);
    fputs("Service Name,Port Number,Transport Protocol,Description,Assignee,Contact,"
          "Registration Date,Modification Date,Reference,Service Code,"
          "Unauthorized Use Reported,Assignment Notes\n"
          "x,70000,tcp,,,,,,,,,\n",
          f);
    fclose(f);
    f = fopen(contacts, "w");
    cr_assert_not_null(f);
    fputs("ID,Name,Organization,Contact URI,Last Updated\n", f);
    fclose(f);
    r = RUN("check", "--data", dir, "5264/tcp");
    unlink(records);
    unlink(contacts);
    rmdir(dir);
    cr_assert_eq(r.status, 3, "exit %d", r.status);
    cr_assert(strstr(r.err, "/service-names-port-numbers.csv:2: Port Number: \"70000\""), "%s",
              r.err);
    cr_assert_eq(strchr(r.err, '\n'), r.err + r.err_len - 1, "one line: %s", r.err);
    run_free(&r);
}

Test(cli, help_and_validate_name_the_exit_statuses_and_the_source)
{
    run_result r = RUN_BUILTIN("--help");
    cr_assert_eq(r.status, 0);
    assert_contains(r.out, "exit 0 when all are sound, 1 when any is not, 2 on a\n"
                           "              usage error, 3 when the data did not load");
    assert_contains(r.out, "default: the built-in registry");
    assert_contains(r.out, "(PORTREG_MAX_DATA_AGE)");
    run_free(&r);
    r = RUN_BUILTIN("validate");
    cr_assert_eq(r.status, 0, "%s", r.err);
    assert_contains(r.out, "source:         built-in\nrecords:        14533\n");
    assert_contains(r.out, "registry date:  2026-08-17 (from registry-updated)\n");
    run_free(&r);
    r = RUN("validate");
    cr_assert_eq(r.status, 0, "%s", r.err);
    assert_contains(r.out, "source:         " SAMPLE_DIR "\nrecords:        128\n");
    run_free(&r);
}

Test(cli, the_default_is_the_built_in_registry)
{
    /* the example: without --data, 8080/tcp is http-alt's */
    run_result r = RUN_BUILTIN("check", "8080/tcp", "web");
    cr_assert_eq(r.status, 1, "exit %d: %s", r.status, r.err);
    assert_registry_line(&r, "2026-08-17", "built-in");
    assert_contains(r.out, "8080/tcp web: NOT OK\n  assigned: 8080/tcp is assigned to http-alt");
    run_free(&r);
    r = RUN_BUILTIN("check", "--json", "8080/tcp", "http-alt");
    cr_assert_eq(r.status, 0, "http-alt's own registration is sound: exit %d", r.status);
    cr_assert_str_eq(r.registry, "", "--json prints JSON alone");
    json_error_t jerr;
    json_t *j = json_loads(r.out, 0, &jerr);
    cr_assert_not_null(j, "%s", jerr.text);
    json_t *stamp = json_object_get(j, "registry");
    cr_assert_str_eq(json_string_value(json_object_get(stamp, "updated")), "2026-08-17");
    cr_assert_str_eq(json_string_value(json_object_get(stamp, "source")), "built-in");
    json_decref(j);
    run_free(&r);
}

/* --json's exact bytes, pinned by a file of them written before the verdicts'
 * JSON moved to another writer: a change of any byte of a CI job's input
 * must be a decision, not a side effect. */
Test(cli, json_bytes_are_pinned)
{
    run_result r = RUN_BUILTIN("check", "--json", "80/tcp", "http", "80/tcp", "web", "5264/udp",
                               "7000/tcp", "web", "1/sctp", "49200/dccp");
    cr_assert_eq(r.status, 1, "exit %d: %s", r.status, r.err);
    FILE *f = fopen(PR_TEST_DIR "/server/golden/check-json-builtin.json", "rb");
    cr_assert_not_null(f);
    static char want[65536];
    size_t n = fread(want, 1, sizeof want - 1, f);
    cr_assert(feof(f) && n > 0);
    fclose(f);
    want[n] = '\0';
    cr_assert_eq(r.out_len, n, "%zu bytes, pinned %zu", r.out_len, n);
    cr_assert_str_eq(r.out, want);
    run_free(&r);
}

/* The server that --json output is compared with, on the data the CLI reads:
 * started per test by the suites below, and stopped even when a test fails. */
TestSuite(cli_json, .init = fixture_sample, .fini = fixture_stop);
TestSuite(cli_json_registry, .init = fixture_registry, .fini = fixture_stop);

/* --json prints what POST /v1/check answers, member for member. */
static void json_is_post_answer(const char *data_dir)
{
    static const char manifest[] =
        "[{\"port\": 5264, \"protocol\": \"tcp\", \"name\": \"mysvc\"},"
        " {\"port\": 3493, \"protocol\": \"tcp\", \"name\": \"NUT\"},"
        " {\"port\": 0, \"protocol\": \"udp\"},"
        " {\"port\": 5260, \"protocol\": \"tcp\", \"name\": \"my--svc\"},"
        " {\"port\": 5260, \"protocol\": \"tcp\", \"name\": \"nut\"},"
        " {\"port\": 49152, \"protocol\": \"udp\", \"name\": \"x\"}]";
    const char *const variants[][3] = {
        {"?hazards=none", NULL}, {"?both=true&suggest=3&hazards=none", "--both", "--suggest"}};
    for (int v = 0; v < 2; v++) {
        char target[64];
        snprintf(target, sizeof target, "/v1/check%s", variants[v][0]);
        http_response resp;
        http_request_body(srv.port, "POST", target, "Content-Type: application/json\r\n", manifest,
                          strlen(manifest), &resp);
        cr_assert_eq(resp.status, 200, "%s", resp.body);
        json_t *want = http_json(&resp);
        http_response_free(&resp);

        const char *argv[32] = {"check", "--json"};
        int argc = 2;
        if (data_dir) {
            argv[argc++] = "--data";
            argv[argc++] = data_dir;
        } /* else the built-in registry */
        if (variants[v][1]) {
            argv[argc++] = variants[v][1];
            argv[argc++] = variants[v][2];
            argv[argc++] = "3";
        }
        const char *const entries[] = {"5264/tcp", "mysvc",     "3493/tcp", "NUT",
                                       "0/udp",    "5260/tcp",  "my--svc",  "5260/tcp",
                                       "nut",      "49152/udp", "x"};
        for (size_t i = 0; i < sizeof entries / sizeof *entries; i++)
            argv[argc++] = entries[i];
        argv[argc] = NULL;
        run_result r = run_env(NULL, argv);
        cr_assert_eq(r.status, 1, "a clash and bad choices: exit %d: %s", r.status, r.err);
        json_error_t jerr;
        json_t *got = json_loadb(r.out, r.out_len, 0, &jerr);
        cr_assert_not_null(got, "--json output is not JSON: %s", jerr.text);
        cr_assert(json_is_object(got));
        cr_assert_eq(json_object_size(got), 4, "ok, verdicts, clashes, registry");
        cr_assert_eq(json_array_size(json_object_get(got, "verdicts")), 6);
        /* 5260/tcp twice; NUT on 3493/tcp and nut on 5260/tcp */
        cr_assert_eq(json_array_size(json_object_get(got, "clashes")), 2);
        cr_assert(json_equal(got, want), "variant %d: --json differs from the POST answer", v);
        json_decref(got);
        json_decref(want);
        run_free(&r);
    }
}

Test(cli_json, json_equals_the_post_answer)
{
    json_is_post_answer(SAMPLE_DIR);
}

Test(cli_json_registry, json_equals_the_post_answer)
{
    json_is_post_answer(NULL);
}

Test(cli, data_with_the_whole_registry)
{
    const char *dir = iana_dir();
    NEED_REGISTRY(dir);
    /* 1024 has no record in the sample, and is Reserved in the registry */
    run_result r = RUN("check", "1024/tcp");
    cr_assert_eq(r.status, 0, "%s", r.out);
    run_free(&r);
    r = RUN_BUILTIN("check", "1024/tcp");
    cr_assert_eq(r.status, 1, "exit %d: %s", r.status, r.err);
    run_free(&r);
    r = RUN("check", "--data", dir, "1024/tcp");
    cr_assert_eq(r.status, 1, "exit %d: %s", r.status, r.err);
    assert_contains(r.out, "1024/tcp: NOT OK\n  reserved: 1024/tcp is reserved");
    run_free(&r);
    /* PORTREG_DATA does the same */
    r = RUN_WITH(dir, "check", "1024/tcp");
    cr_assert_eq(r.status, 1, "exit %d: %s", r.status, r.err);
    run_free(&r);
    r = RUN("check", "--data", dir, "3493/tcp", "nut", "5260/tcp", "my-new-svc");
    cr_assert_eq(r.status, 0, "exit %d: %s", r.status, r.out);
    cr_assert_str_eq(r.out, "3493/tcp nut: ok\n5260/tcp my-new-svc: ok\n");
    run_free(&r);
    r = RUN("check", "--data", dir, "5264/tcp", "mysvc");
    cr_assert_eq(r.status, 1);
    assert_contains(r.out, "5264/tcp is assigned to 3com-njack-1 (3Com Network Jack Port 1)");
    assert_contains(r.out, "free nearby: 5263, 5262, 5266, 5261, 5267\n");
    run_free(&r);
    r = RUN("check", "--data", dir, "4726/tcp", "49151/udp", "9875/udp", "--both");
    cr_assert_eq(r.status, 1);
    assert_contains(r.out, "4726/tcp: NOT OK\n  reserved:");
    assert_contains(r.out, "49151/udp: NOT OK\n  reserved:");
    assert_contains(r.out, "free nearby: 9874, 9873, 9872, 9871, 9879\n");
    run_free(&r);
}

/* ---- deployment files: `portreg check FILE|DIR|-` ---- */

#define DEPLOY(rel) PR_TEST_DIR "/deploy/" rel

Test(cli, deployment_files_point_at_their_lines)
{
    run_result r = RUN_BUILTIN("check", DEPLOY("good/k8s-app.yaml"));
    cr_assert_eq(r.status, 1, "exit %d: %s", r.status, r.err);
    assert_contains(r.out, DEPLOY("good/k8s-app.yaml") ":38:30: 8080/tcp http (Deployment api, "
                                                       "container api, ports[0]): NOT OK\n"
                                                       "  clash: 8080/tcp is also taken by");
    assert_contains(r.out, DEPLOY("good/k8s-app.yaml") ":12:13: 80/tcp http (Service api, "
                                                       "spec.ports[0]): ok\n");
    assert_contains(r.out, DEPLOY("good/k8s-app.yaml") ":42:30: 9090/tcp metrics-endpoint-port "
                                                       "(Deployment api, container api, "
                                                       "ports[2]): NOT OK\n  name_invalid:");
    cr_assert_eq(r.err_len, 0, "%s", r.err);
    run_free(&r);
    /* a sound file exits 0 */
    r = RUN_BUILTIN("check", DEPLOY("good/../sound/compose.yaml"));
    cr_assert_eq(r.status, 0, "exit %d: %s%s", r.status, r.out, r.err);
    run_free(&r);
}

Test(cli, a_directory_standard_input_and_a_manifest)
{
    /* a directory: its files in name order */
    run_result r = RUN_BUILTIN("check", "--format", "json", DEPLOY("good"));
    cr_assert_eq(r.status, 1, "exit %d: %s", r.status, r.err);
    json_t *j = json_loadb(r.out, r.out_len, 0, NULL);
    cr_assert_not_null(j);
    json_t *verdicts = json_object_get(j, "verdicts");
    cr_assert_eq(json_array_size(verdicts), 7 + 18 + 2 + 11 + 4 + 2);
    const char *first = json_string_value(
        json_object_get(json_object_get(json_array_get(verdicts, 0), "origin"), "file"));
    cr_assert_str_eq(first, DEPLOY("good/compose-long.yml"));
    json_decref(j);
    run_free(&r);
    /* standard input, named "-" */
    stdin_path = DEPLOY("good/compose-short.yaml");
    r = RUN_BUILTIN("check", "-");
    stdin_path = NULL;
    cr_assert_eq(r.status, 1, "exit %d: %s", r.status, r.err);
    assert_contains(r.out, "-:8:9: 8080/tcp (service web, ports[0]): NOT OK\n");
    run_free(&r);
    /* --manifest, with PORT/PROTOCOL beside it: one manifest, one scope */
    r = RUN_BUILTIN("check", "--manifest", DEPLOY("good/manifest.json"), "5264/tcp");
    cr_assert_eq(r.status, 1);
    assert_contains(r.out, "5264/tcp: NOT OK\n  assigned: 5264/tcp is assigned to 3com-njack-1");
    assert_contains(
        r.out, "  clash: 5264/tcp is also taken by entry 0 (" DEPLOY("good/manifest.json") ":2)");
    run_free(&r);
}

Test(cli, bad_files_exit_2_with_the_reason)
{
    const struct {
        const char *file, *part;
    } cases[] = {
        {DEPLOY("bad/empty.yaml"), "bad/empty.yaml: empty: no compose file"},
        {DEPLOY("bad/malformed.yaml"), "bad/malformed.yaml: not readable YAML: line 4, column 1"},
        {DEPLOY("bad/unknown-kind.yaml"), "bad/unknown-kind.yaml:1:1: unknown kind"},
        {DEPLOY("bad/deep.yaml"), "nested more than 64 collections deep"},
        {DEPLOY("bad/laughs.yaml"), "bad/laughs.yaml:25:4: service web, ports[0]"},
        {DEPLOY("bad/bad-port.yaml"), "bad/bad-port.yaml:4:9:"},
        {DEPLOY("bad/missing.yaml"), "bad/missing.yaml: No such file or directory"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        run_result r = RUN_BUILTIN("check", cases[i].file);
        cr_assert_eq(r.status, 2, "%s: exit %d", cases[i].file, r.status);
        cr_assert_eq(r.out_len, 0, "%s: %s", cases[i].file, r.out);
        assert_contains(r.err, cases[i].part);
        run_free(&r);
    }
    /* a 10 MB file is refused once 1 MiB has been read */
    char big[512];
    snprintf(big, sizeof big, "%s/big-compose.yaml", PR_TEST_TMP);
    FILE *f = fopen(big, "w");
    cr_assert_not_null(f);
    fputs("services:\n  web:\n    ports:\n", f);
    for (int i = 0; i < 10 * 1024 * 1024 / 20; i++)
        fputs("      - \"8080:80\"\n", f);
    fclose(f);
    run_result r = RUN_BUILTIN("check", big);
    cr_assert_eq(r.status, 2);
    assert_contains(r.err, "big-compose.yaml: over 1048576 bytes, the limit of a deployment file");
    run_free(&r);
    unlink(big);
    /* options */
    r = RUN_BUILTIN("check", "--hazards", "linux", "8080/tcp");
    cr_assert_eq(r.status, 2);
    assert_contains(r.err, "--hazards: \"linux\" is not all, none");
    run_free(&r);
    r = RUN_BUILTIN("check", "--span", "5000-4000", "8080/tcp");
    cr_assert_eq(r.status, 2);
    run_free(&r);
    r = RUN_BUILTIN("check", "--format", "pdf", "8080/tcp");
    cr_assert_eq(r.status, 2);
    run_free(&r);
}

Test(cli, files_when_the_data_does_not_load_exit_3)
{
    run_result r = RUN_WITH("/nonexistent-portreg-data", "check", DEPLOY("good/k8s-app.yaml"));
    cr_assert_eq(r.status, 3, "exit %d: %s", r.status, r.err);
    assert_contains(r.err, "the data did not load");
    run_free(&r);
}

Test(cli, every_format_keeps_the_exit_status)
{
    const char *formats[] = {"text", "json", "sarif", "junit", "github"};
    for (size_t i = 0; i < 5; i++) {
        run_result r =
            RUN_BUILTIN("check", "--format", formats[i], DEPLOY("good/compose-long.yml"));
        cr_assert_eq(r.status, 1, "%s: exit %d: %s", formats[i], r.status, r.err);
        cr_assert_gt(r.out_len, 0);
        run_free(&r);
        r = RUN_BUILTIN("check", "--format", formats[i], DEPLOY("sound/compose.yaml"));
        cr_assert_eq(r.status, 0, "%s: exit %d: %s", formats[i], r.status, r.err);
        run_free(&r);
    }
    run_result r = RUN_BUILTIN("check", "--format", "github", DEPLOY("good/compose-long.yml"));
    assert_contains(
        r.out, "::error file=" DEPLOY("good/compose-long.yml") ",line=9,col=20,"
                                                               "title=portreg assigned%3A 8000/tcp "
                                                               "api-http::service api, ports[0]: "
                                                               "8000/tcp is assigned to irdmi");
    assert_contains(r.out, "portreg: 4 of 7 ports sound\n");
    run_free(&r);
    /* --local reads this machine's ranges: the verdicts still come */
    r = RUN_BUILTIN("check", "--local", "5260/tcp");
    cr_assert(r.status == 0 || r.status == 1, "exit %d: %s", r.status, r.err);
    run_free(&r);
}

/* A Service's targetPort name is looked up among the ports of the pods it
 * selects, across the files of one check: a typo is not ok at the
 * Service's port, in every format; alone, the Service keeps today's
 * verdict (its pods may be elsewhere). */
Test(cli, a_target_port_name_no_selected_pod_declares)
{
    run_result r = RUN_BUILTIN("check", DEPLOY("target"));
    cr_assert_eq(r.status, 1, "exit %d: %s%s", r.status, r.out, r.err);
    assert_contains(r.out, DEPLOY("target/service.yaml") ":16:13: 29090/tcp metrics (Service "
                                                         "shop, spec.ports[1]): NOT OK\n"
                                                         "  target_port: targetPort \"metric\" "
                                                         "(line 17, column 19) is no tcp port of "
                                                         "the pod templates the selector "
                                                         "selects: Deployment shop (http/tcp, "
                                                         "metrics/tcp)\n");
    assert_contains(r.out, DEPLOY("target/service.yaml") ":13:13: 28081/tcp http (Service shop, "
                                                         "spec.ports[0]): ok\n");
    run_free(&r);
    r = RUN_BUILTIN("check", "--format", "sarif", DEPLOY("target"));
    cr_assert_eq(r.status, 1, "exit %d: %s", r.status, r.err);
    assert_contains(r.out, "\"ruleId\": \"target_port\"");
    run_free(&r);
    r = RUN_BUILTIN("check", DEPLOY("target/service.yaml"));
    cr_assert_eq(r.status, 0, "exit %d: %s%s", r.status, r.out, r.err);
    run_free(&r);
}

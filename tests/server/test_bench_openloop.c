/* bench/openloop.c against the real server: it sends at the offered rate
 * and counts what it sent; and it times requests from their intended send
 * time, so a server stopped for 300 ms shows in the percentiles of every
 * request due during the stop (a closed-loop tool would show a handful). */
#include <criterion/criterion.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fixture.h"

TestSuite(openloop, .init = fixture_sample, .fini = fixture_stop, .timeout = 60);

static void write_urls(const char *path)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs("/v1/ports/401\n/v1/ports/3493\n/v1/ports/5060/udp\n/v1/services/nut\n", f);
    fclose(f);
}

static pid_t start_load(const char *rate, const char *seconds, const char *urls, const char *out)
{
    char port[8];
    snprintf(port, sizeof port, "%u", (unsigned)srv.port);
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        execl(PR_OPENLOOP, PR_OPENLOOP, "127.0.0.1", port, rate, seconds, "0.5", "4", "2", urls,
              out, (char *)NULL);
        _exit(127);
    }
    return pid;
}

static json_t *finish_load(pid_t pid, const char *out)
{
    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "openloop failed: %d", status);
    json_error_t err;
    json_t *j = json_load_file(out, 0, &err);
    cr_assert_not_null(j, "%s: %s", out, err.text);
    unlink(out);
    return j;
}

static double num(const json_t *j, const char *key)
{
    const json_t *v = json_object_get(j, key);
    cr_assert(json_is_number(v), "%s", key);
    return json_number_value(v);
}

Test(openloop, sends_the_offered_rate)
{
    const char *urls = PR_TEST_TMP "/openloop-urls-1.txt", *out = PR_TEST_TMP "/openloop-1.json";
    write_urls(urls);
    json_t *j = finish_load(start_load("400", "1", urls, out), out);
    cr_assert_eq(num(j, "sent"), 400);
    cr_assert_eq(num(j, "completed"), 400);
    cr_assert_eq(num(j, "errors"), 0);
    cr_assert_eq(num(j, "unfinished"), 0);
    cr_assert_leq(num(j, "p50_us"), num(j, "p99_us"));
    cr_assert_leq(num(j, "p99_us"), num(j, "p999_us"));
    cr_assert_leq(num(j, "p999_us"), num(j, "max_us"));
    cr_assert_gt(num(j, "p50_us"), 0);
    json_decref(j);
    unlink(urls);
}

Test(openloop, a_stall_counts_for_every_request_due_in_it)
{
    const char *urls = PR_TEST_TMP "/openloop-urls-2.txt", *out = PR_TEST_TMP "/openloop-2.json";
    write_urls(urls);
    pid_t load = start_load("400", "1", urls, out);
    /* measuring starts 0.7 s after the start (0.2 s to connect, 0.5 s of
     * warm-up); the server stops 1.0 s in, for 300 ms */
    nanosleep(&(struct timespec){1, 0}, NULL);
    kill(srv.pid, SIGSTOP);
    nanosleep(&(struct timespec){0, 300 * 1000 * 1000}, NULL);
    kill(srv.pid, SIGCONT);
    json_t *j = finish_load(load, out);
    cr_assert_eq(num(j, "completed"), 400);
    /* some 120 requests were due during the stop, 80 of them over 100 ms
     * before it ended: more than a tenth of the 400 */
    cr_assert_gt(num(j, "p90_us"), 100000, "p90 %.0f us", num(j, "p90_us"));
    cr_assert_gt(num(j, "max_us"), 250000, "max %.0f us", num(j, "max_us"));
    json_decref(j);
    unlink(urls);
}

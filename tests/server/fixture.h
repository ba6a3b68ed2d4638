/* fixture.h: the server most integration suites run against, started
 * before each test and stopped after it, even when the test fails: on the
 * seed sample, a test fixture in data/sample (fixture_sample), or on the
 * whole registry, the built-in one, with no --data (fixture_registry).
 * fixture_stop asserts that the server exits 0 on SIGTERM.
 *
 * It defines that state as file-scope statics: include it in a test file,
 * never in a header. */
#ifndef PR_TEST_SERVER_FIXTURE_H
#define PR_TEST_SERVER_FIXTURE_H

#include <criterion/criterion.h>
#include <stdbool.h>

#include "harness.h"

static server srv;
static bool started;

#define SAMPLE_DIR PR_TEST_DIR "/../data/sample"

static inline void fixture_sample(void)
{
    const char *args[] = {"--data", SAMPLE_DIR, NULL};
    server_start(&srv, args);
    started = true;
}

static inline void fixture_registry(void)
{
    server_start(&srv, NULL);
    started = true;
}

static inline void fixture_stop(void)
{
    if (started)
        cr_assert_eq(server_stop(&srv), 0, "the server must exit 0 on SIGTERM");
    started = false;
}

#endif

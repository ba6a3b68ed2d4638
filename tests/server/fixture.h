/* fixture.h: the server most integration suites run against, started
 * before each test and stopped after it, even when the test fails: on the
 * sample (fixture_sample) or on the whole registry (fixture_registry, which
 * leaves `started` false when the registry is absent, for the test to skip).
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

static inline void fixture_sample(void)
{
    server_start(&srv, NULL);
    started = true;
}

static inline void fixture_registry(void)
{
    const char *dir = iana_dir();
    started = false;
    if (!dir)
        return;
    const char *args[] = {"--data", dir, NULL};
    server_start(&srv, args);
    started = true;
}

static inline void fixture_stop(void)
{
    if (started)
        cr_assert_eq(server_stop(&srv), 0, "the server must exit 0 on SIGTERM");
    started = false;
}

#endif

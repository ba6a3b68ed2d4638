/* fixture.h: the state most api/ suites run on: a registry, the API over it
 * (with a 1 MiB answer cache) and the exchange a test makes, opened before
 * each test and closed, leak-checked, after it.
 *
 * It defines that state as file-scope statics: include it in a test file,
 * never in a header, and name fixture_sample or fixture_iana and
 * fixture_close in the file's TestSuite (or call them from its own set-up
 * and teardown). */
#ifndef PR_TEST_API_FIXTURE_H
#define PR_TEST_API_FIXTURE_H

#include <criterion/criterion.h>

#include "api_test.h"

static pr_registry *reg;
static pr_api *api;
static exchange ex;

static inline void fixture_open(pr_registry *loaded)
{
    reg = loaded;
    pr_api_config cfg = test_config(1 << 20);
    api = pr_api_new(reg, &cfg);
    cr_assert_not_null(api);
}

/* The sample data set. */
static inline void fixture_sample(void)
{
    fixture_open(load_sample());
}

/* The whole registry, the built-in one. */
static inline void fixture_iana(void)
{
    fixture_open(load_builtin());
}

/* Kept for the suites written when the whole registry could be absent: it
 * is built in now, so this only asserts that it loaded. */
#define SKIP_WITHOUT_IANA() cr_assert_not_null(api, "the built-in registry did not load")

static inline void fixture_close(void)
{
    exchange_end(&ex);
    pr_api_free(api);
    pr_registry_free(reg);
    api = NULL;
    reg = NULL;
    assert_no_leaks();
}

#endif

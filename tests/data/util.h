/* util.h: small helpers shared by the data tests. */
#ifndef PR_TEST_UTIL_H
#define PR_TEST_UTIL_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

/* Fixture folders live beside the tests; the real registry beside the repo. */
#define DATA_DIR   PR_TEST_DIR "/data"
#define SAMPLE_DIR PR_TEST_DIR "/../data/sample"

/* Reads a whole file into a NUL-terminated buffer the caller frees; NULL
 * when it cannot be read. */
unsigned char *read_whole_file(const char *path, size_t *len);

/* True when PR_IANA_DIR holds both registry files. */
bool iana_present(void);

/* Skips the running test when the real registry is absent. */
#define SKIP_WITHOUT_IANA()                                                                        \
    do {                                                                                           \
        if (!iana_present())                                                                       \
            cr_skip_test("../shared/iana absent: no registry files in %s", PR_IANA_DIR);           \
    } while (0)

/* Criterion runs each test in a forked worker, and LeakSanitizer's report
 * at the worker's exit does not fail the test; this teardown aborts when a
 * test leaked, which does. It does nothing without AddressSanitizer. */
void check_no_leaks(void);
#define LEAK_CHECKED_SUITE(name) TestSuite(name, .fini = check_no_leaks)

/* Asserts that pr_registry_next_match finds exactly the records that
 * pr_registry_record_matches accepts, in order; returns how many. */
struct pr_registry;
unsigned scan_agrees_with_record_matches(const struct pr_registry *reg, const char *lower_term);

/* pr_error_format() into a static buffer, for assertions. */
const char *format_error(const pr_error *err);

#endif

/* both_layers.h: what the port-check tests share at both layers, the API's
 * functions (tests/api) and the running server (tests/server): a test run on
 * the sample and on the whole registry, and reading a Link header. Static
 * and inline: include it in test files only. */
#ifndef PR_TEST_BOTH_LAYERS_H
#define PR_TEST_BOTH_LAYERS_H

#include <stdio.h>
#include <string.h>

/* Defines the test `name` in two suites: sample_suite, and registry_suite,
 * where `skip` (a statement) first skips it when the registry is absent. */
#define PR_ON_BOTH(sample_suite, registry_suite, skip, name)                                       \
    static void name##_body(void);                                                                 \
    Test(sample_suite, name)                                                                       \
    {                                                                                              \
        name##_body();                                                                             \
    }                                                                                              \
    Test(registry_suite, name)                                                                     \
    {                                                                                              \
        skip;                                                                                      \
        name##_body();                                                                             \
    }                                                                                              \
    static void name##_body(void)

/* The target of a Link relation (RFC 8288) into out, or NULL when link (may
 * be NULL) has none. */
static inline char *link_target(const char *link, const char *rel, char *out, size_t size)
{
    char needle[32];
    snprintf(needle, sizeof needle, ">; rel=\"%s\"", rel);
    const char *end = link ? strstr(link, needle) : NULL;
    if (!end)
        return NULL;
    const char *start = end;
    while (start > link && start[-1] != '<')
        start--;
    snprintf(out, size, "%.*s", (int)(end - start), start);
    return out;
}

#endif

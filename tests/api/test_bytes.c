/* The exact bytes of answers, pinned: each answer's length and ETag (the
 * first 128 bits of the SHA-256 of its body) and its Link header, over the
 * whole registry (the built-in one). Other suites check what answers mean;
 * this one fails when a single byte changes, so that a change of how bodies
 * are written (a writer, a list helper) can be shown to change none.
 *
 * The pins were taken from the code as it stood before the record and
 * contact writers became one. Running the suite with PR_PIN_PRINT=1 in the
 * environment prints what it finds in the table's form instead of checking
 * it: a deliberate change of an answer updates its row. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_test.h"
#include "fixture.h"

TestSuite(bytes, .init = fixture_iana, .fini = fixture_close);

typedef struct pin {
    const char *target;
    int status;
    size_t len;
    const char *etag;
    const char *link;
} pin;

#include "bytes_pins.h"

static void print_c_string(const char *text)
{
    putchar('"');
    for (const char *c = text; *c; c++) {
        if (*c == '"' || *c == '\\')
            putchar('\\');
        putchar(*c);
    }
    putchar('"');
}

static void check_pin(const pin *p, const exchange *got)
{
    const pr_body *body = got->resp.body;
    if (getenv("PR_PIN_PRINT")) {
        printf("    {");
        print_c_string(p->target);
        printf(", %d, %zu, \"%.32s\", ", got->resp.status, body ? body->len : 0,
               body ? body->etag + 1 : "");
        print_c_string(got->resp.link);
        printf("},\n");
        return;
    }
    cr_assert_eq(got->resp.status, p->status, "%s: status %d", p->target, got->resp.status);
    cr_assert_not_null(body, "%s", p->target);
    cr_assert_eq(body->len, p->len, "%s: %zu bytes, pinned %zu:\n%s", p->target, body->len, p->len,
                 body->data);
    /* the pins hold the tag's hex without its quotes */
    cr_assert(strncmp(body->etag + 1, p->etag, 32) == 0, "%s: ETag %s, pinned \"%s\"", p->target,
              body->etag, p->etag);
    cr_assert_str_eq(got->resp.link, p->link, "%s: Link", p->target);
}

Test(bytes, every_pinned_answer_is_the_same)
{
    SKIP_WITHOUT_IANA();
    for (size_t i = 0; i < sizeof pins / sizeof *pins; i++) {
        const char *target = pins[i].target;
        if (strncmp(target, "POST ", 5) == 0)
            continue;
        exchange_run_unparsed(api, &ex, PR_GET, target);
        check_pin(&pins[i], &ex);
        exchange_end(&ex);
        /* and again, the answer kept from the first time */
        exchange_run_unparsed(api, &ex, PR_GET, target);
        check_pin(&pins[i], &ex);
        exchange_end(&ex);
    }
}

/* POST /v1/check: the manifest's verdicts, the body being the target's
 * text after "POST /v1/check ". */
Test(bytes, the_pinned_manifests_are_the_same)
{
    SKIP_WITHOUT_IANA();
    for (size_t i = 0; i < sizeof pins / sizeof *pins; i++) {
        const char *target = pins[i].target;
        if (strncmp(target, "POST /v1/check ", 15) != 0)
            continue;
        exchange_end(&ex);
        memset(&ex, 0, sizeof ex);
        ex.req.method = PR_POST;
        ex.req.path = "/v1/check";
        ex.req.path_len = strlen(ex.req.path);
        ex.req.params = ex.params;
        ex.req.body = target + 15;
        ex.req.body_len = strlen(target + 15);
        ex.req.content_type = "application/json";
        pr_api_handle(api, &ex.req, &ex.resp);
        check_pin(&pins[i], &ex);
        exchange_end(&ex);
    }
}

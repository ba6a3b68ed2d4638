/* api/target.c: a request target into the path and parameters the API sees,
 * by the rules libmicrohttpd splits the server's targets with. Each case
 * was checked against the running server (a GET of the same target) when
 * the boundary was written; server-protocol asks the wire for some of them. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "api_test.h"
#include "target.h"

typedef struct parsed {
    pr_request req;
    pr_param params[PR_MAX_QUERY_PARAMS];
    char storage[512];
} parsed;

static void parse(parsed *p, const char *target)
{
    memset(p, 0, sizeof *p);
    cr_assert_leq(PR_TARGET_STORAGE(strlen(target)), sizeof p->storage);
    pr_target_parse(target, strlen(target), p->storage, p->params, &p->req);
}

static void assert_param(const parsed *p, size_t i, const char *key, const char *value,
                         size_t value_len)
{
    cr_assert_lt(i, p->req.param_count);
    cr_assert_str_eq(p->req.params[i].key, key, "parameter %zu", i);
    cr_assert_eq(p->req.params[i].value_len, value_len, "parameter %zu", i);
    cr_assert_eq(memcmp(p->req.params[i].value, value, value_len + 1), 0, "parameter %zu", i);
}

Test(target, path_and_fields)
{
    parsed p;
    parse(&p, "/v1/services?protocol=t%63p&limit=1");
    cr_assert_str_eq(p.req.path, "/v1/services");
    cr_assert_eq(p.req.path_len, 12);
    cr_assert_eq(p.req.param_count, 2);
    assert_param(&p, 0, "protocol", "tcp", 3);
    assert_param(&p, 1, "limit", "1", 1);
    parse(&p, "/v1/ports/8%30?");
    cr_assert_str_eq(p.req.path, "/v1/ports/80");
    cr_assert_eq(p.req.param_count, 0);
}

Test(target, plus_is_a_space_in_the_query_only)
{
    parsed p;
    parse(&p, "/v1/services/a+b?q=a+b&x%2By=c%2Bd");
    cr_assert_str_eq(p.req.path, "/v1/services/a+b");
    assert_param(&p, 0, "q", "a b", 3);
    assert_param(&p, 1, "x+y", "c+d", 3);
}

Test(target, fields_without_values_and_empty_fields)
{
    parsed p;
    parse(&p, "/v1/search?q=ups&&limit");
    cr_assert_eq(p.req.param_count, 3);
    assert_param(&p, 0, "q", "ups", 3);
    assert_param(&p, 1, "", "", 0);
    assert_param(&p, 2, "limit", "", 0);
    parse(&p, "/v1/search?q=ups&limit=1&");
    cr_assert_eq(p.req.param_count, 2, "a '&' at the end adds nothing");
    parse(&p, "/v1/search?=x&a=b=c&d&e=f");
    cr_assert_eq(p.req.param_count, 4);
    assert_param(&p, 0, "", "x", 1);
    assert_param(&p, 1, "a", "b=c", 3);
    assert_param(&p, 2, "d", "", 0);
    assert_param(&p, 3, "e", "f", 1);
    parse(&p, "/v1/contacts?q%3D=1");
    assert_param(&p, 0, "q=", "1", 1);
}

Test(target, percent_zero_zero_and_broken_escapes_stay)
{
    parsed p;
    parse(&p, "/v1/services/nut%00xyz?q=a%00b&r=%zz%4&s=%");
    cr_assert_str_eq(p.req.path, "/v1/services/nut%00xyz");
    assert_param(&p, 0, "q", "a%00b", 5);
    assert_param(&p, 1, "r", "%zz%4", 5);
    assert_param(&p, 2, "s", "%", 1);
    parse(&p, "/v1/services/%3F%26?q=%26%3D");
    cr_assert_str_eq(p.req.path, "/v1/services/?&", "escapes split nothing");
    assert_param(&p, 0, "q", "&=", 2);
    parse(&p, "/v1/search?q=%C3%A9%FF");
    assert_param(&p, 0, "q", "\xc3\xa9\xff", 3);
}

Test(target, absolute_form_names_its_path)
{
    parsed p;
    parse(&p, "http://example.org/v1/ports/80?x=1");
    cr_assert_str_eq(p.req.path, "/v1/ports/80");
    assert_param(&p, 0, "x", "1", 1);
    parse(&p, "HTTPS://example.org");
    cr_assert_str_eq(p.req.path, "/");
    cr_assert_eq(p.req.path_len, 1);
}

Test(target, past_the_limit_the_first_are_kept)
{
    char target[256] = "/v1/search?";
    for (int i = 0; i < PR_MAX_QUERY_PARAMS + 3; i++)
        snprintf(target + strlen(target), sizeof target - strlen(target), "%sk%d=%d", i ? "&" : "",
                 i, i);
    parsed p;
    parse(&p, target);
    cr_assert_eq(p.req.param_count, PR_MAX_QUERY_PARAMS);
    cr_assert(p.req.too_many_params);
    assert_param(&p, PR_MAX_QUERY_PARAMS - 1, "k15", "15", 2);
    parse(&p, "/v1/search?q=1");
    cr_assert_not(p.req.too_many_params);
}

Test(target, unescape_in_place)
{
    char s[] = "a%41%2f%00%4g+";
    cr_assert_eq(pr_target_unescape(s), 10);
    cr_assert_str_eq(s, "aA/%00%4g+");
}

/* check_json.c: the Verdict and ManifestResult objects of openapi.yaml,
 * written from the typed values of check.h by the JSON writer (jsonw.h): the
 * one writer of these shapes, for the API and `portreg check --json`. */
#include "check.h"
#include "internal.h"
#include "jsonw.h"

static const char *use_name(enum pr_port_use u)
{
    switch (u) {
    case PR_USE_NODE_PORT:
        return "node_port";
    case PR_USE_CLASH_ONLY:
        return "clash_only";
    case PR_USE_VIRTUAL:
        return "service_port";
    default:
        return "choice";
    }
}

/* An entry read from a file says where it is: "origin", after the
 * members every verdict has. */
static void origin_member(pr_jw *w, const pr_check_entry *e)
{
    const pr_origin *o = e->origin;
    if (!o)
        return;
    PR_JW_LIT(w, ",\"origin\":{\"file\":");
    pr_jw_string(w, o->file);
    PR_JW_LIT(w, ",\"line\":");
    pr_jw_uint(w, o->line);
    PR_JW_LIT(w, ",\"column\":");
    pr_jw_uint(w, o->column);
    PR_JW_LIT(w, ",\"where\":");
    pr_jw_text(w, o->where);
    PR_JW_LIT(w, ",\"scope\":");
    pr_jw_text(w, o->scope);
    PR_JW_LIT(w, ",\"use\":");
    pr_jw_string(w, use_name(e->use));
    PR_JW_LIT(w, "}");
}

/* The Verdict object's members, without its braces (an answer adds the
 * registry's stamp). */
static void verdict_members(pr_jw *w, const pr_api *api, const pr_verdict *v)
{
    const pr_registry *reg = pr_api_registry(api);
    const pr_check_entry *e = &v->entry;
    PR_JW_LIT(w, "\"ok\":");
    pr_jw_bool(w, v->ok);
    PR_JW_LIT(w, ",\"port\":");
    pr_jw_uint(w, e->port);
    PR_JW_LIT(w, ",\"protocol\":");
    pr_jw_string(w, pr_proto_name(e->proto));
    PR_JW_LIT(w, ",\"name\":");
    if (e->name)
        pr_jw_string(w, e->name);
    else
        PR_JW_LIT(w, "null");
    PR_JW_LIT(w, ",\"owner\":");
    if (v->owner)
        pr_jw_string(w, v->owner);
    else
        PR_JW_LIT(w, "null");
    PR_JW_LIT(w, ",\"range_class\":");
    pr_jw_string(w, pr_range_class_name(v->range_class));
    PR_JW_LIT(w, ",\"status\":");
    pr_jw_string(w, pr_status_name(v->status));
    PR_JW_LIT(w, ",\"reasons\":[");
    for (unsigned i = 0; i < v->reason_count; i++) {
        if (i)
            PR_JW_LIT(w, ",");
        PR_JW_LIT(w, "{\"code\":");
        pr_jw_string(w, pr_reason_code_name(v->reasons[i].code));
        PR_JW_LIT(w, ",\"message\":");
        pr_jw_string(w, v->reasons[i].message);
        PR_JW_LIT(w, "}");
    }
    PR_JW_LIT(w, "],\"notes\":[");
    for (unsigned i = 0; i < v->note_count; i++) {
        if (i)
            PR_JW_LIT(w, ",");
        pr_jw_string(w, v->notes[i]);
    }
    PR_JW_LIT(w, "],\"conflicts\":");
    pr_jw_records(w, reg, v->conflicts, v->conflict_count);
    PR_JW_LIT(w, ",\"name_problems\":[");
    for (unsigned i = 0; i < v->name_problem_count; i++) {
        if (i)
            PR_JW_LIT(w, ",");
        pr_jw_string(w, v->name_problems[i]);
    }
    PR_JW_LIT(w, "],\"registered\":");
    pr_jw_records(w, reg, v->registered, v->registered_count);
    PR_JW_LIT(w, ",\"suggestions\":[");
    for (unsigned i = 0; i < v->suggestion_count; i++) {
        if (i)
            PR_JW_LIT(w, ",");
        pr_jw_uint(w, v->suggestions[i]);
    }
    PR_JW_LIT(w, "]");
    origin_member(w, e);
}

/* The ManifestResult object's members. */
static void manifest_members(pr_jw *w, const pr_api *api, const pr_manifest *m)
{
    PR_JW_LIT(w, "\"ok\":");
    pr_jw_bool(w, m->ok);
    PR_JW_LIT(w, ",\"verdicts\":[");
    for (size_t i = 0; i < m->verdict_count; i++) {
        if (i)
            PR_JW_LIT(w, ",");
        PR_JW_LIT(w, "{");
        verdict_members(w, api, &m->verdicts[i]);
        PR_JW_LIT(w, "}");
    }
    PR_JW_LIT(w, "],\"clashes\":[");
    for (size_t i = 0; i < m->clash_count; i++) {
        const pr_clash *c = &m->clashes[i];
        if (i)
            PR_JW_LIT(w, ",");
        PR_JW_LIT(w, "{\"entries\":[");
        pr_jw_uint(w, c->a);
        PR_JW_LIT(w, ",");
        pr_jw_uint(w, c->b);
        PR_JW_LIT(w, "],\"code\":");
        pr_jw_string(w, c->same_port ? "same_port" : "same_name");
        PR_JW_LIT(w, ",\"message\":");
        pr_jw_string(w, c->message);
        PR_JW_LIT(w, "}");
    }
    PR_JW_LIT(w, "]");
}

/* A check answer names the registry it was judged against: a verdict is
 * only as good as the data's date. Added last, so that "ok" stays first. */
static pr_body *stamped(pr_jw *w, const pr_api *api)
{
    PR_JW_LIT(w, ",\"registry\":");
    pr_jw_registry_stamp(w, api);
    PR_JW_LIT(w, "}");
    return pr_jw_finish(w);
}

pr_body *pr_verdict_body(const pr_api *api, const pr_verdict *v)
{
    pr_jw w;
    pr_jw_init(&w, 1024 + ((size_t)v->conflict_count + v->registered_count) * 384);
    PR_JW_LIT(&w, "{");
    verdict_members(&w, api, v);
    return stamped(&w, api);
}

pr_body *pr_manifest_body(const pr_api *api, const pr_manifest *m)
{
    pr_jw w;
    pr_jw_init(&w, 1024 + m->verdict_count * 2048);
    PR_JW_LIT(&w, "{");
    manifest_members(&w, api, m);
    return stamped(&w, api);
}

pr_body *pr_check_verdict(const pr_api *api, const pr_check_entry *entry,
                          const pr_check_options *opt)
{
    pr_verdict v;
    if (pr_check_judge(api, entry, opt, &v) != 0)
        return NULL;
    pr_body *body = pr_verdict_body(api, &v);
    pr_verdict_free(&v);
    return body;
}

pr_body *pr_check_manifest(const pr_api *api, const pr_check_entry *entries, size_t n,
                           const pr_check_options *opt)
{
    pr_manifest m;
    if (pr_check_manifest_judge(api, entries, n, opt, &m) != 0)
        return NULL;
    pr_body *body = pr_manifest_body(api, &m);
    pr_manifest_free(&m);
    return body;
}

/* check_report.c: a judged manifest in the formats of check_report.h. */
#include "check_report.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "api.h"
#include "hazards.h"

#ifndef PORTREG_VERSION
#define PORTREG_VERSION "unknown"
#endif

static const char *const format_names[PR_REPORT_COUNT] = {"text", "json", "sarif", "junit",
                                                          "github"};

const char *pr_report_format_name(enum pr_report_format f)
{
    return (unsigned)f < PR_REPORT_COUNT ? format_names[f] : "";
}

bool pr_report_format_parse(const char *text, size_t len, enum pr_report_format *out)
{
    for (int f = 0; f < PR_REPORT_COUNT; f++)
        if (strlen(format_names[f]) == len && memcmp(format_names[f], text, len) == 0) {
            *out = (enum pr_report_format)f;
            return true;
        }
    return false;
}

const char *pr_report_media_type(enum pr_report_format f)
{
    switch (f) {
    case PR_REPORT_JSON:
        return "application/json";
    case PR_REPORT_SARIF:
        return "application/sarif+json"; /* SARIF 2.1.0, 3.1 */
    case PR_REPORT_JUNIT:
        return "application/xml"; /* JUnit XML has no registered type of its own */
    default:
        return "text/plain; charset=utf-8";
    }
}

json_t *pr_report_json(const pr_api *api, const pr_manifest *m)
{
    /* the API's own bytes, the one writer of the shape; jansson reads them
     * back only to lay them out for a reader */
    pr_body *body = pr_manifest_body(api, m);
    json_t *root = body ? json_loadb(body->data, body->len, 0, NULL) : NULL;
    free(body);
    return root;
}

/* "8080/tcp http" */
static void entry_label(const pr_check_entry *e, char *out, size_t size)
{
    snprintf(out, size, "%u/%s%s%s", (unsigned)e->port, pr_proto_name(e->proto), e->name ? " " : "",
             e->name ? e->name : "");
}

/* ---- text: for people and CI logs ---- */

static void text_verdict(FILE *out, const pr_verdict *v)
{
    char label[128];
    entry_label(&v->entry, label, sizeof label);
    const pr_origin *o = v->entry.origin;
    if (o)
        fprintf(out, "%s:%u:%u: %s (%s): %s\n", o->file, o->line, o->column, label,
                o->where ? o->where : "", v->ok ? "ok" : "NOT OK");
    else
        fprintf(out, "%s: %s\n", label, v->ok ? "ok" : "NOT OK");
    for (unsigned i = 0; i < v->reason_count; i++)
        fprintf(out, "  %s: %s\n", pr_reason_code_name(v->reasons[i].code), v->reasons[i].message);
    for (unsigned i = 0; i < v->note_count; i++)
        fprintf(out, "  note: %s\n", v->notes[i]);
    for (unsigned i = 0; i < v->name_problem_count; i++)
        fprintf(out, "  name: %s\n", v->name_problems[i]);
    if (v->suggestion_count) {
        fprintf(out, "  free nearby:");
        for (unsigned i = 0; i < v->suggestion_count; i++)
            fprintf(out, "%s %u", i ? "," : "", (unsigned)v->suggestions[i]);
        fprintf(out, "\n");
    }
}

static int write_text(FILE *out, const pr_manifest *m, const char *header)
{
    if (header)
        fprintf(out, "%s\n", header);
    for (size_t i = 0; i < m->verdict_count; i++)
        text_verdict(out, &m->verdicts[i]);
    for (size_t i = 0; i < m->clash_count; i++)
        fprintf(out, "clash: %s\n", m->clashes[i].message);
    return 0;
}

/* ---- SARIF 2.1.0 ---- */

static const char *rule_text(enum pr_reason_code c)
{
    switch (c) {
    case PR_REASON_SYSTEM_PORT:
        return "The port is a system port (0-1023), assigned only by IETF Review or IESG Approval.";
    case PR_REASON_DYNAMIC_PORT:
        return "The port is in the dynamic range (49152-65535), never assigned to a service.";
    case PR_REASON_ASSIGNED:
        return "IANA assigned the port to another service.";
    case PR_REASON_RESERVED:
        return "IANA reserved the port.";
    case PR_REASON_NAME_INVALID:
        return "The name breaks the syntax of RFC 6335 section 5.1.";
    case PR_REASON_NAME_REGISTERED:
        return "The service name is registered with IANA on other ports.";
    case PR_REASON_LINUX_EPHEMERAL:
        return "The port is in Linux's ephemeral range.";
    case PR_REASON_WINDOWS_DYNAMIC:
        return "The port is in Windows' dynamic range.";
    case PR_REASON_BROWSER_BLOCKED:
        return "Browsers refuse the port (the Fetch standard's bad ports).";
    case PR_REASON_NODE_PORT_RANGE:
        return "The port meets Kubernetes' NodePort range, or a nodePort is outside it.";
    case PR_REASON_HELD:
        return "An entry of the organization's port plan holds the port for another team.";
    case PR_REASON_IN_BAND:
        return "The port lies in another team's band of the organization's port plan.";
    case PR_REASON_TARGET_PORT:
        return "A Service's targetPort names a port that no pod template it selects declares.";
    case PR_REASON_CLASH:
        return "Another entry of the same scope takes the port or the name.";
    default:
        return "";
    }
}

/* A relative URI reference for a file name (RFC 3986 4.2): every byte but
 * the unreserved ones and "/" percent-encoded. */
static json_t *file_uri(const char *file)
{
    char buf[3 * 1024 + 1];
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)file; *p && n + 4 < sizeof buf; p++) {
        unsigned c = *p;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            strchr("-._~/", (int)c))
            buf[n++] = (char)c;
        else
            n += (size_t)snprintf(buf + n, sizeof buf - n, "%%%02X", c);
    }
    buf[n] = '\0';
    return json_string(buf);
}

static json_t *sarif_result(const pr_verdict *v, unsigned r)
{
    char label[128], text[PR_REASON_BYTES + 512];
    entry_label(&v->entry, label, sizeof label);
    const pr_origin *o = v->entry.origin;
    snprintf(text, sizeof text, "%s%s%s%s: %s", label, o && o->where ? " (" : "",
             o && o->where ? o->where : "", o && o->where ? ")" : "", v->reasons[r].message);
    json_t *result =
        json_pack("{s:s,s:i,s:s,s:{s:s}}", "ruleId", pr_reason_code_name(v->reasons[r].code),
                  "ruleIndex", (int)v->reasons[r].code, "level", "error", "message", "text", text);
    if (!result || !o)
        return result;
    json_t *region = o->line ? json_pack("{s:I,s:I}", "startLine", (json_int_t)o->line,
                                         "startColumn", (json_int_t)(o->column ? o->column : 1))
                             : json_object();
    json_t *loc = json_pack("[{s:{s:{s:o},s:o}}]", "physicalLocation", "artifactLocation", "uri",
                            file_uri(o->file), "region", region);
    if (json_object_set_new(result, "locations", loc) != 0) {
        json_decref(result);
        return NULL;
    }
    return result;
}

static json_t *sarif_log(const pr_manifest *m)
{
    json_t *rules = json_array(), *results = json_array();
    bool failed = !rules || !results;
    for (int c = 0; !failed && c < PR_REASON_COUNT; c++)
        failed = json_array_append_new(
                     rules, json_pack("{s:s,s:{s:s},s:{s:s}}", "id",
                                      pr_reason_code_name((enum pr_reason_code)c),
                                      "shortDescription", "text", rule_text((enum pr_reason_code)c),
                                      "defaultConfiguration", "level", "error")) != 0;
    for (size_t i = 0; !failed && i < m->verdict_count; i++)
        for (unsigned r = 0; !failed && r < m->verdicts[i].reason_count; r++)
            failed = json_array_append_new(results, sarif_result(&m->verdicts[i], r)) != 0;
    if (failed) {
        json_decref(rules);
        json_decref(results);
        return NULL;
    }
    return json_pack("{s:s,s:s,s:[{s:{s:{s:s,s:s,s:s,s:o}},s:o}]}", "$schema",
                     "https://json.schemastore.org/sarif-2.1.0.json", "version", "2.1.0", "runs",
                     "tool", "driver", "name", "portreg", "version", PORTREG_VERSION,
                     "informationUri",
                     "https://www.iana.org/assignments/service-names-port-numbers", "rules", rules,
                     "results", results);
}

/* ---- JUnit XML: a test case per entry ---- */

static void xml_text(FILE *out, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        switch (c) {
        case '<':
            fputs("&lt;", out);
            break;
        case '>':
            fputs("&gt;", out);
            break;
        case '&':
            fputs("&amp;", out);
            break;
        case '"':
            fputs("&quot;", out);
            break;
        default:
            /* XML 1.0 2.2 allows no control characters but tab, LF, CR */
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
                fputc('?', out);
            else
                fputc(c, out);
        }
    }
}

/* The Apache Ant JUnit task's format, which CI systems read (and whose
 * XML Schema the tests validate against): one suite, a test case per
 * entry, a failure per entry that is not ok. */
static int write_junit(FILE *out, const pr_manifest *m, const char *header)
{
    size_t failures = 0;
    for (size_t i = 0; i < m->verdict_count; i++)
        failures += !m->verdicts[i].ok;
    char stamp[32] = "1970-01-01T00:00:00", host[256] = "localhost";
    time_t now = time(NULL);
    struct tm tm;
    if (gmtime_r(&now, &tm))
        strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
    if (gethostname(host, sizeof host) != 0 || !host[0])
        strcpy(host, "localhost");
    host[sizeof host - 1] = '\0';
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n"
          "  <testsuite package=\"portreg\" id=\"0\" name=\"portreg check\" timestamp=\"",
          out);
    fputs(stamp, out);
    fputs("\" hostname=\"", out);
    xml_text(out, host);
    fprintf(out,
            "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"0\" time=\"0\">\n"
            "    <properties>\n",
            m->verdict_count, failures);
    if (header) {
        fputs("      <property name=\"registry\" value=\"", out);
        xml_text(out, header);
        fputs("\"/>\n", out);
    }
    fputs("    </properties>\n", out);
    for (size_t i = 0; i < m->verdict_count; i++) {
        const pr_verdict *v = &m->verdicts[i];
        const pr_origin *o = v->entry.origin;
        char label[128];
        entry_label(&v->entry, label, sizeof label);
        fputs("    <testcase classname=\"", out);
        xml_text(out, o ? o->file : "portreg.check");
        fputs("\" name=\"", out);
        xml_text(out, label);
        if (o && o->where) {
            fputs(" (", out);
            xml_text(out, o->where);
            fputs(")", out);
        }
        if (v->ok) {
            fputs("\" time=\"0\"/>\n", out);
            continue;
        }
        fputs("\" time=\"0\">\n      <failure message=\"", out);
        xml_text(out, v->reason_count ? v->reasons[0].message : "not sound");
        fputs("\" type=\"", out);
        xml_text(out, v->reason_count ? pr_reason_code_name(v->reasons[0].code) : "not_ok");
        fputs("\">", out);
        if (o) {
            xml_text(out, o->file);
            fprintf(out, ":%u:%u\n", o->line, o->column);
        }
        for (unsigned r = 0; r < v->reason_count; r++) {
            xml_text(out, pr_reason_code_name(v->reasons[r].code));
            fputs(": ", out);
            xml_text(out, v->reasons[r].message);
            fputs("\n", out);
        }
        fputs("</failure>\n    </testcase>\n", out);
    }
    fputs("    <system-out/>\n    <system-err/>\n  </testsuite>\n</testsuites>\n", out);
    return 0;
}

/* ---- GitHub Actions workflow commands ---- */

/* A command's data: %, CR and LF escaped; a property's value also : and ,
 * (the encoding of @actions/core's toCommandValue and escapeProperty). */
static void gh_escape(FILE *out, const char *s, bool property)
{
    for (; *s; s++) {
        if (*s == '%')
            fputs("%25", out);
        else if (*s == '\r')
            fputs("%0D", out);
        else if (*s == '\n')
            fputs("%0A", out);
        else if (property && *s == ':')
            fputs("%3A", out);
        else if (property && *s == ',')
            fputs("%2C", out);
        else
            fputc(*s, out);
    }
}

static int write_github(FILE *out, const pr_manifest *m)
{
    size_t bad = 0;
    for (size_t i = 0; i < m->verdict_count; i++) {
        const pr_verdict *v = &m->verdicts[i];
        if (v->ok)
            continue;
        bad++;
        const pr_origin *o = v->entry.origin;
        char label[128], title[200];
        entry_label(&v->entry, label, sizeof label);
        for (unsigned r = 0; r < v->reason_count; r++) {
            fputs("::error ", out);
            if (o) {
                fputs("file=", out);
                gh_escape(out, o->file, true);
                fprintf(out, ",line=%u,col=%u,", o->line, o->column);
            }
            snprintf(title, sizeof title, "portreg %s: %s", pr_reason_code_name(v->reasons[r].code),
                     label);
            fputs("title=", out);
            gh_escape(out, title, true);
            fputs("::", out);
            if (o && o->where) {
                gh_escape(out, o->where, false);
                fputs(": ", out);
            }
            gh_escape(out, v->reasons[r].message, false);
            fputs("\n", out);
        }
    }
    fprintf(out, "portreg: %zu of %zu port%s sound\n", m->verdict_count - bad, m->verdict_count,
            m->verdict_count == 1 ? "" : "s");
    return 0;
}

int pr_report_write(FILE *out, const pr_api *api, const pr_manifest *m, enum pr_report_format f,
                    const char *header)
{
    int rc = 0;
    json_t *doc = NULL;
    switch (f) {
    case PR_REPORT_TEXT:
        rc = write_text(out, m, header);
        break;
    case PR_REPORT_JSON:
    case PR_REPORT_SARIF:
        doc = f == PR_REPORT_JSON ? pr_report_json(api, m) : sarif_log(m);
        if (!doc || json_dumpf(doc, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0)
            rc = -1;
        else
            fputc('\n', out);
        json_decref(doc);
        break;
    case PR_REPORT_JUNIT:
        rc = write_junit(out, m, header);
        break;
    case PR_REPORT_GITHUB:
        rc = write_github(out, m);
        break;
    default:
        rc = -1;
    }
    if (fflush(out) != 0 || ferror(out))
        rc = -1;
    return rc;
}

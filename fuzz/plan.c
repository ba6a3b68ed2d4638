/* plan.c: fuzzes the loader of the organization's port plan (data/plan.c
 * over libcsv), loaded beside the sample registry (data/sample/), and the
 * check rules that read it.
 *
 * Input: the plan file itself (plan.dict holds its words).
 *
 * Oracle: a load either fails with a message that names the plan (or no
 * file, for a failed allocation) or yields a registry where the plan's
 * records follow IANA's, each with an owner, a known status and, when
 * pending-iana, a reference; where no two owners' bands overlap, nor two
 * owners' entries on a port and protocol; where every record is under its
 * port, its owner and its marks; and where a check by an entry's own team
 * never says `held`, and a check by nobody always does. */
#include <string.h>

#include "check.h"
#include "fuzz.h"
#include "registry.h"

static unsigned char *records, *contacts;
static size_t records_len, contacts_len;
static const char plan_name[] = "port-plan.csv";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    pr_error err;
    records =
        pr_read_file(FUZZ_SAMPLE_DIR "/" PR_RECORDS_FILE, PR_MAX_FILE_BYTES, &records_len, &err);
    contacts =
        pr_read_file(FUZZ_SAMPLE_DIR "/" PR_CONTACTS_FILE, PR_MAX_FILE_BYTES, &contacts_len, &err);
    FUZZ_REQUIRE(records && contacts, "the sample did not read");
    return 0;
}

static bool protos_meet(const pr_record *a, const pr_record *b)
{
    return !a->proto || !b->proto || a->proto == b->proto;
}

static bool has_reason(const pr_verdict *v, enum pr_reason_code code)
{
    for (unsigned i = 0; i < v->reason_count; i++)
        if (v->reasons[i].code == code)
            return true;
    return false;
}

static void check_plan(const pr_registry *reg)
{
    FUZZ_REQUIRE(reg->has_plan, "a plan was given");
    FUZZ_REQUIRE(reg->local_first <= reg->record_count, "local_first %u of %u", reg->local_first,
                 reg->record_count);
    uint32_t entries = 0, bands = 0;
    for (uint32_t i = 0; i < reg->record_count; i++) {
        const pr_record *r = &reg->records[i];
        bool local = i >= reg->local_first;
        FUZZ_REQUIRE(r->source == (local ? PR_SOURCE_LOCAL : PR_SOURCE_IANA), "record %u", i);
        if (!local)
            continue;
        FUZZ_REQUIRE(r->owner && r->owner[0] && r->local_contact, "record %u: no owner", i);
        FUZZ_REQUIRE(r->local_status < PR_PLAN_STATUS_COUNT, "record %u: status", i);
        FUZZ_REQUIRE(r->has_port && r->port_first <= r->port_last, "record %u: port", i);
        FUZZ_REQUIRE(r->local_status != PR_PLAN_PENDING_IANA || r->references.count == 1,
                     "record %u: pending without its reference", i);
        FUZZ_REQUIRE(r->local_status == PR_PLAN_BAND || r->service[0], "record %u: no name", i);
        bool band = r->local_status == PR_PLAN_BAND;
        bands += band;
        entries += !band;
        for (int p = PR_PROTO_TCP; p < PR_PROTO_COUNT; p++) {
            if (r->proto && r->proto != p)
                continue;
            uint16_t ends[2] = {r->port_first, r->port_last};
            for (int e = 0; e < 2; e++)
                FUZZ_REQUIRE(pr_registry_local_marks(reg, ends[e], (enum pr_proto)p) &
                                 (band ? PR_MARK_BAND : PR_MARK_ENTRY),
                             "record %u: port %u not marked", i, ends[e]);
        }
        const pr_owner *o = pr_registry_find_owner(reg, r->owner, strlen(r->owner));
        FUZZ_REQUIRE(o, "record %u: owner %s not found", i, r->owner);
        bool listed = false;
        for (uint32_t k = 0; k < o->records.count; k++)
            listed = listed || reg->owner_records[o->records.first + k] == i;
        FUZZ_REQUIRE(listed, "record %u not under its owner", i);
        for (uint32_t j = reg->local_first; j < i; j++) {
            const pr_record *q = &reg->records[j];
            bool overlap = q->port_first <= r->port_last && r->port_first <= q->port_last;
            if (!overlap || !protos_meet(q, r) || strcmp(q->owner, r->owner) == 0)
                continue;
            bool qband = q->local_status == PR_PLAN_BAND;
            FUZZ_REQUIRE(qband != band, "records %u and %u of two owners overlap", j, i);
        }
    }
    uint32_t owned = 0, e2 = 0, b2 = 0;
    for (uint32_t k = 0; k < reg->owner_count; k++) {
        const pr_owner *o = &reg->owners[k];
        if (k)
            FUZZ_REQUIRE(strcmp(reg->owners[k - 1].name, o->name) < 0, "owners not sorted");
        FUZZ_REQUIRE(o->records.count == o->entry_count + o->band_count, "owner %s", o->name);
        owned += o->records.count;
        e2 += o->entry_count;
        b2 += o->band_count;
    }
    FUZZ_REQUIRE(owned == reg->record_count - reg->local_first, "owned %u", owned);
    FUZZ_REQUIRE(e2 == entries && b2 == bands, "counts");
    FUZZ_REQUIRE(reg->plan_warnings <= reg->warning_count, "warnings");
}

/* The check rules on the first few entries: the owner's own entry is never
 * `held`, and with nobody asking it always is. */
static void check_verdicts(const pr_registry *reg)
{
    pr_api_config cfg = {.max_limit = 1, .default_limit = 1};
    pr_api *api = pr_api_new(reg, &cfg);
    if (!api)
        return;
    for (uint32_t i = reg->local_first; i < reg->record_count && i < reg->local_first + 8; i++) {
        const pr_record *r = &reg->records[i];
        if (r->local_status == PR_PLAN_BAND)
            continue;
        pr_check_entry e = {.port = r->port_first,
                            .proto = r->proto ? (enum pr_proto)r->proto : PR_PROTO_TCP};
        pr_check_options own = {.suggest = 3, .owner = r->owner}, nobody = {.suggest = 3};
        pr_verdict v;
        if (pr_check_judge(api, &e, &own, &v) == 0) {
            FUZZ_REQUIRE(!has_reason(&v, PR_REASON_IN_BAND), "record %u: own entry in_band", i);
            for (unsigned k = 0; k < v.suggestion_count; k++)
                FUZZ_REQUIRE(
                    !(pr_registry_local_marks(reg, v.suggestions[k], e.proto) & PR_MARK_ENTRY),
                    "record %u: suggested %u holds an entry", i, v.suggestions[k]);
            pr_verdict_free(&v);
        }
        if (pr_check_judge(api, &e, &nobody, &v) == 0) {
            FUZZ_REQUIRE(has_reason(&v, PR_REASON_HELD) && !v.ok, "record %u: not held", i);
            pr_verdict_free(&v);
        }
    }
    pr_api_free(api);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pr_source rsrc = {PR_RECORDS_FILE, records, records_len};
    pr_source csrc = {PR_CONTACTS_FILE, contacts, contacts_len};
    pr_source psrc = {plan_name, data, size};
    pr_registry_files files = {&rsrc, &csrc, NULL, NULL, &psrc};
    pr_error err;
    memset(&err, 0, sizeof err);
    pr_registry *reg = pr_registry_load_files(&files, &err);
    if (!reg) {
        FUZZ_REQUIRE(err.text[0] != '\0', "a failed load without a message");
        FUZZ_REQUIRE(err.file[0] == '\0' || strcmp(err.file, plan_name) == 0,
                     "the sample is fine: the error is the plan's, not %s", err.file);
        return 0;
    }
    check_plan(reg);
    check_verdicts(reg);
    pr_registry_free(reg);
    return 0;
}

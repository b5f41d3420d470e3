/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The findings engine (vuln/findings.h), triage (vuln/finding.h), exposure
 * (vuln/exposure.h) and the campaign selector's affected_by term. Rows that
 * other streams write (SBOM components, feed records) are inserted here
 * directly, as the SBOM upload and the feed import leave them: documents and
 * vulnerabilities queued for matching. The affected entries are OSV
 * "affected" objects with explicit `versions`, so a match is decided by the
 * version list alone.
 */
#include <jansson.h>

#include "testutil-store.h"

#include "audit/audit.h"
#include "campaign/selector.h"
#include "core/json.h"
#include "store/store-campaign.h"
#include "vuln/exposure.h"
#include "vuln/finding.h"
#include "vuln/findings.h"

static const struct audit_actor officer = {.name = "so-1", .role = "security-officer"};
#define NOW 1780000000

struct fx {
        struct tdir *t;
        struct store *s;
};

static void sql(struct fx *f, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        char *q = sqlite3_vmprintf(fmt, ap);
        va_end(ap);
        raw_exec(f->t->db, q);
        sqlite3_free(q);
}

static int64_t num(struct fx *f, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        char *q = sqlite3_vmprintf(fmt, ap);
        va_end(ap);
        int64_t v = raw_int(f->t->db, q);
        sqlite3_free(q);
        return v;
}

/* Product T1 (sold in DE and FR), releases 1 (1.0.0), 2 (1.1.0), 3 (2.0.0)
 * published, 4 (2.1.0) a draft; one stored SBOM file. */
static int setup(void **state) {
        struct fx *f = calloc(1, sizeof(*f));
        struct error err = {0};
        f->t = tdir_new();
        assert_int_equal(store_open(f->t->db, &f->s, &err), 0);
        sql(f, "INSERT INTO products (id, name, model, manufacturer_name, manufacturer_address, manufacturer_contact, "
               "support_start, support_end, created_at, updated_at) VALUES (1, 'Thermostat', 'T1', 'Acme', 'Berlin', "
               "'psirt@acme.example', '2026-01-01', '2031-01-01', 1, 1);"
               "INSERT INTO product_member_states VALUES (1, 'DE'), (1, 'FR');"
               "INSERT INTO images (sha256, length, created_at) VALUES ('%064d', 10, 1);", 0);
        const char *versions[] = {"1.0.0", "1.1.0", "2.0.0", "2.1.0"};
        for (int i = 0; i < 4; i++)
                sql(f, "INSERT INTO releases (id, product_id, version, security_version, hardware_revisions, notes, "
                       "status, created_at, created_by, published_at) VALUES (%d, 1, '%s', %d, '[\"A\",\"B\"]', '', "
                       "'%s', %d, 'rm', %s)", i + 1, versions[i], i + 1, i < 3 ? "published" : "draft", i + 1,
                    i < 3 ? "100" : "NULL");
        *state = f;
        return 0;
}

static int teardown(void **state) {
        struct fx *f = *state;
        store_close(f->s);
        tdir_free(f->t);
        free(f);
        return 0;
}

/* A document on a release, queued for matching; returns its id. */
static int64_t doc(struct fx *f, int64_t release_id, const char *module) {
        sql(f, "INSERT INTO sbom_documents (release_id, module, sha256, media_type, format, spec_version, "
               "component_count, quality_score, quality, created_at, created_by) VALUES (%lld, '%q', '%064d', "
               "'application/vnd.cyclonedx+json', 'cyclonedx-json', '1.6', 1, 50, '{}', 1, 'rm')",
            (long long) release_id, module, 0);
        int64_t id = num(f, "SELECT max(id) FROM sbom_documents");
        sql(f, "INSERT INTO sbom_match_queue VALUES (%lld, 1)", (long long) id);
        return id;
}

/* A component; purl NULL = none (then its name is all there is). */
static int64_t comp(struct fx *f, int64_t doc_id, const char *ref, const char *name, const char *version,
                    const char *purl, const char *key) {
        sql(f, "INSERT INTO sbom_components (document_id, ref, name, version, top_level) VALUES (%lld, '%q', '%q', "
               "%Q, 1)", (long long) doc_id, ref, name, version);
        int64_t id = num(f, "SELECT max(id) FROM sbom_components");
        if (purl)
                sql(f, "INSERT INTO sbom_component_idents VALUES (%lld, 'purl', '%q', 1, %Q)", (long long) id, purl,
                    key);
        return id;
}

/* A vulnerability with one OSV record whose affected entry lists versions. */
static int64_t vuln(struct fx *f, const char *name, const char *alias, const char *severity, const char *key,
                    const char *pkg, const char *versions_json) {
        sql(f, "INSERT INTO vulns (name, severity, updated_at) VALUES ('%q', %Q, 1)", name, severity);
        int64_t v = num(f, "SELECT id FROM vulns WHERE name = '%q'", name);
        sql(f, "INSERT INTO vuln_aliases VALUES ('%q', %lld)", name, (long long) v);
        if (alias)
                sql(f, "INSERT INTO vuln_aliases VALUES ('%q', %lld)", alias, (long long) v);
        sql(f, "INSERT INTO vuln_records (vuln_id, source, record_id, modified, content_sha256, data, imported_at) "
               "VALUES (%lld, 'osv', '%q', '2026-01-01T00:00:00Z', 'x', '{}', 1)", (long long) v,
            alias ? alias : name);
        int64_t r = num(f, "SELECT max(id) FROM vuln_records");
        sql(f, "INSERT INTO vuln_affected (record_id, kind, match_key, name_key, data) VALUES (%lld, 'purl', '%q', "
               "'%q', '{\"package\": {\"ecosystem\": \"Generic\", \"name\": \"%q\", \"purl\": \"pkg:generic/%q\"}, "
               "\"versions\": %s}')",
            (long long) r, key, pkg, pkg, pkg, versions_json);
        sql(f, "INSERT INTO vuln_match_queue VALUES (%lld, 1) ON CONFLICT DO NOTHING", (long long) v);
        return v;
}

static void drain(struct fx *f, int64_t now, struct vuln_findings_report *rep) {
        struct error err = {0};
        memset(rep, 0, sizeof(*rep));
        if (vuln_findings_drain_all(f->s, now, rep, &err) < 0)
                fail_msg("drain: %s", err.msg);
}

static int64_t events(struct fx *f, const char *kind) {
        return num(f, "SELECT count(*) FROM security_events WHERE kind = '%q'", kind);
}

/* ---- the engine ---- */

static void test_new_finding_and_event(void **state) {
        struct fx *f = *state;
        struct vuln_findings_report rep;
        int64_t d = doc(f, 1, "");
        int64_t c = comp(f, d, "openssl-ref", "openssl", "3.0.1", "pkg:generic/openssl@3.0.1", "generic/openssl");
        comp(f, d, "zlib-ref", "zlib", "1.3", "pkg:generic/zlib@1.3", "generic/zlib");
        int64_t v = vuln(f, "CVE-2026-0001", "OSV-1", "high", "generic/openssl", "openssl", "[\"3.0.0\", \"3.0.1\"]");
        drain(f, NOW, &rep);
        assert_int_equal(rep.created, 1);
        assert_int_equal(num(f, "SELECT count(*) FROM findings"), 1);
        assert_int_equal(num(f, "SELECT count(*) FROM findings WHERE release_id = 1 AND component_id = %lld AND "
                                "vuln_id = %lld AND state = 'in_triage' AND confidence = 'purl' AND gone_at IS NULL "
                                "AND first_seen_at = %d AND notified_at = %d",
                             (long long) c, (long long) v, NOW, NOW),
                         1);
        /* both queues are drained */
        assert_int_equal(num(f, "SELECT count(*) FROM sbom_match_queue") + num(f, "SELECT count(*) FROM "
                                                                                  "vuln_match_queue"),
                         0);
        /* one event on a released version, its severity the CVSS severity */
        assert_int_equal(events(f, "vuln.finding"), 1);
        assert_int_equal(num(f, "SELECT count(*) FROM security_events WHERE kind = 'vuln.finding' AND severity = "
                                "'high' AND product_id = 1 AND details LIKE '%%CVE-2026-0001%%'"),
                         1);
        /* matching the same again changes nothing and raises nothing */
        sql(f, "INSERT INTO vuln_match_queue VALUES (%lld, 2)", (long long) v);
        drain(f, NOW + 10, &rep);
        assert_int_equal(rep.created, 0);
        assert_int_equal(rep.rematched, 1);
        assert_int_equal(events(f, "vuln.finding"), 1);
        assert_int_equal(num(f, "SELECT last_matched_at FROM findings"), NOW + 10);
}

static void test_no_event_for_unreleased(void **state) {
        struct fx *f = *state;
        struct vuln_findings_report rep;
        int64_t d = doc(f, 4, ""); /* 2.1.0 is a draft */
        comp(f, d, "o", "openssl", "3.0.1", "pkg:generic/openssl@3.0.1", "generic/openssl");
        vuln(f, "CVE-2026-0001", NULL, "critical", "generic/openssl", "openssl", "[\"3.0.1\"]");
        drain(f, NOW, &rep);
        assert_int_equal(rep.created, 1);
        assert_int_equal(events(f, "vuln.finding"), 0);
        /* published later: the next round raises it */
        sql(f, "UPDATE releases SET status = 'published', published_at = 5 WHERE id = 4");
        drain(f, NOW + 1, &rep);
        assert_int_equal(events(f, "vuln.finding"), 1);
}

static void test_gone_and_back(void **state) {
        struct fx *f = *state;
        struct vuln_findings_report rep;
        int64_t d = doc(f, 1, "");
        comp(f, d, "o", "openssl", "3.0.1", "pkg:generic/openssl@3.0.1", "generic/openssl");
        int64_t v = vuln(f, "CVE-2026-0001", NULL, "medium", "generic/openssl", "openssl", "[\"3.0.1\"]");
        drain(f, NOW, &rep);
        assert_int_equal(rep.created, 1);
        /* the range changes and no longer holds the version */
        sql(f, "UPDATE vuln_affected SET data = replace(data, '\"3.0.1\"', '\"3.0.2\"');"
               "INSERT INTO vuln_match_queue VALUES (%lld, 2)", (long long) v);
        drain(f, NOW + 1, &rep);
        assert_int_equal(rep.gone, 1);
        assert_int_equal(num(f, "SELECT count(*) FROM findings"), 1); /* kept */
        assert_int_equal(num(f, "SELECT gone_at FROM findings"), NOW + 1);
        /* and back: the same row, live again */
        sql(f, "UPDATE vuln_affected SET data = replace(data, '\"3.0.2\"', '\"3.0.1\"');"
               "INSERT INTO vuln_match_queue VALUES (%lld, 3)", (long long) v);
        drain(f, NOW + 2, &rep);
        assert_int_equal(rep.created, 0);
        assert_int_equal(num(f, "SELECT count(*) FROM findings WHERE gone_at IS NULL"), 1);
        /* a withdrawn record ends it */
        sql(f, "UPDATE vuln_records SET withdrawn = '2026-02-01T00:00:00Z';"
               "INSERT INTO vuln_match_queue VALUES (%lld, 4)", (long long) v);
        drain(f, NOW + 3, &rep);
        assert_int_equal(num(f, "SELECT gone_at FROM findings"), NOW + 3);
        assert_int_equal(events(f, "vuln.finding"), 1);
}

static void test_new_document_matches_stored_vulns(void **state) {
        struct fx *f = *state;
        struct vuln_findings_report rep;
        vuln(f, "CVE-2026-0001", NULL, "low", "generic/openssl", "openssl", "[\"3.0.1\"]");
        drain(f, NOW, &rep);
        assert_int_equal(rep.vulns, 1);
        assert_int_equal(rep.created, 0);
        int64_t d = doc(f, 2, "");
        comp(f, d, "o", "openssl", "3.0.1", "pkg:generic/openssl@3.0.1", "generic/openssl");
        comp(f, d, "o2", "openssl", "3.0.9", "pkg:generic/openssl@3.0.9", "generic/openssl");
        drain(f, NOW + 1, &rep);
        assert_int_equal(rep.documents, 1);
        assert_int_equal(rep.created, 1);
        assert_int_equal(num(f, "SELECT count(*) FROM findings WHERE release_id = 2"), 1);
}

static void test_name_match_only_without_identifiers(void **state) {
        struct fx *f = *state;
        struct vuln_findings_report rep;
        int64_t d = doc(f, 1, "");
        int64_t bare = comp(f, d, "b", "BusyBox", "1.36.0", NULL, NULL);
        /* an identifier of another package: never looked up by name */
        comp(f, d, "b2", "busybox", "1.36.0", "pkg:generic/other-busybox@1.36.0", "generic/other-busybox");
        vuln(f, "CVE-2026-0002", NULL, "high", "generic/busybox", "busybox", "[\"1.36.0\"]");
        drain(f, NOW, &rep);
        assert_int_equal(rep.created, 1);
        assert_int_equal(num(f, "SELECT count(*) FROM findings WHERE component_id = %lld AND confidence = 'name'",
                             (long long) bare),
                         1);
        /* the document path finds it the same way */
        int64_t d2 = doc(f, 2, "");
        comp(f, d2, "b", "busybox", "1.36.0", NULL, NULL);
        drain(f, NOW, &rep);
        assert_int_equal(rep.created, 1);
}

static void set_state(struct fx *f, int64_t id, enum finding_state st, enum finding_justification j,
                      const char *action, const char *reason) {
        struct error err = {0};
        const struct finding_state_change c = {.state = st, .justification = j, .action_statement = action,
                                               .reason = reason};
        if (finding_set_state(f->s, &officer, id, &c, &err) < 0)
                fail_msg("set state: %s", err.msg);
}

static void test_carry_forward(void **state) {
        struct fx *f = *state;
        struct vuln_findings_report rep;
        int64_t d1 = doc(f, 1, "");
        comp(f, d1, "o", "openssl", "3.0.1", "pkg:generic/openssl@3.0.1", "generic/openssl");
        vuln(f, "CVE-2026-0001", NULL, "high", "generic/openssl", "openssl", "[\"3.0.1\", \"3.0.2\"]");
        drain(f, NOW, &rep);
        int64_t f1 = num(f, "SELECT id FROM findings");
        set_state(f, f1, FINDING_NOT_AFFECTED, FINDING_JUST_CODE_NOT_PRESENT, NULL, "built without the module");
        int64_t ev = events(f, "vuln.finding");
        /* release 2: same name, version and purl -> carried; release 3: another version -> not */
        int64_t d2 = doc(f, 2, "");
        int64_t c2 = comp(f, d2, "o-other-ref", "openssl", "3.0.1", "pkg:generic/openssl@3.0.1", "generic/openssl");
        int64_t d3 = doc(f, 3, "");
        int64_t c3 = comp(f, d3, "o", "openssl", "3.0.2", "pkg:generic/openssl@3.0.2", "generic/openssl");
        drain(f, NOW + 1, &rep);
        assert_int_equal(rep.created, 2);
        assert_int_equal(rep.carried, 1);
        assert_int_equal(num(f, "SELECT count(*) FROM findings WHERE component_id = %lld AND state = 'not_affected' "
                                "AND justification = 'code_not_present' AND carried_from = %lld",
                             (long long) c2, (long long) f1),
                         1);
        assert_int_equal(num(f, "SELECT count(*) FROM findings WHERE component_id = %lld AND state = 'in_triage' "
                                "AND carried_from IS NULL",
                             (long long) c3),
                         1);
        assert_int_equal(num(f, "SELECT count(*) FROM audit_log WHERE action = 'finding.carried'"), 1);
        /* the carried (dismissed) one raises no event; the new in-triage one does */
        assert_int_equal(events(f, "vuln.finding"), ev + 1);
}

static void test_carry_needs_same_purls(void **state) {
        struct fx *f = *state;
        struct vuln_findings_report rep;
        int64_t d1 = doc(f, 1, "");
        comp(f, d1, "o", "openssl", "3.0.1", "pkg:generic/openssl@3.0.1", "generic/openssl");
        vuln(f, "CVE-2026-0001", NULL, "high", "generic/openssl", "openssl", "[\"3.0.1\"]");
        drain(f, NOW, &rep);
        set_state(f, num(f, "SELECT id FROM findings"), FINDING_FALSE_POSITIVE, 0, NULL, "not ours");
        int64_t d2 = doc(f, 2, "");
        int64_t c2 = comp(f, d2, "o", "openssl", "3.0.1", "pkg:generic/openssl@3.0.1", "generic/openssl");
        sql(f, "INSERT INTO sbom_component_idents VALUES (%lld, 'purl', 'pkg:deb/debian/openssl@3.0.1', 1, "
               "'deb/debian/openssl')", (long long) c2);
        drain(f, NOW + 1, &rep);
        assert_int_equal(rep.carried, 0);
        assert_int_equal(num(f, "SELECT state = 'in_triage' FROM findings WHERE component_id = %lld", (long long) c2), 1);
}

static void test_kev_later_raises_once(void **state) {
        struct fx *f = *state;
        struct vuln_findings_report rep;
        int64_t d1 = doc(f, 1, ""), d2 = doc(f, 2, "");
        comp(f, d1, "x", "xz", "5.6.0", "pkg:generic/xz@5.6.0", "generic/xz");
        comp(f, d2, "x", "xz", "5.6.1", "pkg:generic/xz@5.6.1", "generic/xz");
        int64_t v = vuln(f, "CVE-2024-3094", "GHSA-rxwq-x6h5-x525", "critical", "generic/xz", "xz",
                         "[\"5.6.0\", \"5.6.1\"]");
        drain(f, NOW, &rep);
        assert_int_equal(rep.created, 2);
        assert_int_equal(events(f, "vuln.finding"), 2);
        assert_int_equal(events(f, "vuln.actively_exploited"), 0);
        /* KEV lists it: the feed sets exploited_at (it need not queue anything) */
        sql(f, "UPDATE vulns SET exploited_at = 1711929600, exploited_source = 'kev' WHERE id = %lld", (long long) v);
        drain(f, NOW + 1, &rep);
        assert_int_equal(rep.exploited_events, 1); /* one per vulnerability and product */
        assert_int_equal(events(f, "vuln.actively_exploited"), 1);
        assert_int_equal(num(f, "SELECT count(*) FROM security_events WHERE kind = 'vuln.actively_exploited' AND "
                                "severity = 'critical' AND product_id = 1 AND details LIKE '%%CVE-2024-3094%%' AND "
                                "details LIKE '%%\"1.0.0\",\"1.1.0\"%%'"),
                         1);
        /* ... and opens its CRA case, marked actively exploited by KEV, aware
         * from when Cradle learnt it (now), not from KEV's dateAdded (issue 10) */
        assert_int_equal(num(f, "SELECT count(*) FROM cases WHERE exploited = 1 AND aware_how = 'KEV' AND "
                                "source = 'finding' AND vuln_id = %lld AND aware_at > 1711929600", (long long) v),
                         1);
        drain(f, NOW + 2, &rep);
        assert_int_equal(events(f, "vuln.actively_exploited"), 1);
        /* a new finding of it later raises it again, for that finding only */
        int64_t d3 = doc(f, 3, "");
        comp(f, d3, "x", "xz", "5.6.1", "pkg:generic/xz@5.6.1", "generic/xz");
        drain(f, NOW + 3, &rep);
        assert_int_equal(events(f, "vuln.actively_exploited"), 2);
        assert_int_equal(num(f, "SELECT count(*) FROM security_events WHERE kind = 'vuln.actively_exploited' AND "
                                "details LIKE '%%\"2.0.0\"]%%'"),
                         1);
        /* still one case, marked once */
        assert_int_equal(num(f, "SELECT count(*) FROM cases"), 1);
        assert_int_equal(num(f, "SELECT count(*) FROM audit_log WHERE action = 'case.aware'"), 1);
}

static void test_metrics(void **state) {
        struct fx *f = *state;
        struct vuln_findings_report rep;
        int64_t d = doc(f, 1, "");
        comp(f, d, "o", "openssl", "3.0.1", "pkg:generic/openssl@3.0.1", "generic/openssl");
        int64_t v = vuln(f, "CVE-2026-0001", NULL, "high", "generic/openssl", "openssl", "[\"3.0.1\"]");
        sql(f, "UPDATE vulns SET exploited_at = 5 WHERE id = %lld", (long long) v);
        drain(f, NOW, &rep);
        char *text = NULL;
        struct error err = {0};
        assert_int_equal(vuln_findings_metrics_render(f->s, &text, &err), 0);
        assert_non_null(strstr(text, "cradle_findings{state=\"in_triage\",severity=\"high\"} 1\n"));
        assert_non_null(strstr(text, "cradle_findings_created_total 1\n"));
        assert_non_null(strstr(text, "cradle_findings_exploited 1\n"));
        free(text);
}

/* ---- triage ---- */

static int64_t one_finding(struct fx *f) {
        struct vuln_findings_report rep;
        int64_t d = doc(f, 1, "");
        comp(f, d, "openssl-ref", "openssl", "3.0.1", "pkg:generic/openssl@3.0.1", "generic/openssl");
        vuln(f, "CVE-2026-0001", "GHSA-aaaa-bbbb-cccc", "high", "generic/openssl", "openssl", "[\"3.0.1\"]");
        drain(f, NOW, &rep);
        return num(f, "SELECT id FROM findings");
}

static void expect_refused(struct fx *f, int64_t id, enum finding_state st, enum finding_justification j,
                           const char *action, const char *reason, enum error_kind kind, const char *needle) {
        struct error err = {0};
        const struct finding_state_change c = {.state = st, .justification = j, .action_statement = action,
                                               .reason = reason};
        assert_int_equal(finding_set_state(f->s, &officer, id, &c, &err), -1);
        assert_error(err, kind, needle);
}

static void test_triage_rules(void **state) {
        struct fx *f = *state;
        int64_t id = one_finding(f);
        int64_t audits = num(f, "SELECT count(*) FROM audit_log");
        expect_refused(f, id, FINDING_NOT_AFFECTED, 0, NULL, "why", ERROR_INVALID, "'justification' is required");
        expect_refused(f, id, FINDING_AFFECTED, 0, NULL, "why", ERROR_INVALID, "'action_statement' is required");
        expect_refused(f, id, FINDING_AFFECTED, FINDING_JUST_CODE_NOT_PRESENT, "update", "why", ERROR_INVALID,
                       "'justification' applies to state not_affected only");
        expect_refused(f, id, FINDING_FIXED, 0, "update", "why", ERROR_INVALID,
                       "'action_statement' applies to state affected only");
        expect_refused(f, id, FINDING_FIXED, 0, NULL, NULL, ERROR_INVALID, "'reason' is required");
        expect_refused(f, id, FINDING_FIXED, 0, NULL, "", ERROR_INVALID, "'reason' must not be empty");
        expect_refused(f, id + 100, FINDING_FIXED, 0, NULL, "why", ERROR_NOT_FOUND, "no such finding");
        assert_int_equal(num(f, "SELECT count(*) FROM audit_log"), audits);
        assert_int_equal(num(f, "SELECT state = 'in_triage' FROM findings"), 1);

        set_state(f, id, FINDING_AFFECTED, 0, "Update to 1.1.0", "reachable from the web UI");
        assert_int_equal(num(f, "SELECT count(*) FROM findings WHERE state = 'affected' AND action_statement = "
                                "'Update to 1.1.0' AND state_by = 'so-1' AND state_reason = 'reachable from the web UI'"),
                         1);
        assert_int_equal(num(f, "SELECT count(*) FROM audit_log WHERE action = 'finding.state' AND actor_name = "
                                "'so-1' AND object = 'finding/%lld' AND details LIKE '%%\"from\":\"in_triage\"%%'",
                             (long long) id),
                         1);
        /* the same again (another reason) writes nothing */
        set_state(f, id, FINDING_AFFECTED, 0, "Update to 1.1.0", "again");
        assert_int_equal(num(f, "SELECT count(*) FROM audit_log WHERE action = 'finding.state'"), 1);
        assert_int_equal(num(f, "SELECT state_reason = 'reachable from the web UI' FROM findings"), 1);
}

static void test_state_names(void **state) {
        (void) state;
        enum finding_state s;
        enum finding_justification j;
        struct error err = {0};
        assert_int_equal(finding_state_parse("false_positive", &s, &err), 0);
        assert_int_equal(s, FINDING_FALSE_POSITIVE);
        assert_string_equal(finding_state_name(FINDING_NOT_AFFECTED), "not_affected");
        assert_int_equal(finding_state_parse("resolved", &s, &err), -1);
        assert_error(err, ERROR_INVALID, "'resolved' is not one of: in_triage, affected");
        assert_int_equal(finding_justification_parse("inline_mitigations_exist", &j, &err), 0);
        assert_int_equal(j, FINDING_JUST_INLINE_MITIGATIONS_EXIST);
        assert_int_equal(finding_justification_parse("none", &j, &err), -1);
}

static void test_find_for_vex(void **state) {
        struct fx *f = *state;
        int64_t id = one_finding(f), got = 0;
        struct error err = {0};
        assert_int_equal(finding_find(f->s, 1, "GHSA-aaaa-bbbb-cccc", "openssl-ref", &got, &err), 0);
        assert_int_equal(got, id);
        assert_int_equal(finding_find(f->s, 1, "CVE-2026-0001", "pkg:generic/openssl@3.0.1", &got, &err), 0);
        assert_int_equal(got, id);
        assert_int_equal(finding_find(f->s, 2, "CVE-2026-0001", "openssl-ref", &got, &err), -1);
        assert_error(err, ERROR_NOT_FOUND, "release 2 has no finding");
        assert_int_equal(finding_find(f->s, 1, "CVE-1999-0001", "openssl-ref", &got, &err), -1);
        assert_error(err, ERROR_NOT_FOUND, "'CVE-1999-0001' is not known");
}

static void test_list_new_and_explain(void **state) {
        struct fx *f = *state;
        int64_t id = one_finding(f);
        struct error err = {0};
        json_t *out = NULL;
        struct store_finding_filter flt = {.only_new = true};
        assert_int_equal(vuln_findings_list(f->s, &flt, NULL, &out, &err), 0);
        assert_int_equal(json_array_size(json_object_get(out, "items")), 1);
        json_decref(out);
        set_state(f, id, FINDING_FIXED, 0, NULL, "patched in our tree");
        assert_int_equal(vuln_findings_list(f->s, &flt, NULL, &out, &err), 0);
        assert_int_equal(json_array_size(json_object_get(out, "items")), 0);
        json_decref(out);
        struct store_finding_filter by_alias = {0};
        assert_int_equal(vuln_findings_list(f->s, &by_alias, "GHSA-aaaa-bbbb-cccc", &out, &err), 0);
        assert_int_equal(json_array_size(json_object_get(out, "items")), 1);
        json_decref(out);

        assert_int_equal(vuln_findings_explain(f->s, "openssl@3.0.1", 1, "CVE-2026-0001", &out, &err), 0);
        assert_true(json_is_true(json_object_get(out, "matched")));
        assert_string_equal(json_string_value(json_object_get(out, "confidence")), "purl");
        assert_int_equal(json_array_size(json_object_get(out, "entries")), 1);
        json_decref(out);
        /* a non-match is explained as well */
        int64_t d = doc(f, 2, "");
        int64_t c = comp(f, d, "z", "zlib", "1.3", "pkg:generic/zlib@1.3", "generic/zlib");
        char cid[32];
        snprintf(cid, sizeof(cid), "%lld", (long long) c);
        assert_int_equal(vuln_findings_explain(f->s, cid, 0, "CVE-2026-0001", &out, &err), 0);
        assert_true(json_is_false(json_object_get(out, "matched")));
        assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(out, "entries"), 0),
                                                              "result")),
                            "no");
        json_decref(out);
        assert_int_equal(vuln_findings_explain(f->s, "zlib@1.3", 0, "CVE-2026-0001", &out, &err), -1);
        assert_error(err, ERROR_INVALID, "needs a release");
        assert_int_equal(vuln_findings_explain(f->s, "curl@8.0", 1, "CVE-2026-0001", &out, &err), -1);
        assert_error(err, ERROR_NOT_FOUND, "release 1 has no component curl@8.0");
}

/* ---- exposure ---- */

/* Devices: D1..D4 run 1.0.0 from the factory (D4 decommissioned), D5, D6
 * updated to 1.1.0, D7 updated to 2.0.0 (patched), D8 runs 2.0.0 from the
 * factory. Batches W1 (hw A) and W2 (hw B). */
static void devices(struct fx *f) {
        sql(f, "INSERT INTO batches (id, product_id, name, hardware_revision, production_date, "
               "initial_firmware_version, created_at) VALUES (1, 1, 'W1', 'A', '2026-01-01', '1.0.0', 1), (2, 1, 'W2', "
               "'B', '2026-02-01', '1.0.0', 1)");
        const char *rows[][4] = {
                {"D1", "1", "A", "1.0.0"}, {"D2", "1", "A", "1.0.0"}, {"D3", "2", "B", "1.0.0"},
                {"D4", "2", "B", "1.0.0"}, {"D5", "1", "A", "1.0.0"}, {"D6", "2", "B", "1.0.0"},
                {"D7", "2", "B", "1.0.0"}, {"D8", "2", "B", "2.0.0"},
        };
        for (size_t i = 0; i < 8; i++)
                sql(f, "INSERT INTO devices (id, serial, product_id, batch_id, hardware_revision, "
                       "initial_firmware_version, status, origin, created_at) VALUES (%d, '%s', 1, %s, '%s', '%s', "
                       "'%s', 'factory', 1)",
                    (int) i + 1, rows[i][0], rows[i][1], rows[i][2], rows[i][3], i == 3 ? "decommissioned" : "active");
        sql(f, "INSERT INTO device_update_state (device_id, installed_version, last_seen) VALUES (1, NULL, 1), "
               "(5, '1.1.0', 1), (6, '1.1.0', 1), (7, '2.0.0', 1);"
               "INSERT INTO device_update_history (device_id, time, stage, from_version, to_version, result) VALUES "
               "(7, 1700000000, 'success', '1.0.0', '2.0.0', 'success')");
}

static void test_exposure(void **state) {
        struct fx *f = *state;
        struct vuln_findings_report rep;
        devices(f);
        int64_t d1 = doc(f, 1, ""), d2 = doc(f, 2, ""), d3 = doc(f, 3, "");
        comp(f, d1, "o", "openssl", "3.0.1", "pkg:generic/openssl@3.0.1", "generic/openssl");
        comp(f, d2, "o", "openssl", "3.0.2", "pkg:generic/openssl@3.0.2", "generic/openssl");
        comp(f, d3, "o", "openssl", "3.0.9", "pkg:generic/openssl@3.0.9", "generic/openssl");
        vuln(f, "CVE-2026-0001", "GHSA-aaaa-bbbb-cccc", "high", "generic/openssl", "openssl", "[\"3.0.1\", \"3.0.2\"]");
        drain(f, NOW, &rep);
        struct error err = {0};
        json_t *out = NULL;
        struct vuln_exposure_query q = {.vuln = "GHSA-aaaa-bbbb-cccc"};
        assert_int_equal(vuln_exposure(f->s, &q, &out, &err), 0);
        assert_string_equal(json_string_value(json_object_get(out, "vulnerability")), "CVE-2026-0001");
        json_t *ex = json_object_get(out, "exposed");
        /* D1, D2, D3 on 1.0.0 (D4 decommissioned), D5, D6 on 1.1.0 */
        assert_int_equal(json_integer_value(json_object_get(ex, "devices")), 5);
        json_t *items = json_object_get(json_object_get(out, "devices"), "items");
        assert_int_equal(json_array_size(items), 5);
        const char *expect[] = {"D1", "D2", "D3", "D5", "D6"};
        for (size_t i = 0; i < 5; i++)
                assert_string_equal(json_string_value(json_object_get(json_array_get(items, i), "serial")), expect[i]);
        assert_string_equal(json_string_value(json_object_get(json_array_get(items, 3), "version")), "1.1.0");
        char *text = json_dumps(ex, JSON_COMPACT | JSON_SORT_KEYS);
        assert_non_null(strstr(text, "{\"devices\":3,\"hardware_revision\":\"A\",\"product\":\"T1\"}"));
        assert_non_null(strstr(text, "{\"batch\":\"W2\",\"devices\":2,\"product\":\"T1\"}"));
        assert_non_null(strstr(text, "{\"devices\":5,\"member_state\":\"DE\"}"));
        assert_non_null(strstr(text, "{\"devices\":2,\"product\":\"T1\",\"version\":\"1.1.0\"}"));
        free(text);
        /* patched: D7 updated to 2.0.0, D8 from the factory */
        json_t *pa = json_object_get(out, "patched");
        assert_int_equal(json_integer_value(json_object_get(pa, "devices")), 2);
        json_decref(out);

        /* paging and the patched list with since */
        q = (struct vuln_exposure_query){.vuln = "CVE-2026-0001", .limit = 2};
        assert_int_equal(vuln_exposure(f->s, &q, &out, &err), 0);
        json_t *page = json_object_get(out, "devices");
        assert_int_equal(json_array_size(json_object_get(page, "items")), 2);
        assert_int_equal(json_integer_value(json_object_get(page, "next_after_id")), 2);
        json_decref(out);
        q = (struct vuln_exposure_query){.vuln = "CVE-2026-0001", .limit = 2, .after_id = 2};
        assert_int_equal(vuln_exposure(f->s, &q, &out, &err), 0);
        items = json_object_get(json_object_get(out, "devices"), "items");
        assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "serial")), "D3");
        assert_string_equal(json_string_value(json_object_get(json_array_get(items, 1), "serial")), "D5");
        json_decref(out);
        q = (struct vuln_exposure_query){.vuln = "CVE-2026-0001", .list_patched = true};
        assert_int_equal(vuln_exposure(f->s, &q, &out, &err), 0);
        items = json_object_get(json_object_get(out, "devices"), "items");
        assert_int_equal(json_array_size(items), 2);
        assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "since")),
                            "2023-11-14T22:13:20Z");
        assert_true(json_is_null(json_object_get(json_array_get(items, 1), "since")));
        json_decref(out);

        /* a dismissed finding takes its release out of the exposure */
        int64_t fid = num(f, "SELECT f.id FROM findings f WHERE f.release_id = 2");
        set_state(f, fid, FINDING_NOT_AFFECTED, FINDING_JUST_CODE_NOT_REACHABLE, NULL, "feature off");
        q = (struct vuln_exposure_query){.vuln = "CVE-2026-0001"};
        assert_int_equal(vuln_exposure(f->s, &q, &out, &err), 0);
        assert_int_equal(json_integer_value(json_object_get(json_object_get(out, "exposed"), "devices")), 3);
        json_decref(out);

        q = (struct vuln_exposure_query){.vuln = "CVE-1999-0001"};
        assert_int_equal(vuln_exposure(f->s, &q, &out, &err), -1);
        assert_error(err, ERROR_NOT_FOUND, "'CVE-1999-0001' is not known");
}

/* The campaign selector's affected_by: the same devices as the exposure. */
static void test_selector_affected_by(void **state) {
        struct fx *f = *state;
        struct vuln_findings_report rep;
        devices(f);
        int64_t d1 = doc(f, 1, ""), d2 = doc(f, 2, "");
        comp(f, d1, "o", "openssl", "3.0.1", "pkg:generic/openssl@3.0.1", "generic/openssl");
        comp(f, d2, "o", "openssl", "3.0.1", "pkg:generic/openssl@3.0.1", "generic/openssl");
        vuln(f, "CVE-2026-0001", "GHSA-aaaa-bbbb-cccc", "high", "generic/openssl", "openssl", "[\"3.0.1\"]");
        drain(f, NOW, &rep);
        struct error err = {0};
        json_error_t je;
        json_t *doc_in = json_loads("{\"product\": \"T1\", \"affected_by\": \"GHSA-aaaa-bbbb-cccc\"}", 0, &je);
        struct campaign_selector sel;
        assert_int_equal(campaign_selector_parse(doc_in, &sel, &err), 0);
        const char *revs[] = {"A", "B"};
        sel.sel.product_id = 1;
        sel.sel.release_revisions = (struct store_strlist){.v = revs, .n = 2};
        int64_t n = 0;
        assert_int_equal(store_campaign_select_count(f->s, &sel.sel, &n, &err), 0);
        assert_int_equal(n, 5);
        /* triaged away on 1.1.0: D5 and D6 leave */
        set_state(f, num(f, "SELECT id FROM findings WHERE release_id = 2"), FINDING_FIXED, 0, NULL, "backported");
        assert_int_equal(store_campaign_select_count(f->s, &sel.sel, &n, &err), 0);
        assert_int_equal(n, 3);
        campaign_selector_clear(&sel);
        json_decref(doc_in);
        /* an unknown vulnerability selects nobody; a bad id is refused */
        doc_in = json_loads("{\"product\": \"T1\", \"affected_by\": \"CVE-1999-0001\"}", 0, &je);
        assert_int_equal(campaign_selector_parse(doc_in, &sel, &err), 0);
        sel.sel.product_id = 1;
        sel.sel.release_revisions = (struct store_strlist){.v = revs, .n = 2};
        assert_int_equal(store_campaign_select_count(f->s, &sel.sel, &n, &err), 0);
        assert_int_equal(n, 0);
        campaign_selector_clear(&sel);
        json_decref(doc_in);
        doc_in = json_loads("{\"product\": \"T1\", \"affected_by\": \"CVE 1\"}", 0, &je);
        assert_int_equal(campaign_selector_parse(doc_in, &sel, &err), -1);
        assert_error(err, ERROR_INVALID, "selector.affected_by");
        json_decref(doc_in);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_new_finding_and_event, setup, teardown),
                cmocka_unit_test_setup_teardown(test_no_event_for_unreleased, setup, teardown),
                cmocka_unit_test_setup_teardown(test_gone_and_back, setup, teardown),
                cmocka_unit_test_setup_teardown(test_new_document_matches_stored_vulns, setup, teardown),
                cmocka_unit_test_setup_teardown(test_name_match_only_without_identifiers, setup, teardown),
                cmocka_unit_test_setup_teardown(test_carry_forward, setup, teardown),
                cmocka_unit_test_setup_teardown(test_carry_needs_same_purls, setup, teardown),
                cmocka_unit_test_setup_teardown(test_kev_later_raises_once, setup, teardown),
                cmocka_unit_test_setup_teardown(test_metrics, setup, teardown),
                cmocka_unit_test_setup_teardown(test_triage_rules, setup, teardown),
                cmocka_unit_test(test_state_names),
                cmocka_unit_test_setup_teardown(test_find_for_vex, setup, teardown),
                cmocka_unit_test_setup_teardown(test_list_new_and_explain, setup, teardown),
                cmocka_unit_test_setup_teardown(test_exposure, setup, teardown),
                cmocka_unit_test_setup_teardown(test_selector_affected_by, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

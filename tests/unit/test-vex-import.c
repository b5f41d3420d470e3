/* SPDX-License-Identifier: Apache-2.0 */
/*
 * VEX against the store (vex/vex-release.h): import resolves statements to
 * findings (by any vulnerability id, by bom-ref or purl), applies them
 * through finding_set_state in one transaction (all or nothing, audited),
 * counts applied / unchanged / unmatched; export renders a release's
 * findings; round trips export -> fresh copy -> import -> export in each
 * format and across the three; the real Buildroot VEX document.
 * The SBOM and feed rows are inserted directly, as those streams leave them.
 */
#include <jansson.h>

#include "testutil-store.h"

#include "audit/audit.h"
#include "store/store-audit.h"
#include "store/store-vex.h"
#include "vex/vex-release.h"
#include "vuln/finding.h"

static const struct audit_actor officer = {.name = "so-1", .role = "security-officer"};

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

static int64_t comp(struct fx *f, int64_t doc, const char *ref, const char *name, const char *version,
                    const char *purl, const char *cpe) {
        sql(f, "INSERT INTO sbom_components (document_id, ref, name, version, top_level) VALUES (%lld, '%q', '%q', "
               "%Q, 1)", (long long) doc, ref, name, version);
        int64_t id = num(f, "SELECT max(id) FROM sbom_components");
        if (purl)
                sql(f, "INSERT INTO sbom_component_idents VALUES (%lld, 'purl', '%q', 1, 'x')", (long long) id, purl);
        if (cpe)
                sql(f, "INSERT INTO sbom_component_idents VALUES (%lld, 'cpe', '%q', 1, 'x')", (long long) id, cpe);
        return id;
}

static int64_t vuln(struct fx *f, const char *name, const char *alias) {
        sql(f, "INSERT INTO vulns (name, updated_at) VALUES ('%q', 1)", name);
        int64_t v = num(f, "SELECT id FROM vulns WHERE name = '%q'", name);
        sql(f, "INSERT INTO vuln_aliases VALUES ('%q', %lld)", name, (long long) v);
        if (alias)
                sql(f, "INSERT INTO vuln_aliases VALUES ('%q', %lld)", alias, (long long) v);
        return v;
}

static void finding(struct fx *f, int64_t release, int64_t component, int64_t v) {
        sql(f, "INSERT INTO findings (release_id, component_id, vuln_id, confidence, explanation, state, "
               "first_seen_at, last_matched_at) VALUES (%lld, %lld, %lld, 'purl', '{}', 'in_triage', 1, 1)",
            (long long) release, (long long) component, (long long) v);
}

/* Product "Gateway X" with releases 1 (2.1.0) and 2 (2.2.0). Release 1:
 * openssl (purl + CPE), busybox (CPE only), zlib 1.3 (purl) and seven
 * findings; release 2: the same openssl and zlib 1.3.1, two findings. */
static struct fx *fixture(void) {
        struct fx *f = calloc(1, sizeof(*f));
        struct error err = {0};
        f->t = tdir_new();
        assert_int_equal(store_open(f->t->db, &f->s, &err), 0);
        sql(f, "INSERT INTO products (id, name, model, manufacturer_name, manufacturer_address, manufacturer_contact, "
               "support_start, support_end, created_at, updated_at) VALUES (1, 'Gateway X', 'GX-1', 'Example GmbH', "
               "'Berlin', 'https://example.com/psirt', '2026-01-01', '2031-01-01', 1, 1);"
               "INSERT INTO images (sha256, length, created_at) VALUES ('%064d', 10, 1);"
               "INSERT INTO releases (id, product_id, version, security_version, hardware_revisions, notes, status, "
               "created_at, created_by) VALUES (1, 1, '2.1.0', 1, '[]', '', 'draft', 100, 'rm'), "
               "(2, 1, '2.2.0', 2, '[]', '', 'draft', 200, 'rm');", 0);
        for (int r = 1; r <= 2; r++)
                sql(f, "INSERT INTO sbom_documents (release_id, module, sha256, media_type, format, spec_version, "
                       "component_count, quality_score, quality, created_at, created_by) VALUES (%d, '', '%064d', "
                       "'application/vnd.cyclonedx+json', 'cyclonedx-json', '1.6', 3, 50, '{}', 1, 'rm')", r, 0);
        int64_t ossl = comp(f, 1, "pkg-openssl", "openssl", "3.0.11", "pkg:generic/openssl@3.0.11",
                            "cpe:2.3:a:openssl:openssl:3.0.11:*:*:*:*:*:*:*");
        int64_t bb = comp(f, 1, "busybox", "busybox", "1.36.1", NULL, "cpe:2.3:a:busybox:busybox:1.36.1:*:*:*:*:*:*:*");
        int64_t zl = comp(f, 1, "zlib", "zlib", "1.3", "pkg:generic/zlib@1.3", NULL);
        int64_t ossl2 = comp(f, 2, "pkg-openssl", "openssl", "3.0.11", "pkg:generic/openssl@3.0.11", NULL);
        int64_t zl2 = comp(f, 2, "zlib", "zlib", "1.3.1", "pkg:generic/zlib@1.3.1", NULL);
        int64_t v1 = vuln(f, "CVE-2023-0001", "GHSA-aaaa-bbbb-cccc"), v2 = vuln(f, "CVE-2023-0002", NULL),
                v3 = vuln(f, "CVE-2023-0003", NULL), v4 = vuln(f, "CVE-2023-0004", NULL),
                v5 = vuln(f, "OSV-2023-77", NULL);
        finding(f, 1, ossl, v1);
        finding(f, 1, zl, v1);
        finding(f, 1, ossl, v2);
        finding(f, 1, bb, v2);
        finding(f, 1, bb, v3);
        finding(f, 1, zl, v4);
        finding(f, 1, bb, v5);
        finding(f, 2, ossl2, v1);
        finding(f, 2, zl2, v4);
        return f;
}

static void fixture_free(struct fx *f) {
        store_close(f->s);
        tdir_free(f->t);
        free(f);
}

/* "state[/justification]" of (release, vuln, ref), for assertions. */
static char *state_of(struct fx *f, int64_t release, const char *v, const char *ref) {
        char *q = sqlite3_mprintf("SELECT fi.state || coalesce('/' || fi.justification, '') || coalesce(' ' || "
                                  "fi.action_statement, '') FROM findings fi JOIN vulns v ON v.id = fi.vuln_id JOIN "
                                  "sbom_components c ON c.id = fi.component_id WHERE fi.release_id = %lld AND "
                                  "v.name = '%q' AND c.ref = '%q'", (long long) release, v, ref);
        sqlite3 *h = NULL;
        sqlite3_stmt *st = NULL;
        assert_int_equal(sqlite3_open_v2(f->t->db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_prepare_v2(h, q, -1, &st, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        char *out = str_dup((const char *) sqlite3_column_text(st, 0));
        sqlite3_finalize(st);
        sqlite3_close(h);
        sqlite3_free(q);
        return out;
}

static int import_text(struct fx *f, const char *text, int64_t release, struct vex_import_result *res,
                       struct error *err) {
        struct vex_document *d = NULL;
        if (vex_parse("doc.json", text, strlen(text), &d, err) < 0)
                fail_msg("parse: %s", err->msg);
        int r = vex_import(f->s, &officer, d, "doc.json", release, res, err);
        vex_document_free(d);
        return r;
}

#define CDX(vulns) "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"serialNumber\":\"urn:uuid:1\",\"vulnerabilities\":[" vulns "]}"
#define CDX_V(id, ref, analysis) "{\"id\":\"" id "\",\"analysis\":" analysis ",\"affects\":[{\"ref\":\"" ref "\"}]}"

static void test_import_applies_and_audits(void **state) {
        (void) state;
        struct fx *f = fixture();
        struct error err = {0};
        struct vex_import_result res;
        const char *doc = CDX(CDX_V("CVE-2023-0001", "pkg-openssl", "{\"state\":\"exploitable\",\"detail\":\"web UI\"}")
                              "," CDX_V("CVE-2023-0002", "busybox",
                                        "{\"state\":\"not_affected\",\"justification\":\"code_not_reachable\"}"));
        /* the recommendation is the action statement */
        _cleanup_free_ char *with_rec = str_printf("%.*s,\"recommendation\":\"Update to 3.0.12.\"%s",
                                                   (int) (strstr(doc, ",\"affects\"") - doc), doc,
                                                   strstr(doc, ",\"affects\""));
        int64_t audit_before = num(f, "SELECT count(*) FROM audit_log");
        assert_int_equal(import_text(f, with_rec, 1, &res, &err), 0);
        assert_int_equal(res.statements, 2);
        assert_int_equal(res.applied, 2);
        assert_int_equal(res.unchanged, 0);
        assert_int_equal(res.unmatched, 0);
        vex_import_result_clear(&res);
        _cleanup_free_ char *a = state_of(f, 1, "CVE-2023-0001", "pkg-openssl");
        _cleanup_free_ char *b = state_of(f, 1, "CVE-2023-0002", "busybox");
        assert_string_equal(a, "affected Update to 3.0.12.");
        assert_string_equal(b, "not_affected/code_not_reachable");
        /* Each change audited with a reason naming the document, and one
         * entry for the import. */
        assert_int_equal(num(f, "SELECT count(*) FROM audit_log") - audit_before, 3);
        assert_int_equal(num(f, "SELECT count(*) FROM audit_log WHERE action = 'finding.state' AND details LIKE "
                                "'%%VEX cyclonedx doc.json (urn:uuid:1) vulnerabilities[0]: web UI%%'"), 1);
        assert_int_equal(num(f, "SELECT count(*) FROM audit_log WHERE action = 'vex.import' AND object = 'release/1' "
                                "AND details LIKE '%%\"applied\":2%%'"), 1);
        assert_int_equal(num(f, "SELECT count(*) FROM findings WHERE state_reason LIKE 'VEX cyclonedx doc.json%%' AND "
                                "state_by = 'so-1'"), 2);
        /* Again: nothing changes, and it says so. */
        assert_int_equal(import_text(f, with_rec, 1, &res, &err), 0);
        assert_int_equal(res.applied, 0);
        assert_int_equal(res.unchanged, 2);
        vex_import_result_clear(&res);
        assert_int_equal(num(f, "SELECT count(*) FROM audit_log WHERE action = 'finding.state'"), 2);
        fixture_free(f);
}

/* A vulnerability by its alias matches too. */
static void test_import_by_alias(void **state) {
        (void) state;
        struct fx *f = fixture();
        struct error err = {0};
        struct vex_import_result res;
        assert_int_equal(import_text(f, CDX(CDX_V("GHSA-aaaa-bbbb-cccc", "zlib", "{\"state\":\"resolved\"}")), 1, &res,
                                     &err), 0);
        assert_int_equal(res.applied, 1);
        vex_import_result_clear(&res);
        _cleanup_free_ char *a = state_of(f, 1, "CVE-2023-0001", "zlib");
        assert_string_equal(a, "fixed");
        fixture_free(f);
}

static void expect_unmatched(struct fx *f, const char *text, int64_t release, const char *reason) {
        struct error err = {0};
        struct vex_import_result res;
        if (import_text(f, text, release, &res, &err) < 0)
                fail_msg("import: %s", err.msg);
        assert_int_equal(res.applied, 0);
        assert_int_equal(res.unmatched, 1);
        json_t *u = json_array_get(res.unmatched_list, 0);
        const char *got = json_string_value(json_object_get(u, "reason"));
        if (!got || !strstr(got, reason))
                fail_msg("reason '%s' does not contain '%s'", got ? got : "(none)", reason);
        vex_import_result_clear(&res);
        assert_int_equal(num(f, "SELECT count(*) FROM findings WHERE state != 'in_triage'"), 0);
}

static void test_import_unmatched(void **state) {
        (void) state;
        struct fx *f = fixture();
        /* unknown vulnerability */
        expect_unmatched(f, CDX(CDX_V("CVE-1999-9999", "zlib", "{\"state\":\"resolved\"}")), 1, "no finding");
        /* unknown component */
        expect_unmatched(f, CDX(CDX_V("CVE-2023-0001", "libfoo", "{\"state\":\"resolved\"}")), 1, "no finding");
        /* a known vulnerability on a component without that finding */
        expect_unmatched(f, CDX(CDX_V("CVE-2023-0003", "zlib", "{\"state\":\"resolved\"}")), 1, "no finding");
        /* the wrong version of a component, by purl, in no release */
        expect_unmatched(f, CDX(CDX_V("CVE-2023-0004", "pkg:generic/zlib@9.9", "{\"state\":\"resolved\"}")), 0,
                         "no release carries");
        /* ... and in the given release */
        expect_unmatched(f, CDX(CDX_V("CVE-2023-0004", "pkg:generic/zlib@1.3.1", "{\"state\":\"resolved\"}")), 1,
                         "no finding");
        /* a bom-ref without a release */
        expect_unmatched(f, CDX(CDX_V("CVE-2023-0004", "zlib", "{\"state\":\"resolved\"}")), 0, "bom-ref only");
        /* an unknown release is refused */
        struct error err = {0};
        struct vex_import_result res;
        assert_int_equal(import_text(f, CDX(CDX_V("CVE-2023-0004", "zlib", "{\"state\":\"resolved\"}")), 99, &res, &err),
                         -1);
        assert_int_equal(err.kind, ERROR_NOT_FOUND);
        fixture_free(f);
}

/* Without a release, a purl reaches every release that carries it. */
static void test_import_by_purl_across_releases(void **state) {
        (void) state;
        struct fx *f = fixture();
        struct error err = {0};
        struct vex_import_result res;
        const char *doc = "{\"@context\":\"https://openvex.dev/ns/v0.2.0\",\"@id\":\"urn:x:1\",\"author\":\"a\","
                          "\"timestamp\":\"2024-01-01T00:00:00Z\",\"version\":1,\"statements\":[{\"vulnerability\":"
                          "{\"name\":\"CVE-2023-0001\"},\"products\":[{\"@id\":\"pkg:generic/openssl@3.0.11\"}],"
                          "\"status\":\"fixed\"}]}";
        assert_int_equal(import_text(f, doc, 0, &res, &err), 0);
        assert_int_equal(res.applied, 2);
        vex_import_result_clear(&res);
        _cleanup_free_ char *a = state_of(f, 1, "CVE-2023-0001", "pkg-openssl");
        _cleanup_free_ char *b = state_of(f, 2, "CVE-2023-0001", "pkg-openssl");
        assert_string_equal(a, "fixed");
        assert_string_equal(b, "fixed");
        fixture_free(f);
}

/* Found by its purl, a release is searched by that purl only: the
 * document's bom-ref may name another component there. */
static void test_import_by_purl_ignores_ref(void **state) {
        (void) state;
        struct fx *f = fixture();
        struct error err = {0};
        struct vex_import_result res;
        const char *doc = "{\"@context\":\"https://openvex.dev/ns/v0.2.0\",\"@id\":\"urn:x:2\",\"author\":\"a\","
                          "\"timestamp\":\"2024-01-01T00:00:00Z\",\"version\":1,\"statements\":[{\"vulnerability\":"
                          "{\"name\":\"CVE-2023-0001\"},\"products\":[{\"@id\":\"urn:cdx:x/1#pkg-openssl\",\"identifiers\":"
                          "{\"purl\":\"pkg:generic/zlib@1.3\"}}],\"status\":\"fixed\"}]}";
        assert_int_equal(import_text(f, doc, 0, &res, &err), 0);
        assert_int_equal(res.applied, 1);
        vex_import_result_clear(&res);
        _cleanup_free_ char *z = state_of(f, 1, "CVE-2023-0001", "zlib");
        _cleanup_free_ char *o = state_of(f, 1, "CVE-2023-0001", "pkg-openssl");
        assert_string_equal(z, "fixed");
        assert_string_equal(o, "in_triage");
        fixture_free(f);
}

/* Any failure rolls every change of the document back. */
static void test_import_all_or_nothing(void **state) {
        (void) state;
        struct fx *f = fixture();
        struct error err = {0};
        struct vex_import_result res;
        int64_t audit_before = num(f, "SELECT count(*) FROM audit_log");
        /* Two statements that disagree about one finding. */
        const char *conflict = CDX(CDX_V("CVE-2023-0003", "busybox", "{\"state\":\"resolved\"}")
                                   "," CDX_V("CVE-2023-0002", "busybox", "{\"state\":\"in_triage\"}")
                                   "," CDX_V("CVE-2023-0003", "busybox", "{\"state\":\"false_positive\"}"));
        assert_int_equal(import_text(f, conflict, 1, &res, &err), -1);
        assert_int_equal(err.kind, ERROR_INVALID);
        assert_non_null(strstr(err.msg, "different states"));
        /* A statement the findings engine refuses (an action statement over its limit). */
        struct buf b = {0};
        buf_appendf(&b, CDX(CDX_V("CVE-2023-0003", "busybox", "{\"state\":\"resolved\"}") ",{\"id\":\"CVE-2023-0004\","
                                "\"analysis\":{\"state\":\"exploitable\"},\"affects\":[{\"ref\":\"zlib\"}],"
                                "\"recommendation\":\"%s\"}"), "");
        char *text = buf_steal(&b);
        char *mark = strstr(text, "\"recommendation\":\"\"");
        assert_non_null(mark);
        struct buf c = {0};
        buf_append(&c, text, (size_t) (mark - text) + strlen("\"recommendation\":\""));
        for (int i = 0; i < 3000; i++)
                buf_append(&c, "x", 1);
        buf_appendf(&c, "%s", mark + strlen("\"recommendation\":\""));
        free(text);
        _cleanup_free_ char *big = buf_steal(&c);
        assert_int_equal(import_text(f, big, 1, &res, &err), -1);
        assert_non_null(strstr(err.msg, "action_statement"));
        assert_non_null(strstr(err.msg, "vulnerabilities[1]"));
        _cleanup_free_ char *s3 = state_of(f, 1, "CVE-2023-0003", "busybox");
        assert_string_equal(s3, "in_triage");
        assert_int_equal(num(f, "SELECT count(*) FROM findings WHERE state != 'in_triage'"), 0);
        assert_int_equal(num(f, "SELECT count(*) FROM audit_log"), audit_before);
        fixture_free(f);
}

/* The states the round trips start from: every state, justifications
 * every format has (code_not_reachable) and one only CycloneDX has. */
static void set(struct fx *f, const char *v, const char *ref, enum finding_state st, enum finding_justification j,
                const char *action) {
        int64_t id = num(f, "SELECT fi.id FROM findings fi JOIN vulns v ON v.id = fi.vuln_id JOIN sbom_components c ON "
                            "c.id = fi.component_id WHERE fi.release_id = 1 AND v.name = '%q' AND c.ref = '%q'", v, ref);
        struct finding_state_change ch = {st, j, action, "triaged by hand"};
        struct error err = {0};
        if (finding_set_state(f->s, &officer, id, &ch, &err) < 0)
                fail_msg("set: %s", err.msg);
}

static void triage(struct fx *f) {
        set(f, "CVE-2023-0001", "pkg-openssl", FINDING_AFFECTED, FINDING_JUST_NONE, "Update to 3.0.12.");
        set(f, "CVE-2023-0002", "pkg-openssl", FINDING_NOT_AFFECTED, FINDING_JUST_CODE_NOT_REACHABLE, NULL);
        set(f, "CVE-2023-0002", "busybox", FINDING_NOT_AFFECTED, FINDING_JUST_COMPONENT_NOT_PRESENT, NULL);
        set(f, "CVE-2023-0003", "busybox", FINDING_FIXED, FINDING_JUST_NONE, NULL);
        set(f, "CVE-2023-0004", "zlib", FINDING_NOT_AFFECTED, FINDING_JUST_REQUIRES_CONFIGURATION, NULL);
        set(f, "OSV-2023-77", "busybox", FINDING_FALSE_POSITIVE, FINDING_JUST_NONE, NULL);
}

static const char *const pairs[][2] = {
        {"CVE-2023-0001", "pkg-openssl"}, {"CVE-2023-0001", "zlib"}, {"CVE-2023-0002", "pkg-openssl"},
        {"CVE-2023-0002", "busybox"},     {"CVE-2023-0003", "busybox"}, {"CVE-2023-0004", "zlib"},
        {"OSV-2023-77", "busybox"},
};

/* What release 1 says after passing through `format`s. */
static const char *expected(const char *v, const char *ref, bool cdx_only, bool via_cdx, bool via_other) {
        (void) cdx_only;
        if (str_eq(v, "CVE-2023-0001"))
                return str_eq(ref, "zlib") ? "in_triage" : "affected Update to 3.0.12.";
        if (str_eq(v, "CVE-2023-0002"))
                return str_eq(ref, "busybox") ? (via_cdx ? "not_affected/code_not_present"
                                                         : "not_affected/component_not_present")
                                              : "not_affected/code_not_reachable";
        if (str_eq(v, "CVE-2023-0003"))
                return "fixed";
        if (str_eq(v, "CVE-2023-0004"))
                return via_other ? "not_affected/cannot_be_controlled_by_adversary"
                                 : "not_affected/requires_configuration";
        return via_other ? "not_affected/code_not_present" : "false_positive";
}

/* Exports release 1 of `from` as `format` and imports it into release 1 of `to`. */
static void carry(struct fx *from, struct fx *to, enum vex_format format) {
        struct error err = {0};
        _cleanup_free_ char *text = NULL;
        if (vex_export(from->s, 1, format, &text, &err) < 0)
                fail_msg("export: %s", err.msg);
        struct vex_import_result res;
        if (import_text(to, text, 1, &res, &err) < 0)
                fail_msg("import of %s: %s", vex_format_name(format), err.msg);
        assert_int_equal(res.unmatched, 0);
        vex_import_result_clear(&res);
}

static void check(struct fx *f, bool via_cdx, bool via_other) {
        for (size_t i = 0; i < ELEMENTSOF(pairs); i++) {
                _cleanup_free_ char *got = state_of(f, 1, pairs[i][0], pairs[i][1]);
                const char *want = expected(pairs[i][0], pairs[i][1], false, via_cdx, via_other);
                if (!str_eq(got, want))
                        fail_msg("%s on %s: '%s', expected '%s'", pairs[i][0], pairs[i][1], got, want);
        }
}

static void roundtrip(enum vex_format format) {
        struct fx *a = fixture(), *b = fixture();
        triage(a);
        check(a, false, false);
        carry(a, b, format);
        check(b, format == VEX_FORMAT_CYCLONEDX, format != VEX_FORMAT_CYCLONEDX);
        /* And out again: the same statements as the first export. */
        struct error err = {0};
        _cleanup_free_ char *first = NULL, *second = NULL;
        assert_int_equal(vex_export(a->s, 1, format, &first, &err), 0);
        assert_int_equal(vex_export(b->s, 1, format, &second, &err), 0);
        struct vex_document *d1 = NULL, *d2 = NULL;
        assert_int_equal(vex_parse("1", first, strlen(first), &d1, &err), 0);
        assert_int_equal(vex_parse("2", second, strlen(second), &d2, &err), 0);
        assert_int_equal(d1->n_statements, d2->n_statements);
        for (size_t i = 0; i < d1->n_statements; i++) {
                assert_string_equal(d1->statements[i].vuln, d2->statements[i].vuln);
                assert_int_equal(d1->statements[i].state, d2->statements[i].state);
                assert_int_equal(d1->statements[i].justification, d2->statements[i].justification);
                assert_true(str_eq(d1->statements[i].action, d2->statements[i].action));
        }
        vex_document_free(d1);
        vex_document_free(d2);
        fixture_free(a);
        fixture_free(b);
}

static void test_roundtrip_cyclonedx(void **state) {
        (void) state;
        roundtrip(VEX_FORMAT_CYCLONEDX);
}
static void test_roundtrip_openvex(void **state) {
        (void) state;
        roundtrip(VEX_FORMAT_OPENVEX);
}
static void test_roundtrip_csaf(void **state) {
        (void) state;
        roundtrip(VEX_FORMAT_CSAF);
}

/* CycloneDX -> Cradle -> OpenVEX -> Cradle -> CSAF -> Cradle. */
static void test_roundtrip_across_formats(void **state) {
        (void) state;
        struct fx *a = fixture(), *b = fixture(), *c = fixture(), *d = fixture();
        triage(a);
        carry(a, b, VEX_FORMAT_CYCLONEDX);
        carry(b, c, VEX_FORMAT_OPENVEX);
        carry(c, d, VEX_FORMAT_CSAF);
        check(d, true, true);
        fixture_free(a);
        fixture_free(b);
        fixture_free(c);
        fixture_free(d);
}

static void test_export_deterministic(void **state) {
        (void) state;
        struct fx *f = fixture();
        triage(f);
        struct error err = {0};
        for (int fmt = 0; fmt < VEX_FORMAT_COUNT; fmt++) {
                _cleanup_free_ char *x = NULL, *y = NULL;
                assert_int_equal(vex_export(f->s, 1, (enum vex_format) fmt, &x, &err), 0);
                assert_int_equal(vex_export(f->s, 1, (enum vex_format) fmt, &y, &err), 0);
                assert_string_equal(x, y);
        }
        _cleanup_free_ char *none = NULL;
        assert_int_equal(vex_export(f->s, 42, VEX_FORMAT_CSAF, &none, &err), -1);
        assert_int_equal(err.kind, ERROR_NOT_FOUND);
        fixture_free(f);
}

/* Buildroot's generate-cyclonedx output (tests/data/vex/SOURCES.md): its
 * resolved_with_pedigree becomes fixed, its in_triage stays. */
static void test_buildroot_document(void **state) {
        (void) state;
        struct fx *f = fixture();
        sql(f, "INSERT INTO sbom_documents (release_id, module, sha256, media_type, format, spec_version, "
               "component_count, quality_score, quality, created_at, created_by) VALUES (2, 'buildroot', '%064d', "
               "'application/vnd.cyclonedx+json', 'cyclonedx-json', '1.6', 2, 50, '{}', 1, 'rm')", 0);
        int64_t doc = num(f, "SELECT max(id) FROM sbom_documents");
        int64_t foo = comp(f, doc, "package-foo", "foo", "1.2", NULL, "cpe:2.3:a:example:foo:1.2:*:*:*:*:*:*:*");
        int64_t bar = comp(f, doc, "package-bar", "bar", "0.2", NULL, NULL);
        finding(f, 2, foo, vuln(f, "CVE-2025-0001", NULL));
        finding(f, 2, bar, vuln(f, "CVE-2025-0002", NULL));
        const char *root = getenv("CRADLE_SOURCE_ROOT");
        assert_non_null(root);
        _cleanup_free_ char *path = str_printf("%s/tests/data/vex/buildroot-generate-cyclonedx.json", root);
        FILE *fp = fopen(path, "rb");
        assert_non_null(fp);
        struct buf b = {0};
        char chunk[4096];
        size_t n;
        while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
                buf_append(&b, chunk, n);
        fclose(fp);
        _cleanup_free_ char *text = buf_steal(&b);
        struct error err = {0};
        struct vex_import_result res;
        /* Buildroot names components by bom-ref only: without a release, nothing matches. */
        assert_int_equal(import_text(f, text, 0, &res, &err), 0);
        assert_int_equal(res.unmatched, 2);
        vex_import_result_clear(&res);
        assert_int_equal(import_text(f, text, 2, &res, &err), 0);
        assert_int_equal(res.applied, 1);
        assert_int_equal(res.unchanged, 1);
        vex_import_result_clear(&res);
        _cleanup_free_ char *a = state_of(f, 2, "CVE-2025-0001", "package-foo");
        _cleanup_free_ char *c = state_of(f, 2, "CVE-2025-0002", "package-bar");
        assert_string_equal(a, "fixed");
        assert_string_equal(c, "in_triage");
        assert_int_equal(num(f, "SELECT count(*) FROM findings WHERE state_reason LIKE '%%marked as ignored by "
                                "Buildroot%%'"), 1);
        fixture_free(f);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_import_applies_and_audits),
                cmocka_unit_test(test_import_by_alias),
                cmocka_unit_test(test_import_unmatched),
                cmocka_unit_test(test_import_by_purl_across_releases),
                cmocka_unit_test(test_import_by_purl_ignores_ref),
                cmocka_unit_test(test_import_all_or_nothing),
                cmocka_unit_test(test_roundtrip_cyclonedx),
                cmocka_unit_test(test_roundtrip_openvex),
                cmocka_unit_test(test_roundtrip_csaf),
                cmocka_unit_test(test_roundtrip_across_formats),
                cmocka_unit_test(test_export_deterministic),
                cmocka_unit_test(test_buildroot_document),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * VEX, the pure part: the vocabulary table (every format value reads back to
 * itself), each way a document can be wrong in each format, the real
 * Buildroot fixture, deterministic rendering, and the round trips
 * render -> parse per format and CycloneDX -> OpenVEX -> CSAF across them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/cleanup.h"
#include "core/strutil.h"
#include "vex/vex.h"

static struct vex_document *parse_ok(const char *text) {
        struct error err = {0};
        struct vex_document *d = NULL;
        if (vex_parse("t.json", text, strlen(text), &d, &err) < 0)
                fail_msg("parse failed: %s", err.msg);
        return d;
}

/* Parses and expects a refusal of `kind` whose message contains `needle`. */
static void parse_bad(const char *text, enum error_kind kind, const char *needle) {
        struct error err = {0};
        struct vex_document *d = NULL;
        int r = vex_parse("t.json", text, strlen(text), &d, &err);
        if (r == 0) {
                vex_document_free(d);
                fail_msg("accepted, expected an error containing '%s'", needle);
        }
        assert_null(d);
        assert_int_equal(err.kind, kind);
        if (!strstr(err.msg, needle))
                fail_msg("error '%s' does not contain '%s'", err.msg, needle);
        assert_non_null(strstr(err.msg, "t.json"));
}

static char *read_fixture(const char *rel);

/* ---- the table ---- */

static void test_map_every_value_has_a_way_out(void **state) {
        (void) state;
        for (int s = FINDING_IN_TRIAGE; s <= FINDING_FALSE_POSITIVE; s++) {
                assert_non_null(vex_cdx_state_out((enum finding_state) s));
                assert_non_null(vex_openvex_status_out((enum finding_state) s));
                assert_non_null(vex_csaf_status_out((enum finding_state) s));
                enum finding_state back;
                assert_int_equal(vex_cradle_state_in(vex_cradle_state_name((enum finding_state) s), &back), 0);
                assert_int_equal(back, s);
        }
        for (int j = FINDING_JUST_COMPONENT_NOT_PRESENT; j <= FINDING_JUST_INLINE_MITIGATIONS_EXIST; j++) {
                enum finding_justification jj = (enum finding_justification) j;
                assert_non_null(vex_cdx_justification_out(jj));
                assert_non_null(vex_openvex_justification_out(FINDING_NOT_AFFECTED, jj));
                assert_non_null(vex_csaf_flag_out(FINDING_NOT_AFFECTED, jj));
                enum finding_justification back;
                assert_int_equal(vex_cradle_justification_in(vex_cradle_justification_name(jj), &back), 0);
                assert_int_equal(back, j);
        }
}

/* Every value a format defines reads to a Cradle value that writes that
 * same value again: export -> import -> export is stable in each format. */
static void test_map_format_values_are_stable(void **state) {
        (void) state;
        const char *cdx_states[] = {"in_triage", "exploitable", "not_affected", "resolved", "false_positive"};
        for (size_t i = 0; i < ELEMENTSOF(cdx_states); i++) {
                enum finding_state s;
                assert_int_equal(vex_cdx_state_in(cdx_states[i], &s), 0);
                assert_string_equal(vex_cdx_state_out(s), cdx_states[i]);
        }
        const char *cdx_just[] = {"code_not_present", "code_not_reachable", "requires_configuration",
                                  "requires_dependency", "requires_environment", "protected_by_compiler",
                                  "protected_at_runtime", "protected_at_perimeter", "protected_by_mitigating_control"};
        for (size_t i = 0; i < ELEMENTSOF(cdx_just); i++) {
                enum finding_justification j;
                assert_int_equal(vex_cdx_justification_in(cdx_just[i], &j), 0);
                assert_string_equal(vex_cdx_justification_out(j), cdx_just[i]);
        }
        const char *ovx_status[] = {"under_investigation", "affected", "not_affected", "fixed"};
        const char *csaf_status[] = {"under_investigation", "known_affected", "known_not_affected", "fixed"};
        for (size_t i = 0; i < ELEMENTSOF(ovx_status); i++) {
                enum finding_state s;
                assert_int_equal(vex_openvex_status_in(ovx_status[i], &s), 0);
                assert_string_equal(vex_openvex_status_out(s), ovx_status[i]);
                assert_int_equal(vex_csaf_status_in(csaf_status[i], &s), 0);
                assert_string_equal(vex_csaf_status_out(s), csaf_status[i]);
        }
        const char *labels[] = {"component_not_present", "vulnerable_code_not_present",
                                "vulnerable_code_not_in_execute_path",
                                "vulnerable_code_cannot_be_controlled_by_adversary",
                                "inline_mitigations_already_exist"};
        for (size_t i = 0; i < ELEMENTSOF(labels); i++) {
                enum finding_justification j;
                assert_int_equal(vex_openvex_justification_in(labels[i], &j), 0);
                assert_string_equal(vex_openvex_justification_out(FINDING_NOT_AFFECTED, j), labels[i]);
                assert_int_equal(vex_csaf_flag_in(labels[i], &j), 0);
                assert_string_equal(vex_csaf_flag_out(FINDING_NOT_AFFECTED, j), labels[i]);
        }
        /* The values that only read: Buildroot's resolved_with_pedigree,
         * CSAF's first/last_affected and first_fixed. */
        enum finding_state s;
        assert_int_equal(vex_cdx_state_in("resolved_with_pedigree", &s), 0);
        assert_int_equal(s, FINDING_FIXED);
        assert_int_equal(vex_csaf_status_in("first_fixed", &s), 0);
        assert_int_equal(s, FINDING_FIXED);
        assert_int_equal(vex_csaf_status_in("last_affected", &s), 0);
        assert_int_equal(s, FINDING_AFFECTED);
        /* A false positive has no OpenVEX/CSAF status: not affected, code not present. */
        assert_string_equal(vex_openvex_status_out(FINDING_FALSE_POSITIVE), "not_affected");
        assert_string_equal(vex_openvex_justification_out(FINDING_FALSE_POSITIVE, FINDING_JUST_NONE),
                            "vulnerable_code_not_present");
        assert_int_equal(vex_openvex_status_in("false_positive", &s), -1);
        assert_int_equal(vex_cdx_state_in("affected", &s), -1);
}

/* ---- ways a document can be wrong ---- */

#define CDX_HEAD "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"components\":[{\"bom-ref\":\"c1\",\"name\":\"c\"}],"
#define CDX_VULN(analysis) CDX_HEAD "\"vulnerabilities\":[{\"id\":\"CVE-2024-1\",\"analysis\":" analysis ",\"affects\":[{\"ref\":\"c1\"}]}]}"

static void test_cyclonedx_wrong(void **state) {
        (void) state;
        parse_bad(CDX_VULN("{\"state\":\"maybe\"}"), ERROR_INVALID, "unknown state 'maybe'");
        parse_bad(CDX_VULN("{\"state\":\"not_affected\"}"), ERROR_INVALID, "not_affected without a justification");
        parse_bad(CDX_VULN("{\"state\":\"not_affected\",\"justification\":\"because\"}"), ERROR_INVALID,
                  "unknown justification 'because'");
        parse_bad(CDX_VULN("{\"state\":\"exploitable\"}"), ERROR_INVALID, "affected without an action statement");
        parse_bad(CDX_VULN("{\"state\":\"exploitable\",\"response\":[\"pray\"]}"), ERROR_INVALID,
                  "unknown response 'pray'");
        parse_bad("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.3\",\"vulnerabilities\":[]}", ERROR_INVALID,
                  "specVersion '1.3'");
        parse_bad(CDX_HEAD "\"vulnerabilities\":[]}", ERROR_INVALID, "vulnerabilities: missing or empty");
        parse_bad(CDX_HEAD "\"vulnerabilities\":[{\"id\":\"CVE-2024-1\",\"analysis\":{\"state\":\"in_triage\"}}]}",
                  ERROR_INVALID, "vulnerabilities[0].affects: missing or empty");
        parse_bad(CDX_HEAD "\"vulnerabilities\":[{\"analysis\":{\"state\":\"in_triage\"},\"affects\":[{\"ref\":\"c1\"}]}]}",
                  ERROR_INVALID, "vulnerabilities[0].id: missing");
        parse_bad("{\"bomFormat\":\"SPDX\",\"specVersion\":\"1.6\"}", ERROR_INVALID, "not CycloneDX");
        /* exploitable with only a response is fine: the response is the action. */
        struct vex_document *d = parse_ok(CDX_VULN("{\"state\":\"exploitable\",\"response\":[\"update\",\"rollback\"]}"));
        assert_string_equal(d->statements[0].action, "response: update, rollback");
        vex_document_free(d);
}

#define OVX_HEAD "{\"@context\":\"https://openvex.dev/ns/v0.2.0\",\"@id\":\"urn:x\",\"author\":\"a\",\"timestamp\":\"2024-01-01T00:00:00Z\",\"version\":1,"
#define OVX_STMT(fields) OVX_HEAD "\"statements\":[{\"vulnerability\":{\"name\":\"CVE-2024-1\"},\"products\":[{\"@id\":\"pkg:deb/debian/x@1\"}]," fields "}]}"

static void test_openvex_wrong(void **state) {
        (void) state;
        parse_bad(OVX_STMT("\"status\":\"fine\""), ERROR_INVALID, "unknown status 'fine'");
        parse_bad(OVX_STMT("\"status\":\"not_affected\",\"impact_statement\":\"trust us\""), ERROR_INVALID,
                  "not_affected without a justification");
        parse_bad(OVX_STMT("\"status\":\"not_affected\",\"justification\":\"code_not_present\""), ERROR_INVALID,
                  "unknown justification 'code_not_present'");
        parse_bad(OVX_STMT("\"status\":\"affected\""), ERROR_INVALID, "affected without an action statement");
        parse_bad("{\"@context\":\"https://openvex.dev/ns\",\"@id\":\"x\",\"statements\":[]}", ERROR_INVALID,
                  "Cradle reads OpenVEX 0.2");
        parse_bad(OVX_HEAD "\"statements\":[{\"vulnerability\":\"CVE-2024-1\",\"products\":[{\"@id\":\"x\"}],"
                           "\"status\":\"fixed\"}]}",
                  ERROR_INVALID, "statements[0].vulnerability: expected an object");
        parse_bad(OVX_HEAD "\"statements\":[{\"vulnerability\":{\"name\":\"CVE-2024-1\"},\"status\":\"fixed\"}]}",
                  ERROR_INVALID, "statements[0].products: missing or empty");
        parse_bad(OVX_HEAD "\"statements\":[{\"vulnerability\":{\"name\":\"CVE-2024-1\"},\"products\":[{}],"
                           "\"status\":\"fixed\"}]}",
                  ERROR_INVALID, "neither @id nor identifiers");
}

#define CSAF_DOC(tree, vulns) \
        "{\"document\":{\"category\":\"csaf_vex\",\"csaf_version\":\"2.0\",\"tracking\":{\"id\":\"T-1\"}}," \
        "\"product_tree\":" tree ",\"vulnerabilities\":" vulns "}"
#define CSAF_TREE "{\"full_product_names\":[{\"product_id\":\"P1\",\"name\":\"x 1\",\"product_identification_helper\":{\"purl\":\"pkg:deb/debian/x@1\"}}]}"

static void test_csaf_wrong(void **state) {
        (void) state;
        parse_bad(CSAF_DOC(CSAF_TREE, "[{\"cve\":\"CVE-2024-1\",\"product_status\":{\"known_maybe\":[\"P1\"]}}]"),
                  ERROR_INVALID, "unknown status 'known_maybe'");
        parse_bad(CSAF_DOC(CSAF_TREE, "[{\"cve\":\"CVE-2024-1\",\"product_status\":{\"known_not_affected\":[\"P1\"]}}]"),
                  ERROR_INVALID, "not_affected without a justification");
        parse_bad(CSAF_DOC(CSAF_TREE, "[{\"cve\":\"CVE-2024-1\",\"product_status\":{\"fixed\":[\"P9\"]}}]"),
                  ERROR_INVALID, "product_id 'P9' is not defined");
        parse_bad(CSAF_DOC(CSAF_TREE, "[{\"product_status\":{\"fixed\":[\"P1\"]}}]"), ERROR_INVALID,
                  "neither cve nor ids");
        parse_bad(CSAF_DOC(CSAF_TREE,
                           "[{\"cve\":\"CVE-2024-1\",\"product_status\":{\"fixed\":[\"P1\"],\"known_affected\":[\"P1\"]}}]"),
                  ERROR_INVALID, "contradicting");
        parse_bad(CSAF_DOC(CSAF_TREE, "[{\"cve\":\"CVE-2024-1\",\"product_status\":{\"known_affected\":[\"P1\"]}}]"),
                  ERROR_INVALID, "affected without an action statement");
        parse_bad(CSAF_DOC(CSAF_TREE, "[{\"cve\":\"CVE-2024-1\",\"product_status\":{\"known_not_affected\":[\"P1\"]},"
                                      "\"flags\":[{\"label\":\"nah\",\"product_ids\":[\"P1\"]}]}]"),
                  ERROR_INVALID, "unknown label 'nah'");
        parse_bad("{\"document\":{\"category\":\"csaf_vex\",\"csaf_version\":\"2.1\",\"tracking\":{\"id\":\"T\"}}}",
                  ERROR_INVALID, "Cradle reads CSAF 2.0");
        parse_bad("{\"hello\":1}", ERROR_INVALID, "not a VEX document");
        /* A flag through a product group applies to its products. */
        struct vex_document *d = parse_ok(CSAF_DOC(
                "{\"full_product_names\":[{\"product_id\":\"P1\",\"name\":\"x\"}],\"product_groups\":[{\"group_id\":"
                "\"G\",\"product_ids\":[\"P1\"]}]}",
                "[{\"cve\":\"CVE-2024-1\",\"product_status\":{\"known_not_affected\":[\"P1\"]},\"flags\":[{\"label\":"
                "\"inline_mitigations_already_exist\",\"group_ids\":[\"G\"]}]}]"));
        assert_int_equal(d->statements[0].justification, FINDING_JUST_INLINE_MITIGATIONS_EXIST);
        vex_document_free(d);
}

/* CSAF's other ways to define a product: branches, a relationship (the
 * component inside a product: the finding is the component's), a group. */
static void test_csaf_tree_forms(void **state) {
        (void) state;
        _cleanup_free_ char *text = read_fixture("tests/fuzz/corpus/fuzz-vex-csaf/relationships.json");
        struct vex_document *d = parse_ok(text);
        assert_int_equal(d->n_statements, 1);
        const struct vex_statement *st = &d->statements[0];
        assert_string_equal(st->vuln, "CVE-2024-1");
        assert_int_equal(st->state, FINDING_NOT_AFFECTED);
        assert_int_equal(st->justification, FINDING_JUST_CODE_NOT_REACHABLE);
        assert_string_equal(st->products[0].ref, "CSAFPID-1");
        assert_string_equal(st->products[0].purl, "pkg:generic/p@1");
        assert_string_equal(st->detail, "not reachable");
        assert_string_equal(st->aliases[0], "GHSA-x");
        vex_document_free(d);
        /* OpenVEX: a product's subcomponents are the components. */
        _cleanup_free_ char *ovx = read_fixture("tests/fuzz/corpus/fuzz-vex-openvex/subcomponents.json");
        d = parse_ok(ovx);
        assert_int_equal(d->statements[0].n_products, 1);
        assert_string_equal(d->statements[0].products[0].purl, "pkg:apk/distro/libcurl@7.87.0-r0");
        assert_int_equal(d->statements[0].justification, FINDING_JUST_CODE_NOT_PRESENT);
        vex_document_free(d);
}

static void test_oversized(void **state) {
        (void) state;
        /* The whole document. */
        size_t big = VEX_MAX_BYTES + 1;
        char *buf = xmalloc(big);
        memset(buf, ' ', big);
        buf[0] = '{';
        buf[big - 1] = '}';
        struct error err = {0};
        struct vex_document *d = NULL;
        assert_int_equal(vex_parse("t.json", buf, big, &d, &err), -1);
        assert_int_equal(err.kind, ERROR_TOO_LARGE);
        free(buf);
        /* One text field. */
        struct buf b = {0};
        buf_appendf(&b, OVX_HEAD "\"statements\":[{\"vulnerability\":{\"name\":\"CVE-2024-1\"},\"products\":[{\"@id\":"
                        "\"x\"}],\"status\":\"fixed\",\"status_notes\":\"");
        for (int i = 0; i < VEX_MAX_TEXT + 1; i++)
                buf_append(&b, "a", 1);
        buf_appendf(&b, "\"}]}");
        _cleanup_free_ char *text = buf_steal(&b);
        parse_bad(text, ERROR_TOO_LARGE, "statements[0].status_notes: longer than");
        /* Too deep. */
        struct buf deep = {0};
        buf_appendf(&deep, CDX_HEAD "\"vulnerabilities\":[{\"id\":\"x\",\"x\":");
        for (int i = 0; i < VEX_MAX_DEPTH; i++)
                buf_append(&deep, "[", 1);
        for (int i = 0; i < VEX_MAX_DEPTH; i++)
                buf_append(&deep, "]", 1);
        buf_appendf(&deep, "}]}");
        _cleanup_free_ char *dt = buf_steal(&deep);
        parse_bad(dt, ERROR_INVALID, "deep");
}

/* ---- the real Buildroot document ---- */

static char *read_fixture(const char *rel) {
        const char *root = getenv("CRADLE_SOURCE_ROOT");
        if (!root)
                fail_msg("CRADLE_SOURCE_ROOT is not set");
        _cleanup_free_ char *path = str_printf("%s/%s", root, rel);
        FILE *f = fopen(path, "rb");
        if (!f)
                fail_msg("cannot open %s", path);
        struct buf b = {0};
        char chunk[4096];
        size_t n;
        while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
                buf_append(&b, chunk, n);
        fclose(f);
        return buf_steal(&b);
}

static void test_buildroot_fixture(void **state) {
        (void) state;
        _cleanup_free_ char *text = read_fixture("tests/data/vex/buildroot-generate-cyclonedx.json");
        struct vex_document *d = parse_ok(text);
        assert_int_equal(d->format, VEX_FORMAT_CYCLONEDX);
        assert_string_equal(d->spec_version, "1.6");
        assert_int_equal(d->n_statements, 2);
        const struct vex_statement *a = &d->statements[0], *b = &d->statements[1];
        assert_string_equal(a->vuln, "CVE-2025-0001");
        assert_int_equal(a->state, FINDING_FIXED); /* resolved_with_pedigree */
        assert_int_equal(a->n_products, 1);
        assert_string_equal(a->products[0].ref, "package-foo");
        assert_string_equal(a->products[0].cpe, "cpe:2.3:a:example:foo:1.2:*:*:*:*:*:*:*");
        assert_null(a->products[0].purl);
        assert_non_null(strstr(a->detail, "marked as ignored by Buildroot"));
        assert_string_equal(b->vuln, "CVE-2025-0002");
        assert_int_equal(b->state, FINDING_IN_TRIAGE);
        assert_string_equal(b->products[0].ref, "package-bar");
        vex_document_free(d);
}

/* ---- rendering and round trips ---- */

static const struct vex_export_component comps[] = {
        {"pkg-openssl", "openssl", "3.0.11", "pkg:generic/openssl@3.0.11", "cpe:2.3:a:openssl:openssl:3.0.11:*:*:*:*:*:*:*"},
        {"busybox", "busybox", "1.36.1", NULL, "cpe:2.3:a:busybox:busybox:1.36.1:*:*:*:*:*:*:*"},
        {"zlib ref/with#odd chars", "zlib", "1.3", "pkg:generic/zlib@1.3", NULL},
};
static const char *const ghsa[] = {"GHSA-aaaa-bbbb-cccc"};

/* One finding per state, and not_affected with a justification every
 * format can express (code_not_reachable) and one only some can. */
static struct vex_export_finding findings[] = {
        {"CVE-2023-0001", ghsa, 1, 0, FINDING_AFFECTED, FINDING_JUST_NONE, "Update to 3.0.12.", "reachable from the web UI",
         "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 98, "critical"},
        {"CVE-2023-0001", ghsa, 1, 2, FINDING_IN_TRIAGE, FINDING_JUST_NONE, NULL, NULL, NULL, -1, NULL},
        {"CVE-2023-0002", NULL, 0, 0, FINDING_NOT_AFFECTED, FINDING_JUST_CODE_NOT_REACHABLE, NULL, "not built in", NULL, -1, NULL},
        {"CVE-2023-0002", NULL, 0, 1, FINDING_NOT_AFFECTED, FINDING_JUST_CODE_NOT_REACHABLE, NULL, "not built in", NULL, -1, NULL},
        {"CVE-2023-0003", NULL, 0, 1, FINDING_FIXED, FINDING_JUST_NONE, NULL, "patched", NULL, -1, NULL},
        {"CVE-2023-0004", NULL, 0, 2, FINDING_NOT_AFFECTED, FINDING_JUST_REQUIRES_CONFIGURATION, NULL, NULL, NULL, -1, NULL},
        {"OSV-2023-77", NULL, 0, 1, FINDING_FALSE_POSITIVE, FINDING_JUST_NONE, NULL, "wrong busybox", NULL, -1, NULL},
};

static const struct vex_export xport = {
        .product = "Gateway X", .release = "2.1.0", .author = "Example GmbH",
        .namespace_uri = "https://example.com", .timestamp = 1733000000,
        .components = comps, .n_components = ELEMENTSOF(comps),
        .findings = findings, .n_findings = ELEMENTSOF(findings),
};

static void test_render_deterministic(void **state) {
        (void) state;
        for (int f = 0; f < VEX_FORMAT_COUNT; f++) {
                _cleanup_free_ char *a = vex_render((enum vex_format) f, &xport, NULL);
                _cleanup_free_ char *b = vex_render((enum vex_format) f, &xport, NULL);
                assert_non_null(a);
                assert_string_equal(a, b);
                /* One state changed: another document (and another id). */
                struct vex_export_finding copy[ELEMENTSOF(findings)];
                memcpy(copy, findings, sizeof(copy));
                copy[4].state = FINDING_IN_TRIAGE;
                struct vex_export x2 = xport;
                x2.findings = copy;
                _cleanup_free_ char *c = vex_render((enum vex_format) f, &x2, NULL);
                assert_string_not_equal(a, c);
        }
}

/* What a finding must read back as from `format`. */
static void expect_back(enum vex_format format, const struct vex_export_finding *f, enum finding_state *st,
                        enum finding_justification *j) {
        *st = f->state;
        *j = f->justification;
        if (f->state == FINDING_FALSE_POSITIVE && format != VEX_FORMAT_CYCLONEDX) {
                *st = FINDING_NOT_AFFECTED;
                *j = FINDING_JUST_CODE_NOT_PRESENT;
        } else if (f->state == FINDING_NOT_AFFECTED) {
                const char *out = format == VEX_FORMAT_CYCLONEDX ? vex_cdx_justification_out(f->justification)
                                : format == VEX_FORMAT_OPENVEX ? vex_openvex_justification_out(f->state, f->justification)
                                                               : vex_csaf_flag_out(f->state, f->justification);
                if (format == VEX_FORMAT_CYCLONEDX)
                        vex_cdx_justification_in(out, j);
                else if (format == VEX_FORMAT_OPENVEX)
                        vex_openvex_justification_in(out, j);
                else
                        vex_csaf_flag_in(out, j);
        }
}

/* Finds the statement of (vuln, component ref) in a parsed document. */
static const struct vex_statement *find_stmt(const struct vex_document *d, const char *vuln, const char *ref,
                                             const struct vex_product **prod) {
        for (size_t i = 0; i < d->n_statements; i++) {
                if (!str_eq(d->statements[i].vuln, vuln))
                        continue;
                for (size_t k = 0; k < d->statements[i].n_products; k++)
                        if (str_eq(d->statements[i].products[k].ref, ref)) {
                                *prod = &d->statements[i].products[k];
                                return &d->statements[i];
                        }
        }
        return NULL;
}

static void roundtrip_one(enum vex_format format) {
        _cleanup_free_ char *text = vex_render(format, &xport, NULL);
        assert_non_null(text);
        struct vex_document *d = parse_ok(text);
        assert_int_equal(d->format, format);
        for (size_t i = 0; i < ELEMENTSOF(findings); i++) {
                const struct vex_export_finding *f = &findings[i];
                const struct vex_export_component *c = &comps[f->component];
                const struct vex_product *p = NULL;
                const struct vex_statement *st = find_stmt(d, f->vuln, c->ref, &p);
                if (!st)
                        fail_msg("%s: no statement for %s on %s", vex_format_name(format), f->vuln, c->ref);
                enum finding_state want;
                enum finding_justification wantj;
                expect_back(format, f, &want, &wantj);
                assert_int_equal(st->state, want);
                assert_int_equal(st->justification, wantj);
                if (f->state == FINDING_AFFECTED)
                        assert_string_equal(st->action, f->action);
                if (f->detail)
                        assert_string_equal(st->detail, f->detail);
                assert_true(str_eq(p->purl, c->purl));
                for (size_t k = 0; k < f->n_aliases; k++) {
                        bool seen = false;
                        for (size_t m = 0; m < st->n_aliases; m++)
                                seen |= str_eq(st->aliases[m], f->aliases[k]);
                        assert_true(seen);
                }
        }
        vex_document_free(d);
}

static void test_roundtrip_cyclonedx(void **state) {
        (void) state;
        roundtrip_one(VEX_FORMAT_CYCLONEDX);
}
static void test_roundtrip_openvex(void **state) {
        (void) state;
        roundtrip_one(VEX_FORMAT_OPENVEX);
}
static void test_roundtrip_csaf(void **state) {
        (void) state;
        roundtrip_one(VEX_FORMAT_CSAF);
}

/* A parsed document as an export model again: one finding per (statement,
 * product), the components by ref (what import then export does, without
 * the store). The returned model borrows from `d`. */
struct model {
        struct vex_export_component comps[16];
        struct vex_export_finding fs[32];
        struct vex_export x;
};

static void doc_to_model(const struct vex_document *d, struct model *m) {
        memset(m, 0, sizeof(*m));
        size_t nc = 0, nf = 0;
        for (size_t i = 0; i < d->n_statements; i++) {
                const struct vex_statement *st = &d->statements[i];
                for (size_t k = 0; k < st->n_products; k++) {
                        const struct vex_product *p = &st->products[k];
                        size_t c = 0;
                        while (c < nc && !str_eq(m->comps[c].ref, p->ref))
                                c++;
                        if (c == nc) {
                                assert_true(nc < ELEMENTSOF(m->comps));
                                m->comps[nc++] = (struct vex_export_component){p->ref, p->ref, NULL, p->purl, p->cpe};
                        }
                        assert_true(nf < ELEMENTSOF(m->fs));
                        m->fs[nf++] = (struct vex_export_finding){
                                st->vuln, (const char *const *) st->aliases, st->n_aliases, c, st->state,
                                st->justification, st->state == FINDING_AFFECTED ? st->action : NULL, st->detail,
                                NULL, -1, NULL};
                }
        }
        m->x = xport;
        m->x.components = m->comps;
        m->x.n_components = nc;
        m->x.findings = m->fs;
        m->x.n_findings = nf;
}

/* CycloneDX -> Cradle -> OpenVEX -> Cradle -> CSAF -> Cradle: every state
 * and justification the formats on both sides of each step can express
 * survives; the rest collapses the documented way. */
static void test_roundtrip_across_formats(void **state) {
        (void) state;
        _cleanup_free_ char *cdx = vex_render(VEX_FORMAT_CYCLONEDX, &xport, NULL);
        struct vex_document *d1 = parse_ok(cdx);
        struct model m1;
        doc_to_model(d1, &m1);
        _cleanup_free_ char *ovx = vex_render(VEX_FORMAT_OPENVEX, &m1.x, NULL);
        struct vex_document *d2 = parse_ok(ovx);
        struct model m2;
        doc_to_model(d2, &m2);
        _cleanup_free_ char *csaf = vex_render(VEX_FORMAT_CSAF, &m2.x, NULL);
        struct vex_document *d3 = parse_ok(csaf);
        for (size_t i = 0; i < ELEMENTSOF(findings); i++) {
                const struct vex_export_finding *f = &findings[i];
                const struct vex_product *p = NULL;
                const struct vex_statement *st = find_stmt(d3, f->vuln, comps[f->component].ref, &p);
                if (!st)
                        fail_msg("no statement for %s on %s after three formats", f->vuln, comps[f->component].ref);
                switch (f->state) {
                case FINDING_FALSE_POSITIVE:
                        assert_int_equal(st->state, FINDING_NOT_AFFECTED);
                        assert_int_equal(st->justification, FINDING_JUST_CODE_NOT_PRESENT);
                        break;
                case FINDING_NOT_AFFECTED:
                        assert_int_equal(st->state, FINDING_NOT_AFFECTED);
                        if (f->justification == FINDING_JUST_REQUIRES_CONFIGURATION)
                                assert_int_equal(st->justification, FINDING_JUST_CANNOT_BE_CONTROLLED_BY_ADVERSARY);
                        else
                                assert_int_equal(st->justification, f->justification);
                        break;
                default:
                        assert_int_equal(st->state, f->state);
                        assert_int_equal(st->justification, FINDING_JUST_NONE);
                }
                if (f->state == FINDING_AFFECTED)
                        assert_string_equal(st->action, f->action);
                assert_true(str_eq(p->purl, comps[f->component].purl));
                assert_true(str_eq(p->cpe, comps[f->component].cpe));
        }
        vex_document_free(d3);
        vex_document_free(d2);
        vex_document_free(d1);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_map_every_value_has_a_way_out),
                cmocka_unit_test(test_map_format_values_are_stable),
                cmocka_unit_test(test_cyclonedx_wrong),
                cmocka_unit_test(test_openvex_wrong),
                cmocka_unit_test(test_csaf_wrong),
                cmocka_unit_test(test_csaf_tree_forms),
                cmocka_unit_test(test_oversized),
                cmocka_unit_test(test_buildroot_fixture),
                cmocka_unit_test(test_render_deterministic),
                cmocka_unit_test(test_roundtrip_cyclonedx),
                cmocka_unit_test(test_roundtrip_openvex),
                cmocka_unit_test(test_roundtrip_csaf),
                cmocka_unit_test(test_roundtrip_across_formats),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

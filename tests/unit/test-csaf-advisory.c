/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CSAF security advisories from a case, the pure renderer: the product tree
 * (one builder with the VEX export), product status per case state, the
 * fixing release as vendor_fix, scores for affected products only, the
 * reporter credit, tracking and revision history, TLP, the file name rule,
 * and each refusal. With CRADLE_CSAF_SAMPLES set to a directory, the
 * documents rendered here are also written there, for tests/e2e/csaf.sh to
 * hand to csaf-validator-lib.
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
#include "csaf/csaf.h"

static struct store_product products[] = {
        {.id = 1, .name = "Acme Gateway", .model = "GW-100", .support_end = "2031-12-31"},
        {.id = 2, .name = "Acme Sensor", .model = "SN 7", .support_end = "2030-06-30"},
};
static struct store_release rel_a = {.id = 10, .product_id = 1, .version = "2.1.0"};
static struct store_release rel_fix = {.id = 11, .product_id = 1, .version = "2.1.1"};
static struct store_release_image img_fix = {
        .release_id = 11, .name = "gw-2.1.1.raucb",
        .sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"};
static struct csaf_release_in releases[] = {
        {.release = &rel_a},
        {.release = &rel_fix, .images = &img_fix, .n_images = 1},
};
static struct case_affected affected[] = {{.product_id = 1, .release_id = 10}, {.product_id = 2, .release_id = 0}};
static struct csaf_revision revs[] = {{1764900000, "Initial release."}, {1764990000, "Fix available."}};

static struct case_info sample_case(enum case_state st) {
        struct case_info c = {
                .id = 1,
                .reference = "CASE-2026-0001",
                .state = st,
                .title = "Command injection in the gateway web UI",
                .summary = "A crafted host name reaches a shell in the diagnostics page.",
                .cvss31_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
                .reporter_credit = "Jane Doe (Example Labs)",
                .affected = affected,
                .naffected = 2,
                .fix_release_id = 11,
                .state_reason = "The page is not reachable in any shipped configuration.",
        };
        c.ids = json_pack("{s:[s,s], s:[s], s:[s]}", "cve", "CVE-2026-12345", "CVE-2026-12346", "euvd",
                          "EUVD-2026-1234", "cwe", "CWE-78");
        return c;
}

static struct csaf_advisory_in sample_in(const struct case_info *c, size_t nrev) {
        return (struct csaf_advisory_in){
                .c = c, .products = products, .n_products = 2, .releases = releases, .n_releases = 2,
                .publisher_name = "Acme Devices", .publisher_namespace = "https://acme.example",
                .canonical_base = "https://acme.example/.well-known/csaf/white", .tlp = "WHITE",
                .status = CSAF_FINAL, .revisions = revs, .n_revisions = nrev,
        };
}

static void save_sample(const char *name, json_t *doc) {
        const char *dir = getenv("CRADLE_CSAF_SAMPLES");
        if (!dir)
                return;
        _cleanup_free_ char *p = str_printf("%s/%s.json", dir, name);
        assert_int_equal(json_dump_file(doc, p, JSON_INDENT(1) | JSON_SORT_KEYS), 0);
}

static json_t *render_ok(const struct csaf_advisory_in *in) {
        struct error err = {0};
        json_t *doc = NULL;
        if (csaf_advisory_render(in, &doc, &err) < 0)
                fail_msg("render failed: %s", err.msg);
        return doc;
}

static const char *path_str(json_t *doc, const char *path) {
        char buf[256];
        snprintf(buf, sizeof(buf), "%s", path);
        json_t *cur = doc;
        for (char *tok = strtok(buf, "."); tok && cur; tok = strtok(NULL, ".")) {
                char *end;
                long idx = strtol(tok, &end, 10);
                cur = *end == '\0' ? json_array_get(cur, (size_t) idx) : json_object_get(cur, tok);
        }
        return json_string_value(cur);
}

static void test_confirmed_case_with_fix(void **state) {
        (void) state;
        struct case_info c = sample_case(CASE_FIX_AVAILABLE);
        struct csaf_advisory_in in = sample_in(&c, 2);
        json_t *doc = render_ok(&in);
        save_sample("fix-available", doc);
        assert_string_equal(path_str(doc, "document.category"), "csaf_security_advisory");
        assert_string_equal(path_str(doc, "document.distribution.tlp.label"), "WHITE");
        assert_string_equal(path_str(doc, "document.tracking.id"), "CRADLE-CASE-2026-0001");
        assert_string_equal(path_str(doc, "document.tracking.status"), "final");
        assert_string_equal(path_str(doc, "document.tracking.version"), "2");
        assert_string_equal(path_str(doc, "document.tracking.revision_history.1.number"), "2");
        assert_string_equal(path_str(doc, "document.tracking.initial_release_date"), "2025-12-05T02:00:00Z");
        assert_string_equal(path_str(doc, "document.tracking.current_release_date"), "2025-12-06T03:00:00Z");
        assert_string_equal(path_str(doc, "document.references.0.url"),
                            "https://acme.example/.well-known/csaf/white/2025/cradle-case-2026-0001.json");
        /* the tree: a release, a whole product, the fix with its image hash */
        assert_string_equal(path_str(doc, "product_tree.full_product_names.0.product_id"), "CSAFPID-GW-100-2.1.0");
        assert_string_equal(path_str(doc, "product_tree.full_product_names.0.product_identification_helper.model_numbers.0"),
                            "GW-100");
        assert_string_equal(path_str(doc, "product_tree.full_product_names.1.product_id"), "CSAFPID-SN_7");
        assert_string_equal(path_str(doc, "product_tree.full_product_names.2.name"), "Acme Gateway 2.1.1");
        assert_string_equal(
                path_str(doc, "product_tree.full_product_names.2.product_identification_helper.hashes.0.file_hashes.0.value"),
                img_fix.sha256);
        /* the vulnerability */
        assert_string_equal(path_str(doc, "vulnerabilities.0.cve"), "CVE-2026-12345");
        /* one CVE per vulnerability, none in ids (CSAF 6.2.17) */
        assert_int_equal(json_array_size(json_object_get(json_array_get(json_object_get(doc, "vulnerabilities"), 0), "ids")), 1);
        assert_string_equal(path_str(doc, "vulnerabilities.0.ids.0.system_name"), "EU Vulnerability Database");
        assert_string_equal(path_str(doc, "vulnerabilities.0.notes.1.text"), "CWE-78");
        assert_string_equal(path_str(doc, "vulnerabilities.0.notes.2.text"), "CVE-2026-12346");
        assert_string_equal(path_str(doc, "vulnerabilities.0.product_status.known_affected.1"), "CSAFPID-SN_7");
        assert_string_equal(path_str(doc, "vulnerabilities.0.product_status.fixed.0"), "CSAFPID-GW-100-2.1.1");
        assert_string_equal(path_str(doc, "vulnerabilities.0.remediations.0.category"), "vendor_fix");
        assert_string_equal(path_str(doc, "vulnerabilities.0.remediations.0.details"), "Update to Acme Gateway 2.1.1");
        assert_null(path_str(doc, "vulnerabilities.0.remediations.0.products"));
        assert_int_equal(json_array_size(json_object_get(
                                 json_array_get(json_object_get(json_array_get(json_object_get(doc, "vulnerabilities"), 0),
                                                                "scores"),
                                                0),
                                 "products")),
                         2); /* affected only, not the fix (CSAF 6.2.19) */
        assert_string_equal(path_str(doc, "vulnerabilities.0.scores.0.cvss_v3.baseSeverity"), "CRITICAL");
        assert_string_equal(path_str(doc, "vulnerabilities.0.acknowledgments.0.names.0"), "Jane Doe (Example Labs)");
        /* End of support (CRA Art. 13(19)): a document note per product. */
        assert_string_equal(path_str(doc, "document.notes.1.title"), "End of support: GW-100");
        assert_string_equal(path_str(doc, "document.notes.1.text"),
                            "Acme Gateway (GW-100) receives security updates until 2031-12-31, the end of its "
                            "support period (CRA Art. 13(8)).");
        assert_string_equal(path_str(doc, "document.notes.2.category"), "general");
        assert_string_equal(path_str(doc, "document.notes.2.title"), "End of support: SN 7");
        json_decref(doc);
        json_decref(c.ids);
}

/* A finding still in triage does not undo a confirmed case: the release is
 * known affected and the fix fixed. (Before: the finding's in_triage made it
 * "under investigation", and the fix was left out of the advisory.) */
static void test_undecided_finding_keeps_case_state(void **state) {
        (void) state;
        struct case_info c = sample_case(CASE_FIX_AVAILABLE);
        struct csaf_release_in rel[2] = {releases[0], releases[1]};
        rel[0].has_finding = true;
        rel[0].finding_state = FINDING_IN_TRIAGE;
        struct csaf_advisory_in in = sample_in(&c, 2);
        in.releases = rel;
        json_t *doc = render_ok(&in);
        assert_string_equal(path_str(doc, "vulnerabilities.0.product_status.known_affected.0"), "CSAFPID-GW-100-2.1.0");
        assert_null(path_str(doc, "vulnerabilities.0.product_status.under_investigation.0"));
        assert_string_equal(path_str(doc, "vulnerabilities.0.product_status.fixed.0"), "CSAFPID-GW-100-2.1.1");
        json_decref(doc);
        /* a decided one still speaks for its release */
        rel[0].finding_state = FINDING_NOT_AFFECTED;
        rel[0].finding_justification = FINDING_JUST_CODE_NOT_REACHABLE;
        doc = render_ok(&in);
        assert_string_equal(path_str(doc, "vulnerabilities.0.product_status.known_not_affected.0"), "CSAFPID-GW-100-2.1.0");
        json_decref(doc);
        json_decref(c.ids);
}

/* A new revision grows version and history; the first one stays as it was. */
static void test_revision_grows(void **state) {
        (void) state;
        struct case_info c = sample_case(CASE_CONFIRMED);
        c.fix_release_id = 0;
        struct csaf_advisory_in in = sample_in(&c, 1);
        in.status = CSAF_INTERIM;
        json_t *one = render_ok(&in);
        save_sample("confirmed-no-fix", one);
        assert_string_equal(path_str(one, "document.tracking.version"), "1");
        assert_string_equal(path_str(one, "vulnerabilities.0.remediations.0.category"), "none_available");
        assert_null(json_object_get(json_object_get(json_array_get(json_object_get(one, "vulnerabilities"), 0),
                                                    "product_status"),
                                    "fixed"));
        in.n_revisions = 2;
        json_t *two = render_ok(&in);
        assert_string_equal(path_str(two, "document.tracking.version"), "2");
        assert_string_equal(path_str(two, "document.tracking.revision_history.0.date"),
                            path_str(one, "document.tracking.revision_history.0.date"));
        assert_string_equal(path_str(two, "document.tracking.initial_release_date"),
                            path_str(one, "document.tracking.initial_release_date"));
        json_decref(one);
        json_decref(two);
        json_decref(c.ids);
}

static void test_status_by_case_state(void **state) {
        (void) state;
        struct case_info c = sample_case(CASE_TRIAGING);
        c.cvss31_vector = NULL;
        struct csaf_advisory_in in = sample_in(&c, 1);
        in.status = CSAF_DRAFT;
        json_t *doc = render_ok(&in);
        save_sample("triaging", doc);
        assert_string_equal(path_str(doc, "vulnerabilities.0.product_status.under_investigation.0"),
                            "CSAFPID-GW-100-2.1.0");
        assert_null(path_str(doc, "vulnerabilities.0.product_status.fixed.0")); /* no fix for an open question */
        assert_string_equal(path_str(doc, "vulnerabilities.0.remediations.0.category"), "none_available");
        json_decref(doc);
        c.state = CASE_NOT_A_VULNERABILITY;
        doc = render_ok(&in);
        save_sample("not-a-vulnerability", doc);
        assert_string_equal(path_str(doc, "vulnerabilities.0.product_status.known_not_affected.0"),
                            "CSAFPID-GW-100-2.1.0");
        assert_string_equal(path_str(doc, "vulnerabilities.0.threats.0.details"), c.state_reason);
        assert_null(json_object_get(json_array_get(json_object_get(doc, "vulnerabilities"), 0), "remediations"));
        json_decref(doc);
        json_decref(c.ids);
}

static void render_bad(const struct csaf_advisory_in *in, const char *needle) {
        struct error err = {0};
        json_t *doc = NULL;
        if (csaf_advisory_render(in, &doc, &err) == 0) {
                json_decref(doc);
                fail_msg("rendered, expected an error containing '%s'", needle);
        }
        assert_null(doc);
        assert_int_equal(err.kind, ERROR_INVALID);
        if (!strstr(err.msg, needle))
                fail_msg("error '%s' does not contain '%s'", err.msg, needle);
        assert_non_null(strstr(err.msg, "CASE-2026-0001"));
}

static void test_refusals(void **state) {
        (void) state;
        struct case_info c = sample_case(CASE_CONFIRMED);
        struct csaf_advisory_in in = sample_in(&c, 0);
        render_bad(&in, "at least one revision");
        in.n_revisions = 1;
        c.state = CASE_REJECTED;
        render_bad(&in, "rejected case has no advisory");
        c.state = CASE_DUPLICATE;
        render_bad(&in, "duplicate case has no advisory");
        c.state = CASE_CONFIRMED;
        in.n_products = 1; /* product 2 missing */
        render_bad(&in, "product 2 is not in the advisory input");
        in.n_products = 2;
        in.n_releases = 1; /* the fix missing */
        render_bad(&in, "fix release 11 is not in the advisory input");
        in.n_releases = 2;
        c.naffected = 0;
        render_bad(&in, "no affected product");
        json_decref(c.ids);
}

static void test_names(void **state) {
        (void) state;
        _cleanup_free_ char *f = csaf_file_name("CRADLE-CASE-2026-0001 x/y+z");
        assert_string_equal(f, "cradle-case-2026-0001_x_y+z.json");
        const char *l;
        struct error err = {0};
        assert_int_equal(csaf_tlp_parse("amber", &l, &err), 0);
        assert_string_equal(l, "AMBER");
        assert_int_equal(csaf_tlp_parse("CLEAR", &l, &err), -1);
        assert_non_null(strstr(err.msg, "'CLEAR'"));
        enum csaf_status s;
        assert_int_equal(csaf_status_parse("interim", &s, &err), 0);
        assert_int_equal(s, CSAF_INTERIM);
        assert_int_equal(csaf_status_parse("published", &s, &err), -1);
        assert_non_null(strstr(err.msg, "'published'"));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_confirmed_case_with_fix),
                cmocka_unit_test(test_undecided_finding_keeps_case_state), cmocka_unit_test(test_revision_grows),
                cmocka_unit_test(test_status_by_case_state), cmocka_unit_test(test_refusals),
                cmocka_unit_test(test_names),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

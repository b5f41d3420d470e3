/* SPDX-License-Identifier: Apache-2.0 */
/* vuln_match_entry (issue 9 §3): the order of evidence, OSV ranges, NVD
 * configurations, explanations, malformed entries, and each documented trap
 * by name. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/cleanup.h"
#include "vuln/match.h"

static json_t *J(const char *text) {
        json_error_t e;
        json_t *j = json_loads(text, 0, &e);
        if (!j) fail_msg("bad test JSON: %s: %s", e.text, text);
        return j;
}

/* Runs one match and returns the result; the explanation must exist and
 * carry the result's name. */
static enum vuln_match_result run(const struct vuln_component *c, const char *kind, const char *entry_text, json_t **expl_out) {
        _cleanup_json_ json_t *entry = J(entry_text);
        enum vuln_match_result r = 99;
        json_t *expl = NULL;
        struct error err = {0};
        if (vuln_match_entry(c, kind, entry, &r, &expl, &err) != 0) fail_msg("match failed: %s", err.msg);
        assert_non_null(expl);
        assert_string_equal(json_string_value(json_object_get(expl, "result")), vuln_match_result_name(r));
        assert_non_null(json_object_get(expl, "reason"));
        if (expl_out) *expl_out = expl;
        else json_decref(expl);
        return r;
}

static bool dump_has(const json_t *j, const char *needle) {
        char *d = json_dumps(j, 0);
        bool has = d && strstr(d, needle);
        free(d);
        return has;
}

#define PURLS(...) ((const char *const[]){__VA_ARGS__})
#define COMP(n, v, purls, np, cpes, nc) ((struct vuln_component){(n), (v), (purls), (np), (cpes), (nc)})

static const char *osv_openssl_debian =
        "{\"package\":{\"ecosystem\":\"Debian:12\",\"name\":\"openssl\",\"purl\":\"pkg:deb/debian/openssl?arch=source\"},"
        "\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"0\"},{\"fixed\":\"3.0.11-1~deb12u2\"}]}]}";

static void test_purl_osv_debian(void **state) {
        const char *const p1[] = {"pkg:deb/debian/openssl@3.0.11-1~deb12u1?distro=debian-12"};
        const char *const p2[] = {"pkg:deb/debian/openssl@3.0.11-1~deb12u2?distro=debian-12"};
        const char *const p3[] = {"pkg:deb/debian/openssl@3.0.11-1~deb12u1?distro=debian-11"};
        const char *const p4[] = {"pkg:deb/debian/libssl3@3.0.9-1?distro=bookworm&upstream=openssl%403.0.9-1"};
        json_t *expl = NULL;
        (void) state;
        struct vuln_component c = COMP("openssl", NULL, p1, 1, NULL, 0);
        assert_int_equal(run(&c, "purl", osv_openssl_debian, &expl), VULN_MATCH_PURL);
        assert_string_equal(json_string_value(json_object_get(expl, "scheme")), "debian");
        assert_string_equal(json_string_value(json_object_get(expl, "identifier")), p1[0]);
        assert_true(json_array_size(json_object_get(expl, "comparisons")) >= 2);
        json_decref(expl);
        c.purls = p2; /* the fixed version */
        assert_int_equal(run(&c, "purl", osv_openssl_debian, NULL), VULN_MATCH_NO);
        c.purls = p3; /* another release: its own records decide */
        assert_int_equal(run(&c, "purl", osv_openssl_debian, &expl), VULN_MATCH_NO);
        assert_true(dump_has(json_object_get(expl, "purls_tried"), "another release"));
        json_decref(expl);
        c.purls = p4; /* binary package with syft's upstream qualifier */
        assert_int_equal(run(&c, "purl", osv_openssl_debian, NULL), VULN_MATCH_PURL);
}

/* grype PR #3129: a Debian backport ("1.1.1n-0+deb11u5" fixed in Debian while
 * upstream 1.1.1n is vulnerable) must be decided by Debian's fixed version,
 * not by the upstream CPE range. */
static void test_trap_distro_backport(void **state) {
        const char *const p[] = {"pkg:deb/debian/openssl@1.1.1n-0+deb11u5?distro=debian-11"};
        const char *const cp[] = {"cpe:2.3:a:openssl:openssl:1.1.1n:*:*:*:*:*:*:*"};
        (void) state;
        struct vuln_component c = COMP("openssl", "1.1.1n-0+deb11u5", p, 1, cp, 1);
        const char *nvd = "{\"nodes\":[{\"operator\":\"OR\",\"negate\":false,\"cpeMatch\":[{\"vulnerable\":true,"
                          "\"criteria\":\"cpe:2.3:a:openssl:openssl:*:*:*:*:*:*:*:*\",\"versionStartIncluding\":\"1.1.1\","
                          "\"versionEndExcluding\":\"1.1.1t\"}]}]}";
        const char *deb = "{\"package\":{\"ecosystem\":\"Debian:11\",\"name\":\"openssl\"},\"ranges\":[{\"type\":\"ECOSYSTEM\","
                          "\"events\":[{\"introduced\":\"0\"},{\"fixed\":\"1.1.1n-0+deb11u4\"}]}]}";
        assert_int_equal(run(&c, "cpe", nvd, NULL), VULN_MATCH_NO);
        assert_int_equal(run(&c, "purl", deb, NULL), VULN_MATCH_NO);
        /* and the same package before the backport is found by Debian's record */
        const char *const p_old[] = {"pkg:deb/debian/openssl@1.1.1n-0+deb11u3?distro=debian-11"};
        c.purls = p_old;
        assert_int_equal(run(&c, "purl", deb, NULL), VULN_MATCH_PURL);
}

static void test_osv_range_algorithm(void **state) {
        const char *const p[] = {"pkg:pypi/django@4.2.1"};
        struct vuln_component c = COMP("django", NULL, p, 1, NULL, 0);
        (void) state;
        /* two ranges; the version is in the second */
        const char *e = "{\"package\":{\"ecosystem\":\"PyPI\",\"name\":\"Django\"},\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":["
                        "{\"introduced\":\"3.0\"},{\"fixed\":\"3.2.20\"},{\"introduced\":\"4.0\"},{\"fixed\":\"4.2.2\"}]}]}";
        assert_int_equal(run(&c, "purl", e, NULL), VULN_MATCH_PURL);
        /* events out of order are sorted first */
        const char *e2 = "{\"package\":{\"ecosystem\":\"PyPI\",\"name\":\"django\"},\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":["
                         "{\"fixed\":\"4.2.2\"},{\"introduced\":\"4.0\"}]}]}";
        assert_int_equal(run(&c, "purl", e2, NULL), VULN_MATCH_PURL);
        /* last_affected: 4.2.1 affected, 4.2.2 not */
        const char *e3 = "{\"package\":{\"ecosystem\":\"PyPI\",\"name\":\"django\"},\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":["
                         "{\"introduced\":\"0\"},{\"last_affected\":\"4.2.1\"}]}]}";
        assert_int_equal(run(&c, "purl", e3, NULL), VULN_MATCH_PURL);
        const char *const p2[] = {"pkg:pypi/django@4.2.2"};
        c.purls = p2;
        assert_int_equal(run(&c, "purl", e3, NULL), VULN_MATCH_NO);
        /* limit: 4.2.2 is past the limit */
        const char *e4 = "{\"package\":{\"ecosystem\":\"PyPI\",\"name\":\"django\"},\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":["
                         "{\"introduced\":\"0\"},{\"limit\":\"4.2.2\"}]}]}";
        assert_int_equal(run(&c, "purl", e4, NULL), VULN_MATCH_NO);
        c.purls = p;
        assert_int_equal(run(&c, "purl", e4, NULL), VULN_MATCH_PURL);
        /* versions[] */
        const char *e5 = "{\"package\":{\"ecosystem\":\"PyPI\",\"name\":\"django\"},\"versions\":[\"4.2.0\",\"4.2.1\"]}";
        assert_int_equal(run(&c, "purl", e5, NULL), VULN_MATCH_PURL);
        c.purls = p2;
        assert_int_equal(run(&c, "purl", e5, NULL), VULN_MATCH_NO);
        /* an event version that is not one of the scheme's: not evaluable,
         * never "at or above introduced" */
        const char *bad = "{\"package\":{\"ecosystem\":\"PyPI\",\"name\":\"django\"},\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":["
                          "{\"introduced\":\"not a version!\"}]}]}";
        assert_int_equal(run(&c, "purl", bad, NULL), VULN_MATCH_UNEVALUABLE);
        /* SEMVER type with Go's 'v' */
        const char *const pg[] = {"pkg:golang/golang.org/x/net@v0.7.0"};
        struct vuln_component g = COMP("x/net", NULL, pg, 1, NULL, 0);
        const char *eg = "{\"package\":{\"ecosystem\":\"Go\",\"name\":\"golang.org/x/net\"},\"ranges\":[{\"type\":\"SEMVER\",\"events\":["
                         "{\"introduced\":\"0\"},{\"fixed\":\"0.17.0\"}]}]}";
        assert_int_equal(run(&g, "purl", eg, NULL), VULN_MATCH_PURL);
}

static void test_osv_git_unevaluable(void **state) {
        const char *const p[] = {"pkg:generic/zlib@1.2.13"};
        const char *const pd[] = {"pkg:deb/debian/zlib@1.2.13?distro=debian-12"};
        json_t *expl = NULL;
        (void) state;
        struct vuln_component c = COMP("zlib", NULL, pd, 1, NULL, 0);
        const char *e = "{\"package\":{\"ecosystem\":\"Debian:12\",\"name\":\"zlib\"},\"ranges\":[{\"type\":\"GIT\",\"repo\":\"https://github.com/madler/zlib\","
                        "\"events\":[{\"introduced\":\"0\"},{\"fixed\":\"04f42ceca40f73e2978b50e93806c2a18c1281fc\"}]}]}";
        assert_int_equal(run(&c, "purl", e, &expl), VULN_MATCH_UNEVALUABLE);
        assert_non_null(strstr(json_string_value(json_object_get(expl, "reason")), "GIT"));
        assert_int_equal(json_array_size(json_object_get(expl, "git_ranges_not_evaluated")), 1);
        json_decref(expl);
        /* ... but a version listed in versions[] decides */
        const char *e2 = "{\"package\":{\"ecosystem\":\"Debian:12\",\"name\":\"zlib\"},\"versions\":[\"1.2.13\"],\"ranges\":[{\"type\":\"GIT\",\"repo\":\"x\","
                         "\"events\":[{\"introduced\":\"0\"}]}]}";
        assert_int_equal(run(&c, "purl", e2, NULL), VULN_MATCH_PURL);
        (void) p;
}

static const char *nvd_curl =
        "{\"nodes\":[{\"operator\":\"OR\",\"negate\":false,\"cpeMatch\":[{\"vulnerable\":true,"
        "\"criteria\":\"cpe:2.3:a:haxx:curl:*:*:*:*:*:*:*:*\",\"versionStartIncluding\":\"7.69.0\","
        "\"versionEndExcluding\":\"8.4.0\",\"matchCriteriaId\":\"X\"}]}]}";

static void test_cpe_ranges(void **state) {
        const char *const in[] = {"cpe:2.3:a:haxx:curl:8.3.0:*:*:*:*:*:*:*"};
        const char *const lo[] = {"cpe:2.3:a:haxx:curl:7.68.0:*:*:*:*:*:*:*"};
        const char *const hi[] = {"cpe:2.3:a:haxx:curl:8.4.0:*:*:*:*:*:*:*"};
        const char *const edge[] = {"cpe:/a:haxx:curl:7.69.0"};
        const char *const nover[] = {"cpe:2.3:a:haxx:curl:*:*:*:*:*:*:*:*"};
        json_t *expl = NULL;
        (void) state;
        struct vuln_component c = COMP("curl", NULL, NULL, 0, in, 1);
        assert_int_equal(run(&c, "cpe", nvd_curl, &expl), VULN_MATCH_CPE);
        assert_string_equal(json_string_value(json_object_get(expl, "identifier")), in[0]);
        json_decref(expl);
        c.cpes = lo;
        assert_int_equal(run(&c, "cpe", nvd_curl, NULL), VULN_MATCH_NO);
        c.cpes = hi; /* versionEndExcluding */
        assert_int_equal(run(&c, "cpe", nvd_curl, NULL), VULN_MATCH_NO);
        c.cpes = edge; /* versionStartIncluding, and a 2.2 URI */
        assert_int_equal(run(&c, "cpe", nvd_curl, NULL), VULN_MATCH_CPE);
        c.cpes = nover; /* the CPE has no version: the component's own */
        c.version = "8.0.1";
        assert_int_equal(run(&c, "cpe", nvd_curl, NULL), VULN_MATCH_CPE);
        c.version = NULL;
        assert_int_equal(run(&c, "cpe", nvd_curl, NULL), VULN_MATCH_UNEVALUABLE);
        /* Including/Excluding ends */
        const char *incl = "{\"nodes\":[{\"operator\":\"OR\",\"cpeMatch\":[{\"vulnerable\":true,\"criteria\":\"cpe:2.3:a:haxx:curl:*:*:*:*:*:*:*:*\","
                           "\"versionStartExcluding\":\"7.69.0\",\"versionEndIncluding\":\"8.4.0\"}]}]}";
        c.cpes = hi;
        assert_int_equal(run(&c, "cpe", incl, NULL), VULN_MATCH_CPE);
        c.cpes = edge;
        assert_int_equal(run(&c, "cpe", incl, NULL), VULN_MATCH_NO);
        /* an exact criteria version */
        const char *exact = "{\"nodes\":[{\"operator\":\"OR\",\"cpeMatch\":[{\"vulnerable\":true,\"criteria\":\"cpe:2.3:a:haxx:curl:8.3.0:*:*:*:*:*:*:*\"}]}]}";
        c.cpes = in;
        assert_int_equal(run(&c, "cpe", exact, NULL), VULN_MATCH_CPE);
        c.cpes = hi;
        assert_int_equal(run(&c, "cpe", exact, NULL), VULN_MATCH_NO);
        /* criteria '*' version and no range: every version */
        const char *all = "{\"nodes\":[{\"operator\":\"OR\",\"cpeMatch\":[{\"vulnerable\":true,\"criteria\":\"cpe:2.3:a:haxx:curl:*:*:*:*:*:*:*:*\"}]}]}";
        assert_int_equal(run(&c, "cpe", all, NULL), VULN_MATCH_CPE);
}

/* Dependency-Track #3178/#3146/#3268: a '*' or '-' vendor or product in the
 * component's CPE is not a wildcard. */
static void test_trap_component_wildcard(void **state) {
        const char *const star_vendor[] = {"cpe:2.3:a:*:curl:8.3.0:*:*:*:*:*:*:*"};
        const char *const star_both[] = {"cpe:2.3:a:*:*:*:*:*:*:*:*:*:*"};
        const char *const dash_product[] = {"cpe:2.3:a:haxx:-:8.3.0:*:*:*:*:*:*:*"};
        json_t *expl = NULL;
        (void) state;
        struct vuln_component c = COMP("libfoo", "8.3.0", NULL, 0, star_vendor, 1);
        assert_int_equal(run(&c, "cpe", nvd_curl, &expl), VULN_MATCH_NO);
        assert_non_null(json_object_get(expl, "identifiers_rejected"));
        json_decref(expl);
        c.cpes = star_both;
        assert_int_equal(run(&c, "cpe", nvd_curl, NULL), VULN_MATCH_NO);
        c.cpes = dash_product;
        assert_int_equal(run(&c, "cpe", nvd_curl, NULL), VULN_MATCH_NO);
        /* even when named like the product, it is only a low-confidence
         * candidate by name, never a CPE match */
        c.name = "curl";
        assert_int_equal(run(&c, "cpe", nvd_curl, NULL), VULN_MATCH_NAME);
}

/* grype #2770: a "running on" platform node never makes the component
 * vulnerable. */
static void test_trap_running_on(void **state) {
        const char *cfg = "{\"operator\":\"AND\",\"nodes\":["
                          "{\"operator\":\"OR\",\"negate\":false,\"cpeMatch\":[{\"vulnerable\":true,\"criteria\":\"cpe:2.3:o:vendor:router_firmware:*:*:*:*:*:*:*:*\",\"versionEndExcluding\":\"2.0\"}]},"
                          "{\"operator\":\"OR\",\"negate\":false,\"cpeMatch\":[{\"vulnerable\":false,\"criteria\":\"cpe:2.3:o:linux:linux_kernel:-:*:*:*:*:*:*:*\"},"
                          "{\"vulnerable\":false,\"criteria\":\"cpe:2.3:a:busybox:busybox:*:*:*:*:*:*:*:*\"}]}]}";
        const char *const kernel[] = {"cpe:2.3:o:linux:linux_kernel:5.10.1:*:*:*:*:*:*:*"};
        const char *const bb[] = {"cpe:2.3:a:busybox:busybox:1.36.1:*:*:*:*:*:*:*"};
        const char *const fw[] = {"cpe:2.3:o:vendor:router_firmware:1.5:*:*:*:*:*:*:*"};
        json_t *expl = NULL;
        (void) state;
        struct vuln_component c = COMP("busybox", "1.36.1", NULL, 0, bb, 1);
        assert_int_equal(run(&c, "cpe", cfg, &expl), VULN_MATCH_NO);
        assert_true(dump_has(expl, "never makes the component vulnerable"));
        json_decref(expl);
        c.cpes = kernel;
        assert_int_equal(run(&c, "cpe", cfg, NULL), VULN_MATCH_NO);
        /* a configuration that only names the platform (seen in NVD data as a
         * lone "running on" node): being the platform is never enough */
        const char *lone = "{\"nodes\":[{\"operator\":\"OR\",\"negate\":false,\"cpeMatch\":[{\"vulnerable\":false,"
                           "\"criteria\":\"cpe:2.3:o:linux:linux_kernel:*:*:*:*:*:*:*:*\"}]}]}";
        c.cpes = kernel;
        assert_int_equal(run(&c, "cpe", lone, NULL), VULN_MATCH_NO);
        c.cpes = fw; /* the application itself: the platform is assumed */
        assert_int_equal(run(&c, "cpe", cfg, &expl), VULN_MATCH_CPE);
        assert_string_equal(json_string_value(json_object_get(expl, "configuration")), "unknown");
        json_decref(expl);
}

static void test_nvd_and_negate(void **state) {
        const char *const a[] = {"cpe:2.3:a:acme:app:1.0:*:*:*:*:*:*:*"};
        (void) state;
        struct vuln_component c = COMP("app", "1.0", NULL, 0, a, 1);
        /* negated node that the component itself satisfies: ruled out */
        const char *neg = "{\"operator\":\"AND\",\"nodes\":["
                          "{\"operator\":\"OR\",\"cpeMatch\":[{\"vulnerable\":true,\"criteria\":\"cpe:2.3:a:acme:app:*:*:*:*:*:*:*:*\"}]},"
                          "{\"operator\":\"OR\",\"negate\":true,\"cpeMatch\":[{\"vulnerable\":false,\"criteria\":\"cpe:2.3:a:acme:app:1.0:*:*:*:*:*:*:*\"}]}]}";
        assert_int_equal(run(&c, "cpe", neg, NULL), VULN_MATCH_NO);
        /* AND inside a node: both cpeMatch must hold, the second cannot for one component -> unknown, still a match */
        const char *and = "{\"nodes\":[{\"operator\":\"AND\",\"cpeMatch\":["
                          "{\"vulnerable\":true,\"criteria\":\"cpe:2.3:a:acme:app:*:*:*:*:*:*:*:*\",\"versionEndIncluding\":\"1.0\"},"
                          "{\"vulnerable\":false,\"criteria\":\"cpe:2.3:h:acme:board:-:*:*:*:*:*:*:*\"}]}]}";
        assert_int_equal(run(&c, "cpe", and, NULL), VULN_MATCH_CPE);
        /* configuration-level negate of a true condition */
        const char *cneg = "{\"negate\":true,\"nodes\":[{\"operator\":\"OR\",\"cpeMatch\":[{\"vulnerable\":true,\"criteria\":\"cpe:2.3:a:acme:app:*:*:*:*:*:*:*:*\"}]}]}";
        assert_int_equal(run(&c, "cpe", cneg, NULL), VULN_MATCH_NO);
}

/* grype #2365: kernel CPEs from CycloneDX (an 'o' part, sometimes written as
 * 'a' or '*') must match NVD's linux_kernel configurations. */
static void test_trap_kernel_cpe(void **state) {
        const char *cfg = "{\"nodes\":[{\"operator\":\"OR\",\"negate\":false,\"cpeMatch\":[{\"vulnerable\":true,"
                          "\"criteria\":\"cpe:2.3:o:linux:linux_kernel:*:*:*:*:*:*:*:*\",\"versionStartIncluding\":\"5.15\",\"versionEndExcluding\":\"5.15.149\"},"
                          "{\"vulnerable\":true,\"criteria\":\"cpe:2.3:o:linux:linux_kernel:6.8:rc1:*:*:*:*:*:*\"}]}]}";
        const char *const o[] = {"cpe:2.3:o:linux:linux_kernel:5.15.120:*:*:*:*:*:*:*"};
        const char *const a[] = {"cpe:2.3:a:linux:linux_kernel:5.15.120:*:*:*:*:*:*:*"};
        const char *const star[] = {"cpe:2.3:*:linux:linux_kernel:5.15.120:*:*:*:*:*:*:*"};
        const char *const fixed[] = {"cpe:2.3:o:linux:linux_kernel:5.15.149:*:*:*:*:*:*:*"};
        const char *const hw[] = {"cpe:2.3:h:linux:linux_kernel:5.15.120:*:*:*:*:*:*:*"};
        const char *const rc2[] = {"cpe:2.3:o:linux:linux_kernel:6.8:rc2:*:*:*:*:*:*"};
        (void) state;
        struct vuln_component c = COMP("linux", "5.15.120", NULL, 0, o, 1);
        assert_int_equal(run(&c, "cpe", cfg, NULL), VULN_MATCH_CPE);
        c.cpes = a;
        assert_int_equal(run(&c, "cpe", cfg, NULL), VULN_MATCH_CPE);
        c.cpes = star;
        assert_int_equal(run(&c, "cpe", cfg, NULL), VULN_MATCH_CPE);
        c.cpes = fixed;
        assert_int_equal(run(&c, "cpe", cfg, NULL), VULN_MATCH_NO);
        c.cpes = hw;
        assert_int_equal(run(&c, "cpe", cfg, NULL), VULN_MATCH_NO);
        c.cpes = rc2; /* update attribute differs */
        assert_int_equal(run(&c, "cpe", cfg, NULL), VULN_MATCH_NO);
}

/* Dependency-Track #2803 and syft's OpenSSL letter releases, through CPE. */
static void test_trap_versions_through_cpe(void **state) {
        const char *cfg = "{\"nodes\":[{\"operator\":\"OR\",\"cpeMatch\":[{\"vulnerable\":true,\"criteria\":\"cpe:2.3:a:openssl:openssl:*:*:*:*:*:*:*:*\","
                          "\"versionStartIncluding\":\"1.1.1\",\"versionEndExcluding\":\"1.1.1w\"}]}]}";
        const char *const k[] = {"cpe:2.3:a:openssl:openssl:1.1.1k:*:*:*:*:*:*:*"};
        const char *const w[] = {"cpe:2.3:a:openssl:openssl:1.1.1w:*:*:*:*:*:*:*"};
        const char *const plain[] = {"cpe:2.3:a:openssl:openssl:1.1.1:*:*:*:*:*:*:*"};
        (void) state;
        struct vuln_component c = COMP("openssl", NULL, NULL, 0, k, 1);
        assert_int_equal(run(&c, "cpe", cfg, NULL), VULN_MATCH_CPE);
        c.cpes = w;
        assert_int_equal(run(&c, "cpe", cfg, NULL), VULN_MATCH_NO);
        c.cpes = plain;
        assert_int_equal(run(&c, "cpe", cfg, NULL), VULN_MATCH_CPE);
        const char *cfg2 = "{\"nodes\":[{\"operator\":\"OR\",\"cpeMatch\":[{\"vulnerable\":true,\"criteria\":\"cpe:2.3:a:acme:tool:*:*:*:*:*:*:*:*\","
                           "\"versionEndExcluding\":\"2.8.100\"}]}]}";
        const char *const e[] = {"cpe:2.3:a:acme:tool:2.8.123e:*:*:*:*:*:*:*"};
        const char *const s[] = {"cpe:2.3:a:acme:tool:2.8.75:*:*:*:*:*:*:*"};
        c.cpes = e;
        assert_int_equal(run(&c, "cpe", cfg2, NULL), VULN_MATCH_NO);
        c.cpes = s;
        assert_int_equal(run(&c, "cpe", cfg2, NULL), VULN_MATCH_CPE);
}

/* Dependency-Track #2984: a component with only a name and version is a
 * low-confidence candidate, never silently dropped, and never used when
 * the component has a usable identifier. */
static void test_trap_name_only(void **state) {
        json_t *expl = NULL;
        (void) state;
        struct vuln_component c = COMP("curl", "8.3.0", NULL, 0, NULL, 0);
        assert_int_equal(run(&c, "cpe", nvd_curl, &expl), VULN_MATCH_NAME);
        assert_string_equal(json_string_value(json_object_get(expl, "confidence")), "low");
        json_decref(expl);
        c.version = "8.4.0";
        assert_int_equal(run(&c, "cpe", nvd_curl, NULL), VULN_MATCH_NO);
        c.version = NULL;
        assert_int_equal(run(&c, "cpe", nvd_curl, NULL), VULN_MATCH_NO);
        /* a usable purl of another package: no fallback to the name */
        const char *const p[] = {"pkg:generic/curl-impostor@8.3.0"};
        struct vuln_component d = COMP("curl", "8.3.0", p, 1, NULL, 0);
        assert_int_equal(run(&d, "cpe", nvd_curl, NULL), VULN_MATCH_NO);
        /* OSV by name */
        const char *osv = "{\"package\":{\"ecosystem\":\"PyPI\",\"name\":\"Jinja2\"},\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"0\"},{\"fixed\":\"3.1.3\"}]}]}";
        struct vuln_component e = COMP("jinja2", "3.1.2", NULL, 0, NULL, 0);
        assert_int_equal(run(&e, "purl", osv, NULL), VULN_MATCH_NAME);
        e.version = "3.1.3";
        assert_int_equal(run(&e, "purl", osv, NULL), VULN_MATCH_NO);
        e.name = "jinja";
        e.version = "3.1.2";
        assert_int_equal(run(&e, "purl", osv, NULL), VULN_MATCH_NO);
}

static void entry_bad(const char *kind, const char *text, const char *needle) {
        const char *const p[] = {"pkg:pypi/x@1.0"};
        const char *const cp[] = {"cpe:2.3:a:x:x:1.0:*:*:*:*:*:*:*"};
        struct vuln_component c = COMP("x", "1.0", p, 1, cp, 1);
        _cleanup_json_ json_t *entry = J(text);
        enum vuln_match_result r = VULN_MATCH_PURL;
        json_t *expl = (json_t *) 1;
        struct error err = {0};
        assert_int_equal(vuln_match_entry(&c, kind, entry, &r, &expl, &err), -1);
        assert_null(expl);
        assert_int_equal(r, VULN_MATCH_NO);
        if (!strstr(err.msg, needle)) fail_msg("%s: error \"%s\" lacks \"%s\"", text, err.msg, needle);
}

static void test_malformed_entries(void **state) {
        (void) state;
        entry_bad("purl", "[]", "package");
        entry_bad("purl", "{\"package\":1}", "package");
        entry_bad("purl", "{\"package\":{\"ecosystem\":1,\"name\":\"x\"}}", "ecosystem");
        entry_bad("purl", "{\"package\":{\"ecosystem\":\"PyPI\",\"name\":\"x\"},\"ranges\":{}}", "ranges");
        entry_bad("purl", "{\"package\":{\"ecosystem\":\"PyPI\",\"name\":\"x\"},\"versions\":[1]}", "versions[0]");
        entry_bad("purl", "{\"package\":{\"ecosystem\":\"PyPI\",\"name\":\"x\"},\"ranges\":[{\"type\":\"FOO\",\"events\":[{\"introduced\":\"0\"}]}]}", "FOO");
        entry_bad("purl", "{\"package\":{\"ecosystem\":\"PyPI\",\"name\":\"x\"},\"ranges\":[{\"events\":[{\"introduced\":\"0\"}]}]}", "type");
        entry_bad("purl", "{\"package\":{\"ecosystem\":\"PyPI\",\"name\":\"x\"},\"ranges\":[{\"type\":\"SEMVER\",\"events\":[]}]}", "events");
        entry_bad("purl", "{\"package\":{\"ecosystem\":\"PyPI\",\"name\":\"x\"},\"ranges\":[{\"type\":\"SEMVER\",\"events\":[{\"fixed\":\"1.0.0\"}]}]}", "introduced");
        entry_bad("purl", "{\"package\":{\"ecosystem\":\"PyPI\",\"name\":\"x\"},\"ranges\":[{\"type\":\"SEMVER\",\"events\":[{\"introduced\":\"0\",\"fixed\":\"1\"}]}]}", "events[0]");
        entry_bad("purl", "{\"package\":{\"ecosystem\":\"PyPI\",\"name\":\"x\"},\"ranges\":[{\"type\":\"SEMVER\",\"events\":[{\"introduced\":\"\"}]}]}", "events[0]");
        entry_bad("purl", "{\"package\":{\"ecosystem\":\"PyPI\",\"name\":\"x\"},\"ranges\":[{\"type\":\"SEMVER\",\"events\":[{\"introduced\":\"0\"},{\"fixed\":\"1.0.0\"},{\"last_affected\":\"0.9.0\"}]}]}", "both");
        entry_bad("purl", "{\"package\":{\"ecosystem\":\"PyPI\",\"name\":\"x\",\"purl\":\"pkg:\"}}", "purl");
        entry_bad("cpe", "{}", "nodes");
        entry_bad("cpe", "{\"operator\":\"XOR\",\"nodes\":[]}", "operator");
        entry_bad("cpe", "{\"nodes\":[{\"cpeMatch\":[]}]}", "cpeMatch");
        entry_bad("cpe", "{\"nodes\":[{\"operator\":\"NAND\",\"cpeMatch\":[{}]}]}", "operator");
        entry_bad("cpe", "{\"nodes\":[{\"negate\":\"yes\",\"cpeMatch\":[{}]}]}", "negate");
        entry_bad("cpe", "{\"nodes\":[{\"cpeMatch\":[{\"criteria\":\"cpe:2.3:a:x:x:*:*:*:*:*:*:*:*\"}]}]}", "vulnerable");
        entry_bad("cpe", "{\"nodes\":[{\"cpeMatch\":[{\"vulnerable\":true}]}]}", "criteria");
        entry_bad("cpe", "{\"nodes\":[{\"cpeMatch\":[{\"vulnerable\":true,\"criteria\":\"cpe:2.3:a:x\"}]}]}", "criteria");
        entry_bad("cpe", "{\"nodes\":[{\"cpeMatch\":[{\"vulnerable\":true,\"criteria\":\"cpe:2.3:a:x:x:*:*:*:*:*:*:*:*\",\"versionEndExcluding\":5}]}]}", "versionEndExcluding");
        entry_bad("cpe", "{\"nodes\":[{\"cpeMatch\":[{\"vulnerable\":true,\"criteria\":\"cpe:2.3:a:x:x:*:*:*:*:*:*:*:*\",\"versionEndExcluding\":\"2\",\"versionEndIncluding\":\"3\"}]}]}", "both");
        entry_bad("cpe", "{\"nodes\":[{\"children\":[],\"cpeMatch\":[{}]}]}", "children");
        entry_bad("swid", "{}", "swid");
}

static void test_component_limits_and_bad_identifiers(void **state) {
        const char *many[300];
        for (int i = 0; i < 300; i++) many[i] = "pkg:npm/x@1.0.0";
        _cleanup_json_ json_t *entry = J("{\"nodes\":[{\"cpeMatch\":[{\"vulnerable\":true,\"criteria\":\"cpe:2.3:a:x:x:*:*:*:*:*:*:*:*\"}]}]}");
        enum vuln_match_result r;
        json_t *expl;
        struct error err = {0};
        (void) state;
        struct vuln_component c = COMP("x", "1.0", many, 300, NULL, 0);
        assert_int_equal(vuln_match_entry(&c, "cpe", entry, &r, &expl, &err), -1);
        assert_int_equal(err.kind, ERROR_TOO_LARGE);
        /* malformed identifiers are reported, not fatal, and leave the name */
        const char *const bad[] = {"pkg:%%%", "cpe:2.3:a:broken"};
        struct vuln_component d = COMP("curl", "8.3.0", bad, 1, bad + 1, 1);
        assert_int_equal(run(&d, "cpe", nvd_curl, &expl), VULN_MATCH_NAME);
        assert_int_equal(json_array_size(json_object_get(expl, "identifiers_rejected")), 2);
        json_decref(expl);
        /* an unknown version syntax is unevaluable, not "not affected" */
        const char *const p[] = {"pkg:deb/debian/openssl@latest?distro=debian-12"};
        struct vuln_component e = COMP("openssl", NULL, p, 1, NULL, 0);
        assert_int_equal(run(&e, "purl", osv_openssl_debian, NULL), VULN_MATCH_UNEVALUABLE);
        assert_string_equal(vuln_match_result_name(VULN_MATCH_UNEVALUABLE), "unevaluable");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_purl_osv_debian),
                cmocka_unit_test(test_trap_distro_backport),
                cmocka_unit_test(test_osv_range_algorithm),
                cmocka_unit_test(test_osv_git_unevaluable),
                cmocka_unit_test(test_cpe_ranges),
                cmocka_unit_test(test_trap_component_wildcard),
                cmocka_unit_test(test_trap_running_on),
                cmocka_unit_test(test_nvd_and_negate),
                cmocka_unit_test(test_trap_kernel_cpe),
                cmocka_unit_test(test_trap_versions_through_cpe),
                cmocka_unit_test(test_trap_name_only),
                cmocka_unit_test(test_malformed_entries),
                cmocka_unit_test(test_component_limits_and_bad_identifiers),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

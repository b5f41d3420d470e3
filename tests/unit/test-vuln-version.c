/* SPDX-License-Identifier: Apache-2.0 */
/* Version schemes (issue 9 §3): each ordering rule, each way a version can be
 * wrong, and the traps by name. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "vuln/version.h"

struct vcase {
        const char *a;
        int want;                       /* -1, 0, 1 */
        const char *b;
};

static void check(enum vuln_version_scheme s, const struct vcase *c, size_t n) {
        for (size_t i = 0; i < n; i++) {
                int got = 99;
                struct error err = {0};
                if (vuln_version_compare(s, c[i].a, c[i].b, &got, &err) != 0)
                        fail_msg("%s: %s vs %s: %s", vuln_version_scheme_name(s), c[i].a, c[i].b, err.msg);
                got = got < 0 ? -1 : got > 0;
                if (got != c[i].want)
                        fail_msg("%s: %s vs %s gave %d, want %d", vuln_version_scheme_name(s), c[i].a, c[i].b, got,
                                 c[i].want);
                /* antisymmetry */
                int back = 99;
                assert_int_equal(vuln_version_compare(s, c[i].b, c[i].a, &back, NULL), 0);
                back = back < 0 ? -1 : back > 0;
                if (back != -c[i].want) fail_msg("%s: %s vs %s not antisymmetric", vuln_version_scheme_name(s), c[i].a, c[i].b);
        }
}

static void bad(enum vuln_version_scheme s, const char *v, const char *needle) {
        int cmp;
        struct error err = {0};
        if (vuln_version_compare(s, v, "1.0.0", &cmp, &err) == 0)
                fail_msg("%s: \"%s\" accepted", vuln_version_scheme_name(s), v);
        if (!strstr(err.msg, needle)) fail_msg("%s: \"%s\": error \"%s\" lacks \"%s\"", vuln_version_scheme_name(s), v, err.msg, needle);
        assert_false(vuln_version_valid(s, v, NULL));
}

#define CHECK(s, arr) check((s), (arr), sizeof(arr) / sizeof((arr)[0]))

/* Dependency-Track #2803: 2.8.123e is newer than 2.8.75; syft: OpenSSL
 * letter releases. */
static void test_generic(void **state) {
        static const struct vcase c[] = {
                {"2.8.123e", 1, "2.8.75"},       /* DT #2803 */
                {"1.1.1w", 1, "1.1.1k"},         /* OpenSSL letters */
                {"1.1.1k", 1, "1.1.1"},
                {"1.1.1w", -1, "1.1.2"},
                {"1.0.2zi", 1, "1.0.2z"},
                {"1.0.2", 1, "1.0.1u"},
                {"3.0.13", 1, "3.0.9"},
                {"1.36.1", 1, "1.36.0"},
                {"1.2.13", 1, "1.2.3"},
                {"v2.0", 0, "2.0"},
                {"2.0", 0, "2.0.0"},
                {"8.4.0", 1, "8.4.0-rc1"},
                {"1.0rc1", -1, "1.0"},
                {"1.0beta2", 1, "1.0beta1"},
                {"1.0-alpha", -1, "1.0-beta"},
                {"5.6.1", -1, "5.6.1.1"},
                {"1.0", -1, "1.0.p1"},
                {"2024.01", 1, "2023.12"},
                {"1.0.0", 1, "1.0.a"},
        };
        (void) state;
        CHECK(VULN_SCHEME_GENERIC, c);
        bad(VULN_SCHEME_GENERIC, "latest", "no digit");
        bad(VULN_SCHEME_GENERIC, "1.0/2", "'/'");
        bad(VULN_SCHEME_GENERIC, "1.0 2", "space");
        bad(VULN_SCHEME_GENERIC, "", "empty");
}

static void test_semver(void **state) {
        static const struct vcase c[] = {
                {"1.0.0-alpha", -1, "1.0.0-alpha.1"}, {"1.0.0-alpha.1", -1, "1.0.0-alpha.beta"},
                {"1.0.0-alpha.beta", -1, "1.0.0-beta"}, {"1.0.0-beta", -1, "1.0.0-beta.2"},
                {"1.0.0-beta.2", -1, "1.0.0-beta.11"}, {"1.0.0-beta.11", -1, "1.0.0-rc.1"},
                {"1.0.0-rc.1", -1, "1.0.0"}, {"1.0.0+build.1", 0, "1.0.0+other"},
                {"2.0.0", 1, "1.99.99"}, {"1.10.0", 1, "1.9.0"},
                {"99999999999999999999.0.0", 1, "9999999999999999999.0.0"},
        };
        (void) state;
        CHECK(VULN_SCHEME_SEMVER, c);
        bad(VULN_SCHEME_SEMVER, "1.0", "MAJOR.MINOR.PATCH");
        bad(VULN_SCHEME_SEMVER, "01.0.0", "leading zero");
        bad(VULN_SCHEME_SEMVER, "1.0.0-01", "leading zero");
        bad(VULN_SCHEME_SEMVER, "1.0.0-a..b", "empty pre-release");
        bad(VULN_SCHEME_SEMVER, "1.0.0+", "empty build");
        bad(VULN_SCHEME_SEMVER, "1.0.0+a..b", "empty build");
        bad(VULN_SCHEME_SEMVER, "1.0.0-a_b", "'_'");
        bad(VULN_SCHEME_SEMVER, "1.0.0x", "'x'");
        bad(VULN_SCHEME_SEMVER, "v1.0.0", "major");
}

static void test_npm_go(void **state) {
        static const struct vcase npm[] = {{"v1.2.3", 0, "1.2.3"}, {"=1.2.3", 0, "1.2.3"}, {"1.2.3-rc.1", -1, "1.2.3"}};
        static const struct vcase go[] = {
                {"v1.2.3", 0, "1.2.3"},
                {"v2.0.0+incompatible", 0, "2.0.0"},
                {"v2.0.0+incompatible", 1, "v1.9.9"},
                {"v0.0.0-20191109021931-daa7c04131f5", -1, "v0.0.1"},
                {"v0.0.0-20191109021931-daa7c04131f5", 1, "v0.0.0-20180101000000-aaaaaaaaaaaa"},
                {"v1.2.4-0.20191109021931-daa7c04131f5", 1, "v1.2.3"},
                {"v1.2.4-0.20191109021931-daa7c04131f5", -1, "v1.2.4"},
        };
        (void) state;
        CHECK(VULN_SCHEME_NPM, npm);
        CHECK(VULN_SCHEME_GO, go);
        bad(VULN_SCHEME_GO, "vv1.0.0", "major");
        bad(VULN_SCHEME_NPM, "1.2", "MAJOR.MINOR.PATCH");
}

static void test_debian(void **state) {
        static const struct vcase c[] = {
                {"1.0~rc1", -1, "1.0"},
                {"1.0~rc1", 1, "1.0~beta"},
                {"1.0~~", -1, "1.0~"},
                {"1.0", -1, "1.0+deb12u1"},
                {"1:0.9", 1, "2.0"},
                {"0:1.0", 0, "1.0"},
                {"1.0-1", -1, "1.0-2"},
                {"1.0-10", 1, "1.0-9"},
                {"1.0", 0, "1.0-0"},
                {"3.0.11-1~deb12u2", 1, "3.0.11-1~deb12u1"},
                {"3.0.11-1~deb12u2", -1, "3.0.11-1"},
                {"1.1.1n-0+deb11u5", 1, "1.1.1n-0+deb11u4"},
                {"7.88.1-10+deb12u5", -1, "7.88.1-10+deb12u8"},
                {"1.0a", 1, "1.0"},
                {"1.0a", -1, "1.0+"},   /* letters sort before non-letters */
                {"2.36.1-8+deb11u1", 1, "2.36.1-8"},
                {"1.2.3-1.1", 1, "1.2.3-1"},
                {"1.0-1-2", 1, "1.0-1-1"}, /* revision is after the LAST '-' */
        };
        (void) state;
        CHECK(VULN_SCHEME_DEBIAN, c);
        bad(VULN_SCHEME_DEBIAN, "a1.0", "start with a digit");
        bad(VULN_SCHEME_DEBIAN, "x:1.0", "epoch");
        bad(VULN_SCHEME_DEBIAN, ":1.0", "epoch");
        bad(VULN_SCHEME_DEBIAN, "1.0-", "revision");
        bad(VULN_SCHEME_DEBIAN, "1.0_1", "'_'");
        bad(VULN_SCHEME_DEBIAN, "1.0-1_2", "'_'");
}

static void test_rpm(void **state) {
        static const struct vcase c[] = {
                {"1.0", -1, "1.0.1"},
                {"1.0~rc1", -1, "1.0"},
                {"1.0^git1", 1, "1.0"},
                {"1.0^git1", -1, "1.0.1"},
                {"1.0~rc1^git1", 1, "1.0~rc1"},
                {"1.0a", -1, "1.0.1"},
                {"1.0", 1, "1.a"},            /* numeric newer than alpha */
                {"2.0", 0, "2.0."},
                {"1:1.0", 1, "2.0"},
                {"1.0-1.el8", -1, "1.0-2.el8"},
                {"1.0", 0, "1.0-5"},          /* a bound without release covers every release */
                {"1.1.1k-9.el9", 1, "1.1.1k-7.el9"},
                {"3.0.7-25.el9_3", 1, "3.0.7-24.el9"},
                {"010", 0, "10"},
                {"1.0_1", 0, "1.0.1"},
        };
        (void) state;
        CHECK(VULN_SCHEME_RPM, c);
        bad(VULN_SCHEME_RPM, "a:1.0", "epoch");
        bad(VULN_SCHEME_RPM, "1:2:3", "more than one");
        bad(VULN_SCHEME_RPM, "1.0-", "release");
        bad(VULN_SCHEME_RPM, "..-1", "no letter or digit");
}

static void test_pep440(void **state) {
        static const struct vcase c[] = {
                {"1.0.dev1", -1, "1.0a1.dev1"}, {"1.0a1.dev1", -1, "1.0a1"}, {"1.0a1", -1, "1.0b1"},
                {"1.0b1", -1, "1.0rc1"}, {"1.0rc1", -1, "1.0"}, {"1.0", -1, "1.0.post1.dev1"},
                {"1.0.post1.dev1", -1, "1.0.post1"}, {"1.0", 0, "1.0.0"}, {"1!0.1", 1, "2.0"},
                {"1.0-1", 0, "1.0.post1"}, {"1.0alpha", 0, "1.0a0"}, {"1.0c1", 0, "1.0rc1"},
                {"1.0-rev2", 0, "1.0.post2"}, {"v1.0", 0, "1.0"}, {"1.0+local.1", 1, "1.0"},
                {"1.0+abc.5", 1, "1.0+abc.4"}, {"1.0+5", 1, "1.0+abc"}, {"2.0.0", 1, "2.0.0rc2"},
                {"1.0.post1", 1, "1.0+zzz"}, {"1.0_RC_1", 0, "1.0rc1"},
        };
        (void) state;
        CHECK(VULN_SCHEME_PEP440, c);
        bad(VULN_SCHEME_PEP440, "foo", "start with a number");
        bad(VULN_SCHEME_PEP440, "1.0+", "local label");
        bad(VULN_SCHEME_PEP440, "1.0+a..b", "empty segment");
        bad(VULN_SCHEME_PEP440, "1.0xyz", "unexpected");
        bad(VULN_SCHEME_PEP440, "1!", "after the epoch");
}

static void test_maven(void **state) {
        static const struct vcase c[] = {
                {"1", 0, "1.0"}, {"1.0", 0, "1.0.0"}, {"1-ga", 0, "1"}, {"1.0-final", 0, "1"},
                {"1-alpha", -1, "1-beta"}, {"1-beta", -1, "1-milestone"}, {"1-milestone", -1, "1-rc"},
                {"1-rc", 0, "1-cr"}, {"1-rc", -1, "1-snapshot"}, {"1-snapshot", -1, "1"}, {"1", -1, "1-sp"},
                {"1-sp", -1, "1-abc"}, {"1-a1", 0, "1-alpha-1"}, {"1.0-alpha1", -1, "1.0-beta1"},
                {"2.14.1", -1, "2.15.0"}, {"2.17.1", 1, "2.17.0"}, {"2.0-rc1", -1, "2.0"},
                {"1.0.1", 1, "1.0-1"}, {"1.0-1", 1, "1.0"}, {"1.10", 1, "1.9"}, {"1.0-SNAPSHOT", -1, "1.0"},
        };
        (void) state;
        CHECK(VULN_SCHEME_MAVEN, c);
        bad(VULN_SCHEME_MAVEN, "1.0/2", "'/'");
}

static void test_alpine(void **state) {
        static const struct vcase c[] = {
                {"1.2", -1, "1.2.1"}, {"1.2a", 1, "1.2"}, {"1.2a", -1, "1.2.1"}, {"1.2_rc1", -1, "1.2"},
                {"1.2_alpha", -1, "1.2_beta"}, {"1.2_beta", -1, "1.2_pre"}, {"1.2_pre1", -1, "1.2_rc1"},
                {"1.2", -1, "1.2_p1"}, {"1.2_git20230101", -1, "1.2_p1"}, {"1.2-r1", 1, "1.2-r0"},
                {"1.2", 0, "1.2-r0"}, {"3.1.4-r5", 1, "3.1.4-r3"}, {"1.36.1-r5", -1, "1.36.1-r15"},
                {"1.2~abc123", 0, "1.2"},
        };
        (void) state;
        CHECK(VULN_SCHEME_ALPINE, c);
        bad(VULN_SCHEME_ALPINE, "1.2_foo", "unknown suffix");
        bad(VULN_SCHEME_ALPINE, "1.2-1", "'r'");
        bad(VULN_SCHEME_ALPINE, "1.2-r", "number");
        bad(VULN_SCHEME_ALPINE, "a.b", "number");
        bad(VULN_SCHEME_ALPINE, "1.2~", "hash");
        bad(VULN_SCHEME_ALPINE, "1.2.x", "number");
}

static void test_limits_and_scheme_maps(void **state) {
        enum vuln_version_scheme s;
        char big[VULN_VERSION_MAX_LEN + 8];
        int cmp;
        struct error err = {0};
        (void) state;
        memset(big, '1', sizeof big - 1);
        big[sizeof big - 1] = '\0';
        assert_int_equal(vuln_version_compare(VULN_SCHEME_GENERIC, big, "1", &cmp, &err), -1);
        assert_non_null(strstr(err.msg, "longer than"));
        assert_int_equal(vuln_version_compare(VULN_SCHEME_GENERIC, NULL, "1", &cmp, &err), -1);
        assert_int_equal(vuln_version_compare((enum vuln_version_scheme) 99, "1", "1", &cmp, &err), -1);
        /* the whole 256-byte maximum of dots and numbers for each scheme */
        char dots[VULN_VERSION_MAX_LEN + 1];
        for (size_t i = 0; i < VULN_VERSION_MAX_LEN; i++) dots[i] = (i % 2) ? '-' : '1';
        dots[VULN_VERSION_MAX_LEN - 1] = '1';
        dots[VULN_VERSION_MAX_LEN] = '\0';
        for (int k = 0; k < _VULN_SCHEME_MAX; k++) (void) vuln_version_compare((enum vuln_version_scheme) k, dots, dots, &cmp, NULL);

        assert_int_equal(vuln_version_scheme_for_ecosystem("Debian:12", &s), 0);
        assert_int_equal(s, VULN_SCHEME_DEBIAN);
        assert_int_equal(vuln_version_scheme_for_ecosystem("Alpine:v3.18", &s), 0);
        assert_int_equal(s, VULN_SCHEME_ALPINE);
        assert_int_equal(vuln_version_scheme_for_ecosystem("PyPI", &s), 0);
        assert_int_equal(s, VULN_SCHEME_PEP440);
        assert_int_equal(vuln_version_scheme_for_ecosystem("Rocky Linux:9", &s), 0);
        assert_int_equal(s, VULN_SCHEME_RPM);
        assert_int_equal(vuln_version_scheme_for_ecosystem("Deb", &s), -1);
        assert_int_equal(vuln_version_scheme_for_purl_type("golang"), VULN_SCHEME_GO);
        assert_int_equal(vuln_version_scheme_for_purl_type("generic"), VULN_SCHEME_GENERIC);
        assert_int_equal(vuln_version_scheme_for_purl_type("maven"), VULN_SCHEME_MAVEN);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_generic), cmocka_unit_test(test_semver), cmocka_unit_test(test_npm_go),
                cmocka_unit_test(test_debian),  cmocka_unit_test(test_rpm),    cmocka_unit_test(test_pep440),
                cmocka_unit_test(test_maven),   cmocka_unit_test(test_alpine),
                cmocka_unit_test(test_limits_and_scheme_maps),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

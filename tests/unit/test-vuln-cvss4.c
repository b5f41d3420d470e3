/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CVSS v4.0 scores (issue 10) against published values: the maximum (10.0),
 * none (0.0), the score NVD and CISA publish for the common "network, no
 * privileges, full impact on the vulnerable system" vector (9.3), FIRST's
 * v4.0 examples document for Heartbleed-like confidentiality only (8.7), and
 * CISA ICS advisory ICSA-24-191-05 (CVE-2024-34579: 8.5).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "vuln/cvss4.h"

static int score(const char *v) {
        int s;
        struct error err = {0};
        if (cvss40_score(v, &s, &err) < 0)
                fail_msg("%s: %s", v, err.msg);
        return s;
}

static void published(void **state) {
        (void) state;
        assert_int_equal(score("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H"), 100);
        assert_int_equal(score("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N"), 0);
        assert_int_equal(score("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"), 93);
        assert_int_equal(score("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N"), 87);
        assert_int_equal(score("CVSS:4.0/AV:L/AC:L/AT:N/PR:N/UI:P/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"), 85);
        /* explicit X values change nothing */
        assert_int_equal(score("CVSS:4.0/AV:L/AC:L/AT:N/PR:N/UI:P/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:X/CR:X/IR:X/AR:X/"
                               "MAV:X/MAC:X/MAT:X/MPR:X/MUI:X/MVC:X/MVI:X/MVA:X/MSC:X/MSI:X/MSA:X/S:X/AU:X/R:X/V:X/"
                               "RE:X/U:X"),
                         85);
}

static void threat_and_environment_lower_or_move(void **state) {
        (void) state;
        int base = score("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N");
        int unreported = score("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U");
        int attacked = score("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:A");
        assert_true(unreported < base);
        assert_int_equal(attacked, base);
        /* a modified base metric replaces the base one */
        assert_int_equal(score("CVSS:4.0/AV:L/AC:L/AT:N/PR:N/UI:P/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/MAV:N/MUI:N"), base);
        /* supplemental metrics do not score */
        assert_int_equal(score("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/S:P/AU:Y/R:U/V:C/RE:H"),
                         base);
}

static void refused(void **state) {
        (void) state;
        int s;
        struct error err = {0};
        assert_int_equal(cvss40_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", &s, &err), -1);
        assert_int_equal(cvss40_score("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N", &s, &err), -1);
        assert_int_equal(cvss40_score("CVSS:4.0/AV:Q/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", &s, &err), -1);
        assert_int_equal(cvss40_score("", &s, &err), -1);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(published),
                cmocka_unit_test(threat_and_environment_lower_or_move),
                cmocka_unit_test(refused),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

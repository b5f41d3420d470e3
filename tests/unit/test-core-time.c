/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/cleanup.h"
#include "core/time.h"

static void assert_parses(const char *s, int64_t expected) {
        struct error err = { 0 };
        int64_t t = -1;

        if (time_parse_rfc3339(s, &t, &err) < 0)
                fail_msg("'%s' refused: %s", s, err.msg);
        assert_int_equal(t, expected);
}

/* Refused with an ERROR_INVALID message containing `why`. */
static void assert_refused(const char *s, const char *why) {
        struct error err = { 0 };
        int64_t t = 12345;

        if (time_parse_rfc3339(s, &t, &err) == 0)
                fail_msg("'%s' accepted", s);
        assert_int_equal(err.kind, ERROR_INVALID);
        if (!strstr(err.msg, why))
                fail_msg("'%s': message '%s' lacks '%s'", s, err.msg, why);
        assert_int_equal(t, 12345);
}

static void test_format(void **state) {
        char buf[TIME_RFC3339_LEN], date[TIME_DATE_LEN];

        (void) state;
        time_format_rfc3339(0, buf);
        assert_string_equal(buf, "1970-01-01T00:00:00Z");
        time_format_rfc3339(1795255200, buf);
        assert_string_equal(buf, "2026-11-21T10:00:00Z");
        time_format_rfc3339(-1, buf);
        assert_string_equal(buf, "1969-12-31T23:59:59Z");
        time_format_date(1795255200 + 3600, date);
        assert_string_equal(date, "2026-11-21");
        /* Out-of-range times are clamped, never overflow the buffer. */
        time_format_rfc3339(INT64_MAX, buf);
        assert_string_equal(buf, "9999-12-31T23:59:59Z");
        time_format_rfc3339(INT64_MIN, buf);
        assert_string_equal(buf, "0000-01-01T00:00:00Z");
}

static void test_parse_valid(void **state) {
        (void) state;
        assert_parses("1970-01-01T00:00:00Z", 0);
        assert_parses("2026-11-21T10:00:00Z", 1795255200);
        assert_parses("2026-11-21T10:00:00.999999Z", 1795255200);
        assert_parses("2026-11-21T12:00:00+02:00", 1795255200);
        assert_parses("2026-11-21T04:30:00-05:30", 1795255200);
        assert_parses("2026-11-21T10:00:00.5-00:00", 1795255200);
        assert_parses("9999-12-31T23:59:59Z", 253402300799);
}

static void test_leap_years(void **state) {
        (void) state;
        assert_parses("2024-02-29T00:00:00Z", 1709164800);
        assert_parses("2000-02-29T00:00:00Z", 951782400);
        assert_refused("2026-02-29T00:00:00Z", "day 29 does not exist in 2026-02");
        assert_refused("1900-02-29T00:00:00Z", "day 29 does not exist in 1900-02");
        assert_refused("2100-02-29T00:00:00Z", "does not exist");
}

static void test_parse_invalid(void **state) {
        (void) state;
        assert_refused("2026-02-30T00:00:00Z", "day 30 does not exist in 2026-02");
        assert_refused("2026-04-31T00:00:00Z", "day 31 does not exist in 2026-04");
        assert_refused("2026-13-01T00:00:00Z", "month must be 01-12");
        assert_refused("2026-00-01T00:00:00Z", "month must be 01-12");
        assert_refused("2026-01-00T00:00:00Z", "day 00 does not exist");
        assert_refused("2026-01-32T00:00:00Z", "day 32 does not exist");
        assert_refused("2026-11-21T24:00:00Z", "hour must be 00-23");
        assert_refused("2026-11-21T23:60:00Z", "minute must be 00-59");
        assert_refused("2026-12-31T23:59:60Z", "second must be 00-59");
        assert_refused("2026-11-21T10:00:00", "expected 'Z' or a zone offset");
        assert_refused("2026-11-21T10:00:00z", "expected 'Z' or a zone offset");
        assert_refused("2026-11-21t10:00:00Z", "expected 'T'");
        assert_refused("2026-11-21 10:00:00Z", "expected 'T'");
        assert_refused("2026-11-21T10:00:00Zjunk", "unexpected characters");
        assert_refused("2026-11-21T10:00Z", "expected HH:MM:SS");
        assert_refused("2026-1-21T10:00:00Z", "expected YYYY-MM-DD");
        assert_refused("", "expected YYYY-MM-DD");
        assert_refused("2026-11-21T10:00:00.Z", "expected digits after '.'");
        assert_refused("2026-11-21T10:00:00.1234567890Z", "more than 9 fractional digits");
        assert_refused("2026-11-21T10:00:00+24:00", "zone offset out of range");
        assert_refused("2026-11-21T10:00:00+0200", "expected a zone offset");
        assert_refused("+2026-11-21T10:00:00Z", "expected YYYY-MM-DD");
}

static void test_message_names_input(void **state) {
        struct error err = { 0 };
        int64_t t;

        (void) state;
        assert_int_equal(time_parse_rfc3339("2026-02-30T00:00:00Z", &t, &err), -1);
        assert_string_equal(err.msg, "invalid RFC 3339 time '2026-02-30T00:00:00Z': "
                                     "day 30 does not exist in 2026-02");
        /* Control characters in the input do not reach the message. */
        assert_int_equal(time_parse_rfc3339("2026\n\x1b", &t, &err), -1);
        assert_null(strchr(err.msg, '\n'));
        assert_null(strchr(err.msg, '\x1b'));
        assert_int_equal(time_parse_rfc3339(NULL, &t, &err), -1);
}

static void test_round_trip(void **state) {
        char buf[TIME_RFC3339_LEN];

        (void) state;
        for (int64_t t = -86400LL * 800; t < 86400LL * 366 * 60; t += 86400 * 7 + 3917) {
                int64_t back = 0;
                time_format_rfc3339(t, buf);
                assert_int_equal(time_parse_rfc3339(buf, &back, NULL), 0);
                assert_int_equal(back, t);
        }
}

static void test_parse_date(void **state) {
        struct error err = { 0 };
        int64_t t;

        (void) state;
        assert_int_equal(time_parse_date("2024-02-29", &t, &err), 0);
        assert_int_equal(t, 1709164800);
        assert_int_equal(time_parse_date("2025-02-29", &t, &err), -1);
        assert_string_equal(err.msg, "invalid date '2025-02-29': day 29 does not exist in 2025-02");
        assert_int_equal(time_parse_date("2025-02-28T00:00:00Z", &t, &err), -1);
        assert_non_null(strstr(err.msg, "unexpected characters"));
}

static void test_add_years(void **state) {
        (void) state;
        /* 2024-02-29 + 1 year = 2025-02-28, + 4 years = 2028-02-29 */
        assert_int_equal(time_add_years(1709164800, 1), 1740700800);
        assert_int_equal(time_add_years(1709164800, 4), 1835395200);
        assert_int_equal(time_add_years(1795255200, 0), 1795255200);
        int64_t t10 = time_add_years(1795255200, 10);
        char buf[TIME_RFC3339_LEN];
        time_format_rfc3339(t10, buf);
        assert_string_equal(buf, "2036-11-21T10:00:00Z");
}

static void test_clocks(void **state) {
        (void) state;
        assert_true(time_now() > 1700000000);
        int64_t a = time_monotonic_usec(), b = time_monotonic_usec();
        assert_true(b >= a);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_format),
                cmocka_unit_test(test_parse_valid),
                cmocka_unit_test(test_leap_years),
                cmocka_unit_test(test_parse_invalid),
                cmocka_unit_test(test_message_names_input),
                cmocka_unit_test(test_round_trip),
                cmocka_unit_test(test_parse_date),
                cmocka_unit_test(test_add_years),
                cmocka_unit_test(test_clocks),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: Apache-2.0 */
/* The reminder webhook's signature (issue 10 section 3). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "case-reminders.h"
#include "case/reminder.h"

/* RFC 4231 section 4.3 (test case 2): HMAC-SHA-256 with key "Jefe". */
static void sign_rfc4231_case2(void **state) {
        (void) state;
        char sig[72];
        struct error err = {0};
        const char *data = "what do ya want for nothing?";
        assert_int_equal(case_webhook_sign((const uint8_t *) "Jefe", 4, data, strlen(data), sig, &err), 0);
        assert_string_equal(sig, "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

/* One byte more changes the signature: it covers the whole body. */
static void sign_covers_every_byte(void **state) {
        (void) state;
        char a[72], b[72];
        const char *body = "{\"point\":\"80%\"}";
        assert_int_equal(case_webhook_sign((const uint8_t *) "0123456789abcdef", 16, body, strlen(body), a, NULL), 0);
        assert_int_equal(case_webhook_sign((const uint8_t *) "0123456789abcdef", 16, body, strlen(body) - 1, b, NULL),
                         0);
        assert_string_not_equal(a, b);
}

static void points_parse(void **state) {
        (void) state;
        struct case_reminder_points p;
        struct error err = {0};
        assert_int_equal(case_reminder_points_parse("50,80,overdue", &p, &err), 0);
        assert_int_equal(p.n, 2);
        assert_int_equal(p.percent[1], 80);
        assert_true(p.overdue);
        assert_int_equal(case_reminder_points_parse(" 25% , 75% ", &p, &err), 0);
        assert_false(p.overdue);
        assert_int_equal(case_reminder_points_parse("80,50", &p, &err), -1);
        assert_non_null(strstr(err.msg, "ascending"));
        assert_int_equal(case_reminder_points_parse("100", &p, &err), -1);
        assert_int_equal(case_reminder_points_parse("soon", &p, &err), -1);
        assert_non_null(strstr(err.msg, "'soon'"));
        assert_int_equal(case_reminder_points_parse("", &p, &err), -1);
        assert_int_equal(case_reminder_points_parse("overdue,overdue", &p, &err), -1);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(sign_rfc4231_case2),
                cmocka_unit_test(sign_covers_every_byte),
                cmocka_unit_test(points_parse),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

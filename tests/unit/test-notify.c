/* SPDX-License-Identifier: Apache-2.0 */
/* Informing users and end of support (issue 10 section 6): the owner
 * reference rule, the CSV cells, the reminder points and the month arithmetic. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "notify/csv.h"
#include "notify/owner.h"
#include "notify/support.h"

static void owner_ref_rule(void **state) {
        (void) state;
        struct error err = {0};
        assert_int_equal(notify_owner_ref_check("CUST-42", &err), 0);
        assert_int_equal(notify_owner_ref_check("acct:eu.west_7", &err), 0);
        char max[NOTIFY_OWNER_REF_MAX + 2];
        memset(max, 'C', NOTIFY_OWNER_REF_MAX);
        max[NOTIFY_OWNER_REF_MAX] = '\0';
        assert_int_equal(notify_owner_ref_check(max, &err), 0);
        max[NOTIFY_OWNER_REF_MAX] = 'C';
        max[NOTIFY_OWNER_REF_MAX + 1] = '\0';
        assert_int_equal(notify_owner_ref_check(max, &err), -1);
        assert_non_null(strstr(err.msg, "at most 64"));
        /* what would make it personal data or break a CSV */
        assert_int_equal(notify_owner_ref_check("alice@example.com", &err), -1);
        assert_non_null(strstr(err.msg, "e-mail"));
        assert_int_equal(notify_owner_ref_check("Alice Smith", &err), -1);
        assert_int_equal(notify_owner_ref_check("a,b", &err), -1);
        assert_int_equal(notify_owner_ref_check("=1+1", &err), -1);
        assert_int_equal(notify_owner_ref_check("a\"b", &err), -1);
        assert_int_equal(notify_owner_ref_check("caf\xc3\xa9", &err), -1);
        assert_int_equal(notify_owner_ref_check("", &err), -1);
        assert_int_equal(notify_owner_ref_check(NULL, &err), -1);
}

static char *csv_of(const char *a, const char *b) {
        struct notify_csv c = {0};
        notify_csv_cell(&c, a, 1);
        notify_csv_cell(&c, b, 0);
        notify_csv_row_end(&c);
        return notify_csv_take(&c);
}

static void csv_cells(void **state) {
        (void) state;
        struct { const char *in, *out; } t[] = {
                {"plain", "plain,x\r\n"},
                {"a,b", "\"a,b\",x\r\n"},
                {"say \"hi\"", "\"say \"\"hi\"\"\",x\r\n"},
                {"two\nlines", "\"two\nlines\",x\r\n"},
                {"cr\rhere", "\"cr\rhere\",x\r\n"},
                /* formula injection: a leading = + - @ TAB CR is defused */
                {"=HYPERLINK(\"http://x\")", "\"'=HYPERLINK(\"\"http://x\"\")\",x\r\n"},
                {"+1", "\"'+1\",x\r\n"},
                {"-7", "\"'-7\",x\r\n"},
                {"@SUM(A1)", "\"'@SUM(A1)\",x\r\n"},
                {"\tcmd", "\"'\tcmd\",x\r\n"},
                {"a=b", "a=b,x\r\n"},
                {"", ",x\r\n"},
                {NULL, ",x\r\n"},
        };
        for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
                char *got = csv_of(t[i].in, "x");
                assert_string_equal(got, t[i].out);
                free(got);
        }
        struct notify_csv empty = {0};
        char *e = notify_csv_take(&empty);
        assert_string_equal(e, "");
        free(e);
}

static void points(void **state) {
        (void) state;
        struct notify_support_points p;
        struct error err = {0};
        assert_int_equal(notify_support_points_parse("12m,6m", &p, &err), 0);
        assert_int_equal(p.n, 2);
        assert_int_equal(p.months[0], 12);
        assert_int_equal(p.months[1], 6);
        assert_int_equal(notify_support_points_parse(" 24m , 1m ", &p, &err), 0);
        assert_int_equal(p.n, 2);
        assert_int_equal(notify_support_points_parse("", &p, &err), 0);
        assert_int_equal(p.n, 0);
        assert_int_equal(notify_support_points_parse("6m,12m", &p, &err), -1);
        assert_non_null(strstr(err.msg, "descending"));
        assert_int_equal(notify_support_points_parse("6m,6m", &p, &err), -1);
        assert_int_equal(notify_support_points_parse("12", &p, &err), -1);
        assert_non_null(strstr(err.msg, "'12'"));
        assert_int_equal(notify_support_points_parse("0m", &p, &err), -1);
        assert_int_equal(notify_support_points_parse("121m", &p, &err), -1);
        assert_int_equal(notify_support_points_parse("xm", &p, &err), -1);
        assert_int_equal(notify_support_points_parse("9m,8m,7m,6m,5m,4m,3m,2m", &p, &err), 0);
        assert_int_equal(notify_support_points_parse("9m,8m,7m,6m,5m,4m,3m,2m,1m", &p, &err), -1);
        assert_non_null(strstr(err.msg, "at most 8"));
}

static void months_before(void **state) {
        (void) state;
        char out[11];
        struct error err = {0};
        struct { const char *end; int m; const char *want; } t[] = {
                {"2031-12-31", 12, "2030-12-31"},
                {"2031-12-31", 6, "2031-06-30"}, /* June has 30 days */
                {"2031-08-31", 6, "2031-02-28"},
                {"2032-08-31", 6, "2032-02-29"}, /* leap year */
                {"2031-01-15", 1, "2030-12-15"}, /* across a year */
                {"2031-03-31", 120, "2021-03-31"},
        };
        for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
                assert_int_equal(notify_support_date_minus_months(t[i].end, t[i].m, out, &err), 0);
                assert_string_equal(out, t[i].want);
        }
        assert_int_equal(notify_support_date_minus_months("2031-13-01", 6, out, &err), -1);
        assert_int_equal(notify_support_date_minus_months("soon", 6, out, &err), -1);
        assert_int_equal(notify_support_date_minus_months(NULL, 6, out, &err), -1);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(owner_ref_rule),
                cmocka_unit_test(csv_cells),
                cmocka_unit_test(points),
                cmocka_unit_test(months_before),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

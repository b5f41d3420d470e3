/* SPDX-License-Identifier: Apache-2.0 */
/* The query string of GET /api/v1/audit: every parameter, every way it can be wrong. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "audit-query.h"
#include "core/cleanup.h"
#include "core/strutil.h"

static int parse(const char *qs, struct audit_query *q, struct error *err) {
        _cleanup_free_ char *buf = str_dup(qs);
        _cleanup_free_ struct http_query_param *params = NULL;
        size_t n;
        if (http_query_split(buf, &params, &n, 64, err) < 0)
                return -1;
        return audit_query_parse(params, n, q, err);
}

static void test_defaults(void **state) {
        (void) state;
        struct audit_query q;
        struct error err = {0};
        assert_int_equal(parse("", &q, &err), 0);
        assert_int_equal(q.filter.limit, 100);
        assert_null(q.filter.object);
        assert_null(q.filter.actor);
        assert_int_equal(q.filter.since, 0);
        assert_int_equal(q.filter.until, 0);
        assert_int_equal(q.filter.after_seq, 0);
        audit_query_clear(&q);
}

static void test_every_parameter(void **state) {
        (void) state;
        struct audit_query q;
        struct error err = {0};
        int r = parse("object=product%3A12&actor=ci+bot&since=2026-01-01T00:00:00Z"
                      "&until=2026-01-02T00:00:00%2B01:00&after=5&limit=1000", &q, &err);
        if (r < 0)
                fail_msg("%s", err.msg);
        assert_string_equal(q.filter.object, "product:12");
        assert_string_equal(q.filter.actor, "ci bot");
        assert_int_equal(q.filter.since, 1767225600);
        assert_int_equal(q.filter.until, 1767225600 + 86400 - 3600);
        assert_int_equal(q.filter.after_seq, 5);
        assert_int_equal(q.filter.limit, 1000);
        audit_query_clear(&q);
}

static void test_bad_parameters_named(void **state) {
        (void) state;
        static const struct {
                const char *qs;
                const char *names;
        } cases[] = {
                { "limit=0", "'limit'" },
                { "limit=1001", "'limit'" },
                { "limit=ten", "'limit'" },
                { "limit=", "'limit'" },
                { "limit", "'limit'" },
                { "limit=-1", "'limit'" },
                { "limit=1e3", "'limit'" },
                { "after=-1", "'after'" },
                { "after=x", "'after'" },
                { "after=99999999999999999999", "'after'" },
                { "since=yesterday", "'since'" },
                { "since=2026-02-30T00:00:00Z", "'since'" },
                { "until=2026-01-01", "'until'" },
                { "since=2026-01-02T00:00:00Z&until=2026-01-01T00:00:00Z", "'until'" },
                { "object=%zz", "'object'" },
                { "object=a%00b", "'object'" },
                { "actor=%1b%5b31m", "'actor'" },
                { "limit=5&limit=6", "'limit'" },
                { "colour=red", "'colour'" },
                { "%ff=1", "name 1" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                struct audit_query q;
                struct error err = {0};
                if (parse(cases[i].qs, &q, &err) == 0)
                        fail_msg("accepted: %s", cases[i].qs);
                assert_int_equal(err.kind, ERROR_INVALID);
                if (!strstr(err.msg, cases[i].names))
                        fail_msg("'%s': message '%s' does not name %s", cases[i].qs, err.msg, cases[i].names);
        }
}

static void test_value_length_limited(void **state) {
        (void) state;
        struct audit_query q;
        struct error err = {0};
        struct buf b = {0};
        buf_appendf(&b, "object=");
        for (int i = 0; i < AUDIT_QUERY_MAX_VALUE + 1; i++)
                buf_append(&b, "a", 1);
        _cleanup_free_ char *qs = buf_steal(&b);
        assert_int_equal(parse(qs, &q, &err), -1);
        assert_non_null(strstr(err.msg, "'object'"));
}

static void test_split(void **state) {
        (void) state;
        char buf[] = "a=1&&b&c=x=y&d=+%2B+";
        struct http_query_param *p = NULL;
        size_t n;
        assert_int_equal(http_query_split(buf, &p, &n, 10, NULL), 0);
        assert_int_equal(n, 4);
        assert_string_equal(p[0].key, "a");
        assert_string_equal(p[0].value, "1");
        assert_string_equal(p[1].key, "b");
        assert_null(p[1].value);
        assert_string_equal(p[2].key, "c");
        assert_string_equal(p[2].value, "x=y");
        assert_string_equal(p[3].value, " %2B ");
        free(p);

        char many[] = "a&b&c";
        struct error err = {0};
        assert_int_equal(http_query_split(many, &p, &n, 2, &err), -1);
        assert_null(p);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_defaults),
                cmocka_unit_test(test_every_parameter),
                cmocka_unit_test(test_bad_parameters_named),
                cmocka_unit_test(test_value_length_limited),
                cmocka_unit_test(test_split),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/cleanup.h"
#include "core/strutil.h"

static void test_printf_and_dup(void **state) {
        _cleanup_free_ char *s = str_printf("%s-%d", "a", 42);
        _cleanup_free_ char *d = str_dup("hello");

        (void) state;
        assert_string_equal(s, "a-42");
        assert_string_equal(d, "hello");
        assert_null(str_dup(NULL));
}

static void test_eq_and_startswith(void **state) {
        (void) state;
        assert_true(str_eq("a", "a"));
        assert_false(str_eq("a", "b"));
        assert_true(str_eq(NULL, NULL));
        assert_false(str_eq("a", NULL));
        assert_false(str_eq(NULL, "a"));
        assert_true(str_startswith("/api/v1/x", "/api/v1/"));
        assert_false(str_startswith("/api", "/api/v1/"));
        assert_true(str_startswith("x", ""));
        assert_false(str_startswith(NULL, "x"));
}

static void test_to_int64_valid(void **state) {
        int64_t v = 0;

        (void) state;
        assert_int_equal(str_to_int64("0", INT64_MIN, INT64_MAX, &v), 0);
        assert_int_equal(v, 0);
        assert_int_equal(str_to_int64("-17", INT64_MIN, INT64_MAX, &v), 0);
        assert_int_equal(v, -17);
        assert_int_equal(str_to_int64("007", 0, 10, &v), 0);
        assert_int_equal(v, 7);
        assert_int_equal(str_to_int64("9223372036854775807", INT64_MIN, INT64_MAX, &v), 0);
        assert_true(v == INT64_MAX);
        assert_int_equal(str_to_int64("-9223372036854775808", INT64_MIN, INT64_MAX, &v), 0);
        assert_true(v == INT64_MIN);
}

static void test_to_int64_invalid(void **state) {
        static const char *const bad[] = { "", "-", " 1", "1 ", "+1", "1x", "0x10", "1.5", "--1", "1e3" };
        int64_t v = 99;

        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                assert_int_equal(str_to_int64(bad[i], INT64_MIN, INT64_MAX, &v), -EINVAL);
        assert_int_equal(str_to_int64(NULL, 0, 1, &v), -EINVAL);
        /* Overflow is "out of range", but overflow followed by junk is "not a number". */
        assert_int_equal(str_to_int64("9223372036854775808", INT64_MIN, INT64_MAX, &v), -ERANGE);
        assert_int_equal(str_to_int64("-9223372036854775809", INT64_MIN, INT64_MAX, &v), -ERANGE);
        assert_int_equal(str_to_int64("99999999999999999999x", INT64_MIN, INT64_MAX, &v), -EINVAL);
        assert_int_equal(str_to_int64("65536", 1, 65535, &v), -ERANGE);
        assert_int_equal(str_to_int64("0", 1, 65535, &v), -ERANGE);
        assert_int_equal(v, 99); /* untouched on failure */
}

static void test_buf(void **state) {
        struct buf b = { 0 };
        _cleanup_free_ char *s = NULL;

        (void) state;
        buf_append(&b, "ab", 2);
        buf_appendf(&b, "%d|%s", 12, "x");
        for (int i = 0; i < 1000; i++)
                buf_append(&b, "0123456789", 10);
        assert_int_equal(b.len, 6 + 10000);
        assert_memory_equal(b.data, "ab12|x0123", 10);
        s = buf_steal(&b);
        assert_null(b.data);
        assert_int_equal(b.len, 0);
        assert_int_equal(strlen(s), 10006);

        /* An empty buffer still yields a string. */
        char *e = buf_steal(&b);
        assert_string_equal(e, "");
        free(e);
        buf_append(&b, "z", 1);
        buf_free(&b);
        assert_null(b.data);
}

static void test_sanitize(void **state) {
        char out[16];

        (void) state;
        str_sanitize("ok\n\x1b[31m\xc3\xa9", 10, out, sizeof(out));
        assert_string_equal(out, "ok??[31m??");
        str_sanitize("0123456789abcdefghij", 20, out, sizeof(out));
        assert_string_equal(out, "0123456789ab...");
        str_sanitize(NULL, 5, out, sizeof(out));
        assert_string_equal(out, "");
}

static void test_alloc_and_secret(void **state) {
        (void) state;
        char *p = xcalloc(0, 0); /* never NULL */
        assert_non_null(p);
        p = xrealloc(p, 100);
        memset(p, 1, 100);
        free(p);
        free_secret(NULL);
        free_secret(str_dup("s3cret")); /* ASan checks the free */
        {
                _cleanup_secret_ char *s = str_dup("token");
                assert_string_equal(s, "token");
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_printf_and_dup),
                cmocka_unit_test(test_eq_and_startswith),
                cmocka_unit_test(test_to_int64_valid),
                cmocka_unit_test(test_to_int64_invalid),
                cmocka_unit_test(test_buf),
                cmocka_unit_test(test_sanitize),
                cmocka_unit_test(test_alloc_and_secret),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

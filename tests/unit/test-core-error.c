/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/error.h"

static void test_set_returns_minus_one_and_formats(void **state) {
        struct error err = { 0 };

        (void) state;
        assert_false(error_is_set(&err));
        assert_int_equal(error_set(&err, ERROR_INVALID, "field '%s': expected %d", "name", 3), -1);
        assert_true(error_is_set(&err));
        assert_int_equal(err.kind, ERROR_INVALID);
        assert_string_equal(err.msg, "field 'name': expected 3");
}

static void test_null_error_is_allowed(void **state) {
        (void) state;
        assert_int_equal(error_set(NULL, ERROR_IO, "x"), -1);
        assert_int_equal(error_set_errno(NULL, ERROR_IO, ENOENT, "x"), -1);
        assert_int_equal(error_prefix(NULL, "x"), -1);
        error_clear(NULL);
        assert_false(error_is_set(NULL));
}

static void test_set_errno_appends_strerror(void **state) {
        struct error err = { 0 };

        (void) state;
        assert_int_equal(error_set_errno(&err, ERROR_IO, ENOENT, "cannot open '%s'", "/x"), -1);
        assert_int_equal(err.kind, ERROR_IO);
        assert_string_equal(err.msg, "cannot open '/x': No such file or directory");
        /* Negative errno values (the -errno convention) work too. */
        error_set_errno(&err, ERROR_IO, -EACCES, "w");
        assert_string_equal(err.msg, "w: Permission denied");
}

/* A full disk is one kind, whichever write met it. */
static void test_set_errno_disk_full_is_no_space(void **state) {
        struct error err = { 0 };

        (void) state;
        error_set_errno(&err, ERROR_IO, ENOSPC, "cannot write '%s'", "/data/images/x");
        assert_int_equal(err.kind, ERROR_NO_SPACE);
        assert_string_equal(err.msg, "cannot write '/data/images/x': No space left on device");
        error_set_errno(&err, ERROR_INTERNAL, -EDQUOT, "q");
        assert_int_equal(err.kind, ERROR_NO_SPACE);
        assert_string_equal(error_kind_name(ERROR_NO_SPACE), "insufficient-storage");
}

static void test_prefix_prepends_context(void **state) {
        struct error err = { 0 };

        (void) state;
        error_set(&err, ERROR_NOT_FOUND, "no such key");
        assert_int_equal(error_prefix(&err, "%s:%d: ", "config.ini", 12), -1);
        assert_string_equal(err.msg, "config.ini:12: no such key");
        assert_int_equal(err.kind, ERROR_NOT_FOUND);
}

static void test_message_may_reference_itself(void **state) {
        struct error err = { 0 };

        (void) state;
        error_set(&err, ERROR_INVALID, "inner");
        error_set(&err, ERROR_CONFLICT, "outer: %s", err.msg);
        assert_string_equal(err.msg, "outer: inner");
        assert_int_equal(err.kind, ERROR_CONFLICT);
}

static void test_long_message_is_truncated(void **state) {
        struct error err = { 0 };
        char big[ERROR_MSG_MAX * 2];

        (void) state;
        memset(big, 'x', sizeof(big) - 1);
        big[sizeof(big) - 1] = '\0';
        error_set(&err, ERROR_INVALID, "%s", big);
        assert_int_equal(strlen(err.msg), ERROR_MSG_MAX - 1);
        error_prefix(&err, "p: ");
        assert_int_equal(strlen(err.msg), ERROR_MSG_MAX - 1);
        assert_memory_equal(err.msg, "p: xxx", 6);
}

static void test_clear(void **state) {
        struct error err = { 0 };

        (void) state;
        error_set(&err, ERROR_DB, "boom");
        error_clear(&err);
        assert_false(error_is_set(&err));
        assert_string_equal(err.msg, "");
}

static void test_kind_names_are_stable(void **state) {
        (void) state;
        assert_string_equal(error_kind_name(ERROR_NONE), "none");
        assert_string_equal(error_kind_name(ERROR_INVALID), "invalid");
        assert_string_equal(error_kind_name(ERROR_NOT_FOUND), "not-found");
        assert_string_equal(error_kind_name(ERROR_CONFLICT), "conflict");
        assert_string_equal(error_kind_name(ERROR_UNAUTHENTICATED), "unauthenticated");
        assert_string_equal(error_kind_name(ERROR_FORBIDDEN), "forbidden");
        assert_string_equal(error_kind_name(ERROR_TOO_LARGE), "too-large");
        assert_string_equal(error_kind_name(ERROR_RATE_LIMITED), "rate-limited");
        assert_string_equal(error_kind_name(ERROR_UNSUPPORTED), "unsupported");
        assert_string_equal(error_kind_name(ERROR_IO), "io");
        assert_string_equal(error_kind_name(ERROR_DB), "db");
        assert_string_equal(error_kind_name(ERROR_CRYPTO), "crypto");
        assert_string_equal(error_kind_name(ERROR_INTERNAL), "internal");
        assert_string_equal(error_kind_name(ERROR_UNAVAILABLE), "unavailable");
        assert_string_equal(error_kind_name(_ERROR_KIND_MAX), "internal");
        assert_string_equal(error_kind_name((enum error_kind) 1000), "internal");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_set_returns_minus_one_and_formats),
                cmocka_unit_test(test_null_error_is_allowed),
                cmocka_unit_test(test_set_errno_appends_strerror),
                cmocka_unit_test(test_set_errno_disk_full_is_no_space),
                cmocka_unit_test(test_prefix_prepends_context),
                cmocka_unit_test(test_message_may_reference_itself),
                cmocka_unit_test(test_long_message_is_truncated),
                cmocka_unit_test(test_clear),
                cmocka_unit_test(test_kind_names_are_stable),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

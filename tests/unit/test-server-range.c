/* SPDX-License-Identifier: Apache-2.0 */
/* The Range header parser (range.h): every form, every way it can be wrong. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "range.h"

static void expect_ok(const char *h, uint64_t size, uint64_t off, uint64_t len) {
        struct http_range r = { 99, 99 };
        enum http_range_result res = http_range_parse(h, size, &r);
        if (res != HTTP_RANGE_OK)
                fail_msg("'%s' on %llu bytes: result %d, expected OK", h, (unsigned long long) size, (int) res);
        if (r.offset != off || r.length != len)
                fail_msg("'%s' on %llu bytes: %llu+%llu, expected %llu+%llu", h, (unsigned long long) size,
                         (unsigned long long) r.offset, (unsigned long long) r.length, (unsigned long long) off,
                         (unsigned long long) len);
}

static void expect(const char *h, uint64_t size, enum http_range_result want) {
        struct http_range r = { 0, 0 };
        enum http_range_result res = http_range_parse(h, size, &r);
        if (res != want)
                fail_msg("'%s' on %llu bytes: result %d, expected %d", h ? h : "(null)", (unsigned long long) size,
                         (int) res, (int) want);
}

static void test_forms(void **state) {
        (void) state;
        expect_ok("bytes=0-0", 100, 0, 1);
        expect_ok("bytes=0-99", 100, 0, 100);
        expect_ok("bytes=10-19", 100, 10, 10);
        expect_ok("bytes=10-", 100, 10, 90);
        expect_ok("bytes=99-", 100, 99, 1);
        expect_ok("bytes=-1", 100, 99, 1);
        expect_ok("bytes=-30", 100, 70, 30);
        expect_ok("bytes=-500", 100, 0, 100);             /* longer suffix: the whole file */
        expect_ok("bytes=50-5000", 100, 50, 50);          /* last-pos past the end: cut */
        expect_ok("bytes=0-18446744073709551615", 100, 0, 100);
        expect_ok("bytes=0-99999999999999999999999", 100, 0, 100); /* saturates */
        expect_ok("BYTES=1-2", 100, 1, 2);                /* the unit is case-insensitive */
        expect_ok(" bytes = 1-2 ", 100, 1, 2);
        expect_ok("bytes=5368709120-5368709121", 6ull << 30, 5ull << 30, 2); /* beyond 4 GiB */
}

static void test_unsatisfiable(void **state) {
        (void) state;
        expect("bytes=100-", 100, HTTP_RANGE_UNSATISFIABLE);
        expect("bytes=100-200", 100, HTTP_RANGE_UNSATISFIABLE);
        expect("bytes=99999999999999999999-", 100, HTTP_RANGE_UNSATISFIABLE);
        expect("bytes=-0", 100, HTTP_RANGE_UNSATISFIABLE);
        expect("bytes=0-", 0, HTTP_RANGE_UNSATISFIABLE);
        expect("bytes=-5", 0, HTTP_RANGE_UNSATISFIABLE);
}

static void test_ignored(void **state) {
        (void) state;
        expect(NULL, 100, HTTP_RANGE_NONE);
        expect("", 100, HTTP_RANGE_NONE);
        expect("bytes=", 100, HTTP_RANGE_NONE);
        expect("bytes=-", 100, HTTP_RANGE_NONE);
        expect("bytes=5-2", 100, HTTP_RANGE_NONE);        /* last < first: invalid, ignored */
        expect("bytes=0-1,5-6", 100, HTTP_RANGE_NONE);    /* several ranges: whole file */
        expect("bytes=0-1, 200-300", 100, HTTP_RANGE_NONE);
        expect("items=0-1", 100, HTTP_RANGE_NONE);
        expect("bytes 0-1", 100, HTTP_RANGE_NONE);
        expect("bytes=a-b", 100, HTTP_RANGE_NONE);
        expect("bytes=1-2x", 100, HTTP_RANGE_NONE);
        expect("bytes=+1-2", 100, HTTP_RANGE_NONE);
        expect("bytes=1--2", 100, HTTP_RANGE_NONE);
        expect("bytes=0x10-", 100, HTTP_RANGE_NONE);
        expect("bytesx=0-1", 100, HTTP_RANGE_NONE);
        char longh[HTTP_RANGE_HEADER_MAX + 16];
        memset(longh, ' ', sizeof(longh));
        memcpy(longh, "bytes=0-1", 9);
        longh[sizeof(longh) - 1] = '\0';
        expect(longh, 100, HTTP_RANGE_NONE);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_forms),
                cmocka_unit_test(test_unsatisfiable),
                cmocka_unit_test(test_ignored),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

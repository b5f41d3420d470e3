/* SPDX-License-Identifier: Apache-2.0 */
/* Constant-time helpers, and the random source they are used with. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "crypto/ct.h"
#include "crypto/random.h"

static void test_equal(void **state) {
        uint8_t a[64], b[64];

        (void) state;
        for (size_t i = 0; i < sizeof(a); i++)
                a[i] = b[i] = (uint8_t) i;
        assert_true(ct_equal(a, b, sizeof(a)));
        assert_true(ct_equal(a, b, 0));
        /* A difference anywhere is found: first, middle, last byte, one bit. */
        const size_t positions[] = { 0, 31, 63 };
        for (size_t k = 0; k < 3; k++) {
                b[positions[k]] ^= 0x01;
                assert_false(ct_equal(a, b, sizeof(a)));
                assert_false(ct_equal(b, a, sizeof(a)));
                b[positions[k]] ^= 0x01;
        }
        b[63] ^= 0x80;
        assert_true(ct_equal(a, b, 63)); /* only len bytes are compared */
        assert_false(ct_equal(a, b, 64));
}

static void test_wipe(void **state) {
        char secret[32];
        const char zero[32] = { 0 };

        (void) state;
        memset(secret, 'S', sizeof(secret));
        ct_wipe(secret, sizeof(secret));
        assert_memory_equal(secret, zero, sizeof(secret));
        ct_wipe(NULL, 0);
}

static void test_random(void **state) {
        uint8_t a[32] = { 0 }, b[32] = { 0 }, zero[32] = { 0 };
        struct error err = { 0 };

        (void) state;
        assert_int_equal(random_bytes(a, sizeof(a), &err), 0);
        assert_int_equal(random_bytes(b, sizeof(b), &err), 0);
        /* 2^-256 chance of a false failure. */
        assert_memory_not_equal(a, b, sizeof(a));
        assert_memory_not_equal(a, zero, sizeof(a));
        assert_int_equal(random_bytes(NULL, 0, &err), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_equal),
                cmocka_unit_test(test_wipe),
                cmocka_unit_test(test_random),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

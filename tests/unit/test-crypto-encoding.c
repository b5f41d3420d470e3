/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/cleanup.h"
#include "core/strutil.h"
#include "crypto/encoding.h"

static void test_hex(void **state) {
        const uint8_t data[] = { 0x00, 0x01, 0x7f, 0x80, 0xab, 0xff };
        uint8_t out[6];
        char hex[13];
        struct error err = { 0 };

        (void) state;
        hex_encode(data, sizeof(data), hex);
        assert_string_equal(hex, "00017f80abff");
        assert_int_equal(hex_decode("00017f80abff", out, sizeof(out), &err), 0);
        assert_memory_equal(out, data, sizeof(data));
        assert_int_equal(hex_decode("00017F80ABFF", out, sizeof(out), &err), 0);
        assert_memory_equal(out, data, sizeof(data));
        hex_encode(data, 0, hex);
        assert_string_equal(hex, "");
}

static void test_hex_bad_input(void **state) {
        uint8_t out[4];
        struct error err = { 0 };

        (void) state;
        assert_int_equal(hex_decode("0011223", out, 4, &err), -1);
        assert_int_equal(err.kind, ERROR_INVALID);
        assert_string_equal(err.msg, "hex string has 7 characters, expected 8");
        assert_int_equal(hex_decode("001122334", out, 4, &err), -1);
        assert_string_equal(err.msg, "hex string has more than 8 characters, expected 8");
        assert_int_equal(hex_decode("0011g233", out, 4, &err), -1);
        assert_string_equal(err.msg, "invalid hex character at position 4");
        assert_int_equal(hex_decode("001122 3", out, 4, &err), -1);
        assert_string_equal(err.msg, "invalid hex character at position 6");
        assert_int_equal(hex_decode("", out, 4, &err), -1);
        assert_int_equal(hex_decode(NULL, out, 4, &err), -1);
}

/* RFC 4648 section 10 */
static const struct {
        const char *plain, *b64, *b64url;
} rfc4648[] = {
        { "", "", "" },
        { "f", "Zg==", "Zg" },
        { "fo", "Zm8=", "Zm8" },
        { "foo", "Zm9v", "Zm9v" },
        { "foob", "Zm9vYg==", "Zm9vYg" },
        { "fooba", "Zm9vYmE=", "Zm9vYmE" },
        { "foobar", "Zm9vYmFy", "Zm9vYmFy" },
};

static void test_base64_vectors(void **state) {
        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(rfc4648); i++) {
                const char *p = rfc4648[i].plain;
                _cleanup_free_ char *e = base64_encode((const uint8_t *) p, strlen(p));
                _cleanup_free_ char *u = base64url_encode((const uint8_t *) p, strlen(p));
                _cleanup_free_ uint8_t *d = NULL, *du = NULL;
                size_t len = 99, ulen = 99;

                assert_string_equal(e, rfc4648[i].b64);
                assert_string_equal(u, rfc4648[i].b64url);
                assert_int_equal(base64_decode(e, strlen(e), &d, &len, NULL), 0);
                assert_int_equal(len, strlen(p));
                assert_memory_equal(d, p, len);
                assert_int_equal(d[len], 0);
                assert_int_equal(base64url_decode(u, strlen(u), &du, &ulen, NULL), 0);
                assert_int_equal(ulen, strlen(p));
                assert_memory_equal(du, p, ulen);
        }
}

static void test_base64_alphabets(void **state) {
        const uint8_t data[] = { 0xfb, 0xff, 0xbf };
        _cleanup_free_ char *e = base64_encode(data, sizeof(data));
        _cleanup_free_ char *u = base64url_encode(data, sizeof(data));
        _cleanup_free_ uint8_t *d = NULL;
        size_t len;
        struct error err = { 0 };

        (void) state;
        assert_string_equal(e, "+/+/");
        assert_string_equal(u, "-_-_");
        assert_int_equal(base64url_decode("+/+/", 4, &d, &len, &err), -1);
        assert_string_equal(err.msg, "base64url: invalid character at position 0");
        assert_int_equal(base64_decode("-_-_", 4, &d, &len, &err), -1);
        assert_string_equal(err.msg, "base64: invalid character at position 0");
}

static void test_base64_ignores_line_breaks(void **state) {
        const char *wrapped = "Zm9v\r\nYmFy\n Zm9v\r\nYg==\r\n";
        _cleanup_free_ uint8_t *d = NULL;
        size_t len;
        struct error err = { 0 };

        (void) state;
        assert_int_equal(base64_decode(wrapped, strlen(wrapped), &d, &len, &err), 0);
        assert_int_equal(len, 10);
        assert_memory_equal(d, "foobarfoob", 10);
}

static void assert_b64_refused(const char *in, const char *expected) {
        uint8_t *d = (uint8_t *) "untouched";
        size_t len = 77;
        struct error err = { 0 };

        if (base64_decode(in, strlen(in), &d, &len, &err) == 0)
                fail_msg("accepted '%s'", in);
        assert_int_equal(err.kind, ERROR_INVALID);
        assert_string_equal(err.msg, expected);
        assert_string_equal((const char *) d, "untouched");
        assert_int_equal(len, 77);
}

static void test_base64_bad_input(void **state) {
        (void) state;
        assert_b64_refused("Zm9v!mFy", "base64: invalid character at position 4");
        assert_b64_refused("Zm9v\tYmFy", "base64: invalid character at position 4");
        assert_b64_refused("Zm9", "base64: invalid length (3 characters with padding, not a multiple of 4)");
        assert_b64_refused("Zg=", "base64: invalid length (3 characters with padding, not a multiple of 4)");
        assert_b64_refused("Zg===", "base64: invalid length (5 characters with padding, not a multiple of 4)");
        assert_b64_refused("Z===", "base64: invalid length (4 characters with padding, not a multiple of 4)");
        assert_b64_refused("Zg==Zg==", "base64: data after padding at position 4");
        assert_b64_refused("Zm=9", "base64: data after padding at position 3");
        assert_b64_refused("Zh==", "base64: non-zero unused bits in the last character (not canonical)");
        assert_b64_refused("Zm9=", "base64: non-zero unused bits in the last character (not canonical)");
        assert_b64_refused("====", "base64: invalid length (4 characters with padding, not a multiple of 4)");
}

static void test_base64url_bad_input(void **state) {
        uint8_t *d = NULL;
        size_t len;
        struct error err = { 0 };

        (void) state;
        assert_int_equal(base64url_decode("Zg==", 4, &d, &len, &err), -1);
        assert_string_equal(err.msg, "base64url: invalid character at position 2");
        assert_int_equal(base64url_decode("Zm9vY", 5, &d, &len, &err), -1);
        assert_string_equal(err.msg, "base64url: invalid length (5 characters)");
        assert_int_equal(base64url_decode("Zh", 2, &d, &len, &err), -1);
        assert_string_equal(err.msg, "base64url: non-zero unused bits in the last character (not canonical)");
        assert_int_equal(base64url_decode("Zm9v\n", 5, &d, &len, &err), -1);
        assert_null(d);
}

static void test_round_trip_all_lengths(void **state) {
        uint8_t data[130];

        (void) state;
        for (size_t i = 0; i < sizeof(data); i++)
                data[i] = (uint8_t) (i * 37 + 11);
        for (size_t n = 0; n <= sizeof(data); n++) {
                _cleanup_free_ char *e = base64_encode(data, n);
                _cleanup_free_ char *u = base64url_encode(data, n);
                _cleanup_free_ uint8_t *d = NULL, *du = NULL;
                size_t len, ulen;

                assert_int_equal(strlen(e), (n + 2) / 3 * 4);
                assert_int_equal(base64_decode(e, strlen(e), &d, &len, NULL), 0);
                assert_int_equal(len, n);
                assert_memory_equal(d, data, n);
                assert_null(strchr(u, '='));
                assert_int_equal(base64url_decode(u, strlen(u), &du, &ulen, NULL), 0);
                assert_int_equal(ulen, n);
                assert_memory_equal(du, data, n);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_hex),
                cmocka_unit_test(test_hex_bad_input),
                cmocka_unit_test(test_base64_vectors),
                cmocka_unit_test(test_base64_alphabets),
                cmocka_unit_test(test_base64_ignores_line_breaks),
                cmocka_unit_test(test_base64_bad_input),
                cmocka_unit_test(test_base64url_bad_input),
                cmocka_unit_test(test_round_trip_all_lengths),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

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
#include "crypto/hash.h"

/* FIPS 180-2 / NIST CSRC example vectors. */
static const struct {
        const char *input;
        const char *hex;
} vectors[] = {
        { "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
        { "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
        { "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
        { "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
          "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1" },
};

static void test_known_answers(void **state) {
        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(vectors); i++) {
                char hex[SHA256_HEX_LEN];
                uint8_t raw[SHA256_LEN], expected[SHA256_LEN];

                hash_sha256_hex(vectors[i].input, strlen(vectors[i].input), hex);
                assert_string_equal(hex, vectors[i].hex);
                hash_sha256(vectors[i].input, strlen(vectors[i].input), raw);
                assert_int_equal(hex_decode(vectors[i].hex, expected, sizeof(expected), NULL), 0);
                assert_memory_equal(raw, expected, SHA256_LEN);
        }
        char hex[SHA256_HEX_LEN];
        hash_sha256_hex(NULL, 0, hex);
        assert_string_equal(hex, vectors[0].hex);
}

static void test_streaming_million_a(void **state) {
        struct hash_sha256_ctx *c = hash_sha256_new();
        uint8_t digest[SHA256_LEN];
        char hex[SHA256_HEX_LEN], chunk[1000];

        (void) state;
        memset(chunk, 'a', sizeof(chunk));
        for (int i = 0; i < 1000; i++)
                hash_sha256_update(c, chunk, sizeof(chunk));
        hash_sha256_final(c, digest);
        hex_encode(digest, sizeof(digest), hex);
        assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

static void test_streaming_equals_one_shot(void **state) {
        const char *msg = vectors[3].input;
        size_t len = strlen(msg);
        uint8_t one[SHA256_LEN];

        (void) state;
        hash_sha256(msg, len, one);
        /* Every split point, including empty updates. */
        for (size_t split = 0; split <= len; split++) {
                struct hash_sha256_ctx *c = hash_sha256_new();
                uint8_t streamed[SHA256_LEN];

                hash_sha256_update(c, msg, split);
                hash_sha256_update(c, "", 0);
                hash_sha256_update(c, msg + split, len - split);
                hash_sha256_final(c, streamed);
                assert_memory_equal(one, streamed, SHA256_LEN);
        }
        /* One bit of difference changes the digest. */
        uint8_t other[SHA256_LEN];
        hash_sha256("abd", 3, other);
        hash_sha256("abc", 3, one);
        assert_memory_not_equal(one, other, SHA256_LEN);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_known_answers),
                cmocka_unit_test(test_streaming_million_a),
                cmocka_unit_test(test_streaming_equals_one_shot),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

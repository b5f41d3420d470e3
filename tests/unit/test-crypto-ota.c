/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Encrypted update payloads (src/crypto/ota-crypt.c, ota-wrap.c): the chunked
 * AES-256-GCM container and the per-device key wrap. One way of being wrong
 * per test.
 */
#include "testutil-pki.h"
#include "testutil-softhsm.h"

#include "crypto/encoding.h"
#include "crypto/ota-crypt.h"
#include "crypto/ota-wrap.h"
#include "crypto/random.h"

#define CHUNK OTA_CRYPT_CHUNK_MIN

struct blob {
        uint8_t *data;
        size_t len;
};

static int collect(void *ud, const uint8_t *data, size_t len, struct error *err) {
        (void) err;
        struct blob *b = ud;
        b->data = realloc(b->data, b->len + len + 1);
        memcpy(b->data + b->len, data, len);
        b->len += len;
        return 0;
}

static const uint8_t KEY[OTA_CRYPT_KEY_LEN] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                                                17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32 };

/* Encrypts `plain_len` pattern bytes; returns the container. */
static uint8_t *encrypt_pattern(struct tdir *t, size_t plain_len, size_t *out_len, uint8_t **plain_out) {
        _cleanup_free_ char *src = tdir_path(t, "plain"), *dst = tdir_path(t, "cipher");
        uint8_t *plain = malloc(plain_len + 1);
        for (size_t i = 0; i < plain_len; i++)
                plain[i] = (uint8_t) (i * 31 + 7);
        struct error err = { 0 };
        assert_int_equal(file_write_atomic(src, plain, plain_len, 0600, &err), 0);
        int fd = open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        assert_true(fd >= 0);
        struct ota_crypt_result res;
        if (ota_crypt_encrypt_file(KEY, CHUNK, src, fd, &res, &err) < 0)
                fail_msg("encrypt: %s", err.msg);
        close(fd);
        assert_int_equal(res.plain_length, plain_len);
        uint8_t sha[SHA256_LEN];
        hash_sha256(plain, plain_len, sha);
        assert_memory_equal(sha, res.plain_sha256, SHA256_LEN);
        uint8_t *c = read_file_bytes(dst, out_len);
        assert_int_equal(*out_len, res.cipher_length);
        hash_sha256(c, *out_len, sha);
        assert_memory_equal(sha, res.cipher_sha256, SHA256_LEN);
        if (plain_out)
                *plain_out = plain;
        else
                free(plain);
        return c;
}

/* Feeds `c` in pieces of `step`; returns decrypt_finish's result. */
static int decrypt_all(const uint8_t *key, const uint8_t *c, size_t len, size_t step, struct blob *out,
                       struct error *err) {
        struct ota_decrypt *d = ota_decrypt_new(key);
        int r = 0;
        for (size_t off = 0; off < len && r == 0; off += step)
                r = ota_decrypt_update(d, c + off, len - off < step ? len - off : step, collect, out, err);
        if (r == 0)
                r = ota_decrypt_finish(d, NULL, NULL, err);
        ota_decrypt_free(d);
        return r;
}

static void test_roundtrip_sizes(void **state) {
        (void) state;
        struct tdir *t = tdir_new();
        size_t sizes[] = { 0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 3 * CHUNK + 17 };
        for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
                size_t clen;
                uint8_t *plain;
                uint8_t *c = encrypt_pattern(t, sizes[i], &clen, &plain);
                struct ota_crypt_header h;
                struct error err = { 0 };
                assert_int_equal(ota_crypt_header_parse(c, clen, &h, &err), 0);
                assert_int_equal(ota_crypt_file_length(&h), clen);
                /* No plaintext in the container: the pattern's first 16 bytes are absent. */
                if (sizes[i] >= 16)
                        assert_false(mem_contains(c, clen, plain, 16));
                size_t steps[] = { 1, 7, CHUNK + OTA_CRYPT_TAG_LEN, 1 << 20 };
                for (size_t s = 0; s < 4; s++) {
                        struct blob b = { 0 };
                        if (decrypt_all(KEY, c, clen, steps[s], &b, &err) < 0)
                                fail_msg("size %zu step %zu: %s", sizes[i], steps[s], err.msg);
                        assert_int_equal(b.len, sizes[i]);
                        if (sizes[i])
                                assert_memory_equal(b.data, plain, sizes[i]);
                        free(b.data);
                }
                free(c);
                free(plain);
        }
        tdir_free(t);
}

static void test_one_byte_flipped(void **state) {
        (void) state;
        struct tdir *t = tdir_new();
        size_t clen;
        uint8_t *c = encrypt_pattern(t, 3 * CHUNK + 5, &clen, NULL);
        /* A byte in the second chunk's ciphertext, in the last tag, and in the header. */
        size_t where[] = { OTA_CRYPT_HEADER_LEN + CHUNK + OTA_CRYPT_TAG_LEN + 100, clen - 1, 12 };
        for (size_t i = 0; i < 3; i++) {
                c[where[i]] ^= 0x01;
                struct blob b = { 0 };
                struct error err = { 0 };
                assert_int_equal(decrypt_all(KEY, c, clen, 4096, &b, &err), -1);
                assert_error(err, ERROR_INVALID, "does not authenticate");
                /* Nothing of the tampered chunk reached the sink. */
                if (i == 0)
                        assert_int_equal(b.len, CHUNK);
                free(b.data);
                c[where[i]] ^= 0x01;
        }
        free(c);
        tdir_free(t);
}

static void test_swapped_chunks(void **state) {
        (void) state;
        struct tdir *t = tdir_new();
        size_t clen;
        uint8_t *c = encrypt_pattern(t, 3 * CHUNK, &clen, NULL);
        size_t cs = CHUNK + OTA_CRYPT_TAG_LEN;
        uint8_t *tmp = malloc(cs);
        memcpy(tmp, c + OTA_CRYPT_HEADER_LEN, cs);
        memmove(c + OTA_CRYPT_HEADER_LEN, c + OTA_CRYPT_HEADER_LEN + cs, cs);
        memcpy(c + OTA_CRYPT_HEADER_LEN + cs, tmp, cs);
        struct blob b = { 0 };
        struct error err = { 0 };
        assert_int_equal(decrypt_all(KEY, c, clen, 999, &b, &err), -1);
        assert_error(err, ERROR_INVALID, "chunk 0 of 3 does not authenticate");
        assert_int_equal(b.len, 0);
        free(b.data);
        free(tmp);
        free(c);
        tdir_free(t);
}

static void test_truncated(void **state) {
        (void) state;
        struct tdir *t = tdir_new();
        size_t clen;
        uint8_t *c = encrypt_pattern(t, 3 * CHUNK, &clen, NULL);
        size_t cs = CHUNK + OTA_CRYPT_TAG_LEN;
        struct error err = { 0 };
        struct blob b = { 0 };
        /* At a chunk boundary: two whole chunks, none sealed as the last. */
        assert_int_equal(decrypt_all(KEY, c, OTA_CRYPT_HEADER_LEN + 2 * cs, 512, &b, &err), -1);
        assert_error(err, ERROR_INVALID, "truncated: 2 of 3 chunks");
        free(b.data);
        b = (struct blob) { 0 };
        error_clear(&err);
        /* Within the header. */
        assert_int_equal(decrypt_all(KEY, c, 10, 512, &b, &err), -1);
        assert_error(err, ERROR_INVALID, "within the header");
        free(b.data);
        b = (struct blob) { 0 };
        error_clear(&err);
        /* A header whose length was cut to two chunks (so the file "ends" at a
         * boundary): the changed header fails the first tag. */
        uint8_t *d = malloc(OTA_CRYPT_HEADER_LEN + 2 * cs);
        memcpy(d, c, OTA_CRYPT_HEADER_LEN + 2 * cs);
        d[20 + 7] = 0;
        d[20 + 6] = (uint8_t) ((2 * CHUNK) >> 8);
        d[20 + 5] = (uint8_t) ((2 * CHUNK) >> 16);
        assert_int_equal(decrypt_all(KEY, d, OTA_CRYPT_HEADER_LEN + 2 * cs, 512, &b, &err), -1);
        assert_error(err, ERROR_INVALID, "chunk 0 of 2 does not authenticate");
        free(b.data);
        free(d);
        b = (struct blob) { 0 };
        error_clear(&err);
        /* Bytes after the last chunk. */
        uint8_t *e = malloc(clen + 1);
        memcpy(e, c, clen);
        e[clen] = 0;
        assert_int_equal(decrypt_all(KEY, e, clen + 1, clen + 1, &b, &err), -1);
        assert_error(err, ERROR_INVALID, "follow the last chunk");
        free(b.data);
        free(e);
        free(c);
        tdir_free(t);
}

static void test_wrong_key(void **state) {
        (void) state;
        struct tdir *t = tdir_new();
        size_t clen;
        uint8_t *c = encrypt_pattern(t, CHUNK + 1, &clen, NULL);
        uint8_t other[OTA_CRYPT_KEY_LEN];
        memcpy(other, KEY, sizeof(other));
        other[31] ^= 0x80;
        struct blob b = { 0 };
        struct error err = { 0 };
        assert_int_equal(decrypt_all(other, c, clen, clen, &b, &err), -1);
        assert_error(err, ERROR_INVALID, "chunk 0 of 2 does not authenticate");
        free(b.data);
        free(c);
        tdir_free(t);
}

/* A resumed download: chunk i decrypts on its own from its offset. */
static void test_random_access(void **state) {
        (void) state;
        struct tdir *t = tdir_new();
        size_t clen;
        uint8_t *plain;
        uint8_t *c = encrypt_pattern(t, 3 * CHUNK + 9, &clen, &plain);
        struct ota_crypt_header h;
        struct error err = { 0 };
        assert_int_equal(ota_crypt_header_parse(c, clen, &h, &err), 0);
        assert_int_equal(ota_crypt_chunk_count(&h), 4);
        uint8_t out[CHUNK];
        uint64_t off = ota_crypt_chunk_offset(&h, 3);
        assert_int_equal(ota_crypt_chunk_plain_length(&h, 3), 9);
        assert_int_equal(ota_crypt_open_chunk(KEY, &h, 3, c + off, clen - off, out, &err), 0);
        assert_memory_equal(out, plain + 3 * CHUNK, 9);
        off = ota_crypt_chunk_offset(&h, 1);
        assert_int_equal(ota_crypt_open_chunk(KEY, &h, 1, c + off, CHUNK + OTA_CRYPT_TAG_LEN, out, &err), 0);
        assert_memory_equal(out, plain + CHUNK, CHUNK);
        /* Chunk 1's bytes presented as chunk 2: refused. */
        assert_int_equal(ota_crypt_open_chunk(KEY, &h, 2, c + off, CHUNK + OTA_CRYPT_TAG_LEN, out, &err), -1);
        assert_error(err, ERROR_INVALID, "chunk 2 of 4 does not authenticate");
        free(plain);
        free(c);
        tdir_free(t);
}

static void test_header_refusals(void **state) {
        (void) state;
        struct ota_crypt_header h = { .chunk_size = CHUNK, .plain_length = 5 }, p;
        uint8_t b[OTA_CRYPT_HEADER_LEN];
        struct error err = { 0 };
        ota_crypt_header_encode(&h, b);
        assert_int_equal(ota_crypt_header_parse(b, sizeof(b), &p, &err), 0);
        assert_int_equal(ota_crypt_header_parse(b, 31, &p, &err), -1);
        assert_error(err, ERROR_INVALID, "shorter than the 32-byte header");
        b[0] = 'X';
        assert_int_equal(ota_crypt_header_parse(b, sizeof(b), &p, &err), -1);
        assert_error(err, ERROR_INVALID, "does not start with");
        uint32_t bad[] = { 0, 4095, 4097, 6000, 32u << 20 };
        for (size_t i = 0; i < 5; i++) {
                h.chunk_size = bad[i];
                ota_crypt_header_encode(&h, b);
                assert_int_equal(ota_crypt_header_parse(b, sizeof(b), &p, &err), -1);
                assert_error(err, ERROR_INVALID, "is not a power of two");
        }
        h.chunk_size = CHUNK;
        ota_crypt_header_encode(&h, b);
        b[19] = 1;
        assert_int_equal(ota_crypt_header_parse(b, sizeof(b), &p, &err), -1);
        assert_error(err, ERROR_INVALID, "reserved header bytes");
        ota_crypt_header_encode(&h, b);
        b[31] = 1;
        assert_int_equal(ota_crypt_header_parse(b, sizeof(b), &p, &err), -1);
        assert_error(err, ERROR_INVALID, "reserved header bytes");
        h.plain_length = OTA_CRYPT_PLAIN_MAX + 1;
        ota_crypt_header_encode(&h, b);
        assert_int_equal(ota_crypt_header_parse(b, sizeof(b), &p, &err), -1);
        assert_error(err, ERROR_INVALID, "plaintext length");
        h.plain_length = (uint64_t) CHUNK * ((uint64_t) UINT32_MAX + 1);
        ota_crypt_header_encode(&h, b);
        assert_int_equal(ota_crypt_header_parse(b, sizeof(b), &p, &err), -1);
        assert_error(err, ERROR_INVALID, "2^32 chunks");
}

/* A container made by a second implementation of docs/ota.md's format
 * (tests/fuzz/make-ota-seeds.py, Python's cryptography package) decrypts. */
static void test_python_interop(void **state) {
        (void) state;
        const char *root = getenv("CRADLE_SOURCE_ROOT");
        if (!root)
                skip();
        _cleanup_free_ char *path = str_printf("%s/tests/fuzz/corpus/fuzz-ota-crypt/container-3-chunks", root);
        size_t len = 0;
        _cleanup_free_ uint8_t *seed = read_file_bytes(path, &len);
        assert_non_null(seed);
        struct blob b = { 0 };
        struct error err = { 0 };
        if (decrypt_all(KEY, seed + 1, len - 1, 1000, &b, &err) < 0)
                fail_msg("%s: %s", path, err.msg);
        assert_int_equal(b.len, 2 * 4096 + 100);
        for (size_t i = 0; i < b.len; i++)
                if (b.data[i] != (uint8_t) (i % 251))
                        fail_msg("byte %zu differs", i);
        free(b.data);
}

/* ---- key wrap ---- */

static void wrap_roundtrip(enum crypto_key_type type) {
        struct tdir *t = tdir_new();
        struct crypto_key *dev = tkey_file(t, "dev.key", type);
        json_t *w = NULL;
        struct error err = { 0 };
        if (ota_wrap_key(crypto_key_pubkey(dev), "T1-0001", "1.0/rootfs.img", KEY, &w, &err) < 0)
                fail_msg("wrap: %s", err.msg);
        uint8_t got[OTA_CRYPT_KEY_LEN];
        if (ota_unwrap_key(dev, "T1-0001", "1.0/rootfs.img", w, got, &err) < 0)
                fail_msg("unwrap: %s", err.msg);
        assert_memory_equal(got, KEY, sizeof(got));
        /* Another serial or target: the binding in the KDF info. */
        assert_int_equal(ota_unwrap_key(dev, "T1-0002", "1.0/rootfs.img", w, got, &err), -1);
        assert_error(err, ERROR_INVALID, "does not unwrap");
        assert_int_equal(ota_unwrap_key(dev, "T1-0001", "1.0/other.img", w, got, &err), -1);
        assert_error(err, ERROR_INVALID, "does not unwrap");
        json_decref(w);
        crypto_key_free(dev);
        tdir_free(t);
}

static void test_wrap_p256(void **state) {
        (void) state;
        wrap_roundtrip(CRYPTO_KEY_EC_P256);
}

static void test_wrap_p384(void **state) {
        (void) state;
        wrap_roundtrip(CRYPTO_KEY_EC_P384);
}

/* Wrapped for device A; device B (same serial string, another key) cannot. */
static void test_wrap_other_device(void **state) {
        (void) state;
        struct tdir *t = tdir_new();
        struct crypto_key *a = tkey_file(t, "a.key", CRYPTO_KEY_EC_P256), *b = tkey_file(t, "b.key", CRYPTO_KEY_EC_P256);
        json_t *w = NULL;
        struct error err = { 0 };
        assert_int_equal(ota_wrap_key(crypto_key_pubkey(a), "T1-0001", "1.0/rootfs.img", KEY, &w, &err), 0);
        uint8_t got[OTA_CRYPT_KEY_LEN];
        assert_int_equal(ota_unwrap_key(b, "T1-0001", "1.0/rootfs.img", w, got, &err), -1);
        assert_error(err, ERROR_INVALID, "does not unwrap");
        /* A P-384 device given a P-256 wrap: named. */
        struct crypto_key *c = tkey_file(t, "c.key", CRYPTO_KEY_EC_P384);
        assert_int_equal(ota_unwrap_key(c, "T1-0001", "1.0/rootfs.img", w, got, &err), -1);
        assert_error(err, ERROR_INVALID, "wrapped for P-256");
        json_decref(w);
        crypto_key_free(a);
        crypto_key_free(b);
        crypto_key_free(c);
        tdir_free(t);
}

static void test_wrap_refuses_ed25519(void **state) {
        (void) state;
        struct tdir *t = tdir_new();
        struct crypto_key *e = tkey_file(t, "e.key", CRYPTO_KEY_ED25519), *p = tkey_file(t, "p.key", CRYPTO_KEY_EC_P256);
        json_t *w = NULL;
        struct error err = { 0 };
        char why[160];
        assert_false(ota_wrap_pubkey_usable(crypto_key_pubkey(e), why, sizeof(why)));
        assert_non_null(strstr(why, "Ed25519"));
        assert_int_equal(ota_wrap_key(crypto_key_pubkey(e), "T1-0001", "1.0/rootfs.img", KEY, &w, &err), -1);
        assert_error(err, ERROR_UNSUPPORTED, "Ed25519");
        assert_null(w);
        assert_int_equal(ota_wrap_key(crypto_key_pubkey(p), "T1-0001", "1.0/rootfs.img", KEY, &w, &err), 0);
        uint8_t got[OTA_CRYPT_KEY_LEN];
        assert_int_equal(ota_unwrap_key(e, "T1-0001", "1.0/rootfs.img", w, got, &err), -1);
        assert_error(err, ERROR_UNSUPPORTED, "Ed25519");
        json_decref(w);
        crypto_key_free(e);
        crypto_key_free(p);
        tdir_free(t);
}

/* Moves the wrap's ephemeral point off the curve (y + 1 in its last byte). */
static void epk_off_curve(json_t *w) {
        uint8_t *epk = NULL;
        size_t n = 0;
        struct error err = { 0 };
        const char *s = json_string_value(json_object_get(w, "epk"));
        assert_int_equal(base64_decode(s, strlen(s), &epk, &n, &err), 0);
        epk[n - 1] ^= 0x01;
        char *b64 = base64_encode(epk, n);
        json_object_set_new(w, "epk", json_string(b64));
        free(b64);
        free(epk);
}

/* Each way the wrapped-key object can be wrong. */
static void test_wrap_malformed(void **state) {
        (void) state;
        struct tdir *t = tdir_new();
        struct crypto_key *k = tkey_file(t, "k.key", CRYPTO_KEY_EC_P256);
        json_t *w = NULL;
        struct error err = { 0 };
        assert_int_equal(ota_wrap_key(crypto_key_pubkey(k), "S", "T", KEY, &w, &err), 0);
        uint8_t got[OTA_CRYPT_KEY_LEN];
        struct {
                const char *field;
                json_t *value; /* NULL: delete */
                const char *msg;
        } cases[] = {
                { "extra", json_string("x"), "unknown field 'extra'" },
                { "alg", json_string("ECDH-ES+A128KW"), "'alg' must be" },
                { "alg", NULL, "'alg' must be" },
                { "crv", json_string("P-521"), "'crv' must be" },
                { "epk", json_integer(1), "'epk' is missing or not a string" },
                { "epk", json_string("!!!"), "'epk' is not base64" },
                { "epk", json_string("BAAA"), "not an uncompressed P-256 point" },
                { "wrapped_key", json_string("AAAA"), "'wrapped_key' is 3 bytes" },
                { "wrapped_key", NULL, "'wrapped_key' is missing" },
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                json_t *c = json_deep_copy(w);
                if (cases[i].value)
                        json_object_set_new(c, cases[i].field, cases[i].value);
                else
                        json_object_del(c, cases[i].field);
                error_clear(&err);
                assert_int_equal(ota_unwrap_key(k, "S", "T", c, got, &err), -1);
                if (!strstr(err.msg, cases[i].msg))
                        fail_msg("case %zu: '%s' lacks '%s'", i, err.msg, cases[i].msg);
                json_decref(c);
        }
        /* A point not on the curve (y + 1). */
        json_t *c = json_deep_copy(w);
        epk_off_curve(c);
        assert_int_equal(ota_unwrap_key(k, "S", "T", c, got, &err), -1);
        assert_error(err, ERROR_INVALID, "not a point on P-256");
        json_decref(c);
        json_t *str = json_string("x");
        assert_int_equal(ota_unwrap_key(k, "S", "T", str, got, &err), -1);
        assert_error(err, ERROR_INVALID, "not a JSON object");
        json_decref(str);
        json_decref(w);
        crypto_key_free(k);
        tdir_free(t);
}

/* ---- key unwrap with the device key on a PKCS#11 token (SoftHSM2) ---- */

static struct crypto_key *token_key(const char *uri) {
        struct crypto_key *k = NULL;
        struct error err = { 0 };
        if (crypto_key_load(uri, &k, &err) < 0)
                fail_msg("load %s: %s", uri, err.msg);
        assert_true(crypto_key_is_pkcs11(k));
        return k;
}

/* GnuTLS can still sign with the token key: the unwrap's own session
 * (p11-kit, crypto/p11.h) came and went without closing or logging out
 * GnuTLS's, which the agent's mTLS goes on using. */
static void assert_token_signs(const struct crypto_key *k) {
        gnutls_datum_t data = { (unsigned char *) "mtls", 4 }, sig = { 0 };
        assert_int_equal(gnutls_privkey_sign_data(crypto_key_privkey(k), crypto_key_sign_hash(k), 0, &data, &sig), 0);
        assert_int_equal(gnutls_pubkey_verify_data2(crypto_key_pubkey(k),
                                                    gnutls_pk_to_sign(GNUTLS_PK_ECDSA, crypto_key_sign_hash(k)), 0,
                                                    &data, &sig),
                         0);
        gnutls_free(sig.data);
}

static void test_token_unwrap_p256(void **state) {
        (void) state;
        const struct softhsm *h = softhsm_get();
        if (!h)
                skip();
        struct crypto_key *dev = token_key(h->p256_uri);
        json_t *w = NULL;
        struct error err = { 0 };
        if (ota_wrap_key(crypto_key_pubkey(dev), "T1-0001", "1.0/rootfs.img", KEY, &w, &err) < 0)
                fail_msg("wrap: %s", err.msg);
        uint8_t got[OTA_CRYPT_KEY_LEN];
        if (ota_unwrap_key(dev, "T1-0001", "1.0/rootfs.img", w, got, &err) < 0)
                fail_msg("unwrap on the token: %s", err.msg);
        assert_memory_equal(got, KEY, sizeof(got));
        assert_int_equal(ota_unwrap_key(dev, "T1-0002", "1.0/rootfs.img", w, got, &err), -1);
        assert_error(err, ERROR_INVALID, "does not unwrap");
        assert_token_signs(dev);
        /* And once more: each unwrap opens and closes its own session. */
        error_clear(&err);
        assert_int_equal(ota_unwrap_key(dev, "T1-0001", "1.0/rootfs.img", w, got, &err), 0);
        assert_memory_equal(got, KEY, sizeof(got));
        assert_token_signs(dev);
        json_decref(w);
        crypto_key_free(dev);
}

/* A P-384 key pair made on the token (sensitive, not extractable, derive
 * allowed, as a device's factory provisioning makes it): GnuTLS cannot
 * export it, so the unwrap can only have run the ECDH there. */
static void test_token_unwrap_p384_not_extractable(void **state) {
        (void) state;
        const struct softhsm *h = softhsm_get();
        if (!h)
                skip();
        char log_path[1100];
        snprintf(log_path, sizeof(log_path), "%s/tools.log", h->dir);
        char *gen[] = { "pkcs11-tool", "--module", SOFTHSM_MODULE, "--login", "--pin", SOFTHSM_PIN,
                        "--keypairgen", "--key-type", "EC:secp384r1", "--usage-derive", "--usage-sign",
                        "--label", "dev-p384", "--id", "03", NULL };
        assert_int_equal(softhsm_run(log_path, gen), 0);
        struct crypto_key *dev = token_key("pkcs11:token=" SOFTHSM_TOKEN ";object=dev-p384;type=private");
        gnutls_ecc_curve_t curve;
        gnutls_datum_t x = { 0 }, y = { 0 }, k = { 0 };
        assert_true(gnutls_privkey_export_ecc_raw2(crypto_key_privkey(dev), &curve, &x, &y, &k, 0) < 0);
        json_t *w = NULL;
        struct error err = { 0 };
        if (ota_wrap_key(crypto_key_pubkey(dev), "T1-0384", "2.0/rootfs.img", KEY, &w, &err) < 0)
                fail_msg("wrap: %s", err.msg);
        assert_string_equal(json_string_value(json_object_get(w, "crv")), "P-384");
        uint8_t got[OTA_CRYPT_KEY_LEN];
        if (ota_unwrap_key(dev, "T1-0384", "2.0/rootfs.img", w, got, &err) < 0)
                fail_msg("unwrap on the token: %s", err.msg);
        assert_memory_equal(got, KEY, sizeof(got));
        assert_int_equal(ota_unwrap_key(dev, "T1-0384", "2.0/other.img", w, got, &err), -1);
        assert_error(err, ERROR_INVALID, "does not unwrap");
        json_decref(w);
        crypto_key_free(dev);
}

/* Wraps KEY to `to` for ("S", "T"), lets `tamper` change the wrap (NULL:
 * none) and unwraps it with `dev`: the unwrap's result, its error in *err. */
static int unwrap_case(const struct crypto_key *to, const struct crypto_key *dev, void (*tamper)(json_t *),
                       struct error *err) {
        json_t *w = NULL;
        assert_int_equal(ota_wrap_key(crypto_key_pubkey(to), "S", "T", KEY, &w, err), 0);
        if (tamper)
                tamper(w);
        uint8_t got[OTA_CRYPT_KEY_LEN];
        error_clear(err);
        int r = ota_unwrap_key(dev, "S", "T", w, got, err);
        json_decref(w);
        return r;
}

/* A signing-only token key (CKA_DERIVE false, as `cradle key generate
 * --pkcs11` makes server keys): refused, and the error says what the key
 * lacks rather than a bare PKCS#11 code. */
static void test_token_unwrap_key_without_derive(void **state) {
        (void) state;
        const struct softhsm *h = softhsm_get();
        if (!h)
                skip();
        const char *uri = "pkcs11:token=" SOFTHSM_TOKEN ";object=sign-only";
        struct error err = { 0 };
        if (crypto_key_generate_pkcs11(uri, CRYPTO_KEY_EC_P256, &err) < 0)
                fail_msg("generate: %s", err.msg);
        struct crypto_key *dev = token_key(uri);
        assert_int_equal(unwrap_case(dev, dev, NULL, &err), -1);
        assert_error(err, ERROR_UNSUPPORTED, "CKA_DERIVE");
        crypto_key_free(dev);
}

/* Wrapped for another device's (file) key: the token key does not unwrap it. */
static void test_token_unwrap_other_device(void **state) {
        (void) state;
        const struct softhsm *h = softhsm_get();
        if (!h)
                skip();
        struct tdir *t = tdir_new();
        struct crypto_key *other = tkey_file(t, "other.key", CRYPTO_KEY_EC_P256), *dev = token_key(h->p256_uri);
        struct error err = { 0 };
        assert_int_equal(unwrap_case(other, dev, NULL, &err), -1);
        assert_error(err, ERROR_INVALID, "does not unwrap");
        crypto_key_free(dev);
        crypto_key_free(other);
        tdir_free(t);
}

/* An ephemeral point off the curve never reaches the token (invalid-curve
 * attack): refused here, by name. */
static void test_token_unwrap_point_off_curve(void **state) {
        (void) state;
        const struct softhsm *h = softhsm_get();
        if (!h)
                skip();
        struct crypto_key *dev = token_key(h->p256_uri);
        struct error err = { 0 };
        assert_int_equal(unwrap_case(dev, dev, epk_off_curve, &err), -1);
        assert_error(err, ERROR_INVALID, "not a point on P-256");
        crypto_key_free(dev);
}

static void drop_pin(json_t *w) {
        (void) w;
        unsetenv("CRADLE_PKCS11_PIN");
}

/* The token session needs the PIN again: without one, the error says where
 * it comes from (and the key stays unused). */
static void test_token_unwrap_no_pin(void **state) {
        (void) state;
        const struct softhsm *h = softhsm_get();
        if (!h)
                skip();
        struct crypto_key *dev = token_key(h->p256_uri);
        struct error err = { 0 };
        int r = unwrap_case(dev, dev, drop_pin, &err);
        setenv("CRADLE_PKCS11_PIN", SOFTHSM_PIN, 1);
        assert_int_equal(r, -1);
        assert_error(err, ERROR_UNAUTHENTICATED, "CRADLE_PKCS11_PIN");
        assert_non_null(strstr(err.msg, "device key"));
        crypto_key_free(dev);
}

static void test_token_unwrap_refuses_ed25519(void **state) {
        (void) state;
        const struct softhsm *h = softhsm_get();
        if (!h || !h->have_ed25519)
                skip();
        struct tdir *t = tdir_new();
        struct crypto_key *p = tkey_file(t, "p.key", CRYPTO_KEY_EC_P256), *e = token_key(h->ed25519_uri);
        struct error err = { 0 };
        assert_int_equal(unwrap_case(p, e, NULL, &err), -1);
        assert_error(err, ERROR_UNSUPPORTED, "Ed25519");
        crypto_key_free(e);
        crypto_key_free(p);
        tdir_free(t);
}

static int group_teardown(void **state) {
        (void) state;
        softhsm_cleanup();
        return 0;
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_roundtrip_sizes),   cmocka_unit_test(test_one_byte_flipped),
                cmocka_unit_test(test_swapped_chunks),    cmocka_unit_test(test_truncated),
                cmocka_unit_test(test_wrong_key),         cmocka_unit_test(test_random_access),
                cmocka_unit_test(test_header_refusals),   cmocka_unit_test(test_python_interop),   cmocka_unit_test(test_wrap_p256),
                cmocka_unit_test(test_wrap_p384),         cmocka_unit_test(test_wrap_other_device),
                cmocka_unit_test(test_wrap_refuses_ed25519), cmocka_unit_test(test_wrap_malformed),
                cmocka_unit_test(test_token_unwrap_p256),  cmocka_unit_test(test_token_unwrap_p384_not_extractable),
                cmocka_unit_test(test_token_unwrap_other_device), cmocka_unit_test(test_token_unwrap_point_off_curve),
                cmocka_unit_test(test_token_unwrap_no_pin), cmocka_unit_test(test_token_unwrap_refuses_ed25519),
                cmocka_unit_test(test_token_unwrap_key_without_derive),
        };
        return cmocka_run_group_tests(tests, NULL, group_teardown);
}

/* SPDX-License-Identifier: Apache-2.0 */
#include "testutil-pki.h"
#include "testutil-softhsm.h"

#include "crypto/ct.h"

#define assert_ok(call, e)                                                                  \
        do {                                                                                \
                if ((call) < 0)                                                             \
                        fail_msg("%s failed: %s", #call, (e).msg);                          \
        } while (0)

/* Signs and verifies a message with the key: the private and public halves
 * belong together and the key can actually be used. */
static void assert_signs(const struct crypto_key *k) {
        static const char msg[] = "cradle signs this";
        gnutls_datum_t data = {(unsigned char *) msg, sizeof(msg) - 1}, sig = {0};
        gnutls_pk_algorithm_t pk = (gnutls_pk_algorithm_t) gnutls_pubkey_get_pk_algorithm(crypto_key_pubkey(k), NULL);
        gnutls_sign_algorithm_t sa = gnutls_pk_to_sign(pk, crypto_key_sign_hash(k));
        assert_int_not_equal(sa, GNUTLS_SIGN_UNKNOWN);
        int rc = gnutls_privkey_sign_data2(crypto_key_privkey(k), sa, 0, &data, &sig);
        if (rc < 0)
                fail_msg("sign with %s: %s", crypto_key_describe(k), gnutls_strerror(rc));
        assert_int_equal(gnutls_pubkey_verify_data2(crypto_key_pubkey(k), sa, 0, &data, &sig), 0);
        sig.data[sig.size / 2] ^= 0x01;
        assert_true(gnutls_pubkey_verify_data2(crypto_key_pubkey(k), sa, 0, &data, &sig) < 0);
        gnutls_free(sig.data);
}

static mode_t mode_of(const char *path) {
        struct stat st;
        assert_int_equal(stat(path, &st), 0);
        return st.st_mode & 07777;
}

/* ---- PKCS#11 (SoftHSM2) ----------------------------------------------------
 * These come first: GnuTLS starts PKCS#11 once per process, and the
 * wrong-PIN case is clearest before any successful login. */

static void test_pkcs11_wrong_pin(void **state) {
        (void) state;
        const struct softhsm *h = softhsm_get();
        if (!h)
                skip();
        setenv("CRADLE_PKCS11_PIN", "0000", 1);
        struct error err = {0};
        struct crypto_key *k = NULL;
        assert_int_equal(crypto_key_load(h->p256_uri, &k, &err), -1);
        assert_null(k);
        assert_error(err, ERROR_UNAUTHENTICATED, "PIN was refused");
        assert_null(strstr(err.msg, "0000")); /* never echo a PIN */
        setenv("CRADLE_PKCS11_PIN", SOFTHSM_PIN, 1);
}

static void test_pkcs11_missing_pin(void **state) {
        (void) state;
        const struct softhsm *h = softhsm_get();
        if (!h)
                skip();
        unsetenv("CRADLE_PKCS11_PIN");
        unsetenv("CRADLE_PKCS11_PIN_FILE");
        struct error err = {0};
        struct crypto_key *k = NULL;
        assert_int_equal(crypto_key_load(h->p256_uri, &k, &err), -1);
        assert_error(err, ERROR_UNAUTHENTICATED, "CRADLE_PKCS11_PIN");
        setenv("CRADLE_PKCS11_PIN", SOFTHSM_PIN, 1);
}

static void test_pkcs11_pin_file(void **state) {
        (void) state;
        const struct softhsm *h = softhsm_get();
        if (!h)
                skip();
        struct tdir *t = tdir_new();
        _cleanup_free_ char *pin = tdir_path(t, "pin");
        assert_int_equal(file_write_atomic(pin, SOFTHSM_PIN "\n", 5, 0644, NULL), 0);
        unsetenv("CRADLE_PKCS11_PIN");
        setenv("CRADLE_PKCS11_PIN_FILE", pin, 1);

        /* A PIN file others can read is refused, like a key file. */
        struct error err = {0};
        struct crypto_key *k = NULL;
        assert_int_equal(crypto_key_load(h->p256_uri, &k, &err), -1);
        assert_error(err, ERROR_UNAUTHENTICATED, "CRADLE_PKCS11_PIN_FILE");

        assert_int_equal(chmod(pin, 0600), 0);
        error_clear(&err);
        if (crypto_key_load(h->p256_uri, &k, &err) < 0)
                fail_msg("%s", err.msg);
        assert_string_equal(crypto_key_describe(k), "ECDSA P-256");
        assert_true(crypto_key_is_pkcs11(k));
        assert_signs(k);
        crypto_key_free(k);

        unsetenv("CRADLE_PKCS11_PIN_FILE");
        setenv("CRADLE_PKCS11_PIN", SOFTHSM_PIN, 1);
        tdir_free(t);
}

static void test_pkcs11_p256(void **state) {
        (void) state;
        const struct softhsm *h = softhsm_get();
        if (!h)
                skip();
        /* With and without type=private: the private object is found either way. */
        const char *uris[] = {h->p256_uri, "pkcs11:token=" SOFTHSM_TOKEN ";object=ca-key",
                              "pkcs11:token=" SOFTHSM_TOKEN ";id=%01;type=private"};
        for (size_t i = 0; i < ELEMENTSOF(uris); i++) {
                struct crypto_key *k = tkey_load(uris[i]);
                assert_string_equal(crypto_key_describe(k), "ECDSA P-256");
                assert_string_equal(crypto_key_ref(k), uris[i]);
                assert_int_equal(crypto_key_sign_hash(k), GNUTLS_DIG_SHA256);
                assert_signs(k);
                crypto_key_free(k);
        }
}

static void test_pkcs11_ed25519(void **state) {
        (void) state;
        const struct softhsm *h = softhsm_get();
        if (!h || !h->have_ed25519)
                skip();
        struct crypto_key *k = tkey_load(h->ed25519_uri);
        assert_string_equal(crypto_key_describe(k), "Ed25519");
        assert_signs(k);
        crypto_key_free(k);
}

static void test_pkcs11_not_found(void **state) {
        (void) state;
        if (!softhsm_get())
                skip();
        struct error err = {0};
        struct crypto_key *k = NULL;
        assert_int_equal(crypto_key_load("pkcs11:token=" SOFTHSM_TOKEN ";object=no-such-key;type=private", &k, &err),
                         -1);
        assert_error(err, ERROR_NOT_FOUND, "no-such-key");
        error_clear(&err);
        assert_int_equal(crypto_key_load("pkcs11:token=no-such-token;object=ca-key", &k, &err), -1);
        assert_error(err, ERROR_NOT_FOUND, "no-such-token");
}

static void test_pkcs11_pin_value_refused(void **state) {
        (void) state;
        struct error err = {0};
        struct crypto_key *k = NULL;
        assert_int_equal(crypto_key_load("pkcs11:token=" SOFTHSM_TOKEN ";object=ca-key?pin-value=5678", &k, &err), -1);
        assert_error(err, ERROR_INVALID, "pin-value");
        assert_null(strstr(err.msg, "5678"));
        error_clear(&err);
        assert_int_equal(crypto_key_load("pkcs11:token=x;object=y;PIN-VALUE=1", &k, &err), -1);
        assert_error(err, ERROR_INVALID, "pin-value");
        assert_null(k);
}

/* cradle key generate --pkcs11: a key pair made on the token loads back
 * through the same URI and signs; a label in use is refused; a token without
 * a PIN is refused before anything is tried. */
static void test_pkcs11_generate(void **state) {
        (void) state;
        const struct softhsm *h = softhsm_get();
        if (!h)
                skip();
        struct error err = {0};
        const char *uri = "pkcs11:token=" SOFTHSM_TOKEN ";object=gen-p256";
        assert_ok(crypto_key_generate_pkcs11(uri, CRYPTO_KEY_EC_P256, &err), err);
        struct crypto_key *k = tkey_load(uri);
        assert_string_equal(crypto_key_describe(k), "ECDSA P-256");
        assert_true(crypto_key_is_pkcs11(k));
        assert_signs(k);
        crypto_key_free(k);

        /* A second key with the label would make the URI ambiguous. */
        assert_int_equal(crypto_key_generate_pkcs11(uri, CRYPTO_KEY_EC_P256, &err), -1);
        assert_error(err, ERROR_CONFLICT, "gen-p256");
        error_clear(&err);
        assert_int_equal(crypto_key_generate_pkcs11(h->p256_uri, CRYPTO_KEY_EC_P256, &err), -1);
        assert_error(err, ERROR_CONFLICT, "ca-key");
        error_clear(&err);

        /* Percent-encoded labels are decoded (RFC 7512). */
        assert_ok(crypto_key_generate_pkcs11("pkcs11:token=" SOFTHSM_TOKEN ";object=gen%20two;type=private",
                                             CRYPTO_KEY_EC_P256, &err), err);
        k = tkey_load("pkcs11:token=" SOFTHSM_TOKEN ";object=gen%20two");
        assert_signs(k);
        crypto_key_free(k);

        /* Ed25519: SoftHSM2 2.6 through GnuTLS 3.7 either makes a usable key
         * or refuses with ERROR_CRYPTO (docs/cli.md says which works). */
        const char *ed = "pkcs11:token=" SOFTHSM_TOKEN ";object=gen-ed25519";
        if (crypto_key_generate_pkcs11(ed, CRYPTO_KEY_ED25519, &err) == 0) {
                k = tkey_load(ed);
                assert_string_equal(crypto_key_describe(k), "Ed25519");
                assert_signs(k);
                crypto_key_free(k);
                fprintf(stderr, "# softhsm: GnuTLS generated an Ed25519 key on the token\n");
        } else {
                assert_int_equal(err.kind, ERROR_CRYPTO);
                fprintf(stderr, "# softhsm: no Ed25519 generation on the token: %s\n", err.msg);
                error_clear(&err);
        }

        /* A token that is not there. */
        assert_int_equal(crypto_key_generate_pkcs11("pkcs11:token=no-such-token;object=x", CRYPTO_KEY_EC_P256, &err),
                         -1);
        assert_error(err, ERROR_NOT_FOUND, "no such token");
        error_clear(&err);

        /* What the URI must say. */
        assert_int_equal(crypto_key_generate_pkcs11("pkcs11:token=" SOFTHSM_TOKEN, CRYPTO_KEY_EC_P256, &err), -1);
        assert_error(err, ERROR_INVALID, "label");
        error_clear(&err);
        assert_int_equal(crypto_key_generate_pkcs11("pkcs11:object=x", CRYPTO_KEY_EC_P256, &err), -1);
        assert_error(err, ERROR_INVALID, "token");
        error_clear(&err);
        assert_int_equal(crypto_key_generate_pkcs11("pkcs11:token=" SOFTHSM_TOKEN ";object=%4", CRYPTO_KEY_EC_P256,
                                                    &err), -1);
        assert_error(err, ERROR_INVALID, "percent-encoded");
        error_clear(&err);
        /* Well-formed escapes that decode to a NUL or a terminal escape are
         * refused as well: a label is text. */
        assert_int_equal(crypto_key_generate_pkcs11("pkcs11:token=" SOFTHSM_TOKEN ";object=a%00b", CRYPTO_KEY_EC_P256,
                                                    &err), -1);
        assert_error(err, ERROR_INVALID, "percent-encoded");
        error_clear(&err);
        assert_int_equal(crypto_key_generate_pkcs11("pkcs11:token=" SOFTHSM_TOKEN ";object=%1b[2J", CRYPTO_KEY_EC_P256,
                                                    &err), -1);
        assert_error(err, ERROR_INVALID, "percent-encoded");
        error_clear(&err);
        assert_int_equal(crypto_key_generate_pkcs11("pkcs11:token=t;object=y?pin-value=5678", CRYPTO_KEY_EC_P256,
                                                    &err), -1);
        assert_error(err, ERROR_INVALID, "pin-value");
        assert_null(strstr(err.msg, "5678"));
        error_clear(&err);

        /* No PIN: said plainly, nothing generated. */
        unsetenv("CRADLE_PKCS11_PIN");
        unsetenv("CRADLE_PKCS11_PIN_FILE");
        assert_int_equal(crypto_key_generate_pkcs11("pkcs11:token=" SOFTHSM_TOKEN ";object=nopin", CRYPTO_KEY_EC_P256,
                                                    &err), -1);
        assert_error(err, ERROR_UNAUTHENTICATED, "CRADLE_PKCS11_PIN");
        setenv("CRADLE_PKCS11_PIN", SOFTHSM_PIN, 1);
        error_clear(&err);
        k = NULL;
        assert_int_equal(crypto_key_load("pkcs11:token=" SOFTHSM_TOKEN ";object=nopin", &k, &err), -1);
        assert_int_equal(err.kind, ERROR_NOT_FOUND);
}

/* ---- files -------------------------------------------------------------------- */

/* cradle key generate --out: a new file, 0600, never replacing anything. */
static void test_generate_new_file(void **state) {
        (void) state;
        static const struct {
                enum crypto_key_type type;
                const char *desc;
        } cases[] = {
                {CRYPTO_KEY_ED25519, "Ed25519"},
                {CRYPTO_KEY_EC_P256, "ECDSA P-256"},
        };
        struct tdir *t = tdir_new();
        mode_t old_umask = umask(0); /* the mode must not depend on the caller's umask */
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *path = str_printf("%s/new-%zu.key", t->dir, i);
                struct error err = {0};
                assert_ok(crypto_key_generate_new_file(path, cases[i].type, &err), err);
                assert_int_equal(mode_of(path), 0600);
                struct crypto_key *k = tkey_load(path);
                assert_string_equal(crypto_key_describe(k), cases[i].desc);
                assert_signs(k);
                crypto_key_free(k);

                /* Again on the same path: refused, the key is unchanged. */
                size_t len1, len2;
                _cleanup_free_ unsigned char *before = read_file_bytes(path, &len1);
                assert_int_equal(crypto_key_generate_new_file(path, cases[i].type, &err), -1);
                assert_error(err, ERROR_CONFLICT, "exists already");
                _cleanup_free_ unsigned char *after = read_file_bytes(path, &len2);
                assert_int_equal(len1, len2);
                assert_memory_equal(before, after, len1);
        }
        umask(old_umask);

        /* A symlink, even a dangling one, is not followed or replaced. */
        _cleanup_free_ char *target = tdir_path(t, "elsewhere.key");
        _cleanup_free_ char *link_path = tdir_path(t, "link.key");
        assert_int_equal(symlink(target, link_path), 0);
        struct error err = {0};
        assert_int_equal(crypto_key_generate_new_file(link_path, CRYPTO_KEY_ED25519, &err), -1);
        assert_int_equal(err.kind, ERROR_CONFLICT);
        assert_false(file_exists(target));

        /* No temp files left behind, whatever happened. */
        size_t n = 0;
        _cleanup_free_ char *cmd = str_printf("ls -A %s | grep -c '^\\.' || true", t->dir);
        FILE *p = popen(cmd, "r");
        assert_int_equal(fscanf(p, "%zu", &n), 1);
        pclose(p);
        assert_int_equal(n, 0);

        error_clear(&err);
        _cleanup_free_ char *nodir = str_printf("%s/no/such/dir/key.pem", t->dir);
        assert_int_equal(crypto_key_generate_new_file(nodir, CRYPTO_KEY_ED25519, &err), -1);
        assert_error(err, ERROR_IO, "key.pem");
        tdir_free(t);
}

static void test_generate_and_load(void **state) {
        (void) state;
        static const struct {
                enum crypto_key_type type;
                const char *desc;
                gnutls_digest_algorithm_t hash;
        } cases[] = {
                {CRYPTO_KEY_EC_P256, "ECDSA P-256", GNUTLS_DIG_SHA256},
                {CRYPTO_KEY_EC_P384, "ECDSA P-384", GNUTLS_DIG_SHA384},
                {CRYPTO_KEY_ED25519, "Ed25519", GNUTLS_DIG_SHA512},
                {CRYPTO_KEY_RSA3072, "RSA 3072", GNUTLS_DIG_SHA256},
        };
        struct tdir *t = tdir_new();
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *path = str_printf("%s/key-%zu.pem", t->dir, i);
                struct error err = {0};
                assert_int_equal(crypto_key_generate_file(path, cases[i].type, &err), 0);
                assert_int_equal(mode_of(path), 0600);
                size_t len;
                _cleanup_free_ unsigned char *pem = read_file_bytes(path, &len);
                assert_true(mem_contains(pem, len, "-----BEGIN PRIVATE KEY-----", 27)); /* PKCS#8 */
                struct crypto_key *k = tkey_load(path);
                assert_string_equal(crypto_key_describe(k), cases[i].desc);
                assert_false(crypto_key_is_pkcs11(k));
                assert_int_equal(crypto_key_sign_hash(k), cases[i].hash);
                assert_signs(k);
                crypto_key_free(k);
        }
        /* No temp files left behind by the atomic write. */
        size_t n = 0;
        _cleanup_free_ char *cmd = str_printf("ls -A %s | grep -c '^\\.' || true", t->dir);
        FILE *p = popen(cmd, "r");
        assert_int_equal(fscanf(p, "%zu", &n), 1);
        pclose(p);
        assert_int_equal(n, 0);
        tdir_free(t);
}

static void test_world_readable_refused(void **state) {
        (void) state;
        struct tdir *t = tdir_new();
        _cleanup_free_ char *path = tdir_path(t, "ca.key");
        assert_int_equal(crypto_key_generate_file(path, CRYPTO_KEY_EC_P256, NULL), 0);
        const mode_t modes[] = {0644, 0640, 0604, 0660};
        for (size_t i = 0; i < ELEMENTSOF(modes); i++) {
                assert_int_equal(chmod(path, modes[i]), 0);
                struct error err = {0};
                struct crypto_key *k = NULL;
                assert_int_equal(crypto_key_load(path, &k, &err), -1);
                assert_null(k);
                assert_error(err, ERROR_INVALID, path);
                assert_non_null(strstr(err.msg, "chmod 600"));
        }
        assert_int_equal(chmod(path, 0400), 0);
        struct crypto_key *k = tkey_load(path);
        crypto_key_free(k);
        tdir_free(t);
}

/* SEC1 ("EC PRIVATE KEY") and PKCS#1 ("RSA PRIVATE KEY") as older tools write them. */
static void test_legacy_pem_formats(void **state) {
        (void) state;
        struct tdir *t = tdir_new();
        const struct {
                gnutls_pk_algorithm_t pk;
                unsigned bits;
                const char *marker, *desc;
        } cases[] = {
                {GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP384R1), "BEGIN EC PRIVATE KEY", "ECDSA P-384"},
                {GNUTLS_PK_RSA, 3072, "BEGIN RSA PRIVATE KEY", "RSA 3072"},
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                gnutls_x509_privkey_t x;
                gnutls_datum_t pem = {0};
                assert_int_equal(gnutls_x509_privkey_init(&x), 0);
                assert_int_equal(gnutls_x509_privkey_generate(x, cases[i].pk, cases[i].bits, 0), 0);
                assert_int_equal(gnutls_x509_privkey_export2(x, GNUTLS_X509_FMT_PEM, &pem), 0);
                assert_true(mem_contains(pem.data, pem.size, cases[i].marker, strlen(cases[i].marker)));
                _cleanup_free_ char *path = str_printf("%s/legacy-%zu.pem", t->dir, i);
                assert_int_equal(file_write_atomic(path, pem.data, pem.size, 0600, NULL), 0);
                gnutls_free(pem.data);
                gnutls_x509_privkey_deinit(x);
                struct crypto_key *k = tkey_load(path);
                assert_string_equal(crypto_key_describe(k), cases[i].desc);
                assert_signs(k);
                crypto_key_free(k);
        }
        tdir_free(t);
}

static void write_key(const char *path, gnutls_pk_algorithm_t pk, unsigned bits, const char *password) {
        gnutls_x509_privkey_t x;
        gnutls_datum_t pem = {0};
        assert_int_equal(gnutls_x509_privkey_init(&x), 0);
        assert_int_equal(gnutls_x509_privkey_generate(x, pk, bits, 0), 0);
        assert_int_equal(gnutls_x509_privkey_export2_pkcs8(x, GNUTLS_X509_FMT_PEM, password,
                                                           password ? GNUTLS_PKCS_PBES2_AES_256 : GNUTLS_PKCS_PLAIN,
                                                           &pem), 0);
        assert_int_equal(file_write_atomic(path, pem.data, pem.size, 0600, NULL), 0);
        gnutls_free(pem.data);
        gnutls_x509_privkey_deinit(x);
}

static void test_bad_files(void **state) {
        (void) state;
        struct tdir *t = tdir_new();
        struct error err = {0};
        struct crypto_key *k = NULL;

        _cleanup_free_ char *missing = tdir_path(t, "missing.key");
        assert_int_equal(crypto_key_load(missing, &k, &err), -1);
        assert_error(err, ERROR_NOT_FOUND, "missing.key");

        _cleanup_free_ char *garbage = tdir_path(t, "garbage.key");
        assert_int_equal(file_write_atomic(garbage, "not a key\n", 10, 0600, NULL), 0);
        error_clear(&err);
        assert_int_equal(crypto_key_load(garbage, &k, &err), -1);
        assert_error(err, ERROR_INVALID, "garbage.key");

        _cleanup_free_ char *enc = tdir_path(t, "encrypted.key");
        write_key(enc, GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), "secret");
        error_clear(&err);
        assert_int_equal(crypto_key_load(enc, &k, &err), -1);
        assert_error(err, ERROR_INVALID, "unencrypted");

        /* Outside the signing-key policy: named, not silently used. */
        _cleanup_free_ char *p521 = tdir_path(t, "p521.key");
        write_key(p521, GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP521R1), NULL);
        error_clear(&err);
        assert_int_equal(crypto_key_load(p521, &k, &err), -1);
        assert_error(err, ERROR_INVALID, "ECDSA P-521, outside policy");

        _cleanup_free_ char *rsa2k = tdir_path(t, "rsa2048.key");
        write_key(rsa2k, GNUTLS_PK_RSA, 2048, NULL);
        error_clear(&err);
        assert_int_equal(crypto_key_load(rsa2k, &k, &err), -1);
        assert_error(err, ERROR_INVALID, "RSA 2048, outside policy");

        error_clear(&err);
        assert_int_equal(crypto_key_load("", &k, &err), -1);
        assert_error(err, ERROR_INVALID, "no key given");
        assert_null(k);
        tdir_free(t);
}

static void test_generate_errors(void **state) {
        (void) state;
        struct tdir *t = tdir_new();
        struct error err = {0};
        _cleanup_free_ char *path = str_printf("%s/no/such/dir/key.pem", t->dir);
        assert_int_equal(crypto_key_generate_file(path, CRYPTO_KEY_EC_P256, &err), -1);
        assert_error(err, ERROR_IO, "key.pem");
        assert_false(file_exists(path));
        error_clear(&err);
        _cleanup_free_ char *p2 = tdir_path(t, "k.pem");
        assert_int_equal(crypto_key_generate_file(p2, (enum crypto_key_type) 42, &err), -1);
        assert_error(err, ERROR_INVALID, "unknown key type");
        assert_false(file_exists(p2));
        tdir_free(t);
}

static void test_type_names(void **state) {
        (void) state;
        enum crypto_key_type ty;
        struct error err = {0};
        assert_int_equal(crypto_key_type_parse("p256", &ty, &err), 0);
        assert_int_equal(ty, CRYPTO_KEY_EC_P256);
        assert_int_equal(crypto_key_type_parse("P384", &ty, &err), 0);
        assert_int_equal(ty, CRYPTO_KEY_EC_P384);
        assert_int_equal(crypto_key_type_parse("ed25519", &ty, &err), 0);
        assert_int_equal(ty, CRYPTO_KEY_ED25519);
        assert_int_equal(crypto_key_type_parse("rsa3072", &ty, &err), 0);
        assert_int_equal(ty, CRYPTO_KEY_RSA3072);
        assert_int_equal(crypto_key_type_parse("rsa2048", &ty, &err), -1);
        assert_error(err, ERROR_INVALID, "rsa2048");
        assert_string_equal(crypto_key_type_name(CRYPTO_KEY_ED25519), "ed25519");
}

static int group_teardown(void **state) {
        (void) state;
        softhsm_cleanup();
        return 0;
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_pkcs11_wrong_pin),
                cmocka_unit_test(test_pkcs11_missing_pin),
                cmocka_unit_test(test_pkcs11_pin_file),
                cmocka_unit_test(test_pkcs11_p256),
                cmocka_unit_test(test_pkcs11_ed25519),
                cmocka_unit_test(test_pkcs11_not_found),
                cmocka_unit_test(test_pkcs11_pin_value_refused),
                cmocka_unit_test(test_pkcs11_generate),
                cmocka_unit_test(test_generate_new_file),
                cmocka_unit_test(test_generate_and_load),
                cmocka_unit_test(test_world_readable_refused),
                cmocka_unit_test(test_legacy_pem_formats),
                cmocka_unit_test(test_bad_files),
                cmocka_unit_test(test_generate_errors),
                cmocka_unit_test(test_type_names),
        };
        return cmocka_run_group_tests(tests, NULL, group_teardown);
}

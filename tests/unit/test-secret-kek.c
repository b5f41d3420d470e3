/* SPDX-License-Identifier: Apache-2.0 */
/* The KEK and sealed secrets (src/secret/kek.h): a key file and a SoftHSM2 token. */
#include "testutil-store.h"
#include "testutil-softhsm.h"

#include "core/fileio.h"
#include "crypto/encoding.h"
#include "secret/kek.h"
#include "secret/keyfile.h"

#define assert_ok(call, e)                                                                  \
        do {                                                                                \
                if ((call) < 0)                                                             \
                        fail_msg("%s failed: %s", #call, (e).msg);                          \
        } while (0)

static const uint8_t SECRET[] = "the batch 12 migration key, 32 b";
#define SECRET_LEN (sizeof(SECRET) - 1)

static struct kek *file_kek(struct tdir *t, const char *name) {
        _cleanup_free_ char *path = tdir_path(t, name);
        struct error err = {0};
        assert_ok(kek_generate_file(path, &err), err);
        struct kek *k = NULL;
        assert_ok(kek_load(path, &k, &err), err);
        return k;
}

static char *seal(const struct kek *k, const char *context) {
        struct error err = {0};
        char *sealed = NULL;
        assert_ok(kek_seal(k, context, SECRET, SECRET_LEN, &sealed, &err), err);
        return sealed;
}

/* Opens and expects the secret back. */
static void assert_opens(const struct kek *k, const char *context, const char *sealed) {
        struct error err = {0};
        uint8_t *out = NULL;
        size_t n = 0;
        assert_ok(kek_open(k, context, sealed, &out, &n, &err), err);
        assert_int_equal(n, SECRET_LEN);
        assert_memory_equal(out, SECRET, SECRET_LEN);
        free(out);
}

static void assert_refused(const struct kek *k, const char *context, const char *sealed, enum error_kind kind,
                           const char *why) {
        struct error err = {0};
        uint8_t *out = (uint8_t *) 1;
        size_t n = 1;
        assert_int_equal(kek_open(k, context, sealed, &out, &n, &err), -1);
        assert_null(out);
        assert_int_equal(n, 0);
        assert_error(err, kind, why);
}

/* ---- PKCS#11 (SoftHSM2) first: the wrong-PIN case is clearest before any login. */

static void test_pkcs11_wrong_pin(void **state) {
        (void) state;
        const struct softhsm *h = softhsm_get();
        if (!h)
                skip();
        struct error err = {0};
        assert_ok(kek_generate_pkcs11("pkcs11:token=" SOFTHSM_TOKEN ";object=kek-pin", &err), err);
        setenv("CRADLE_PKCS11_PIN", "0000", 1);
        struct kek *k = NULL;
        assert_int_equal(kek_load("pkcs11:token=" SOFTHSM_TOKEN ";object=kek-pin", &k, &err), -1);
        assert_null(k);
        assert_error(err, ERROR_UNAUTHENTICATED, "wrong PIN");
        assert_null(strstr(err.msg, "0000"));
        unsetenv("CRADLE_PKCS11_PIN");
        error_clear(&err);
        assert_int_equal(kek_load("pkcs11:token=" SOFTHSM_TOKEN ";object=kek-pin", &k, &err), -1);
        assert_error(err, ERROR_UNAUTHENTICATED, "CRADLE_PKCS11_PIN");
        setenv("CRADLE_PKCS11_PIN", SOFTHSM_PIN, 1);
}

static void test_pkcs11_seal_open(void **state) {
        (void) state;
        const struct softhsm *h = softhsm_get();
        if (!h)
                skip();
        const char *uri = "pkcs11:token=" SOFTHSM_TOKEN ";object=kek";
        struct error err = {0};
        assert_ok(kek_generate_pkcs11(uri, &err), err);
        /* The same label again is refused, and the first key stays. */
        assert_int_equal(kek_generate_pkcs11(uri, &err), -1);
        assert_error(err, ERROR_CONFLICT, "label already");

        _cleanup_kek_ struct kek *k = NULL;
        assert_ok(kek_load(uri, &k, &err), err);
        assert_true(kek_is_pkcs11(k));
        assert_string_equal(kek_ref(k), uri);
        assert_int_equal(strlen(kek_fingerprint(k)), KEK_FINGERPRINT_HEX);

        _cleanup_free_ char *sealed = seal(k, "migration-batch:12");
        assert_true(kek_is_sealed(sealed));
        assert_non_null(strstr(sealed, kek_fingerprint(k)));
        assert_opens(k, "migration-batch:12", sealed);
        /* The AAD binds the context on the token too. */
        assert_refused(k, "migration-batch:13", sealed, ERROR_CRYPTO, "does not open");
        /* An altered ciphertext byte: the token's tag check refuses it. */
        _cleanup_free_ char *bad = str_dup(sealed);
        size_t i = KEK_SEALED_PREFIX_LEN + 20;
        bad[i] = bad[i] == 'A' ? 'B' : 'A';
        assert_refused(k, "migration-batch:12", bad, ERROR_CRYPTO, "does not open");

        /* A second load finds the same key: the same fingerprint, and it opens. */
        _cleanup_kek_ struct kek *again = NULL;
        assert_ok(kek_load(uri, &again, &err), err);
        assert_string_equal(kek_fingerprint(again), kek_fingerprint(k));
        assert_opens(again, "migration-batch:12", sealed);

        /* A file KEK's sealed value names another KEK: the error says so. */
        struct tdir *t = tdir_new();
        _cleanup_kek_ struct kek *f = file_kek(t, "kek.key");
        _cleanup_free_ char *other = seal(f, "migration-batch:12");
        assert_refused(k, "migration-batch:12", other, ERROR_CRYPTO, "sealed under KEK");
        tdir_free(t);
}

/* A secret key a token would let out is not a KEK. */
static void test_pkcs11_extractable_refused(void **state) {
        (void) state;
        const struct softhsm *h = softhsm_get();
        if (!h)
                skip();
        char log_path[1100];
        snprintf(log_path, sizeof(log_path), "%s/tools.log", h->dir);
        char *gen[] = {"pkcs11-tool", "--module", SOFTHSM_MODULE, "--login", "--pin", SOFTHSM_PIN,
                       "--keygen", "--key-type", "AES:32", "--label", "kek-loose", "--extractable", NULL};
        if (softhsm_run(log_path, gen) != 0)
                skip();
        struct error err = {0};
        struct kek *k = NULL;
        assert_int_equal(kek_load("pkcs11:token=" SOFTHSM_TOKEN ";object=kek-loose", &k, &err), -1);
        assert_null(k);
        assert_error(err, ERROR_INVALID, "must be sensitive and not extractable");
}

static void test_pkcs11_uri_errors(void **state) {
        (void) state;
        const struct softhsm *h = softhsm_get();
        if (!h)
                skip();
        struct error err = {0};
        struct kek *k = NULL;
        assert_int_equal(kek_load("pkcs11:token=" SOFTHSM_TOKEN ";object=kek?pin-value=5678", &k, &err), -1);
        assert_error(err, ERROR_INVALID, "PIN in the URI");
        assert_int_equal(kek_load("pkcs11:token=" SOFTHSM_TOKEN ";object=no-such-kek", &k, &err), -1);
        assert_error(err, ERROR_NOT_FOUND, "no secret key object");
        assert_int_equal(kek_load("pkcs11:token=no-such-token;object=kek", &k, &err), -1);
        assert_error(err, ERROR_NOT_FOUND, "no PKCS#11 token");
        /* The P-256 key pair of the token is not a secret key. */
        assert_int_equal(kek_load("pkcs11:token=" SOFTHSM_TOKEN ";object=ca-key;type=private", &k, &err), -1);
        assert_error(err, ERROR_INVALID, "secret-key");
        assert_int_equal(kek_generate_pkcs11("pkcs11:token=" SOFTHSM_TOKEN, &err), -1);
        assert_error(err, ERROR_INVALID, "object=LABEL");
        assert_null(k);
}

/* ---- a key file ---------------------------------------------------------------- */

static void test_file_seal_open(void **state) {
        (void) state;
        struct tdir *t = tdir_new();
        _cleanup_kek_ struct kek *k = file_kek(t, "kek.key");
        assert_false(kek_is_pkcs11(k));
        _cleanup_free_ char *path = tdir_path(t, "kek.key");
        struct stat st;
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0600);

        _cleanup_free_ char *a = seal(k, "migration-batch:12");
        _cleanup_free_ char *b = seal(k, "migration-batch:12");
        /* A fresh nonce per seal: the same secret never seals to the same text. */
        assert_string_not_equal(a, b);
        assert_true(strncmp(a, "kek1:", 5) == 0);
        assert_opens(k, "migration-batch:12", a);
        assert_opens(k, "migration-batch:12", b);
        /* The secret's bytes appear nowhere in the sealed text (raw, hex, base64). */
        char hex[2 * SECRET_LEN + 1];
        hex_encode(SECRET, SECRET_LEN, hex);
        _cleanup_free_ char *b64 = base64_encode(SECRET, SECRET_LEN);
        assert_null(strstr(a, (const char *) SECRET));
        assert_null(strstr(a, hex));
        assert_null(strstr(a, b64));

        /* The same file loaded again: the same fingerprint. */
        struct error err = {0};
        _cleanup_kek_ struct kek *again = NULL;
        assert_ok(kek_load(path, &again, &err), err);
        assert_string_equal(kek_fingerprint(again), kek_fingerprint(k));
        tdir_free(t);
}

/* A sealed value copied to another row, or used for another purpose, does not open. */
static void test_context_binding(void **state) {
        (void) state;
        struct tdir *t = tdir_new();
        _cleanup_kek_ struct kek *k = file_kek(t, "kek.key");
        _cleanup_free_ char *sealed = seal(k, "migration-batch:12");
        assert_refused(k, "migration-batch:13", sealed, ERROR_CRYPTO, "does not open");
        assert_refused(k, "ota-content-key:release:12", sealed, ERROR_CRYPTO, "another row or purpose");
        assert_refused(k, "migration-batch:1", sealed, ERROR_CRYPTO, "does not open");
        tdir_free(t);
}

static void test_wrong_kek(void **state) {
        (void) state;
        struct tdir *t = tdir_new();
        _cleanup_kek_ struct kek *k = file_kek(t, "kek.key");
        _cleanup_kek_ struct kek *other = file_kek(t, "other.key");
        assert_string_not_equal(kek_fingerprint(k), kek_fingerprint(other));
        _cleanup_free_ char *sealed = seal(k, "migration-batch:12");
        assert_refused(other, "migration-batch:12", sealed, ERROR_CRYPTO, "sealed under KEK");
        struct error err = {0};
        uint8_t *out = NULL;
        size_t n = 0;
        assert_int_equal(kek_open(other, "migration-batch:12", sealed, &out, &n, &err), -1);
        assert_non_null(strstr(err.msg, kek_fingerprint(k)));
        assert_non_null(strstr(err.msg, kek_fingerprint(other)));

        /* The other KEK's fingerprint pasted in: the tag still refuses it. */
        _cleanup_free_ char *forged = str_dup(sealed);
        memcpy(forged + 5, kek_fingerprint(other), KEK_FINGERPRINT_HEX);
        assert_refused(other, "migration-batch:12", forged, ERROR_CRYPTO, "does not open");
        tdir_free(t);
}

/* Every truncation and every single-character change is refused. */
static void test_truncated_and_altered(void **state) {
        (void) state;
        struct tdir *t = tdir_new();
        _cleanup_kek_ struct kek *k = file_kek(t, "kek.key");
        _cleanup_free_ char *sealed = seal(k, "migration-batch:12");
        size_t len = strlen(sealed);
        for (size_t i = 0; i < len; i++) {
                _cleanup_free_ char *cut = str_dup(sealed);
                cut[i] = '\0';
                struct error err = {0};
                uint8_t *out = NULL;
                size_t n = 0;
                if (kek_open(k, "migration-batch:12", cut, &out, &n, &err) == 0)
                        fail_msg("a sealed value cut to %zu of %zu characters opened", i, len);
                assert_null(out);
        }
        for (size_t i = 0; i < len; i++) {
                _cleanup_free_ char *bad = str_dup(sealed);
                bad[i] = bad[i] == 'A' ? 'B' : (bad[i] == '1' ? '2' : 'A');
                struct error err = {0};
                uint8_t *out = NULL;
                size_t n = 0;
                if (kek_open(k, "migration-batch:12", bad, &out, &n, &err) == 0)
                        fail_msg("a sealed value altered at %zu opened", i);
        }
        tdir_free(t);
}

static void test_no_kek(void **state) {
        (void) state;
        kek_set_default(NULL);
        assert_null(kek_default());
        struct error err = {0};
        char *sealed = (char *) 1;
        assert_int_equal(kek_seal(kek_default(), "migration-batch:1", SECRET, SECRET_LEN, &sealed, &err), -1);
        assert_null(sealed);
        assert_error(err, ERROR_CONFLICT, "no KEK is configured");
        assert_refused(NULL, "migration-batch:1", "kek1:x", ERROR_CONFLICT, "no KEK is configured");

        struct tdir *t = tdir_new();
        struct kek *k = file_kek(t, "kek.key");
        kek_set_default(k);
        assert_ptr_equal(kek_default(), k);
        kek_free(k); /* freeing the default clears it */
        assert_null(kek_default());
        tdir_free(t);
}

static void test_seal_input_errors(void **state) {
        (void) state;
        struct tdir *t = tdir_new();
        _cleanup_kek_ struct kek *k = file_kek(t, "kek.key");
        struct error err = {0};
        char *sealed = NULL;
        assert_int_equal(kek_seal(k, "", SECRET, SECRET_LEN, &sealed, &err), -1);
        assert_error(err, ERROR_INVALID, "context");
        assert_int_equal(kek_seal(k, "bad\ncontext", SECRET, SECRET_LEN, &sealed, &err), -1);
        assert_error(err, ERROR_INVALID, "printable");
        assert_int_equal(kek_seal(k, "x", SECRET, 0, &sealed, &err), -1);
        assert_error(err, ERROR_INVALID, "nothing to seal");
        uint8_t *big = calloc(1, KEK_SECRET_MAX + 1);
        assert_int_equal(kek_seal(k, "x", big, KEK_SECRET_MAX + 1, &sealed, &err), -1);
        assert_error(err, ERROR_TOO_LARGE, "larger than");
        /* The largest secret seals and opens within the parser's limit. */
        assert_ok(kek_seal(k, "x", big, KEK_SECRET_MAX, &sealed, &err), err);
        assert_true(strlen(sealed) <= KEK_SEALED_MAX);
        uint8_t *out = NULL;
        size_t n = 0;
        assert_ok(kek_open(k, "x", sealed, &out, &n, &err), err);
        assert_int_equal(n, KEK_SECRET_MAX);
        free(out);
        free(sealed);
        free(big);
        tdir_free(t);
}

/* The parser: one case per way sealed text can be wrong. */
static void test_parse_errors(void **state) {
        (void) state;
        struct tdir *t = tdir_new();
        _cleanup_kek_ struct kek *k = file_kek(t, "kek.key");
        _cleanup_free_ char *good = seal(k, "c");
        const char *fp = kek_fingerprint(k);
        const char *body = good + KEK_SEALED_PREFIX_LEN;
        struct {
                char *text;
                enum error_kind kind;
                const char *why;
        } cases[] = {
                { str_dup(""), ERROR_INVALID, "empty" },
                { str_dup("0011223344"), ERROR_INVALID, "no \"kek1:\" prefix" },
                { str_printf("kek2:%s:%s", fp, body), ERROR_UNSUPPORTED, "version" },
                { str_printf("kek1:%.31s:%s", fp, body), ERROR_INVALID, "fingerprint" },
                { str_printf("kek1:%s%s", fp, body), ERROR_INVALID, "fingerprint" },
                { str_printf("kek1:ABCDEF%s:%s", fp + 6, body), ERROR_INVALID, "lower-case hex" },
                { str_printf("kek1:%s:", fp), ERROR_INVALID, "not base64" },
                { str_printf("kek1:%s:%s\n", fp, body), ERROR_INVALID, "not base64" },
                { str_printf("kek1:%s: %s", fp, body), ERROR_INVALID, "not base64" },
                { str_printf("kek1:%s:%s=", fp, body), ERROR_INVALID, "not base64" },
                { str_printf("kek1:%s:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", fp), ERROR_INVALID, "truncated" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                char got_fp[KEK_FINGERPRINT_HEX + 1];
                uint8_t *blob = (uint8_t *) 1;
                size_t n = 1;
                struct error err = {0};
                if (kek_sealed_parse(cases[i].text, got_fp, &blob, &n, &err) == 0)
                        fail_msg("case %zu parsed: %s", i, cases[i].text);
                assert_null(blob);
                assert_error(err, cases[i].kind, cases[i].why);
                free(cases[i].text);
        }
        /* Longer than the limit: refused before it is decoded. */
        char *huge = malloc(KEK_SEALED_MAX + 2);
        memset(huge, 'A', KEK_SEALED_MAX + 1);
        memcpy(huge, good, KEK_SEALED_PREFIX_LEN);
        huge[KEK_SEALED_MAX + 1] = '\0';
        char got_fp[KEK_FINGERPRINT_HEX + 1];
        uint8_t *blob = NULL;
        size_t n = 0;
        struct error err = {0};
        assert_int_equal(kek_sealed_parse(huge, got_fp, &blob, &n, &err), -1);
        assert_error(err, ERROR_TOO_LARGE, "longer than");
        free(huge);
        /* And the good one parses. */
        assert_ok(kek_sealed_parse(good, got_fp, &blob, &n, &err), err);
        assert_string_equal(got_fp, fp);
        assert_int_equal(n, KEK_NONCE_LEN + SECRET_LEN + KEK_TAG_LEN);
        free(blob);
        assert_false(kek_is_sealed("0a1b"));
        assert_false(kek_is_sealed("kek:"));
        assert_false(kek_is_sealed("kek0:"));
        assert_true(kek_is_sealed("kek7:"));
        tdir_free(t);
}

static void test_key_file_errors(void **state) {
        (void) state;
        struct tdir *t = tdir_new();
        _cleanup_free_ char *path = tdir_path(t, "kek.key");
        struct error err = {0};
        struct kek *k = NULL;
        /* Readable by others: refused. */
        assert_int_equal(file_write_atomic(path, "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n",
                                           65, 0644, NULL), 0);
        assert_int_equal(kek_load(path, &k, &err), -1);
        assert_error(err, ERROR_INVALID, "KEK file");
        /* Not 64 hex digits. */
        assert_int_equal(file_write_atomic(path, "0011", 4, 0600, NULL), 0);
        assert_int_equal(kek_load(path, &k, &err), -1);
        assert_error(err, ERROR_INVALID, "64 hex digits");
        assert_int_equal(file_write_atomic(path, "zz112233445566778899aabbccddeeff00112233445566778899aabbccddeeff", 64,
                                           0600, NULL), 0);
        assert_int_equal(kek_load(path, &k, &err), -1);
        assert_error(err, ERROR_INVALID, "64 hex digits");
        assert_int_equal(file_write_atomic(path, "0000000000000000000000000000000000000000000000000000000000000000", 64,
                                           0600, NULL), 0);
        assert_int_equal(kek_load(path, &k, &err), -1);
        assert_error(err, ERROR_INVALID, "all zero");
        /* generate never overwrites. */
        assert_int_equal(kek_generate_file(path, &err), -1);
        assert_error(err, ERROR_CONFLICT, "exists already");
        _cleanup_free_ char *missing = tdir_path(t, "missing.key");
        assert_int_equal(kek_load(missing, &k, &err), -1);
        assert_int_equal(kek_load("", &k, &err), -1);
        assert_error(err, ERROR_INVALID, "no KEK given");
        assert_null(k);
        tdir_free(t);
}

/* A known answer from an independent implementation (Python's cryptography
 * AESGCM, tests/fuzz/corpus/fuzz-secret-sealed): the fingerprint of the key
 * 01 01 ... 01 and a sealed migration key open here, so the format is what
 * docs/keys.md says and not just what this code does. */
static void test_known_answer(void **state) {
        (void) state;
        struct tdir *t = tdir_new();
        _cleanup_free_ char *path = tdir_path(t, "kek.key");
        assert_int_equal(file_write_atomic(path, "0101010101010101010101010101010101010101010101010101010101010101\n", 65,
                                           0600, NULL), 0);
        struct error err = {0};
        _cleanup_kek_ struct kek *k = NULL;
        assert_ok(kek_load(path, &k, &err), err);
        assert_string_equal(kek_fingerprint(k), "fc21eb43fe080d1b28d00935faa16b43");
        const char *root = getenv("CRADLE_SOURCE_ROOT");
        if (!root)
                skip();
        _cleanup_free_ char *seed = str_printf("%s/tests/fuzz/corpus/fuzz-secret-sealed/migration-key", root);
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        assert_ok(file_read_all(seed, 4096, &text, &len, &err), err);
        char *nl = strchr(text, '\n');
        assert_non_null(nl);
        *nl = '\0';
        assert_string_equal(text, "migration-batch:12");
        uint8_t *out = NULL;
        size_t n = 0;
        assert_ok(kek_open(k, text, nl + 1, &out, &n, &err), err);
        assert_int_equal(n, 32);
        for (size_t i = 0; i < 32; i++)
                assert_int_equal(out[i], i);
        free(out);
        tdir_free(t);
}

/* Key files sealed under the KEK (secret/keyfile.h): bound to their ref,
 * legacy PEM sealed in place once, re-sealed under a new KEK. */
static void test_key_files(void **state) {
        (void) state;
        struct tdir *t = tdir_new();
        struct kek *k = file_kek(t, "kek.key");
        kek_set_default(k);
        struct error err = {0};
        _cleanup_free_ char *a = tdir_path(t, "a.key");
        _cleanup_free_ char *b = tdir_path(t, "b.key");
        assert_ok(secret_key_generate_file(a, "repo-keys/A/snapshot.key", CRYPTO_KEY_ED25519, &err), err);
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        assert_ok(file_read_all(a, 65536, &text, &len, &err), err);
        assert_true(kek_is_sealed(text));
        assert_null(strstr(text, "PRIVATE KEY"));
        struct crypto_key *key = NULL;
        assert_ok(secret_key_load(a, "repo-keys/A/snapshot.key", &key, &err), err);
        crypto_key_free(key);
        /* The same sealed file in another key's place does not open. */
        assert_int_equal(file_write_atomic(b, text, len, 0600, NULL), 0);
        key = NULL;
        assert_int_equal(secret_key_load(b, "repo-keys/B/snapshot.key", &key, &err), -1);
        assert_null(key);
        assert_error(err, ERROR_CRYPTO, "another row or purpose");

        /* A legacy plain PEM file loads, and is sealed in place once. */
        assert_ok(crypto_key_generate_file(b, CRYPTO_KEY_EC_P256, &err), err);
        assert_ok(secret_key_load(b, "pki/b.key", &key, &err), err);
        crypto_key_free(key);
        bool now = false;
        assert_ok(secret_key_file_seal(k, b, "pki/b.key", &now, &err), err);
        assert_true(now);
        assert_ok(secret_key_file_seal(k, b, "pki/b.key", &now, &err), err);
        assert_false(now);
        assert_ok(secret_key_load(b, "pki/b.key", &key, &err), err);
        crypto_key_free(key);

        /* Rotation: re-sealed under another KEK, which then opens it; the old one does not. */
        struct kek *k2 = file_kek(t, "kek2.key");
        assert_ok(secret_key_file_reseal(k, k2, b, "pki/b.key", &now, &err), err);
        assert_true(now);
        assert_ok(secret_key_file_reseal(k, k2, b, "pki/b.key", &now, &err), err);
        assert_false(now);
        assert_int_equal(secret_key_load(b, "pki/b.key", &key, &err), -1);
        assert_error(err, ERROR_CRYPTO, "sealed under KEK");
        kek_set_default(k2);
        assert_ok(secret_key_load(b, "pki/b.key", &key, &err), err);
        crypto_key_free(key);
        kek_free(k2);
        kek_free(k);
        tdir_free(t);
}

static int group_teardown(void **state) {
        (void) state;
        softhsm_cleanup();
        return 0;
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_pkcs11_wrong_pin),
                cmocka_unit_test(test_pkcs11_seal_open),
                cmocka_unit_test(test_pkcs11_extractable_refused),
                cmocka_unit_test(test_pkcs11_uri_errors),
                cmocka_unit_test(test_file_seal_open),
                cmocka_unit_test(test_context_binding),
                cmocka_unit_test(test_wrong_kek),
                cmocka_unit_test(test_truncated_and_altered),
                cmocka_unit_test(test_no_kek),
                cmocka_unit_test(test_seal_input_errors),
                cmocka_unit_test(test_parse_errors),
                cmocka_unit_test(test_key_file_errors),
                cmocka_unit_test(test_known_answer),
                cmocka_unit_test(test_key_files),
        };
        return cmocka_run_group_tests(tests, NULL, group_teardown);
}

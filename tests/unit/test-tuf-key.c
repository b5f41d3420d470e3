/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TUF key objects: keyids, the two key forms, and signature verification.
 */
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/cleanup.h"
#include "core/fileio.h"
#include "core/json.h"
#include "core/strutil.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/key.h"
#include "tuf/key.h"
#include "tuf/sign.h"

#define assert_ok(call, e)                                                                  \
        do {                                                                                \
                if ((call) < 0)                                                             \
                        fail_msg("%s failed: %s", #call, (e).msg);                          \
        } while (0)

/*
 * Known answer: the first key of the root.json example in the TUF
 * specification (section "File formats: root.json"), whose keyid the
 * specification gives. Checked independently with Python:
 *   k = {"keytype": "ed25519", "scheme": "ed25519",
 *        "keyval": {"public": "72378e5b...52542c"}}
 *   hashlib.sha256(json.dumps(k, sort_keys=True,
 *                  separators=(",", ":")).encode()).hexdigest()
 *   -> 1bf1c6e3cdd3d3a8420b19199e27511999850f4b376c4547b2f32fba7e80fca3
 * With "keyid_hash_algorithms": ["sha256", "sha512"] added (old
 * securesystemslib keys), the same computation gives 506a349b...e827ac.
 */
#define SPEC_PUBLIC "72378e5bc588793e58f81c8533da64a2e8f1565c1fcc7f253496394ffc52542c"
#define SPEC_KEYID "1bf1c6e3cdd3d3a8420b19199e27511999850f4b376c4547b2f32fba7e80fca3"
#define SPEC_KEYID_LEGACY "506a349b85945d0d99c7289c3f0f1f6c550218089d1d38a3f64824db31e827ac"

static char tmpdir[64];

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        (void) st, (void) flag, (void) ftw;
        return remove(path);
}

static int group_setup(void **state) {
        (void) state;
        snprintf(tmpdir, sizeof(tmpdir), "/tmp/cradle-tuf-key-XXXXXX");
        return mkdtemp(tmpdir) ? 0 : -1;
}

static int group_teardown(void **state) {
        (void) state;
        return nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static struct crypto_key *new_key(const char *name, enum crypto_key_type type) {
        _cleanup_free_ char *path = str_printf("%s/%s", tmpdir, name);
        struct crypto_key *k = NULL;
        struct error err = { 0 };

        assert_ok(crypto_key_generate_file(path, type, &err), err);
        assert_ok(crypto_key_load(path, &k, &err), err);
        return k;
}

static json_t *load(const char *text) {
        json_error_t jerr;
        json_t *j = json_loads(text, 0, &jerr);

        if (!j)
                fail_msg("bad test JSON: %s", jerr.text);
        return j;
}

/* sha256sum of bytes, run by the coreutils tool: an implementation that
 * shares nothing with ours. Returns false when sha256sum is not there. */
static bool sha256sum_tool(const char *data, size_t len, char out[SHA256_HEX_LEN]) {
        _cleanup_free_ char *path = str_printf("%s/sha-input", tmpdir);
        _cleanup_free_ char *cmd = NULL;
        struct error err = { 0 };
        FILE *p;
        bool ok;

        assert_ok(file_write_atomic(path, data, len, 0600, &err), err);
        cmd = str_printf("sha256sum '%s' 2>/dev/null", path);
        p = popen(cmd, "r");
        if (!p)
                return false;
        ok = fscanf(p, "%64s", out) == 1 && strlen(out) == 64;
        return pclose(p) == 0 && ok;
}

static void test_keyid_known_answer(void **state) {
        _cleanup_json_ json_t *obj = NULL, *legacy = NULL;
        _cleanup_tuf_key_ struct tuf_key *k = NULL, *kl = NULL;
        char keyid[TUF_KEYID_HEX_LEN];
        struct error err = { 0 };

        (void) state;
        obj = load("{\"keytype\":\"ed25519\",\"scheme\":\"ed25519\",\"keyval\":{\"public\":\"" SPEC_PUBLIC
                   "\"}}");
        assert_ok(tuf_keyid_compute(obj, keyid, &err), err);
        assert_string_equal(keyid, SPEC_KEYID);
        assert_ok(tuf_key_from_json("spec key", obj, &k, &err), err);
        assert_string_equal(tuf_key_id(k), SPEC_KEYID);
        assert_int_equal(tuf_key_type(k), TUF_KEY_ED25519);

        /* Member order in the input does not matter; members do. */
        legacy = load("{\"keyval\":{\"public\":\"" SPEC_PUBLIC "\"},\"scheme\":\"ed25519\","
                      "\"keyid_hash_algorithms\":[\"sha256\",\"sha512\"],\"keytype\":\"ed25519\"}");
        assert_ok(tuf_key_from_json("legacy key", legacy, &kl, &err), err);
        assert_string_equal(tuf_key_id(kl), SPEC_KEYID_LEGACY);
        assert_true(tuf_key_same_public(k, kl));
}

static void test_ed25519_from_pubkey(void **state) {
        _cleanup_crypto_key_ struct crypto_key *ck = new_key("ed.pem", CRYPTO_KEY_ED25519);
        _cleanup_tuf_key_ struct tuf_key *k = NULL, *again = NULL;
        _cleanup_free_ char *canon = NULL;
        char tool[SHA256_HEX_LEN];
        struct error err = { 0 };
        json_t *j;
        const char *pub;
        size_t len;

        (void) state;
        assert_ok(tuf_key_from_pubkey(crypto_key_pubkey(ck), &k, &err), err);
        j = tuf_key_json(k);
        assert_string_equal(json_string_value(json_object_get(j, "keytype")), "ed25519");
        assert_string_equal(json_string_value(json_object_get(j, "scheme")), "ed25519");
        pub = json_string_value(json_object_get(json_object_get(j, "keyval"), "public"));
        assert_int_equal(strlen(pub), 64);
        assert_int_equal(json_object_size(j), 3);

        /* The keyid is SHA-256 over exactly this canonical text. */
        canon = cr_json_canonical(j, &len, &err);
        {
                _cleanup_free_ char *expect = str_printf(
                        "{\"keytype\":\"ed25519\",\"keyval\":{\"public\":\"%s\"},\"scheme\":\"ed25519\"}",
                        pub);
                assert_string_equal(canon, expect);
        }
        if (sha256sum_tool(canon, len, tool))
                assert_string_equal(tuf_key_id(k), tool);
        else
                print_message("# sha256sum not available: independent keyid check skipped\n");

        assert_ok(tuf_key_from_json("again", j, &again, &err), err);
        assert_string_equal(tuf_key_id(again), tuf_key_id(k));
        assert_true(tuf_key_same_public(k, again));
}

static void test_ecdsa_from_pubkey(void **state) {
        _cleanup_crypto_key_ struct crypto_key *ck = new_key("ec.pem", CRYPTO_KEY_EC_P256);
        _cleanup_tuf_key_ struct tuf_key *k = NULL, *again = NULL;
        _cleanup_json_ json_t *legacy = NULL;
        _cleanup_tuf_key_ struct tuf_key *kl = NULL;
        struct error err = { 0 };
        const char *pub;
        json_t *j;

        (void) state;
        assert_ok(tuf_key_from_pubkey(crypto_key_pubkey(ck), &k, &err), err);
        j = tuf_key_json(k);
        assert_int_equal(tuf_key_type(k), TUF_KEY_ECDSA_P256);
        assert_string_equal(json_string_value(json_object_get(j, "keytype")), "ecdsa");
        assert_string_equal(json_string_value(json_object_get(j, "scheme")), "ecdsa-sha2-nistp256");
        pub = json_string_value(json_object_get(json_object_get(j, "keyval"), "public"));
        assert_true(str_startswith(pub, "-----BEGIN PUBLIC KEY-----\n"));
        assert_non_null(strstr(pub, "-----END PUBLIC KEY-----\n"));
        assert_ok(tuf_key_from_json("again", j, &again, &err), err);
        assert_string_equal(tuf_key_id(again), tuf_key_id(k));

        /* OpenSSL writes the public key of the same file byte for byte as
         * GnuTLS does, so python-tuf (which uses OpenSSL through
         * cryptography) computes the same keyid for it. */
        {
                _cleanup_free_ char *cmd = str_printf("openssl pkey -in '%s' -pubout 2>/dev/null",
                                                      crypto_key_ref(ck));
                char buf[1024];
                size_t n;
                FILE *p = popen(cmd, "r");

                assert_non_null(p);
                n = fread(buf, 1, sizeof(buf) - 1, p);
                buf[n] = '\0';
                if (pclose(p) == 0 && n > 0)
                        assert_string_equal(buf, pub);
                else
                        print_message("# openssl not available: PEM comparison skipped\n");
        }

        /* The keytype securesystemslib once wrote is read too. */
        legacy = json_deep_copy(j);
        json_object_set_new(legacy, "keytype", json_string("ecdsa-sha2-nistp256"));
        assert_ok(tuf_key_from_json("legacy", legacy, &kl, &err), err);
        assert_true(tuf_key_same_public(k, kl));
        assert_string_not_equal(tuf_key_id(k), tuf_key_id(kl));
}

static void test_unsupported_pubkeys(void **state) {
        _cleanup_crypto_key_ struct crypto_key *p384 = new_key("p384.pem", CRYPTO_KEY_EC_P384);
        struct tuf_key *k = NULL;
        struct error err = { 0 };

        (void) state;
        assert_int_equal(tuf_key_from_pubkey(crypto_key_pubkey(p384), &k, &err), -1);
        assert_int_equal(err.kind, ERROR_UNSUPPORTED);
        assert_string_equal(err.msg, "TUF keys must be Ed25519 or ECDSA P-256, not ECDSA SECP384R1");
        assert_null(k);
}

struct bad_key {
        const char *json;
        const char *msg;
};

static void test_bad_key_objects(void **state) {
        _cleanup_crypto_key_ struct crypto_key *ed = new_key("ed2.pem", CRYPTO_KEY_ED25519);
        _cleanup_tuf_key_ struct tuf_key *edk = NULL;
        _cleanup_free_ char *ed_pem = NULL;
        const struct bad_key cases[] = {
                { "[]", "k: expected a JSON object" },
                { "{\"keytype\":\"ed25519\",\"scheme\":\"ed25519\"}", "k: missing required field 'keyval'" },
                { "{\"keytype\":\"ed25519\",\"scheme\":\"ed25519\",\"keyval\":{}}",
                  "k: keyval: missing required field 'public'" },
                { "{\"keytype\":\"ed25519\",\"scheme\":\"ed25519\",\"keyval\":{\"public\":\"" SPEC_PUBLIC
                  "\",\"private\":\"00\"}}",
                  "k: keyval: unknown field 'private'" },
                { "{\"keytype\":\"ed25519\",\"scheme\":\"ed25519\",\"keyval\":{\"public\":\"" SPEC_PUBLIC
                  "\"},\"x\":1}",
                  "k: unknown field 'x'" },
                { "{\"keytype\":\"rsa\",\"scheme\":\"rsassa-pss-sha256\",\"keyval\":{\"public\":\"x\"}}",
                  "k: keytype 'rsa' is not supported (expected 'ed25519' or 'ecdsa')" },
                { "{\"keytype\":\"ed25519\",\"scheme\":\"ecdsa-sha2-nistp256\",\"keyval\":{\"public\":\"" SPEC_PUBLIC
                  "\"}}",
                  "k: scheme 'ecdsa-sha2-nistp256' does not go with keytype 'ed25519' (expected 'ed25519')" },
                { "{\"keytype\":\"ecdsa\",\"scheme\":\"ecdsa-sha2-nistp384\",\"keyval\":{\"public\":\"x\"}}",
                  "k: scheme 'ecdsa-sha2-nistp384' is not supported for keytype 'ecdsa' (expected "
                  "'ecdsa-sha2-nistp256')" },
                { "{\"keytype\":\"ed25519\",\"scheme\":\"ed25519\",\"keyval\":{\"public\":\"72378e\"}}",
                  "k: keyval.public must be 64 hex digits (a raw Ed25519 key)" },
                { "{\"keytype\":\"ed25519\",\"scheme\":\"ed25519\",\"keyval\":{\"public\":"
                  "\"z2378e5bc588793e58f81c8533da64a2e8f1565c1fcc7f253496394ffc52542c\"}}",
                  "k: keyval.public must be 64 hex digits (a raw Ed25519 key)" },
                { "{\"keytype\":\"ecdsa\",\"scheme\":\"ecdsa-sha2-nistp256\",\"keyval\":{\"public\":\"" SPEC_PUBLIC
                  "\"}}",
                  "k: keyval.public must be a PEM public key (\"-----BEGIN PUBLIC KEY-----\" ...)" },
                { "{\"keytype\":\"ecdsa\",\"scheme\":\"ecdsa-sha2-nistp256\",\"keyval\":{\"public\":"
                  "\"-----BEGIN PUBLIC KEY-----\\nAAAA\\n-----END PUBLIC KEY-----\\n\"}}",
                  "k: keyval.public: cannot read the PEM key: " },
                { "{\"keytype\":\"ed25519\",\"scheme\":\"ed25519\",\"keyval\":{\"public\":7}}",
                  "k: keyval: field 'public': expected a string" },
        };
        struct error err = { 0 };

        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_json_ json_t *j = load(cases[i].json);
                struct tuf_key *k = NULL;

                if (tuf_key_from_json("k", j, &k, &err) == 0) {
                        tuf_key_free(k);
                        fail_msg("case %zu accepted: %s", i, cases[i].json);
                }
                if (!strstr(err.msg, cases[i].msg))
                        fail_msg("case %zu: \"%s\" does not contain \"%s\"", i, err.msg, cases[i].msg);
        }

        /* An Ed25519 PEM key under keytype ecdsa. */
        assert_ok(tuf_key_from_pubkey(crypto_key_pubkey(ed), &edk, &err), err);
        {
                gnutls_datum_t pem = { 0 };
                _cleanup_json_ json_t *j = NULL;
                struct tuf_key *k = NULL;

                assert_int_equal(gnutls_pubkey_export2(crypto_key_pubkey(ed), GNUTLS_X509_FMT_PEM, &pem), 0);
                ed_pem = strndup((const char *) pem.data, pem.size);
                gnutls_free(pem.data);
                j = json_pack("{s:s, s:s, s:{s:s}}", "keytype", "ecdsa", "scheme", "ecdsa-sha2-nistp256",
                              "keyval", "public", ed_pem);
                assert_int_equal(tuf_key_from_json("k", j, &k, &err), -1);
                assert_string_equal(err.msg, "k: keyval.public is not an ECDSA P-256 key (scheme "
                                             "ecdsa-sha2-nistp256 needs one)");
        }
}

static void sign_raw(const struct crypto_key *ck, const char *data, char **hex) {
        char keyid[TUF_KEYID_HEX_LEN];
        struct error err = { 0 };

        assert_ok(tuf_sign_bytes(ck, data, strlen(data), keyid, hex, &err), err);
}

static void test_verify(void **state) {
        _cleanup_crypto_key_ struct crypto_key *ed = new_key("ed3.pem", CRYPTO_KEY_ED25519);
        _cleanup_crypto_key_ struct crypto_key *ec = new_key("ec3.pem", CRYPTO_KEY_EC_P256);
        _cleanup_tuf_key_ struct tuf_key *edk = NULL, *eck = NULL;
        _cleanup_free_ char *ed_sig = NULL, *ec_sig = NULL;
        struct error err = { 0 };
        const char *msg = "{\"signed\":\"bytes\"}";

        (void) state;
        assert_ok(tuf_key_from_crypto_key(ed, &edk, &err), err);
        assert_ok(tuf_key_from_crypto_key(ec, &eck, &err), err);
        sign_raw(ed, msg, &ed_sig);
        sign_raw(ec, msg, &ec_sig);
        assert_int_equal(strlen(ed_sig), 128);
        /* DER: SEQUENCE (0x30) of two INTEGERs. */
        assert_true(str_startswith(ec_sig, "30"));

        assert_ok(tuf_key_verify(edk, msg, strlen(msg), ed_sig, &err), err);
        assert_ok(tuf_key_verify(eck, msg, strlen(msg), ec_sig, &err), err);

        /* Other data, other key, tampered signature. */
        assert_int_equal(tuf_key_verify(edk, "x", 1, ed_sig, &err), -1);
        assert_string_equal(err.msg, "signature does not verify");
        assert_int_equal(err.kind, ERROR_UNAUTHENTICATED);
        assert_int_equal(tuf_key_verify(eck, msg, strlen(msg), ed_sig, &err), -1);
        assert_string_equal(err.msg, "signature does not verify");
        ed_sig[10] = ed_sig[10] == '0' ? '1' : '0';
        assert_int_equal(tuf_key_verify(edk, msg, strlen(msg), ed_sig, &err), -1);
        assert_string_equal(err.msg, "signature does not verify");

        /* Malformed signatures are errors, never crashes. */
        assert_int_equal(tuf_key_verify(edk, msg, strlen(msg), "abc", &err), -1);
        assert_string_equal(err.msg, "signature must be an even number of hex digits (at most 512)");
        assert_int_equal(tuf_key_verify(edk, msg, strlen(msg), "", &err), -1);
        assert_int_equal(tuf_key_verify(edk, msg, strlen(msg), NULL, &err), -1);
        assert_string_equal(err.msg, "no signature");
        assert_int_equal(tuf_key_verify(edk, msg, strlen(msg), "abcd", &err), -1);
        assert_string_equal(err.msg, "Ed25519 signature has 2 bytes, expected 64");
        assert_int_equal(tuf_key_verify(eck, msg, strlen(msg), "zz", &err), -1);
        assert_string_equal(err.msg, "signature: invalid hex character at position 0");
        assert_int_equal(tuf_key_verify(eck, msg, strlen(msg), "3000", &err), -1);
        assert_string_equal(err.msg, "signature does not verify");
        {
                char big[TUF_SIG_HEX_MAX + 3];
                memset(big, 'a', sizeof(big) - 1);
                big[sizeof(big) - 1] = '\0';
                assert_int_equal(tuf_key_verify(eck, msg, strlen(msg), big, &err), -1);
                assert_string_equal(err.msg,
                                    "signature must be an even number of hex digits (at most 512)");
        }
}

/* A key of a type this client does not support (kept so that a root adding
 * one still parses) never verifies anything, whatever signature is offered:
 * it is refused as unsupported before any cryptography, so the property does
 * not rest on what GnuTLS does with a key it was never given. */
static void test_verify_unsupported_key(void **state) {
        _cleanup_tuf_key_ struct tuf_key *k = NULL;
        _cleanup_json_ json_t *obj = json_pack("{s:s, s:s, s:{s:s}}", "keytype", "rsa", "scheme",
                                               "rsassa-pss-sha256", "keyval", "public",
                                               "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\n");
        struct error err = { 0 };
        const char *msg = "{\"signed\":\"bytes\"}";
        char sig[129];

        (void) state;
        assert_ok(tuf_key_from_json_any("key", obj, &k, &err), err);
        memset(sig, 'a', 128);
        sig[128] = '\0';
        assert_int_equal(tuf_key_verify(k, msg, strlen(msg), sig, &err), -1);
        assert_int_equal(err.kind, ERROR_UNSUPPORTED);
        assert_string_equal(err.msg, "key type not supported by this client (the key does not count)");
        assert_int_equal(tuf_key_verify(k, msg, strlen(msg), "3000", &err), -1);
        assert_int_equal(err.kind, ERROR_UNSUPPORTED);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_keyid_known_answer),
                cmocka_unit_test(test_ed25519_from_pubkey),
                cmocka_unit_test(test_ecdsa_from_pubkey),
                cmocka_unit_test(test_unsupported_pubkeys),
                cmocka_unit_test(test_bad_key_objects),
                cmocka_unit_test(test_verify),
                cmocka_unit_test(test_verify_unsupported_key),
        };
        return cmocka_run_group_tests(tests, group_setup, group_teardown);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Signing TUF metadata with file keys, the offline flow (sign elsewhere,
 * upload {keyid, sig}), and interoperability with OpenSSL: signatures made
 * here verify with `openssl`, and signatures `openssl` makes (the form
 * securesystemslib produces: raw Ed25519, DER ECDSA over SHA-256) verify
 * here. The OpenSSL half is skipped when the tool is not installed.
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
#include "core/strutil.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/key.h"
#include "tuf/metadata.h"
#include "tuf/sign.h"
#include "tuf/verify.h"

#define assert_ok(call, e)                                                                  \
        do {                                                                                \
                if ((call) < 0)                                                             \
                        fail_msg("%s failed: %s", #call, (e).msg);                          \
        } while (0)

enum { K_ED, K_EC, K_EC2, K_SNAP, K_MAX };

struct fixture {
        char dir[64];
        char *path[K_MAX];
        struct crypto_key *k[K_MAX];
        struct tuf_key *tk[K_MAX];
        struct tuf_metadata *root;
};

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        (void) st, (void) flag, (void) ftw;
        return remove(path);
}

static int setup(void **state) {
        static const enum crypto_key_type types[K_MAX] = { CRYPTO_KEY_ED25519, CRYPTO_KEY_EC_P256,
                                                           CRYPTO_KEY_EC_P256, CRYPTO_KEY_EC_P256 };
        struct fixture *f = xcalloc(1, sizeof(*f));
        struct error err = { 0 };
        _cleanup_json_ json_t *doc = NULL;
        _cleanup_free_ char *bytes = NULL;
        size_t len;

        snprintf(f->dir, sizeof(f->dir), "/tmp/cradle-tuf-sign-XXXXXX");
        assert_non_null(mkdtemp(f->dir));
        for (int i = 0; i < K_MAX; i++) {
                f->path[i] = str_printf("%s/key%d.pem", f->dir, i);
                assert_ok(crypto_key_generate_file(f->path[i], types[i], &err), err);
                assert_ok(crypto_key_load(f->path[i], &f->k[i], &err), err);
                assert_ok(tuf_key_from_crypto_key(f->k[i], &f->tk[i], &err), err);
        }
        {
                /* targets: 2 of {ED, EC, EC2}; the others: ED or SNAP alone. */
                const char *tgt[] = { tuf_key_id(f->tk[K_ED]), tuf_key_id(f->tk[K_EC]),
                                      tuf_key_id(f->tk[K_EC2]) };
                const char *ed[] = { tuf_key_id(f->tk[K_ED]) };
                const char *snap[] = { tuf_key_id(f->tk[K_SNAP]) };
                struct tuf_role_spec roles[_TUF_ROLE_MAX] = {
                        [TUF_ROLE_ROOT] = { ed, 1, 1 },
                        [TUF_ROLE_TARGETS] = { tgt, 3, 2 },
                        [TUF_ROLE_SNAPSHOT] = { snap, 1, 1 },
                        [TUF_ROLE_TIMESTAMP] = { ed, 1, 1 },
                };
                json_t *s = tuf_build_root(1, 1893456000, true, f->tk, K_MAX, roles, &err);

                assert_non_null(s);
                doc = tuf_metadata_wrap(s);
                json_decref(s);
        }
        assert_ok(tuf_sign(doc, f->k[K_ED], &err), err);
        bytes = tuf_metadata_serialize(doc, &len, &err);
        assert_ok(tuf_metadata_parse("root.json", bytes, len, 0, TUF_ROLE_ROOT, &f->root, &err), err);
        assert_ok(tuf_verify_role(f->root, TUF_ROLE_ROOT, f->root, NULL, &err), err);
        *state = f;
        return 0;
}

static int teardown(void **state) {
        struct fixture *f = *state;

        for (int i = 0; i < K_MAX; i++) {
                crypto_key_free(f->k[i]);
                tuf_key_free(f->tk[i]);
                free(f->path[i]);
        }
        tuf_metadata_free(f->root);
        nftw(f->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
        free(f);
        return 0;
}

static json_t *unsigned_targets(void) {
        struct tuf_target_spec t = { .path = "fw/image.bin", .length = 5 };
        struct error err = { 0 };
        json_t *s, *doc;

        hash_sha256("hello", 5, t.sha256);
        s = tuf_build_targets(3, 1893456000, &t, 1, &err);
        assert_non_null(s);
        doc = tuf_metadata_wrap(s);
        json_decref(s);
        return doc;
}

/* Serialises, parses and verifies a document as a client would. */
static int verify_doc(struct fixture *f, json_t *doc, struct tuf_verify_result *res,
                      struct error *err) {
        _cleanup_free_ char *bytes = NULL;
        _cleanup_(tuf_metadata_freep) struct tuf_metadata *md = NULL;
        size_t len;

        bytes = tuf_metadata_serialize(doc, &len, err);
        assert_non_null(bytes);
        if (tuf_metadata_parse("targets.json", bytes, len, 0, TUF_ROLE_TARGETS, &md, err) < 0)
                fail_msg("parse: %s", err->msg);
        return tuf_verify_role(f->root, TUF_ROLE_TARGETS, md, res, err);
}

static void test_sign(void **state) {
        struct fixture *f = *state;
        _cleanup_json_ json_t *doc = unsigned_targets();
        struct tuf_verify_result res;
        struct error err = { 0 };
        json_t *sigs = json_object_get(doc, "signatures");

        assert_ok(tuf_sign(doc, f->k[K_ED], &err), err);
        assert_int_equal(json_array_size(sigs), 1);
        assert_string_equal(json_string_value(json_object_get(json_array_get(sigs, 0), "keyid")),
                            tuf_key_id(f->tk[K_ED]));
        assert_int_equal(verify_doc(f, doc, &res, &err), -1);
        assert_string_equal(err.msg, "targets signatures: 1 valid of threshold 2");

        assert_ok(tuf_sign(doc, f->k[K_EC], &err), err);
        assert_ok(verify_doc(f, doc, &res, &err), err);
        assert_int_equal(res.valid, 2);
        assert_int_equal(res.threshold, 2);

        /* One signature per key. */
        assert_int_equal(tuf_sign(doc, f->k[K_EC], &err), -1);
        assert_int_equal(err.kind, ERROR_CONFLICT);
        {
                _cleanup_free_ char *msg = str_printf("key %s has already signed this metadata (one "
                                                      "signature per key)",
                                                      tuf_key_id(f->tk[K_EC]));
                assert_string_equal(err.msg, msg);
        }
        assert_int_equal(json_array_size(sigs), 2);
}

static void test_offline_flow(void **state) {
        struct fixture *f = *state;
        _cleanup_json_ json_t *doc = unsigned_targets();
        _cleanup_free_ char *bytes = NULL, *bytes_after = NULL, *sig1 = NULL, *sig2 = NULL,
                            *sig_snap = NULL, *sig_other = NULL;
        char kid1[TUF_KEYID_HEX_LEN], kid2[TUF_KEYID_HEX_LEN], kid_snap[TUF_KEYID_HEX_LEN],
                kid_other[TUF_KEYID_HEX_LEN];
        struct tuf_verify_result res;
        struct error err = { 0 };
        size_t len, len_after;

        /* 1. The server hands out the canonical bytes of the unsigned
         *    targets. 2. Two release managers sign them where their keys
         *    live. */
        bytes = tuf_signed_bytes(doc, &len, &err);
        assert_non_null(bytes);
        assert_ok(tuf_sign_bytes(f->k[K_EC2], bytes, len, kid1, &sig1, &err), err);
        assert_ok(tuf_sign_bytes(f->k[K_ED], bytes, len, kid2, &sig2, &err), err);
        assert_string_equal(kid1, tuf_key_id(f->tk[K_EC2]));

        /* 3. The server accepts each {keyid, sig} after checking it. */
        assert_ok(tuf_sign_add_external_for_role(doc, f->root, TUF_ROLE_TARGETS, kid1, sig1, &err), err);
        assert_int_equal(verify_doc(f, doc, &res, &err), -1);
        assert_int_equal(res.valid, 1);
        assert_ok(tuf_sign_add_external_for_role(doc, f->root, TUF_ROLE_TARGETS, kid2, sig2, &err), err);
        assert_ok(verify_doc(f, doc, &res, &err), err);
        assert_int_equal(res.valid, 2);

        /* Signatures do not change what is signed. */
        bytes_after = tuf_signed_bytes(doc, &len_after, &err);
        assert_int_equal(len, len_after);
        assert_memory_equal(bytes, bytes_after, len);

        /* Refusals, each leaving the document as it was. */
        assert_int_equal(tuf_sign_add_external_for_role(doc, f->root, TUF_ROLE_TARGETS, kid1, sig1, &err), -1);
        assert_int_equal(err.kind, ERROR_CONFLICT);

        assert_ok(tuf_sign_bytes(f->k[K_SNAP], bytes, len, kid_snap, &sig_snap, &err), err);
        assert_int_equal(tuf_sign_add_external_for_role(doc, f->root, TUF_ROLE_TARGETS, kid_snap, sig_snap,
                                                        &err), -1);
        assert_int_equal(err.kind, ERROR_FORBIDDEN);
        {
                _cleanup_free_ char *msg = str_printf("key %s is not a targets key in root version 1",
                                                      kid_snap);
                assert_string_equal(err.msg, msg);
        }
        assert_int_equal(tuf_sign_add_external_for_role(doc, f->root, TUF_ROLE_TARGETS, "nope", sig1, &err), -1);
        assert_string_equal(err.msg, "key nope is not a targets key in root version 1");

        /* A signature over other bytes (an older draft, say). */
        assert_ok(tuf_sign_bytes(f->k[K_EC], "other", 5, kid_other, &sig_other, &err), err);
        assert_int_equal(tuf_sign_add_external_for_role(doc, f->root, TUF_ROLE_TARGETS, kid_other, sig_other,
                                                        &err), -1);
        assert_int_equal(err.kind, ERROR_UNAUTHENTICATED);
        {
                _cleanup_free_ char *msg = str_printf("signature by key %s: signature does not verify",
                                                      kid_other);
                assert_string_equal(err.msg, msg);
        }
        assert_int_equal(tuf_sign_add_external_for_role(doc, f->root, TUF_ROLE_TARGETS, kid_other, "xyz",
                                                        &err), -1);
        assert_non_null(strstr(err.msg, "signature must be an even number of hex digits"));
        assert_int_equal(tuf_sign_add_external(doc, f->tk[K_EC], kid1, sig1, &err), -1);
        assert_non_null(strstr(err.msg, "is not the key's"));
        assert_int_equal(json_array_size(json_object_get(doc, "signatures")), 2);
}

static void test_unsupported_signing_key(void **state) {
        struct fixture *f = *state;
        _cleanup_free_ char *path = str_printf("%s/p384.pem", f->dir);
        _cleanup_crypto_key_ struct crypto_key *k = NULL;
        _cleanup_json_ json_t *doc = unsigned_targets();
        struct error err = { 0 };

        assert_ok(crypto_key_generate_file(path, CRYPTO_KEY_EC_P384, &err), err);
        assert_ok(crypto_key_load(path, &k, &err), err);
        assert_int_equal(tuf_sign(doc, k, &err), -1);
        assert_int_equal(err.kind, ERROR_UNSUPPORTED);
        {
                _cleanup_free_ char *msg = str_printf("signing key '%s': TUF keys must be Ed25519 or ECDSA "
                                                      "P-256, not ECDSA SECP384R1",
                                                      path);
                assert_string_equal(err.msg, msg);
        }
        assert_int_equal(json_array_size(json_object_get(doc, "signatures")), 0);

        /* A document without the envelope. */
        {
                _cleanup_json_ json_t *bare = json_object();
                assert_int_equal(tuf_sign(bare, f->k[K_ED], &err), -1);
                assert_string_equal(err.msg, "metadata has no \"signed\" object");
        }
}

static bool have_openssl(void) {
        return system("openssl version >/dev/null 2>&1") == 0;
}

static int run(const char *cmd) {
        int rc = system(cmd);

        return rc == 0 ? 0 : -1;
}

/* Our signatures verify with OpenSSL; OpenSSL's verify here. */
static void interop_one(struct fixture *f, int key, bool ed25519) {
        _cleanup_json_ json_t *doc = unsigned_targets();
        _cleanup_free_ char *data_path = str_printf("%s/data", f->dir);
        _cleanup_free_ char *sig_path = str_printf("%s/sig", f->dir);
        _cleanup_free_ char *pub_path = str_printf("%s/pub.pem", f->dir);
        _cleanup_free_ char *bytes = NULL, *sig_hex = NULL, *cmd = NULL, *their_sig = NULL;
        _cleanup_free_ uint8_t *sig_bin = NULL;
        char keyid[TUF_KEYID_HEX_LEN];
        struct error err = { 0 };
        size_t len, sig_len;

        bytes = tuf_signed_bytes(doc, &len, &err);
        assert_ok(file_write_atomic(data_path, bytes, len, 0600, &err), err);
        cmd = str_printf("openssl pkey -in '%s' -pubout -out '%s'", f->path[key], pub_path);
        assert_int_equal(run(cmd), 0);

        /* Ours, checked by OpenSSL. */
        assert_ok(tuf_sign_bytes(f->k[key], bytes, len, keyid, &sig_hex, &err), err);
        sig_len = strlen(sig_hex) / 2;
        sig_bin = xmalloc(sig_len);
        assert_ok(hex_decode(sig_hex, sig_bin, sig_len, &err), err);
        assert_ok(file_write_atomic(sig_path, sig_bin, sig_len, 0600, &err), err);
        free(cmd);
        cmd = ed25519 ? str_printf("openssl pkeyutl -verify -pubin -inkey '%s' -rawin -in '%s' "
                                   "-sigfile '%s' >/dev/null",
                                   pub_path, data_path, sig_path)
                      : str_printf("openssl dgst -sha256 -verify '%s' -signature '%s' '%s' >/dev/null",
                                   pub_path, sig_path, data_path);
        if (run(cmd) < 0)
                fail_msg("openssl did not verify our signature: %s", cmd);

        /* OpenSSL's, checked here and accepted by the offline flow. */
        free(cmd);
        cmd = ed25519 ? str_printf("openssl pkeyutl -sign -inkey '%s' -rawin -in '%s' -out '%s'",
                                   f->path[key], data_path, sig_path)
                      : str_printf("openssl dgst -sha256 -sign '%s' -out '%s' '%s'", f->path[key],
                                   sig_path, data_path);
        assert_int_equal(run(cmd), 0);
        free(sig_bin);
        sig_bin = NULL;
        assert_ok(file_read_all(sig_path, 4096, (char **) &sig_bin, &sig_len, &err), err);
        their_sig = xmalloc(2 * sig_len + 1);
        hex_encode(sig_bin, sig_len, their_sig);
        assert_ok(tuf_key_verify(f->tk[key], bytes, len, their_sig, &err), err);
        assert_ok(tuf_sign_add_external_for_role(doc, f->root, TUF_ROLE_TARGETS, keyid, their_sig, &err),
                  err);
}

static void test_openssl_interop(void **state) {
        struct fixture *f = *state;

        if (!have_openssl()) {
                print_message("# openssl not installed: interop skipped\n");
                skip();
        }
        interop_one(f, K_ED, true);
        interop_one(f, K_EC, false);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_sign, setup, teardown),
                cmocka_unit_test_setup_teardown(test_offline_flow, setup, teardown),
                cmocka_unit_test_setup_teardown(test_unsupported_signing_key, setup, teardown),
                cmocka_unit_test_setup_teardown(test_openssl_interop, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Threshold verification: which signatures count, and that nothing a
 * document carries can crash or inflate the count.
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
#include "core/json.h"
#include "core/strutil.h"
#include "crypto/key.h"
#include "tuf/metadata.h"
#include "tuf/sign.h"
#include "tuf/verify.h"

#define assert_ok(call, e)                                                                  \
        do {                                                                                \
                if ((call) < 0)                                                             \
                        fail_msg("%s failed: %s", #call, (e).msg);                          \
        } while (0)

enum { K_T0, K_T1, K_T2, K_SNAP, K_TS, K_MAX };

static char dir[64];
static struct crypto_key *keys[K_MAX];
static struct tuf_key *tkeys[K_MAX];
static struct tuf_metadata *root;

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        (void) st, (void) flag, (void) ftw;
        return remove(path);
}

static int group_setup(void **state) {
        static const enum crypto_key_type types[K_MAX] = { CRYPTO_KEY_EC_P256, CRYPTO_KEY_ED25519,
                                                           CRYPTO_KEY_EC_P256, CRYPTO_KEY_ED25519,
                                                           CRYPTO_KEY_EC_P256 };
        struct error err = { 0 };
        _cleanup_json_ json_t *doc = NULL;

        (void) state;
        snprintf(dir, sizeof(dir), "/tmp/cradle-tuf-verify-XXXXXX");
        if (!mkdtemp(dir))
                return -1;
        for (int i = 0; i < K_MAX; i++) {
                _cleanup_free_ char *path = str_printf("%s/k%d.pem", dir, i);
                if (crypto_key_generate_file(path, types[i], &err) < 0 ||
                    crypto_key_load(path, &keys[i], &err) < 0 ||
                    tuf_key_from_crypto_key(keys[i], &tkeys[i], &err) < 0)
                        return -1;
        }
        {
                const char *tgt[] = { tuf_key_id(tkeys[K_T0]), tuf_key_id(tkeys[K_T1]),
                                      tuf_key_id(tkeys[K_T2]) };
                const char *snap[] = { tuf_key_id(tkeys[K_SNAP]) };
                const char *ts[] = { tuf_key_id(tkeys[K_TS]) };
                struct tuf_role_spec roles[_TUF_ROLE_MAX] = {
                        [TUF_ROLE_ROOT] = { tgt, 3, 2 },
                        [TUF_ROLE_TARGETS] = { tgt, 3, 2 },
                        [TUF_ROLE_SNAPSHOT] = { snap, 1, 1 },
                        [TUF_ROLE_TIMESTAMP] = { ts, 1, 1 },
                };
                json_t *s = tuf_build_root(1, 1893456000, false, tkeys, K_MAX, roles, &err);

                if (!s)
                        return -1;
                doc = tuf_metadata_wrap(s);
                json_decref(s);
        }
        return tuf_metadata_from_json("root.json", doc, TUF_ROLE_ROOT, &root, &err);
}

static int group_teardown(void **state) {
        (void) state;
        for (int i = 0; i < K_MAX; i++) {
                crypto_key_free(keys[i]);
                tuf_key_free(tkeys[i]);
        }
        tuf_metadata_free(root);
        return nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static const char data[] = "{\"_type\":\"targets\"}";

/* {"keyid": key's id, "sig": key's signature over data (or over `over`)} */
static json_t *sig_entry(int k, const char *over) {
        _cleanup_free_ char *sig = NULL;
        char keyid[TUF_KEYID_HEX_LEN];
        struct error err = { 0 };

        if (!over)
                over = data;
        assert_ok(tuf_sign_bytes(keys[k], over, strlen(over), keyid, &sig, &err), err);
        return json_pack("{s:s, s:s}", "keyid", keyid, "sig", sig);
}

static int verify(json_t *sigs, struct tuf_verify_result *res, struct error *err) {
        return tuf_verify_signatures(root, TUF_ROLE_TARGETS, data, strlen(data), sigs, res, err);
}

static void test_threshold(void **state) {
        _cleanup_json_ json_t *sigs = json_array();
        struct tuf_verify_result res;
        struct error err = { 0 };

        (void) state;
        assert_int_equal(verify(sigs, &res, &err), -1);
        assert_int_equal(err.kind, ERROR_UNAUTHENTICATED);
        assert_string_equal(err.msg, "targets signatures: 0 valid of threshold 2");
        json_array_append_new(sigs, sig_entry(K_T1, NULL));
        assert_int_equal(verify(sigs, &res, &err), -1);
        assert_string_equal(err.msg, "targets signatures: 1 valid of threshold 2");
        assert_int_equal(res.valid, 1);
        json_array_append_new(sigs, sig_entry(K_T2, NULL));
        assert_ok(verify(sigs, &res, &err), err);
        assert_int_equal(res.valid, 2);
        json_array_append_new(sigs, sig_entry(K_T0, NULL));
        assert_ok(verify(sigs, &res, &err), err);
        assert_int_equal(res.valid, 3);
        assert_int_equal(res.threshold, 2);
        /* The same signatures for another role with other keys: none count. */
        assert_int_equal(tuf_verify_signatures(root, TUF_ROLE_SNAPSHOT, data, strlen(data), sigs, &res, &err),
                         -1);
        assert_string_equal(err.msg, "snapshot signatures: 0 valid of threshold 1");
}

static void test_duplicate_keyid_counted_once(void **state) {
        _cleanup_json_ json_t *sigs = json_array();
        json_t *one = sig_entry(K_T0, NULL);
        struct tuf_verify_result res;
        struct error err = { 0 };

        (void) state;
        /* One key's valid signature, three times; and the same key again
         * with a second, different but also valid ECDSA signature. */
        json_array_append(sigs, one);
        json_array_append(sigs, one);
        json_array_append_new(sigs, one);
        json_array_append_new(sigs, sig_entry(K_T0, NULL));
        assert_int_equal(verify(sigs, &res, &err), -1);
        assert_int_equal(res.valid, 1);
        assert_string_equal(err.msg, "targets signatures: 1 valid of threshold 2");
}

static void test_other_and_unknown_keys_ignored(void **state) {
        _cleanup_json_ json_t *sigs = json_array();
        struct tuf_verify_result res;
        struct error err = { 0 };

        (void) state;
        /* Valid signatures by keys of other roles do not count, and are
         * not reported as failures either. */
        json_array_append_new(sigs, sig_entry(K_SNAP, NULL));
        json_array_append_new(sigs, sig_entry(K_TS, NULL));
        json_array_append_new(sigs, json_pack("{s:s, s:s}", "keyid",
                                              "0000000000000000000000000000000000000000000000000000000000000000",
                                              "sig", "00"));
        json_array_append_new(sigs, sig_entry(K_T2, NULL));
        assert_int_equal(verify(sigs, &res, &err), -1);
        assert_string_equal(err.msg, "targets signatures: 1 valid of threshold 2");
}

static void test_invalid_signatures(void **state) {
        _cleanup_json_ json_t *sigs = json_array();
        _cleanup_free_ char *expect = NULL;
        struct tuf_verify_result res;
        struct error err = { 0 };
        char short_id[9];

        (void) state;
        /* K_T1 signed other bytes; K_T0's entry is malformed in several
         * ways; none counts and none crashes. */
        json_array_append_new(sigs, sig_entry(K_T1, "other bytes"));
        json_array_append_new(sigs, json_pack("{s:s}", "keyid", tuf_key_id(tkeys[K_T0])));
        json_array_append_new(sigs, json_pack("{s:s, s:i}", "keyid", tuf_key_id(tkeys[K_T0]), "sig", 5));
        json_array_append_new(sigs, json_pack("{s:s, s:s}", "keyid", tuf_key_id(tkeys[K_T0]), "sig", "zz"));
        json_array_append_new(sigs, json_pack("{s:s, s:s}", "keyid", tuf_key_id(tkeys[K_T0]), "sig", ""));
        json_array_append_new(sigs, json_pack("{s:s, s:s}", "keyid", tuf_key_id(tkeys[K_T0]), "sig",
                                              "30060201010201"));
        json_array_append_new(sigs, json_string("not an object"));
        json_array_append_new(sigs, json_integer(3));
        json_array_append_new(sigs, json_null());
        assert_int_equal(verify(sigs, &res, &err), -1);
        assert_int_equal(res.valid, 0);
        memcpy(short_id, tuf_key_id(tkeys[K_T1]), 8);
        short_id[8] = '\0';
        expect = str_printf("targets signatures: 0 valid of threshold 2 (keyid %s...: signature does not "
                            "verify)",
                            short_id);
        assert_string_equal(err.msg, expect);

        /* A later good signature by the same key still counts. */
        json_array_append_new(sigs, sig_entry(K_T0, NULL));
        json_array_append_new(sigs, sig_entry(K_T1, NULL));
        assert_ok(verify(sigs, &res, &err), err);
        assert_int_equal(res.valid, 2);

        /* Not an array at all. */
        assert_int_equal(verify(NULL, &res, &err), -1);
        assert_string_equal(err.msg, "targets signatures: 0 valid of threshold 2");
}

static void test_verify_role_checks(void **state) {
        const char snap[] = "{\"signatures\":[],\"signed\":{\"_type\":\"snapshot\",\"spec_version\":\"1.0.31\","
                            "\"version\":1,\"expires\":\"2030-01-01T00:00:00Z\",\"meta\":{\"targets.json\":"
                            "{\"version\":1}}}}";
        _cleanup_(tuf_metadata_freep) struct tuf_metadata *md = NULL;
        struct error err = { 0 };

        (void) state;
        assert_ok(tuf_metadata_parse("snapshot.json", snap, strlen(snap), 0, TUF_ROLE_SNAPSHOT, &md, &err),
                  err);
        assert_int_equal(tuf_verify_role(root, TUF_ROLE_TARGETS, md, NULL, &err), -1);
        assert_string_equal(err.msg, "metadata of type snapshot given as targets");
        assert_int_equal(tuf_verify_role(root, TUF_ROLE_SNAPSHOT, md, NULL, &err), -1);
        assert_string_equal(err.msg, "snapshot signatures: 0 valid of threshold 1");
        /* Not a root. */
        assert_int_equal(tuf_verify_role(md, TUF_ROLE_SNAPSHOT, md, NULL, &err), -1);
        assert_int_equal(err.kind, ERROR_INTERNAL);
        assert_int_equal(tuf_verify_signatures(NULL, TUF_ROLE_ROOT, "", 0, NULL, NULL, &err), -1);
        assert_int_equal(tuf_verify_signatures(root, (enum tuf_role) 9, "", 0, NULL, NULL, &err), -1);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_threshold),
                cmocka_unit_test(test_duplicate_keyid_counted_once),
                cmocka_unit_test(test_other_and_unknown_keys_ignored),
                cmocka_unit_test(test_invalid_signatures),
                cmocka_unit_test(test_verify_role_checks),
        };
        return cmocka_run_group_tests(tests, group_setup, group_teardown);
}

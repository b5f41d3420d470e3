/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Key separation (tuf/keysep.h, issue 7 finding 1): two roots share a key
 * when they hold the same key material, whatever its keyid or spelling;
 * online roles never share a key with offline roles; x-cradle-repository is
 * checked. Roots are written as JSON here, so each spelling is exact.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>

#include "core/cleanup.h"
#include "core/json.h"
#include "core/strutil.h"
#include "tuf/keysep.h"
#include "tuf/metadata.h"

#define assert_ok(call, e)                                                               \
        do {                                                                             \
                if ((call) < 0)                                                          \
                        fail_msg("%s failed: %s", #call, (e).msg);                       \
        } while (0)
#define assert_error_contains(e, s)                                                      \
        do {                                                                             \
                if (!strstr((e).msg, (s)))                                               \
                        fail_msg("error \"%s\" does not contain \"%s\"", (e).msg, (s));  \
        } while (0)

enum { K_A, K_B, K_C, K_D, K_P256, K_MAX };
static json_t *key_json[K_MAX];

/* A new key's TUF object: Ed25519 (hex) or P-256 (PEM). */
static json_t *new_key(gnutls_pk_algorithm_t alg, unsigned bits) {
        gnutls_privkey_t priv;
        gnutls_pubkey_t pub;
        struct tuf_key *k = NULL;
        struct error err = { 0 };
        json_t *j;

        assert_int_equal(gnutls_privkey_init(&priv), 0);
        assert_int_equal(gnutls_privkey_generate2(priv, alg, bits, 0, NULL, 0), 0);
        assert_int_equal(gnutls_pubkey_init(&pub), 0);
        assert_int_equal(gnutls_pubkey_import_privkey(pub, priv, 0, 0), 0);
        assert_ok(tuf_key_from_pubkey(pub, &k, &err), err);
        j = json_deep_copy(tuf_key_json(k));
        tuf_key_free(k);
        gnutls_pubkey_deinit(pub);
        gnutls_privkey_deinit(priv);
        return j;
}

static int group_setup(void **state) {
        (void) state;
        for (int i = K_A; i <= K_D; i++)
                key_json[i] = new_key(GNUTLS_PK_EDDSA_ED25519, 256);
        key_json[K_P256] = new_key(GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1));
        return 0;
}

static int group_teardown(void **state) {
        (void) state;
        for (int i = 0; i < K_MAX; i++)
                json_decref(key_json[i]);
        return 0;
}

struct role_keys {
        const json_t *keys[4];
};

/* A root listing the given key objects for root, targets, snapshot and
 * timestamp (threshold 1 each); each distinct object once in "keys".
 * x-cradle-repository `repository` when not NULL. */
static struct tuf_metadata *root_of(const json_t *const roles[4][2], const char *repository) {
        json_t *keys = json_object(), *rl = json_object();
        static const char *const names[4] = { "root", "targets", "snapshot", "timestamp" };
        struct tuf_metadata *md = NULL;
        struct error err = { 0 };

        for (int r = 0; r < 4; r++) {
                json_t *ids = json_array();
                for (int i = 0; i < 2 && roles[r][i]; i++) {
                        char keyid[TUF_KEYID_HEX_LEN];
                        assert_ok(tuf_keyid_compute((json_t *) roles[r][i], keyid, &err), err);
                        json_object_set_new(keys, keyid, json_deep_copy(roles[r][i]));
                        json_array_append_new(ids, json_string(keyid));
                }
                json_object_set_new(rl, names[r], json_pack("{s:o, s:i}", "keyids", ids, "threshold", 1));
        }
        json_t *s = json_pack("{s:s, s:s, s:i, s:s, s:b, s:o, s:o}", "_type", "root", "spec_version", "1.0.31",
                              "version", 1, "expires", "2099-01-01T00:00:00Z", "consistent_snapshot", 1, "keys",
                              keys, "roles", rl);
        if (repository)
                json_object_set_new(s, TUF_ROOT_REPOSITORY_FIELD, json_string(repository));
        _cleanup_json_ json_t *doc = json_pack("{s:o, s:[]}", "signed", s, "signatures");
        if (tuf_metadata_from_json("root.json", doc, TUF_ROLE_ROOT, &md, &err) < 0)
                fail_msg("root does not parse: %s", err.msg);
        return md;
}

/* The same key spelled the legacy way (an extra member: another keyid). */
static json_t *legacy_spelling(const json_t *key) {
        json_t *j = json_deep_copy(key);
        json_object_set_new(j, "keyid_hash_algorithms", json_pack("[s, s]", "sha256", "sha512"));
        return j;
}

static void shared_key_found_by_material_not_keyid(void **state) {
        _cleanup_json_ json_t *a_legacy = legacy_spelling(key_json[K_A]);
        _cleanup_json_ json_t *p256_old = json_deep_copy(key_json[K_P256]);
        const struct tuf_key *ka = NULL, *kb = NULL;
        struct error err = { 0 };

        (void) state;
        /* An image root and a director root; the director's root key is the
         * image root key under another keyid. */
        const json_t *image[4][2] = { { key_json[K_A] }, { key_json[K_B] }, { key_json[K_C] }, { key_json[K_D] } };
        const json_t *director[4][2] = { { a_legacy }, { key_json[K_P256] }, { key_json[K_P256] }, { key_json[K_P256] } };
        _cleanup_tuf_metadata_ struct tuf_metadata *im = root_of(image, NULL), *dr = root_of(director, NULL);

        assert_true(tuf_roots_shared_key(dr, im, &ka, &kb));
        assert_string_not_equal(tuf_key_id(ka), tuf_key_id(kb));
        assert_int_equal(tuf_root_check_disjoint("director root", dr, "the image root", im, &err), -1);
        assert_int_equal(err.kind, ERROR_FORBIDDEN);
        assert_error_contains(err, "director root shares key");
        assert_error_contains(err, "(root) with the image root");

        /* P-256 under the securesystemslib keytype "ecdsa-sha2-nistp256". */
        json_object_set_new(p256_old, "keytype", json_string("ecdsa-sha2-nistp256"));
        const json_t *image2[4][2] = { { key_json[K_C] }, { key_json[K_B] }, { p256_old }, { key_json[K_D] } };
        _cleanup_tuf_metadata_ struct tuf_metadata *im2 = root_of(image2, NULL);
        assert_true(tuf_roots_shared_key(im2, dr, NULL, NULL));
        assert_int_equal(tuf_root_check_disjoint("image root", im2, "the director root", dr, &err), -1);
        assert_error_contains(err, "(snapshot) with the director root");
        assert_error_contains(err, "targets, snapshot, timestamp)");

        /* Disjoint roots pass. */
        const json_t *director2[4][2] = { { key_json[K_P256] }, { key_json[K_C] }, { key_json[K_C] }, { key_json[K_C] } };
        _cleanup_tuf_metadata_ struct tuf_metadata *dr2 = root_of(director2, NULL);
        const json_t *image4[4][2] = { { key_json[K_A] }, { key_json[K_B] }, { key_json[K_D] }, { key_json[K_D] } };
        _cleanup_tuf_metadata_ struct tuf_metadata *im4 = root_of(image4, NULL);
        assert_false(tuf_roots_shared_key(im4, dr2, NULL, NULL));
        assert_ok(tuf_root_check_disjoint("image root", im4, "the director root", dr2, &err), err);
}

static void online_and_offline_roles_never_share(void **state) {
        struct error err = { 0 };

        (void) state;
        /* Image repository: the timestamp key is a targets key. */
        const json_t *bad[4][2] = { { key_json[K_A] }, { key_json[K_B] }, { key_json[K_C] }, { key_json[K_B] } };
        _cleanup_tuf_metadata_ struct tuf_metadata *r1 = root_of(bad, NULL);
        assert_int_equal(tuf_root_check_role_separation("2.root.json", r1, TUF_IMAGE_OFFLINE_ROLES, &err), -1);
        assert_error_contains(err, "2.root.json: key ");
        assert_error_contains(err, "is listed by the offline and the online roles (targets, timestamp)");
        /* ... root and targets sharing a key are both offline: allowed. */
        const json_t *offline[4][2] = { { key_json[K_A] }, { key_json[K_A] }, { key_json[K_C] }, { key_json[K_D] } };
        _cleanup_tuf_metadata_ struct tuf_metadata *r2 = root_of(offline, NULL);
        assert_ok(tuf_root_check_role_separation("r", r2, TUF_IMAGE_OFFLINE_ROLES, &err), err);
        /* Director: targets is online, so root and targets may not share. */
        assert_int_equal(tuf_root_check_role_separation("director", r2, TUF_DIRECTOR_OFFLINE_ROLES, &err), -1);
        assert_error_contains(err, "(root, targets)");
        /* Director: one online key for targets, snapshot, timestamp is fine. */
        const json_t *dir[4][2] = { { key_json[K_A] }, { key_json[K_B] }, { key_json[K_B] }, { key_json[K_B] } };
        _cleanup_tuf_metadata_ struct tuf_metadata *r3 = root_of(dir, NULL);
        assert_ok(tuf_root_check_role_separation("director", r3, TUF_DIRECTOR_OFFLINE_ROLES, &err), err);
}

static void repository_statement_is_checked(void **state) {
        struct error err = { 0 };
        const json_t *roles[4][2] = { { key_json[K_A] }, { key_json[K_B] }, { key_json[K_C] }, { key_json[K_D] } };

        (void) state;
        _cleanup_tuf_metadata_ struct tuf_metadata *bare = root_of(roles, NULL);
        _cleanup_tuf_metadata_ struct tuf_metadata *dir = root_of(roles, "director");
        _cleanup_tuf_metadata_ struct tuf_metadata *img = root_of(roles, "image:T1-EU");

        assert_string_equal(img->root.repository, "image:T1-EU");
        assert_ok(tuf_root_check_repository("r", img, "image:T1-EU", true, &err), err);
        assert_ok(tuf_root_check_repository("r", bare, "image:T1-EU", false, &err), err);
        assert_int_equal(tuf_root_check_repository("2.root.json", bare, "image:T1-EU", true, &err), -1);
        assert_error_contains(err, "2.root.json: no x-cradle-repository");
        assert_int_equal(tuf_root_check_repository("2.root.json", dir, "image:T1-EU", false, &err), -1);
        assert_string_equal(err.msg, "2.root.json is the root of repository 'director', not of 'image:T1-EU' "
                                     "(a root of another repository replayed?)");
        assert_int_equal(tuf_root_check_repository("2.root.json", img, "image:T2-US", false, &err), -1);
        assert_error_contains(err, "'image:T1-EU', not of 'image:T2-US'");
}

static void repository_statement_form(void **state) {
        struct error err = { 0 };
        const json_t *roles[4][2] = { { key_json[K_A] }, { key_json[K_B] }, { key_json[K_C] }, { key_json[K_D] } };
        struct tuf_metadata *md = NULL;

        (void) state;
        _cleanup_tuf_metadata_ struct tuf_metadata *ok = root_of(roles, "image:T1-EU");
        _cleanup_json_ json_t *doc = json_deep_copy(ok->doc);
        json_object_set_new(json_object_get(doc, "signed"), TUF_ROOT_REPOSITORY_FIELD, json_string("image: T1"));
        assert_int_equal(tuf_metadata_from_json("r.json", doc, TUF_ROLE_ROOT, &md, &err), -1);
        assert_error_contains(err, "r.json: signed.x-cradle-repository 'image: T1' must be printable ASCII without spaces");
        json_object_set_new(json_object_get(doc, "signed"), TUF_ROOT_REPOSITORY_FIELD, json_integer(1));
        assert_int_equal(tuf_metadata_from_json("r.json", doc, TUF_ROLE_ROOT, &md, &err), -1);
        assert_error_contains(err, "x-cradle-repository");
        /* Other unknown fields stay refused. */
        json_object_del(json_object_get(doc, "signed"), TUF_ROOT_REPOSITORY_FIELD);
        json_object_set_new(json_object_get(doc, "signed"), "x-other", json_string("x"));
        assert_int_equal(tuf_metadata_from_json("r.json", doc, TUF_ROLE_ROOT, &md, &err), -1);
        assert_error_contains(err, "unknown field 'x-other'");
}

/* A key of an unsupported type has no known material: never "shared". */
static void unsupported_keys_are_not_compared(void **state) {
        _cleanup_json_ json_t *rsa = json_pack("{s:s, s:s, s:{s:s}}", "keytype", "rsa", "scheme", "rsassa-pss-sha256",
                                               "keyval", "public", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n");
        const json_t *a[4][2] = { { key_json[K_A], rsa }, { key_json[K_B] }, { key_json[K_C] }, { key_json[K_D] } };
        const json_t *b[4][2] = { { key_json[K_P256], rsa }, { key_json[K_P256] }, { key_json[K_P256] }, { key_json[K_P256] } };

        (void) state;
        _cleanup_tuf_metadata_ struct tuf_metadata *ra = root_of(a, NULL), *rb = root_of(b, NULL);
        assert_int_equal(ra->root.n_keys, 5);
        assert_false(tuf_roots_shared_key(ra, rb, NULL, NULL));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(shared_key_found_by_material_not_keyid),
                cmocka_unit_test(online_and_offline_roles_never_share),
                cmocka_unit_test(repository_statement_is_checked),
                cmocka_unit_test(repository_statement_form),
                cmocka_unit_test(unsupported_keys_are_not_compared),
        };
        return cmocka_run_group_tests(tests, group_setup, group_teardown);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Encrypted images on the server (release/encrypt.h): an encrypted upload
 * stores only the container, the content key sealed under the KEK (never in
 * clear in the database), registered in the key registry; refused without a
 * KEK; the sealed key does not open in another row's context; KEK rotation
 * re-seals every content key, resumably.
 */
#include "testutil-ota.h"

#include "crypto/ota-crypt.h"
#include "release/encrypt.h"
#include "secret/kek.h"

static struct kek *kek_in(struct ota_fx *f, const char *name) {
        struct error err = { 0 };
        _cleanup_free_ char *path = tdir_path(f->t, name);
        struct kek *k = NULL;
        if (kek_generate_file(path, &err) < 0 || kek_load(path, &k, &err) < 0)
                fail_msg("KEK: %s", err.msg);
        return k;
}

static const char PLAIN[] = "root file system 2.0.0, to be encrypted";

static int64_t encrypted_draft(struct ota_fx *f, json_t **image, struct error *err) {
        json_t *out = NULL;
        json_t *body = json_pack("{s:s, s:s, s:I, s:[s]}", "product", OTA_FX_MODEL, "version", "2.0.0",
                                 "security_version", (json_int_t) 2, "hardware_revisions", "r2");
        ota_fx_ok(release_create(&f->c, &ota_fx_actor, body, &out, err), *err);
        json_decref(body);
        int64_t id = json_integer_value(json_object_get(out, "id"));
        json_decref(out);
        struct release_upload up;
        char *path = ota_fx_upload(f, PLAIN, strlen(PLAIN), &up);
        int r = release_add_image_opts(&f->c, &ota_fx_actor, id, "rootfs.img", &up, true, &out, err);
        unlink(path);
        free(path);
        if (r < 0)
                return -1;
        *image = json_incref(json_array_get(json_object_get(out, "images"), 0));
        json_decref(out);
        return id;
}

static void stores_the_container_and_a_sealed_key(void **state) {
        (void) state;
        struct ota_fx *f = ota_fx_new(1798761600);
        struct kek *k = kek_in(f, "kek.key");
        kek_set_default(k);
        struct error err = { 0 };
        json_t *img = NULL;
        int64_t id = encrypted_draft(f, &img, &err);
        if (id < 0)
                fail_msg("%s", err.msg);
        const char *sha = json_string_value(json_object_get(img, "sha256"));
        char plain_hex[SHA256_HEX_LEN];
        hash_sha256_hex(PLAIN, strlen(PLAIN), plain_hex);
        assert_string_not_equal(sha, plain_hex);
        assert_string_equal(json_string_value(json_object_get(json_object_get(img, "encryption"), "plaintext_sha256")),
                            plain_hex);
        assert_int_equal(json_integer_value(json_object_get(img, "length")), 32 + 16 + strlen(PLAIN));
        /* The stored file is the container; its key opens only in its own context. */
        struct store_image_encryption e;
        bool found = false;
        ota_fx_ok(store_image_encryption_get(f->s, sha, &e, &found, &err), err);
        assert_true(found);
        assert_non_null(strstr(e.content_key_sealed, "kek1:"));
        uint8_t key[OTA_CRYPT_KEY_LEN];
        ota_fx_ok(release_content_key_open(&e, key, &err), err);
        e.release_id++;
        assert_int_equal(release_content_key_open(&e, key, &err), -1);
        e.release_id--;
        /* Nothing of the key in the database file: not raw, not hex. */
        char key_hex[2 * OTA_CRYPT_KEY_LEN + 1];
        hex_encode(key, sizeof(key), key_hex);
        const char *db = f->t->db;
        _cleanup_free_ char *wal = str_printf("%s-wal", db);
        const char *files[] = { db, wal };
        for (size_t i = 0; i < 2; i++) {
                size_t db_len = 0;
                _cleanup_free_ unsigned char *bytes = read_file_bytes(files[i], &db_len);
                if (!bytes)
                        continue;
                assert_false(mem_contains(bytes, db_len, key, sizeof(key)));
                assert_false(mem_contains(bytes, db_len, key_hex, strlen(key_hex)));
        }
        /* Registered: class ota-encryption, sealed, by the container's hash. */
        _cleanup_free_ char *q = str_printf("SELECT COUNT(*) FROM keys WHERE class = 'ota-encryption' AND storage = "
                                            "'sealed' AND fingerprint = '%s'",
                                            sha);
        assert_int_equal(raw_int(db, q), 1);
        /* KEK rotation re-seals it; a second run changes nothing. */
        struct kek *k2 = kek_in(f, "kek2.key");
        size_t n = 0;
        ota_fx_ok(release_content_keys_reseal(f->s, &ota_fx_actor, k, k2, &n, &err), err);
        assert_int_equal(n, 1);
        ota_fx_ok(release_content_keys_reseal(f->s, &ota_fx_actor, k, k2, &n, &err), err);
        assert_int_equal(n, 0);
        store_image_encryption_clear(&e);
        ota_fx_ok(store_image_encryption_get(f->s, sha, &e, &found, &err), err);
        uint8_t key2[OTA_CRYPT_KEY_LEN];
        assert_int_equal(release_content_key_open(&e, key2, &err), -1); /* the old KEK no longer opens it */
        kek_set_default(k2);
        ota_fx_ok(release_content_key_open(&e, key2, &err), err);
        assert_memory_equal(key, key2, sizeof(key));
        kek_set_default(NULL);
        store_image_encryption_clear(&e);
        json_decref(img);
        kek_free(k);
        kek_free(k2);
        ota_fx_free(f);
}

static void refused_without_a_kek(void **state) {
        (void) state;
        struct ota_fx *f = ota_fx_new(1798761600);
        kek_set_default(NULL);
        struct error err = { 0 };
        json_t *img = NULL;
        assert_int_equal(encrypted_draft(f, &img, &err), -1);
        assert_int_equal(err.kind, ERROR_CONFLICT);
        assert_non_null(strstr(err.msg, "[kek] ref"));
        const char *db = f->t->db;
        assert_int_equal(raw_int(db, "SELECT COUNT(*) FROM image_encryption"), 0);
        assert_int_equal(raw_int(db, "SELECT COUNT(*) FROM release_images"), 0);
        ota_fx_free(f);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(stores_the_container_and_a_sealed_key),
                cmocka_unit_test(refused_without_a_kek),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: Apache-2.0 */
#include "release/encrypt.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/fileio.h"
#include "core/strutil.h"
#include "crypto/ct.h"
#include "crypto/random.h"
#include "release/release.h"
#include "secret/kek.h"
#include "audit/audit.h"
#include "core/json.h"

int release_encryption_available(struct error *err) {
        if (!kek_default())
                return error_set(err, ERROR_CONFLICT,
                                 "encrypted images need the server's key-encryption key, which seals their content "
                                 "keys: set [kek] ref in cradled.conf (docs/keys.md)");
        return 0;
}

int release_encrypt_upload(const struct ota_ctx *c, const struct release_upload *plain,
                           struct release_upload *container, char **container_path,
                           uint8_t key[OTA_CRYPT_KEY_LEN], struct ota_crypt_result *res, struct error *err) {
        *container_path = NULL;
        _cleanup_free_ char *dir = path_join(c->data_dir, RELEASE_UPLOAD_DIR);
        if (dir_create(dir, 0700, err) < 0)
                return -1;
        if (random_bytes(key, OTA_CRYPT_KEY_LEN, err) < 0)
                return -1;
        char *path = str_printf("%s/" RELEASE_ENCRYPT_TEMP_PREFIX "XXXXXX", dir); /* mkstemp template */
        int fd = mkstemp(path);
        if (fd < 0) {
                int e = errno;
                free(path);
                return error_set_errno(err, ERROR_IO, e, "creating a temp file in %s", dir);
        }
        int r = ota_crypt_encrypt_file(key, OTA_CRYPT_CHUNK_DEFAULT, plain->path, fd, res, err);
        if (r == 0 && fsync(fd) < 0)
                r = error_set_errno(err, ERROR_IO, errno, "syncing %s", path);
        close(fd);
        if (r == 0 && (int64_t) res->plain_length != plain->length)
                r = error_set(err, ERROR_IO, "the upload changed while it was encrypted");
        if (r < 0) {
                unlink(path);
                free(path);
                ct_wipe(key, OTA_CRYPT_KEY_LEN);
                return -1;
        }
        container->path = path;
        container->length = (int64_t) res->cipher_length;
        memcpy(container->sha256, res->cipher_sha256, SHA256_LEN);
        *container_path = path;
        return 0;
}

char *release_content_key_context(int64_t release_id, const char *container_sha256_hex) {
        return str_printf("ota-content-key:release:%lld:%s", (long long) release_id, container_sha256_hex);
}

int release_content_key_seal(int64_t release_id, const char *container_sha256_hex,
                             const uint8_t key[OTA_CRYPT_KEY_LEN], char **sealed, struct error *err) {
        if (release_encryption_available(err) < 0)
                return -1;
        _cleanup_free_ char *ctx = release_content_key_context(release_id, container_sha256_hex);
        return kek_seal(kek_default(), ctx, key, OTA_CRYPT_KEY_LEN, sealed, err);
}

int release_content_key_open(const struct store_image_encryption *e, uint8_t key[OTA_CRYPT_KEY_LEN],
                             struct error *err) {
        if (release_encryption_available(err) < 0)
                return -1;
        _cleanup_free_ char *ctx = release_content_key_context(e->release_id, e->sha256);
        uint8_t *secret = NULL;
        size_t n = 0;
        if (kek_open(kek_default(), ctx, e->content_key_sealed, &secret, &n, err) < 0)
                return error_prefix(err, "the content key of image %.16s...: ", e->sha256);
        if (n != OTA_CRYPT_KEY_LEN) {
                ct_wipe(secret, n);
                free(secret);
                return error_set(err, ERROR_DB, "the content key of image %.16s... is %zu bytes, not %d", e->sha256,
                                 n, OTA_CRYPT_KEY_LEN);
        }
        memcpy(key, secret, OTA_CRYPT_KEY_LEN);
        ct_wipe(secret, n);
        free(secret);
        return 0;
}

json_t *release_encryption_custom(const struct store_image_encryption *e) {
        return json_pack("{s:s, s:s, s:I, s:I}", "scheme", e->scheme, "plaintext_sha256", e->plain_sha256,
                         "plaintext_length", (json_int_t) e->plain_length, "chunk_size", (json_int_t) e->chunk_size);
}

/* One key: opened under `from`, sealed under `to`, stored and audited in one
 * transaction. *changed false when it is sealed under `to` already. */
static int reseal_one(struct store *s, const struct audit_actor *a, const struct kek *from, const struct kek *to,
                      const char *sha256, bool *changed, struct error *err) {
        struct store_image_encryption e = { 0 };
        _cleanup_free_ char *ctx = NULL, *sealed = NULL, *object = NULL;
        _cleanup_json_ json_t *details = NULL;
        char fp[KEK_FINGERPRINT_HEX + 1];
        uint8_t *blob = NULL, *secret = NULL;
        size_t blob_len = 0, n = 0;
        bool found = false;
        *changed = false;
        if (store_tx_begin(s, err) < 0)
                return -1;
        if (store_image_encryption_get(s, sha256, &e, &found, err) < 0)
                goto fail;
        if (!found)
                goto done;
        if (kek_sealed_parse(e.content_key_sealed, fp, &blob, &blob_len, err) < 0) {
                error_prefix(err, "the content key of image %.16s...: ", sha256);
                goto fail;
        }
        free(blob);
        if (strcmp(fp, kek_fingerprint(to)) == 0)
                goto done; /* a resumed rotation: this one is done */
        ctx = release_content_key_context(e.release_id, e.sha256);
        if (kek_open(from, ctx, e.content_key_sealed, &secret, &n, err) < 0) {
                error_prefix(err, "the content key of image %.16s...: ", sha256);
                goto fail;
        }
        int r = kek_seal(to, ctx, secret, n, &sealed, err);
        ct_wipe(secret, n);
        free(secret);
        if (r < 0 || store_image_encryption_set_sealed(s, sha256, sealed, err) < 0)
                goto fail;
        details = json_pack("{s:s, s:s, s:I}", "from", kek_fingerprint(from), "to", kek_fingerprint(to), "release_id",
                            (json_int_t) e.release_id);
        object = str_printf("image:%s", sha256);
        if (audit_append(s, a, "release.content-key.resealed", object, details, err) < 0)
                goto fail;
        *changed = true;
done:
        store_image_encryption_clear(&e);
        return store_tx_commit(s, err);
fail:
        store_image_encryption_clear(&e);
        store_tx_rollback(s);
        return -1;
}

int release_content_keys_reseal(struct store *s, const struct audit_actor *a, const struct kek *from,
                                const struct kek *to, size_t *resealed, struct error *err) {
        *resealed = 0;
        if (!from || !to)
                return error_set(err, ERROR_INVALID, "re-sealing content keys needs the current KEK and the new one");
        char (*list)[65] = NULL;
        size_t n = 0;
        if (store_image_encryption_list(s, &list, &n, err) < 0)
                return -1;
        int rc = 0;
        for (size_t i = 0; i < n && rc == 0; i++) {
                bool changed = false;
                rc = reseal_one(s, a, from, to, list[i], &changed, err);
                *resealed += changed;
        }
        free(list);
        return rc;
}

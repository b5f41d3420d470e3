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
        _cleanup_free_ char *dir = path_join(c->data_dir, "tmp");
        if (dir_create(dir, 0700, err) < 0)
                return -1;
        if (random_bytes(key, OTA_CRYPT_KEY_LEN, err) < 0)
                return -1;
        char *path = str_printf("%s/encrypt.XXXXXX", dir);
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

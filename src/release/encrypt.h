/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * Encrypted images on the server (docs/ota.md, "Encrypted payloads"): an
 * image uploaded with encryption is stored only as its container
 * (crypto/ota-crypt.h) under a fresh random content key; the key is stored
 * sealed under the server KEK (secret/kek.h) with the context
 * "ota-content-key:release:<id>:<container sha256>", so a sealed key copied
 * to another row does not open; the director opens it to wrap it per device
 * (crypto/ota-wrap.h).
 */
#include <jansson.h>
#include <stdint.h>
#include "core/error.h"
#include "crypto/ota-crypt.h"
#include "release/ota.h"
#include "store/store-ota-encryption.h"

struct release_upload;

/* The directory under the data directory that holds uploads in transit (the
 * server streams request bodies there too), and the name prefix of every
 * file in it: cradled removes "upload-*" files an earlier run left behind
 * (a crash mid-upload or mid-encryption), so the containers begin with it. */
#define RELEASE_UPLOAD_DIR "tmp"
#define RELEASE_UPLOAD_PREFIX "upload-"
#define RELEASE_ENCRYPT_TEMP_PREFIX RELEASE_UPLOAD_PREFIX "encrypt-"

/* Encrypts the plaintext upload into a new file under <data>/tmp (never
 * reading it whole). *container: the container as an upload (path heap,
 * the caller removes the file and frees the path). key: the fresh content
 * key (the caller wipes it). */
int release_encrypt_upload(const struct ota_ctx *c, const struct release_upload *plain,
                           struct release_upload *container, char **container_path,
                           uint8_t key[OTA_CRYPT_KEY_LEN], struct ota_crypt_result *res, struct error *err);

/* ERROR_CONFLICT naming the setting when cradled has no KEK: encrypted
 * images need one (checked before any work). */
int release_encryption_available(struct error *err);

/* The KEK context of an image's content key (heap). */
char *release_content_key_context(int64_t release_id, const char *container_sha256_hex);
int release_content_key_seal(int64_t release_id, const char *container_sha256_hex,
                             const uint8_t key[OTA_CRYPT_KEY_LEN], char **sealed, struct error *err);
/* Opens the row's sealed content key with the KEK. */
int release_content_key_open(const struct store_image_encryption *e, uint8_t key[OTA_CRYPT_KEY_LEN],
                             struct error *err);

/* KEK rotation: every content key sealed under `from` is sealed again under
 * `to` (one transaction per key, each audited "release.content-key.resealed"
 * by `a`). Idempotent and resumable: a key already sealed under `to` is left
 * alone. *resealed counts the keys changed now. A key that opens under
 * neither is ERROR_CRYPTO naming the image. cradled kek-rotate (secret/)
 * calls it beside the batch keys and key files. */
struct kek;
struct audit_actor;
int release_content_keys_reseal(struct store *s, const struct audit_actor *a, const struct kek *from,
                                const struct kek *to, size_t *resealed, struct error *err);

/* The target custom "encryption" both repositories carry:
 * {"scheme", "plaintext_sha256", "plaintext_length", "chunk_size"}. */
json_t *release_encryption_custom(const struct store_image_encryption *e);

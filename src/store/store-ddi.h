/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * hawkBit DDI rows (schema version 7): per-device TargetTokens (hashed),
 * the SHA-1/MD5 digests of stored images, per-action feedback quotas and
 * the devices' configData attributes.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "crypto/hash.h"
#include "store/store.h"

/* ---- TargetTokens: one per device; put replaces ---- */
int store_ddi_token_put(struct store *s, int64_t device_id, const char secret_sha256_hex[SHA256_HEX_LEN],
                        int64_t now, const char *created_by, struct error *err);
/* *found false when the device has none. */
int store_ddi_token_get(struct store *s, int64_t device_id, char secret_sha256_hex[SHA256_HEX_LEN], bool *found,
                        struct error *err);
/* *removed false when there was none. */
int store_ddi_token_delete(struct store *s, int64_t device_id, bool *removed, struct error *err);

/* ---- image digests (lowercase hex) ---- */
#define STORE_SHA1_HEX_LEN 41
#define STORE_MD5_HEX_LEN 33
int store_image_digests_get(struct store *s, const char *sha256, char sha1[STORE_SHA1_HEX_LEN],
                            char md5[STORE_MD5_HEX_LEN], bool *found, struct error *err);
/* Inserts, or keeps the row already there (the digests of one file never change). */
int store_image_digests_put(struct store *s, const char *sha256, const char *sha1, const char *md5,
                            struct error *err);

/* ---- per-action feedback counters ---- */
int store_ddi_quota_get(struct store *s, int64_t action_id, int64_t *feedback, int64_t *detail_lines,
                        struct error *err);
int store_ddi_quota_add(struct store *s, int64_t action_id, int64_t feedback, int64_t detail_lines,
                        struct error *err);

/* ---- configData ---- */
struct store_ddi_attr {
        char *key;
        char *value;
        int64_t updated_at;
};
/* Sorted by key. */
int store_ddi_config_list(struct store *s, int64_t device_id, struct store_ddi_attr **out, size_t *n,
                          struct error *err);
void store_ddi_config_free(struct store_ddi_attr *list, size_t n);
int store_ddi_config_put(struct store *s, int64_t device_id, const char *key, const char *value, int64_t now,
                         struct error *err);
int store_ddi_config_delete(struct store *s, int64_t device_id, const char *key, struct error *err);
int store_ddi_config_clear(struct store *s, int64_t device_id, struct error *err);

/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * Encrypted images (release/encrypt.h, docs/ota.md "Encrypted payloads"):
 * one row per encrypted container, by its SHA-256. The content key is only
 * ever stored sealed under the server KEK.
 */
#include <stdbool.h>
#include <stdint.h>
#include "core/error.h"
#include "store/store.h"

struct store_image_encryption {
        char sha256[65];             /* the container (images.sha256) */
        int64_t release_id;
        char *scheme;
        int64_t chunk_size;
        char plain_sha256[65];
        int64_t plain_length;
        char *content_key_sealed;
        int64_t created_at;
};

int store_image_encryption_put(struct store *s, const struct store_image_encryption *e, struct error *err);
/* *found false when the image is not encrypted. */
int store_image_encryption_get(struct store *s, const char *sha256, struct store_image_encryption *out, bool *found,
                               struct error *err);
void store_image_encryption_clear(struct store_image_encryption *e);
/* The container hashes of every encrypted image, oldest first (heap array of
 * 65-byte strings). */
int store_image_encryption_list(struct store *s, char (**sha256s)[65], size_t *n, struct error *err);
int store_image_encryption_set_sealed(struct store *s, const char *sha256, const char *sealed, struct error *err);

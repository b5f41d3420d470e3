/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * The content-addressed file store: every image (and SBOM) is kept once, as
 * <data>/images/<sha256>, whoever uploads it and however many releases
 * carry it. Files only; the rows are store/store-release.h's.
 *
 * A streamed upload arrives as a temp file in <data>/tmp that the transport
 * owns and removes. image_store_put fsyncs it and hard-links it into place
 * (same file system, so no copy), then fsyncs the directory: once it returns
 * the image survives a power cut, and the caller's temp file is still the
 * caller's to unlink.
 */
#include <stdbool.h>
#include <stdint.h>
#include "core/error.h"
#include "crypto/hash.h"

#define IMAGE_STORE_DIR "images"
#define IMAGE_NAME_MAX 100

/* <data>/images/<sha256> (heap). */
char *image_store_path(const char *data_dir, const char *sha256_hex);

/* Stores src_path as images/<sha256> unless a file of that length is there
 * already (*created false). */
int image_store_put(const char *data_dir, const char *src_path, const char *sha256_hex, int64_t length,
                    bool *created, struct error *err);
/* Removes images/<sha256>; a file already gone is fine. */
int image_store_remove(const char *data_dir, const char *sha256_hex, struct error *err);

/* Streams a file through SHA-256 (never reads it whole into memory). */
int image_store_hash_file(const char *path, uint8_t sha256[SHA256_LEN], int64_t *length,
                          struct error *err);

/* Image (and target file) names: 1..100 of [A-Za-z0-9._-], not starting
 * with '.'. They become file names and URL segments. */
bool image_name_valid(const char *name);
/* Lowercase hex SHA-256: exactly 64 of [0-9a-f]. */
bool image_sha256_hex_valid(const char *s);

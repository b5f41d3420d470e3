/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include "core/error.h"

#define SHA256_LEN 32
#define SHA256_HEX_LEN 65

void hash_sha256(const void *data, size_t len, uint8_t out[SHA256_LEN]);
void hash_sha256_hex(const void *data, size_t len, char out[SHA256_HEX_LEN]);

/* Streaming SHA-256 (for uploads and downloads). */
struct hash_sha256_ctx;
struct hash_sha256_ctx *hash_sha256_new(void);
void hash_sha256_update(struct hash_sha256_ctx *c, const void *data, size_t len);
void hash_sha256_final(struct hash_sha256_ctx *c, uint8_t out[SHA256_LEN]); /* frees c */

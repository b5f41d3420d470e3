/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * Encrypted update payloads: the chunked AES-256-GCM container
 * (docs/ota.md, "Encrypted payloads"). Device half of libcradle: the server
 * encrypts with it, cradle-agent decrypts with it while writing the slot.
 *
 * File = header (32 bytes) || chunk 0 || ... || chunk n-1, chunk i =
 * AES-256-GCM(content key, nonce_i, aad = header, plaintext_i) || tag (16).
 *
 *   header: "CRDOTAE1" | chunk size (u32 BE) | nonce prefix (7 random bytes)
 *           | 0x00 | plaintext length (u64 BE) | 4 zero bytes
 *   nonce_i = nonce prefix (7) | i (u32 BE) | 0x01 for the last chunk, else 0x00
 *   n = ceil(plaintext length / chunk size), at least 1 (an empty file is one
 *   empty last chunk); every chunk but the last holds exactly chunk size bytes.
 *
 * Why each part: the header is the associated data of every chunk, so a
 * changed chunk size or length fails the first tag; the index in the nonce
 * makes a reordered or swapped chunk fail its tag; the last-chunk flag and
 * the length make a truncated file fail (a cut at a chunk boundary leaves a
 * chunk that was not sealed as the last one). A chunk's plaintext is released
 * only after its tag verified. Chunk i sits at a fixed offset
 * (ota_crypt_chunk_offset), so a resumed download can be decrypted from any
 * chunk boundary. The content key is random per image and used for that one
 * file, so the 7-byte random prefix only separates files under one key.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/error.h"
#include "crypto/hash.h"

#define OTA_CRYPT_SCHEME "cradle-aes256gcm-chunked-v1"
#define OTA_CRYPT_MAGIC "CRDOTAE1"
#define OTA_CRYPT_KEY_LEN 32
#define OTA_CRYPT_HEADER_LEN 32
#define OTA_CRYPT_TAG_LEN 16
#define OTA_CRYPT_NONCE_PREFIX_LEN 7
#define OTA_CRYPT_CHUNK_DEFAULT (64u * 1024)
#define OTA_CRYPT_CHUNK_MIN 4096u
#define OTA_CRYPT_CHUNK_MAX (16u * 1024 * 1024)
/* 2^53 - 1: lengths travel in JSON (TUF custom) too. */
#define OTA_CRYPT_PLAIN_MAX 9007199254740991ULL

struct ota_crypt_header {
        uint32_t chunk_size;
        uint8_t nonce_prefix[OTA_CRYPT_NONCE_PREFIX_LEN];
        uint64_t plain_length;
};

/* Parses and checks the first OTA_CRYPT_HEADER_LEN bytes of `buf` (len is
 * what is there). Errors (ERROR_INVALID) name what is wrong: too short, bad
 * magic, a chunk size that is not a power of two in [4 KiB, 16 MiB], non-zero
 * reserved bytes, a length over OTA_CRYPT_PLAIN_MAX or 2^32 chunks. */
int ota_crypt_header_parse(const uint8_t *buf, size_t len, struct ota_crypt_header *h, struct error *err);
void ota_crypt_header_encode(const struct ota_crypt_header *h, uint8_t out[OTA_CRYPT_HEADER_LEN]);

uint64_t ota_crypt_chunk_count(const struct ota_crypt_header *h);
/* The container's total length for a header (parsed, so it cannot overflow). */
uint64_t ota_crypt_file_length(const struct ota_crypt_header *h);
/* Where chunk `index` starts in the file. */
uint64_t ota_crypt_chunk_offset(const struct ota_crypt_header *h, uint64_t index);
/* The plaintext length of chunk `index` (< chunk count). */
uint32_t ota_crypt_chunk_plain_length(const struct ota_crypt_header *h, uint64_t index);

/* One chunk, on its own (random access; the streaming API below uses it).
 * in: the chunk's ciphertext and tag, exactly plain length + 16 bytes;
 * out: room for its plaintext. A tag that does not verify is ERROR_INVALID
 * naming the chunk, and `out` is wiped. */
int ota_crypt_open_chunk(const uint8_t key[OTA_CRYPT_KEY_LEN], const struct ota_crypt_header *h,
                         uint64_t index, const uint8_t *in, size_t in_len, uint8_t *out, struct error *err);

/* Where decrypted (verified) plaintext goes; returns 0 or -1 with err set. */
typedef int (*ota_crypt_sink)(void *ud, const uint8_t *data, size_t len, struct error *err);

/* Streaming decryption: feed the file in pieces of any size; each chunk's
 * plaintext goes to the sink once its tag verified. _finish fails
 * (ERROR_INVALID) on a truncated file; bytes past the last chunk fail in
 * _update. The plaintext SHA-256 of what went to the sink is returned by
 * _finish. */
struct ota_decrypt;
struct ota_decrypt *ota_decrypt_new(const uint8_t key[OTA_CRYPT_KEY_LEN]);
int ota_decrypt_update(struct ota_decrypt *d, const uint8_t *in, size_t len, ota_crypt_sink sink, void *ud,
                       struct error *err);
int ota_decrypt_finish(struct ota_decrypt *d, uint8_t plain_sha256[SHA256_LEN], uint64_t *plain_length,
                       struct error *err);
/* The parsed header once 32 bytes arrived; NULL before. */
const struct ota_crypt_header *ota_decrypt_header(const struct ota_decrypt *d);
void ota_decrypt_free(struct ota_decrypt *d); /* wipes the key */

/* Encrypts the file at src_path (read in chunks, never whole) into dst_fd
 * under a fresh random nonce prefix. Out: the plaintext's and the
 * container's SHA-256 and lengths (any may be NULL). chunk_size 0: default. */
struct ota_crypt_result {
        uint8_t plain_sha256[SHA256_LEN];
        uint64_t plain_length;
        uint8_t cipher_sha256[SHA256_LEN];
        uint64_t cipher_length;
};
int ota_crypt_encrypt_file(const uint8_t key[OTA_CRYPT_KEY_LEN], uint32_t chunk_size, const char *src_path,
                           int dst_fd, struct ota_crypt_result *res, struct error *err);

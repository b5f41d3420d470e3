/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * The server's key-encryption key (KEK) and sealed secrets (issue 11, section 6,
 * "Secrets at rest"; docs/keys.md "## Secrets at rest").
 *
 * Secrets the server must hold in clear to use them (migration batch keys,
 * online key files where no HSM is used, OTA content keys) are stored sealed
 * under the KEK, so a copy of the database, the data directory or a backup
 * gives none of them. The KEK itself lives elsewhere:
 *  - a PKCS#11 secret key object, AES-256, sensitive and not extractable, used
 *    through the module with CKM_AES_GCM: the key never leaves the token; or
 *  - without an HSM, a key file (64 hex digits, mode 0600) outside the database.
 *
 * Server half of libcradle (the token plumbing is crypto/p11.h).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

struct kek;   /* the server's key-encryption key: a PKCS#11 secret key object (AES-256 on the token, used through the module: the key never leaves it) or, without an HSM, a key file (mode 0600) outside the database */

/* The process-wide KEK cradled loaded from its config ([kek] ref = pkcs11:... or a path); NULL when none is configured (then sealing is refused with a clear error). */
const struct kek *kek_default(void);

/* Seals a secret for a TEXT column: versioned, self-describing text ("kek1:<key fingerprint>:<base64 nonce|ciphertext|tag>"), AES-256-GCM, with `context` (what the secret is and whose: "migration-batch:12", "ota-content-key:release:7") bound as associated data, so a sealed value copied to another row does not open. */
int kek_seal(const struct kek *k, const char *context, const uint8_t *secret, size_t n, char **sealed_out, struct error *err);
int kek_open(const struct kek *k, const char *context, const char *sealed, uint8_t **secret_out, size_t *n_out, struct error *err);

/* ---- additions beyond the contract ---------------------------------------- */

/* Limits. A secret is at most KEK_SECRET_MAX bytes (key files are a few hundred);
 * sealed text longer than KEK_SEALED_MAX is refused before it is decoded. A
 * context is 1..KEK_CONTEXT_MAX printable ASCII characters. */
#define KEK_SECRET_MAX (64 * 1024)
#define KEK_SEALED_MAX (KEK_SEALED_PREFIX_LEN + 4 * ((KEK_NONCE_LEN + KEK_SECRET_MAX + KEK_TAG_LEN + 2) / 3))
#define KEK_CONTEXT_MAX 256
#define KEK_NONCE_LEN 12
#define KEK_TAG_LEN 16
#define KEK_FINGERPRINT_HEX 32
/* "kek1:" + 32 hex + ":" */
#define KEK_SEALED_PREFIX_LEN (5 + KEK_FINGERPRINT_HEX + 1)

/* Loads a KEK: ref = "pkcs11:..." (RFC 7512; the object must be an AES-256
 * secret key, sensitive and not extractable; PIN from env CRADLE_PKCS11_PIN or
 * CRADLE_PKCS11_PIN_FILE, never in the URI) or the path of a key file (64 hex
 * digits, mode 0600 or 0400). Errors name the ref and what is wrong. */
int kek_load(const char *ref, struct kek **out, struct error *err);
void kek_free(struct kek *k);
/* Makes k the process-wide KEK (cradled at startup, before its threads; tests).
 * NULL clears it. The caller keeps ownership. */
void kek_set_default(const struct kek *k);

/* Lower-case hex (32 digits) identifying the KEK's value, the same whether the
 * key is in a file or was imported into a token: SHA-256 of AES-256-GCM under
 * the KEK of a fixed block with a fixed nonce (a key check value), first 16
 * bytes. Reveals nothing of the key. */
const char *kek_fingerprint(const struct kek *k);
/* The ref it was loaded from (a path or a pkcs11: URI; never a PIN). */
const char *kek_ref(const struct kek *k);
bool kek_is_pkcs11(const struct kek *k);

/* True when text looks sealed ("kek<digits>:" prefix): what the startup
 * migration uses to tell sealed values from legacy plaintext ones. */
bool kek_is_sealed(const char *text);

/* The parser of sealed text, exposed for its fuzz target: checks version,
 * fingerprint, base64 and sizes; on success *blob_out (heap) holds
 * nonce|ciphertext|tag. Opens nothing. */
int kek_sealed_parse(const char *sealed, char fingerprint_out[KEK_FINGERPRINT_HEX + 1], uint8_t **blob_out,
                     size_t *blob_len_out, struct error *err);

/* A new KEK file: 32 random bytes as 64 hex digits, mode 0600; an existing file
 * is refused (ERROR_CONFLICT) and left alone. */
int kek_generate_file(const char *path, struct error *err);
/* A new AES-256 secret key on a PKCS#11 token, sensitive, not extractable,
 * usable only to encrypt and decrypt. uri names the token and the label
 * ("pkcs11:token=T;object=L"); an object with that label is refused
 * (ERROR_CONFLICT). */
int kek_generate_pkcs11(const char *uri, struct error *err);

#define _cleanup_kek_ __attribute__((cleanup(kek_freep)))
static inline void kek_freep(struct kek **k) {
        if (*k)
                kek_free(*k);
}

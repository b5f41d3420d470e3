/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * One private key abstraction for every signer in Cradle (device CAs, the
 * offline root, the agent's identity key): a PEM file or a PKCS#11 token
 * object, both behind a gnutls_privkey_t so callers never care which.
 *
 * Device half of libcradle (the agent uses it too): no SQLite, no HTTP.
 *
 * ref = "pkcs11:..." (RFC 7512) or a PEM file path.
 *  - A file must not be readable or writable by group or others (mode 0600 or
 *    0400); it is refused otherwise. PKCS#8, SEC1 ("EC PRIVATE KEY") and
 *    PKCS#1 ("RSA PRIVATE KEY") PEM are accepted; encrypted keys are not.
 *  - PKCS#11: modules come from p11-kit's registry; one extra module may be
 *    named by env CRADLE_PKCS11_MODULE (tests use SoftHSM2's). The PIN comes
 *    from env CRADLE_PKCS11_PIN, or the first line of the file named by
 *    CRADLE_PKCS11_PIN_FILE — never argv, never a "pin-value" attribute in the
 *    URI (refused: the URI ends up in config files and logs). A PIN is never
 *    logged or put into an error message.
 *    The private-key URI should name the private object ("type=private" or
 *    left out); the public key is found from the same URI with type=public,
 *    or else derived from the private key.
 */
#include <stdbool.h>
#include <stddef.h>
#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include "core/error.h"

enum crypto_key_type { CRYPTO_KEY_EC_P256, CRYPTO_KEY_EC_P384, CRYPTO_KEY_ED25519, CRYPTO_KEY_RSA3072 };

struct crypto_key; /* gnutls_privkey_t + gnutls_pubkey_t */

/* URIs and paths longer than this are refused. */
#define CRYPTO_KEY_REF_MAX 4096

int crypto_key_load(const char *ref, struct crypto_key **out, struct error *err);
/* Generates a key and writes it as unencrypted PKCS#8 PEM, mode 0600, atomically. */
int crypto_key_generate_file(const char *path, enum crypto_key_type type, struct error *err);
/* Generates a key into a NEW file (PKCS#8 PEM, mode 0600): an existing file or
 * symlink at path is refused with ERROR_CONFLICT and left alone; the name
 * appears only with the complete key (core/fileio.h file_write_new). What
 * `cradle key generate` uses for operators' keys. */
int crypto_key_generate_new_file(const char *path, enum crypto_key_type type, struct error *err);
/* Generates a key pair on a PKCS#11 token. uri names the token and the new
 * key's label ("pkcs11:token=T;object=L", other path attributes and the query
 * kept; id= and type= ignored). The private object is sensitive, not
 * extractable and private; the public object gets the same label. Refuses
 * (ERROR_CONFLICT) when the token holds an object with that label already.
 * PIN as for crypto_key_load. Load the key afterwards with the same URI. */
int crypto_key_generate_pkcs11(const char *uri, enum crypto_key_type type, struct error *err);
gnutls_privkey_t crypto_key_privkey(const struct crypto_key *k);
gnutls_pubkey_t crypto_key_pubkey(const struct crypto_key *k);
/* "ECDSA P-256", "ECDSA P-384", "Ed25519", "RSA 3072", ... */
const char *crypto_key_describe(const struct crypto_key *k);
void crypto_key_free(struct crypto_key *k);

/* Additions beyond the contract. */
/* The reference the key was loaded from (a path or the URI; never contains a PIN). */
const char *crypto_key_ref(const struct crypto_key *k);
/* True when the key lives on a PKCS#11 token. */
bool crypto_key_is_pkcs11(const struct crypto_key *k);
/* The digest to pass to gnutls_x509_*_privkey_sign: SHA-256 for P-256 and RSA,
 * SHA-384 for P-384; for Ed25519 what GnuTLS prefers for the key (the
 * signature itself is pure Ed25519). */
gnutls_digest_algorithm_t crypto_key_sign_hash(const struct crypto_key *k);
/* "ECDSA P-256"-style name of any public key (CSR keys, certificates). */
void crypto_pubkey_describe(gnutls_pubkey_t pub, char *out, size_t out_size);
/* The one key policy, for every key Cradle signs with and every key from
 * outside it certifies or trusts (CSRs, device CA chains). RSA must use the
 * exponent 65537: a small exponent (3) invites the low-exponent attacks on
 * badly padded or related messages, and no sound key generator picks it. */
#define CRYPTO_KEY_POLICY "P-256, P-384, Ed25519, RSA >= 3072 bits with public exponent 65537"
/* true when pub is in policy; else false with why_out (may be NULL) set to
 * what is wrong, e.g. "RSA public exponent is 3, not 65537". */
bool crypto_pubkey_in_policy(gnutls_pubkey_t pub, char *why_out, size_t why_size);
/* Parses "p256", "p384", "ed25519", "rsa3072" (CLI / config spelling). */
int crypto_key_type_parse(const char *name, enum crypto_key_type *out, struct error *err);
const char *crypto_key_type_name(enum crypto_key_type type);
/* Initialises GnuTLS's PKCS#11 subsystem once (thread-safe); called by
 * crypto_key_load for "pkcs11:" refs. Exposed for callers that import
 * PKCS#11 objects themselves (e.g. TLS client keys). */
int crypto_pkcs11_init(struct error *err);
/* The PKCS#11 user PIN from env CRADLE_PKCS11_PIN or the first line of the
 * file (mode 0600) named by CRADLE_PKCS11_PIN_FILE, for callers that log in to
 * a token themselves (the server's KEK, src/secret/kek.c). Never logged; the
 * error says only which source is missing or unreadable. Wipe out after use. */
int crypto_pkcs11_pin(char *out, size_t out_size, struct error *err);
/* Loads a private key from PEM in memory (what load_file does after reading
 * the file; the server opens sealed key files this way). label names the key
 * in errors and becomes crypto_key_ref. */
int crypto_key_load_pem(const char *label, const void *pem, size_t len, struct crypto_key **out,
                        struct error *err);
/* Generates a key as unencrypted PKCS#8 PEM in memory (*pem_out heap, NUL
 * terminated; free it with free_secret). For keys sealed before they are
 * written. */
int crypto_key_generate_pem(enum crypto_key_type type, char **pem_out, size_t *len_out, struct error *err);

#define _cleanup_crypto_key_ __attribute__((cleanup(crypto_key_freep)))
static inline void crypto_key_freep(struct crypto_key **k) {
        if (*k)
                crypto_key_free(*k);
}

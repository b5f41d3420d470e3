/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * Signing TUF metadata with a crypto_key (a PEM file or a PKCS#11 object).
 *
 * What is signed is the canonical JSON of doc["signed"]; the signature is
 * appended to doc["signatures"] as {"keyid", "sig"} with sig in hex:
 * Ed25519 signatures raw (64 bytes), ECDSA P-256 with SHA-256 as DER.
 *
 * The offline flow (root and targets keys never touch the server):
 *   1. the server builds the unsigned document and hands out
 *      tuf_signed_bytes(doc) (or the document, from which the signer
 *      computes the same bytes);
 *   2. the signer runs tuf_sign_bytes() wherever the key lives and sends
 *      back only {keyid, sig};
 *   3. the server calls tuf_sign_add_external_for_role(), which checks the
 *      signature verifies with that role's key in root before adding it.
 */
#include <stddef.h>
#include <jansson.h>
#include "core/error.h"
#include "crypto/key.h"
#include "tuf/key.h"
#include "tuf/metadata.h"

/* The TUF key (and so the keyid) of a signing key's public half. */
int tuf_key_from_crypto_key(const struct crypto_key *key, struct tuf_key **out, struct error *err);

/* The canonical bytes of doc["signed"] (heap; what every signature is over). */
char *tuf_signed_bytes(json_t *doc, size_t *len, struct error *err);

/* Signs bytes; returns the keyid of the key and the hex signature (heap).
 * Ed25519 and ECDSA P-256 keys only (others: ERROR_UNSUPPORTED). */
int tuf_sign_bytes(const struct crypto_key *key, const void *data, size_t len,
                   char keyid[TUF_KEYID_HEX_LEN], char **sig_hex, struct error *err);

/* Signs doc["signed"] and appends the signature. A second signature by the
 * same key is refused (ERROR_CONFLICT): TUF allows one per keyid. */
int tuf_sign(json_t *doc, const struct crypto_key *key, struct error *err);

/* Adds a signature made elsewhere, after checking that `keyid` is `key`'s
 * keyid, the signature verifies over doc["signed"], and the keyid has not
 * signed yet (ERROR_CONFLICT). A bad signature is ERROR_UNAUTHENTICATED. */
int tuf_sign_add_external(json_t *doc, const struct tuf_key *key, const char *keyid,
                          const char *sig_hex, struct error *err);

/* The same, finding the key in root: keyid must be one of `role`'s keys
 * (ERROR_FORBIDDEN otherwise, naming the role). */
int tuf_sign_add_external_for_role(json_t *doc, const struct tuf_metadata *root,
                                   enum tuf_role role, const char *keyid, const char *sig_hex,
                                   struct error *err);

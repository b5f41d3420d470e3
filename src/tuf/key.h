/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * TUF key objects (TUF specification 1.0, "Key objects"):
 *
 *   {"keytype": "ed25519", "scheme": "ed25519",
 *    "keyval": {"public": "<64 hex digits: the raw 32-byte key>"}}
 *   {"keytype": "ecdsa", "scheme": "ecdsa-sha2-nistp256",
 *    "keyval": {"public": "-----BEGIN PUBLIC KEY-----\n...\n-----END PUBLIC KEY-----\n"}}
 *
 * These are the forms python-tuf/securesystemslib write and tuf-js reads
 * (tuf-js also accepts keytype "ecdsa-sha2-nistp256", which securesystemslib
 * once wrote; it is accepted here on input too, never written). RSA is not
 * supported: Cradle's keys are Ed25519 or P-256.
 *
 * A keyid is the lowercase hex SHA-256 of the canonical JSON of the whole key
 * object as it appears in the metadata (so an optional legacy
 * "keyid_hash_algorithms" member, which old securesystemslib keys carry, is
 * part of the hash as it was for securesystemslib).
 *
 * Signatures are hex strings over the canonical bytes of the "signed" object:
 * Ed25519 signatures are the raw 64 bytes, ECDSA signatures are DER
 * (SEQUENCE of r and s) over SHA-256, as securesystemslib produces them.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <gnutls/abstract.h>
#include <jansson.h>
#include "core/error.h"

#define TUF_KEYID_HEX_LEN 65 /* 64 hex digits + NUL */
/* A hex signature longer than this is refused without decoding: ECDSA P-256
 * DER is at most 72 bytes, Ed25519 is 64. */
#define TUF_SIG_HEX_MAX 512
/* A PEM public key longer than this is refused. */
#define TUF_KEY_PUBLIC_MAX 4096

enum tuf_key_type {
        TUF_KEY_ED25519,
        TUF_KEY_ECDSA_P256,
        /* A key of a type or scheme Cradle cannot verify (RSA, P-384, a
         * future type): kept in root for its keyid and canonical bytes, never
         * counted toward a threshold (tuf_key_from_json_any). */
        TUF_KEY_UNSUPPORTED,
};

struct tuf_key;

/* Parses and validates a key object: the fields above and nothing else
 * (except the legacy "keyid_hash_algorithms"), a scheme that matches the
 * keytype, a public key that imports (a 32-byte Ed25519 point; a P-256 SPKI
 * PEM). `what` names the key in messages ("root keys 'ab12...'"). The keyid
 * is computed from `obj`. */
int tuf_key_from_json(const char *what, json_t *obj, struct tuf_key **out, struct error *err);

/* The same, except that a key whose (keytype, scheme) pair Cradle does not
 * support is returned as a TUF_KEY_UNSUPPORTED key instead of an error: it
 * has a keyid (of `obj`, which must still have string "keytype" and "scheme"
 * and an object "keyval"; other members are allowed, as a future type may
 * need them) but no public key; it never verifies a signature and never
 * equals another key. This is what root's "keys" use, so that a root that
 * adds a key of a new type alongside supported ones is not refused as a whole
 * (docs/tuf.md). A supported pair whose key is malformed is still an error. */
int tuf_key_from_json_any(const char *what, json_t *obj, struct tuf_key **out, struct error *err);
/* False for TUF_KEY_UNSUPPORTED keys. */
bool tuf_key_supported(const struct tuf_key *k);
/* SHA-256 of the key's SubjectPublicKeyInfo DER: the key material, whatever
 * the JSON spelling (hex or PEM, legacy members). False (out untouched) for
 * an unsupported key. */
bool tuf_key_fingerprint(const struct tuf_key *k, uint8_t out[32]);

/* Builds the TUF key object for a GnuTLS public key (Ed25519 or ECDSA P-256;
 * anything else is refused with a message naming the key type). */
int tuf_key_from_pubkey(gnutls_pubkey_t pub, struct tuf_key **out, struct error *err);

/* Computes the keyid of any key object (hex SHA-256 of its canonical JSON). */
int tuf_keyid_compute(json_t *key_obj, char out[TUF_KEYID_HEX_LEN], struct error *err);

const char *tuf_key_id(const struct tuf_key *k);
enum tuf_key_type tuf_key_type(const struct tuf_key *k);
/* The key object (borrowed; valid as long as the key). */
json_t *tuf_key_json(const struct tuf_key *k);
/* The imported public key (borrowed; NULL for an unsupported key). */
gnutls_pubkey_t tuf_key_pubkey(const struct tuf_key *k);
/* True when both keys are the same public key (whatever their JSON spelling).
 * Always false when either is unsupported (its material is unknown). */
bool tuf_key_same_public(const struct tuf_key *a, const struct tuf_key *b);

/* Verifies a hex signature over data. Returns 0 when it verifies; -1 with a
 * message saying why not (not hex, wrong length, does not verify). */
int tuf_key_verify(const struct tuf_key *k, const void *data, size_t len, const char *sig_hex,
                   struct error *err);

/* The GnuTLS signature algorithm for a key type (used by tuf/sign.c too). */
gnutls_sign_algorithm_t tuf_key_sign_algorithm(enum tuf_key_type type);

void tuf_key_free(struct tuf_key *k);

static inline void tuf_key_freep(struct tuf_key **k) {
        if (*k)
                tuf_key_free(*k);
}
#define _cleanup_tuf_key_ __attribute__((cleanup(tuf_key_freep)))

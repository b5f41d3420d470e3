/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * The debug verifier's cryptography through GnuTLS (what cradle-agent uses;
 * a bootloader brings its own, verify.h). Also the two facts the signer and
 * the verifier must agree on: the key id and the signature algorithm.
 */
#include <gnutls/abstract.h>
#include "core/error.h"
#include "debug/verify.h"

/* The key id: SHA-256 of the public key's SubjectPublicKeyInfo DER (the key
 * registry's fingerprint, in bytes). */
int debug_key_id(gnutls_pubkey_t pub, uint8_t out[DEBUG_KEY_ID_LEN], struct error *err);
/* ECDSA P-256 with SHA-256, or Ed25519; other keys are refused. */
int debug_sign_algorithm(gnutls_pubkey_t pub, gnutls_sign_algorithm_t *out, struct error *err);
/* An anchor over pub (kept by the caller for as long as the anchor is used). */
int debug_anchor_from_pubkey(gnutls_pubkey_t pub, struct debug_anchor *out, struct error *err);
/* Reads a PEM public key ("PUBLIC KEY") file: the device's trust anchor. */
int debug_pubkey_load(const char *path, gnutls_pubkey_t *out, struct error *err);

/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * Wrapping an encrypted image's content key to one device's certificate key
 * (docs/ota.md, "Encrypted payloads"): ECDH-ES on the device key's curve
 * (P-256 or P-384) with a fresh ephemeral key per wrap, HKDF-SHA256 to a
 * 256-bit key-encryption key, AES key wrap (RFC 3394, nettle) of the
 * 32-byte content key. Device half: the director wraps, cradle-agent unwraps.
 *
 *   Z    = x coordinate of ECDH(ephemeral private, device public), field size
 *   KEK  = HKDF-SHA256(salt = none, IKM = Z,
 *                      info = "cradle-ota-wrap-v1" 0 crv 0 serial 0 target 0
 *                             epk device-public-point, L = 32)
 *   wrapped = AES-256-KW(KEK, content key)          (40 bytes)
 *
 * JSON (the director target's custom "encryption_key"):
 *   {"alg": "ECDH-ES+HKDF-SHA256+A256KW", "crv": "P-256" | "P-384",
 *    "epk": base64(uncompressed point 04|x|y), "wrapped_key": base64(40 bytes)}
 *
 * The info binds the wrap to the device serial, the target path and both
 * public keys, so a wrap copied into another device's or another target's
 * metadata does not unwrap (and the KW integrity check says so).
 *
 * Keys that cannot be used, each refused with the reason:
 *  - Ed25519 and RSA device keys: an Ed25519 signing key would have to be
 *    converted to X25519 and used for key agreement too (one key, two
 *    protocols); Cradle keeps device identity keys single-purpose and asks
 *    for a P-256/P-384 device key for encrypted updates.
 *
 * The device's private key is a file or a PKCS#11 token object. On a token,
 * the ECDH runs there (CKM_ECDH1_DERIVE through crypto/p11.h: GnuTLS 3.7 has
 * no derive through a token, gnutls_privkey_derive_secret is 3.8.2+); only
 * the shared secret Z comes out, and the HKDF and key unwrap run here. The
 * ephemeral point is checked to be on the curve before any key sees it.
 */
#include <stdint.h>
#include <gnutls/abstract.h>
#include <jansson.h>
#include "core/error.h"
#include "crypto/key.h"
#include "crypto/ota-crypt.h"

#define OTA_WRAP_ALG "ECDH-ES+HKDF-SHA256+A256KW"
#define OTA_WRAP_WRAPPED_LEN 40

/* Whether a device's public key can receive wrapped keys; on false, why
 * (one phrase, e.g. "an Ed25519 key (encrypted updates need P-256 or P-384)"). */
bool ota_wrap_pubkey_usable(gnutls_pubkey_t pub, char *why, size_t why_size);

/* Wraps `key` to `pub` for (serial, target path). *out: the JSON object. */
int ota_wrap_key(gnutls_pubkey_t pub, const char *serial, const char *target, const uint8_t key[OTA_CRYPT_KEY_LEN],
                 json_t **out, struct error *err);

/* Unwraps with the device's key (a file or a PKCS#11 token object; the PIN
 * as for crypto_key_load). `wrapped` is outside input (the director's
 * metadata, signed but checked strictly): unknown or missing fields, another
 * algorithm or curve, a bad point or length are ERROR_INVALID naming the
 * field; a wrap for another device, target or key is ERROR_INVALID "does not
 * unwrap". A non-EC key is ERROR_UNSUPPORTED with the reason above; a token
 * without ECDH, or one that will not release the derived secret, is
 * ERROR_UNSUPPORTED saying which. */
int ota_unwrap_key(const struct crypto_key *dev, const char *serial, const char *target, const json_t *wrapped,
                   uint8_t key[OTA_CRYPT_KEY_LEN], struct error *err);

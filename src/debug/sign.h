/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * Signing a debug token with the debug-auth key (server half): the key id
 * comes from the key, the signature from GnuTLS's privkey, so the key may be a
 * file or a PKCS#11 object (crypto/key.h).
 */
#include <gnutls/abstract.h>
#include "core/error.h"
#include "debug/token.h"

/* t's fields but key_id and signature; writes the whole token into buf. */
int debug_token_sign(gnutls_privkey_t priv, gnutls_pubkey_t pub, const struct debug_token *t, uint8_t *buf,
                     size_t cap, size_t *len, struct error *err);

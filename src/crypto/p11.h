/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * Raw PKCS#11 through p11-kit, for the operations GnuTLS 3.7 does not offer
 * on a token: AES-GCM with the server's KEK (src/secret/kek.c) and ECDH with
 * a device key (src/crypto/ota-wrap.c; gnutls_privkey_derive_secret is 3.8.2+).
 * Signing stays with GnuTLS (crypto/key.h).
 *
 * Device half of libcradle: the agent uses it, and p11-kit is what GnuTLS
 * already loads tokens with.
 *
 * Modules are p11-kit's registered ones plus the one named by env
 * CRADLE_PKCS11_MODULE, the same set crypto_key_load sees. They are loaded as
 * p11-kit "managed" modules, so these sessions live beside GnuTLS's own in
 * the same process without closing or logging out each other's. The PIN
 * comes from crypto_pkcs11_pin (env or file, never argv); a PIN in the URI is
 * refused, because URIs end up in config files and logs.
 *
 * A session is used by one thread at a time (PKCS#11 runs one operation per
 * session); callers that share one serialise it (the KEK keeps a mutex).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <p11-kit/pkcs11.h>

#include "core/error.h"

struct crypto_p11;

/* Opens a session on the first token (extra module first, then the
 * registered ones) that the URI's token and module attributes match, and logs
 * in as the user. `what` names the key in every error ("KEK", "device key").
 * A wrong PIN is ERROR_UNAUTHENTICATED; no matching token ERROR_NOT_FOUND;
 * a URI that does not parse or carries a PIN ERROR_INVALID. */
int crypto_p11_open(const char *uri, const char *what, bool rw, struct crypto_p11 **out, struct error *err);
void crypto_p11_close(struct crypto_p11 *p);

CK_FUNCTION_LIST *crypto_p11_module(const struct crypto_p11 *p);
CK_SESSION_HANDLE crypto_p11_session(const struct crypto_p11 *p);
/* The URI's label (CKA_LABEL) and id (CKA_ID) attributes; NULL when absent. */
const CK_ATTRIBUTE *crypto_p11_uri_attr(const struct crypto_p11 *p, CK_ATTRIBUTE_TYPE type);

/* The objects of class `cls` that carry the URI's label and id. A type= in
 * the URI that is not `cls` is ERROR_INVALID ("type= must be <cls_name>").
 * Finding none is not an error here (*n_out = 0). */
int crypto_p11_find(struct crypto_p11 *p, CK_OBJECT_CLASS cls, const char *cls_name, CK_OBJECT_HANDLE *found,
                    CK_ULONG max, CK_ULONG *n_out, struct error *err);
/* Exactly one object of class `cls`: none is ERROR_NOT_FOUND, two or more
 * ERROR_INVALID ("name one with object= and id="). */
int crypto_p11_find_one(struct crypto_p11 *p, CK_OBJECT_CLASS cls, const char *cls_name, CK_OBJECT_HANDLE *out,
                        struct error *err);

/* Plain ECDH (CKM_ECDH1_DERIVE, CKD_NULL) of the private EC key `priv` with
 * the uncompressed peer point 04|x|y: z_out gets x of the shared point,
 * z_len (the field size) bytes. The shared secret is derived into a session
 * object that is read and destroyed at once; the private key never leaves
 * the token. A key whose CKA_DERIVE is false, a token without the mechanism,
 * and a token that refuses to let the derived value be read
 * (policy: derived keys sensitive) are ERROR_UNSUPPORTED, each saying so. */
int crypto_p11_ecdh(struct crypto_p11 *p, CK_OBJECT_HANDLE priv, const uint8_t *peer, size_t peer_len, uint8_t *z_out,
                    size_t z_len, struct error *err);

/* "CKR_PIN_INCORRECT (wrong PIN)"-style name of a return value. */
const char *crypto_p11_rv_name(CK_RV rv);

#define _cleanup_crypto_p11_ __attribute__((cleanup(crypto_p11_closep)))
static inline void crypto_p11_closep(struct crypto_p11 **p) {
        if (*p)
                crypto_p11_close(*p);
}

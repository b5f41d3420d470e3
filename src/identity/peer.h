/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * mTLS peer authentication, per request: the presented chain is verified
 * against the device CAs (active and retired, with their chains), then the
 * certificate row and the device row decide:
 *   unknown certificate          ERROR_UNAUTHENTICATED "certificate not issued by this server"
 *   known serial, other bytes    ERROR_UNAUTHENTICATED "certificate not issued by this server: serial
 *                                X was issued with other contents" (a trusted CA key used outside
 *                                cradled)
 *   device decommissioned        ERROR_FORBIDDEN "device X is decommissioned" (checked before
 *                                the certificate's state, which decommissioning revoked)
 *   revoked                      ERROR_UNAUTHENTICATED "certificate revoked (keyCompromise)"
 *   superseded                   ERROR_UNAUTHENTICATED "certificate superseded by ..."
 *   expired / not yet valid      ERROR_UNAUTHENTICATED "certificate expired"
 */
#include <gnutls/gnutls.h>
#include "identity/identity.h"
#include "pki/issue.h"

struct identity_device_peer {
        int64_t device_id, cert_id;
        char serial[65];
        char product_model[65];
        char cert_serial[41];
        enum pki_cert_kind kind;
};

/* chain: DER certificates as presented, leaf first (n >= 1). */
int identity_peer_authenticate(struct identity_ctx *ic, const gnutls_datum_t *chain, size_t n,
                               struct identity_device_peer *out, struct error *err);

/* The trust list cache shared by server threads: rebuilt when the CA generation
 * stored in the database changes (a CA was installed), so a new CA is trusted
 * without a restart. Thread-safe. */
struct identity_trust_cache *identity_trust_cache_new(void);
void identity_trust_cache_free(struct identity_trust_cache *c);

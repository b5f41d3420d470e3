/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* Chain verification for device peers (used per request). */
#include <stddef.h>
#include <stdint.h>
#include <gnutls/gnutls.h>
#include "core/error.h"

/* Longest accepted chain as presented (leaf + intermediates), and the longest
 * path leaf..anchor. */
#define PKI_TRUST_MAX_CHAIN 4

struct pki_trust;  /* gnutls_x509_trust_list_t of device-issuing CAs + roots */

int pki_trust_new(struct pki_trust **out, struct error *err);
/* Adds every CA certificate of a PEM bundle as a trust anchor. Non-CA
 * certificates are refused. */
int pki_trust_add_pem(struct pki_trust *t, const char *pem, struct error *err); /* CA certs */
/* Verifies a DER chain (leaf first) at time `now`; errors (ERROR_UNAUTHENTICATED):
 * "certificate expired", "certificate is not yet valid",
 * "certificate is not signed by a known device CA", "certificate signature does not verify",
 * "issuer is not a CA", "chain too long", ... A leaf that is itself a CA is refused.
 * The trust list must not be modified while other threads verify. */
int pki_trust_verify_chain(struct pki_trust *t, const gnutls_datum_t *chain, size_t n, int64_t now,
                           struct error *err);
void pki_trust_free(struct pki_trust *t);

/* Additions beyond the contract. */
/* Number of anchors added. */
size_t pki_trust_count(const struct pki_trust *t);

static inline void pki_trust_freep(struct pki_trust **t) {
        if (*t)
                pki_trust_free(*t);
}
#define _cleanup_pki_trust_ __attribute__((cleanup(pki_trust_freep)))

/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* Certificate revocation lists (RFC 5280 §5). */
#include <stddef.h>
#include <stdint.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include "core/error.h"
#include "crypto/key.h"

/* RFC 5280 CRLReason values (7 is unused and refused). */
enum pki_crl_reason {
        PKI_CRL_REASON_UNSPECIFIED = 0,
        PKI_CRL_REASON_KEY_COMPROMISE = 1,
        PKI_CRL_REASON_CA_COMPROMISE = 2,
        PKI_CRL_REASON_AFFILIATION_CHANGED = 3,
        PKI_CRL_REASON_SUPERSEDED = 4,
        PKI_CRL_REASON_CESSATION_OF_OPERATION = 5,
        PKI_CRL_REASON_CERTIFICATE_HOLD = 6,
        PKI_CRL_REASON_REMOVE_FROM_CRL = 8,
        PKI_CRL_REASON_PRIVILEGE_WITHDRAWN = 9,
        PKI_CRL_REASON_AA_COMPROMISE = 10,
};

struct pki_revoked { const char *serial_hex; int64_t revoked_at; int reason; /* RFC 5280 CRLReason */ };

/* "keyCompromise" (case-insensitive) or "0".."10"; 7 refused. */
int pki_crl_reason_parse(const char *name, int *out, struct error *err);
/* RFC 5280 name; NULL for an unknown value. */
const char *pki_crl_reason_name(int reason);
/* v2 CRL with CRL number and AKI, thisUpdate=now, nextUpdate=now+next_update_secs. DER out
 * (heap, free()). Reason 0 (unspecified) is encoded by omitting the reasonCode extension,
 * as RFC 5280 §5.3.1 recommends. */
int pki_crl_generate(const struct crypto_key *ca_key, gnutls_x509_crt_t ca_cert,
                     const struct pki_revoked *revoked, size_t n, uint64_t crl_number,
                     int64_t now, int64_t next_update_secs, uint8_t **der_out, size_t *len_out,
                     struct error *err);

/* Additions beyond the contract. */
#define PKI_CRL_MAX_DER (16 * 1024 * 1024)
/* Imports a CRL (DER or PEM) and verifies its issuer and signature against ca_cert
 * (not its freshness: thisUpdate/nextUpdate are the caller's to judge). */
int pki_crl_verify(const void *data, size_t len, gnutls_x509_crt_t ca_cert, gnutls_x509_crl_t *out,
                   struct error *err);

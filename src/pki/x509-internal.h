/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* Certificate-building steps shared by ca.c and issue.c (internal to src/pki). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <gnutls/abstract.h>
#include <gnutls/x509.h>
#include "core/error.h"
#include "crypto/key.h"

/* Tolerates a little clock skew between the CA and relying parties. */
#define PKI_BACKDATE_SECS 300
#define PKI_VALIDITY_DAYS_MAX 36525 /* 100 years */

/* Version 3, random positive 16-byte serial, validity [now - 5 min, min(now + days, issuer's
 * notAfter)], public key, SKI (RFC 5280 method 1: SHA-1 of the key). issuer may be NULL. */
int pki_x509_begin(gnutls_x509_crt_t crt, gnutls_pubkey_t pub, unsigned validity_days,
                   gnutls_x509_crt_t issuer, const char *what, struct error *err);
/* AKI = issuer's SKI (or its computed key id when it has none). */
int pki_x509_set_aki(gnutls_x509_crt_t crt, gnutls_x509_crt_t issuer, const char *what, struct error *err);
/* Key id (SKI) of a certificate: its extension, or computed from its key. */
int pki_x509_key_id(gnutls_x509_crt_t crt, uint8_t *out, size_t *len);
/* Signs with the issuer's key and the hash crypto_key_sign_hash picks. */
int pki_x509_sign(gnutls_x509_crt_t crt, gnutls_x509_crt_t issuer, const struct crypto_key *key,
                  const char *what, struct error *err);
/* Checks that key belongs to ca_cert and that ca_cert may sign certificates. */
int pki_x509_check_issuer(const struct crypto_key *key, gnutls_x509_crt_t ca_cert, struct error *err);
/* Heap PEM of crt. */
int pki_x509_pem(gnutls_x509_crt_t crt, char **pem_out, struct error *err);
/* Decodes a DER directory string as returned by get_dn_by_oid(..., raw=1):
 * UTF8String, PrintableString or IA5String, no NUL bytes. Copies it into out
 * (NUL-terminated). Returns the length, -1 when malformed or another string
 * type, -2 when it does not fit. */
int pki_x509_dirstring(const uint8_t *der, size_t len, char *out, size_t out_size);
/* DER or PEM? DER always starts with a SEQUENCE (0x30); anything else is
 * treated as PEM (which may have text before its BEGIN line). Looking for
 * "-----BEGIN" anywhere would misread DER that happens to contain it. */
bool pki_x509_is_pem(const void *data, size_t len);

/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* EST's certs-only PKCS#7 and base64 bodies (RFC 7030). */
#include <stddef.h>
#include <stdint.h>
#include <gnutls/gnutls.h>
#include "core/error.h"

/* Input limits for what comes from outside (responses, fuzzed). */
#define PKI_PKCS7_MAX_DER (256 * 1024)
#define PKI_PKCS7_MAX_CERTS 16

/* Degenerate SignedData (certs-only) of the given DER certificates. Heap DER out (free()). */
int pki_pkcs7_certs_only(const gnutls_datum_t *certs_der, size_t n, uint8_t **der_out, size_t *len_out,
                         struct error *err);
/* Parses a certs-only PKCS#7 (DER, at most PKI_PKCS7_MAX_DER bytes, at most
 * PKI_PKCS7_MAX_CERTS certificates, each one parseable). *certs is a malloc'ed
 * array of gnutls-allocated DER datums in the order found (certificates is a DER
 * SET OF, so a writer sorts them: do not rely on leaf-first order). Free with
 * pki_pkcs7_certs_free. */
int pki_pkcs7_parse_certs(const uint8_t *der, size_t len, gnutls_datum_t **certs, size_t *n,
                          struct error *err);
void pki_pkcs7_certs_free(gnutls_datum_t *certs, size_t n);

/* EST bodies are base64 (RFC 7030 §4: Content-Transfer-Encoding base64). Decodes with a size
 * limit, ignoring CR/LF. Heap DER out (free()). */
int pki_est_decode_body(const char *body, size_t len, size_t max_der, uint8_t **der_out, size_t *der_len,
                        struct error *err);
char *pki_est_encode_body(const uint8_t *der, size_t len);  /* base64 with CRLF every 64 chars */
/* The csrattrs answer: DER SEQUENCE of OIDs (ecdsa-with-SHA256, serialNumber attribute).
 * Heap (free()); returns 0 (cannot fail). */
int pki_est_csrattrs(uint8_t **der_out, size_t *len_out);

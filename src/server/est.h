/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * EST (RFC 7030) on the wire, without the store: what a request body must
 * be and how certificates go back. Pure, so it is unit-tested and fuzzed.
 *
 *   request  (simpleenroll, simplereenroll)
 *     Content-Type: application/pkcs10 (parameters allowed)
 *     body: base64 of the DER PKCS#10; CR/LF anywhere (RFC 7030 section 4.2.1).
 *     Content-Transfer-Encoding is not looked at (RFC 8951 section 3.2: the
 *     body is base64 whatever it says).
 *   response (cacerts, simpleenroll, simplereenroll)
 *     200, Content-Type: application/pkcs7-mime; smime-type=certs-only,
 *     Content-Transfer-Encoding: base64, body: base64 of a certs-only
 *     PKCS#7 in lines of 64 characters ending in LF. (Not MIME's CRLF: every
 *     EST client's decoder skips either, and LF is what `base64 -d` takes.)
 *   csrattrs
 *     200, Content-Type: application/csrattrs, base64 body.
 */
#include <gnutls/gnutls.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "response.h"

#define EST_MEDIA_PKCS10 "application/pkcs10"
#define EST_CONTENT_TYPE_CERTS "application/pkcs7-mime; smime-type=certs-only"
#define EST_CONTENT_TYPE_CSRATTRS "application/csrattrs"

/* True when a Content-Type value names `media_type` (any case, blanks and
 * parameters after ';' allowed). */
bool est_media_type_is(const char *content_type, const char *media_type);

/* The CSR of an enrollment request (DER, heap): ERROR_UNSUPPORTED (415) for
 * another Content-Type, ERROR_INVALID (400) for an empty body or one that is
 * not base64, ERROR_TOO_LARGE (413) for a CSR over PKI_CSR_MAX_DER. The CSR
 * itself is checked later (pki_csr_parse, in the domain). */
int est_read_csr(const char *content_type, const char *body, size_t len, uint8_t **der_out,
                 size_t *len_out, struct error *err);

#define EST_BASE64_LINE 64
/* Base64 in lines of EST_BASE64_LINE characters, each ending in LF. Heap. */
char *est_base64_lines(const uint8_t *der, size_t len);

/* 200 with the certificates (DER) as a base64 certs-only PKCS#7. */
int est_respond_certs(struct http_response *resp, const gnutls_datum_t *certs, size_t n,
                      struct error *err);
/* 200 with the CSR attributes the server wants (RFC 7030 section 4.5). */
void est_respond_csrattrs(struct http_response *resp);

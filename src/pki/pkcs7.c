/* SPDX-License-Identifier: Apache-2.0 */
/*
 * EST (RFC 7030) wire formats: certs-only PKCS#7 (a degenerate CMS
 * SignedData without signers, RFC 5652 / RFC 7030 §4.1.3), base64 bodies,
 * and the csrattrs answer.
 */
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/pkcs7.h>
#include <gnutls/x509.h>

#include "core/cleanup.h"
#include "core/strutil.h"
#include "crypto/encoding.h"
#include "pki/cert.h"
#include "pki/pkcs7.h"

static void pkcs7_freep(gnutls_pkcs7_t *p) {
        if (*p)
                gnutls_pkcs7_deinit(*p);
}

int pki_pkcs7_certs_only(const gnutls_datum_t *certs_der, size_t n, uint8_t **der_out, size_t *len_out,
                         struct error *err) {
        if (n == 0 || !certs_der)
                return error_set(err, ERROR_INVALID, "PKCS#7: no certificates given");
        if (n > PKI_PKCS7_MAX_CERTS)
                return error_set(err, ERROR_INVALID, "PKCS#7: %zu certificates (at most %d)", n, PKI_PKCS7_MAX_CERTS);
        _cleanup_(pkcs7_freep) gnutls_pkcs7_t p7 = NULL;
        int rc = gnutls_pkcs7_init(&p7);
        if (rc < 0)
                return error_set(err, ERROR_CRYPTO, "PKCS#7: %s", gnutls_strerror(rc));
        for (size_t i = 0; i < n; i++) {
                rc = gnutls_pkcs7_set_crt_raw(p7, &certs_der[i]);
                if (rc < 0)
                        return error_set(err, ERROR_INVALID, "PKCS#7: certificate %zu cannot be added: %s", i + 1,
                                         gnutls_strerror(rc));
        }
        gnutls_datum_t out = {0};
        rc = gnutls_pkcs7_export2(p7, GNUTLS_X509_FMT_DER, &out);
        if (rc < 0)
                return error_set(err, ERROR_CRYPTO, "PKCS#7: cannot export: %s", gnutls_strerror(rc));
        uint8_t *p = xmalloc(out.size ? out.size : 1);
        memcpy(p, out.data, out.size);
        *der_out = p;
        *len_out = out.size;
        gnutls_free(out.data);
        return 0;
}

void pki_pkcs7_certs_free(gnutls_datum_t *certs, size_t n) {
        pki_datum_array_free(certs, n);
}

int pki_pkcs7_parse_certs(const uint8_t *der, size_t len, gnutls_datum_t **certs, size_t *n, struct error *err) {
        *certs = NULL;
        *n = 0;
        if (!der || len == 0)
                return error_set(err, ERROR_INVALID, "PKCS#7 is empty");
        if (len > PKI_PKCS7_MAX_DER)
                return error_set(err, ERROR_TOO_LARGE, "PKCS#7 is too large (%zu bytes, at most %d)", len,
                                 PKI_PKCS7_MAX_DER);
        _cleanup_(pkcs7_freep) gnutls_pkcs7_t p7 = NULL;
        int rc = gnutls_pkcs7_init(&p7);
        if (rc < 0)
                return error_set(err, ERROR_CRYPTO, "PKCS#7: %s", gnutls_strerror(rc));
        gnutls_datum_t d = {(unsigned char *) der, (unsigned) len};
        rc = gnutls_pkcs7_import(p7, &d, GNUTLS_X509_FMT_DER);
        if (rc < 0)
                return error_set(err, ERROR_INVALID, "PKCS#7 does not parse: %s", gnutls_strerror(rc));
        rc = gnutls_pkcs7_get_crt_count(p7);
        if (rc < 0)
                return error_set(err, ERROR_INVALID, "PKCS#7 certificates cannot be read: %s", gnutls_strerror(rc));
        if (rc == 0)
                return error_set(err, ERROR_INVALID, "PKCS#7 holds no certificate");
        if (rc > PKI_PKCS7_MAX_CERTS)
                return error_set(err, ERROR_TOO_LARGE, "PKCS#7 holds %d certificates (at most %d)", rc,
                                 PKI_PKCS7_MAX_CERTS);
        size_t count = (size_t) rc;
        gnutls_datum_t *a = xcalloc(count, sizeof(*a));
        for (size_t i = 0; i < count; i++) {
                rc = gnutls_pkcs7_get_crt_raw2(p7, (unsigned) i, &a[i]);
                gnutls_x509_crt_t crt = NULL;
                if (rc >= 0)
                        rc = gnutls_x509_crt_init(&crt);
                if (rc >= 0)
                        rc = gnutls_x509_crt_import(crt, &a[i], GNUTLS_X509_FMT_DER);
                if (crt)
                        gnutls_x509_crt_deinit(crt);
                if (rc < 0) {
                        pki_datum_array_free(a, count);
                        return error_set(err, ERROR_INVALID, "PKCS#7 certificate %zu does not parse: %s", i + 1,
                                         gnutls_strerror(rc));
                }
        }
        *certs = a;
        *n = count;
        return 0;
}

int pki_est_decode_body(const char *body, size_t len, size_t max_der, uint8_t **der_out, size_t *der_len,
                        struct error *err) {
        if (!body || len == 0)
                return error_set(err, ERROR_INVALID, "EST body is empty");
        /* base64 is 4/3 of the data, plus a CRLF per line: twice the limit is
         * always enough for a valid body and bounds the decoder's work. */
        size_t max_body = max_der > (SIZE_MAX - 64) / 2 ? SIZE_MAX : max_der * 2 + 64;
        if (len > max_body)
                return error_set(err, ERROR_TOO_LARGE, "EST body is too large (%zu bytes, at most %zu of data)", len,
                                 max_der);
        uint8_t *der = NULL;
        size_t n = 0;
        if (base64_decode(body, len, &der, &n, err) < 0)
                return error_prefix(err, "EST body is not valid base64: ");
        if (n == 0) {
                free(der);
                return error_set(err, ERROR_INVALID, "EST body is empty");
        }
        if (n > max_der) {
                free(der);
                return error_set(err, ERROR_TOO_LARGE, "EST body is too large (%zu bytes of data, at most %zu)", n,
                                 max_der);
        }
        *der_out = der;
        *der_len = n;
        return 0;
}

char *pki_est_encode_body(const uint8_t *der, size_t len) {
        _cleanup_free_ char *b64 = base64_encode(der, len);
        size_t n = strlen(b64);
        struct buf b = {0};
        for (size_t i = 0; i < n; i += 64) {
                size_t chunk = n - i < 64 ? n - i : 64;
                buf_append(&b, b64 + i, chunk);
                buf_append(&b, "\r\n", 2);
        }
        if (!b.data)
                return str_dup("");
        return buf_steal(&b);
}

int pki_est_csrattrs(uint8_t **der_out, size_t *len_out) {
        /*
         * CsrAttrs ::= SEQUENCE SIZE (0..MAX) OF AttrOrOID   (RFC 7030 §4.5.2)
         * AttrOrOID ::= CHOICE { oid OBJECT IDENTIFIER, attribute Attribute }
         *
         * 30 0f                          SEQUENCE, 15 bytes
         *    06 08                       OBJECT IDENTIFIER, 8 bytes:
         *       2a                         1.2      (1 * 40 + 2 = 42)
         *       86 48                      840      (0x06 << 7 | 0x48)
         *       ce 3d                      10045    (0x4e << 7 | 0x3d)
         *       04 03 02                   4.3.2
         *                                = 1.2.840.10045.4.3.2 ecdsa-with-SHA256: sign the CSR with it
         *    06 03                       OBJECT IDENTIFIER, 3 bytes:
         *       55 04 05                   2.5 (2 * 40 + 5 = 85), 4, 5
         *                                = 2.5.4.5 serialNumber: put the device serial in the subject
         */
        static const uint8_t csrattrs[] = {
                0x30, 0x0f,
                0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02,
                0x06, 0x03, 0x55, 0x04, 0x05,
        };
        uint8_t *p = xmalloc(sizeof(csrattrs));
        memcpy(p, csrattrs, sizeof(csrattrs));
        *der_out = p;
        *len_out = sizeof(csrattrs);
        return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
#include "est.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/cleanup.h"
#include "core/strutil.h"
#include "crypto/encoding.h"
#include "pki/csr.h"
#include "pki/pkcs7.h"

bool est_media_type_is(const char *content_type, const char *media_type) {
        size_t n = strlen(media_type);
        if (!content_type)
                return false;
        while (*content_type == ' ' || *content_type == '\t')
                content_type++;
        if (strncasecmp(content_type, media_type, n) != 0)
                return false;
        const char *rest = content_type + n;
        while (*rest == ' ' || *rest == '\t')
                rest++;
        return *rest == '\0' || *rest == ';';
}

int est_read_csr(const char *content_type, const char *body, size_t len, uint8_t **der_out,
                 size_t *len_out, struct error *err) {
        *der_out = NULL;
        *len_out = 0;
        if (!est_media_type_is(content_type, EST_MEDIA_PKCS10))
                return error_set(err, ERROR_UNSUPPORTED,
                                 "request body: Content-Type must be " EST_MEDIA_PKCS10
                                 " (a base64-encoded DER PKCS#10 request, RFC 7030 section 4.2.1); got %s%.64s%s",
                                 content_type ? "'" : "", content_type ? content_type : "none",
                                 content_type ? "'" : "");
        if (!body)
                len = 0;
        size_t blanks = 0;
        while (blanks < len && (body[blanks] == '\r' || body[blanks] == '\n' || body[blanks] == ' ' ||
                                body[blanks] == '\t'))
                blanks++;
        if (blanks == len)
                return error_set(err, ERROR_INVALID,
                                 "request body is empty; expected a base64-encoded DER PKCS#10 request");
        struct error derr = {0};
        if (pki_est_decode_body(body, len, PKI_CSR_MAX_DER, der_out, len_out, &derr) < 0) {
                if (derr.kind == ERROR_TOO_LARGE)
                        return error_set(err, ERROR_TOO_LARGE, "request body: the CSR is larger than %d bytes",
                                         PKI_CSR_MAX_DER);
                return error_set(err, ERROR_INVALID,
                                 "request body: not a base64-encoded DER PKCS#10 request (%s)", derr.msg);
        }
        return 0;
}

char *est_base64_lines(const uint8_t *der, size_t len) {
        _cleanup_free_ char *flat = base64_encode(der, len);
        if (!flat)
                return NULL;
        size_t n = strlen(flat);
        struct buf b = {0};
        for (size_t i = 0; i < n; i += EST_BASE64_LINE) {
                size_t k = n - i < EST_BASE64_LINE ? n - i : EST_BASE64_LINE;
                buf_append(&b, flat + i, k);
                buf_append(&b, "\n", 1);
        }
        if (n == 0)
                buf_append(&b, "", 0);
        return buf_steal(&b);
}

int est_respond_certs(struct http_response *resp, const gnutls_datum_t *certs, size_t n,
                      struct error *err) {
        _cleanup_free_ uint8_t *der = NULL;
        size_t len = 0;
        if (pki_pkcs7_certs_only(certs, n, &der, &len, err) < 0)
                return -1;
        char *b64 = est_base64_lines(der, len);
        if (!b64)
                return error_set(err, ERROR_INTERNAL, "cannot encode the PKCS#7 answer");
        http_response_set_body(resp, 200, EST_CONTENT_TYPE_CERTS, b64, strlen(b64));
        http_response_add_header(resp, "Content-Transfer-Encoding", "base64");
        return 0;
}

void est_respond_csrattrs(struct http_response *resp) {
        _cleanup_free_ uint8_t *der = NULL;
        size_t len = 0;
        pki_est_csrattrs(&der, &len);
        char *b64 = est_base64_lines(der, len);
        if (!b64)
                abort(); /* out of memory */
        http_response_set_body(resp, 200, EST_CONTENT_TYPE_CSRATTRS, b64, strlen(b64));
        http_response_add_header(resp, "Content-Transfer-Encoding", "base64");
}

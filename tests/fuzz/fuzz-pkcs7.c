/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Certs-only PKCS#7 as an EST server answers (the CLI and the agent read
 * these): pki_pkcs7_parse_certs, then chain ordering on what it returns.
 */
#include <stdint.h>
#include <stdlib.h>

#include "pki/cert.h"
#include "pki/pkcs7.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct error err = {0};
        gnutls_datum_t *certs = NULL;
        size_t n = 0;

        if (pki_pkcs7_parse_certs(data, size, &certs, &n, &err) < 0) {
                if (!err.msg[0] || certs || n)
                        abort();
                return 0;
        }
        if (!certs || n == 0 || n > PKI_PKCS7_MAX_CERTS)
                abort();
        for (size_t i = 0; i < n; i++) {
                gnutls_x509_crt_t crt = NULL;
                if (pki_cert_import(certs[i].data, certs[i].size, &crt, NULL) < 0)
                        abort(); /* parse_certs promised each one parses */
                char hex[41], fp[65];
                (void) pki_cert_serial_hex(crt, hex);
                if (pki_cert_fingerprint_sha256(crt, fp) < 0)
                        abort();
                gnutls_x509_crt_deinit(crt);
        }
        (void) pki_cert_chain_order(certs, n, &err);
        pki_pkcs7_certs_free(certs, n);
        return 0;
}

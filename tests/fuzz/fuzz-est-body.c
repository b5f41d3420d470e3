/* SPDX-License-Identifier: Apache-2.0 */
/*
 * An EST simpleenroll body as it arrives over HTTP: base64 (RFC 7030 §4),
 * decoded with the CSR size limit, then parsed as a CSR — the server's path.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pki/csr.h"
#include "pki/pkcs7.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct error err = {0};
        uint8_t *der = NULL;
        size_t len = 0;

        if (pki_est_decode_body((const char *) data, size, PKI_CSR_MAX_DER, &der, &len, &err) < 0) {
                if (!err.msg[0] || der)
                        abort();
                return 0;
        }
        if (!der || len == 0 || len > PKI_CSR_MAX_DER)
                abort();
        gnutls_x509_crq_t crq = NULL;
        struct pki_csr_info info;
        error_clear(&err);
        if (pki_csr_parse(der, len, &crq, &info, &err) == 0) {
                if (!info.key_in_policy)
                        abort();
                gnutls_x509_crq_deinit(crq);
        } else if (!err.msg[0] || crq) {
                abort();
        }
        /* What we decode we can encode again, and it decodes to the same. */
        char *body = pki_est_encode_body(der, len);
        uint8_t *again = NULL;
        size_t again_len = 0;
        if (pki_est_decode_body(body, strlen(body), PKI_CSR_MAX_DER, &again, &again_len, NULL) < 0 ||
            again_len != len || memcmp(again, der, len) != 0)
                abort();
        free(again);
        free(body);
        free(der);
        return 0;
}

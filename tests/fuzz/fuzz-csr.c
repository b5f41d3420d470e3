/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PKCS#10 requests as a factory station or a device sends them (DER or PEM):
 * pki_csr_parse must refuse bad input with a message, never crash, leak or
 * read out of bounds, and hand out a request only when it verified.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pki/csr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct error err = {0};
        struct pki_csr_info info;
        gnutls_x509_crq_t crq = NULL;

        int r = pki_csr_parse(data, size, &crq, &info, &err);
        if (r < 0) {
                if (!err.msg[0] || crq)
                        abort();
                return 0;
        }
        /* Accepted: it verifies, the key is in policy, the strings are bounded. */
        if (!crq || !info.key_in_policy || gnutls_x509_crq_verify(crq, 0) < 0 ||
            strlen(info.serial_number) > 64 || strlen(info.common_name) > 64)
                abort();
        gnutls_x509_crq_deinit(crq);
        return 0;
}

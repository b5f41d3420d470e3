/* SPDX-License-Identifier: Apache-2.0 */
/*
 * An EST enrollment request body as the server reads it (est_read_csr): the
 * first byte picks the Content-Type, the rest is the body. Beyond "no
 * crash": a refusal is a 400, 413 or 415 with a message, never a server
 * fault; an accepted body yields 1..PKI_CSR_MAX_DER bytes of DER.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "server/est.h"
#include "pki/csr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const types[] = {
        "application/pkcs10", "Application/PKCS10; charset=x", "application/json", NULL, "",
        "application/pkcs10x",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size == 0)
                return 0;
        const char *ct = types[data[0] % (sizeof(types) / sizeof(types[0]))];
        uint8_t *der = NULL;
        size_t len = 0;
        struct error err = {0};
        if (est_read_csr(ct, (const char *) data + 1, size - 1, &der, &len, &err) < 0) {
                if ((err.kind != ERROR_INVALID && err.kind != ERROR_TOO_LARGE && err.kind != ERROR_UNSUPPORTED) ||
                    !err.msg[0] || der)
                        abort();
                return 0;
        }
        if (!der || len == 0 || len > PKI_CSR_MAX_DER)
                abort();
        free(der);
        return 0;
}

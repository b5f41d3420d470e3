/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* PKCS#10 from outside (factory stations, devices). */
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/error.h"
#include "crypto/key.h"

#define PKI_CSR_MAX_DER 16384

struct pki_csr_info {
        char serial_number[65];   /* subject serialNumber (2.5.4.5), "" if absent */
        char common_name[65];
        char key_desc[32];        /* "ECDSA P-256" */
        bool key_in_policy;       /* CRYPTO_KEY_POLICY */
};

/* Parses DER (or PEM) with size limit, verifies the CSR's self-signature, extracts the
 * subject and key; errors name what is wrong ("CSR signature does not verify",
 * "key RSA 2048 is outside policy (CRYPTO_KEY_POLICY): RSA modulus is 2048 bits, fewer than 3072").
 * A key outside policy is an error (ERROR_INVALID) and *out is not set; `info`
 * (may be NULL) is still filled so the caller can audit what was offered.
 * Subject serialNumber / CN longer than 64 bytes or with control characters
 * are refused. *out must be gnutls_x509_crq_deinit'ed. */
int pki_csr_parse(const void *data, size_t len, gnutls_x509_crq_t *out, struct pki_csr_info *info,
                  struct error *err);
/* Makes a CSR (station-generated keys, server-side CA keys). Subject: CN=common_name and,
 * when serial_number is non-NULL and non-empty, serialNumber=serial_number. Heap PEM out. */
int pki_csr_create(const struct crypto_key *key, const char *common_name, const char *serial_number,
                   char **pem_out, struct error *err);

/* Additions beyond the contract. */
/* The CSR's public key (*out must be gnutls_pubkey_deinit'ed). */
int pki_csr_pubkey(gnutls_x509_crq_t csr, gnutls_pubkey_t *out, struct error *err);
/* DER of a CSR (e.g. after pki_csr_create's PEM) — heap, free(). */
int pki_csr_pem_to_der(const char *pem, uint8_t **der_out, size_t *len_out, struct error *err);

static inline void pki_crq_freep(gnutls_x509_crq_t *c) {
        if (*c)
                gnutls_x509_crq_deinit(*c);
}
#define _cleanup_pki_crq_ __attribute__((cleanup(pki_crq_freep)))

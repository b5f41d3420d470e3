/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* The offline root and device-issuing intermediates. */
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include "core/error.h"
#include "crypto/key.h"

/* Self-signed root: CA:TRUE pathlen 1 (critical), keyCertSign|cRLSign (critical), SKI.
 * Subject CN=common_name[,O=organization]. Heap PEM out. */
int pki_root_create(const struct crypto_key *key, const char *common_name, const char *organization,
                    unsigned validity_days, char **pem_out, struct error *err);
/* Signs an intermediate (device-issuing) CA CSR: CA:TRUE pathlen 0, keyCertSign|cRLSign.
 * The CSR must already be verified (pki_csr_parse); the subject is copied from it.
 * The validity is cut to the root's notAfter. Heap PEM out. */
int pki_sign_intermediate(const struct crypto_key *root_key, gnutls_x509_crt_t root_cert,
                          gnutls_x509_crq_t csr, unsigned validity_days, char **pem_out, struct error *err);

/* Additions beyond the contract. */
/* Refuses a CA certificate that does not belong to key (different public key). */
int pki_ca_check_key(const struct crypto_key *key, gnutls_x509_crt_t ca_cert, struct error *err);

/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* Device certificate profiles (IEEE 802.1AR idea: birth identity + operational). */
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include "core/error.h"
#include "crypto/key.h"

enum pki_cert_kind { PKI_CERT_BIRTH, PKI_CERT_OPERATIONAL };

struct pki_device_profile {
        enum pki_cert_kind kind;
        const char *product_model;   /* SAN URI urn:cradle:device:<model>:<serial> */
        const char *device_serial;   /* subject serialNumber and CN */
        unsigned validity_days;      /* birth default 7300 (20 y), operational 365 */
        const char *crl_url;         /* CRL distribution point (NULL: none) */
};

#define PKI_BIRTH_DAYS_DEFAULT 7300
#define PKI_OPERATIONAL_DAYS_DEFAULT 365
/* Models and serials: 1..64 bytes of [A-Za-z0-9._-] (they go into a URN and a DN). */
#define PKI_NAME_MAX 64

/* Issues from the CSR's public key (the CSR must already be verified). Subject:
 * CN=<serial>, serialNumber=<serial>, O=<product model>; KU digitalSignature (critical);
 * EKU clientAuth; basicConstraints CA:FALSE (critical); SKI/AKI; CRL DP;
 * random 16-byte serial (positive); notBefore = now - 5 min; notAfter cut to the CA's.
 * *out must be gnutls_x509_crt_deinit'ed. */
int pki_issue_device_cert(const struct crypto_key *ca_key, gnutls_x509_crt_t ca_cert,
                          gnutls_x509_crq_t csr, const struct pki_device_profile *p,
                          gnutls_x509_crt_t *out, struct error *err);

/* Additions beyond the contract. */
/* Checks a model or serial against the PKI_NAME rule; `what` names it in the error. */
int pki_name_check(const char *what, const char *value, struct error *err);
/* The SAN URI of a device certificate ("urn:cradle:device:<model>:<serial>"); heap. */
char *pki_device_urn(const char *product_model, const char *device_serial);
/* Reads back model and serial from a device certificate's SAN URI. */
int pki_device_cert_identity(gnutls_x509_crt_t crt, char model[PKI_NAME_MAX + 1],
                             char serial[PKI_NAME_MAX + 1], struct error *err);

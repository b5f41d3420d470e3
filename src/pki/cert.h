/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* Shared X.509 certificate helpers. */
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stddef.h>
#include <stdint.h>
#include "core/error.h"

/* Certificates larger than this are refused on import. */
#define PKI_CERT_MAX 65536

/* PEM or DER in (the first certificate of a PEM bundle); *out must be deinit'ed. */
int pki_cert_import(const void *data, size_t len, gnutls_x509_crt_t *out, struct error *err);
/* Heap PEM (free()). NULL and err set on failure. */
char *pki_cert_export_pem(gnutls_x509_crt_t crt, struct error *err);
int pki_cert_serial_hex(gnutls_x509_crt_t crt, char out[41]);   /* lowercase hex, no colons */
int pki_cert_fingerprint_sha256(gnutls_x509_crt_t crt, char out[65]);

/* Additions beyond the contract. */
/* DER of a certificate into a gnutls-allocated datum (gnutls_free(out->data)). */
int pki_cert_export_der(gnutls_x509_crt_t crt, gnutls_datum_t *out, struct error *err);
/* Imports every certificate of a PEM bundle (or one DER certificate), at most
 * max. *out is a malloc'ed array of gnutls-allocated DER datums: free with
 * pki_datum_array_free(*out, *n). */
int pki_cert_bundle_to_der(const void *data, size_t len, size_t max, gnutls_datum_t **out, size_t *n,
                           struct error *err);
void pki_datum_array_free(gnutls_datum_t *a, size_t n);
/* Puts DER certificates (e.g. from pki_pkcs7_parse_certs, whose order is a DER
 * SET's) in chain order in place: leaf first, each followed by its issuer.
 * Refuses a set that is not one chain (at most 16 certificates). */
int pki_cert_chain_order(gnutls_datum_t *certs, size_t n, struct error *err);
/* Normalises a serial given by a person ("0A:1b..." or "0a1b...") to the
 * lowercase hex of pki_cert_serial_hex. */
int pki_serial_hex_normalize(const char *in, char out[41], struct error *err);
/* True when the certificate's public key is the same as pub (compares key ids). */
bool pki_cert_matches_pubkey(gnutls_x509_crt_t crt, gnutls_pubkey_t pub);
/* True when cert has basicConstraints CA:TRUE. */
bool pki_cert_is_ca(gnutls_x509_crt_t crt);
/* Subject serialNumber (2.5.4.5) of a certificate; "" if absent. */
int pki_cert_subject_serial(gnutls_x509_crt_t crt, char *out, size_t out_size);

static inline void pki_crt_freep(gnutls_x509_crt_t *c) {
        if (*c)
                gnutls_x509_crt_deinit(*c);
}
#define _cleanup_pki_crt_ __attribute__((cleanup(pki_crt_freep)))
static inline void pki_datum_freep(gnutls_datum_t *d) {
        if (d->data)
                gnutls_free(d->data);
        d->data = NULL;
}
#define _cleanup_pki_datum_ __attribute__((cleanup(pki_datum_freep)))

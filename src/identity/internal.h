/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* Helpers shared by the identity .c files (never included outside src/identity/). */
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <jansson.h>
#include "identity/identity.h"
#include "pki/csr.h"
#include "pki/issue.h"
#include "store/store-identity.h"

static inline void store_device_ca_clearp(struct store_device_ca *p) { store_device_ca_clear(p); }
static inline void store_batch_clearp(struct store_batch *p) { store_batch_clear(p); }
static inline void store_device_clearp(struct store_device *p) { store_device_clear(p); }
static inline void store_certificate_clearp(struct store_certificate *p) { store_certificate_clear(p); }
#define _cleanup_ca_row_ __attribute__((cleanup(store_device_ca_clearp)))
#define _cleanup_batch_row_ __attribute__((cleanup(store_batch_clearp)))
#define _cleanup_device_row_ __attribute__((cleanup(store_device_clearp)))
#define _cleanup_cert_row_ __attribute__((cleanup(store_certificate_clearp)))

/* Copies a saved error into err (which may be NULL); returns -1. */
static inline int identity_error_pass(struct error *err, const struct error *e) {
        if (err)
                *err = *e;
        return -1;
}

/* ic->now or the clock. */
int64_t identity_now(const struct identity_ctx *ic);

/* RFC 3339 string, or JSON null for 0. */
json_t *identity_time_json(int64_t t);
json_t *identity_str_json(const char *s); /* string or null */

/* Details of a refusal record: {reason, serial, product, batch, message}, every
 * caller-supplied string made printable (it came from outside and may not be UTF-8). */
json_t *identity_refusal_details(const char *reason, const char *serial, const char *product, const char *batch,
                                 const char *message);

/* The actor for what a device does itself. name_buf holds "device:<serial>". */
void identity_device_actor(const char *serial, char *name_buf, size_t size, struct audit_actor *out);

/* Issues a certificate for a device from `ca` (which must be installed) with the
 * CSR's key, and stores its row (status valid). *der_out gnutls-allocated. */
int identity_issue_cert(struct identity_ctx *ic, const struct store_device_ca *ca, const char *product_model,
                        int64_t device_id, const char *device_serial, enum pki_cert_kind kind,
                        gnutls_x509_crq_t csr, int64_t *cert_id_out, char serial_hex_out[41],
                        gnutls_datum_t *der_out, struct error *err);

/* Regenerates a CA's CRL from the certificates table (number + 1, nextUpdate =
 * now + IDENTITY_CRL_VALIDITY_SECS) inside the caller's transaction. */
int identity_crl_regenerate(struct identity_ctx *ic, int64_t ca_id, struct error *err);

/* Classifies a pki_csr_parse failure for audit records: "csr-signature",
 * "key-policy", or "csr-invalid". info must be what pki_csr_parse filled. */
const char *identity_csr_refusal_reason(const struct pki_csr_info *info, const struct error *e);

/* Revokes every not yet revoked certificate of a device (inside the caller's
 * transaction) and regenerates the CRLs of the CAs concerned. Appends the revoked
 * serials to `revoked` (a JSON array, may be NULL). Returns how many, or -1. */
int identity_revoke_device_certs(struct identity_ctx *ic, int64_t device_id, int reason, json_t *revoked,
                                 struct error *err);

json_t *identity_cert_to_json(const struct store_certificate *c, bool with_pem);

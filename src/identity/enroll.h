/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * Enrollment (EST simpleenroll, without HTTP) and renewal (simplereenroll).
 */
#include <gnutls/gnutls.h>
#include <stdbool.h>
#include "identity/identity.h"
#include "identity/peer.h"

struct identity_enroll_request {
        const char *product_model;   /* EST label */
        const char *serial;          /* requested serial (query parameter) */
        const char *batch;           /* batch name */
        const char *station;         /* factory station id; NULL = the batch's, else the actor's name */
        bool reprovision;            /* admin only */
        const uint8_t *csr_der;      /* DER (or PEM) PKCS#10 */
        size_t csr_len;
};

/* Creates the device record (hardware revision, production date, initial
 * firmware from the batch) and issues a BIRTH certificate from the product's
 * active CA. Audited "device.enroll" (or "device.reprovision": the device's
 * previous certificates revoked as superseded, CRLs regenerated).
 * Refusals, each audited "device.enroll.refused" {reason, serial, product, message}
 * in a transaction of its own:
 *   reason               kind
 *   invalid-request      ERROR_INVALID      (missing/malformed serial, batch, station)
 *   unknown-product      ERROR_NOT_FOUND
 *   unknown-batch        ERROR_NOT_FOUND
 *   batch-closed         ERROR_CONFLICT
 *   no-active-ca         ERROR_CONFLICT
 *   csr-invalid          ERROR_INVALID      (does not parse, signature does not verify)
 *   key-policy           ERROR_INVALID
 *   serial-mismatch      ERROR_INVALID      (CSR subject serialNumber != serial)
 *   serial-enrolled      ERROR_CONFLICT
 *   reprovision-forbidden ERROR_FORBIDDEN   (reprovision=true without the admin role)
 * *cert_der_out is gnutls-allocated (gnutls_free). */
int identity_enroll(struct identity_ctx *ic, const struct audit_actor *a,
                    const struct identity_enroll_request *r, gnutls_datum_t *cert_der_out,
                    struct error *err);

/* simplereenroll: `peer` is the authenticated device (identity_peer_authenticate).
 * The CSR's serialNumber must be the peer's serial (new key allowed, in policy).
 * Issues an OPERATIONAL certificate from the product's active CA; the presenting
 * certificate, if operational, becomes superseded by it (a birth certificate
 * never is). Audited "certificate.renew" by the device. */
int identity_reenroll(struct identity_ctx *ic, const struct identity_device_peer *peer,
                      const uint8_t *csr_der, size_t len, gnutls_datum_t *cert_der_out, struct error *err);

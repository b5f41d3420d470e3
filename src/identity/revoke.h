/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * Revocation and CRLs. Each revocation regenerates the issuing CA's CRL in the
 * same transaction (CRL number + 1, nextUpdate = now + 7 days), so the
 * published list never lags the database.
 */
#include <stdint.h>
#include "identity/identity.h"

#define IDENTITY_CRL_VALIDITY_SECS (7 * 86400)
#define IDENTITY_CRL_REFRESH_SECS 86400   /* identity_crl_get regenerates within this of nextUpdate */

/* reason: RFC 5280 CRLReason (pki_crl_reason_parse); certificateHold (6) and
 * removeFromCRL (8) are refused: revocation here is permanent.
 * Serial as pki_serial_hex_normalize accepts.
 * ERROR_NOT_FOUND unknown, ERROR_CONFLICT already revoked. Audited "certificate.revoke". */
int identity_revoke_cert(struct identity_ctx *ic, const struct audit_actor *a, const char *cert_serial,
                         int reason, struct error *err);
/* Revokes every not yet revoked certificate of the device (valid and superseded:
 * a superseded key may still be out there). ERROR_CONFLICT when there is nothing
 * left to revoke. Audited "device.revoke". */
int identity_revoke_device(struct identity_ctx *ic, const struct audit_actor *a, const char *device_serial,
                           int reason, struct error *err);
/* Revokes all with cessationOfOperation and marks the device decommissioned.
 * ERROR_CONFLICT when already decommissioned. Audited "device.decommission". */
int identity_decommission(struct identity_ctx *ic, const struct audit_actor *a, const char *device_serial,
                          struct error *err);
/* The CA's current CRL (DER, heap), regenerated first when none exists yet or its
 * nextUpdate is less than a day away. ERROR_NOT_FOUND unknown CA, ERROR_CONFLICT pending CA. */
int identity_crl_get(struct identity_ctx *ic, const char *ca_name, uint8_t **der, size_t *len,
                     struct error *err);

/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * "Remote init": moving fielded devices off a shared fleet credential. While a
 * product's migration window is open, a device proves (1) the shared credential
 * every unit of the product holds, and (2) its own device secret,
 * HMAC-SHA256(batch migration key, serial), and gets a birth certificate for a
 * key it generated. One claim per serial: a second claim for a migrated (or
 * enrolled) serial with valid secrets means a cloned secret and raises the
 * security event "migration.duplicate-claim" (severity high).
 * Rate limiting per source is the route's job (auth_ratelimit).
 */
#include <gnutls/gnutls.h>
#include "identity/identity.h"

/* Stores SHA-256 of the credential only; re-opening replaces it. Audited "migration.open". */
int identity_migration_open(struct identity_ctx *ic, const struct audit_actor *a, const char *product_model,
                            const char *shared_credential, struct error *err);
/* The same with the credential's SHA-256 (hex) instead of the credential: what
 * an approved migration.open request (approval/approval.h) runs, so the
 * credential itself is never kept in the request. */
int identity_migration_open_hash(struct identity_ctx *ic, const struct audit_actor *a, const char *product_model,
                                 const char *credential_sha256, struct error *err);
/* ERROR_CONFLICT when not open. Audited "migration.close". */
int identity_migration_close(struct identity_ctx *ic, const struct audit_actor *a, const char *product_model,
                             struct error *err);

struct identity_claim {
        const char *product_model, *serial, *batch, *shared_credential, *device_secret_hex, *source;
        const uint8_t *csr_der;
        size_t csr_len;
};

/* Every claim, granted or not, is recorded in migration_claims and audited
 * ("device.migrate" / "device.migrate.refused", actor device:<serial>).
 *   window closed or never opened       ERROR_FORBIDDEN "migration window for product X is closed"
 *   wrong shared credential             ERROR_UNAUTHENTICATED
 *   wrong device secret / batch without migration key   ERROR_UNAUTHENTICATED
 *   serial already migrated or enrolled ERROR_CONFLICT (+ security event)
 *   CSR invalid / serial mismatch / key outside policy  ERROR_INVALID
 *   unknown product                     ERROR_NOT_FOUND
 * *cert_der_out is gnutls-allocated (gnutls_free). */
int identity_migration_claim(struct identity_ctx *ic, const struct identity_claim *c,
                             gnutls_datum_t *cert_der_out, struct error *err);

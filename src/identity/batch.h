/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * Production batches: what a device inherits at enrollment (hardware revision,
 * production date, initial firmware version, optionally the station). A closed
 * batch takes no more factory enrollments (migration claims still name it).
 *
 * Create body: {"product": model, "name": 1..64 [A-Za-z0-9._-],
 *               "hardware_revision": 1..64, "production_date": "YYYY-MM-DD",
 *               "initial_firmware_version": 1..64, "station": 1..64 (optional)}
 * JSON out: {"id", "product", "name", "hardware_revision", "production_date",
 *            "station"|null, "initial_firmware_version", "migration_key_set": bool,
 *            "created_at", "closed_at"|null, "status": "open|closed"}
 * The migration key itself is never returned or logged.
 */
#include <jansson.h>
#include <stdint.h>
#include "identity/identity.h"

int identity_batch_create(struct store *s, const struct audit_actor *a, json_t *body, json_t **out,
                          struct error *err);
/* ERROR_NOT_FOUND, ERROR_CONFLICT when already closed. Audited "batch.close". */
int identity_batch_close(struct store *s, const struct audit_actor *a, int64_t batch_id, json_t **out,
                         struct error *err);
int identity_batch_get(struct store *s, int64_t batch_id, json_t **out, struct error *err);
/* product_model NULL = all. {"items": [...]} */
int identity_batch_list(struct store *s, const char *product_model, json_t **out, struct error *err);
/* Sets (or replaces) the batch's 32-byte migration key: device_secret =
 * HMAC-SHA256(key, serial). Audited "batch.migration-key.set" (without the key).
 * The key is stored sealed under the process KEK (kek_default(), context
 * "migration-batch:<id>"); without a KEK it is refused (ERROR_CONFLICT). */
int identity_batch_set_migration_key(struct store *s, const struct audit_actor *a, int64_t batch_id,
                                     const uint8_t key[32], struct error *err);
/* The batch's migration key in clear, opened with kek_default() (or, for a key
 * stored before secrets at rest and not sealed yet, decoded from hex).
 * found=false when the batch has no key. The caller wipes key after use. */
int identity_batch_migration_key(struct store *s, int64_t batch_id, uint8_t key[32], bool *found,
                                 struct error *err);
struct kek;
/* Seals every migration key still stored in clear (a database from before
 * secrets at rest) under k, in one transaction, each audited
 * "batch.migration-key.sealed". Idempotent: sealed keys are left alone.
 * *sealed_out: how many it sealed. */
/* Rotation: re-seals every batch key under `to` in one transaction, each
 * audited "batch.migration-key.resealed": sealed under `from` -> opened with
 * it; hex -> sealed; under `to` already -> left alone (a cut-short rotation
 * finishes when run again). *n_out: how many changed. */
int identity_batch_reseal(struct store *s, const struct audit_actor *a, const struct kek *from, const struct kek *to,
                          size_t *n_out, struct error *err);
/* ERROR_CRYPTO naming the batch and both KEKs when a batch key is sealed under
 * another KEK than k (cradled refuses to start with the wrong KEK). */
int identity_batch_kek_check(struct store *s, const struct kek *k, struct error *err);
int identity_batch_seal_existing(struct store *s, const struct audit_actor *a, const struct kek *k,
                                 size_t *sealed_out, struct error *err);

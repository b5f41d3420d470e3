/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Migration of fielded devices off a shared fleet credential ("remote init").
 *
 * A claim proves two things: the shared credential (all units of the product
 * hold it; only its SHA-256 is stored) and the device secret,
 * HMAC-SHA256(batch migration key, serial), which only that unit holds. Both are
 * compared in constant time. The checks run in a fixed order so the answer never
 * tells more than the caller has proven: window, credential, device secret, then
 * duplicates, then the CSR.
 *
 * Every claim is recorded (migration_claims) and audited, granted or not; a
 * refused one in a transaction of its own after the failed one rolled back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gnutls/crypto.h>
#include "audit/audit.h"
#include "core/cleanup.h"
#include "core/log.h"
#include "core/strutil.h"
#include "crypto/ct.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "identity/internal.h"
#include "identity/batch.h"
#include "identity/migrate.h"
#include "identity/security-event.h"
#include "pki/csr.h"

#define SHARED_CREDENTIAL_MAX 1024
#define SOURCE_MAX 128
#define DUPLICATE_EVENT "migration.duplicate-claim"

static int window_product(struct identity_ctx *ic, const char *product_model, int64_t *product_id,
                          struct error *err) {
        if (!product_model || pki_name_check("product", product_model, err) < 0)
                return product_model ? -1 : error_set(err, ERROR_INVALID, "product: is required");
        return store_identity_product_by_model(ic->store, product_model, product_id, err);
}

int identity_migration_open(struct identity_ctx *ic, const struct audit_actor *a, const char *product_model,
                            const char *shared_credential, struct error *err) {
        int64_t product_id;
        if (window_product(ic, product_model, &product_id, err) < 0)
                return -1;
        if (!shared_credential || !*shared_credential)
                return error_set(err, ERROR_INVALID, "shared_credential: is required");
        if (strlen(shared_credential) > SHARED_CREDENTIAL_MAX)
                return error_set(err, ERROR_INVALID, "shared_credential: at most %d bytes", SHARED_CREDENTIAL_MAX);
        char hash[65];
        hash_sha256_hex(shared_credential, strlen(shared_credential), hash);
        return identity_migration_open_hash(ic, a, product_model, hash, err);
}

int identity_migration_open_hash(struct identity_ctx *ic, const struct audit_actor *a, const char *product_model,
                                 const char *credential_sha256, struct error *err) {
        int64_t product_id;
        if (window_product(ic, product_model, &product_id, err) < 0)
                return -1;
        bool hex = credential_sha256 && strlen(credential_sha256) == 64;
        for (size_t i = 0; hex && i < 64; i++)
                hex = (credential_sha256[i] >= '0' && credential_sha256[i] <= '9') ||
                      (credential_sha256[i] >= 'a' && credential_sha256[i] <= 'f');
        if (!hex)
                return error_set(err, ERROR_INVALID, "shared_credential_sha256: expected 64 lowercase hex digits");
        struct store_migration_window w = {.product_id = product_id, .opened_at = identity_now(ic)};
        memcpy(w.shared_credential_hash, credential_sha256, 65);
        struct store *s = ic->store;
        _cleanup_json_ json_t *details = NULL;
        char object[48];
        bool reopened = false;
        if (store_tx_begin(s, err) < 0)
                return -1;
        {
                struct store_migration_window old;
                struct error e = {0};
                if (store_migration_window_get(s, product_id, &old, &e) == 0)
                        reopened = true;
                else if (e.kind != ERROR_NOT_FOUND) {
                        identity_error_pass(err, &e);
                        goto fail;
                }
        }
        if (store_migration_window_put(s, &w, err) < 0)
                goto fail;
        snprintf(object, sizeof(object), "product:%lld", (long long) product_id);
        /* the credential's hash is not evidence anyone needs; leave it out of the log */
        details = json_pack("{s:s, s:b}", "product", product_model, "reopened", reopened);
        if (audit_append(s, a, "migration.open", object, details, err) < 0)
                goto fail;
        return store_tx_commit(s, err);
fail:
        store_tx_rollback(s);
        return -1;
}

int identity_migration_close(struct identity_ctx *ic, const struct audit_actor *a, const char *product_model,
                             struct error *err) {
        int64_t product_id;
        if (window_product(ic, product_model, &product_id, err) < 0)
                return -1;
        struct store *s = ic->store;
        _cleanup_json_ json_t *details = NULL;
        char object[48];
        if (store_tx_begin(s, err) < 0)
                return -1;
        struct error e = {0};
        if (store_migration_window_close(s, product_id, identity_now(ic), &e) < 0) {
                if (e.kind == ERROR_NOT_FOUND)
                        error_set(err, ERROR_CONFLICT, "migration window for product %s was never opened", product_model);
                else if (e.kind == ERROR_CONFLICT)
                        error_set(err, ERROR_CONFLICT, "migration window for product %s is already closed", product_model);
                else
                        identity_error_pass(err, &e);
                goto fail;
        }
        snprintf(object, sizeof(object), "product:%lld", (long long) product_id);
        details = json_pack("{s:s}", "product", product_model);
        if (audit_append(s, a, "migration.close", object, details, err) < 0)
                goto fail;
        return store_tx_commit(s, err);
fail:
        store_tx_rollback(s);
        return -1;
}

struct claim_outcome {
        const char *result;      /* "ok" or the refusal reason; NULL = not a refusal (infrastructure) */
        int64_t product_id;
        bool duplicate;
};

/* HMAC-SHA256(batch key, serial) against the hex the device sent, in constant time. */
static int device_secret_check(struct store *s, int64_t batch_id, const char *serial, const char *secret_hex,
                               bool *ok, bool *has_key, struct error *err) {
        *ok = false;
        uint8_t key[32], want[32], got[32];
        if (identity_batch_migration_key(s, batch_id, key, has_key, err) < 0)
                return -1;
        if (!*has_key)
                return 0;
        int rc = gnutls_hmac_fast(GNUTLS_MAC_SHA256, key, sizeof(key), serial, strlen(serial), want);
        ct_wipe(key, sizeof(key));
        if (rc < 0)
                return error_set(err, ERROR_CRYPTO, "computing the device secret: %s", gnutls_strerror(rc));
        bool well_formed = strlen(secret_hex) == 64 && hex_decode(secret_hex, got, sizeof(got), NULL) == 0;
        *ok = well_formed && ct_equal(want, got, sizeof(want));
        ct_wipe(want, sizeof(want));
        ct_wipe(got, sizeof(got));
        return 0;
}

static void crq_deinitp(gnutls_x509_crq_t *c) {
        if (*c)
                gnutls_x509_crq_deinit(*c);
}

static int claim_do(struct identity_ctx *ic, const struct identity_claim *c, gnutls_datum_t *cert_der_out,
                    struct claim_outcome *o, struct error *err) {
        struct store *s = ic->store;
        o->result = "invalid-request";
        if (!c->product_model || !*c->product_model)
                return error_set(err, ERROR_INVALID, "product: is required");
        if (!c->serial || !*c->serial)
                return error_set(err, ERROR_INVALID, "serial: is required");
        if (!c->batch || !*c->batch)
                return error_set(err, ERROR_INVALID, "batch: is required");
        if (pki_name_check("product", c->product_model, err) < 0 || pki_name_check("serial", c->serial, err) < 0 ||
            pki_name_check("batch", c->batch, err) < 0)
                return -1;
        if (!c->shared_credential || !*c->shared_credential)
                return error_set(err, ERROR_UNAUTHENTICATED, "shared_credential: is required");
        if (!c->device_secret_hex || !*c->device_secret_hex)
                return error_set(err, ERROR_UNAUTHENTICATED, "device_secret: is required");
        if (strlen(c->shared_credential) > SHARED_CREDENTIAL_MAX)
                return error_set(err, ERROR_INVALID, "shared_credential: at most %d bytes", SHARED_CREDENTIAL_MAX);

        /* Parsed now (outside the write lock), reported only after the secrets are proven. */
        _cleanup_(crq_deinitp) gnutls_x509_crq_t csr = NULL;
        struct pki_csr_info info;
        struct error csr_err = {0};
        bool csr_ok = pki_csr_parse(c->csr_der, c->csr_len, &csr, &info, &csr_err) == 0;

        _cleanup_batch_row_ struct store_batch batch = {0};
        _cleanup_ca_row_ struct store_device_ca ca = {0};
        _cleanup_device_row_ struct store_device existing = {0};
        _cleanup_json_ json_t *details = NULL;
        gnutls_datum_t der = {0};
        char cert_serial[41], object[96], actor_name[96];
        int64_t cert_id = 0;
        struct error e = {0};
        o->result = NULL;
        if (store_tx_begin(s, err) < 0)
                return -1;
        if (store_identity_product_by_model(s, c->product_model, &o->product_id, err) < 0) {
                if (err && err->kind == ERROR_NOT_FOUND)
                        o->result = "unknown-product";
                goto fail;
        }
        struct store_migration_window w = {0};
        if (store_migration_window_get(s, o->product_id, &w, &e) < 0 && e.kind != ERROR_NOT_FOUND) {
                identity_error_pass(err, &e);
                goto fail;
        }
        if (e.kind == ERROR_NOT_FOUND || w.closed_at) {
                o->result = "window-closed";
                error_set(err, ERROR_FORBIDDEN, "migration window for product %s is closed", c->product_model);
                goto fail;
        }
        char got_hash[SHA256_HEX_LEN];
        hash_sha256_hex(c->shared_credential, strlen(c->shared_credential), got_hash);
        if (!ct_equal(got_hash, w.shared_credential_hash, SHA256_HEX_LEN - 1)) {
                o->result = "bad-credential";
                error_set(err, ERROR_UNAUTHENTICATED, "shared credential for product %s is wrong", c->product_model);
                goto fail;
        }
        if (store_batch_get_by_name(s, o->product_id, c->batch, &batch, &e) < 0) {
                if (e.kind != ERROR_NOT_FOUND) {
                        identity_error_pass(err, &e);
                        goto fail;
                }
                o->result = "unknown-batch";
                error_set(err, ERROR_UNAUTHENTICATED, "device secret cannot be checked: product %s has no batch '%s'",
                          c->product_model, c->batch);
                goto fail;
        }
        bool secret_ok, has_key;
        if (device_secret_check(s, batch.id, c->serial, c->device_secret_hex, &secret_ok, &has_key, err) < 0)
                goto fail;
        if (!has_key) {
                o->result = "no-migration-key";
                error_set(err, ERROR_UNAUTHENTICATED, "device secret cannot be checked: batch '%s' has no migration key",
                          c->batch);
                goto fail;
        }
        if (!secret_ok) {
                o->result = "bad-device-secret";
                error_set(err, ERROR_UNAUTHENTICATED, "device secret for serial '%s' is wrong", c->serial);
                goto fail;
        }
        bool found;
        if (store_device_find_by_serial(s, c->serial, &existing, &found, err) < 0)
                goto fail;
        if (found) {
                o->result = "duplicate";
                o->duplicate = true;
                error_set(err, ERROR_CONFLICT, "serial '%s' is already %s; one claim per serial (recorded as a "
                          "security event)", c->serial,
                          existing.origin == STORE_DEVICE_MIGRATION ? "migrated" : "enrolled");
                goto fail;
        }
        if (!csr_ok) {
                o->result = identity_csr_refusal_reason(&info, &csr_err);
                identity_error_pass(err, &csr_err);
                goto fail;
        }
        if (strcmp(info.serial_number, c->serial) != 0) {
                o->result = "serial-mismatch";
                error_set(err, ERROR_INVALID, "CSR subject serialNumber '%s' differs from the claimed serial '%s'",
                          info.serial_number, c->serial);
                goto fail;
        }
        if (store_device_ca_get_active(s, o->product_id, &ca, err) < 0) {
                if (err && err->kind == ERROR_NOT_FOUND) {
                        o->result = "no-active-ca";
                        error_set(err, ERROR_CONFLICT, "product '%s' has no active device CA", c->product_model);
                }
                goto fail;
        }
        struct store_device dev = {
                .serial = (char *) c->serial,
                .product_id = o->product_id,
                .batch_id = batch.id,
                .hardware_revision = batch.hardware_revision,
                .production_date = batch.production_date,
                .station = batch.station,
                .initial_firmware_version = batch.initial_firmware_version,
                .status = STORE_DEVICE_ACTIVE,
                .origin = STORE_DEVICE_MIGRATION,
                .created_at = identity_now(ic),
        };
        if (store_device_insert(s, &dev, &dev.id, err) < 0 ||
            identity_issue_cert(ic, &ca, c->product_model, dev.id, c->serial, PKI_CERT_BIRTH, csr, &cert_id, cert_serial,
                                &der, err) < 0)
                goto fail;
        struct store_migration_claim claim = {
                .device_serial = (char *) c->serial,
                .product_id = o->product_id,
                .source = (char *) c->source,
                .time = identity_now(ic),
                .result = "ok",
                .cert_id = cert_id,
        };
        struct audit_actor actor;
        identity_device_actor(c->serial, actor_name, sizeof(actor_name), &actor);
        snprintf(object, sizeof(object), "device:%s", c->serial);
        details = json_pack("{s:s, s:s, s:s, s:o, s:s, s:s, s:s}", "serial", c->serial, "product", c->product_model,
                            "batch", batch.name, "source", identity_str_json(c->source), "certificate", cert_serial,
                            "ca", ca.name, "key", info.key_desc);
        if (store_migration_claim_insert(s, &claim, NULL, err) < 0 ||
            audit_append(s, &actor, "device.migrate", object, details, err) < 0 || store_tx_commit(s, err) < 0)
                goto fail;
        o->result = "ok";
        *cert_der_out = der;
        return 0;
fail:
        store_tx_rollback(s);
        gnutls_free(der.data);
        return -1;
}

/* Claim row, audit entry and (for a duplicate) the security event, together. */
static void claim_refusal_record(struct identity_ctx *ic, const struct identity_claim *c,
                                 const struct claim_outcome *o, const char *message) {
        struct store *s = ic->store;
        char serial[72], object[96], actor_name[96];
        str_sanitize(c->serial ? c->serial : "", c->serial ? strlen(c->serial) : 0, serial, sizeof(serial));
        char source[SOURCE_MAX + 8];
        str_sanitize(c->source ? c->source : "", c->source ? strlen(c->source) : 0, source, sizeof(source));
        const char *src = c->source ? source : NULL;
        struct audit_actor actor;
        identity_device_actor(serial, actor_name, sizeof(actor_name), &actor);
        snprintf(object, sizeof(object), "device:%s", serial);
        struct store_migration_claim claim = {
                .device_serial = serial,
                .product_id = o->product_id,
                .source = (char *) src,
                .time = identity_now(ic),
                .result = (char *) o->result,
        };
        _cleanup_json_ json_t *details =
                identity_refusal_details(o->result, c->serial, c->product_model, c->batch, message);
        if (details)
                json_object_set_new(details, "source", identity_str_json(src));
        struct error e = {0};
        if (store_tx_begin(s, &e) < 0)
                goto fail;
        if (store_migration_claim_insert(s, &claim, NULL, &e) < 0 ||
            audit_append(s, &actor, "device.migrate.refused", object, details, &e) < 0)
                goto fail;
        if (o->duplicate) {
                _cleanup_json_ json_t *ev = json_pack("{s:s, s:s}", "batch", c->batch, "message", message);
                if (identity_security_event_record(s, DUPLICATE_EVENT, "high", o->product_id, serial, src, ev, &e) < 0)
                        goto fail;
        }
        if (store_tx_commit(s, &e) < 0)
                goto fail;
        return;
fail:
        store_tx_rollback(s);
        log_error("recording the refused migration claim for '%s' failed: %s", serial, e.msg);
}

int identity_migration_claim(struct identity_ctx *ic, const struct identity_claim *c,
                             gnutls_datum_t *cert_der_out, struct error *err) {
        cert_der_out->data = NULL;
        cert_der_out->size = 0;
        if (c->source && strlen(c->source) > SOURCE_MAX)
                return error_set(err, ERROR_INVALID, "source: at most %d bytes", SOURCE_MAX);
        struct claim_outcome o = {0};
        struct error e = {0};
        if (claim_do(ic, c, cert_der_out, &o, &e) == 0)
                return 0;
        if (o.result)
                claim_refusal_record(ic, c, &o, e.msg);
        return identity_error_pass(err, &e);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Enrollment at the factory (EST simpleenroll) and renewal by the device
 * (simplereenroll). A refused enrollment is itself evidence (a station trying
 * a serial twice, a CSR for another serial), so each refusal is audited with
 * its reason in a transaction of its own after the failed one rolled back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "audit/audit.h"
#include "core/cleanup.h"
#include "core/strutil.h"
#include "identity/enroll.h"
#include "identity/internal.h"
#include "pki/cert.h"
#include "pki/crl.h"
#include "pki/csr.h"

#define STATION_MAX 128

static int station_check(const char *v, struct error *err) {
        size_t n = strlen(v);
        if (n == 0 || n > STATION_MAX)
                return error_set(err, ERROR_INVALID, "station: must be 1..%d characters", STATION_MAX);
        for (size_t i = 0; i < n; i++)
                if ((unsigned char) v[i] < 0x20 || v[i] == 0x7f)
                        return error_set(err, ERROR_INVALID, "station: contains a control character");
        return 0;
}

static void crq_deinitp(gnutls_x509_crq_t *c) {
        if (*c)
                gnutls_x509_crq_deinit(*c);
}

/* The work of identity_enroll; on a refusal *reason names it for the audit record. */
static int enroll_do(struct identity_ctx *ic, const struct audit_actor *a, const struct identity_enroll_request *r,
                     gnutls_datum_t *cert_der_out, const char **reason, struct error *err) {
        struct store *s = ic->store;
        *reason = "invalid-request";
        if (!r->product_model || !*r->product_model)
                return error_set(err, ERROR_INVALID, "product: is required (the EST label)");
        if (!r->serial || !*r->serial)
                return error_set(err, ERROR_INVALID, "serial: is required");
        if (!r->batch || !*r->batch)
                return error_set(err, ERROR_INVALID, "batch: is required");
        if (pki_name_check("product", r->product_model, err) < 0 || pki_name_check("serial", r->serial, err) < 0 ||
            pki_name_check("batch", r->batch, err) < 0 || (r->station && station_check(r->station, err) < 0))
                return -1;

        *reason = NULL;
        _cleanup_(crq_deinitp) gnutls_x509_crq_t csr = NULL;
        struct pki_csr_info info;
        if (pki_csr_parse(r->csr_der, r->csr_len, &csr, &info, err) < 0) {
                *reason = identity_csr_refusal_reason(&info, err);
                return -1;
        }
        if (strcmp(info.serial_number, r->serial) != 0) {
                *reason = "serial-mismatch";
                if (!info.serial_number[0])
                        return error_set(err, ERROR_INVALID, "CSR subject has no serialNumber; it must be the requested "
                                         "serial '%s'", r->serial);
                return error_set(err, ERROR_INVALID, "CSR subject serialNumber '%s' differs from the requested serial '%s'",
                                 info.serial_number, r->serial);
        }

        int64_t product_id;
        _cleanup_batch_row_ struct store_batch batch = {0};
        _cleanup_ca_row_ struct store_device_ca ca = {0};
        _cleanup_device_row_ struct store_device existing = {0};
        _cleanup_json_ json_t *details = NULL;
        _cleanup_json_ json_t *revoked = NULL;
        gnutls_datum_t der = {0};
        char cert_serial[41];
        char object[96];
        bool found = false;
        if (store_tx_begin(s, err) < 0)
                return -1;
        if (store_identity_product_by_model(s, r->product_model, &product_id, err) < 0) {
                if (err && err->kind == ERROR_NOT_FOUND)
                        *reason = "unknown-product";
                goto fail;
        }
        if (store_batch_get_by_name(s, product_id, r->batch, &batch, err) < 0) {
                if (err && err->kind == ERROR_NOT_FOUND) {
                        *reason = "unknown-batch";
                        error_set(err, ERROR_NOT_FOUND, "batch '%s' does not exist for product '%s'", r->batch,
                                  r->product_model);
                }
                goto fail;
        }
        if (batch.closed_at) {
                *reason = "batch-closed";
                error_set(err, ERROR_CONFLICT, "batch '%s' of product '%s' is closed; enrollments need an open batch",
                          r->batch, r->product_model);
                goto fail;
        }
        if (store_device_ca_get_active(s, product_id, &ca, err) < 0) {
                if (err && err->kind == ERROR_NOT_FOUND) {
                        *reason = "no-active-ca";
                        error_set(err, ERROR_CONFLICT, "product '%s' has no active device CA; create and install one "
                                  "first", r->product_model);
                }
                goto fail;
        }
        if (store_device_find_by_serial(s, r->serial, &existing, &found, err) < 0)
                goto fail;
        if (found) {
                if (existing.product_id != product_id) {
                        *reason = "serial-enrolled";
                        error_set(err, ERROR_CONFLICT, "serial '%s' is already enrolled for product '%s'", r->serial,
                                  existing.product_model);
                        goto fail;
                }
                if (!r->reprovision) {
                        *reason = "serial-enrolled";
                        error_set(err, ERROR_CONFLICT, "device '%s' is already enrolled; re-provisioning it needs "
                                  "reprovision=true and the admin role", r->serial);
                        goto fail;
                }
                if (!a->role || strcmp(a->role, "admin") != 0) {
                        *reason = "reprovision-forbidden";
                        error_set(err, ERROR_FORBIDDEN, "re-provisioning device '%s' needs the admin role (caller has "
                                  "'%s')", r->serial, a->role ? a->role : "none");
                        goto fail;
                }
        }

        const char *station = r->station ? r->station : batch.station ? batch.station : a->name;
        struct store_device dev = {
                .id = existing.id,
                .serial = (char *) r->serial,
                .product_id = product_id,
                .batch_id = batch.id,
                .hardware_revision = batch.hardware_revision,
                .production_date = batch.production_date,
                .station = (char *) station,
                .initial_firmware_version = batch.initial_firmware_version,
                .status = STORE_DEVICE_ACTIVE,
                .origin = STORE_DEVICE_FACTORY,
                .created_at = identity_now(ic),
        };
        revoked = json_array();
        if (found) {
                if (identity_revoke_device_certs(ic, existing.id, PKI_CRL_REASON_SUPERSEDED, revoked, err) < 0 ||
                    store_device_reprovision(s, &dev, err) < 0)
                        goto fail;
        } else if (store_device_insert(s, &dev, &dev.id, err) < 0)
                goto fail;
        if (identity_issue_cert(ic, &ca, r->product_model, dev.id, r->serial, PKI_CERT_BIRTH, csr, NULL, cert_serial,
                                &der, err) < 0)
                goto fail;
        snprintf(object, sizeof(object), "device:%s", r->serial);
        details = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "serial", r->serial, "product",
                            r->product_model, "batch", batch.name, "station", station, "hardware_revision",
                            batch.hardware_revision, "certificate", cert_serial, "kind", "birth", "ca", ca.name,
                            "key", info.key_desc);
        if (found)
                json_object_set(details, "revoked", revoked);
        if (audit_append(s, a, found ? "device.reprovision" : "device.enroll", object, details, err) < 0 ||
            store_tx_commit(s, err) < 0)
                goto fail;
        *cert_der_out = der;
        return 0;
fail:
        store_tx_rollback(s);
        gnutls_free(der.data);
        return -1;
}

int identity_enroll(struct identity_ctx *ic, const struct audit_actor *a,
                    const struct identity_enroll_request *r, gnutls_datum_t *cert_der_out,
                    struct error *err) {
        cert_der_out->data = NULL;
        cert_der_out->size = 0;
        if (!ic || !a || !r)
                return error_set(err, ERROR_INTERNAL, "identity_enroll: context, actor and request are required");
        const char *reason = NULL;
        struct error e = {0};
        if (enroll_do(ic, a, r, cert_der_out, &reason, &e) == 0)
                return 0;
        if (reason) {
                char object[96];
                char serial[72];
                str_sanitize(r->serial ? r->serial : "", r->serial ? strlen(r->serial) : 0, serial, sizeof(serial));
                snprintf(object, sizeof(object), "device:%s", serial);
                json_t *details = identity_refusal_details(reason, r->serial, r->product_model, r->batch, e.msg);
                audit_append_standalone(ic->store, a, "device.enroll.refused", object, details);
                json_decref(details);
        }
        return identity_error_pass(err, &e);
}

int identity_reenroll(struct identity_ctx *ic, const struct identity_device_peer *peer,
                      const uint8_t *csr_der, size_t len, gnutls_datum_t *cert_der_out, struct error *err) {
        cert_der_out->data = NULL;
        cert_der_out->size = 0;
        struct store *s = ic->store;
        _cleanup_(crq_deinitp) gnutls_x509_crq_t csr = NULL;
        struct pki_csr_info info;
        if (pki_csr_parse(csr_der, len, &csr, &info, err) < 0)
                return -1;
        if (strcmp(info.serial_number, peer->serial) != 0)
                return error_set(err, ERROR_INVALID, "CSR subject serialNumber '%s' differs from the device's serial '%s'",
                                 info.serial_number, peer->serial);

        _cleanup_cert_row_ struct store_certificate presented = {0};
        _cleanup_device_row_ struct store_device dev = {0};
        _cleanup_ca_row_ struct store_device_ca ca = {0};
        _cleanup_json_ json_t *details = NULL;
        gnutls_datum_t der = {0};
        char cert_serial[41], object[96], actor_name[96];
        int64_t cert_id;
        struct audit_actor actor;
        identity_device_actor(peer->serial, actor_name, sizeof(actor_name), &actor);
        if (store_tx_begin(s, err) < 0)
                return -1;
        /* Re-read under the write lock: a revocation may have landed since authentication. */
        if (store_certificate_get(s, peer->cert_id, &presented, err) < 0 || store_device_get(s, peer->device_id, &dev, err) < 0)
                goto fail;
        if (presented.status != STORE_CERT_VALID || presented.device_id != dev.id) {
                error_set(err, ERROR_UNAUTHENTICATED, "certificate %s is %s", presented.serial_hex,
                          store_cert_status_name(presented.status));
                goto fail;
        }
        if (dev.status == STORE_DEVICE_DECOMMISSIONED) {
                error_set(err, ERROR_FORBIDDEN, "device '%s' is decommissioned", dev.serial);
                goto fail;
        }
        if (store_device_ca_get_active(s, dev.product_id, &ca, err) < 0) {
                if (err && err->kind == ERROR_NOT_FOUND)
                        error_set(err, ERROR_CONFLICT, "product '%s' has no active device CA", dev.product_model);
                goto fail;
        }
        if (identity_issue_cert(ic, &ca, dev.product_model, dev.id, dev.serial, PKI_CERT_OPERATIONAL, csr, &cert_id,
                                cert_serial, &der, err) < 0)
                goto fail;
        /* An operational certificate is replaced by its renewal; a birth identity stays. */
        bool supersede = presented.kind == STORE_CERT_OPERATIONAL;
        if (supersede && store_certificate_supersede(s, presented.id, cert_id, err) < 0)
                goto fail;
        snprintf(object, sizeof(object), "device:%s", dev.serial);
        details = json_pack("{s:s, s:s, s:s, s:s, s:b, s:s, s:s}", "serial", dev.serial, "certificate", cert_serial,
                            "presented", presented.serial_hex, "presented_kind", store_cert_kind_name(presented.kind),
                            "superseded", supersede, "ca", ca.name, "key", info.key_desc);
        if (audit_append(s, &actor, "certificate.renew", object, details, err) < 0 || store_tx_commit(s, err) < 0)
                goto fail;
        *cert_der_out = der;
        return 0;
fail:
        store_tx_rollback(s);
        gnutls_free(der.data);
        return -1;
}

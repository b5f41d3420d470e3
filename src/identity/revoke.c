/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Revocation and CRLs. A CRL is regenerated in the transaction that revokes,
 * so a committed revocation is always in the published list; identity_crl_get
 * only refreshes a list whose nextUpdate is near (a routine re-signing, not a
 * change of state, so it is not audited).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "audit/audit.h"
#include "core/cleanup.h"
#include "core/fault.h"
#include "core/strutil.h"
#include "core/time.h"
#include "crypto/key.h"
#include "identity/internal.h"
#include "secret/keyfile.h"
#include "keys/keys.h"
#include "identity/revoke.h"
#include "pki/cert.h"
#include "pki/crl.h"

#define CRL_BACKDATE_SECS 60

int identity_crl_regenerate(struct identity_ctx *ic, int64_t ca_id, struct error *err) {
        _cleanup_ca_row_ struct store_device_ca ca = {0};
        if (store_device_ca_get(ic->store, ca_id, &ca, err) < 0)
                return -1;
        if (!ca.cert_pem)
                return error_set(err, ERROR_CONFLICT, "device CA '%s' is not installed yet; it has no CRL", ca.name);
        _cleanup_crypto_key_ struct crypto_key *key = NULL;
        if (secret_key_load(ca.key_ref, ca.key_ref, &key, err) < 0)
                return error_prefix(err, "device CA '%s': ", ca.name);
        _cleanup_pki_crt_ gnutls_x509_crt_t crt = NULL;
        if (pki_cert_import(ca.cert_pem, strlen(ca.cert_pem), &crt, err) < 0)
                return error_prefix(err, "device CA '%s': ", ca.name);
        struct store_certificate *revoked;
        size_t n;
        if (store_certificate_list_revoked(ic->store, ca.id, &revoked, &n, err) < 0)
                return -1;
        struct pki_revoked *entries = xcalloc(n ? n : 1, sizeof(*entries));
        for (size_t i = 0; i < n; i++)
                entries[i] = (struct pki_revoked){
                        .serial_hex = revoked[i].serial_hex,
                        .revoked_at = revoked[i].revoked_at,
                        .reason = revoked[i].revocation_reason < 0 ? 0 : revoked[i].revocation_reason,
                };
        /* The wall clock, not ic->now: a CRL is read by relying parties against
         * theirs (and pki_crl_generate's self-check uses it). thisUpdate is
         * backdated a little so a relying party whose clock is slightly behind
         * does not see a CRL "issued in the future"; nextUpdate stays now + 7 days. */
        int64_t now = time_now();
        int64_t number = ca.crl_number + 1;
        uint8_t *der = NULL;
        size_t len = 0;
        int r = pki_crl_generate(key, crt, entries, n, (uint64_t) number, now - CRL_BACKDATE_SECS,
                                 IDENTITY_CRL_VALIDITY_SECS + CRL_BACKDATE_SECS, &der, &len, err);
        free(entries);
        store_certificate_list_free(revoked, n);
        if (r < 0)
                return error_prefix(err, "CRL of device CA '%s': ", ca.name);
        r = store_device_ca_set_crl(ic->store, ca.id, number, der, len, now + IDENTITY_CRL_VALIDITY_SECS, err);
        free(der);
        if (r < 0)
                return -1;
        /* A CRL signature is a sensitive use of the CA key: its own audit
         * entry in the key registry (issue 11). */
        int64_t key_id = 0;
        if (keys_find_pubkey(ic->store, "device-ca", crypto_key_pubkey(key), &key_id, err) < 0)
                return -1;
        if (!key_id)
                return 0; /* not registered yet: cradled's start registers it (keys_discover_store) */
        _cleanup_free_ char *what = str_printf("crl.sign: CRL %lld of device CA '%s'", (long long) number, ca.name);
        return keys_use_audited(ic->store, key_id, what, "system", err);
}

static int reason_check(int reason, struct error *err) {
        const char *name = pki_crl_reason_name(reason);
        if (!name)
                return error_set(err, ERROR_INVALID, "reason: %d is not an RFC 5280 CRLReason", reason);
        if (reason == PKI_CRL_REASON_CERTIFICATE_HOLD || reason == PKI_CRL_REASON_REMOVE_FROM_CRL)
                return error_set(err, ERROR_INVALID, "reason: %s is not supported (revocation is permanent)", name);
        return 0;
}

/* Adds ca_id to a small set; true when it was new. */
static bool id_set_add(int64_t *set, size_t *n, int64_t id) {
        for (size_t i = 0; i < *n; i++)
                if (set[i] == id)
                        return false;
        set[(*n)++] = id;
        return true;
}

int identity_revoke_device_certs(struct identity_ctx *ic, int64_t device_id, int reason, json_t *revoked,
                                 struct error *err) {
        struct store_certificate *certs;
        size_t n;
        if (store_certificate_list_by_device(ic->store, device_id, &certs, &n, err) < 0)
                return -1;
        int64_t *cas = xcalloc(n ? n : 1, sizeof(*cas));
        size_t n_cas = 0;
        int count = 0;
        int64_t now = identity_now(ic);
        for (size_t i = 0; i < n; i++) {
                if (certs[i].status == STORE_CERT_REVOKED)
                        continue;
                if (store_certificate_revoke(ic->store, certs[i].id, now, reason, err) < 0)
                        goto fail;
                id_set_add(cas, &n_cas, certs[i].ca_id);
                if (revoked)
                        json_array_append_new(revoked, json_string(certs[i].serial_hex));
                count++;
        }
        for (size_t i = 0; i < n_cas; i++)
                if (identity_crl_regenerate(ic, cas[i], err) < 0)
                        goto fail;
        free(cas);
        store_certificate_list_free(certs, n);
        return count;
fail:
        free(cas);
        store_certificate_list_free(certs, n);
        return -1;
}

int identity_revoke_cert(struct identity_ctx *ic, const struct audit_actor *a, const char *cert_serial,
                         int reason, struct error *err) {
        char serial[41];
        if (!cert_serial || pki_serial_hex_normalize(cert_serial, serial, err) < 0)
                return cert_serial ? error_prefix(err, "certificate serial: ")
                                   : error_set(err, ERROR_INVALID, "certificate serial: is required");
        if (reason_check(reason, err) < 0)
                return -1;
        struct store *s = ic->store;
        _cleanup_cert_row_ struct store_certificate c = {0};
        _cleanup_ca_row_ struct store_device_ca ca = {0};
        _cleanup_json_ json_t *details = NULL;
        char object[64];
        if (store_tx_begin(s, err) < 0)
                return -1;
        if (store_certificate_get_by_serial(s, serial, &c, err) < 0 ||
            store_certificate_revoke(s, c.id, identity_now(ic), reason, err) < 0 ||
            identity_crl_regenerate(ic, c.ca_id, err) < 0 || store_device_ca_get(s, c.ca_id, &ca, err) < 0)
                goto fail;
        snprintf(object, sizeof(object), "certificate:%s", serial);
        details = json_pack("{s:s, s:s, s:s, s:s, s:I}", "serial", serial, "device", c.device_serial,
                            "reason", pki_crl_reason_name(reason), "ca", ca.name, "crl_number",
                            (json_int_t) ca.crl_number);
        /* The CRL is a column of the CA row, served from it: it changes
         * with the commit or not at all (docs/identity.md). */
        if (audit_append(s, a, "certificate.revoke", object, details, err) < 0 ||
            fault_point("identity.revoke.commit", err) < 0)
                goto fail;
        return store_tx_commit(s, err);
fail:
        store_tx_rollback(s);
        return -1;
}

int identity_revoke_device(struct identity_ctx *ic, const struct audit_actor *a, const char *device_serial,
                           int reason, struct error *err) {
        if (!device_serial || !*device_serial)
                return error_set(err, ERROR_INVALID, "device serial: is required");
        if (reason_check(reason, err) < 0)
                return -1;
        struct store *s = ic->store;
        _cleanup_device_row_ struct store_device d = {0};
        _cleanup_json_ json_t *serials = json_array();
        _cleanup_json_ json_t *details = NULL;
        char object[96];
        if (store_tx_begin(s, err) < 0)
                return -1;
        if (store_device_get_by_serial(s, device_serial, &d, err) < 0)
                goto fail;
        int count = identity_revoke_device_certs(ic, d.id, reason, serials, err);
        if (count < 0)
                goto fail;
        if (count == 0) {
                error_set(err, ERROR_CONFLICT, "device '%s' has no certificate left to revoke", d.serial);
                goto fail;
        }
        snprintf(object, sizeof(object), "device:%s", d.serial);
        details = json_pack("{s:s, s:s, s:O}", "serial", d.serial, "reason", pki_crl_reason_name(reason),
                            "certificates", serials);
        if (audit_append(s, a, "device.revoke", object, details, err) < 0)
                goto fail;
        return store_tx_commit(s, err);
fail:
        store_tx_rollback(s);
        return -1;
}

int identity_decommission(struct identity_ctx *ic, const struct audit_actor *a, const char *device_serial,
                          struct error *err) {
        if (!device_serial || !*device_serial)
                return error_set(err, ERROR_INVALID, "device serial: is required");
        struct store *s = ic->store;
        _cleanup_device_row_ struct store_device d = {0};
        _cleanup_json_ json_t *serials = json_array();
        _cleanup_json_ json_t *details = NULL;
        char object[96];
        if (store_tx_begin(s, err) < 0)
                return -1;
        if (store_device_get_by_serial(s, device_serial, &d, err) < 0)
                goto fail;
        if (d.status == STORE_DEVICE_DECOMMISSIONED) {
                error_set(err, ERROR_CONFLICT, "device '%s' is already decommissioned", d.serial);
                goto fail;
        }
        if (identity_revoke_device_certs(ic, d.id, PKI_CRL_REASON_CESSATION_OF_OPERATION, serials, err) < 0 ||
            store_device_decommission(s, d.id, identity_now(ic), err) < 0)
                goto fail;
        snprintf(object, sizeof(object), "device:%s", d.serial);
        details = json_pack("{s:s, s:s, s:O}", "serial", d.serial, "product", d.product_model, "certificates",
                            serials);
        if (audit_append(s, a, "device.decommission", object, details, err) < 0)
                goto fail;
        return store_tx_commit(s, err);
fail:
        store_tx_rollback(s);
        return -1;
}

static bool crl_fresh(const struct store_device_ca *ca, int64_t now) {
        return ca->crl_der && ca->crl_next_update - now >= IDENTITY_CRL_REFRESH_SECS;
}

int identity_crl_get(struct identity_ctx *ic, const char *ca_name, uint8_t **der, size_t *len,
                     struct error *err) {
        *der = NULL;
        *len = 0;
        if (!ca_name || !*ca_name)
                return error_set(err, ERROR_INVALID, "device CA name is empty");
        struct store *s = ic->store;
        _cleanup_ca_row_ struct store_device_ca ca = {0};
        if (store_device_ca_get_by_name(s, ca_name, &ca, err) < 0)
                return -1;
        if (!ca.cert_pem)
                return error_set(err, ERROR_CONFLICT, "device CA '%s' is not installed yet; it has no CRL", ca.name);
        int64_t now = time_now();
        if (!crl_fresh(&ca, now)) {
                if (store_tx_begin(s, err) < 0)
                        return -1;
                /* Re-read under the write lock: another request may have refreshed it. */
                store_device_ca_clear(&ca);
                if (store_device_ca_get_by_name(s, ca_name, &ca, err) < 0)
                        goto fail;
                if (!crl_fresh(&ca, now)) {
                        int64_t id = ca.id;
                        store_device_ca_clear(&ca);
                        if (identity_crl_regenerate(ic, id, err) < 0 || store_device_ca_get(s, id, &ca, err) < 0)
                                goto fail;
                }
                if (store_tx_commit(s, err) < 0)
                        return -1;
        }
        if (!ca.crl_der)
                return error_set(err, ERROR_INTERNAL, "device CA '%s' has no CRL after regeneration", ca.name);
        *der = steal_ptr(ca.crl_der);
        *len = ca.crl_len;
        return 0;
fail:
        store_tx_rollback(s);
        return -1;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* Shared pieces of the identity domain: time, audit of refusals, issuing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "audit/audit.h"
#include "core/cleanup.h"
#include "core/log.h"
#include "core/strutil.h"
#include "core/time.h"
#include "crypto/key.h"
#include "identity/internal.h"
#include "secret/keyfile.h"
#include "keys/keys.h"
#include "pki/cert.h"
#include "pki/crl.h"

int64_t identity_now(const struct identity_ctx *ic) {
        return ic && ic->now ? ic->now : time_now();
}

json_t *identity_time_json(int64_t t) {
        if (t == 0)
                return json_null();
        char buf[TIME_RFC3339_LEN];
        time_format_rfc3339(t, buf);
        return json_string(buf);
}

json_t *identity_str_json(const char *s) {
        return s ? json_string(s) : json_null();
}


static json_t *printable(const char *s) {
        char buf[160];
        str_sanitize(s ? s : "", s ? strlen(s) : 0, buf, sizeof(buf));
        return json_string(buf);
}

json_t *identity_refusal_details(const char *reason, const char *serial, const char *product, const char *batch,
                                 const char *message) {
        char msg[ERROR_MSG_MAX];
        str_sanitize(message ? message : "", message ? strlen(message) : 0, msg, sizeof(msg));
        return json_pack("{s:s, s:o, s:o, s:o, s:s}", "reason", reason, "serial", printable(serial), "product",
                         printable(product), "batch", printable(batch), "message", msg);
}

void identity_device_actor(const char *serial, char *name_buf, size_t size, struct audit_actor *out) {
        snprintf(name_buf, size, "device:%s", serial ? serial : "");
        *out = (struct audit_actor) {.name = name_buf, .role = IDENTITY_DEVICE_ROLE}; /* no user: a device */
}

const char *identity_csr_refusal_reason(const struct pki_csr_info *info, const struct error *e) {
        if (info->key_desc[0] && !info->key_in_policy)
                return "key-policy";
        if (e && strstr(e->msg, "signature"))
                return "csr-signature";
        return "csr-invalid";
}

static void crt_deinitp(gnutls_x509_crt_t *c) {
        if (*c)
                gnutls_x509_crt_deinit(*c);
}

int identity_issue_cert(struct identity_ctx *ic, const struct store_device_ca *ca, const char *product_model,
                        int64_t device_id, const char *device_serial, enum pki_cert_kind kind,
                        gnutls_x509_crq_t csr, int64_t *cert_id_out, char serial_hex_out[41],
                        gnutls_datum_t *der_out, struct error *err) {
        der_out->data = NULL;
        der_out->size = 0;
        if (!ca->cert_pem)
                return error_set(err, ERROR_CONFLICT, "device CA '%s' is not installed", ca->name);
        _cleanup_crypto_key_ struct crypto_key *key = NULL;
        if (secret_key_load(ca->key_ref, ca->key_ref, &key, err) < 0)
                return error_prefix(err, "device CA '%s': ", ca->name);
        _cleanup_(crt_deinitp) gnutls_x509_crt_t ca_cert = NULL;
        if (pki_cert_import(ca->cert_pem, strlen(ca->cert_pem), &ca_cert, err) < 0)
                return error_prefix(err, "device CA '%s': ", ca->name);

        _cleanup_free_ char *crl_url = NULL;
        if (ic->crl_base_url && *ic->crl_base_url) {
                size_t n = strlen(ic->crl_base_url);
                while (n > 0 && ic->crl_base_url[n - 1] == '/')
                        n--;
                crl_url = str_printf("%.*s/%s.crl", (int) n, ic->crl_base_url, ca->name);
        }
        unsigned days = kind == PKI_CERT_BIRTH
                                ? (ic->birth_days ? ic->birth_days : PKI_BIRTH_DAYS_DEFAULT)
                                : (ic->operational_days ? ic->operational_days : PKI_OPERATIONAL_DAYS_DEFAULT);
        struct pki_device_profile prof = {
                .kind = kind,
                .product_model = product_model,
                .device_serial = device_serial,
                .validity_days = days,
                .crl_url = crl_url,
        };
        _cleanup_(crt_deinitp) gnutls_x509_crt_t crt = NULL;
        if (pki_issue_device_cert(key, ca_cert, csr, &prof, &crt, err) < 0)
                return -1;

        struct store_certificate row = {
                .device_id = device_id,
                .ca_id = ca->id,
                .kind = kind == PKI_CERT_BIRTH ? STORE_CERT_BIRTH : STORE_CERT_OPERATIONAL,
                .status = STORE_CERT_VALID,
                .revocation_reason = -1,
                .issued_at = identity_now(ic),
        };
        if (pki_cert_serial_hex(crt, row.serial_hex) < 0 || pki_cert_fingerprint_sha256(crt, row.fingerprint) < 0)
                return error_set(err, ERROR_CRYPTO, "issued certificate for '%s' cannot be read back", device_serial);
        time_t nb = gnutls_x509_crt_get_activation_time(crt);
        time_t na = gnutls_x509_crt_get_expiration_time(crt);
        if (nb == (time_t) -1 || na == (time_t) -1)
                return error_set(err, ERROR_CRYPTO, "issued certificate for '%s' has no validity", device_serial);
        row.not_before = (int64_t) nb;
        row.not_after = (int64_t) na;
        _cleanup_free_ char *pem = pki_cert_export_pem(crt, err);
        if (!pem)
                return -1;
        row.pem = pem;
        gnutls_datum_t der = {0};
        if (pki_cert_export_der(crt, &der, err) < 0)
                return -1;
        int64_t id;
        /* Every issuance counts in the key registry's usage log, per day (issue 11). */
        int64_t key_id = 0;
        if (store_certificate_insert(ic->store, &row, &id, err) < 0 ||
            keys_find_pubkey(ic->store, "device-ca", crypto_key_pubkey(key), &key_id, err) < 0 ||
            (key_id && keys_usage_add(ic->store, key_id, kind == PKI_CERT_BIRTH ? "cert.issue.birth"
                                                                                : "cert.issue.operational",
                                      1, err) < 0)) {
                gnutls_free(der.data);
                return -1;
        }
        if (cert_id_out)
                *cert_id_out = id;
        if (serial_hex_out)
                memcpy(serial_hex_out, row.serial_hex, 41);
        *der_out = der;
        return 0;
}

json_t *identity_cert_to_json(const struct store_certificate *c, bool with_pem) {
        const char *reason = c->revocation_reason >= 0 ? pki_crl_reason_name(c->revocation_reason) : NULL;
        json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o}",
                              "serial", c->serial_hex,
                              "kind", store_cert_kind_name(c->kind),
                              "status", store_cert_status_name(c->status),
                              "ca", c->ca_name,
                              "fingerprint_sha256", c->fingerprint,
                              "not_before", identity_time_json(c->not_before),
                              "not_after", identity_time_json(c->not_after),
                              "issued_at", identity_time_json(c->issued_at),
                              "revoked_at", identity_time_json(c->revoked_at),
                              "revocation_reason", identity_str_json(reason),
                              "superseded_by",
                              identity_str_json(c->superseded_by_serial[0] ? c->superseded_by_serial : NULL));
        if (j && with_pem)
                json_object_set_new(j, "pem", json_string(c->pem));
        return j;
}

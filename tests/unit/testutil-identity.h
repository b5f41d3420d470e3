/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * Fixture for device identity tests (identity, server EST/peer): a store in a
 * temp dir with
 *   - an offline root (file key <dir>/root.key, "Cradle Test Root"),
 *   - a product IDFX_MODEL,
 *   - an active device CA IDFX_CA for it (file key under <dir>/data/pki/),
 *   - an open batch IDFX_BATCH,
 * and helpers to make device keys and CSRs and to enroll devices.
 * Header-only, like testutil-store.h.
 */
#include "testutil-store.h"

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "audit/audit.h"
#include "crypto/key.h"
#include "identity/batch.h"
#include "identity/device-ca.h"
#include "identity/devices.h"
#include "identity/enroll.h"
#include "identity/identity.h"
#include "identity/migrate.h"
#include "identity/peer.h"
#include "identity/revoke.h"
#include "identity/security-event.h"
#include "pki/ca.h"
#include "pki/cert.h"
#include "pki/crl.h"
#include "pki/csr.h"
#include "pki/issue.h"
#include "product/product.h"

#define IDFX_MODEL "T1-EU"
#define IDFX_CA "t1-ca-1"
#define IDFX_BATCH "B2026-01"
#define IDFX_CRL_BASE "https://cradle.example/pki/crl"

__attribute__((unused)) static const struct audit_actor idfx_admin = {.name = "root-admin", .role = "admin"};
__attribute__((unused)) static const struct audit_actor idfx_factory = {.name = "station-7", .role = "factory"};
__attribute__((unused)) static const struct audit_actor idfx_security_officer = {.name = "sec-officer", .role = "security-officer"};

struct idfx {
        struct tdir *t;
        struct store *s;
        struct identity_ctx ic;
        char *data_dir;
        char *root_key_path;
        struct crypto_key *root_key;
        gnutls_x509_crt_t root_cert;
        char *root_pem;
        int64_t product_id;
        int64_t batch_id;
        unsigned keys_made;
};

static inline json_t *idfx_json(const char *text) {
        json_error_t je;
        json_t *j = json_loads(text, 0, &je);
        if (!j)
                fail_msg("bad test JSON: %s: %s", je.text, text);
        return j;
}

/* Creates a product with the given model; returns its id. */
static inline int64_t idfx_product_create(struct idfx *f, const char *model) {
        char *text = str_printf(
                "{\"name\": \"Thermostat\", \"model\": \"%s\","
                " \"manufacturer\": {\"name\": \"Acme GmbH\", \"address\": \"Hauptstr. 1, Berlin\","
                "                    \"contact\": \"security@acme.example\"},"
                " \"support\": {\"start\": \"2026-11-21\", \"end\": \"2036-11-21\"},"
                " \"member_states\": [\"DE\"]}", model);
        json_t *body = idfx_json(text);
        free(text);
        json_t *out = NULL;
        struct error err = {0};
        if (product_create(f->s, &idfx_admin, body, &out, &err) < 0)
                fail_msg("product_create: %s", err.msg);
        int64_t id = json_integer_value(json_object_get(out, "id"));
        json_decref(body);
        json_decref(out);
        return id;
}

/* Signs a CSR (PEM) with the fixture's root as an intermediate; heap PEM. */
static inline char *idfx_root_sign(struct idfx *f, const char *csr_pem, unsigned days) {
        struct error err = {0};
        gnutls_x509_crq_t crq = NULL;
        struct pki_csr_info info;
        if (pki_csr_parse(csr_pem, strlen(csr_pem), &crq, &info, &err) < 0)
                fail_msg("CA CSR: %s", err.msg);
        char *pem = NULL;
        if (pki_sign_intermediate(f->root_key, f->root_cert, crq, days, &pem, &err) < 0)
                fail_msg("pki_sign_intermediate: %s", err.msg);
        gnutls_x509_crq_deinit(crq);
        return pem;
}

/* Creates a device CA for `model` (file key), signs it with the root, installs it. */
static inline void idfx_ca_setup(struct idfx *f, const char *model, const char *name) {
        struct error err = {0};
        json_t *ca = NULL;
        if (identity_ca_create(f->s, &idfx_admin, model, name, NULL, f->data_dir, &ca, &err) < 0)
                fail_msg("identity_ca_create: %s", err.msg);
        char *cert = idfx_root_sign(f, json_string_value(json_object_get(ca, "csr")), 7300 + 730);
        json_decref(ca);
        ca = NULL;
        if (identity_ca_install(f->s, &idfx_admin, name, cert, f->root_pem, &ca, &err) < 0)
                fail_msg("identity_ca_install: %s", err.msg);
        json_decref(ca);
        free(cert);
}

static inline int64_t idfx_batch_create(struct idfx *f, const char *model, const char *name) {
        char *text = str_printf("{\"product\": \"%s\", \"name\": \"%s\", \"hardware_revision\": \"rev-C\","
                                " \"production_date\": \"2026-03-02\", \"initial_firmware_version\": \"1.4.2\"}",
                                model, name);
        json_t *body = idfx_json(text);
        free(text);
        json_t *out = NULL;
        struct error err = {0};
        if (identity_batch_create(f->s, &idfx_admin, body, &out, &err) < 0)
                fail_msg("identity_batch_create: %s", err.msg);
        int64_t id = json_integer_value(json_object_get(out, "id"));
        json_decref(body);
        json_decref(out);
        return id;
}

/* Full fixture: root, product, active CA, open batch. */
static inline struct idfx *idfx_new(void) {
        struct idfx *f = calloc(1, sizeof(*f));
        assert_non_null(f);
        f->t = tdir_new();
        struct error err = {0};
        if (store_open(f->t->db, &f->s, &err) < 0)
                fail_msg("store_open: %s", err.msg);
        f->data_dir = tdir_path(f->t, "data");
        f->ic = (struct identity_ctx){.store = f->s, .data_dir = f->data_dir, .crl_base_url = IDFX_CRL_BASE};

        f->root_key_path = tdir_path(f->t, "root.key");
        if (crypto_key_generate_file(f->root_key_path, CRYPTO_KEY_EC_P256, &err) < 0 ||
            crypto_key_load(f->root_key_path, &f->root_key, &err) < 0 ||
            pki_root_create(f->root_key, "Cradle Test Root", "Acme GmbH", 7300 + 3650, &f->root_pem, &err) < 0 ||
            pki_cert_import(f->root_pem, strlen(f->root_pem), &f->root_cert, &err) < 0)
                fail_msg("root: %s", err.msg);

        f->product_id = idfx_product_create(f, IDFX_MODEL);
        idfx_ca_setup(f, IDFX_MODEL, IDFX_CA);
        f->batch_id = idfx_batch_create(f, IDFX_MODEL, IDFX_BATCH);
        return f;
}

static inline void idfx_free(struct idfx *f) {
        if (!f)
                return;
        store_close(f->s);
        crypto_key_free(f->root_key);
        if (f->root_cert)
                gnutls_x509_crt_deinit(f->root_cert);
        free(f->root_pem);
        free(f->root_key_path);
        free(f->data_dir);
        tdir_free(f->t);
        free(f);
}

/* A fresh device key file in the temp dir (0600); heap path. */
static inline char *idfx_device_key(struct idfx *f, enum crypto_key_type type) {
        char name[64];
        snprintf(name, sizeof(name), "device-%u.key", f->keys_made++);
        char *path = tdir_path(f->t, name);
        struct error err = {0};
        if (crypto_key_generate_file(path, type, &err) < 0)
                fail_msg("device key: %s", err.msg);
        return path;
}

/* DER CSR for a key file with subject CN=<cn>, serialNumber=<serial_number> (NULL: none). */
static inline void idfx_csr_for_key(const char *key_path, const char *cn, const char *serial_number,
                                    uint8_t **der, size_t *len) {
        struct error err = {0};
        struct crypto_key *k = NULL;
        char *pem = NULL;
        if (crypto_key_load(key_path, &k, &err) < 0 || pki_csr_create(k, cn, serial_number, &pem, &err) < 0 ||
            pki_csr_pem_to_der(pem, der, len, &err) < 0)
                fail_msg("CSR: %s", err.msg);
        free(pem);
        crypto_key_free(k);
}

/* A new P-256 key and its CSR for `serial`. *key_path_out (heap) may be NULL. */
static inline void idfx_csr(struct idfx *f, const char *serial, uint8_t **der, size_t *len, char **key_path_out) {
        char *path = idfx_device_key(f, CRYPTO_KEY_EC_P256);
        idfx_csr_for_key(path, serial, serial, der, len);
        if (key_path_out)
                *key_path_out = path;
        else
                free(path);
}

/* Enrolls `serial` in the fixture's product and batch as the factory; the birth
 * certificate's DER goes to *cert (gnutls_free), key path to *key_path_out (may be NULL). */
static inline void idfx_enroll(struct idfx *f, const char *serial, gnutls_datum_t *cert, char **key_path_out) {
        uint8_t *der;
        size_t len;
        idfx_csr(f, serial, &der, &len, key_path_out);
        struct identity_enroll_request r = {
                .product_model = IDFX_MODEL, .serial = serial, .batch = IDFX_BATCH, .csr_der = der, .csr_len = len,
        };
        struct error err = {0};
        if (identity_enroll(&f->ic, &idfx_factory, &r, cert, &err) < 0)
                fail_msg("identity_enroll %s: %s", serial, err.msg);
        free(der);
}

/* Serial (hex) of a DER certificate. */
static inline void idfx_cert_serial(const gnutls_datum_t *cert, char out[41]) {
        gnutls_x509_crt_t crt = NULL;
        struct error err = {0};
        if (pki_cert_import(cert->data, cert->size, &crt, &err) < 0)
                fail_msg("certificate: %s", err.msg);
        assert_int_equal(pki_cert_serial_hex(crt, out), 0);
        gnutls_x509_crt_deinit(crt);
}

/* Number of audit entries with this action (and, when given, a details substring). */
static inline int64_t idfx_audit_count(struct idfx *f, const char *action, const char *details_like) {
        char *sql = details_like
                ? sqlite3_mprintf("SELECT count(*) FROM audit_log WHERE action = %Q AND details LIKE '%%' || %Q || '%%'",
                                  action, details_like)
                : sqlite3_mprintf("SELECT count(*) FROM audit_log WHERE action = %Q", action);
        int64_t n = raw_int(f->t->db, sql);
        sqlite3_free(sql);
        return n;
}

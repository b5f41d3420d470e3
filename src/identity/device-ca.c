/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Device-issuing CAs: key + CSR (pending), certificate installation (active),
 * retirement when the product gets a newer one. The key never leaves its file or
 * token; rows carry only its reference.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <gnutls/x509.h>
#include "audit/audit.h"
#include "core/cleanup.h"
#include "core/fileio.h"
#include "core/strutil.h"
#include "core/time.h"
#include "crypto/key.h"
#include "identity/device-ca.h"
#include "identity/internal.h"
#include "secret/keyfile.h"
#include "keys/keys.h"
#include "pki/ca.h"
#include "pki/cert.h"
#include "pki/csr.h"

#define CA_CHAIN_MAX 8

/* ---- JSON ---- */

static json_t *ca_to_json(const struct store_device_ca *ca) {
        json_t *fp = json_null(), *not_after = json_null();
        if (ca->cert_pem) {
                gnutls_x509_crt_t crt = NULL;
                if (pki_cert_import(ca->cert_pem, strlen(ca->cert_pem), &crt, NULL) == 0) {
                        char hex[65];
                        if (pki_cert_fingerprint_sha256(crt, hex) == 0) {
                                json_decref(fp);
                                fp = json_string(hex);
                        }
                        time_t na = gnutls_x509_crt_get_expiration_time(crt);
                        if (na != (time_t) -1) {
                                json_decref(not_after);
                                not_after = identity_time_json((int64_t) na);
                        }
                        gnutls_x509_crt_deinit(crt);
                }
        }
        return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:I, s:o, s:o, s:o, s:o}",
                         "id", (json_int_t) ca->id,
                         "name", ca->name,
                         "product", ca->product_model,
                         "key_ref", ca->key_ref,
                         "status", store_ca_status_name(ca->status),
                         "csr", ca->csr_pem,
                         "certificate", identity_str_json(ca->cert_pem),
                         "chain", identity_str_json(ca->chain_pem),
                         "fingerprint_sha256", fp,
                         "not_after", not_after,
                         "crl_number", (json_int_t) ca->crl_number,
                         "crl_next_update", identity_time_json(ca->crl_next_update),
                         "created_at", identity_time_json(ca->created_at),
                         "activated_at", identity_time_json(ca->activated_at),
                         "retired_at", identity_time_json(ca->retired_at));
}

static int ca_json_out(const struct store_device_ca *ca, json_t **out, struct error *err) {
        *out = ca_to_json(ca);
        return *out ? 0 : error_set(err, ERROR_INTERNAL, "device CA '%s' cannot be rendered", ca->name);
}

/* ---- create ---- */

int identity_ca_create(struct store *s, const struct audit_actor *a, const char *product_model,
                       const char *name, const char *key_ref, const char *data_dir, json_t **out,
                       struct error *err) {
        *out = NULL;
        if (pki_name_check("device CA name", name, err) < 0 || pki_name_check("product", product_model, err) < 0)
                return -1;
        if (key_ref && (!*key_ref || strlen(key_ref) > CRYPTO_KEY_REF_MAX))
                return error_set(err, ERROR_INVALID, "key_ref: must be 1..%d characters", CRYPTO_KEY_REF_MAX);
        if (!key_ref && (!data_dir || !*data_dir))
                return error_set(err, ERROR_INVALID, "no key_ref given and no data directory to generate a key in");
        int64_t product_id;
        if (store_identity_product_by_model(s, product_model, &product_id, err) < 0)
                return -1;
        {
                _cleanup_ca_row_ struct store_device_ca existing = {0};
                struct error e = {0};
                if (store_device_ca_get_by_name(s, name, &existing, &e) == 0)
                        return error_set(err, ERROR_CONFLICT, "a device CA named '%s' already exists", name);
                if (e.kind != ERROR_NOT_FOUND)
                        return identity_error_pass(err, &e);
        }

        _cleanup_free_ char *generated = NULL;
        if (!key_ref) {
                _cleanup_free_ char *dir = path_join(data_dir, "pki");
                if (dir_create(dir, 0700, err) < 0)
                        return -1;
                _cleanup_free_ char *file = str_printf("%s.key", name);
                generated = path_join(dir, file);
                if (file_exists(generated))
                        return error_set(err, ERROR_CONFLICT, "key file '%s' already exists; refusing to overwrite "
                                         "a key (remove it or give its key_ref)", generated);
                if (secret_key_generate_file(generated, generated, CRYPTO_KEY_EC_P256, err) < 0)
                        return -1;
                key_ref = generated;
        }

        _cleanup_crypto_key_ struct crypto_key *key = NULL;
        _cleanup_free_ char *csr_pem = NULL;
        _cleanup_json_ json_t *details = NULL;
        _cleanup_ca_row_ struct store_device_ca stored = {0};
        char object[128];
        int64_t id;
        if (secret_key_load(key_ref, key_ref, &key, err) < 0 || pki_csr_create(key, name, NULL, &csr_pem, err) < 0)
                goto fail_notx;

        struct store_device_ca row = {
                .name = (char *) name,
                .product_id = product_id,
                .key_ref = (char *) key_ref,
                .csr_pem = csr_pem,
                .status = STORE_CA_PENDING,
                .created_at = time_now(),
        };
        if (store_tx_begin(s, err) < 0)
                goto fail_notx;
        snprintf(object, sizeof(object), "device-ca:%s", name);
        details = json_pack("{s:s, s:s, s:s, s:b, s:s}", "name", name, "product", product_model, "key_ref", key_ref,
                            "key_generated", generated != NULL, "key", crypto_key_describe(key));
        if (store_device_ca_insert(s, &row, &id, err) < 0 || store_device_ca_get(s, id, &stored, err) < 0 ||
            audit_append(s, a, "device-ca.create", object, details, err) < 0 ||
            keys_register_device_ca(s, id, a, err) < 0) /* planned in the key registry until installed */
                goto fail;
        if (store_tx_commit(s, err) < 0)
                goto fail_notx;
        return ca_json_out(&stored, out, err);
fail:
        store_tx_rollback(s);
fail_notx:
        if (generated)
                (void) unlink(generated);
        return -1;
}

/* ---- install ---- */

static void trust_list_deinitp(gnutls_x509_trust_list_t *t) {
        if (*t)
                gnutls_x509_trust_list_deinit(*t, 1);
}

static void pubkey_deinitp(gnutls_pubkey_t *k) {
        if (*k)
                gnutls_pubkey_deinit(*k);
}

static int chain_key_check(gnutls_x509_crt_t c, size_t index, struct error *err) {
        _cleanup_(pubkey_deinitp) gnutls_pubkey_t pub = NULL;
        if (gnutls_pubkey_init(&pub) < 0 || gnutls_pubkey_import_x509(pub, c, 0) < 0)
                return error_set(err, ERROR_INVALID, "chain certificate %zu: its public key cannot be read", index);
        char desc[64], why[96];
        if (crypto_pubkey_in_policy(pub, why, sizeof(why)))
                return 0;
        crypto_pubkey_describe(pub, desc, sizeof(desc));
        return error_set(err, ERROR_INVALID, "chain certificate %zu: key %s is outside policy (%s): %s", index, desc,
                         CRYPTO_KEY_POLICY, why);
}

/* The CA certificate must verify against the given chain (its issuer up to a root), now. */
static int check_chains(gnutls_x509_crt_t crt, const char *chain_pem, struct error *err) {
        gnutls_datum_t *chain = NULL;
        size_t n = 0;
        if (pki_cert_bundle_to_der(chain_pem, strlen(chain_pem), CA_CHAIN_MAX, &chain, &n, err) < 0)
                return error_prefix(err, "chain: ");
        _cleanup_(trust_list_deinitp) gnutls_x509_trust_list_t tl = NULL;
        int rc = gnutls_x509_trust_list_init(&tl, 0);
        if (rc < 0) {
                pki_datum_array_free(chain, n);
                return error_set(err, ERROR_CRYPTO, "trust list: %s", gnutls_strerror(rc));
        }
        for (size_t i = 0; i < n; i++) {
                gnutls_x509_crt_t c;
                if (pki_cert_import(chain[i].data, chain[i].size, &c, err) < 0) {
                        pki_datum_array_free(chain, n);
                        return error_prefix(err, "chain certificate %zu: ", i + 1);
                }
                if (!pki_cert_is_ca(c)) {
                        gnutls_x509_crt_deinit(c);
                        pki_datum_array_free(chain, n);
                        return error_set(err, ERROR_INVALID, "chain certificate %zu is not a CA", i + 1);
                }
                /* A weak issuer key makes every certificate under it weak:
                 * the chain's keys meet the policy the CA's own key does. */
                if (chain_key_check(c, i + 1, err) < 0) {
                        gnutls_x509_crt_deinit(c);
                        pki_datum_array_free(chain, n);
                        return -1;
                }
                /* ownership passes to the trust list */
                if (gnutls_x509_trust_list_add_cas(tl, &c, 1, 0) != 1) {
                        gnutls_x509_crt_deinit(c);
                        pki_datum_array_free(chain, n);
                        return error_set(err, ERROR_CRYPTO, "chain certificate %zu cannot be added", i + 1);
                }
        }
        pki_datum_array_free(chain, n);
        unsigned status = 0;
        rc = gnutls_x509_trust_list_verify_crt2(tl, &crt, 1, NULL, 0, 0, &status, NULL);
        if (rc < 0)
                return error_set(err, ERROR_CRYPTO, "verifying the certificate: %s", gnutls_strerror(rc));
        if (status != 0) {
                gnutls_datum_t why = {0};
                gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509, &why, 0);
                error_set(err, ERROR_INVALID, "certificate does not verify against the given chain: %s",
                          why.data ? (const char *) why.data : "unknown reason");
                gnutls_free(why.data);
                return -1;
        }
        return 0;
}

int identity_ca_install(struct store *s, const struct audit_actor *a, const char *name,
                        const char *cert_pem, const char *chain_pem, json_t **out, struct error *err) {
        *out = NULL;
        if (!name || !*name)
                return error_set(err, ERROR_INVALID, "device CA name is empty");
        if (!cert_pem || !*cert_pem)
                return error_set(err, ERROR_INVALID, "certificate: is required (PEM)");
        if (!chain_pem || !*chain_pem)
                return error_set(err, ERROR_INVALID, "chain: is required (the issuer chain up to the root, PEM)");
        _cleanup_ca_row_ struct store_device_ca ca = {0};
        if (store_device_ca_get_by_name(s, name, &ca, err) < 0)
                return -1;
        if (ca.status != STORE_CA_PENDING)
                return error_set(err, ERROR_CONFLICT, "device CA '%s' is already installed (%s)", name,
                                 store_ca_status_name(ca.status));

        _cleanup_pki_crt_ gnutls_x509_crt_t crt = NULL;
        if (pki_cert_import(cert_pem, strlen(cert_pem), &crt, err) < 0)
                return error_prefix(err, "certificate: ");
        _cleanup_crypto_key_ struct crypto_key *key = NULL;
        if (secret_key_load(ca.key_ref, ca.key_ref, &key, err) < 0)
                return error_prefix(err, "device CA '%s': ", name);
        if (!pki_cert_matches_pubkey(crt, crypto_key_pubkey(key)))
                return error_set(err, ERROR_INVALID, "certificate: its public key is not the key of device CA '%s' "
                                 "(was it signed from this CA's CSR?)", name);
        if (!pki_cert_is_ca(crt))
                return error_set(err, ERROR_INVALID, "certificate: is not a CA certificate (basicConstraints CA:TRUE "
                                 "is missing)");
        unsigned ku = 0, critical = 0;
        if (gnutls_x509_crt_get_key_usage(crt, &ku, &critical) >= 0 &&
            (!(ku & GNUTLS_KEY_KEY_CERT_SIGN) || !(ku & GNUTLS_KEY_CRL_SIGN)))
                return error_set(err, ERROR_INVALID, "certificate: key usage must allow keyCertSign and cRLSign");
        if (check_chains(crt, chain_pem, err) < 0)
                return -1;
        _cleanup_free_ char *pem = pki_cert_export_pem(crt, err);
        if (!pem)
                return -1;
        char fp[65];
        if (pki_cert_fingerprint_sha256(crt, fp) < 0)
                return error_set(err, ERROR_CRYPTO, "certificate: fingerprint cannot be computed");

        struct identity_ctx ic = {.store = s};
        _cleanup_ca_row_ struct store_device_ca previous = {0};
        _cleanup_ca_row_ struct store_device_ca stored = {0};
        _cleanup_json_ json_t *details = NULL;
        char object[128];
        bool had_previous = false;
        if (store_tx_begin(s, err) < 0)
                return -1;
        {
                struct error e = {0};
                if (store_device_ca_get_active(s, ca.product_id, &previous, &e) == 0)
                        had_previous = true;
                else if (e.kind != ERROR_NOT_FOUND) {
                        identity_error_pass(err, &e);
                        goto fail;
                }
        }
        /* The key registry follows the install: this CA's key active (before
         * its first CRL signature), its root CA known, the CA it replaces
         * retired (issue 11). */
        if (store_device_ca_activate(s, ca.id, pem, chain_pem, time_now(), err) < 0 ||
            keys_register_device_ca(s, ca.id, a, err) < 0 ||
            (had_previous && keys_register_device_ca(s, previous.id, a, err) < 0) ||
            identity_crl_regenerate(&ic, ca.id, err) < 0 || store_device_ca_get(s, ca.id, &stored, err) < 0)
                goto fail;
        snprintf(object, sizeof(object), "device-ca:%s", name);
        details = json_pack("{s:s, s:s, s:s, s:o, s:o}", "name", name, "product", ca.product_model,
                            "fingerprint_sha256", fp,
                            "not_after", identity_time_json((int64_t) gnutls_x509_crt_get_expiration_time(crt)),
                            "retired", identity_str_json(had_previous ? previous.name : NULL));
        if (audit_append(s, a, "device-ca.install", object, details, err) < 0)
                goto fail;
        if (store_tx_commit(s, err) < 0)
                return -1;
        return ca_json_out(&stored, out, err);
fail:
        store_tx_rollback(s);
        return -1;
}

/* ---- read ---- */

int identity_ca_get(struct store *s, const char *name, json_t **out, struct error *err) {
        *out = NULL;
        _cleanup_ca_row_ struct store_device_ca ca = {0};
        if (store_device_ca_get_by_name(s, name, &ca, err) < 0)
                return -1;
        return ca_json_out(&ca, out, err);
}

int identity_ca_list(struct store *s, json_t **out, struct error *err) {
        *out = NULL;
        struct store_device_ca *list;
        size_t n;
        if (store_device_ca_list(s, 0, false, &list, &n, err) < 0)
                return -1;
        json_t *items = json_array();
        for (size_t i = 0; i < n; i++) {
                json_t *j = ca_to_json(&list[i]);
                if (!j) {
                        json_decref(items);
                        error_set(err, ERROR_INTERNAL, "device CA '%s' cannot be rendered", list[i].name);
                        store_device_ca_list_free(list, n);
                        return -1;
                }
                json_array_append_new(items, j);
        }
        store_device_ca_list_free(list, n);
        *out = json_pack("{s:o}", "items", items);
        return 0;
}

/* ---- what devices are told ---- */

static bool datum_in(const gnutls_datum_t *a, size_t n, const gnutls_datum_t *d) {
        for (size_t i = 0; i < n; i++)
                if (a[i].size == d->size && memcmp(a[i].data, d->data, d->size) == 0)
                        return true;
        return false;
}

/* Appends the certificates of a PEM bundle, skipping ones already present. */
static int append_bundle(const char *pem, gnutls_datum_t **all, size_t *n, size_t *cap, struct error *err) {
        gnutls_datum_t *part = NULL;
        size_t m = 0;
        if (pki_cert_bundle_to_der(pem, strlen(pem), CA_CHAIN_MAX, &part, &m, err) < 0)
                return -1;
        for (size_t i = 0; i < m; i++) {
                if (datum_in(*all, *n, &part[i])) {
                        gnutls_free(part[i].data);
                        continue;
                }
                if (*n == *cap) {
                        *cap = *cap ? 2 * *cap : 8;
                        *all = xrealloc(*all, *cap * sizeof(**all));
                }
                (*all)[(*n)++] = part[i];
        }
        free(part);
        return 0;
}

int identity_cacerts(struct store *s, const char *product_model, gnutls_datum_t **certs, size_t *n,
                     struct error *err) {
        *certs = NULL;
        *n = 0;
        int64_t product_id = 0;
        if (product_model && store_identity_product_by_model(s, product_model, &product_id, err) < 0)
                return -1;
        struct store_device_ca *list;
        size_t m;
        if (store_device_ca_list(s, product_id, true, &list, &m, err) < 0)
                return -1;
        gnutls_datum_t *all = NULL;
        size_t count = 0, cap = 0;
        for (size_t i = 0; i < m; i++) {
                if (list[i].status != STORE_CA_ACTIVE)
                        continue;
                if (append_bundle(list[i].cert_pem, &all, &count, &cap, err) < 0 ||
                    (list[i].chain_pem && append_bundle(list[i].chain_pem, &all, &count, &cap, err) < 0)) {
                        error_prefix(err, "device CA '%s': ", list[i].name);
                        pki_datum_array_free(all, count);
                        store_device_ca_list_free(list, m);
                        return -1;
                }
        }
        store_device_ca_list_free(list, m);
        if (count == 0) {
                free(all);
                if (product_model)
                        return error_set(err, ERROR_NOT_FOUND, "product '%s' has no active device CA", product_model);
                return error_set(err, ERROR_NOT_FOUND, "no device CA is active yet");
        }
        *certs = all;
        *n = count;
        return 0;
}

int identity_ca_chain_pem(struct store *s, const char *product_model, char **pem_out, struct error *err) {
        *pem_out = NULL;
        int64_t product_id;
        if (store_identity_product_by_model(s, product_model, &product_id, err) < 0)
                return -1;
        _cleanup_ca_row_ struct store_device_ca ca = {0};
        if (store_device_ca_get_active(s, product_id, &ca, err) < 0) {
                if (err && err->kind == ERROR_NOT_FOUND)
                        error_set(err, ERROR_NOT_FOUND, "product '%s' has no active device CA", product_model);
                return -1;
        }
        size_t n = strlen(ca.cert_pem);
        const char *sep = n > 0 && ca.cert_pem[n - 1] == '\n' ? "" : "\n";
        *pem_out = str_printf("%s%s%s", ca.cert_pem, sep, ca.chain_pem ? ca.chain_pem : "");
        return 0;
}

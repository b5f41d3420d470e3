/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Keys that exist elsewhere, registered where they are made or first seen
 * (keys.h): TUF roots' keys, device CAs and their roots, batch migration
 * keys, certificate files. Every function is idempotent (keys_register).
 *
 * Why not a SQL migration: the registry's identity is the SHA-256 of each
 * public key's SubjectPublicKeyInfo, which SQL cannot compute from a TUF key
 * object or a PEM certificate. keys_discover_store is that migration, in C,
 * run by cradled at every start (it changes nothing once all is registered).
 */
#include <string.h>
#include <gnutls/x509.h>
#include "core/cleanup.h"
#include "core/fileio.h"
#include "core/log.h"
#include "core/strutil.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/key.h"
#include "identity/batch.h"
#include "keys/keys-internal.h"
#include "keys/keys.h"
#include "pki/cert.h"
#include "pki/csr.h"
#include "store/store-identity.h"
#include "store/store-release.h"
#include "tuf/key.h"

static const char *storage_of(const char *ref) {
        return ref && str_startswith(ref, "pkcs11:") ? "pkcs11" : "file";
}

/* ---- TUF roots ---- */

static const char *tuf_class(const char *model, enum tuf_role role) {
        if (!model)
                return "director";
        switch (role) {
        case TUF_ROLE_ROOT:
                return "tuf-root";
        case TUF_ROLE_TARGETS:
                return "firmware-signing";
        default:
                return "tuf-online";
        }
}

static char *tuf_purpose(const char *model, enum tuf_role role) {
        if (!model)
                return str_printf(role == TUF_ROLE_ROOT ? "director root key"
                                                        : "director online key (signs each device's targets metadata)");
        switch (role) {
        case TUF_ROLE_ROOT:
                return str_printf("TUF root key of the %s image repository", model);
        case TUF_ROLE_TARGETS:
                return str_printf("release signer (TUF targets key) of %s", model);
        default:
                return str_printf("TUF %s online key of %s", tuf_role_name(role), model);
        }
}

static bool root_lists(const struct tuf_metadata *root, enum tuf_role role, const char *keyid) {
        return root && tuf_root_role_has_key(root, role, keyid);
}

static bool signed_by(const struct tuf_metadata *md, const char *keyid) {
        size_t i;
        json_t *sig;
        json_array_foreach(md->signatures, i, sig) {
                const char *id = json_string_value(json_object_get(sig, "keyid"));
                if (id && strcmp(id, keyid) == 0)
                        return true;
        }
        return false;
}

static int register_role_keys(struct store *s, const struct tuf_metadata *root, enum tuf_role role,
                              int64_t product_id, const char *model, const char *director_online_ref,
                              const struct audit_actor *by, struct error *err) {
        const struct tuf_role_keys *rk = &root->root.roles[role];
        for (size_t i = 0; i < rk->n_keyids; i++) {
                const struct tuf_key *tk = tuf_root_find_key(root, rk->keyids[i]);
                /* A key of a type Cradle cannot read has no public part to
                 * fingerprint; it is listed in the root but not registered. */
                if (!tk || !tuf_key_pubkey(tk))
                        continue;
                _cleanup_free_ char *purpose = tuf_purpose(model, role);
                _cleanup_free_ char *ref = NULL;
                const char *storage = "offline";
                if (model && (role == TUF_ROLE_SNAPSHOT || role == TUF_ROLE_TIMESTAMP)) {
                        if (store_keys_online_ref(s, product_id, rk->keyids[i], &ref, err) < 0)
                                return -1;
                } else if (!model && role != TUF_ROLE_ROOT && director_online_ref && *director_online_ref) {
                        ref = str_dup(director_online_ref);
                }
                if (ref)
                        storage = storage_of(ref);
                const struct keys_new k = {
                        .class = tuf_class(model, role),
                        .purpose = purpose,
                        .pubkey = tuf_key_pubkey(tk),
                        .storage = storage,
                        .ref = ref,
                        .product_id = product_id,
                };
                if (keys_register_tuf(s, &k, rk->keyids[i], by, NULL, err) < 0)
                        return error_prefix(err, "registering %s key %.16s: ", tuf_role_name(role), rk->keyids[i]);
        }
        return 0;
}

/* The previous root's keys the new one dropped are retired; its root keys
 * that signed the new root have made a root rotation. */
static int previous_root_keys(struct store *s, const struct tuf_metadata *root, const struct tuf_metadata *prev,
                              const char *model, const struct audit_actor *by, struct error *err) {
        for (int role = 0; role < _TUF_ROLE_MAX; role++) {
                const struct tuf_role_keys *rk = &prev->root.roles[role];
                for (size_t i = 0; i < rk->n_keyids; i++) {
                        const struct tuf_key *tk = tuf_root_find_key(prev, rk->keyids[i]);
                        if (!tk || !tuf_key_pubkey(tk))
                                continue;
                        int64_t id = 0;
                        if (keys_find_pubkey(s, tuf_class(model, role), tuf_key_pubkey(tk), &id, err) < 0)
                                return -1;
                        if (!id)
                                continue;
                        if (role == TUF_ROLE_ROOT && signed_by(root, rk->keyids[i])) {
                                _cleanup_free_ char *what = str_printf(
                                        "root rotation of %s%s to version %lld", model ? "the image repository " : "the director",
                                        model ? model : "", (long long) root->version);
                                if (keys_use_audited(s, id, what, by->name, err) < 0)
                                        return -1;
                        }
                        if (root_lists(root, (enum tuf_role) role, rk->keyids[i]))
                                continue;
                        struct store_key k;
                        if (store_keys_get(s, id, &k, err) < 0)
                                return -1;
                        bool active = strcmp(k.state, "active") == 0 || strcmp(k.state, "retiring") == 0;
                        store_key_clear(&k);
                        if (!active)
                                continue;
                        _cleanup_free_ char *reason =
                                str_printf("not in %s root version %lld", model ? model : "director",
                                           (long long) root->version);
                        if (keys_transition(s, id, "retired", reason, by, err) < 0)
                                return -1;
                }
        }
        return 0;
}

int keys_register_tuf_root(struct store *s, const struct tuf_metadata *root, const struct tuf_metadata *previous,
                           int64_t product_id, const char *model, const char *director_online_ref,
                           const struct audit_actor *by, struct error *err) {
        struct keys_tx t;
        if (keys_tx_begin(s, &t, err) < 0)
                return -1;
        int r = 0;
        for (int role = 0; r == 0 && role < _TUF_ROLE_MAX; role++)
                r = register_role_keys(s, root, (enum tuf_role) role, product_id, model, director_online_ref, by,
                                       err);
        if (r == 0 && previous)
                r = previous_root_keys(s, root, previous, model, by, err);
        return keys_tx_end(s, &t, r, err);
}

/* ---- device CAs and their roots ---- */

static void pubkey_deinitp(gnutls_pubkey_t *k) {
        if (*k)
                gnutls_pubkey_deinit(*k);
}

static void crq_deinitp(gnutls_x509_crq_t *c) {
        if (*c)
                gnutls_x509_crq_deinit(*c);
}

static int cert_pubkey(gnutls_x509_crt_t crt, gnutls_pubkey_t *out, struct error *err) {
        if (gnutls_pubkey_init(out) < 0 || gnutls_pubkey_import_x509(*out, crt, 0) < 0)
                return error_set(err, ERROR_INVALID, "a certificate's public key cannot be read");
        return 0;
}

/* The last certificate of the chain when it is self-signed: the root CA. */
static int register_chain_root(struct store *s, const struct store_device_ca *ca, const struct audit_actor *by,
                               struct error *err) {
        gnutls_datum_t *ders = NULL;
        size_t n = 0;
        if (pki_cert_bundle_to_der(ca->chain_pem, strlen(ca->chain_pem), 16, &ders, &n, err) < 0)
                return error_prefix(err, "device CA '%s' chain: ", ca->name);
        int r = 0;
        for (size_t i = 0; r == 0 && i < n; i++) {
                _cleanup_pki_crt_ gnutls_x509_crt_t crt = NULL;
                _cleanup_(pubkey_deinitp) gnutls_pubkey_t pub = NULL;
                if (gnutls_x509_crt_init(&crt) < 0 || gnutls_x509_crt_import(crt, &ders[i], GNUTLS_X509_FMT_DER) < 0) {
                        r = error_set(err, ERROR_INVALID, "device CA '%s' chain: certificate %zu does not parse",
                                      ca->name, i);
                        break;
                }
                if (gnutls_x509_crt_check_issuer(crt, crt) != 1)
                        continue;
                if ((r = cert_pubkey(crt, &pub, err)) < 0)
                        break;
                const struct keys_new k = {
                        .class = "root-ca",
                        .purpose = "root CA of the device CAs (offline)",
                        .pubkey = pub,
                        .storage = "offline",
                        .product_id = ca->product_id,
                        .expires_at = (int64_t) gnutls_x509_crt_get_expiration_time(crt),
                };
                r = keys_register(s, &k, by->name, NULL, err);
        }
        pki_datum_array_free(ders, n);
        return r;
}

int keys_register_device_ca(struct store *s, int64_t ca_id, const struct audit_actor *by, struct error *err) {
        _cleanup_(store_device_ca_clear) struct store_device_ca ca = {0};
        if (store_device_ca_get(s, ca_id, &ca, err) < 0)
                return -1;
        _cleanup_pki_crt_ gnutls_x509_crt_t crt = NULL;
        _cleanup_(crq_deinitp) gnutls_x509_crq_t crq = NULL;
        _cleanup_(pubkey_deinitp) gnutls_pubkey_t pub = NULL;
        int64_t expires = 0;
        if (ca.cert_pem) {
                if (pki_cert_import(ca.cert_pem, strlen(ca.cert_pem), &crt, err) < 0 || cert_pubkey(crt, &pub, err) < 0)
                        return error_prefix(err, "device CA '%s': ", ca.name);
                expires = (int64_t) gnutls_x509_crt_get_expiration_time(crt);
        } else {
                if (pki_csr_parse(ca.csr_pem, strlen(ca.csr_pem), &crq, NULL, err) < 0 ||
                    pki_csr_pubkey(crq, &pub, err) < 0)
                        return error_prefix(err, "device CA '%s': ", ca.name);
        }
        _cleanup_free_ char *purpose = str_printf("device CA '%s' of %s (issues device certificates, signs its CRL)",
                                                  ca.name, ca.product_model ? ca.product_model : "?");
        const struct keys_new k = {
                .class = "device-ca",
                .purpose = purpose,
                .pubkey = pub,
                .storage = storage_of(ca.key_ref),
                .ref = ca.key_ref,
                .product_id = ca.product_id,
                .expires_at = expires,
        };
        struct keys_tx t;
        if (keys_tx_begin(s, &t, err) < 0)
                return -1;
        int64_t id = 0;
        int r = ca.status == STORE_CA_PENDING ? keys_register_planned(s, &k, by, &id, err)
                                              : keys_register_as(s, &k, by, &id, err);
        struct store_key row = {0};
        if (r == 0)
                r = store_keys_get(s, id, &row, err);
        /* The registry follows the CA: installed -> active, retired -> retired. */
        if (r == 0 && ca.status != STORE_CA_PENDING && strcmp(row.state, "planned") == 0)
                r = keys_transition(s, id, "active", "device CA installed", by, err);
        if (r == 0 && ca.status == STORE_CA_RETIRED &&
            (strcmp(row.state, "active") == 0 || strcmp(row.state, "retiring") == 0 ||
             strcmp(row.state, "planned") == 0))
                r = keys_transition(s, id, strcmp(row.state, "planned") == 0 ? "destroyed" : "retired",
                                    "device CA retired", by, err);
        store_key_clear(&row);
        if (r == 0 && ca.chain_pem)
                r = register_chain_root(s, &ca, by, err);
        return keys_tx_end(s, &t, r, err);
}

/* ---- batch migration keys ---- */

/* An identifier that says which secret without revealing it: the secret
 * is 256 random bits, and the prefix keeps this hash from equalling any
 * other use of the same bytes. */
static void migration_key_id(const uint8_t key[32], char fp[SHA256_HEX_LEN]) {
        static const char label[] = "cradle key registry: migration key id\n";
        uint8_t buf[sizeof(label) - 1 + 32];
        memcpy(buf, label, sizeof(label) - 1);
        memcpy(buf + sizeof(label) - 1, key, 32);
        hash_sha256_hex(buf, sizeof(buf), fp);
        explicit_bzero(buf, sizeof(buf));
}

int keys_register_migration_key(struct store *s, int64_t batch_id, const uint8_t key[32], const uint8_t *old_key,
                                const struct audit_actor *by, struct error *err) {
        _cleanup_(store_batch_clear) struct store_batch b = {0};
        if (store_batch_get(s, batch_id, &b, err) < 0)
                return -1;
        char fp[SHA256_HEX_LEN];
        migration_key_id(key, fp);
        _cleanup_free_ char *purpose = str_printf("migration key of batch '%s' of %s (derives shared device secrets)",
                                                  b.name, b.product_model ? b.product_model : "?");
        const struct keys_new k = {
                .class = "migration",
                .purpose = purpose,
                .fingerprint = fp,
                .algorithm = "256-bit shared secret (HMAC-SHA256)",
                .storage = "sealed",
                .product_id = b.product_id,
        };
        struct keys_tx t;
        if (keys_tx_begin(s, &t, err) < 0)
                return -1;
        int r = keys_register_as(s, &k, by, NULL, err);
        if (r == 0 && old_key) {
                char old_fp[SHA256_HEX_LEN];
                migration_key_id(old_key, old_fp);
                struct store_key old;
                int found = store_keys_find(s, "migration", old_fp, &old, err);
                if (found < 0)
                        r = -1;
                else if (found && strcmp(old.state, "active") == 0 && strcmp(old_fp, fp) != 0)
                        r = keys_transition(s, old.id, "retired", "replaced by a new migration key", by, err);
                store_key_clear(&old);
        }
        return keys_tx_end(s, &t, r, err);
}

/* ---- certificate files ---- */

int keys_register_cert_file(struct store *s, const char *class, const char *purpose, const char *cert_path,
                            const char *key_path, const struct audit_actor *by, struct error *err) {
        _cleanup_free_ char *pem = NULL;
        size_t len = 0;
        if (file_read_all(cert_path, PKI_CERT_MAX, &pem, &len, err) < 0)
                return -1;
        _cleanup_pki_crt_ gnutls_x509_crt_t crt = NULL;
        _cleanup_(pubkey_deinitp) gnutls_pubkey_t pub = NULL;
        if (pki_cert_import(pem, len, &crt, err) < 0 || cert_pubkey(crt, &pub, err) < 0)
                return error_prefix(err, "%s: ", cert_path);
        const struct keys_new k = {
                .class = class,
                .purpose = purpose,
                .pubkey = pub,
                .storage = storage_of(key_path),
                .ref = key_path,
                .expires_at = (int64_t) gnutls_x509_crt_get_expiration_time(crt),
        };
        return keys_register_as(s, &k, by, NULL, err);
}

/* ---- the walk ---- */

static int discover_roots(struct store *s, bool director, const char *director_online_ref,
                          const struct audit_actor *by, struct error *err) {
        struct store_root_doc *docs = NULL;
        size_t n = 0;
        if ((director ? store_director_roots_all(s, &docs, &n, err) : store_repo_roots_all(s, &docs, &n, err)) < 0)
                return -1;
        int r = 0;
        struct tuf_metadata *prev = NULL;
        for (size_t i = 0; r == 0 && i < n; i++) {
                struct tuf_metadata *md = NULL;
                if (tuf_metadata_parse(director ? "director root" : "image root", docs[i].document,
                                       strlen(docs[i].document), 0, TUF_ROLE_ROOT, &md, err) < 0) {
                        r = -1;
                        break;
                }
                /* Only the newest root's keys are in use; older ones are
                 * registered too (they are known), then retired by the
                 * root that replaced them, in order. */
                bool same_chain = prev && (director || docs[i - 1].product_id == docs[i].product_id);
                r = keys_register_tuf_root(s, md, same_chain ? prev : NULL, docs[i].product_id,
                                           director ? NULL : docs[i].product_model, director_online_ref, by, err);
                if (prev)
                        tuf_metadata_free(prev);
                prev = md;
        }
        if (prev)
                tuf_metadata_free(prev);
        store_root_docs_free(docs, n);
        return r;
}

int keys_discover_store(struct store *s, const char *director_online_ref, const struct audit_actor *by,
                        struct error *err) {
        struct store_device_ca *cas = NULL;
        struct store_batch *batches = NULL;
        size_t n_cas = 0, n_batches = 0;
        struct keys_tx t;
        if (keys_tx_begin(s, &t, err) < 0)
                return -1;
        int r = discover_roots(s, false, NULL, by, err);
        if (r == 0)
                r = discover_roots(s, true, director_online_ref, by, err);
        if (r == 0)
                r = store_device_ca_list(s, 0, false, &cas, &n_cas, err);
        for (size_t i = 0; r == 0 && i < n_cas; i++)
                r = keys_register_device_ca(s, cas[i].id, by, err);
        if (r == 0)
                r = store_batch_list(s, 0, &batches, &n_batches, err);
        for (size_t i = 0; r == 0 && i < n_batches; i++) {
                if (!batches[i].migration_key_set)
                        continue;
                uint8_t key[32];
                bool found = false;
                r = identity_batch_migration_key(s, batches[i].id, key, &found, err);
                if (r == 0 && found)
                        r = keys_register_migration_key(s, batches[i].id, key, NULL, by, err);
                explicit_bzero(key, sizeof(key));
        }
        store_device_ca_list_free(cas, n_cas);
        store_batch_list_free(batches, n_batches);
        return keys_tx_end(s, &t, r, err);
}

/* SPDX-License-Identifier: Apache-2.0 */
/* device_cas rows and the CA generation counter. */
#include <stdlib.h>
#include <string.h>
#include "core/cleanup.h"
#include "core/strutil.h"
#include "store/store-identity-private.h"

#define CA_COLUMNS "c.id, c.name, c.product_id, c.key_ref, c.csr_pem, c.cert_pem, c.chain_pem, " \
        "c.crl_number, c.crl_der, c.crl_next_update, c.status, c.created_at, c.activated_at, "    \
        "c.retired_at, p.model"
#define CA_FROM " FROM device_cas c JOIN products p ON p.id = c.product_id "

int store_device_ca_insert(struct store *s, const struct store_device_ca *ca, int64_t *id_out,
                           struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "INSERT INTO device_cas (name, product_id, key_ref, csr_pem, cert_pem, chain_pem, "
                             "crl_number, status, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, ?7, ?8)",
                          &st, err) < 0 ||
            store_bind_text(s, st, 1, ca->name, err) < 0 ||
            store_bind_int64(s, st, 2, ca->product_id, err) < 0 ||
            store_bind_text(s, st, 3, ca->key_ref, err) < 0 ||
            store_bind_text(s, st, 4, ca->csr_pem, err) < 0 ||
            store_bind_text(s, st, 5, ca->cert_pem, err) < 0 ||
            store_bind_text(s, st, 6, ca->chain_pem, err) < 0 ||
            store_bind_text(s, st, 7, store_ca_status_name(ca->status), err) < 0 ||
            store_bind_int64(s, st, 8, ca->created_at, err) < 0)
                return -1;
        if (sqlite3_step(st) != SQLITE_DONE) {
                char column[64];
                if (store_is_unique_violation(s, column, sizeof(column))) {
                        if (strcmp(column, "device_cas.product_id") == 0)
                                return error_set(err, ERROR_CONFLICT, "the product already has an active device CA");
                        return error_set(err, ERROR_CONFLICT, "a device CA named '%s' already exists", ca->name);
                }
                return store_fail(s, err, "inserting a device CA");
        }
        if (id_out)
                *id_out = sqlite3_last_insert_rowid(s->db);
        return 0;
}

static int ca_from_row(sqlite3_stmt *st, struct store_device_ca *ca, struct error *err) {
        memset(ca, 0, sizeof(*ca));
        ca->id = sqlite3_column_int64(st, 0);
        ca->name = store_column_text(st, 1);
        ca->product_id = sqlite3_column_int64(st, 2);
        ca->key_ref = store_column_text(st, 3);
        ca->csr_pem = store_column_text(st, 4);
        ca->cert_pem = store_column_text(st, 5);
        ca->chain_pem = store_column_text(st, 6);
        ca->crl_number = sqlite3_column_int64(st, 7);
        if (sqlite3_column_type(st, 8) != SQLITE_NULL) {
                const void *b = sqlite3_column_blob(st, 8);
                size_t n = (size_t) sqlite3_column_bytes(st, 8);
                ca->crl_der = xmalloc(n ? n : 1);
                if (n)
                        memcpy(ca->crl_der, b, n);
                ca->crl_len = n;
        }
        ca->crl_next_update = store_column_opt_int64(st, 9);
        int status = store_name_index(store_ca_status_names, ELEMENTSOF(store_ca_status_names),
                                      (const char *) sqlite3_column_text(st, 10));
        ca->created_at = sqlite3_column_int64(st, 11);
        ca->activated_at = store_column_opt_int64(st, 12);
        ca->retired_at = store_column_opt_int64(st, 13);
        ca->product_model = store_column_text(st, 14);
        if (!ca->name || !ca->key_ref || !ca->csr_pem || !ca->product_model || status < 0) {
                int64_t id = ca->id;
                store_device_ca_clear(ca);
                return error_set(err, ERROR_DB, "device CA %lld has a malformed row", (long long) id);
        }
        ca->status = (enum store_ca_status) status;
        return 0;
}

static int ca_get_one(struct store *s, sqlite3_stmt *st, struct store_device_ca *out, const char *what,
                      struct error *err) {
        int rc = store_step_row(s, st, "reading a device CA", err);
        if (rc < 0)
                return -1;
        if (rc == 0)
                return error_set(err, ERROR_NOT_FOUND, "%s", what);
        return ca_from_row(st, out, err);
}

int store_device_ca_get(struct store *s, int64_t id, struct store_device_ca *out, struct error *err) {
        memset(out, 0, sizeof(*out));
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "SELECT " CA_COLUMNS CA_FROM "WHERE c.id = ?1", &st, err) < 0 ||
            store_bind_int64(s, st, 1, id, err) < 0)
                return -1;
        char what[64];
        snprintf(what, sizeof(what), "no device CA with id %lld", (long long) id);
        return ca_get_one(s, st, out, what, err);
}

int store_device_ca_get_by_name(struct store *s, const char *name, struct store_device_ca *out,
                                struct error *err) {
        memset(out, 0, sizeof(*out));
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "SELECT " CA_COLUMNS CA_FROM "WHERE c.name = ?1", &st, err) < 0 ||
            store_bind_text(s, st, 1, name, err) < 0)
                return -1;
        char what[128];
        char safe[80];
        str_sanitize(name, strlen(name), safe, sizeof(safe));
        snprintf(what, sizeof(what), "no device CA named '%s'", safe);
        return ca_get_one(s, st, out, what, err);
}

int store_device_ca_get_active(struct store *s, int64_t product_id, struct store_device_ca *out,
                               struct error *err) {
        memset(out, 0, sizeof(*out));
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "SELECT " CA_COLUMNS CA_FROM "WHERE c.product_id = ?1 AND c.status = 'active'",
                          &st, err) < 0 ||
            store_bind_int64(s, st, 1, product_id, err) < 0)
                return -1;
        char what[64];
        snprintf(what, sizeof(what), "product %lld has no active device CA", (long long) product_id);
        return ca_get_one(s, st, out, what, err);
}

int store_device_ca_list(struct store *s, int64_t product_id, bool trusted_only,
                         struct store_device_ca **out, size_t *n_out, struct error *err) {
        *out = NULL;
        *n_out = 0;
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "SELECT " CA_COLUMNS CA_FROM
                             "WHERE (?1 = 0 OR c.product_id = ?1) "
                             "AND (?2 = 0 OR c.status IN ('active', 'retired')) ORDER BY c.id",
                          &st, err) < 0 ||
            store_bind_int64(s, st, 1, product_id, err) < 0 ||
            store_bind_int64(s, st, 2, trusted_only ? 1 : 0, err) < 0)
                return -1;
        struct store_device_ca *list = NULL;
        size_t n = 0, cap = 0;
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                STORE_LIST_GROW(list, n, cap);
                if (ca_from_row(st, &list[n], err) < 0) {
                        store_device_ca_list_free(list, n);
                        return -1;
                }
                n++;
        }
        if (rc != SQLITE_DONE) {
                store_device_ca_list_free(list, n);
                return store_fail(s, err, "listing device CAs");
        }
        *out = list;
        *n_out = n;
        return 0;
}

int store_device_ca_activate(struct store *s, int64_t id, const char *cert_pem, const char *chain_pem,
                             int64_t when, struct error *err) {
        struct store_atomic a;
        if (store_atomic_begin(s, &a, err) < 0)
                return -1;
        {
                _cleanup_stmt_ sqlite3_stmt *retire = NULL;
                if (store_prepare(s, "UPDATE device_cas SET status = 'retired', retired_at = ?2 "
                                     "WHERE status = 'active' AND product_id = "
                                     "(SELECT product_id FROM device_cas WHERE id = ?1)", &retire, err) < 0 ||
                    store_bind_int64(s, retire, 1, id, err) < 0 ||
                    store_bind_int64(s, retire, 2, when, err) < 0 ||
                    store_step_done(s, retire, "retiring the previous device CA", err) < 0)
                        goto fail;
                _cleanup_stmt_ sqlite3_stmt *st = NULL;
                if (store_prepare(s, "UPDATE device_cas SET status = 'active', cert_pem = ?2, chain_pem = ?3, "
                                     "activated_at = ?4 WHERE id = ?1 AND status = 'pending'", &st, err) < 0 ||
                    store_bind_int64(s, st, 1, id, err) < 0 ||
                    store_bind_text(s, st, 2, cert_pem, err) < 0 ||
                    store_bind_text(s, st, 3, chain_pem, err) < 0 ||
                    store_bind_int64(s, st, 4, when, err) < 0 ||
                    store_step_done(s, st, "activating a device CA", err) < 0)
                        goto fail;
                if (sqlite3_changes(s->db) == 0) {
                        error_set(err, ERROR_CONFLICT, "device CA %lld is not pending", (long long) id);
                        goto fail;
                }
                _cleanup_stmt_ sqlite3_stmt *gen = NULL;
                if (store_prepare(s, "UPDATE identity_counters SET value = value + 1 "
                                     "WHERE name = 'device_ca_generation'", &gen, err) < 0 ||
                    store_step_done(s, gen, "counting the CA generation", err) < 0)
                        goto fail;
        }
        return store_atomic_commit(s, &a, err);
fail:
        store_atomic_rollback(s, &a);
        return -1;
}

int store_device_ca_set_crl(struct store *s, int64_t id, int64_t crl_number, const uint8_t *der,
                            size_t len, int64_t next_update, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "UPDATE device_cas SET crl_number = ?2, crl_der = ?3, crl_next_update = ?4 "
                             "WHERE id = ?1", &st, err) < 0 ||
            store_bind_int64(s, st, 1, id, err) < 0 ||
            store_bind_int64(s, st, 2, crl_number, err) < 0 ||
            store_bind_int64(s, st, 4, next_update, err) < 0)
                return -1;
        if (sqlite3_bind_blob64(st, 3, der, len, SQLITE_TRANSIENT) != SQLITE_OK)
                return store_fail(s, err, "binding a parameter");
        if (store_step_done(s, st, "storing a CRL", err) < 0)
                return -1;
        if (sqlite3_changes(s->db) == 0)
                return error_set(err, ERROR_NOT_FOUND, "no device CA with id %lld", (long long) id);
        return 0;
}

int store_device_ca_generation(struct store *s, int64_t *out, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "SELECT value FROM identity_counters WHERE name = 'device_ca_generation'",
                          &st, err) < 0)
                return -1;
        if (sqlite3_step(st) != SQLITE_ROW)
                return store_fail(s, err, "reading the CA generation");
        *out = sqlite3_column_int64(st, 0);
        return 0;
}

void store_device_ca_clear(struct store_device_ca *ca) {
        if (!ca)
                return;
        free(ca->name);
        free(ca->key_ref);
        free(ca->csr_pem);
        free(ca->cert_pem);
        free(ca->chain_pem);
        free(ca->crl_der);
        free(ca->product_model);
        memset(ca, 0, sizeof(*ca));
}

void store_device_ca_list_free(struct store_device_ca *list, size_t n) {
        for (size_t i = 0; i < n; i++)
                store_device_ca_clear(&list[i]);
        free(list);
}

/* SPDX-License-Identifier: Apache-2.0 */
/* certificates rows: every certificate this server issued to a device. */
#include <stdlib.h>
#include <string.h>
#include "core/cleanup.h"
#include "core/strutil.h"
#include "store/store-identity-private.h"

#define CERT_COLUMNS "c.id, c.serial_hex, c.device_id, c.ca_id, c.kind, c.fingerprint, c.not_before, " \
        "c.not_after, c.status, c.revoked_at, c.revocation_reason, c.superseded_by, c.pem, c.issued_at, " \
        "d.serial, a.name, s.serial_hex"
#define CERT_FROM " FROM certificates c JOIN devices d ON d.id = c.device_id " \
        "JOIN device_cas a ON a.id = c.ca_id LEFT JOIN certificates s ON s.id = c.superseded_by "

int store_certificate_insert(struct store *s, const struct store_certificate *c, int64_t *id_out,
                             struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "INSERT INTO certificates (serial_hex, device_id, ca_id, kind, fingerprint, not_before, "
                             "not_after, status, revoked_at, revocation_reason, superseded_by, pem, issued_at) "
                             "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)", &st, err) < 0 ||
            store_bind_text(s, st, 1, c->serial_hex, err) < 0 ||
            store_bind_int64(s, st, 2, c->device_id, err) < 0 ||
            store_bind_int64(s, st, 3, c->ca_id, err) < 0 ||
            store_bind_text(s, st, 4, store_cert_kind_name(c->kind), err) < 0 ||
            store_bind_text(s, st, 5, c->fingerprint, err) < 0 ||
            store_bind_int64(s, st, 6, c->not_before, err) < 0 ||
            store_bind_int64(s, st, 7, c->not_after, err) < 0 ||
            store_bind_text(s, st, 8, store_cert_status_name(c->status), err) < 0 ||
            store_bind_opt_int64(s, st, 9, c->revoked_at, err) < 0 ||
            (c->revocation_reason >= 0 ? store_bind_int64(s, st, 10, c->revocation_reason, err)
                                       : store_bind_text(s, st, 10, NULL, err)) < 0 ||
            store_bind_opt_int64(s, st, 11, c->superseded_by, err) < 0 ||
            store_bind_text(s, st, 12, c->pem, err) < 0 ||
            store_bind_int64(s, st, 13, c->issued_at, err) < 0)
                return -1;
        if (sqlite3_step(st) != SQLITE_DONE) {
                if (store_is_unique_violation(s, NULL, 0))
                        return error_set(err, ERROR_CONFLICT, "a certificate with serial %s already exists",
                                         c->serial_hex);
                return store_fail(s, err, "inserting a certificate");
        }
        if (id_out)
                *id_out = sqlite3_last_insert_rowid(s->db);
        return 0;
}

static int cert_from_row(sqlite3_stmt *st, struct store_certificate *c, struct error *err) {
        memset(c, 0, sizeof(*c));
        c->id = sqlite3_column_int64(st, 0);
        bool ok = store_column_fixed(st, 1, c->serial_hex, sizeof(c->serial_hex));
        c->device_id = sqlite3_column_int64(st, 2);
        c->ca_id = sqlite3_column_int64(st, 3);
        int kind = store_name_index(store_cert_kind_names, ELEMENTSOF(store_cert_kind_names),
                                    (const char *) sqlite3_column_text(st, 4));
        ok = store_column_fixed(st, 5, c->fingerprint, sizeof(c->fingerprint)) && ok;
        c->not_before = sqlite3_column_int64(st, 6);
        c->not_after = sqlite3_column_int64(st, 7);
        int status = store_name_index(store_cert_status_names, ELEMENTSOF(store_cert_status_names),
                                      (const char *) sqlite3_column_text(st, 8));
        c->revoked_at = store_column_opt_int64(st, 9);
        c->revocation_reason = sqlite3_column_type(st, 10) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 10);
        c->superseded_by = store_column_opt_int64(st, 11);
        c->pem = store_column_text(st, 12);
        c->issued_at = sqlite3_column_int64(st, 13);
        c->device_serial = store_column_text(st, 14);
        c->ca_name = store_column_text(st, 15);
        store_column_fixed(st, 16, c->superseded_by_serial, sizeof(c->superseded_by_serial));
        if (!ok || kind < 0 || status < 0 || !c->pem || !c->device_serial || !c->ca_name) {
                int64_t id = c->id;
                store_certificate_clear(c);
                return error_set(err, ERROR_DB, "certificate %lld has a malformed row", (long long) id);
        }
        c->kind = (enum store_cert_kind) kind;
        c->status = (enum store_cert_status) status;
        return 0;
}

int store_certificate_get(struct store *s, int64_t id, struct store_certificate *out, struct error *err) {
        memset(out, 0, sizeof(*out));
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "SELECT " CERT_COLUMNS CERT_FROM "WHERE c.id = ?1", &st, err) < 0 ||
            store_bind_int64(s, st, 1, id, err) < 0)
                return -1;
        int rc = store_step_row(s, st, "reading a certificate", err);
        if (rc < 0)
                return -1;
        if (rc == 0)
                return error_set(err, ERROR_NOT_FOUND, "no certificate with id %lld", (long long) id);
        return cert_from_row(st, out, err);
}

int store_certificate_get_by_serial(struct store *s, const char *serial_hex, struct store_certificate *out,
                                    struct error *err) {
        memset(out, 0, sizeof(*out));
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "SELECT " CERT_COLUMNS CERT_FROM "WHERE c.serial_hex = ?1", &st, err) < 0 ||
            store_bind_text(s, st, 1, serial_hex, err) < 0)
                return -1;
        int rc = store_step_row(s, st, "reading a certificate", err);
        if (rc < 0)
                return -1;
        if (rc == 0) {
                char safe[64];
                str_sanitize(serial_hex, strlen(serial_hex), safe, sizeof(safe));
                return error_set(err, ERROR_NOT_FOUND, "no certificate with serial %s", safe);
        }
        return cert_from_row(st, out, err);
}

static int cert_list(struct store *s, const char *sql, int64_t param, const char *what,
                     struct store_certificate **out, size_t *n_out, struct error *err) {
        *out = NULL;
        *n_out = 0;
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, sql, &st, err) < 0 || store_bind_int64(s, st, 1, param, err) < 0)
                return -1;
        struct store_certificate *list = NULL;
        size_t n = 0, cap = 0;
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                STORE_LIST_GROW(list, n, cap);
                if (cert_from_row(st, &list[n], err) < 0) {
                        store_certificate_list_free(list, n);
                        return -1;
                }
                n++;
        }
        if (rc != SQLITE_DONE) {
                store_certificate_list_free(list, n);
                return store_fail(s, err, what);
        }
        *out = list;
        *n_out = n;
        return 0;
}

int store_certificate_list_by_device(struct store *s, int64_t device_id, struct store_certificate **out,
                                     size_t *n_out, struct error *err) {
        return cert_list(s, "SELECT " CERT_COLUMNS CERT_FROM "WHERE c.device_id = ?1 ORDER BY c.id DESC",
                         device_id, "listing a device's certificates", out, n_out, err);
}

int store_certificate_list_revoked(struct store *s, int64_t ca_id, struct store_certificate **out,
                                   size_t *n_out, struct error *err) {
        return cert_list(s, "SELECT " CERT_COLUMNS CERT_FROM "WHERE c.ca_id = ?1 AND c.status = 'revoked' "
                            "ORDER BY c.id", ca_id, "listing revoked certificates", out, n_out, err);
}

/* Names the current status of a certificate whose conditional UPDATE changed nothing. */
static int cert_state_conflict(struct store *s, int64_t id, const char *doing, struct error *err) {
        struct store_certificate c;
        if (store_certificate_get(s, id, &c, err) < 0)
                return -1;
        error_set(err, ERROR_CONFLICT, "cannot %s certificate %s: it is %s", doing, c.serial_hex,
                  store_cert_status_name(c.status));
        store_certificate_clear(&c);
        return -1;
}

int store_certificate_supersede(struct store *s, int64_t id, int64_t by_id, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "UPDATE certificates SET status = 'superseded', superseded_by = ?2 "
                             "WHERE id = ?1 AND status = 'valid'", &st, err) < 0 ||
            store_bind_int64(s, st, 1, id, err) < 0 ||
            store_bind_int64(s, st, 2, by_id, err) < 0 ||
            store_step_done(s, st, "superseding a certificate", err) < 0)
                return -1;
        if (sqlite3_changes(s->db) == 0)
                return cert_state_conflict(s, id, "supersede", err);
        return 0;
}

int store_certificate_revoke(struct store *s, int64_t id, int64_t when, int reason, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "UPDATE certificates SET status = 'revoked', revoked_at = ?2, revocation_reason = ?3 "
                             "WHERE id = ?1 AND status <> 'revoked'", &st, err) < 0 ||
            store_bind_int64(s, st, 1, id, err) < 0 ||
            store_bind_int64(s, st, 2, when, err) < 0 ||
            store_bind_int64(s, st, 3, reason, err) < 0 ||
            store_step_done(s, st, "revoking a certificate", err) < 0)
                return -1;
        if (sqlite3_changes(s->db) == 0)
                return cert_state_conflict(s, id, "revoke", err);
        return 0;
}

void store_certificate_clear(struct store_certificate *c) {
        if (!c)
                return;
        free(c->pem);
        free(c->device_serial);
        free(c->ca_name);
        memset(c, 0, sizeof(*c));
}

void store_certificate_list_free(struct store_certificate *list, size_t n) {
        for (size_t i = 0; i < n; i++)
                store_certificate_clear(&list[i]);
        free(list);
}

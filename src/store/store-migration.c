/* SPDX-License-Identifier: Apache-2.0 */
/* migration_windows and migration_claims rows. */
#include <stdlib.h>
#include <string.h>
#include "core/cleanup.h"
#include "core/strutil.h"
#include "store/store-identity-private.h"

int store_migration_window_put(struct store *s, const struct store_migration_window *w, struct error *err) {
        /* INSERT ... ON CONFLICT DO UPDATE: SQLite >= 3.24 and PostgreSQL alike. */
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "INSERT INTO migration_windows (product_id, shared_credential_hash, opened_at, closed_at) "
                             "VALUES (?1, ?2, ?3, NULL) ON CONFLICT (product_id) DO UPDATE SET "
                             "shared_credential_hash = excluded.shared_credential_hash, "
                             "opened_at = excluded.opened_at, closed_at = NULL", &st, err) < 0 ||
            store_bind_int64(s, st, 1, w->product_id, err) < 0 ||
            store_bind_text(s, st, 2, w->shared_credential_hash, err) < 0 ||
            store_bind_int64(s, st, 3, w->opened_at, err) < 0)
                return -1;
        return store_step_done(s, st, "opening a migration window", err);
}

int store_migration_window_get(struct store *s, int64_t product_id, struct store_migration_window *out,
                               struct error *err) {
        memset(out, 0, sizeof(*out));
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "SELECT product_id, shared_credential_hash, opened_at, closed_at "
                             "FROM migration_windows WHERE product_id = ?1", &st, err) < 0 ||
            store_bind_int64(s, st, 1, product_id, err) < 0)
                return -1;
        int rc = store_step_row(s, st, "reading a migration window", err);
        if (rc < 0)
                return -1;
        if (rc == 0)
                return error_set(err, ERROR_NOT_FOUND, "product %lld never had a migration window",
                                 (long long) product_id);
        out->product_id = sqlite3_column_int64(st, 0);
        if (!store_column_fixed(st, 1, out->shared_credential_hash, sizeof(out->shared_credential_hash)) ||
            strlen(out->shared_credential_hash) != 64)
                return error_set(err, ERROR_DB, "migration window of product %lld has a malformed hash",
                                 (long long) product_id);
        out->opened_at = sqlite3_column_int64(st, 2);
        out->closed_at = store_column_opt_int64(st, 3);
        return 0;
}

int store_migration_window_close(struct store *s, int64_t product_id, int64_t when, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "UPDATE migration_windows SET closed_at = ?2 WHERE product_id = ?1 AND closed_at IS NULL",
                          &st, err) < 0 ||
            store_bind_int64(s, st, 1, product_id, err) < 0 ||
            store_bind_int64(s, st, 2, when, err) < 0 ||
            store_step_done(s, st, "closing a migration window", err) < 0)
                return -1;
        if (sqlite3_changes(s->db) == 0) {
                struct store_migration_window w;
                if (store_migration_window_get(s, product_id, &w, err) < 0)
                        return -1;
                return error_set(err, ERROR_CONFLICT, "the migration window of product %lld is already closed",
                                 (long long) product_id);
        }
        return 0;
}

int store_migration_claim_insert(struct store *s, const struct store_migration_claim *c, int64_t *id_out,
                                 struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "INSERT INTO migration_claims (device_serial, product_id, source, time, result, cert_id) "
                             "VALUES (?1, ?2, ?3, ?4, ?5, ?6)", &st, err) < 0 ||
            store_bind_text(s, st, 1, c->device_serial, err) < 0 ||
            store_bind_opt_int64(s, st, 2, c->product_id, err) < 0 ||
            store_bind_text(s, st, 3, c->source, err) < 0 ||
            store_bind_int64(s, st, 4, c->time, err) < 0 ||
            store_bind_text(s, st, 5, c->result, err) < 0 ||
            store_bind_opt_int64(s, st, 6, c->cert_id, err) < 0 ||
            store_step_done(s, st, "recording a migration claim", err) < 0)
                return -1;
        if (id_out)
                *id_out = sqlite3_last_insert_rowid(s->db);
        return 0;
}

int store_migration_claim_list(struct store *s, const char *serial, struct store_migration_claim **out,
                               size_t *n_out, struct error *err) {
        *out = NULL;
        *n_out = 0;
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "SELECT id, device_serial, product_id, source, time, result, cert_id "
                             "FROM migration_claims WHERE (?1 IS NULL OR device_serial = ?1) ORDER BY id",
                          &st, err) < 0 ||
            store_bind_text(s, st, 1, serial, err) < 0)
                return -1;
        struct store_migration_claim *list = NULL;
        size_t n = 0, cap = 0;
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                STORE_LIST_GROW(list, n, cap);
                struct store_migration_claim *c = &list[n];
                memset(c, 0, sizeof(*c));
                c->id = sqlite3_column_int64(st, 0);
                c->device_serial = store_column_text(st, 1);
                c->product_id = store_column_opt_int64(st, 2);
                c->source = store_column_text(st, 3);
                c->time = sqlite3_column_int64(st, 4);
                c->result = store_column_text(st, 5);
                c->cert_id = store_column_opt_int64(st, 6);
                n++;
                if (!c->device_serial || !c->result) {
                        int64_t id = c->id;
                        store_migration_claim_list_free(list, n);
                        return error_set(err, ERROR_DB, "migration claim %lld has a malformed row", (long long) id);
                }
        }
        if (rc != SQLITE_DONE) {
                store_migration_claim_list_free(list, n);
                return store_fail(s, err, "listing migration claims");
        }
        *out = list;
        *n_out = n;
        return 0;
}

void store_migration_claim_clear(struct store_migration_claim *c) {
        if (!c)
                return;
        free(c->device_serial);
        free(c->source);
        free(c->result);
        memset(c, 0, sizeof(*c));
}

void store_migration_claim_list_free(struct store_migration_claim *list, size_t n) {
        for (size_t i = 0; i < n; i++)
                store_migration_claim_clear(&list[i]);
        free(list);
}

/* SPDX-License-Identifier: Apache-2.0 */
/* batches rows. The migration key column is read only by store_batch_migration_key. */
#include <stdlib.h>
#include <string.h>
#include "core/cleanup.h"
#include "core/strutil.h"
#include "crypto/ct.h"
#include "crypto/encoding.h"
#include "store/store-identity-private.h"

#define BATCH_COLUMNS "b.id, b.product_id, b.name, b.hardware_revision, b.production_date, b.station, " \
        "b.initial_firmware_version, b.migration_key IS NOT NULL, b.created_at, b.closed_at, p.model"
#define BATCH_FROM " FROM batches b JOIN products p ON p.id = b.product_id "

int store_batch_insert(struct store *s, const struct store_batch *b, int64_t *id_out, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "INSERT INTO batches (product_id, name, hardware_revision, production_date, station, "
                             "initial_firmware_version, created_at, closed_at) "
                             "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", &st, err) < 0 ||
            store_bind_int64(s, st, 1, b->product_id, err) < 0 ||
            store_bind_text(s, st, 2, b->name, err) < 0 ||
            store_bind_text(s, st, 3, b->hardware_revision, err) < 0 ||
            store_bind_text(s, st, 4, b->production_date, err) < 0 ||
            store_bind_text(s, st, 5, b->station, err) < 0 ||
            store_bind_text(s, st, 6, b->initial_firmware_version, err) < 0 ||
            store_bind_int64(s, st, 7, b->created_at, err) < 0 ||
            store_bind_opt_int64(s, st, 8, b->closed_at, err) < 0)
                return -1;
        if (sqlite3_step(st) != SQLITE_DONE) {
                if (store_is_unique_violation(s, NULL, 0))
                        return error_set(err, ERROR_CONFLICT, "the product already has a batch named '%s'", b->name);
                return store_fail(s, err, "inserting a batch");
        }
        if (id_out)
                *id_out = sqlite3_last_insert_rowid(s->db);
        return 0;
}

static int batch_from_row(sqlite3_stmt *st, struct store_batch *b, struct error *err) {
        memset(b, 0, sizeof(*b));
        b->id = sqlite3_column_int64(st, 0);
        b->product_id = sqlite3_column_int64(st, 1);
        b->name = store_column_text(st, 2);
        b->hardware_revision = store_column_text(st, 3);
        b->production_date = store_column_text(st, 4);
        b->station = store_column_text(st, 5);
        b->initial_firmware_version = store_column_text(st, 6);
        b->migration_key_set = sqlite3_column_int64(st, 7) != 0;
        b->created_at = sqlite3_column_int64(st, 8);
        b->closed_at = store_column_opt_int64(st, 9);
        b->product_model = store_column_text(st, 10);
        if (!b->name || !b->hardware_revision || !b->production_date || !b->initial_firmware_version ||
            !b->product_model) {
                int64_t id = b->id;
                store_batch_clear(b);
                return error_set(err, ERROR_DB, "batch %lld has a malformed row", (long long) id);
        }
        return 0;
}

int store_batch_get(struct store *s, int64_t id, struct store_batch *out, struct error *err) {
        memset(out, 0, sizeof(*out));
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "SELECT " BATCH_COLUMNS BATCH_FROM "WHERE b.id = ?1", &st, err) < 0 ||
            store_bind_int64(s, st, 1, id, err) < 0)
                return -1;
        int rc = store_step_row(s, st, "reading a batch", err);
        if (rc < 0)
                return -1;
        if (rc == 0)
                return error_set(err, ERROR_NOT_FOUND, "no batch with id %lld", (long long) id);
        return batch_from_row(st, out, err);
}

int store_batch_get_by_name(struct store *s, int64_t product_id, const char *name, struct store_batch *out,
                            struct error *err) {
        memset(out, 0, sizeof(*out));
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "SELECT " BATCH_COLUMNS BATCH_FROM "WHERE b.product_id = ?1 AND b.name = ?2",
                          &st, err) < 0 ||
            store_bind_int64(s, st, 1, product_id, err) < 0 ||
            store_bind_text(s, st, 2, name, err) < 0)
                return -1;
        int rc = store_step_row(s, st, "reading a batch", err);
        if (rc < 0)
                return -1;
        if (rc == 0) {
                char safe[80];
                str_sanitize(name, strlen(name), safe, sizeof(safe));
                return error_set(err, ERROR_NOT_FOUND, "no batch named '%s' for product %lld", safe,
                                 (long long) product_id);
        }
        return batch_from_row(st, out, err);
}

int store_batch_list(struct store *s, int64_t product_id, struct store_batch **out, size_t *n_out,
                     struct error *err) {
        *out = NULL;
        *n_out = 0;
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "SELECT " BATCH_COLUMNS BATCH_FROM "WHERE (?1 = 0 OR b.product_id = ?1) ORDER BY b.id",
                          &st, err) < 0 ||
            store_bind_int64(s, st, 1, product_id, err) < 0)
                return -1;
        struct store_batch *list = NULL;
        size_t n = 0, cap = 0;
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                STORE_LIST_GROW(list, n, cap);
                if (batch_from_row(st, &list[n], err) < 0) {
                        store_batch_list_free(list, n);
                        return -1;
                }
                n++;
        }
        if (rc != SQLITE_DONE) {
                store_batch_list_free(list, n);
                return store_fail(s, err, "listing batches");
        }
        *out = list;
        *n_out = n;
        return 0;
}

int store_batch_close(struct store *s, int64_t id, int64_t when, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "UPDATE batches SET closed_at = ?2 WHERE id = ?1 AND closed_at IS NULL", &st, err) < 0 ||
            store_bind_int64(s, st, 1, id, err) < 0 ||
            store_bind_int64(s, st, 2, when, err) < 0 ||
            store_step_done(s, st, "closing a batch", err) < 0)
                return -1;
        if (sqlite3_changes(s->db) == 0) {
                struct store_batch b;
                if (store_batch_get(s, id, &b, err) < 0)
                        return -1;
                store_batch_clear(&b);
                return error_set(err, ERROR_CONFLICT, "batch %lld is already closed", (long long) id);
        }
        return 0;
}

int store_batch_set_migration_key(struct store *s, int64_t id, const char *stored, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "UPDATE batches SET migration_key = ?2 WHERE id = ?1", &st, err) < 0 ||
            store_bind_int64(s, st, 1, id, err) < 0 ||
            store_bind_text(s, st, 2, stored, err) < 0 ||
            store_step_done(s, st, "storing a migration key", err) < 0)
                return -1;
        if (sqlite3_changes(s->db) == 0)
                return error_set(err, ERROR_NOT_FOUND, "no batch with id %lld", (long long) id);
        return 0;
}

int store_batch_migration_key(struct store *s, int64_t id, char **stored_out, struct error *err) {
        *stored_out = NULL;
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "SELECT migration_key FROM batches WHERE id = ?1", &st, err) < 0 ||
            store_bind_int64(s, st, 1, id, err) < 0)
                return -1;
        int rc = store_step_row(s, st, "reading a migration key", err);
        if (rc < 0)
                return -1;
        if (rc == 0)
                return error_set(err, ERROR_NOT_FOUND, "no batch with id %lld", (long long) id);
        const char *text = (const char *) sqlite3_column_text(st, 0);
        if (text)
                *stored_out = str_dup(text);
        return 0;
}

int store_batch_migration_keys_unsealed(struct store *s, int64_t **ids_out, size_t *n_out, struct error *err) {
        *ids_out = NULL;
        *n_out = 0;
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        /* Sealed values start "kek<version>:"; hex never has a 'k'. */
        if (store_prepare(s, "SELECT id FROM batches WHERE migration_key IS NOT NULL "
                             "AND migration_key NOT LIKE 'kek%' ORDER BY id", &st, err) < 0)
                return -1;
        size_t n = 0, cap = 0;
        int64_t *ids = NULL;
        for (;;) {
                int rc = store_step_row(s, st, "listing unsealed migration keys", err);
                if (rc < 0) {
                        free(ids);
                        return -1;
                }
                if (rc == 0)
                        break;
                if (n == cap) {
                        cap = cap ? 2 * cap : 16;
                        ids = xrealloc(ids, cap * sizeof(*ids));
                }
                ids[n++] = sqlite3_column_int64(st, 0);
        }
        *ids_out = ids;
        *n_out = n;
        return 0;
}

int store_batch_migration_key_other_kek(struct store *s, const char *sealed_prefix, int64_t *id_out,
                                        struct error *err) {
        *id_out = 0;
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        /* substr, not LIKE: the prefix is data, and LIKE would treat '_' in it as a wildcard. */
        if (store_prepare(s, "SELECT id FROM batches WHERE migration_key LIKE 'kek%' "
                             "AND substr(migration_key, 1, length(?1)) <> ?1 ORDER BY id LIMIT 1", &st, err) < 0 ||
            store_bind_text(s, st, 1, sealed_prefix, err) < 0)
                return -1;
        int rc = store_step_row(s, st, "checking sealed migration keys", err);
        if (rc < 0)
                return -1;
        if (rc > 0)
                *id_out = sqlite3_column_int64(st, 0);
        return 0;
}

void store_batch_clear(struct store_batch *b) {
        if (!b)
                return;
        free(b->name);
        free(b->hardware_revision);
        free(b->production_date);
        free(b->station);
        free(b->initial_firmware_version);
        free(b->product_model);
        memset(b, 0, sizeof(*b));
}

void store_batch_list_free(struct store_batch *list, size_t n) {
        for (size_t i = 0; i < n; i++)
                store_batch_clear(&list[i]);
        free(list);
}

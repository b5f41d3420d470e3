/* SPDX-License-Identifier: Apache-2.0 */
/* The director root chain and the per-device targets cache. */
#include <stdlib.h>
#include <string.h>
#include "core/cleanup.h"
#include "core/strutil.h"
#include "store/store-director.h"
#include "store/store-identity-private.h"

/* ---- director roots ---- */

int store_director_root_insert(struct store *s, const struct store_director_root *r, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "INSERT INTO director_roots (version, document, expires, installed_at) "
                             "VALUES (?1, ?2, ?3, ?4)", &st, err) < 0 ||
            store_bind_int64(s, st, 1, r->version, err) < 0 ||
            store_bind_text(s, st, 2, r->document, err) < 0 ||
            store_bind_int64(s, st, 3, r->expires, err) < 0 ||
            store_bind_int64(s, st, 4, r->installed_at, err) < 0)
                return -1;
        if (sqlite3_step(st) != SQLITE_DONE) {
                if (store_is_unique_violation(s, NULL, 0))
                        return error_set(err, ERROR_CONFLICT, "director root version %lld is installed already",
                                         (long long) r->version);
                return store_fail(s, err, "inserting a director root");
        }
        return 0;
}

int store_director_root_get(struct store *s, int64_t version, struct store_director_root *out, bool *found,
                            struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        memset(out, 0, sizeof(*out));
        *found = false;
        if (version > 0) {
                if (store_prepare(s, "SELECT version, document, expires, installed_at FROM director_roots "
                                     "WHERE version = ?1", &st, err) < 0 ||
                    store_bind_int64(s, st, 1, version, err) < 0)
                        return -1;
        } else if (store_prepare(s, "SELECT version, document, expires, installed_at FROM director_roots "
                                    "ORDER BY version DESC LIMIT 1", &st, err) < 0) {
                return -1;
        }
        int rc = store_step_row(s, st, "reading a director root", err);
        if (rc < 0)
                return -1;
        if (rc == 0)
                return 0;
        out->version = sqlite3_column_int64(st, 0);
        out->document = store_column_text(st, 1);
        out->expires = sqlite3_column_int64(st, 2);
        out->installed_at = sqlite3_column_int64(st, 3);
        *found = true;
        return 0;
}

void store_director_root_clear(struct store_director_root *r) {
        if (!r)
                return;
        free(r->document);
        memset(r, 0, sizeof(*r));
}

/* ---- the per-device targets cache ---- */

int store_director_targets_get(struct store *s, int64_t device_id, struct store_director_targets *out,
                               bool *found, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        memset(out, 0, sizeof(*out));
        *found = false;
        if (store_prepare(s, "SELECT version, content_sha256, root_version, signed_at, expires, document "
                             "FROM director_targets WHERE device_id = ?1", &st, err) < 0 ||
            store_bind_int64(s, st, 1, device_id, err) < 0)
                return -1;
        int rc = store_step_row(s, st, "reading director targets", err);
        if (rc < 0)
                return -1;
        if (rc == 0)
                return 0;
        out->device_id = device_id;
        out->version = sqlite3_column_int64(st, 0);
        if (!store_column_fixed(st, 1, out->content_sha256, sizeof(out->content_sha256)))
                return error_set(err, ERROR_DB, "director targets of device %lld: bad content hash",
                                 (long long) device_id);
        out->root_version = sqlite3_column_int64(st, 2);
        out->signed_at = sqlite3_column_int64(st, 3);
        out->expires = sqlite3_column_int64(st, 4);
        out->document = store_column_text(st, 5);
        *found = true;
        return 0;
}

int store_director_targets_put(struct store *s, const struct store_director_targets *t, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "INSERT INTO director_targets (device_id, version, content_sha256, root_version, "
                             "signed_at, expires, document) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
                             "ON CONFLICT (device_id) DO UPDATE SET version = excluded.version, "
                             "content_sha256 = excluded.content_sha256, root_version = excluded.root_version, "
                             "signed_at = excluded.signed_at, expires = excluded.expires, "
                             "document = excluded.document", &st, err) < 0 ||
            store_bind_int64(s, st, 1, t->device_id, err) < 0 ||
            store_bind_int64(s, st, 2, t->version, err) < 0 ||
            store_bind_text(s, st, 3, t->content_sha256, err) < 0 ||
            store_bind_int64(s, st, 4, t->root_version, err) < 0 ||
            store_bind_int64(s, st, 5, t->signed_at, err) < 0 ||
            store_bind_int64(s, st, 6, t->expires, err) < 0 ||
            store_bind_text(s, st, 7, t->document, err) < 0)
                return -1;
        return store_step_done(s, st, "storing director targets", err);
}

void store_director_targets_clear(struct store_director_targets *t) {
        if (!t)
                return;
        free(t->document);
        memset(t, 0, sizeof(*t));
}

/* SPDX-License-Identifier: Apache-2.0 */
/* Device update state (installed version, last seen) and the update history. */
#include <stdlib.h>
#include <string.h>
#include "core/cleanup.h"
#include "core/version.h"
#include "core/strutil.h"
#include "store/store-director.h"
#include "store/store-identity-private.h"

/* -1 (none) binds SQL NULL; NULL reads as -1. */
static int bind_opt_version(struct store *s, sqlite3_stmt *st, int idx, int64_t v, struct error *err) {
        if (v < 0) {
                if (sqlite3_bind_null(st, idx) != SQLITE_OK)
                        return store_fail(s, err, "binding a parameter");
                return 0;
        }
        return store_bind_int64(s, st, idx, v, err);
}

static int64_t column_opt_version(sqlite3_stmt *st, int col) {
        return sqlite3_column_type(st, col) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, col);
}

int store_device_update_state_get(struct store *s, int64_t device_id, struct store_device_update_state *out,
                                  bool *found, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        memset(out, 0, sizeof(*out));
        out->security_version = -1;
        *found = false;
        if (store_prepare(s, "SELECT installed_version, security_version, last_seen, last_stage, last_report_at "
                             "FROM device_update_state WHERE device_id = ?1", &st, err) < 0 ||
            store_bind_int64(s, st, 1, device_id, err) < 0)
                return -1;
        int rc = store_step_row(s, st, "reading a device's update state", err);
        if (rc < 0)
                return -1;
        if (rc == 0)
                return 0;
        out->device_id = device_id;
        out->installed_version = store_column_text(st, 0);
        out->security_version = column_opt_version(st, 1);
        out->last_seen = sqlite3_column_int64(st, 2);
        out->last_stage = store_column_text(st, 3);
        out->last_report_at = store_column_opt_int64(st, 4);
        *found = true;
        return 0;
}

int store_device_seen(struct store *s, int64_t device_id, int64_t when, int64_t min_interval,
                      struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        /* The WHERE on the update keeps a frequent poller from writing at all. */
        if (store_prepare(s, "INSERT INTO device_update_state (device_id, last_seen) VALUES (?1, ?2) "
                             "ON CONFLICT (device_id) DO UPDATE SET last_seen = excluded.last_seen "
                             "WHERE device_update_state.last_seen < ?3", &st, err) < 0 ||
            store_bind_int64(s, st, 1, device_id, err) < 0 ||
            store_bind_int64(s, st, 2, when, err) < 0 ||
            store_bind_int64(s, st, 3, when - min_interval, err) < 0)
                return -1;
        return store_step_done(s, st, "recording when a device was seen", err);
}

int store_devices_seen_batch(struct store *s, const struct store_device_seen *rows, size_t n, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        /* A device deleted since it was seen is skipped (no row to point at),
         * and last_seen never goes back (a status report may have written a
         * later time in between). */
        if (store_prepare(s, "INSERT INTO device_update_state (device_id, last_seen) "
                             "SELECT ?1, ?2 WHERE EXISTS (SELECT 1 FROM devices WHERE id = ?1) "
                             "ON CONFLICT (device_id) DO UPDATE SET last_seen = excluded.last_seen "
                             "WHERE device_update_state.last_seen < excluded.last_seen", &st, err) < 0)
                return -1;
        for (size_t i = 0; i < n; i++) {
                sqlite3_reset(st);
                if (store_bind_int64(s, st, 1, rows[i].device_id, err) < 0 ||
                    store_bind_int64(s, st, 2, rows[i].when, err) < 0 ||
                    store_step_done(s, st, "recording when devices were seen", err) < 0)
                        return -1;
        }
        return 0;
}

void store_device_update_state_clear(struct store_device_update_state *st) {
        if (!st)
                return;
        free(st->installed_version);
        free(st->last_stage);
        memset(st, 0, sizeof(*st));
        st->security_version = -1;
}

int store_device_update_record(struct store *s, const struct store_device_update_entry *e, bool set_installed,
                               int64_t *id_out, struct error *err) {
        struct store_atomic a;
        _cleanup_stmt_ sqlite3_stmt *ins = NULL, *up = NULL;
        if (store_atomic_begin(s, &a, err) < 0)
                return -1;
        if (store_prepare(s, "INSERT INTO device_update_history (device_id, time, stage, from_version, to_version, "
                             "security_version, result, reason, action_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                          &ins, err) < 0 ||
            store_bind_int64(s, ins, 1, e->device_id, err) < 0 ||
            store_bind_int64(s, ins, 2, e->time, err) < 0 ||
            store_bind_text(s, ins, 3, e->stage, err) < 0 ||
            store_bind_text(s, ins, 4, e->from_version, err) < 0 ||
            store_bind_text(s, ins, 5, e->to_version, err) < 0 ||
            bind_opt_version(s, ins, 6, e->security_version, err) < 0 ||
            store_bind_text(s, ins, 7, e->result, err) < 0 ||
            store_bind_text(s, ins, 8, e->reason, err) < 0 ||
            store_bind_opt_int64(s, ins, 9, e->action_id, err) < 0 ||
            store_step_done(s, ins, "appending to the update history", err) < 0)
                goto fail;
        if (id_out)
                *id_out = sqlite3_last_insert_rowid(s->db);
        if (set_installed) {
                if (store_prepare(s, "INSERT INTO device_update_state (device_id, last_seen, last_stage, "
                                     "last_report_at, installed_version, security_version, installed_version_key) "
                                     "VALUES (?1, ?2, ?3, ?2, ?4, ?5, ?6) "
                                     "ON CONFLICT (device_id) DO UPDATE SET "
                                     "installed_version = excluded.installed_version, "
                                     "security_version = excluded.security_version, "
                                     "installed_version_key = excluded.installed_version_key, "
                                     "last_seen = excluded.last_seen, last_stage = excluded.last_stage, "
                                     "last_report_at = excluded.last_report_at", &up, err) < 0 ||
                    store_bind_text(s, up, 4, e->to_version, err) < 0 ||
                    bind_opt_version(s, up, 5, e->security_version, err) < 0)
                        goto fail;
                /* The campaign selector's version range compares these keys. */
                char key[VERSION_KEY_MAX];
                if (store_bind_text(s, up, 6, version_sort_key(e->to_version, key, sizeof(key)) ? key : NULL,
                                    err) < 0)
                        goto fail;
        } else if (store_prepare(s, "INSERT INTO device_update_state (device_id, last_seen, last_stage, "
                                    "last_report_at) VALUES (?1, ?2, ?3, ?2) "
                                    "ON CONFLICT (device_id) DO UPDATE SET last_seen = excluded.last_seen, "
                                    "last_stage = excluded.last_stage, last_report_at = excluded.last_report_at",
                                 &up, err) < 0) {
                goto fail;
        }
        if (store_bind_int64(s, up, 1, e->device_id, err) < 0 || store_bind_int64(s, up, 2, e->time, err) < 0 ||
            store_bind_text(s, up, 3, e->stage, err) < 0 ||
            store_step_done(s, up, "updating a device's update state", err) < 0)
                goto fail;
        return store_atomic_commit(s, &a, err);
fail:
        store_atomic_rollback(s, &a);
        return -1;
}

int store_device_update_history(struct store *s, int64_t device_id, int64_t after_id, size_t limit,
                                struct store_device_update_entry **out, size_t *n_out, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        struct store_device_update_entry *list = NULL;
        size_t n = 0, cap = 0;
        int rc;
        *out = NULL;
        *n_out = 0;
        if (store_prepare(s, "SELECT id, time, stage, from_version, to_version, security_version, result, reason, action_id "
                             "FROM device_update_history WHERE device_id = ?1 AND id > ?2 ORDER BY id LIMIT ?3",
                          &st, err) < 0 ||
            store_bind_int64(s, st, 1, device_id, err) < 0 ||
            store_bind_int64(s, st, 2, after_id, err) < 0 ||
            store_bind_int64(s, st, 3, (int64_t) store_list_limit(limit), err) < 0)
                return -1;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                STORE_LIST_GROW(list, n, cap);
                struct store_device_update_entry *e = &list[n++];
                memset(e, 0, sizeof(*e));
                e->id = sqlite3_column_int64(st, 0);
                e->device_id = device_id;
                e->time = sqlite3_column_int64(st, 1);
                e->stage = store_column_text(st, 2);
                e->from_version = store_column_text(st, 3);
                e->to_version = store_column_text(st, 4);
                e->security_version = column_opt_version(st, 5);
                e->result = store_column_text(st, 6);
                e->reason = store_column_text(st, 7);
                e->action_id = store_column_opt_int64(st, 8);
        }
        if (rc != SQLITE_DONE) {
                store_device_update_history_free(list, n);
                return store_fail(s, err, "reading the update history");
        }
        *out = list;
        *n_out = n;
        return 0;
}

void store_device_update_entry_clear(struct store_device_update_entry *e) {
        if (!e)
                return;
        free(e->stage);
        free(e->from_version);
        free(e->to_version);
        free(e->result);
        free(e->reason);
        memset(e, 0, sizeof(*e));
}

void store_device_update_history_free(struct store_device_update_entry *list, size_t n) {
        for (size_t i = 0; i < n; i++)
                store_device_update_entry_clear(&list[i]);
        free(list);
}

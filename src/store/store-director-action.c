/* SPDX-License-Identifier: Apache-2.0 */
/* Update actions: one offer of a release to one device (schema version 6). */
#include <stdlib.h>
#include <string.h>
#include "core/cleanup.h"
#include "core/strutil.h"
#include "store/store-director.h"
#include "store/store-identity-private.h"

#define ACTION_COLUMNS                                                                                   \
        "a.id, a.device_id, a.release_id, a.campaign_id, r.version, a.status, a.last_stage, a.reason, " \
        "a.created_at, a.created_by, a.updated_at, a.closed_at "                                        \
        "FROM update_actions a JOIN releases r ON r.id = a.release_id "

static void action_from_row(sqlite3_stmt *st, struct store_update_action *out) {
        memset(out, 0, sizeof(*out));
        out->id = sqlite3_column_int64(st, 0);
        out->device_id = sqlite3_column_int64(st, 1);
        out->release_id = sqlite3_column_int64(st, 2);
        out->campaign_id = store_column_opt_int64(st, 3);
        out->release_version = store_column_text(st, 4);
        out->status = store_column_text(st, 5);
        out->last_stage = store_column_text(st, 6);
        out->reason = store_column_text(st, 7);
        out->created_at = sqlite3_column_int64(st, 8);
        out->created_by = store_column_text(st, 9);
        out->updated_at = sqlite3_column_int64(st, 10);
        out->closed_at = store_column_opt_int64(st, 11);
}

int store_update_action_insert(struct store *s, const struct store_update_action *r, int64_t *id_out,
                               struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "INSERT INTO update_actions (device_id, release_id, campaign_id, status, created_at, "
                             "created_by, updated_at, closed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?5, ?7)",
                          &st, err) < 0 ||
            store_bind_int64(s, st, 1, r->device_id, err) < 0 ||
            store_bind_int64(s, st, 2, r->release_id, err) < 0 ||
            store_bind_opt_int64(s, st, 3, r->campaign_id, err) < 0 ||
            store_bind_text(s, st, 4, r->status, err) < 0 ||
            store_bind_int64(s, st, 5, r->created_at, err) < 0 ||
            store_bind_text(s, st, 6, r->created_by, err) < 0 ||
            store_bind_opt_int64(s, st, 7, r->closed_at, err) < 0)
                return -1;
        if (sqlite3_step(st) != SQLITE_DONE) {
                if (store_is_unique_violation(s, NULL, 0))
                        return error_set(err, ERROR_CONFLICT, "device %lld already has an active update action",
                                         (long long) r->device_id);
                return store_fail(s, err, "storing an update action");
        }
        if (id_out)
                *id_out = sqlite3_last_insert_rowid(s->db);
        return 0;
}

static int action_one(struct store *s, const char *where, int64_t key, struct store_update_action *out, bool *found,
                      struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        char sql[512];
        memset(out, 0, sizeof(*out));
        *found = false;
        snprintf(sql, sizeof(sql), "SELECT " ACTION_COLUMNS "WHERE %s", where);
        if (store_prepare(s, sql, &st, err) < 0 || store_bind_int64(s, st, 1, key, err) < 0)
                return -1;
        int rc = store_step_row(s, st, "reading an update action", err);
        if (rc <= 0)
                return rc;
        action_from_row(st, out);
        *found = true;
        return 0;
}

int store_update_action_get(struct store *s, int64_t id, struct store_update_action *out, bool *found,
                            struct error *err) {
        return action_one(s, "a.id = ?1", id, out, found, err);
}

int store_update_action_active(struct store *s, int64_t device_id, struct store_update_action *out, bool *found,
                               struct error *err) {
        return action_one(s, "a.device_id = ?1 AND a.status IN ('open', 'canceling')", device_id, out, found, err);
}

int store_update_action_set(struct store *s, int64_t id, const char *status, const char *last_stage,
                            const char *reason, bool closed, int64_t now, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "UPDATE update_actions SET status = ?2, last_stage = COALESCE(?3, last_stage), "
                             "reason = COALESCE(?4, reason), updated_at = ?5, "
                             "closed_at = CASE WHEN ?6 THEN ?5 ELSE closed_at END WHERE id = ?1",
                          &st, err) < 0 ||
            store_bind_int64(s, st, 1, id, err) < 0 ||
            store_bind_text(s, st, 2, status, err) < 0 ||
            store_bind_text(s, st, 3, last_stage, err) < 0 ||
            store_bind_text(s, st, 4, reason, err) < 0 ||
            store_bind_int64(s, st, 5, now, err) < 0 ||
            store_bind_int64(s, st, 6, closed ? 1 : 0, err) < 0)
                return -1;
        if (sqlite3_step(st) != SQLITE_DONE) {
                if (store_is_unique_violation(s, NULL, 0))
                        return error_set(err, ERROR_CONFLICT, "update action %lld: the device already has another "
                                         "active action", (long long) id);
                return store_fail(s, err, "updating an update action");
        }
        if (sqlite3_changes(s->db) == 0)
                return error_set(err, ERROR_NOT_FOUND, "no update action %lld", (long long) id);
        return 0;
}

int store_update_actions_of_device(struct store *s, int64_t device_id, size_t limit,
                                   struct store_update_action **out, size_t *n_out, struct error *err) {
        return store_update_actions_of_device_page(s, device_id, 0, store_list_limit(limit), out, n_out, err);
}

int store_update_actions_of_device_page(struct store *s, int64_t device_id, int64_t before, size_t limit,
                                        struct store_update_action **out, size_t *n_out, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        struct store_update_action *list = NULL;
        size_t n = 0, cap = 0;
        int rc;
        *out = NULL;
        *n_out = 0;
        if (store_prepare(s, "SELECT " ACTION_COLUMNS "WHERE a.device_id = ?1 AND (?2 = 0 OR a.id < ?2) "
                             "ORDER BY a.id DESC LIMIT ?3", &st, err) < 0 ||
            store_bind_int64(s, st, 1, device_id, err) < 0 || store_bind_int64(s, st, 2, before, err) < 0 ||
            store_bind_int64(s, st, 3, (int64_t) limit, err) < 0)
                return -1;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                STORE_LIST_GROW(list, n, cap);
                action_from_row(st, &list[n++]);
        }
        if (rc != SQLITE_DONE) {
                store_update_actions_free(list, n);
                return store_fail(s, err, "reading update actions");
        }
        *out = list;
        *n_out = n;
        return 0;
}

void store_update_action_clear(struct store_update_action *r) {
        if (!r)
                return;
        free(r->release_version);
        free(r->status);
        free(r->last_stage);
        free(r->reason);
        free(r->created_by);
        memset(r, 0, sizeof(*r));
}

void store_update_actions_free(struct store_update_action *list, size_t n) {
        for (size_t i = 0; i < n; i++)
                store_update_action_clear(&list[i]);
        free(list);
}

int store_device_assignment_delete(struct store *s, int64_t device_id, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "DELETE FROM device_assignments WHERE device_id = ?1", &st, err) < 0 ||
            store_bind_int64(s, st, 1, device_id, err) < 0)
                return -1;
        return store_step_done(s, st, "removing an assignment", err);
}

int store_update_action_last_succeeded(struct store *s, int64_t device_id, struct store_update_action *out,
                                       bool *found, struct error *err) {
        return action_one(s, "a.device_id = ?1 AND a.status = 'succeeded' ORDER BY a.id DESC LIMIT 1", device_id,
                          out, found, err);
}

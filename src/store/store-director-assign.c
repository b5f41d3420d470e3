/* SPDX-License-Identifier: Apache-2.0 */
/* Device tags and release assignments. */
#include <stdlib.h>
#include <string.h>
#include "core/cleanup.h"
#include "core/strutil.h"
#include "store/store-director.h"
#include "store/store-identity-private.h"

void store_strv_free(char **v, size_t n) {
        if (!v)
                return;
        for (size_t i = 0; i < n; i++)
                free(v[i]);
        free(v);
}

int store_device_tags_set(struct store *s, int64_t device_id, const char *const *tags, size_t n,
                          struct error *err) {
        struct store_atomic a;
        if (store_atomic_begin(s, &a, err) < 0)
                return -1;
        _cleanup_stmt_ sqlite3_stmt *del = NULL, *ins = NULL;
        if (store_prepare(s, "DELETE FROM device_tags WHERE device_id = ?1", &del, err) < 0 ||
            store_bind_int64(s, del, 1, device_id, err) < 0 ||
            store_step_done(s, del, "clearing device tags", err) < 0 ||
            store_prepare(s, "INSERT INTO device_tags (device_id, tag) VALUES (?1, ?2)", &ins, err) < 0)
                goto fail;
        for (size_t i = 0; i < n; i++) {
                sqlite3_reset(ins);
                if (store_bind_int64(s, ins, 1, device_id, err) < 0 || store_bind_text(s, ins, 2, tags[i], err) < 0)
                        goto fail;
                if (sqlite3_step(ins) != SQLITE_DONE) {
                        if (store_is_unique_violation(s, NULL, 0))
                                error_set(err, ERROR_CONFLICT, "tag '%s' given twice", tags[i]);
                        else
                                store_fail(s, err, "storing a device tag");
                        goto fail;
                }
        }
        return store_atomic_commit(s, &a, err);
fail:
        store_atomic_rollback(s, &a);
        return -1;
}

int store_device_tags_get(struct store *s, int64_t device_id, char ***out, size_t *n_out, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        char **list = NULL;
        size_t n = 0, cap = 0;
        int rc;
        *out = NULL;
        *n_out = 0;
        if (store_prepare(s, "SELECT tag FROM device_tags WHERE device_id = ?1 ORDER BY tag", &st, err) < 0 ||
            store_bind_int64(s, st, 1, device_id, err) < 0)
                return -1;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                STORE_LIST_GROW(list, n, cap);
                list[n++] = store_column_text(st, 0);
        }
        if (rc != SQLITE_DONE) {
                store_strv_free(list, n);
                return store_fail(s, err, "reading device tags");
        }
        *out = list;
        *n_out = n;
        return 0;
}

int store_devices_with_tag(struct store *s, const char *tag, size_t max, int64_t **out, size_t *n_out,
                           struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int64_t *ids = NULL;
        size_t n = 0, cap = 0;
        int rc;
        *out = NULL;
        *n_out = 0;
        if (store_prepare(s, "SELECT device_id FROM device_tags WHERE tag = ?1 ORDER BY device_id LIMIT ?2",
                          &st, err) < 0 ||
            store_bind_text(s, st, 1, tag, err) < 0 ||
            store_bind_int64(s, st, 2, (int64_t) max + 1, err) < 0)
                return -1;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                STORE_LIST_GROW(ids, n, cap);
                ids[n++] = sqlite3_column_int64(st, 0);
        }
        if (rc != SQLITE_DONE) {
                free(ids);
                return store_fail(s, err, "reading tagged devices");
        }
        *out = ids;
        *n_out = n;
        return 0;
}

int store_device_assignment_put(struct store *s, const struct store_device_assignment *a, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "INSERT INTO device_assignments (device_id, release_id, tag, assigned_at, assigned_by) "
                             "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (device_id) DO UPDATE SET "
                             "release_id = excluded.release_id, tag = excluded.tag, "
                             "assigned_at = excluded.assigned_at, assigned_by = excluded.assigned_by",
                          &st, err) < 0 ||
            store_bind_int64(s, st, 1, a->device_id, err) < 0 ||
            store_bind_int64(s, st, 2, a->release_id, err) < 0 ||
            store_bind_text(s, st, 3, a->tag, err) < 0 ||
            store_bind_int64(s, st, 4, a->assigned_at, err) < 0 ||
            store_bind_text(s, st, 5, a->assigned_by, err) < 0)
                return -1;
        return store_step_done(s, st, "storing an assignment", err);
}

int store_device_assignment_get(struct store *s, int64_t device_id, struct store_device_assignment *out,
                                bool *found, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        memset(out, 0, sizeof(*out));
        *found = false;
        if (store_prepare(s, "SELECT release_id, tag, assigned_at, assigned_by FROM device_assignments "
                             "WHERE device_id = ?1", &st, err) < 0 ||
            store_bind_int64(s, st, 1, device_id, err) < 0)
                return -1;
        int rc = store_step_row(s, st, "reading an assignment", err);
        if (rc < 0)
                return -1;
        if (rc == 0)
                return 0;
        out->device_id = device_id;
        out->release_id = sqlite3_column_int64(st, 0);
        out->tag = store_column_text(st, 1);
        out->assigned_at = sqlite3_column_int64(st, 2);
        out->assigned_by = store_column_text(st, 3);
        *found = true;
        return 0;
}

void store_device_assignment_clear(struct store_device_assignment *a) {
        if (!a)
                return;
        free(a->tag);
        free(a->assigned_by);
        memset(a, 0, sizeof(*a));
}

int store_director_sign_queue_add(struct store *s, int64_t device_id, int64_t now, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "INSERT INTO director_sign_queue (device_id, queued_at) VALUES (?1, ?2) "
                             "ON CONFLICT (device_id) DO NOTHING", &st, err) < 0 ||
            store_bind_int64(s, st, 1, device_id, err) < 0 || store_bind_int64(s, st, 2, now, err) < 0)
                return -1;
        return store_step_done(s, st, "queueing a device for director signing", err);
}

int store_director_sign_queue_take(struct store *s, size_t max, int64_t **ids, size_t *n_out, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        *ids = NULL;
        *n_out = 0;
        if (store_prepare(s, "SELECT device_id FROM director_sign_queue ORDER BY queued_at, device_id LIMIT ?1", &st,
                          err) < 0 ||
            store_bind_int64(s, st, 1, (int64_t) max, err) < 0)
                return -1;
        int64_t *v = xcalloc(max ? max : 1, sizeof(*v));
        size_t n = 0;
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < max)
                v[n++] = sqlite3_column_int64(st, 0);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
                free(v);
                return store_fail(s, err, "reading the director signing queue");
        }
        *ids = v;
        *n_out = n;
        return 0;
}

int store_director_sign_queue_delete(struct store *s, const int64_t *ids, size_t n, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (n == 0)
                return 0;
        if (store_prepare(s, "DELETE FROM director_sign_queue WHERE device_id = ?1", &st, err) < 0)
                return -1;
        for (size_t i = 0; i < n; i++) {
                sqlite3_reset(st);
                if (store_bind_int64(s, st, 1, ids[i], err) < 0 ||
                    store_step_done(s, st, "emptying the director signing queue", err) < 0)
                        return -1;
        }
        return 0;
}

int store_director_sign_queue_count(struct store *s, int64_t *out, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        *out = 0;
        if (store_prepare(s, "SELECT count(*) FROM director_sign_queue", &st, err) < 0)
                return -1;
        int rc = store_step_row(s, st, "counting the director signing queue", err);
        if (rc < 0)
                return -1;
        *out = sqlite3_column_int64(st, 0);
        return 0;
}

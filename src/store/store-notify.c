/* SPDX-License-Identifier: Apache-2.0 */
/* SQL of informing users and end of support (store-notify.h). */
#include "store/store-notify.h"

#include <sqlite3.h>
#include <stdlib.h>

#include "core/strutil.h"
#include "store/store-identity-private.h"
#include "store/store-private.h"

static int owner_set(struct store *s, const char *sel, const char *upd, const char *key_text, int64_t key_id, const char *ref, char **old_ref, bool *found,
                     struct error *err) {
        if (old_ref)
                *old_ref = NULL;
        *found = false;
        _cleanup_stmt_ sqlite3_stmt *q = NULL;
        if (store_prepare(s, sel, &q, err) < 0 ||
            (key_text ? store_bind_text(s, q, 1, key_text, err) : store_bind_int64(s, q, 1, key_id, err)) < 0)
                return -1;
        int rc = store_step_row(s, q, "reading an owner reference", err);
        if (rc <= 0)
                return rc;
        *found = true;
        if (old_ref)
                *old_ref = store_column_text(q, 0);
        _cleanup_stmt_ sqlite3_stmt *u = NULL;
        if (store_prepare(s, upd, &u, err) < 0 ||
            (key_text ? store_bind_text(s, u, 1, key_text, err) : store_bind_int64(s, u, 1, key_id, err)) < 0 ||
            store_bind_text(s, u, 2, ref, err) < 0 || store_step_done(s, u, "setting an owner reference", err) < 0) {
                if (old_ref) {
                        free(*old_ref);
                        *old_ref = NULL;
                }
                return -1;
        }
        return 0;
}

int store_owner_device_set(struct store *s, const char *serial, const char *ref, char **old_ref, bool *found,
                           struct error *err) {
        return owner_set(s, "SELECT owner_ref FROM devices WHERE serial = ?1",
                         "UPDATE devices SET owner_ref = ?2 WHERE serial = ?1", serial, 0, ref, old_ref, found,
                         err);
}

int store_owner_batch_set(struct store *s, int64_t batch_id, const char *ref, char **old_ref, bool *found,
                          struct error *err) {
        return owner_set(s, "SELECT owner_ref FROM batches WHERE id = ?1",
                         "UPDATE batches SET owner_ref = ?2 WHERE id = ?1", NULL, batch_id, ref, old_ref,
                         found, err);
}

int store_owner_device_get(struct store *s, const char *serial, char **ref, bool *found, struct error *err) {
        *ref = NULL;
        *found = false;
        _cleanup_stmt_ sqlite3_stmt *q = NULL;
        if (store_prepare(s, "SELECT owner_ref FROM devices WHERE serial = ?1", &q, err) < 0 ||
            store_bind_text(s, q, 1, serial, err) < 0)
                return -1;
        int rc = store_step_row(s, q, "reading a device's owner reference", err);
        if (rc == 1) {
                *found = true;
                *ref = store_column_text(q, 0);
        }
        return rc < 0 ? -1 : 0;
}

int store_owner_batch_get(struct store *s, int64_t batch_id, char **ref, bool *found, struct error *err) {
        *ref = NULL;
        *found = false;
        _cleanup_stmt_ sqlite3_stmt *q = NULL;
        if (store_prepare(s, "SELECT owner_ref FROM batches WHERE id = ?1", &q, err) < 0 ||
            store_bind_int64(s, q, 1, batch_id, err) < 0)
                return -1;
        int rc = store_step_row(s, q, "reading a batch's owner reference", err);
        if (rc == 1) {
                *found = true;
                *ref = store_column_text(q, 0);
        }
        return rc < 0 ? -1 : 0;
}

int store_support_reminder_insert(struct store *s, int64_t product_id, const char *point, const char *support_end,
                                  int64_t fired_at, const char *body, bool *inserted, struct error *err) {
        *inserted = false;
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s,
                          "INSERT INTO support_reminders (product_id, point, support_end, fired_at, body) VALUES "
                          "(?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
                          &st, err) < 0 ||
            store_bind_int64(s, st, 1, product_id, err) < 0 || store_bind_text(s, st, 2, point, err) < 0 ||
            store_bind_text(s, st, 3, support_end, err) < 0 || store_bind_int64(s, st, 4, fired_at, err) < 0 ||
            store_bind_text(s, st, 5, body, err) < 0 ||
            store_step_done(s, st, "recording an end-of-support reminder", err) < 0)
                return -1;
        *inserted = sqlite3_changes(s->db) > 0;
        return 0;
}

int store_webhook_outbox_add(struct store *s, const char *event, const char *body, int64_t now, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s,
                          "INSERT INTO webhook_outbox (event, body, created_at, state, attempts, next_at) VALUES "
                          "(?1, ?2, ?3, 'pending', 0, 0)",
                          &st, err) < 0 ||
            store_bind_text(s, st, 1, event, err) < 0 || store_bind_text(s, st, 2, body, err) < 0 ||
            store_bind_int64(s, st, 3, now, err) < 0 || store_step_done(s, st, "queueing a webhook delivery", err) < 0)
                return -1;
        return 0;
}

void store_webhook_items_free(struct store_webhook_item *l, size_t n) {
        for (size_t i = 0; l && i < n; i++) {
                free(l[i].event);
                free(l[i].body);
        }
        free(l);
}

int store_webhook_outbox_due(struct store *s, int64_t now, int64_t limit, struct store_webhook_item **out,
                             size_t *n, struct error *err) {
        *out = NULL;
        *n = 0;
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s,
                          "SELECT id, event, body, attempts FROM webhook_outbox WHERE state = 'pending' AND "
                          "next_at <= ?1 ORDER BY id LIMIT ?2",
                          &st, err) < 0 ||
            store_bind_int64(s, st, 1, now, err) < 0 || store_bind_int64(s, st, 2, limit, err) < 0)
                return -1;
        struct store_webhook_item *l = NULL;
        size_t k = 0, cap = 0;
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                STORE_LIST_GROW(l, k, cap);
                l[k].id = sqlite3_column_int64(st, 0);
                l[k].event = store_column_text(st, 1);
                l[k].body = store_column_text(st, 2);
                l[k].attempts = sqlite3_column_int64(st, 3);
                k++;
        }
        if (rc != SQLITE_DONE) {
                store_webhook_items_free(l, k);
                return store_fail(s, err, "listing webhook deliveries");
        }
        *out = l;
        *n = k;
        return 0;
}

int store_webhook_outbox_update(struct store *s, int64_t id, const char *state, int64_t attempts, int64_t next_at,
                                const char *error, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s,
                          "UPDATE webhook_outbox SET state = ?2, attempts = ?3, next_at = ?4, last_error = ?5 "
                          "WHERE id = ?1",
                          &st, err) < 0 ||
            store_bind_int64(s, st, 1, id, err) < 0 || store_bind_text(s, st, 2, state, err) < 0 ||
            store_bind_int64(s, st, 3, attempts, err) < 0 || store_bind_int64(s, st, 4, next_at, err) < 0 ||
            store_bind_text(s, st, 5, error, err) < 0 ||
            store_step_done(s, st, "updating a webhook delivery", err) < 0)
                return -1;
        return 0;
}

int store_webhook_outbox_count(struct store *s, const char *event, const char *state, int64_t *n,
                               struct error *err) {
        *n = 0;
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "SELECT COUNT(*) FROM webhook_outbox WHERE event = ?1 AND state = ?2", &st, err) < 0 ||
            store_bind_text(s, st, 1, event, err) < 0 || store_bind_text(s, st, 2, state, err) < 0)
                return -1;
        int rc = store_step_row(s, st, "counting webhook deliveries", err);
        if (rc == 1)
                *n = sqlite3_column_int64(st, 0);
        return rc < 0 ? -1 : 0;
}

int store_report_draft_put(struct store *s, int64_t case_id, const char *stage, const char *fields, int64_t now,
                           const char *by, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s,
                          "INSERT INTO case_report_drafts (case_id, stage, fields, updated_at, updated_by) VALUES "
                          "(?1, ?2, ?3, ?4, ?5) ON CONFLICT (case_id, stage) DO UPDATE SET fields = excluded.fields, "
                          "updated_at = excluded.updated_at, updated_by = excluded.updated_by",
                          &st, err) < 0 ||
            store_bind_int64(s, st, 1, case_id, err) < 0 || store_bind_text(s, st, 2, stage, err) < 0 ||
            store_bind_text(s, st, 3, fields, err) < 0 || store_bind_int64(s, st, 4, now, err) < 0 ||
            store_bind_text(s, st, 5, by, err) < 0 || store_step_done(s, st, "saving a report draft", err) < 0)
                return -1;
        return 0;
}

int store_report_draft_get(struct store *s, int64_t case_id, const char *stage, char **fields, int64_t *updated_at,
                           char **updated_by, struct error *err) {
        *fields = NULL;
        if (updated_by)
                *updated_by = NULL;
        if (updated_at)
                *updated_at = 0;
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s,
                          "SELECT fields, updated_at, updated_by FROM case_report_drafts WHERE case_id = ?1 AND "
                          "stage = ?2",
                          &st, err) < 0 ||
            store_bind_int64(s, st, 1, case_id, err) < 0 || store_bind_text(s, st, 2, stage, err) < 0)
                return -1;
        int rc = store_step_row(s, st, "reading a report draft", err);
        if (rc == 1) {
                *fields = store_column_text(st, 0);
                if (updated_at)
                        *updated_at = sqlite3_column_int64(st, 1);
                if (updated_by)
                        *updated_by = store_column_text(st, 2);
        }
        return rc < 0 ? -1 : 0;
}

int store_report_draft_delete(struct store *s, int64_t case_id, const char *stage, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "DELETE FROM case_report_drafts WHERE case_id = ?1 AND stage = ?2", &st, err) < 0 ||
            store_bind_int64(s, st, 1, case_id, err) < 0 || store_bind_text(s, st, 2, stage, err) < 0 ||
            store_step_done(s, st, "deleting a report draft", err) < 0)
                return -1;
        return sqlite3_changes(s->db) > 0 ? 1 : 0;
}

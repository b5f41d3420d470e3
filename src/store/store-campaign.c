/* SPDX-License-Identifier: Apache-2.0 */
/* Campaign and wave rows (schema version 7). */
#include <stdlib.h>
#include <string.h>
#include "core/cleanup.h"
#include "core/strutil.h"
#include "store/store-campaign.h"
#include "store/store-identity-private.h"

#define CAMPAIGN_COLUMNS                                                                                      \
        "c.id, c.name, c.product_id, p.model, c.release_id, r.version, c.selector, c.plan, c.seed, c.dynamic, " \
        "c.security, c.vulnerabilities, c.status, c.current_wave, c.pause_reason, c.acknowledged_at, "         \
        "c.created_at, c.created_by, c.started_at, c.updated_at, c.finished_at "                              \
        "FROM campaigns c JOIN products p ON p.id = c.product_id JOIN releases r ON r.id = c.release_id "

static void campaign_from_row(sqlite3_stmt *st, struct store_campaign *out) {
        memset(out, 0, sizeof(*out));
        out->id = sqlite3_column_int64(st, 0);
        out->name = store_column_text(st, 1);
        out->product_id = sqlite3_column_int64(st, 2);
        out->product_model = store_column_text(st, 3);
        out->release_id = sqlite3_column_int64(st, 4);
        out->release_version = store_column_text(st, 5);
        out->selector = store_column_text(st, 6);
        out->plan = store_column_text(st, 7);
        out->seed = store_column_text(st, 8);
        out->dynamic = sqlite3_column_int64(st, 9) != 0;
        out->security = sqlite3_column_int64(st, 10) != 0;
        out->vulnerabilities = store_column_text(st, 11);
        out->status = store_column_text(st, 12);
        out->current_wave = sqlite3_column_int64(st, 13);
        out->pause_reason = store_column_text(st, 14);
        out->acknowledged_at = sqlite3_column_int64(st, 15);
        out->created_at = sqlite3_column_int64(st, 16);
        out->created_by = store_column_text(st, 17);
        out->started_at = store_column_opt_int64(st, 18);
        out->updated_at = sqlite3_column_int64(st, 19);
        out->finished_at = store_column_opt_int64(st, 20);
}

int store_campaign_insert(struct store *s, const struct store_campaign *c, int64_t *id_out, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "INSERT INTO campaigns (name, product_id, release_id, selector, plan, seed, dynamic, "
                             "security, vulnerabilities, status, current_wave, acknowledged_at, created_at, "
                             "created_by, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
                             "?13, ?14, ?13)",
                          &st, err) < 0 ||
            store_bind_text(s, st, 1, c->name, err) < 0 || store_bind_int64(s, st, 2, c->product_id, err) < 0 ||
            store_bind_int64(s, st, 3, c->release_id, err) < 0 || store_bind_text(s, st, 4, c->selector, err) < 0 ||
            store_bind_text(s, st, 5, c->plan, err) < 0 || store_bind_text(s, st, 6, c->seed, err) < 0 ||
            store_bind_int64(s, st, 7, c->dynamic, err) < 0 || store_bind_int64(s, st, 8, c->security, err) < 0 ||
            store_bind_text(s, st, 9, c->vulnerabilities, err) < 0 ||
            store_bind_text(s, st, 10, c->status, err) < 0 ||
            store_bind_int64(s, st, 11, c->current_wave, err) < 0 ||
            store_bind_int64(s, st, 12, c->acknowledged_at, err) < 0 ||
            store_bind_int64(s, st, 13, c->created_at, err) < 0 ||
            store_bind_text(s, st, 14, c->created_by, err) < 0)
                return -1;
        if (sqlite3_step(st) != SQLITE_DONE) {
                if (store_is_unique_violation(s, NULL, 0))
                        return error_set(err, ERROR_CONFLICT, "a campaign named '%s' exists", c->name);
                return store_fail(s, err, "storing a campaign");
        }
        if (id_out)
                *id_out = sqlite3_last_insert_rowid(s->db);
        return 0;
}

static int campaign_one(struct store *s, const char *where, int64_t id, const char *name,
                        struct store_campaign *out, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        char sql[1024];
        memset(out, 0, sizeof(*out));
        snprintf(sql, sizeof(sql), "SELECT " CAMPAIGN_COLUMNS "WHERE %s", where);
        if (store_prepare(s, sql, &st, err) < 0 ||
            (name ? store_bind_text(s, st, 1, name, err) : store_bind_int64(s, st, 1, id, err)) < 0)
                return -1;
        int rc = store_step_row(s, st, "reading a campaign", err);
        if (rc < 0)
                return -1;
        if (rc == 0)
                return name ? error_set(err, ERROR_NOT_FOUND, "no campaign named '%s'", name)
                            : error_set(err, ERROR_NOT_FOUND, "no campaign %lld", (long long) id);
        campaign_from_row(st, out);
        return 0;
}

int store_campaign_get(struct store *s, int64_t id, struct store_campaign *out, struct error *err) {
        return campaign_one(s, "c.id = ?1", id, NULL, out, err);
}

int store_campaign_get_by_name(struct store *s, const char *name, struct store_campaign *out, struct error *err) {
        return campaign_one(s, "c.name = ?1", 0, name, out, err);
}

/* Reads every row of a prepared, bound campaign query into a heap list. */
static int campaign_rows(struct store *s, sqlite3_stmt *st, const char *what, struct store_campaign **out,
                         size_t *n_out, struct error *err) {
        struct store_campaign *list = NULL;
        size_t n = 0, cap = 0;
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                STORE_LIST_GROW(list, n, cap);
                campaign_from_row(st, &list[n++]);
        }
        if (rc != SQLITE_DONE) {
                store_campaign_list_free(list, n);
                return store_fail(s, err, what);
        }
        *out = list;
        *n_out = n;
        return 0;
}

int store_campaign_list(struct store *s, const char *status, int64_t before, size_t limit,
                        struct store_campaign **out, size_t *n_out, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        *out = NULL;
        *n_out = 0;
        if (store_prepare(s, "SELECT " CAMPAIGN_COLUMNS "WHERE (?1 IS NULL OR c.status = ?1) AND c.id < ?2 "
                             "ORDER BY c.id DESC LIMIT ?3",
                          &st, err) < 0 ||
            store_bind_text(s, st, 1, status, err) < 0 ||
            store_bind_int64(s, st, 2, before > 0 ? before : INT64_MAX, err) < 0 ||
            store_bind_int64(s, st, 3, (int64_t) limit, err) < 0)
                return -1;
        return campaign_rows(s, st, "listing campaigns", out, n_out, err);
}

int store_campaign_list_active(struct store *s, struct store_campaign **out, size_t *n_out, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        *out = NULL;
        *n_out = 0;
        if (store_prepare(s, "SELECT " CAMPAIGN_COLUMNS "WHERE c.status NOT IN ('completed', 'aborted') ORDER BY c.id",
                          &st, err) < 0)
                return -1;
        return campaign_rows(s, st, "listing active campaigns", out, n_out, err);
}

int store_campaign_count_status(struct store *s, const char *status, int64_t *out, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        *out = 0;
        if (store_prepare(s, "SELECT count(*) FROM campaigns WHERE status = ?1", &st, err) < 0 ||
            store_bind_text(s, st, 1, status, err) < 0)
                return -1;
        int rc = store_step_row(s, st, "counting campaigns", err);
        if (rc < 0)
                return -1;
        *out = sqlite3_column_int64(st, 0);
        return 0;
}

int store_campaign_update(struct store *s, const struct store_campaign *c, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "UPDATE campaigns SET release_id = ?2, status = ?3, current_wave = ?4, "
                             "pause_reason = ?5, acknowledged_at = ?6, started_at = ?7, updated_at = ?8, "
                             "finished_at = ?9 WHERE id = ?1",
                          &st, err) < 0 ||
            store_bind_int64(s, st, 1, c->id, err) < 0 || store_bind_int64(s, st, 2, c->release_id, err) < 0 ||
            store_bind_text(s, st, 3, c->status, err) < 0 || store_bind_int64(s, st, 4, c->current_wave, err) < 0 ||
            store_bind_text(s, st, 5, c->pause_reason, err) < 0 ||
            store_bind_int64(s, st, 6, c->acknowledged_at, err) < 0 ||
            store_bind_opt_int64(s, st, 7, c->started_at, err) < 0 ||
            store_bind_int64(s, st, 8, c->updated_at, err) < 0 ||
            store_bind_opt_int64(s, st, 9, c->finished_at, err) < 0 ||
            store_step_done(s, st, "updating a campaign", err) < 0)
                return -1;
        if (sqlite3_changes(s->db) == 0)
                return error_set(err, ERROR_NOT_FOUND, "no campaign %lld", (long long) c->id);
        return 0;
}

int store_campaign_ids_to_evaluate(struct store *s, int64_t **out, size_t *n_out, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int64_t *ids = NULL;
        size_t n = 0, cap = 0;
        int rc;
        *out = NULL;
        *n_out = 0;
        /* A completed campaign is read back while members it offered to are
         * still open (its last wave completed on its success threshold). */
        if (store_prepare(s, "SELECT id FROM campaigns c WHERE c.status IN ('running', 'waiting', 'paused') OR "
                             "(c.status = 'completed' AND EXISTS (SELECT 1 FROM campaign_devices cd WHERE "
                             "cd.campaign_id = c.id AND cd.state = 'offered')) ORDER BY c.id",
                          &st, err) < 0)
                return -1;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                STORE_LIST_GROW(ids, n, cap);
                ids[n++] = sqlite3_column_int64(st, 0);
        }
        if (rc != SQLITE_DONE) {
                free(ids);
                return store_fail(s, err, "listing running campaigns");
        }
        *out = ids;
        *n_out = n;
        return 0;
}

void store_campaign_clear(struct store_campaign *c) {
        if (!c)
                return;
        free(c->name);
        free(c->product_model);
        free(c->release_version);
        free(c->selector);
        free(c->plan);
        free(c->seed);
        free(c->vulnerabilities);
        free(c->status);
        free(c->pause_reason);
        free(c->created_by);
        memset(c, 0, sizeof(*c));
}

void store_campaign_list_free(struct store_campaign *list, size_t n) {
        for (size_t i = 0; i < n; i++)
                store_campaign_clear(&list[i]);
        free(list);
}

/* ---- waves ---- */

int store_campaign_waves_init(struct store *s, int64_t campaign_id, size_t n, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "INSERT INTO campaign_waves (campaign_id, idx) VALUES (?1, ?2)", &st, err) < 0)
                return -1;
        for (size_t i = 0; i < n; i++) {
                sqlite3_reset(st);
                if (store_bind_int64(s, st, 1, campaign_id, err) < 0 ||
                    store_bind_int64(s, st, 2, (int64_t) i, err) < 0 ||
                    store_step_done(s, st, "storing a campaign wave", err) < 0)
                        return -1;
        }
        return 0;
}

int store_campaign_waves_get(struct store *s, int64_t campaign_id, struct store_campaign_wave **out, size_t *n_out,
                             struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        struct store_campaign_wave *list = NULL;
        size_t n = 0, cap = 0;
        int rc;
        *out = NULL;
        *n_out = 0;
        if (store_prepare(s, "SELECT campaign_id, idx, started_at, threshold_met_at, completed_at, approved_by, "
                             "approved_at FROM campaign_waves WHERE campaign_id = ?1 ORDER BY idx",
                          &st, err) < 0 ||
            store_bind_int64(s, st, 1, campaign_id, err) < 0)
                return -1;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                STORE_LIST_GROW(list, n, cap);
                struct store_campaign_wave *w = &list[n++];
                w->campaign_id = sqlite3_column_int64(st, 0);
                w->idx = sqlite3_column_int64(st, 1);
                w->started_at = store_column_opt_int64(st, 2);
                w->threshold_met_at = store_column_opt_int64(st, 3);
                w->completed_at = store_column_opt_int64(st, 4);
                w->approved_by = store_column_text(st, 5);
                w->approved_at = store_column_opt_int64(st, 6);
        }
        if (rc != SQLITE_DONE) {
                store_campaign_waves_free(list, n);
                return store_fail(s, err, "reading campaign waves");
        }
        *out = list;
        *n_out = n;
        return 0;
}

int store_campaign_wave_update(struct store *s, const struct store_campaign_wave *w, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "UPDATE campaign_waves SET started_at = ?3, threshold_met_at = ?4, completed_at = ?5, "
                             "approved_by = ?6, approved_at = ?7 WHERE campaign_id = ?1 AND idx = ?2",
                          &st, err) < 0 ||
            store_bind_int64(s, st, 1, w->campaign_id, err) < 0 || store_bind_int64(s, st, 2, w->idx, err) < 0 ||
            store_bind_opt_int64(s, st, 3, w->started_at, err) < 0 ||
            store_bind_opt_int64(s, st, 4, w->threshold_met_at, err) < 0 ||
            store_bind_opt_int64(s, st, 5, w->completed_at, err) < 0 ||
            store_bind_text(s, st, 6, w->approved_by, err) < 0 ||
            store_bind_opt_int64(s, st, 7, w->approved_at, err) < 0 ||
            store_step_done(s, st, "updating a campaign wave", err) < 0)
                return -1;
        if (sqlite3_changes(s->db) == 0)
                return error_set(err, ERROR_NOT_FOUND, "campaign %lld has no wave %lld", (long long) w->campaign_id,
                                 (long long) w->idx);
        return 0;
}

void store_campaign_waves_free(struct store_campaign_wave *list, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(list[i].approved_by);
        free(list);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A running campaign, set-based: offers to a chunk of members, reading back
 * the actions devices closed, counts, abort. Each function is a handful of
 * statements whatever the number of devices; the caller bounds the rows one
 * call touches (`max`) and commits between calls.
 */
#include <stdlib.h>
#include <string.h>
#include "core/cleanup.h"
#include "core/strutil.h"
#include "core/version.h"
#include "store/store-campaign.h"
#include "store/store-identity-private.h"

/* The members one offer chunk takes: ?1 campaign, ?2 wave, ?3 from-state,
 * ?4 highest device id of the chunk, ?5 now. One range of the index
 * campaign_devices_wave (campaign, wave, state, device id): a chunk costs
 * its own rows, not the campaign's. */
#define CHUNK_MEMBERS                                                                              \
        "SELECT device_id FROM campaign_devices WHERE campaign_id = ?1 AND wave = ?2 AND state = ?3 " \
        "AND device_id <= ?4 AND (next_attempt_at IS NULL OR next_attempt_at <= ?5)"

static int bind_chunk(struct store *s, sqlite3_stmt *st, int64_t campaign_id, int64_t wave, const char *from_state,
                      int64_t hi, int64_t now, struct error *err) {
        return store_bind_int64(s, st, 1, campaign_id, err) < 0 || store_bind_int64(s, st, 2, wave, err) < 0 ||
                               store_bind_text(s, st, 3, from_state, err) < 0 ||
                               store_bind_int64(s, st, 4, hi, err) < 0 || store_bind_int64(s, st, 5, now, err) < 0
                       ? -1
                       : 0;
}

/* Runs one chunk statement (?6 release, ?7 actor when the SQL uses them). */
static int chunk_exec(struct store *s, const char *sql, int64_t campaign_id, int64_t wave, const char *from_state,
                      int64_t hi, int64_t now, int64_t release_id, const char *actor, const char *what,
                      struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, sql, &st, err) < 0 || bind_chunk(s, st, campaign_id, wave, from_state, hi, now, err) < 0)
                return -1;
        if (sqlite3_bind_parameter_count(st) >= 6 && store_bind_int64(s, st, 6, release_id, err) < 0)
                return -1;
        if (sqlite3_bind_parameter_count(st) >= 7 && store_bind_text(s, st, 7, actor, err) < 0)
                return -1;
        return store_step_done(s, st, what, err);
}

int store_campaign_offer_chunk(struct store *s, int64_t campaign_id, int64_t release_id, int64_t wave,
                               const char *from_state, const char *actor_name, int64_t now, size_t max,
                               int64_t *n_out, int64_t *last_action_id, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *hi_st = NULL;
        *n_out = 0;
        *last_action_id = 0;
        /* The chunk is the first `max` eligible members by device id: its
         * bound is the max-th id (or every id when there are fewer). */
        int64_t hi = INT64_MAX;
        if (store_prepare(s, "SELECT device_id FROM campaign_devices WHERE campaign_id = ?1 AND wave = ?2 AND "
                             "state = ?3 AND device_id <= ?4 AND (next_attempt_at IS NULL OR next_attempt_at <= ?5) "
                             "ORDER BY device_id LIMIT 1 OFFSET ?6",
                          &hi_st, err) < 0 ||
            bind_chunk(s, hi_st, campaign_id, wave, from_state, INT64_MAX, now, err) < 0 ||
            store_bind_int64(s, hi_st, 6, (int64_t) max - 1, err) < 0)
                return -1;
        int rc = store_step_row(s, hi_st, "choosing campaign members to offer to", err);
        if (rc < 0)
                return -1;
        if (rc == 1)
                hi = sqlite3_column_int64(hi_st, 0);
        /* A member that already runs the release (it installed it on its own
         * after a failed attempt, or was updated outside the campaign) is
         * done: no action is opened, which it would never answer (Mender's
         * "already installed"). */
        if (chunk_exec(s,
                       "UPDATE campaign_devices SET state = 'succeeded', offered_at = ?5, finished_at = ?5, "
                       "next_attempt_at = NULL WHERE campaign_id = ?1 AND device_id IN (" CHUNK_MEMBERS ") AND "
                       "EXISTS (SELECT 1 FROM device_update_state u WHERE u.device_id = campaign_devices.device_id "
                       "AND u.installed_version = (SELECT r.version FROM releases r WHERE r.id = ?6))",
                       campaign_id, wave, from_state, hi, now, release_id, NULL,
                       "closing members that already run the release", err) < 0)
                return -1;
        if (chunk_exec(s,
                       "UPDATE update_actions SET status = 'superseded', reason = 'a campaign offered another "
                       "release', updated_at = ?5, closed_at = ?5 WHERE status IN ('open', 'canceling') AND "
                       "device_id IN (" CHUNK_MEMBERS ")",
                       campaign_id, wave, from_state, hi, now, 0, NULL, "superseding update actions", err) < 0 ||
            chunk_exec(s,
                       "INSERT INTO update_actions (device_id, release_id, campaign_id, status, created_at, "
                       "created_by, updated_at) SELECT device_id, ?6, ?1, 'open', ?5, ?7, ?5 FROM (" CHUNK_MEMBERS
                       ") m ORDER BY device_id",
                       campaign_id, wave, from_state, hi, now, release_id, actor_name, "opening update actions",
                       err) < 0)
                return -1;
        int64_t inserted = sqlite3_changes(s->db);
        if (inserted == 0)
                return 0;
        *last_action_id = sqlite3_last_insert_rowid(s->db);
        if (chunk_exec(s,
                       "INSERT INTO device_assignments (device_id, release_id, tag, assigned_at, assigned_by) "
                       "SELECT device_id, ?6, NULL, ?5, ?7 FROM (" CHUNK_MEMBERS ") m WHERE 1 = 1 "
                       "ON CONFLICT (device_id) DO UPDATE SET release_id = excluded.release_id, tag = NULL, "
                       "assigned_at = excluded.assigned_at, assigned_by = excluded.assigned_by",
                       campaign_id, wave, from_state, hi, now, release_id, actor_name, "assigning the release",
                       err) < 0 ||
            /* The director's worker signs these devices' targets ahead of
             * their polls, as it does for a direct assignment. */
            chunk_exec(s,
                       "INSERT INTO director_sign_queue (device_id, queued_at) SELECT device_id, ?5 FROM ("
                       CHUNK_MEMBERS ") m WHERE 1 = 1 ON CONFLICT (device_id) DO NOTHING",
                       campaign_id, wave, from_state, hi, now, 0, NULL, "queueing devices for director signing",
                       err) < 0 ||
            chunk_exec(s,
                       "UPDATE campaign_devices SET state = 'offered', attempts = attempts + 1, offered_at = ?5, "
                       "finished_at = NULL, next_attempt_at = NULL, action_id = (SELECT a.id FROM update_actions a "
                       "WHERE a.device_id = campaign_devices.device_id AND a.status = 'open') "
                       "WHERE campaign_id = ?1 AND device_id IN (" CHUNK_MEMBERS ")",
                       campaign_id, wave, from_state, hi, now, 0, NULL, "marking members offered", err) < 0)
                return -1;
        *n_out = inserted;
        return 0;
}

int store_campaign_sync_chunk(struct store *s, int64_t campaign_id, int64_t wave, int64_t retry_limit,
                              int64_t backoff, int64_t now, size_t max, int64_t *n_out, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        *n_out = 0;
        /* attempts counts the offers made so far: with retry_limit R a device
         * gets 1 + R offers. The backoff doubles per attempt (attempts <= 11,
         * as R <= 10). The candidates are the wave's offered members (one
         * index range: what is in flight, not everything ever closed), each
         * looked up by its action's primary key. */
        if (store_prepare(
                    s,
                    "UPDATE campaign_devices SET "
                    "state = CASE (SELECT a.status FROM update_actions a WHERE a.id = campaign_devices.action_id) "
                    "  WHEN 'succeeded' THEN 'succeeded' "
                    "  WHEN 'failed' THEN CASE WHEN attempts <= ?2 THEN 'retrying' ELSE 'failed' END "
                    "  WHEN 'rejected' THEN CASE WHEN attempts <= ?2 THEN 'retrying' ELSE 'failed' END "
                    "  ELSE 'canceled' END, "
                    "next_attempt_at = CASE WHEN attempts <= ?2 AND (SELECT a.status FROM update_actions a WHERE "
                    "  a.id = campaign_devices.action_id) IN ('failed', 'rejected') "
                    "  THEN ?4 + (?3 << (attempts - 1)) ELSE NULL END, "
                    /* when the device's action closed (not when this runs: a report read back
                     * late, e.g. at a resume, is not "after" it) */
                    "finished_at = MIN(?4, COALESCE((SELECT a.closed_at FROM update_actions a "
                    "  WHERE a.id = campaign_devices.action_id), ?4)) "
                    "WHERE campaign_id = ?1 AND wave = ?6 AND state = 'offered' AND device_id IN ("
                    "  SELECT cd.device_id FROM campaign_devices cd JOIN update_actions a ON a.id = cd.action_id "
                    "  WHERE cd.campaign_id = ?1 AND cd.wave = ?6 AND cd.state = 'offered' AND "
                    "  a.status IN ('succeeded', 'failed', 'rejected', 'canceled', 'superseded') LIMIT ?5)",
                    &st, err) < 0 ||
            store_bind_int64(s, st, 1, campaign_id, err) < 0 || store_bind_int64(s, st, 2, retry_limit, err) < 0 ||
            store_bind_int64(s, st, 3, backoff, err) < 0 || store_bind_int64(s, st, 4, now, err) < 0 ||
            store_bind_int64(s, st, 5, (int64_t) max, err) < 0 || store_bind_int64(s, st, 6, wave, err) < 0 ||
            store_step_done(s, st, "reading back campaign actions", err) < 0)
                return -1;
        *n_out = sqlite3_changes(s->db);
        return 0;
}

int store_campaign_counts(struct store *s, int64_t campaign_id, int64_t wave, int64_t since,
                          struct store_campaign_count **out, size_t *n_out, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        struct store_campaign_count *list = NULL;
        size_t n = 0, cap = 0;
        int rc;
        *out = NULL;
        *n_out = 0;
        /* One wave is one range of campaign_devices_wave. */
        if (store_prepare(s, wave < 0 ? "SELECT wave, state, COUNT(*), SUM(CASE WHEN finished_at >= ?2 THEN 1 "
                                        "ELSE 0 END) FROM campaign_devices WHERE campaign_id = ?1 AND ?3 < 0 "
                                        "GROUP BY wave, state ORDER BY wave, state"
                                      : "SELECT wave, state, COUNT(*), SUM(CASE WHEN finished_at >= ?2 THEN 1 "
                                        "ELSE 0 END) FROM campaign_devices WHERE campaign_id = ?1 AND wave = ?3 "
                                        "GROUP BY wave, state ORDER BY wave, state",
                          &st, err) < 0 ||
            store_bind_int64(s, st, 1, campaign_id, err) < 0 || store_bind_int64(s, st, 2, since, err) < 0 ||
            store_bind_int64(s, st, 3, wave, err) < 0)
                return -1;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                STORE_LIST_GROW(list, n, cap);
                struct store_campaign_count *c = &list[n++];
                memset(c, 0, sizeof(*c));
                c->wave = sqlite3_column_int64(st, 0);
                store_column_fixed(st, 1, c->state, sizeof(c->state));
                c->n = sqlite3_column_int64(st, 2);
                c->n_since = sqlite3_column_int64(st, 3);
        }
        if (rc != SQLITE_DONE) {
                free(list);
                return store_fail(s, err, "counting campaign members");
        }
        *out = list;
        *n_out = n;
        return 0;
}

int store_campaign_stuck_count(struct store *s, int64_t campaign_id, int64_t wave, int64_t cutoff, int64_t since,
                               int64_t *n_out, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        *n_out = 0;
        if (since >= cutoff)
                return 0;
        if (store_prepare(s, "SELECT COUNT(*) FROM campaign_devices cd JOIN update_actions a ON a.id = cd.action_id "
                             "WHERE cd.campaign_id = ?1 AND cd.wave = ?2 AND cd.state = 'offered' AND "
                             "a.status = 'open' AND a.last_stage IS NOT NULL AND cd.offered_at < ?3",
                          &st, err) < 0 ||
            store_bind_int64(s, st, 1, campaign_id, err) < 0 || store_bind_int64(s, st, 2, wave, err) < 0 ||
            store_bind_int64(s, st, 3, cutoff, err) < 0)
                return -1;
        if (store_step_row(s, st, "counting stuck devices", err) <= 0)
                return -1;
        *n_out = sqlite3_column_int64(st, 0);
        return 0;
}

int store_campaign_counts_by_member_state(struct store *s, int64_t campaign_id,
                                          struct store_campaign_country_count **out, size_t *n_out,
                                          struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        struct store_campaign_country_count *list = NULL;
        size_t n = 0, cap = 0;
        int rc;
        *out = NULL;
        *n_out = 0;
        if (store_prepare(s, "SELECT pm.country, cd.state, COUNT(*) FROM campaign_devices cd JOIN devices d ON d.id = "
                             "cd.device_id JOIN product_member_states pm ON pm.product_id = d.product_id "
                             "WHERE cd.campaign_id = ?1 GROUP BY pm.country, cd.state ORDER BY pm.country, cd.state",
                          &st, err) < 0 ||
            store_bind_int64(s, st, 1, campaign_id, err) < 0)
                return -1;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                STORE_LIST_GROW(list, n, cap);
                struct store_campaign_country_count *c = &list[n++];
                memset(c, 0, sizeof(*c));
                store_column_fixed(st, 0, c->country, sizeof(c->country));
                store_column_fixed(st, 1, c->state, sizeof(c->state));
                c->n = sqlite3_column_int64(st, 2);
        }
        if (rc != SQLITE_DONE) {
                free(list);
                return store_fail(s, err, "counting campaign members per member state");
        }
        *out = list;
        *n_out = n;
        return 0;
}

static int exec_campaign(struct store *s, const char *sql, int64_t campaign_id, const char *reason, int64_t now,
                         const char *what, int64_t *changes, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, sql, &st, err) < 0 || store_bind_int64(s, st, 1, campaign_id, err) < 0)
                return -1;
        int np = sqlite3_bind_parameter_count(st);
        if ((np >= 2 && store_bind_int64(s, st, 2, now, err) < 0) ||
            (np >= 3 && store_bind_text(s, st, 3, reason, err) < 0) || store_step_done(s, st, what, err) < 0)
                return -1;
        if (changes)
                *changes = sqlite3_changes(s->db);
        return 0;
}

int store_campaign_cancel(struct store *s, int64_t campaign_id, const char *reason, int64_t now,
                          int64_t *n_canceled, int64_t *n_members, struct error *err) {
        *n_canceled = *n_members = 0;
        if (exec_campaign(s,
                          "INSERT INTO director_sign_queue (device_id, queued_at) SELECT device_id, ?2 FROM "
                          "update_actions WHERE campaign_id = ?1 AND status = 'open' "
                          "ON CONFLICT (device_id) DO NOTHING",
                          campaign_id, NULL, now, "queueing devices for director signing", NULL, err) < 0 ||
            exec_campaign(s,
                          "DELETE FROM device_assignments WHERE device_id IN (SELECT device_id FROM update_actions "
                          "WHERE campaign_id = ?1 AND status = 'open')",
                          campaign_id, NULL, now, "removing campaign assignments", NULL, err) < 0 ||
            exec_campaign(s,
                          "UPDATE update_actions SET status = 'canceling', reason = ?3, updated_at = ?2 "
                          "WHERE campaign_id = ?1 AND status = 'open'",
                          campaign_id, reason, now, "canceling campaign actions", n_canceled, err) < 0 ||
            exec_campaign(s,
                          "UPDATE campaign_devices SET state = 'canceled', finished_at = ?2 WHERE campaign_id = ?1 "
                          "AND state IN ('pending', 'offered', 'retrying')",
                          campaign_id, NULL, now, "canceling campaign members", n_members, err) < 0)
                return -1;
        return 0;
}

int store_campaign_reoffer(struct store *s, int64_t campaign_id, int64_t *n_out, struct error *err) {
        return exec_campaign(s,
                             "UPDATE campaign_devices SET state = 'pending', attempts = 0, next_attempt_at = NULL, "
                             "finished_at = NULL WHERE campaign_id = ?1 AND state IN ('failed', 'retrying', "
                             "'offered')",
                             campaign_id, NULL, 0, "re-offering campaign members", n_out, err);
}

/* One kind of version key: `select` yields (id, version) rows missing a
 * key; `update` sets ?2 as the key of row ?1. */
static int backfill_one(struct store *s, const char *select, const char *update, size_t max, int64_t *n,
                        struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *sel = NULL, *up = NULL;
        int rc;
        if (store_prepare(s, select, &sel, err) < 0 || store_bind_int64(s, sel, 1, (int64_t) max, err) < 0 ||
            store_prepare(s, update, &up, err) < 0)
                return -1;
        while ((rc = sqlite3_step(sel)) == SQLITE_ROW) {
                char key[VERSION_KEY_MAX];
                const char *v = (const char *) sqlite3_column_text(sel, 1);
                if (version_sort_key(v, key, sizeof(key)) == 0)
                        snprintf(key, sizeof(key), "~");
                sqlite3_reset(up);
                if (store_bind_int64(s, up, 1, sqlite3_column_int64(sel, 0), err) < 0 ||
                    store_bind_text(s, up, 2, key, err) < 0 || store_step_done(s, up, "storing a version key", err) < 0)
                        return -1;
                (*n)++;
        }
        if (rc != SQLITE_DONE)
                return store_fail(s, err, "reading versions without a key");
        return 0;
}

int store_version_keys_backfill(struct store *s, size_t max, int64_t *n_out, struct error *err) {
        *n_out = 0;
        if (backfill_one(s,
                         "SELECT device_id, installed_version FROM device_update_state WHERE installed_version IS "
                         "NOT NULL AND installed_version_key IS NULL LIMIT ?1",
                         "UPDATE device_update_state SET installed_version_key = ?2 WHERE device_id = ?1", max, n_out,
                         err) < 0 ||
            backfill_one(s,
                         "SELECT id, initial_firmware_version FROM devices WHERE initial_firmware_version IS NOT "
                         "NULL AND initial_firmware_version_key IS NULL LIMIT ?1",
                         "UPDATE devices SET initial_firmware_version_key = ?2 WHERE id = ?1", max, n_out, err) < 0)
                return -1;
        return 0;
}

int store_campaign_member_certs(struct store *s, int64_t campaign_id, int64_t joined_since, int64_t after,
                                size_t max, struct store_campaign_member_cert **out, size_t *n_out,
                                struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        *out = NULL;
        *n_out = 0;
        /* The newest valid certificate is the one with the highest id, as
         * director_device_wrap_key reads it. */
        if (store_prepare(s,
                          "SELECT m.device_id, d.serial, (SELECT c.pem FROM certificates c WHERE c.device_id = "
                          "m.device_id AND c.status = 'valid' ORDER BY c.id DESC LIMIT 1) FROM campaign_devices m "
                          "JOIN devices d ON d.id = m.device_id WHERE m.campaign_id = ?1 AND m.state = 'pending' "
                          "AND m.joined_at >= ?2 AND m.device_id > ?3 ORDER BY m.device_id LIMIT ?4",
                          &st, err) < 0 ||
            store_bind_int64(s, st, 1, campaign_id, err) < 0 || store_bind_int64(s, st, 2, joined_since, err) < 0 ||
            store_bind_int64(s, st, 3, after, err) < 0 || store_bind_int64(s, st, 4, (int64_t) max, err) < 0)
                return -1;
        struct store_campaign_member_cert *l = xcalloc(max ? max : 1, sizeof(*l));
        size_t n = 0;
        int rc = 0;
        while (n < max && (rc = store_step_row(s, st, "reading campaign members' certificates", err)) == 1) {
                l[n].device_id = sqlite3_column_int64(st, 0);
                l[n].serial = store_column_text(st, 1);
                l[n].pem = store_column_text(st, 2);
                n++;
        }
        if (n < max && rc < 0) {
                store_campaign_member_certs_free(l, n);
                return -1;
        }
        *out = l;
        *n_out = n;
        return 0;
}

void store_campaign_member_certs_free(struct store_campaign_member_cert *l, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(l[i].serial);
                free(l[i].pem);
        }
        free(l);
}

int store_campaign_member_refuse(struct store *s, int64_t campaign_id, int64_t device_id, int64_t now,
                                 struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s,
                          "UPDATE campaign_devices SET state = 'failed', finished_at = ?3, next_attempt_at = NULL "
                          "WHERE campaign_id = ?1 AND device_id = ?2 AND state = 'pending'",
                          &st, err) < 0 ||
            store_bind_int64(s, st, 1, campaign_id, err) < 0 || store_bind_int64(s, st, 2, device_id, err) < 0 ||
            store_bind_int64(s, st, 3, now, err) < 0 ||
            store_step_done(s, st, "refusing a campaign member", err) < 0)
                return -1;
        return 0;
}

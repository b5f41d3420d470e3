/* SPDX-License-Identifier: Apache-2.0 */
/* hawkBit DDI rows (schema version 7). */
#include <stdlib.h>
#include <string.h>
#include "core/cleanup.h"
#include "core/strutil.h"
#include "store/store-ddi.h"
#include "store/store-identity-private.h"

int store_ddi_token_put(struct store *s, int64_t device_id, const char secret_sha256_hex[SHA256_HEX_LEN],
                        int64_t now, const char *created_by, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "INSERT INTO ddi_tokens (device_id, secret_sha256, created_at, created_by) "
                             "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (device_id) DO UPDATE SET "
                             "secret_sha256 = excluded.secret_sha256, created_at = excluded.created_at, "
                             "created_by = excluded.created_by",
                          &st, err) < 0 ||
            store_bind_int64(s, st, 1, device_id, err) < 0 || store_bind_text(s, st, 2, secret_sha256_hex, err) < 0 ||
            store_bind_int64(s, st, 3, now, err) < 0 || store_bind_text(s, st, 4, created_by, err) < 0)
                return -1;
        return store_step_done(s, st, "storing a DDI target token", err);
}

int store_ddi_token_get(struct store *s, int64_t device_id, char secret_sha256_hex[SHA256_HEX_LEN], bool *found,
                        struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        *found = false;
        secret_sha256_hex[0] = '\0';
        if (store_prepare(s, "SELECT secret_sha256 FROM ddi_tokens WHERE device_id = ?1", &st, err) < 0 ||
            store_bind_int64(s, st, 1, device_id, err) < 0)
                return -1;
        int rc = store_step_row(s, st, "reading a DDI target token", err);
        if (rc <= 0)
                return rc;
        const char *v = (const char *) sqlite3_column_text(st, 0);
        if (!v || strlen(v) != SHA256_HEX_LEN - 1)
                return error_set(err, ERROR_DB, "DDI target token of device %lld: stored hash is malformed",
                                 (long long) device_id);
        memcpy(secret_sha256_hex, v, SHA256_HEX_LEN);
        *found = true;
        return 0;
}

int store_ddi_token_delete(struct store *s, int64_t device_id, bool *removed, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "DELETE FROM ddi_tokens WHERE device_id = ?1", &st, err) < 0 ||
            store_bind_int64(s, st, 1, device_id, err) < 0 ||
            store_step_done(s, st, "removing a DDI target token", err) < 0)
                return -1;
        *removed = sqlite3_changes(s->db) > 0;
        return 0;
}

int store_image_digests_get(struct store *s, const char *sha256, char sha1[STORE_SHA1_HEX_LEN],
                            char md5[STORE_MD5_HEX_LEN], bool *found, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        *found = false;
        if (store_prepare(s, "SELECT sha1, md5 FROM image_digests WHERE sha256 = ?1", &st, err) < 0 ||
            store_bind_text(s, st, 1, sha256, err) < 0)
                return -1;
        int rc = store_step_row(s, st, "reading image digests", err);
        if (rc <= 0)
                return rc;
        const char *a = (const char *) sqlite3_column_text(st, 0), *b = (const char *) sqlite3_column_text(st, 1);
        if (!a || !b || strlen(a) != STORE_SHA1_HEX_LEN - 1 || strlen(b) != STORE_MD5_HEX_LEN - 1)
                return error_set(err, ERROR_DB, "image %.16s: stored digests are malformed", sha256);
        memcpy(sha1, a, STORE_SHA1_HEX_LEN);
        memcpy(md5, b, STORE_MD5_HEX_LEN);
        *found = true;
        return 0;
}

int store_image_digests_put(struct store *s, const char *sha256, const char *sha1, const char *md5,
                            struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "INSERT INTO image_digests (sha256, sha1, md5) VALUES (?1, ?2, ?3) "
                             "ON CONFLICT (sha256) DO NOTHING",
                          &st, err) < 0 ||
            store_bind_text(s, st, 1, sha256, err) < 0 || store_bind_text(s, st, 2, sha1, err) < 0 ||
            store_bind_text(s, st, 3, md5, err) < 0)
                return -1;
        return store_step_done(s, st, "storing image digests", err);
}

int store_ddi_quota_get(struct store *s, int64_t action_id, int64_t *feedback, int64_t *detail_lines,
                        struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        *feedback = *detail_lines = 0;
        if (store_prepare(s, "SELECT feedback, detail_lines FROM ddi_action_quota WHERE action_id = ?1", &st,
                          err) < 0 ||
            store_bind_int64(s, st, 1, action_id, err) < 0)
                return -1;
        int rc = store_step_row(s, st, "reading a DDI action quota", err);
        if (rc <= 0)
                return rc;
        *feedback = sqlite3_column_int64(st, 0);
        *detail_lines = sqlite3_column_int64(st, 1);
        return 0;
}

int store_ddi_quota_add(struct store *s, int64_t action_id, int64_t feedback, int64_t detail_lines,
                        struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "INSERT INTO ddi_action_quota (action_id, feedback, detail_lines) VALUES (?1, ?2, ?3) "
                             "ON CONFLICT (action_id) DO UPDATE SET feedback = feedback + excluded.feedback, "
                             "detail_lines = detail_lines + excluded.detail_lines",
                          &st, err) < 0 ||
            store_bind_int64(s, st, 1, action_id, err) < 0 || store_bind_int64(s, st, 2, feedback, err) < 0 ||
            store_bind_int64(s, st, 3, detail_lines, err) < 0)
                return -1;
        return store_step_done(s, st, "counting DDI feedback", err);
}

int store_ddi_config_list(struct store *s, int64_t device_id, struct store_ddi_attr **out, size_t *n,
                          struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        struct store_ddi_attr *list = NULL;
        size_t cnt = 0, cap = 0;
        int rc;
        *out = NULL;
        *n = 0;
        if (store_prepare(s, "SELECT key, value, updated_at FROM ddi_config_data WHERE device_id = ?1 ORDER BY key",
                          &st, err) < 0 ||
            store_bind_int64(s, st, 1, device_id, err) < 0)
                return -1;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                if (cnt == cap) {
                        cap = cap ? 2 * cap : 16;
                        list = xrealloc(list, cap * sizeof(*list));
                }
                list[cnt].key = store_column_text(st, 0);
                list[cnt].value = store_column_text(st, 1);
                list[cnt].updated_at = sqlite3_column_int64(st, 2);
                cnt++;
        }
        if (rc != SQLITE_DONE) {
                store_ddi_config_free(list, cnt);
                return store_fail(s, err, "listing DDI configData");
        }
        *out = list;
        *n = cnt;
        return 0;
}

void store_ddi_config_free(struct store_ddi_attr *list, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(list[i].key);
                free(list[i].value);
        }
        free(list);
}

int store_ddi_config_put(struct store *s, int64_t device_id, const char *key, const char *value, int64_t now,
                         struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "INSERT INTO ddi_config_data (device_id, key, value, updated_at) VALUES (?1, ?2, ?3, ?4) "
                             "ON CONFLICT (device_id, key) DO UPDATE SET value = excluded.value, "
                             "updated_at = excluded.updated_at",
                          &st, err) < 0 ||
            store_bind_int64(s, st, 1, device_id, err) < 0 || store_bind_text(s, st, 2, key, err) < 0 ||
            store_bind_text(s, st, 3, value, err) < 0 || store_bind_int64(s, st, 4, now, err) < 0)
                return -1;
        return store_step_done(s, st, "storing DDI configData", err);
}

int store_ddi_config_delete(struct store *s, int64_t device_id, const char *key, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "DELETE FROM ddi_config_data WHERE device_id = ?1 AND key = ?2", &st, err) < 0 ||
            store_bind_int64(s, st, 1, device_id, err) < 0 || store_bind_text(s, st, 2, key, err) < 0)
                return -1;
        return store_step_done(s, st, "removing DDI configData", err);
}

int store_ddi_config_clear(struct store *s, int64_t device_id, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "DELETE FROM ddi_config_data WHERE device_id = ?1", &st, err) < 0 ||
            store_bind_int64(s, st, 1, device_id, err) < 0)
                return -1;
        return store_step_done(s, st, "clearing DDI configData", err);
}

/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/strutil.h"
#include "store/store-audit-checkpoint.h"
#include "store/store-private.h"

#define CHECKPOINT_COLUMNS "seq, time, hash, chain, key_fingerprint, public_key, algorithm, signature, url_attempts"
#define CHECKPOINT_LIST_MAX 1000

void store_audit_checkpoint_clear(struct store_audit_checkpoint *cp) {
        if (!cp)
                return;
        free(cp->public_key);
        free(cp->algorithm);
        free(cp->signature);
        memset(cp, 0, sizeof(*cp));
}

void store_audit_checkpoint_list_free(struct store_audit_checkpoint *list, size_t n) {
        for (size_t i = 0; list && i < n; i++)
                store_audit_checkpoint_clear(&list[i]);
        free(list);
}

static void copy_hex(char dst[65], const unsigned char *src) {
        snprintf(dst, 65, "%s", src ? (const char *) src : "");
}

static void from_row(sqlite3_stmt *st, struct store_audit_checkpoint *cp) {
        memset(cp, 0, sizeof(*cp));
        cp->seq = sqlite3_column_int64(st, 0);
        cp->time = sqlite3_column_int64(st, 1);
        copy_hex(cp->hash, sqlite3_column_text(st, 2));
        copy_hex(cp->chain, sqlite3_column_text(st, 3));
        copy_hex(cp->key, sqlite3_column_text(st, 4));
        cp->public_key = store_column_text(st, 5);
        cp->algorithm = store_column_text(st, 6);
        cp->signature = store_column_text(st, 7);
        cp->url_attempts = sqlite3_column_int64(st, 8);
}

int store_audit_checkpoint_insert(struct store *s, const struct store_audit_checkpoint *cp, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "INSERT INTO audit_checkpoints (seq, time, hash, chain, key_fingerprint, public_key, "
                             "algorithm, signature) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", &st, err) < 0 ||
            store_bind_int64(s, st, 1, cp->seq, err) < 0 || store_bind_int64(s, st, 2, cp->time, err) < 0 ||
            store_bind_text(s, st, 3, cp->hash, err) < 0 || store_bind_text(s, st, 4, cp->chain, err) < 0 ||
            store_bind_text(s, st, 5, cp->key, err) < 0 || store_bind_text(s, st, 6, cp->public_key, err) < 0 ||
            store_bind_text(s, st, 7, cp->algorithm, err) < 0 || store_bind_text(s, st, 8, cp->signature, err) < 0)
                return -1;
        if (sqlite3_step(st) != SQLITE_DONE) {
                if (store_is_unique_violation(s, NULL, 0))
                        return error_set(err, ERROR_CONFLICT, "audit checkpoint at seq %lld already exists",
                                         (long long) cp->seq);
                return store_fail(s, err, "recording an audit checkpoint");
        }
        return 0;
}

int store_audit_checkpoint_last(struct store *s, struct store_audit_checkpoint *out, bool *found, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        *found = false;
        memset(out, 0, sizeof(*out));
        if (store_prepare(s, "SELECT " CHECKPOINT_COLUMNS " FROM audit_checkpoints ORDER BY seq DESC LIMIT 1", &st,
                          err) < 0)
                return -1;
        int rc = store_step_row(s, st, "reading the last audit checkpoint", err);
        if (rc <= 0)
                return rc;
        from_row(st, out);
        *found = true;
        return 0;
}

static int collect(struct store *s, sqlite3_stmt *st, int64_t limit, struct store_audit_checkpoint **out,
                   size_t *n_out, struct error *err) {
        struct store_audit_checkpoint *list = xcalloc((size_t) limit, sizeof(*list));
        size_t n = 0;
        int rc = SQLITE_DONE;
        while (n < (size_t) limit && (rc = sqlite3_step(st)) == SQLITE_ROW)
                from_row(st, &list[n++]);
        if (n < (size_t) limit && rc != SQLITE_DONE) {
                store_audit_checkpoint_list_free(list, n);
                return store_fail(s, err, "listing audit checkpoints");
        }
        *out = list;
        *n_out = n;
        return 0;
}

int store_audit_checkpoint_list(struct store *s, int64_t after_seq, int64_t limit, struct store_audit_checkpoint **out,
                                size_t *n_out, struct error *err) {
        *out = NULL;
        *n_out = 0;
        if (limit < 1 || limit > CHECKPOINT_LIST_MAX)
                return error_set(err, ERROR_INVALID, "limit: %lld is out of range (1..%d)", (long long) limit,
                                 CHECKPOINT_LIST_MAX);
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "SELECT " CHECKPOINT_COLUMNS " FROM audit_checkpoints WHERE seq > ?1 ORDER BY seq LIMIT ?2",
                          &st, err) < 0 ||
            store_bind_int64(s, st, 1, after_seq, err) < 0 || store_bind_int64(s, st, 2, limit, err) < 0)
                return -1;
        return collect(s, st, limit, out, n_out, err);
}

int store_audit_checkpoint_due(struct store *s, enum store_audit_witness w, int64_t now, int64_t max_attempts,
                               int64_t limit, struct store_audit_checkpoint **out, size_t *n_out, struct error *err) {
        *out = NULL;
        *n_out = 0;
        if (limit < 1 || limit > CHECKPOINT_LIST_MAX)
                return error_set(err, ERROR_INVALID, "limit: %lld is out of range", (long long) limit);
        /* One constant statement per witness (never SQL built from data). */
        static const char *const sql[] = {
                [STORE_AUDIT_WITNESS_FILE] = "SELECT " CHECKPOINT_COLUMNS " FROM audit_checkpoints "
                                             "WHERE file_done = 0 ORDER BY seq LIMIT ?3",
                [STORE_AUDIT_WITNESS_URL] = "SELECT " CHECKPOINT_COLUMNS " FROM audit_checkpoints "
                                            "WHERE url_done = 0 AND url_next_at <= ?1 AND url_attempts < ?2 "
                                            "ORDER BY seq LIMIT ?3",
                [STORE_AUDIT_WITNESS_SYSLOG] = "SELECT " CHECKPOINT_COLUMNS " FROM audit_checkpoints "
                                               "WHERE syslog_done = 0 ORDER BY seq LIMIT ?3",
        };
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, sql[w], &st, err) < 0)
                return -1;
        if (w == STORE_AUDIT_WITNESS_URL &&
            (store_bind_int64(s, st, 1, now, err) < 0 || store_bind_int64(s, st, 2, max_attempts, err) < 0))
                return -1;
        if (store_bind_int64(s, st, 3, limit, err) < 0)
                return -1;
        return collect(s, st, limit, out, n_out, err);
}

int store_audit_checkpoint_delivered(struct store *s, enum store_audit_witness w, int64_t seq, struct error *err) {
        static const char *const sql[] = {
                [STORE_AUDIT_WITNESS_FILE] = "UPDATE audit_checkpoints SET file_done = 1 WHERE seq = ?1",
                /* parenthesised: one literal in two pieces, not two elements */
                [STORE_AUDIT_WITNESS_URL] = ("UPDATE audit_checkpoints SET url_done = 1, url_attempts = url_attempts + 1, "
                                             "url_last_error = NULL WHERE seq = ?1"),
                [STORE_AUDIT_WITNESS_SYSLOG] = "UPDATE audit_checkpoints SET syslog_done = 1 WHERE seq = ?1",
        };
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, sql[w], &st, err) < 0 || store_bind_int64(s, st, 1, seq, err) < 0)
                return -1;
        return store_step_done(s, st, "recording a checkpoint's delivery", err);
}

int store_audit_checkpoint_url_failed(struct store *s, int64_t seq, int64_t attempts, int64_t next_at,
                                      const char *why, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "UPDATE audit_checkpoints SET url_attempts = ?2, url_next_at = ?3, url_last_error = ?4 "
                             "WHERE seq = ?1", &st, err) < 0 ||
            store_bind_int64(s, st, 1, seq, err) < 0 || store_bind_int64(s, st, 2, attempts, err) < 0 ||
            store_bind_int64(s, st, 3, next_at, err) < 0 || store_bind_text(s, st, 4, why, err) < 0)
                return -1;
        return store_step_done(s, st, "recording a checkpoint's failed delivery", err);
}

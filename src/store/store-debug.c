/* SPDX-License-Identifier: Apache-2.0 */
/* Issued debug tokens (store-debug.h). */
#include <stdlib.h>
#include <string.h>
#include "core/cleanup.h"
#include "core/strutil.h"
#include "store/store-debug.h"
#include "store/store-private.h"

#define COLUMNS "id, token_id, approval_id, device_serial, device_uid, scope, challenge_sha256, security_floor, " \
                "not_before, not_after, requester, approvers, key_fingerprint, token, issued_at"

static void from_row(sqlite3_stmt *st, struct store_debug_token *t) {
        t->id = sqlite3_column_int64(st, 0);
        t->token_id = store_column_text(st, 1);
        t->approval_id = sqlite3_column_int64(st, 2);
        t->device_serial = store_column_text(st, 3);
        t->device_uid = store_column_text(st, 4);
        t->scope = store_column_text(st, 5);
        t->challenge_sha256 = store_column_text(st, 6);
        t->security_floor = sqlite3_column_int64(st, 7);
        t->not_before = sqlite3_column_int64(st, 8);
        t->not_after = sqlite3_column_int64(st, 9);
        t->requester = store_column_text(st, 10);
        t->approvers = store_column_text(st, 11);
        t->key_fingerprint = store_column_text(st, 12);
        t->token = store_column_text(st, 13);
        t->issued_at = sqlite3_column_int64(st, 14);
}

int store_debug_token_insert(struct store *s, const struct store_debug_token *t, int64_t *id, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "INSERT INTO debug_tokens (token_id, approval_id, device_serial, device_uid, scope, "
                             "challenge_sha256, security_floor, not_before, not_after, requester, approvers, "
                             "key_fingerprint, token, issued_at) "
                             "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)", &st, err) < 0 ||
            store_bind_text(s, st, 1, t->token_id, err) < 0 ||
            (t->approval_id ? store_bind_int64(s, st, 2, t->approval_id, err) : store_bind_text(s, st, 2, NULL, err)) < 0 ||
            store_bind_text(s, st, 3, t->device_serial, err) < 0 ||
            store_bind_text(s, st, 4, t->device_uid, err) < 0 ||
            store_bind_text(s, st, 5, t->scope, err) < 0 ||
            store_bind_text(s, st, 6, t->challenge_sha256, err) < 0 ||
            store_bind_int64(s, st, 7, t->security_floor, err) < 0 ||
            store_bind_int64(s, st, 8, t->not_before, err) < 0 ||
            store_bind_int64(s, st, 9, t->not_after, err) < 0 ||
            store_bind_text(s, st, 10, t->requester, err) < 0 ||
            store_bind_text(s, st, 11, t->approvers, err) < 0 ||
            store_bind_text(s, st, 12, t->key_fingerprint, err) < 0 ||
            store_bind_text(s, st, 13, t->token, err) < 0 ||
            store_bind_int64(s, st, 14, t->issued_at, err) < 0 ||
            store_step_done(s, st, "recording a debug token", err) < 0)
                return -1;
        if (id)
                *id = sqlite3_last_insert_rowid(s->db);
        return 0;
}

int store_debug_token_by_approval(struct store *s, int64_t approval_id, struct store_debug_token *out,
                                  struct error *err) {
        memset(out, 0, sizeof(*out));
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "SELECT " COLUMNS " FROM debug_tokens WHERE approval_id = ?1", &st, err) < 0 ||
            store_bind_int64(s, st, 1, approval_id, err) < 0)
                return -1;
        int rc = store_step_row(s, st, "reading a debug token", err);
        if (rc < 0)
                return -1;
        if (rc == 0)
                return error_set(err, ERROR_NOT_FOUND, "approval request %lld has issued no debug token",
                                 (long long) approval_id);
        from_row(st, out);
        return 0;
}

int store_debug_token_list(struct store *s, const char *serial, size_t limit, struct store_debug_token **out,
                           size_t *n_out, struct error *err) {
        *out = NULL;
        *n_out = 0;
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "SELECT " COLUMNS " FROM debug_tokens WHERE (?1 IS NULL OR device_serial = ?1) "
                             "ORDER BY issued_at DESC, id DESC LIMIT ?2", &st, err) < 0 ||
            store_bind_text(s, st, 1, serial, err) < 0 ||
            store_bind_int64(s, st, 2, (int64_t) limit, err) < 0)
                return -1;
        struct store_debug_token *l = NULL;
        size_t n = 0;
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                l = xrealloc(l, (n + 1) * sizeof(*l));
                from_row(st, &l[n++]);
        }
        if (rc != SQLITE_DONE) {
                store_debug_token_list_free(l, n);
                return store_fail(s, err, "listing debug tokens");
        }
        *out = l;
        *n_out = n;
        return 0;
}

void store_debug_token_clear(struct store_debug_token *t) {
        free(t->token_id);
        free(t->device_serial);
        free(t->device_uid);
        free(t->scope);
        free(t->challenge_sha256);
        free(t->requester);
        free(t->approvers);
        free(t->key_fingerprint);
        free(t->token);
        memset(t, 0, sizeof(*t));
}

void store_debug_token_list_free(struct store_debug_token *l, size_t n) {
        for (size_t i = 0; i < n; i++)
                store_debug_token_clear(&l[i]);
        free(l);
}

/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>
#include "core/cleanup.h"
#include "core/strutil.h"
#include "crypto/ct.h"
#include "crypto/encoding.h"
#include "store/store-private.h"
#include "store/store-token.h"

#define TOKEN_COLUMNS "id, public_id, name, role, secret_hash, created_at, created_by, revoked_at, user_id, " \
        "(SELECT u.name FROM users u WHERE u.id = api_tokens.user_id)"

int store_token_insert(struct store *s, const struct store_token *t, int64_t *id_out,
                       struct error *err) {
        char hash_hex[2 * sizeof(t->secret_hash) + 1];
        hex_encode(t->secret_hash, sizeof(t->secret_hash), hash_hex);
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "INSERT INTO api_tokens (public_id, name, role, secret_hash, created_at, "
                             "created_by, revoked_at, user_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", &st, err) < 0 ||
            store_bind_text(s, st, 1, t->public_id, err) < 0 ||
            store_bind_text(s, st, 2, t->name, err) < 0 ||
            store_bind_text(s, st, 3, t->role, err) < 0 ||
            store_bind_text(s, st, 4, hash_hex, err) < 0 ||
            store_bind_int64(s, st, 5, t->created_at, err) < 0 ||
            store_bind_text(s, st, 6, t->created_by ? t->created_by : "", err) < 0)
                return -1;
        if (t->revoked_at > 0 ? store_bind_int64(s, st, 7, t->revoked_at, err) < 0
                              : store_bind_text(s, st, 7, NULL, err) < 0)
                return -1;
        if (t->user_id > 0 ? store_bind_int64(s, st, 8, t->user_id, err) < 0
                           : store_bind_text(s, st, 8, NULL, err) < 0)
                return -1;
        if (sqlite3_step(st) != SQLITE_DONE) {
                char column[64];
                if (store_is_unique_violation(s, column, sizeof(column))) {
                        if (strcmp(column, "api_tokens.public_id") == 0)
                                return error_set(err, ERROR_CONFLICT,
                                                 "a token with public id '%s' already exists", t->public_id);
                        return error_set(err, ERROR_CONFLICT, "a token named '%s' already exists", t->name);
                }
                return store_fail(s, err, "inserting a token");
        }
        if (id_out)
                *id_out = sqlite3_last_insert_rowid(s->db);
        return 0;
}

static int token_from_row(sqlite3_stmt *st, struct store_token *out, struct error *err) {
        memset(out, 0, sizeof(*out));
        out->id = sqlite3_column_int64(st, 0);
        const char *pub = (const char *) sqlite3_column_text(st, 1);
        if (!pub || strlen(pub) != STORE_TOKEN_PUBLIC_ID_LEN)
                return error_set(err, ERROR_DB, "token %lld has a malformed public id", (long long) out->id);
        memcpy(out->public_id, pub, STORE_TOKEN_PUBLIC_ID_LEN + 1);
        const char *hash = (const char *) sqlite3_column_text(st, 4);
        if (!hash || strlen(hash) != 2 * sizeof(out->secret_hash) ||
            hex_decode(hash, out->secret_hash, sizeof(out->secret_hash), NULL) < 0)
                return error_set(err, ERROR_DB, "token %lld has a malformed secret hash", (long long) out->id);
        out->name = store_column_text(st, 2);
        out->role = store_column_text(st, 3);
        out->created_at = sqlite3_column_int64(st, 5);
        out->created_by = store_column_text(st, 6);
        out->revoked_at = sqlite3_column_type(st, 7) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, 7);
        out->user_id = sqlite3_column_type(st, 8) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, 8);
        out->user_name = store_column_text(st, 9);
        if (!out->name || !out->role || !out->created_by) {
                store_token_clear(out);
                return error_set(err, ERROR_DB, "token row has NULL fields");
        }
        return 0;
}

/* Runs a query bound to one text parameter that yields at most one token. */
static int token_get_one(struct store *s, const char *sql, const char *param, int64_t int_param,
                         struct store_token *out, bool *found, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, sql, &st, err) < 0)
                return -1;
        if (param ? store_bind_text(s, st, 1, param, err) < 0 : store_bind_int64(s, st, 1, int_param, err) < 0)
                return -1;
        int rc = store_step_row(s, st, "reading a token", err);
        if (rc < 0)
                return -1;
        if (rc == 0) {
                *found = false;
                return 0;
        }
        *found = true;
        return token_from_row(st, out, err);
}

int store_token_get_by_public_id(struct store *s, const char *public_id, struct store_token *out,
                                 struct error *err) {
        bool found;
        if (token_get_one(s, "SELECT " TOKEN_COLUMNS " FROM api_tokens WHERE public_id = ?1",
                          public_id, 0, out, &found, err) < 0)
                return -1;
        if (!found)
                return error_set(err, ERROR_NOT_FOUND, "no token with public id '%s'", public_id);
        return 0;
}

int store_token_get_by_name(struct store *s, const char *name, struct store_token *out,
                            struct error *err) {
        bool found;
        if (token_get_one(s, "SELECT " TOKEN_COLUMNS " FROM api_tokens WHERE name = ?1",
                          name, 0, out, &found, err) < 0)
                return -1;
        if (!found)
                return error_set(err, ERROR_NOT_FOUND, "no token named '%s'", name);
        return 0;
}

int store_token_list(struct store *s, struct store_token **out, size_t *n_out, struct error *err) {
        *out = NULL;
        *n_out = 0;
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "SELECT " TOKEN_COLUMNS " FROM api_tokens ORDER BY id", &st, err) < 0)
                return -1;
        struct store_token *list = NULL;
        size_t n = 0, cap = 0;
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                if (n == cap) {
                        cap = cap ? 2 * cap : 16;
                        list = xrealloc(list, cap * sizeof(*list));
                }
                if (token_from_row(st, &list[n], err) < 0) {
                        store_token_list_free(list, n);
                        return -1;
                }
                n++;
        }
        if (rc != SQLITE_DONE) {
                store_token_list_free(list, n);
                return store_fail(s, err, "listing tokens");
        }
        *out = list;
        *n_out = n;
        return 0;
}

int store_token_set_user(struct store *s, int64_t token_id, int64_t user_id, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "UPDATE api_tokens SET user_id = ?1 WHERE id = ?2", &st, err) < 0 ||
            store_bind_int64(s, st, 1, user_id, err) < 0 || store_bind_int64(s, st, 2, token_id, err) < 0)
                return -1;
        return store_step_done(s, st, "attaching a token to its user", err);
}

int store_token_revoke(struct store *s, int64_t id, int64_t when, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "UPDATE api_tokens SET revoked_at = ?1 WHERE id = ?2 AND revoked_at IS NULL",
                          &st, err) < 0 ||
            store_bind_int64(s, st, 1, when, err) < 0 ||
            store_bind_int64(s, st, 2, id, err) < 0)
                return -1;
        if (sqlite3_step(st) != SQLITE_DONE)
                return store_fail(s, err, "revoking a token");
        if (sqlite3_changes(s->db) == 1)
                return 0;
        struct store_token t;
        bool found;
        if (token_get_one(s, "SELECT " TOKEN_COLUMNS " FROM api_tokens WHERE id = ?1",
                          NULL, id, &t, &found, err) < 0)
                return -1;
        if (!found)
                return error_set(err, ERROR_NOT_FOUND, "no token with id %lld", (long long) id);
        error_set(err, ERROR_CONFLICT, "token '%s' is already revoked", t.name);
        store_token_clear(&t);
        return -1;
}

void store_token_clear(struct store_token *t) {
        if (!t)
                return;
        free(t->name);
        free(t->role);
        free(t->created_by);
        free(t->user_name);
        ct_wipe(t->secret_hash, sizeof(t->secret_hash));
        memset(t, 0, sizeof(*t));
}

void store_token_list_free(struct store_token *list, size_t n) {
        for (size_t i = 0; i < n; i++)
                store_token_clear(&list[i]);
        free(list);
}

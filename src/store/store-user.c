/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>
#include "core/cleanup.h"
#include "core/strutil.h"
#include "store/store-private.h"
#include "store/store-user.h"

#define USER_COLUMNS "id, name, contact, created_at, created_by, disabled_at"

int store_user_insert(struct store *s, const struct store_user *u, int64_t *id_out,
                      struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "INSERT INTO users (name, contact, created_at, created_by, disabled_at) "
                             "VALUES (?1, ?2, ?3, ?4, NULL)", &st, err) < 0 ||
            store_bind_text(s, st, 1, u->name, err) < 0 ||
            store_bind_text(s, st, 2, u->contact ? u->contact : "", err) < 0 ||
            store_bind_int64(s, st, 3, u->created_at, err) < 0 ||
            store_bind_text(s, st, 4, u->created_by ? u->created_by : "", err) < 0)
                return -1;
        if (sqlite3_step(st) != SQLITE_DONE) {
                if (store_is_unique_violation(s, NULL, 0))
                        return error_set(err, ERROR_CONFLICT, "a user named '%s' already exists", u->name);
                return store_fail(s, err, "inserting a user");
        }
        int64_t id = sqlite3_last_insert_rowid(s->db);
        for (size_t i = 0; i < u->n_roles; i++)
                if (store_user_role_add(s, id, u->roles[i], err) < 0)
                        return -1;
        if (id_out)
                *id_out = id;
        return 0;
}

static int roles_load(struct store *s, struct store_user *u, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "SELECT role FROM user_roles WHERE user_id = ?1 ORDER BY role", &st, err) < 0 ||
            store_bind_int64(s, st, 1, u->id, err) < 0)
                return -1;
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                u->roles = xrealloc(u->roles, (u->n_roles + 1) * sizeof(*u->roles));
                u->roles[u->n_roles++] = store_column_text(st, 0);
        }
        if (rc != SQLITE_DONE)
                return store_fail(s, err, "reading a user's roles");
        return 0;
}

static void user_from_row(sqlite3_stmt *st, struct store_user *out) {
        memset(out, 0, sizeof(*out));
        out->id = sqlite3_column_int64(st, 0);
        out->name = store_column_text(st, 1);
        out->contact = store_column_text(st, 2);
        out->created_at = sqlite3_column_int64(st, 3);
        out->created_by = store_column_text(st, 4);
        out->disabled_at = sqlite3_column_type(st, 5) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, 5);
}

static int user_get_one(struct store *s, const char *sql, const char *text, int64_t id,
                        struct store_user *out, bool *found, struct error *err) {
        memset(out, 0, sizeof(*out));
        *found = false;
        {
                _cleanup_stmt_ sqlite3_stmt *st = NULL;
                if (store_prepare(s, sql, &st, err) < 0 ||
                    (text ? store_bind_text(s, st, 1, text, err) : store_bind_int64(s, st, 1, id, err)) < 0)
                        return -1;
                int rc = store_step_row(s, st, "reading a user", err);
                if (rc <= 0)
                        return rc;
                user_from_row(st, out);
        }
        *found = true;
        if (roles_load(s, out, err) < 0) {
                store_user_clear(out);
                return -1;
        }
        return 0;
}

int store_user_get_by_name(struct store *s, const char *name, struct store_user *out,
                           struct error *err) {
        bool found;
        if (user_get_one(s, "SELECT " USER_COLUMNS " FROM users WHERE name = ?1", name, 0, out, &found,
                         err) < 0)
                return -1;
        if (!found)
                return error_set(err, ERROR_NOT_FOUND, "no user named '%s'", name);
        return 0;
}

int store_user_get_by_id(struct store *s, int64_t id, struct store_user *out, struct error *err) {
        bool found;
        if (user_get_one(s, "SELECT " USER_COLUMNS " FROM users WHERE id = ?1", NULL, id, out, &found,
                         err) < 0)
                return -1;
        if (!found)
                return error_set(err, ERROR_NOT_FOUND, "no user with id %lld", (long long) id);
        return 0;
}

int store_user_list(struct store *s, struct store_user **out, size_t *n_out, struct error *err) {
        *out = NULL;
        *n_out = 0;
        struct store_user *list = NULL;
        size_t n = 0;
        {
                _cleanup_stmt_ sqlite3_stmt *st = NULL;
                if (store_prepare(s, "SELECT " USER_COLUMNS " FROM users ORDER BY id", &st, err) < 0)
                        return -1;
                int rc;
                while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                        list = xrealloc(list, (n + 1) * sizeof(*list));
                        user_from_row(st, &list[n++]);
                }
                if (rc != SQLITE_DONE) {
                        store_user_list_free(list, n);
                        return store_fail(s, err, "listing users");
                }
        }
        for (size_t i = 0; i < n; i++)
                if (roles_load(s, &list[i], err) < 0) {
                        store_user_list_free(list, n);
                        return -1;
                }
        *out = list;
        *n_out = n;
        return 0;
}

int store_user_role_add(struct store *s, int64_t user_id, const char *role, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "INSERT INTO user_roles (user_id, role) VALUES (?1, ?2)", &st, err) < 0 ||
            store_bind_int64(s, st, 1, user_id, err) < 0 || store_bind_text(s, st, 2, role, err) < 0)
                return -1;
        if (sqlite3_step(st) != SQLITE_DONE) {
                if (store_is_unique_violation(s, NULL, 0))
                        return error_set(err, ERROR_CONFLICT, "the user already holds role '%s'", role);
                return store_fail(s, err, "adding a role to a user");
        }
        return 0;
}

int store_user_role_remove(struct store *s, int64_t user_id, const char *role, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "DELETE FROM user_roles WHERE user_id = ?1 AND role = ?2", &st, err) < 0 ||
            store_bind_int64(s, st, 1, user_id, err) < 0 || store_bind_text(s, st, 2, role, err) < 0 ||
            store_step_done(s, st, "removing a role from a user", err) < 0)
                return -1;
        if (sqlite3_changes(s->db) != 1)
                return error_set(err, ERROR_CONFLICT, "the user does not hold role '%s'", role);
        return 0;
}

int store_user_disable(struct store *s, int64_t user_id, int64_t when, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "UPDATE users SET disabled_at = ?1 WHERE id = ?2 AND disabled_at IS NULL",
                          &st, err) < 0 ||
            store_bind_int64(s, st, 1, when, err) < 0 || store_bind_int64(s, st, 2, user_id, err) < 0 ||
            store_step_done(s, st, "disabling a user", err) < 0)
                return -1;
        if (sqlite3_changes(s->db) != 1)
                return error_set(err, ERROR_CONFLICT, "the user is already disabled");
        return 0;
}

bool store_user_has_role(const struct store_user *u, const char *role) {
        for (size_t i = 0; role && i < u->n_roles; i++)
                if (strcmp(u->roles[i], role) == 0)
                        return true;
        return false;
}

int store_user_token_names(struct store *s, int64_t user_id, char ***out, size_t *n_out,
                           struct error *err) {
        *out = NULL;
        *n_out = 0;
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "SELECT name FROM api_tokens WHERE user_id = ?1 AND revoked_at IS NULL "
                             "ORDER BY id", &st, err) < 0 ||
            store_bind_int64(s, st, 1, user_id, err) < 0)
                return -1;
        char **names = NULL;
        size_t n = 0;
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                names = xrealloc(names, (n + 1) * sizeof(*names));
                names[n++] = store_column_text(st, 0);
        }
        if (rc != SQLITE_DONE) {
                store_user_names_free(names, n);
                return store_fail(s, err, "listing a user's tokens");
        }
        *out = names;
        *n_out = n;
        return 0;
}

void store_user_names_free(char **names, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(names[i]);
        free(names);
}

void store_user_clear(struct store_user *u) {
        if (!u)
                return;
        free(u->name);
        free(u->contact);
        free(u->created_by);
        store_user_names_free(u->roles, u->n_roles);
        memset(u, 0, sizeof(*u));
}

void store_user_list_free(struct store_user *list, size_t n) {
        for (size_t i = 0; i < n; i++)
                store_user_clear(&list[i]);
        free(list);
}

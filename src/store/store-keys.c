/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>
#include "core/cleanup.h"
#include "core/strutil.h"
#include "store/store-keys.h"
#include "store/store-private.h"

#define KEY_COLUMNS                                                                                 \
        "k.id, k.class, k.purpose, k.algorithm, k.fingerprint, k.tuf_keyid, k.storage, k.ref, "     \
        "k.owner_user_id, u.name, k.state, k.state_reason, k.created_at, k.created_by, "            \
        "k.activated_at, k.expires_at, k.state_changed_at"
#define KEY_FROM " FROM keys k LEFT JOIN users u ON u.id = k.owner_user_id "

static int64_t column_int_or_zero(sqlite3_stmt *st, int col) {
        return sqlite3_column_type(st, col) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, col);
}

static void key_from_row(sqlite3_stmt *st, struct store_key *k) {
        memset(k, 0, sizeof(*k));
        k->id = sqlite3_column_int64(st, 0);
        k->class = store_column_text(st, 1);
        k->purpose = store_column_text(st, 2);
        k->algorithm = store_column_text(st, 3);
        k->fingerprint = store_column_text(st, 4);
        k->tuf_keyid = store_column_text(st, 5);
        k->storage = store_column_text(st, 6);
        k->ref = store_column_text(st, 7);
        k->owner_user_id = column_int_or_zero(st, 8);
        k->owner_name = store_column_text(st, 9);
        k->state = store_column_text(st, 10);
        k->state_reason = store_column_text(st, 11);
        k->created_at = sqlite3_column_int64(st, 12);
        k->created_by = store_column_text(st, 13);
        k->activated_at = column_int_or_zero(st, 14);
        k->expires_at = column_int_or_zero(st, 15);
        k->state_changed_at = sqlite3_column_int64(st, 16);
}

static int bind_opt_int(struct store *s, sqlite3_stmt *st, int idx, int64_t v, struct error *err) {
        if (v)
                return store_bind_int64(s, st, idx, v, err);
        if (sqlite3_bind_null(st, idx) != SQLITE_OK)
                return store_fail(s, err, "binding a parameter");
        return 0;
}

int store_keys_insert(struct store *s, const struct store_key *k, int64_t *id_out, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s,
                          "INSERT INTO keys (class, purpose, algorithm, fingerprint, tuf_keyid, storage, ref, "
                          "owner_user_id, state, state_reason, created_at, created_by, activated_at, expires_at, "
                          "state_changed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
                          "?14, ?15)",
                          &st, err) < 0 ||
            store_bind_text(s, st, 1, k->class, err) < 0 || store_bind_text(s, st, 2, k->purpose, err) < 0 ||
            store_bind_text(s, st, 3, k->algorithm, err) < 0 ||
            store_bind_text(s, st, 4, k->fingerprint, err) < 0 ||
            store_bind_text(s, st, 5, k->tuf_keyid, err) < 0 || store_bind_text(s, st, 6, k->storage, err) < 0 ||
            store_bind_text(s, st, 7, k->ref, err) < 0 || bind_opt_int(s, st, 8, k->owner_user_id, err) < 0 ||
            store_bind_text(s, st, 9, k->state, err) < 0 || store_bind_text(s, st, 10, k->state_reason, err) < 0 ||
            store_bind_int64(s, st, 11, k->created_at, err) < 0 ||
            store_bind_text(s, st, 12, k->created_by ? k->created_by : "", err) < 0 ||
            bind_opt_int(s, st, 13, k->activated_at, err) < 0 || bind_opt_int(s, st, 14, k->expires_at, err) < 0 ||
            store_bind_int64(s, st, 15, k->state_changed_at, err) < 0)
                return -1;
        if (sqlite3_step(st) != SQLITE_DONE) {
                if (store_is_unique_violation(s, NULL, 0))
                        return error_set(err, ERROR_CONFLICT, "a %s key with fingerprint %s is registered already",
                                         k->class, k->fingerprint);
                return store_fail(s, err, "registering a key");
        }
        if (id_out)
                *id_out = sqlite3_last_insert_rowid(s->db);
        return 0;
}

int store_keys_find(struct store *s, const char *class, const char *fingerprint, struct store_key *out,
                    struct error *err) {
        memset(out, 0, sizeof(*out));
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "SELECT " KEY_COLUMNS KEY_FROM "WHERE k.class = ?1 AND k.fingerprint = ?2", &st,
                          err) < 0 ||
            store_bind_text(s, st, 1, class, err) < 0 || store_bind_text(s, st, 2, fingerprint, err) < 0)
                return -1;
        int rc = store_step_row(s, st, "reading a key", err);
        if (rc == 1)
                key_from_row(st, out);
        return rc;
}

int store_keys_get(struct store *s, int64_t id, struct store_key *out, struct error *err) {
        memset(out, 0, sizeof(*out));
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "SELECT " KEY_COLUMNS KEY_FROM "WHERE k.id = ?1", &st, err) < 0 ||
            store_bind_int64(s, st, 1, id, err) < 0)
                return -1;
        int rc = store_step_row(s, st, "reading a key", err);
        if (rc < 0)
                return -1;
        if (rc == 0)
                return error_set(err, ERROR_NOT_FOUND, "no key with id %lld", (long long) id);
        key_from_row(st, out);
        return 0;
}

int store_keys_get_by_ref(struct store *s, const char *ref, struct store_key *out, struct error *err) {
        memset(out, 0, sizeof(*out));
        /* A prefix match on the fingerprint (the way people quote them) or
         * the exact TUF keyid; the caller has checked `ref` is hex, so the
         * LIKE pattern holds no wildcard from outside. */
        _cleanup_free_ char *pattern = str_printf("%s%%", ref);
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "SELECT " KEY_COLUMNS KEY_FROM "WHERE k.fingerprint LIKE ?1 OR k.tuf_keyid = ?2 "
                             "ORDER BY k.id LIMIT 2", &st, err) < 0 ||
            store_bind_text(s, st, 1, pattern, err) < 0 || store_bind_text(s, st, 2, ref, err) < 0)
                return -1;
        int rc = store_step_row(s, st, "reading a key", err);
        if (rc < 0)
                return -1;
        if (rc == 0)
                return error_set(err, ERROR_NOT_FOUND, "no key with fingerprint or TUF keyid '%s'", ref);
        key_from_row(st, out);
        rc = store_step_row(s, st, "reading a key", err);
        if (rc != 0) {
                store_key_clear(out);
                if (rc < 0)
                        return -1;
                return error_set(err, ERROR_CONFLICT, "more than one key matches '%s': give more digits", ref);
        }
        return 0;
}

int store_keys_list(struct store *s, struct store_key **out, size_t *n_out, struct error *err) {
        *out = NULL;
        *n_out = 0;
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "SELECT " KEY_COLUMNS KEY_FROM "ORDER BY k.id", &st, err) < 0)
                return -1;
        struct store_key *list = NULL;
        size_t n = 0;
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                list = xrealloc(list, (n + 1) * sizeof(*list));
                key_from_row(st, &list[n++]);
        }
        if (rc != SQLITE_DONE) {
                store_keys_list_free(list, n);
                return store_fail(s, err, "listing keys");
        }
        *out = list;
        *n_out = n;
        return 0;
}

int store_keys_set_state(struct store *s, int64_t id, const char *from, const char *to, const char *reason,
                         int64_t when, bool set_activated, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s,
                          "UPDATE keys SET state = ?1, state_reason = ?2, state_changed_at = ?3, "
                          "activated_at = CASE WHEN ?4 = 1 AND activated_at IS NULL THEN ?3 ELSE activated_at END "
                          "WHERE id = ?5 AND state = ?6",
                          &st, err) < 0 ||
            store_bind_text(s, st, 1, to, err) < 0 || store_bind_text(s, st, 2, reason, err) < 0 ||
            store_bind_int64(s, st, 3, when, err) < 0 || store_bind_int64(s, st, 4, set_activated ? 1 : 0, err) < 0 ||
            store_bind_int64(s, st, 5, id, err) < 0 || store_bind_text(s, st, 6, from, err) < 0 ||
            store_step_done(s, st, "changing a key's state", err) < 0)
                return -1;
        if (sqlite3_changes(s->db) != 1)
                return error_set(err, ERROR_CONFLICT, "key %lld is no longer %s", (long long) id, from);
        return 0;
}

int store_keys_set_owner(struct store *s, int64_t id, int64_t user_id, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "UPDATE keys SET owner_user_id = ?1 WHERE id = ?2", &st, err) < 0 ||
            store_bind_int64(s, st, 1, user_id, err) < 0 || store_bind_int64(s, st, 2, id, err) < 0 ||
            store_step_done(s, st, "setting a key's owner", err) < 0)
                return -1;
        if (sqlite3_changes(s->db) != 1)
                return error_set(err, ERROR_NOT_FOUND, "no key with id %lld", (long long) id);
        return 0;
}

int store_keys_set_tuf_keyid(struct store *s, int64_t id, const char *keyid, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "UPDATE keys SET tuf_keyid = ?1 WHERE id = ?2", &st, err) < 0 ||
            store_bind_text(s, st, 1, keyid, err) < 0 || store_bind_int64(s, st, 2, id, err) < 0 ||
            store_step_done(s, st, "setting a key's TUF keyid", err) < 0)
                return -1;
        return 0;
}

int store_keys_product_link(struct store *s, int64_t key_id, int64_t product_id, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "INSERT INTO key_products (key_id, product_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
                          &st, err) < 0 ||
            store_bind_int64(s, st, 1, key_id, err) < 0 || store_bind_int64(s, st, 2, product_id, err) < 0 ||
            store_step_done(s, st, "linking a key to a product", err) < 0)
                return -1;
        return 0;
}

static int names_query(struct store *s, const char *sql, int64_t key_id, const char *what, char ***out,
                       size_t *n_out, struct error *err) {
        *out = NULL;
        *n_out = 0;
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, sql, &st, err) < 0 || store_bind_int64(s, st, 1, key_id, err) < 0)
                return -1;
        char **names = NULL;
        size_t n = 0;
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                names = xrealloc(names, (n + 1) * sizeof(*names));
                names[n++] = store_column_text(st, 0);
        }
        if (rc != SQLITE_DONE) {
                store_keys_names_free(names, n);
                return store_fail(s, err, what);
        }
        *out = names;
        *n_out = n;
        return 0;
}

int store_keys_products(struct store *s, int64_t key_id, char ***out, size_t *n_out, struct error *err) {
        return names_query(s,
                           "SELECT p.model FROM key_products kp JOIN products p ON p.id = kp.product_id "
                           "WHERE kp.key_id = ?1 ORDER BY p.model",
                           key_id, "listing a key's products", out, n_out, err);
}

int store_keys_custodian_add(struct store *s, int64_t key_id, int64_t user_id, int64_t when, const char *by,
                             struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "INSERT INTO key_custodians (key_id, user_id, added_at, added_by) "
                             "VALUES (?1, ?2, ?3, ?4)", &st, err) < 0 ||
            store_bind_int64(s, st, 1, key_id, err) < 0 || store_bind_int64(s, st, 2, user_id, err) < 0 ||
            store_bind_int64(s, st, 3, when, err) < 0 || store_bind_text(s, st, 4, by ? by : "", err) < 0)
                return -1;
        if (sqlite3_step(st) != SQLITE_DONE) {
                if (store_is_unique_violation(s, NULL, 0))
                        return error_set(err, ERROR_CONFLICT, "the user is a custodian of this key already");
                return store_fail(s, err, "adding a key custodian");
        }
        return 0;
}

int store_keys_custodian_remove(struct store *s, int64_t key_id, int64_t user_id, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "DELETE FROM key_custodians WHERE key_id = ?1 AND user_id = ?2", &st, err) < 0 ||
            store_bind_int64(s, st, 1, key_id, err) < 0 || store_bind_int64(s, st, 2, user_id, err) < 0 ||
            store_step_done(s, st, "removing a key custodian", err) < 0)
                return -1;
        if (sqlite3_changes(s->db) != 1)
                return error_set(err, ERROR_CONFLICT, "the user is not a custodian of this key");
        return 0;
}

int store_keys_custodians(struct store *s, int64_t key_id, char ***out, size_t *n_out, struct error *err) {
        return names_query(s,
                           "SELECT u.name FROM key_custodians c JOIN users u ON u.id = c.user_id "
                           "WHERE c.key_id = ?1 ORDER BY u.name",
                           key_id, "listing a key's custodians", out, n_out, err);
}

int store_keys_usage_add(struct store *s, int64_t key_id, const char *what, int64_t count, int64_t when,
                         struct error *err) {
        int64_t day = when - (when % 86400);
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s,
                          "INSERT INTO key_usage (key_id, day, what, count, first_at, last_at) "
                          "VALUES (?1, ?2, ?3, ?4, ?5, ?5) ON CONFLICT (key_id, day, what) DO UPDATE SET "
                          "count = key_usage.count + excluded.count, last_at = excluded.last_at",
                          &st, err) < 0 ||
            store_bind_int64(s, st, 1, key_id, err) < 0 || store_bind_int64(s, st, 2, day, err) < 0 ||
            store_bind_text(s, st, 3, what, err) < 0 || store_bind_int64(s, st, 4, count, err) < 0 ||
            store_bind_int64(s, st, 5, when, err) < 0 || store_step_done(s, st, "recording a key use", err) < 0)
                return -1;
        return 0;
}

int store_keys_usage_list(struct store *s, int64_t key_id, size_t limit, struct store_key_usage **out,
                          size_t *n_out, struct error *err) {
        *out = NULL;
        *n_out = 0;
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "SELECT day, what, count, first_at, last_at FROM key_usage WHERE key_id = ?1 "
                             "ORDER BY day DESC, what LIMIT ?2", &st, err) < 0 ||
            store_bind_int64(s, st, 1, key_id, err) < 0 || store_bind_int64(s, st, 2, (int64_t) limit, err) < 0)
                return -1;
        struct store_key_usage *list = NULL;
        size_t n = 0;
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                list = xrealloc(list, (n + 1) * sizeof(*list));
                list[n] = (struct store_key_usage) {
                        .day = sqlite3_column_int64(st, 0),
                        .what = store_column_text(st, 1),
                        .count = sqlite3_column_int64(st, 2),
                        .first_at = sqlite3_column_int64(st, 3),
                        .last_at = sqlite3_column_int64(st, 4),
                };
                n++;
        }
        if (rc != SQLITE_DONE) {
                store_key_usage_list_free(list, n);
                return store_fail(s, err, "reading a key's usage");
        }
        *out = list;
        *n_out = n;
        return 0;
}

void store_key_clear(struct store_key *k) {
        if (!k)
                return;
        free(k->class);
        free(k->purpose);
        free(k->algorithm);
        free(k->fingerprint);
        free(k->tuf_keyid);
        free(k->storage);
        free(k->ref);
        free(k->owner_name);
        free(k->state);
        free(k->state_reason);
        free(k->created_by);
        memset(k, 0, sizeof(*k));
}

void store_keys_list_free(struct store_key *list, size_t n) {
        for (size_t i = 0; i < n; i++)
                store_key_clear(&list[i]);
        free(list);
}

void store_key_usage_list_free(struct store_key_usage *list, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(list[i].what);
        free(list);
}

void store_keys_names_free(char **names, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(names[i]);
        free(names);
}

static int owner_query(struct store *s, const char *sql, const char *text, int64_t *out, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, sql, &st, err) < 0 || (text && store_bind_text(s, st, 1, text, err) < 0))
                return -1;
        int rc = store_step_row(s, st, "finding a key's owner", err);
        if (rc == 1)
                *out = column_int_or_zero(st, 0);
        return rc;
}

int store_keys_owner_for_actor(struct store *s, const char *actor, int64_t *user_id_out, struct error *err) {
        *user_id_out = 0;
        int rc;
        if (actor && *actor) {
                rc = owner_query(s, "SELECT t.user_id FROM api_tokens t JOIN users u ON u.id = t.user_id "
                                    "WHERE t.name = ?1 AND u.disabled_at IS NULL", actor, user_id_out, err);
                if (rc != 0)
                        return rc < 0 ? -1 : 0;
                rc = owner_query(s, "SELECT id FROM users WHERE name = ?1 AND disabled_at IS NULL", actor,
                                 user_id_out, err);
                if (rc != 0)
                        return rc < 0 ? -1 : 0;
        }
        rc = owner_query(s, "SELECT u.id FROM users u JOIN user_roles r ON r.user_id = u.id "
                            "WHERE r.role = 'admin' AND u.disabled_at IS NULL ORDER BY u.id LIMIT 1", NULL,
                         user_id_out, err);
        return rc < 0 ? -1 : 0;
}

int store_keys_online_ref(struct store *s, int64_t product_id, const char *keyid, char **ref_out,
                          struct error *err) {
        *ref_out = NULL;
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "SELECT key_ref FROM repo_online_keys WHERE product_id = ?1 AND keyid = ?2 "
                             "ORDER BY id DESC LIMIT 1", &st, err) < 0 ||
            store_bind_int64(s, st, 1, product_id, err) < 0 || store_bind_text(s, st, 2, keyid, err) < 0)
                return -1;
        int rc = store_step_row(s, st, "reading an online key", err);
        if (rc == 1)
                *ref_out = store_column_text(st, 0);
        return rc < 0 ? -1 : 0;
}

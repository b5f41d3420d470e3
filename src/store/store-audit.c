/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>
#include "core/cleanup.h"
#include "core/strutil.h"
#include "store/store-audit.h"
#include "store/store-private.h"

#define AUDIT_COLUMNS "seq, time, actor_name, actor_role, action, object, details, prev_hash, hash, actor_user"
#define AUDIT_LIST_MAX 1000

static void copy_hash(char dst[65], const char *src) {
        size_t n = src ? strlen(src) : 0;
        if (n > 64)
                n = 64;
        if (n)
                memcpy(dst, src, n);
        dst[n] = '\0';
}

static int entry_from_row(sqlite3_stmt *st, struct store_audit_entry *e, struct error *err) {
        memset(e, 0, sizeof(*e));
        e->seq = sqlite3_column_int64(st, 0);
        e->time = sqlite3_column_int64(st, 1);
        e->actor_name = store_column_text(st, 2);
        e->actor_role = store_column_text(st, 3);
        e->action = store_column_text(st, 4);
        e->object = store_column_text(st, 5);
        e->details = store_column_text(st, 6);
        copy_hash(e->prev_hash, (const char *) sqlite3_column_text(st, 7));
        copy_hash(e->hash, (const char *) sqlite3_column_text(st, 8));
        e->actor_user = store_column_text(st, 9);
        if (!e->actor_name || !e->actor_role || !e->action || !e->object || !e->details) {
                int64_t seq = e->seq;
                store_audit_entry_clear(e);
                return error_set(err, ERROR_DB, "audit entry %lld has NULL fields", (long long) seq);
        }
        return 0;
}

int store_audit_last(struct store *s, struct store_audit_entry *out, bool *found,
                     struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        *found = false;
        memset(out, 0, sizeof(*out));
        if (store_prepare(s, "SELECT " AUDIT_COLUMNS " FROM audit_log ORDER BY seq DESC LIMIT 1",
                          &st, err) < 0)
                return -1;
        int rc = store_step_row(s, st, "reading the last audit entry", err);
        if (rc < 0)
                return -1;
        if (rc == 0)
                return 0;
        if (entry_from_row(st, out, err) < 0)
                return -1;
        *found = true;
        return 0;
}

int store_audit_insert(struct store *s, const struct store_audit_entry *e, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "INSERT INTO audit_log (" AUDIT_COLUMNS ") "
                             "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)", &st, err) < 0 ||
            store_bind_int64(s, st, 1, e->seq, err) < 0 ||
            store_bind_int64(s, st, 2, e->time, err) < 0 ||
            store_bind_text(s, st, 3, e->actor_name, err) < 0 ||
            store_bind_text(s, st, 4, e->actor_role, err) < 0 ||
            store_bind_text(s, st, 5, e->action, err) < 0 ||
            store_bind_text(s, st, 6, e->object, err) < 0 ||
            store_bind_text(s, st, 7, e->details, err) < 0 ||
            store_bind_text(s, st, 8, e->prev_hash, err) < 0 ||
            store_bind_text(s, st, 9, e->hash, err) < 0 ||
            store_bind_text(s, st, 10, e->actor_user, err) < 0)
                return -1;
        if (sqlite3_step(st) != SQLITE_DONE) {
                if (store_is_unique_violation(s, NULL, 0))
                        return error_set(err, ERROR_CONFLICT, "audit entry %lld already exists",
                                         (long long) e->seq);
                return store_fail(s, err, "appending an audit entry");
        }
        return 0;
}

int store_audit_list(struct store *s, const struct store_audit_filter *f,
                     struct store_audit_entry **out, size_t *n_out, struct error *err) {
        *out = NULL;
        *n_out = 0;
        if (f->limit < 1 || f->limit > AUDIT_LIST_MAX)
                return error_set(err, ERROR_INVALID, "limit: %zu is out of range (1..%d)", f->limit,
                                 AUDIT_LIST_MAX);
        /* The WHERE clause is assembled from constant fragments (never from the
         * filter's values, which are bound), so each filter can use its index. */
        struct buf sql = {0};
        buf_appendf(&sql, "SELECT " AUDIT_COLUMNS " FROM audit_log WHERE seq > ?1");
        if (f->object)
                buf_appendf(&sql, " AND object = ?2");
        if (f->actor)
                buf_appendf(&sql, " AND actor_name = ?3");
        if (f->since)
                buf_appendf(&sql, " AND time >= ?4");
        if (f->until)
                buf_appendf(&sql, " AND time <= ?5");
        buf_appendf(&sql, " ORDER BY seq LIMIT ?6");
        _cleanup_free_ char *text = buf_steal(&sql);

        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, text, &st, err) < 0 ||
            store_bind_int64(s, st, 1, f->after_seq, err) < 0 ||
            (f->object && store_bind_text(s, st, 2, f->object, err) < 0) ||
            (f->actor && store_bind_text(s, st, 3, f->actor, err) < 0) ||
            (f->since && store_bind_int64(s, st, 4, f->since, err) < 0) ||
            (f->until && store_bind_int64(s, st, 5, f->until, err) < 0) ||
            store_bind_int64(s, st, 6, (int64_t) f->limit, err) < 0)
                return -1;

        struct store_audit_entry *list = xcalloc(f->limit, sizeof(*list));
        size_t n = 0;
        int rc = SQLITE_DONE;
        while (n < f->limit && (rc = sqlite3_step(st)) == SQLITE_ROW) {
                if (entry_from_row(st, &list[n], err) < 0) {
                        store_audit_list_free(list, n);
                        return -1;
                }
                n++;
        }
        if (n < f->limit && rc != SQLITE_DONE) {
                store_audit_list_free(list, n);
                return store_fail(s, err, "listing audit entries");
        }
        *out = list;
        *n_out = n;
        return 0;
}

void store_audit_entry_clear(struct store_audit_entry *e) {
        if (!e)
                return;
        free(e->actor_name);
        free(e->actor_role);
        free(e->actor_user);
        free(e->action);
        free(e->object);
        free(e->details);
        memset(e, 0, sizeof(*e));
}

void store_audit_list_free(struct store_audit_entry *list, size_t n) {
        for (size_t i = 0; i < n; i++)
                store_audit_entry_clear(&list[i]);
        free(list);
}

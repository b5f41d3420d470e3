/* SPDX-License-Identifier: Apache-2.0 */
#include "store-cvd.h"

#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/strutil.h"
#include "store-identity-private.h"
#include "store-private.h"

void store_cvd_report_clear(struct store_cvd_report *r) {
        free(r->secret_sha256);
        free(r->product);
        free(r->contact);
        memset(r, 0, sizeof(*r));
}

int store_cvd_report_insert(struct store *s, const struct store_cvd_report *r, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "INSERT INTO cvd_reports (case_id, secret_sha256, product, contact, created_at) "
                             "VALUES (?1, ?2, nullif(?3, ''), nullif(?4, ''), ?5)", &st, err) < 0 ||
            store_bind_int64(s, st, 1, r->case_id, err) < 0 || store_bind_text(s, st, 2, r->secret_sha256, err) < 0 ||
            store_bind_text(s, st, 3, r->product ? r->product : "", err) < 0 ||
            store_bind_text(s, st, 4, r->contact ? r->contact : "", err) < 0 ||
            store_bind_int64(s, st, 5, r->created_at, err) < 0)
                return -1;
        return store_step_done(s, st, "recording a CVD report", err);
}

int store_cvd_report_get(struct store *s, int64_t case_id, struct store_cvd_report *out, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        memset(out, 0, sizeof(*out));
        if (store_prepare(s, "SELECT case_id, secret_sha256, product, contact, created_at FROM cvd_reports "
                             "WHERE case_id = ?1", &st, err) < 0 ||
            store_bind_int64(s, st, 1, case_id, err) < 0)
                return -1;
        int rc = sqlite3_step(st);
        if (rc == SQLITE_DONE)
                return error_set(err, ERROR_NOT_FOUND, "case %lld: not a CVD report", (long long) case_id);
        if (rc != SQLITE_ROW)
                return store_fail(s, err, "reading a CVD report");
        out->case_id = sqlite3_column_int64(st, 0);
        out->secret_sha256 = store_column_text(st, 1);
        out->product = store_column_text(st, 2);
        out->contact = store_column_text(st, 3);
        out->created_at = sqlite3_column_int64(st, 4);
        return 0;
}

int store_cvd_message_insert(struct store *s, const struct store_cvd_message *m, int64_t *id, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "INSERT INTO cvd_messages (case_id, author, author_name, body, encrypted, created_at) "
                             "VALUES (?1, ?2, nullif(?3, ''), ?4, ?5, ?6)", &st, err) < 0 ||
            store_bind_int64(s, st, 1, m->case_id, err) < 0 || store_bind_text(s, st, 2, m->author, err) < 0 ||
            store_bind_text(s, st, 3, m->author_name ? m->author_name : "", err) < 0 ||
            store_bind_text(s, st, 4, m->body, err) < 0 || store_bind_int64(s, st, 5, m->encrypted ? 1 : 0, err) < 0 ||
            store_bind_int64(s, st, 6, m->created_at, err) < 0)
                return -1;
        if (store_step_done(s, st, "recording a CVD message", err) < 0)
                return -1;
        if (id)
                *id = sqlite3_last_insert_rowid(s->db);
        return 0;
}

void store_cvd_messages_free(struct store_cvd_message *l, size_t n) {
        for (size_t i = 0; l && i < n; i++) {
                free(l[i].author);
                free(l[i].author_name);
                free(l[i].body);
        }
        free(l);
}

int store_cvd_messages(struct store *s, int64_t case_id, struct store_cvd_message **out, size_t *n,
                       struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        *out = NULL;
        *n = 0;
        if (store_prepare(s, "SELECT id, case_id, author, author_name, body, encrypted, created_at FROM cvd_messages "
                             "WHERE case_id = ?1 ORDER BY id", &st, err) < 0 ||
            store_bind_int64(s, st, 1, case_id, err) < 0)
                return -1;
        struct store_cvd_message *list = NULL;
        size_t k = 0, cap = 0;
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                STORE_LIST_GROW(list, k, cap);
                struct store_cvd_message *x = &list[k++];
                x->id = sqlite3_column_int64(st, 0);
                x->case_id = sqlite3_column_int64(st, 1);
                x->author = store_column_text(st, 2);
                x->author_name = store_column_text(st, 3);
                x->body = store_column_text(st, 4);
                x->encrypted = sqlite3_column_int64(st, 5) != 0;
                x->created_at = sqlite3_column_int64(st, 6);
        }
        if (rc != SQLITE_DONE) {
                store_cvd_messages_free(list, k);
                return store_fail(s, err, "reading a case's CVD messages");
        }
        *out = list;
        *n = k;
        return 0;
}

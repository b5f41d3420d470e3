/* SPDX-License-Identifier: Apache-2.0 */
/* SRP package reads and submission records (store-srp.h). */
#include "store/store-srp.h"

#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/strutil.h"
#include "store/store-identity-private.h"

void store_srp_product_clear(struct store_srp_product *p) {
        free(p->name);
        free(p->model);
        free(p->manufacturer);
        free(p->support_end);
        free(p->member_states);
        memset(p, 0, sizeof(*p));
}

int store_srp_product_get(struct store *s, int64_t product_id, struct store_srp_product *out, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        memset(out, 0, sizeof(*out));
        if (store_prepare(s, "SELECT name, model, manufacturer_name, support_end, (SELECT group_concat(country, ', ') "
                             "FROM (SELECT country FROM product_member_states WHERE product_id = ?1 ORDER BY "
                             "country)) FROM products WHERE id = ?1", &st, err) < 0 ||
            store_bind_int64(s, st, 1, product_id, err) < 0)
                return -1;
        int rc = sqlite3_step(st);
        if (rc == SQLITE_DONE)
                return error_set(err, ERROR_NOT_FOUND, "product %lld not found", (long long) product_id);
        if (rc != SQLITE_ROW)
                return store_fail(s, err, "reading a product for an SRP package");
        out->name = store_column_text(st, 0);
        out->model = store_column_text(st, 1);
        out->manufacturer = store_column_text(st, 2);
        out->support_end = store_column_text(st, 3);
        out->member_states = store_column_text(st, 4);
        return 0;
}

int store_srp_release_get(struct store *s, int64_t release_id, char **version, int64_t *published_at,
                          struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        *version = NULL;
        *published_at = 0;
        if (store_prepare(s, "SELECT version, coalesce(published_at, 0) FROM releases WHERE id = ?1", &st, err) < 0 ||
            store_bind_int64(s, st, 1, release_id, err) < 0)
                return -1;
        int rc = sqlite3_step(st);
        if (rc == SQLITE_DONE)
                return error_set(err, ERROR_NOT_FOUND, "release %lld not found", (long long) release_id);
        if (rc != SQLITE_ROW)
                return store_fail(s, err, "reading a release for an SRP package");
        *version = store_column_text(st, 0);
        *published_at = sqlite3_column_int64(st, 1);
        return 0;
}

void store_srp_submissions_free(struct store_srp_submission *l, size_t n) {
        for (size_t i = 0; l && i < n; i++) {
                free(l[i].stage);
                free(l[i].track);
                free(l[i].glossary);
                free(l[i].srp_ref);
                free(l[i].submitted_by);
                free(l[i].content);
                free(l[i].content_sha256);
        }
        free(l);
}

int store_srp_submission_insert(struct store *s, const struct store_srp_submission *b, int64_t *id,
                                struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "INSERT INTO case_submissions (case_id, stage, track, glossary, srp_ref, submitted_at, "
                             "submitted_by, recorded_at, content, content_sha256, due_at, late_by, corrects) VALUES "
                             "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, nullif(?11, 0), ?12, nullif(?13, 0))", &st,
                          err) < 0 ||
            store_bind_int64(s, st, 1, b->case_id, err) < 0 || store_bind_text(s, st, 2, b->stage, err) < 0 ||
            store_bind_text(s, st, 3, b->track, err) < 0 || store_bind_text(s, st, 4, b->glossary, err) < 0 ||
            store_bind_text(s, st, 5, b->srp_ref, err) < 0 || store_bind_int64(s, st, 6, b->submitted_at, err) < 0 ||
            store_bind_text(s, st, 7, b->submitted_by, err) < 0 ||
            store_bind_int64(s, st, 8, b->recorded_at, err) < 0 || store_bind_text(s, st, 9, b->content, err) < 0 ||
            store_bind_text(s, st, 10, b->content_sha256, err) < 0 ||
            store_bind_int64(s, st, 11, b->due_at, err) < 0 || store_bind_int64(s, st, 12, b->late_by, err) < 0 ||
            store_bind_int64(s, st, 13, b->corrects, err) < 0)
                return -1;
        if (sqlite3_step(st) != SQLITE_DONE)
                return store_fail(s, err, "recording an SRP submission");
        if (id)
                *id = sqlite3_last_insert_rowid(s->db);
        return 0;
}

int store_srp_submissions(struct store *s, int64_t case_id, struct store_srp_submission **out, size_t *n,
                          struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        *out = NULL;
        *n = 0;
        if (store_prepare(s, "SELECT id, case_id, stage, track, glossary, srp_ref, submitted_at, submitted_by, "
                             "recorded_at, content, content_sha256, coalesce(due_at, 0), late_by, "
                             "coalesce(corrects, 0) FROM case_submissions WHERE case_id = ?1 ORDER BY submitted_at, "
                             "id", &st, err) < 0 ||
            store_bind_int64(s, st, 1, case_id, err) < 0)
                return -1;
        struct store_srp_submission *list = NULL;
        size_t k = 0, cap = 0;
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                STORE_LIST_GROW(list, k, cap);
                struct store_srp_submission *x = &list[k++];
                x->id = sqlite3_column_int64(st, 0);
                x->case_id = sqlite3_column_int64(st, 1);
                x->stage = store_column_text(st, 2);
                x->track = store_column_text(st, 3);
                x->glossary = store_column_text(st, 4);
                x->srp_ref = store_column_text(st, 5);
                x->submitted_at = sqlite3_column_int64(st, 6);
                x->submitted_by = store_column_text(st, 7);
                x->recorded_at = sqlite3_column_int64(st, 8);
                x->content = store_column_text(st, 9);
                x->content_sha256 = store_column_text(st, 10);
                x->due_at = sqlite3_column_int64(st, 11);
                x->late_by = sqlite3_column_int64(st, 12);
                x->corrects = sqlite3_column_int64(st, 13);
        }
        if (rc != SQLITE_DONE) {
                store_srp_submissions_free(list, k);
                return store_fail(s, err, "reading a case's SRP submissions");
        }
        *out = list;
        *n = k;
        return 0;
}

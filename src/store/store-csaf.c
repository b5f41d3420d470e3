/* SPDX-License-Identifier: Apache-2.0 */
/* CSAF advisories and revisions (store-csaf.h). */
#include "store/store-csaf.h"

#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/strutil.h"
#include "store/store-identity-private.h"

void store_csaf_advisory_clear(struct store_csaf_advisory *a) {
        free(a->category);
        free(a->tracking_id);
        free(a->file_name);
        memset(a, 0, sizeof(*a));
}

int store_csaf_advisory_find(struct store *s, int64_t case_id, const char *category,
                             struct store_csaf_advisory *out, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        memset(out, 0, sizeof(*out));
        if (store_prepare(s, "SELECT id, case_id, category, tracking_id, file_name, year, created_at "
                             "FROM csaf_advisories WHERE case_id = ?1 AND category = ?2", &st, err) < 0 ||
            store_bind_int64(s, st, 1, case_id, err) < 0 || store_bind_text(s, st, 2, category, err) < 0)
                return -1;
        int rc = sqlite3_step(st);
        if (rc == SQLITE_DONE)
                return error_set(err, ERROR_NOT_FOUND, "case %lld has no %s", (long long) case_id, category);
        if (rc != SQLITE_ROW)
                return store_fail(s, err, "reading a CSAF advisory");
        out->id = sqlite3_column_int64(st, 0);
        out->case_id = sqlite3_column_int64(st, 1);
        out->category = store_column_text(st, 2);
        out->tracking_id = store_column_text(st, 3);
        out->file_name = store_column_text(st, 4);
        out->year = sqlite3_column_int64(st, 5);
        out->created_at = sqlite3_column_int64(st, 6);
        return 0;
}

int store_csaf_advisory_insert(struct store *s, const struct store_csaf_advisory *a, int64_t *id,
                               struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "INSERT INTO csaf_advisories (case_id, category, tracking_id, file_name, year, "
                             "created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)", &st, err) < 0 ||
            store_bind_int64(s, st, 1, a->case_id, err) < 0 || store_bind_text(s, st, 2, a->category, err) < 0 ||
            store_bind_text(s, st, 3, a->tracking_id, err) < 0 || store_bind_text(s, st, 4, a->file_name, err) < 0 ||
            store_bind_int64(s, st, 5, a->year, err) < 0 || store_bind_int64(s, st, 6, a->created_at, err) < 0)
                return -1;
        int rc = sqlite3_step(st);
        if (rc == SQLITE_CONSTRAINT)
                return error_set(err, ERROR_CONFLICT, "CSAF advisory %s: tracking id or file name %s already taken",
                                 a->tracking_id, a->file_name);
        if (rc != SQLITE_DONE)
                return store_fail(s, err, "recording a CSAF advisory");
        if (id)
                *id = sqlite3_last_insert_rowid(s->db);
        return 0;
}

void store_csaf_revisions_free(struct store_csaf_revision *l, size_t n) {
        for (size_t i = 0; l && i < n; i++) {
                struct store_csaf_revision *r = &l[i];
                free(r->status);
                free(r->tlp);
                free(r->summary);
                free(r->published_by);
                free(r->document);
                free(r->sha256);
                free(r->sha512);
                free(r->signature);
                free(r->key_fingerprint);
                free(r->tracking_id);
                free(r->file_name);
                free(r->category);
        }
        free(l);
}

int store_csaf_revision_insert(struct store *s, const struct store_csaf_revision *r, int64_t *id,
                               struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "INSERT INTO csaf_revisions (advisory_id, number, status, tlp, summary, published_at, "
                             "published_by, document, sha256, sha512, signature, key_fingerprint) VALUES "
                             "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)", &st, err) < 0 ||
            store_bind_int64(s, st, 1, r->advisory_id, err) < 0 || store_bind_int64(s, st, 2, r->number, err) < 0 ||
            store_bind_text(s, st, 3, r->status, err) < 0 || store_bind_text(s, st, 4, r->tlp, err) < 0 ||
            store_bind_text(s, st, 5, r->summary, err) < 0 || store_bind_int64(s, st, 6, r->published_at, err) < 0 ||
            store_bind_text(s, st, 7, r->published_by, err) < 0 || store_bind_text(s, st, 8, r->document, err) < 0 ||
            store_bind_text(s, st, 9, r->sha256, err) < 0 || store_bind_text(s, st, 10, r->sha512, err) < 0 ||
            store_bind_text(s, st, 11, r->signature, err) < 0 ||
            store_bind_text(s, st, 12, r->key_fingerprint, err) < 0)
                return -1;
        int rc = sqlite3_step(st);
        if (rc == SQLITE_CONSTRAINT)
                return error_set(err, ERROR_CONFLICT, "CSAF advisory %lld: revision %lld exists already",
                                 (long long) r->advisory_id, (long long) r->number);
        if (rc != SQLITE_DONE)
                return store_fail(s, err, "recording a CSAF revision");
        if (id)
                *id = sqlite3_last_insert_rowid(s->db);
        return 0;
}

#define REVISION_COLUMNS                                                                                        \
        "r.id, r.advisory_id, r.number, r.status, r.tlp, r.summary, r.published_at, r.published_by, r.document, " \
        "r.sha256, r.sha512, r.signature, r.key_fingerprint, a.tracking_id, a.file_name, a.category, a.year, "    \
        "a.case_id FROM csaf_revisions r JOIN csaf_advisories a ON a.id = r.advisory_id "

static int revisions_read(struct store *s, sqlite3_stmt *st, struct store_csaf_revision **out, size_t *n,
                          struct error *err) {
        struct store_csaf_revision *list = NULL;
        size_t k = 0, cap = 0;
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                STORE_LIST_GROW(list, k, cap);
                struct store_csaf_revision *x = &list[k++];
                memset(x, 0, sizeof(*x));
                x->id = sqlite3_column_int64(st, 0);
                x->advisory_id = sqlite3_column_int64(st, 1);
                x->number = sqlite3_column_int64(st, 2);
                x->status = store_column_text(st, 3);
                x->tlp = store_column_text(st, 4);
                x->summary = store_column_text(st, 5);
                x->published_at = sqlite3_column_int64(st, 6);
                x->published_by = store_column_text(st, 7);
                x->document = store_column_text(st, 8);
                x->sha256 = store_column_text(st, 9);
                x->sha512 = store_column_text(st, 10);
                x->signature = store_column_text(st, 11);
                x->key_fingerprint = store_column_text(st, 12);
                x->tracking_id = store_column_text(st, 13);
                x->file_name = store_column_text(st, 14);
                x->category = store_column_text(st, 15);
                x->year = sqlite3_column_int64(st, 16);
                x->case_id = sqlite3_column_int64(st, 17);
        }
        if (rc != SQLITE_DONE) {
                store_csaf_revisions_free(list, k);
                return store_fail(s, err, "reading CSAF revisions");
        }
        *out = list;
        *n = k;
        return 0;
}

int store_csaf_revisions(struct store *s, int64_t advisory_id, struct store_csaf_revision **out, size_t *n,
                         struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        *out = NULL;
        *n = 0;
        if (store_prepare(s, "SELECT " REVISION_COLUMNS "WHERE r.advisory_id = ?1 ORDER BY r.number", &st, err) < 0 ||
            store_bind_int64(s, st, 1, advisory_id, err) < 0)
                return -1;
        return revisions_read(s, st, out, n, err);
}

int store_csaf_latest_revisions(struct store *s, struct store_csaf_revision **out, size_t *n,
                                struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        *out = NULL;
        *n = 0;
        if (store_prepare(s, "SELECT " REVISION_COLUMNS "WHERE r.number = (SELECT max(number) FROM csaf_revisions "
                             "WHERE advisory_id = r.advisory_id) ORDER BY a.file_name", &st, err) < 0)
                return -1;
        return revisions_read(s, st, out, n, err);
}

void store_csaf_findings_free(struct store_csaf_finding *l, size_t n) {
        for (size_t i = 0; l && i < n; i++) {
                free(l[i].state);
                free(l[i].justification);
                free(l[i].reason);
        }
        free(l);
}

int store_csaf_findings(struct store *s, int64_t release_id, int64_t vuln_id, struct store_csaf_finding **out,
                        size_t *n, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        *out = NULL;
        *n = 0;
        if (store_prepare(s, "SELECT state, justification, state_reason FROM findings WHERE release_id = ?1 AND "
                             "vuln_id = ?2 AND gone_at IS NULL ORDER BY id", &st, err) < 0 ||
            store_bind_int64(s, st, 1, release_id, err) < 0 || store_bind_int64(s, st, 2, vuln_id, err) < 0)
                return -1;
        struct store_csaf_finding *list = NULL;
        size_t k = 0, cap = 0;
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                STORE_LIST_GROW(list, k, cap);
                list[k].state = store_column_text(st, 0);
                list[k].justification = store_column_text(st, 1);
                list[k].reason = store_column_text(st, 2);
                k++;
        }
        if (rc != SQLITE_DONE) {
                store_csaf_findings_free(list, k);
                return store_fail(s, err, "reading the findings of a case's vulnerability");
        }
        *out = list;
        *n = k;
        return 0;
}

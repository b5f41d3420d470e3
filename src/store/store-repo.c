/* SPDX-License-Identifier: Apache-2.0 */
/* repos, repo_roots and repo_online_keys rows (schema version 4). */
#include <stdlib.h>
#include <string.h>
#include "core/cleanup.h"
#include "core/strutil.h"
#include "store/store-identity-private.h"
#include "store/store-release.h"

#define REPO_COLUMNS "r.product_id, p.model, r.root_version, r.root_expires, r.targets_version, " \
        "r.targets_expires, r.snapshot_version, r.snapshot_expires, r.timestamp_version, "          \
        "r.timestamp_expires, r.created_at, r.updated_at"
#define REPO_FROM " FROM repos r JOIN products p ON p.id = r.product_id "

static int repo_from_row(sqlite3_stmt *st, struct store_repo *r, struct error *err) {
        memset(r, 0, sizeof(*r));
        r->product_id = sqlite3_column_int64(st, 0);
        r->product_model = store_column_text(st, 1);
        r->root_version = sqlite3_column_int64(st, 2);
        r->root_expires = sqlite3_column_int64(st, 3);
        r->targets_version = sqlite3_column_int64(st, 4);
        r->targets_expires = store_column_opt_int64(st, 5);
        r->snapshot_version = sqlite3_column_int64(st, 6);
        r->snapshot_expires = store_column_opt_int64(st, 7);
        r->timestamp_version = sqlite3_column_int64(st, 8);
        r->timestamp_expires = store_column_opt_int64(st, 9);
        r->created_at = sqlite3_column_int64(st, 10);
        r->updated_at = sqlite3_column_int64(st, 11);
        if (!r->product_model) {
                int64_t id = r->product_id;
                store_repo_clear(r);
                return error_set(err, ERROR_DB, "repository of product %lld has a malformed row", (long long) id);
        }
        return 0;
}

int store_repo_insert(struct store *s, const struct store_repo *r, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "INSERT INTO repos (product_id, root_version, root_expires, targets_version, "
                             "snapshot_version, timestamp_version, created_at, updated_at) "
                             "VALUES (?1, ?2, ?3, 0, 0, 0, ?4, ?4)",
                          &st, err) < 0 ||
            store_bind_int64(s, st, 1, r->product_id, err) < 0 ||
            store_bind_int64(s, st, 2, r->root_version, err) < 0 ||
            store_bind_int64(s, st, 3, r->root_expires, err) < 0 ||
            store_bind_int64(s, st, 4, r->created_at, err) < 0)
                return -1;
        if (sqlite3_step(st) != SQLITE_DONE) {
                if (store_is_unique_violation(s, NULL, 0))
                        return error_set(err, ERROR_CONFLICT, "the product has an image repository already");
                return store_fail(s, err, "inserting a repository");
        }
        return 0;
}

int store_repo_get(struct store *s, int64_t product_id, struct store_repo *out, struct error *err) {
        memset(out, 0, sizeof(*out));
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "SELECT " REPO_COLUMNS REPO_FROM "WHERE r.product_id = ?1", &st, err) < 0 ||
            store_bind_int64(s, st, 1, product_id, err) < 0)
                return -1;
        int rc = store_step_row(s, st, "reading a repository", err);
        if (rc < 0)
                return -1;
        if (rc == 0)
                return error_set(err, ERROR_NOT_FOUND, "the product has no image repository yet");
        return repo_from_row(st, out, err);
}

int store_repo_update(struct store *s, const struct store_repo *r, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "UPDATE repos SET root_version = ?2, root_expires = ?3, targets_version = ?4, "
                             "targets_expires = ?5, snapshot_version = ?6, snapshot_expires = ?7, "
                             "timestamp_version = ?8, timestamp_expires = ?9, updated_at = ?10 "
                             "WHERE product_id = ?1",
                          &st, err) < 0 ||
            store_bind_int64(s, st, 1, r->product_id, err) < 0 ||
            store_bind_int64(s, st, 2, r->root_version, err) < 0 ||
            store_bind_int64(s, st, 3, r->root_expires, err) < 0 ||
            store_bind_int64(s, st, 4, r->targets_version, err) < 0 ||
            store_bind_opt_int64(s, st, 5, r->targets_expires, err) < 0 ||
            store_bind_int64(s, st, 6, r->snapshot_version, err) < 0 ||
            store_bind_opt_int64(s, st, 7, r->snapshot_expires, err) < 0 ||
            store_bind_int64(s, st, 8, r->timestamp_version, err) < 0 ||
            store_bind_opt_int64(s, st, 9, r->timestamp_expires, err) < 0 ||
            store_bind_int64(s, st, 10, r->updated_at, err) < 0)
                return -1;
        if (store_step_done(s, st, "updating a repository", err) < 0)
                return -1;
        if (sqlite3_changes(s->db) == 0)
                return error_set(err, ERROR_NOT_FOUND, "the product has no image repository yet");
        return 0;
}

int store_repo_list(struct store *s, struct store_repo **out, size_t *n_out, struct error *err) {
        *out = NULL;
        *n_out = 0;
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "SELECT " REPO_COLUMNS REPO_FROM "ORDER BY r.product_id", &st, err) < 0)
                return -1;
        struct store_repo *list = NULL;
        size_t n = 0, cap = 0;
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                STORE_LIST_GROW(list, n, cap);
                if (repo_from_row(st, &list[n], err) < 0) {
                        store_repo_list_free(list, n);
                        return -1;
                }
                n++;
        }
        if (rc != SQLITE_DONE) {
                store_repo_list_free(list, n);
                return store_fail(s, err, "listing repositories");
        }
        *out = list;
        *n_out = n;
        return 0;
}

void store_repo_clear(struct store_repo *r) {
        if (!r)
                return;
        free(r->product_model);
        memset(r, 0, sizeof(*r));
}

void store_repo_list_free(struct store_repo *list, size_t n) {
        for (size_t i = 0; i < n; i++)
                store_repo_clear(&list[i]);
        free(list);
}

int store_repo_root_insert(struct store *s, int64_t product_id, int64_t version, const char *document,
                           int64_t when, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "INSERT INTO repo_roots (product_id, version, document, installed_at) "
                             "VALUES (?1, ?2, ?3, ?4)",
                          &st, err) < 0 ||
            store_bind_int64(s, st, 1, product_id, err) < 0 || store_bind_int64(s, st, 2, version, err) < 0 ||
            store_bind_text(s, st, 3, document, err) < 0 || store_bind_int64(s, st, 4, when, err) < 0)
                return -1;
        if (sqlite3_step(st) != SQLITE_DONE) {
                if (store_is_unique_violation(s, NULL, 0))
                        return error_set(err, ERROR_CONFLICT, "root version %lld is installed already",
                                         (long long) version);
                return store_fail(s, err, "inserting a root");
        }
        return 0;
}

int store_repo_root_get(struct store *s, int64_t product_id, int64_t version, char **document,
                        struct error *err) {
        *document = NULL;
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "SELECT document FROM repo_roots WHERE product_id = ?1 AND version = ?2", &st,
                          err) < 0 ||
            store_bind_int64(s, st, 1, product_id, err) < 0 || store_bind_int64(s, st, 2, version, err) < 0)
                return -1;
        int rc = store_step_row(s, st, "reading a root", err);
        if (rc < 0)
                return -1;
        if (rc == 0)
                return error_set(err, ERROR_NOT_FOUND, "no root version %lld", (long long) version);
        *document = store_column_text(st, 0);
        if (!*document)
                return error_set(err, ERROR_DB, "root version %lld has no document", (long long) version);
        return 0;
}

static int root_docs_read(struct store *s, sqlite3_stmt *st, bool with_product, const char *what,
                          struct store_root_doc **out, size_t *n_out, struct error *err) {
        struct store_root_doc *list = NULL;
        size_t n = 0, cap = 0;
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                STORE_LIST_GROW(list, n, cap);
                memset(&list[n], 0, sizeof(list[n]));
                if (with_product) {
                        list[n].product_id = sqlite3_column_int64(st, 0);
                        list[n].product_model = store_column_text(st, 1);
                }
                list[n].version = sqlite3_column_int64(st, 2);
                list[n].document = store_column_text(st, 3);
                n++;
                if (!list[n - 1].document) {
                        store_root_docs_free(list, n);
                        return error_set(err, ERROR_DB, "%s: a root has no document", what);
                }
        }
        if (rc != SQLITE_DONE) {
                store_root_docs_free(list, n);
                return store_fail(s, err, what);
        }
        *out = list;
        *n_out = n;
        return 0;
}

int store_repo_roots_all(struct store *s, struct store_root_doc **out, size_t *n, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        *out = NULL;
        *n = 0;
        if (store_prepare(s, "SELECT r.product_id, p.model, r.version, r.document FROM repo_roots r "
                             "JOIN products p ON p.id = r.product_id ORDER BY r.product_id, r.version",
                          &st, err) < 0)
                return -1;
        return root_docs_read(s, st, true, "listing image repository roots", out, n, err);
}

int store_director_roots_all(struct store *s, struct store_root_doc **out, size_t *n, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        *out = NULL;
        *n = 0;
        if (store_prepare(s, "SELECT 0, NULL, version, document FROM director_roots ORDER BY version", &st, err) < 0)
                return -1;
        return root_docs_read(s, st, false, "listing director roots", out, n, err);
}

void store_root_docs_free(struct store_root_doc *list, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(list[i].product_model);
                free(list[i].document);
        }
        free(list);
}

int store_online_key_insert(struct store *s, const struct store_online_key *k, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "INSERT INTO repo_online_keys (product_id, role, key_ref, keyid, status, created_at) "
                             "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                          &st, err) < 0 ||
            store_bind_int64(s, st, 1, k->product_id, err) < 0 || store_bind_text(s, st, 2, k->role, err) < 0 ||
            store_bind_text(s, st, 3, k->key_ref, err) < 0 || store_bind_text(s, st, 4, k->keyid, err) < 0 ||
            store_bind_text(s, st, 5, k->status, err) < 0 || store_bind_int64(s, st, 6, k->created_at, err) < 0)
                return -1;
        if (sqlite3_step(st) != SQLITE_DONE) {
                if (store_is_unique_violation(s, NULL, 0))
                        return error_set(err, ERROR_CONFLICT, "the product has a %s %s key already", k->status,
                                         k->role);
                return store_fail(s, err, "inserting an online key");
        }
        return 0;
}

int store_online_key_get(struct store *s, int64_t product_id, const char *role, const char *status,
                         struct store_online_key *out, struct error *err) {
        memset(out, 0, sizeof(*out));
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "SELECT id, product_id, role, key_ref, keyid, status, created_at FROM repo_online_keys "
                             "WHERE product_id = ?1 AND role = ?2 AND status = ?3 ORDER BY id DESC LIMIT 1",
                          &st, err) < 0 ||
            store_bind_int64(s, st, 1, product_id, err) < 0 || store_bind_text(s, st, 2, role, err) < 0 ||
            store_bind_text(s, st, 3, status, err) < 0)
                return -1;
        int rc = store_step_row(s, st, "reading an online key", err);
        if (rc < 0)
                return -1;
        if (rc == 0)
                return error_set(err, ERROR_NOT_FOUND, "the product has no %s %s key", status, role);
        out->id = sqlite3_column_int64(st, 0);
        out->product_id = sqlite3_column_int64(st, 1);
        bool ok = store_column_fixed(st, 2, out->role, sizeof(out->role));
        out->key_ref = store_column_text(st, 3);
        ok = store_column_fixed(st, 4, out->keyid, sizeof(out->keyid)) && ok;
        ok = store_column_fixed(st, 5, out->status, sizeof(out->status)) && ok;
        out->created_at = sqlite3_column_int64(st, 6);
        if (!ok || !out->key_ref) {
                store_online_key_clear(out);
                return error_set(err, ERROR_DB, "online %s key has a malformed row", role);
        }
        return 0;
}

int store_online_key_set_status(struct store *s, int64_t id, const char *status, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "UPDATE repo_online_keys SET status = ?2 WHERE id = ?1", &st, err) < 0 ||
            store_bind_int64(s, st, 1, id, err) < 0 || store_bind_text(s, st, 2, status, err) < 0)
                return -1;
        return store_step_done(s, st, "updating an online key", err);
}

void store_online_key_clear(struct store_online_key *k) {
        if (!k)
                return;
        free(k->key_ref);
        memset(k, 0, sizeof(*k));
}

/* Secrets at rest (issue 11 section 6): every online key kept as a file, for
 * the start-up sealing. */
int store_online_key_file_refs(struct store *s, char ***refs_out, size_t *n_out, struct error *err) {
        *refs_out = NULL;
        *n_out = 0;
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "SELECT DISTINCT key_ref FROM repo_online_keys WHERE key_ref NOT LIKE 'pkcs11:%' "
                             "ORDER BY key_ref", &st, err) < 0)
                return -1;
        char **refs = NULL;
        size_t n = 0, cap = 0;
        for (;;) {
                int rc = store_step_row(s, st, "listing online key files", err);
                if (rc < 0) {
                        store_strings_free(refs, n);
                        return -1;
                }
                if (rc == 0)
                        break;
                char *ref = store_column_text(st, 0);
                if (!ref)
                        continue;
                if (n == cap) {
                        cap = cap ? 2 * cap : 8;
                        refs = xrealloc(refs, cap * sizeof(*refs));
                }
                refs[n++] = ref;
        }
        *refs_out = refs;
        *n_out = n;
        return 0;
}

void store_strings_free(char **list, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(list[i]);
        free(list);
}

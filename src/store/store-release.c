/* SPDX-License-Identifier: Apache-2.0 */
/* images, releases and release_images rows (schema version 4). */
#include <stdlib.h>
#include <string.h>
#include "core/cleanup.h"
#include "core/strutil.h"
#include "store/store-identity-private.h"
#include "store/store-release.h"
#include "store/store-sbom.h"

static const char *const release_status_names[] = { "draft", "signed", "published", "withdrawn" };

const char *store_release_status_name(enum store_release_status v) {
        return (size_t) v < ELEMENTSOF(release_status_names) ? release_status_names[v] : "unknown";
}

int store_release_status_parse(const char *s, enum store_release_status *out) {
        int i = store_name_index(release_status_names, ELEMENTSOF(release_status_names), s);
        if (i < 0)
                return -1;
        *out = (enum store_release_status) i;
        return 0;
}

/* ---- images ---- */

int store_image_put(struct store *s, const char *sha256, int64_t length, int64_t now,
                    struct error *err) {
        struct store_image cur;
        struct error e = {0};
        if (store_image_get(s, sha256, &cur, &e) == 0) {
                if (cur.length != length)
                        return error_set(err, ERROR_CONFLICT, "image %s is recorded with length %lld, not %lld",
                                         sha256, (long long) cur.length, (long long) length);
                if (cur.deleted_at == 0)
                        return 0;
                _cleanup_stmt_ sqlite3_stmt *st = NULL;
                if (store_prepare(s, "UPDATE images SET deleted_at = NULL WHERE sha256 = ?1", &st, err) < 0 ||
                    store_bind_text(s, st, 1, sha256, err) < 0)
                        return -1;
                return store_step_done(s, st, "restoring an image", err);
        }
        if (e.kind != ERROR_NOT_FOUND) {
                if (err)
                        *err = e;
                return -1;
        }
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "INSERT INTO images (sha256, length, created_at) VALUES (?1, ?2, ?3)", &st, err) < 0 ||
            store_bind_text(s, st, 1, sha256, err) < 0 || store_bind_int64(s, st, 2, length, err) < 0 ||
            store_bind_int64(s, st, 3, now, err) < 0)
                return -1;
        return store_step_done(s, st, "inserting an image", err);
}

int store_image_get(struct store *s, const char *sha256, struct store_image *out, struct error *err) {
        memset(out, 0, sizeof(*out));
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "SELECT sha256, length, created_at, deleted_at FROM images WHERE sha256 = ?1", &st,
                          err) < 0 ||
            store_bind_text(s, st, 1, sha256, err) < 0)
                return -1;
        int rc = store_step_row(s, st, "reading an image", err);
        if (rc < 0)
                return -1;
        if (rc == 0)
                return error_set(err, ERROR_NOT_FOUND, "no image with SHA-256 %.64s", sha256);
        if (!store_column_fixed(st, 0, out->sha256, sizeof(out->sha256)))
                return error_set(err, ERROR_DB, "image row has a malformed hash");
        out->length = sqlite3_column_int64(st, 1);
        out->created_at = sqlite3_column_int64(st, 2);
        out->deleted_at = store_column_opt_int64(st, 3);
        return 0;
}

int store_image_mark_deleted(struct store *s, const char *sha256, int64_t when, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "UPDATE images SET deleted_at = ?2 WHERE sha256 = ?1", &st, err) < 0 ||
            store_bind_text(s, st, 1, sha256, err) < 0 || store_bind_int64(s, st, 2, when, err) < 0)
                return -1;
        return store_step_done(s, st, "deleting an image", err);
}

int store_image_uses(struct store *s, const char *sha256, struct store_image_use **out, size_t *n_out,
                     struct error *err) {
        *out = NULL;
        *n_out = 0;
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s,
                          "SELECT r.id, r.version, p.model, p.support_end, r.status, r.published_at, ri.name "
                          "FROM release_images ri JOIN releases r ON r.id = ri.release_id "
                          "JOIN products p ON p.id = r.product_id WHERE ri.sha256 = ?1 "
                          "UNION ALL "
                          "SELECT r.id, r.version, p.model, p.support_end, r.status, r.published_at, NULL "
                          "FROM releases r JOIN products p ON p.id = r.product_id WHERE r.sbom_sha256 = ?1 "
                          /* the parsed SBOMs of a release's modules (issue 9): their files are kept
                           * like the release's own */
                          "UNION ALL "
                          "SELECT r.id, r.version, p.model, p.support_end, r.status, r.published_at, NULL "
                          "FROM sbom_documents d JOIN releases r ON r.id = d.release_id "
                          "JOIN products p ON p.id = r.product_id WHERE d.sha256 = ?1 "
                          "AND (r.sbom_sha256 IS NULL OR r.sbom_sha256 <> ?1) "
                          "ORDER BY 1",
                          &st, err) < 0 ||
            store_bind_text(s, st, 1, sha256, err) < 0)
                return -1;
        struct store_image_use *list = NULL;
        size_t n = 0, cap = 0;
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                STORE_LIST_GROW(list, n, cap);
                struct store_image_use *u = &list[n];
                memset(u, 0, sizeof(*u));
                u->release_id = sqlite3_column_int64(st, 0);
                u->release_version = store_column_text(st, 1);
                u->product_model = store_column_text(st, 2);
                u->support_end = store_column_text(st, 3);
                _cleanup_free_ char *status = store_column_text(st, 4);
                u->published_at = store_column_opt_int64(st, 5);
                u->image_name = store_column_text(st, 6);
                n++;
                if (!u->release_version || !u->product_model || !u->support_end ||
                    store_release_status_parse(status, &u->status) < 0) {
                        store_image_uses_free(list, n);
                        return error_set(err, ERROR_DB, "release %lld has a malformed row",
                                         (long long) u->release_id);
                }
        }
        if (rc != SQLITE_DONE) {
                store_image_uses_free(list, n);
                return store_fail(s, err, "listing the releases of an image");
        }
        *out = list;
        *n_out = n;
        return 0;
}

void store_image_uses_free(struct store_image_use *list, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(list[i].release_version);
                free(list[i].product_model);
                free(list[i].support_end);
                free(list[i].image_name);
        }
        free(list);
}

int store_image_detach_from_drafts(struct store *s, const char *sha256, int64_t *n_changed,
                                   struct error *err) {
        struct store_atomic a;
        int64_t changed = 0;
        if (store_atomic_begin(s, &a, err) < 0)
                return -1;
        {
                /* Drafts that lose something lose their prepared metadata too. */
                _cleanup_stmt_ sqlite3_stmt *up = NULL;
                if (store_prepare(s, "UPDATE releases SET targets_version = NULL, targets_base_version = NULL, "
                                     "targets_metadata = NULL, prepared_at = NULL "
                                     "WHERE status = 'draft' AND (sbom_sha256 = ?1 OR id IN "
                                     "(SELECT release_id FROM release_images WHERE sha256 = ?1))",
                                  &up, err) < 0 ||
                    store_bind_text(s, up, 1, sha256, err) < 0 ||
                    store_step_done(s, up, "updating draft releases", err) < 0)
                        goto fail;
                changed = sqlite3_changes(s->db);
                _cleanup_stmt_ sqlite3_stmt *del = NULL;
                if (store_prepare(s, "DELETE FROM release_images WHERE sha256 = ?1 AND release_id IN "
                                     "(SELECT id FROM releases WHERE status = 'draft')",
                                  &del, err) < 0 ||
                    store_bind_text(s, del, 1, sha256, err) < 0 ||
                    store_step_done(s, del, "removing an image from draft releases", err) < 0)
                        goto fail;
                _cleanup_stmt_ sqlite3_stmt *sb = NULL;
                if (store_prepare(s, "UPDATE releases SET sbom_sha256 = NULL, sbom_media_type = NULL "
                                     "WHERE status = 'draft' AND sbom_sha256 = ?1",
                                  &sb, err) < 0 ||
                    store_bind_text(s, sb, 1, sha256, err) < 0 ||
                    store_step_done(s, sb, "removing an SBOM from draft releases", err) < 0)
                        goto fail;
                /* The parsed documents of that file go with it from drafts (issue 9). */
                if (store_sbom_documents_of_file_delete_drafts(s, sha256, err) < 0)
                        goto fail;
        }
        if (store_atomic_commit(s, &a, err) < 0)
                return -1;
        if (n_changed)
                *n_changed = changed;
        return 0;
fail:
        store_atomic_rollback(s, &a);
        return -1;
}

/* ---- releases ---- */

#define RELEASE_COLUMNS "r.id, r.product_id, p.model, r.version, r.security_version, r.hardware_revisions, " \
        "r.notes, r.status, r.sbom_sha256, r.sbom_media_type, r.targets_version, r.targets_base_version, "   \
        "r.targets_metadata, r.created_at, r.created_by, r.prepared_at, r.signed_at, r.published_at, "       \
        "r.withdrawn_at, r.withdraw_reason"
#define RELEASE_FROM " FROM releases r JOIN products p ON p.id = r.product_id "

static int release_from_row(sqlite3_stmt *st, struct store_release *r, struct error *err) {
        memset(r, 0, sizeof(*r));
        r->id = sqlite3_column_int64(st, 0);
        r->product_id = sqlite3_column_int64(st, 1);
        r->product_model = store_column_text(st, 2);
        r->version = store_column_text(st, 3);
        r->security_version = sqlite3_column_int64(st, 4);
        r->hardware_revisions = store_column_text(st, 5);
        r->notes = store_column_text(st, 6);
        _cleanup_free_ char *status = store_column_text(st, 7);
        r->sbom_sha256 = store_column_text(st, 8);
        r->sbom_media_type = store_column_text(st, 9);
        r->targets_version = store_column_opt_int64(st, 10);
        r->targets_base_version = store_column_opt_int64(st, 11);
        r->targets_metadata = store_column_text(st, 12);
        r->created_at = sqlite3_column_int64(st, 13);
        r->created_by = store_column_text(st, 14);
        r->prepared_at = store_column_opt_int64(st, 15);
        r->signed_at = store_column_opt_int64(st, 16);
        r->published_at = store_column_opt_int64(st, 17);
        r->withdrawn_at = store_column_opt_int64(st, 18);
        r->withdraw_reason = store_column_text(st, 19);
        if (!r->product_model || !r->version || !r->hardware_revisions || !r->notes || !r->created_by ||
            store_release_status_parse(status, &r->status) < 0) {
                int64_t id = r->id;
                store_release_clear(r);
                return error_set(err, ERROR_DB, "release %lld has a malformed row", (long long) id);
        }
        return 0;
}

int store_release_insert(struct store *s, const struct store_release *r, int64_t *id_out,
                         struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "INSERT INTO releases (product_id, version, security_version, hardware_revisions, "
                             "notes, status, created_at, created_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                          &st, err) < 0 ||
            store_bind_int64(s, st, 1, r->product_id, err) < 0 || store_bind_text(s, st, 2, r->version, err) < 0 ||
            store_bind_int64(s, st, 3, r->security_version, err) < 0 ||
            store_bind_text(s, st, 4, r->hardware_revisions, err) < 0 ||
            store_bind_text(s, st, 5, r->notes, err) < 0 ||
            store_bind_text(s, st, 6, store_release_status_name(r->status), err) < 0 ||
            store_bind_int64(s, st, 7, r->created_at, err) < 0 || store_bind_text(s, st, 8, r->created_by, err) < 0)
                return -1;
        if (sqlite3_step(st) != SQLITE_DONE) {
                if (store_is_unique_violation(s, NULL, 0)) {
                        char safe[80];
                        str_sanitize(r->version, strlen(r->version), safe, sizeof(safe));
                        return error_set(err, ERROR_CONFLICT, "the product already has a release '%s'", safe);
                }
                return store_fail(s, err, "inserting a release");
        }
        if (id_out)
                *id_out = sqlite3_last_insert_rowid(s->db);
        return 0;
}

int store_release_get(struct store *s, int64_t id, struct store_release *out, struct error *err) {
        memset(out, 0, sizeof(*out));
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "SELECT " RELEASE_COLUMNS RELEASE_FROM "WHERE r.id = ?1", &st, err) < 0 ||
            store_bind_int64(s, st, 1, id, err) < 0)
                return -1;
        int rc = store_step_row(s, st, "reading a release", err);
        if (rc < 0)
                return -1;
        if (rc == 0)
                return error_set(err, ERROR_NOT_FOUND, "no release with id %lld", (long long) id);
        return release_from_row(st, out, err);
}

static int release_list_query(struct store *s, sqlite3_stmt *st, struct store_release **out, size_t *n_out,
                              struct error *err) {
        struct store_release *list = NULL;
        size_t n = 0, cap = 0;
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                STORE_LIST_GROW(list, n, cap);
                if (release_from_row(st, &list[n], err) < 0) {
                        store_release_list_free(list, n);
                        return -1;
                }
                n++;
        }
        if (rc != SQLITE_DONE) {
                store_release_list_free(list, n);
                return store_fail(s, err, "listing releases");
        }
        *out = list;
        *n_out = n;
        return 0;
}

int store_release_list(struct store *s, int64_t product_id, int status, int64_t before, size_t limit,
                       struct store_release **out, size_t *n_out, struct error *err) {
        *out = NULL;
        *n_out = 0;
        if (limit == 0)
                limit = STORE_RELEASE_LIST_MAX;
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "SELECT " RELEASE_COLUMNS RELEASE_FROM
                             "WHERE (?1 = 0 OR r.product_id = ?1) AND (?2 = '' OR r.status = ?2) "
                             "AND (?3 = 0 OR r.id < ?3) ORDER BY r.id DESC LIMIT ?4",
                          &st, err) < 0 ||
            store_bind_int64(s, st, 1, product_id, err) < 0 ||
            store_bind_text(s, st, 2, status < 0 ? "" : store_release_status_name((enum store_release_status) status),
                            err) < 0 ||
            store_bind_int64(s, st, 3, before, err) < 0 || store_bind_int64(s, st, 4, (int64_t) limit, err) < 0)
                return -1;
        return release_list_query(s, st, out, n_out, err);
}

static int release_get_one(struct store *s, sqlite3_stmt *st, struct store_release *out, const char *what,
                           struct error *err) {
        int rc = store_step_row(s, st, "reading a release", err);
        if (rc < 0)
                return -1;
        if (rc == 0)
                return error_set(err, ERROR_NOT_FOUND, "%s", what);
        return release_from_row(st, out, err);
}

int store_release_highest_security(struct store *s, int64_t product_id, struct store_release *out,
                                   struct error *err) {
        memset(out, 0, sizeof(*out));
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "SELECT " RELEASE_COLUMNS RELEASE_FROM "WHERE r.product_id = ?1 "
                             "ORDER BY r.security_version DESC, r.id DESC LIMIT 1",
                          &st, err) < 0 ||
            store_bind_int64(s, st, 1, product_id, err) < 0)
                return -1;
        return release_get_one(s, st, out, "the product has no release", err);
}

int store_release_by_published_targets(struct store *s, int64_t product_id, int64_t version,
                                       struct store_release *out, struct error *err) {
        memset(out, 0, sizeof(*out));
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "SELECT " RELEASE_COLUMNS RELEASE_FROM "WHERE r.product_id = ?1 AND "
                             "r.targets_version = ?2 AND r.published_at IS NOT NULL",
                          &st, err) < 0 ||
            store_bind_int64(s, st, 1, product_id, err) < 0 || store_bind_int64(s, st, 2, version, err) < 0)
                return -1;
        return release_get_one(s, st, out, "no published release made this targets version", err);
}

int store_release_update(struct store *s, const struct store_release *r, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "UPDATE releases SET status = ?2, sbom_sha256 = ?3, sbom_media_type = ?4, "
                             "targets_version = ?5, targets_base_version = ?6, targets_metadata = ?7, "
                             "prepared_at = ?8, signed_at = ?9, published_at = ?10, withdrawn_at = ?11, "
                             "withdraw_reason = ?12 WHERE id = ?1",
                          &st, err) < 0 ||
            store_bind_int64(s, st, 1, r->id, err) < 0 ||
            store_bind_text(s, st, 2, store_release_status_name(r->status), err) < 0 ||
            store_bind_text(s, st, 3, r->sbom_sha256, err) < 0 ||
            store_bind_text(s, st, 4, r->sbom_media_type, err) < 0 ||
            store_bind_opt_int64(s, st, 5, r->targets_version, err) < 0 ||
            store_bind_opt_int64(s, st, 6, r->targets_base_version, err) < 0 ||
            store_bind_text(s, st, 7, r->targets_metadata, err) < 0 ||
            store_bind_opt_int64(s, st, 8, r->prepared_at, err) < 0 ||
            store_bind_opt_int64(s, st, 9, r->signed_at, err) < 0 ||
            store_bind_opt_int64(s, st, 10, r->published_at, err) < 0 ||
            store_bind_opt_int64(s, st, 11, r->withdrawn_at, err) < 0 ||
            store_bind_text(s, st, 12, r->withdraw_reason, err) < 0)
                return -1;
        if (store_step_done(s, st, "updating a release", err) < 0)
                return -1;
        if (sqlite3_changes(s->db) == 0)
                return error_set(err, ERROR_NOT_FOUND, "no release with id %lld", (long long) r->id);
        return 0;
}

int store_release_support_end(struct store *s, int64_t product_id, char **out, struct error *err) {
        *out = NULL;
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "SELECT support_end FROM products WHERE id = ?1", &st, err) < 0 ||
            store_bind_int64(s, st, 1, product_id, err) < 0)
                return -1;
        int rc = store_step_row(s, st, "reading a product", err);
        if (rc < 0)
                return -1;
        if (rc == 0)
                return error_set(err, ERROR_NOT_FOUND, "no product with id %lld", (long long) product_id);
        *out = store_column_text(st, 0);
        return *out ? 0 : error_set(err, ERROR_DB, "product %lld has no support end", (long long) product_id);
}

void store_release_clear(struct store_release *r) {
        if (!r)
                return;
        free(r->product_model);
        free(r->version);
        free(r->hardware_revisions);
        free(r->notes);
        free(r->sbom_sha256);
        free(r->sbom_media_type);
        free(r->targets_metadata);
        free(r->created_by);
        free(r->withdraw_reason);
        memset(r, 0, sizeof(*r));
}

void store_release_list_free(struct store_release *list, size_t n) {
        for (size_t i = 0; i < n; i++)
                store_release_clear(&list[i]);
        free(list);
}

/* ---- release images ---- */

int store_release_image_put(struct store *s, const struct store_release_image *img, bool *replaced,
                            struct error *err) {
        struct store_atomic a;
        if (store_atomic_begin(s, &a, err) < 0)
                return -1;
        {
                _cleanup_stmt_ sqlite3_stmt *del = NULL;
                if (store_prepare(s, "DELETE FROM release_images WHERE release_id = ?1 AND name = ?2", &del, err) < 0 ||
                    store_bind_int64(s, del, 1, img->release_id, err) < 0 ||
                    store_bind_text(s, del, 2, img->name, err) < 0 ||
                    store_step_done(s, del, "replacing a release image", err) < 0)
                        goto fail;
                if (replaced)
                        *replaced = sqlite3_changes(s->db) > 0;
                _cleanup_stmt_ sqlite3_stmt *ins = NULL;
                if (store_prepare(s, "INSERT INTO release_images (release_id, name, sha256, length, created_at) "
                                     "VALUES (?1, ?2, ?3, ?4, ?5)",
                                  &ins, err) < 0 ||
                    store_bind_int64(s, ins, 1, img->release_id, err) < 0 ||
                    store_bind_text(s, ins, 2, img->name, err) < 0 ||
                    store_bind_text(s, ins, 3, img->sha256, err) < 0 ||
                    store_bind_int64(s, ins, 4, img->length, err) < 0 ||
                    store_bind_int64(s, ins, 5, img->created_at, err) < 0 ||
                    store_step_done(s, ins, "adding a release image", err) < 0)
                        goto fail;
        }
        return store_atomic_commit(s, &a, err);
fail:
        store_atomic_rollback(s, &a);
        return -1;
}

int store_release_images(struct store *s, int64_t release_id, struct store_release_image **out, size_t *n_out,
                         struct error *err) {
        *out = NULL;
        *n_out = 0;
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "SELECT release_id, name, sha256, length, created_at FROM release_images "
                             "WHERE release_id = ?1 ORDER BY name",
                          &st, err) < 0 ||
            store_bind_int64(s, st, 1, release_id, err) < 0)
                return -1;
        struct store_release_image *list = NULL;
        size_t n = 0, cap = 0;
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                STORE_LIST_GROW(list, n, cap);
                struct store_release_image *im = &list[n];
                memset(im, 0, sizeof(*im));
                im->release_id = sqlite3_column_int64(st, 0);
                im->name = store_column_text(st, 1);
                bool ok = store_column_fixed(st, 2, im->sha256, sizeof(im->sha256));
                im->length = sqlite3_column_int64(st, 3);
                im->created_at = sqlite3_column_int64(st, 4);
                n++;
                if (!im->name || !ok) {
                        store_release_images_free(list, n);
                        return error_set(err, ERROR_DB, "release %lld has a malformed image row",
                                         (long long) release_id);
                }
        }
        if (rc != SQLITE_DONE) {
                store_release_images_free(list, n);
                return store_fail(s, err, "listing release images");
        }
        *out = list;
        *n_out = n;
        return 0;
}

void store_release_images_free(struct store_release_image *list, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(list[i].name);
        free(list);
}

int store_repo_targets_published(struct store *s, int64_t product_id, struct store_repo_target **out,
                                 size_t *n_out, struct error *err) {
        *out = NULL;
        *n_out = 0;
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "SELECT r.id, r.version, r.security_version, r.hardware_revisions, ri.name, "
                             "ri.sha256, ri.length FROM releases r "
                             "JOIN release_images ri ON ri.release_id = r.id "
                             "JOIN images i ON i.sha256 = ri.sha256 "
                             "WHERE r.product_id = ?1 AND r.status = 'published' AND i.deleted_at IS NULL "
                             "ORDER BY r.id, ri.name",
                          &st, err) < 0 ||
            store_bind_int64(s, st, 1, product_id, err) < 0)
                return -1;
        struct store_repo_target *list = NULL;
        size_t n = 0, cap = 0;
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                STORE_LIST_GROW(list, n, cap);
                struct store_repo_target *t = &list[n];
                memset(t, 0, sizeof(*t));
                t->release_id = sqlite3_column_int64(st, 0);
                t->release_version = store_column_text(st, 1);
                t->security_version = sqlite3_column_int64(st, 2);
                t->hardware_revisions = store_column_text(st, 3);
                t->name = store_column_text(st, 4);
                bool ok = store_column_fixed(st, 5, t->sha256, sizeof(t->sha256));
                t->length = sqlite3_column_int64(st, 6);
                n++;
                if (!t->release_version || !t->hardware_revisions || !t->name || !ok) {
                        store_repo_targets_free(list, n);
                        return error_set(err, ERROR_DB, "release %lld has a malformed image row",
                                         (long long) t->release_id);
                }
        }
        if (rc != SQLITE_DONE) {
                store_repo_targets_free(list, n);
                return store_fail(s, err, "listing published targets");
        }
        *out = list;
        *n_out = n;
        return 0;
}

void store_repo_targets_free(struct store_repo_target *list, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(list[i].release_version);
                free(list[i].hardware_revisions);
                free(list[i].name);
        }
        free(list);
}

/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * OTA rows (schema version 4): content-addressed images (firmware images and
 * SBOMs), releases and the images they carry, and the per-product TUF image
 * repository (its state, every root it has had, its online keys). Plain rows
 * in, plain rows out; every rule lives in src/release/ and src/repo/.
 * Strings in rows are heap copies owned by the row (free with the matching
 * *_clear); NULL means SQL NULL; a time or version of 0 means "none".
 *
 * Errors: ERROR_NOT_FOUND ("no release with id 7"), ERROR_CONFLICT on a UNIQUE
 * violation, ERROR_DB / ERROR_UNAVAILABLE from the database.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "store/store.h"

enum store_release_status {
        STORE_RELEASE_DRAFT,
        STORE_RELEASE_SIGNED,
        STORE_RELEASE_PUBLISHED,
        STORE_RELEASE_WITHDRAWN,
};
/* "draft" "signed" "published" "withdrawn" */
const char *store_release_status_name(enum store_release_status v);
/* -1 when unknown (no error set: callers name the field). */
int store_release_status_parse(const char *s, enum store_release_status *out);

/* ---- images (content-addressed files) ---- */

struct store_image {
        char sha256[65];
        int64_t length;
        int64_t created_at;
        int64_t deleted_at; /* 0 while the file is kept */
};

/* Records an image; an existing row keeps its created_at, and a deleted one
 * becomes live again. ERROR_CONFLICT when a row with that hash has another
 * length (cannot happen for SHA-256 short of a broken invariant). */
int store_image_put(struct store *s, const char *sha256, int64_t length, int64_t now,
                    struct error *err);
int store_image_get(struct store *s, const char *sha256, struct store_image *out, struct error *err);
int store_image_mark_deleted(struct store *s, const char *sha256, int64_t when, struct error *err);

/* A release that refers to an image (as one of its images or as its SBOM). */
struct store_image_use {
        int64_t release_id;
        char *release_version;
        char *product_model;
        char *support_end;          /* the product's, "YYYY-MM-DD" */
        enum store_release_status status;
        int64_t published_at;       /* 0 = never published */
        char *image_name;           /* NULL when it is the release's SBOM */
};
int store_image_uses(struct store *s, const char *sha256, struct store_image_use **out, size_t *n,
                     struct error *err);
void store_image_uses_free(struct store_image_use *list, size_t n);
/* Removes an image from every draft release that carries it (as image or
 * SBOM) and drops those releases' prepared targets metadata. *n_changed
 * counts the releases changed. */
int store_image_detach_from_drafts(struct store *s, const char *sha256, int64_t *n_changed,
                                   struct error *err);

/* ---- releases ---- */

struct store_release {
        int64_t id;
        int64_t product_id;
        char *product_model;        /* read only (joined) */
        char *version;
        int64_t security_version;
        char *hardware_revisions;   /* JSON array of strings */
        char *notes;
        enum store_release_status status;
        char *sbom_sha256;          /* NULL = no SBOM */
        char *sbom_media_type;
        int64_t targets_version;    /* prepared targets metadata version; 0 = not prepared */
        int64_t targets_base_version;
        char *targets_metadata;     /* JSON document; NULL = not prepared */
        int64_t created_at;
        char *created_by;
        int64_t prepared_at, signed_at, published_at, withdrawn_at;
        char *withdraw_reason;
};

/* ERROR_CONFLICT "product T1-EU already has a release 1.2.0". */
int store_release_insert(struct store *s, const struct store_release *r, int64_t *id_out,
                         struct error *err);
int store_release_get(struct store *s, int64_t id, struct store_release *out, struct error *err);
/* product_id 0 = every product; status < 0 = any. Newest first by id,
 * at most `limit` (0 = STORE_RELEASE_LIST_MAX; the caller bounds larger
 * values) with id < before (0 = no bound). */
#define STORE_RELEASE_LIST_MAX 1000
int store_release_list(struct store *s, int64_t product_id, int status, int64_t before, size_t limit,
                       struct store_release **out, size_t *n_out, struct error *err);
/* The release with the highest security version of a product (ties: the
 * newest). ERROR_NOT_FOUND when the product has none. */
int store_release_highest_security(struct store *s, int64_t product_id, struct store_release *out,
                                   struct error *err);
/* The published (or since withdrawn) release whose publication made targets
 * version `version` of the product. ERROR_NOT_FOUND when there is none. */
int store_release_by_published_targets(struct store *s, int64_t product_id, int64_t version,
                                       struct store_release *out, struct error *err);
/* Writes the mutable columns: status, sbom_*, targets_*, prepared/signed/
 * published/withdrawn_at, withdraw_reason. ERROR_NOT_FOUND. */
int store_release_update(struct store *s, const struct store_release *r, struct error *err);
/* The product's support_end ("YYYY-MM-DD", heap). ERROR_NOT_FOUND. */
int store_release_support_end(struct store *s, int64_t product_id, char **out, struct error *err);
void store_release_clear(struct store_release *r);
void store_release_list_free(struct store_release *list, size_t n);

struct store_release_image {
        int64_t release_id;
        char *name;
        char sha256[65];
        int64_t length;
        int64_t created_at;
};

/* Adds an image to a release, replacing one of the same name. *replaced
 * (may be NULL) says whether it did. */
int store_release_image_put(struct store *s, const struct store_release_image *img, bool *replaced,
                            struct error *err);
/* By name. */
int store_release_images(struct store *s, int64_t release_id, struct store_release_image **out,
                         size_t *n, struct error *err);
void store_release_images_free(struct store_release_image *list, size_t n);

/* A target of the product's image repository: an image of a published
 * release whose file is still kept. */
struct store_repo_target {
        int64_t release_id;
        char *release_version;
        int64_t security_version;
        char *hardware_revisions;   /* JSON array */
        char *name;
        char sha256[65];
        int64_t length;
};
/* Targets of the product's published releases, by release id then name. */
int store_repo_targets_published(struct store *s, int64_t product_id,
                                 struct store_repo_target **out, size_t *n, struct error *err);
void store_repo_targets_free(struct store_repo_target *list, size_t n);

/* ---- the per-product repository ---- */

struct store_repo {
        int64_t product_id;
        char *product_model;        /* read only (joined) */
        int64_t root_version, root_expires;
        int64_t targets_version, targets_expires;   /* 0 = nothing published yet */
        int64_t snapshot_version, snapshot_expires;
        int64_t timestamp_version, timestamp_expires;
        int64_t created_at, updated_at;
};

/* ERROR_CONFLICT when the product has a repository already. */
int store_repo_insert(struct store *s, const struct store_repo *r, struct error *err);
/* ERROR_NOT_FOUND "product T1-EU has no image repository yet". */
int store_repo_get(struct store *s, int64_t product_id, struct store_repo *out, struct error *err);
int store_repo_update(struct store *s, const struct store_repo *r, struct error *err);
int store_repo_list(struct store *s, struct store_repo **out, size_t *n, struct error *err);
void store_repo_clear(struct store_repo *r);
void store_repo_list_free(struct store_repo *list, size_t n);

/* Every root version the repository has had, as published. */
int store_repo_root_insert(struct store *s, int64_t product_id, int64_t version, const char *document,
                           int64_t when, struct error *err);
int store_repo_root_get(struct store *s, int64_t product_id, int64_t version, char **document,
                        struct error *err);

/* One stored root (of an image repository or of the director). */
struct store_root_doc {
        int64_t product_id;         /* 0 for the director */
        char *product_model;        /* NULL for the director */
        int64_t version;
        char *document;
};
/* Every root of every product's image repository, by product then version
 * (for the key separation checks of repo/root-keys.h). */
int store_repo_roots_all(struct store *s, struct store_root_doc **out, size_t *n, struct error *err);
/* Every director root, by version. */
int store_director_roots_all(struct store *s, struct store_root_doc **out, size_t *n, struct error *err);
void store_root_docs_free(struct store_root_doc *list, size_t n);

/* Online keys: per product, per role, one current (and at most one next). */
struct store_online_key {
        int64_t id;
        int64_t product_id;
        char role[16];              /* "snapshot" | "timestamp" */
        char *key_ref;              /* file path (relative to the data dir) or pkcs11: URI */
        char keyid[65];
        char status[16];            /* "current" | "next" | "retired" */
        int64_t created_at;
};
int store_online_key_insert(struct store *s, const struct store_online_key *k, struct error *err);
/* ERROR_NOT_FOUND when the product has no such key. */
int store_online_key_get(struct store *s, int64_t product_id, const char *role, const char *status,
                         struct store_online_key *out, struct error *err);
int store_online_key_set_status(struct store *s, int64_t id, const char *status, struct error *err);
/* The distinct key_ref of every online key kept as a file (not pkcs11:), for
 * the start-up sealing under the KEK (issue 11 section 6). Free with
 * store_strings_free. */
int store_online_key_file_refs(struct store *s, char ***refs_out, size_t *n_out, struct error *err);
void store_strings_free(char **list, size_t n);
void store_online_key_clear(struct store_online_key *k);

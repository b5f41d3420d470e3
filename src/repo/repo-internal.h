/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* Shared by the src/repo/ .c files (never included elsewhere). */
#include <jansson.h>
#include "crypto/key.h"
#include "repo/repo.h"
#include "store/store-release.h"
#include "tuf/metadata.h"

static inline void store_repo_clearp(struct store_repo *r) {
        store_repo_clear(r);
}
#define _cleanup_repo_row_ __attribute__((cleanup(store_repo_clearp)))

/* Copies a saved error into err (may be NULL); returns -1. */
static inline int repo_error_pass(struct error *err, const struct error *e) {
        if (err)
                *err = *e;
        return -1;
}

json_t *repo_time_json(int64_t t);

/* The product's repository row, by model. ERROR_NOT_FOUND names what to do. */
int repo_get_by_model(struct store *s, const char *model, int64_t *product_id, struct store_repo *out,
                      struct error *err);
/* Root `version` of a product, parsed. */
int repo_root_load(struct store *s, int64_t product_id, int64_t version, struct tuf_metadata **out,
                   struct error *err);

/* Writes <repo dir>/<name> atomically (mode 0644), creating the directory. */
int repo_file_write(const struct ota_ctx *c, const char *model, const char *name, const void *data, size_t len,
                    struct error *err);

/* Serialises a metadata document as published. Heap. */
char *repo_serialize(json_t *doc, size_t *len, struct error *err);

/* Signs a new snapshot (when `snapshot`, or when the current one's file is
 * missing) and a new timestamp for `repo` with the current online keys,
 * writing the files and updating the row's versions and expiries (not the
 * database: the caller writes the row in its transaction). targets_bytes are
 * the published N.targets.json. */
int repo_sign_online(const struct ota_ctx *c, struct store_repo *repo, const char *targets_bytes,
                     size_t targets_len, bool snapshot, struct error *err);

/* The published targets document of the repository's current targets
 * version, serialised (from the database). */
int repo_published_targets_bytes(struct store *s, const struct store_repo *repo, char **out, size_t *len,
                                 struct error *err);

/* Links <data>/images/<sha256> into the model's repository under the name
 * a consistent-snapshot client fetches target `path` ("1.2.0/rootfs.img") by:
 * targets/1.2.0/<sha256>.rootfs.img (an existing link is kept). */
int repo_target_link(const struct ota_ctx *c, const char *model, const char *sha256_hex, const char *path,
                     struct error *err);

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

/* ---- publication order (docs/ota.md, "Files and rows") ----
 *
 * Served state: timestamp.json names a snapshot, which names a targets
 * version; root.json and <N>.root.json are the root chain. Every change that
 * a client can see goes: (1) write the files under names no served file
 * refers to yet (<N>.targets.json, <N>.snapshot.json) and stage the ones
 * clients look up by a fixed or guessable name (timestamp.json, root.json,
 * <N>.root.json) under hidden temp names; (2) commit the database; (3) rename
 * the staged files into place, timestamp.json last. A failed commit leaves
 * the served state as it was; a crash after the commit leaves the database
 * ahead of the files, which repo_maintain rolls forward. So every served
 * version was committed first, and none ever goes down. */

/* Serialises publication, maintenance and root changes across threads and
 * processes (flock on <data>/repo/.lock). Close *fd to release. */
int repo_lock(const struct ota_ctx *c, int *fd, struct error *err);

/* What the files serve now: timestamp.json's version, the snapshot version
 * it names, and the targets version that snapshot names (0 when a file is
 * missing or unreadable). */
struct repo_served {
        int64_t timestamp;
        int64_t snapshot;
        int64_t targets;
};
void repo_served_read(const struct ota_ctx *c, const char *model, struct repo_served *out);

/* Files staged before a commit and renamed into place after it, in the
 * order they were staged. */
#define REPO_SWITCH_MAX 4
struct repo_switch {
        char *staged[REPO_SWITCH_MAX];
        char *path[REPO_SWITCH_MAX];
        size_t n;
};
int repo_switch_stage(const struct ota_ctx *c, struct repo_switch *sw, const char *model, const char *name,
                      const void *data, size_t len, struct error *err);
/* Renames every staged file into place; on failure the rest are removed
 * (repo_maintain repairs from the database). */
int repo_switch_commit(struct repo_switch *sw, struct error *err);
/* Removes what is staged (the commit failed). Idempotent. */
void repo_switch_abort(struct repo_switch *sw);
#define _cleanup_repo_switch_ __attribute__((cleanup(repo_switch_abort)))

/* Serialises a metadata document as published. Heap. */
char *repo_serialize(json_t *doc, size_t *len, struct error *err);

/* Signs a new snapshot (when `snapshot`, when the current one's file is
 * missing, or when the served one is newer than the row's) and a new
 * timestamp for `repo` with the current online keys, above both the row's
 * and the served versions. The snapshot is written under its new version
 * (unreferenced until the switch); the timestamp is staged in sw. Updates
 * the row's versions and expiries (not the database: the caller writes the
 * row in its transaction, commits, then repo_switch_commit). targets_bytes
 * are the N.targets.json the snapshot names. */
int repo_sign_online(const struct ota_ctx *c, struct store_repo *repo, const char *targets_bytes,
                     size_t targets_len, bool snapshot, struct repo_switch *sw, struct error *err);

/* The published targets document of the repository's current targets
 * version, serialised (from the database). */
int repo_published_targets_bytes(struct store *s, const struct store_repo *repo, char **out, size_t *len,
                                 struct error *err);

/* Links <data>/images/<sha256> into the model's repository under the name
 * a consistent-snapshot client fetches target `path` ("1.2.0/rootfs.img") by:
 * targets/1.2.0/<sha256>.rootfs.img (an existing link is kept). */
int repo_target_link(const struct ota_ctx *c, const char *model, const char *sha256_hex, const char *path,
                     struct error *err);

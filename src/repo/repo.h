/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * The per-product TUF 1.0 image repository (docs/ota.md): consistent
 * snapshots, SHA-256 only, metadata as compact JSON with sorted keys (what
 * tuf_metadata_serialize writes), every file written atomically, served as
 * static files from <data>/repo/<model>/:
 *
 *   root.json, 1.root.json, 2.root.json, ...   every root; root.json = latest
 *   timestamp.json                             online timestamp key
 *   <N>.snapshot.json                          online snapshot key
 *   <N>.targets.json                           offline targets keys (M of N)
 *   targets/<release version>/<sha256>.<image name>
 *                                              hard links to <data>/images/<sha256>
 *                                              (target "1.2.0/rootfs.img", as
 *                                              TUF's consistent snapshots name it)
 *
 * The database is the source of truth (repos, repo_roots, the published
 * release's targets document). Every change stages its files, commits, then
 * renames timestamp.json (and root files) into place, so nothing is served
 * before its commit; repo_maintain rolls the files forward to the database
 * (a crash between commit and switch) and never re-signs below a served
 * version (repo-internal.h, docs/ota.md "Files and rows").
 *
 * Keys. Root and targets keys never reach the server: the root arrives
 * signed (repo_create, repo_rotate_root) and targets signatures arrive one
 * {keyid, sig} at a time (repo_release_sign). The snapshot and timestamp
 * keys are online: per product, generated as files (0600) under
 * <data>/repo-keys/<model>/ on the first repo_online_keys call, or PKCS#11
 * objects named by [ota] online_key_pkcs11.
 *
 * Target names: "<release version>/<image name>", with custom
 *   {"release": "1.2.0", "security_version": 7, "hardware_revisions": [...],
 *    "product": "T1-EU"}.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include "audit/audit.h"
#include "release/ota.h"

#define REPO_DIR "repo"
#define REPO_KEYS_DIR "repo-keys"
/* Largest root document accepted (the client's default limit too). */
#define REPO_ROOT_MAX (512 * 1024)
/* Roles whose keys the server holds. */
#define REPO_ROLE_SNAPSHOT "snapshot"
#define REPO_ROLE_TIMESTAMP "timestamp"

/* <data>/repo/<model> (heap). */
char *repo_dir(const char *data_dir, const char *model);

/* The names the static routes serve: "root.json", "timestamp.json",
 * "<N>.root.json", "<N>.snapshot.json", "<N>.targets.json" (N a positive
 * decimal without leading zeros). */
bool repo_metadata_name_valid(const char *name);
/* "<64 lowercase hex>.<image name>" (image_name_valid). */
bool repo_target_file_name_valid(const char *name);

/* The online snapshot and timestamp keys of a product, generated on the
 * first call (audited "repo.online-keys"):
 * {"product", "snapshot": {"keyid", "key": <TUF key object>, "type"},
 *  "timestamp": {...}, "next": null | {"snapshot": ..., "timestamp": ...}}. */
int repo_online_keys(const struct ota_ctx *c, const struct audit_actor *a, const char *model, json_t **out,
                     struct error *err);
/* Generates the next pair of online keys (for a root rotation that replaces
 * the online keys; see repo_rotate_root). ERROR_CONFLICT when a next pair
 * exists. Audited "repo.online-keys.next". Out: as repo_online_keys. */
int repo_online_keys_next(const struct ota_ctx *c, const struct audit_actor *a, const char *model, json_t **out,
                          struct error *err);

/* body {"product": model, "root": <signed root metadata>}. The root must be
 * version 1, consistent_snapshot, not expired, signed by its own root
 * threshold, give the snapshot and timestamp roles exactly the server's
 * current online key each (threshold 1), and never an online key to root or
 * targets. Writes 1.root.json and root.json. Audited "repo.create". Out: the
 * status (repo_status). */
int repo_create(const struct ota_ctx *c, const struct audit_actor *a, json_t *body, json_t **out,
                struct error *err);
/* body {"root": <signed root N+1>}: signed by the threshold of root N AND its
 * own; the same rules as repo_create otherwise. Its snapshot/timestamp keys
 * are the current online keys or the next ones (which then become current,
 * and snapshot and timestamp are re-signed with them at once). Audited
 * "repo.root-rotate". Out: the status, with "warnings" when the published
 * targets no longer verify under the new root. */
int repo_rotate_root(const struct ota_ctx *c, const struct audit_actor *a, const char *model, json_t *body,
                     json_t **out, struct error *err);
/* {"product", "url", "consistent_snapshot", "root": {"version", "expires",
 * "threshold", "keyids"}, "targets": {...}, "snapshot": {...},
 * "timestamp": {...}, "published_releases"}. */
int repo_status(const struct ota_ctx *c, const char *model, json_t **out, struct error *err);
int repo_list(const struct ota_ctx *c, json_t **out, struct error *err); /* {"items": [status...]} */

/* ---- the signing flow of a release ---- */

/* Builds the unsigned targets metadata for a draft (or signed) release:
 * version = the repository's current targets version + 1; every target of the
 * product's published releases plus this release's images; expires after
 * [ota] targets_expiry. A signed release goes back to draft (signatures are
 * over the old document). Audited "release.prepare". Out: as
 * repo_release_targets_metadata. */
int repo_release_prepare(const struct ota_ctx *c, const struct audit_actor *a, int64_t release_id, json_t **out,
                         struct error *err);
/* {"release", "product", "release_version", "status", "version",
 *  "base_version", "threshold", "keyids": [targets keyids], "valid_signatures",
 *  "signed": {...}, "signatures": [...]}. ERROR_CONFLICT when not prepared. */
int repo_release_targets_metadata(const struct ota_ctx *c, int64_t release_id, json_t **out, struct error *err);
/* body {"keyid", "sig"}: a targets key's signature over the canonical
 * "signed" (tuf_signed_bytes). Refused: a key that is not a targets key,
 * one that signed already, a signature that does not verify. At the targets
 * threshold the release becomes signed. Audited "release.signature" (and
 * "release.signed"). Out: as repo_release_targets_metadata. */
int repo_release_sign(const struct ota_ctx *c, const struct audit_actor *a, int64_t release_id, json_t *body,
                      json_t **out, struct error *err);
/* signed -> published: links the targets, writes N.targets.json and a new
 * snapshot, stages a new timestamp (online keys), commits, then switches
 * timestamp.json. A failed commit serves nothing new and leaves the release
 * signed (the error is the commit's); a failed switch after the commit is
 * logged and rolled forward by repo_maintain (the release is published).
 * Also refused (ERROR_CONFLICT) when the repository already serves the
 * prepared targets version with other content. Refused (ERROR_CONFLICT, "prepare
 * and sign again") when another publication changed the targets version since
 * prepare, when the signatures no longer meet the current root's threshold,
 * or when the prepared metadata has expired. Audited "release.publish".
 * Out: the release. */
int repo_release_publish(const struct ota_ctx *c, const struct audit_actor *a, int64_t release_id, json_t **out,
                         struct error *err);

/* ---- maintenance (the server's thread calls this every minute) ---- */

struct repo_maintain_report {
        unsigned repos;       /* repositories with published targets looked at */
        unsigned snapshots;   /* snapshots signed */
        unsigned timestamps;  /* timestamps signed */
        unsigned repaired;    /* missing files rewritten from the database */
        unsigned failed;      /* repositories that could not be maintained (logged) */
};
/* For every repository with published targets: re-signs the snapshot when
 * less than half its lifetime remains ([ota] snapshot_expiry), the timestamp
 * likewise ([ota] timestamp_expiry; a new snapshot means a new timestamp),
 * rewrites missing metadata files, rolls the served files forward to the
 * database (never below a served version: a snapshot ahead of the row gets a
 * newer one; targets ahead are left served and the repository counted as
 * failed), removes staged files of changes that never committed, and warns
 * (log) about targets and root metadata that expire within 30 days (their
 * keys are offline). Each
 * re-signing is audited "repo.resign" by actor "system". A failing
 * repository is logged and counted; the others go on. Returns -1 only when
 * the repositories cannot be listed. */
int repo_maintain(const struct ota_ctx *c, struct repo_maintain_report *rep, struct error *err);

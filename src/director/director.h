/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * The Uptane-style director: per-device TUF targets metadata that names
 * exactly the images a device must install, signed by the director's online
 * key under the director's own offline root.
 *
 *  - Online key: an Ed25519 key the server generates on first use as
 *    <data>/director-keys/targets.key (0600, directory 0700), or a configured
 *    file or pkcs11: URI ([ota] director_key). It is the director root's
 *    targets key, and nothing else may be: a root that lists it for the root
 *    role is refused, so a stolen server key cannot rotate the root.
 *  - Root chain: 1.root.json is built and signed offline (`cradle director
 *    init`), uploaded, and checked here: well formed, not expired, signed by
 *    its own root threshold, targets role = exactly the online key with
 *    threshold 1. A rotation N+1 must also meet the threshold of root N.
 *    Snapshot and timestamp roles are not used by the director (devices fetch
 *    root and targets only); the CLI gives them the online key.
 *  - Targets, per device: the images of the release assigned to the device
 *    when that release is published and fits the device's product and
 *    hardware revision; otherwise no targets at all (a withdrawn release is no
 *    longer offered). Each target is the image repository's target (path
 *    "<release version>/<image name>", length, sha256) with custom
 *      {"product", "release", "security_version", "hardware_revisions",
 *       "serial", "hardware_id"}
 *    where hardware_id = "<product model>/<hardware revision>". A new
 *    version is signed whenever the content or the root changes, or when the
 *    stored document is past half its lifetime (expiry [ota] director_expiry,
 *    default 24 h); otherwise the stored bytes are served again, so frequent
 *    polls cost a few reads. The version is max(previous + 1, signing time in
 *    seconds since the epoch): strictly increasing per device, and never
 *    behind the clock, so replaying another device's metadata (which, with no
 *    targets, names no device) can hold a device back only until its own next
 *    signature.
 *    TUF's targets metadata has no "custom" of its own and src/tuf refuses
 *    unknown fields in "signed", so serial and hardware id travel in each
 *    target's custom only (see docs/ota.md, "Director").
 *
 * Every change runs in one transaction with its audit entry:
 * director.online-key.create, director.root.install, director.root.rotate.
 * Serving metadata is not audited (it is a read; re-signing changes no
 * decision an operator made).
 */
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "audit/audit.h"
#include "core/error.h"
#include "store/store.h"

#define DIRECTOR_EXPIRY_DEFAULT (24 * 3600)
#define DIRECTOR_KEY_DIR "director-keys"
#define DIRECTOR_KEY_FILE "targets.key"
/* A director root document larger than this is refused (the agent's limit
 * for N.root.json, tuf_client_config.root_max_len). */
#define DIRECTOR_ROOT_MAX (512 * 1024)
/* last_seen is written at most this often by polls (status reports always write). */
#define DIRECTOR_SEEN_INTERVAL 60

struct director_seen;

/* Built per request by the server (cheap: pointers and numbers). */
struct director_ctx {
        struct store *store;
        const char *data_dir;   /* the online key defaults to <data_dir>/director-keys/targets.key */
        const char *key_ref;    /* NULL or "" = that default; else a path (relative to data_dir)
                                   or a pkcs11: URI, never generated */
        int64_t expiry;         /* seconds; 0 = DIRECTOR_EXPIRY_DEFAULT */
        int64_t now;            /* 0 = the clock; tests pin time */
        struct director_seen *seen; /* NULL: each poll writes last_seen itself (director/seen.h) */
};

/* The online key's TUF key object: {"targets": {"keyid": K, "key": {...}}}.
 * Generates the key file when it does not exist (audited
 * director.online-key.create); a configured PKCS#11 key is never generated. */
int director_online_keys(struct director_ctx *dc, const struct audit_actor *a, json_t **out, struct error *err);

/* Installs the first root (version 1) or rotates to N+1. body: {"root": <signed root>}.
 * Errors: ERROR_INVALID (malformed, expired, wrong roles, wrong version),
 * ERROR_UNAUTHENTICATED (thresholds not met), ERROR_CONFLICT (no online key
 * yet; a version already installed). *out = director_status. */
int director_root_install(struct director_ctx *dc, const struct audit_actor *a, json_t *body, json_t **out,
                          struct error *err);

/* {"root": null | {"version", "expires", "installed_at", "threshold", "keyids": [...],
 *   "document": {...}}, "online_keyid": K|null, "targets_expiry_seconds": N} */
int director_status(struct director_ctx *dc, json_t **out, struct error *err);

/* The published bytes of root `version` (0 = the newest). ERROR_NOT_FOUND. */
int director_root_document(struct director_ctx *dc, int64_t version, char **out, size_t *len,
                           struct error *err);

/* Encrypted releases (encryption.c; docs/ota.md "Encrypted payloads"), for
 * the callers that offer a release to many devices at once (campaigns).
 * *out: whether release `release_id` has an encrypted image (ERROR_NOT_FOUND
 * for no such release). */
int director_release_has_encrypted_image(struct store *s, int64_t release_id, bool *out, struct error *err);
/* 0 when a device whose newest valid certificate is `pem` (NULL: none) can
 * take wrapped content keys; else ERROR_CONFLICT naming `serial` and why, in
 * the words a direct assignment uses. */
int director_device_cert_wrappable(const char *serial, const char *pem, struct error *err);

/* The signed targets metadata for a device (see above), as bytes to serve.
 * ERROR_NOT_FOUND for an unknown device or when no director root exists
 * yet. Records that the device was seen (director_device_seen). */
int director_targets_for_device(struct director_ctx *dc, const char *serial, char **out, size_t *len,
                                struct error *err);

/* Records that a device was seen `now`: nothing when its stored last_seen
 * is younger than DIRECTOR_SEEN_INTERVAL; else a note in dc->seen, written
 * with the next flush (director/seen.h); else (no set, or a full one) a
 * write now. A failed write is logged, not returned to the device. */
int director_device_seen(struct director_ctx *dc, int64_t device_id, int64_t stored_last_seen, int64_t now);

/*
 * Signing ahead of the poll (issue 8). Opening or canceling an update action
 * (director/action.h) queues the device in the same transaction; cradled's
 * director worker calls this until the queue is empty. One batch: the online
 * key and root are loaded once; each queued device's targets are worked out
 * from the committed rows and signed when the stored document does not
 * already say exactly that (without the write lock, so polls signing on
 * demand meanwhile do not wait behind the batch); then, in one transaction,
 * each new document is checked against the committed rows again, stored if
 * it still says what they say over the version it was signed after, and its
 * device leaves the queue (otherwise it stays for the next batch). The poll
 * then finds a document it can serve as stored.
 * A poll that comes first signs on demand as before; a poll never serves a
 * stored document that disagrees with the committed assignment, whether
 * the worker got to the device or not. No root yet: nothing is done.
 * *done = devices taken from the queue, *signed_count (may be NULL) = how
 * many needed a new signature.
 */
#define DIRECTOR_PRESIGN_BATCH 250
int director_presign_batch(struct director_ctx *dc, size_t max, size_t *done, size_t *signed_count,
                           struct error *err);

/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * Releases: what a product's devices may install. Domain logic only (no
 * HTTP): validates, writes through the store, stores files through
 * release/image-store.h, audits every change in the same transaction.
 *
 * States: draft -> signed -> published -> withdrawn. A draft collects images
 * (and an optional SBOM); repo/repo.h prepares its targets metadata, collects
 * the offline signatures (draft -> signed at the targets threshold) and
 * publishes it into the product's image repository (signed -> published).
 * Withdrawing a published release stops the director from offering it and
 * drops its targets from the next targets metadata prepared.
 *
 * Rules:
 *  - version: 1..64 of [A-Za-z0-9._+-], not starting with '.'; unique per
 *    product. It is the directory of the release's targets
 *    ("<version>/<image name>").
 *  - security_version: an integer 0..2^53-1 that never goes down: not lower
 *    than that of any existing release of the product (anti-rollback; the
 *    refusal names both releases).
 *  - hardware_revisions: 1..64 distinct names of [A-Za-z0-9._-] (1..64).
 *  - notes: optional text, up to 64 KiB.
 *  - images: names per image_name_valid(); a draft only; a name uploaded
 *    again replaces the earlier image. Any change to a draft's content drops
 *    its prepared targets metadata and any signatures on it.
 *  - A published image (or SBOM) is kept for CRA Art. 13(9)'s period: ten
 *    years after publication or the rest of the product's support period,
 *    whichever is longer. image_delete refuses earlier, naming the date.
 *
 * JSON shape:
 * {"id", "product", "version", "security_version", "hardware_revisions": [...],
 *  "notes", "status", "images": [{"name", "sha256", "length", "target"}],
 *  "sbom": {"sha256", "length", "media_type"} | null,
 *  "targets": {"version", "base_version", "signatures", "threshold"} | null,
 *  "created_at", "created_by", "prepared_at", "signed_at", "published_at",
 *  "withdrawn_at", "withdraw_reason", "retain_until"}   (times RFC 3339 or null)
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include "audit/audit.h"
#include "crypto/hash.h"
#include "release/ota.h"
#include "store/store-release.h"

#define RELEASE_VERSION_MAX 64
#define RELEASE_NOTES_MAX (64 * 1024)
#define RELEASE_HW_REVISIONS_MAX 64
#define RELEASE_HW_REVISION_LEN_MAX 64
#define RELEASE_WITHDRAW_REASON_MAX 1000
#define RELEASE_MEDIA_TYPE_MAX 127
/* The largest JavaScript-safe integer (tuf-js reads security versions too). */
#define RELEASE_SECURITY_VERSION_MAX 9007199254740991LL

/* A finished streamed upload, as the transport hands it over. */
struct release_upload {
        const char *path;           /* a temp file the caller owns and removes */
        int64_t length;
        uint8_t sha256[SHA256_LEN];
};

/* body: {product (model), version, security_version, hardware_revisions, notes?}.
 * ERROR_NOT_FOUND unknown product; ERROR_CONFLICT version taken; ERROR_INVALID
 * otherwise (a lower security version included). Audited "release.create". */
int release_create(const struct ota_ctx *c, const struct audit_actor *a, json_t *body, json_t **out,
                   struct error *err);
int release_get(const struct ota_ctx *c, int64_t id, json_t **out, struct error *err);
/* {"items": [...], "next_before_id": ID|null}, newest first, at most `limit`
 * (0 = RELEASE_LIST_MAX) with id < before (0 = from the newest);
 * product_model NULL = every product. next_before_id continues the list
 * (null when this page is the last). */
#define RELEASE_LIST_MAX 1000
int release_list(const struct ota_ctx *c, const char *product_model, int64_t before, size_t limit, json_t **out,
                 struct error *err);

/* Adds (or replaces) image `name` of a draft. Audited "release.image". */
int release_add_image(const struct ota_ctx *c, const struct audit_actor *a, int64_t id, const char *name,
                      const struct release_upload *up, json_t **out, struct error *err);
/* The same; with `encrypt`, the image is stored only as its encrypted
 * container (docs/ota.md, "Encrypted payloads"): a fresh content key, sealed
 * under the server KEK (ERROR_CONFLICT without one); the target is the
 * container and the answer's image carries "encryption". The audit entry
 * adds "encrypted", "plaintext_sha256" and "plaintext_length". */
int release_add_image_opts(const struct ota_ctx *c, const struct audit_actor *a, int64_t id, const char *name,
                           const struct release_upload *up, bool encrypt, json_t **out, struct error *err);
/* Attaches the SBOM (stored unchanged) to a draft or signed release; media_type
 * is the upload's Content-Type. Audited "release.sbom". */
int release_set_sbom(const struct ota_ctx *c, const struct audit_actor *a, int64_t id, const char *media_type,
                     const struct release_upload *up, json_t **out, struct error *err);
/* The same for one module of the release (sbom/ingest.h): module "" is the
 * release's own SBOM (the above); another module's file is stored and parsed
 * without changing releases.sbom_sha256, also into a published release. The
 * file is parsed first (sbom_parse_file): an SBOM that cannot be read is
 * refused (ERROR_INVALID naming the place and the fault) and nothing is
 * stored. Audited "release.sbom" with the parsed document's summary; the
 * answer adds "sbom_document". */
int release_set_sbom_module(const struct ota_ctx *c, const struct audit_actor *a, int64_t id, const char *module,
                            const char *media_type, const struct release_upload *up, json_t **out,
                            struct error *err);
/* published -> withdrawn, with a reason (1..1000 characters). Audited
 * "release.withdraw". */
int release_withdraw(const struct ota_ctx *c, const struct audit_actor *a, int64_t id, const char *reason,
                     json_t **out, struct error *err);

/* Deletes an image or SBOM file by its SHA-256. Refused (ERROR_CONFLICT) while
 * a signed release carries it, and while a published or withdrawn one does
 * within the Art. 13(9) retention period (the message names the release and
 * the first day it may be deleted). Draft releases that carry it lose it.
 * Audited "image.delete". Out: {"sha256", "length", "deleted_at", "drafts_changed"}. */
int image_delete(const struct ota_ctx *c, const struct audit_actor *a, const char *sha256, json_t **out,
                 struct error *err);

/* Makes <data>/images agree with the image rows (the server runs it at
 * start): removes every stored file whose row is missing (an upload whose
 * commit failed) or deleted (a deletion interrupted before its file went),
 * with the repository links of the releases that published it. A row
 * without its file cannot arise: files are stored before their row commits
 * and removed after. *removed counts the files removed. Errors are logged
 * per file; returns -1 when any file failed. */
int image_reconcile(const struct ota_ctx *c, unsigned *removed, struct error *err);

/* The first moment a release's images may be deleted: the later of
 * published_at + 10 years and the end of the product's support period
 * ("YYYY-MM-DD", the day after it). 0 when it was never published. */
int64_t release_retain_until(int64_t published_at, const char *support_end);

/* The release as JSON (the shape above). */
int release_render(struct store *s, const struct store_release *r, json_t **out, struct error *err);

/* Checks a release version string (rules above); `field` names it. */
int release_version_check(const char *field, const char *version, struct error *err);

static inline void store_release_clearp(struct store_release *r) {
        store_release_clear(r);
}
#define _cleanup_release_row_ __attribute__((cleanup(store_release_clearp)))

/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * SBOMs attached to releases (issue 9, section 1): the parsed model
 * (sbom.h) written into migration 10's tables in the caller's transaction,
 * queued for the findings engine in the same transaction, and read back
 * for the API, the CLI and the CycloneDX export. No HTTP.
 *
 * Rules:
 *  - A release holds at most one document per module; module "" is the
 *    whole release (the file of PUT /releases/{id}/sbom, releases.sbom_sha256).
 *    A module name is 1..64 of [A-Za-z0-9._-].
 *  - A document is parsed before anything is stored: an unparseable file is
 *    refused (ERROR_INVALID naming the file, the place and the fault) and
 *    nothing is written.
 *  - Replacing a module's document is allowed while the release is a draft
 *    or signed (its findings go with it, counted in the audit entry); a
 *    published release's documents are evidence and are never replaced.
 *  - Identifiers are stored as written with validity and match key from
 *    vuln_ident_match_key (src/vuln/match.h): a '*' vendor/product CPE is
 *    valid with no key, a malformed one invalid with no key.
 *
 * Document JSON: see store/store-sbom.h; "quality" is sbom_quality()'s report.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "audit/audit.h"
#include "release/ota.h"
#include "release/release.h"
#include "sbom/sbom.h"

#define SBOM_MODULE_MAX 64
#define SBOM_COMPONENTS_PAGE_MAX 1000

bool sbom_module_valid(const char *module);

/* The identifier check the quality report and the store share. */
bool sbom_ident_valid(const char *kind, const char *value, void *ctx);

/* Writes a parsed document for (release, module) inside the caller's open
 * transaction: replaces an existing one when `replace_ok` (else
 * ERROR_CONFLICT), queues it for matching. *summary (caller owns) is
 * {"document_id", "module", "format", "spec_version", "components",
 * "quality_score", "replaced_document_id", "findings_dropped"} for the
 * caller's audit entry. */
int sbom_document_store(struct store *s, const struct audit_actor *a, int64_t release_id, const char *module,
                        const char *sha256, const char *media_type, const struct sbom_doc *d, int64_t now,
                        bool replace_ok, json_t **summary, struct error *err);

/* Attaches a file already in the image store (body {"sha256"?, "module"?,
 * "media_type"?}; without sha256 the release's own SBOM file). Allowed in any
 * state but withdrawn. Audited "sbom.attach". Out: the document with its
 * quality report. */
int sbom_attach_stored(const struct ota_ctx *c, const struct audit_actor *a, int64_t release_id, json_t *body,
                       json_t **out, struct error *err);

int sbom_document_get(struct store *s, int64_t id, bool with_quality, json_t **out, struct error *err);
/* {"items": [documents of the release]} */
int sbom_release_documents(struct store *s, int64_t release_id, json_t **out, struct error *err);

/* Components across every release and product, or of one document or
 * release: {"items": [...], "next_after_id": ID|null}. purl and cpe match as
 * written or by match key (so "pkg:generic/busybox" finds every version). */
struct sbom_component_filter {
        int64_t document_id, release_id;
        const char *name, *purl, *cpe;
        int64_t after;
        size_t limit; /* 0 = 100; at most SBOM_COMPONENTS_PAGE_MAX */
};
int sbom_components(struct store *s, const struct sbom_component_filter *f, json_t **out, struct error *err);

/* The release's SBOM(s) merged into one CycloneDX 1.6 JSON BOM (export.c):
 * metadata.component is the release (product model and version), each
 * module's components keep their bom-ref prefixed by the module when the
 * release has several, with purl, cpe, hashes, licences, supplier,
 * pedigree.patches and the dependency graph. ERROR_NOT_FOUND when the
 * release has no parsed SBOM. */
int sbom_export_cyclonedx(struct store *s, int64_t release_id, json_t **out, struct error *err);

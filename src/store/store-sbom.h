/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * SBOM rows (migration 10): documents attached to a release (one per
 * module), their components, identifiers (purl/CPE with validity and match
 * key) and dependency edges, and the queue that tells the findings engine a
 * document is new. Writes take plain values; the reads used by the API
 * return JSON objects ready to render (the shapes in sbom/ingest.h), since
 * every caller only renders them. Every rule lives in src/sbom/.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

struct store_sbom_document {
        int64_t release_id;
        const char *module;
        const char *sha256;
        const char *media_type;
        const char *format;
        const char *spec_version;
        const char *name;
        const char *tool;
        const char *document_created;
        int64_t component_count;
        int quality_score;
        const char *quality;    /* JSON text */
        int64_t created_at;
        const char *created_by;
};
int store_sbom_document_insert(struct store *s, const struct store_sbom_document *d, int64_t *id,
                               struct error *err);

struct store_sbom_component {
        int64_t document_id;
        const char *ref, *name, *version, *supplier, *type, *licenses;
        const char *hashes;     /* JSON text or NULL */
        const char *patches;    /* JSON text or NULL */
        bool top_level;
};
int store_sbom_component_insert(struct store *s, const struct store_sbom_component *c, int64_t *id,
                                struct error *err);
int store_sbom_ident_insert(struct store *s, int64_t component_id, const char *kind, const char *value, bool valid,
                            const char *match_key, struct error *err);
int store_sbom_dependency_insert(struct store *s, int64_t component_id, int64_t depends_on, struct error *err);
int store_sbom_match_queue_put(struct store *s, int64_t document_id, int64_t now, struct error *err);

/* The document of (release, module): *id = 0 when there is none. */
int store_sbom_document_find(struct store *s, int64_t release_id, const char *module, int64_t *id,
                             struct error *err);
/* Removes a document and everything hanging off it: its dependency edges,
 * identifiers, components, queue entry, and the findings on its components
 * (counted in *findings_dropped: a replaced SBOM of an unpublished release
 * takes its findings with it; the audit entry says how many). Refused
 * (ERROR_CONFLICT naming it) while a case refers to one of its components or
 * their findings. */
int store_sbom_document_delete(struct store *s, int64_t id, int64_t *findings_dropped, struct error *err);

/* Removes the documents parsed from file `sha256` in draft releases (the
 * file is being deleted from them: image_delete). */
int store_sbom_documents_of_file_delete_drafts(struct store *s, const char *sha256, struct error *err);

/* {"id", "release_id", "release", "product", "module", "sha256",
 *  "media_type", "format", "spec_version", "name", "tool",
 *  "document_created", "component_count", "quality_score", "created_at",
 *  "created_by"} (+ "quality" when with_quality). ERROR_NOT_FOUND. */
int store_sbom_document_json(struct store *s, int64_t id, bool with_quality, json_t **out, struct error *err);
/* The documents of a release, by module. */
int store_sbom_documents_json(struct store *s, int64_t release_id, json_t **items, struct error *err);

/* Components, paged by ascending id (after = the last id seen, 0 = from the
 * start). Filters are ANDed; 0/NULL = no filter. purl/cpe match the value as
 * written or the match key (purl_key/cpe_key, may be NULL). Each item:
 * {"id", "document_id", "release_id", "release", "product", "module",
 *  "ref", "name", "version", "supplier", "type", "licenses", "hashes",
 *  "patches", "top_level", "purls": [{value, valid, match_key}],
 *  "cpes": [...]}. *more when another page follows. */
struct store_sbom_component_query {
        int64_t document_id;
        int64_t release_id;
        const char *name;
        const char *purl, *purl_key;
        const char *cpe, *cpe_key;
        int64_t after;
        size_t limit;
};
int store_sbom_components_json(struct store *s, const struct store_sbom_component_query *q, json_t **items,
                               bool *more, struct error *err);
/* The dependency edges of a document as [[from ref, to ref], ...]. */
int store_sbom_dependencies_json(struct store *s, int64_t document_id, json_t **pairs, struct error *err);

/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * SBOM documents (issue 9, section 1): parsing CycloneDX 1.4-1.6 (JSON,
 * XML), SPDX 2.2/2.3 (JSON, tag-value), SPDX 3.0.1 JSON-LD and Yocto's
 * .tar.zst of per-recipe SPDX 2.2 documents into one normalised model, and
 * the quality report and CycloneDX 1.6 export over that model. No store, no
 * HTTP: src/sbom/ingest.c writes the model through the store.
 *
 * Every parser takes outside input: it checks its size (SBOM_MAX_BYTES),
 * nesting (SBOM_MAX_DEPTH) and counts (components, edges, identifiers), and
 * a refusal names the input (the `label`, e.g. the file name), the place (a
 * JSON pointer, an XML line, a tag-value line, an archive member) and the
 * fault. Unknown fields are ignored (the formats grow); a known field of the
 * wrong type is refused.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

#define SBOM_MAX_BYTES (64u * 1024 * 1024)      /* one document or one archive */
#define SBOM_MAX_DEPTH 64                       /* JSON/XML nesting */
#define SBOM_MAX_COMPONENTS 100000
#define SBOM_MAX_EDGES 1000000                  /* dependency edges */
#define SBOM_MAX_IDENTS 64                      /* purls + CPEs per component */
#define SBOM_MAX_FIELD 4096                     /* one name, version, supplier, ... */
#define SBOM_MAX_LICENSE 16384                  /* one licence expression */
#define SBOM_MAX_ARCHIVE_MEMBERS 20000          /* documents in a Yocto .tar.zst */
#define SBOM_MAX_ARCHIVE_EXPANDED (512u * 1024 * 1024) /* all members, uncompressed */

/* The stored formats (sbom_documents.format, migration 10). A Yocto archive
 * of SPDX 2.2 documents is stored as spdx2-json with `archive` set. */
enum sbom_format {
        SBOM_FORMAT_CYCLONEDX_JSON,
        SBOM_FORMAT_CYCLONEDX_XML,
        SBOM_FORMAT_SPDX2_JSON,
        SBOM_FORMAT_SPDX2_TAG_VALUE,
        SBOM_FORMAT_SPDX3_JSONLD,
        SBOM_FORMAT_YOCTO_SPDX2_ARCHIVE,        /* input only; stored as spdx2-json */
};
/* "cyclonedx-json", ..., the archive gives "spdx2-json" */
const char *sbom_format_name(enum sbom_format f);

struct sbom_strv {
        char **v;
        size_t n;
};

struct sbom_component {
        char *ref;              /* bom-ref / SPDXID / spdxId, unique in the document */
        char *name;
        char *version;          /* NULL = none given */
        char *supplier;
        char *type;             /* library, application, operating-system, firmware, ... */
        char *licenses;         /* SPDX expression (or names joined by AND) */
        json_t *hashes;         /* object: algorithm (sha256, sha512, ...) -> lowercase hex */
        json_t *patches;        /* NULL or array of {type, url?, resolves: [ids]} */
        struct sbom_strv purls;
        struct sbom_strv cpes;
        bool build_only;        /* not deployed: a host tool, CycloneDX scope "excluded" */
        bool top_level;         /* a direct dependency of the document's root */
};

struct sbom_edge {
        size_t from, to;        /* component indices */
};

struct sbom_doc {
        enum sbom_format format;
        char *spec_version;     /* "1.6", "2.3", "3.0.1" */
        char *name;             /* the document's subject (CycloneDX metadata.component, SPDX name) */
        char *tool;             /* "name version" of the first tool that wrote it */
        char *created;          /* as written */
        struct sbom_component *components;
        size_t n_components, cap_components;
        struct sbom_edge *edges;
        size_t n_edges, cap_edges;
        bool has_graph;         /* the document states dependencies at all */
        bool root_has_edges;    /* ... including those of its root (top level known) */
        size_t dangling_refs;   /* dependency ends naming no component (skipped) */
        size_t members;         /* archive: documents merged */
        /* parse-time state (model.c) */
        void *priv;
};

/* Parses `len` bytes into *out. media_type (may be NULL) is the upload's
 * Content-Type: it decides when it names one format, else the content does
 * (sbom_detect). Errors are ERROR_INVALID (ERROR_TOO_LARGE over
 * SBOM_MAX_BYTES, ERROR_UNSUPPORTED for an unknown format) and start with
 * `label`. */
int sbom_parse(const char *label, const uint8_t *data, size_t len, const char *media_type, struct sbom_doc **out,
               struct error *err);
int sbom_parse_file(const char *label, const char *path, const char *media_type, struct sbom_doc **out,
                    struct error *err);
/* Which format the bytes are (media type first when it names one).
 * -1 with err set when none fits. */
int sbom_detect(const char *label, const uint8_t *data, size_t len, const char *media_type, enum sbom_format *out,
                struct error *err);
void sbom_doc_free(struct sbom_doc *d);
static inline void sbom_doc_freep(struct sbom_doc **d) {
        if (*d)
                sbom_doc_free(*d);
}
#define _cleanup_sbom_doc_ __attribute__((cleanup(sbom_doc_freep)))

/* The per-format parsers (each in its own file). */
int sbom_parse_cyclonedx_json(const char *label, const uint8_t *data, size_t len, struct sbom_doc *d,
                              struct error *err);
int sbom_parse_cyclonedx_xml(const char *label, const uint8_t *data, size_t len, struct sbom_doc *d,
                             struct error *err);
int sbom_parse_spdx2_json(const char *label, const uint8_t *data, size_t len, struct sbom_doc *d,
                          struct error *err);
int sbom_parse_spdx2_tag_value(const char *label, const uint8_t *data, size_t len, struct sbom_doc *d,
                               struct error *err);
int sbom_parse_spdx3_jsonld(const char *label, const uint8_t *data, size_t len, struct sbom_doc *d,
                            struct error *err);
int sbom_parse_yocto_archive(const char *label, const uint8_t *data, size_t len, struct sbom_doc *d,
                             struct error *err);

/* The quality report (quality.c), against BSI TR-03183-2 v2.1.0 section 5
 * and the CRA's minimum (Annex I Part II (1)):
 * {"score": 0..100, "components": N, "checks": [{"id", "title", "passed",
 *  "failed", "weight"}], "actions": [{"check", "count", "message",
 *  "examples": [names]}], "matchable": N, "unmatchable": N}.
 * Identifier validity comes from `ident_valid` (may be NULL: every
 * identifier counts as valid), called as ident_valid(kind, value, ctx). */
typedef bool (*sbom_ident_valid_fn)(const char *kind, const char *value, void *ctx);
json_t *sbom_quality(const struct sbom_doc *d, sbom_ident_valid_fn ident_valid, void *ctx, int *score);

/* ---- building the model (model.c; the parsers use it) ---- */

struct sbom_component *sbom_doc_add_component(struct sbom_doc *d, const char *label, const char *where,
                                              struct error *err);
/* Records an edge by refs, resolved by sbom_doc_finish. from NULL = the root. */
int sbom_doc_add_edge_ref(struct sbom_doc *d, const char *from, const char *to, const char *label,
                          struct error *err);
int sbom_doc_add_root_ref(struct sbom_doc *d, const char *ref);
/* Adds an identifier ("purl" or "cpe"), skipping duplicates. */
int sbom_component_add_ident(struct sbom_component *c, const char *kind, const char *value, const char *label,
                             const char *where, struct error *err);
/* Sets hashes[alg] (alg normalised: "SHA-256" -> "sha256"; content lowercased). */
void sbom_component_add_hash(struct sbom_component *c, const char *alg, const char *content);
/* Copies a string field, refusing one over `max` bytes or with control characters. */
int sbom_field(char **dst, const char *value, size_t max, const char *label, const char *where, struct error *err);
/* Resolves edges and roots, checks refs are unique, marks top-level components. */
int sbom_doc_finish(struct sbom_doc *d, const char *label, struct error *err);
struct sbom_doc *sbom_doc_new(enum sbom_format f);
/* Well-formed UTF-8 (no overlongs, surrogates, or past U+10FFFF). */
bool sbom_utf8_valid(const unsigned char *p, size_t n);
/* snprintf for places (JSON pointers, element paths): cut when too long. */
void sbom_ptrf(char *out, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

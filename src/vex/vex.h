/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * VEX documents (issue 9, section 4): CycloneDX VEX, OpenVEX 0.2 and CSAF 2.0
 * VEX, read into one model of statements and written from one model of a
 * release's findings. The vocabulary mapping between Cradle's finding states
 * and the three formats is one table (vex-map.c), documented in
 * docs/vulnerabilities.md ("## VEX").
 *
 * This part is pure: no SQL, no HTTP. Applying a parsed document to the
 * findings of a release is vex-import.c (through src/vuln/finding.h).
 */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "vuln/finding.h"

enum vex_format {
        VEX_FORMAT_CYCLONEDX = 0,
        VEX_FORMAT_OPENVEX,
        VEX_FORMAT_CSAF,
};
#define VEX_FORMAT_COUNT 3

/* "cyclonedx", "openvex", "csaf". */
const char *vex_format_name(enum vex_format f);
int vex_format_parse(const char *s, enum vex_format *out, struct error *err);

/* Limits on outside input (a document is refused whole beyond any of them). */
#define VEX_MAX_BYTES (16u * 1024 * 1024)
#define VEX_MAX_DEPTH 24
#define VEX_MAX_STATEMENTS 20000  /* vulnerabilities[] / statements[] */
#define VEX_MAX_PRODUCTS 20000    /* products of one statement; components/product ids of a document */
#define VEX_MAX_ALIASES 64
#define VEX_MAX_TEXT 8192         /* detail, action, impact statements */
#define VEX_MAX_ID 1024           /* vulnerability ids, refs, purls */

/* ---- vocabulary (vex-map.c) ---- */

/* The Cradle names of states and justifications, as stored in findings. */
const char *vex_cradle_state_name(enum finding_state s);
const char *vex_cradle_justification_name(enum finding_justification j);
/* And back (findings rows): -1 for a name Cradle does not define. */
int vex_cradle_state_in(const char *v, enum finding_state *out);
int vex_cradle_justification_in(const char *v, enum finding_justification *out);

/* Cradle -> format. A justification is only meaningful for NOT_AFFECTED
 * (and FALSE_POSITIVE, which OpenVEX and CSAF write as not_affected with
 * vulnerable_code_not_present). */
const char *vex_cdx_state_out(enum finding_state s);
const char *vex_cdx_justification_out(enum finding_justification j);
const char *vex_openvex_status_out(enum finding_state s);
const char *vex_openvex_justification_out(enum finding_state s, enum finding_justification j);
const char *vex_csaf_status_out(enum finding_state s);
const char *vex_csaf_flag_out(enum finding_state s, enum finding_justification j);

/* format -> Cradle: -1 for a value the format does not define. */
int vex_cdx_state_in(const char *v, enum finding_state *out);
int vex_cdx_justification_in(const char *v, enum finding_justification *out);
int vex_openvex_status_in(const char *v, enum finding_state *out);
int vex_openvex_justification_in(const char *v, enum finding_justification *out);
int vex_csaf_status_in(const char *v, enum finding_state *out);
int vex_csaf_flag_in(const char *v, enum finding_justification *out);

/* ---- parsed documents ---- */

/* One component a statement names, by whatever the document gives: a ref
 * (CycloneDX bom-ref, OpenVEX @id, CSAF product_id), a purl, a CPE. */
struct vex_product {
        char *ref;
        char *purl;
        char *cpe;
};

struct vex_statement {
        char *vuln;                      /* the id as written (CVE-..., GHSA-...) */
        char **aliases;                  /* other ids the document gives */
        size_t n_aliases;
        struct vex_product *products;
        size_t n_products;
        enum finding_state state;
        enum finding_justification justification; /* NONE unless NOT_AFFECTED */
        char *action;                    /* AFFECTED: the action statement */
        char *detail;                    /* free text: detail / impact statement */
        char where[64];                  /* "vulnerabilities[3]", for messages */
};

struct vex_document {
        enum vex_format format;
        char *spec_version;              /* "1.6", "0.2", "2.0" */
        char *id;                        /* serialNumber, @id, tracking id */
        struct vex_statement *statements;
        size_t n_statements;
};

/* Parses a VEX document of any of the three formats (recognised by its
 * markers: bomFormat, @context, document.csaf_version). `what` names the
 * input in messages ("vex.json"). Refuses (ERROR_INVALID / ERROR_TOO_LARGE,
 * naming the place) anything over a limit, an unknown status or
 * justification, not_affected without a justification Cradle can store,
 * affected without an action statement, a statement naming no product, a
 * product id the document does not define, a spec version other than
 * CycloneDX 1.4-1.6, OpenVEX 0.2 or CSAF 2.0. */
int vex_parse(const char *what, const char *buf, size_t len, struct vex_document **out, struct error *err);
void vex_document_free(struct vex_document *d);
/* The same for one given format (the fuzz targets use it): a document of
 * another format is refused as that format would refuse it. */
int vex_parse_as(enum vex_format f, const char *what, const char *buf, size_t len, struct vex_document **out,
                 struct error *err);

/* The per-format parsers over an already parsed root (vex-parse-*.c). */
int vex_parse_cyclonedx(const char *what, json_t *root, struct vex_document *d, struct error *err);
int vex_parse_openvex(const char *what, json_t *root, struct vex_document *d, struct error *err);
int vex_parse_csaf(const char *what, json_t *root, struct vex_document *d, struct error *err);

/* ---- export model ---- */

struct vex_export_component {
        const char *ref;                 /* bom-ref in the release's SBOM (unique in the export) */
        const char *name;
        const char *version;             /* may be NULL */
        const char *purl;                /* may be NULL */
        const char *cpe;                 /* may be NULL */
};

struct vex_export_finding {
        const char *vuln;                /* canonical id (the CVE when there is one) */
        const char *const *aliases;      /* the other ids, sorted */
        size_t n_aliases;
        size_t component;                /* index into components */
        enum finding_state state;
        enum finding_justification justification;
        const char *action;              /* AFFECTED */
        const char *detail;              /* the state's reason, may be NULL */
        const char *cvss_vector;         /* the vulnerability's best CVSS vector, or NULL */
        int cvss_score10;                /* its base score x 10, or -1 */
        const char *severity;            /* none, low, medium, high, critical, or NULL */
};

struct vex_export {
        const char *product;             /* product name */
        const char *release;             /* release version */
        const char *author;              /* the manufacturer */
        const char *namespace_uri;       /* CSAF publisher.namespace: the manufacturer's URL or a URN */
        int64_t timestamp;               /* the latest state change (deterministic output) */
        const struct vex_export_component *components;
        size_t n_components;
        const struct vex_export_finding *findings; /* sorted by (vuln, component ref) */
        size_t n_findings;
};

/* Renders the document (pretty JSON, keys in a fixed order, a trailing
 * newline). The same export gives the same bytes: ids are derived from a
 * hash of the content, times from the export's timestamp. Heap string. */
char *vex_render(enum vex_format f, const struct vex_export *x, struct error *err);
/* The per-format renderers (vex-render-*.c); `uuid` is the export's
 * content-derived UUID, the same in all three formats, so an OpenVEX or CSAF
 * export can name a component by its CycloneDX BOM-Link
 * (urn:cdx:<uuid>/1#<bom-ref>). */
json_t *vex_render_cyclonedx(const struct vex_export *x, const char *uuid);
json_t *vex_render_openvex(const struct vex_export *x, const char *uuid);
json_t *vex_render_csaf(const struct vex_export *x, const char *uuid);

/* One CSAF 2.0 product_tree full_product_name, the one builder both CSAF
 * outputs use (VEX export here, security advisories in src/csaf/): name and
 * product_id, and a product_identification_helper with whatever identifiers
 * are known (any field may be NULL / 0; no helper when none is). */
struct vex_csaf_product {
        const char *name;
        const char *product_id;
        const char *cpe;
        const char *purl;
        const char *const *model_numbers;
        size_t n_model_numbers;
        const char *sha256;              /* of the file named filename */
        const char *filename;
};
json_t *vex_csaf_full_product_name(const struct vex_csaf_product *p);

/* A BOM-Link to `ref` in the CycloneDX export with this uuid (heap), and
 * back: the bom-ref a BOM-Link names (heap), or NULL when `iri` is not one. */
char *vex_bom_link(const char *uuid, const char *ref);
char *vex_bom_link_ref(const char *iri);

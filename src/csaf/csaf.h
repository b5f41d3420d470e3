/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * CSAF 2.0 security advisories from a case (issue 10 section 5, CRA Art.
 * 14(8) and Annex I Part II (4)). The renderer is pure (no store, no clock):
 * it takes the case, the products and releases it names and the revision
 * history, and returns a csaf_security_advisory document. The product tree
 * is built with the same builder as the VEX export
 * (vex_csaf_full_product_name).
 */
#include <jansson.h>
#include <stdint.h>

#include "case/case.h"
#include "core/error.h"
#include "store/store-product.h"
#include "store/store-release.h"
#include "store/store.h"
#include "vuln/finding.h"

enum csaf_status { CSAF_DRAFT = 0, CSAF_INTERIM, CSAF_FINAL };
const char *csaf_status_name(enum csaf_status s);
int csaf_status_parse(const char *s, enum csaf_status *out, struct error *err);

/* TLP 1.0 labels as CSAF 2.0 writes them: WHITE, GREEN, AMBER, RED. Parse
 * takes them in any case. */
int csaf_tlp_parse(const char *s, const char **label, struct error *err);

struct csaf_revision {
        int64_t date;                     /* seconds since the epoch */
        const char *summary;
};

/* A release with its images (file names and sha256 go into the helper). */
struct csaf_release_in {
        const struct store_release *release;
        const struct store_release_image *images;
        size_t n_images;
        /* The findings of the case's vulnerability on this release (issue 9),
         * folded into one state (csaf-findings.c); when present it decides
         * the release's product status instead of the case state. */
        bool has_finding;
        enum finding_state finding_state;
        enum finding_justification finding_justification;
        const char *finding_detail;       /* the state reason, may be NULL */
};

struct csaf_advisory_in {
        const struct case_info *c;
        const struct store_product *products;
        size_t n_products;
        const struct csaf_release_in *releases;  /* the affected ones and the fix */
        size_t n_releases;
        const char *publisher_name;
        const char *publisher_namespace;         /* https URL of the maker */
        const char *canonical_base;              /* the directory URL, e.g. https://x/.well-known/csaf/white */
        const char *tlp;                         /* csaf_tlp_parse label */
        enum csaf_status status;
        const struct csaf_revision *revisions;   /* oldest first, at least one */
        size_t n_revisions;
        const char *category;                    /* NULL = csaf_security_advisory; or csaf_vex */
        const char *tracking_id;                 /* NULL = csaf_tracking_id(c) */
};

/* The tracking id of a case's advisory ("CRADLE-<reference>") and its file
 * name as CSAF 2.0 section 5.1 derives it (lower case, other characters
 * than a-z 0-9 + - as '_', ".json"). Heap strings. */
char *csaf_tracking_id(const struct case_info *c);
char *csaf_file_name(const char *tracking_id);

/* The advisory. ERROR_INVALID when the input cannot make a valid one (no
 * revision, no affected product, a status the case cannot have), naming it. */
int csaf_advisory_render(const struct csaf_advisory_in *in, json_t **out, struct error *err);

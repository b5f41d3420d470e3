/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* Shared between the files of src/csaf (not a contract). */
#include "case/case.h"
#include "csaf/csaf-publish.h"
#include "csaf/csaf.h"
#include "store/store-csaf.h"
#include "store/store-product.h"
#include "store/store-release.h"

struct csaf_case_input {
        struct case_info c;
        struct store_product *products;
        size_t n_products;
        struct store_release *releases;
        struct store_release_image **images;
        size_t *n_images;
        size_t n_releases;
        struct csaf_release_in *rel_in;
        enum csaf_category category;
        char *tracking_id;
        char **finding_details;           /* per release, owned (csaf-findings.c) */
};
int csaf_case_input_load(struct store *s, const char *ref, enum csaf_category cat, struct csaf_case_input *x,
                         struct error *err);
void csaf_case_input_free(struct csaf_case_input *x);
/* The findings of the case's vulnerability on its affected releases
 * (csaf-findings.c): they decide those releases' product status. */
int csaf_case_findings_load(struct store *s, struct csaf_case_input *x, struct error *err);
/* Fills the renderer's input; *canonical_base is heap. */
int csaf_case_input_fill(const struct csaf_case_input *x, const struct csaf_config *cfg, enum csaf_status status,
                         const char *tlp, const struct csaf_revision *revs, size_t n_revs, struct csaf_advisory_in *in,
                         char **canonical_base, struct error *err);
/* The published revisions of the case's advisory of x->category (none when
 * it has no advisory yet). */
int csaf_case_revisions(struct store *s, const struct csaf_case_input *x, struct store_csaf_revision **out,
                        size_t *n, struct error *err);
/* The bytes of a document as published: pretty, keys sorted, a newline. */
char *csaf_document_bytes(json_t *doc);

/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* SRP report packages (issue 10 section 3): the reads that prefill a package
 * and the submission records (case_submissions, append-only evidence). */
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "store/store.h"

struct store_srp_product {
        char *name, *model, *manufacturer, *support_end;
        char *member_states; /* "DE, FR" in country order; NULL when none */
};
void store_srp_product_clear(struct store_srp_product *p);
/* ERROR_NOT_FOUND names the id. */
int store_srp_product_get(struct store *s, int64_t product_id, struct store_srp_product *out, struct error *err);

/* A release's version and publication time (0 = unpublished). */
int store_srp_release_get(struct store *s, int64_t release_id, char **version, int64_t *published_at,
                          struct error *err);

struct store_srp_submission {
        int64_t id, case_id;
        char *stage, *track, *glossary, *srp_ref, *submitted_by, *content, *content_sha256;
        int64_t submitted_at, recorded_at, due_at, late_by, corrects;
};
void store_srp_submissions_free(struct store_srp_submission *l, size_t n);
int store_srp_submission_insert(struct store *s, const struct store_srp_submission *sub, int64_t *id,
                                struct error *err);
/* A case's submissions by submission time, then id. */
int store_srp_submissions(struct store *s, int64_t case_id, struct store_srp_submission **out, size_t *n,
                          struct error *err);

/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* CSAF advisories and their published revisions (issue 10 section 5):
 * csaf_advisories (one per case and category) and csaf_revisions (append
 * only, the exact published bytes). */
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "store/store.h"

struct store_csaf_advisory {
        int64_t id, case_id;
        char *category, *tracking_id, *file_name;
        int64_t year, created_at;
};
void store_csaf_advisory_clear(struct store_csaf_advisory *a);
/* ERROR_NOT_FOUND when the case has no advisory of this category. */
int store_csaf_advisory_find(struct store *s, int64_t case_id, const char *category,
                             struct store_csaf_advisory *out, struct error *err);
/* ERROR_CONFLICT when the tracking id or file name is taken. */
int store_csaf_advisory_insert(struct store *s, const struct store_csaf_advisory *a, int64_t *id,
                               struct error *err);

struct store_csaf_revision {
        int64_t id, advisory_id, number;
        char *status, *tlp, *summary, *published_by;
        int64_t published_at;
        char *document, *sha256, *sha512, *signature, *key_fingerprint;
        /* joined from the advisory, on reads */
        char *tracking_id, *file_name, *category;
        int64_t year, case_id;
};
void store_csaf_revisions_free(struct store_csaf_revision *l, size_t n);
int store_csaf_revision_insert(struct store *s, const struct store_csaf_revision *r, int64_t *id,
                               struct error *err);
/* An advisory's revisions, oldest first. */
int store_csaf_revisions(struct store *s, int64_t advisory_id, struct store_csaf_revision **out, size_t *n,
                         struct error *err);
/* The latest revision of every advisory (what the directory serves, before
 * the TLP filter), by file name. */
int store_csaf_latest_revisions(struct store *s, struct store_csaf_revision **out, size_t *n,
                                struct error *err);

/* The live findings (gone_at IS NULL) of one vulnerability on one release:
 * state, justification, reason per component. */
struct store_csaf_finding {
        char *state, *justification, *reason;
};
void store_csaf_findings_free(struct store_csaf_finding *l, size_t n);
int store_csaf_findings(struct store *s, int64_t release_id, int64_t vuln_id, struct store_csaf_finding **out,
                        size_t *n, struct error *err);

/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * VEX against a release's findings: import (apply a parsed document's
 * statements through finding_set_state, all or nothing, audited) and export
 * (render the findings in one of the three formats).
 */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "audit/audit.h"
#include "store/store.h"
#include "vex/vex.h"

struct vex_import_result {
        enum vex_format format;
        size_t statements;      /* statements in the document */
        size_t applied;         /* findings whose state changed */
        size_t unchanged;       /* findings that already had that state */
        size_t unmatched;       /* (statement, product) pairs that name no finding */
        json_t *unmatched_list; /* [{statement, vulnerability, product, reason}], at most 100 */
};
void vex_import_result_clear(struct vex_import_result *r);
json_t *vex_import_result_to_json(const struct vex_import_result *r);

/* Applies `doc` (named `doc_name` in reasons and the audit) to the findings of
 * release `release_id`, or, with release_id 0, of every release whose SBOM
 * carries the statement's component purl (a bom-ref names a component only
 * inside one release: such a product stays unmatched without a release).
 * A statement matches the finding of (release, any of its vulnerability ids,
 * the product's bom-ref or purl). One transaction: each change through
 * finding_set_state with the reason "VEX <format> <doc_name> (<doc id>)[:
 * detail]", then one "vex.import" audit entry with the counts; any failure,
 * or two statements giving one finding different states, rolls all back.
 * ERROR_NOT_FOUND for an unknown release. */
int vex_import(struct store *s, const struct audit_actor *actor, const struct vex_document *doc,
               const char *doc_name, int64_t release_id, struct vex_import_result *out, struct error *err);

/* Renders release `release_id`'s findings (those whose match still holds) as
 * a `format` VEX document (heap string). The same state gives the same bytes.
 * ERROR_NOT_FOUND for an unknown release. */
int vex_export(struct store *s, int64_t release_id, enum vex_format format, char **out, struct error *err);

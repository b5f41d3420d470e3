/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * SRP report packages (issue 10 section 3): a stage's report built from data
 * Cradle holds (the case, its products, releases, the fleet's exposure, the
 * fixing release), earlier submissions and the operator's fields; and the
 * submission records kept as evidence (case_submissions, append-only).
 */
#include <jansson.h>

#include "audit/audit.h"
#include "case/case.h"
#include "case/srp-fields.h"
#include "core/error.h"
#include "store/store.h"

struct case_report {
        json_t *package;   /* {"case", "stage", "track", "glossary", "fields": {glossary name: value}} */
        json_t *missing;   /* array of the required field names with no value */
        char *markdown;    /* the fields in the form's order, for copying by hand */
};
void case_report_free(struct case_report *r);

/* Builds a stage's package. operator_fields (may be NULL): a JSON object of
 * glossary field name -> string/number/boolean; an unknown field, a field
 * of the other track or glossary, or a value over its length limit is
 * ERROR_INVALID naming the field (and the limit). Layers, later wins: the
 * case and product; the case's earlier submitted packages (latest first);
 * live fleet data (units affected/patched, the fix, support end); the
 * operator's fields. */
int case_report_build(struct store *s, const char *ref, enum srp_stage stage, enum srp_glossary g,
                      const json_t *operator_fields, struct case_report *out, struct error *err);

/* Records a submission: builds the package (refused, naming every missing
 * required field, when incomplete), stores it exactly with its SHA-256, who,
 * when (at; 0 = now), the SRP reference, the stage's due time from the
 * Art. 14 clocks (clock.h, fed with the earlier submission records) and the
 * lateness. A timeline and an audit entry ("case.submitted") go with it.
 * *out: the record as case_submissions_json shows it. */
int case_report_submit(struct store *s, const struct audit_actor *actor, const char *ref, enum srp_stage stage,
                       enum srp_glossary g, const json_t *operator_fields, const char *srp_ref, int64_t at,
                       int64_t now, json_t **out, struct error *err);

/* The first submission time of each Art. 14 report (enum case_clock_name
 * order; 0 = none) of a case, for case_clocks_json and the reminders. */
int case_report_submitted_times(struct store *s, int64_t case_id, int64_t out[3], struct error *err);

/* {"items": [...]}: every submission with its due time, lateness, SHA-256
 * and content. */
int case_submissions_json(struct store *s, const char *ref, json_t **out, struct error *err);

/* The API's bodies (report-json.c): {"stage", "glossary"?, "fields"?} ->
 * {"package", "missing", "markdown"}; a submission adds "srp_ref" and
 * "at"? (RFC 3339) and answers as case_submissions_json. */
int case_report_json(struct store *s, const char *ref, const json_t *body, json_t **out, struct error *err);

/* The operator's fields applied onto f: every key a field of track t in
 * glossary g, every value a string, integer, boolean or null (null removes
 * the field). ERROR_INVALID naming the field. */
int case_report_fields_apply(const json_t *op, enum srp_glossary g, enum srp_track t, json_t *f, struct error *err);

/* Report drafts (report-draft.c): the operator's fields of a stage saved
 * with the case, applied after the live data and before the fields given
 * with a request (so `case report` need not be given them each time).
 * Body {"stage", "glossary"?, "fields": {...}|null}: an object is checked as
 * case_report_fields_apply does (at most CASE_REPORT_DRAFT_FIELDS_MAX
 * fields, CASE_REPORT_DRAFT_MAX bytes) and saved; null removes the draft.
 * One timeline entry "report_draft" and one audit entry
 * "case.report-draft.saved" (or ".removed"). *out: case_report_draft_get_json's. */
#define CASE_REPORT_DRAFT_MAX (64 * 1024)
#define CASE_REPORT_DRAFT_FIELDS_MAX 64
int case_report_draft_json(struct store *s, const struct audit_actor *actor, const char *ref, const json_t *body,
                           int64_t now, json_t **out, struct error *err);
/* {"case", "stage", "fields": {...}|null, "updated_at"|null, "updated_by"|null} */
int case_report_draft_get_json(struct store *s, const char *ref, const char *stage, json_t **out, struct error *err);
int case_submit_json(struct store *s, const struct audit_actor *actor, const char *ref, const json_t *body,
                     json_t **out, struct error *err);

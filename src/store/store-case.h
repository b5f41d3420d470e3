/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * Rows of cases, case_ids, case_affected and case_timeline (migration 11).
 * The domain (src/case/) validates; these functions only read and write.
 * Enumerations travel as their text names (the CHECK constraints' values).
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include "store/store.h"

struct store_case {
        int64_t id;
        char *reference, *kind, *state, *source;
        char *title, *summary, *state_reason, *owner, *version_range;
        int64_t duplicate_of;
        int64_t vuln_id, release_id, component_id, finding_id;
        char *cvss31_vector, *cvss40_vector, *severity, *impact;
        int64_t fix_release_id, fix_campaign_id, fix_available_at;
        bool exploited, severe_incident;
        int64_t aware_at, incident_occurred_at;
        char *aware_how;
        int64_t ack_due_at, acknowledged_at, disclosure_target_at, disclosed_at;
        char *reporter_credit;
        int64_t created_at, updated_at;
        char *created_by;
};
void store_case_clear(struct store_case *c);

/* The highest number N of the references "<prefix>N" (0 if none). */
int store_case_max_number(struct store *s, const char *prefix, int64_t *out, struct error *err);

/* Inserts every column but id (0 ids bind NULL). */
int store_case_insert(struct store *s, const struct store_case *c, int64_t *id_out, struct error *err);
/* Writes every mutable column of row c->id (all but reference, kind, source,
 * created_*). ERROR_NOT_FOUND if there is no such row. */
int store_case_update(struct store *s, const struct store_case *c, struct error *err);
/* By id (reference NULL) or by reference. ERROR_NOT_FOUND. */
int store_case_get(struct store *s, int64_t id, const char *reference, struct store_case *out,
                   struct error *err);
/* The newest case linked to vulnerability vuln_id (by its link point), if any: 1 found, 0 none. */
int store_case_by_vuln(struct store *s, int64_t vuln_id, struct store_case *out, struct error *err);

/* A page of cases, newest first, with ids below before_id (0: from the
 * newest); state NULL = all. */
int store_case_list(struct store *s, const char *state, int64_t before_id, int64_t limit, struct store_case **out,
                    size_t *n_out, struct error *err);
void store_case_list_free(struct store_case *list, size_t n);
/* Cases whose Art. 14 clocks run: exploited or severe incident, with aware_at
 * set, in a state that is not final (closed, rejected, duplicate, not a vulnerability). */
int store_case_list_clocked(struct store *s, struct store_case **out, size_t *n_out, struct error *err);

/* ids: kind is 'cve', 'euvd', 'cwe', 'ghsa' or 'other'. Adding one already there is a no-op. */
int store_case_id_add(struct store *s, int64_t case_id, const char *kind, const char *value, struct error *err);
/* {"cve": [...], ...} sorted by kind then value; kinds without ids are absent. */
int store_case_ids_read(struct store *s, int64_t case_id, json_t **out, struct error *err);

/* release_id 0 = the whole product. */
int store_case_affected_add(struct store *s, int64_t case_id, int64_t product_id, int64_t release_id,
                            struct error *err);
struct store_case_affected_row {
        int64_t product_id, release_id;
};
int store_case_affected_read(struct store *s, int64_t case_id, struct store_case_affected_row **out, size_t *n_out,
                             struct error *err);

int store_case_timeline_insert(struct store *s, int64_t case_id, int64_t time, const char *actor,
                               const char *action, const char *details_json, struct error *err);
/* [{time, actor, action, details}] oldest first (time as epoch seconds; details parsed). */
int store_case_timeline_read(struct store *s, int64_t case_id, json_t **out, struct error *err);

/* Whether a referenced row exists: what is "product", "release", "vuln",
 * "component", "finding", "campaign" or "case". For a release, *product_id
 * (may be NULL) receives its product. */
int store_case_ref_exists(struct store *s, const char *what, int64_t id, int64_t *product_id, bool *exists,
                          struct error *err);
/* A release's status and its publication time (published_at, 0 if none). */
int store_case_release_published(struct store *s, int64_t release_id, bool *published, int64_t *published_at,
                                 struct error *err);
/* The id of vulnerability `name` (vulns.name): 0 when unknown. */
int store_case_vuln_id(struct store *s, const char *name, int64_t *id, struct error *err);
/* The vulnerability's best CVSS vector (vulns.cvss_vector), or NULL. Heap string. */
int store_case_vuln_cvss(struct store *s, int64_t vuln_id, char **vector, struct error *err);
/* The release a campaign rolls out (0 if no such campaign). */
int store_case_campaign_release(struct store *s, int64_t campaign_id, int64_t *release_id, struct error *err);

/* ---- reminders (migration 12) ---- */
/* Records a reminder unless it fired already: *inserted says whether it is new. */
int store_case_reminder_insert(struct store *s, int64_t case_id, const char *track, const char *report,
                               const char *point, int64_t due_at, int64_t fired_at, const char *body,
                               bool webhook, bool *inserted, struct error *err);
struct store_case_webhook {
        int64_t case_id;
        char *track, *report, *point;
        int64_t due_at;
        char *body;
        int64_t attempts;
};
/* Deliveries due (pending, next attempt at or before now), oldest first. */
int store_case_webhook_due(struct store *s, int64_t now, int64_t limit, struct store_case_webhook **out, size_t *n,
                           struct error *err);
void store_case_webhook_list_free(struct store_case_webhook *l, size_t n);
/* state 'sent', 'pending' (next_at) or 'failed'; attempts counted; error may be NULL. */
int store_case_webhook_update(struct store *s, const struct store_case_webhook *w, const char *state,
                              int64_t attempts, int64_t next_at, const char *error, struct error *err);

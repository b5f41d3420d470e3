/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * Cases (issue 10): one vulnerability in the maker's own product, or one
 * incident, from intake to disclosure, with the CRA Art. 14 clocks. Rows live
 * in cases, case_ids, case_affected and case_timeline.
 *
 * This header is the contract between the case domain (src/case/case.c,
 * which implements it) and the streams that build on cases: the SRP report
 * packages (src/case/report*.c), the public CVD intake (src/cvd/) and the
 * CSAF advisories (src/csaf/). Every function that changes a case appends
 * one timeline entry and one audit entry ("case.<what>", object
 * "case/<reference>") in the same transaction.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "audit/audit.h"
#include "core/error.h"
#include "store/store.h"

enum case_kind { CASE_VULNERABILITY = 0, CASE_INCIDENT };

enum case_state {
        CASE_RECEIVED = 0,
        CASE_TRIAGING,
        CASE_CONFIRMED,
        CASE_FIX_IN_PROGRESS,
        CASE_FIX_AVAILABLE,
        CASE_DISCLOSED,
        CASE_CLOSED,
        CASE_REJECTED,            /* needs a reason */
        CASE_DUPLICATE,           /* needs a reason and duplicate_of */
        CASE_NOT_A_VULNERABILITY, /* needs a reason */
};

enum case_source { CASE_SOURCE_CVD = 0, CASE_SOURCE_FINDING, CASE_SOURCE_MANUAL };

/* "vulnerability"/"incident"; "received", "triaging", "confirmed",
 * "fix_in_progress", "fix_available", "disclosed", "closed", "rejected",
 * "duplicate", "not_a_vulnerability"; "cvd"/"finding"/"manual". Parse
 * errors name the value and the choices. */
const char *case_kind_name(enum case_kind k);
int case_kind_parse(const char *s, enum case_kind *out, struct error *err);
const char *case_state_name(enum case_state s);
int case_state_parse(const char *s, enum case_state *out, struct error *err);
const char *case_source_name(enum case_source s);

struct case_affected {
        int64_t product_id;
        int64_t release_id;               /* 0: the whole product (cases.version_range) */
};

/* What a new case starts with. Strings may be NULL (absent) except title and
 * summary. ids is a JSON object {"cve": [...], "euvd": [...], "cwe": [...],
 * "ghsa": [...]} or NULL; it is validated (CVE-YYYY-NNNN+, EUVD-YYYY-N+,
 * CWE-N+). */
struct case_new {
        enum case_kind kind;
        enum case_source source;
        const char *title;                /* <= 255 (the SRP's limit) */
        const char *summary;              /* <= 4000 */
        const char *owner;
        const json_t *ids;
        const struct case_affected *affected;
        size_t naffected;
        const char *version_range;
        const char *cvss31_vector;        /* parsed and scored (src/vuln/cvss.h) */
        const char *cvss40_vector;
        const char *reporter_credit;
        /* the link point to vulnerability management (0 = none) */
        int64_t vuln_id, release_id, component_id, finding_id;
};

/* A case as read back. Times are seconds since the epoch, 0 = not set. */
struct case_info {
        int64_t id;
        char *reference;
        enum case_kind kind;
        enum case_state state;
        enum case_source source;
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
        json_t *ids;                      /* {"cve": [...], "euvd": [...], "cwe": [...], ...} */
        struct case_affected *affected;
        size_t naffected;
        int64_t created_at, updated_at;
        char *created_by;
};
void case_info_free(struct case_info *c);

/* Creates a case with a new reference ("CASE-<year>-<4+ digits>", unique),
 * state received, ack and disclosure clocks from the configured defaults
 * (ack_days, disclosure_days; 0 = the defaults 7 and 90). */
int case_create(struct store *s, const struct audit_actor *actor, const struct case_new *n, int ack_days,
                int disclosure_days, struct case_info *out, struct error *err);

/* By numeric id or reference. ERROR_NOT_FOUND names it. */
int case_get(struct store *s, const char *id_or_reference, struct case_info *out, struct error *err);

/* Appends one timeline entry inside the caller's transaction (details may be
 * NULL; not stolen). For the streams that record their own steps (report
 * produced, submitted, CVD message, advisory published). */
int case_timeline_append(struct store *s, int64_t case_id, const struct audit_actor *actor, const char *action,
                         json_t *details, struct error *err);

/* ---- added by the case domain (beyond the first contract) ---- */

int case_source_parse(const char *s, enum case_source *out, struct error *err);

/* One id: kind "cve" (CVE-YYYY-NNNN, 4+ digits), "euvd" (EUVD-YYYY-N+),
 * "cwe" (CWE-N+), "ghsa" (GHSA- and three groups of four characters). Errors name the value. */
int case_id_check(const char *kind, const char *value, struct error *err);
/* A whole ids object as in struct case_new. */
int case_ids_check(const json_t *ids, struct error *err);
/* Parses and scores the vectors (either may be NULL); *severity is the
 * rating of the 4.0 score if given, else of the 3.x one, else NULL. */
int case_cvss_check(const char *cvss31, const char *cvss40, const char **severity, struct error *err);
/* The link point to vulnerability management: each non-zero id must exist. */
int case_link_point_check(struct store *s, int64_t vuln_id, int64_t release_id, int64_t component_id,
                          int64_t finding_id, struct error *err);

/* The case as the API and the audit show it (times RFC 3339, absent = null). */
json_t *case_to_json(const struct case_info *c);

/* ---- changes (case-change.c). Each takes the case by id or reference,
 * runs one transaction (or a savepoint inside the caller's), appends one
 * timeline entry and one audit entry ("case.<what>") with the actor and the
 * reason, and returns the case as it now is in *out (may be NULL). */

/* Whether the state machine allows from -> to (docs/reporting.md has the
 * table). */
bool case_transition_allowed(enum case_state from, enum case_state to);

/* A state change; reason is required (and stored as state_reason for
 * rejected, duplicate and not_a_vulnerability); duplicate_of (id or
 * reference) only and always for duplicate. An impossible transition is
 * ERROR_CONFLICT naming both states. Entering fix_available without a
 * recorded measure time records now; entering disclosed records now. */
int case_set_state(struct store *s, const struct audit_actor *actor, const char *ref, enum case_state to,
                   const char *reason, const char *duplicate_of, struct case_info *out, struct error *err);

/* Field edits: NULL leaves a field alone, "" clears an optional one. ids
 * and affected are added to (never removed silently). */
struct case_edit {
        const char *title, *summary, *owner, *impact, *version_range, *reporter_credit;
        const char *cvss31_vector, *cvss40_vector;
        const json_t *add_ids;
        const struct case_affected *add_affected;
        size_t n_add_affected;
        int64_t vuln_id, release_id, component_id, finding_id; /* link point; 0 leaves it */
        const char *reason;
};
int case_edit(struct store *s, const struct audit_actor *actor, const char *ref, const struct case_edit *e,
              struct case_info *out, struct error *err);

/* Markers. exploited: actively exploited (the vulnerability track);
 * severe_incident: the incident track. at (0 = now) is when the maker became
 * aware; how says how (required). An awareness time already recorded is only
 * ever moved earlier, never later (a later one would postpone legal
 * deadlines); the timeline says which was kept. occurred_at: when the
 * incident occurred (0 = unknown). */
int case_mark_aware(struct store *s, const struct audit_actor *actor, const char *ref, bool exploited,
                    bool severe_incident, int64_t at, const char *how, int64_t occurred_at, const char *reason,
                    struct case_info *out, struct error *err);

/* Links the fixing release and/or campaign (0 leaves them) and records a
 * mitigation time (0: none). A published fixing release makes
 * fix_available_at its publication time unless an earlier measure time is
 * recorded; fix_available_at is only ever moved earlier. The release must
 * belong to an affected product (when any is listed); the campaign must
 * roll out that release. */
int case_link(struct store *s, const struct audit_actor *actor, const char *ref, int64_t fix_release_id,
              int64_t campaign_id, int64_t mitigation_at, const char *reason, struct case_info *out,
              struct error *err);

/* The vulnerability-management path (the KEV hook): find the open case of
 * vulnerability `vuln` (canonical name, as in vulns.name) or open one
 * (source finding, linked to the vulnerability and first finding, the
 * product affected), and mark it actively exploited with aware_how `how`
 * ("KEV") and awareness `learnt_at` (when Cradle learnt it). Idempotent: a
 * case already exploited is left as it is (an affected product new to it is
 * added). Runs inside the caller's transaction when there is one. *created
 * (may be NULL) says whether a case was opened. */
struct case_exploited_vuln {
        const char *vuln;
        int64_t product_id;
        /* The product's releases the findings are in: each becomes an affected
         * (product, release) row, so the reports name the versions. */
        const int64_t *release_ids;
        size_t n_release_ids;
        const int64_t *finding_ids;
        size_t n_findings;
        int64_t learnt_at;
        const char *how;
};
int case_vuln_exploited(struct store *s, const struct audit_actor *actor, const struct case_exploited_vuln *e,
                        struct case_info *out, bool *created, struct error *err);

/* ---- JSON (case-json.c): bodies as docs/openapi.json describes them;
 * *out is the case as case_to_json renders it. ---- */
int case_create_json(struct store *s, const struct audit_actor *actor, json_t *body, int ack_days,
                     int disclosure_days, json_t **out, struct error *err);
int case_edit_json(struct store *s, const struct audit_actor *actor, const char *ref, json_t *body, json_t **out,
                   struct error *err);
int case_state_json(struct store *s, const struct audit_actor *actor, const char *ref, json_t *body, json_t **out,
                    struct error *err);
int case_aware_json(struct store *s, const struct audit_actor *actor, const char *ref, json_t *body, json_t **out,
                    struct error *err);
int case_link_json(struct store *s, const struct audit_actor *actor, const char *ref, json_t *body, json_t **out,
                   struct error *err);
/* The case with "clocks" (case_clocks_json, no submissions known here) and "timeline". */
int case_show_json(struct store *s, const char *ref, int64_t now, json_t **out, struct error *err);
/* {"items": [...], "next_before_id": N|null}: state, next due clock, ack and disclosure dates. */
int case_list_json(struct store *s, const char *state, int64_t before_id, int64_t limit, int64_t now, json_t **out,
                   struct error *err);
/* The Art. 14 clocks of a case as JSON: per report its due time, the latest
 * moment under Reg. 1182/71 Art. 3, submission and lateness. submitted (may
 * be NULL) gives the submission time of each report (enum case_clock_name
 * order) as the SRP stream records them. */
json_t *case_clocks_json(const struct case_info *c, const int64_t submitted[3], int64_t now);

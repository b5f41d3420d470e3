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

/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * Findings (issue 9): one (release, component, vulnerability) triple and its
 * triage state, the state VEX documents carry. Rows live in the findings
 * table (migration 10). The matcher creates them; people and VEX imports move
 * their state; every change is audited with the actor and a reason.
 *
 * This header is the contract between the findings engine (which implements
 * it) and VEX import/export (which calls it). Vocabulary mapping between
 * CycloneDX VEX, OpenVEX and CSAF VEX lives in src/vex/, not here.
 */
#include <stdint.h>

#include "audit/audit.h"
#include "core/error.h"
#include "store/store.h"

enum finding_state {
        FINDING_IN_TRIAGE = 0,
        FINDING_AFFECTED,         /* needs an action statement */
        FINDING_NOT_AFFECTED,     /* needs a justification */
        FINDING_FIXED,
        FINDING_FALSE_POSITIVE,
};

/* Cradle's own justification vocabulary for "not affected" (the union the
 * three VEX formats can express; src/vex maps each format onto it). */
enum finding_justification {
        FINDING_JUST_NONE = 0,
        FINDING_JUST_COMPONENT_NOT_PRESENT,
        FINDING_JUST_CODE_NOT_PRESENT,
        FINDING_JUST_CODE_NOT_REACHABLE,
        FINDING_JUST_REQUIRES_CONFIGURATION,
        FINDING_JUST_REQUIRES_DEPENDENCY,
        FINDING_JUST_REQUIRES_ENVIRONMENT,
        FINDING_JUST_PROTECTED_BY_COMPILER,
        FINDING_JUST_PROTECTED_AT_RUNTIME,
        FINDING_JUST_PROTECTED_AT_PERIMETER,
        FINDING_JUST_PROTECTED_BY_MITIGATING_CONTROL,
        FINDING_JUST_CANNOT_BE_CONTROLLED_BY_ADVERSARY,
        FINDING_JUST_INLINE_MITIGATIONS_EXIST,
};

/* Names as stored and shown: "in_triage", "affected", "not_affected",
 * "fixed", "false_positive"; justifications in snake_case
 * ("code_not_present", ...). Parse errors name the value and the choices. */
const char *finding_state_name(enum finding_state s);
int finding_state_parse(const char *s, enum finding_state *out, struct error *err);
const char *finding_justification_name(enum finding_justification j);
int finding_justification_parse(const char *s, enum finding_justification *out, struct error *err);

struct finding_state_change {
        enum finding_state state;
        enum finding_justification justification; /* required for NOT_AFFECTED, else NONE */
        const char *action_statement;             /* required for AFFECTED, else NULL */
        const char *reason;                       /* required: why (audited) */
};

/* Moves one finding's state, in one transaction with its audit entry
 * ("finding.state", object "finding/<id>"). Refuses (ERROR_INVALID, naming
 * the field) a change without the field its state needs; ERROR_NOT_FOUND for
 * an unknown id. Setting the state it already has with the same fields is a
 * no-op that writes nothing. */
int finding_set_state(struct store *s, const struct audit_actor *actor, int64_t finding_id,
                      const struct finding_state_change *change, struct error *err);

/* Looks up the finding of (release, vulnerability by any alias, component
 * by bom-ref or purl) for VEX import. ERROR_NOT_FOUND when there is none. */
int finding_find(struct store *s, int64_t release_id, const char *vuln_alias, const char *component_ref_or_purl,
                 int64_t *finding_id, struct error *err);

/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * M-of-N approvals for sensitive operations (issue 11, section 3).
 *
 * A policy names, per operation, how many distinct users must approve and
 * which roles an approver may act with. A governed operation is not run when
 * asked: a request is recorded instead, with the operation, its exact
 * parameters (canonical JSON) and their SHA-256, the requester (user and
 * token), a justification and an expiry. Each approval or rejection is a vote
 * of one user (a person with two tokens votes once), never the requester's,
 * made with a token whose role the policy allows; each is audited. The vote
 * that reaches the required number runs the operation at once, exactly as
 * requested: the executor recomputes the hash of the parameters it is about
 * to run and compares it, in constant time, with the recorded one. A request
 * runs at most once (it is claimed by one UPDATE first), and an expired one
 * can be neither approved nor run. One rejection ends a request.
 *
 * Operations with approvers = 0 are not governed and run directly.
 */
#include <jansson.h>
#include <stdbool.h>
#include "audit/audit.h"
#include "store/store-approval.h"

/* The operations governed by default ([approval] governed in cradled.conf). */
#define APPROVAL_OP_DEVICE_CA_RETIRE "device-ca.retire"         /* installing a CA that retires the active one */
#define APPROVAL_OP_CAMPAIGN_SECURITY_START "campaign.security-start"
#define APPROVAL_OP_DEBUG_ISSUE "debug.issue"                   /* reserved: debug-authorisation tokens */
#define APPROVAL_OP_MIGRATION_OPEN "migration.open"
#define APPROVAL_OP_IMAGE_DELETE "image.delete"                 /* deleting a retained image */
#define APPROVAL_OP_POLICY_SET "approval.policy-set"
#define APPROVAL_GOVERNED_DEFAULT "device-ca.retire,campaign.security-start,debug.issue,migration.open," \
        "image.delete,approval.policy-set"
#define APPROVAL_ROLES_DEFAULT "admin,security-officer"
#define APPROVAL_APPROVERS_MAX 10
#define APPROVAL_JUSTIFICATION_MAX 1024

/* cradled.conf [approval]: what applies to an operation without a policy row. */
struct approval_defaults {
        int64_t approvers;      /* for each governed operation; 0 = governance off */
        const char *roles;      /* comma-separated role names an approver may act with */
        const char *governed;   /* comma-separated operation names */
        int64_t expiry;         /* seconds a request stays open */
};
void approval_defaults_init(struct approval_defaults *d); /* 2, APPROVAL_ROLES_DEFAULT, ..., 72 h */

/* Who asks or votes: the authenticated principal. */
struct approval_person {
        int64_t user_id;
        const char *user;       /* user name */
        const char *token;      /* token name */
        const char *role;       /* the role the token acts with */
};

struct approval_policy {
        char operation[64];
        int64_t approvers;
        char roles[128];
        bool configured;        /* a policy row, not the defaults */
};

bool approval_operation_known(const char *op);
int approval_policy_effective(struct store *s, const struct approval_defaults *d, const char *op,
                              struct approval_policy *out, struct error *err);
/* Every known operation with its effective policy: {"items": [...]}. */
int approval_policy_list(struct store *s, const struct approval_defaults *d, json_t **out,
                         struct error *err);

/* Asks for `op` with `params` (a JSON object). Returns 0 when the operation
 * is not governed (nothing written: run it now), 1 when a request was
 * recorded (*out its JSON), -1 on error. */
int approval_request(struct store *s, const struct approval_defaults *d, const struct approval_person *who,
                     const char *op, json_t *params, const char *justification, json_t **out,
                     struct error *err);

/* Runs an approved operation (not approval.policy-set, which this module runs
 * itself). `as` is the requester. *result: the operation's answer (JSON). */
typedef int (*approval_run_fn)(void *ctx, struct store *s, const struct audit_actor *as, const char *op,
                               json_t *params, json_t **result, struct error *err);
struct approval_executor {
        approval_run_fn run;
        void *ctx;
};

/* A vote. The last approval needed runs the operation (with `ex`); *out is
 * the request afterwards (state executed or failed, with the result). */
int approval_decide(struct store *s, const struct approval_person *who, int64_t id, bool approve,
                    const char *comment, const struct approval_executor *ex, json_t **out,
                    struct error *err);
/* Runs an approved request (the last approver's call does this; exposed for
 * tests and for a request whose run was interrupted before its claim). */
int approval_execute(struct store *s, int64_t id, const struct approval_executor *ex, json_t **out,
                     struct error *err);

/* Sets a policy ({"operation", "approvers", "roles"}) at once: what an
 * approved approval.policy-set request runs, and what the route runs when
 * approval.policy-set itself is not governed. Audited "approval.policy-set". */
int approval_policy_set_now(struct store *s, const struct audit_actor *as, json_t *params, json_t **out,
                            struct error *err);

int approval_get(struct store *s, int64_t id, json_t **out, struct error *err);
int approval_list(struct store *s, const char *state, json_t **out, struct error *err);
json_t *approval_request_to_json(const struct store_approval_request *r);
/* The SHA-256 (hex) of the canonical JSON of params. */
int approval_params_hash(json_t *params, char out[65], char **canonical, struct error *err);

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * /api/v1/approvals and /api/v1/approval-policies (issue 11): M-of-N
 * approvals. Also the gate the governed routes call (route_approval_gate) and
 * the executor that runs an approved operation with the same domain calls the
 * route would have made (approval_ops_run).
 */
#include <string.h>
#include "approval/approval.h"
#include "auth/role.h"
#include "auth/token.h"
#include "campaign/campaign.h"
#include "core/cleanup.h"
#include "core/json.h"
#include "core/strutil.h"
#include "core/time.h"
#include "identity/device-ca.h"
#include "identity/migrate.h"
#include "release/release.h"
#include "route-io.h"
#include "router.h"
#include "routes.h"

static const struct approval_defaults *defaults(const struct route_ctx *ctx, struct approval_defaults *tmp) {
        if (ctx->router->approval)
                return ctx->router->approval;
        approval_defaults_init(tmp);
        return tmp;
}

static struct approval_person person(const struct route_ctx *ctx) {
        const struct auth_principal *p = ctx->principal;
        return (struct approval_person) {
                .user_id = p->user_id, .user = p->user_name, .token = p->name, .role = role_name(p->role),
        };
}

int route_approval_gate(struct route_ctx *ctx, struct http_response *resp, const char *op, json_t *params,
                        struct error *err) {
        struct store *s = route_store(ctx, err);
        if (!s)
                return -1;
        _cleanup_free_ char *justification = NULL;
        if (route_query_string(ctx, "justification", &justification, err) < 0)
                return -1;
        struct approval_defaults tmp;
        struct approval_person who = person(ctx);
        _cleanup_json_ json_t *out = NULL;
        int r = approval_request(s, defaults(ctx, &tmp), &who, op, params, justification, &out, err);
        if (r <= 0)
                return r;
        /* 202: accepted for approval, not done. The body is the request. */
        route_respond_json(resp, 202, out);
        _cleanup_free_ char *loc = str_printf("/api/v1/approvals/%" JSON_INTEGER_FORMAT,
                                              json_integer_value(json_object_get(out, "id")));
        http_response_add_header(resp, "Location", loc);
        return 1;
}

/* The executor: ctx is the route_ctx of the vote that completed the request. */
static int approval_ops_run(void *opaque, struct store *s, const struct audit_actor *as, const char *op,
                            json_t *params, json_t **result, struct error *err) {
        struct route_ctx *ctx = opaque;
        (void) s; /* the same connection as route_store(ctx) */
        if (strcmp(op, APPROVAL_OP_DEVICE_CA_RETIRE) == 0)
                return identity_ca_install(route_store(ctx, err), as, cr_json_get_string(params, "name"),
                                           cr_json_get_string(params, "certificate"),
                                           cr_json_get_string(params, "chain"), result, err);
        if (strcmp(op, APPROVAL_OP_MIGRATION_OPEN) == 0) {
                struct identity_ctx ic;
                if (route_identity(ctx, &ic, err) < 0 ||
                    identity_migration_open_hash(&ic, as, cr_json_get_string(params, "product"),
                                                 cr_json_get_string(params, "shared_credential_sha256"), err) < 0)
                        return -1;
                *result = json_pack("{s:s, s:s}", "product", cr_json_get_string(params, "product"), "migration",
                                    "open");
                return 0;
        }
        if (strcmp(op, APPROVAL_OP_CAMPAIGN_SECURITY_START) == 0)
                return campaign_start(route_store(ctx, err), as, cr_json_get_int(params, "campaign", 0), NULL,
                                      time_now(), result, err);
        if (strcmp(op, APPROVAL_OP_IMAGE_DELETE) == 0) {
                struct ota_ctx oc;
                if (route_ota(ctx, &oc, err) < 0)
                        return -1;
                return image_delete(&oc, as, cr_json_get_string(params, "sha256"), result, err);
        }
        if (strcmp(op, APPROVAL_OP_DEBUG_ISSUE) == 0)
                return routes_debug_issue_run(ctx, route_store(ctx, err), as, params, result, err);
        return error_set(err, ERROR_CONFLICT, "%s has no executor in this cradled; its request cannot run", op);
}

int routes_approvals_list(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        _cleanup_free_ char *state = NULL;
        struct store *s = route_store(ctx, err);
        _cleanup_json_ json_t *out = NULL;
        if (!s || route_query_string(ctx, "state", &state, err) < 0 || approval_list(s, state, &out, err) < 0)
                return -1;
        route_respond_json(resp, 200, out);
        return 0;
}

int routes_approvals_get(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        int64_t id;
        struct store *s = route_store(ctx, err);
        _cleanup_json_ json_t *out = NULL;
        if (!s || route_param_id(ctx, "id", &id, err) < 0 || approval_get(s, id, &out, err) < 0)
                return -1;
        route_respond_json(resp, 200, out);
        return 0;
}

static const struct cr_json_field decide_fields[] = {
        { .name = "comment", .type = CR_JSON_STRING, .max_len = APPROVAL_JUSTIFICATION_MAX },
};

static int decide(struct route_ctx *ctx, struct http_response *resp, bool approve, struct error *err) {
        int64_t id;
        _cleanup_json_ json_t *body = NULL, *out = NULL;
        if (route_param_id(ctx, "id", &id, err) < 0 || route_read_optional_json_body(ctx, &body, err) < 0 ||
            (body && cr_json_check_object("request body", body, decide_fields, ELEMENTSOF(decide_fields), err) < 0))
                return -1;
        struct store *s = route_store(ctx, err);
        if (!s)
                return -1;
        struct approval_person who = person(ctx);
        struct approval_executor ex = {approval_ops_run, ctx};
        if (approval_decide(s, &who, id, approve, body ? cr_json_get_string(body, "comment") : NULL, &ex, &out,
                            err) < 0)
                return -1;
        route_respond_json(resp, 200, out);
        return 0;
}

int routes_approvals_approve(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        return decide(ctx, resp, true, err);
}

int routes_approvals_reject(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        return decide(ctx, resp, false, err);
}

int routes_approval_policies_list(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        struct approval_defaults tmp;
        struct store *s = route_store(ctx, err);
        _cleanup_json_ json_t *out = NULL;
        if (!s || approval_policy_list(s, defaults(ctx, &tmp), &out, err) < 0)
                return -1;
        route_respond_json(resp, 200, out);
        return 0;
}

static const struct cr_json_field policy_fields[] = {
        { .name = "approvers", .type = CR_JSON_INTEGER, .required = true },
        { .name = "roles", .type = CR_JSON_STRING, .required = true, .max_len = 127 },
};

/* Changing a policy is itself governed (approval.policy-set): by default it
 * answers 202 with a request; run directly only when that is not governed. */
int routes_approval_policies_set(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        _cleanup_json_ json_t *body = NULL, *out = NULL;
        if (route_read_json_body(ctx, &body, err) < 0 ||
            cr_json_check_object("request body", body, policy_fields, ELEMENTSOF(policy_fields), err) < 0)
                return -1;
        const char *op = route_param(ctx, "operation");
        if (!approval_operation_known(op))
                return error_set(err, ERROR_NOT_FOUND, "'%.64s' is not a governed operation", op);
        int64_t n = cr_json_get_int(body, "approvers", -1);
        if (n < 0 || n > APPROVAL_APPROVERS_MAX)
                return error_set(err, ERROR_INVALID, "field 'approvers': expected an integer from 0 to %d",
                                 APPROVAL_APPROVERS_MAX);
        _cleanup_json_ json_t *params = json_pack("{s:s, s:I, s:s}", "operation", op, "approvers", (json_int_t) n,
                                                  "roles", cr_json_get_string(body, "roles"));
        int r = route_approval_gate(ctx, resp, APPROVAL_OP_POLICY_SET, params, err);
        if (r != 0)
                return r < 0 ? -1 : 0;
        /* Not governed: the policy is set now, through the same path an
         * approved request takes. */
        struct store *s = route_store(ctx, err);
        if (!s)
                return -1;
        if (approval_policy_set_now(s, &(struct audit_actor) {
                        .name = ctx->principal->name, .role = role_name(ctx->principal->role),
                        .user = ctx->principal->user_name}, params, &out, err) < 0)
                return -1;
        route_respond_json(resp, 200, out);
        return 0;
}

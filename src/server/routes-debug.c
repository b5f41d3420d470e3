/* SPDX-License-Identifier: Apache-2.0 */
/*
 * /api/v1/debug (issue 11, section 4): debug-authorisation tokens. A request
 * is an approval request for debug.issue (src/approval); the executor that
 * runs it when approved is routes_debug_issue_run, called by routes-approvals.c.
 */
#include <string.h>
#include "approval/approval.h"
#include "auth/role.h"
#include "core/cleanup.h"
#include "core/json.h"
#include "core/strutil.h"
#include "debug/issue.h"
#include "debug/token.h"
#include "route-io.h"
#include "router.h"
#include "routes.h"
#include "store/store-approval.h"

static struct debug_config debug_config(const struct route_ctx *ctx) {
        struct debug_config c = { .data_dir = ctx->router->data_dir };
        if (ctx->router->debug)
                c = *ctx->router->debug;
        if (!c.data_dir)
                c.data_dir = ctx->router->data_dir;
        return c;
}

static struct audit_actor actor(const struct route_ctx *ctx) {
        return (struct audit_actor) { .name = ctx->principal->name, .role = role_name(ctx->principal->role),
                                      .user = ctx->principal->user_name };
}

static const struct cr_json_field request_fields[] = {
        { .name = "challenge", .type = CR_JSON_STRING, .required = true, .max_len = 1024 },
        { .name = "justification", .type = CR_JSON_STRING, .required = true, .max_len = APPROVAL_JUSTIFICATION_MAX },
};

/* POST /api/v1/debug/requests: 202 with the approval request, or, when
 * debug.issue is not governed, 201 with the token issued at once. */
int routes_debug_request(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        _cleanup_json_ json_t *body = NULL, *params = NULL, *out = NULL;
        if (route_read_json_body(ctx, &body, err) < 0 ||
            cr_json_check_object("request body", body, request_fields, ELEMENTSOF(request_fields), err) < 0)
                return -1;
        const char *justification = cr_json_get_string(body, "justification");
        if (!*justification)
                return error_set(err, ERROR_INVALID, "field 'justification': required (e.g. a ticket reference)");
        struct store *s = route_store(ctx, err);
        if (!s || debug_request_params(s, cr_json_get_string(body, "challenge"), &params, err) < 0)
                return -1;
        const struct approval_defaults *d = ctx->router->approval;
        struct approval_defaults tmp;
        if (!d) {
                approval_defaults_init(&tmp);
                d = &tmp;
        }
        const struct auth_principal *p = ctx->principal;
        struct approval_person who = { .user_id = p->user_id, .user = p->user_name, .token = p->name,
                                       .role = role_name(p->role) };
        int r = approval_request(s, d, &who, APPROVAL_OP_DEBUG_ISSUE, params, justification, &out, err);
        if (r < 0)
                return -1;
        if (r == 1) {
                route_respond_json(resp, 202, out);
                _cleanup_free_ char *loc = str_printf("/api/v1/approvals/%" JSON_INTEGER_FORMAT,
                                                      json_integer_value(json_object_get(out, "id")));
                http_response_add_header(resp, "Location", loc);
                return 0;
        }
        /* Not governed ([approval] off for debug.issue): issued now, no approvers. */
        struct debug_config cfg = debug_config(ctx);
        struct audit_actor as = actor(ctx);
        if (debug_issue(s, &cfg, &as, 0, "ungoverned", params, &out, err) < 0)
                return -1;
        route_respond_json(resp, 201, out);
        return 0;
}

int routes_debug_issue_run(struct route_ctx *ctx, struct store *s, const struct audit_actor *as, json_t *params,
                           json_t **result, struct error *err) {
        /* The vote that completed the request is on /api/v1/approvals/{id}/approve:
         * the request, and its approvers, are that id's. */
        int64_t id;
        struct store_approval_request r;
        if (route_param_id(ctx, "id", &id, err) < 0 || store_approval_request_get(s, id, &r, err) < 0)
                return -1;
        _cleanup_free_ char *approvers = NULL;
        for (size_t i = 0; i < r.n_votes; i++) {
                if (strcmp(r.votes[i].decision, "approve") != 0)
                        continue;
                char *next = approvers ? str_printf("%s,%s", approvers, r.votes[i].user_name)
                                       : str_dup(r.votes[i].user_name);
                free(approvers);
                approvers = next;
        }
        store_approval_request_clear(&r);
        struct debug_config cfg = debug_config(ctx);
        return debug_issue(s, &cfg, as, id, approvers, params, result, err);
}

int routes_debug_token_get(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        int64_t id;
        struct store *s = route_store(ctx, err);
        _cleanup_json_ json_t *out = NULL;
        if (!s || route_param_id(ctx, "id", &id, err) < 0 || debug_token_get(s, id, &out, err) < 0)
                return -1;
        route_respond_json(resp, 200, out);
        return 0;
}

int routes_debug_tokens_list(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        _cleanup_free_ char *device = NULL;
        struct store *s = route_store(ctx, err);
        _cleanup_json_ json_t *out = NULL;
        if (!s || route_query_string(ctx, "device", &device, err) < 0 ||
            debug_token_list(s, device, &out, err) < 0)
                return -1;
        route_respond_json(resp, 200, out);
        return 0;
}

int routes_debug_key(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        struct store *s = route_store(ctx, err);
        _cleanup_free_ char *pem = NULL;
        if (!s)
                return -1;
        struct debug_config cfg = debug_config(ctx);
        struct audit_actor as = actor(ctx);
        if (debug_key_public_pem(s, &cfg, &as, &pem, err) < 0)
                return -1;
        _cleanup_json_ json_t *out = json_pack("{s:s}", "public_key", pem);
        route_respond_json(resp, 200, out);
        return 0;
}

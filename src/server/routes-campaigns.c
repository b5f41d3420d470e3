/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Rollout campaigns (src/campaign/campaign.h; docs/campaigns.md).
 *   GET  /api/v1/campaigns                  list (?status=)
 *   POST /api/v1/campaigns                  create (a draft)
 *   GET  /api/v1/campaigns/{id}             plan and progress
 *   POST /api/v1/campaigns/{id}/start       draft -> running
 *   POST /api/v1/campaigns/{id}/pause       {"reason"} optional
 *   POST /api/v1/campaigns/{id}/resume      {"release_id"} optional: a fixed release
 *   POST /api/v1/campaigns/{id}/approve     a manual gate (not by the creator)
 *   POST /api/v1/campaigns/{id}/abort       {"reason"} optional
 * Who may call each is in the route table only.
 */
#include "core/cleanup.h"
#include "core/time.h"
#include "campaign/campaign.h"
#include "approval/approval.h"
#include "route-io.h"
#include "router.h"
#include "routes.h"

int routes_campaigns_list(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        _cleanup_free_ char *status = NULL;
        _cleanup_json_ json_t *out = NULL;
        int64_t before = 0, limit = 0;
        bool have_before, have_limit;
        struct store *s;
        if (route_query_string(ctx, "status", &status, err) < 0 ||
            route_query_int(ctx, "before", 1, INT64_MAX, &before, &have_before, err) < 0 ||
            route_query_int(ctx, "limit", 1, CAMPAIGN_LIST_MAX, &limit, &have_limit, err) < 0 ||
            !(s = route_store(ctx, err)) || campaign_list(s, status, before, (size_t) limit, &out, err) < 0)
                return -1;
        route_respond_json(resp, 200, out);
        return 0;
}

int routes_campaigns_create(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        _cleanup_json_ json_t *body = NULL, *out = NULL;
        struct audit_actor a = route_actor(ctx);
        struct store *s;
        if (route_read_json_body(ctx, &body, err) < 0 || !(s = route_store(ctx, err)) ||
            campaign_create(s, &a, body, time_now(), &out, err) < 0)
                return -1;
        route_respond_created(resp, out, "/api/v1/campaigns/%" JSON_INTEGER_FORMAT,
                              json_integer_value(json_object_get(out, "id")));
        return 0;
}

int routes_campaigns_get(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        _cleanup_json_ json_t *out = NULL;
        int64_t id;
        struct store *s;
        if (route_param_id(ctx, "id", &id, err) < 0 || !(s = route_store(ctx, err)) ||
            campaign_show(s, id, time_now(), &out, err) < 0)
                return -1;
        route_respond_json(resp, 200, out);
        return 0;
}

typedef int (*campaign_action_fn)(struct store *s, const struct audit_actor *a, int64_t id, json_t *body,
                                  int64_t now, json_t **out, struct error *err);

static int campaign_action(struct route_ctx *ctx, struct http_response *resp, campaign_action_fn fn,
                           struct error *err) {
        _cleanup_json_ json_t *body = NULL, *out = NULL;
        struct audit_actor a = route_actor(ctx);
        int64_t id;
        struct store *s;
        if (route_param_id(ctx, "id", &id, err) < 0 || route_read_optional_json_body(ctx, &body, err) < 0 ||
            !(s = route_store(ctx, err)) || fn(s, &a, id, body, time_now(), &out, err) < 0)
                return -1;
        route_respond_json(resp, 200, out);
        return 0;
}

/* Starting a security campaign is governed as campaign.security-start (issue 11). */
int routes_campaigns_start(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        int64_t id;
        struct store *s;
        _cleanup_json_ json_t *c = NULL, *body = NULL;
        if (route_param_id(ctx, "id", &id, err) < 0 || route_read_optional_json_body(ctx, &body, err) < 0 ||
            !(s = route_store(ctx, err)) || campaign_show(s, id, time_now(), &c, err) < 0)
                return -1;
        if (body && json_object_size(body) > 0)
                return error_set(err, ERROR_INVALID, "request body: start takes no fields");
        if (json_is_true(json_object_get(c, "security"))) {
                _cleanup_json_ json_t *params = json_pack("{s:I}", "campaign", (json_int_t) id);
                int g = route_approval_gate(ctx, resp, APPROVAL_OP_CAMPAIGN_SECURITY_START, params, err);
                if (g != 0)
                        return g < 0 ? -1 : 0;
        }
        _cleanup_json_ json_t *out = NULL;
        struct audit_actor a = route_actor(ctx);
        if (campaign_start(s, &a, id, NULL, time_now(), &out, err) < 0)
                return -1;
        route_respond_json(resp, 200, out);
        return 0;
}

int routes_campaigns_pause(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        return campaign_action(ctx, resp, campaign_pause, err);
}

int routes_campaigns_resume(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        return campaign_action(ctx, resp, campaign_resume, err);
}

int routes_campaigns_approve(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        return campaign_action(ctx, resp, campaign_approve, err);
}

int routes_campaigns_abort(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        return campaign_action(ctx, resp, campaign_abort, err);
}

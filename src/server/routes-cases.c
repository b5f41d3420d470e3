/* SPDX-License-Identifier: Apache-2.0 */
/* /api/v1/cases: CRA reporting cases (issue 10). Logic lives in case/. */
#include "case/case.h"
#include "core/cleanup.h"
#include "core/time.h"
#include "route-io.h"
#include "router.h"
#include "routes.h"

int routes_cases_list(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        _cleanup_free_ char *state = NULL;
        int64_t before = 0, limit = 100;
        bool has;
        if (route_query_string(ctx, "state", &state, err) < 0 ||
            route_query_int(ctx, "before", 1, INT64_MAX, &before, &has, err) < 0 ||
            route_query_int(ctx, "limit", 1, 500, &limit, &has, err) < 0)
                return -1;
        struct store *s = route_store(ctx, err);
        _cleanup_json_ json_t *body = NULL;
        if (!s || case_list_json(s, state, before, limit, time_now(), &body, err) < 0)
                return -1;
        route_respond_json(resp, 200, body);
        return 0;
}

int routes_cases_create(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        _cleanup_json_ json_t *req = NULL, *body = NULL;
        if (route_read_json_body(ctx, &req, err) < 0)
                return -1;
        struct store *s = route_store(ctx, err);
        if (!s)
                return -1;
        struct audit_actor actor = route_actor(ctx);
        if (case_create_json(s, &actor, req, ctx->router->case_ack_days, ctx->router->case_disclosure_days, &body,
                             err) < 0)
                return -1;
        route_respond_created(resp, body, "/api/v1/cases/%s", json_string_value(json_object_get(body, "reference")));
        return 0;
}

int routes_cases_get(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        struct store *s = route_store(ctx, err);
        _cleanup_json_ json_t *body = NULL;
        if (!s || case_show_json(s, route_param(ctx, "ref"), time_now(), &body, err) < 0)
                return -1;
        route_respond_json(resp, 200, body);
        return 0;
}

typedef int (*case_change_fn)(struct store *s, const struct audit_actor *actor, const char *ref, json_t *body,
                              json_t **out, struct error *err);

static int change(struct route_ctx *ctx, struct http_response *resp, case_change_fn fn, struct error *err) {
        _cleanup_json_ json_t *req = NULL, *body = NULL;
        if (route_read_json_body(ctx, &req, err) < 0)
                return -1;
        struct store *s = route_store(ctx, err);
        if (!s)
                return -1;
        struct audit_actor actor = route_actor(ctx);
        if (fn(s, &actor, route_param(ctx, "ref"), req, &body, err) < 0)
                return -1;
        route_respond_json(resp, 200, body);
        return 0;
}

int routes_cases_update(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        return change(ctx, resp, case_edit_json, err);
}

int routes_cases_state(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        return change(ctx, resp, case_state_json, err);
}

int routes_cases_aware(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        return change(ctx, resp, case_aware_json, err);
}

int routes_cases_link(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        return change(ctx, resp, case_link_json, err);
}

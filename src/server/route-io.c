/* SPDX-License-Identifier: Apache-2.0 */
#include "route-io.h"

#include <string.h>

#include "auth/role.h"
#include "core/json.h"
#include "core/strutil.h"
#include "router.h"
#include "store/store.h"

struct store *route_store(struct route_ctx *ctx, struct error *err) {
        if (ctx->store)
                return ctx->store;
        if (!ctx->router->pool) {
                error_set(err, ERROR_UNAVAILABLE, "the store is not available");
                return NULL;
        }
        ctx->store = store_pool_acquire(ctx->router->pool);
        if (!ctx->store)
                error_set(err, ERROR_UNAVAILABLE, "the store is not available");
        return ctx->store;
}

const char *route_param(const struct route_ctx *ctx, const char *name) {
        size_t len = strlen(name);
        for (size_t i = 0; i < ctx->n_params; i++)
                if (ctx->params[i].name_len == len && memcmp(ctx->params[i].name, name, len) == 0)
                        return ctx->params[i].value;
        return NULL;
}

int route_param_id(const struct route_ctx *ctx, const char *name, int64_t *out,
                   struct error *err) {
        const char *v = route_param(ctx, name);
        if (!v)
                return error_set(err, ERROR_INTERNAL, "route %s has no path parameter '%s'",
                                 ctx->route->pattern, name);
        if (str_to_int64(v, 1, INT64_MAX, out) < 0)
                return error_set(err, ERROR_INVALID,
                                 "path parameter '%s': expected a positive integer, got '%s'", name, v);
        return 0;
}

int route_read_json_body(const struct route_ctx *ctx, json_t **out, struct error *err) {
        const struct http_request *req = ctx->req;
        *out = NULL;
        if (!http_content_type_is_json(req->content_type))
                return error_set(err, ERROR_UNSUPPORTED,
                                 "request body: Content-Type must be application/json (got %s%s%s)",
                                 req->content_type ? "'" : "",
                                 req->content_type ? req->content_type : "none",
                                 req->content_type ? "'" : "");
        if (!req->body || req->body_len == 0)
                return error_set(err, ERROR_INVALID, "request body is empty; expected a JSON object");
        *out = cr_json_parse("request body", req->body, req->body_len, ctx->router->max_body,
                             ROUTE_JSON_MAX_DEPTH, err);
        return *out ? 0 : -1;
}

struct audit_actor route_actor(const struct route_ctx *ctx) {
        return (struct audit_actor) {
                .name = ctx->principal->name,
                .role = role_name(ctx->principal->role),
        };
}

void route_respond_json(struct http_response *resp, unsigned status, json_t *value) {
        http_response_set_json(resp, status, value);
}

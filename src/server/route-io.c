/* SPDX-License-Identifier: Apache-2.0 */
#include "route-io.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/role.h"
#include "core/cleanup.h"
#include "core/json.h"
#include "core/strutil.h"
#include "identity/identity.h"
#include "crypto/percent.h"
#include "release/ota.h"
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
        if (!ctx->store) {
                error_set(err, ERROR_UNAVAILABLE, "the store is not available");
                return NULL;
        }
        if (ctx->read_snapshot && store_read_begin(ctx->store, err) < 0) {
                store_pool_release(ctx->router->pool, ctx->store);
                ctx->store = NULL;
                return NULL;
        }
        return ctx->store;
}

int route_identity(struct route_ctx *ctx, struct identity_ctx *out, struct error *err) {
        const struct router *r = ctx->router;
        memset(out, 0, sizeof(*out));
        out->store = route_store(ctx, err);
        if (!out->store)
                return -1;
        out->data_dir = r->data_dir;
        out->crl_base_url = atomic_load(&((struct router *) r)->crl_base_url);
        out->birth_days = r->birth_days;
        out->operational_days = r->operational_days;
        out->trust_cache = r->trust_cache;
        return 0;
}

int route_ota(struct route_ctx *ctx, struct ota_ctx *out, struct error *err) {
        memset(out, 0, sizeof(*out));
        out->store = route_store(ctx, err);
        if (!out->store)
                return -1;
        out->data_dir = ctx->router->data_dir;
        out->cfg = ctx->router->ota;
        return 0;
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

int route_read_optional_json_body(const struct route_ctx *ctx, json_t **out, struct error *err) {
        *out = NULL;
        if (!ctx->req->body || ctx->req->body_len == 0)
                return 0;
        if (route_read_json_body(ctx, out, err) < 0)
                return -1;
        if (!json_is_object(*out)) {
                json_decref(steal_ptr(*out));
                return error_set(err, ERROR_INVALID, "request body: expected a JSON object");
        }
        return 0;
}

int route_query_string(const struct route_ctx *ctx, const char *key, char **out, struct error *err) {
        const struct http_request *req = ctx->req;
        *out = NULL;
        for (size_t i = 0; i < req->n_query; i++) {
                _cleanup_free_ char *k = NULL;
                const char *raw = req->query[i].key;
                if (percent_decode(raw, strlen(raw), &k) != PERCENT_OK || !str_eq(k, key))
                        continue;
                if (*out) {
                        free(steal_ptr(*out));
                        return error_set(err, ERROR_INVALID, "query parameter '%s': given more than once",
                                         key);
                }
                const char *v = req->query[i].value;
                if (!v || !v[0])
                        return error_set(err, ERROR_INVALID, "query parameter '%s': missing value", key);
                enum percent_result pr = percent_decode(v, strlen(v), out);
                if (pr != PERCENT_OK)
                        return error_set(err, ERROR_INVALID, "query parameter '%s': %s", key,
                                         percent_result_describe(pr));
                if (strlen(*out) > ROUTE_QUERY_VALUE_MAX) {
                        free(steal_ptr(*out));
                        return error_set(err, ERROR_INVALID, "query parameter '%s': longer than %d bytes",
                                         key, ROUTE_QUERY_VALUE_MAX);
                }
        }
        return 0;
}

int route_query_bool(const struct route_ctx *ctx, const char *key, bool dflt, bool *out,
                     struct error *err) {
        _cleanup_free_ char *v = NULL;
        if (route_query_string(ctx, key, &v, err) < 0)
                return -1;
        if (!v)
                *out = dflt;
        else if (str_eq(v, "true") || str_eq(v, "1"))
                *out = true;
        else if (str_eq(v, "false") || str_eq(v, "0"))
                *out = false;
        else
                return error_set(err, ERROR_INVALID,
                                 "query parameter '%s': expected true or false, got '%.64s'", key, v);
        return 0;
}

int route_query_int(const struct route_ctx *ctx, const char *key, int64_t min, int64_t max,
                    int64_t *out, bool *present, struct error *err) {
        _cleanup_free_ char *v = NULL;
        *present = false;
        if (route_query_string(ctx, key, &v, err) < 0)
                return -1;
        if (!v)
                return 0;
        if (str_to_int64(v, min, max, out) < 0)
                return error_set(err, ERROR_INVALID,
                                 "query parameter '%s': expected an integer from %lld to %lld, got '%.64s'",
                                 key, (long long) min, (long long) max, v);
        *present = true;
        return 0;
}

struct audit_actor route_actor(const struct route_ctx *ctx) {
        return (struct audit_actor) {
                .name = ctx->principal->name,
                .role = role_name(ctx->principal->role),
                .user = ctx->principal->user_name[0] ? ctx->principal->user_name : NULL,
        };
}

void route_respond_json(struct http_response *resp, unsigned status, json_t *value) {
        http_response_set_json(resp, status, value);
}

void route_respond_created(struct http_response *resp, json_t *value, const char *location_fmt, ...) {
        route_respond_json(resp, 201, value);
        va_list ap;
        va_start(ap, location_fmt);
        _cleanup_free_ char *location = NULL;
        if (vasprintf(&location, location_fmt, ap) < 0)
                abort(); /* out of memory */
        va_end(ap);
        http_response_add_header(resp, "Location", location);
}

int route_create_json(struct route_ctx *ctx, struct http_response *resp, route_create_fn fn,
                      const char *collection, struct error *err) {
        _cleanup_json_ json_t *req = NULL, *body = NULL;
        if (route_read_json_body(ctx, &req, err) < 0)
                return -1;
        struct store *s = route_store(ctx, err);
        if (!s)
                return -1;
        struct audit_actor actor = route_actor(ctx);
        if (fn(s, &actor, req, &body, err) < 0)
                return -1;
        route_respond_created(resp, body, "%s/%" JSON_INTEGER_FORMAT, collection,
                              json_integer_value(json_object_get(body, "id")));
        return 0;
}

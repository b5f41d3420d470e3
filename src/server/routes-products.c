/* SPDX-License-Identifier: Apache-2.0 */
/* /api/v1/products: the CRA product register. Validation lives in product/. */
#include <inttypes.h>

#include "core/cleanup.h"
#include "core/json.h"
#include "core/strutil.h"
#include "product/product.h"
#include "route-io.h"
#include "routes.h"

int routes_products_list(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        struct store *s = route_store(ctx, err);
        _cleanup_json_ json_t *body = NULL;
        if (!s || product_list(s, &body, err) < 0)
                return -1;
        route_respond_json(resp, 200, body);
        return 0;
}

int routes_products_create(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        return route_create_json(ctx, resp, product_create, "/api/v1/products", err);
}

int routes_products_get(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        int64_t id;
        _cleanup_json_ json_t *body = NULL;
        if (route_param_id(ctx, "id", &id, err) < 0)
                return -1;
        struct store *s = route_store(ctx, err);
        if (!s || product_get(s, id, &body, err) < 0)
                return -1;
        route_respond_json(resp, 200, body);
        return 0;
}

int routes_products_update(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        int64_t id;
        _cleanup_json_ json_t *req = NULL, *body = NULL;
        if (route_param_id(ctx, "id", &id, err) < 0 || route_read_json_body(ctx, &req, err) < 0)
                return -1;
        struct store *s = route_store(ctx, err);
        if (!s)
                return -1;
        struct audit_actor actor = route_actor(ctx);
        if (product_update(s, &actor, id, req, &body, err) < 0)
                return -1;
        route_respond_json(resp, 200, body);
        return 0;
}

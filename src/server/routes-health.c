/* SPDX-License-Identifier: Apache-2.0 */
/* GET /healthz and GET /metrics: public operational endpoints. */
#include <string.h>

#include "core/cleanup.h"
#include "metrics.h"
#include "route-io.h"
#include "router.h"
#include "routes.h"
#include "store/store.h"

int routes_health_get(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        struct error serr = {0};
        int version = 0;
        struct store *s = route_store(ctx, &serr);
        if (!s || store_schema_version(s, &version, &serr) < 0)
                /* A health check that cannot reach its store is "unavailable",
                 * not a server bug: load balancers act on 503. */
                return error_set(err, ERROR_UNAVAILABLE, "the store is not available: %s", serr.msg);
        _cleanup_json_ json_t *body = json_pack("{s:s, s:i}", "status", "ok", "schema_version", version);
        route_respond_json(resp, 200, body);
        return 0;
}

int routes_metrics_get(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        if (!ctx->router->metrics)
                return error_set(err, ERROR_UNAVAILABLE, "metrics are not collected");
        char *text = metrics_render(ctx->router->metrics);
        http_response_set_body(resp, 200, HTTP_CONTENT_TYPE_PROMETHEUS, text, strlen(text));
        return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* GET /healthz and GET /metrics: public operational endpoints. */
#include <string.h>

#include "core/cleanup.h"
#include "core/strutil.h"
#include "core/time.h"
#include "keys/keys.h"
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

/* The key registry's gauges (issue 11), read at scrape time: a handful of
 * rows. Empty when the store cannot be read (the rest of /metrics still
 * answers). Heap. */
static char *keys_gauges_text(struct route_ctx *ctx) {
        struct error e = {0};
        struct store *s = route_store(ctx, &e);
        struct keys_policy tmp;
        const struct keys_policy *p = ctx->router->keys_policy;
        if (!p) {
                keys_policy_init(&tmp);
                p = &tmp;
        }
        struct keys_gauges g;
        if (!s || keys_gauges_read(s, p, time_now(), &g, &e) < 0)
                return str_dup("");
        char *text = str_dup("# HELP cradle_keys Keys in the key registry, by state.\n"
                             "# TYPE cradle_keys gauge\n");
        for (size_t i = 0; i < ELEMENTSOF(keys_states); i++) {
                char *t = str_printf("%scradle_keys{state=\"%s\"} %lld\n", text, keys_states[i],
                                     (long long) g.by_state[i]);
                free(text);
                text = t;
        }
        char *t = str_printf("%s# HELP cradle_keys_past_rotation Keys in use whose rotation date has passed.\n"
                             "# TYPE cradle_keys_past_rotation gauge\n"
                             "cradle_keys_past_rotation %lld\n",
                             text, (long long) g.past_rotation);
        free(text);
        return t;
}

int routes_metrics_get(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        if (!ctx->router->metrics)
                return error_set(err, ERROR_UNAVAILABLE, "metrics are not collected");
        _cleanup_free_ char *base = metrics_render(ctx->router->metrics);
        _cleanup_free_ char *keys = keys_gauges_text(ctx);
        char *text = str_printf("%s%s", base, keys);
        http_response_set_body(resp, 200, HTTP_CONTENT_TYPE_PROMETHEUS, text, strlen(text));
        return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* /api/v1/security-events: what operators must look at (identity/security-event.h). */
#include <stdlib.h>

#include "core/cleanup.h"
#include "core/time.h"
#include "identity/security-event.h"
#include "route-io.h"
#include "routes.h"

#define SECURITY_EVENTS_MAX_LIMIT 1000

int routes_security_events_list(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        _cleanup_free_ char *kind = NULL, *since = NULL, *product = NULL;
        int64_t after = 0, limit = 0, since_t = 0;
        bool have_after, have_limit;
        if (route_query_string(ctx, "kind", &kind, err) < 0 ||
            route_query_string(ctx, "since", &since, err) < 0 ||
            route_query_string(ctx, "product", &product, err) < 0 ||
            route_query_int(ctx, "after", 0, INT64_MAX, &after, &have_after, err) < 0 ||
            route_query_int(ctx, "limit", 1, SECURITY_EVENTS_MAX_LIMIT, &limit, &have_limit, err) < 0)
                return -1;
        if (since && time_parse_rfc3339(since, &since_t, err) < 0)
                return error_prefix(err, "query parameter 'since' (an RFC 3339 time such as 2026-11-21T10:00:00Z): ");
        const struct identity_security_event_filter f = {
                .kind = kind,
                .since = since_t,
                .product = product,
                .after_id = after,
                .limit = (size_t) limit,
        };
        struct store *s = route_store(ctx, err);
        _cleanup_json_ json_t *body = NULL;
        if (!s || identity_security_events_list(s, &f, &body, err) < 0)
                return -1;
        route_respond_json(resp, 200, body);
        return 0;
}

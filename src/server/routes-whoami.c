/* SPDX-License-Identifier: Apache-2.0 */
/* GET /api/v1/whoami: the caller's token name and role. */
#include "auth/role.h"
#include "core/cleanup.h"
#include "route-io.h"
#include "routes.h"

int routes_whoami_get(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        (void) err;
        _cleanup_json_ json_t *body = json_pack("{s:s, s:s, s:s}", "name", ctx->principal->name,
                                                "role", role_name(ctx->principal->role),
                                                "user", ctx->principal->user_name);
        route_respond_json(resp, 200, body);
        return 0;
}

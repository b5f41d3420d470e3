/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * The one route table of the operator API, and the handlers it names (one
 * routes-<resource>.c file per resource). docs/openapi.json describes exactly
 * this table; tests/unit/test-openapi.c keeps the two equal.
 */
#include <jansson.h>
#include "route.h"

const struct route *routes_table(size_t *n_out);

/* [{"method","path","roles":[...]}] in table order; roles in enum role order. */
json_t *routes_to_json(const struct route *routes, size_t n);
/* JSON array of role names in a bitmask (enum role order). */
json_t *routes_roles_to_json(unsigned roles);

/* routes-health.c */
int routes_health_get(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_metrics_get(struct route_ctx *ctx, struct http_response *resp, struct error *err);
/* routes-whoami.c */
int routes_whoami_get(struct route_ctx *ctx, struct http_response *resp, struct error *err);
/* routes-tokens.c */
int routes_tokens_list(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_tokens_create(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_tokens_revoke(struct route_ctx *ctx, struct http_response *resp, struct error *err);
/* routes-products.c */
int routes_products_list(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_products_create(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_products_get(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_products_update(struct route_ctx *ctx, struct http_response *resp, struct error *err);
/* routes-audit.c */
int routes_audit_list(struct route_ctx *ctx, struct http_response *resp, struct error *err);
int routes_audit_verify(struct route_ctx *ctx, struct http_response *resp, struct error *err);

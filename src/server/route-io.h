/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * What route handlers share: reading the request (path parameters, a JSON
 * body), reaching the store, naming the actor for the audit trail, and
 * writing JSON responses. Handlers stay thin translations HTTP <-> domain.
 */
#include <jansson.h>
#include <stdint.h>

#include "audit/audit.h"
#include "route.h"

#define ROUTE_JSON_MAX_DEPTH 32

/* The store for this request, taken from the pool on first use and given
 * back by the router. NULL with ERROR_UNAVAILABLE when there is no pool. */
struct store *route_store(struct route_ctx *ctx, struct error *err);

/* The decoded value of path parameter `name` ("id" for "{id}"), or NULL. */
const char *route_param(const struct route_ctx *ctx, const char *name);
/* A path parameter that must be a positive integer (an object id). */
int route_param_id(const struct route_ctx *ctx, const char *name, int64_t *out,
                   struct error *err);

/* Parses the request body as JSON: 415 unless Content-Type is
 * application/json; 400 when empty or malformed; 413 over max_body. */
int route_read_json_body(const struct route_ctx *ctx, json_t **out, struct error *err);

/* The authenticated caller as the audit trail names it. */
struct audit_actor route_actor(const struct route_ctx *ctx);

/* Renders `value` (reference not stolen) as the response. */
void route_respond_json(struct http_response *resp, unsigned status, json_t *value);

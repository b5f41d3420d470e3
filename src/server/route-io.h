/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * What route handlers share: reading the request (path parameters, a JSON
 * body), reaching the store, naming the actor for the audit trail, and
 * writing JSON responses. Handlers stay thin translations HTTP <-> domain.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "audit/audit.h"
#include "route.h"

struct identity_ctx;

#define ROUTE_JSON_MAX_DEPTH 32

/* The store for this request, taken from the pool on first use and given
 * back by the router. NULL with ERROR_UNAVAILABLE when there is no pool. */
struct store *route_store(struct route_ctx *ctx, struct error *err);

/* The device identity context for this request: the store (acquired as
 * route_store does) and the server's identity settings. */
int route_identity(struct route_ctx *ctx, struct identity_ctx *out, struct error *err);

/* The context of the release and repository domains (release/ota.h) for
 * this request: the store (acquired as route_store does), the data
 * directory and the [ota] settings. */
struct ota_ctx;
int route_ota(struct route_ctx *ctx, struct ota_ctx *out, struct error *err);

/* The decoded value of path parameter `name` ("id" for "{id}"), or NULL. */
const char *route_param(const struct route_ctx *ctx, const char *name);
/* A path parameter that must be a positive integer (an object id). */
int route_param_id(const struct route_ctx *ctx, const char *name, int64_t *out,
                   struct error *err);

/* Parses the request body as JSON: 415 unless Content-Type is
 * application/json; 400 when empty or malformed; 413 over max_body. */
int route_read_json_body(const struct route_ctx *ctx, json_t **out, struct error *err);

/* Like route_read_json_body, but an empty body is fine (*out = NULL): for
 * actions whose body is optional. A body that is there must be a JSON object. */
int route_read_optional_json_body(const struct route_ctx *ctx, json_t **out, struct error *err);

#define ROUTE_QUERY_VALUE_MAX 256 /* bytes, after decoding */

/* Query parameter `key` (percent-decoded, at most ROUTE_QUERY_VALUE_MAX
 * bytes, clean UTF-8), or *out = NULL when absent. Given twice or without a
 * value: 400 naming it. *out is heap. */
int route_query_string(const struct route_ctx *ctx, const char *key, char **out, struct error *err);
/* "true"/"false"/"1"/"0"; absent = `dflt`. */
int route_query_bool(const struct route_ctx *ctx, const char *key, bool dflt, bool *out,
                     struct error *err);
/* An integer in [min, max]; absent: *present = false and *out untouched. */
int route_query_int(const struct route_ctx *ctx, const char *key, int64_t min, int64_t max,
                    int64_t *out, bool *present, struct error *err);

/* The authenticated caller as the audit trail names it. */
struct audit_actor route_actor(const struct route_ctx *ctx);

/* Renders `value` (reference not stolen) as the response. */
void route_respond_json(struct http_response *resp, unsigned status, json_t *value);

/* 201 Created with `value` and a Location header (printf-style path). */
void route_respond_created(struct http_response *resp, json_t *value, const char *location_fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* The common "POST a JSON body to a collection" handler: reads the body, calls
 * fn(store, actor, body, &out) and answers 201 with Location
 * <collection>/<out.id>. */
typedef int (*route_create_fn)(struct store *s, const struct audit_actor *actor, json_t *body,
                               json_t **out, struct error *err);
int route_create_json(struct route_ctx *ctx, struct http_response *resp, route_create_fn fn,
                      const char *collection, struct error *err);

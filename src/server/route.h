/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * A route: method + path pattern -> handler, with who may call it. Patterns
 * are absolute paths whose segments are literals or "{name}" parameters
 * matching one non-empty segment. Callers are checked by the router only; a
 * handler runs only for a caller the route allows.
 *
 * Who may call a route (its auth mode; `roles` is 0 unless it is BEARER):
 *   ROUTE_AUTH_PUBLIC  anyone.
 *   ROUTE_AUTH_BEARER  an operator bearer token whose role is in `roles`.
 *   ROUTE_AUTH_DEVICE  a device, by its client certificate (mutual TLS): the
 *                      router verifies the chain and the certificate's and
 *                      device's state in the store (identity_peer_authenticate)
 *                      and hands the handler ctx->device.
 *   ROUTE_AUTH_CLAIM   public for the router, but the handler checks a
 *                      credential carried in the request (the migration claim's
 *                      shared credential and device secret); every refusal of
 *                      it (401, 403, 409) counts as a failure for the source in
 *                      the claim rate limiter, and a locked-out source gets 429
 *                      before the handler runs. A granted claim does not
 *                      reset the count (one valid device must not launder a
 *                      source's guesses).
 *   ROUTE_AUTH_DDI     a hawkBit DDI device, on a route whose pattern has
 *                      {tenant} and {controllerId}: by its client certificate
 *                      when it presents one (as DEVICE, and the certificate's
 *                      device serial must equal {controllerId} and its product
 *                      model {tenant}: else 403), otherwise by
 *                      "Authorization: TargetToken <token>", which must be the
 *                      token of the device {controllerId} of product {tenant}
 *                      (401 otherwise; failures rate limited per source as
 *                      bearer tokens are). "GatewayToken" is refused unless
 *                      [ddi] gateway_token_sha256 is set. ctx->device is the
 *                      device (cert fields zero for a token).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/token.h"
#include "core/error.h"
#include "request.h"
#include "response.h"

struct router;
struct route_ctx;
struct identity_device_peer;

enum route_auth {
        ROUTE_AUTH_PUBLIC,
        ROUTE_AUTH_BEARER,
        ROUTE_AUTH_DEVICE,
        ROUTE_AUTH_CLAIM,
        ROUTE_AUTH_DDI,
};

/* Fills `resp` and returns 0, or returns -1 with `err` set (the router turns
 * it into a problem response). */
typedef int (*route_handler)(struct route_ctx *ctx, struct http_response *resp,
                             struct error *err);

struct route {
        const char *method;
        const char *pattern;
        route_handler handler;
        enum route_auth auth;
        unsigned roles;      /* BEARER: bitmask of enum role that may call it; else 0 */
        const char *name;    /* "products.create" */
        /* Query parameters the route accepts, comma-separated ("limit,after"),
         * or NULL for none; the router refuses any other with 400. */
        const char *query;
        /* ROUTE_STREAM_BODY: the body is not read into memory but streamed to
         * a temp file (hashed on the way, up to [ota] max_image_size) after
         * the router has authorised the caller on the headers alone; the
         * handler gets it as req->stream. 0 = an ordinary in-memory body. */
        unsigned flags;
};

#define ROUTE_STREAM_BODY 1u
/* ROUTE_SECRET_PATH: the pattern's last segment, "{secret}", is a credential
 * (the CVD follow-up link). The access log shows "[redacted]" in its place
 * and for everything after it, whatever the method and whether or not the
 * request matched (router_path_for_log). */
#define ROUTE_SECRET_PATH 2u

/* The auth mode as `cradled routes` and docs/openapi.json (x-cradle-auth)
 * name it: "public", "bearer", "device", "claim" or "ddi". */
const char *route_auth_name(enum route_auth auth);
/* True when auth and roles agree (BEARER has roles, the others none). */
bool route_is_consistent(const struct route *r);

#define ROUTE_MAX_PARAMS 4

struct route_param {
        const char *name;    /* points into the pattern, not NUL-terminated at the brace */
        size_t name_len;
        char *value;         /* decoded, heap */
};

/* What a handler gets for one request. */
struct route_ctx {
        const struct router *router;
        const struct route *route;
        const struct http_request *req;
        struct route_param params[ROUTE_MAX_PARAMS];
        size_t n_params;
        const struct auth_principal *principal; /* bearer routes only, else NULL */
        const struct identity_device_peer *device; /* ROUTE_AUTH_DEVICE routes only, else NULL */
        struct store *store;                    /* acquired on first use; see route_store() */
        /* The router's choice: route_store opens a read snapshot on the
         * connection it acquires (store_read_begin), ended when the request
         * gives the connection back or by the first write (store.h). */
        bool read_snapshot;
};

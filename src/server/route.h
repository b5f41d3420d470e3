/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * A route: method + path pattern -> handler, with the set of roles that may
 * call it. Patterns are absolute paths whose segments are literals or
 * "{name}" parameters matching one non-empty segment. Roles are checked by
 * the router only; a handler runs only for a caller the route allows.
 */
#include <stddef.h>
#include <stdint.h>

#include "auth/token.h"
#include "core/error.h"
#include "request.h"
#include "response.h"

struct router;
struct route_ctx;

/* Fills `resp` and returns 0, or returns -1 with `err` set (the router turns
 * it into a problem response). */
typedef int (*route_handler)(struct route_ctx *ctx, struct http_response *resp,
                             struct error *err);

struct route {
        const char *method;
        const char *pattern;
        route_handler handler;
        unsigned roles;      /* bitmask of enum role; 0 = public (no authentication) */
        const char *name;    /* "products.create" */
        /* Query parameters the route accepts, comma-separated ("limit,after"),
         * or NULL for none; the router refuses any other with 400. */
        const char *query;
};

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
        const struct auth_principal *principal; /* NULL on public routes */
        struct store *store;                    /* acquired on first use; see route_store() */
};

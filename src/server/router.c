/* SPDX-License-Identifier: Apache-2.0 */
#include "router.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth/ratelimit.h"
#include "auth/role.h"
#include "core/cleanup.h"
#include "core/log.h"
#include "core/strutil.h"
#include "core/time.h"
#include "identity/peer.h"
#include "metrics.h"
#include "crypto/percent.h"
#include "ddi/ddi.h"
#include "store/store-identity.h"
#include "problem.h"
#include "route-io.h"
#include "routes.h"
#include "store/store.h"

struct segments {
        char *seg[ROUTER_MAX_SEGMENTS];
        size_t n;
};

static void segments_clear(struct segments *s) {
        for (size_t i = 0; i < s->n; i++)
                free(s->seg[i]);
        s->n = 0;
}

/* Splits "/a/b%20c" into decoded segments. A trailing slash yields a last
 * empty segment, which no pattern matches (so "/api/v1/products/" is a 404,
 * not an alias). Returns ROUTER_MATCHED on success. */
static enum router_match_kind path_split(const char *path, struct segments *out, char *reason,
                                         size_t reason_len) {
        out->n = 0;
        if (!path || path[0] != '/' || strlen(path) > ROUTER_MAX_PATH)
                return ROUTER_NOT_FOUND;
        const char *p = path + 1;
        for (;;) {
                const char *end = strchr(p, '/');
                size_t len = end ? (size_t) (end - p) : strlen(p);
                if (out->n >= ROUTER_MAX_SEGMENTS) {
                        segments_clear(out);
                        return ROUTER_NOT_FOUND;
                }
                enum percent_result r = percent_decode(p, len, &out->seg[out->n]);
                if (r != PERCENT_OK) {
                        snprintf(reason, reason_len, "path segment %zu: %s", out->n + 1,
                                 percent_result_describe(r));
                        segments_clear(out);
                        return ROUTER_BAD_PATH;
                }
                out->n++;
                if (!end)
                        break;
                p = end + 1;
        }
        return ROUTER_MATCHED;
}

/* Matches a pattern against decoded segments. Returns the number of literal
 * segments (a more literal pattern wins over a parameter) or -1. Parameters
 * are recorded in params when it is not NULL. */
static int pattern_match(const char *pattern, const struct segments *segs,
                         struct route_param *params, size_t *n_params) {
        const char *p = pattern + 1;
        size_t i = 0, np = 0;
        int literals = 0;
        for (;;) {
                const char *end = strchr(p, '/');
                size_t len = end ? (size_t) (end - p) : strlen(p);
                if (i >= segs->n)
                        return -1;
                const char *seg = segs->seg[i];
                if (len >= 2 && p[0] == '{' && p[len - 1] == '}') {
                        if (seg[0] == '\0' || np >= ROUTE_MAX_PARAMS)
                                return -1;
                        if (params) {
                                params[np].name = p + 1;
                                params[np].name_len = len - 2;
                                params[np].value = (char *) seg; /* copied by the caller */
                        }
                        np++;
                } else {
                        if (strlen(seg) != len || memcmp(seg, p, len) != 0)
                                return -1;
                        literals++;
                }
                i++;
                if (!end)
                        break;
                p = end + 1;
        }
        if (i != segs->n)
                return -1;
        if (n_params)
                *n_params = np;
        return literals;
}

static void allow_add(char *allow, size_t len, const char *method) {
        /* Dedupe: the list is short and built from the route table. */
        size_t mlen = strlen(method);
        for (const char *a = allow; (a = strstr(a, method)); a += mlen)
                if ((a == allow || a[-1] == ' ') && (a[mlen] == ',' || a[mlen] == '\0'))
                        return;
        size_t used = strlen(allow);
        snprintf(allow + used, len - used, "%s%s", used ? ", " : "", method);
}

void router_match(const struct route *routes, size_t n, const char *method, const char *path,
                  struct router_match *out) {
        memset(out, 0, sizeof(*out));
        struct segments segs = {0};
        enum router_match_kind k = path_split(path, &segs, out->reason, sizeof(out->reason));
        if (k != ROUTER_MATCHED) {
                out->kind = k;
                return;
        }
        const char *want = str_eq(method, "HEAD") ? "GET" : method;
        int best = -1;
        const struct route *first_path_match = NULL;
        for (size_t i = 0; i < n; i++) {
                int lit = pattern_match(routes[i].pattern, &segs, NULL, NULL);
                if (lit < 0)
                        continue;
                if (!first_path_match)
                        first_path_match = &routes[i];
                allow_add(out->allow, sizeof(out->allow), routes[i].method);
                if (str_eq(routes[i].method, "GET"))
                        allow_add(out->allow, sizeof(out->allow), "HEAD");
                if (str_eq(routes[i].method, want) && lit > best) {
                        best = lit;
                        out->route = &routes[i];
                }
        }
        if (out->route) {
                out->kind = ROUTER_MATCHED;
                pattern_match(out->route->pattern, &segs, out->params, &out->n_params);
                for (size_t i = 0; i < out->n_params; i++)
                        out->params[i].value = str_dup(out->params[i].value);
        } else if (first_path_match) {
                out->kind = ROUTER_METHOD_NOT_ALLOWED;
                out->route = first_path_match;
        } else {
                out->kind = ROUTER_NOT_FOUND;
        }
        segments_clear(&segs);
}

void router_match_clear(struct router_match *m) {
        for (size_t i = 0; i < m->n_params; i++)
                free(m->params[i].value);
        m->n_params = 0;
}

const char *router_route_label(const struct router *r, const char *method, const char *path) {
        struct router_match m;
        router_match(r->routes, r->n_routes, method, path, &m);
        const char *label = (m.kind == ROUTER_MATCHED || m.kind == ROUTER_METHOD_NOT_ALLOWED)
                                    ? m.route->pattern
                                    : METRICS_ROUTE_UNMATCHED;
        router_match_clear(&m);
        return label;
}

static bool query_key_allowed(const char *allowed, const char *key) {
        if (!allowed)
                return false;
        size_t klen = strlen(key);
        for (const char *p = allowed; *p;) {
                const char *end = strchr(p, ',');
                size_t len = end ? (size_t) (end - p) : strlen(p);
                if (len == klen && memcmp(p, key, len) == 0)
                        return true;
                if (!end)
                        break;
                p = end + 1;
        }
        return false;
}

static int check_query(const struct route *route, const struct http_request *req,
                       struct error *err) {
        for (size_t i = 0; i < req->n_query; i++) {
                _cleanup_free_ char *key = NULL;
                const char *raw = req->query[i].key;
                if (percent_decode(raw, strlen(raw), &key) != PERCENT_OK)
                        return error_set(err, ERROR_INVALID,
                                         "query parameter name %zu: invalid percent-encoding or not valid text",
                                         i + 1);
                if (query_key_allowed(route->query, key))
                        continue;
                return error_set(err, ERROR_INVALID,
                                 "unknown query parameter '%.64s'; this endpoint takes %s%s", key,
                                 route->query ? "only: " : "none", route->query ? route->query : "");
        }
        return 0;
}

static void roles_list(unsigned roles, char *out, size_t len) {
        static const enum role order[] = { ROLE_ADMIN, ROLE_RELEASE_MANAGER, ROLE_SECURITY_OFFICER,
                                           ROLE_FACTORY, ROLE_AUDITOR };
        out[0] = '\0';
        for (size_t i = 0; i < ELEMENTSOF(order); i++)
                if (roles & order[i]) {
                        size_t used = strlen(out);
                        snprintf(out + used, len - used, "%s%s", used ? ", " : "",
                                 role_name(order[i]));
                }
}

static void respond_unauthenticated(struct http_response *resp, const struct error *err,
                                    const struct http_request *req, bool presented) {
        problem_respond(resp, err, req->path, req->request_id);
        /* RFC 6750 section 3: error="invalid_token" once a token was presented. */
        http_response_add_header(resp, "WWW-Authenticate",
                                 presented ? "Bearer realm=\"cradle\", error=\"invalid_token\""
                                           : "Bearer realm=\"cradle\"");
}

static void respond_rate_limited(const struct router *r, struct auth_ratelimit *rl,
                                 const struct http_request *req, const char *source, int64_t wait,
                                 bool presented, struct http_response *resp) {
        struct error err = {0};
        (void) r;
        /* The credential is not looked at (that would keep the oracle open),
         * and presenting one while locked out is one more failure: hammering
         * lengthens the lock-out. */
        if (presented) {
                auth_ratelimit_failure(rl, source, time_now());
                int64_t longer = auth_ratelimit_check(rl, source, time_now());
                if (longer > wait)
                        wait = longer;
        }
        error_set(&err, ERROR_RATE_LIMITED,
                  "too many failed authentication attempts from this address; retry in %" PRId64 " seconds",
                  wait);
        problem_respond(resp, &err, req->path, req->request_id);
        char retry[24];
        snprintf(retry, sizeof(retry), "%" PRId64, wait);
        http_response_add_header(resp, "Retry-After", retry);
}

/* Bearer routes: rate limit, token, role. Returns 0 with *principal set, or
 * -1 with the response filled. */
static int authenticate_bearer(const struct router *r, struct route_ctx *ctx,
                               struct auth_principal *principal, struct http_response *resp) {
        const struct http_request *req = ctx->req;
        const struct route *route = ctx->route;
        struct error err = {0};
        const char *source = req->client_ip ? req->client_ip : "unknown";
        bool presented = req->authorization && req->authorization[0];
        int64_t wait = r->ratelimit ? auth_ratelimit_check(r->ratelimit, source, time_now()) : 0;
        if (wait > 0) {
                respond_rate_limited(r, r->ratelimit, req, source, wait, presented, resp);
                return -1;
        }
        struct store *store = route_store(ctx, &err);
        if (!store) {
                problem_respond(resp, &err, req->path, req->request_id);
                return -1;
        }
        if (auth_authenticate(store, req->authorization, principal, &err) < 0) {
                if (err.kind != ERROR_UNAUTHENTICATED) {
                        problem_respond(resp, &err, req->path, req->request_id);
                        return -1;
                }
                if (presented && r->ratelimit)
                        auth_ratelimit_failure(r->ratelimit, source, time_now());
                log_msg(LOG_LEVEL_INFO, req->request_id, "authentication failed from %s: %s",
                        source, err.msg);
                respond_unauthenticated(resp, &err, req, presented);
                return -1;
        }
        /* No reset on success: see auth/ratelimit.h. */
        if (!(route->roles & principal->role)) {
                char allowed[128];
                roles_list(route->roles, allowed, sizeof(allowed));
                error_set(&err, ERROR_FORBIDDEN, "role '%s' may not %s %s; roles allowed: %s",
                          role_name(principal->role), route->method, route->pattern, allowed);
                problem_respond(resp, &err, req->path, req->request_id);
                return -1;
        }
        return 0;
}

/* Device routes: the client certificate chain, authenticated against the
 * store. Returns 0 with *peer set, or -1 with the response filled. */
static int authenticate_device(const struct router *r, struct route_ctx *ctx,
                               struct identity_device_peer *peer, struct http_response *resp) {
        const struct http_request *req = ctx->req;
        struct error err = {0};
        const char *source = req->client_ip ? req->client_ip : "unknown";

        if (!req->peer_chain || req->n_peer_chain == 0) {
                error_set(&err, ERROR_UNAUTHENTICATED,
                          "this endpoint authenticates devices by their client certificate (mutual "
                          "TLS), and the TLS connection presented none");
                problem_respond(resp, &err, req->path, req->request_id);
                return -1;
        }
        struct identity_ctx ic;
        if (route_identity(ctx, &ic, &err) < 0) {
                problem_respond(resp, &err, req->path, req->request_id);
                return -1;
        }
        router_peer_authenticate_fn fn = r->peer_authenticate ? r->peer_authenticate
                                                              : identity_peer_authenticate;
        memset(peer, 0, sizeof(*peer));
        if (fn(&ic, req->peer_chain, req->n_peer_chain, peer, &err) < 0) {
                if (err.kind == ERROR_UNAUTHENTICATED || err.kind == ERROR_FORBIDDEN)
                        log_msg(LOG_LEVEL_INFO, req->request_id,
                                "device authentication failed from %s: %s", source, err.msg);
                else if (err.kind == ERROR_NONE)
                        error_set(&err, ERROR_INTERNAL, "device authentication failed without a reason");
                problem_respond(resp, &err, req->path, req->request_id);
                return -1;
        }
        return 0;
}

/* The credential scheme of an Authorization header ("TargetToken abc"):
 * the token after the scheme name and one space, or NULL. */
static const char *auth_scheme_token(const char *header, const char *scheme) {
        size_t n = strlen(scheme);
        if (!header || strncasecmp(header, scheme, n) != 0 || header[n] != ' ')
                return header && str_eq(header, scheme) ? "" : NULL;
        return header + n + 1;
}

static void respond_ddi_unauthenticated(struct http_response *resp, const struct error *err,
                                        const struct http_request *req) {
        problem_respond(resp, err, req->path, req->request_id);
        http_response_add_header(resp, "WWW-Authenticate", "TargetToken realm=\"cradle-ddi\"");
}

/* DDI routes (route.h, ROUTE_AUTH_DDI): 0 with *peer set to the device the
 * URL names, or -1 with the response filled. */
static int authenticate_ddi(const struct router *r, struct route_ctx *ctx, struct identity_device_peer *peer,
                            struct http_response *resp) {
        const struct http_request *req = ctx->req;
        const char *tenant = route_param(ctx, "tenant");
        const char *controller = route_param(ctx, "controllerId");
        const char *source = req->client_ip ? req->client_ip : "unknown";
        struct error err = {0};
        if (!tenant || !controller) {
                error_set(&err, ERROR_INTERNAL, "route %s: a DDI route needs {tenant} and {controllerId}",
                          ctx->route->name);
                problem_respond(resp, &err, req->path, req->request_id);
                return -1;
        }
        if (req->peer_chain && req->n_peer_chain > 0) {
                /* A certificate, when presented, decides: a token cannot
                 * stand in for a certificate that fails. */
                int rc = authenticate_device(r, ctx, peer, resp);
                if (rc < 0)
                        return -1;
                if (!str_eq(peer->serial, controller)) {
                        error_set(&err, ERROR_FORBIDDEN,
                                  "the client certificate is device %s's; this URL is controller %.64s's", peer->serial,
                                  controller);
                        problem_respond(resp, &err, req->path, req->request_id);
                        return -1;
                }
                if (!str_eq(peer->product_model, tenant)) {
                        error_set(&err, ERROR_FORBIDDEN,
                                  "device %s is a %s; the tenant of a DDI URL is the device's product model, not "
                                  "'%.64s'",
                                  peer->serial, peer->product_model, tenant);
                        problem_respond(resp, &err, req->path, req->request_id);
                        return -1;
                }
                return 0;
        }
        const char *target = auth_scheme_token(req->authorization, "TargetToken");
        const char *gateway = target ? NULL : auth_scheme_token(req->authorization, "GatewayToken");
        if (!target && !gateway) {
                error_set(&err, ERROR_UNAUTHENTICATED,
                          "DDI endpoints authenticate the device by its client certificate (mutual TLS) or by "
                          "'Authorization: TargetToken <token>'; this request has neither");
                respond_ddi_unauthenticated(resp, &err, req);
                return -1;
        }
        int64_t wait = r->ratelimit ? auth_ratelimit_check(r->ratelimit, source, time_now()) : 0;
        if (wait > 0) {
                respond_rate_limited(r, r->ratelimit, req, source, wait, true, resp);
                return -1;
        }
        struct store *store = route_store(ctx, &err);
        if (!store) {
                problem_respond(resp, &err, req->path, req->request_id);
                return -1;
        }
        struct store_device d = {0};
        int rc = target ? ddi_token_authenticate(store, tenant, controller, target, &d, &err)
                        : ddi_gateway_authenticate(store, r->ddi, tenant, controller, gateway, &d, &err);
        if (rc < 0) {
                if (err.kind != ERROR_UNAUTHENTICATED) {
                        problem_respond(resp, &err, req->path, req->request_id);
                        return -1;
                }
                if (r->ratelimit)
                        auth_ratelimit_failure(r->ratelimit, source, time_now());
                log_msg(LOG_LEVEL_INFO, req->request_id, "DDI authentication failed from %s: %s", source, err.msg);
                respond_ddi_unauthenticated(resp, &err, req);
                return -1;
        }
        memset(peer, 0, sizeof(*peer));
        peer->device_id = d.id;
        snprintf(peer->serial, sizeof(peer->serial), "%s", d.serial);
        snprintf(peer->product_model, sizeof(peer->product_model), "%s", d.product_model ? d.product_model : "");
        store_device_clear(&d);
        return 0;
}

/* The outcomes of a claim that count against its source: a refused
 * credential, a closed window, a serial claimed already. */
static bool claim_failure(enum error_kind kind) {
        return kind == ERROR_UNAUTHENTICATED || kind == ERROR_FORBIDDEN || kind == ERROR_CONFLICT;
}

/* Step 3 of the header comment, once the route is known: 0 when the caller
 * may go on (ctx->principal / ctx->device set from principal / peer), else -1
 * with the response filled. */
static int authorize_route(const struct router *r, struct route_ctx *ctx, struct auth_principal *principal,
                           struct identity_device_peer *peer, struct http_response *resp) {
        const struct http_request *req = ctx->req;
        const struct route *route = ctx->route;
        const char *source = req->client_ip ? req->client_ip : "unknown";
        struct error err = {0};

        if (check_query(route, req, &err) < 0) {
                problem_respond(resp, &err, req->path, req->request_id);
                return -1;
        }

        if (!route_is_consistent(route)) {
                /* A table error: never let it open a route to everyone. */
                error_set(&err, ERROR_INTERNAL, "route %s: auth mode %s does not fit its roles",
                          route->name, route_auth_name(route->auth));
                problem_respond(resp, &err, req->path, req->request_id);
                return -1;
        }
        switch (route->auth) {
        case ROUTE_AUTH_PUBLIC:
                break;
        case ROUTE_AUTH_BEARER:
                if (authenticate_bearer(r, ctx, principal, resp) < 0)
                        return -1;
                ctx->principal = principal;
                break;
        case ROUTE_AUTH_DEVICE:
                if (authenticate_device(r, ctx, peer, resp) < 0)
                        return -1;
                ctx->device = peer;
                break;
        case ROUTE_AUTH_DDI:
                if (authenticate_ddi(r, ctx, peer, resp) < 0)
                        return -1;
                ctx->device = peer;
                break;
        case ROUTE_AUTH_CLAIM: {
                int64_t wait = r->claim_ratelimit
                                       ? auth_ratelimit_check(r->claim_ratelimit, source, time_now())
                                       : 0;
                if (wait > 0) {
                        /* Every claim carries a credential: one more failure. */
                        respond_rate_limited(r, r->claim_ratelimit, req, source, wait, true, resp);
                        return -1;
                }
                break;
        }
        }
        return 0;
}

/* Device requests that only read (GET and HEAD of mTLS and DDI routes) run
 * their authentication and handler in one read snapshot of the store
 * (store_read_begin): one read transaction instead of one per statement,
 * about a fifth of a kept-alive device request (issue 8). The snapshot is
 * taken at the request's first read, so a revocation or decommissioning
 * committed before it is seen; a handler that writes (targets.json signing
 * on demand) ends it before its write and reads the latest state again. */
static bool wants_read_snapshot(const struct route *route) {
        return (route->auth == ROUTE_AUTH_DEVICE || route->auth == ROUTE_AUTH_DDI) &&
               (str_eq(route->method, "GET") || str_eq(route->method, "HEAD"));
}

/* Steps 3 and 4 of the header comment, once the route is known. */
static void dispatch_route(const struct router *r, struct route_ctx *ctx,
                           struct http_response *resp) {
        const struct http_request *req = ctx->req;
        const struct route *route = ctx->route;
        const char *source = req->client_ip ? req->client_ip : "unknown";
        struct error err = {0};
        struct auth_principal principal;
        struct identity_device_peer peer;

        if (authorize_route(r, ctx, &principal, &peer, resp) < 0)
                return;
        if (route->handler(ctx, resp, &err) < 0) {
                if (route->auth == ROUTE_AUTH_CLAIM && r->claim_ratelimit && claim_failure(err.kind))
                        auth_ratelimit_failure(r->claim_ratelimit, source, time_now());
                const char *label = resp->route_label;
                http_response_clear(resp);
                resp->route_label = label;
                problem_respond(resp, &err, req->path, req->request_id);
        } else if (resp->status == 0) {
                error_set(&err, ERROR_INTERNAL, "handler %s returned no response", route->name);
                problem_respond(resp, &err, req->path, req->request_id);
        }
        ctx->principal = NULL;
        ctx->device = NULL;
}

/* The length of the segment at *p (up to '/' or the end). */
static size_t segment_len(const char *p) {
        const char *slash = strchr(p, '/');
        return slash ? (size_t) (slash - p) : strlen(p);
}

char *router_path_for_log(const struct router *r, const char *path) {
        if (!path || path[0] != '/')
                return NULL;
        for (size_t i = 0; i < r->n_routes; i++) {
                const struct route *rt = &r->routes[i];
                if (!(rt->flags & ROUTE_SECRET_PATH))
                        continue;
                const char *pp = rt->pattern + 1, *qp = path + 1;
                for (;;) {
                        size_t pl = segment_len(pp), ql = segment_len(qp);
                        if (pl == 8 && memcmp(pp, "{secret}", 8) == 0) {
                                /* Redact from here on (even an empty segment: the
                                 * rest of the path may still hold the secret). */
                                return str_printf("%.*s[redacted]", (int) (qp - path), path);
                        }
                        bool param = pl >= 2 && pp[0] == '{';
                        if (!ql || (!param && (pl != ql || memcmp(pp, qp, pl) != 0)))
                                break;
                        if (!pp[pl] || !qp[ql])
                                break;
                        pp += pl + 1;
                        qp += ql + 1;
                }
        }
        return NULL;
}

unsigned router_route_flags(const struct router *r, const char *method, const char *path) {
        struct router_match m;
        router_match(r->routes, r->n_routes, method, path, &m);
        unsigned flags = m.kind == ROUTER_MATCHED ? m.route->flags : 0;
        router_match_clear(&m);
        return flags;
}

/* Steps 1 and 2: NULL with the response filled when there is no route. */
static const struct route *match_or_respond(const struct router *r, const struct http_request *req,
                                            struct router_match *m, struct http_response *resp) {
        struct error err = {0};
        router_match(r->routes, r->n_routes, req->method, req->path, m);
        switch (m->kind) {
        case ROUTER_NOT_FOUND:
                resp->route_label = METRICS_ROUTE_UNMATCHED;
                error_set(&err, ERROR_NOT_FOUND, "no such endpoint: %s", req->path);
                problem_respond(resp, &err, req->path, req->request_id);
                return NULL;
        case ROUTER_BAD_PATH:
                resp->route_label = METRICS_ROUTE_UNMATCHED;
                error_set(&err, ERROR_INVALID, "request path: %s", m->reason);
                problem_respond(resp, &err, req->path, req->request_id);
                return NULL;
        case ROUTER_METHOD_NOT_ALLOWED:
                resp->route_label = m->route->pattern;
                problem_respond_method_not_allowed(resp, req->method, m->allow, req->path,
                                                   req->request_id);
                return NULL;
        case ROUTER_MATCHED:
                break;
        }
        resp->route_label = m->route->pattern;
        return m->route;
}

int router_authorize(const struct router *r, const struct http_request *req, struct http_response *resp) {
        struct router_match m;
        const struct route *route = match_or_respond(r, req, &m, resp);
        if (!route) {
                router_match_clear(&m);
                return -1;
        }
        struct route_ctx ctx = {
                .router = r,
                .route = route,
                .req = req,
                .n_params = m.n_params,
        };
        memcpy(ctx.params, m.params, sizeof(m.params));
        struct auth_principal principal;
        struct identity_device_peer peer;
        int rc = authorize_route(r, &ctx, &principal, &peer, resp);
        if (ctx.store)
                store_pool_release(r->pool, ctx.store);
        router_match_clear(&m);
        return rc;
}

void router_dispatch(const struct router *r, const struct http_request *req,
                     struct http_response *resp) {
        struct router_match m;
        struct error err = {0};

        router_match(r->routes, r->n_routes, req->method, req->path, &m);
        switch (m.kind) {
        case ROUTER_NOT_FOUND:
                resp->route_label = METRICS_ROUTE_UNMATCHED;
                error_set(&err, ERROR_NOT_FOUND, "no such endpoint: %s", req->path);
                problem_respond(resp, &err, req->path, req->request_id);
                return;
        case ROUTER_BAD_PATH:
                resp->route_label = METRICS_ROUTE_UNMATCHED;
                error_set(&err, ERROR_INVALID, "request path: %s", m.reason);
                problem_respond(resp, &err, req->path, req->request_id);
                return;
        case ROUTER_METHOD_NOT_ALLOWED:
                resp->route_label = m.route->pattern;
                problem_respond_method_not_allowed(resp, req->method, m.allow, req->path,
                                                   req->request_id);
                return;
        case ROUTER_MATCHED:
                break;
        }
        resp->route_label = m.route->pattern;

        struct route_ctx ctx = {
                .router = r,
                .route = m.route,
                .req = req,
                .n_params = m.n_params,
                .read_snapshot = wants_read_snapshot(m.route),
        };
        memcpy(ctx.params, m.params, sizeof(m.params));
        dispatch_route(r, &ctx, resp);
        if (ctx.store)
                store_pool_release(r->pool, ctx.store);
        router_match_clear(&m);
}

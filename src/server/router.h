/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
struct approval_defaults;
struct cvd_settings;
struct cvd_limit;
struct keys_policy;
struct debug_config;
struct csaf_config;
/*
 * The router: path -> route, then the only place roles are checked.
 *
 * router_dispatch, for one request:
 *   1. match the path against every pattern (segments percent-decoded):
 *      no pattern -> 404; a pattern but not this method -> 405 + Allow;
 *      a segment with a bad escape -> 400. HEAD is served by GET routes.
 *   2. refuse query parameters the route does not take (400, naming them).
 *      A route whose auth mode does not fit its roles (route_is_consistent)
 *      answers 500: a table mistake must not open a route.
 *   3. on a bearer route (ROUTE_AUTH_BEARER): a source locked out by the
 *      rate limiter gets 429 + Retry-After before its credential is looked at (a credential
 *      presented during a lock-out counts as one more failure); then the
 *      Authorization header is checked (401 + WWW-Authenticate on failure,
 *      which counts as a failure for the source when a credential was
 *      presented; success resets the source); then the principal's role must
 *      be in the route's set (403 naming the role and the roles allowed).
 *      On a device route (ROUTE_AUTH_DEVICE): no client certificate -> 401;
 *      else the chain is authenticated against the store (peer_authenticate):
 *      its 401 (unknown, revoked, superseded, expired, untrusted) or 403
 *      (device decommissioned) becomes the problem response; the device goes
 *      to ctx->device. On a claim route (ROUTE_AUTH_CLAIM): a source locked
 *      out by the claim rate limiter gets 429 + Retry-After.
 *   4. the handler runs; an error it returns becomes a problem response. On a
 *      claim route a 401, 403 or 409 from it counts as a failure for the source.
 */
#include <gnutls/gnutls.h>
#include <stddef.h>

#include "route.h"

struct auth_ratelimit;
struct identity_ctx;
struct identity_trust_cache;
struct metrics;
struct ota_config;
struct ddi_config;
struct store_pool;

/* identity_peer_authenticate's signature (tests put a fake in its place). */
typedef int (*router_peer_authenticate_fn)(struct identity_ctx *ic, const gnutls_datum_t *chain,
                                           size_t n, struct identity_device_peer *out,
                                           struct error *err);

struct router {
        const struct route *routes;
        size_t n_routes;
        struct store_pool *pool;          /* may be NULL (tests): store-backed routes answer 503 */
        struct auth_ratelimit *ratelimit; /* may be NULL: no rate limiting */
        struct metrics *metrics;          /* may be NULL: /metrics answers 503 */
        size_t max_body;

        /* Device identity (what route_identity() builds an identity_ctx from). */
        const char *data_dir;             /* device CA key files go to <data_dir>/pki */
        /* CRL distribution point base ("https://host:port/pki/crl"); NULL = none.
         * Atomic: with port 0 the server learns its URL only once bound. */
        const char *_Atomic crl_base_url;
        unsigned birth_days;              /* 0 = the PKI default (7300) */
        unsigned operational_days;        /* 0 = the PKI default (365) */
        struct identity_trust_cache *trust_cache;  /* may be NULL: built per request */
        struct auth_ratelimit *claim_ratelimit;    /* may be NULL: claims not rate limited */
        router_peer_authenticate_fn peer_authenticate; /* NULL: identity_peer_authenticate */

        /* Releases and image repositories (issue 4): route_ota() builds an ota_ctx. */
        const struct ota_config *ota;     /* NULL = every [ota] default */

        /* The director (issue 4): what routes-director.c builds a director_ctx from. */
        int64_t director_expiry;          /* seconds; 0 = DIRECTOR_EXPIRY_DEFAULT */
        const char *director_key;         /* NULL or "" = <data_dir>/director-keys/targets.key */
        struct director_seen *director_seen; /* NULL: polls write last_seen themselves (director/seen.h) */

        /* hawkBit DDI (issue 8): limits, allow-list, GatewayToken; NULL = defaults. */
        const struct ddi_config *ddi;
        const char *ddi_base_url;         /* links in DDI documents; NULL or "" = https://<Host header> */

        /* M-of-N approvals (issue 11): [approval] of cradled.conf; NULL = the defaults. */
        const struct approval_defaults *approval;

        /* Informing users (issue 10 section 6): a [cases] webhook is configured,
         * so a notification list can be queued for it. */
        bool case_webhook;
        /* The public CVD intake (issue 10 section 4): [cvd] and the case clocks;
         * NULL = the intake answers 404. cvd_limit counts each report,
         * message and wrong follow-up link per source address (NULL = none). */
        const struct cvd_settings *cvd;
        struct cvd_limit *cvd_limit;
        int case_ack_days, case_disclosure_days; /* [cases]; 0 = the case defaults */

        /* The key registry (issue 11): [keys] rotation periods; NULL = the defaults. */
        const struct keys_policy *keys_policy;
        /* Debug-authorisation tokens (issue 11 section 4): [debug] of cradled.conf; NULL = the defaults. */
        const struct debug_config *debug;
        /* CSAF advisories (issue 10 section 5): [csaf] of cradled.conf; NULL = not configured. */
        const struct csaf_config *csaf;
};

enum router_match_kind {
        ROUTER_MATCHED,
        ROUTER_NOT_FOUND,
        ROUTER_METHOD_NOT_ALLOWED,
        ROUTER_BAD_PATH,
};

#define ROUTER_MAX_PATH 2048
#define ROUTER_MAX_SEGMENTS 32

struct router_match {
        enum router_match_kind kind;
        const struct route *route;   /* MATCHED: the route; METHOD_NOT_ALLOWED: first path match */
        struct route_param params[ROUTE_MAX_PARAMS];
        size_t n_params;
        char allow[96];              /* METHOD_NOT_ALLOWED: "GET, HEAD, POST" */
        char reason[160];            /* BAD_PATH: what is wrong */
};

/* Matches method + raw path against a table. Clear the result after use. */
void router_match(const struct route *routes, size_t n, const char *method, const char *path,
                  struct router_match *out);
void router_match_clear(struct router_match *m);

/* The request path as the access log may show it: NULL when nothing in it
 * is secret, else a heap copy with the segment a ROUTE_SECRET_PATH route
 * holds its secret in, and everything after it, replaced by "[redacted]". */
char *router_path_for_log(const struct router *r, const char *path);
/* The metrics label for a request: the pattern of the route its path
 * matches, or "unmatched". Returns a static string. */
const char *router_route_label(const struct router *r, const char *method, const char *path);

/* Answers one request. Sets resp->route_label. */
void router_dispatch(const struct router *r, const struct http_request *req,
                     struct http_response *resp);

/* The flags (ROUTE_STREAM_BODY) of the route a request would reach; 0 when
 * it reaches none. */
unsigned router_route_flags(const struct router *r, const char *method, const char *path);
/* Steps 1-3 of router_dispatch without the handler: for a streamed body,
 * which is only read once the caller is known to be allowed. Returns 0 when
 * the request may go on; -1 with resp filled (404, 405, 400, 401, 403,
 * 429...) otherwise. The body in req is not looked at. */
int router_authorize(const struct router *r, const struct http_request *req, struct http_response *resp);

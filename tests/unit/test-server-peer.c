/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The router's auth modes: public, bearer, device (mTLS) and claim. With a
 * fake peer_authenticate, every outcome of device authentication reaches
 * the client as the right problem and the handler runs only for a device;
 * tokens never make a device and certificates never make an operator; the
 * claim limiter counts refusals per source and locks it out. Then the same
 * against the real identity_peer_authenticate: an enrolled device's chain
 * authenticates, and after a revocation it does not (no restart).
 */
#include "testutil-identity.h"

#include "auth/ratelimit.h"
#include "auth/role.h"
#include "auth/token.h"
#include "problem.h"
#include "request.h"
#include "response.h"
#include "route-io.h"
#include "router.h"
#include "routes.h"
#include "store/store.h"

/* ---- a table of its own, one route per auth mode ---- */

static unsigned handler_calls;

static int h_echo(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        (void) err;
        handler_calls++;
        json_t *j = json_object();
        json_object_set_new(j, "route", json_string(ctx->route->name));
        if (ctx->device) {
                json_object_set_new(j, "device", json_string(ctx->device->serial));
                json_object_set_new(j, "product", json_string(ctx->device->product_model));
        }
        if (ctx->principal)
                json_object_set_new(j, "principal", json_string(ctx->principal->name));
        route_respond_json(resp, 200, j);
        json_decref(j);
        return 0;
}

/* A claim handler: the body says what the "domain" decides. */
static int h_claim(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        handler_calls++;
        const char *b = ctx->req->body ? ctx->req->body : "";
        if (str_eq(b, "bad-secret"))
                return error_set(err, ERROR_UNAUTHENTICATED, "device secret does not match");
        if (str_eq(b, "closed"))
                return error_set(err, ERROR_FORBIDDEN, "migration window for product X is closed");
        if (str_eq(b, "duplicate"))
                return error_set(err, ERROR_CONFLICT, "serial already migrated");
        if (str_eq(b, "malformed"))
                return error_set(err, ERROR_INVALID, "field 'csr': not base64");
        return h_echo(ctx, resp, err);
}

#pragma GCC diagnostic ignored "-Wmissing-field-initializers" /* route.flags */
static const struct route peer_routes[] = {
        { "GET", "/public", h_echo, ROUTE_AUTH_PUBLIC, 0, "public", NULL },
        { "GET", "/operator", h_echo, ROUTE_AUTH_BEARER, ROLE_ADMIN, "operator", NULL },
        { "GET", "/device", h_echo, ROUTE_AUTH_DEVICE, 0, "device", NULL },
        { "POST", "/claim", h_claim, ROUTE_AUTH_CLAIM, 0, "claim", NULL },
        /* Table mistakes: must fail closed. */
        { "GET", "/bad-public", h_echo, ROUTE_AUTH_PUBLIC, ROLE_ADMIN, "bad-public", NULL },
        { "GET", "/bad-device", h_echo, ROUTE_AUTH_DEVICE, ROLE_ADMIN, "bad-device", NULL },
        { "GET", "/bad-bearer", h_echo, ROUTE_AUTH_BEARER, 0, "bad-bearer", NULL },
};

/* The fake: the leaf's bytes name the outcome. It also checks that the
 * router hands over the chain exactly as the transport gave it. */
static const gnutls_datum_t *expected_chain;
static size_t expected_n;

static int fake_peer(struct identity_ctx *ic, const gnutls_datum_t *chain, size_t n,
                     struct identity_device_peer *out, struct error *err) {
        assert_non_null(ic->store);
        assert_ptr_equal(chain, expected_chain);
        assert_int_equal(n, expected_n);
        const char *leaf = (const char *) chain[0].data;
        if (str_eq(leaf, "good")) {
                out->device_id = 7;
                out->cert_id = 9;
                snprintf(out->serial, sizeof(out->serial), "SN-7");
                snprintf(out->product_model, sizeof(out->product_model), "T1-EU");
                snprintf(out->cert_serial, sizeof(out->cert_serial), "0a0b");
                out->kind = PKI_CERT_BIRTH;
                return 0;
        }
        if (str_eq(leaf, "revoked"))
                return error_set(err, ERROR_UNAUTHENTICATED, "certificate revoked (keyCompromise)");
        if (str_eq(leaf, "untrusted"))
                return error_set(err, ERROR_UNAUTHENTICATED, "certificate is not signed by a known device CA");
        if (str_eq(leaf, "decommissioned"))
                return error_set(err, ERROR_FORBIDDEN, "device SN-7 is decommissioned");
        return error_set(err, ERROR_DB, "SQLITE_BUSY: database is locked");
}

struct fx {
        struct tdir *t;
        struct store_pool *pool;
        struct auth_ratelimit *rl, *claim_rl;
        struct router router;
        char *admin;  /* "Bearer ..." */
};

static int setup(void **state) {
        struct fx *f = calloc(1, sizeof(*f));
        struct error err = {0};
        struct store *s = NULL;
        f->t = tdir_new();
        if (store_open(f->t->db, &s, &err) < 0)
                fail_msg("store_open: %s", err.msg);
        const struct audit_actor root = { .name = "test", .role = "system" };
        char *secret = NULL;
        if (auth_token_create(s, &root, "op", ROLE_ADMIN, &secret, NULL, &err) < 0)
                fail_msg("token: %s", err.msg);
        f->admin = str_printf("Bearer %s", secret);
        free_secret(secret);
        store_close(s);
        if (store_pool_open(f->t->db, 2, &f->pool, &err) < 0)
                fail_msg("pool: %s", err.msg);
        f->rl = auth_ratelimit_new(3, 60, 300, 64);
        f->claim_rl = auth_ratelimit_new(2, 600, 3600, 64);
        f->router = (struct router) {
                .routes = peer_routes,
                .n_routes = ELEMENTSOF(peer_routes),
                .pool = f->pool,
                .ratelimit = f->rl,
                .claim_ratelimit = f->claim_rl,
                .max_body = 4096,
                .peer_authenticate = fake_peer,
        };
        handler_calls = 0;
        *state = f;
        return 0;
}

static int teardown(void **state) {
        struct fx *f = *state;
        store_pool_close(f->pool);
        auth_ratelimit_free(f->rl);
        auth_ratelimit_free(f->claim_rl);
        free(f->admin);
        tdir_free(f->t);
        free(f);
        return 0;
}

/* Dispatches; leaf NULL = no client certificate. Returns the parsed body. */
static json_t *call(struct fx *f, const char *method, const char *path, const char *leaf,
                    const char *auth, const char *body, const char *ip, struct http_response *resp) {
        gnutls_datum_t chain[2] = {
                { .data = (unsigned char *) (uintptr_t) leaf, .size = leaf ? (unsigned) strlen(leaf) + 1 : 0 },
                { .data = (unsigned char *) (uintptr_t) "issuer", .size = 7 },
        };
        struct http_request req = {
                .method = method,
                .path = path,
                .authorization = auth,
                .content_type = "application/json",
                .body = body,
                .body_len = body ? strlen(body) : 0,
                .client_ip = ip ? ip : "198.51.100.1",
                .request_id = "00000000000000d1",
                .peer_chain = leaf ? chain : NULL,
                .n_peer_chain = leaf ? 2 : 0,
        };
        expected_chain = req.peer_chain;
        expected_n = req.n_peer_chain;
        memset(resp, 0, sizeof(*resp));
        router_dispatch(&f->router, &req, resp);
        json_t *j = resp->body ? json_loadb(resp->body, resp->body_len, 0, NULL) : NULL;
        if (resp->body && !j)
                fail_msg("not JSON: %s", resp->body);
        return j;
}

static const char *detail(json_t *j) {
        return json_string_value(json_object_get(j, "detail"));
}

static void test_device_route_outcomes(void **state) {
        struct fx *f = *state;
        struct http_response resp;

        json_t *j = call(f, "GET", "/device", "good", NULL, NULL, NULL, &resp);
        assert_int_equal(resp.status, 200);
        assert_string_equal(json_string_value(json_object_get(j, "device")), "SN-7");
        assert_string_equal(json_string_value(json_object_get(j, "product")), "T1-EU");
        assert_null(json_object_get(j, "principal"));
        assert_int_equal(handler_calls, 1);
        json_decref(j);
        http_response_clear(&resp);

        j = call(f, "GET", "/device", NULL, NULL, NULL, NULL, &resp);
        assert_int_equal(resp.status, 401);
        assert_non_null(strstr(detail(j), "client certificate"));
        assert_string_equal(json_string_value(json_object_get(j, "type")), "urn:cradle:problem:unauthenticated");
        /* Not a bearer challenge: a token would not help. */
        assert_null(http_response_get_header(&resp, "WWW-Authenticate"));
        json_decref(j);
        http_response_clear(&resp);

        const struct { const char *leaf; unsigned status; const char *words; } cases[] = {
                { "revoked", 401, "certificate revoked (keyCompromise)" },
                { "untrusted", 401, "certificate is not signed by a known device CA" },
                { "decommissioned", 403, "decommissioned" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                j = call(f, "GET", "/device", cases[i].leaf, NULL, NULL, NULL, &resp);
                if (resp.status != cases[i].status)
                        fail_msg("%s: %u", cases[i].leaf, resp.status);
                assert_non_null(strstr(detail(j), cases[i].words));
                json_decref(j);
                http_response_clear(&resp);
        }
        /* A store failure is a 500 that does not leak. */
        j = call(f, "GET", "/device", "db-failure", NULL, NULL, NULL, &resp);
        assert_int_equal(resp.status, 500);
        assert_null(strstr(resp.body, "SQLITE"));
        json_decref(j);
        http_response_clear(&resp);
        assert_int_equal(handler_calls, 1);
}

static void test_tokens_and_certificates_do_not_mix(void **state) {
        struct fx *f = *state;
        struct http_response resp;

        /* A valid operator token does not make a device. */
        json_t *j = call(f, "GET", "/device", NULL, f->admin, NULL, NULL, &resp);
        assert_int_equal(resp.status, 401);
        json_decref(j);
        http_response_clear(&resp);
        /* A valid device certificate does not make an operator. */
        j = call(f, "GET", "/operator", "good", NULL, NULL, NULL, &resp);
        assert_int_equal(resp.status, 401);
        assert_non_null(http_response_get_header(&resp, "WWW-Authenticate"));
        json_decref(j);
        http_response_clear(&resp);
        assert_int_equal(handler_calls, 0);

        /* Each with its own credential; both on the same connection kind. */
        j = call(f, "GET", "/operator", "good", f->admin, NULL, NULL, &resp);
        assert_int_equal(resp.status, 200);
        assert_string_equal(json_string_value(json_object_get(j, "principal")), "op");
        assert_null(json_object_get(j, "device"));
        json_decref(j);
        http_response_clear(&resp);

        /* Public routes ignore whatever is presented. */
        j = call(f, "GET", "/public", "revoked", "Bearer nonsense", NULL, NULL, &resp);
        assert_int_equal(resp.status, 200);
        assert_null(json_object_get(j, "device"));
        assert_null(json_object_get(j, "principal"));
        json_decref(j);
        http_response_clear(&resp);
}

static void test_inconsistent_routes_fail_closed(void **state) {
        struct fx *f = *state;
        const char *paths[] = { "/bad-public", "/bad-device", "/bad-bearer" };
        for (size_t i = 0; i < ELEMENTSOF(paths); i++) {
                struct http_response resp;
                json_t *j = call(f, "GET", paths[i], "good", f->admin, NULL, NULL, &resp);
                if (resp.status != 500)
                        fail_msg("%s: %u", paths[i], resp.status);
                json_decref(j);
                http_response_clear(&resp);
        }
        assert_int_equal(handler_calls, 0);
        assert_false(route_is_consistent(&peer_routes[4]));
        assert_true(route_is_consistent(&peer_routes[2]));
}

static void test_claim_rate_limit(void **state) {
        struct fx *f = *state;
        struct http_response resp;
        json_t *j;

        /* Malformed input is not a guess: it never counts. */
        for (int i = 0; i < 5; i++) {
                j = call(f, "POST", "/claim", NULL, NULL, "malformed", "203.0.113.5", &resp);
                assert_int_equal(resp.status, 400);
                json_decref(j);
                http_response_clear(&resp);
        }
        /* A success does not wipe earlier refusals either. */
        const char *seq[] = { "bad-secret", "ok", "closed", "duplicate" };
        const unsigned want[] = { 401, 200, 403, 409 };
        for (size_t i = 0; i < ELEMENTSOF(seq); i++) {
                j = call(f, "POST", "/claim", NULL, NULL, seq[i], "203.0.113.5", &resp);
                assert_int_equal(resp.status, want[i]);
                json_decref(j);
                http_response_clear(&resp);
        }
        /* Three refusals with two free: locked out, without the handler running. */
        unsigned before = handler_calls;
        j = call(f, "POST", "/claim", NULL, NULL, "ok", "203.0.113.5", &resp);
        assert_int_equal(resp.status, 429);
        assert_non_null(http_response_get_header(&resp, "Retry-After"));
        assert_string_equal(json_string_value(json_object_get(j, "type")), "urn:cradle:problem:rate-limited");
        assert_int_equal(handler_calls, before);
        json_decref(j);
        http_response_clear(&resp);

        /* Another source claims on. */
        j = call(f, "POST", "/claim", NULL, NULL, "ok", "203.0.113.6", &resp);
        assert_int_equal(resp.status, 200);
        json_decref(j);
        http_response_clear(&resp);

        /* The operator limiter is a separate one: the locked-out address can still use its token. */
        j = call(f, "GET", "/operator", NULL, f->admin, NULL, "203.0.113.5", &resp);
        assert_int_equal(resp.status, 200);
        json_decref(j);
        http_response_clear(&resp);
}

static void test_real_table_auth_modes(void **state) {
        (void) state;
        size_t n;
        const struct route *table = routes_table(&n);
        bool seen_device = false, seen_claim = false;
        for (size_t i = 0; i < n; i++) {
                const struct route *r = &table[i];
                assert_true(route_is_consistent(r));
                if (str_eq(r->pattern, "/.well-known/est/{label}/simplereenroll") ||
                    str_eq(r->pattern, "/device/v1/whoami")) {
                        assert_int_equal(r->auth, ROUTE_AUTH_DEVICE);
                        seen_device = true;
                }
                if (str_eq(r->pattern, "/device/v1/claim")) {
                        assert_int_equal(r->auth, ROUTE_AUTH_CLAIM);
                        seen_claim = true;
                }
                if (str_eq(r->pattern, "/.well-known/est/{label}/simpleenroll")) {
                        assert_int_equal(r->auth, ROUTE_AUTH_BEARER);
                        assert_int_equal(r->roles, ROLE_ADMIN | ROLE_FACTORY);
                }
                if (str_startswith(r->pattern, "/device/v1/"))
                        assert_true(r->auth == ROUTE_AUTH_DEVICE || r->auth == ROUTE_AUTH_CLAIM);
                /* Every hawkBit DDI route names its device and is DDI-authenticated. */
                if (str_startswith(r->pattern, "/ddi/")) {
                        assert_int_equal(r->auth, ROUTE_AUTH_DDI);
                        assert_non_null(strstr(r->pattern, "/ddi/{tenant}/controller/v1/{controllerId}"));
                }
        }
        assert_true(seen_device && seen_claim);

        /* `cradled routes` shows the mode, and device routes as role "device". */
        _cleanup_json_ json_t *j = routes_to_json(table, n);
        size_t i;
        json_t *r;
        json_array_foreach(j, i, r) {
                const char *auth = json_string_value(json_object_get(r, "auth"));
                assert_non_null(auth);
                json_t *roles = json_object_get(r, "roles");
                if (str_eq(auth, "device") || str_eq(auth, "ddi")) {
                        assert_int_equal(json_array_size(roles), 1);
                        assert_string_equal(json_string_value(json_array_get(roles, 0)), "device");
                } else if (!str_eq(auth, "bearer")) {
                        assert_int_equal(json_array_size(roles), 0);
                }
        }
        assert_string_equal(route_auth_name(ROUTE_AUTH_PUBLIC), "public");
        assert_string_equal(route_auth_name(ROUTE_AUTH_BEARER), "bearer");
        assert_string_equal(route_auth_name(ROUTE_AUTH_DEVICE), "device");
        assert_string_equal(route_auth_name(ROUTE_AUTH_CLAIM), "claim");
        assert_string_equal(route_auth_name(ROUTE_AUTH_DDI), "ddi");
}

/* ---- the real thing: identity_peer_authenticate behind the router ---- */

static void test_real_peer_revocation_takes_effect(void **state) {
        (void) state;
        struct idfx *id = idfx_new();
        struct store_pool *pool = NULL;
        struct error err = {0};
        if (store_pool_open(id->t->db, 2, &pool, &err) < 0)
                fail_msg("pool: %s", err.msg);
        struct identity_trust_cache *cache = identity_trust_cache_new();
        struct router router = {
                .pool = pool, .max_body = 4096, .data_dir = id->data_dir, .crl_base_url = IDFX_CRL_BASE,
                .trust_cache = cache,
        };
        router.routes = routes_table(&router.n_routes);

        gnutls_datum_t cert = {0};
        idfx_enroll(id, "SN-REAL", &cert, NULL);
        char serial[41];
        idfx_cert_serial(&cert, serial);
        struct http_request req = {
                .method = "GET", .path = "/device/v1/whoami", .client_ip = "192.0.2.77",
                .request_id = "00000000000000d2", .peer_chain = &cert, .n_peer_chain = 1,
        };
        struct http_response resp = {0};
        router_dispatch(&router, &req, &resp);
        if (resp.status != 200)
                fail_msg("whoami: %u %s", resp.status, resp.body);
        json_t *j = json_loadb(resp.body, resp.body_len, 0, NULL);
        assert_string_equal(json_string_value(json_object_get(j, "serial")), "SN-REAL");
        json_t *presented = json_object_get(j, "certificate");
        assert_string_equal(json_string_value(json_object_get(presented, "serial")), serial);
        assert_string_equal(json_string_value(json_object_get(presented, "kind")), "birth");
        assert_null(json_object_get(j, "certificates"));
        json_decref(j);
        http_response_clear(&resp);

        if (identity_revoke_cert(&id->ic, &idfx_security_officer, serial, PKI_CRL_REASON_KEY_COMPROMISE, &err) < 0)
                fail_msg("revoke: %s", err.msg);
        router_dispatch(&router, &req, &resp);
        assert_int_equal(resp.status, 401);
        assert_non_null(strstr(resp.body, "revoked"));
        http_response_clear(&resp);

        /* Garbage as a chain is a 401, not a crash. */
        gnutls_datum_t junk = { .data = (unsigned char *) "\x30\x03\x02\x01\x01", .size = 5 };
        req.peer_chain = &junk;
        router_dispatch(&router, &req, &resp);
        assert_int_equal(resp.status, 401);
        http_response_clear(&resp);

        gnutls_free(cert.data);
        identity_trust_cache_free(cache);
        store_pool_close(pool);
        idfx_free(id);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_device_route_outcomes, setup, teardown),
                cmocka_unit_test_setup_teardown(test_tokens_and_certificates_do_not_mix, setup, teardown),
                cmocka_unit_test_setup_teardown(test_inconsistent_routes_fail_closed, setup, teardown),
                cmocka_unit_test_setup_teardown(test_claim_rate_limit, setup, teardown),
                cmocka_unit_test(test_real_table_auth_modes),
                cmocka_unit_test(test_real_peer_revocation_takes_effect),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

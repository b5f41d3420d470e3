/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The router: which route a path reaches (404 / 405 + Allow / 400), and the
 * role check of every route of the real table, against a real store.
 */
#include "testutil-store.h"
#include "approval/approval.h"

#include <jansson.h>

#include "auth/ratelimit.h"
#include "auth/role.h"
#include "auth/token.h"
#include "core/cleanup.h"
#include "core/strutil.h"
#include "metrics.h"
#include "problem.h"
#include "route-io.h"
#include "router.h"
#include "routes.h"
#include "store/store.h"

/* ---- matching, on a small table of its own ---- */

static int h_dummy(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        (void) err;
        json_t *j = json_object();
        for (size_t i = 0; i < ctx->n_params; i++) {
                char name[32];
                snprintf(name, sizeof(name), "%.*s", (int) ctx->params[i].name_len, ctx->params[i].name);
                json_object_set_new(j, name, json_string(ctx->params[i].value));
        }
        json_object_set_new(j, "route", json_string(ctx->route->name));
        route_respond_json(resp, 200, j);
        json_decref(j);
        return 0;
}

static int h_fail(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        (void) ctx;
        (void) resp;
        return error_set(err, ERROR_CONFLICT, "thing 'x' exists already");
}

static int h_crash(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        (void) ctx;
        (void) resp;
        return error_set(err, ERROR_DB, "SQLITE_CORRUPT: database disk image is malformed");
}

#pragma GCC diagnostic ignored "-Wmissing-field-initializers" /* route.flags */
static const struct route test_routes[] = {
        { "GET", "/things", h_dummy, ROUTE_AUTH_PUBLIC, 0, "things.list", NULL },
        { "POST", "/things", h_dummy, ROUTE_AUTH_PUBLIC, 0, "things.create", NULL },
        { "GET", "/things/{id}", h_dummy, ROUTE_AUTH_PUBLIC, 0, "things.get", NULL },
        { "DELETE", "/things/{id}", h_dummy, ROUTE_AUTH_PUBLIC, 0, "things.delete", NULL },
        { "GET", "/things/special", h_dummy, ROUTE_AUTH_PUBLIC, 0, "things.special", NULL },
        { "GET", "/things/{id}/parts/{part}", h_dummy, ROUTE_AUTH_PUBLIC, 0, "parts.get", NULL },
        { "GET", "/search", h_dummy, ROUTE_AUTH_PUBLIC, 0, "search", "q,limit" },
        { "POST", "/conflict", h_fail, ROUTE_AUTH_PUBLIC, 0, "conflict", NULL },
        { "POST", "/crash", h_crash, ROUTE_AUTH_PUBLIC, 0, "crash", NULL },
};

static void match(const char *method, const char *path, struct router_match *m) {
        router_match(test_routes, ELEMENTSOF(test_routes), method, path, m);
}

static void test_match_literal_and_params(void **state) {
        (void) state;
        struct router_match m;
        match("GET", "/things", &m);
        assert_int_equal(m.kind, ROUTER_MATCHED);
        assert_string_equal(m.route->name, "things.list");
        router_match_clear(&m);

        match("GET", "/things/42", &m);
        assert_int_equal(m.kind, ROUTER_MATCHED);
        assert_string_equal(m.route->name, "things.get");
        assert_int_equal(m.n_params, 1);
        assert_int_equal(m.params[0].name_len, 2);
        assert_memory_equal(m.params[0].name, "id", 2);
        assert_string_equal(m.params[0].value, "42");
        router_match_clear(&m);

        match("GET", "/things/7/parts/wheel", &m);
        assert_int_equal(m.kind, ROUTER_MATCHED);
        assert_string_equal(m.route->name, "parts.get");
        assert_int_equal(m.n_params, 2);
        assert_string_equal(m.params[0].value, "7");
        assert_string_equal(m.params[1].value, "wheel");
        router_match_clear(&m);
}

static void test_match_literal_beats_param(void **state) {
        (void) state;
        struct router_match m;
        match("GET", "/things/special", &m);
        assert_int_equal(m.kind, ROUTER_MATCHED);
        assert_string_equal(m.route->name, "things.special");
        router_match_clear(&m);
}

static void test_match_not_found(void **state) {
        (void) state;
        const char *paths[] = {
                "/nothing", "/", "", "things", "/things/1/parts", "/things/1/parts/2/3",
                "/thingsx", "/THINGS", "//things", "*",
        };
        for (size_t i = 0; i < ELEMENTSOF(paths); i++) {
                struct router_match m;
                match("GET", paths[i], &m);
                if (m.kind != ROUTER_NOT_FOUND)
                        fail_msg("%s: expected not found, got %d", paths[i], m.kind);
                router_match_clear(&m);
        }
}

static void test_match_trailing_slash_is_not_found(void **state) {
        (void) state;
        struct router_match m;
        match("GET", "/things/", &m);
        assert_int_equal(m.kind, ROUTER_NOT_FOUND);
        match("GET", "/things/1/", &m);
        assert_int_equal(m.kind, ROUTER_NOT_FOUND);
}

static void test_match_method_not_allowed_lists_allow(void **state) {
        (void) state;
        struct router_match m;
        match("PUT", "/things", &m);
        assert_int_equal(m.kind, ROUTER_METHOD_NOT_ALLOWED);
        assert_string_equal(m.allow, "GET, HEAD, POST");
        assert_string_equal(m.route->pattern, "/things");

        match("POST", "/things/9", &m);
        assert_int_equal(m.kind, ROUTER_METHOD_NOT_ALLOWED);
        assert_string_equal(m.allow, "GET, HEAD, DELETE");

        /* Both /things/{id} and /things/special match the path. */
        match("DELETE", "/things/special", &m);
        assert_int_equal(m.kind, ROUTER_MATCHED);
        assert_string_equal(m.route->name, "things.delete");
        router_match_clear(&m);
        match("PATCH", "/things/special", &m);
        assert_int_equal(m.kind, ROUTER_METHOD_NOT_ALLOWED);
        assert_string_equal(m.allow, "GET, HEAD, DELETE");
}

static void test_match_head_is_served_by_get(void **state) {
        (void) state;
        struct router_match m;
        match("HEAD", "/things/5", &m);
        assert_int_equal(m.kind, ROUTER_MATCHED);
        assert_string_equal(m.route->name, "things.get");
        router_match_clear(&m);
        match("HEAD", "/conflict", &m);
        assert_int_equal(m.kind, ROUTER_METHOD_NOT_ALLOWED);
        assert_string_equal(m.allow, "POST");
}

static void test_match_percent_encoded(void **state) {
        (void) state;
        struct router_match m;
        match("GET", "/things/ci%20bot", &m);
        assert_int_equal(m.kind, ROUTER_MATCHED);
        assert_string_equal(m.params[0].value, "ci bot");
        router_match_clear(&m);

        /* An encoded slash stays inside its segment. */
        match("GET", "/things/a%2Fb", &m);
        assert_int_equal(m.kind, ROUTER_MATCHED);
        assert_string_equal(m.route->name, "things.get");
        assert_string_equal(m.params[0].value, "a/b");
        router_match_clear(&m);

        /* Encoded unreserved characters equal their plain form. */
        match("GET", "/%74hings", &m);
        assert_int_equal(m.kind, ROUTER_MATCHED);
        assert_string_equal(m.route->name, "things.list");
        router_match_clear(&m);

        /* UTF-8 is fine. */
        match("GET", "/things/%C3%A9t%C3%A9", &m);
        assert_int_equal(m.kind, ROUTER_MATCHED);
        assert_string_equal(m.params[0].value, "\xc3\xa9t\xc3\xa9");
        router_match_clear(&m);

        const char *bad[] = {
                "/things/%zz", "/things/%4", "/things/%", "/things/a%00b", "/things/%1b%5b2J",
                "/things/%ff", "/things/%C0%AF", "/things/%ED%A0%80",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                match("GET", bad[i], &m);
                if (m.kind != ROUTER_BAD_PATH)
                        fail_msg("%s: expected a bad path, got %d", bad[i], m.kind);
                assert_non_null(strstr(m.reason, "segment 2"));
        }
}

static void test_match_limits(void **state) {
        (void) state;
        struct router_match m;
        struct buf b = {0};
        for (int i = 0; i < 40; i++)
                buf_appendf(&b, "/x");
        char *deep = buf_steal(&b);
        match("GET", deep, &m);
        assert_int_equal(m.kind, ROUTER_NOT_FOUND);
        free(deep);

        char *long_path = xmalloc(ROUTER_MAX_PATH + 20);
        memcpy(long_path, "/things/", 8);
        memset(long_path + 8, 'a', ROUTER_MAX_PATH + 10);
        long_path[ROUTER_MAX_PATH + 18] = '\0';
        match("GET", long_path, &m);
        assert_int_equal(m.kind, ROUTER_NOT_FOUND);
        free(long_path);
}

/* ---- dispatch on the test table (public routes) ---- */

static json_t *dispatch(const struct router *r, const char *method, const char *path,
                        const struct http_query_param *q, size_t nq, const char *auth,
                        struct http_response *resp) {
        struct http_request req = {
                .method = method,
                .path = path,
                .query = q,
                .n_query = nq,
                .authorization = auth,
                .client_ip = "192.0.2.1",
                .request_id = "0123456789abcdef",
        };
        memset(resp, 0, sizeof(*resp));
        router_dispatch(r, &req, resp);
        assert_non_null(resp->route_label);
        if (!resp->body)
                return NULL;
        json_error_t je;
        json_t *j = json_loadb(resp->body, resp->body_len, 0, &je);
        if (!j)
                fail_msg("response is not JSON: %s", resp->body);
        return j;
}

static const struct router test_router = {
        .routes = test_routes,
        .n_routes = ELEMENTSOF(test_routes),
        .max_body = 1024,
};

static void test_dispatch_problems(void **state) {
        (void) state;
        struct http_response resp;

        json_t *j = dispatch(&test_router, "GET", "/nope", NULL, 0, NULL, &resp);
        assert_int_equal(resp.status, 404);
        assert_string_equal(resp.content_type, "application/problem+json");
        assert_string_equal(resp.route_label, "unmatched");
        assert_string_equal(json_string_value(json_object_get(j, "type")), "urn:cradle:problem:not-found");
        assert_string_equal(json_string_value(json_object_get(j, "instance")), "/nope");
        assert_string_equal(json_string_value(json_object_get(j, "request_id")), "0123456789abcdef");
        json_decref(j);
        http_response_clear(&resp);

        j = dispatch(&test_router, "PUT", "/things/1", NULL, 0, NULL, &resp);
        assert_int_equal(resp.status, 405);
        assert_string_equal(http_response_get_header(&resp, "Allow"), "GET, HEAD, DELETE");
        assert_string_equal(resp.route_label, "/things/{id}");
        assert_string_equal(json_string_value(json_object_get(j, "type")),
                            "urn:cradle:problem:method-not-allowed");
        assert_int_equal(json_integer_value(json_object_get(j, "status")), 405);
        json_decref(j);
        http_response_clear(&resp);

        j = dispatch(&test_router, "GET", "/things/%zz", NULL, 0, NULL, &resp);
        assert_int_equal(resp.status, 400);
        assert_non_null(strstr(json_string_value(json_object_get(j, "detail")), "percent-encoding"));
        json_decref(j);
        http_response_clear(&resp);

        /* A handler's user error keeps its kind and message. */
        j = dispatch(&test_router, "POST", "/conflict", NULL, 0, NULL, &resp);
        assert_int_equal(resp.status, 409);
        assert_string_equal(json_string_value(json_object_get(j, "detail")), "thing 'x' exists already");
        assert_string_equal(resp.route_label, "/conflict");
        json_decref(j);
        http_response_clear(&resp);

        /* A server fault is a 500 that does not leak its message. */
        j = dispatch(&test_router, "POST", "/crash", NULL, 0, NULL, &resp);
        assert_int_equal(resp.status, 500);
        assert_null(strstr(resp.body, "SQLITE"));
        assert_string_equal(json_string_value(json_object_get(j, "type")), "urn:cradle:problem:internal");
        json_decref(j);
        http_response_clear(&resp);
}

static void test_dispatch_params_reach_handler(void **state) {
        (void) state;
        struct http_response resp;
        json_t *j = dispatch(&test_router, "GET", "/things/7/parts/front%20wheel", NULL, 0, NULL, &resp);
        assert_int_equal(resp.status, 200);
        assert_string_equal(json_string_value(json_object_get(j, "id")), "7");
        assert_string_equal(json_string_value(json_object_get(j, "part")), "front wheel");
        assert_string_equal(resp.route_label, "/things/{id}/parts/{part}");
        json_decref(j);
        http_response_clear(&resp);
}

static void test_dispatch_query_parameters_checked(void **state) {
        (void) state;
        struct http_response resp;
        const struct http_query_param ok[] = { { "q", "x" }, { "limit", "3" } };
        json_t *j = dispatch(&test_router, "GET", "/search", ok, 2, NULL, &resp);
        assert_int_equal(resp.status, 200);
        json_decref(j);
        http_response_clear(&resp);

        const struct http_query_param encoded[] = { { "%71", "x" } }; /* "q" */
        j = dispatch(&test_router, "GET", "/search", encoded, 1, NULL, &resp);
        assert_int_equal(resp.status, 200);
        json_decref(j);
        http_response_clear(&resp);

        const struct http_query_param unknown[] = { { "q", "x" }, { "colour", "red" } };
        j = dispatch(&test_router, "GET", "/search", unknown, 2, NULL, &resp);
        assert_int_equal(resp.status, 400);
        const char *detail = json_string_value(json_object_get(j, "detail"));
        assert_non_null(strstr(detail, "'colour'"));
        assert_non_null(strstr(detail, "q,limit"));
        json_decref(j);
        http_response_clear(&resp);

        const struct http_query_param any[] = { { "cachebust", "1" } };
        j = dispatch(&test_router, "GET", "/things", any, 1, NULL, &resp);
        assert_int_equal(resp.status, 400);
        assert_non_null(strstr(json_string_value(json_object_get(j, "detail")), "takes none"));
        json_decref(j);
        http_response_clear(&resp);
}

/* ---- the real route table against a real store ---- */

static const enum role all_roles[] = {
        ROLE_ADMIN, ROLE_RELEASE_MANAGER, ROLE_SECURITY_OFFICER, ROLE_FACTORY, ROLE_AUDITOR,
};

struct fixture {
        struct tdir *t;
        struct store_pool *pool;
        struct auth_ratelimit *rl;
        struct metrics *metrics;
        struct router router;
        char *auth[ELEMENTSOF(all_roles)]; /* "Bearer <token>" per role */
};

static const struct approval_defaults no_approvals = {
        .approvers = 0, .roles = APPROVAL_ROLES_DEFAULT, .governed = APPROVAL_GOVERNED_DEFAULT, .expiry = 3600,
};

static int setup(void **state) {
        struct fixture *f = calloc(1, sizeof(*f));
        struct error err = {0};
        struct store *s = NULL;
        f->t = tdir_new();
        if (store_open(f->t->db, &s, &err) < 0)
                fail_msg("store_open: %s", err.msg);
        const struct audit_actor root = { .name = "test", .role = "system" };
        for (size_t i = 0; i < ELEMENTSOF(all_roles); i++) {
                char *secret = NULL;
                _cleanup_free_ char *name = str_printf("t-%s", role_name(all_roles[i]));
                if (auth_token_create(s, &root, name, all_roles[i], &secret, NULL, &err) < 0)
                        fail_msg("auth_token_create: %s", err.msg);
                f->auth[i] = str_printf("Bearer %s", secret);
                free_secret(secret);
        }
        store_close(s);
        if (store_pool_open(f->t->db, 2, &f->pool, &err) < 0)
                fail_msg("store_pool_open: %s", err.msg);
        f->rl = auth_ratelimit_new(3, 60, 300, 64);
        f->metrics = metrics_new("test");
        f->router = (struct router) {
                .pool = f->pool, .ratelimit = f->rl, .metrics = f->metrics, .max_body = 65536,
                .data_dir = f->t->dir, /* routes that keep files (director keys) write there */
                /* The table walk checks routing and roles: governed operations
                 * run at once here (approvals: test-approval, e2e approvals.sh). */
                .approval = &no_approvals,
        };
        f->router.routes = routes_table(&f->router.n_routes);
        *state = f;
        return 0;
}

static int teardown(void **state) {
        struct fixture *f = *state;
        for (size_t i = 0; i < ELEMENTSOF(all_roles); i++)
                free(f->auth[i]);
        store_pool_close(f->pool);
        auth_ratelimit_free(f->rl);
        metrics_free(f->metrics);
        tdir_free(f->t);
        free(f);
        return 0;
}

/* A concrete path for a pattern: {id} -> 1, {name} -> a token that does not exist. */
static char *concrete_path(const char *pattern) {
        struct buf b = {0};
        for (const char *p = pattern; *p;) {
                if (*p == '{') {
                        const char *end = strchr(p, '}');
                        buf_appendf(&b, "%s", strncmp(p, "{id}", 4) == 0 ? "1" : "no-such-token");
                        p = end + 1;
                } else {
                        buf_append(&b, p, 1);
                        p++;
                }
        }
        return buf_steal(&b);
}

static void test_real_table_roles(void **state) {
        struct fixture *f = *state;
        size_t n;
        const struct route *table = routes_table(&n);
        assert_true(n >= 12);
        for (size_t i = 0; i < n; i++)
                if (!route_is_consistent(&table[i]))
                        fail_msg("%s %s: auth mode %s with roles 0x%x", table[i].method, table[i].pattern,
                                 route_auth_name(table[i].auth), table[i].roles);
        for (size_t i = 0; i < n; i++) {
                const struct route *r = &table[i];
                _cleanup_free_ char *path = concrete_path(r->pattern);
                struct http_request req = {
                        .method = r->method,
                        .path = path,
                        .content_type = "application/json",
                        .body = "{}",
                        .body_len = 2,
                        .client_ip = "198.51.100.7",
                        .request_id = "00000000000000ff",
                };
                struct http_response resp = {0};

                /* Without a token. */
                router_dispatch(&f->router, &req, &resp);
                switch (r->auth) {
                case ROUTE_AUTH_PUBLIC:
                case ROUTE_AUTH_CLAIM:
                        /* Reaches the handler: whatever it answers (an empty
                         * store has no CAs; {} is not a claim), it is not an
                         * authentication failure or a crash. */
                        if (resp.status == 401 || resp.status == 403 || resp.status >= 500)
                                fail_msg("%s %s: %s route answered %u: %s", r->method, path,
                                         route_auth_name(r->auth), resp.status, resp.body);
                        break;
                case ROUTE_AUTH_DEVICE:
                        if (resp.status != 401)
                                fail_msg("%s %s without a client certificate: %u", r->method, path,
                                         resp.status);
                        assert_non_null(strstr(resp.body, "client certificate"));
                        break;
                case ROUTE_AUTH_DDI:
                        /* Neither a certificate nor a TargetToken. */
                        if (resp.status != 401)
                                fail_msg("%s %s without credentials: %u", r->method, path, resp.status);
                        assert_string_equal(http_response_get_header(&resp, "WWW-Authenticate"),
                                            "TargetToken realm=\"cradle-ddi\"");
                        break;
                case ROUTE_AUTH_BEARER:
                        if (resp.status != 401)
                                fail_msg("%s %s without a token: %u", r->method, path, resp.status);
                        assert_string_equal(http_response_get_header(&resp, "WWW-Authenticate"),
                                            "Bearer realm=\"cradle\"");
                        assert_non_null(strstr(resp.body, "urn:cradle:problem:unauthenticated"));
                        break;
                }
                assert_string_equal(resp.route_label, r->pattern);
                http_response_clear(&resp);
                if (r->auth == ROUTE_AUTH_DEVICE || r->auth == ROUTE_AUTH_DDI) {
                        /* An operator token does not make a device. */
                        req.authorization = f->auth[0];
                        router_dispatch(&f->router, &req, &resp);
                        assert_int_equal(resp.status, 401);
                        http_response_clear(&resp);
                        req.authorization = NULL;
                }
                if (r->auth != ROUTE_AUTH_BEARER)
                        continue;

                for (size_t k = 0; k < ELEMENTSOF(all_roles); k++) {
                        req.authorization = f->auth[k];
                        router_dispatch(&f->router, &req, &resp);
                        bool allowed = (r->roles & all_roles[k]) != 0;
                        if (allowed && (resp.status == 401 || resp.status == 403 || resp.status >= 500))
                                fail_msg("%s %s as %s: expected to pass the role check, got %u: %s",
                                         r->method, path, role_name(all_roles[k]), resp.status, resp.body);
                        if (!allowed) {
                                if (resp.status != 403)
                                        fail_msg("%s %s as %s: expected 403, got %u", r->method, path,
                                                 role_name(all_roles[k]), resp.status);
                                _cleanup_free_ char *who = str_printf("role '%s'", role_name(all_roles[k]));
                                assert_non_null(strstr(resp.body, who));
                                assert_non_null(strstr(resp.body, "roles allowed: "));
                                assert_non_null(strstr(resp.body, "urn:cradle:problem:forbidden"));
                        }
                        http_response_clear(&resp);
                }
        }
}

static void test_whoami_and_bad_tokens(void **state) {
        struct fixture *f = *state;
        struct http_response resp;
        json_t *j = dispatch(&f->router, "GET", "/api/v1/whoami", NULL, 0, f->auth[4], &resp);
        assert_int_equal(resp.status, 200);
        assert_string_equal(json_string_value(json_object_get(j, "name")), "t-auditor");
        assert_string_equal(json_string_value(json_object_get(j, "role")), "auditor");
        json_decref(j);
        http_response_clear(&resp);

        j = dispatch(&f->router, "GET", "/api/v1/whoami", NULL, 0, "Bearer nonsense", &resp);
        assert_int_equal(resp.status, 401);
        assert_string_equal(http_response_get_header(&resp, "WWW-Authenticate"),
                            "Bearer realm=\"cradle\", error=\"invalid_token\"");
        json_decref(j);
        http_response_clear(&resp);
}

static void test_rate_limit_locks_out_a_source(void **state) {
        struct fixture *f = *state;
        struct http_response resp;
        struct http_request req = {
                .method = "GET", .path = "/api/v1/products", .client_ip = "203.0.113.9",
                .request_id = "00000000000000aa",
        };
        /* Missing credentials are not guesses: they do not count. */
        for (int i = 0; i < 10; i++) {
                memset(&resp, 0, sizeof(resp));
                router_dispatch(&f->router, &req, &resp);
                assert_int_equal(resp.status, 401);
                http_response_clear(&resp);
        }
        req.authorization = "Bearer cradle_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
        unsigned statuses[8];
        for (size_t i = 0; i < ELEMENTSOF(statuses); i++) {
                memset(&resp, 0, sizeof(resp));
                router_dispatch(&f->router, &req, &resp);
                statuses[i] = resp.status;
                http_response_clear(&resp);
        }
        assert_int_equal(statuses[0], 401);
        assert_int_equal(statuses[ELEMENTSOF(statuses) - 1], 429);

        /* Even a valid token waits, and is told how long. */
        req.authorization = f->auth[0];
        memset(&resp, 0, sizeof(resp));
        router_dispatch(&f->router, &req, &resp);
        assert_int_equal(resp.status, 429);
        const char *retry = http_response_get_header(&resp, "Retry-After");
        assert_non_null(retry);
        int64_t secs;
        assert_int_equal(str_to_int64(retry, 1, 300, &secs), 0);
        assert_non_null(strstr(resp.body, "urn:cradle:problem:rate-limited"));
        http_response_clear(&resp);

        /* Another source is unaffected; public routes are never limited. */
        req.client_ip = "203.0.113.10";
        memset(&resp, 0, sizeof(resp));
        router_dispatch(&f->router, &req, &resp);
        assert_int_equal(resp.status, 200);
        http_response_clear(&resp);
        req.client_ip = "203.0.113.9";
        req.path = "/healthz";
        memset(&resp, 0, sizeof(resp));
        router_dispatch(&f->router, &req, &resp);
        assert_int_equal(resp.status, 200);
        http_response_clear(&resp);
}

/* A source holding a valid (low-privilege) token must not launder its
 * guesses by using it between them: 3 bad tokens and 1 valid, repeated, from
 * one address reaches 429 (the fixture's limiter allows 3 failures). */
static void test_rate_limit_valid_token_does_not_launder(void **state) {
        struct fixture *f = *state;
        struct http_response resp;
        struct http_request req = {
                .method = "GET", .path = "/api/v1/whoami", .client_ip = "203.0.113.77",
                .request_id = "00000000000000ab",
        };
        unsigned last = 0;
        int rounds = 0;
        for (; rounds < 10 && last != 429; rounds++) {
                for (int i = 0; i < 4 && last != 429; i++) {
                        req.authorization = i < 3 ? "Bearer cradle_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
                                                  : f->auth[4]; /* the auditor's valid token */
                        memset(&resp, 0, sizeof(resp));
                        router_dispatch(&f->router, &req, &resp);
                        last = resp.status;
                        if (last != 429)
                                assert_int_equal(last, i < 3 ? 401 : 200);
                        http_response_clear(&resp);
                }
        }
        assert_int_equal(last, 429);
        assert_true(rounds <= 3); /* the 4th failure locks it out, in the second round (third if a second ticked) */
}

static void test_body_rules(void **state) {
        struct fixture *f = *state;
        struct http_response resp = {0};
        struct http_request req = {
                .method = "POST", .path = "/api/v1/tokens", .client_ip = "192.0.2.50",
                .request_id = "00000000000000bb", .authorization = f->auth[0],
                .content_type = "text/plain", .body = "{\"name\":\"x\",\"role\":\"auditor\"}",
        };
        req.body_len = strlen(req.body);
        router_dispatch(&f->router, &req, &resp);
        assert_int_equal(resp.status, 415);
        assert_non_null(strstr(resp.body, "application/json"));
        http_response_clear(&resp);

        req.content_type = NULL;
        router_dispatch(&f->router, &req, &resp);
        assert_int_equal(resp.status, 415);
        http_response_clear(&resp);

        req.content_type = "application/json; charset=utf-8";
        req.body = "";
        req.body_len = 0;
        router_dispatch(&f->router, &req, &resp);
        assert_int_equal(resp.status, 400);
        assert_non_null(strstr(resp.body, "empty"));
        http_response_clear(&resp);

        req.body = "{\"name\":\"ci\",\"role\":\"wizard\"}";
        req.body_len = strlen(req.body);
        router_dispatch(&f->router, &req, &resp);
        assert_int_equal(resp.status, 400);
        assert_non_null(strstr(resp.body, "role"));
        http_response_clear(&resp);

        req.body = "{\"name\":\"ci\",\"role\":\"factory\"}";
        req.body_len = strlen(req.body);
        router_dispatch(&f->router, &req, &resp);
        assert_int_equal(resp.status, 201);
        assert_true(resp.sensitive);
        json_t *j = json_loadb(resp.body, resp.body_len, 0, NULL);
        assert_non_null(j);
        assert_true(str_startswith(json_string_value(json_object_get(j, "token")), "cradle_"));
        assert_string_equal(json_string_value(json_object_get(j, "name")), "ci");
        assert_string_equal(json_string_value(json_object_get(j, "role")), "factory");
        json_decref(j);
        http_response_clear(&resp);

        req.method = "GET";
        req.path = "/api/v1/products/abc";
        router_dispatch(&f->router, &req, &resp);
        assert_int_equal(resp.status, 400);
        assert_non_null(strstr(resp.body, "'id'"));
        http_response_clear(&resp);

        req.path = "/api/v1/products/999";
        router_dispatch(&f->router, &req, &resp);
        assert_int_equal(resp.status, 404);
        http_response_clear(&resp);
}

static void test_route_label(void **state) {
        struct fixture *f = *state;
        assert_string_equal(router_route_label(&f->router, "GET", "/api/v1/products/12"),
                            "/api/v1/products/{id}");
        assert_string_equal(router_route_label(&f->router, "PUT", "/api/v1/products/12"),
                            "/api/v1/products/{id}");
        assert_string_equal(router_route_label(&f->router, "GET", "/etc/passwd"), "unmatched");
}

/* The CVD follow-up secret never reaches the access log: the segment a
 * ROUTE_SECRET_PATH route holds it in, and all after it, is redacted, for
 * matched and unmatched paths alike; other paths are left alone. */
static void test_path_for_log_redacts_secrets(void **state) {
        struct fixture *f = *state;
        static const char secret[] = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
        char path[256];
        snprintf(path, sizeof(path), "/cvd/follow/CASE-2026-0001/%s", secret);
        char *r = router_path_for_log(&f->router, path);
        assert_non_null(r);
        assert_string_equal(r, "/cvd/follow/CASE-2026-0001/[redacted]");
        free(r);
        snprintf(path, sizeof(path), "/cvd/follow/CASE-2026-0001/%s/more/stuff", secret);
        r = router_path_for_log(&f->router, path);
        assert_string_equal(r, "/cvd/follow/CASE-2026-0001/[redacted]");
        free(r);
        /* the message route has no secret in its path, nor do others */
        assert_null(router_path_for_log(&f->router, "/cvd/follow/CASE-2026-0001"));
        assert_null(router_path_for_log(&f->router, "/cvd/report"));
        assert_null(router_path_for_log(&f->router, "/api/v1/products/12"));
        assert_null(router_path_for_log(&f->router, "/cvd/followX/CASE/abc"));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_match_literal_and_params),
                cmocka_unit_test(test_match_literal_beats_param),
                cmocka_unit_test(test_match_not_found),
                cmocka_unit_test(test_match_trailing_slash_is_not_found),
                cmocka_unit_test(test_match_method_not_allowed_lists_allow),
                cmocka_unit_test(test_match_head_is_served_by_get),
                cmocka_unit_test(test_match_percent_encoded),
                cmocka_unit_test(test_match_limits),
                cmocka_unit_test(test_dispatch_problems),
                cmocka_unit_test(test_dispatch_params_reach_handler),
                cmocka_unit_test(test_dispatch_query_parameters_checked),
                cmocka_unit_test_setup_teardown(test_real_table_roles, setup, teardown),
                cmocka_unit_test_setup_teardown(test_whoami_and_bad_tokens, setup, teardown),
                cmocka_unit_test_setup_teardown(test_rate_limit_locks_out_a_source, setup, teardown),
                cmocka_unit_test_setup_teardown(test_rate_limit_valid_token_does_not_launder, setup, teardown),
                cmocka_unit_test_setup_teardown(test_body_rules, setup, teardown),
                cmocka_unit_test_setup_teardown(test_route_label, setup, teardown),
                cmocka_unit_test_setup_teardown(test_path_for_log_redacts_secrets, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * docs/openapi.json describes exactly the server's route table: the same
 * (method, path) pairs in both directions, the same roles (x-cradle-roles,
 * ["device"] for device routes), the same auth mode (x-cradle-auth), the
 * same query parameters, operationId = route name, security that matches
 * the auth mode, and EST's media types.
 */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "core/cleanup.h"
#include "core/strutil.h"
#include "routes.h"

static const char *const http_methods[] = { "get", "put", "post", "delete", "options", "head", "patch", "trace" };

static json_t *load_openapi(void) {
        const char *root = getenv("CRADLE_SOURCE_ROOT");
        if (!root)
                fail_msg("CRADLE_SOURCE_ROOT is not set");
        _cleanup_free_ char *path = str_printf("%s/docs/openapi.json", root);
        json_error_t je;
        json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
        if (!doc)
                fail_msg("%s:%d: %s", path, je.line, je.text);
        return doc;
}

static int setup(void **state) {
        *state = load_openapi();
        return 0;
}

static int teardown(void **state) {
        json_decref(*state);
        return 0;
}

static char *lower(const char *s) {
        char *d = str_dup(s);
        for (char *p = d; *p; p++)
                *p = (char) tolower((unsigned char) *p);
        return d;
}

/* Resolves a local "$ref" ("#/components/parameters/X"). */
static json_t *deref(json_t *doc, json_t *j) {
        const char *r = json_string_value(json_object_get(j, "$ref"));
        if (!r)
                return j;
        assert_true(str_startswith(r, "#/"));
        _cleanup_free_ char *copy = str_dup(r + 2);
        json_t *cur = doc;
        for (char *save = NULL, *tok = strtok_r(copy, "/", &save); tok; tok = strtok_r(NULL, "/", &save))
                cur = json_object_get(cur, tok);
        if (!cur)
                fail_msg("unresolved $ref %s", r);
        return cur;
}

static json_t *roles_sorted(json_t *roles) {
        /* Role order is not meaningful: compare as sorted sets. */
        json_t *copy = json_array();
        size_t n = json_array_size(roles);
        const char **names = xcalloc(n ? n : 1, sizeof(*names));
        for (size_t i = 0; i < n; i++) {
                names[i] = json_string_value(json_array_get(roles, i));
                if (!names[i])
                        fail_msg("x-cradle-roles holds a non-string");
        }
        for (size_t i = 0; i < n; i++)
                for (size_t k = i + 1; k < n; k++)
                        if (strcmp(names[k], names[i]) < 0) {
                                const char *t = names[i];
                                names[i] = names[k];
                                names[k] = t;
                        }
        for (size_t i = 0; i < n; i++) {
                if (i > 0 && strcmp(names[i], names[i - 1]) == 0)
                        fail_msg("role %s listed twice", names[i]);
                json_array_append_new(copy, json_string(names[i]));
        }
        free(names);
        return copy;
}

static void test_version(void **state) {
        json_t *doc = *state;
        assert_string_equal(json_string_value(json_object_get(doc, "openapi")), "3.1.0");
        json_t *schemes = json_object_get(json_object_get(doc, "components"), "securitySchemes");
        assert_non_null(json_object_get(schemes, "bearerAuth"));
        /* OpenAPI 3.1's scheme for client certificates. */
        assert_string_equal(json_string_value(json_object_get(json_object_get(schemes, "deviceCert"), "type")),
                            "mutualTLS");
}

static void test_every_route_is_documented(void **state) {
        json_t *doc = *state;
        json_t *paths = json_object_get(doc, "paths");
        size_t n;
        const struct route *table = routes_table(&n);
        for (size_t i = 0; i < n; i++) {
                const struct route *r = &table[i];
                _cleanup_free_ char *m = lower(r->method);
                json_t *op = json_object_get(json_object_get(paths, r->pattern), m);
                if (!op)
                        fail_msg("%s %s is served but not in docs/openapi.json", r->method, r->pattern);

                json_t *doc_roles = json_object_get(op, "x-cradle-roles");
                if (!json_is_array(doc_roles))
                        fail_msg("%s %s: x-cradle-roles missing or not an array", r->method, r->pattern);
                _cleanup_json_ json_t *served = routes_route_roles_to_json(r);
                _cleanup_json_ json_t *a = roles_sorted(served);
                _cleanup_json_ json_t *b = roles_sorted(doc_roles);
                if (!json_equal(a, b)) {
                        _cleanup_free_ char *sa = json_dumps(a, JSON_COMPACT);
                        _cleanup_free_ char *sb = json_dumps(b, JSON_COMPACT);
                        fail_msg("%s %s: served roles %s, documented %s", r->method, r->pattern, sa, sb);
                }

                const char *auth = json_string_value(json_object_get(op, "x-cradle-auth"));
                if (!str_eq(auth, route_auth_name(r->auth)))
                        fail_msg("%s %s: x-cradle-auth %s, served %s", r->method, r->pattern,
                                 auth ? auth : "(none)", route_auth_name(r->auth));

                const char *op_id = json_string_value(json_object_get(op, "operationId"));
                if (!str_eq(op_id, r->name))
                        fail_msg("%s %s: operationId %s, route name %s", r->method, r->pattern,
                                 op_id ? op_id : "(none)", r->name);
        }
}

static void test_every_documented_operation_is_served(void **state) {
        json_t *doc = *state;
        json_t *paths = json_object_get(doc, "paths");
        size_t n;
        const struct route *table = routes_table(&n);
        const char *path;
        json_t *item;
        size_t ops = 0;
        json_object_foreach(paths, path, item) {
                const char *key;
                json_t *op;
                json_object_foreach(item, key, op) {
                        bool is_method = false;
                        for (size_t k = 0; k < ELEMENTSOF(http_methods); k++)
                                is_method |= str_eq(key, http_methods[k]);
                        if (!is_method)
                                continue; /* "parameters", "summary", ... */
                        ops++;
                        bool found = false;
                        for (size_t i = 0; i < n && !found; i++) {
                                _cleanup_free_ char *m = lower(table[i].method);
                                found = str_eq(table[i].pattern, path) && str_eq(m, key);
                        }
                        if (!found)
                                fail_msg("%s %s is documented but not served", key, path);
                }
        }
        assert_int_equal(ops, n);
}

/* Query parameters: documented = the route's accepted list; path parameters
 * are the pattern's {names}. */
static void test_parameters_match(void **state) {
        json_t *doc = *state;
        json_t *paths = json_object_get(doc, "paths");
        size_t n;
        const struct route *table = routes_table(&n);
        for (size_t i = 0; i < n; i++) {
                const struct route *r = &table[i];
                _cleanup_free_ char *m = lower(r->method);
                json_t *op = json_object_get(json_object_get(paths, r->pattern), m);
                json_t *params = json_object_get(op, "parameters");
                struct buf query = {0}, pathp = {0};
                size_t k;
                json_t *p;
                json_array_foreach(params, k, p) {
                        p = deref(doc, p);
                        const char *in = json_string_value(json_object_get(p, "in"));
                        const char *name = json_string_value(json_object_get(p, "name"));
                        struct buf *b = str_eq(in, "query") ? &query : str_eq(in, "path") ? &pathp : NULL;
                        if (!b)
                                fail_msg("%s %s: parameter %s in %s", r->method, r->pattern, name, in);
                        buf_appendf(b, "%s%s", b->len ? "," : "", name);
                }
                _cleanup_free_ char *q = buf_steal(&query);
                _cleanup_free_ char *pp = buf_steal(&pathp);
                if (!str_eq(q ? q : "", r->query ? r->query : ""))
                        fail_msg("%s %s: documented query '%s', served '%s'", r->method, r->pattern,
                                 q ? q : "", r->query ? r->query : "");
                struct buf want = {0};
                for (const char *c = strchr(r->pattern, '{'); c; c = strchr(c + 1, '{')) {
                        const char *end = strchr(c, '}');
                        buf_appendf(&want, "%s%.*s", want.len ? "," : "", (int) (end - c - 1), c + 1);
                }
                _cleanup_free_ char *w = buf_steal(&want);
                if (!str_eq(pp ? pp : "", w ? w : ""))
                        fail_msg("%s %s: documented path parameters '%s', pattern has '%s'", r->method,
                                 r->pattern, pp ? pp : "", w ? w : "");
        }
}

static void require_responses(const struct route *r, json_t *responses, const char *const *codes,
                              size_t n) {
        for (size_t i = 0; i < n; i++)
                if (!json_object_get(responses, codes[i]))
                        fail_msg("%s %s (%s): response %s must be documented", r->method, r->pattern,
                                 route_auth_name(r->auth), codes[i]);
}

/* Security matches the auth mode: public and claim operations have none
 * (security: []), bearer ones bearerAuth, device ones deviceCert; each
 * documents how it can be refused. Operations with a body document 413 and
 * 415. */
static void test_security_and_problem_responses(void **state) {
        json_t *doc = *state;
        json_t *paths = json_object_get(doc, "paths");
        size_t n;
        const struct route *table = routes_table(&n);
        static const char *const bearer_codes[] = { "401", "403", "429" };
        static const char *const device_codes[] = { "401", "403" };
        static const char *const claim_codes[] = { "400", "401", "403", "409", "429" };
        static const char *const ddi_codes[] = { "401", "403", "404", "429" };
        static const char *const body_codes[] = { "413", "415" };
        for (size_t i = 0; i < n; i++) {
                const struct route *r = &table[i];
                _cleanup_free_ char *m = lower(r->method);
                json_t *op = json_object_get(json_object_get(paths, r->pattern), m);
                json_t *security = json_object_get(op, "security");
                json_t *responses = json_object_get(op, "responses");
                assert_true(json_is_array(security));
                switch (r->auth) {
                case ROUTE_AUTH_PUBLIC:
                        assert_int_equal(json_array_size(security), 0);
                        break;
                case ROUTE_AUTH_CLAIM:
                        assert_int_equal(json_array_size(security), 0);
                        require_responses(r, responses, claim_codes, ELEMENTSOF(claim_codes));
                        break;
                case ROUTE_AUTH_BEARER:
                        assert_int_equal(json_array_size(security), 1);
                        assert_non_null(json_object_get(json_array_get(security, 0), "bearerAuth"));
                        require_responses(r, responses, bearer_codes, ELEMENTSOF(bearer_codes));
                        break;
                case ROUTE_AUTH_DEVICE:
                        assert_int_equal(json_array_size(security), 1);
                        assert_non_null(json_object_get(json_array_get(security, 0), "deviceCert"));
                        require_responses(r, responses, device_codes, ELEMENTSOF(device_codes));
                        break;
                case ROUTE_AUTH_DDI:
                        /* Either the device certificate or its TargetToken. */
                        assert_int_equal(json_array_size(security), 2);
                        assert_non_null(json_object_get(json_array_get(security, 0), "deviceCert"));
                        assert_non_null(json_object_get(json_array_get(security, 1), "ddiTargetToken"));
                        require_responses(r, responses, ddi_codes, ELEMENTSOF(ddi_codes));
                        break;
                }
                if (str_eq(r->method, "POST") || str_eq(r->method, "PATCH") || str_eq(r->method, "PUT")) {
                        if (!json_object_get(op, "requestBody"))
                                fail_msg("%s %s: requestBody must be documented", r->method, r->pattern);
                        /* DDI bodies are read whatever their media type (clients differ): no 415. */
                        require_responses(r, responses, body_codes, r->auth == ROUTE_AUTH_DDI ? 1 : 2);
                }
        }
}

static json_t *op_of(json_t *doc, const char *method, const char *path) {
        json_t *op = json_object_get(json_object_get(json_object_get(doc, "paths"), path), method);
        if (!op)
                fail_msg("%s %s is not documented", method, path);
        return op;
}

static json_t *content_of(json_t *op, const char *status) {
        json_t *resp = json_object_get(json_object_get(op, "responses"), status);
        if (!resp)
                fail_msg("%s: no %s response", json_string_value(json_object_get(op, "operationId")), status);
        return json_object_get(resp, "content");
}

/* EST (RFC 7030) is not JSON: the documented media types are the ones the
 * server speaks (est.h), so an EST client author can trust the document. */
static void test_est_media_types(void **state) {
        json_t *doc = *state;
        static const char *const enroll[] = {
                "/.well-known/est/{label}/simpleenroll", "/.well-known/est/{label}/simplereenroll",
        };
        static const char *const cacerts[] = {
                "/.well-known/est/cacerts", "/.well-known/est/{label}/cacerts",
        };
        const char *certs = "application/pkcs7-mime; smime-type=certs-only";
        for (size_t i = 0; i < ELEMENTSOF(enroll); i++) {
                json_t *op = op_of(doc, "post", enroll[i]);
                json_t *body = json_object_get(json_object_get(op, "requestBody"), "content");
                assert_non_null(json_object_get(body, "application/pkcs10"));
                assert_int_equal(json_object_size(body), 1);
                assert_non_null(json_object_get(content_of(op, "200"), certs));
                assert_non_null(json_object_get(json_object_get(json_object_get(json_object_get(op, "responses"),
                                                                                "200"),
                                                                "headers"),
                                                "Content-Transfer-Encoding"));
        }
        for (size_t i = 0; i < ELEMENTSOF(cacerts); i++)
                assert_non_null(json_object_get(content_of(op_of(doc, "get", cacerts[i]), "200"), certs));
        assert_non_null(json_object_get(content_of(op_of(doc, "get", "/.well-known/est/{label}/csrattrs"), "200"),
                                        "application/csrattrs"));
        assert_non_null(json_object_get(content_of(op_of(doc, "get", "/pki/crl/{file}"), "200"),
                                        "application/pkix-crl"));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_version, setup, teardown),
                cmocka_unit_test_setup_teardown(test_every_route_is_documented, setup, teardown),
                cmocka_unit_test_setup_teardown(test_every_documented_operation_is_served, setup, teardown),
                cmocka_unit_test_setup_teardown(test_parameters_match, setup, teardown),
                cmocka_unit_test_setup_teardown(test_security_and_problem_responses, setup, teardown),
                cmocka_unit_test_setup_teardown(test_est_media_types, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

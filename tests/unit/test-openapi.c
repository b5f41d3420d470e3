/* SPDX-License-Identifier: Apache-2.0 */
/*
 * docs/openapi.json describes exactly the server's route table: the same
 * (method, path) pairs in both directions, the same roles (x-cradle-roles),
 * the same query parameters, operationId = route name, and security that
 * matches public vs authenticated.
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
        assert_non_null(json_object_get(json_object_get(json_object_get(doc, "components"), "securitySchemes"),
                                        "bearerAuth"));
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
                _cleanup_json_ json_t *served = routes_roles_to_json(r->roles);
                _cleanup_json_ json_t *a = roles_sorted(served);
                _cleanup_json_ json_t *b = roles_sorted(doc_roles);
                if (!json_equal(a, b)) {
                        _cleanup_free_ char *sa = json_dumps(a, JSON_COMPACT);
                        _cleanup_free_ char *sb = json_dumps(b, JSON_COMPACT);
                        fail_msg("%s %s: served roles %s, documented %s", r->method, r->pattern, sa, sb);
                }

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

/* Public operations say so (security: []); the others require bearerAuth and
 * document 401 and 403. Operations with a body document 413 and 415. */
static void test_security_and_problem_responses(void **state) {
        json_t *doc = *state;
        json_t *paths = json_object_get(doc, "paths");
        size_t n;
        const struct route *table = routes_table(&n);
        for (size_t i = 0; i < n; i++) {
                const struct route *r = &table[i];
                _cleanup_free_ char *m = lower(r->method);
                json_t *op = json_object_get(json_object_get(paths, r->pattern), m);
                json_t *security = json_object_get(op, "security");
                json_t *responses = json_object_get(op, "responses");
                assert_true(json_is_array(security));
                if (r->roles == 0) {
                        assert_int_equal(json_array_size(security), 0);
                } else {
                        assert_int_equal(json_array_size(security), 1);
                        assert_non_null(json_object_get(json_array_get(security, 0), "bearerAuth"));
                        if (!json_object_get(responses, "401") || !json_object_get(responses, "403") ||
                            !json_object_get(responses, "429"))
                                fail_msg("%s %s: 401, 403 and 429 must be documented", r->method, r->pattern);
                }
                if (str_eq(r->method, "POST") || str_eq(r->method, "PATCH")) {
                        assert_non_null(json_object_get(op, "requestBody"));
                        if (!json_object_get(responses, "413") || !json_object_get(responses, "415"))
                                fail_msg("%s %s: 413 and 415 must be documented", r->method, r->pattern);
                }
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_version, setup, teardown),
                cmocka_unit_test_setup_teardown(test_every_route_is_documented, setup, teardown),
                cmocka_unit_test_setup_teardown(test_every_documented_operation_is_served, setup, teardown),
                cmocka_unit_test_setup_teardown(test_parameters_match, setup, teardown),
                cmocka_unit_test_setup_teardown(test_security_and_problem_responses, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

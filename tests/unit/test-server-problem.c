/* SPDX-License-Identifier: Apache-2.0 */
/* RFC 9457 problem documents: type, title, status per error kind; server
 * faults never reach the client as anything but a generic 500. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "core/cleanup.h"
#include "core/error.h"
#include "problem.h"

static json_t *render(const struct error *err, const char *instance, struct http_response *resp) {
        memset(resp, 0, sizeof(*resp));
        problem_respond(resp, err, instance, "abcdef0123456789");
        assert_string_equal(resp->content_type, "application/problem+json");
        json_t *j = json_loadb(resp->body, resp->body_len, 0, NULL);
        assert_non_null(j);
        return j;
}

static void test_user_errors_map_to_their_status(void **state) {
        (void) state;
        static const struct {
                enum error_kind kind;
                unsigned status;
                const char *type;
        } cases[] = {
                { ERROR_INVALID, 400, "urn:cradle:problem:invalid" },
                { ERROR_UNAUTHENTICATED, 401, "urn:cradle:problem:unauthenticated" },
                { ERROR_FORBIDDEN, 403, "urn:cradle:problem:forbidden" },
                { ERROR_NOT_FOUND, 404, "urn:cradle:problem:not-found" },
                { ERROR_CONFLICT, 409, "urn:cradle:problem:conflict" },
                { ERROR_TOO_LARGE, 413, "urn:cradle:problem:too-large" },
                { ERROR_UNSUPPORTED, 415, "urn:cradle:problem:unsupported" },
                { ERROR_RATE_LIMITED, 429, "urn:cradle:problem:rate-limited" },
                { ERROR_UNAVAILABLE, 503, "urn:cradle:problem:unavailable" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                struct error err = {0};
                struct http_response resp;
                error_set(&err, cases[i].kind, "field 'model': must not be empty");
                assert_int_equal(problem_status(cases[i].kind), cases[i].status);
                assert_false(problem_kind_is_server_fault(cases[i].kind));
                json_t *j = render(&err, "/api/v1/products", &resp);
                assert_int_equal(resp.status, cases[i].status);
                assert_string_equal(json_string_value(json_object_get(j, "type")), cases[i].type);
                assert_int_equal(json_integer_value(json_object_get(j, "status")), cases[i].status);
                assert_string_equal(json_string_value(json_object_get(j, "detail")),
                                    "field 'model': must not be empty");
                assert_string_equal(json_string_value(json_object_get(j, "instance")), "/api/v1/products");
                assert_string_equal(json_string_value(json_object_get(j, "request_id")), "abcdef0123456789");
                const char *title = json_string_value(json_object_get(j, "title"));
                assert_non_null(title);
                assert_true(strlen(title) > 0);
                assert_int_equal(json_object_size(j), 6);
                json_decref(j);
                http_response_clear(&resp);
        }
}

static void test_server_faults_are_generic_500s(void **state) {
        (void) state;
        const enum error_kind kinds[] = { ERROR_IO, ERROR_DB, ERROR_CRYPTO, ERROR_INTERNAL, ERROR_NONE };
        for (size_t i = 0; i < ELEMENTSOF(kinds); i++) {
                struct error err = {0};
                struct http_response resp;
                error_set(&err, kinds[i], "/var/lib/cradle/cradle.db: SQLITE_IOERR secret detail");
                err.kind = kinds[i];
                assert_true(problem_kind_is_server_fault(kinds[i]));
                assert_int_equal(problem_status(kinds[i]), 500);
                json_t *j = render(&err, "/api/v1/products", &resp);
                assert_int_equal(resp.status, 500);
                assert_null(strstr(resp.body, "SQLITE"));
                assert_null(strstr(resp.body, "/var/lib"));
                assert_string_equal(json_string_value(json_object_get(j, "type")), "urn:cradle:problem:internal");
                /* The detail points at the log entry. */
                assert_non_null(strstr(json_string_value(json_object_get(j, "detail")), "abcdef0123456789"));
                json_decref(j);
                http_response_clear(&resp);
        }
}

/* A full disk: 507 with a plain detail; which file is full goes to the log. */
static void test_disk_full_is_507(void **state) {
        (void) state;
        struct error err = {0};
        struct http_response resp;
        error_set(&err, ERROR_NO_SPACE, "inserting a product: database /var/lib/cradle/cradle.db: "
                                        "database or disk is full (the disk is full)");
        assert_true(problem_kind_is_server_fault(ERROR_NO_SPACE));
        assert_int_equal(problem_status(ERROR_NO_SPACE), 507);
        json_t *j = render(&err, "/api/v1/products", &resp);
        assert_int_equal(resp.status, 507);
        assert_string_equal(json_string_value(json_object_get(j, "type")),
                            "urn:cradle:problem:insufficient-storage");
        assert_string_equal(json_string_value(json_object_get(j, "title")), "Insufficient storage");
        const char *detail = json_string_value(json_object_get(j, "detail"));
        assert_non_null(strstr(detail, "no storage space left"));
        assert_non_null(strstr(detail, "reads still work"));
        assert_null(strstr(resp.body, "/var/lib"));
        json_decref(j);
        http_response_clear(&resp);
}

static void test_method_not_allowed(void **state) {
        (void) state;
        struct http_response resp = {0};
        problem_respond_method_not_allowed(&resp, "PUT", "GET, HEAD, POST", "/api/v1/tokens", "1111111111111111");
        assert_int_equal(resp.status, 405);
        assert_string_equal(http_response_get_header(&resp, "allow"), "GET, HEAD, POST");
        json_t *j = json_loadb(resp.body, resp.body_len, 0, NULL);
        assert_string_equal(json_string_value(json_object_get(j, "type")), "urn:cradle:problem:method-not-allowed");
        assert_int_equal(json_integer_value(json_object_get(j, "status")), 405);
        assert_non_null(strstr(json_string_value(json_object_get(j, "detail")), "PUT"));
        json_decref(j);
        http_response_clear(&resp);
}

static void test_bytes_that_are_not_text_stay_valid_json(void **state) {
        (void) state;
        struct error err = {0};
        struct http_response resp;
        error_set(&err, ERROR_NOT_FOUND, "no such endpoint: /\xff\xfe");
        json_t *j = render(&err, "/\xff\x01x", &resp);
        assert_string_equal(json_string_value(json_object_get(j, "instance")), "/%FF%01x");
        assert_string_equal(json_string_value(json_object_get(j, "detail")), "no such endpoint: /%FF%FE");
        json_decref(j);
        http_response_clear(&resp);
}

static void test_optional_members(void **state) {
        (void) state;
        struct error err = {0};
        error_set(&err, ERROR_INVALID, "bad");
        _cleanup_json_ json_t *j = problem_from_error(&err, NULL, NULL);
        assert_null(json_object_get(j, "instance"));
        assert_null(json_object_get(j, "request_id"));
        assert_string_equal(json_string_value(json_object_get(j, "detail")), "bad");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_user_errors_map_to_their_status),
                cmocka_unit_test(test_server_faults_are_generic_500s),
                cmocka_unit_test(test_disk_full_is_507),
                cmocka_unit_test(test_method_not_allowed),
                cmocka_unit_test(test_bytes_that_are_not_text_stay_valid_json),
                cmocka_unit_test(test_optional_members),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

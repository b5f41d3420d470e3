/* SPDX-License-Identifier: Apache-2.0 */
/* The Prometheus exposition: exact text for known observations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/cleanup.h"
#include "core/strutil.h"
#include "metrics.h"

static void test_empty(void **state) {
        (void) state;
        struct metrics *m = metrics_new("1.2.3");
        _cleanup_free_ char *text = metrics_render(m);
        assert_string_equal(text,
                "# HELP cradle_http_requests_total HTTP requests handled, by route pattern, method and status.\n"
                "# TYPE cradle_http_requests_total counter\n"
                "# HELP cradle_http_request_duration_seconds Time from a request's headers being received to its response being sent, by route pattern.\n"
                "# TYPE cradle_http_request_duration_seconds histogram\n"
                "# HELP cradle_http_open_connections Client connections currently open.\n"
                "# TYPE cradle_http_open_connections gauge\n"
                "cradle_http_open_connections 0\n"
                "# HELP cradle_http_connections_ended_total Connections the server closed for a deadline, for room in the pool, or at shutdown.\n"
                "# TYPE cradle_http_connections_ended_total counter\n"
                "cradle_http_connections_ended_total{reason=\"header_timeout\"} 0\n"
                "cradle_http_connections_ended_total{reason=\"body_too_slow\"} 0\n"
                "cradle_http_connections_ended_total{reason=\"evicted\"} 0\n"
                "cradle_http_connections_ended_total{reason=\"drained\"} 0\n"
                "# HELP cradle_tls_sessions_total TLS connections that carried a request, by whether the session was resumed from a ticket.\n"
                "# TYPE cradle_tls_sessions_total counter\n"
                "cradle_tls_sessions_total{resumed=\"false\"} 0\n"
                "cradle_tls_sessions_total{resumed=\"true\"} 0\n"
                "# HELP cradle_build_info Build information; the value is always 1.\n"
                "# TYPE cradle_build_info gauge\n"
                "cradle_build_info{version=\"1.2.3\"} 1\n");
        metrics_free(m);
}

static void test_known_observations(void **state) {
        (void) state;
        struct metrics *m = metrics_new("0.1.0");
        metrics_observe_request(m, "/healthz", "GET", 200, 800);         /* 0.0008 s */
        metrics_observe_request(m, "/healthz", "GET", 200, 1000);        /* exactly 0.001: le="0.001" */
        metrics_observe_request(m, "/healthz", "GET", 200, 70000);       /* 0.07 */
        metrics_observe_request(m, "/api/v1/products/{id}", "PATCH", 400, 7000000); /* 7 s: only +Inf */
        metrics_observe_request(m, "unmatched", "BREW", 404, 2);
        metrics_observe_request(m, "/healthz", "HEAD", 200, 3);
        metrics_connection_opened(m);
        metrics_connection_opened(m);
        metrics_connection_opened(m);
        metrics_connection_closed(m);
        metrics_tls_session(m, false);
        metrics_tls_session(m, true);
        metrics_tls_session(m, true);
        _cleanup_free_ char *text = metrics_render(m);
        assert_string_equal(text,
                "# HELP cradle_http_requests_total HTTP requests handled, by route pattern, method and status.\n"
                "# TYPE cradle_http_requests_total counter\n"
                "cradle_http_requests_total{route=\"/api/v1/products/{id}\",method=\"PATCH\",status=\"400\"} 1\n"
                "cradle_http_requests_total{route=\"/healthz\",method=\"GET\",status=\"200\"} 3\n"
                "cradle_http_requests_total{route=\"/healthz\",method=\"HEAD\",status=\"200\"} 1\n"
                "cradle_http_requests_total{route=\"unmatched\",method=\"OTHER\",status=\"404\"} 1\n"
                "# HELP cradle_http_request_duration_seconds Time from a request's headers being received to its response being sent, by route pattern.\n"
                "# TYPE cradle_http_request_duration_seconds histogram\n"
                "cradle_http_request_duration_seconds_bucket{route=\"/api/v1/products/{id}\",le=\"0.001\"} 0\n"
                "cradle_http_request_duration_seconds_bucket{route=\"/api/v1/products/{id}\",le=\"0.005\"} 0\n"
                "cradle_http_request_duration_seconds_bucket{route=\"/api/v1/products/{id}\",le=\"0.01\"} 0\n"
                "cradle_http_request_duration_seconds_bucket{route=\"/api/v1/products/{id}\",le=\"0.05\"} 0\n"
                "cradle_http_request_duration_seconds_bucket{route=\"/api/v1/products/{id}\",le=\"0.1\"} 0\n"
                "cradle_http_request_duration_seconds_bucket{route=\"/api/v1/products/{id}\",le=\"0.5\"} 0\n"
                "cradle_http_request_duration_seconds_bucket{route=\"/api/v1/products/{id}\",le=\"1\"} 0\n"
                "cradle_http_request_duration_seconds_bucket{route=\"/api/v1/products/{id}\",le=\"5\"} 0\n"
                "cradle_http_request_duration_seconds_bucket{route=\"/api/v1/products/{id}\",le=\"+Inf\"} 1\n"
                "cradle_http_request_duration_seconds_sum{route=\"/api/v1/products/{id}\"} 7.000000\n"
                "cradle_http_request_duration_seconds_count{route=\"/api/v1/products/{id}\"} 1\n"
                "cradle_http_request_duration_seconds_bucket{route=\"/healthz\",le=\"0.001\"} 3\n"
                "cradle_http_request_duration_seconds_bucket{route=\"/healthz\",le=\"0.005\"} 3\n"
                "cradle_http_request_duration_seconds_bucket{route=\"/healthz\",le=\"0.01\"} 3\n"
                "cradle_http_request_duration_seconds_bucket{route=\"/healthz\",le=\"0.05\"} 3\n"
                "cradle_http_request_duration_seconds_bucket{route=\"/healthz\",le=\"0.1\"} 4\n"
                "cradle_http_request_duration_seconds_bucket{route=\"/healthz\",le=\"0.5\"} 4\n"
                "cradle_http_request_duration_seconds_bucket{route=\"/healthz\",le=\"1\"} 4\n"
                "cradle_http_request_duration_seconds_bucket{route=\"/healthz\",le=\"5\"} 4\n"
                "cradle_http_request_duration_seconds_bucket{route=\"/healthz\",le=\"+Inf\"} 4\n"
                "cradle_http_request_duration_seconds_sum{route=\"/healthz\"} 0.071803\n"
                "cradle_http_request_duration_seconds_count{route=\"/healthz\"} 4\n"
                "cradle_http_request_duration_seconds_bucket{route=\"unmatched\",le=\"0.001\"} 1\n"
                "cradle_http_request_duration_seconds_bucket{route=\"unmatched\",le=\"0.005\"} 1\n"
                "cradle_http_request_duration_seconds_bucket{route=\"unmatched\",le=\"0.01\"} 1\n"
                "cradle_http_request_duration_seconds_bucket{route=\"unmatched\",le=\"0.05\"} 1\n"
                "cradle_http_request_duration_seconds_bucket{route=\"unmatched\",le=\"0.1\"} 1\n"
                "cradle_http_request_duration_seconds_bucket{route=\"unmatched\",le=\"0.5\"} 1\n"
                "cradle_http_request_duration_seconds_bucket{route=\"unmatched\",le=\"1\"} 1\n"
                "cradle_http_request_duration_seconds_bucket{route=\"unmatched\",le=\"5\"} 1\n"
                "cradle_http_request_duration_seconds_bucket{route=\"unmatched\",le=\"+Inf\"} 1\n"
                "cradle_http_request_duration_seconds_sum{route=\"unmatched\"} 0.000002\n"
                "cradle_http_request_duration_seconds_count{route=\"unmatched\"} 1\n"
                "# HELP cradle_http_open_connections Client connections currently open.\n"
                "# TYPE cradle_http_open_connections gauge\n"
                "cradle_http_open_connections 2\n"
                "# HELP cradle_http_connections_ended_total Connections the server closed for a deadline, for room in the pool, or at shutdown.\n"
                "# TYPE cradle_http_connections_ended_total counter\n"
                "cradle_http_connections_ended_total{reason=\"header_timeout\"} 0\n"
                "cradle_http_connections_ended_total{reason=\"body_too_slow\"} 0\n"
                "cradle_http_connections_ended_total{reason=\"evicted\"} 0\n"
                "cradle_http_connections_ended_total{reason=\"drained\"} 0\n"
                "# HELP cradle_tls_sessions_total TLS connections that carried a request, by whether the session was resumed from a ticket.\n"
                "# TYPE cradle_tls_sessions_total counter\n"
                "cradle_tls_sessions_total{resumed=\"false\"} 1\n"
                "cradle_tls_sessions_total{resumed=\"true\"} 2\n"
                "# HELP cradle_build_info Build information; the value is always 1.\n"
                "# TYPE cradle_build_info gauge\n"
                "cradle_build_info{version=\"0.1.0\"} 1\n");
        metrics_free(m);
}

/* Buckets are cumulative: each le count is >= the one before, +Inf equals _count. */
static void test_buckets_cumulative(void **state) {
        (void) state;
        struct metrics *m = metrics_new("x");
        const int64_t usecs[] = { 0, 999, 1001, 4999, 5000, 9000, 20000, 60000, 200000, 700000,
                                  999999, 1000001, 4000000, 6000000, -5 };
        for (size_t i = 0; i < ELEMENTSOF(usecs); i++)
                metrics_observe_request(m, "/r", "GET", 200, usecs[i]);
        _cleanup_free_ char *text = metrics_render(m);
        static const char *const les[] = { "0.001", "0.005", "0.01", "0.05", "0.1", "0.5", "1", "5", "+Inf" };
        static const long want[] = { 3, 6, 7, 8, 9, 10, 12, 14, 15 };
        long prev = 0;
        for (size_t i = 0; i < ELEMENTSOF(les); i++) {
                _cleanup_free_ char *needle = str_printf(
                        "cradle_http_request_duration_seconds_bucket{route=\"/r\",le=\"%s\"} ", les[i]);
                const char *p = strstr(text, needle);
                assert_non_null(p);
                long v = strtol(p + strlen(needle), NULL, 10);
                assert_int_equal(v, want[i]);
                assert_true(v >= prev);
                prev = v;
        }
        assert_non_null(strstr(text, "cradle_http_request_duration_seconds_count{route=\"/r\"} 15\n"));
        metrics_free(m);
}

static void test_label_values_escaped(void **state) {
        (void) state;
        struct metrics *m = metrics_new("a\"b\\c\nd");
        metrics_observe_request(m, "/x\"y", "GET", 200, 1);
        _cleanup_free_ char *text = metrics_render(m);
        assert_non_null(strstr(text, "cradle_build_info{version=\"a\\\"b\\\\c\\nd\"} 1\n"));
        assert_non_null(strstr(text, "route=\"/x\\\"y\""));
        metrics_free(m);
}

static void test_cardinality_bounded(void **state) {
        (void) state;
        struct metrics *m = metrics_new("x");
        /* Arbitrary methods collapse into OTHER. */
        for (int i = 0; i < 1000; i++) {
                _cleanup_free_ char *method = str_printf("M%d", i);
                metrics_observe_request(m, "unmatched", method, 405, 1);
        }
        /* Even a caller that passes unbounded routes cannot grow the table forever. */
        for (int i = 0; i < METRICS_MAX_ROUTES + 50; i++) {
                _cleanup_free_ char *route = str_printf("/r%d", i);
                metrics_observe_request(m, route, "GET", 200, 1);
        }
        _cleanup_free_ char *text = metrics_render(m);
        assert_non_null(strstr(text, "{route=\"unmatched\",method=\"OTHER\",status=\"405\"} 1000\n"));
        size_t lines = 0;
        for (const char *p = text; (p = strstr(p, "_count{")); p++)
                lines++;
        assert_int_equal(lines, METRICS_MAX_ROUTES);
        metrics_free(m);
}

static void test_connections_ended(void **state) {
        (void) state;
        struct metrics *m = metrics_new("1");
        metrics_connection_ended(m, "evicted");
        metrics_connection_ended(m, "evicted");
        metrics_connection_ended(m, "header_timeout");
        metrics_connection_ended(m, "no-such-reason");
        _cleanup_free_ char *text = metrics_render(m);
        assert_non_null(strstr(text, "cradle_http_connections_ended_total{reason=\"evicted\"} 2\n"));
        assert_non_null(strstr(text, "cradle_http_connections_ended_total{reason=\"header_timeout\"} 1\n"));
        assert_non_null(strstr(text, "cradle_http_connections_ended_total{reason=\"drained\"} 0\n"));
        assert_null(strstr(text, "no-such-reason"));
        metrics_free(m);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_empty),
                cmocka_unit_test(test_known_observations),
                cmocka_unit_test(test_buckets_cumulative),
                cmocka_unit_test(test_label_values_escaped),
                cmocka_unit_test(test_cardinality_bounded),
                cmocka_unit_test(test_connections_ended),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

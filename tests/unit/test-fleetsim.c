/* SPDX-License-Identifier: Apache-2.0 */
/* cradle-fleetsim's pure parts: percentiles, the schedule and its dice, the
 * rules, and every parser of what the server answers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "parse.h"
#include "sched.h"
#include "stats.h"

/* ---- histogram ---- */

static void test_hist_buckets_bound_their_values(void **state) {
        (void) state;
        /* Exact below 32 µs; above, the bucket's upper edge is at most 1/32 above. */
        for (uint64_t v = 0; v < 32; v++)
                assert_int_equal(fleetsim_hist_upper(fleetsim_hist_index(v)), v);
        uint64_t rng = 42;
        for (int i = 0; i < 100000; i++) {
                uint64_t v = fleetsim_rng_next(&rng) >> (fleetsim_rng_next(&rng) % 40 + 24);
                size_t ix = fleetsim_hist_index(v);
                if (ix == FLEETSIM_HIST_BUCKETS - 1)
                        continue; /* the overflow bucket */
                assert_true(fleetsim_hist_upper(ix) >= v);
                assert_true(fleetsim_hist_upper(ix) <= v + v / 32);
                if (ix > 0)
                        assert_true(fleetsim_hist_upper(ix - 1) < v);
        }
        /* Beyond the range: the last bucket, not out of bounds. */
        assert_int_equal(fleetsim_hist_index(UINT64_MAX), FLEETSIM_HIST_BUCKETS - 1);
}

static void test_hist_quantiles(void **state) {
        struct fleetsim_hist *h = calloc(1, sizeof(*h));
        (void) state;
        assert_int_equal(fleetsim_hist_quantile(h, 0.5), 0); /* empty */
        for (uint64_t v = 1; v <= 10000; v++)
                fleetsim_hist_add(h, v * 100); /* 100 µs .. 1 s */
        uint64_t p50 = fleetsim_hist_quantile(h, 0.50), p99 = fleetsim_hist_quantile(h, 0.99);
        assert_true(p50 >= 500000 && p50 <= 500000 + 500000 / 32);
        assert_true(p99 >= 990000 && p99 <= 990000 + 990000 / 32);
        assert_int_equal(fleetsim_hist_quantile(h, 1.0), 1000000); /* the max, not the bucket edge */
        assert_int_equal(h->count, 10000);
        free(h);
}

static void test_hist_one_value_and_merge(void **state) {
        struct fleetsim_hist *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
        (void) state;
        fleetsim_hist_add(a, 12345);
        assert_int_equal(fleetsim_hist_quantile(a, 0.5), 12345);
        assert_int_equal(fleetsim_hist_quantile(a, 0.99), 12345);
        for (int i = 0; i < 99; i++)
                fleetsim_hist_add(b, 10);
        fleetsim_hist_merge(a, b);
        assert_int_equal(a->count, 100);
        assert_int_equal(a->sum_us, 12345 + 990);
        assert_int_equal(fleetsim_hist_quantile(a, 0.5), 10);
        assert_int_equal(fleetsim_hist_quantile(a, 0.99), 10);  /* rank 99 of 100 */
        assert_int_equal(fleetsim_hist_quantile(a, 0.995), 12345);
        free(a);
        free(b);
}

static void test_error_kinds(void **state) {
        enum fleetsim_error k;
        (void) state;
        assert_false(fleetsim_error_from_status(200, &k));
        assert_false(fleetsim_error_from_status(204, &k));
        assert_true(fleetsim_error_from_status(404, &k));
        assert_int_equal(k, FLEETSIM_ERR_HTTP_4XX);
        assert_true(fleetsim_error_from_status(503, &k));
        assert_int_equal(k, FLEETSIM_ERR_HTTP_5XX);
        assert_true(fleetsim_error_from_status(302, &k));
        assert_int_equal(k, FLEETSIM_ERR_OTHER);
        assert_true(fleetsim_error_from_status(0, &k));
        assert_int_equal(k, FLEETSIM_ERR_OTHER);
        assert_string_equal(fleetsim_error_name(FLEETSIM_ERR_TLS), "tls");
        assert_string_equal(fleetsim_error_name(FLEETSIM_ERR_HTTP_5XX), "http-5xx");
}

/* ---- schedule ---- */

static void test_schedule_is_deterministic_per_device(void **state) {
        uint64_t a = fleetsim_rng_seed(7, "SIM-000001"), b = fleetsim_rng_seed(7, "SIM-000001");
        uint64_t c = fleetsim_rng_seed(7, "SIM-000002"), d = fleetsim_rng_seed(8, "SIM-000001");
        (void) state;
        assert_true(a == b);
        assert_true(a != c);
        assert_true(a != d);
        for (int i = 0; i < 100; i++)
                assert_int_equal(fleetsim_next_delay_us(&a, 30, 10), fleetsim_next_delay_us(&b, 30, 10));
        /* Another device's stream is another schedule. */
        uint64_t a2 = fleetsim_rng_seed(7, "SIM-000001");
        int same = 0;
        for (int i = 0; i < 100; i++)
                same += fleetsim_next_delay_us(&a2, 30, 10) == fleetsim_next_delay_us(&c, 30, 10);
        assert_true(same < 5);
}

static void test_schedule_jitter_bounds(void **state) {
        uint64_t r = fleetsim_rng_seed(1, "x");
        double sum = 0;
        int64_t lo = INT64_MAX, hi = 0;
        (void) state;
        for (int i = 0; i < 20000; i++) {
                int64_t d = fleetsim_next_delay_us(&r, 30, 10);
                assert_true(d >= 27000000 && d <= 33000000);
                lo = d < lo ? d : lo;
                hi = d > hi ? d : hi;
                sum += (double) d;
        }
        /* Uniform over the band: it is used, and centred on the interval. */
        assert_true(lo < 27100000 && hi > 32900000);
        assert_true(sum / 20000 > 29900000 && sum / 20000 < 30100000);
        assert_int_equal(fleetsim_next_delay_us(&r, 30, 0), 30000000);
        assert_int_equal(fleetsim_next_delay_us(&r, 0.0001, 0), 1000); /* floor of 1 ms */
        for (int i = 0; i < 1000; i++) {
                int64_t f = fleetsim_first_delay_us(&r, 30);
                assert_true(f >= 0 && f < 30000000);
        }
}

static void test_heap_orders_by_time_then_device(void **state) {
        struct fleetsim_heap h;
        uint64_t r = 3;
        int64_t last_t = -1;
        uint32_t last_d = 0;
        (void) state;
        fleetsim_heap_init(&h, 2); /* grows */
        for (uint32_t i = 0; i < 5000; i++)
                fleetsim_heap_push(&h, (int64_t) (fleetsim_rng_next(&r) % 1000), i);
        assert_int_equal(h.n, 5000);
        while (fleetsim_heap_peek(&h)) {
                const struct fleetsim_timer *t = fleetsim_heap_peek(&h);
                assert_true(t->at_us > last_t || (t->at_us == last_t && t->device > last_d));
                last_t = t->at_us;
                last_d = t->device;
                fleetsim_heap_pop(&h);
        }
        fleetsim_heap_pop(&h); /* empty: nothing happens */
        assert_int_equal(h.n, 0);
        fleetsim_heap_free(&h);
}

static void test_rules(void **state) {
        struct fleetsim_rule r[2];
        struct error err = { 0 };
        (void) state;
        assert_int_equal(fleetsim_rule_parse("1.2.0:0.25", &r[0], &err), 0);
        assert_string_equal(r[0].release, "1.2.0");
        assert_true(r[0].probability == 0.25);
        assert_int_equal(fleetsim_rule_parse("v:a:1", &r[1], &err), 0); /* the last ':' separates */
        assert_string_equal(r[1].release, "v:a");
        assert_true(fleetsim_rule_lookup(r, 2, "1.2.0") == 0.25);
        assert_true(fleetsim_rule_lookup(r, 2, "v:a") == 1.0);
        assert_true(fleetsim_rule_lookup(r, 2, "9.9") == 0.0);
        assert_int_equal(fleetsim_rule_parse("1.2.0", &r[0], &err), -1);
        assert_non_null(strstr(err.msg, "RELEASE:PROBABILITY"));
        assert_int_equal(fleetsim_rule_parse(":0.5", &r[0], &err), -1);
        assert_int_equal(fleetsim_rule_parse("1.2.0:", &r[0], &err), -1);
        assert_int_equal(fleetsim_rule_parse("1.2.0:1.5", &r[0], &err), -1);
        assert_non_null(strstr(err.msg, "from 0 to 1"));
        assert_int_equal(fleetsim_rule_parse("1.2.0:-0.1", &r[0], &err), -1);
        assert_int_equal(fleetsim_rule_parse("1.2.0:0.5x", &r[0], &err), -1);
        assert_int_equal(fleetsim_rule_parse("1.2.0:nan", &r[0], &err), -1);
        char longv[80];
        memset(longv, 'v', 65);
        strcpy(longv + 65, ":0.5");
        assert_int_equal(fleetsim_rule_parse(longv, &r[0], &err), -1);
}

/* ---- parsers ---- */

#define SHA "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static int dt(const char *json, struct fleetsim_offer *o, struct error *err) {
        return fleetsim_parse_director_targets(json, strlen(json), o, err);
}

static void test_director_targets(void **state) {
        struct fleetsim_offer o;
        struct error err = { 0 };
        (void) state;
        assert_int_equal(dt("{\"signed\":{\"version\":3,\"targets\":{}}}", &o, &err), 0);
        assert_false(o.available);
        assert_int_equal(dt("{\"signed\":{\"version\":3,\"targets\":{"
                            "\"1.1.0/b.img\":{\"length\":5,\"hashes\":{\"sha256\":\"" SHA "\"},"
                            "\"custom\":{\"release\":\"1.1.0\",\"security_version\":2}},"
                            "\"1.1.0/a.img\":{\"length\":7,\"custom\":{\"release\":\"1.1.0\"}}}}}",
                            &o, &err),
                         0);
        assert_true(o.available);
        assert_string_equal(o.path, "1.1.0/a.img"); /* first in byte order */
        assert_string_equal(o.release, "1.1.0");
        assert_int_equal(o.security_version, -1);
        assert_int_equal(o.length, 7);
        assert_string_equal(o.sha256, "");
        assert_int_equal(dt("{\"signed\":{\"version\":3,\"targets\":{\"x/r.img\":{\"length\":5,\"hashes\":{\"sha256\":\"" SHA
                            "\"},\"custom\":{\"release\":\"2.0\",\"security_version\":4}}}}}",
                            &o, &err),
                         0);
        assert_string_equal(o.sha256, SHA);
        assert_int_equal(o.security_version, 4);
}

static void test_director_targets_refused(void **state) {
        struct fleetsim_offer o;
        struct error err = { 0 };
        char big[200];
        (void) state;
        assert_int_equal(dt("not json", &o, &err), -1);
        assert_int_equal(dt("[1]", &o, &err), -1);
        assert_non_null(strstr(err.msg, "object"));
        assert_int_equal(dt("{\"targets\":{}}", &o, &err), -1);
        assert_non_null(strstr(err.msg, "signed"));
        assert_int_equal(dt("{\"signed\":{\"version\":0,\"targets\":{}}}", &o, &err), -1);
        assert_int_equal(dt("{\"signed\":{\"version\":1,\"targets\":[]}}", &o, &err), -1);
        assert_int_equal(dt("{\"signed\":{\"version\":1,\"targets\":{\"a\":{\"length\":1,\"custom\":{}}}}}", &o, &err), -1);
        assert_non_null(strstr(err.msg, "custom.release"));
        assert_int_equal(dt("{\"signed\":{\"version\":1,\"targets\":{\"a\":{\"length\":1,\"custom\":{\"release\":7}}}}}", &o, &err), -1);
        assert_int_equal(dt("{\"signed\":{\"version\":1,\"targets\":{\"a\":{\"length\":1,\"custom\":{\"release\":\"a\\nb\"}}}}}", &o, &err), -1);
        assert_non_null(strstr(err.msg, "control"));
        memset(big, 'v', 65);
        big[65] = '\0';
        char doc[400];
        snprintf(doc, sizeof(doc), "{\"signed\":{\"version\":1,\"targets\":{\"a\":{\"length\":1,\"custom\":{\"release\":\"%s\"}}}}}", big);
        assert_int_equal(dt(doc, &o, &err), -1);
        assert_int_equal(dt("{\"signed\":{\"version\":1,\"targets\":{\"a\":{\"length\":-1,\"custom\":{\"release\":\"1\"}}}}}", &o, &err), -1);
        assert_int_equal(dt("{\"signed\":{\"version\":1,\"targets\":{\"a\":{\"length\":1,\"hashes\":{\"sha256\":\"xyz\"},\"custom\":{\"release\":\"1\"}}}}}", &o, &err), -1);
        assert_non_null(strstr(err.msg, "hex"));
        assert_int_equal(dt("{\"signed\":{\"version\":1,\"targets\":{\"a\":{\"length\":1,\"custom\":{\"release\":\"1\",\"security_version\":-2}}}}}", &o, &err), -1);
        /* Deeper than the depth limit. */
        char deep[200] = "";
        for (int i = 0; i < 40; i++)
                strcat(deep, "[");
        assert_int_equal(dt(deep, &o, &err), -1);
}

static void test_timestamp_snapshot_root_whoami(void **state) {
        int64_t v, sv;
        char ver[FLEETSIM_VERSION_MAX + 1];
        struct error err = { 0 };
        const char *ts = "{\"signed\":{\"version\":9,\"meta\":{\"snapshot.json\":{\"version\":4}}}}";
        const char *sn = "{\"signed\":{\"version\":4,\"meta\":{\"targets.json\":{\"version\":3}}}}";
        (void) state;
        assert_int_equal(fleetsim_parse_timestamp(ts, strlen(ts), &v, &sv, &err), 0);
        assert_int_equal(v, 9);
        assert_int_equal(sv, 4);
        assert_int_equal(fleetsim_parse_snapshot(sn, strlen(sn), &v, &err), 0);
        assert_int_equal(v, 3);
        assert_int_equal(fleetsim_parse_snapshot(ts, strlen(ts), &v, &err), -1);
        assert_non_null(strstr(err.msg, "targets.json"));
        assert_int_equal(fleetsim_parse_timestamp(sn, strlen(sn), &v, &sv, &err), -1);
        const char *badv = "{\"signed\":{\"version\":\"9\",\"meta\":{\"snapshot.json\":{\"version\":4}}}}";
        assert_int_equal(fleetsim_parse_timestamp(badv, strlen(badv), &v, &sv, &err), -1);
        assert_int_equal(fleetsim_parse_tuf_version(sn, strlen(sn), &v, &err), 0);
        assert_int_equal(v, 4);
        assert_int_equal(fleetsim_parse_tuf_version("{}", 2, &v, &err), -1);

        const char *w1 = "{\"installed_version\":\"1.1.0\",\"initial_firmware_version\":\"1.0.0\",\"security_version\":2}";
        const char *w2 = "{\"installed_version\":null,\"initial_firmware_version\":\"1.0.0\"}";
        const char *w3 = "{\"serial\":\"x\"}";
        assert_int_equal(fleetsim_parse_whoami(w1, strlen(w1), ver, &sv, &err), 0);
        assert_string_equal(ver, "1.1.0");
        assert_int_equal(sv, 2);
        assert_int_equal(fleetsim_parse_whoami(w2, strlen(w2), ver, &sv, &err), 0);
        assert_string_equal(ver, "1.0.0");
        assert_int_equal(sv, -1);
        assert_int_equal(fleetsim_parse_whoami(w3, strlen(w3), ver, &sv, &err), 0);
        assert_string_equal(ver, "");
        assert_int_equal(fleetsim_parse_whoami("{\"installed_version\":\"\"}", 24, ver, &sv, &err), -1);
}

static void test_ddi_sleep(void **state) {
        (void) state;
        assert_int_equal(fleetsim_ddi_parse_sleep("00:05:00"), 300);
        assert_int_equal(fleetsim_ddi_parse_sleep("12:00:01"), 43201);
        assert_int_equal(fleetsim_ddi_parse_sleep("00:00:00"), 0);
        assert_int_equal(fleetsim_ddi_parse_sleep("00:60:00"), -1);
        assert_int_equal(fleetsim_ddi_parse_sleep("00:00:60"), -1);
        assert_int_equal(fleetsim_ddi_parse_sleep("00:05"), -1);
        assert_int_equal(fleetsim_ddi_parse_sleep("00:05:00x"), -1);
        assert_int_equal(fleetsim_ddi_parse_sleep("abc"), -1);
        assert_int_equal(fleetsim_ddi_parse_sleep(""), -1);
        assert_int_equal(fleetsim_ddi_parse_sleep(NULL), -1);
        assert_int_equal(fleetsim_ddi_parse_sleep("-1:00:00"), -1);
}

static int base(const char *json, struct fleetsim_ddi_base *b, struct error *err) {
        return fleetsim_ddi_parse_base(json, strlen(json), b, err);
}

static void test_ddi_base(void **state) {
        struct fleetsim_ddi_base b;
        struct error err = { 0 };
        (void) state;
        assert_int_equal(base("{\"config\":{\"polling\":{\"sleep\":\"00:00:30\"}},\"_links\":{"
                              "\"deploymentBase\":{\"href\":\"https://h/ddi/T/controller/v1/S/deploymentBase/7?c=1\"},"
                              "\"configData\":{\"href\":\"https://h/c\"}}}",
                              &b, &err),
                         0);
        assert_int_equal(b.sleep_s, 30);
        assert_string_equal(b.deployment, "https://h/ddi/T/controller/v1/S/deploymentBase/7?c=1");
        assert_string_equal(b.cancel, "");
        assert_int_equal(base("{\"config\":{\"polling\":{\"sleep\":\"00:00:30\"}},\"_links\":{"
                              "\"cancelAction\":{\"href\":\"https://h/x/cancelAction/9\"}}}",
                              &b, &err),
                         0);
        assert_string_equal(b.cancel, "https://h/x/cancelAction/9");
        assert_string_equal(b.deployment, "");
        assert_int_equal(base("{}", &b, &err), 0);
        assert_int_equal(b.sleep_s, -1);
        assert_int_equal(base("{\"config\":{\"polling\":{\"sleep\":\"soon\"}}}", &b, &err), -1);
        assert_non_null(strstr(err.msg, "sleep"));
        assert_int_equal(base("{\"config\":{\"polling\":{\"sleep\":30}}}", &b, &err), -1);
        assert_int_equal(base("{\"_links\":[]}", &b, &err), -1);
        assert_int_equal(base("{\"_links\":{\"deploymentBase\":\"x\"}}", &b, &err), -1);
        assert_int_equal(base("{\"_links\":{\"deploymentBase\":{\"href\":5}}}", &b, &err), -1);
        assert_non_null(strstr(err.msg, "deploymentBase"));
        assert_int_equal(base("{\"_links\":{\"deploymentBase\":{\"href\":\"\"}}}", &b, &err), -1);
        char *big = malloc(FLEETSIM_HREF_MAX + 100);
        strcpy(big, "{\"_links\":{\"deploymentBase\":{\"href\":\"");
        size_t n = strlen(big);
        memset(big + n, 'a', FLEETSIM_HREF_MAX + 1);
        strcpy(big + n + FLEETSIM_HREF_MAX + 1, "\"}}}");
        assert_int_equal(base(big, &b, &err), -1);
        free(big);
}

static int dep(const char *json, struct fleetsim_ddi_deployment *d, struct error *err) {
        return fleetsim_ddi_parse_deployment(json, strlen(json), d, err);
}

static void test_ddi_deployment(void **state) {
        struct fleetsim_ddi_deployment d;
        struct error err = { 0 };
        (void) state;
        assert_int_equal(dep("{\"id\":\"12\",\"deployment\":{\"download\":\"forced\",\"update\":\"attempt\","
                             "\"chunks\":[{\"part\":\"os\",\"version\":\"1.1.0\",\"name\":\"fw\",\"artifacts\":["
                             "{\"filename\":\"a\",\"_links\":{\"download\":{\"href\":\"https://h/a\"},"
                             "\"download-http\":{\"href\":\"http://h/a\"}}}]}]}}",
                             &d, &err),
                         0);
        assert_string_equal(d.id, "12");
        assert_int_equal(d.download, FLEETSIM_DDI_FORCED);
        assert_int_equal(d.update, FLEETSIM_DDI_ATTEMPT);
        assert_string_equal(d.version, "1.1.0");
        assert_string_equal(d.artifact, "http://h/a");
        assert_int_equal(dep("{\"id\":34,\"deployment\":{\"update\":\"skip\",\"chunks\":[{\"version\":\"2\","
                             "\"artifacts\":[{\"_links\":{\"download\":{\"href\":\"https://h/b\"}}}]}]}}",
                             &d, &err),
                         0);
        assert_string_equal(d.id, "34");
        assert_int_equal(d.download, FLEETSIM_DDI_FORCED); /* absent */
        assert_int_equal(d.update, FLEETSIM_DDI_SKIP);
        assert_string_equal(d.artifact, "https://h/b");
        assert_int_equal(dep("{\"id\":\"1\",\"deployment\":{\"chunks\":[{\"version\":\"2\"}]}}", &d, &err), 0);
        assert_string_equal(d.artifact, "");

        assert_int_equal(dep("{\"deployment\":{\"chunks\":[{\"version\":\"2\"}]}}", &d, &err), -1);
        assert_non_null(strstr(err.msg, "id"));
        assert_int_equal(dep("{\"id\":true,\"deployment\":{\"chunks\":[{\"version\":\"2\"}]}}", &d, &err), -1);
        assert_int_equal(dep("{\"id\":\"1\"}", &d, &err), -1);
        assert_int_equal(dep("{\"id\":\"1\",\"deployment\":{\"update\":\"now\",\"chunks\":[{\"version\":\"2\"}]}}", &d, &err), -1);
        assert_non_null(strstr(err.msg, "forced, attempt or skip"));
        assert_int_equal(dep("{\"id\":\"1\",\"deployment\":{\"chunks\":[]}}", &d, &err), -1);
        assert_int_equal(dep("{\"id\":\"1\",\"deployment\":{\"chunks\":[{\"name\":\"x\"}]}}", &d, &err), -1);
        assert_int_equal(dep("{\"id\":\"1\",\"deployment\":{\"chunks\":[{\"version\":\"2\",\"artifacts\":{}}]}}", &d, &err), -1);
        assert_int_equal(dep("{\"id\":\"1\",\"deployment\":{\"chunks\":[{\"version\":\"2\",\"artifacts\":[{}]}]}}", &d, &err), -1);
}

static void test_ddi_cancel(void **state) {
        char id[FLEETSIM_ACTION_ID_MAX + 1], stop[FLEETSIM_ACTION_ID_MAX + 1];
        struct error err = { 0 };
        const char *ok = "{\"id\":\"5\",\"cancelAction\":{\"stopId\":\"4\"}}";
        const char *num = "{\"id\":5,\"cancelAction\":{\"stopId\":4}}";
        const char *bad = "{\"id\":\"5\",\"cancelAction\":{}}";
        (void) state;
        assert_int_equal(fleetsim_ddi_parse_cancel(ok, strlen(ok), id, stop, &err), 0);
        assert_string_equal(id, "5");
        assert_string_equal(stop, "4");
        assert_int_equal(fleetsim_ddi_parse_cancel(num, strlen(num), id, stop, &err), 0);
        assert_string_equal(stop, "4");
        assert_int_equal(fleetsim_ddi_parse_cancel(bad, strlen(bad), id, stop, &err), -1);
        assert_non_null(strstr(err.msg, "stopId"));
        assert_int_equal(fleetsim_ddi_parse_cancel("{\"id\":\"5\"}", 10, id, stop, &err), -1);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_hist_buckets_bound_their_values),
                cmocka_unit_test(test_hist_quantiles),
                cmocka_unit_test(test_hist_one_value_and_merge),
                cmocka_unit_test(test_error_kinds),
                cmocka_unit_test(test_schedule_is_deterministic_per_device),
                cmocka_unit_test(test_schedule_jitter_bounds),
                cmocka_unit_test(test_heap_orders_by_time_then_device),
                cmocka_unit_test(test_rules),
                cmocka_unit_test(test_director_targets),
                cmocka_unit_test(test_director_targets_refused),
                cmocka_unit_test(test_timestamp_snapshot_root_whoami),
                cmocka_unit_test(test_ddi_sleep),
                cmocka_unit_test(test_ddi_base),
                cmocka_unit_test(test_ddi_deployment),
                cmocka_unit_test(test_ddi_cancel),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

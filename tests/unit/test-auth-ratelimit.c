/* SPDX-License-Identifier: Apache-2.0 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "auth/ratelimit.h"

#define T0 1800000000

static void test_free_failures_then_doubling(void **state) {
        (void) state;
        struct auth_ratelimit *rl = auth_ratelimit_new(3, 600, 30, 16);
        const char *ip = "192.0.2.1";
        assert_int_equal(auth_ratelimit_check(rl, ip, T0), 0);
        for (int i = 0; i < 3; i++) {
                auth_ratelimit_failure(rl, ip, T0);
                assert_int_equal(auth_ratelimit_check(rl, ip, T0), 0);
        }
        /* 4th, 5th, ... failures: 1, 2, 4, 8, 16, then capped at 30 */
        int64_t expect[] = {1, 2, 4, 8, 16, 30, 30, 30};
        int64_t now = T0;
        for (size_t i = 0; i < sizeof(expect) / sizeof(expect[0]); i++) {
                auth_ratelimit_failure(rl, ip, now);
                assert_int_equal(auth_ratelimit_check(rl, ip, now), expect[i]);
                /* the wait shrinks with time and ends */
                if (expect[i] > 1)
                        assert_int_equal(auth_ratelimit_check(rl, ip, now + 1), expect[i] - 1);
                assert_int_equal(auth_ratelimit_check(rl, ip, now + expect[i]), 0);
                now += expect[i];
        }
        auth_ratelimit_free(rl);
}

/* The pattern of a source that holds one valid token and guesses between
 * uses of it: 5 guesses, a pause (the valid use, which the limiter is never
 * told about), 5 guesses... Only time forgives, so the guesses add up to a
 * lock-out; and once it has run out the source may try again (a legitimate
 * holder gets in). The router side: test-server-router.c. */
static void test_only_time_forgives(void **state) {
        (void) state;
        struct auth_ratelimit *rl = auth_ratelimit_new(5, 60, 300, 16);
        const char *ip = "198.51.100.7";
        int64_t now = T0;
        for (int i = 0; i < 5; i++)
                auth_ratelimit_failure(rl, ip, now++);
        assert_int_equal(auth_ratelimit_check(rl, ip, now), 0);
        now += 30; /* shorter than the window: nothing is forgotten */
        auth_ratelimit_failure(rl, ip, now);
        assert_int_equal(auth_ratelimit_check(rl, ip, now), 1);
        assert_int_equal(auth_ratelimit_check(rl, ip, now + 1), 0);
        auth_ratelimit_failure(rl, ip, now + 1);
        assert_int_equal(auth_ratelimit_check(rl, ip, now + 1), 2);
        /* the lock-out runs out: the source may try (and succeed) again */
        assert_int_equal(auth_ratelimit_check(rl, ip, now + 3), 0);
        /* quiet for a whole window after the lock-out: forgiven */
        now += 3 + 60;
        auth_ratelimit_failure(rl, ip, now);
        assert_int_equal(auth_ratelimit_check(rl, ip, now), 0);
        auth_ratelimit_free(rl);
}

static void test_window_expiry(void **state) {
        (void) state;
        struct auth_ratelimit *rl = auth_ratelimit_new(2, 60, 300, 16);
        auth_ratelimit_failure(rl, "a", T0);
        auth_ratelimit_failure(rl, "a", T0 + 10);
        /* quiet for less than the window: the count is kept */
        auth_ratelimit_failure(rl, "a", T0 + 69);
        assert_int_equal(auth_ratelimit_check(rl, "a", T0 + 69), 1);
        /* quiet for a whole window after the lockout ended: forgiven */
        auth_ratelimit_failure(rl, "a", T0 + 70 + 60);
        assert_int_equal(auth_ratelimit_check(rl, "a", T0 + 130), 0);
        auth_ratelimit_failure(rl, "a", T0 + 131);
        assert_int_equal(auth_ratelimit_check(rl, "a", T0 + 131), 0);
        auth_ratelimit_failure(rl, "a", T0 + 132);
        assert_int_equal(auth_ratelimit_check(rl, "a", T0 + 132), 1);
        auth_ratelimit_free(rl);
}

static void test_sources_are_independent(void **state) {
        (void) state;
        struct auth_ratelimit *rl = auth_ratelimit_new(0, 600, 300, 16);
        auth_ratelimit_failure(rl, "2001:db8::1", T0);
        assert_int_equal(auth_ratelimit_check(rl, "2001:db8::1", T0), 1);
        assert_int_equal(auth_ratelimit_check(rl, "2001:db8::2", T0), 0);
        assert_int_equal(auth_ratelimit_check(rl, "", T0), 0);
        assert_int_equal(auth_ratelimit_check(rl, NULL, T0), 0);
        auth_ratelimit_free(rl);
}

static void test_bounded_evicts_oldest(void **state) {
        (void) state;
        struct auth_ratelimit *rl = auth_ratelimit_new(0, 600, 300, 3);
        auth_ratelimit_failure(rl, "a", T0);
        auth_ratelimit_failure(rl, "b", T0 + 1);
        auth_ratelimit_failure(rl, "c", T0 + 2);
        auth_ratelimit_failure(rl, "a", T0 + 3); /* a is now the most recent */
        auth_ratelimit_failure(rl, "d", T0 + 3); /* evicts b, the oldest failure */
        assert_int_equal(auth_ratelimit_check(rl, "b", T0 + 3), 0);
        assert_true(auth_ratelimit_check(rl, "a", T0 + 3) > 0);
        assert_true(auth_ratelimit_check(rl, "c", T0 + 2) > 0);
        assert_true(auth_ratelimit_check(rl, "d", T0 + 3) > 0);
        /* many sources: memory stays bounded and the table keeps working */
        char src[32];
        for (int i = 0; i < 10000; i++) {
                snprintf(src, sizeof(src), "10.0.%d.%d", i / 256, i % 256);
                auth_ratelimit_failure(rl, src, T0 + 10);
        }
        assert_true(auth_ratelimit_check(rl, src, T0 + 10) > 0);
        assert_int_equal(auth_ratelimit_check(rl, "a", T0 + 10), 0);
        auth_ratelimit_free(rl);
}

static void test_long_sources(void **state) {
        (void) state;
        struct auth_ratelimit *rl = auth_ratelimit_new(0, 600, 300, 8);
        char a[200], b[200];
        memset(a, 'x', sizeof(a) - 1);
        a[sizeof(a) - 1] = '\0';
        memcpy(b, a, sizeof(b));
        b[150] = 'y'; /* differs only beyond the compared prefix */
        auth_ratelimit_failure(rl, a, T0);
        assert_int_equal(auth_ratelimit_check(rl, a, T0), 1);
        assert_int_equal(auth_ratelimit_check(rl, b, T0), 1);
        auth_ratelimit_free(rl);
}

struct thr {
        struct auth_ratelimit *rl;
        int id;
};

static void *hammer(void *arg) {
        struct thr *t = arg;
        char src[32];
        for (int i = 0; i < 2000; i++) {
                snprintf(src, sizeof(src), "s%d-%d", t->id, i % 50);
                auth_ratelimit_failure(t->rl, src, T0);
                (void) auth_ratelimit_check(t->rl, src, T0);
        }
        snprintf(src, sizeof(src), "mine-%d", t->id);
        for (int i = 0; i < 40; i++)
                auth_ratelimit_failure(t->rl, src, T0);
        return NULL;
}

static void test_threads(void **state) {
        (void) state;
        struct auth_ratelimit *rl = auth_ratelimit_new(5, 600, 120, 1024);
        pthread_t th[8];
        struct thr args[8];
        for (int i = 0; i < 8; i++) {
                args[i] = (struct thr){rl, i};
                assert_int_equal(pthread_create(&th[i], NULL, hammer, &args[i]), 0);
        }
        for (int i = 0; i < 8; i++)
                pthread_join(th[i], NULL);
        char src[32];
        for (int i = 0; i < 8; i++) {
                snprintf(src, sizeof(src), "mine-%d", i);
                assert_int_equal(auth_ratelimit_check(rl, src, T0), 120);
        }
        auth_ratelimit_free(rl);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_free_failures_then_doubling),
                cmocka_unit_test(test_only_time_forgives),
                cmocka_unit_test(test_window_expiry),
                cmocka_unit_test(test_sources_are_independent),
                cmocka_unit_test(test_bounded_evicts_oldest),
                cmocka_unit_test(test_long_sources),
                cmocka_unit_test(test_threads),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

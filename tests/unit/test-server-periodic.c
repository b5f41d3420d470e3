/* SPDX-License-Identifier: Apache-2.0 */
/* The shared interval loop of cradled's background threads (periodic.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "periodic.h"

struct counter {
        atomic_int passes;
        int fail_first;      /* the first n passes fail */
        atomic_int saw_stopping;
};

static int count_pass(struct periodic *p, void *ctx, struct error *err) {
        struct counter *c = ctx;
        int n = atomic_fetch_add(&c->passes, 1) + 1;
        if (periodic_stopping(p))
                atomic_store(&c->saw_stopping, 1);
        if (n <= c->fail_first)
                return error_set(err, ERROR_DB, "pass %d fails on purpose", n);
        return 0;
}

static double mono_now(void) {
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        return (double) t.tv_sec + (double) t.tv_nsec / 1e9;
}

static void wait_passes(struct counter *c, int n, double limit_s) {
        double until = mono_now() + limit_s;
        while (atomic_load(&c->passes) < n && mono_now() < until)
                usleep(10000);
}

/* The first pass runs at start, not after an interval. */
static void first_pass_at_start(void **state) {
        (void) state;
        struct counter c = {0};
        struct periodic *p = NULL;
        assert_int_equal(periodic_start("test", 3600, count_pass, &c, &p, NULL), 0);
        wait_passes(&c, 1, 5);
        assert_int_equal(atomic_load(&c.passes), 1);
        periodic_stop(p);
}

/* Stop wakes the thread in its wait: an hour's interval does not delay it. */
static void stop_is_prompt(void **state) {
        (void) state;
        struct counter c = {0};
        struct periodic *p = NULL;
        assert_int_equal(periodic_start("test", 3600, count_pass, &c, &p, NULL), 0);
        wait_passes(&c, 1, 5);
        double t0 = mono_now();
        periodic_stop(p);
        assert_true(mono_now() - t0 < 1.0);
        assert_int_equal(atomic_load(&c.passes), 1);
        assert_int_equal(atomic_load(&c.saw_stopping), 0);
}

/* A failing pass does not end the worker: it runs again at the next interval. */
static void failed_pass_is_retried(void **state) {
        (void) state;
        struct counter c = { .fail_first = 2 };
        struct periodic *p = NULL;
        assert_int_equal(periodic_start("test", 1, count_pass, &c, &p, NULL), 0);
        wait_passes(&c, 3, 10);
        periodic_stop(p);
        assert_true(atomic_load(&c.passes) >= 3);
}

/* Stopping NULL is harmless (a worker never started). */
static void stop_null(void **state) {
        (void) state;
        periodic_stop(NULL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(first_pass_at_start),
                cmocka_unit_test(stop_is_prompt),
                cmocka_unit_test(failed_pass_is_retried),
                cmocka_unit_test(stop_null),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

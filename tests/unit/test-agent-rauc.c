/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The rauc backend against a fake `rauc` first on PATH that records how it
 * was called: install hands the verified bundle to `rauc install`, confirm
 * is `rauc status mark-good`, rollback `rauc status mark-bad`; a failing
 * rauc fails the step with its exit code.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "agent/backend.h"
#include "testutil-agent.h"

struct fixture {
        char *dir, *old_path;
        struct agent_config cfg;
        struct agent_backend *b;
        struct agent_image img;
};

static void fake_rauc(const char *dir, int exit_code) {
        _cleanup_free_ char *body = str_printf("#!/bin/sh\necho \"rauc $*\" >> %s/rauc.log\nexit %d\n", dir, exit_code);
        tu_write(dir, "bin/rauc", body, strlen(body), 0755);
}

static int setup(void **state) {
        struct fixture *f = xcalloc(1, sizeof(*f));
        struct error err = { 0 };
        const char *path = getenv("PATH");
        _cleanup_free_ char *newpath = NULL;

        f->dir = tu_tmpdir("agent-rauc");
        fake_rauc(f->dir, 0);
        f->old_path = str_dup(path ? path : "/usr/bin:/bin");
        newpath = str_printf("%s/bin:%s", f->dir, f->old_path);
        setenv("PATH", newpath, 1);
        f->cfg.backend = AGENT_BACKEND_RAUC;
        f->cfg.rauc_command = "rauc";
        f->cfg.rauc_timeout = 10;
        snprintf(f->img.version, sizeof(f->img.version), "4.0.0");
        if (agent_backend_open(&f->cfg, &f->b, &err) < 0)
                fail_msg("%s", err.msg);
        *state = f;
        return 0;
}

static int teardown(void **state) {
        struct fixture *f = *state;
        setenv("PATH", f->old_path, 1);
        agent_backend_free(f->b);
        tu_rmtree(f->dir);
        free(f->dir);
        free(f->old_path);
        free(f);
        return 0;
}

static void calls_rauc_for_each_step(void **state) {
        struct fixture *f = *state;
        struct error err = { 0 };
        _cleanup_free_ char *bundle = path_join(f->dir, "download.part");
        _cleanup_free_ char *log = NULL, *want = NULL;
        enum agent_boot_state bs;
        char why[64];

        assert_ok(f->b->ops->install(f->b, bundle, &f->img, &err), err);
        assert_ok(f->b->ops->activate(f->b, &f->img, &err), err);
        assert_ok(f->b->ops->boot_state(f->b, &bs, why, sizeof(why), &err), err);
        assert_int_equal(bs, AGENT_BOOT_TRIAL);
        assert_ok(f->b->ops->confirm(f->b, &f->img, &err), err);
        assert_ok(f->b->ops->rollback(f->b, &f->img, "health check failed", &err), err);
        log = tu_read(f->dir, "rauc.log", NULL);
        want = str_printf("rauc install %s\nrauc status mark-good\nrauc status mark-bad\n", bundle);
        assert_non_null(log);
        assert_string_equal(log, want);
}

static void failing_rauc_fails_the_step(void **state) {
        struct fixture *f = *state;
        struct error err = { 0 };

        fake_rauc(f->dir, 1);
        assert_int_equal(f->b->ops->install(f->b, "/tmp/bundle.raucb", &f->img, &err), -1);
        assert_error_contains(err, "rauc install");
        assert_error_contains(err, "exited with 1");
        error_clear(&err);
        assert_int_equal(f->b->ops->confirm(f->b, &f->img, &err), -1);
        assert_error_contains(err, "rauc status mark-good");
}

static void missing_rauc_is_an_error(void **state) {
        struct fixture *f = *state;
        struct error err = { 0 };

        f->cfg.rauc_command = "/nonexistent/rauc";
        assert_int_equal(f->b->ops->install(f->b, "/tmp/b", &f->img, &err), -1);
        assert_error_contains(err, "cannot run '/nonexistent/rauc'");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(calls_rauc_for_each_step, setup, teardown),
                cmocka_unit_test_setup_teardown(failing_rauc_fails_the_step, setup, teardown),
                cmocka_unit_test_setup_teardown(missing_rauc_is_an_error, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

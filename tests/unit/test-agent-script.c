/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The script backend: each hook runs without a shell, with its arguments,
 * a fixed environment (PATH and CRADLE_*; nothing of the agent's own), and a
 * timeout; a failing or hanging hook fails the step and names the hook.
 * spawn.c's command-line splitting is covered here too.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "agent/backend.h"
#include "agent/spawn.h"
#include "core/time.h"
#include "testutil-agent.h"

struct fixture {
        char *dir;
        char *hooks[4];
        struct agent_config cfg;
        struct agent_backend *b;
        struct agent_image img;
        char *log;
};

/* A hook that records its name, arguments and environment. */
static char *make_hook(const char *dir, const char *name, int exit_code, int sleep_s) {
        _cleanup_free_ char *body = str_printf("#!/bin/sh\n"
                                               "{ echo \"%s args:$*\"; env | sort | sed 's/^/  env:/'; } >> %s/hooks.log\n"
                                               "%s"
                                               "exit %d\n",
                                               name, dir, sleep_s ? "sleep 30\n" : "", exit_code);
        _cleanup_free_ char *file = str_printf("%s.sh", name);
        tu_write(dir, file, body, strlen(body), 0755);
        return path_join(dir, file);
}

static int setup(void **state) {
        struct fixture *f = xcalloc(1, sizeof(*f));
        struct error err = { 0 };
        static const char *names[] = { "install", "activate", "confirm", "rollback" };

        f->dir = tu_tmpdir("agent-script");
        for (int i = 0; i < 4; i++)
                f->hooks[i] = make_hook(f->dir, names[i], 0, 0);
        f->cfg.backend = AGENT_BACKEND_SCRIPT;
        f->cfg.script_install = f->hooks[0];
        f->cfg.script_activate = f->hooks[1];
        f->cfg.script_confirm = f->hooks[2];
        f->cfg.script_rollback = f->hooks[3];
        f->cfg.script_timeout = 10;
        snprintf(f->img.version, sizeof(f->img.version), "3.1.0");
        f->img.security_version = 9;
        snprintf(f->img.path, sizeof(f->img.path), "3.1.0/rootfs.img");
        f->img.length = 42;
        snprintf(f->img.sha256, sizeof(f->img.sha256), "%064d", 7);
        setenv("CRADLE_TEST_SECRET", "must-not-leak", 1);
        if (agent_backend_open(&f->cfg, &f->b, &err) < 0)
                fail_msg("%s", err.msg);
        *state = f;
        return 0;
}

static int teardown(void **state) {
        struct fixture *f = *state;
        agent_backend_free(f->b);
        tu_rmtree(f->dir);
        for (int i = 0; i < 4; i++)
                free(f->hooks[i]);
        free(f->dir);
        free(f->log);
        free(f);
        unsetenv("CRADLE_TEST_SECRET");
        return 0;
}

static const char *hook_log(struct fixture *f) {
        free(f->log);
        f->log = tu_read(f->dir, "hooks.log", NULL);
        return f->log ? f->log : "";
}

static void hooks_get_arguments_and_a_fixed_environment(void **state) {
        struct fixture *f = *state;
        struct error err = { 0 };
        _cleanup_free_ char *want = str_printf("install args:%s/image.bin", f->dir);
        _cleanup_free_ char *image = path_join(f->dir, "image.bin");
        const char *log;

        assert_ok(f->b->ops->install(f->b, image, &f->img, &err), err);
        assert_ok(f->b->ops->activate(f->b, &f->img, &err), err);
        assert_ok(f->b->ops->confirm(f->b, &f->img, &err), err);
        assert_ok(f->b->ops->rollback(f->b, &f->img, "health check failed", &err), err);
        log = hook_log(f);
        assert_non_null(strstr(log, want));
        assert_non_null(strstr(log, "activate args:\n"));
        assert_non_null(strstr(log, "confirm args:\n"));
        assert_non_null(strstr(log, "rollback args:health check failed\n"));
        assert_non_null(strstr(log, "env:CRADLE_VERSION=3.1.0"));
        assert_non_null(strstr(log, "env:CRADLE_SECURITY_VERSION=9"));
        assert_non_null(strstr(log, "env:CRADLE_TARGET=3.1.0/rootfs.img"));
        assert_non_null(strstr(log, "env:CRADLE_LENGTH=42"));
        assert_non_null(strstr(log, "env:CRADLE_IMAGE="));
        assert_non_null(strstr(log, "env:PATH=" AGENT_SPAWN_PATH));
        /* Nothing of the agent's environment leaks into a hook. */
        assert_null(strstr(log, "CRADLE_TEST_SECRET"));
        assert_null(strstr(log, "must-not-leak"));
}

static void failing_hook_names_itself(void **state) {
        struct fixture *f = *state;
        struct error err = { 0 };
        _cleanup_free_ char *bad = make_hook(f->dir, "bad-activate", 3, 0);

        f->cfg.script_activate = bad;
        assert_int_equal(f->b->ops->activate(f->b, &f->img, &err), -1);
        assert_error_contains(err, "[script] activate hook");
        assert_error_contains(err, "exited with 3");
        f->cfg.script_activate = f->hooks[1];
}

static void hanging_hook_is_killed(void **state) {
        struct fixture *f = *state;
        struct error err = { 0 };
        _cleanup_free_ char *slow = make_hook(f->dir, "slow-confirm", 0, 1);
        int64_t t0 = time_monotonic_usec();

        f->cfg.script_confirm = slow;
        f->cfg.script_timeout = 1;
        assert_int_equal(f->b->ops->confirm(f->b, &f->img, &err), -1);
        assert_error_contains(err, "timed out after 1 s");
        assert_true(time_monotonic_usec() - t0 < 10 * 1000000LL);
        f->cfg.script_confirm = f->hooks[2];
}

static void missing_hook_cannot_start(void **state) {
        struct fixture *f = *state;
        struct error err = { 0 };

        f->cfg.script_rollback = "/nonexistent/rollback-hook";
        assert_int_equal(f->b->ops->rollback(f->b, &f->img, "x", &err), -1);
        assert_error_contains(err, "cannot run '/nonexistent/rollback-hook'");
        f->cfg.script_rollback = f->hooks[3];
}

static void command_lines_are_split_without_a_shell(void **state) {
        struct fixture *f = *state;
        struct error err = { 0 };
        _cleanup_free_ char *cmd = str_printf("%s --mode fast $HOME;touch-nothing", f->hooks[1]);
        const char *log;

        assert_ok(agent_spawn_command("hook", cmd, NULL, NULL, 5, &err), err);
        log = hook_log(f);
        /* No expansion, no command separator: the words arrive as they are. */
        assert_non_null(strstr(log, "activate args:--mode fast $HOME;touch-nothing"));
        assert_int_equal(agent_spawn_command("hook", "   ", NULL, NULL, 5, &err), -1);
        assert_error_contains(err, "empty command");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(hooks_get_arguments_and_a_fixed_environment, setup, teardown),
                cmocka_unit_test_setup_teardown(failing_hook_names_itself, setup, teardown),
                cmocka_unit_test_setup_teardown(hanging_hook_is_killed, setup, teardown),
                cmocka_unit_test_setup_teardown(missing_hook_cannot_start, setup, teardown),
                cmocka_unit_test_setup_teardown(command_lines_are_split_without_a_shell, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * Running operator hooks, health checks, rauc and the reboot command: always
 * posix_spawn, never a shell, with a fixed environment (PATH and the
 * CRADLE_* variables the caller passes) and a timeout after which the whole
 * process group is killed. A command line from the configuration is split on
 * blanks; there is no quoting (a hook that needs more is a script).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/error.h"

#define AGENT_SPAWN_MAX_ARGS 32
#define AGENT_SPAWN_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

struct agent_spawn_result {
        bool timed_out;
        bool signaled;
        int exit_code;  /* when neither of the above */
        int signal;
};

/* Runs argv[0] (searched in the agent's PATH when it has no '/') with argv and
 * env (NULL-terminated "NAME=value" list; PATH is added) for at most
 * timeout_s seconds. Returns 0 when the command ran (whatever its exit code,
 * see *res); -1 when it could not be started. */
int agent_spawn(const char *const *argv, const char *const *env, int64_t timeout_s,
                struct agent_spawn_result *res, struct error *err);

/* Splits a command line from the configuration and appends extra arguments;
 * then runs it and turns anything but exit 0 into an error naming `what`
 * ("health check 'x' exited with 1", "... timed out after 120 s"). */
int agent_spawn_command(const char *what, const char *cmdline, const char *const *extra_args,
                        const char *const *env, int64_t timeout_s, struct error *err);

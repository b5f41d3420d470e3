/* SPDX-License-Identifier: Apache-2.0 */
#include "agent/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/strutil.h"
#include "core/time.h"

int agent_spawn(const char *const *argv, const char *const *env, int64_t timeout_s,
                struct agent_spawn_result *res, struct error *err) {
        const char *envp[AGENT_SPAWN_MAX_ARGS + 2];
        size_t n_env = 0;
        posix_spawnattr_t attr;
        posix_spawn_file_actions_t fa;
        sigset_t none, dfl;
        pid_t pid;
        int rc, status = 0;
        int64_t deadline;

        memset(res, 0, sizeof(*res));
        envp[n_env++] = "PATH=" AGENT_SPAWN_PATH;
        for (size_t i = 0; env && env[i] && n_env < AGENT_SPAWN_MAX_ARGS; i++)
                envp[n_env++] = env[i];
        envp[n_env] = NULL;

        posix_spawnattr_init(&attr);
        posix_spawn_file_actions_init(&fa);
        /* Its own process group so a timeout kills what it started too; the
         * default signal dispositions and an empty mask, whatever ours are. */
        sigemptyset(&none);
        sigfillset(&dfl);
        sigdelset(&dfl, SIGKILL);
        sigdelset(&dfl, SIGSTOP);
        posix_spawnattr_setsigmask(&attr, &none);
        posix_spawnattr_setsigdefault(&attr, &dfl);
        posix_spawnattr_setpgroup(&attr, 0);
        posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
                                                POSIX_SPAWN_SETPGROUP);
        posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
        rc = posix_spawnp(&pid, argv[0], &fa, &attr, (char *const *) argv, (char *const *) envp);
        posix_spawn_file_actions_destroy(&fa);
        posix_spawnattr_destroy(&attr);
        if (rc != 0)
                return error_set_errno(err, ERROR_IO, rc, "cannot run '%s'", argv[0]);

        deadline = time_monotonic_usec() + timeout_s * 1000000;
        for (;;) {
                pid_t w = waitpid(pid, &status, WNOHANG);
                if (w == pid)
                        break;
                if (w < 0 && errno != EINTR) {
                        return error_set_errno(err, ERROR_INTERNAL, errno, "waiting for '%s'", argv[0]);
                }
                if (time_monotonic_usec() >= deadline) {
                        kill(-pid, SIGKILL);
                        kill(pid, SIGKILL);
                        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                                ;
                        res->timed_out = true;
                        return 0;
                }
                struct timespec ts = { 0, 20 * 1000 * 1000 };
                nanosleep(&ts, NULL);
        }
        if (WIFSIGNALED(status)) {
                res->signaled = true;
                res->signal = WTERMSIG(status);
        } else {
                res->exit_code = WEXITSTATUS(status);
        }
        return 0;
}

int agent_spawn_command(const char *what, const char *cmdline, const char *const *extra_args,
                        const char *const *env, int64_t timeout_s, struct error *err) {
        _cleanup_free_ char *copy = str_dup(cmdline ? cmdline : "");
        const char *argv[AGENT_SPAWN_MAX_ARGS + 1];
        size_t n = 0;
        struct agent_spawn_result res;
        char *save = NULL;

        for (char *tok = strtok_r(copy, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
                if (n >= AGENT_SPAWN_MAX_ARGS)
                        return error_set(err, ERROR_INVALID, "%s: more than %d arguments", what,
                                         AGENT_SPAWN_MAX_ARGS);
                argv[n++] = tok;
        }
        if (n == 0)
                return error_set(err, ERROR_INVALID, "%s: empty command", what);
        for (size_t i = 0; extra_args && extra_args[i]; i++) {
                if (n >= AGENT_SPAWN_MAX_ARGS)
                        return error_set(err, ERROR_INVALID, "%s: more than %d arguments", what,
                                         AGENT_SPAWN_MAX_ARGS);
                argv[n++] = extra_args[i];
        }
        argv[n] = NULL;
        if (agent_spawn(argv, env, timeout_s, &res, err) < 0)
                return error_prefix(err, "%s: ", what);
        if (res.timed_out)
                return error_set(err, ERROR_UNAVAILABLE, "%s '%s' timed out after %lld s (killed)", what,
                                 argv[0], (long long) timeout_s);
        if (res.signaled)
                return error_set(err, ERROR_UNAVAILABLE, "%s '%s' was killed by signal %d", what, argv[0],
                                 res.signal);
        if (res.exit_code != 0)
                return error_set(err, ERROR_UNAVAILABLE, "%s '%s' exited with %d", what, argv[0],
                                 res.exit_code);
        return 0;
}

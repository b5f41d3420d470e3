/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The script backend: the operator's own hooks do the device-specific work.
 * Each hook is run with posix_spawn (no shell), a fixed environment (PATH and
 * CRADLE_VERSION, CRADLE_SECURITY_VERSION, CRADLE_TARGET, CRADLE_SHA256,
 * CRADLE_LENGTH, and CRADLE_IMAGE for install), stdin from /dev/null, and
 * [script] timeout:
 *
 *   install <image file>   write the image to the inactive slot (and check it)
 *   activate               boot the new slot once, on trial
 *   confirm                make the running trial slot permanent
 *   rollback <reason>      return to the previous slot
 *
 * Exit 0 is success; anything else (or a timeout) fails the step with the
 * hook's name and exit code. The hooks must be idempotent: after a power
 * cut the agent runs the interrupted step again. A reboot is detected from
 * the boot id; the bootloader's own fallback is not visible to this backend,
 * so after a reboot the new slot counts as on trial and the health check
 * decides.
 */
#include <stdio.h>
#include <stdlib.h>

#include "agent/backend.h"
#include "agent/spawn.h"
#include "core/strutil.h"

static int run_hook(struct agent_backend *b, const char *what, const char *cmd, const char *arg,
                    const struct agent_image *t, const char *image, struct error *err) {
        struct agent_hook_env env;
        const char *extra[2] = { arg, NULL };

        agent_hook_env_fill(&env, t, image);
        return agent_spawn_command(what, cmd, extra, env.env, b->cfg->script_timeout, err);
}

static int script_install(struct agent_backend *b, const char *image, const struct agent_image *t,
                          struct error *err) {
        return run_hook(b, "[script] install hook", b->cfg->script_install, image, t, image, err);
}

static int script_activate(struct agent_backend *b, const struct agent_image *t, struct error *err) {
        return run_hook(b, "[script] activate hook", b->cfg->script_activate, NULL, t, NULL, err);
}

static int script_boot_state(struct agent_backend *b, enum agent_boot_state *out, char *why, size_t why_size,
                             struct error *err) {
        (void) b, (void) err, (void) why_size;
        why[0] = '\0';
        *out = AGENT_BOOT_TRIAL;
        return 0;
}

static int script_confirm(struct agent_backend *b, const struct agent_image *t, struct error *err) {
        return run_hook(b, "[script] confirm hook", b->cfg->script_confirm, NULL, t, NULL, err);
}

static int script_rollback(struct agent_backend *b, const struct agent_image *t, const char *reason,
                           struct error *err) {
        return run_hook(b, "[script] rollback hook", b->cfg->script_rollback, reason, t, NULL, err);
}

static const struct agent_backend_ops script_ops = {
        .name = "script",
        .install = script_install,
        .activate = script_activate,
        .boot_state = script_boot_state,
        .confirm = script_confirm,
        .rollback = script_rollback,
};

int agent_backend_script_new(const struct agent_config *cfg, struct agent_backend **out,
                             struct error *err) {
        struct agent_backend *b = xcalloc(1, sizeof(*b));
        (void) err;
        b->ops = &script_ops;
        b->cfg = cfg;
        *out = b;
        return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The rauc backend: RAUC (https://rauc.io) does the slot handling; the agent
 * downloads and verifies the bundle through TUF and the director first, so
 * a bundle reaches RAUC only once both repositories agree on it (RAUC then
 * checks its own bundle signature too).
 *
 *   install    rauc install <bundle>   (writes the inactive slot group and
 *                                       makes it the primary boot target)
 *   activate   nothing: rauc install already switched the boot target
 *   confirm    rauc status mark-good   (of the booted slot)
 *   rollback   rauc status mark-bad    (of the booted slot: the bootloader
 *                                       starts the other one next)
 *
 * Each call goes through posix_spawn (no shell) with [rauc] timeout; the
 * program is [rauc] command, searched in PATH when it has no '/'.
 * RAUC's bootloader integration (bootchooser, U-Boot BOOT_ORDER/BOOT_x_LEFT)
 * counts the boots; after the reboot the booted slot counts as on trial and
 * the health check decides.
 */
#include <stdio.h>
#include <stdlib.h>

#include "agent/backend.h"
#include "agent/spawn.h"
#include "core/strutil.h"

static int rauc(struct agent_backend *b, const char *what, const char *const *args, const struct agent_image *t,
                struct error *err) {
        struct agent_hook_env env;
        agent_hook_env_fill(&env, t, NULL);
        return agent_spawn_command(what, b->cfg->rauc_command, args, env.env, b->cfg->rauc_timeout, err);
}

static int rauc_install(struct agent_backend *b, const char *image, const struct agent_image *t,
                        struct error *err) {
        const char *args[] = { "install", image, NULL };
        return rauc(b, "rauc install", args, t, err);
}

static int rauc_activate(struct agent_backend *b, const struct agent_image *t, struct error *err) {
        (void) b, (void) t, (void) err;
        return 0;
}

static int rauc_boot_state(struct agent_backend *b, enum agent_boot_state *out, char *why, size_t why_size,
                           struct error *err) {
        (void) b, (void) err, (void) why_size;
        why[0] = '\0';
        *out = AGENT_BOOT_TRIAL;
        return 0;
}

static int rauc_confirm(struct agent_backend *b, const struct agent_image *t, struct error *err) {
        const char *args[] = { "status", "mark-good", NULL };
        return rauc(b, "rauc status mark-good", args, t, err);
}

static int rauc_rollback(struct agent_backend *b, const struct agent_image *t, const char *reason,
                         struct error *err) {
        const char *args[] = { "status", "mark-bad", NULL };
        (void) reason;
        return rauc(b, "rauc status mark-bad", args, t, err);
}

static const struct agent_backend_ops rauc_ops = {
        .name = "rauc",
        .install = rauc_install,
        .activate = rauc_activate,
        .boot_state = rauc_boot_state,
        .confirm = rauc_confirm,
        .rollback = rauc_rollback,
};

int agent_backend_rauc_new(const struct agent_config *cfg, struct agent_backend **out, struct error *err) {
        struct agent_backend *b = xcalloc(1, sizeof(*b));
        (void) err;
        b->ops = &rauc_ops;
        b->cfg = cfg;
        *out = b;
        return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The uboot backend: the A/B protocol in the U-Boot environment, through
 * libubootenv (the library behind fw_printenv/fw_setenv), with the variables
 * U-Boot's bootcount feature uses:
 *
 *   <slot_variable>     the slot U-Boot boots ("A"/"B", configurable)
 *   upgrade_available   1 while a new slot is on trial: U-Boot increments
 *                       bootcount at every boot, and runs altbootcmd once
 *                       bootcount exceeds bootlimit
 *   bootcount, bootlimit
 *   cradle_trial_slot   the slot the agent activated (how the agent tells a
 *                       trial from a fallback after the reboot)
 *
 * altbootcmd on the board must switch <slot_variable> back and clear
 * upgrade_available (docs/agent.md has the script). Images are written to the
 * slot's device (device_a / device_b), then read back and checked.
 * The environment must exist and be valid: a missing or corrupt environment
 * is an error, never silently replaced by a default one.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libuboot.h>

#include "agent/backend.h"
#include "core/cleanup.h"
#include "core/log.h"
#include "core/strutil.h"

#define TRIAL_VAR "cradle_trial_slot"

struct uboot_env {
        struct uboot_ctx *ctx;
};

static void env_close(struct uboot_env *e) {
        if (e->ctx) {
                libuboot_close(e->ctx);
                libuboot_exit(e->ctx);
                e->ctx = NULL;
        }
}

static int env_open(const struct agent_config *cfg, struct uboot_env *e, struct error *err) {
        int r;

        e->ctx = NULL;
        if (libuboot_initialize(&e->ctx, NULL) < 0)
                return error_set(err, ERROR_INTERNAL, "libubootenv: cannot initialise");
        r = libuboot_read_config(e->ctx, cfg->uboot_config);
        if (r < 0) {
                libuboot_exit(e->ctx);
                e->ctx = NULL;
                return error_set(err, ERROR_IO, "[uboot] config '%s': cannot read it (%d)", cfg->uboot_config, r);
        }
        r = libuboot_open(e->ctx);
        if (r < 0) {
                /* libuboot_open took the lock (/var/lock/fw_printenv.lock)
                 * even though it failed: close releases it. */
                libuboot_close(e->ctx);
                libuboot_exit(e->ctx);
                e->ctx = NULL;
                return error_set(err, ERROR_IO,
                                 "U-Boot environment of '%s' cannot be read or has a bad CRC (%d); the "
                                 "agent never replaces it with a default",
                                 cfg->uboot_config, r);
        }
        return 0;
}

static char *env_get(struct uboot_env *e, const char *name) {
        return libuboot_get_env(e->ctx, name);
}

static int env_set(struct uboot_env *e, const char *name, const char *value, struct error *err) {
        if (libuboot_set_env(e->ctx, name, value) < 0)
                return error_set(err, ERROR_IO, "U-Boot environment: cannot set %s", name);
        return 0;
}

static int env_store(struct uboot_env *e, struct error *err) {
        if (libuboot_env_store(e->ctx) < 0)
                return error_set(err, ERROR_IO, "U-Boot environment: cannot write it");
        return 0;
}

/* The value of slot_variable; slot A when unset. Fails on an unknown value. */
static int current_slot(const struct agent_config *cfg, struct uboot_env *e, bool *is_a, struct error *err) {
        _cleanup_free_ char *v = env_get(e, cfg->uboot_slot_var);
        if (!v || !*v || strcmp(v, cfg->uboot_slot_a) == 0) {
                *is_a = true;
                return 0;
        }
        if (strcmp(v, cfg->uboot_slot_b) == 0) {
                *is_a = false;
                return 0;
        }
        return error_set(err, ERROR_INVALID, "U-Boot %s='%.40s' is neither '%s' nor '%s'", cfg->uboot_slot_var, v,
                         cfg->uboot_slot_a, cfg->uboot_slot_b);
}

static int uboot_install(struct agent_backend *b, const char *image, const struct agent_image *t,
                         struct error *err) {
        const struct agent_config *cfg = b->cfg;
        struct uboot_env e;
        const char *dev;
        bool is_a;
        struct stat st;
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *trial = NULL, *upgrade = NULL;

        if (env_open(cfg, &e, err) < 0)
                return -1;
        if (current_slot(cfg, &e, &is_a, err) < 0) {
                env_close(&e);
                return -1;
        }
        /* A trial slot still pending is the one being overwritten: cancel it
         * first so U-Boot never boots a half-written slot. */
        upgrade = env_get(&e, "upgrade_available");
        trial = env_get(&e, TRIAL_VAR);
        if (str_eq(upgrade, "1") && trial &&
            strcmp(trial, is_a ? cfg->uboot_slot_a : cfg->uboot_slot_b) == 0) {
                /* The trial slot is the one U-Boot boots now: go back. */
                is_a = !is_a;
                if (env_set(&e, cfg->uboot_slot_var, is_a ? cfg->uboot_slot_a : cfg->uboot_slot_b, err) < 0 ||
                    env_set(&e, "upgrade_available", "0", err) < 0 || env_set(&e, TRIAL_VAR, NULL, err) < 0 ||
                    env_store(&e, err) < 0) {
                        env_close(&e);
                        return -1;
                }
        }
        env_close(&e);
        dev = is_a ? cfg->uboot_device_b : cfg->uboot_device_a;
        fd = open(dev, O_RDWR | O_CLOEXEC);
        if (fd < 0)
                return error_set_errno(err, ERROR_IO, errno, "cannot open the slot device '%s'", dev);
        if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && ftruncate(fd, 0) < 0)
                return error_set_errno(err, ERROR_IO, errno, "cannot truncate '%s'", dev);
        if (agent_backend_write_slot(b, image, fd, dev, t, err) < 0)
                return -1;
        log_info("uboot: image %s written to %s (slot %s)", t->version, dev,
                 is_a ? cfg->uboot_slot_b : cfg->uboot_slot_a);
        return 0;
}

static int uboot_activate(struct agent_backend *b, const struct agent_image *t, struct error *err) {
        (void) t;
        const struct agent_config *cfg = b->cfg;
        struct uboot_env e;
        bool is_a;
        const char *next;
        _cleanup_free_ char *limit = str_printf("%" PRId64, cfg->uboot_bootlimit);
        int r = -1;

        if (env_open(cfg, &e, err) < 0)
                return -1;
        if (current_slot(cfg, &e, &is_a, err) < 0)
                goto out;
        {
                _cleanup_free_ char *trial = env_get(&e, TRIAL_VAR);
                _cleanup_free_ char *upgrade = env_get(&e, "upgrade_available");
                /* Activated already (a retry after a crash): nothing to do. */
                if (str_eq(upgrade, "1") && trial &&
                    strcmp(trial, is_a ? cfg->uboot_slot_a : cfg->uboot_slot_b) == 0) {
                        r = 0;
                        goto out;
                }
        }
        next = is_a ? cfg->uboot_slot_b : cfg->uboot_slot_a;
        /* One store: libubootenv writes the redundant copy with a higher
         * flag, so a power cut leaves the old or the new environment. */
        if (env_set(&e, "bootcount", "0", err) < 0 || env_set(&e, "bootlimit", limit, err) < 0 ||
            env_set(&e, "upgrade_available", "1", err) < 0 || env_set(&e, TRIAL_VAR, next, err) < 0 ||
            env_set(&e, cfg->uboot_slot_var, next, err) < 0 || env_store(&e, err) < 0)
                goto out;
        log_info("uboot: %s=%s on trial (bootlimit %s)", cfg->uboot_slot_var, next, limit);
        r = 0;
out:
        env_close(&e);
        return r;
}

static int uboot_boot_state(struct agent_backend *b, enum agent_boot_state *out, char *why, size_t why_size,
                            struct error *err) {
        const struct agent_config *cfg = b->cfg;
        struct uboot_env e;
        _cleanup_free_ char *slot = NULL, *trial = NULL, *upgrade = NULL, *count = NULL;

        if (env_open(cfg, &e, err) < 0)
                return -1;
        slot = env_get(&e, cfg->uboot_slot_var);
        trial = env_get(&e, TRIAL_VAR);
        upgrade = env_get(&e, "upgrade_available");
        count = env_get(&e, "bootcount");
        env_close(&e);
        why[0] = '\0';
        if (!trial)
                *out = AGENT_BOOT_NORMAL;
        else if (str_eq(upgrade, "1") && str_eq(slot, trial))
                *out = AGENT_BOOT_TRIAL;
        else {
                *out = AGENT_BOOT_FELL_BACK;
                snprintf(why, why_size,
                         "U-Boot fell back to %s=%s (altbootcmd: bootcount %s exceeded bootlimit)",
                         cfg->uboot_slot_var, slot ? slot : "?", count ? count : "?");
        }
        return 0;
}

static int uboot_confirm(struct agent_backend *b, const struct agent_image *t, struct error *err) {
        (void) t;
        const struct agent_config *cfg = b->cfg;
        struct uboot_env e;
        int r = -1;

        if (env_open(cfg, &e, err) < 0)
                return -1;
        if (env_set(&e, "upgrade_available", "0", err) < 0 || env_set(&e, "bootcount", "0", err) < 0 ||
            env_set(&e, TRIAL_VAR, NULL, err) < 0 || env_store(&e, err) < 0)
                goto out;
        r = 0;
out:
        env_close(&e);
        return r;
}

static int uboot_rollback(struct agent_backend *b, const struct agent_image *t, const char *reason,
                          struct error *err) {
        (void) t;
        const struct agent_config *cfg = b->cfg;
        struct uboot_env e;
        _cleanup_free_ char *trial = NULL;
        bool is_a;
        int r = -1;

        if (env_open(cfg, &e, err) < 0)
                return -1;
        trial = env_get(&e, TRIAL_VAR);
        if (current_slot(cfg, &e, &is_a, err) < 0)
                goto out;
        /* Only switch back when U-Boot still points at the trial slot
         * (altbootcmd may have switched already). */
        if (trial && strcmp(trial, is_a ? cfg->uboot_slot_a : cfg->uboot_slot_b) == 0 &&
            env_set(&e, cfg->uboot_slot_var, is_a ? cfg->uboot_slot_b : cfg->uboot_slot_a, err) < 0)
                goto out;
        if (env_set(&e, "upgrade_available", "0", err) < 0 || env_set(&e, "bootcount", "0", err) < 0 ||
            env_set(&e, TRIAL_VAR, NULL, err) < 0 || env_store(&e, err) < 0)
                goto out;
        log_warn("uboot: rolled back (%s)", reason);
        r = 0;
out:
        env_close(&e);
        return r;
}

static const struct agent_backend_ops uboot_ops = {
        .name = "uboot",
        .streams_slot = true,
        .install = uboot_install,
        .activate = uboot_activate,
        .boot_state = uboot_boot_state,
        .confirm = uboot_confirm,
        .rollback = uboot_rollback,
};

int agent_backend_uboot_new(const struct agent_config *cfg, struct agent_backend **out, struct error *err) {
        struct agent_backend *b;
        struct uboot_env e;

        /* Fail at start-up, not at the first update, when the environment
         * is unusable. */
        if (env_open(cfg, &e, err) < 0)
                return -1;
        env_close(&e);
        b = xcalloc(1, sizeof(*b));
        b->ops = &uboot_ops;
        b->cfg = cfg;
        *out = b;
        return 0;
}

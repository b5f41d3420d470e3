/* SPDX-License-Identifier: Apache-2.0 */
#include "agent/boot.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "agent/report.h"
#include "agent/spawn.h"
#include "core/log.h"

int agent_health_check(const struct agent_config *cfg, const struct agent_image *t, struct error *err) {
        struct agent_hook_env env;

        if (!cfg->health_command || !*cfg->health_command)
                return 0;
        agent_hook_env_fill(&env, t, NULL);
        return agent_spawn_command("health check", cfg->health_command, NULL, env.env, cfg->health_timeout, err);
}

static void reboot_if_configured(struct agent *a) {
        struct error err = { 0 };
        if (!a->cfg->reboot_command || !*a->cfg->reboot_command)
                return;
        log_info("running the reboot command");
        if (agent_spawn_command("[install] reboot_command", a->cfg->reboot_command, NULL, NULL, 300, &err) < 0)
                log_error("%s", err.msg);
}

static void finish_idle(struct agent *a) {
        a->st.phase = AGENT_PHASE_IDLE;
        memset(&a->st.target, 0, sizeof(a->st.target));
        a->st.activated_boot_id[0] = '\0';
        a->st.boot_attempts = 0;
}

int agent_boot_rollback(struct agent *a, const char *reason, struct error *err) {
        char why[sizeof(a->st.last_error)];
        struct error ferr = { 0 };

        snprintf(why, sizeof(why), "%s", reason);
        if (a->st.phase != AGENT_PHASE_ROLLING_BACK) {
                a->st.phase = AGENT_PHASE_ROLLING_BACK;
                agent_state_set_error(&a->st, why);
                if (agent_save(a, err) < 0)
                        return -1;
        }
        /* Idempotent: run again after a power cut in rolling-back. */
        if (a->backend->ops->rollback(a->backend, &a->st.target, why, err) < 0)
                return -1;
        log_warn("rolled back from %s to %s: %s", a->st.target.version, a->st.current.version, why);
        snprintf(a->st.failed_sha256, sizeof(a->st.failed_sha256), "%s", a->st.target.sha256);
        /* The report and the end of the update in one state write. */
        agent_report_queue(a, "rolled-back", why);
        finish_idle(a);
        agent_state_set_error(&a->st, why);
        if (agent_save(a, err) < 0)
                return -1;
        if (agent_report_flush(a, &ferr) < 0)
                log_warn("status report queued (%s)", ferr.msg);
        reboot_if_configured(a);
        return 0;
}

/* backend_done: the backend made the slot permanent already (a power cut
 * hit between that and the state write). */
static int do_confirm(struct agent *a, bool backend_done, struct error *err) {
        struct error ferr = { 0 };

        if (a->st.phase != AGENT_PHASE_CONFIRMING) {
                a->st.phase = AGENT_PHASE_CONFIRMING;
                if (agent_save(a, err) < 0)
                        return -1;
        }
        /* The slot first, the floor after: never a floor above what runs. */
        if (!backend_done && a->backend->ops->confirm(a->backend, &a->st.target, err) < 0)
                return -1;
        agent_report_queue(a, "success", "");
        agent_state_raise_floor(&a->st, a->st.target.security_version);
        log_info("update %s confirmed (security version %" PRId64 ", floor %" PRId64 ")", a->st.target.version,
                 a->st.target.security_version, a->st.floor);
        a->st.current = a->st.target;
        a->st.failed_sha256[0] = '\0';
        a->st.last_error[0] = '\0';
        finish_idle(a);
        if (agent_save(a, err) < 0)
                return -1;
        if (agent_report_flush(a, &ferr) < 0)
                log_warn("status report queued (%s)", ferr.msg);
        return 0;
}

int agent_boot_confirm(struct agent *a, const char **outcome, struct error *err) {
        char boot_id[AGENT_BOOT_ID_MAX + 1], why[600];
        enum agent_boot_state bs;
        struct error herr = { 0 };
        const char *dummy;

        if (!outcome)
                outcome = &dummy;
        *outcome = "nothing";
        switch (a->st.phase) {
        case AGENT_PHASE_CONFIRMING:
                if (a->backend->ops->boot_state(a->backend, &bs, why, sizeof(why), err) < 0)
                        return -1;
                if (bs == AGENT_BOOT_FELL_BACK) {
                        *outcome = "rolled-back";
                        return agent_boot_rollback(a, why, err);
                }
                *outcome = "confirmed";
                /* NORMAL: the backend confirmed before the power cut. */
                return do_confirm(a, bs == AGENT_BOOT_NORMAL, err);
        case AGENT_PHASE_ROLLING_BACK: {
                char reason[sizeof(a->st.last_error)];
                snprintf(reason, sizeof(reason), "%s", a->st.last_error[0] ? a->st.last_error : "rollback");
                *outcome = "rolled-back";
                return agent_boot_rollback(a, reason, err);
        }
        case AGENT_PHASE_IDLE:
                /* A trial the state does not know about (state lost, or an
                 * activation nobody recorded) is never confirmed. */
                if (a->cfg->backend != AGENT_BACKEND_ABDIR && a->cfg->backend != AGENT_BACKEND_UBOOT)
                        return 0;
                if (a->backend->ops->boot_state(a->backend, &bs, why, sizeof(why), err) < 0)
                        return -1;
                if (bs == AGENT_BOOT_TRIAL || bs == AGENT_BOOT_NOT_REBOOTED) {
                        log_warn("a slot is on trial that the agent state does not know; rolling it back");
                        if (a->backend->ops->rollback(a->backend, NULL,
                                                      "trial boot without a verified update in the state",
                                                      err) < 0)
                                return -1;
                        *outcome = "rolled-back";
                        reboot_if_configured(a);
                } else if (bs == AGENT_BOOT_FELL_BACK) {
                        if (a->backend->ops->rollback(a->backend, NULL, why, err) < 0)
                                return -1;
                }
                return 0;
        case AGENT_PHASE_DOWNLOADING:
        case AGENT_PHASE_INSTALLING:
                return 0;
        case AGENT_PHASE_ACTIVATING:
        case AGENT_PHASE_AWAITING_REBOOT:
        case _AGENT_PHASE_MAX:
                break;
        }

        if (agent_backend_boot_id(a->backend, boot_id, sizeof(boot_id), err) < 0)
                return -1;
        if (strcmp(boot_id, a->st.activated_boot_id) == 0) {
                *outcome = "not-rebooted";
                return 0;
        }
        if (a->backend->ops->boot_state(a->backend, &bs, why, sizeof(why), err) < 0)
                return -1;
        switch (bs) {
        case AGENT_BOOT_NOT_REBOOTED:
                *outcome = "not-rebooted";
                return 0;
        case AGENT_BOOT_FELL_BACK:
                *outcome = "rolled-back";
                return agent_boot_rollback(a, why, err);
        case AGENT_BOOT_NORMAL:
                if (a->st.phase == AGENT_PHASE_ACTIVATING)
                        return 0; /* activation never took effect: the update cycle redoes it */
                *outcome = "rolled-back";
                return agent_boot_rollback(a, "the bootloader no longer runs the new slot on trial", err);
        case AGENT_BOOT_TRIAL:
                break;
        }

        /* A trial boot: count it, then ask the product whether it is healthy. */
        a->st.phase = AGENT_PHASE_AWAITING_REBOOT;
        a->st.boot_attempts++;
        if (agent_save(a, err) < 0)
                return -1;
        if (a->st.boot_attempts > a->cfg->max_boot_attempts) {
                snprintf(why, sizeof(why), "%" PRId64 " boots of %s without a successful health check",
                         a->st.boot_attempts, a->st.target.version);
                *outcome = "rolled-back";
                return agent_boot_rollback(a, why, err);
        }
        log_info("running the health check of %s (boot %" PRId64 " of at most %" PRId64 ")", a->st.target.version,
                 a->st.boot_attempts, a->cfg->max_boot_attempts);
        if (agent_health_check(a->cfg, &a->st.target, &herr) < 0) {
                snprintf(why, sizeof(why), "%s", herr.msg);
                *outcome = "rolled-back";
                return agent_boot_rollback(a, why, err);
        }
        *outcome = "confirmed";
        return do_confirm(a, false, err);
}

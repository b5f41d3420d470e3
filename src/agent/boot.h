/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * After the reboot into a new slot (`cradle-agent confirm`, and `run` at
 * start-up):
 *
 *   awaiting-reboot, same boot id      nothing yet (not rebooted)
 *   awaiting-reboot, bootloader fell back
 *                                      -> rolling-back ("fell back: ...")
 *   awaiting-reboot, trial boot        boot_attempts + 1; above
 *                                      [health] max_boot_attempts -> rolling-back;
 *                                      health check (timeout) fails -> rolling-back;
 *                                      passes -> confirming
 *   confirming                         backend confirm, THEN floor = max(floor,
 *                                      security version), current = target,
 *                                      report success, idle
 *   rolling-back                       backend rollback, report rolled-back
 *                                      with the reason, idle (the target is
 *                                      remembered and not retried)
 *   idle with a trial boot the state does not know (state lost)
 *                                      -> rolled back: nothing unverified is
 *                                      ever confirmed
 *
 * The floor rises only after the backend made the new slot permanent, so a
 * power cut can never leave the floor above the running image; it is never
 * lowered.
 */
#include "agent/agent.h"

/* Runs the health check: [health] command, no shell, [health] timeout.
 * 0 when healthy; -1 with the reason. An empty command is healthy. */
int agent_health_check(const struct agent_config *cfg, const struct agent_image *t, struct error *err);

/* The post-boot step above. *outcome (may be NULL) names what happened:
 * "nothing", "not-rebooted", "confirmed", "rolled-back". Fails only when
 * the backend or the state cannot be written (to be retried). */
int agent_boot_confirm(struct agent *a, const char **outcome, struct error *err);

/* The rollback path (used by confirm and by a failed activation). */
int agent_boot_rollback(struct agent *a, const char *reason, struct error *err);

/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * One update cycle (`cradle-agent once`, and each turn of `run`):
 *
 *   send queued reports
 *   idle / downloading:
 *       verify (verify.h): nothing assigned, the running image, or the image
 *       rolled back last time -> idle;
 *       else target = the verified image, phase downloading, report
 *       "downloading"; download with Range resume, length and SHA-256
 *       checked while streaming (download.h)
 *   installing:   hash the download again, backend install (writes and
 *                 reads back the inactive slot), report "installing"
 *   activating:   record the boot id, backend activate, phase
 *                 awaiting-reboot, report "awaiting-reboot", reboot command
 *   awaiting-reboot, confirming, rolling-back: boot.h
 *
 * Every phase is saved before its work starts and every step is idempotent,
 * so a power cut at any point resumes at the interrupted step. Nothing is
 * installed or activated that was not checked against the verified target.
 */
#include "agent/agent.h"

/* Returns 0 when the cycle ended normally (updated, up to date, waiting);
 * -1 with the reason when something failed (the caller backs off). */
int agent_cycle(struct agent *a, struct error *err);

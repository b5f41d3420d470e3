/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * Status reports to the server: POST <url>/device/v1/status with
 *   {"stage", "from_version", "to_version", "security_version", "reason"}
 * at each stage (downloading, installing, awaiting-reboot, success, failure,
 * rolled-back). A report is queued in the state first and the queue is sent
 * oldest first; what cannot be sent (server down) stays queued, persisted,
 * and is retried at the next cycle. The queue keeps the newest
 * AGENT_REPORTS_MAX reports.
 */
#include <stdint.h>
#include "agent/agent.h"

#define AGENT_REASON_MAX 480

/* Queues a report for the update in a->st (from current to target) and tries
 * to send the queue. Never fails the caller: a report that cannot be sent
 * now is sent later. */
void agent_report(struct agent *a, const char *stage, const char *reason);
/* Only queues it (the caller saves the state, with its own changes, and
 * flushes): for reports that must land in the same state write as the
 * transition they describe. */
void agent_report_queue(struct agent *a, const char *stage, const char *reason);
/* Sends the queued reports; -1 when some remain queued. */
int agent_report_flush(struct agent *a, struct error *err);

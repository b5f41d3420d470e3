/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * Device update reports and the update history: the traceability record that
 * answers "which device runs which version, since when, and how did its
 * updates go".
 *
 * Report body (POST /device/v1/status, from the device itself):
 *   {"stage": "downloading" | "installing" | "awaiting-reboot" | "success" |
 *             "failure" | "rolled-back",
 *    "from_version": V (optional: the version running before the update),
 *    "to_version": V (required: the version being installed),
 *    "security_version": N (required for "success": that of to_version),
 *    "reason": text (required for "failure" and "rolled-back")}
 * Versions are 1..64 visible ASCII characters; reason 1..1024 bytes of UTF-8
 * without control characters; security_version 0..2^53-1; no other fields.
 * Every report appends a history row, sets last_seen and the last stage, and
 * is audited as device.update.<stage> by actor device:<serial>. Only
 * "success" changes the installed version and security version. A success
 * whose security version is lower than the recorded one is still recorded
 * (it is what the device runs) and raises a security event
 * ota.security-version-decrease: either an anti-rollback failure or a lying
 * device.
 * Out: the device's update state {"serial", "installed_version"|null,
 *      "security_version"|null, "last_seen", "last_stage"}
 *
 * History (GET /api/v1/devices/{serial}/history), oldest first:
 *   {"serial", "items": [{"id", "time", "stage", "result": "in-progress" |
 *     "success" | "failure" | "rolled-back", "from_version"|null,
 *     "to_version"|null, "security_version"|null, "reason"|null}],
 *    "next_after_id"|null}
 */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include "director/director.h"

#define DEVICE_STATUS_VERSION_MAX 64
#define DEVICE_STATUS_REASON_MAX 1024

/* One report, validated, as the history records it; shared by cradle-agent's
 * status reports and hawkBit DDI feedback so both leave the same records.
 * stage: a history stage (downloading, installing, awaiting-reboot, success,
 * failure, rolled-back, canceled, rejected); result: in-progress, success,
 * failure, rolled-back, canceled or rejected; security_version -1 = none. */
struct director_report {
        const char *stage;
        const char *result;
        const char *from_version;
        const char *to_version;
        int64_t security_version;
        const char *reason;
};
struct store_device;
/* Inside the caller's transaction: applies the report to the device's active
 * action (director_action_apply_report), appends the history row (a
 * "success" result sets the installed and security version), appends the
 * audit entry device.update.<stage> (actor device:<serial>; audit_extra's
 * members are added to its details) and raises
 * ota.security-version-decrease when a success goes below the recorded
 * security version. *action_id = the action it applied to, or 0. */
int director_report_record(struct store *s, const struct store_device *d, const struct director_report *r,
                           int64_t now, json_t *audit_extra, int64_t *action_id, struct error *err);
/* The device's update state as director_status_report returns it. */
int director_device_update_state_json(struct store *s, const struct store_device *d, json_t **out,
                                      struct error *err);

int director_status_report(struct director_ctx *dc, const char *serial, json_t *body, json_t **out,
                           struct error *err);
/* limit 0 = 1000 (at most 1000). ERROR_NOT_FOUND for an unknown device. */
int director_device_history(struct store *s, const char *serial, int64_t after_id, size_t limit, json_t **out,
                            struct error *err);

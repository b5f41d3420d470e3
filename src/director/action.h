/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * Update actions: one offer of one release to one device, the unit that
 * direct assignments, campaigns and hawkBit DDI share.
 *
 *  - Opening an action makes its release the device's assignment (what the
 *    director signs into the device's targets and DDI offers as
 *    deploymentBase/{id}). The device's active action, if any, is closed as
 *    "superseded": a device has at most one active action, and its id (the
 *    DDI actionId) is never reused.
 *  - Canceling removes the assignment at once, so neither the director nor
 *    DDI offers the release any more. The action becomes "canceling": a DDI
 *    client is sent cancelAction and its confirmation closes it as
 *    "canceled"; cradle-agent simply sees no targets, and its next report
 *    or a new action closes it.
 *  - A device's report (cradle-agent's status or DDI feedback) applies to
 *    its active action when it names that action's release version:
 *    in-progress stages record the stage; success closes it "succeeded";
 *    failure and rolled-back close it "failed"; canceled and rejected close
 *    it as such. A report that matches no active action is still recorded
 *    in the history (with no action) and changes no action.
 *
 * These functions run inside the caller's transaction; the caller appends
 * the audit entry of the change it makes (device.assign, device.update.*,
 * campaign.*), with the action id in its details.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include "store/store.h"

#define DIRECTOR_ACTION_OPEN "open"
#define DIRECTOR_ACTION_CANCELING "canceling"

/* campaign_id 0 = a direct assignment; tag = the tag it came through or NULL. */
int director_action_open(struct store *s, const char *actor_name, int64_t device_id, int64_t release_id,
                         int64_t campaign_id, const char *tag, int64_t now, int64_t *action_id, struct error *err);

/* *canceled_id = the action now canceling (0 when the device had no active
 * action; its assignment, if any, is removed all the same). */
int director_action_cancel(struct store *s, int64_t device_id, const char *reason, int64_t now,
                           int64_t *canceled_id, struct error *err);

/* Applies a report (stage and result as in device-status.h, plus "canceled"
 * and "rejected") to the device's active action. *action_id = the action it
 * applied to, or 0. */
int director_action_apply_report(struct store *s, int64_t device_id, const char *stage, const char *result,
                                 const char *to_version, const char *reason, int64_t now, int64_t *action_id,
                                 struct error *err);

/* GET /api/v1/devices/{serial}/actions: {"serial", "items": [{"id",
 * "release_id", "release", "campaign_id"|null, "status", "last_stage"|null,
 * "reason"|null, "created_at", "created_by", "updated_at", "closed_at"|null}]}
 * newest first, at most `limit` (0 = 1000). ERROR_NOT_FOUND for an unknown device. */
int director_device_actions(struct store *s, const char *serial, size_t limit, json_t **out, struct error *err);
/* The same a page at a time: ids below `before` (0 = from the newest), at
 * most `limit` (0 = DIRECTOR_ACTIONS_PAGE_MAX), plus "next_before_id": the
 * cursor of the next page, null on the last. */
#define DIRECTOR_ACTIONS_PAGE_MAX 1000
int director_device_actions_page(struct store *s, const char *serial, int64_t before, size_t limit, json_t **out,
                                 struct error *err);

/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * An operator cancels a device's update action
 * (POST /api/v1/devices/{serial}/actions/{id}/cancel, body optional:
 * {"reason": text, 1..1024 bytes without control characters}).
 * The action must be the device's active action and still open:
 *   unknown device, or not this device's action   ERROR_NOT_FOUND
 *   already canceling or closed                   ERROR_CONFLICT naming its status
 * director_action_cancel does the work (the director stops offering the
 * release at once; a DDI client is sent cancelAction and its confirmation
 * closes the action "canceled"). Audited device.action.cancel.
 * Out: {"serial", "action_id", "status": "canceling"}.
 */
#include <jansson.h>
#include "audit/audit.h"
#include "director/director.h"

int director_action_cancel_by_operator(struct director_ctx *dc, const struct audit_actor *a, const char *serial,
                                       int64_t action_id, json_t *body, json_t **out, struct error *err);

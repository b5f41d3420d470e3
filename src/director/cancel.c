/* SPDX-License-Identifier: Apache-2.0 */
/* An operator cancels a device's update action (see cancel.h). */
#include <stdio.h>
#include <string.h>
#include "core/cleanup.h"
#include "core/json.h"
#include "core/strutil.h"
#include "director/action.h"
#include "director/cancel.h"
#include "director/device-status.h"
#include "director/internal.h"

static inline void action_clearp(struct store_update_action *r) { store_update_action_clear(r); }

static const struct cr_json_field cancel_fields[] = {
        { .name = "reason", .type = CR_JSON_STRING, .max_len = DEVICE_STATUS_REASON_MAX },
};

int director_action_cancel_by_operator(struct director_ctx *dc, const struct audit_actor *a, const char *serial,
                                       int64_t action_id, json_t *body, json_t **out, struct error *err) {
        _cleanup_director_device_ struct store_device d = {0};
        __attribute__((cleanup(action_clearp))) struct store_update_action act = {0};
        struct store *s = dc->store;
        const char *reason = "canceled by an operator";
        _cleanup_json_ json_t *details = NULL;
        bool found;
        *out = NULL;
        if (body) {
                if (cr_json_check_object("request body", body, cancel_fields, ELEMENTSOF(cancel_fields), err) < 0)
                        return -1;
                if (json_object_get(body, "reason"))
                        reason = cr_json_get_string(body, "reason");
                for (const char *p = reason; *p; p++)
                        if ((unsigned char) *p < 0x20 || *p == 0x7f)
                                return error_set(err, ERROR_INVALID, "field 'reason': contains a control character");
                if (!*reason)
                        return error_set(err, ERROR_INVALID, "field 'reason': must not be empty");
        }
        if (!serial || !*serial)
                return error_set(err, ERROR_INVALID, "device serial: is required");
        int64_t now = director_now(dc);
        if (store_tx_begin(s, err) < 0)
                return -1;
        if (store_device_get_by_serial(s, serial, &d, err) < 0 ||
            store_update_action_get(s, action_id, &act, &found, err) < 0)
                goto fail;
        if (!found || act.device_id != d.id) {
                error_set(err, ERROR_NOT_FOUND, "device %s has no update action %lld", d.serial,
                          (long long) action_id);
                goto fail;
        }
        if (!str_eq(act.status, DIRECTOR_ACTION_OPEN)) {
                error_set(err, ERROR_CONFLICT, "update action %lld of device %s is %s, not open: nothing to cancel",
                          (long long) action_id, d.serial, act.status);
                goto fail;
        }
        int64_t canceled;
        if (director_action_cancel(s, d.id, reason, now, &canceled, err) < 0)
                goto fail;
        char object[96];
        snprintf(object, sizeof(object), "device:%s", d.serial);
        details = json_pack("{s:I, s:I, s:s, s:s}", "action_id", (json_int_t) canceled,
                                                   "release_id", (json_int_t) act.release_id, "release",
                                                   act.release_version ? act.release_version : "?", "reason", reason);
        if (audit_append(s, a, "device.action.cancel", object, details, err) < 0)
                goto fail;
        if (store_tx_commit(s, err) < 0)
                return -1;
        *out = json_pack("{s:s, s:I, s:s}", "serial", d.serial, "action_id", (json_int_t) canceled, "status",
                         DIRECTOR_ACTION_CANCELING);
        return 0;
fail:
        store_tx_rollback(s);
        return -1;
}

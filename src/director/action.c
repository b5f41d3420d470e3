/* SPDX-License-Identifier: Apache-2.0 */
/* Update actions: the offer of a release to a device (see action.h). */
#include <string.h>
#include "core/cleanup.h"
#include "core/strutil.h"
#include "director/action.h"
#include "director/internal.h"

static inline void action_clearp(struct store_update_action *r) { store_update_action_clear(r); }
#define _cleanup_action_ __attribute__((cleanup(action_clearp)))

int director_action_open(struct store *s, const char *actor_name, int64_t device_id, int64_t release_id,
                         int64_t campaign_id, const char *tag, int64_t now, int64_t *action_id, struct error *err) {
        _cleanup_action_ struct store_update_action prev = {0};
        bool found;
        if (store_update_action_active(s, device_id, &prev, &found, err) < 0)
                return -1;
        if (found && store_update_action_set(s, prev.id, "superseded", NULL, "a new assignment replaced it", true,
                                             now, err) < 0)
                return -1;
        const struct store_update_action row = {
                .device_id = device_id, .release_id = release_id, .campaign_id = campaign_id,
                .status = DIRECTOR_ACTION_OPEN, .created_at = now, .created_by = (char *) actor_name,
        };
        const struct store_device_assignment asg = {
                .device_id = device_id, .release_id = release_id, .tag = (char *) tag, .assigned_at = now,
                .assigned_by = (char *) actor_name,
        };
        /* Queued for signing ahead of the device's next poll (director.h). */
        if (store_update_action_insert(s, &row, action_id, err) < 0 || store_device_assignment_put(s, &asg, err) < 0 ||
            store_director_sign_queue_add(s, device_id, now, err) < 0)
                return -1;
        return 0;
}

int director_action_cancel(struct store *s, int64_t device_id, const char *reason, int64_t now,
                           int64_t *canceled_id, struct error *err) {
        _cleanup_action_ struct store_update_action act = {0};
        bool found;
        *canceled_id = 0;
        if (store_device_assignment_delete(s, device_id, err) < 0 ||
            store_director_sign_queue_add(s, device_id, now, err) < 0 ||
            store_update_action_active(s, device_id, &act, &found, err) < 0)
                return -1;
        if (!found)
                return 0;
        if (store_update_action_set(s, act.id, DIRECTOR_ACTION_CANCELING, NULL, reason, false, now, err) < 0)
                return -1;
        *canceled_id = act.id;
        return 0;
}

/* The action status a report's result leads to; NULL = stays active. */
static const char *status_after(const char *result) {
        static const struct {
                const char *result, *status;
        } map[] = {
                { "success", "succeeded" }, { "failure", "failed" },     { "rolled-back", "failed" },
                { "canceled", "canceled" }, { "rejected", "rejected" },
        };
        for (size_t i = 0; i < ELEMENTSOF(map); i++)
                if (str_eq(map[i].result, result))
                        return map[i].status;
        return NULL;
}

int director_action_apply_report(struct store *s, int64_t device_id, const char *stage, const char *result,
                                 const char *to_version, const char *reason, int64_t now, int64_t *action_id,
                                 struct error *err) {
        _cleanup_action_ struct store_update_action act = {0};
        bool found;
        *action_id = 0;
        if (store_update_action_active(s, device_id, &act, &found, err) < 0)
                return -1;
        /* A report about another version is not about this offer: a device
         * finishing an older update, or lying. It is recorded, not applied. */
        if (!found || !str_eq(act.release_version, to_version))
                return 0;
        const char *next = status_after(result);
        if (store_update_action_set(s, act.id, next ? next : act.status, stage, reason, next != NULL, now, err) < 0)
                return -1;
        *action_id = act.id;
        return 0;
}

static json_t *action_json(const struct store_update_action *r) {
        return json_pack("{s:I, s:I, s:s, s:o, s:s, s:o, s:o, s:o, s:s, s:o, s:o}", "id", (json_int_t) r->id,
                         "release_id", (json_int_t) r->release_id, "release",
                         r->release_version ? r->release_version : "?", "campaign_id",
                         r->campaign_id ? json_integer(r->campaign_id) : json_null(), "status",
                         r->status ? r->status : "?", "last_stage", director_str_json(r->last_stage), "reason",
                         director_str_json(r->reason), "created_at", director_time_json(r->created_at),
                         "created_by", r->created_by ? r->created_by : "?", "updated_at",
                         director_time_json(r->updated_at), "closed_at", director_time_json(r->closed_at));
}

int director_device_actions(struct store *s, const char *serial, size_t limit, json_t **out, struct error *err) {
        if (director_device_actions_page(s, serial, 0, limit, out, err) < 0)
                return -1;
        json_object_del(*out, "next_before_id");
        return 0;
}

int director_device_actions_page(struct store *s, const char *serial, int64_t before, size_t limit, json_t **out,
                                 struct error *err) {
        _cleanup_director_device_ struct store_device d = {0};
        struct store_update_action *list = NULL;
        size_t n = 0;
        *out = NULL;
        if (!serial || !*serial)
                return error_set(err, ERROR_INVALID, "device serial: is required");
        if (limit == 0 || limit > DIRECTOR_ACTIONS_PAGE_MAX)
                limit = DIRECTOR_ACTIONS_PAGE_MAX;
        /* One more than the page says whether another follows. */
        if (store_device_get_by_serial(s, serial, &d, err) < 0 ||
            store_update_actions_of_device_page(s, d.id, before, limit + 1, &list, &n, err) < 0)
                return -1;
        bool more = n > limit;
        json_t *items = json_array();
        for (size_t i = 0; i < n && i < limit; i++)
                json_array_append_new(items, action_json(&list[i]));
        int64_t next = more ? list[limit - 1].id : 0;
        store_update_actions_free(list, n);
        *out = json_pack("{s:s, s:o, s:o}", "serial", d.serial, "items", items, "next_before_id",
                         next ? json_integer(next) : json_null());
        return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* Device update reports and the update history. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "audit/audit.h"
#include "core/cleanup.h"
#include "core/json.h"
#include "core/strutil.h"
#include "director/action.h"
#include "director/device-status.h"
#include "director/internal.h"
#include "identity/security-event.h"

#define SECURITY_VERSION_MAX ((json_int_t) 9007199254740991LL) /* 2^53 - 1: JavaScript clients */

static const struct {
        const char *stage;
        const char *result;
        bool needs_reason;
} stages[] = {
        { "downloading", "in-progress", false },
        { "installing", "in-progress", false },
        { "awaiting-reboot", "in-progress", false },
        { "success", "success", false },
        { "failure", "failure", true },
        { "rolled-back", "rolled-back", true },
};

static const struct cr_json_field report_fields[] = {
        { .name = "stage", .type = CR_JSON_STRING, .required = true, .max_len = 32 },
        { .name = "from_version", .type = CR_JSON_STRING, .max_len = DEVICE_STATUS_VERSION_MAX, .allow_null = true },
        { .name = "to_version", .type = CR_JSON_STRING, .required = true, .max_len = DEVICE_STATUS_VERSION_MAX },
        { .name = "security_version", .type = CR_JSON_INTEGER, .allow_null = true },
        { .name = "reason", .type = CR_JSON_STRING, .max_len = DEVICE_STATUS_REASON_MAX, .allow_null = true },
};

static int version_check(const char *field, const char *v, struct error *err) {
        size_t n = strlen(v);
        if (n == 0)
                return error_set(err, ERROR_INVALID, "field '%s': must not be empty", field);
        for (size_t i = 0; i < n; i++)
                if ((unsigned char) v[i] <= 0x20 || (unsigned char) v[i] >= 0x7f)
                        return error_set(err, ERROR_INVALID,
                                         "field '%s': a version is 1..%d visible ASCII characters (no spaces)", field,
                                         DEVICE_STATUS_VERSION_MAX);
        return 0;
}

static int reason_check(const char *v, struct error *err) {
        size_t n = strlen(v);
        if (n == 0)
                return error_set(err, ERROR_INVALID, "field 'reason': must not be empty");
        for (size_t i = 0; i < n; i++)
                if ((unsigned char) v[i] < 0x20 || v[i] == 0x7f)
                        return error_set(err, ERROR_INVALID,
                                         "field 'reason': contains a control character (byte %zu); send one line of "
                                         "text",
                                         i);
        return 0;
}

static const char *opt_string(json_t *body, const char *key) {
        json_t *v = json_object_get(body, key);
        return json_is_string(v) ? json_string_value(v) : NULL;
}

static json_t *state_json(const char *serial, const struct store_device_update_state *st) {
        return json_pack("{s:s, s:o, s:o, s:o, s:o}", "serial", serial, "installed_version",
                         director_str_json(st->installed_version), "security_version",
                         st->security_version >= 0 ? json_integer(st->security_version) : json_null(), "last_seen",
                         director_time_json(st->last_seen), "last_stage", director_str_json(st->last_stage));
}

static inline void state_clearp(struct store_device_update_state *st) { store_device_update_state_clear(st); }

int director_report_record(struct store *s, const struct store_device *d, const struct director_report *r,
                           int64_t now, json_t *audit_extra, int64_t *action_id_out, struct error *err) {
        __attribute__((cleanup(state_clearp))) struct store_device_update_state before = {0};
        _cleanup_json_ json_t *details = NULL;
        char actor_name[96], object[96];
        struct audit_actor actor;
        bool found;
        /* Only a success changes what the device runs (installed version,
         * security version): every other result, a DDI "Skipped Update."
         * included, leaves them alone. */
        bool installed = str_eq(r->result, "success");
        if (store_device_update_state_get(s, d->id, &before, &found, err) < 0)
                return -1;
        int64_t action_id;
        if (director_action_apply_report(s, d->id, r->stage, r->result, r->to_version, r->reason, now, &action_id,
                                         err) < 0)
                return -1;
        const struct store_device_update_entry e = {
                .device_id = d->id, .time = now, .stage = (char *) r->stage, .from_version = (char *) r->from_version,
                .to_version = (char *) r->to_version, .security_version = r->security_version,
                .result = (char *) r->result, .reason = (char *) r->reason, .action_id = action_id,
        };
        int64_t entry_id;
        if (store_device_update_record(s, &e, installed, &entry_id, err) < 0)
                return -1;
        director_device_actor(d->serial, actor_name, sizeof(actor_name), &actor);
        snprintf(object, sizeof(object), "device:%s", d->serial);
        details = json_pack("{s:I, s:s, s:s, s:o, s:s, s:o, s:o, s:o}", "history_id", (json_int_t) entry_id,
                            "stage", r->stage, "result", r->result, "from_version",
                            director_str_json(r->from_version), "to_version", r->to_version, "security_version",
                            r->security_version >= 0 ? json_integer(r->security_version) : json_null(), "reason",
                            director_str_json(r->reason), "action_id",
                            action_id ? json_integer(action_id) : json_null());
        if (audit_extra)
                json_object_update(details, audit_extra);
        char action[48];
        snprintf(action, sizeof(action), "device.update.%s", r->stage);
        if (audit_append(s, &actor, action, object, details, err) < 0)
                return -1;
        if (installed && found && before.security_version > r->security_version) {
                _cleanup_json_ json_t *ev = json_pack("{s:I, s:I, s:s, s:o}", "recorded_security_version",
                                                      (json_int_t) before.security_version, "reported_security_version",
                                                      (json_int_t) r->security_version, "to_version", r->to_version,
                                                      "from_version", director_str_json(r->from_version));
                if (identity_security_event_record(s, "ota.security-version-decrease", "high", d->product_id,
                                                   d->serial, NULL, ev, err) < 0)
                        return -1;
        }
        if (action_id_out)
                *action_id_out = action_id;
        return 0;
}

int director_device_update_state_json(struct store *s, const struct store_device *d, json_t **out,
                                      struct error *err) {
        __attribute__((cleanup(state_clearp))) struct store_device_update_state st = {0};
        bool found;
        *out = NULL;
        if (store_device_update_state_get(s, d->id, &st, &found, err) < 0)
                return -1;
        *out = state_json(d->serial, &st);
        return 0;
}

int director_status_report(struct director_ctx *dc, const char *serial, json_t *body, json_t **out,
                           struct error *err) {
        _cleanup_director_device_ struct store_device d = {0};
        struct store *s = dc->store;
        *out = NULL;
        if (cr_json_check_object("request body", body, report_fields, ELEMENTSOF(report_fields), err) < 0)
                return -1;
        const char *stage = cr_json_get_string(body, "stage");
        size_t k = 0;
        while (k < ELEMENTSOF(stages) && !str_eq(stages[k].stage, stage))
                k++;
        if (k == ELEMENTSOF(stages)) {
                char safe[40];
                str_sanitize(stage, strlen(stage), safe, sizeof(safe));
                return error_set(err, ERROR_INVALID,
                                 "field 'stage': '%s' is not a stage (downloading, installing, awaiting-reboot, "
                                 "success, failure, rolled-back)",
                                 safe);
        }
        const char *from = opt_string(body, "from_version");
        const char *to = cr_json_get_string(body, "to_version");
        const char *reason = opt_string(body, "reason");
        json_t *sv = json_object_get(body, "security_version");
        int64_t security_version = -1;
        if (json_is_integer(sv)) {
                if (json_integer_value(sv) < 0 || json_integer_value(sv) > SECURITY_VERSION_MAX)
                        return error_set(err, ERROR_INVALID, "field 'security_version': must be 0..2^53-1");
                security_version = json_integer_value(sv);
        }
        if ((from && version_check("from_version", from, err) < 0) || version_check("to_version", to, err) < 0 ||
            (reason && reason_check(reason, err) < 0))
                return -1;
        if (stages[k].needs_reason && !reason)
                return error_set(err, ERROR_INVALID, "field 'reason': is required for stage '%s'", stage);
        if (str_eq(stage, "success") && security_version < 0)
                return error_set(err, ERROR_INVALID,
                                 "field 'security_version': is required for stage 'success' (that of to_version)");
        if (!serial || !*serial)
                return error_set(err, ERROR_INVALID, "device serial: is required");

        const struct director_report r = {
                .stage = stage, .result = stages[k].result, .from_version = from, .to_version = to,
                .security_version = security_version, .reason = reason,
        };
        if (store_tx_begin(s, err) < 0)
                return -1;
        if (store_device_get_by_serial(s, serial, &d, err) < 0 ||
            director_report_record(s, &d, &r, director_now(dc), NULL, NULL, err) < 0 ||
            director_device_update_state_json(s, &d, out, err) < 0)
                goto fail;
        if (store_tx_commit(s, err) < 0) {
                json_decref(*out);
                *out = NULL;
                return -1;
        }
        return 0;
fail:
        json_decref(*out);
        *out = NULL;
        store_tx_rollback(s);
        return -1;
}

static json_t *entry_json(const struct store_device_update_entry *e) {
        return json_pack("{s:I, s:o, s:s, s:s, s:o, s:o, s:o, s:o, s:o}", "id", (json_int_t) e->id, "time",
                         director_time_json(e->time), "stage", e->stage ? e->stage : "?", "result",
                         e->result ? e->result : "?", "from_version", director_str_json(e->from_version),
                         "to_version", director_str_json(e->to_version), "security_version",
                         e->security_version >= 0 ? json_integer(e->security_version) : json_null(), "reason",
                         director_str_json(e->reason), "action_id",
                         e->action_id ? json_integer(e->action_id) : json_null());
}

int director_device_history(struct store *s, const char *serial, int64_t after_id, size_t limit, json_t **out,
                            struct error *err) {
        _cleanup_director_device_ struct store_device d = {0};
        struct store_device_update_entry *list = NULL;
        size_t n = 0;
        *out = NULL;
        if (!serial || !*serial)
                return error_set(err, ERROR_INVALID, "device serial: is required");
        if (store_device_get_by_serial(s, serial, &d, err) < 0 ||
            store_device_update_history(s, d.id, after_id, limit, &list, &n, err) < 0)
                return -1;
        json_t *items = json_array();
        for (size_t i = 0; i < n; i++)
                json_array_append_new(items, entry_json(&list[i]));
        size_t lim = limit == 0 || limit > 1000 ? 1000 : limit;
        json_t *next = n == lim && n > 0 ? json_integer(list[n - 1].id) : json_null();
        store_device_update_history_free(list, n);
        *out = json_pack("{s:s, s:o, s:o}", "serial", d.serial, "items", items, "next_after_id", next);
        return 0;
}

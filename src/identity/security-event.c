/* SPDX-License-Identifier: Apache-2.0 */
/* Security events. */
#include <stdlib.h>
#include <string.h>
#include "core/cleanup.h"
#include "core/json.h"
#include "core/time.h"
#include "identity/internal.h"
#include "identity/security-event.h"

static bool severity_valid(const char *s) {
        static const char *const names[] = {"low", "medium", "high", "critical"};
        for (size_t i = 0; s && i < ELEMENTSOF(names); i++)
                if (strcmp(s, names[i]) == 0)
                        return true;
        return false;
}

int identity_security_event_record(struct store *s, const char *kind, const char *severity,
                                   int64_t product_id, const char *device_serial, const char *source,
                                   json_t *details, struct error *err) {
        if (!kind || !*kind)
                return error_set(err, ERROR_INVALID, "security event: kind is required");
        if (!severity_valid(severity))
                return error_set(err, ERROR_INVALID, "security event: severity '%s' is not low, medium, high or critical",
                                 severity ? severity : "");
        if (details && !json_is_object(details))
                return error_set(err, ERROR_INVALID, "security event: details must be a JSON object");
        _cleanup_free_ char *text = details ? json_dumps(details, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
        struct store_security_event e = {
                .time = time_now(),
                .kind = (char *) kind,
                .severity = (char *) severity,
                .product_id = product_id,
                .device_serial = (char *) device_serial,
                .source = (char *) source,
                .details = text,
        };
        return store_security_event_insert(s, &e, NULL, err);
}

static json_t *event_to_json(const struct store_security_event *e) {
        json_error_t je;
        json_t *details = json_loads(e->details, 0, &je);
        if (!details)
                details = json_object();
        return json_pack("{s:I, s:o, s:s, s:s, s:o, s:o, s:o, s:o}",
                         "id", (json_int_t) e->id,
                         "time", identity_time_json(e->time),
                         "kind", e->kind,
                         "severity", e->severity,
                         "product", identity_str_json(e->product_model),
                         "device_serial", identity_str_json(e->device_serial),
                         "source", identity_str_json(e->source),
                         "details", details);
}

int identity_security_events_list(struct store *s, const struct identity_security_event_filter *f,
                                  json_t **out, struct error *err) {
        *out = NULL;
        static const struct identity_security_event_filter none = {0};
        if (!f)
                f = &none;
        struct store_security_event_filter sf = {.kind = f->kind, .since = f->since, .after_id = f->after_id,
                                                 .limit = f->limit};
        if (f->product && store_identity_product_by_model(s, f->product, &sf.product_id, err) < 0)
                return -1;
        struct store_security_event *list;
        size_t n;
        if (store_security_event_list(s, &sf, &list, &n, err) < 0)
                return -1;
        json_t *items = json_array();
        for (size_t i = 0; i < n; i++) {
                json_t *j = event_to_json(&list[i]);
                if (j)
                        json_array_append_new(items, j);
        }
        size_t limit = f->limit == 0 || f->limit > 1000 ? 1000 : f->limit;
        json_t *next = n == limit && n > 0 ? json_integer(list[n - 1].id) : json_null();
        store_security_event_list_free(list, n);
        *out = json_pack("{s:o, s:o}", "items", items, "next_after_id", next);
        return 0;
}

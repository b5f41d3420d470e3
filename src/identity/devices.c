/* SPDX-License-Identifier: Apache-2.0 */
/* Device records as operators see them. */
#include <stdlib.h>
#include <string.h>
#include "core/cleanup.h"
#include "core/strutil.h"
#include "core/time.h"
#include "identity/devices.h"
#include "identity/internal.h"
#include "store/store-notify.h"

#define EXPIRING_DAYS_MAX 36500

/* What the director records (issue 4): tags (sorted), the installed version and
 * security version from the last successful update, last seen, the assigned
 * release. */
static json_t *device_ota_fields(json_t *j, const struct store_device *d) {
        if (!j)
                return NULL;
        json_t *tags = json_array();
        if (d->tags) {
                _cleanup_free_ char *copy = str_dup(d->tags);
                for (char *save = NULL, *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
                        size_t i = 0;
                        while (i < json_array_size(tags) &&
                               strcmp(json_string_value(json_array_get(tags, i)), t) < 0)
                                i++;
                        json_array_insert_new(tags, i, json_string(t));
                }
        }
        json_object_set_new(j, "tags", tags);
        json_object_set_new(j, "installed_version", identity_str_json(d->installed_version));
        json_object_set_new(j, "security_version",
                            d->security_version >= 0 ? json_integer(d->security_version) : json_null());
        json_object_set_new(j, "last_seen", identity_time_json(d->last_seen));
        json_object_set_new(j, "assigned_release_id",
                            d->assigned_release_id ? json_integer(d->assigned_release_id) : json_null());
        return j;
}

static json_t *device_to_json(const struct store_device *d) {
        return device_ota_fields(json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:s, s:s, s:o, s:o, s:o}",
                         "serial", d->serial,
                         "product", d->product_model,
                         "batch", identity_str_json(d->batch_name),
                         "hardware_revision", identity_str_json(d->hardware_revision),
                         "production_date", identity_str_json(d->production_date),
                         "station", identity_str_json(d->station),
                         "initial_firmware_version", identity_str_json(d->initial_firmware_version),
                         "status", store_device_status_name(d->status),
                         "origin", store_device_origin_name(d->origin),
                         "created_at", identity_time_json(d->created_at),
                         "decommissioned_at", identity_time_json(d->decommissioned_at),
                         "valid_until", identity_time_json(d->valid_until)), d);
}

int identity_devices_list(struct store *s, const struct identity_device_filter *f, json_t **out,
                          struct error *err) {
        *out = NULL;
        static const struct identity_device_filter none = {0};
        if (!f)
                f = &none;
        struct store_device_filter sf = {.batch_name = f->batch, .after_id = f->after_id, .limit = f->limit};
        if (f->product && store_identity_product_by_model(s, f->product, &sf.product_id, err) < 0)
                return -1;
        if (f->status) {
                if (store_device_status_parse(f->status, &sf.status) < 0)
                        return error_set(err, ERROR_INVALID, "status: '%.32s' is not a device status (active, "
                                         "decommissioned)", f->status);
                sf.status_set = true;
        }
        if (f->expiring) {
                if (f->expiring_within_days > EXPIRING_DAYS_MAX)
                        return error_set(err, ERROR_INVALID, "expiring_within_days: at most %d", EXPIRING_DAYS_MAX);
                sf.valid_until_before = time_now() + (int64_t) f->expiring_within_days * 86400;
        }
        struct store_device *list;
        size_t n;
        if (store_device_list(s, &sf, &list, &n, err) < 0)
                return -1;
        json_t *items = json_array();
        for (size_t i = 0; i < n; i++) {
                json_t *j = device_to_json(&list[i]);
                if (!j) {
                        json_decref(items);
                        error_set(err, ERROR_INTERNAL, "device '%s' cannot be rendered", list[i].serial);
                        store_device_list_free(list, n);
                        return -1;
                }
                json_array_append_new(items, j);
        }
        /* the cursor for the next page, when this one is full */
        size_t limit = f->limit == 0 || f->limit > 1000 ? 1000 : f->limit;
        json_t *next = n == limit && n > 0 ? json_integer(list[n - 1].id) : json_null();
        store_device_list_free(list, n);
        *out = json_pack("{s:o, s:o}", "items", items, "next_after_id", next);
        return 0;
}

int identity_device_whoami(struct store *s, const char *serial, const char *cert_serial, json_t **out,
                           struct error *err) {
        *out = NULL;
        if (!serial || !*serial)
                return error_set(err, ERROR_INVALID, "device serial: is required");
        _cleanup_device_row_ struct store_device d = {0};
        _cleanup_cert_row_ struct store_certificate c = {0};
        if (store_device_get_by_serial(s, serial, &d, err) < 0)
                return -1;
        struct error cerr = {0};
        bool have_cert = cert_serial && store_certificate_get_by_serial(s, cert_serial, &c, &cerr) == 0 &&
                         c.device_id == d.id;
        if (!have_cert && cerr.kind != ERROR_NONE && cerr.kind != ERROR_NOT_FOUND) {
                *err = cerr;
                return -1;
        }
        json_t *j = device_to_json(&d);
        if (!j)
                return error_set(err, ERROR_INTERNAL, "device '%s' cannot be rendered", d.serial);
        json_object_set_new(j, "certificate", have_cert ? identity_cert_to_json(&c, true) : json_null());
        *out = j;
        return 0;
}

int identity_device_get(struct store *s, const char *serial, json_t **out, struct error *err) {
        *out = NULL;
        if (!serial || !*serial)
                return error_set(err, ERROR_INVALID, "device serial: is required");
        _cleanup_device_row_ struct store_device d = {0};
        if (store_device_get_by_serial(s, serial, &d, err) < 0)
                return -1;
        struct store_certificate *certs;
        size_t n;
        if (store_certificate_list_by_device(s, d.id, &certs, &n, err) < 0)
                return -1;
        json_t *j = device_to_json(&d);
        json_t *arr = json_array();
        for (size_t i = 0; i < n; i++)
                json_array_append_new(arr, identity_cert_to_json(&certs[i], true));
        store_certificate_list_free(certs, n);
        if (!j) {
                json_decref(arr);
                return error_set(err, ERROR_INTERNAL, "device '%s' cannot be rendered", d.serial);
        }
        json_object_set_new(j, "certificates", arr);
        /* The owner reference (issue 10 section 6): the device's own, else its batch's. */
        _cleanup_free_ char *own = NULL, *inherited = NULL;
        bool found;
        if (store_owner_device_get(s, d.serial, &own, &found, err) < 0 ||
            (!own && d.batch_id && store_owner_batch_get(s, d.batch_id, &inherited, &found, err) < 0)) {
                json_decref(j);
                return -1;
        }
        const char *ref = own ? own : inherited;
        json_object_set_new(j, "owner_ref", ref ? json_string(ref) : json_null());
        json_object_set_new(j, "owner_ref_from", own ? json_string("device") : inherited ? json_string("batch")
                                                                                         : json_null());
        *out = j;
        return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* Adding and removing tags on many devices in one request (see tags-bulk.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "audit/audit.h"
#include "core/cleanup.h"
#include "core/json.h"
#include "core/strutil.h"
#include "director/assign.h"
#include "director/internal.h"
#include "director/tags-bulk.h"
#include "pki/issue.h"

static const struct cr_json_field bulk_fields[] = {
        { .name = "add", .type = CR_JSON_STRING_ARRAY, .max_len = DIRECTOR_TAGS_MAX },
        { .name = "remove", .type = CR_JSON_STRING_ARRAY, .max_len = DIRECTOR_TAGS_MAX },
        { .name = "devices", .type = CR_JSON_STRING_ARRAY, .required = true, .max_len = DIRECTOR_TAGS_BULK_MAX },
};

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/* Each element valid by `check` and none twice (sorted copy: a list of
 * 1000 serials is compared in n log n, not n^2). */
static int check_list(const char *field, json_t *arr, bool serials, struct error *err) {
        size_t i, n = json_array_size(arr);
        json_t *v;
        json_array_foreach(arr, i, v) {
                char what[64];
                snprintf(what, sizeof(what), "field '%s' element %zu", field, i);
                if ((serials ? pki_name_check(what, json_string_value(v), err)
                             : director_tag_check(what, json_string_value(v), err)) < 0)
                        return -1;
        }
        if (n < 2)
                return 0;
        _cleanup_free_ const char **sorted = xcalloc(n, sizeof(*sorted));
        json_array_foreach(arr, i, v)
                sorted[i] = json_string_value(v);
        qsort(sorted, n, sizeof(*sorted), cmp_str);
        for (i = 1; i < n; i++)
                if (str_eq(sorted[i - 1], sorted[i]))
                        return error_set(err, ERROR_INVALID, "field '%s': '%s' is given twice", field, sorted[i]);
        return 0;
}

static bool json_list_has(json_t *arr, const char *s) {
        size_t i;
        json_t *v;
        json_array_foreach(arr, i, v)
                if (str_eq(json_string_value(v), s))
                        return true;
        return false;
}

static json_t *strv_to_json(char **v, size_t n) {
        json_t *a = json_array();
        for (size_t i = 0; i < n; i++)
                json_array_append_new(a, json_string(v[i]));
        return a;
}

/* (before + add) - remove, sorted; *n_out may exceed DIRECTOR_TAGS_MAX (the
 * caller refuses). Strings are borrowed from before and add. */
static const char **tags_after(char **before, size_t n_before, json_t *add, json_t *remove, size_t *n_out) {
        size_t cap = n_before + json_array_size(add), n = 0, i;
        const char **out = xcalloc(cap ? cap : 1, sizeof(*out));
        json_t *v;
        for (i = 0; i < n_before; i++)
                if (!json_list_has(remove, before[i]))
                        out[n++] = before[i];
        json_array_foreach(add, i, v) {
                bool have = false;
                for (size_t k = 0; k < n_before && !have; k++)
                        have = str_eq(before[k], json_string_value(v));
                if (!have)
                        out[n++] = json_string_value(v);
        }
        qsort(out, n, sizeof(*out), cmp_str);
        *n_out = n;
        return out;
}

static bool same_tags(char **a, size_t na, const char **b, size_t nb) {
        if (na != nb)
                return false;
        for (size_t i = 0; i < na; i++)
                if (!str_eq(a[i], b[i]))
                        return false;
        return true;
}

/* One device inside the caller's transaction; *changed says whether its
 * tags (and so the audit trail) changed. */
static int tag_one(struct store *s, const struct audit_actor *a, const char *serial, json_t *add, json_t *remove,
                   bool *changed, struct error *err) {
        _cleanup_director_device_ struct store_device d = {0};
        char **before = NULL;
        size_t n_before = 0, n_after = 0;
        _cleanup_free_ const char **after = NULL;
        /* Declared before the first goto: a jump must not skip a cleanup variable's initialisation. */
        _cleanup_json_ json_t *details = NULL;
        char object[96];
        int rc = -1;
        *changed = false;
        if (store_device_get_by_serial(s, serial, &d, err) < 0 ||
            store_device_tags_get(s, d.id, &before, &n_before, err) < 0)
                goto out;
        after = tags_after(before, n_before, add, remove, &n_after);
        if (n_after > DIRECTOR_TAGS_MAX) {
                error_set(err, ERROR_CONFLICT, "device %s would carry %zu tags; a device has at most %d", d.serial,
                          n_after, DIRECTOR_TAGS_MAX);
                goto out;
        }
        if (same_tags(before, n_before, after, n_after)) {
                rc = 0;
                goto out;
        }
        snprintf(object, sizeof(object), "device:%s", d.serial);
        if (store_device_tags_set(s, d.id, after, n_after, err) < 0)
                goto out;
        json_t *tags = json_array();
        for (size_t i = 0; i < n_after; i++)
                json_array_append_new(tags, json_string(after[i]));
        details = json_pack("{s:o, s:o, s:b}", "tags", tags, "previous", strv_to_json(before, n_before), "bulk", 1);
        if (audit_append(s, a, "device.tags.set", object, details, err) < 0)
                goto out;
        *changed = true;
        rc = 0;
out:
        store_strv_free(before, n_before);
        return rc;
}

int director_devices_tags_bulk(struct store *s, const struct audit_actor *a, json_t *body, json_t **out,
                               struct error *err) {
        *out = NULL;
        if (cr_json_check_object("request body", body, bulk_fields, ELEMENTSOF(bulk_fields), err) < 0)
                return -1;
        json_t *add = json_object_get(body, "add"), *remove = json_object_get(body, "remove");
        json_t *devices = json_object_get(body, "devices");
        size_t i;
        json_t *v;
        if ((add && check_list("add", add, false, err) < 0) || (remove && check_list("remove", remove, false, err) < 0))
                return -1;
        if (json_array_size(add) + json_array_size(remove) == 0)
                return error_set(err, ERROR_INVALID, "request body: give at least one tag in 'add' or 'remove'");
        json_array_foreach(add, i, v)
                if (json_list_has(remove, json_string_value(v)))
                        return error_set(err, ERROR_INVALID, "tag '%s' is in both 'add' and 'remove'",
                                         json_string_value(v));
        if (json_array_size(devices) == 0)
                return error_set(err, ERROR_INVALID, "field 'devices': name at least one device serial");
        if (check_list("devices", devices, true, err) < 0)
                return -1;

        _cleanup_json_ json_t *changed = json_array();
        size_t unchanged = 0;
        if (store_tx_begin(s, err) < 0)
                return -1;
        json_array_foreach(devices, i, v) {
                bool did;
                if (tag_one(s, a, json_string_value(v), add, remove, &did, err) < 0) {
                        store_tx_rollback(s);
                        return -1;
                }
                if (did)
                        json_array_append_new(changed, json_string(json_string_value(v)));
                else
                        unchanged++;
        }
        if (store_tx_commit(s, err) < 0)
                return -1;
        *out = json_pack("{s:I, s:O, s:I}", "devices", (json_int_t) json_array_size(devices), "changed", changed,
                         "unchanged", (json_int_t) unchanged);
        return 0;
}

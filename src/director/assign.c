/* SPDX-License-Identifier: Apache-2.0 */
/* Assignments of releases to devices (by serial or tag), and device tags. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "audit/audit.h"
#include "core/cleanup.h"
#include "core/json.h"
#include "core/strutil.h"
#include "core/time.h"
#include "director/action.h"
#include "director/assign.h"
#include "director/internal.h"
#include "pki/issue.h"

int director_tag_check(const char *what, const char *tag, struct error *err) {
        size_t n = tag ? strlen(tag) : 0;
        if (n == 0 || n > DIRECTOR_TAG_LEN_MAX)
                return error_set(err, ERROR_INVALID, "%s: a tag is 1..%d characters of [a-z0-9._-]", what,
                                 DIRECTOR_TAG_LEN_MAX);
        for (size_t i = 0; i < n; i++) {
                char c = tag[i];
                if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-')) {
                        char safe[80];
                        str_sanitize(tag, n, safe, sizeof(safe));
                        return error_set(err, ERROR_INVALID,
                                         "%s: '%s' is not a tag (1..%d characters of [a-z0-9._-])", what, safe,
                                         DIRECTOR_TAG_LEN_MAX);
                }
        }
        return 0;
}

static const struct cr_json_field assign_fields[] = {
        { .name = "release_id", .type = CR_JSON_INTEGER, .required = true },
        { .name = "devices", .type = CR_JSON_STRING_ARRAY, .max_len = DIRECTOR_ASSIGN_SERIALS_MAX },
        { .name = "tag", .type = CR_JSON_STRING, .max_len = 4 * DIRECTOR_TAG_LEN_MAX },
};

/* The devices an assignment names, loaded (in request order, or by id for a tag). */
struct targets_list {
        struct store_device *devices;
        size_t n;
};

static void targets_list_clear(struct targets_list *l) {
        for (size_t i = 0; i < l->n; i++)
                store_device_clear(&l->devices[i]);
        free(l->devices);
        memset(l, 0, sizeof(*l));
}

static int resolve_serials(struct store *s, json_t *serials, struct targets_list *l, struct error *err) {
        size_t i, n = json_array_size(serials);
        json_t *v;
        if (n == 0)
                return error_set(err, ERROR_INVALID, "field 'devices': name at least one device serial");
        json_array_foreach(serials, i, v) {
                char what[48];
                snprintf(what, sizeof(what), "field 'devices' element %zu", i);
                if (pki_name_check(what, json_string_value(v), err) < 0)
                        return -1;
                for (size_t k = 0; k < i; k++)
                        if (str_eq(json_string_value(json_array_get(serials, k)), json_string_value(v)))
                                return error_set(err, ERROR_INVALID, "field 'devices': serial '%s' is given twice",
                                                 json_string_value(v));
        }
        l->devices = xcalloc(n, sizeof(*l->devices));
        json_array_foreach(serials, i, v) {
                if (store_device_get_by_serial(s, json_string_value(v), &l->devices[i], err) < 0)
                        return -1;
                l->n = i + 1;
        }
        return 0;
}

static int resolve_tag(struct store *s, const char *tag, struct targets_list *l, struct error *err) {
        _cleanup_free_ int64_t *ids = NULL;
        size_t n;
        if (director_tag_check("field 'tag'", tag, err) < 0 ||
            store_devices_with_tag(s, tag, DIRECTOR_ASSIGN_MAX, &ids, &n, err) < 0)
                return -1;
        if (n == 0)
                return error_set(err, ERROR_NOT_FOUND, "no device has tag '%s'", tag);
        if (n > DIRECTOR_ASSIGN_MAX)
                return error_set(err, ERROR_CONFLICT,
                                 "tag '%s' names more than %d devices; one assignment covers at most %d", tag,
                                 DIRECTOR_ASSIGN_MAX, DIRECTOR_ASSIGN_MAX);
        l->devices = xcalloc(n, sizeof(*l->devices));
        for (size_t i = 0; i < n; i++) {
                if (store_device_get(s, ids[i], &l->devices[i], err) < 0)
                        return -1;
                l->n = i + 1;
        }
        return 0;
}

int director_assign(struct store *s, const struct audit_actor *a, json_t *body, json_t **out, struct error *err) {
        _cleanup_release_ struct director_release rel = {0};
        __attribute__((cleanup(targets_list_clear))) struct targets_list list = {0};
        *out = NULL;
        if (cr_json_check_object("request body", body, assign_fields, ELEMENTSOF(assign_fields), err) < 0)
                return -1;
        json_t *serials = json_object_get(body, "devices");
        const char *tag = cr_json_get_string(body, "tag");
        json_int_t release_id = json_integer_value(json_object_get(body, "release_id"));
        if (release_id < 1)
                return error_set(err, ERROR_INVALID, "field 'release_id': expected a positive integer");
        if ((serials != NULL) == (tag != NULL))
                return error_set(err, ERROR_INVALID,
                                 "request body: give either 'devices' (a list of serials) or 'tag', not %s",
                                 serials ? "both" : "neither");
        if (director_release_load(s, release_id, &rel, err) < 0)
                return -1;
        if (!director_release_offered(&rel))
                return error_set(err, ERROR_CONFLICT,
                                 "release %lld (%s) is %s; only a published release can be assigned",
                                 (long long) rel.id, rel.version, rel.status ? rel.status : "in an unknown state");

        int64_t now = time_now();
        _cleanup_json_ json_t *assigned = json_array();
        if (store_tx_begin(s, err) < 0)
                return -1;
        if ((serials ? resolve_serials(s, serials, &list, err) : resolve_tag(s, tag, &list, err)) < 0)
                goto fail;
        for (size_t i = 0; i < list.n; i++)
                if (director_release_check_device(&rel, &list.devices[i], err) < 0)
                        goto fail;
        /* An encrypted release needs a key to wrap its content keys to: a
         * device without a usable one is named here, not at its first poll. */
        if (director_release_encrypted(&rel))
                for (size_t i = 0; i < list.n; i++) {
                        gnutls_pubkey_t pub = NULL;
                        char fp[SHA256_HEX_LEN];
                        if (director_device_wrap_key(s, &list.devices[i], &pub, fp, err) < 0)
                                goto fail;
                        gnutls_pubkey_deinit(pub);
                }
        for (size_t i = 0; i < list.n; i++) {
                const struct store_device *d = &list.devices[i];
                int64_t action_id;
                if (director_action_open(s, a->name, d->id, rel.id, 0, tag, now, &action_id, err) < 0)
                        goto fail;
                char object[96];
                snprintf(object, sizeof(object), "device:%s", d->serial);
                _cleanup_json_ json_t *details = json_pack(
                        "{s:I, s:s, s:s, s:o, s:o, s:o, s:I}", "release_id", (json_int_t) rel.id, "release",
                        rel.version, "product", rel.product_model, "tag", director_str_json(tag),
                        "previous_release_id",
                        d->assigned_release_id ? json_integer(d->assigned_release_id) : json_null(),
                        "hardware_revision", director_str_json(d->hardware_revision), "action_id",
                        (json_int_t) action_id);
                if (audit_append(s, a, "device.assign", object, details, err) < 0)
                        goto fail;
                json_array_append_new(assigned, json_string(d->serial));
        }
        if (store_tx_commit(s, err) < 0)
                return -1;
        *out = json_pack("{s:I, s:s, s:s, s:o, s:O}", "release_id", (json_int_t) rel.id, "release", rel.version,
                         "product", rel.product_model, "tag", director_str_json(tag), "devices", assigned);
        return 0;
fail:
        store_tx_rollback(s);
        return -1;
}

static const struct cr_json_field tags_fields[] = {
        { .name = "tags", .type = CR_JSON_STRING_ARRAY, .required = true, .max_len = DIRECTOR_TAGS_MAX },
};

static json_t *strv_json(char **v, size_t n) {
        json_t *a = json_array();
        for (size_t i = 0; i < n; i++)
                json_array_append_new(a, json_string(v[i]));
        return a;
}

int director_device_tags_set(struct store *s, const struct audit_actor *a, const char *serial, json_t *body,
                             json_t **out, struct error *err) {
        _cleanup_director_device_ struct store_device d = {0};
        _cleanup_json_ json_t *details = NULL;
        char object[96];
        char **before = NULL, **after = NULL;
        size_t n_before = 0, n_after = 0;
        size_t i;
        json_t *v;
        *out = NULL;
        if (cr_json_check_object("request body", body, tags_fields, ELEMENTSOF(tags_fields), err) < 0)
                return -1;
        json_t *tags = json_object_get(body, "tags");
        size_t n = json_array_size(tags);
        const char **list = xcalloc(n ? n : 1, sizeof(*list));
        json_array_foreach(tags, i, v) {
                char what[48];
                snprintf(what, sizeof(what), "field 'tags' element %zu", i);
                list[i] = json_string_value(v);
                if (director_tag_check(what, list[i], err) < 0)
                        goto out;
                for (size_t k = 0; k < i; k++)
                        if (str_eq(list[k], list[i])) {
                                error_set(err, ERROR_INVALID, "field 'tags': tag '%s' is given twice", list[i]);
                                goto out;
                        }
        }
        if (!serial || !*serial) {
                error_set(err, ERROR_INVALID, "device serial: is required");
                goto out;
        }
        if (store_tx_begin(s, err) < 0)
                goto out;
        if (store_device_get_by_serial(s, serial, &d, err) < 0 ||
            store_device_tags_get(s, d.id, &before, &n_before, err) < 0 ||
            store_device_tags_set(s, d.id, list, n, err) < 0 ||
            store_device_tags_get(s, d.id, &after, &n_after, err) < 0)
                goto fail;
        snprintf(object, sizeof(object), "device:%s", d.serial);
        details = json_pack("{s:o, s:o}", "tags", strv_json(after, n_after), "previous", strv_json(before, n_before));
        if (audit_append(s, a, "device.tags.set", object, details, err) < 0)
                goto fail;
        if (store_tx_commit(s, err) < 0)
                goto out;
        *out = json_pack("{s:s, s:o}", "serial", d.serial, "tags", strv_json(after, n_after));
        goto out;
fail:
        store_tx_rollback(s);
out:
        free(list);
        store_strv_free(before, n_before);
        store_strv_free(after, n_after);
        return *out ? 0 : -1;
}

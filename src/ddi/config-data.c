/* SPDX-License-Identifier: Apache-2.0 */
/*
 * configData: the attributes a device tells about itself (PUT at every
 * suricatta start). Data minimisation: only keys on [ddi] config_data_allow
 * are kept; the others are answered as "ignored" and never stored. Modes as
 * hawkBit's: merge (default) adds and overwrites, replace drops the keys not
 * sent, remove deletes the keys sent. Quotas: at most config_keys_max keys
 * per device (and per request), keys of 1..config_key_max bytes of visible
 * ASCII, values strings of at most config_value_max bytes, stored with
 * control characters escaped.
 */
#include <stdio.h>
#include <string.h>
#include "audit/audit.h"
#include "core/cleanup.h"
#include "core/json.h"
#include "core/strutil.h"
#include "core/time.h"
#include "ddi/ddi.h"
#include "store/store-ddi.h"
#include "store/store-identity.h"

bool ddi_config_allowed(const char *allow, const char *key) {
        size_t klen = strlen(key);
        for (const char *p = allow ? allow : ""; *p;) {
                while (*p == ' ' || *p == ',')
                        p++;
                const char *end = p;
                while (*end && *end != ',')
                        end++;
                size_t len = (size_t) (end - p);
                while (len > 0 && p[len - 1] == ' ')
                        len--;
                if (len == klen && len > 0 && memcmp(p, key, len) == 0)
                        return true;
                p = end;
        }
        return false;
}

int ddi_config_check(json_t *doc, const struct ddi_config *cfg, struct ddi_config_doc *out, struct error *err) {
        struct ddi_config dflt;
        if (!cfg) {
                ddi_config_defaults(&dflt);
                cfg = &dflt;
        }
        memset(out, 0, sizeof(*out));
        if (!json_is_object(doc))
                return error_set(err, ERROR_INVALID, "configData: must be a JSON object");
        json_t *mode = json_object_get(doc, "mode");
        out->mode = DDI_CONFIG_MERGE;
        if (mode && !json_is_null(mode)) {
                const char *m = json_string_value(mode);
                if (str_eq(m, "merge"))
                        out->mode = DDI_CONFIG_MERGE;
                else if (str_eq(m, "replace"))
                        out->mode = DDI_CONFIG_REPLACE;
                else if (str_eq(m, "remove"))
                        out->mode = DDI_CONFIG_REMOVE;
                else
                        return error_set(err, ERROR_INVALID, "field 'mode': expected merge, replace or remove");
        }
        json_t *data = json_object_get(doc, "data");
        if (!json_is_object(data))
                return error_set(err, ERROR_INVALID, "field 'data': %s", data ? "expected an object" : "is required");
        if ((int64_t) json_object_size(data) > cfg->config_keys_max)
                return error_set(err, ERROR_TOO_LARGE, "field 'data': %zu keys; at most %lld ([ddi] config_keys_max)",
                                 json_object_size(data), (long long) cfg->config_keys_max);
        const char *key;
        json_t *v;
        json_object_foreach(data, key, v) {
                char safe[48];
                size_t klen = strlen(key);
                str_sanitize(key, klen, safe, sizeof(safe));
                if (klen == 0 || (int64_t) klen > cfg->config_key_max)
                        return error_set(err, klen ? ERROR_TOO_LARGE : ERROR_INVALID,
                                         "field 'data': key '%s' is %zu bytes; keys are 1..%lld bytes", safe, klen,
                                         (long long) cfg->config_key_max);
                for (size_t i = 0; i < klen; i++)
                        if ((unsigned char) key[i] <= 0x20 || (unsigned char) key[i] >= 0x7f)
                                return error_set(err, ERROR_INVALID,
                                                 "field 'data': key '%s' is not visible ASCII without spaces", safe);
                if (!json_is_string(v))
                        return error_set(err, ERROR_INVALID, "field 'data.%s': expected a string", safe);
                if ((int64_t) json_string_length(v) > cfg->config_value_max)
                        return error_set(err, ERROR_TOO_LARGE, "field 'data.%s': %zu bytes; at most %lld ([ddi] "
                                         "config_value_max)", safe, json_string_length(v),
                                         (long long) cfg->config_value_max);
        }
        out->data = data;
        return 0;
}

int ddi_config_data(struct ddi_ctx *c, const struct store_device *d, const char *body, size_t len, json_t **out,
                    struct error *err) {
        struct ddi_config dflt;
        const struct ddi_config *cfg = c->cfg;
        if (!cfg) {
                ddi_config_defaults(&dflt);
                cfg = &dflt;
        }
        struct store *s = c->store;
        *out = NULL;
        _cleanup_json_ json_t *doc = ddi_json_parse("configData", body, len, err);
        if (!doc)
                return -1;
        struct ddi_config_doc cd;
        if (ddi_config_check(doc, cfg, &cd, err) < 0)
                return -1;
        int64_t now = c->now ? c->now : time_now();
        _cleanup_json_ json_t *stored = json_array(), *ignored = json_array(), *removed = json_array();
        _cleanup_json_ json_t *details = NULL;
        struct store_ddi_attr *attrs = NULL;
        size_t n_attrs = 0;
        if (store_tx_begin(s, err) < 0)
                return -1;
        if (cd.mode == DDI_CONFIG_REPLACE && store_ddi_config_clear(s, d->id, err) < 0)
                goto fail;
        const char *key;
        json_t *v;
        json_object_foreach(cd.data, key, v) {
                if (!ddi_config_allowed(cfg->config_allow, key)) {
                        json_array_append_new(ignored, json_string(key));
                        continue;
                }
                if (cd.mode == DDI_CONFIG_REMOVE) {
                        if (store_ddi_config_delete(s, d->id, key, err) < 0)
                                goto fail;
                        json_array_append_new(removed, json_string(key));
                        continue;
                }
                _cleanup_free_ char *value = ddi_text_escape(json_string_value(v), 0);
                if ((int64_t) strlen(value) > cfg->config_value_max) {
                        error_set(err, ERROR_TOO_LARGE, "field 'data.%.48s': %zu bytes once control characters are "
                                  "escaped; at most %lld", key, strlen(value), (long long) cfg->config_value_max);
                        goto fail;
                }
                if (store_ddi_config_put(s, d->id, key, value, now, err) < 0)
                        goto fail;
                json_array_append_new(stored, json_string(key));
        }
        if (store_ddi_config_list(s, d->id, &attrs, &n_attrs, err) < 0)
                goto fail;
        store_ddi_config_free(attrs, n_attrs);
        if ((int64_t) n_attrs > cfg->config_keys_max) {
                error_set(err, ERROR_TOO_LARGE, "configData of device %s would hold %zu keys; at most %lld ([ddi] "
                          "config_keys_max)", d->serial, n_attrs, (long long) cfg->config_keys_max);
                goto fail;
        }
        char actor_name[96], object[96];
        snprintf(actor_name, sizeof(actor_name), "device:%s", d->serial);
        snprintf(object, sizeof(object), "device:%s", d->serial);
        const struct audit_actor actor = { .name = actor_name, .role = "device" };
        static const char *const modes[] = { "merge", "replace", "remove" };
        /* Keys only: the values are the device's, kept in their table. */
        details = json_pack("{s:s, s:O, s:O, s:O}", "mode", modes[cd.mode], "stored", stored,
                                                   "removed", removed, "ignored", ignored);
        if (audit_append(s, &actor, "device.config-data", object, details, err) < 0)
                goto fail;
        if (store_tx_commit(s, err) < 0)
                return -1;
        *out = json_pack("{s:O, s:O, s:O}", "stored", stored, "removed", removed, "ignored", ignored);
        return 0;
fail:
        store_tx_rollback(s);
        return -1;
}

int ddi_config_data_get(struct store *s, const char *serial, json_t **out, struct error *err) {
        struct store_device d = {0};
        struct store_ddi_attr *attrs = NULL;
        size_t n = 0;
        *out = NULL;
        if (store_device_get_by_serial(s, serial, &d, err) < 0)
                return -1;
        if (store_ddi_config_list(s, d.id, &attrs, &n, err) < 0) {
                store_device_clear(&d);
                return -1;
        }
        json_t *obj = json_object();
        int64_t latest = 0;
        for (size_t i = 0; i < n; i++) {
                json_object_set_new(obj, attrs[i].key, json_string(attrs[i].value));
                if (attrs[i].updated_at > latest)
                        latest = attrs[i].updated_at;
        }
        char when[TIME_RFC3339_LEN];
        if (latest)
                time_format_rfc3339(latest, when);
        *out = json_pack("{s:s, s:o, s:o}", "serial", d.serial, "attributes", obj, "updated_at",
                         latest ? json_string(when) : json_null());
        store_device_clear(&d);
        store_ddi_config_free(attrs, n);
        return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* Releases as the director reads them, their fit to a device, and shared helpers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/cleanup.h"
#include "core/json.h"
#include "core/strutil.h"
#include "core/time.h"
#include "crypto/encoding.h"
#include "director/internal.h"
#include "store/store-release.h"

int64_t director_now(const struct director_ctx *dc) {
        return dc && dc->now ? dc->now : time_now();
}

json_t *director_time_json(int64_t t) {
        if (t == 0)
                return json_null();
        char buf[TIME_RFC3339_LEN];
        time_format_rfc3339(t, buf);
        return json_string(buf);
}

json_t *director_str_json(const char *s) {
        return s ? json_string(s) : json_null();
}

void director_device_actor(const char *serial, char *name_buf, size_t size, struct audit_actor *out) {
        snprintf(name_buf, size, "device:%s", serial);
        *out = (struct audit_actor) {.name = name_buf, .role = "device"}; /* no user: a device */
}

static inline void store_release_clearp(struct store_release *r) { store_release_clear(r); }

int director_release_load(struct store *s, int64_t id, struct director_release *out, struct error *err) {
        __attribute__((cleanup(store_release_clearp))) struct store_release row = {0};
        struct store_release_image *images = NULL;
        size_t n_images = 0;
        struct error e = {0};
        memset(out, 0, sizeof(*out));
        if (store_release_get(s, id, &row, err) < 0 || store_release_images(s, id, &images, &n_images, err) < 0)
                return -1;
        json_t *hw = cr_json_parse("hardware_revisions", row.hardware_revisions ? row.hardware_revisions : "",
                                   row.hardware_revisions ? strlen(row.hardware_revisions) : 0, 64 * 1024, 4, &e);
        if (!hw || !json_is_array(hw)) {
                json_decref(hw);
                store_release_images_free(images, n_images);
                return error_set(err, ERROR_DB, "release %lld: hardware_revisions is not a JSON array: %s",
                                 (long long) id, e.msg);
        }
        out->id = row.id;
        out->product_id = row.product_id;
        out->product_model = steal_ptr(row.product_model);
        out->version = steal_ptr(row.version);
        out->security_version = row.security_version;
        out->hardware_revisions = hw;
        out->status = str_dup(store_release_status_name(row.status));
        out->images = xcalloc(n_images ? n_images : 1, sizeof(*out->images));
        for (size_t i = 0; i < n_images; i++) {
                struct director_image *im = &out->images[i];
                im->name = steal_ptr(images[i].name);
                im->length = images[i].length;
                out->n_images = i + 1;
                if (hex_decode(images[i].sha256, im->sha256, sizeof(im->sha256), &e) < 0) {
                        error_set(err, ERROR_DB, "release %lld: image %s has a bad sha256", (long long) id,
                                  im->name ? im->name : "?");
                        store_release_images_free(images, n_images);
                        director_release_clear(out);
                        return -1;
                }
                bool found = false;
                if (store_image_encryption_get(s, images[i].sha256, &im->enc, &found, err) < 0) {
                        store_release_images_free(images, n_images);
                        director_release_clear(out);
                        return -1;
                }
                im->encrypted = found;
        }
        store_release_images_free(images, n_images);
        return 0;
}

void director_release_clear(struct director_release *r) {
        if (!r)
                return;
        free(r->product_model);
        free(r->version);
        json_decref(r->hardware_revisions);
        free(r->status);
        for (size_t i = 0; i < r->n_images; i++) {
                free(r->images[i].name);
                store_image_encryption_clear(&r->images[i].enc);
        }
        free(r->images);
        memset(r, 0, sizeof(*r));
}

bool director_release_offered(const struct director_release *r) {
        return str_eq(r->status, "published");
}

static bool release_has_revision(const struct director_release *r, const char *rev) {
        size_t i;
        json_t *v;
        if (!rev)
                return false;
        json_array_foreach(r->hardware_revisions, i, v)
                if (str_eq(json_string_value(v), rev))
                        return true;
        return false;
}

int director_release_check_device(const struct director_release *r, const struct store_device *d,
                                  struct error *err) {
        if (d->status == STORE_DEVICE_DECOMMISSIONED)
                return error_set(err, ERROR_CONFLICT, "device %s is decommissioned", d->serial);
        if (d->product_id != r->product_id)
                return error_set(err, ERROR_CONFLICT, "device %s is a %s; release %lld (%s) is for %s", d->serial,
                                 d->product_model, (long long) r->id, r->version, r->product_model);
        if (!release_has_revision(r, d->hardware_revision)) {
                _cleanup_free_ char *list = NULL;
                struct buf b = {0};
                size_t i;
                json_t *v;
                json_array_foreach(r->hardware_revisions, i, v)
                        buf_appendf(&b, "%s%s", i ? ", " : "", json_string_value(v) ? json_string_value(v) : "?");
                list = buf_steal(&b);
                return error_set(err, ERROR_CONFLICT,
                                 "device %s has hardware revision %s; release %lld (%s) supports %s", d->serial,
                                 d->hardware_revision ? d->hardware_revision : "(none recorded)",
                                 (long long) r->id, r->version, list && *list ? list : "none");
        }
        return 0;
}

char *director_hardware_id(const struct store_device *d) {
        return str_printf("%s/%s", d->product_model, d->hardware_revision ? d->hardware_revision : "");
}

char *director_target_path(const struct director_release *r, const struct director_image *im) {
        return str_printf("%s/%s", r->version, im->name);
}

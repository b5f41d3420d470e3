/* SPDX-License-Identifier: Apache-2.0 */
/* What a device is offered right now (see offer.h). */
#include <stdlib.h>
#include <string.h>
#include "core/cleanup.h"
#include "core/strutil.h"
#include "crypto/encoding.h"
#include "director/action.h"
#include "director/internal.h"
#include "director/offer.h"

static inline void action_clearp(struct store_update_action *r) { store_update_action_clear(r); }

void director_offer_clear(struct director_offer *o) {
        if (!o)
                return;
        free(o->status);
        free(o->version);
        free(o->product_model);
        for (size_t i = 0; i < o->n_images; i++)
                free(o->images[i].name);
        free(o->images);
        memset(o, 0, sizeof(*o));
}

static int offer_fill(struct store *s, const struct store_device *d, struct store_update_action *act,
                      struct director_offer *out, struct error *err) {
        _cleanup_release_ struct director_release rel = {0};
        if (director_release_load(s, act->release_id, &rel, err) < 0)
                return -1;
        out->action_id = act->id;
        out->status = steal_ptr(act->status);
        out->release_id = rel.id;
        out->version = steal_ptr(rel.version);
        out->security_version = rel.security_version;
        out->product_model = steal_ptr(rel.product_model);
        out->images = xcalloc(rel.n_images ? rel.n_images : 1, sizeof(*out->images));
        for (size_t i = 0; i < rel.n_images; i++) {
                out->images[i].name = str_dup(rel.images[i].name);
                out->images[i].length = rel.images[i].length;
                hex_encode(rel.images[i].sha256, SHA256_LEN, out->images[i].sha256);
                out->n_images = i + 1;
        }
        out->encrypted = director_release_encrypted(&rel);
        out->offered = str_eq(out->status, DIRECTOR_ACTION_OPEN) && director_release_offered(&rel) &&
                       director_release_check_device(&rel, d, NULL) == 0;
        return 0;
}

int director_offer_active(struct store *s, const struct store_device *d, struct director_offer *out, struct error *err) {
        __attribute__((cleanup(action_clearp))) struct store_update_action act = {0};
        bool found;
        memset(out, 0, sizeof(*out));
        if (store_update_action_active(s, d->id, &act, &found, err) < 0)
                return -1;
        return found ? offer_fill(s, d, &act, out, err) : 0;
}

int director_offer_action(struct store *s, const struct store_device *d, int64_t action_id, struct director_offer *out,
                          struct error *err) {
        __attribute__((cleanup(action_clearp))) struct store_update_action act = {0};
        bool found;
        memset(out, 0, sizeof(*out));
        if (store_update_action_get(s, action_id, &act, &found, err) < 0)
                return -1;
        if (!found || act.device_id != d->id)
                return error_set(err, ERROR_NOT_FOUND, "this device has no update action %lld",
                                 (long long) action_id);
        return offer_fill(s, d, &act, out, err);
}

int director_offer_installed(struct store *s, const struct store_device *d, struct director_offer *out, struct error *err) {
        __attribute__((cleanup(action_clearp))) struct store_update_action act = {0};
        bool found;
        memset(out, 0, sizeof(*out));
        if (store_update_action_last_succeeded(s, d->id, &act, &found, err) < 0)
                return -1;
        return found ? offer_fill(s, d, &act, out, err) : 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * What a device is offered right now, for callers outside the director
 * (hawkBit DDI): its active update action and that action's release with its
 * images. The rule is the director's own (targets.c): the release is offered
 * only while it is published (its M-of-N signed publication happened and it
 * was not withdrawn) and while it fits the device's product and hardware
 * revision. An action that is "canceling" is reported as such, never offered.
 */
#include <stdbool.h>
#include <stdint.h>
#include "crypto/hash.h"
#include "store/store.h"

struct store_device;

struct director_offer_image {
        char *name;
        int64_t length;
        char sha256[SHA256_HEX_LEN];
};

struct director_offer {
        int64_t action_id;           /* 0 = no action (none of the fields below is set) */
        char *status;                /* "open" "canceling" (active) or a closed status */
        bool offered;                /* open, and the release may be installed by this device */
        bool encrypted;              /* an image is encrypted: only cradle-agent can take it (DDI cannot) */
        int64_t release_id;
        char *version;
        int64_t security_version;
        char *product_model;
        struct director_offer_image *images;
        size_t n_images;
};

void director_offer_clear(struct director_offer *o);

/* The device's active action (open or canceling). */
int director_offer_active(struct store *s, const struct store_device *d, struct director_offer *out, struct error *err);
/* Action `action_id`, whatever its status, when it is the device's
 * (ERROR_NOT_FOUND "device X has no update action N" otherwise, so another
 * device's action is indistinguishable from a missing one). */
int director_offer_action(struct store *s, const struct store_device *d, int64_t action_id, struct director_offer *out,
                          struct error *err);
/* The device's newest succeeded action; action_id 0 when none. */
int director_offer_installed(struct store *s, const struct store_device *d, struct director_offer *out, struct error *err);

/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * Assignments (which release a device must run) and device tags.
 *
 * Assign body: {"release_id": N, "devices": ["SERIAL", ...]}  (1..1000 serials)
 *          or  {"release_id": N, "tag": "TAG"}
 * The release must be published (not draft, signed or withdrawn); every device
 * must exist, be active, be of the release's product and have one of its
 * hardware revisions. One refusal refuses the whole request (409 naming the
 * device and why; 404 for an unknown serial or a tag no device carries).
 * A tag is resolved when the assignment is made (at most DIRECTOR_ASSIGN_MAX
 * devices); a device tagged later is not assigned by it. A device has one
 * assignment; a new one replaces it. Each device's assignment is audited
 * (device.assign, object device:<serial>).
 * Out: {"release_id", "release": version, "product", "tag"|null, "devices": [serials]}
 *
 * Tags body: {"tags": ["tag", ...]} replaces the device's tags (0..32 tags,
 * each [a-z0-9._-]{1,32}, no duplicates). Audited device.tags.set.
 * Out: {"serial", "tags": [...]} (sorted)
 */
#include <jansson.h>
#include "audit/audit.h"
#include "store/store.h"

#define DIRECTOR_ASSIGN_SERIALS_MAX 1000
#define DIRECTOR_ASSIGN_MAX 10000
#define DIRECTOR_TAGS_MAX 32
#define DIRECTOR_TAG_LEN_MAX 32

int director_assign(struct store *s, const struct audit_actor *a, json_t *body, json_t **out, struct error *err);
int director_device_tags_set(struct store *s, const struct audit_actor *a, const char *serial, json_t *body,
                             json_t **out, struct error *err);
/* 0 when `tag` is a valid tag, else ERROR_INVALID naming `what`. */
int director_tag_check(const char *what, const char *tag, struct error *err);

/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * Tagging many devices at once (POST /api/v1/devices/tags; `cradle device
 * tag --add/--remove`, which streams a serial file in chunks of this size).
 *
 * Body: {"add": ["tag", ...], "remove": ["tag", ...], "devices": ["SERIAL", ...]}
 *   - add and remove: 0..DIRECTOR_TAGS_MAX tags each (as assign.h's tags), at
 *     least one tag in all, none in both, none twice;
 *   - devices: 1..DIRECTOR_TAGS_BULK_MAX serials, none twice.
 * Each device's tags become (its tags + add) - remove. A device's other
 * tags are kept, so the same request may be sent again (after a chunk
 * failed halfway through a file, say) with the same outcome.
 *
 * One transaction for the whole request: an unknown serial (404) or a
 * device that would carry more than DIRECTOR_TAGS_MAX tags (409) refuses all
 * of it, naming the device. Audit: one entry per device whose tags changed,
 * as a single-device change is (device.tags.set, object device:<serial>,
 * details {"tags", "previous", "bulk": true}), so a device's audit trail
 * (`cradle audit list --object device:SERIAL`) holds every change to it; a
 * device whose tags stay as they were gets none.
 * Out: {"devices": N, "changed": ["SERIAL", ...], "unchanged": N}
 */
#include <jansson.h>
#include "audit/audit.h"
#include "store/store.h"

#define DIRECTOR_TAGS_BULK_MAX 1000

int director_devices_tags_bulk(struct store *s, const struct audit_actor *a, json_t *body, json_t **out,
                               struct error *err);

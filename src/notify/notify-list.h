/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * The notification list of a case (CRA Art. 14(8): inform the impacted users
 * of the vulnerability and of the corrective measures): the owners of the
 * devices the case impacts, grouped by owner reference and product, with the
 * number of their devices and the release that fixes them.
 *
 * Impacted devices are the active devices of the case's affected products
 * that run an affected version other than the fixing release's: every
 * version of a product listed whole, the listed releases' versions
 * otherwise. They are read through issue 9's exposure reads
 * (store_exposure_devices, a page at a time); a device's owner is its own
 * owner reference, else its batch's (notify/owner.h). Devices with neither
 * are counted in one group with owner_ref null, so the list says how many
 * impacted units the maker cannot reach this way.
 *
 * JSON: {"case", "title", "generated_at",
 *        "fixing_release": {"product", "version"}|null,
 *        "groups": [{"owner_ref"|null, "product", "devices", "fixing_release"|null}],
 *        "devices_total", "devices_without_owner"}
 * groups are ordered by owner reference (null last), then product model.
 *
 * Publication (`case publish`) calls notify_list_queue after publishing an
 * advisory when the operator asks for the list to be sent.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "audit/audit.h"
#include "core/error.h"
#include "store/store.h"

/* The list; ERROR_NOT_FOUND for an unknown case. Reads only. */
int notify_list_build(struct store *s, const char *case_ref, int64_t now, json_t **out, struct error *err);

/* The list as CSV (RFC 4180, formula-safe; notify/csv.h): a header row
 * "owner_ref,product,devices,fixing_release", then one row per group. */
char *notify_list_csv(const json_t *list);

/* Queues the list for the [cases] webhook as event "case.notify_list" (body:
 * the list with "event" added), records a timeline entry "notify_list" and
 * the audit entry "case.notify-list.sent", in one transaction. webhook says
 * whether a webhook is configured: ERROR_CONFLICT when it is not (nothing
 * would ever deliver it). *out (may be NULL) gets the list. */
int notify_list_queue(struct store *s, const struct audit_actor *a, const char *case_ref, bool webhook, int64_t now,
                      json_t **out, struct error *err);

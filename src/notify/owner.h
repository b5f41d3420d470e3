/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * Owner references (CRA Art. 14(8), docs/reporting.md "Informing users"): an
 * optional contact reference on a device or a batch -- a customer id or an
 * operator account in the maker's own systems -- from which the notification
 * list of a case is grouped. It is a key into those systems, not personal
 * data: 1..NOTIFY_OWNER_REF_MAX characters of [A-Za-z0-9._:-], so an e-mail
 * address ('@'), a name (a space) or a postal address cannot be stored by
 * accident. A device's own reference wins over its batch's.
 */
#include <stdint.h>

#include "audit/audit.h"
#include "core/error.h"
#include "store/store.h"

#define NOTIFY_OWNER_REF_MAX 64

/* 0 when ref is a valid owner reference, else ERROR_INVALID naming what is wrong. */
int notify_owner_ref_check(const char *ref, struct error *err);

/* Sets (ref) or clears (NULL) a device's owner reference. ERROR_NOT_FOUND for
 * an unknown serial. Audited "device.owner.set", object "device:<serial>". */
int notify_owner_device_set(struct store *s, const struct audit_actor *a, const char *serial, const char *ref,
                            struct error *err);
/* The same for a batch: audited "batch.owner.set", object "batch:<id>". */
int notify_owner_batch_set(struct store *s, const struct audit_actor *a, int64_t batch_id, const char *ref,
                           struct error *err);

/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * Informing users and end of support (issue 10 section 6, migration 18):
 * owner references of devices and batches, the end-of-support reminders that
 * fired, the webhook outbox of events other than the Art. 14 reminders, and
 * the SRP report drafts kept per case and stage.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "store/store.h"

/* ---- owner references (NULL clears) ---- */
/* *found = false when no device has that serial. old_ref (may be NULL) gets the previous value. */
int store_owner_device_set(struct store *s, const char *serial, const char *ref, char **old_ref, bool *found,
                           struct error *err);
/* The device's own reference (NULL when none); *found as above. */
int store_owner_device_get(struct store *s, const char *serial, char **ref, bool *found, struct error *err);
int store_owner_batch_set(struct store *s, int64_t batch_id, const char *ref, char **old_ref, bool *found,
                          struct error *err);
int store_owner_batch_get(struct store *s, int64_t batch_id, char **ref, bool *found, struct error *err);

/* ---- end-of-support reminders ---- */
/* Records a reminder unless it fired already: *inserted says whether it is new. */
int store_support_reminder_insert(struct store *s, int64_t product_id, const char *point, const char *support_end,
                                  int64_t fired_at, const char *body, bool *inserted, struct error *err);

/* ---- the webhook outbox ---- */
/* Queued for its first attempt at once (next_at 0), whatever clock `now` came from. */
int store_webhook_outbox_add(struct store *s, const char *event, const char *body, int64_t now, struct error *err);
struct store_webhook_item {
        int64_t id;
        char *event, *body;
        int64_t attempts;
};
/* Pending deliveries whose next attempt is due, oldest first. */
int store_webhook_outbox_due(struct store *s, int64_t now, int64_t limit, struct store_webhook_item **out,
                             size_t *n, struct error *err);
void store_webhook_items_free(struct store_webhook_item *l, size_t n);
/* state 'sent', 'pending' (next_at) or 'failed'; error may be NULL. */
int store_webhook_outbox_update(struct store *s, int64_t id, const char *state, int64_t attempts, int64_t next_at,
                                const char *error, struct error *err);
/* For tests and the docs: how many deliveries of `event` are in `state`. */
int store_webhook_outbox_count(struct store *s, const char *event, const char *state, int64_t *n,
                               struct error *err);

/* ---- SRP report drafts ---- */
int store_report_draft_put(struct store *s, int64_t case_id, const char *stage, const char *fields, int64_t now,
                           const char *by, struct error *err);
/* *fields NULL when there is no draft. */
int store_report_draft_get(struct store *s, int64_t case_id, const char *stage, char **fields, int64_t *updated_at,
                           char **updated_by, struct error *err);
/* Returns 1 when a draft was removed, 0 when there was none. */
int store_report_draft_delete(struct store *s, int64_t case_id, const char *stage, struct error *err);

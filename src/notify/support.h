/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * End of support (CRA Art. 13(19); docs/reporting.md "End of support"). The
 * support end date of every product is public: the document served at
 * /.well-known/cradle/support.json
 *   {"generated_at", "products": [{"model", "name", "manufacturer",
 *    "support_start", "support_end", "support_ended": bool}]}
 * ordered by model, with no internal ids. Reminders fire before each
 * product's support end, at the points of [support] remind (default
 * "12m,6m": twelve and six calendar months before), each once per product,
 * point and end date (a moved end date fires anew), as a security event
 * "product.support.reminder" and, when a webhook is configured, a delivery
 * of the same JSON through the [cases] webhook. A point fires from the day
 * it names until the support ends; a product whose support has ended gets
 * none.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "store/store.h"

#define NOTIFY_SUPPORT_POINTS_MAX 8
#define NOTIFY_SUPPORT_POINTS_DEFAULT "12m,6m"

struct notify_support_points {
        int months[NOTIFY_SUPPORT_POINTS_MAX]; /* 1..120, strictly descending */
        size_t n;
};

/* "12m,6m": months before the end, each 1..120 with the suffix 'm', in
 * descending order, at most NOTIFY_SUPPORT_POINTS_MAX; "" = none. Errors
 * name the item. */
int notify_support_points_parse(const char *text, struct notify_support_points *out, struct error *err);

/* The date `months` calendar months before the date "YYYY-MM-DD" (the day
 * clamped to the month's last), into out[11]. ERROR_INVALID for a bad date. */
int notify_support_date_minus_months(const char *date, int months, char out[11], struct error *err);

/* The public document (above). */
int notify_support_json(struct store *s, int64_t now, json_t **out, struct error *err);

/* Fires the reminders due at `now`; *fired counts the new ones. One
 * transaction per product: a failure leaves the others in place. */
int notify_support_reminders_evaluate(struct store *s, const struct notify_support_points *p, int64_t now,
                                      bool webhook, int64_t *fired, struct error *err);

/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * The thread that evaluates the Art. 14 reminders (case/reminder.h) every
 * [cases] reminder_interval, refreshes the cradle_case_clocks gauges of
 * /metrics, and delivers pending reminders to the optional outgoing webhook:
 * an HTTP POST of the reminder's JSON with
 *   X-Cradle-Signature: sha256=<hex HMAC-SHA256 of the body under the secret>
 * (the secret read from [cases] webhook_secret_file, never logged), retried
 * with exponential backoff (30 s doubling, at most 1 h) and given up after
 * CASE_WEBHOOK_ATTEMPTS_MAX attempts. Stops promptly on shutdown.
 *
 * The same pass fires the end-of-support reminders (notify/support.h) and
 * delivers the webhook outbox (end-of-support reminders, notification lists:
 * store/store-notify.h) with the same signature and retries; the header
 * X-Cradle-Event names the event.
 *
 * Test builds (CRADLE_FAULT_INJECTION) read "now" from the file named by
 * the environment variable CRADLE_TEST_CLOCK_FILE (epoch seconds) when it is
 * set: the time-shifted test moves the clock forward and watches the
 * reminders fire in order. Release builds have no such knob.
 */
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

#define CASE_WEBHOOK_ATTEMPTS_MAX 8

struct store_pool;
struct metrics;
struct case_reminders;

struct case_reminders_config {
        struct store_pool *pool;
        struct metrics *metrics;      /* may be NULL */
        unsigned interval_s;
        const char *points;           /* "50,80,overdue" */
        const char *webhook_url;      /* NULL or "": no webhook */
        const char *webhook_secret_file;
        const char *support_points;   /* [support] remind, "12m,6m" (notify/support.h); NULL = default */
};

int case_reminders_start(const struct case_reminders_config *cfg, struct case_reminders **out, struct error *err);
void case_reminders_stop(struct case_reminders *r);

/* The signature header's value for body under secret ("sha256=<64 hex>"). */
int case_webhook_sign(const uint8_t *secret, size_t secret_len, const char *body, size_t len, char out[72],
                      struct error *err);

/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * A campaign's plan (docs/campaigns.md, "Waves"): its waves, retries and
 * maintenance window, parsed from the create body and stored normalised
 * (every default filled in) as the campaign's "plan" JSON.
 *
 * Wave fields (all optional; defaults in brackets, security campaigns'
 * shorter soak and stuck-after in braces):
 *   "size": N devices or "P%" of the campaign's devices, CUMULATIVE: the
 *           number reached by the end of the wave. The last wave always
 *           takes every remaining device. [1% (at least 1), 10%, 50%, 100%]
 *   "soak": seconds the wave must keep its success threshold before it
 *           completes [3600; last wave 0] {300; last wave 0}
 *   "success_threshold": percent of the wave's devices that must have
 *           succeeded [95]
 *   "max_failures": N or "P%" of the wave: more failed devices (failures
 *           and rollbacks, counting those waiting to retry) pause the
 *           campaign [0 in the first wave, "5%" after]
 *   "stuck_after": seconds a device may stay in progress [3600] {1800}
 *   "max_stuck": N or "P%": more devices in progress past stuck_after
 *           pause the campaign [as max_failures]
 *   "gate": "auto" | "manual": what follows the wave's completion: the next
 *           wave starts, or waits for an approval ["auto"]
 * "retry": {"limit": 0..10 [1], "backoff": seconds [600]}: a failed device
 *           is offered again after backoff * 2^(attempt-1).
 * "window": {"start": "HH:MM", "end": "HH:MM"} UTC, may wrap midnight: no
 *           new offer is made outside it.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include "core/error.h"

#define CAMPAIGN_WAVES_MAX 20
#define CAMPAIGN_RETRY_LIMIT_MAX 10

/* A count or a percentage. */
struct campaign_amount {
        bool percent;
        int64_t value;
};

struct campaign_wave_plan {
        struct campaign_amount size;
        int64_t soak;
        int64_t success_threshold;      /* percent */
        struct campaign_amount max_failures;
        int64_t stuck_after;
        struct campaign_amount max_stuck;
        bool manual_gate;
};

struct campaign_plan {
        struct campaign_wave_plan waves[CAMPAIGN_WAVES_MAX];
        size_t n_waves;
        int64_t retry_limit;
        int64_t retry_backoff;
        bool has_window;
        int window_start, window_end;    /* minutes after 00:00 UTC */
};

/* From the create body's "waves", "retry" and "window" (each may be NULL). */
int campaign_plan_parse(json_t *waves, json_t *retry, json_t *window, bool security, struct campaign_plan *out,
                        struct error *err);
/* The normalised JSON, and back (for a stored plan). */
json_t *campaign_plan_to_json(const struct campaign_plan *p);
int campaign_plan_from_json(const char *text, struct campaign_plan *out, struct error *err);

/* The cumulative device count reached by the end of each wave, for a
 * campaign of `total` devices: non-decreasing, the first at least 1 when
 * total > 0, the last = total. */
void campaign_plan_targets(const struct campaign_plan *p, int64_t total, int64_t targets[CAMPAIGN_WAVES_MAX]);
/* a's value for a wave of `size` devices (percentages round down). */
int64_t campaign_amount_of(const struct campaign_amount *a, int64_t size);
/* True when offers may be made at `now` (always without a window). */
bool campaign_plan_window_open(const struct campaign_plan *p, int64_t now);

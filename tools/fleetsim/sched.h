/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * When each simulated device acts, and its dice. Pure, unit-tested.
 *
 * Every device has a random stream of its own, seeded from --seed and its
 * serial: a device's poll times (relative to its own previous poll) and its
 * failures are the same in two runs with the same seed, whatever order the
 * network completes requests in.
 *
 * The timer queue is a binary min-heap of (time, device) pairs: one entry per
 * device that waits, 16 bytes each.
 */
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

/* splitmix64: small state, good enough for jitter and dice. */
uint64_t fleetsim_rng_next(uint64_t *state);
/* Uniform in [0, 1). */
double fleetsim_rng_unit(uint64_t *state);
/* The initial state of a device's stream. */
uint64_t fleetsim_rng_seed(uint64_t seed, const char *serial);

/* The delay until the next poll, in microseconds: interval ± jitter_pct %
 * (uniform), never below 1 ms. */
int64_t fleetsim_next_delay_us(uint64_t *rng, double interval_s, double jitter_pct);
/* A device's first poll: spread uniformly over [0, interval) so a fleet
 * started at once does not poll in one burst (as agents booted over time). */
int64_t fleetsim_first_delay_us(uint64_t *rng, double interval_s);

struct fleetsim_timer {
        int64_t at_us;
        uint32_t device;
};

struct fleetsim_heap {
        struct fleetsim_timer *v;
        size_t n, cap;
};

void fleetsim_heap_init(struct fleetsim_heap *h, size_t cap);
void fleetsim_heap_free(struct fleetsim_heap *h);
void fleetsim_heap_push(struct fleetsim_heap *h, int64_t at_us, uint32_t device);
/* The earliest entry, or NULL when empty. */
const struct fleetsim_timer *fleetsim_heap_peek(const struct fleetsim_heap *h);
void fleetsim_heap_pop(struct fleetsim_heap *h);

/* --fail / --rollback RELEASE:PROB: the dice of one release. */
struct fleetsim_rule {
        char release[65];
        double probability;
};
/* Parses RELEASE:PROB (PROB a number in [0, 1]; the release is what comes
 * before the last ':', 1..64 bytes). */
int fleetsim_rule_parse(const char *s, struct fleetsim_rule *out, struct error *err);
/* The probability for `release` in rules; 0 when none matches. */
double fleetsim_rule_lookup(const struct fleetsim_rule *rules, size_t n, const char *release);

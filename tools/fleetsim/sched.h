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

/* --fail-devices RELEASE:FILE: installs of RELEASE fail on the devices FILE
 * lists, whatever the dice say (a test that must know which devices fail).
 * The release is what comes before the first ':' (1..64 bytes); `file`
 * points into s. */
struct fleetsim_device_rule {
        char release[65];
        const char *file;
};
int fleetsim_device_rule_parse(const char *s, struct fleetsim_device_rule *out, struct error *err);

/* The list of serials of a --fail-devices FILE: one per line, 1..64 bytes of
 * visible ASCII (as the server takes serials); empty lines and lines starting
 * with '#' are skipped; a final line without '\n' counts; at most
 * FLEETSIM_SERIALS_MAX serials, no duplicates. On success *out holds n
 * heap strings in file order (free each and the array); -1 with err naming
 * the line and what is wrong otherwise. */
#define FLEETSIM_SERIALS_MAX 1000000
int fleetsim_serials_parse(const char *text, size_t len, char ***out, size_t *n, struct error *err);

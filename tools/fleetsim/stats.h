/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * The fleet simulator's figures: a latency histogram of fixed size (so a run
 * of any length and any fleet takes the same memory) and the error kinds it
 * counts. Pure: no I/O, unit-tested.
 *
 * The histogram keeps 32 buckets per power of two of microseconds, from 1 µs
 * to about 2^31 µs (36 minutes); a percentile is the upper edge of the bucket
 * it falls in, so it is at most 1/32 (3 %) above the true value. Values
 * beyond the last bucket count in it.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FLEETSIM_HIST_SUB 32
#define FLEETSIM_HIST_OCTAVES 32
#define FLEETSIM_HIST_BUCKETS (FLEETSIM_HIST_SUB * FLEETSIM_HIST_OCTAVES)

struct fleetsim_hist {
        uint64_t count;
        uint64_t sum_us;
        uint64_t max_us;
        uint32_t bucket[FLEETSIM_HIST_BUCKETS];
};

void fleetsim_hist_add(struct fleetsim_hist *h, uint64_t us);
/* Adds every value of `from` to `into`. */
void fleetsim_hist_merge(struct fleetsim_hist *into, const struct fleetsim_hist *from);
/* The q-quantile (0 < q <= 1) in microseconds; 0 when empty. */
uint64_t fleetsim_hist_quantile(const struct fleetsim_hist *h, double q);
/* Index of the bucket holding `us`, and the largest value that bucket holds. */
size_t fleetsim_hist_index(uint64_t us);
uint64_t fleetsim_hist_upper(size_t index);

/* What went wrong with one request (or one poll: the first error ends it). */
enum fleetsim_error {
        FLEETSIM_ERR_TLS,       /* handshake, certificate, TLS record */
        FLEETSIM_ERR_CONNECT,   /* refused, unreachable */
        FLEETSIM_ERR_TIMEOUT,   /* connect or transfer deadline */
        FLEETSIM_ERR_HTTP_4XX,  /* an unexpected 4xx (a missing next root is expected) */
        FLEETSIM_ERR_HTTP_5XX,
        FLEETSIM_ERR_PARSE,     /* a response the simulator cannot read */
        FLEETSIM_ERR_OTHER,
        _FLEETSIM_ERR_MAX,
};
const char *fleetsim_error_name(enum fleetsim_error e);

/* The kind of an HTTP status that ends a request in error; false when the
 * status is a success (2xx). */
bool fleetsim_error_from_status(long status, enum fleetsim_error *out);

/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * The waits of `cradle-agent run`: the poll interval after a good cycle;
 * after the n-th failure in a row backoff_min * 2^(n-1), at most
 * backoff_max (every failure counts: network, TLS, 4xx, 5xx, refused
 * metadata, a failed install). Every wait is spread by +-jitter so a fleet
 * does not poll in step, and is at least one second: never a tight loop.
 */
#include <stdint.h>
#include "agent/config.h"

/* The wait in seconds before the next cycle; u is uniform in [0, 1). */
int64_t agent_backoff_delay(const struct agent_config *cfg, unsigned consecutive_failures, double u);

/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * The thread that runs campaign_evaluate (campaign/campaign.h) every
 * [campaigns] evaluate_interval, off the request path, and refreshes the
 * campaign gauges of /metrics. The evaluator commits every chunk, so device
 * requests wait at most one chunk for the write lock. Stops promptly on
 * shutdown.
 */
#include "core/error.h"

struct store_pool;
struct metrics;
struct campaign_evaluator;

/* pool and metrics (may be NULL) must outlive it. */
int campaign_evaluator_start(struct store_pool *pool, struct metrics *metrics, unsigned interval_s,
                             struct campaign_evaluator **out, struct error *err);
/* NULL is fine. */
void campaign_evaluator_stop(struct campaign_evaluator *e);

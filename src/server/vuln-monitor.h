/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * Continuous vulnerability monitoring (issue 9): the thread that drains the
 * two match queues (vuln/findings.h: SBOM documents and changed
 * vulnerabilities) every [vulns] match_interval, off the request path, a
 * chunk at a time with one transaction per queue entry, raises the findings
 * events and refreshes the findings gauges of /metrics. Stops promptly on
 * shutdown.
 */
#include "core/error.h"

struct store_pool;
struct metrics;
struct vuln_monitor;

/* pool and metrics (may be NULL) must outlive it. */
int vuln_monitor_start(struct store_pool *pool, struct metrics *metrics, unsigned interval_s,
                       struct vuln_monitor **out, struct error *err);
/* NULL is fine. */
void vuln_monitor_stop(struct vuln_monitor *m);

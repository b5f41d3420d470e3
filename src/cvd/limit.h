/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * The public intake's per-source rate limit: at most `max` counted actions
 * (a report, a message, a wrong follow-up link) per source address in a
 * fixed window of `window` seconds; beyond it the source waits until its
 * window ends. A fixed count per window, not auth/ratelimit.h's doubling
 * lock-outs after failures: here every action costs, successful or not, and
 * the operator states the rate plainly ("10 an hour"). A bounded table (the
 * stalest entry is evicted when full); thread-safe. Sources are compared on
 * their first 63 bytes.
 */
#include <stdint.h>

struct cvd_limit;
struct cvd_limit *cvd_limit_new(unsigned max, int64_t window, unsigned capacity);
void cvd_limit_free(struct cvd_limit *l);
/* 0 if the source may act now, else seconds until its window ends. */
int64_t cvd_limit_check(struct cvd_limit *l, const char *source, int64_t now);
/* Counts one action of the source. */
void cvd_limit_count(struct cvd_limit *l, const char *source, int64_t now);

/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * Slows down repeated failed authentication from one source: after
 * `free_failures` failures inside `window` seconds, the source is locked out
 * for a delay that doubles with each further failure, up to `max_delay`.
 * A bounded table (oldest entry evicted); thread-safe.
 *
 * Exactly: the first `free_failures` failures cost nothing. Each further failure
 * locks the source out for 1, 2, 4, 8, ... seconds (capped at `max_delay`),
 * counted from that failure. The count is forgotten only by time: once the
 * source has been quiet for `window` seconds after its last failure and
 * lockout. A successful authentication does not reset it, so there is no way
 * to report one: a source holding one valid low-privilege credential must not
 * launder the guesses it makes between uses of it. A legitimate holder still
 * gets in as soon as a lock-out ends. Sources are compared on their first 63
 * bytes. All times in seconds.
 */
#include <stdint.h>

struct auth_ratelimit;
struct auth_ratelimit *auth_ratelimit_new(unsigned free_failures, int64_t window,
                                          int64_t max_delay, unsigned capacity);
void auth_ratelimit_free(struct auth_ratelimit *rl);
/* 0 if the source may try now, else seconds until it may. */
int64_t auth_ratelimit_check(struct auth_ratelimit *rl, const char *source, int64_t now);
void auth_ratelimit_failure(struct auth_ratelimit *rl, const char *source, int64_t now);

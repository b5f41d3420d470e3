/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * When devices were last seen, written in groups (issue 8, "a database
 * write on every poll").
 *
 * A poll of director targets used to write last_seen in its own
 * transaction, one fdatasync per poll at a 30-minute poll interval. In the
 * server, polls now only note (device id, time) in this pending set, in
 * memory; a timer flushes the whole set in one transaction
 * (director_seen_flush), and shutdown flushes what is left. So:
 *  - a device is written at most once per DIRECTOR_SEEN_INTERVAL: a poll
 *    whose device's stored last_seen is younger than that notes nothing,
 *    and the set keeps one entry per device (the latest time);
 *  - last_seen as the API shows it lags by up to one flush period;
 *  - memory is bounded: at most DIRECTOR_SEEN_MAX entries. A note that
 *    finds the set full is refused (false), and the caller writes that one
 *    device at once as before, so nothing is lost under a burst.
 * Only last_seen goes through here: nothing that decides what a device may
 * do (revocation, device status, assignments) is held in memory, so a
 * change takes effect on the next request as before.
 *
 * Thread-safe (one mutex; a note is a hash insert). Without a set
 * (director_ctx.seen NULL: tests, tools) each poll writes directly.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/error.h"
#include "store/store.h"

#define DIRECTOR_SEEN_MAX 100000

struct director_seen;

/* max_entries 0 = DIRECTOR_SEEN_MAX. */
struct director_seen *director_seen_new(size_t max_entries);
void director_seen_free(struct director_seen *ds);

/* Notes that the device was seen at `when` (a later time replaces an earlier
 * one). false when the set is full and the device is not in it yet. */
bool director_seen_note(struct director_seen *ds, int64_t device_id, int64_t when);
/* Entries waiting for the next flush. */
size_t director_seen_pending(struct director_seen *ds);

/* Writes every pending entry in one transaction and empties the set.
 * *written (may be NULL) = how many. On failure the entries go back into
 * the set (as far as it has room) for the next flush. */
int director_seen_flush(struct director_seen *ds, struct store *s, size_t *written, struct error *err);

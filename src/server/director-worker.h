/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * cradled's director worker (issue 8, "the device request path at fleet
 * scale"): one thread, off the request path, that
 *  - signs director targets ahead of the poll: while the sign-ahead queue
 *    holds devices (filled by assignments, campaigns and cancels in their
 *    own transactions), it runs director_presign_batch batch after batch;
 *    otherwise it looks again every DIRECTOR_WORKER_TICK_MS;
 *  - writes the pending last_seen set (director/seen.h) in one transaction
 *    every DIRECTOR_SEEN_INTERVAL, sooner when the set is half full, and a
 *    last time when it is stopped, after the HTTP server has stopped, so
 *    a clean shutdown loses no poll.
 * It stops promptly: a stop request wakes it, and it finishes at most the
 * batch it is in.
 */
#include <stdint.h>

#include "core/error.h"

struct store_pool;
struct director_seen;
struct director_worker;

#define DIRECTOR_WORKER_TICK_MS 1000

struct director_worker_config {
        struct store_pool *pool;
        const char *data_dir;
        const char *key_ref;            /* [ota] director_key */
        int64_t expiry;                 /* [ota] director_expiry */
        struct director_seen *seen;     /* flushed by the worker; owned by the caller */
};

/* Starts the thread; everything in cfg must outlive it. */
int director_worker_start(const struct director_worker_config *cfg, struct director_worker **out,
                          struct error *err);
/* Wakes the thread, lets it finish its batch, flushes last_seen, frees it. NULL is fine. */
void director_worker_stop(struct director_worker *w);

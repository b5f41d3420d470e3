/* SPDX-License-Identifier: Apache-2.0 */
/* The director worker thread: sign ahead of the poll, write last_seen in groups (see director-worker.h). */
#include "director-worker.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/cleanup.h"
#include "core/log.h"
#include "core/strutil.h"
#include "core/time.h"
#include "director/director.h"
#include "director/seen.h"
#include "store/store.h"

struct director_worker {
        pthread_t thread;
        pthread_mutex_t lock;
        pthread_cond_t cond;
        bool stop;
        struct director_worker_config cfg;
        int64_t last_flush_us;
        int64_t presign_retry_us;       /* after a failed batch: not before this (no log flood) */
};

/* After a failed batch, the next try waits this long; polls sign on demand meanwhile. */
#define DIRECTOR_WORKER_RETRY_US (60 * 1000000LL)

static struct director_ctx worker_ctx(struct director_worker *w, struct store *s) {
        return (struct director_ctx) {
                .store = s, .data_dir = w->cfg.data_dir, .key_ref = w->cfg.key_ref, .expiry = w->cfg.expiry,
        };
}

static bool stopping(struct director_worker *w) {
        pthread_mutex_lock(&w->lock);
        bool stop = w->stop;
        pthread_mutex_unlock(&w->lock);
        return stop;
}

static void flush_seen(struct director_worker *w, struct store *s) {
        size_t n = 0;
        struct error err = {0};
        if (director_seen_flush(w->cfg.seen, s, &n, &err) < 0)
                log_error("director: writing when devices were last seen: %s (kept for the next try)", err.msg);
        else if (n)
                log_debug("director: last seen written for %zu device(s)", n);
        w->last_flush_us = time_monotonic_usec();
}

/* Batches until the queue is empty or a stop is asked for. */
static void presign(struct director_worker *w, struct store *s) {
        struct director_ctx dc = worker_ctx(w, s);
        size_t total = 0, total_signed = 0;
        int64_t t0 = time_monotonic_usec();
        if (t0 < w->presign_retry_us)
                return;
        for (;;) {
                size_t done = 0, n_signed = 0;
                struct error err = {0};
                if (director_presign_batch(&dc, DIRECTOR_PRESIGN_BATCH, &done, &n_signed, &err) < 0) {
                        log_error("director: signing ahead of the poll: %s (polls sign on demand; next try in "
                                  "%lld s)", err.msg, DIRECTOR_WORKER_RETRY_US / 1000000);
                        w->presign_retry_us = time_monotonic_usec() + DIRECTOR_WORKER_RETRY_US;
                        break;
                }
                total += done;
                total_signed += n_signed;
                if (done < DIRECTOR_PRESIGN_BATCH || stopping(w))
                        break;
        }
        if (total)
                log_info("director: signed targets ahead for %zu of %zu queued device(s) in %.1f s", total_signed,
                         total, (double) (time_monotonic_usec() - t0) / 1e6);
}

static void *worker_main(void *arg) {
        struct director_worker *w = arg;
        w->last_flush_us = time_monotonic_usec();
        for (;;) {
                struct store *s = store_pool_acquire(w->cfg.pool);
                if (s) {
                        presign(w, s);
                        int64_t since = time_monotonic_usec() - w->last_flush_us;
                        if (since >= (int64_t) DIRECTOR_SEEN_INTERVAL * 1000000 ||
                            director_seen_pending(w->cfg.seen) * 2 >= DIRECTOR_SEEN_MAX)
                                flush_seen(w, s);
                        store_pool_release(w->cfg.pool, s);
                }
                pthread_mutex_lock(&w->lock);
                if (!w->stop) {
                        struct timespec until;
                        clock_gettime(CLOCK_MONOTONIC, &until);
                        until.tv_nsec += (long) DIRECTOR_WORKER_TICK_MS * 1000000L;
                        until.tv_sec += until.tv_nsec / 1000000000L;
                        until.tv_nsec %= 1000000000L;
                        while (!w->stop && pthread_cond_timedwait(&w->cond, &w->lock, &until) != ETIMEDOUT)
                                ;
                }
                bool stop = w->stop;
                pthread_mutex_unlock(&w->lock);
                if (stop)
                        break;
        }
        return NULL;
}

int director_worker_start(const struct director_worker_config *cfg, struct director_worker **out,
                          struct error *err) {
        *out = NULL;
        struct director_worker *w = xcalloc(1, sizeof(*w));
        w->cfg = *cfg;
        pthread_condattr_t ca;
        pthread_condattr_init(&ca);
        pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
        pthread_cond_init(&w->cond, &ca);
        pthread_condattr_destroy(&ca);
        pthread_mutex_init(&w->lock, NULL);
        int rc = pthread_create(&w->thread, NULL, worker_main, w);
        if (rc != 0) {
                pthread_cond_destroy(&w->cond);
                pthread_mutex_destroy(&w->lock);
                free(w);
                return error_set_errno(err, ERROR_INTERNAL, rc, "cannot start the director worker thread");
        }
        *out = w;
        return 0;
}

void director_worker_stop(struct director_worker *w) {
        if (!w)
                return;
        pthread_mutex_lock(&w->lock);
        w->stop = true;
        pthread_cond_signal(&w->cond);
        pthread_mutex_unlock(&w->lock);
        pthread_join(w->thread, NULL);
        /* The last flush: polls answered before the stop are recorded. */
        struct store *s = store_pool_acquire(w->cfg.pool);
        if (s) {
                flush_seen(w, s);
                store_pool_release(w->cfg.pool, s);
        }
        pthread_cond_destroy(&w->cond);
        pthread_mutex_destroy(&w->lock);
        free(w);
}

/* SPDX-License-Identifier: Apache-2.0 */
#include "campaign-evaluator.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include "campaign/campaign.h"
#include "core/log.h"
#include "core/strutil.h"
#include "core/time.h"
#include "metrics.h"
#include "store/store.h"

struct campaign_evaluator {
        pthread_t thread;
        pthread_mutex_t lock;
        pthread_cond_t cond;
        bool stop;
        struct store_pool *pool;
        struct metrics *metrics;
        unsigned interval_s;
};

static void evaluate_once(struct campaign_evaluator *e) {
        struct store *s = store_pool_acquire(e->pool);
        if (!s)
                return;
        struct campaign_eval_report rep;
        struct error err = {0};
        if (campaign_evaluate(s, time_now(), 0, CAMPAIGN_PAUSE_MS_DEFAULT, &rep, &err) < 0)
                log_error("campaign evaluation: %s", err.msg);
        else if (rep.offered || rep.paused || rep.waves_completed || rep.completed || rep.joined)
                log_info("campaigns: %lld offered, %lld joined, %lld paused, %lld wave(s) and %lld campaign(s) "
                         "completed",
                         (long long) rep.offered, (long long) rep.joined, (long long) rep.paused,
                         (long long) rep.waves_completed, (long long) rep.completed);
        char *text = NULL;
        if (e->metrics) {
                if (campaign_metrics_render(s, &text, &err) < 0)
                        log_error("campaign gauges: %s", err.msg);
                else
                        metrics_set_campaigns(e->metrics, text);
        }
        store_pool_release(e->pool, s);
}

static void *evaluator_main(void *arg) {
        struct campaign_evaluator *e = arg;
        pthread_mutex_lock(&e->lock);
        while (!e->stop) {
                pthread_mutex_unlock(&e->lock);
                evaluate_once(e);
                pthread_mutex_lock(&e->lock);
                struct timespec until;
                clock_gettime(CLOCK_MONOTONIC, &until);
                until.tv_sec += e->interval_s;
                while (!e->stop)
                        if (pthread_cond_timedwait(&e->cond, &e->lock, &until) == ETIMEDOUT)
                                break;
        }
        pthread_mutex_unlock(&e->lock);
        return NULL;
}

int campaign_evaluator_start(struct store_pool *pool, struct metrics *metrics, unsigned interval_s,
                             struct campaign_evaluator **out, struct error *err) {
        *out = NULL;
        struct campaign_evaluator *e = xcalloc(1, sizeof(*e));
        e->pool = pool;
        e->metrics = metrics;
        e->interval_s = interval_s ? interval_s : 10;
        pthread_condattr_t ca;
        pthread_condattr_init(&ca);
        pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
        pthread_cond_init(&e->cond, &ca);
        pthread_condattr_destroy(&ca);
        pthread_mutex_init(&e->lock, NULL);
        int rc = pthread_create(&e->thread, NULL, evaluator_main, e);
        if (rc != 0) {
                pthread_cond_destroy(&e->cond);
                pthread_mutex_destroy(&e->lock);
                free(e);
                return error_set_errno(err, ERROR_INTERNAL, rc, "cannot start the campaign evaluator thread");
        }
        *out = e;
        return 0;
}

void campaign_evaluator_stop(struct campaign_evaluator *e) {
        if (!e)
                return;
        pthread_mutex_lock(&e->lock);
        e->stop = true;
        pthread_cond_signal(&e->cond);
        pthread_mutex_unlock(&e->lock);
        pthread_join(e->thread, NULL);
        pthread_cond_destroy(&e->cond);
        pthread_mutex_destroy(&e->lock);
        free(e);
}

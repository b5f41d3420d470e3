/* SPDX-License-Identifier: Apache-2.0 */
#include "campaign-evaluator.h"

#include <stdbool.h>
#include <stdlib.h>

#include "campaign/campaign.h"
#include "core/log.h"
#include "core/strutil.h"
#include "core/time.h"
#include "metrics.h"
#include "periodic.h"
#include "store/store.h"

struct campaign_evaluator {
        struct periodic *worker;
        struct store_pool *pool;
        struct metrics *metrics;
};

static int evaluate_pass(struct periodic *p, void *ctx, struct error *err) {
        (void) p;
        struct campaign_evaluator *e = ctx;
        struct store *s = store_pool_acquire(e->pool);
        if (!s)
                return error_set(err, ERROR_DB, "no store connection");
        struct campaign_eval_report rep;
        int rc = 0;
        if (campaign_evaluate(s, time_now(), 0, CAMPAIGN_PAUSE_MS_DEFAULT, &rep, err) < 0)
                rc = -1;
        else if (rep.offered || rep.paused || rep.waves_completed || rep.completed || rep.joined)
                log_info("campaigns: %lld offered, %lld joined, %lld paused, %lld wave(s) and %lld campaign(s) "
                         "completed",
                         (long long) rep.offered, (long long) rep.joined, (long long) rep.paused,
                         (long long) rep.waves_completed, (long long) rep.completed);
        char *text = NULL;
        if (e->metrics) {
                struct error merr = {0};
                if (campaign_metrics_render(s, &text, &merr) < 0)
                        log_error("campaign gauges: %s", merr.msg);
                else
                        metrics_set_campaigns(e->metrics, text);
        }
        store_pool_release(e->pool, s);
        return rc;
}

int campaign_evaluator_start(struct store_pool *pool, struct metrics *metrics, unsigned interval_s,
                             struct campaign_evaluator **out, struct error *err) {
        *out = NULL;
        struct campaign_evaluator *e = xcalloc(1, sizeof(*e));
        e->pool = pool;
        e->metrics = metrics;
        if (periodic_start("campaign evaluation", interval_s ? interval_s : 10, evaluate_pass, e, &e->worker,
                           err) < 0) {
                free(e);
                return -1;
        }
        *out = e;
        return 0;
}

void campaign_evaluator_stop(struct campaign_evaluator *e) {
        if (!e)
                return;
        periodic_stop(e->worker);
        free(e);
}

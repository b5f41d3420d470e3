/* SPDX-License-Identifier: Apache-2.0 */
#include "vuln-monitor.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include "core/log.h"
#include "core/strutil.h"
#include "core/time.h"
#include "metrics.h"
#include "store/store.h"
#include "vuln/findings.h"

struct vuln_monitor {
        pthread_t thread;
        pthread_mutex_t lock;
        pthread_cond_t cond;
        bool stop;
        struct store_pool *pool;
        struct metrics *metrics;
        unsigned interval_s;
};

/* One round: chunks until the queues are empty or shutdown is asked, so a
 * large import does not wait a whole interval per chunk. */
static void monitor_once(struct vuln_monitor *m) {
        struct store *s = store_pool_acquire(m->pool);
        if (!s)
                return;
        struct vuln_findings_report rep = {0};
        struct error err = {0};
        bool more = true;
        while (more) {
                if (vuln_findings_drain(s, time_now(), 0, &rep, &more, &err) < 0) {
                        log_error("findings: %s", err.msg);
                        break;
                }
                pthread_mutex_lock(&m->lock);
                bool stop = m->stop;
                pthread_mutex_unlock(&m->lock);
                if (stop)
                        break;
        }
        if (rep.documents || rep.vulns || rep.events || rep.exploited_events)
                log_info("findings: %lld document(s) and %lld vulnerabilit(ies) matched: %lld new, %lld again, "
                         "%lld gone, %lld carried; %lld event(s), %lld actively exploited",
                         (long long) rep.documents, (long long) rep.vulns, (long long) rep.created,
                         (long long) rep.rematched, (long long) rep.gone, (long long) rep.carried,
                         (long long) rep.events, (long long) rep.exploited_events);
        char *text = NULL;
        if (m->metrics) {
                if (vuln_findings_metrics_render(s, &text, &err) < 0)
                        log_error("findings gauges: %s", err.msg);
                else
                        metrics_set_findings(m->metrics, text);
        }
        store_pool_release(m->pool, s);
}

static void *monitor_main(void *arg) {
        struct vuln_monitor *m = arg;
        pthread_mutex_lock(&m->lock);
        while (!m->stop) {
                pthread_mutex_unlock(&m->lock);
                monitor_once(m);
                pthread_mutex_lock(&m->lock);
                struct timespec until;
                clock_gettime(CLOCK_MONOTONIC, &until);
                until.tv_sec += m->interval_s;
                while (!m->stop)
                        if (pthread_cond_timedwait(&m->cond, &m->lock, &until) == ETIMEDOUT)
                                break;
        }
        pthread_mutex_unlock(&m->lock);
        return NULL;
}

int vuln_monitor_start(struct store_pool *pool, struct metrics *metrics, unsigned interval_s,
                       struct vuln_monitor **out, struct error *err) {
        *out = NULL;
        struct vuln_monitor *m = xcalloc(1, sizeof(*m));
        m->pool = pool;
        m->metrics = metrics;
        m->interval_s = interval_s ? interval_s : 10;
        pthread_condattr_t ca;
        pthread_condattr_init(&ca);
        pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
        pthread_cond_init(&m->cond, &ca);
        pthread_condattr_destroy(&ca);
        pthread_mutex_init(&m->lock, NULL);
        int rc = pthread_create(&m->thread, NULL, monitor_main, m);
        if (rc != 0) {
                pthread_cond_destroy(&m->cond);
                pthread_mutex_destroy(&m->lock);
                free(m);
                return error_set_errno(err, ERROR_INTERNAL, rc, "cannot start the vulnerability monitor thread");
        }
        *out = m;
        return 0;
}

void vuln_monitor_stop(struct vuln_monitor *m) {
        if (!m)
                return;
        pthread_mutex_lock(&m->lock);
        m->stop = true;
        pthread_cond_signal(&m->cond);
        pthread_mutex_unlock(&m->lock);
        pthread_join(m->thread, NULL);
        pthread_cond_destroy(&m->cond);
        pthread_mutex_destroy(&m->lock);
        free(m);
}

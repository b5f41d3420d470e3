/* SPDX-License-Identifier: Apache-2.0 */
#include "vuln-monitor.h"

#include <stdbool.h>
#include <stdlib.h>

#include "core/log.h"
#include "core/strutil.h"
#include "core/time.h"
#include "metrics.h"
#include "periodic.h"
#include "store/store.h"
#include "vuln/findings.h"

struct vuln_monitor {
        struct periodic *worker;
        struct store_pool *pool;
        struct metrics *metrics;
};

/* One round: chunks until the queues are empty or shutdown is asked, so a
 * large import does not wait a whole interval per chunk. */
static int monitor_pass(struct periodic *p, void *ctx, struct error *err) {
        struct vuln_monitor *m = ctx;
        struct store *s = store_pool_acquire(m->pool);
        if (!s)
                return error_set(err, ERROR_DB, "no store connection");
        struct vuln_findings_report rep = {0};
        int rc = 0;
        bool more = true;
        while (more) {
                if (vuln_findings_drain(s, time_now(), 0, &rep, &more, err) < 0) {
                        rc = -1;
                        break;
                }
                if (periodic_stopping(p))
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
                struct error merr = {0};
                if (vuln_findings_metrics_render(s, &text, &merr) < 0)
                        log_error("findings gauges: %s", merr.msg);
                else
                        metrics_set_findings(m->metrics, text);
        }
        store_pool_release(m->pool, s);
        return rc;
}

int vuln_monitor_start(struct store_pool *pool, struct metrics *metrics, unsigned interval_s,
                       struct vuln_monitor **out, struct error *err) {
        *out = NULL;
        struct vuln_monitor *m = xcalloc(1, sizeof(*m));
        m->pool = pool;
        m->metrics = metrics;
        if (periodic_start("findings", interval_s ? interval_s : 10, monitor_pass, m, &m->worker, err) < 0) {
                free(m);
                return -1;
        }
        *out = m;
        return 0;
}

void vuln_monitor_stop(struct vuln_monitor *m) {
        if (!m)
                return;
        periodic_stop(m->worker);
        free(m);
}

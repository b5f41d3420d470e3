/* SPDX-License-Identifier: Apache-2.0 */
#include "agent/report.h"

#include <string.h>

#include "core/cleanup.h"
#include "core/log.h"
#include "core/strutil.h"

void agent_report_queue(struct agent *a, const char *stage, const char *reason) {
        char safe[AGENT_REASON_MAX + 1];
        json_t *r;

        snprintf(safe, sizeof(safe), "%s", reason ? reason : "");
        r = json_pack("{s:s, s:s, s:I}", "stage", stage, "to_version", a->st.target.version, "security_version",
                      (json_int_t) a->st.target.security_version);
        /* Unknown values are left out rather than sent empty. */
        if (a->st.current.version[0])
                json_object_set_new(r, "from_version", json_string(a->st.current.version));
        if (safe[0])
                json_object_set_new(r, "reason", json_string(safe));
        agent_state_queue_report(&a->st, r);
        log_info("status: %s %s -> %s%s%s", stage, a->st.current.version, a->st.target.version,
                 safe[0] ? ": " : "", safe);
}

void agent_report(struct agent *a, const char *stage, const char *reason) {
        struct error err = { 0 };

        agent_report_queue(a, stage, reason);
        if (agent_save(a, &err) < 0)
                return;
        if (agent_report_flush(a, &err) < 0)
                log_warn("status report queued (%s)", err.msg);
}

int agent_report_flush(struct agent *a, struct error *err) {
        struct agent_http *http;
        _cleanup_free_ char *url = NULL;
        bool changed = false;
        int r = 0;

        if (!a->st.reports || json_array_size(a->st.reports) == 0)
                return 0;
        if (agent_http(a, &http, err) < 0)
                return -1;
        url = str_printf("%s/device/v1/status", a->cfg->server_url);
        while (json_array_size(a->st.reports) > 0) {
                json_t *rep = json_array_get(a->st.reports, 0);
                struct error perr = { 0 };
                if (agent_http_post_json(http, url, rep, &perr) < 0) {
                        /* A report the server refuses as malformed (400/422)
                         * would block the queue for ever: drop it. */
                        if (perr.kind == ERROR_INVALID) {
                                log_warn("status report refused and dropped: %s", perr.msg);
                        } else {
                                *err = perr;
                                r = -1;
                                break;
                        }
                }
                json_array_remove(a->st.reports, 0);
                changed = true;
        }
        if (changed) {
                struct error serr = { 0 };
                agent_save(a, &serr);
        }
        return r;
}

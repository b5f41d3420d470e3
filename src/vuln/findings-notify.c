/* SPDX-License-Identifier: Apache-2.0 */
/* The events of new findings and of actively exploited vulnerabilities
 * (vuln/findings.h, vuln/exploited.h). */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "case/case.h"
#include "core/cleanup.h"
#include "core/strutil.h"
#include "core/time.h"
#include "identity/security-event.h"
#include "vuln/exploited.h"
#include "vuln/findings.h"

#define NOTIFY_CHUNK 500

/* CVSS severity -> security event severity (events know no "none"). */
static const char *event_severity(const char *cvss) {
        if (str_eq(cvss, "critical") || str_eq(cvss, "high") || str_eq(cvss, "medium"))
                return cvss;
        return "low";
}

static bool dismissed(const char *state) {
        return !str_eq(state, "in_triage") && !str_eq(state, "affected");
}

int vuln_on_actively_exploited(struct store *s, const struct vuln_exploited *e, struct error *err) {
        char since[TIME_RFC3339_LEN];
        time_format_rfc3339(e->exploited_at, since);
        json_t *releases = json_array(), *findings = json_array();
        for (size_t i = 0; i < e->n_releases; i++)
                json_array_append_new(releases, json_string(e->releases[i]));
        for (size_t i = 0; i < e->n_findings; i++)
                json_array_append_new(findings, json_integer(e->finding_ids[i]));
        _cleanup_json_ json_t *d = json_pack("{s:s, s:s, s:s, s:o, s:o, s:s}", "vulnerability", e->vuln,
                                             "exploited_since", since, "product", e->product, "releases", releases,
                                             "findings", findings, "obligation",
                                             "CRA Art. 14(1): early warning within 24 hours");
        if (identity_security_event_record(s, "vuln.actively_exploited", "critical", e->product_id, NULL, "findings",
                                           d, err) < 0)
                return -1;
        /* The CRA case (issue 10): find or open the vulnerability's case and
         * mark it actively exploited. Awareness is when Cradle learnt it (now),
         * not KEV's dateAdded: the Art. 14 clocks run from the maker's
         * awareness. Idempotent, inside the caller's transaction. */
        const struct audit_actor sys = {.name = "system", .role = "system"};
        const struct case_exploited_vuln cev = {
                .vuln = e->vuln, .product_id = e->product_id, .release_ids = e->release_ids,
                .n_release_ids = e->n_releases, .finding_ids = e->finding_ids, .n_findings = e->n_findings, .learnt_at = time_now(), .how = "KEV",
        };
        return case_vuln_exploited(s, &sys, &cev, NULL, NULL, err);
}

static int notify_new(struct store *s, int64_t now, struct vuln_findings_report *rep, bool *more,
                      struct error *err) {
        struct store_finding *fs = NULL;
        size_t n = 0;
        if (store_finding_pending_events(s, NOTIFY_CHUNK, &fs, &n, err) < 0)
                return -1;
        *more = *more || n == NOTIFY_CHUNK;
        int rc = 0;
        for (size_t i = 0; rc == 0 && i < n; i++) {
                const struct store_finding *f = &fs[i];
                /* A finding that arrived dismissed (carried not_affected) is
                 * marked without an event: nobody needs to act. */
                if (!dismissed(f->state)) {
                        _cleanup_json_ json_t *d = json_pack(
                                "{s:I, s:s, s:s, s:s, s:s?, s:s, s:s?, s:b}", "finding", (json_int_t) f->id,
                                "vulnerability", f->vuln_name, "release", f->release_version, "component",
                                f->component_name, "version", f->component_version, "confidence", f->confidence,
                                "cvss_severity", f->severity, "exploited", f->exploited_at != 0);
                        rc = identity_security_event_record(s, "vuln.finding", event_severity(f->severity),
                                                            f->product_id, NULL, "findings", d, err);
                        if (rc == 0)
                                rep->events++;
                }
                if (rc == 0)
                        rc = store_finding_mark_notified(s, f->id, now, err);
        }
        store_finding_list_free(fs, n);
        return rc;
}

/* One hook call per run of (vulnerability, product) in the ordered list. */
static int notify_exploited(struct store *s, int64_t now, struct vuln_findings_report *rep, bool *more,
                            struct error *err) {
        struct store_finding *fs = NULL;
        size_t n = 0;
        if (store_finding_pending_exploited(s, NOTIFY_CHUNK, &fs, &n, err) < 0)
                return -1;
        *more = *more || n == NOTIFY_CHUNK;
        const char **versions = xcalloc(n + 1, sizeof(*versions));
        int64_t *release_ids = xcalloc(n + 1, sizeof(*release_ids));
        int64_t *ids = xcalloc(n + 1, sizeof(*ids));
        int rc = 0;
        for (size_t i = 0; rc == 0 && i < n;) {
                size_t j = i, nv = 0;
                for (; j < n && fs[j].vuln_id == fs[i].vuln_id && fs[j].product_id == fs[i].product_id; j++) {
                        if (nv == 0 || !str_eq(versions[nv - 1], fs[j].release_version)) {
                                release_ids[nv] = fs[j].release_id;
                                versions[nv++] = fs[j].release_version;
                        }
                        ids[j - i] = fs[j].id;
                }
                const struct vuln_exploited ev = {
                        .vuln = fs[i].vuln_name, .exploited_at = fs[i].exploited_at, .product_id = fs[i].product_id,
                        .product = fs[i].product_model, .releases = versions, .release_ids = release_ids, .n_releases = nv,
                        .finding_ids = ids, .n_findings = j - i,
                };
                rc = vuln_on_actively_exploited(s, &ev, err);
                for (size_t k = i; rc == 0 && k < j; k++)
                        rc = store_finding_mark_exploited_notified(s, fs[k].id, now, err);
                if (rc == 0)
                        rep->exploited_events++;
                i = j;
        }
        free(versions);
        free(release_ids);
        free(ids);
        store_finding_list_free(fs, n);
        return rc;
}

/* A chunk per transaction, until nothing is pending. */
int vuln_findings_notify(struct store *s, int64_t now, struct vuln_findings_report *rep, struct error *err) {
        bool more = true;
        while (more) {
                more = false;
                if (store_tx_begin(s, err) < 0)
                        return -1;
                if (notify_new(s, now, rep, &more, err) < 0 || notify_exploited(s, now, rep, &more, err) < 0 ||
                    store_tx_commit(s, err) < 0) {
                        store_tx_rollback(s);
                        return error_prefix(err, "raising findings events: ");
                }
        }
        return 0;
}

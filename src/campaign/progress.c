/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A campaign's progress: counts per state and per wave (one GROUP BY over its
 * members), wave times, an ETA, per-member-state evidence for security
 * campaigns, and the /metrics gauges.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "campaign/campaign.h"
#include "campaign/internal.h"
#include "core/cleanup.h"
#include "core/json.h"
#include "core/strutil.h"
#include "core/time.h"

static const char *const member_states[] = { "pending", "offered", "succeeded", "failed", "retrying", "canceled" };
#define N_STATES ELEMENTSOF(member_states)

static json_t *time_json(int64_t t) {
        if (!t)
                return json_null();
        char buf[TIME_RFC3339_LEN];
        time_format_rfc3339(t, buf);
        return json_string(buf);
}

static size_t state_index(const char *state) {
        for (size_t i = 0; i < N_STATES; i++)
                if (str_eq(member_states[i], state))
                        return i;
        return 0;
}

static json_t *counts_json(const int64_t *v) {
        json_t *o = json_object();
        int64_t total = 0;
        for (size_t i = 0; i < N_STATES; i++) {
                json_object_set_new(o, member_states[i], json_integer(v[i]));
                total += v[i];
        }
        json_object_set_new(o, "total", json_integer(total));
        return o;
}

/* Naive: the rate of finished devices since the start, applied to what is
 * left; gates, soak and windows are not predicted. NULL before any finished. */
static json_t *eta_json(const struct store_campaign *c, const int64_t *totals, int64_t now) {
        int64_t done = totals[state_index("succeeded")] + totals[state_index("failed")] +
                       totals[state_index("canceled")];
        int64_t left = totals[state_index("pending")] + totals[state_index("offered")] +
                       totals[state_index("retrying")];
        if (!str_eq(c->status, "running") && !str_eq(c->status, "waiting"))
                return json_null();
        if (left == 0)
                return time_json(now);
        if (done == 0 || !c->started_at || now <= c->started_at)
                return json_null();
        double per_device = (double) (now - c->started_at) / (double) done;
        return time_json(now + (int64_t) (per_device * (double) left));
}

static json_t *member_state_json(struct store *s, int64_t id, struct error *err, int *rc) {
        struct store_campaign_country_count *list = NULL;
        size_t n = 0;
        *rc = store_campaign_counts_by_member_state(s, id, &list, &n, err);
        if (*rc < 0)
                return NULL;
        json_t *out = json_array();
        for (size_t i = 0; i < n;) {
                const char *country = list[i].country;
                int64_t patched = 0, remaining = 0, failed = 0;
                for (; i < n && str_eq(list[i].country, country); i++) {
                        if (str_eq(list[i].state, "succeeded"))
                                patched += list[i].n;
                        else if (str_eq(list[i].state, "failed"))
                                failed += list[i].n;
                        else if (!str_eq(list[i].state, "canceled"))
                                remaining += list[i].n;
                }
                json_array_append_new(out, json_pack("{s:s, s:I, s:I, s:I}", "member_state", country, "patched",
                                                     (json_int_t) patched, "remaining", (json_int_t) remaining,
                                                     "failed", (json_int_t) failed));
        }
        free(list);
        return out;
}

int campaign_show(struct store *s, int64_t id, int64_t now, json_t **out, struct error *err) {
        __attribute__((cleanup(campaign_row_clearp))) struct store_campaign c = {0};
        struct store_campaign_wave *waves = NULL;
        struct store_campaign_count *counts = NULL;
        size_t n_waves = 0, n_counts = 0;
        struct campaign_plan plan;
        /* Before the first jump to `out`, which runs their cleanup. */
        _cleanup_json_ json_t *plan_doc = NULL, *selector = NULL, *vulns = NULL;
        int rc = -1;
        *out = NULL;
        if (store_campaign_get(s, id, &c, err) < 0 || campaign_plan_from_json(c.plan, &plan, err) < 0 ||
            store_campaign_waves_get(s, id, &waves, &n_waves, err) < 0 ||
            store_campaign_counts(s, id, -1, c.acknowledged_at, &counts, &n_counts, err) < 0)
                goto out;
        int64_t totals[N_STATES] = {0};
        int64_t(*per_wave)[N_STATES] = xcalloc(n_waves ? n_waves : 1, sizeof(*per_wave));
        for (size_t i = 0; i < n_counts; i++) {
                size_t k = state_index(counts[i].state);
                totals[k] += counts[i].n;
                if (counts[i].wave >= 0 && (size_t) counts[i].wave < n_waves)
                        per_wave[counts[i].wave][k] += counts[i].n;
        }
        json_t *wj = json_array();
        for (size_t i = 0; i < n_waves && i < plan.n_waves; i++) {
                json_t *w = campaign_plan_to_json(&plan);
                json_t *pw = json_incref(json_array_get(json_object_get(w, "waves"), i));
                json_decref(w);
                json_object_set_new(pw, "index", json_integer((json_int_t) i));
                json_object_set_new(pw, "devices", counts_json(per_wave[i]));
                json_object_set_new(pw, "started_at", time_json(waves[i].started_at));
                json_object_set_new(pw, "threshold_met_at", time_json(waves[i].threshold_met_at));
                json_object_set_new(pw, "completed_at", time_json(waves[i].completed_at));
                json_object_set_new(pw, "approved_by",
                                    waves[i].approved_by ? json_string(waves[i].approved_by) : json_null());
                json_array_append_new(wj, pw);
        }
        free(per_wave);
        plan_doc = campaign_plan_to_json(&plan);
        selector = json_loads(c.selector, 0, NULL);
        vulns = json_loads(c.vulnerabilities, 0, NULL);
        json_t *doc = json_pack(
                "{s:I, s:s, s:s, s:I, s:s, s:s, s:I, s:o, s:b, s:b, s:O, s:O, s:O, s:O, s:s, s:s, s:o, s:o, s:o, "
                "s:o, s:o, s:o}",
                "id", (json_int_t) c.id, "name", c.name, "product", c.product_model, "release_id",
                (json_int_t) c.release_id, "release", c.release_version, "status", c.status, "current_wave",
                (json_int_t) c.current_wave, "pause_reason", c.pause_reason ? json_string(c.pause_reason) : json_null(),
                "dynamic", c.dynamic, "security", c.security, "vulnerabilities", vulns ? vulns : json_null(),
                "selector", selector ? selector : json_null(), "retry", json_object_get(plan_doc, "retry"), "window",
                json_object_get(plan_doc, "window"), "seed", c.seed, "created_by", c.created_by, "created_at",
                time_json(c.created_at), "started_at", time_json(c.started_at), "finished_at",
                time_json(c.finished_at), "devices", counts_json(totals), "waves", wj, "eta",
                eta_json(&c, totals, now));
        if (c.security) {
                json_t *ms = member_state_json(s, id, err, &rc);
                if (!ms) {
                        json_decref(doc);
                        goto out;
                }
                json_object_set_new(doc, "member_states", ms);
        }
        *out = doc;
        rc = 0;
out:
        store_campaign_waves_free(waves, n_waves);
        free(counts);
        return rc;
}

int campaign_metrics_render(struct store *s, char **out, struct error *err) {
        static const char *const statuses[] = { "draft", "running", "waiting", "paused", "completed", "aborted" };
        struct store_campaign *list = NULL;
        size_t n = 0;
        struct buf b = {0};
        *out = NULL;
        buf_appendf(&b, "# HELP cradle_campaigns Campaigns per status.\n# TYPE cradle_campaigns gauge\n");
        for (size_t k = 0; k < ELEMENTSOF(statuses); k++) {
                int64_t cnt = 0;
                if (store_campaign_count_status(s, statuses[k], &cnt, err) < 0) {
                        buf_free(&b);
                        return -1;
                }
                buf_appendf(&b, "cradle_campaigns{status=\"%s\"} %lld\n", statuses[k], (long long) cnt);
        }
        /* Per-campaign gauges for the campaigns still in play (draft,
         * running, waiting, paused): finished ones would only grow the
         * exposition. */
        if (store_campaign_list_active(s, &list, &n, err) < 0) {
                buf_free(&b);
                return -1;
        }
        buf_appendf(&b, "# HELP cradle_campaign_devices Members of active campaigns per state.\n"
                        "# TYPE cradle_campaign_devices gauge\n");
        struct buf waves = {0};
        int rc = 0;
        for (size_t i = 0; i < n && rc == 0; i++) {
                if (str_eq(list[i].status, "completed") || str_eq(list[i].status, "aborted"))
                        continue;
                struct store_campaign_count *counts = NULL;
                size_t nc = 0;
                if ((rc = store_campaign_counts(s, list[i].id, -1, 0, &counts, &nc, err)) < 0)
                        break;
                int64_t totals[N_STATES] = {0};
                for (size_t k = 0; k < nc; k++)
                        totals[state_index(counts[k].state)] += counts[k].n;
                free(counts);
                /* Campaign names are [A-Za-z0-9._-]: safe as label values. */
                for (size_t k = 0; k < N_STATES; k++)
                        buf_appendf(&b, "cradle_campaign_devices{campaign=\"%s\",state=\"%s\"} %lld\n", list[i].name,
                                    member_states[k], (long long) totals[k]);
                buf_appendf(&waves, "cradle_campaign_wave{campaign=\"%s\"} %lld\n", list[i].name,
                            (long long) list[i].current_wave);
        }
        buf_appendf(&b, "# HELP cradle_campaign_wave The current wave (0-based) of active campaigns.\n"
                        "# TYPE cradle_campaign_wave gauge\n");
        if (waves.len)
                buf_append(&b, waves.data, waves.len);
        buf_free(&waves);
        store_campaign_list_free(list, n);
        if (rc < 0) {
                buf_free(&b);
                return -1;
        }
        *out = buf_steal(&b);
        return 0;
}

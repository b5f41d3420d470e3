/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The campaign evaluator (campaign.h). For each running, waiting or paused
 * campaign, in short transactions of at most `chunk` rows each:
 *  1. read back the actions devices closed (succeeded, failed -> retry or
 *     failed, canceled) -- paused ones too: devices offered before the pause
 *     carry on, and the operator deciding on a resume must see how; and
 *     completed ones while members are still offered (the last wave completes
 *     on its success threshold, before every device has answered), so the
 *     final progress is what the devices did, without retries;
 *  2. running only: pause when the current wave's failures or stuck devices
 *     exceed its limits (reason, security event, audit entry);
 *  3. running only: dynamic campaigns take in devices that match now; inside
 *     the maintenance window, offer the release to pending members of the
 *     current and earlier waves, and again to failed members whose backoff
 *     ended;
 *  4. complete the wave when its success threshold has held for its soak
 *     time and nobody is left to offer to; then complete the campaign, wait
 *     at a manual gate, or start the next wave.
 * Nothing here is a loop over devices: each step is a few set-based
 * statements (store-campaign.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "campaign/campaign.h"
#include "campaign/internal.h"
#include "core/cleanup.h"
#include "core/json.h"
#include "core/log.h"
#include "core/strutil.h"
#include "identity/security-event.h"

/* Bounds the offer chunks one evaluation makes per campaign, so one huge
 * wave cannot starve the others; the next tick goes on. */
#define OFFER_ROUNDS_MAX 400

struct wave_counts {
        int64_t total, pending, offered, succeeded, failed, retrying, canceled;
        int64_t failed_since_ack;   /* failed or retrying, finished since the last resume */
};

static int wave_counts_get(struct store *s, const struct store_campaign *c, int64_t wave, struct wave_counts *out,
                           struct error *err) {
        struct store_campaign_count *counts = NULL;
        size_t n = 0;
        memset(out, 0, sizeof(*out));
        if (store_campaign_counts(s, c->id, wave, c->acknowledged_at, &counts, &n, err) < 0)
                return -1;
        for (size_t i = 0; i < n; i++) {
                const struct store_campaign_count *k = &counts[i];
                if (k->wave != wave)
                        continue;
                out->total += k->n;
                if (str_eq(k->state, "pending"))
                        out->pending += k->n;
                else if (str_eq(k->state, "offered"))
                        out->offered += k->n;
                else if (str_eq(k->state, "succeeded"))
                        out->succeeded += k->n;
                else if (str_eq(k->state, "failed"))
                        out->failed += k->n, out->failed_since_ack += k->n_since;
                else if (str_eq(k->state, "retrying"))
                        out->retrying += k->n, out->failed_since_ack += k->n_since;
                else if (str_eq(k->state, "canceled"))
                        out->canceled += k->n;
        }
        free(counts);
        return 0;
}

static void pause_ms(unsigned ms) {
        struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long) (ms % 1000) * 1000000L };
        while (ms && nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

/* A step in its own transaction: fn runs between begin and commit; then the
 * lock is left alone for a moment so waiting device requests get it. */
typedef int (*step_fn)(struct store *s, void *arg, struct error *err);
static int in_tx_pause(struct store *s, step_fn fn, void *arg, unsigned ms, struct error *err) {
        if (store_tx_begin(s, err) < 0)
                return -1;
        if (fn(s, arg, err) < 0) {
                store_tx_rollback(s);
                return -1;
        }
        if (store_tx_commit(s, err) < 0)
                return -1;
        pause_ms(ms);
        return 0;
}

struct eval {
        int64_t id;
        int64_t now;
        size_t chunk;
        struct campaign_eval_report *rep;
        unsigned pause_ms;
        /* per step */
        int64_t n;
        bool stop;
        const char *from_state;
        int64_t wave;
        int64_t current_wave;      /* as step_check saw it */
};

static int step_sync(struct store *s, void *arg, struct error *err) {
        struct eval *e = arg;
        __attribute__((cleanup(campaign_row_clearp))) struct store_campaign c = {0};
        struct campaign_plan plan;
        if (store_campaign_get(s, e->id, &c, err) < 0 || campaign_plan_from_json(c.plan, &plan, err) < 0)
                return -1;
        bool completed = str_eq(c.status, "completed");
        e->stop = !str_eq(c.status, "running") && !str_eq(c.status, "waiting") && !str_eq(c.status, "paused") &&
                  !completed;
        e->n = 0;
        if (e->stop)
                return 0;
        /* Only started waves have offered members. A completed campaign
         * offers nothing more, so a failure there is final: no retry. */
        for (int64_t w = 0; w <= c.current_wave && (size_t) e->n < e->chunk; w++) {
                int64_t n;
                if (store_campaign_sync_chunk(s, e->id, w, completed ? 0 : plan.retry_limit, plan.retry_backoff, e->now,
                                              e->chunk - (size_t) e->n, &n, err) < 0)
                        return -1;
                e->n += n;
        }
        return 0;
}

static int auto_pause(struct store *s, struct store_campaign *c, const char *kind, const char *reason,
                      json_t *details, struct error *err) {
        free(c->status);
        free(c->pause_reason);
        c->status = str_dup("paused");
        c->pause_reason = str_dup(reason);
        json_object_set_new(details, "reason", json_string(reason));
        json_object_set_new(details, "kind", json_string(kind));
        json_object_set_new(details, "campaign", json_string(c->name));
        if (store_campaign_update(s, c, err) < 0 ||
            campaign_audit(s, &campaign_system_actor, "campaign.auto-pause", c->id, details, err) < 0 ||
            identity_security_event_record(s, "campaign.auto-pause", "high", c->product_id, NULL, "campaign-evaluator",
                                           details, err) < 0)
                return -1;
        log_info("campaign %lld (%s) paused itself: %s", (long long) c->id, c->name, reason);
        return 0;
}

/* Step 2: the current wave's limits. */
static int step_check(struct store *s, void *arg, struct error *err) {
        struct eval *e = arg;
        __attribute__((cleanup(campaign_row_clearp))) struct store_campaign c = {0};
        struct campaign_plan plan;
        struct wave_counts w;
        if (store_campaign_get(s, e->id, &c, err) < 0 || campaign_plan_from_json(c.plan, &plan, err) < 0)
                return -1;
        e->stop = !str_eq(c.status, "running");
        if (e->stop || c.current_wave < 0 || (size_t) c.current_wave >= plan.n_waves)
                return 0;
        const struct campaign_wave_plan *wp = &plan.waves[c.current_wave];
        /* A release withdrawn while it rolls out is not offered any more. */
        {
                _cleanup_campaign_release_ struct campaign_release rel = {0};
                if (campaign_release_load(s, c.release_id, &rel, err) < 0)
                        return -1;
                if (!rel.published) {
                        char reason[256];
                        snprintf(reason, sizeof(reason),
                                 "release: %s (release %lld) is no longer published; resume with a fixed release",
                                 rel.version, (long long) rel.id);
                        _cleanup_json_ json_t *d = json_pack("{s:I, s:I}", "wave", (json_int_t) c.current_wave,
                                                             "release_id", (json_int_t) rel.id);
                        e->stop = true;
                        e->rep->paused++;
                        return auto_pause(s, &c, "release", reason, d, err);
                }
        }
        if (wave_counts_get(s, &c, c.current_wave, &w, err) < 0)
                return -1;
        int64_t allowed = campaign_amount_of(&wp->max_failures, w.total);
        if (w.failed_since_ack > allowed) {
                char reason[256];
                snprintf(reason, sizeof(reason),
                         "failures: %lld device(s) of wave %lld failed or rolled back (at most %lld allowed)",
                         (long long) w.failed_since_ack, (long long) c.current_wave, (long long) allowed);
                _cleanup_json_ json_t *d = json_pack("{s:I, s:I, s:I, s:I}", "wave", (json_int_t) c.current_wave,
                                                     "failed", (json_int_t) w.failed_since_ack, "allowed",
                                                     (json_int_t) allowed, "wave_devices", (json_int_t) w.total);
                e->stop = true;
                e->rep->paused++;
                return auto_pause(s, &c, "failures", reason, d, err);
        }
        int64_t stuck;
        if (store_campaign_stuck_count(s, c.id, c.current_wave, e->now - wp->stuck_after, c.acknowledged_at, &stuck,
                                       err) < 0)
                return -1;
        int64_t max_stuck = campaign_amount_of(&wp->max_stuck, w.total);
        if (stuck > max_stuck) {
                char reason[256];
                snprintf(reason, sizeof(reason),
                         "stuck: %lld device(s) of wave %lld in progress for more than %llds (at most %lld allowed)",
                         (long long) stuck, (long long) c.current_wave, (long long) wp->stuck_after,
                         (long long) max_stuck);
                _cleanup_json_ json_t *d = json_pack("{s:I, s:I, s:I, s:I}", "wave", (json_int_t) c.current_wave,
                                                     "stuck", (json_int_t) stuck, "allowed", (json_int_t) max_stuck,
                                                     "stuck_after", (json_int_t) wp->stuck_after);
                e->stop = true;
                e->rep->paused++;
                return auto_pause(s, &c, "stuck", reason, d, err);
        }
        if (c.dynamic) {
                _cleanup_campaign_release_ struct campaign_release rel = {0};
                _cleanup_campaign_selector_ struct campaign_selector sel = {0};
                struct store_campaign_rank_keys keys;
                int64_t joined;
                if (campaign_release_load(s, c.release_id, &rel, err) < 0 ||
                    campaign_selection_load(&c, &rel, &sel, err) < 0 || campaign_rank_keys(c.seed, &keys, err) < 0 ||
                    store_campaign_members_join(s, c.id, &sel.sel, &keys, c.current_wave, e->now, &joined, err) < 0)
                        return -1;
                _cleanup_json_ json_t *refused = json_array();
                if (joined &&
                    campaign_check_member_keys(s, c.id, c.release_id, e->now, false, e->now, refused, err) < 0)
                        return -1;
                if (joined) {
                        e->rep->joined += joined;
                        _cleanup_json_ json_t *d = json_pack("{s:I, s:I, s:O}", "wave", (json_int_t) c.current_wave,
                                                             "devices", (json_int_t) joined, "refused_no_wrap_key",
                                                             refused);
                        if (campaign_audit(s, &campaign_system_actor, "campaign.join", c.id, d, err) < 0)
                                return -1;
                }
        }
        e->current_wave = c.current_wave;
        e->stop = !campaign_plan_window_open(&plan, e->now);
        return 0;
}

/* Step 3: one chunk of offers to wave e->wave (from_state "pending" or
 * "retrying"). */
static int step_offer(struct store *s, void *arg, struct error *err) {
        struct eval *e = arg;
        __attribute__((cleanup(campaign_row_clearp))) struct store_campaign c = {0};
        int64_t last_action;
        e->n = 0;
        if (store_campaign_get(s, e->id, &c, err) < 0)
                return -1;
        if (!str_eq(c.status, "running") || e->wave > c.current_wave)
                return 0;
        if (store_campaign_offer_chunk(s, c.id, c.release_id, e->wave, e->from_state, campaign_system_actor.name,
                                       e->now, e->chunk, &e->n, &last_action, err) < 0)
                return -1;
        if (e->n == 0)
                return 0;
        e->rep->offered += e->n;
        _cleanup_json_ json_t *d = json_pack("{s:I, s:I, s:s, s:I, s:I, s:I}", "wave", (json_int_t) e->wave,
                                             "release_id", (json_int_t) c.release_id, "release", c.release_version,
                                             "devices", (json_int_t) e->n, "first_action_id",
                                             (json_int_t) (last_action - e->n + 1), "last_action_id",
                                             (json_int_t) last_action);
        return campaign_audit(s, &campaign_system_actor,
                              str_eq(e->from_state, "retrying") ? "campaign.retry" : "campaign.offer", c.id, d, err);
}

/* Step 4: wave completion and what follows it. */
static int step_advance(struct store *s, void *arg, struct error *err) {
        struct eval *e = arg;
        __attribute__((cleanup(campaign_row_clearp))) struct store_campaign c = {0};
        struct store_campaign_wave *waves = NULL;
        size_t n_waves = 0;
        struct campaign_plan plan;
        struct wave_counts w;
        /* Declared before the first jump to `out`, which runs their cleanup. */
        _cleanup_json_ json_t *d = NULL, *cd = NULL, *gd = NULL, *sd = NULL;
        int rc = -1;
        if (store_campaign_get(s, e->id, &c, err) < 0 || campaign_plan_from_json(c.plan, &plan, err) < 0)
                return -1;
        if (!str_eq(c.status, "running") || c.current_wave < 0)
                return 0;
        if (store_campaign_waves_get(s, c.id, &waves, &n_waves, err) < 0)
                return -1;
        if ((size_t) c.current_wave >= n_waves || (size_t) c.current_wave >= plan.n_waves) {
                error_set(err, ERROR_INTERNAL, "campaign %lld: wave %lld is not in its plan", (long long) c.id,
                          (long long) c.current_wave);
                goto out;
        }
        struct store_campaign_wave *cw = &waves[c.current_wave];
        const struct campaign_wave_plan *wp = &plan.waves[c.current_wave];
        /* A wave completed already when the campaign was paused at its gate
         * and then resumed: only its gate is applied again. */
        bool completed_now = !cw->completed_at;
        if (completed_now) {
                if (wave_counts_get(s, &c, c.current_wave, &w, err) < 0)
                        goto out;
                bool met = w.succeeded * 100 >= wp->success_threshold * w.total;
                int64_t met_at = met ? (cw->threshold_met_at ? cw->threshold_met_at : e->now) : 0;
                if (met_at != cw->threshold_met_at) {
                        cw->threshold_met_at = met_at;
                        if (store_campaign_wave_update(s, cw, err) < 0)
                                goto out;
                }
                /* Everybody in the wave was offered the release and no retry is due. */
                bool settled = w.pending == 0 && w.retrying == 0;
                if (!met || !settled || e->now < met_at + wp->soak) {
                        rc = 0;
                        goto out;
                }
                cw->completed_at = e->now;
                d = json_pack("{s:I, s:I, s:I, s:I, s:I}", "wave", (json_int_t) c.current_wave, "devices",
                              (json_int_t) w.total, "succeeded", (json_int_t) w.succeeded, "failed",
                              (json_int_t) w.failed, "canceled", (json_int_t) w.canceled);
                if (store_campaign_wave_update(s, cw, err) < 0 ||
                    campaign_audit(s, &campaign_system_actor, "campaign.wave.complete", c.id, d, err) < 0)
                        goto out;
                e->rep->waves_completed++;
        }
        c.updated_at = e->now;
        free(c.status);
        if ((size_t) c.current_wave + 1 >= plan.n_waves) {
                c.status = str_dup("completed");
                c.finished_at = e->now;
                e->rep->completed++;
                cd = json_pack("{s:I, s:s}", "release_id", (json_int_t) c.release_id,
                                                      "release", c.release_version);
                if (store_campaign_update(s, &c, err) < 0 ||
                    campaign_audit(s, &campaign_system_actor, "campaign.complete", c.id, cd, err) < 0)
                        goto out;
        } else if (wp->manual_gate) {
                c.status = str_dup("waiting");
                gd = json_pack("{s:I}", "next_wave", (json_int_t) c.current_wave + 1);
                if (store_campaign_update(s, &c, err) < 0 ||
                    campaign_audit(s, &campaign_system_actor, "campaign.gate.wait", c.id, gd, err) < 0)
                        goto out;
        } else {
                struct store_campaign_wave *nw = &waves[c.current_wave + 1];
                nw->started_at = e->now;
                c.current_wave++;
                c.status = str_dup("running");
                sd = json_pack("{s:I, s:n}", "wave", (json_int_t) c.current_wave,
                                                      "approved_by");
                if (store_campaign_wave_update(s, nw, err) < 0 || store_campaign_update(s, &c, err) < 0 ||
                    campaign_audit(s, &campaign_system_actor, "campaign.wave.start", c.id, sd, err) < 0)
                        goto out;
                e->n = 1; /* go round again: offer to the new wave */
        }
        rc = 0;
out:
        store_campaign_waves_free(waves, n_waves);
        return rc;
}

static int evaluate_one(struct store *s, int64_t id, int64_t now, size_t chunk, unsigned ms,
                        struct campaign_eval_report *rep, struct error *err) {
        struct eval e = { .id = id, .now = now, .chunk = chunk, .rep = rep, .pause_ms = ms };
        /* A wave that completes at once (empty, or zero soak) lets the next
         * one start in the same evaluation; bounded by the number of waves. */
        for (size_t round = 0; round <= CAMPAIGN_WAVES_MAX; round++) {
                do {
                        if (in_tx_pause(s, step_sync, &e, e.pause_ms, err) < 0)
                                return -1;
                        if (e.stop)
                                return 0;
                        rep->synced += e.n;
                } while ((size_t) e.n == chunk);
                if (in_tx_pause(s, step_check, &e, e.pause_ms, err) < 0)
                        return -1;
                if (!e.stop) {
                        /* The current wave and any earlier one (dynamic
                         * joiners, members a closed window held back). */
                        static const char *const from[] = { "pending", "retrying" };
                        size_t rounds = 0;
                        for (e.wave = 0; e.wave <= e.current_wave; e.wave++)
                                for (size_t f = 0; f < ELEMENTSOF(from); f++) {
                                        e.from_state = from[f];
                                        do {
                                                if (in_tx_pause(s, step_offer, &e, e.pause_ms, err) < 0)
                                                        return -1;
                                        } while ((size_t) e.n == chunk && ++rounds < OFFER_ROUNDS_MAX);
                                }
                }
                e.n = 0;
                if (in_tx_pause(s, step_advance, &e, e.pause_ms, err) < 0)
                        return -1;
                if (e.n == 0)
                        return 0;
        }
        return 0;
}

int campaign_evaluate(struct store *s, int64_t now, size_t chunk, unsigned ms, struct campaign_eval_report *rep,
                      struct error *err) {
        _cleanup_free_ int64_t *ids = NULL;
        size_t n = 0;
        int64_t keys;
        memset(rep, 0, sizeof(*rep));
        if (chunk == 0)
                chunk = CAMPAIGN_CHUNK_DEFAULT;
        /* Version keys of devices enrolled since the last round (selector
         * version ranges compare them). */
        for (size_t round = 0; round < OFFER_ROUNDS_MAX; round++) {
                if (store_tx_begin(s, err) < 0)
                        return -1;
                if (store_version_keys_backfill(s, chunk, &keys, err) < 0) {
                        store_tx_rollback(s);
                        return -1;
                }
                if (store_tx_commit(s, err) < 0)
                        return -1;
                if ((size_t) keys < chunk)
                        break;
                pause_ms(ms);
        }
        if (store_campaign_ids_to_evaluate(s, &ids, &n, err) < 0)
                return -1;
        for (size_t i = 0; i < n; i++) {
                if (evaluate_one(s, ids[i], now, chunk, ms, rep, err) < 0)
                        return error_prefix(err, "campaign %lld: ", (long long) ids[i]);
                rep->campaigns++;
        }
        return 0;
}

int campaign_sync_all(struct store *s, const struct store_campaign *c, int64_t now, struct error *err) {
        struct campaign_plan plan;
        if (campaign_plan_from_json(c->plan, &plan, err) < 0)
                return -1;
        for (int64_t w = 0; w <= c->current_wave; w++) {
                int64_t n;
                do {
                        if (store_campaign_sync_chunk(s, c->id, w, plan.retry_limit, plan.retry_backoff, now,
                                                      CAMPAIGN_CHUNK_DEFAULT, &n, err) < 0)
                                return -1;
                } while (n == CAMPAIGN_CHUNK_DEFAULT);
        }
        return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * Rollout campaigns (docs/campaigns.md): one published release rolled out to
 * the devices a selector matched, in waves with gates, auto-pause, retries
 * and a maintenance window. Campaigns drive update actions
 * (director/action.h): a wave's start opens actions (campaign_id set), device
 * reports close them, abort cancels them. Nothing here is HTTP.
 *
 * Create body: {"name", "release_id", "selector" (selector.h), "waves",
 * "retry", "window" (plan.h), "dynamic": bool, "security": bool,
 * "vulnerabilities": ["CVE-2026-1234", ...], "seed": 32 hex digits}
 * (name, release_id and selector required; body <= 1 MiB, depth <= 8).
 *
 * States: draft -> running <-> paused, running -> waiting (a manual gate)
 * -> running (approve), running -> completed, any active -> aborted.
 * A device is in at most one active campaign (draft, running, waiting,
 * paused): a create whose selection holds a device of another active
 * campaign is refused (409) naming that campaign and the device.
 *
 * Every change is audited with object "campaign:<id>": campaign.create,
 * .start, .pause, .resume, .approve, .abort, .auto-pause, .offer, .retry,
 * .wave.start, .wave.complete, .complete.
 */
#include <jansson.h>
#include <stdint.h>
#include "audit/audit.h"
#include "store/store.h"

#define CAMPAIGN_BODY_MAX (1u << 20)
#define CAMPAIGN_BODY_DEPTH 8
#define CAMPAIGN_NAME_MAX 64
#define CAMPAIGN_VULNS_MAX 64
/* Rows one evaluator step writes before it commits (the write lock is held
 * for one chunk at a time). */
#define CAMPAIGN_CHUNK_DEFAULT 500

/* Parses and validates a create body without touching the store (the fuzz
 * target's entry): ERROR_INVALID naming the field. */
int campaign_body_check(json_t *body, struct error *err);

int campaign_create(struct store *s, const struct audit_actor *a, json_t *body, int64_t now, json_t **out,
                    struct error *err);
#define CAMPAIGN_LIST_MAX 1000
/* {"items": [summary...], "next_before_id": ID|null} newest first; status
 * NULL = any; ids below `before` (0 = from the newest); at most `limit`
 * (0 or more than CAMPAIGN_LIST_MAX = CAMPAIGN_LIST_MAX). next_before_id
 * continues the list when more follow. */
int campaign_list(struct store *s, const char *status, int64_t before, size_t limit, json_t **out,
                  struct error *err);
/* The campaign with its plan and progress (progress.c). */
int campaign_show(struct store *s, int64_t id, int64_t now, json_t **out, struct error *err);

/* Operator actions; body may be NULL. pause: {"reason"}; resume:
 * {"release_id"} (a fixed release: failed and unfinished members are
 * offered it); approve: none; abort: {"reason"}. Each answers with
 * campaign_show's document. approve refuses the campaign's creator
 * (ERROR_FORBIDDEN: four eyes). */
int campaign_start(struct store *s, const struct audit_actor *a, int64_t id, json_t *body, int64_t now,
                   json_t **out, struct error *err);
int campaign_pause(struct store *s, const struct audit_actor *a, int64_t id, json_t *body, int64_t now,
                   json_t **out, struct error *err);
int campaign_resume(struct store *s, const struct audit_actor *a, int64_t id, json_t *body, int64_t now,
                    json_t **out, struct error *err);
int campaign_approve(struct store *s, const struct audit_actor *a, int64_t id, json_t *body, int64_t now,
                     json_t **out, struct error *err);
int campaign_abort(struct store *s, const struct audit_actor *a, int64_t id, json_t *body, int64_t now,
                   json_t **out, struct error *err);

/* The evaluator (evaluate.c): for every running or waiting campaign, reads
 * back device reports, pauses on failures or stuck devices, offers to the
 * current wave (and due retries) inside the window, completes waves and
 * starts the next. Off the request path (cradled's campaign thread); tests
 * call it with their own `now`. Each step is its own short transaction of
 * at most `chunk` rows (0 = CAMPAIGN_CHUNK_DEFAULT), followed by a pause of
 * `pause_ms`: SQLite's busy handler polls, so a writer that commits and
 * begins again at once would starve the device requests waiting for the
 * lock. */
struct campaign_eval_report {
        int64_t campaigns, offered, synced, joined, paused, waves_completed, completed;
};
#define CAMPAIGN_PAUSE_MS_DEFAULT 50
int campaign_evaluate(struct store *s, int64_t now, size_t chunk, unsigned pause_ms,
                      struct campaign_eval_report *rep, struct error *err);

/* Prometheus gauges of the active campaigns (heap text, may be ""):
 *   cradle_campaigns{status}                    campaigns per status
 *   cradle_campaign_devices{campaign,state}     members per state
 *   cradle_campaign_wave{campaign}              the current wave (0-based) */
int campaign_metrics_render(struct store *s, char **out, struct error *err);

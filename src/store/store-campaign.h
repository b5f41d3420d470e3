/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * Rollout campaigns (schema version 7): campaigns, their waves' times, and
 * their membership. Every rule about them lives in src/campaign/; this file
 * is rows and set-based statements. No statement here loops over devices in
 * C: membership, offers, the reading of device reports and the counts are
 * each one SQL statement (chunked by the caller where a statement could touch
 * many rows, so the write lock is held briefly).
 *
 * Strings in rows are heap copies owned by the row (free with *_clear).
 * Errors: ERROR_NOT_FOUND, ERROR_CONFLICT (a UNIQUE violation), ERROR_DB /
 * ERROR_UNAVAILABLE from the database.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "store/store.h"

/* Campaign statuses. "Active" (holds its devices: a device is in at most one
 * active campaign) = every status but completed and aborted. */
#define STORE_CAMPAIGN_ACTIVE_SQL "('draft', 'running', 'waiting', 'paused')"

struct store_campaign {
        int64_t id;
        char *name;
        int64_t product_id;
        char *product_model;      /* read only (joined) */
        int64_t release_id;
        char *release_version;    /* read only (joined) */
        char *selector;           /* JSON */
        char *plan;               /* JSON */
        char *seed;               /* 32 hex digits */
        bool dynamic;
        bool security;
        char *vulnerabilities;    /* JSON array */
        char *status;
        int64_t current_wave;     /* -1 before start */
        char *pause_reason;       /* NULL unless paused */
        int64_t acknowledged_at;
        int64_t created_at;
        char *created_by;
        int64_t started_at;       /* 0 = not started */
        int64_t updated_at;
        int64_t finished_at;      /* 0 = not finished */
};

/* ERROR_CONFLICT "a campaign named X exists". */
int store_campaign_insert(struct store *s, const struct store_campaign *c, int64_t *id_out, struct error *err);
/* ERROR_NOT_FOUND "no campaign N". */
int store_campaign_get(struct store *s, int64_t id, struct store_campaign *out, struct error *err);
int store_campaign_get_by_name(struct store *s, const char *name, struct store_campaign *out, struct error *err);
/* Newest first, ids below `before` (0 = all); status NULL = any; at most
 * `limit` rows. */
int store_campaign_list(struct store *s, const char *status, int64_t before, size_t limit,
                        struct store_campaign **out, size_t *n_out, struct error *err);
/* Every campaign not completed or aborted, by id. */
int store_campaign_list_active(struct store *s, struct store_campaign **out, size_t *n_out, struct error *err);
/* How many campaigns have `status`. */
int store_campaign_count_status(struct store *s, const char *status, int64_t *out, struct error *err);
/* Writes the mutable columns: release_id, status, current_wave,
 * pause_reason, acknowledged_at, started_at, updated_at, finished_at. */
int store_campaign_update(struct store *s, const struct store_campaign *c, struct error *err);
/* Ids of the campaigns the evaluator looks at (running or waiting), by id. */
int store_campaign_ids_to_evaluate(struct store *s, int64_t **out, size_t *n_out, struct error *err);
void store_campaign_clear(struct store_campaign *c);
void store_campaign_list_free(struct store_campaign *list, size_t n);

/* ---- waves ---- */

struct store_campaign_wave {
        int64_t campaign_id;
        int64_t idx;
        int64_t started_at;        /* 0 = not yet */
        int64_t threshold_met_at;  /* 0 = not yet */
        int64_t completed_at;      /* 0 = not yet */
        char *approved_by;         /* NULL = not approved (manual gate) */
        int64_t approved_at;
};

/* Creates rows 0..n-1. */
int store_campaign_waves_init(struct store *s, int64_t campaign_id, size_t n, struct error *err);
/* By idx. */
int store_campaign_waves_get(struct store *s, int64_t campaign_id, struct store_campaign_wave **out, size_t *n_out,
                             struct error *err);
int store_campaign_wave_update(struct store *s, const struct store_campaign_wave *w, struct error *err);
void store_campaign_waves_free(struct store_campaign_wave *list, size_t n);

/* ---- the selector ----
 * One SQL term per field (store-campaign-select.c builds each as a WHERE
 * fragment with its binds); an empty list or NULL means "no condition".
 * Every selection also requires an active device of product_id whose
 * hardware revision is one of release_revisions (the release must fit). */

struct store_strlist {
        const char *const *v;
        size_t n;
};

struct store_campaign_selector {
        int64_t product_id;                      /* required */
        struct store_strlist release_revisions;  /* the release's hardware revisions (required) */
        struct store_strlist hardware_revisions;
        struct store_strlist tags_any;
        struct store_strlist tags_all;           /* distinct */
        struct store_strlist serials;
        const char *version_exact;               /* the installed (or initial) version, as text */
        const char *version_min_key;             /* core/version.h keys: min inclusive */
        const char *version_below_key;           /* below exclusive */
        struct store_strlist batches;            /* batch names */
        const char *production_from;             /* YYYY-MM-DD, inclusive */
        const char *production_to;
        struct store_strlist member_states;      /* the product is sold in one of them */
        int64_t last_seen_after;                 /* 0 = no bound; exclusive */
        int64_t last_seen_before;
        /* issue 9: a vulnerability id or alias: devices whose running release
         * has a live finding of it in triage or affected (not patched); NULL = any */
        const char *affected_by;
};

/* The four keys of the reproducible ordering (from the campaign's seed):
 * rank = keyed quadratic hash of the device id (docs/campaigns.md). Each in
 * [1, 2^31 - 2]. */
struct store_campaign_rank_keys {
        int64_t a, b, c, m;
};

/* How many devices the selector matches. */
int store_campaign_select_count(struct store *s, const struct store_campaign_selector *sel, int64_t *n_out,
                                struct error *err);
/* The first matched device that is in another active campaign: *found with
 * that campaign's name and the device's serial (heap). */
int store_campaign_select_conflict(struct store *s, const struct store_campaign_selector *sel, int64_t self_id,
                                   bool *found, char **campaign_name, char **serial, struct error *err);
/* Inserts the matched devices as members, ordered by rank (ties by id): the
 * first targets[0] are wave 0, up to targets[1] wave 1, ...; the rest the
 * last wave. targets are cumulative. */
int store_campaign_members_insert(struct store *s, int64_t campaign_id, const struct store_campaign_selector *sel,
                                  const struct store_campaign_rank_keys *keys, const int64_t *targets,
                                  size_t n_waves, int64_t now, int64_t *n_out, struct error *err);
/* Dynamic mode: matched devices that are in no active campaign and were
 * never members of this one join wave `wave` (pending). */
int store_campaign_members_join(struct store *s, int64_t campaign_id, const struct store_campaign_selector *sel,
                                const struct store_campaign_rank_keys *keys, int64_t wave, int64_t now,
                                int64_t *n_out, struct error *err);

/* A member's key for an encrypted release: its serial and the PEM of its
 * newest valid certificate (NULL: none). */
struct store_campaign_member_cert {
        int64_t device_id;
        char *serial;
        char *pem;
};
/* Pending members of the campaign that joined at or after `joined_since`,
 * with device id above `after`, at most `max`, in device id order. */
int store_campaign_member_certs(struct store *s, int64_t campaign_id, int64_t joined_since, int64_t after,
                                size_t max, struct store_campaign_member_cert **out, size_t *n_out,
                                struct error *err);
void store_campaign_member_certs_free(struct store_campaign_member_cert *l, size_t n);
/* A pending member that cannot take the campaign's release: failed now,
 * never offered (attempts stay 0). */
int store_campaign_member_refuse(struct store *s, int64_t campaign_id, int64_t device_id, int64_t now,
                                 struct error *err);

/* ---- running ---- */

/* Offers the release to at most `max` members of wave `wave` in state
 * `from_state` ("pending", or "retrying" whose backoff ended by `now`), by
 * device id: supersedes their active actions, opens an action each
 * (campaign_id set), makes the release their assignment, marks them
 * offered. *n_out = how many; *last_action_id = the highest new action id. */
int store_campaign_offer_chunk(struct store *s, int64_t campaign_id, int64_t release_id, int64_t wave,
                               const char *from_state, const char *actor_name, int64_t now, size_t max,
                               int64_t *n_out, int64_t *last_action_id, struct error *err);
/* Reads back at most `max` closed actions of offered members of `wave`: succeeded ->
 * succeeded; failed or rejected -> retrying (next attempt at now + backoff *
 * 2^(attempts-1)) while attempts <= retry_limit, else failed; canceled or
 * superseded -> canceled. */
int store_campaign_sync_chunk(struct store *s, int64_t campaign_id, int64_t wave, int64_t retry_limit,
                              int64_t backoff, int64_t now, size_t max, int64_t *n_out, struct error *err);

struct store_campaign_count {
        int64_t wave;
        char state[16];
        int64_t n;
        int64_t n_since;           /* of them, finished at or after `since` */
};
/* Members per (wave, state); wave -1 = every wave. */
int store_campaign_counts(struct store *s, int64_t campaign_id, int64_t wave, int64_t since,
                          struct store_campaign_count **out, size_t *n_out, struct error *err);
/* Offered members of `wave` whose open action reported a stage, offered
 * before `cutoff` (and `since` before it too). */
int store_campaign_stuck_count(struct store *s, int64_t campaign_id, int64_t wave, int64_t cutoff, int64_t since,
                               int64_t *n_out, struct error *err);

struct store_campaign_country_count {
        char country[8];
        char state[16];
        int64_t n;
};
/* Members per (member state of their product, state). */
int store_campaign_counts_by_member_state(struct store *s, int64_t campaign_id,
                                          struct store_campaign_country_count **out, size_t *n_out,
                                          struct error *err);

/* Abort: removes the assignments of members whose campaign action is open,
 * marks those actions canceling (the director stops offering, DDI sends
 * cancelAction), and marks every unfinished member canceled. *n_canceled =
 * actions canceled. */
int store_campaign_cancel(struct store *s, int64_t campaign_id, const char *reason, int64_t now,
                          int64_t *n_canceled, int64_t *n_members, struct error *err);
/* After the release changed: failed, retrying and offered members are
 * pending again with their attempts reset. */
int store_campaign_reoffer(struct store *s, int64_t campaign_id, int64_t *n_out, struct error *err);

/* Computes missing version keys (installed and initial versions), at most
 * `max`; *n_out = how many. */
int store_version_keys_backfill(struct store *s, size_t max, int64_t *n_out, struct error *err);

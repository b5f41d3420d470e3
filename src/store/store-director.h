/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * The director's rows (schema version 5): the director root chain, device
 * tags, release assignments, the per-device signed targets cache, and device
 * update state and history (traceability). Releases are read through
 * store-release.h (schema version 4).
 *
 * Plain rows in, plain rows out; every rule about them lives in
 * src/director/. Strings in rows are heap copies owned by the row (free with
 * the matching *_clear); NULL means SQL NULL.
 *
 * Errors: ERROR_NOT_FOUND ("no director root version 3"), ERROR_CONFLICT on a
 * UNIQUE violation, ERROR_DB / ERROR_UNAVAILABLE from the database.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "store/store.h"

/* ---- director roots ---- */

struct store_director_root {
        int64_t version;
        char *document;          /* the signed root as published (compact JSON) */
        int64_t expires;
        int64_t installed_at;
};

/* ERROR_CONFLICT when that version exists. */
int store_director_root_insert(struct store *s, const struct store_director_root *r, struct error *err);
/* version 0 = the newest. found = false when there is none (no error). */
int store_director_root_get(struct store *s, int64_t version, struct store_director_root *out, bool *found,
                            struct error *err);
void store_director_root_clear(struct store_director_root *r);

/* ---- device tags ---- */

/* Replaces a device's tags (n may be 0). */
int store_device_tags_set(struct store *s, int64_t device_id, const char *const *tags, size_t n,
                          struct error *err);
/* Sorted by name. *out is a heap array of heap strings (store_strv_free). */
int store_device_tags_get(struct store *s, int64_t device_id, char ***out, size_t *n_out, struct error *err);
/* Ids of the devices carrying `tag`, by id; at most `max` + 1 are returned so
 * the caller can tell "more than max". */
int store_devices_with_tag(struct store *s, const char *tag, size_t max, int64_t **out, size_t *n_out,
                           struct error *err);
void store_strv_free(char **v, size_t n);

/* ---- assignments ---- */

struct store_device_assignment {
        int64_t device_id;
        int64_t release_id;
        char *tag;               /* NULL = assigned by serial */
        int64_t assigned_at;
        char *assigned_by;       /* the actor's name */
};

/* Inserts or replaces the device's one assignment. */
int store_device_assignment_put(struct store *s, const struct store_device_assignment *a, struct error *err);
/* found = false when the device has none. */
int store_device_assignment_get(struct store *s, int64_t device_id, struct store_device_assignment *out,
                                bool *found, struct error *err);
void store_device_assignment_clear(struct store_device_assignment *a);

/* ---- the per-device director targets cache ---- */

struct store_director_targets {
        int64_t device_id;
        int64_t version;
        char content_sha256[65];
        int64_t root_version;
        int64_t signed_at;
        int64_t expires;
        char *document;
};

int store_director_targets_get(struct store *s, int64_t device_id, struct store_director_targets *out,
                               bool *found, struct error *err);
/* Inserts or replaces the device's row. */
int store_director_targets_put(struct store *s, const struct store_director_targets *t, struct error *err);
void store_director_targets_clear(struct store_director_targets *t);

/* ---- device update state and history ---- */

struct store_device_update_state {
        int64_t device_id;
        char *installed_version;  /* NULL = never reported a success */
        int64_t security_version; /* -1 = none */
        int64_t last_seen;
        char *last_stage;         /* NULL = never reported */
        int64_t last_report_at;   /* 0 = never */
};

int store_device_update_state_get(struct store *s, int64_t device_id, struct store_device_update_state *out,
                                  bool *found, struct error *err);
/* Sets last_seen = when, creating the row, unless the stored last_seen is
 * already at or after when - min_interval (so frequent polls do not write). */
int store_device_seen(struct store *s, int64_t device_id, int64_t when, int64_t min_interval,
                      struct error *err);
/* Many devices at once, inside the caller's transaction (the director's
 * batched last_seen, director/seen.h): last_seen = when unless it is
 * already later; devices that no longer exist are skipped. */
struct store_device_seen {
        int64_t device_id;
        int64_t when;
};
int store_devices_seen_batch(struct store *s, const struct store_device_seen *rows, size_t n, struct error *err);
void store_device_update_state_clear(struct store_device_update_state *st);

struct store_device_update_entry {
        int64_t id;
        int64_t device_id;
        int64_t time;
        char *stage;
        char *from_version;       /* NULL = not given */
        char *to_version;
        int64_t security_version; /* -1 = not given */
        char *result;             /* "in-progress" "success" "failure" "rolled-back" */
        char *reason;             /* NULL = not given */
        int64_t action_id;        /* 0 = no active action matched the report */
};

/* Appends a history row and updates the state row (last_seen, last_stage,
 * last_report_at; installed_version and security_version too when
 * set_installed). id_out may be NULL. */
int store_device_update_record(struct store *s, const struct store_device_update_entry *e, bool set_installed,
                               int64_t *id_out, struct error *err);
/* Oldest first, after after_id; limit 0 = 1000, at most 1000. */
int store_device_update_history(struct store *s, int64_t device_id, int64_t after_id, size_t limit,
                                struct store_device_update_entry **out, size_t *n_out, struct error *err);
void store_device_update_entry_clear(struct store_device_update_entry *e);
void store_device_update_history_free(struct store_device_update_entry *list, size_t n);

/* ---- update actions (schema version 6) ----
 * One offer of a release to one device. status: "open" "canceling"
 * "canceled" "succeeded" "failed" "rejected" "superseded"; at most one
 * "open" or "canceling" action per device (a UNIQUE partial index). */

struct store_update_action {
        int64_t id;
        int64_t device_id;
        int64_t release_id;
        int64_t campaign_id;      /* 0 = a direct assignment */
        char *release_version;    /* read only: the release's version */
        char *status;
        char *last_stage;         /* NULL = nothing reported yet */
        char *reason;
        int64_t created_at;
        char *created_by;
        int64_t updated_at;
        int64_t closed_at;        /* 0 = still active */
};

/* Inserts a new action (id, status, times and created_by from the row;
 * release_version, last_stage and reason are ignored). ERROR_CONFLICT when
 * the device already has an active one. */
int store_update_action_insert(struct store *s, const struct store_update_action *r, int64_t *id_out,
                               struct error *err);
int store_update_action_get(struct store *s, int64_t id, struct store_update_action *out, bool *found,
                            struct error *err);
/* The device's open or canceling action. */
int store_update_action_active(struct store *s, int64_t device_id, struct store_update_action *out, bool *found,
                               struct error *err);
/* The device's newest succeeded action (DDI installedBase). */
int store_update_action_last_succeeded(struct store *s, int64_t device_id, struct store_update_action *out,
                                       bool *found, struct error *err);
/* Sets status, last_stage (NULL keeps it), reason (NULL keeps it) and
 * updated_at = now; closed_at = now when `closed`. */
int store_update_action_set(struct store *s, int64_t id, const char *status, const char *last_stage,
                            const char *reason, bool closed, int64_t now, struct error *err);
/* The device's actions, newest first; limit 0 = 1000. */
int store_update_actions_of_device(struct store *s, int64_t device_id, size_t limit,
                                   struct store_update_action **out, size_t *n_out, struct error *err);
/* A page of them: id < before (0 = from the newest), at most `limit` (the
 * caller bounds it). */
int store_update_actions_of_device_page(struct store *s, int64_t device_id, int64_t before, size_t limit,
                                        struct store_update_action **out, size_t *n_out, struct error *err);
void store_update_action_clear(struct store_update_action *r);
void store_update_actions_free(struct store_update_action *list, size_t n);

/* Removes the device's assignment, so the director offers it nothing. No
 * error when it has none. */
int store_device_assignment_delete(struct store *s, int64_t device_id, struct error *err);

/* ---- the sign-ahead queue (schema version 7) ----
 * Devices whose director targets should be signed before their next poll. */

/* Queues the device (once: a queued device stays queued at its first time). */
int store_director_sign_queue_add(struct store *s, int64_t device_id, int64_t now, struct error *err);
/* Up to `max` queued device ids, oldest first (heap array). */
int store_director_sign_queue_take(struct store *s, size_t max, int64_t **ids, size_t *n_out, struct error *err);
int store_director_sign_queue_delete(struct store *s, const int64_t *ids, size_t n, struct error *err);
/* How many devices are queued. */
int store_director_sign_queue_count(struct store *s, int64_t *out, struct error *err);

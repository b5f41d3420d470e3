/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * All of the agent's state in one JSON file, <state dir>/state.json, written
 * atomically (core/fileio.h: temp file, fsync, rename, fsync of the directory)
 * at every phase change, so after a power cut it is the old state or the new
 * one, never a mix.
 *
 * The anti-rollback floor is kept twice: in state.json and in <state dir>/floor
 * (written before state.json whenever it rises). Loading takes the larger, so
 * losing state.json never lowers the floor.
 *
 * A state file that cannot be read (truncated, garbage, unknown fields, values
 * out of range) is moved aside to state.json.corrupt and the agent falls back
 * to a safe state: idle, no update in progress, the floor from the floor file,
 * and any unconfirmed trial boot rolled back by the next `confirm` (an update
 * that cannot be traced to verified metadata is never confirmed).
 */
#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include "core/error.h"
#include "crypto/hash.h"

#define AGENT_STATE_FILE "state.json"
#define AGENT_FLOOR_FILE "floor"
#define AGENT_STATE_MAX (256 * 1024)
#define AGENT_VERSION_MAX 128
#define AGENT_TARGET_PATH_MAX 1024
#define AGENT_REPORTS_MAX 64
#define AGENT_BOOT_ID_MAX 64
#define AGENT_ENCRYPTION_KEY_MAX 512

enum agent_phase {
        AGENT_PHASE_IDLE,            /* nothing in progress */
        AGENT_PHASE_DOWNLOADING,     /* target verified, download.part being fetched */
        AGENT_PHASE_INSTALLING,      /* download complete and hashed; writing the inactive slot */
        AGENT_PHASE_ACTIVATING,      /* slot written and verified; switching the boot target */
        AGENT_PHASE_AWAITING_REBOOT, /* the next boot runs the new slot on trial */
        AGENT_PHASE_CONFIRMING,      /* healthy: making the trial slot permanent */
        AGENT_PHASE_ROLLING_BACK,    /* unhealthy or fell back: returning to the old slot */
        _AGENT_PHASE_MAX,
};

struct agent_image {
        char version[AGENT_VERSION_MAX + 1];   /* release version, "" when unknown */
        int64_t security_version;
        char path[AGENT_TARGET_PATH_MAX + 1];  /* TUF target path, "" when unknown */
        int64_t length;
        char sha256[SHA256_HEX_LEN];           /* lowercase hex, "" when unknown */
        /* An encrypted target (docs/ota.md, "Encrypted payloads"): length and
         * sha256 above are the container's (TUF), these the plaintext's (the
         * image repository's signed custom). plain_sha256 "" when the image
         * is not encrypted. encryption_key: the director's wrapped content
         * key for this device, compact JSON (useless without the device key). */
        int64_t plain_length;
        char plain_sha256[SHA256_HEX_LEN];
        char encryption_key[AGENT_ENCRYPTION_KEY_MAX + 1];
};

struct agent_state {
        enum agent_phase phase;
        struct agent_image current;  /* the confirmed image the device runs */
        struct agent_image target;   /* the update in progress (phase != idle) */
        int64_t floor;               /* anti-rollback: lowest security version accepted */
        int64_t director_version;    /* highest director targets version accepted */
        char activated_boot_id[AGENT_BOOT_ID_MAX + 1]; /* boot id when the slot was activated */
        int64_t boot_attempts;       /* trial boots seen by `confirm` */
        char failed_sha256[SHA256_HEX_LEN]; /* last target rolled back: not retried */
        char last_error[512];
        json_t *reports;             /* queued status reports (array), oldest first */
        bool recovered;              /* the file was corrupt: this is the safe fallback */
};

const char *agent_phase_name(enum agent_phase p);

/* Reads the state of `dir` (created 0700 when missing). A missing file gives
 * a fresh idle state; a corrupt one the safe fallback described above (with
 * st->recovered set and the reason in st->last_error). Fails only when the
 * directory cannot be used. */
int agent_state_load(const char *dir, struct agent_state *st, struct error *err);
/* Writes the state atomically (and the floor file first when it rose). */
int agent_state_save(const char *dir, const struct agent_state *st, struct error *err);
void agent_state_free(struct agent_state *st);

/* Raises the floor (never lowers it). */
void agent_state_raise_floor(struct agent_state *st, int64_t security_version);
/* Queues a status report (the oldest is dropped beyond AGENT_REPORTS_MAX). */
void agent_state_queue_report(struct agent_state *st, json_t *report);
void agent_state_set_error(struct agent_state *st, const char *msg);
/* The state as JSON (for `cradle-agent status`). */
json_t *agent_state_to_json(const struct agent_state *st);

/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * cradled's audit checkpoint pass (docs/security.md, "Audit checkpoints"),
 * run by a periodic worker (periodic.h) off the request path: it signs a checkpoint when one is due
 * (audit_checkpoint_run: [audit] checkpoint_every entries or
 * checkpoint_interval since the last one) and hands every checkpoint to the
 * configured witnesses, each with its own delivery state in the database:
 *  - a file: the JSON line appended and fsync'd (the file an auditor can pass
 *    to `cradle audit verify --checkpoint`);
 *  - a URL: the JSON POSTed (Content-Type application/json, X-Cradle-Event:
 *    audit.checkpoint), retried with backoff (AUDIT_WITNESS_BACKOFF_S doubling,
 *    at most 1 h) until a 2xx answer, given up after AUDIT_WITNESS_ATTEMPTS_MAX;
 *  - syslog: one line, facility auth, ident cradled-audit.
 * The key is loaded at start: a file made on first start when absent (mode
 * 0600), or a PKCS#11 object (made on the token when absent), and registered
 * in the key registry (class audit-checkpoint); each checkpoint is a "key.use"
 * of it. The pass runs every AUDIT_CHECKPOINTER_WAKE_S seconds (sooner with a
 * shorter interval) and stops promptly on shutdown.
 */
#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"

#define AUDIT_CHECKPOINTER_WAKE_S 10
#define AUDIT_WITNESS_BACKOFF_S 10
#define AUDIT_WITNESS_ATTEMPTS_MAX 20

struct store_pool;
struct audit_checkpointer;

struct audit_checkpointer_config {
        struct store_pool *pool;
        const char *data_dir;
        int64_t every, interval;
        const char *key_ref;      /* as configured */
        const char *key_type;     /* for a key made on first start */
        const char *witness_file; /* "" or NULL: none */
        const char *witness_url;
        bool witness_syslog;
};

int audit_checkpointer_start(const struct audit_checkpointer_config *cfg, struct audit_checkpointer **out,
                             struct error *err);
void audit_checkpointer_stop(struct audit_checkpointer *c);

/* The delay before URL attempt number `attempts` + 1 (attempts >= 1 failed). */
int64_t audit_witness_backoff(int64_t attempts);

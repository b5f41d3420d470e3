/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * Rows of signed audit checkpoints (audit/checkpoint.h signs and checks them)
 * and the delivery state of each to the external witnesses (a file, a URL,
 * syslog). The table is only the server's copy: what protects the log is a
 * copy that has left the machine.
 */
#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"

struct store_audit_checkpoint {
        int64_t seq;
        int64_t time;
        char hash[65];        /* hash of entry seq */
        char chain[65];       /* hash of entry 1: which chain (deployment) this is */
        char key[65];         /* SHA-256 of the signing key's SPKI DER */
        char *public_key;     /* base64 of the SPKI DER (so a line stands alone) */
        char *algorithm;      /* "ECDSA P-256", ... (for people; not signed) */
        char *signature;      /* base64 */
        int64_t url_attempts; /* witness URL deliveries tried (store_audit_checkpoint_due) */
};

void store_audit_checkpoint_clear(struct store_audit_checkpoint *cp);
void store_audit_checkpoint_list_free(struct store_audit_checkpoint *list, size_t n);

int store_audit_checkpoint_insert(struct store *s, const struct store_audit_checkpoint *cp, struct error *err);
/* found=false when there is none yet. */
int store_audit_checkpoint_last(struct store *s, struct store_audit_checkpoint *out, bool *found, struct error *err);
/* Ordered by seq ascending, seq > after_seq; limit 1..1000. */
int store_audit_checkpoint_list(struct store *s, int64_t after_seq, int64_t limit, struct store_audit_checkpoint **out,
                                size_t *n_out, struct error *err);

/* The witnesses, each with its own delivery state. */
enum store_audit_witness { STORE_AUDIT_WITNESS_FILE, STORE_AUDIT_WITNESS_URL, STORE_AUDIT_WITNESS_SYSLOG };
/* Checkpoints not yet delivered to witness w, oldest first; for the URL only
 * those whose next attempt is due at now, and with fewer than max_attempts. */
int store_audit_checkpoint_due(struct store *s, enum store_audit_witness w, int64_t now, int64_t max_attempts,
                               int64_t limit, struct store_audit_checkpoint **out, size_t *n_out, struct error *err);
int store_audit_checkpoint_delivered(struct store *s, enum store_audit_witness w, int64_t seq, struct error *err);
/* A failed URL delivery: attempts and the time of the next one. */
int store_audit_checkpoint_url_failed(struct store *s, int64_t seq, int64_t attempts, int64_t next_at,
                                      const char *why, struct error *err);

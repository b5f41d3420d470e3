/* SPDX-License-Identifier: Apache-2.0 */
/* Making a checkpoint when one is due (checkpoint.h, audit_checkpoint_run). */
#include <inttypes.h>
#include <string.h>

#include "audit/audit.h"
#include "audit/checkpoint.h"
#include "core/cleanup.h"
#include "crypto/key.h"
#include "keys/keys.h"
#include "store/store.h"

/* The hash of entry 1: the chain's identity. */
static int chain_id(struct store *s, char out[65], struct error *err) {
        struct store_audit_filter f = {.after_seq = 0, .limit = 1};
        struct store_audit_entry *list = NULL;
        size_t n = 0;
        if (store_audit_list(s, &f, &list, &n, err) < 0)
                return -1;
        if (n != 1 || list[0].seq != 1) {
                int64_t first = n ? list[0].seq : 0;
                store_audit_list_free(list, n);
                return error_set(err, ERROR_DB, "the audit log has no entry 1 (its first is %" PRId64 ")", first);
        }
        memcpy(out, list[0].hash, 65);
        store_audit_list_free(list, n);
        return 0;
}

static int run_in_tx(struct store *s, const struct crypto_key *key, const struct keys_new *reg,
                     const struct audit_checkpoint_policy *p,
                     int64_t now, struct store_audit_checkpoint *out, bool *made, struct error *err) {
        struct store_audit_entry last = {0};
        struct store_audit_checkpoint prev = {0};
        bool have_last, have_prev;
        if (store_audit_last(s, &last, &have_last, err) < 0)
                return -1;
        int64_t last_seq = have_last ? last.seq : 0;
        store_audit_entry_clear(&last);
        if (store_audit_checkpoint_last(s, &prev, &have_prev, err) < 0)
                return -1;
        int64_t prev_seq = have_prev ? prev.seq : 0, prev_time = have_prev ? prev.time : 0;
        store_audit_checkpoint_clear(&prev);
        if (last_seq <= prev_seq)
                return 0; /* nothing new since the last checkpoint */
        /* The first checkpoint counts from entry 1, as later ones from the last checkpoint. */
        if (!have_prev) {
                struct store_audit_filter f = {.after_seq = 0, .limit = 1};
                struct store_audit_entry *first = NULL;
                size_t n = 0;
                if (store_audit_list(s, &f, &first, &n, err) < 0)
                        return -1;
                prev_time = n ? first[0].time : now;
                store_audit_list_free(first, n);
        }
        bool due = last_seq - prev_seq >= p->every || now - prev_time >= p->interval;
        if (!due)
                return 0;

        /* The use of the key is its own entry ("key.use", the registry's
         * record of a sensitive use), and the checkpoint covers that entry:
         * the signature is itself on record, behind its own checkpoint. */
        int64_t key_id = 0;
        if (keys_register(s, reg, "cradled", &key_id, err) < 0 ||
            keys_use_audited(s, key_id, AUDIT_CHECKPOINT_KEY_USE, "system", err) < 0)
                return -1;
        if (store_audit_last(s, &last, &have_last, err) < 0)
                return -1;
        char chain[65];
        if (chain_id(s, chain, err) < 0) {
                store_audit_entry_clear(&last);
                return -1;
        }
        int rc = audit_checkpoint_sign(key, last.seq, last.hash, chain, now, out, err);
        store_audit_entry_clear(&last);
        if (rc < 0 || store_audit_checkpoint_insert(s, out, err) < 0) {
                store_audit_checkpoint_clear(out);
                return -1;
        }
        *made = true;
        return 0;
}

int audit_checkpoint_run(struct store *s, const struct crypto_key *key, const struct keys_new *reg,
                         const struct audit_checkpoint_policy *policy,
                         int64_t now, struct store_audit_checkpoint *out, bool *made, struct error *err) {
        memset(out, 0, sizeof(*out));
        *made = false;
        if (store_tx_begin(s, err) < 0)
                return -1;
        if (run_in_tx(s, key, reg, policy, now, out, made, err) < 0) {
                store_tx_rollback(s);
                *made = false;
                return -1;
        }
        if (store_tx_commit(s, err) < 0) {
                store_audit_checkpoint_clear(out);
                *made = false;
                return -1;
        }
        return 0;
}

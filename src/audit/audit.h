/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * The tamper-evident audit chain. Each entry's hash is SHA-256 over the
 * canonical JSON of {action, actor_name, actor_role, details, object,
 * prev_hash, seq, time} (details embedded as JSON, time as RFC 3339), so the
 * chain can be recomputed by anyone holding the entries (the CLI does, from the API).
 * An entry made by a person (issue 11) also carries "actor_user", the user
 * behind the token (actor_name stays the token's name), and then the hashed
 * document has that key too. Entries without a user (system and device actors,
 * and every entry written before users existed) hash exactly as before, so an
 * old chain still verifies and a user cannot be added to or removed from an
 * entry without breaking it.
 */
#include <jansson.h>
#include <stdbool.h>
#include "store/store-audit.h"

#define AUDIT_GENESIS_HASH "0000000000000000000000000000000000000000000000000000000000000000"

struct audit_actor {
        const char *name;  /* token name, or "system" */
        const char *role;  /* role name, or "system" */
        const char *user;  /* the user behind the token; NULL for system/device */
};

/* Appends an entry. Must run inside the caller's transaction so the change
 * and its record commit together. `details` may be NULL ({}); not stolen. */
int audit_append(struct store *s, const struct audit_actor *actor, const char *action,
                 const char *object, json_t *details, struct error *err);

/* Records an entry in a transaction of its own, for a refusal whose change
 * was rolled back (a refused root, an EST refusal): any open transaction of
 * the caller is rolled back first. Failures are logged, not returned, since
 * the caller is already answering with the refusal. */
void audit_append_standalone(struct store *s, const struct audit_actor *actor, const char *action,
                             const char *object, json_t *details);

int audit_entry_compute_hash(const struct store_audit_entry *e, char out[65], struct error *err);

/* Incremental verifier: feed entries in seq order. */
struct audit_verify_state {
        int64_t checked;
        int64_t last_seq;
        char prev_hash[65];
        bool broken;
        int64_t bad_seq;       /* the first entry that does not fit */
        char reason[256];
};
void audit_verify_init(struct audit_verify_state *st);
/* Returns false once the chain is broken; st->bad_seq and st->reason say where and why. */
bool audit_verify_next(struct audit_verify_state *st, const struct store_audit_entry *e);
/* Walks the whole log of a store. */
int audit_verify_store(struct store *s, struct audit_verify_state *st, struct error *err);

json_t *audit_entry_to_json(const struct store_audit_entry *e);
int audit_entry_from_json(json_t *j, struct store_audit_entry *out, struct error *err);

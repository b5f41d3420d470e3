/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * The key registry (issue 11, section 2; docs/keys.md "Key registry").
 *
 * Every key Cradle uses or knows of is one entry, identified by its class
 * and fingerprint: the lower-case hex SHA-256 of the public key's
 * SubjectPublicKeyInfo DER (what `openssl pkey -pubin -outform DER | sha256sum`
 * and `certtool --pubkey-info --hash sha256` compute), or a given identifier
 * for a key without a public part (a symmetric KEK). A key that appears in
 * TUF metadata also carries its TUF keyid (the hash of its canonical TUF
 * key object), so both spellings find it.
 *
 * States: planned, active, retiring, retired, compromised, destroyed. The
 * allowed moves are one table (keys_transition_allowed); everything that
 * changes a state goes through keys_transition, which checks it, writes it
 * with the expected old state (a concurrent change loses with a conflict)
 * and audits "key.state".
 *
 * Every use of a server-held key is counted per key, day and kind of use
 * (keys_usage_add: one UPSERT, no row per device poll); a sensitive use is
 * also its own audit entry (keys_use_audited).
 */
#include <gnutls/abstract.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include "audit/audit.h"
#include "store/store-keys.h"
#include "tuf/metadata.h"

/* ---- the contract other streams use (fixed; add, never change) ---- */

struct keys_new {
        const char *class;        /* firmware-signing, tuf-root, tuf-online, director, device-ca, root-ca, tls, ota-encryption, debug-auth, audit-checkpoint, migration, kek */
        const char *purpose;      /* one line for people */
        gnutls_pubkey_t pubkey;   /* the public part, or NULL when fingerprint and algorithm are given (e.g. a TUF keyid, a symmetric KEK) */
        const char *fingerprint;  /* NULL: lower-case hex SHA-256 of pubkey's SubjectPublicKeyInfo DER */
        const char *algorithm;    /* NULL: crypto_pubkey_describe(pubkey) */
        const char *storage;      /* "pkcs11", "file", "offline", "sealed" (wrapped under the KEK in the database) */
        const char *ref;          /* PKCS#11 URI (never a PIN) or file path; NULL for offline and sealed */
        int64_t product_id;       /* 0: not tied to one product */
        int64_t expires_at;       /* 0: none */
};
/* Idempotent: the same (class, fingerprint) returns the existing id and changes nothing.
 * A new entry is state active, audited "key.register". */
int keys_register(struct store *s, const struct keys_new *k, const char *actor, int64_t *id_out, struct error *err);
/* A sensitive use (CA issuance batch, CRL signing, root rotation, debug token, checkpoint...):
 * its own audit entry "key.use" naming the key and what. */
int keys_use_audited(struct store *s, int64_t key_id, const char *what, const char *actor, struct error *err);
/* Lower-case hex SHA-256 of the SubjectPublicKeyInfo DER. */
int keys_fingerprint_pubkey(gnutls_pubkey_t pub, char out[65], struct error *err);

/* ---- additions ---- */

/* Both contract functions run inside the caller's transaction when one is
 * open (a failure is then the caller's to roll back), else in their own: a
 * key created in a transaction is registered with it or not at all. The audit entry's actor is {actor,
 * "system"}: the registration is a consequence of the operation that made or
 * met the key, whose own entry carries the caller's role. keys_register_as
 * takes the full actor.
 *
 * Owner: a new entry's owner is the user behind `actor` (a token name or a
 * user name), else the first enabled user holding the admin role, else none
 * (set later with keys_set_owner). A product_id links the product, also when
 * the key exists already (linking is not a change of the entry). */
int keys_register_as(struct store *s, const struct keys_new *k, const struct audit_actor *by, int64_t *id_out,
                     struct error *err);
/* The same, for a key made ahead of its use (a device CA waiting for its
 * certificate): state planned; keys_transition(..., "active") activates it. */
int keys_register_planned(struct store *s, const struct keys_new *k, const struct audit_actor *by,
                          int64_t *id_out, struct error *err);
/* A key that appears in TUF metadata: registered (class, the key's SPKI,
 * storage "offline" unless `ref` says otherwise) and its TUF keyid recorded. */
int keys_register_tuf(struct store *s, const struct keys_new *k, const char *tuf_keyid,
                      const struct audit_actor *by, int64_t *id_out, struct error *err);

#define KEYS_CLASS_COUNT 12
extern const char *const keys_classes[KEYS_CLASS_COUNT];
bool keys_class_known(const char *class);
bool keys_state_known(const char *state);
/* The one table of allowed state moves. */
bool keys_transition_allowed(const char *from, const char *to);

/* Rotation policy: seconds between rotations per class (0 = none); the
 * next rotation is due at activation (else creation) + the period. */
struct keys_policy {
        int64_t rotate[KEYS_CLASS_COUNT];
};
void keys_policy_init(struct keys_policy *p); /* the documented defaults */
int keys_policy_set(struct keys_policy *p, const char *class, int64_t seconds, struct error *err);
int64_t keys_policy_period(const struct keys_policy *p, const char *class);
/* 0 when the class has no rotation period or the key is no longer in use. */
int64_t keys_rotation_due(const struct keys_policy *p, const struct store_key *k);

/* "30d", "12h", "90m", "45s" or plain seconds, 0 .. 100 years. `what`
 * names the input in the message. */
int keys_duration_parse(const char *what, const char *s, int64_t *out, struct error *err);

/* Moves key `id` to `to` if the table allows it from its current state
 * (ERROR_CONFLICT naming both otherwise), audits "key.state". */
int keys_transition(struct store *s, int64_t id, const char *to, const char *reason, const struct audit_actor *by,
                    struct error *err);
/* Marks the key compromised, records a critical security event
 * "key.compromised", audits; *out: {"key": {...}, "actions": [...],
 * "runbook": "docs/keys.md#..."}. */
int keys_compromised(struct store *s, const struct keys_policy *p, int64_t id, const char *reason,
                     const struct audit_actor *by, json_t **out, struct error *err);
/* What must be done when a key of this class is compromised (NULL-terminated
 * list of lines), and the anchor of its runbook in docs/keys.md. */
const char *const *keys_compromise_actions(const char *class);
const char *keys_runbook_anchor(const char *class);

int keys_set_owner(struct store *s, int64_t id, const char *user, const struct audit_actor *by, struct error *err);
int keys_custodian_add(struct store *s, int64_t id, const char *user, const struct audit_actor *by,
                       struct error *err);
int keys_custodian_remove(struct store *s, int64_t id, const char *user, const struct audit_actor *by,
                          struct error *err);
/* Links a product (idempotent; not audited: it changes no entry's meaning). */
int keys_link_product(struct store *s, int64_t id, int64_t product_id, struct error *err);

/* Counts `count` routine uses of `what` today (one UPSERT; not audited). */
int keys_usage_add(struct store *s, int64_t key_id, const char *what, int64_t count, struct error *err);
/* The registry id of a key by its public part, 0 when it is not registered. */
int keys_find_pubkey(struct store *s, const char *class, gnutls_pubkey_t pub, int64_t *id_out, struct error *err);

/* Resolves "KEY" as users write it: a decimal id, or a fingerprint (a unique
 * prefix of 8+ hex digits) or TUF keyid. */
int keys_lookup(struct store *s, const char *key, struct store_key *out, struct error *err);

struct keys_list_filter {
        const char *class;      /* NULL = any */
        const char *state;      /* NULL = any */
        int64_t due_within;     /* > 0: only keys whose rotation is due within this many seconds (or overdue) */
};
/* {"items": [key...]} */
int keys_list_json(struct store *s, const struct keys_policy *p, const struct keys_list_filter *f, json_t **out,
                   struct error *err);
/* A key with its products, custodians, rotation and the last 30 days of usage. */
int keys_show_json(struct store *s, const struct keys_policy *p, int64_t id, json_t **out, struct error *err);

/* ---- keys that exist elsewhere (keys-discover.c) ----
 * Each registers in the caller's transaction when one is open, is
 * idempotent, and is called where the key is created or first appears. */

/* Every key of a TUF root. model: the image repository's product model, or
 * NULL for the director's root. Image roots: root keys are tuf-root,
 * targets keys firmware-signing (the offline release signers, public part
 * only), snapshot and timestamp keys tuf-online (their file or PKCS#11 ref
 * from the repository's online keys). Director roots: every key is class
 * director; the targets key is the online key at director_online_ref.
 * `previous` (may be NULL) is the root this one replaces: its keys that
 * the new root no longer lists are retired, and each of its root keys that
 * signed the new root has a "key.use" entry (a root rotation). */
int keys_register_tuf_root(struct store *s, const struct tuf_metadata *root, const struct tuf_metadata *previous,
                           int64_t product_id, const char *model, const char *director_online_ref,
                           const struct audit_actor *by, struct error *err);
/* A device CA's key (from its certificate, else its CSR: planned until
 * installed), and the root CA at the top of its chain (offline). A retired
 * CA's key is retired. */
int keys_register_device_ca(struct store *s, int64_t ca_id, const struct audit_actor *by, struct error *err);
/* A batch's migration key: a shared secret, identified by the SHA-256 of a
 * domain-separated copy of it (never the secret or its plain hash). The key
 * it replaces (old_key, may be NULL) is retired. */
int keys_register_migration_key(struct store *s, int64_t batch_id, const uint8_t key[32], const uint8_t *old_key,
                                const struct audit_actor *by, struct error *err);
/* A key whose certificate is a file (the server's TLS CA and certificate). */
int keys_register_cert_file(struct store *s, const char *class, const char *purpose, const char *cert_path,
                            const char *key_path, const struct audit_actor *by, struct error *err);
/* Walks what the database knows (image and director roots, device CAs,
 * batch migration keys) and registers every key found: what cradled runs at
 * startup, so a database from before the registry has every key listed. */
int keys_discover_store(struct store *s, const char *director_online_ref, const struct audit_actor *by,
                        struct error *err);

/* Gauges for /metrics: keys per state, and keys past their rotation date. */
struct keys_gauges {
        int64_t by_state[6];    /* planned, active, retiring, retired, compromised, destroyed */
        int64_t past_rotation;
};
extern const char *const keys_states[6];
int keys_gauges_read(struct store *s, const struct keys_policy *p, int64_t now, struct keys_gauges *out,
                     struct error *err);

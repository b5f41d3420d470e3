/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * Signed audit checkpoints (issue 11 section 6; docs/security.md, "Audit
 * checkpoints"). The hash chain shows an edited, deleted or reordered entry,
 * but not a rewrite of every entry from some point on (hashes recomputed) nor
 * the loss of the newest entries. A checkpoint is cradled's signature over
 * {seq, hash} of one entry, with the time, the chain's identity (the hash of
 * its entry 1) and the signing key's fingerprint. Once a checkpoint has left
 * the machine (an export, a witness), the chain can no longer be shortened
 * behind it or changed at or before it without the difference showing.
 *
 * The signed bytes (format version 1) are exactly this ASCII text, which is
 * also the canonical JSON (sorted keys, no whitespace) of those six fields:
 *
 *   {"chain":"<64 hex>","format":"cradle-audit-checkpoint/1","hash":"<64 hex>",
 *    "key":"<64 hex>","seq":<decimal>,"time":"<YYYY-MM-DDTHH:MM:SSZ>"}
 *
 * (on one line). chain, hash and key are lower-case hex SHA-256 values: the
 * hash of audit entry 1, the hash of entry seq, and the SHA-256 of the signing
 * key's SubjectPublicKeyInfo DER. The signature is over these bytes with the
 * key's own scheme: Ed25519 (pure), ECDSA with SHA-256 (P-256) or SHA-384
 * (P-384), RSA PKCS#1 v1.5 with SHA-256.
 *
 * The parsers and checks here are pure (no store, no HTTP): the CLI verifies
 * on the operator's machine, the fuzz target reaches the file parser.
 */
#include <gnutls/abstract.h>
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "store/store-audit.h"
#include "store/store-audit-checkpoint.h"

struct crypto_key;

#define AUDIT_CHECKPOINT_FORMAT "cradle-audit-checkpoint/1"
/* Limits of a checkpoint file (an export or a witness file): outside input. */
#define AUDIT_CHECKPOINT_LINE_MAX 8192
#define AUDIT_CHECKPOINT_FILE_MAX (64 * 1024 * 1024)
#define AUDIT_CHECKPOINT_FILE_LINES_MAX 200000
/* An SPKI DER of any key in policy (RSA 4096 is about 550 bytes). */
#define AUDIT_CHECKPOINT_SPKI_MAX 2048
#define AUDIT_CHECKPOINT_SIG_MAX 1024

/* A checkpoint is a struct store_audit_checkpoint (store/store-audit-checkpoint.h). */

/* The signed bytes of cp (above); returns the length, or -1 when the buffer
 * is too small or a field is not well-formed. 512 bytes always suffice. */
#define AUDIT_CHECKPOINT_SIGNED_MAX 512
int audit_checkpoint_signed_bytes(const struct store_audit_checkpoint *cp, char out[AUDIT_CHECKPOINT_SIGNED_MAX]);

/* Fills out (cleared first) with a checkpoint of {seq, hash, chain, time} signed by key. */
int audit_checkpoint_sign(const struct crypto_key *key, int64_t seq, const char *hash, const char *chain,
                          int64_t time, struct store_audit_checkpoint *out, struct error *err);

/* Lower-case hex SHA-256 of a public key's SubjectPublicKeyInfo DER. */
int audit_checkpoint_key_fingerprint(gnutls_pubkey_t pub, char out[65], struct error *err);

/* Checks cp's signature with the public key it carries, that the key's
 * fingerprint is cp->key, and that it is pinned_fp (64 hex; required: a
 * checkpoint's own key proves nothing). ERROR_UNAUTHENTICATED on a mismatch,
 * naming the seq. */
int audit_checkpoint_verify(const struct store_audit_checkpoint *cp, const char *pinned_fp, struct error *err);

/* The self-contained JSON form (one line of an export or witness file):
 * {"format", "seq", "hash", "time", "chain", "key", "public_key", "algorithm", "signature"}. */
json_t *audit_checkpoint_to_json(const struct store_audit_checkpoint *cp);
/* Strict: every field present with its type and shape, no other field. */
int audit_checkpoint_from_json(json_t *j, struct store_audit_checkpoint *out, struct error *err);

/* A checkpoint file: JSON lines, blank lines ignored; errors name the line.
 * At least one checkpoint; sorted by seq on return. */
int audit_checkpoint_file_parse(const char *text, size_t len, struct store_audit_checkpoint **out, size_t *n_out,
                                struct error *err);

/* Compares checkpoints with a chain walked in seq order. Feed it each entry
 * that audit_verify_next accepted (so its hash is its content's), then end
 * with the last seq verified. The first difference stops it:
 *  - a checkpoint of another chain (entry 1 differs: another deployment, or
 *    entry 1 rewritten);
 *  - entry seq's hash is not the checkpoint's (a rewrite at or before seq);
 *  - the chain ends before a checkpoint's seq (truncation behind it). */
struct audit_checkpoint_check {
        const struct store_audit_checkpoint *cps; /* sorted by seq; borrowed */
        size_t n;
        size_t next;             /* the first checkpoint not yet compared */
        size_t matched;
        bool failed;
        int64_t bad_seq;         /* the checkpoint's seq */
        char reason[400];
};
void audit_checkpoint_check_init(struct audit_checkpoint_check *c, const struct store_audit_checkpoint *cps, size_t n);
bool audit_checkpoint_check_entry(struct audit_checkpoint_check *c, const struct store_audit_entry *e);
/* last_seq: the last entry verified; chain_broken: the walk stopped at a break
 * (then checkpoints beyond it are not reported as a truncation: the break is). */
bool audit_checkpoint_check_end(struct audit_checkpoint_check *c, int64_t last_seq, bool chain_broken);

/* When checkpoints are made (cradled's [audit] checkpoint_every and checkpoint_interval). */
struct audit_checkpoint_policy {
        int64_t every;    /* entries past the last checkpoint */
        int64_t interval; /* seconds since the last checkpoint (with at least one new entry) */
};
/* The key registry's name for the use (keys_use_audited's "what"). */
#define AUDIT_CHECKPOINT_KEY_USE "audit checkpoint"
/* In one transaction: when the log has entries past the last checkpoint and
 * either policy->every of them or policy->interval seconds have passed since
 * it (since entry 1 for the first), registers the key in the key registry if
 * it is not yet (keys_register with reg, class audit-checkpoint; idempotent),
 * records its use (keys_use_audited: an audit entry "key.use") and signs a
 * checkpoint covering that entry, so the signature is itself on record. *made
 * says whether one was made; out (cleared first) holds it then. An idle log
 * gets no checkpoint: nothing changed since the last one. Nothing is written
 * before the first checkpoint is due. */
struct keys_new;
int audit_checkpoint_run(struct store *s, const struct crypto_key *key, const struct keys_new *reg,
                         const struct audit_checkpoint_policy *policy, int64_t now, struct store_audit_checkpoint *out,
                         bool *made, struct error *err);

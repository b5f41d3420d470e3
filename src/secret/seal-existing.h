/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * Sealing what an existing deployment keeps in clear, once a KEK is configured
 * (issue 11 section 6; docs/keys.md "Secrets at rest"). cradled runs it at
 * every start with a KEK, before its threads: it seals
 *  - batch migration keys stored as hex (one transaction, each audited
 *    "batch.migration-key.sealed");
 *  - plain PEM key files inside the data directory: the TUF online keys of
 *    every product (repo_online_keys), the director's online key, device CA
 *    keys cradled generated (<data>/pki/). Each file is rewritten sealed by
 *    an atomic rename and audited "secret.key-file.sealed".
 * Idempotent: what is sealed already is left alone, so a second start seals
 * nothing. Before sealing anything it checks that what is sealed names k's
 * fingerprint: ERROR_CRYPTO naming the value and both KEKs otherwise (cradled
 * then refuses to start: with the wrong KEK nothing sealed would open). Key files outside the data directory are the operator's: they are
 * reported, not rewritten.
 */
#include <stddef.h>

#include "core/error.h"

struct store;
struct kek;

struct secret_seal_report {
        size_t migration_keys;  /* batch keys sealed now */
        size_t key_files;       /* key files sealed now */
        size_t outside;         /* plain key files outside the data directory, left alone */
};

/* director_key_ref: [ota] director_key as configured ("" = the default file). */
int secret_seal_existing(struct store *s, const struct kek *k, const char *data_dir, const char *director_key_ref,
                         struct secret_seal_report *report, struct error *err);

/* Calls fn for every key file cradled keeps (online keys of every product,
 * the director's key, device CA keys; pkcs11: refs skipped): its absolute path
 * and the ref its sealed content is bound to ("key-file:<ref>"). Also for
 * files that do not exist (yet). Stops at the first failure. */
int secret_each_key_file(struct store *s, const char *data_dir, const char *director_key_ref,
                         int (*fn)(void *ctx, const char *path, const char *context_ref, struct error *err),
                         void *ctx, struct error *err);

/* ---- rotation: `cradled kek-rotate` ---- */

struct secret_rotate_report {
        size_t migration_keys;  /* batch keys re-sealed */
        size_t key_files;       /* key files re-sealed */
        size_t content_keys;    /* OTA content keys re-sealed (release/encrypt.h; fix/otaenc) */
};

/* Re-seals every secret under `to`: batch migration keys (one transaction,
 * each audited "batch.migration-key.resealed") and the key files of
 * secret_each_key_file inside the data directory (atomic rename each,
 * audited "secret.key-file.resealed"). A value sealed under `from` is opened
 * with it; one in clear is sealed; one under `to` already is left alone, so a
 * rotation cut short is finished by running it again. A value under a third
 * KEK stops it, naming the value. cradled must not be running. */
int secret_rotate(struct store *s, const struct kek *from, const struct kek *to, const char *data_dir,
                  const char *director_key_ref, struct secret_rotate_report *report, struct error *err);

/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * The TUF client workflow (specification 1.0, §5 "Detailed client workflow")
 * over an abstract fetcher and a trusted local store.
 *
 * The store is a directory the device trusts (not writable by what it
 * updates). It holds the trusted metadata under fixed names — root.json,
 * timestamp.json, snapshot.json, targets.json — each written atomically
 * (core/fileio.h) as soon as the workflow accepts it. root.json must be there
 * before the first refresh: it is installed with the device
 * (tuf_client_store_init).
 *
 * tuf_client_refresh() runs, with the time fixed at its start:
 *  5.3 root: fetch N+1.root.json until there is none (or max_root_rotations);
 *      each must be signed by the threshold of the trusted root AND its own,
 *      and have exactly version N+1, and pass the caller's root_check; each
 *      is persisted; when a rotation
 *      changes the timestamp or snapshot keys, the stored timestamp and
 *      snapshot are deleted (recovery from a fast-forward attack). Then the
 *      final root must not be expired.
 *  5.4 timestamp: signed by the threshold; version not lower than the trusted
 *      one (equal: the trusted one is kept, as the specification says); the
 *      snapshot version it lists not lower than the trusted timestamp's;
 *      not expired.
 *  5.5 snapshot (N.snapshot.json with consistent snapshots): length and
 *      SHA-256 as the timestamp lists them, signed by the threshold, version
 *      equal to the timestamp's, no targets metadata version lower than (or
 *      missing from) the trusted snapshot's, not expired.
 *  5.6 targets (N.targets.json): length and SHA-256 as the snapshot lists
 *      them (when it does), signed by the threshold, version equal to the
 *      snapshot's, not expired.
 * A stored file that is still current (same version, hashes match, not
 * expired) is used without downloading it again.
 *
 * Every fetch has a byte limit: the lengths listed in timestamp and snapshot
 * when given, the configured maximums otherwise. Slow retrieval (a server
 * that trickles bytes) is the fetcher's to stop with a timeout.
 *
 * A failed refresh leaves the store as consistent as it was (every accepted
 * file is complete and verified) and the client refuses target lookups until
 * a refresh succeeds. Messages name the attack that the failed check is
 * there to stop ("(rollback)", "(freeze attack?)", "(mix-and-match?)").
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/error.h"
#include "tuf/fetcher.h"
#include "tuf/metadata.h"

#define TUF_CLIENT_ROOT_MAX_DEFAULT (512u * 1024)
#define TUF_CLIENT_TIMESTAMP_MAX_DEFAULT (16u * 1024)
#define TUF_CLIENT_SNAPSHOT_MAX_DEFAULT (4u * 1024 * 1024)
#define TUF_CLIENT_TARGETS_MAX_DEFAULT (16u * 1024 * 1024)
#define TUF_CLIENT_MAX_ROOT_ROTATIONS_DEFAULT 256

struct tuf_client_config {
        const char *store_dir;          /* the trusted local store (must exist) */
        struct tuf_fetcher metadata;    /* fetches metadata by name */
        struct tuf_fetcher targets;     /* fetches target files; .fetch NULL: use metadata */
        /* Byte limits; 0 means the default above. snapshot and targets
         * limits apply only when timestamp / snapshot do not list a length. */
        size_t root_max_len, timestamp_max_len, snapshot_max_len, targets_max_len;
        unsigned max_root_rotations;    /* 0: TUF_CLIENT_MAX_ROOT_ROTATIONS_DEFAULT */
        /* Optional: the caller's own rules for a new root (the agent's key
         * separation from the director). Called for each N+1.root.json once
         * its signatures and version passed, before it is stored or trusted;
         * a failure refuses the rotation and leaves the trusted root as it
         * was. `current` is the trusted root, `next` the new one. */
        int (*root_check)(void *ud, const char *name, const struct tuf_metadata *current,
                          const struct tuf_metadata *next, struct error *err);
        void *root_check_ud;
        int64_t now;                    /* fixed reference time (tests); 0: the clock */
};

struct tuf_client;

/* Installs a trusted root into an empty store: parses it, checks it is signed
 * by its own root threshold, writes store_dir/root.json. When the store
 * already has a root.json it is left alone (it may be newer) and 0 returned. */
int tuf_client_store_init(const char *store_dir, const char *root, size_t len,
                          struct error *err);

/* Loads store_dir/root.json (signed by its own threshold; its expiry does not
 * matter yet). The config is copied; its strings and fetcher data must
 * outlive the client. */
int tuf_client_new(const struct tuf_client_config *cfg, struct tuf_client **out,
                   struct error *err);
void tuf_client_free(struct tuf_client *c);

/* The whole update workflow, §5.1-§5.6. */
int tuf_client_refresh(struct tuf_client *c, struct error *err);

/* Trusted metadata after the last refresh (NULL when not loaded). The root is
 * always there. Valid until the next refresh or free. */
const struct tuf_metadata *tuf_client_trusted(const struct tuf_client *c, enum tuf_role role);

/* Looks a target path up in the trusted targets metadata. Only after a
 * successful refresh. ERROR_NOT_FOUND when targets does not list it. The
 * result is valid until the next refresh or free. */
int tuf_client_find_target(const struct tuf_client *c, const char *path,
                           const struct tuf_target **out, struct error *err);

/* The name a target is fetched by: "<dir>/<sha256>.<file>" with consistent
 * snapshots (the hash prefix goes on the file name), its path otherwise. */
char *tuf_client_target_name(const struct tuf_client *c, const struct tuf_target *t);

/* Checks a target's bytes: exact length and SHA-256 as targets lists them. */
int tuf_target_check(const struct tuf_target *t, const void *data, size_t len, struct error *err);

/* Fetches a target through the targets fetcher (at most its listed length)
 * and checks it. *out is heap (free()). For large images, fetch and hash
 * while streaming instead, with tuf_client_target_name and the target's
 * length and sha256. */
int tuf_client_fetch_target(const struct tuf_client *c, const struct tuf_target *t, char **out,
                            size_t *len, struct error *err);

static inline void tuf_client_freep(struct tuf_client **c) {
        if (*c)
                tuf_client_free(*c);
}
#define _cleanup_tuf_client_ __attribute__((cleanup(tuf_client_freep)))

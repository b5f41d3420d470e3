/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The TUF client workflow. The order of the checks is the specification's
 * (§5.3-§5.6); where it leaves a choice, the choice and the reason are noted
 * next to the code. The one rule behind all of them: nothing is written to the
 * trusted store, or used, before every check on it has passed.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/fileio.h"
#include "core/strutil.h"
#include "core/time.h"
#include "crypto/ct.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "tuf/client.h"
#include "tuf/verify.h"

struct tuf_client {
        struct tuf_client_config cfg;
        char *store_dir;
        int64_t now;            /* fixed at the start of each refresh (§5.1) */
        bool refreshed;         /* the last refresh succeeded */
        struct tuf_metadata *trusted[_TUF_ROLE_MAX];
};

/* ---- helpers ---------------------------------------------------------------- */

static void set_trusted(struct tuf_client *c, enum tuf_role role, struct tuf_metadata *md) {
        tuf_metadata_free(c->trusted[role]);
        c->trusted[role] = md;
}

static bool expired(const struct tuf_client *c, const struct tuf_metadata *md) {
        return md->expires <= c->now;
}

static int expired_error(const struct tuf_client *c, const char *name,
                         const struct tuf_metadata *md, struct error *err) {
        char now[TIME_RFC3339_LEN];

        time_format_rfc3339(c->now, now);
        return error_set(err, ERROR_INVALID,
                         "%s expired at %s (version %lld, now %s): refusing stale metadata "
                         "(freeze attack?)",
                         name, md->expires_str, (long long) md->version, now);
}

/* Fetches `name` with at most max_len bytes; names the endless-data case. */
static int fetch(const struct tuf_fetcher *f, const char *name, size_t max_len, char **out,
                 size_t *len, struct error *err) {
        struct error ferr = { 0 };
        char *data = NULL;
        size_t n = 0;

        if (!f->fetch)
                return error_set(err, ERROR_INTERNAL, "no fetcher for %s", name);
        if (f->fetch(f->ud, name, max_len, &data, &n, &ferr) < 0) {
                free(data);
                if (ferr.kind == ERROR_TOO_LARGE)
                        return error_set(err, ERROR_TOO_LARGE,
                                         "%s is larger than the %zu bytes allowed (endless data "
                                         "attack?)",
                                         name, max_len);
                if (ferr.kind == ERROR_NONE)
                        ferr.kind = ERROR_UNAVAILABLE;
                return error_set(err, ferr.kind, "cannot fetch %s: %s", name, ferr.msg);
        }
        if (n > max_len) {
                free(data);
                return error_set(err, ERROR_TOO_LARGE,
                                 "%s is larger than the %zu bytes allowed (endless data attack?)",
                                 name, max_len);
        }
        *out = data ? data : xcalloc(1, 1);
        *len = n;
        return 0;
}

/* Checks bytes against a METAFILES entry. `role` is what the bytes are,
 * `lister` the role that listed them. */
static int check_meta_file(const char *role, const char *lister, const struct tuf_meta_file *mf,
                           const void *data, size_t len, struct error *err) {
        uint8_t digest[SHA256_LEN];

        if (mf->length >= 0 && (uint64_t) mf->length != len)
                return error_set(err, ERROR_INVALID,
                                 "%s length %zu does not match the %lld bytes listed in %s "
                                 "(mix-and-match or tampering?)",
                                 role, len, (long long) mf->length, lister);
        if (mf->has_sha256) {
                hash_sha256(data, len, digest);
                if (!ct_equal(digest, mf->sha256, SHA256_LEN))
                        return error_set(err, ERROR_INVALID,
                                         "%s hash does not match %s (mix-and-match or tampering?)",
                                         role, lister);
        }
        return 0;
}

static char *store_path(const struct tuf_client *c, const char *name) {
        return path_join(c->store_dir, name);
}

static int persist(const struct tuf_client *c, const char *name, const void *data, size_t len,
                   struct error *err) {
        _cleanup_free_ char *path = store_path(c, name);

        if (file_write_atomic(path, data, len, 0644, err) < 0)
                return error_prefix(err, "saving trusted %s: ", name);
        return 0;
}

static int store_delete(const struct tuf_client *c, const char *name, struct error *err) {
        _cleanup_free_ char *path = store_path(c, name);

        if (unlink(path) < 0 && errno != ENOENT)
                return error_set_errno(err, ERROR_IO, errno, "deleting trusted %s", path);
        return 0;
}

/* Reads a stored file; NULL when it is missing or unreadable (a stored file
 * that is damaged is as good as none: it is fetched again). */
static char *store_read(const struct tuf_client *c, const char *name, size_t max, size_t *len) {
        _cleanup_free_ char *path = store_path(c, name);
        char *data = NULL;

        if (file_read_all(path, max, &data, len, NULL) < 0)
                return NULL;
        return data;
}

/* Parses and checks signatures with the trusted root. */
static int parse_verified(const struct tuf_client *c, const char *name, enum tuf_role role,
                          const char *data, size_t len, size_t max, struct tuf_metadata **out,
                          struct error *err) {
        _cleanup_(tuf_metadata_freep) struct tuf_metadata *md = NULL;

        if (tuf_metadata_parse(name, data, len, max, role, &md, err) < 0)
                return -1;
        if (tuf_verify_role(c->trusted[TUF_ROLE_ROOT], role, md, NULL, err) < 0)
                return error_prefix(err, "%s: ", name);
        *out = steal_ptr(md);
        return 0;
}

static size_t limit(size_t configured, size_t def) {
        return configured ? configured : def;
}

/* ---- set-up ------------------------------------------------------------------ */

static int load_self_signed_root(const char *what, const char *data, size_t len, size_t max,
                                 struct tuf_metadata **out, struct error *err) {
        _cleanup_(tuf_metadata_freep) struct tuf_metadata *root = NULL;

        if (tuf_metadata_parse(what, data, len, max, TUF_ROLE_ROOT, &root, err) < 0)
                return -1;
        if (tuf_verify_role(root, TUF_ROLE_ROOT, root, NULL, err) < 0)
                return error_prefix(err, "%s: not signed by its own root keys: ", what);
        *out = steal_ptr(root);
        return 0;
}

int tuf_client_store_init(const char *store_dir, const char *root, size_t len,
                          struct error *err) {
        _cleanup_free_ char *path = NULL;
        _cleanup_(tuf_metadata_freep) struct tuf_metadata *md = NULL;

        if (!store_dir || !*store_dir)
                return error_set(err, ERROR_INVALID, "no TUF store directory given");
        path = path_join(store_dir, "root.json");
        if (file_exists(path))
                return 0;
        if (load_self_signed_root("initial root.json", root, len, TUF_CLIENT_ROOT_MAX_DEFAULT, &md,
                                  err) < 0)
                return -1;
        if (dir_create(store_dir, 0755, err) < 0)
                return -1;
        return file_write_atomic(path, root, len, 0644, err);
}

int tuf_client_new(const struct tuf_client_config *cfg, struct tuf_client **out,
                   struct error *err) {
        _cleanup_(tuf_client_freep) struct tuf_client *c = NULL;
        _cleanup_free_ char *data = NULL, *path = NULL;
        size_t len = 0, max;

        if (!cfg || !cfg->store_dir || !*cfg->store_dir)
                return error_set(err, ERROR_INVALID, "no TUF store directory given");
        if (!cfg->metadata.fetch)
                return error_set(err, ERROR_INVALID, "no metadata fetcher given");
        c = xcalloc(1, sizeof(*c));
        c->cfg = *cfg;
        c->store_dir = str_dup(cfg->store_dir);
        if (!c->cfg.targets.fetch)
                c->cfg.targets = c->cfg.metadata;
        c->cfg.root_max_len = limit(cfg->root_max_len, TUF_CLIENT_ROOT_MAX_DEFAULT);
        c->cfg.timestamp_max_len = limit(cfg->timestamp_max_len, TUF_CLIENT_TIMESTAMP_MAX_DEFAULT);
        c->cfg.snapshot_max_len = limit(cfg->snapshot_max_len, TUF_CLIENT_SNAPSHOT_MAX_DEFAULT);
        c->cfg.targets_max_len = limit(cfg->targets_max_len, TUF_CLIENT_TARGETS_MAX_DEFAULT);
        if (!c->cfg.max_root_rotations)
                c->cfg.max_root_rotations = TUF_CLIENT_MAX_ROOT_ROTATIONS_DEFAULT;

        /* §5.2: the trusted root. Its expiry does not matter here (§5.3
         * updates it first); its signatures do, so a damaged store is noticed. */
        max = c->cfg.root_max_len;
        path = store_path(c, "root.json");
        if (file_read_all(path, max, &data, &len, err) < 0)
                return error_prefix(err, "trusted root: ");
        if (load_self_signed_root("trusted root.json", data, len, max, &c->trusted[TUF_ROLE_ROOT],
                                  err) < 0)
                return -1;
        *out = steal_ptr(c);
        return 0;
}

void tuf_client_free(struct tuf_client *c) {
        if (!c)
                return;
        for (int r = 0; r < _TUF_ROLE_MAX; r++)
                tuf_metadata_free(c->trusted[r]);
        free(c->store_dir);
        free(c);
}

const struct tuf_metadata *tuf_client_trusted(const struct tuf_client *c, enum tuf_role role) {
        if (!c || role < 0 || role >= _TUF_ROLE_MAX)
                return NULL;
        return c->trusted[role];
}

/* ---- §5.3 root ------------------------------------------------------------- */

static int update_root(struct tuf_client *c, struct error *err) {
        for (unsigned i = 0; i < c->cfg.max_root_rotations; i++) {
                const struct tuf_metadata *old = c->trusted[TUF_ROLE_ROOT];
                _cleanup_(tuf_metadata_freep) struct tuf_metadata *md = NULL;
                _cleanup_free_ char *data = NULL, *name = NULL;
                struct error ferr = { 0 };
                int64_t next = old->version + 1;
                size_t len = 0;

                name = str_printf("%lld.root.json", (long long) next);
                if (fetch(&c->cfg.metadata, name, c->cfg.root_max_len, &data, &len, &ferr) < 0) {
                        if (ferr.kind == ERROR_NOT_FOUND)
                                break; /* §5.3.3: no newer root */
                        *err = ferr;
                        return -1;
                }
                if (tuf_metadata_parse(name, data, len, c->cfg.root_max_len, TUF_ROLE_ROOT, &md,
                                       err) < 0)
                        return -1;
                /* §5.3.4: the old threshold and the new one. */
                if (tuf_verify_role(old, TUF_ROLE_ROOT, md, NULL, err) < 0)
                        return error_prefix(err, "%s: not signed by the trusted root (version %lld): ",
                                            name, (long long) old->version);
                /* §5.3.5: exactly N+1. */
                if (md->version != next)
                        return error_set(err, ERROR_INVALID,
                                         "%s has version %lld, expected exactly %lld (rollback or "
                                         "fast-forward: each root must be one version above the "
                                         "last)",
                                         name, (long long) md->version, (long long) next);
                if (tuf_verify_role(md, TUF_ROLE_ROOT, md, NULL, err) < 0)
                        return error_prefix(err, "%s: not signed by its own root keys: ", name);
                /* The caller's rules (key separation), before anything of
                 * the new root is stored or trusted. */
                if (c->cfg.root_check && c->cfg.root_check(c->cfg.root_check_ud, name, old, md, err) < 0)
                        return -1;

                /* §5.3.11: new timestamp or snapshot keys mean the stored
                 * timestamp and snapshot go, so that versions inflated with
                 * the old (compromised) keys cannot block the new ones. Done
                 * before root.json is replaced: after a crash in between,
                 * the rotation is simply repeated. */
                if (!tuf_root_role_equal(old, md, TUF_ROLE_TIMESTAMP) ||
                    !tuf_root_role_equal(old, md, TUF_ROLE_SNAPSHOT)) {
                        if (store_delete(c, "timestamp.json", err) < 0 ||
                            store_delete(c, "snapshot.json", err) < 0)
                                return -1;
                        set_trusted(c, TUF_ROLE_TIMESTAMP, NULL);
                        set_trusted(c, TUF_ROLE_SNAPSHOT, NULL);
                }
                /* §5.3.7-8 */
                if (persist(c, "root.json", data, len, err) < 0)
                        return -1;
                set_trusted(c, TUF_ROLE_ROOT, steal_ptr(md));
        }
        /* §5.3.10 */
        if (expired(c, c->trusted[TUF_ROLE_ROOT]))
                return expired_error(c, "root.json", c->trusted[TUF_ROLE_ROOT], err);
        return 0;
}

/* ---- §5.4 timestamp -------------------------------------------------------- */

static int update_timestamp(struct tuf_client *c, struct error *err) {
        _cleanup_(tuf_metadata_freep) struct tuf_metadata *local = NULL, *md = NULL;
        _cleanup_free_ char *local_data = NULL, *data = NULL;
        const struct tuf_meta_file *old_snap, *new_snap;
        size_t len = 0, max = c->cfg.timestamp_max_len;

        /* The stored timestamp is the rollback baseline, whether or not it
         * has expired; one that no longer verifies with the current root
         * (keys rotated) is no baseline. */
        local_data = store_read(c, "timestamp.json", max, &len);
        if (local_data && parse_verified(c, "stored timestamp.json", TUF_ROLE_TIMESTAMP, local_data,
                                         len, max, &local, NULL) < 0)
                local = NULL;

        if (fetch(&c->cfg.metadata, "timestamp.json", max, &data, &len, err) < 0)
                return -1;
        if (parse_verified(c, "timestamp.json", TUF_ROLE_TIMESTAMP, data, len, max, &md, err) < 0)
                return -1;

        if (local) {
                if (md->version < local->version)
                        return error_set(err, ERROR_INVALID,
                                         "timestamp version %lld is lower than the trusted version "
                                         "%lld (rollback)",
                                         (long long) md->version, (long long) local->version);
                if (md->version == local->version) {
                        /* §5.4.3.1: nothing new; keep the trusted one. */
                        if (expired(c, local))
                                return expired_error(c, "timestamp.json", local, err);
                        set_trusted(c, TUF_ROLE_TIMESTAMP, steal_ptr(local));
                        return 0;
                }
                old_snap = tuf_metadata_find_meta(local, "snapshot.json");
                new_snap = tuf_metadata_find_meta(md, "snapshot.json");
                if (new_snap->version < old_snap->version)
                        return error_set(err, ERROR_INVALID,
                                         "timestamp lists snapshot version %lld, lower than the "
                                         "trusted version %lld (rollback)",
                                         (long long) new_snap->version,
                                         (long long) old_snap->version);
        }
        if (expired(c, md))
                return expired_error(c, "timestamp.json", md, err);
        if (persist(c, "timestamp.json", data, len, err) < 0)
                return -1;
        set_trusted(c, TUF_ROLE_TIMESTAMP, steal_ptr(md));
        return 0;
}

/* ---- §5.5 snapshot --------------------------------------------------------- */

static int snapshot_rollback_check(const struct tuf_metadata *old, const struct tuf_metadata *md,
                                   struct error *err) {
        for (size_t i = 0; i < old->n_meta; i++) {
                const struct tuf_meta_file *o = &old->meta[i];
                const struct tuf_meta_file *n = tuf_metadata_find_meta(md, o->name);

                if (!n)
                        return error_set(err, ERROR_INVALID,
                                         "snapshot version %lld no longer lists %s, which the trusted "
                                         "snapshot version %lld lists (rollback)",
                                         (long long) md->version, o->name, (long long) old->version);
                if (n->version < o->version)
                        return error_set(err, ERROR_INVALID,
                                         "snapshot lists %s version %lld, lower than the trusted "
                                         "version %lld (rollback)",
                                         o->name, (long long) n->version, (long long) o->version);
        }
        return 0;
}

static int update_snapshot(struct tuf_client *c, struct error *err) {
        _cleanup_(tuf_metadata_freep) struct tuf_metadata *local = NULL, *md = NULL;
        _cleanup_free_ char *local_data = NULL, *data = NULL, *name = NULL;
        const struct tuf_meta_file *sm =
                tuf_metadata_find_meta(c->trusted[TUF_ROLE_TIMESTAMP], "snapshot.json");
        size_t len = 0, local_len = 0, max;

        max = sm->length >= 0 ? (size_t) sm->length : c->cfg.snapshot_max_len;

        local_data = store_read(c, "snapshot.json", c->cfg.snapshot_max_len, &local_len);
        if (local_data && parse_verified(c, "stored snapshot.json", TUF_ROLE_SNAPSHOT, local_data,
                                         local_len, c->cfg.snapshot_max_len, &local, NULL) < 0)
                local = NULL;
        if (local && local->version == sm->version && !expired(c, local) &&
            check_meta_file("snapshot", "timestamp", sm, local_data, local_len, NULL) == 0) {
                set_trusted(c, TUF_ROLE_SNAPSHOT, steal_ptr(local));
                return 0; /* the stored one is current */
        }

        name = c->trusted[TUF_ROLE_ROOT]->root.consistent_snapshot
                       ? str_printf("%lld.snapshot.json", (long long) sm->version)
                       : str_dup("snapshot.json");
        if (fetch(&c->cfg.metadata, name, max, &data, &len, err) < 0)
                return -1;
        /* §5.5.2: hashes before signatures (cheap, and from a verified
         * timestamp). */
        if (check_meta_file("snapshot", "timestamp", sm, data, len, err) < 0)
                return -1;
        if (parse_verified(c, name, TUF_ROLE_SNAPSHOT, data, len, max, &md, err) < 0)
                return -1;
        if (md->version != sm->version)
                return error_set(err, ERROR_INVALID,
                                 "snapshot version %lld does not match the version %lld listed in "
                                 "timestamp (mix-and-match?)",
                                 (long long) md->version, (long long) sm->version);
        if (local && snapshot_rollback_check(local, md, err) < 0)
                return -1;
        if (expired(c, md))
                return expired_error(c, "snapshot.json", md, err);
        if (persist(c, "snapshot.json", data, len, err) < 0)
                return -1;
        set_trusted(c, TUF_ROLE_SNAPSHOT, steal_ptr(md));
        return 0;
}

/* ---- §5.6 targets ---------------------------------------------------------- */

static int update_targets(struct tuf_client *c, struct error *err) {
        _cleanup_(tuf_metadata_freep) struct tuf_metadata *local = NULL, *md = NULL;
        _cleanup_free_ char *local_data = NULL, *data = NULL, *name = NULL;
        const struct tuf_meta_file *tm =
                tuf_metadata_find_meta(c->trusted[TUF_ROLE_SNAPSHOT], "targets.json");
        size_t len = 0, local_len = 0, max;

        max = tm->length >= 0 ? (size_t) tm->length : c->cfg.targets_max_len;

        local_data = store_read(c, "targets.json", c->cfg.targets_max_len, &local_len);
        if (local_data && parse_verified(c, "stored targets.json", TUF_ROLE_TARGETS, local_data,
                                         local_len, c->cfg.targets_max_len, &local, NULL) == 0 &&
            local->version == tm->version && !expired(c, local) &&
            check_meta_file("targets", "snapshot", tm, local_data, local_len, NULL) == 0) {
                set_trusted(c, TUF_ROLE_TARGETS, steal_ptr(local));
                return 0;
        }

        name = c->trusted[TUF_ROLE_ROOT]->root.consistent_snapshot
                       ? str_printf("%lld.targets.json", (long long) tm->version)
                       : str_dup("targets.json");
        if (fetch(&c->cfg.metadata, name, max, &data, &len, err) < 0)
                return -1;
        if (check_meta_file("targets", "snapshot", tm, data, len, err) < 0)
                return -1;
        if (parse_verified(c, name, TUF_ROLE_TARGETS, data, len, max, &md, err) < 0)
                return -1;
        if (md->version != tm->version)
                return error_set(err, ERROR_INVALID,
                                 "targets version %lld does not match the version %lld listed in "
                                 "snapshot (mix-and-match?)",
                                 (long long) md->version, (long long) tm->version);
        if (expired(c, md))
                return expired_error(c, "targets.json", md, err);
        if (persist(c, "targets.json", data, len, err) < 0)
                return -1;
        set_trusted(c, TUF_ROLE_TARGETS, steal_ptr(md));
        return 0;
}

int tuf_client_refresh(struct tuf_client *c, struct error *err) {
        struct error e = { 0 };

        if (!c)
                return error_set(err, ERROR_INTERNAL, "no TUF client");
        c->refreshed = false;
        c->now = c->cfg.now ? c->cfg.now : time_now();
        /* Only root survives between refreshes in memory; the others are
         * re-read from the store, which is what the last refresh left. */
        set_trusted(c, TUF_ROLE_TIMESTAMP, NULL);
        set_trusted(c, TUF_ROLE_SNAPSHOT, NULL);
        set_trusted(c, TUF_ROLE_TARGETS, NULL);

        if (update_root(c, &e) < 0 || update_timestamp(c, &e) < 0 || update_snapshot(c, &e) < 0 ||
            update_targets(c, &e) < 0) {
                if (err)
                        *err = e;
                return -1;
        }
        c->refreshed = true;
        return 0;
}

/* ---- targets ------------------------------------------------------------------ */

int tuf_client_find_target(const struct tuf_client *c, const char *path,
                           const struct tuf_target **out, struct error *err) {
        const struct tuf_target *t;
        char safe[80];

        if (!c || !c->refreshed || !c->trusted[TUF_ROLE_TARGETS])
                return error_set(err, ERROR_CONFLICT,
                                 "no trusted targets metadata: the last TUF refresh did not succeed");
        if (!path)
                return error_set(err, ERROR_INVALID, "no target path given");
        t = tuf_metadata_find_target(c->trusted[TUF_ROLE_TARGETS], path);
        if (!t)
                return error_set(err, ERROR_NOT_FOUND, "no target '%s' in targets version %lld",
                                 (str_sanitize(path, strlen(path), safe, sizeof(safe)), safe),
                                 (long long) c->trusted[TUF_ROLE_TARGETS]->version);
        *out = t;
        return 0;
}

char *tuf_client_target_name(const struct tuf_client *c, const struct tuf_target *t) {
        char hex[SHA256_HEX_LEN];
        const char *slash;

        if (!c->trusted[TUF_ROLE_ROOT]->root.consistent_snapshot)
                return str_dup(t->path);
        hex_encode(t->sha256, SHA256_LEN, hex);
        slash = strrchr(t->path, '/');
        if (!slash)
                return str_printf("%s.%s", hex, t->path);
        return str_printf("%.*s%s.%s", (int) (slash - t->path + 1), t->path, hex, slash + 1);
}

int tuf_target_check(const struct tuf_target *t, const void *data, size_t len, struct error *err) {
        uint8_t digest[SHA256_LEN];
        char safe[80];

        str_sanitize(t->path, strlen(t->path), safe, sizeof(safe));
        if ((uint64_t) t->length != len)
                return error_set(err, ERROR_INVALID,
                                 "target '%s' has %zu bytes, targets metadata says %lld (wrong or "
                                 "altered file)",
                                 safe, len, (long long) t->length);
        hash_sha256(data, len, digest);
        if (!ct_equal(digest, t->sha256, SHA256_LEN))
                return error_set(err, ERROR_INVALID,
                                 "target '%s': SHA-256 does not match the targets metadata (wrong or "
                                 "altered file)",
                                 safe);
        return 0;
}

int tuf_client_fetch_target(const struct tuf_client *c, const struct tuf_target *t, char **out,
                            size_t *len, struct error *err) {
        _cleanup_free_ char *name = NULL, *data = NULL;
        size_t n = 0;

        if (!c || !t)
                return error_set(err, ERROR_INTERNAL, "fetch target: no client or target");
        if ((uint64_t) t->length > SIZE_MAX)
                return error_set(err, ERROR_TOO_LARGE, "target too large for this system");
        name = tuf_client_target_name(c, t);
        if (fetch(&c->cfg.targets, name, (size_t) t->length, &data, &n, err) < 0)
                return -1;
        if (tuf_target_check(t, data, n, err) < 0)
                return -1;
        *out = steal_ptr(data);
        *len = n;
        return 0;
}

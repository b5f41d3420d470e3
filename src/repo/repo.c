/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The image repository: file layout, online keys, root installation and
 * rotation, status, and the online signing of snapshot and timestamp
 * (publication and maintenance share repo_sign_online).
 */
#include "repo/repo.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/fault.h"
#include "core/fileio.h"
#include "core/json.h"
#include "core/log.h"
#include "core/strutil.h"
#include "core/time.h"
#include "crypto/encoding.h"
#include "release/image-store.h"
#include "release/release.h"
#include "repo/repo-internal.h"
#include "keys/keys.h"
#include "repo/root-keys.h"
#include "secret/keyfile.h"
#include "store/store-identity.h"
#include "tuf/sign.h"
#include "tuf/verify.h"

#define REPO_EXPIRY_WARNING (30 * 86400)

/* ---- names and paths ---- */

char *repo_dir(const char *data_dir, const char *model) {
        return str_printf("%s/" REPO_DIR "/%s", data_dir, model);
}

static bool decimal_version(const char *s, size_t n) {
        if (n == 0 || n > 16 || s[0] == '0')
                return false;
        for (size_t i = 0; i < n; i++)
                if (s[i] < '0' || s[i] > '9')
                        return false;
        return true;
}

bool repo_metadata_name_valid(const char *name) {
        if (!name)
                return false;
        if (str_eq(name, "root.json") || str_eq(name, "timestamp.json"))
                return true;
        static const char *const suffixes[] = { ".root.json", ".snapshot.json", ".targets.json" };
        size_t n = strlen(name);
        for (size_t i = 0; i < ELEMENTSOF(suffixes); i++) {
                size_t sl = strlen(suffixes[i]);
                if (n > sl && strcmp(name + n - sl, suffixes[i]) == 0 && decimal_version(name, n - sl))
                        return true;
        }
        return false;
}

bool repo_target_file_name_valid(const char *name) {
        if (!name || strlen(name) < 66 || name[64] != '.')
                return false;
        char hex[65];
        memcpy(hex, name, 64);
        hex[64] = '\0';
        return image_sha256_hex_valid(hex) && image_name_valid(name + 65);
}

json_t *repo_time_json(int64_t t) {
        if (t == 0)
                return json_null();
        char buf[TIME_RFC3339_LEN];
        time_format_rfc3339(t, buf);
        return json_string(buf);
}

char *repo_serialize(json_t *doc, size_t *len, struct error *err) {
        return tuf_metadata_serialize(doc, len, err);
}

int repo_file_write(const struct ota_ctx *c, const char *model, const char *name, const void *data, size_t len,
                    struct error *err) {
        _cleanup_free_ char *dir = repo_dir(c->data_dir, model);
        if (dir_create(dir, 0755, err) < 0)
                return -1;
        _cleanup_free_ char *path = path_join(dir, name);
        return file_write_atomic(path, data, len, 0644, err);
}

static bool repo_file_exists(const struct ota_ctx *c, const char *model, const char *name) {
        _cleanup_free_ char *dir = repo_dir(c->data_dir, model);
        _cleanup_free_ char *path = path_join(dir, name);
        return file_exists(path);
}

int repo_target_link(const struct ota_ctx *c, const char *model, const char *sha256_hex, const char *path,
                     struct error *err) {
        const char *slash = strrchr(path, '/');
        if (!slash || strchr(path, '/') != slash)
                return error_set(err, ERROR_INTERNAL, "target path '%.100s' is not <version>/<name>", path);
        _cleanup_free_ char *dir = repo_dir(c->data_dir, model);
        _cleanup_free_ char *tdir = str_printf("%s/targets/%.*s", dir, (int) (slash - path), path);
        if (dir_create(tdir, 0755, err) < 0)
                return -1;
        _cleanup_free_ char *src = image_store_path(c->data_dir, sha256_hex);
        _cleanup_free_ char *dst = str_printf("%s/%s.%s", tdir, sha256_hex, slash + 1);
        if (link(src, dst) < 0) {
                if (errno == EEXIST)
                        return 0;
                if (errno == ENOENT)
                        return error_set(err, ERROR_CONFLICT, "image %s (%s) is no longer stored", sha256_hex, path);
                return error_set_errno(err, ERROR_IO, errno, "linking %s as %s", src, dst);
        }
        return dir_fsync(tdir, err);
}

/* ---- publication order: lock, served state, staged switch ---- */

int repo_lock(const struct ota_ctx *c, int *fd, struct error *err) {
        *fd = -1;
        _cleanup_free_ char *dir = path_join(c->data_dir, REPO_DIR);
        if (dir_create(dir, 0755, err) < 0)
                return -1;
        /* A dot name: never a product model, so never served. */
        _cleanup_free_ char *path = path_join(dir, ".lock");
        int f = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (f < 0)
                return error_set_errno(err, ERROR_IO, errno, "opening %s", path);
        while (flock(f, LOCK_EX) < 0) {
                if (errno == EINTR)
                        continue;
                int e = errno;
                close(f);
                return error_set_errno(err, ERROR_IO, e, "locking %s", path);
        }
        *fd = f;
        return 0;
}

static json_t *repo_file_json(const struct ota_ctx *c, const char *model, const char *name) {
        _cleanup_free_ char *dir = repo_dir(c->data_dir, model);
        _cleanup_free_ char *path = path_join(dir, name);
        _cleanup_free_ char *data = NULL;
        size_t len;
        if (file_read_all(path, TUF_METADATA_DEFAULT_MAX, &data, &len, NULL) < 0)
                return NULL;
        return json_loadb(data, len, 0, NULL);
}

static int64_t meta_version(json_t *doc, const char *key) {
        json_t *v = json_object_get(json_object_get(json_object_get(json_object_get(doc, "signed"), "meta"), key),
                                    "version");
        return json_is_integer(v) ? (int64_t) json_integer_value(v) : 0;
}

void repo_served_read(const struct ota_ctx *c, const char *model, struct repo_served *out) {
        memset(out, 0, sizeof(*out));
        _cleanup_json_ json_t *ts = repo_file_json(c, model, "timestamp.json");
        json_t *v = json_object_get(json_object_get(ts, "signed"), "version");
        out->timestamp = json_is_integer(v) ? (int64_t) json_integer_value(v) : 0;
        out->snapshot = meta_version(ts, "snapshot.json");
        if (out->snapshot <= 0)
                return;
        char name[64];
        snprintf(name, sizeof(name), "%" PRId64 ".snapshot.json", out->snapshot);
        _cleanup_json_ json_t *sn = repo_file_json(c, model, name);
        out->targets = meta_version(sn, "targets.json");
}

int repo_switch_stage(const struct ota_ctx *c, struct repo_switch *sw, const char *model, const char *name,
                      const void *data, size_t len, struct error *err) {
        if (sw->n == REPO_SWITCH_MAX)
                return error_set(err, ERROR_INTERNAL, "more than %d files staged for one switch", REPO_SWITCH_MAX);
        _cleanup_free_ char *dir = repo_dir(c->data_dir, model);
        if (dir_create(dir, 0755, err) < 0)
                return -1;
        char *path = path_join(dir, name);
        if (file_stage(path, data, len, 0644, &sw->staged[sw->n], err) < 0) {
                free(path);
                return -1;
        }
        sw->path[sw->n++] = path;
        return 0;
}

int repo_switch_commit(struct repo_switch *sw, struct error *err) {
        int rc = 0;
        for (size_t i = 0; i < sw->n; i++) {
                if (rc == 0 && file_stage_switch(&sw->staged[i], sw->path[i], err) < 0)
                        rc = -1;
                file_stage_abort(&sw->staged[i]);
                free(steal_ptr(sw->path[i]));
        }
        sw->n = 0;
        return rc;
}

void repo_switch_abort(struct repo_switch *sw) {
        for (size_t i = 0; i < sw->n; i++) {
                file_stage_abort(&sw->staged[i]);
                free(steal_ptr(sw->path[i]));
        }
        sw->n = 0;
}

/* Removes what a switch that never happened left behind: hidden temp files
 * (".<name>.XXXXXX") in the model's directory. Only under repo_lock, when no
 * switch is in flight. */
static unsigned remove_stale_staged(const struct ota_ctx *c, const char *model) {
        _cleanup_free_ char *dir = repo_dir(c->data_dir, model);
        DIR *d = opendir(dir);
        if (!d)
                return 0;
        unsigned n = 0;
        struct dirent *e;
        while ((e = readdir(d))) {
                if (e->d_name[0] != '.' || str_eq(e->d_name, ".") || str_eq(e->d_name, ".."))
                        continue;
                _cleanup_free_ char *p = path_join(dir, e->d_name);
                if (unlink(p) == 0)
                        n++;
        }
        closedir(d);
        return n;
}

/* ---- lookups ---- */

int repo_get_by_model(struct store *s, const char *model, int64_t *product_id, struct store_repo *out,
                      struct error *err) {
        memset(out, 0, sizeof(*out));
        if (store_identity_product_by_model(s, model, product_id, err) < 0)
                return -1;
        struct error e = {0};
        if (store_repo_get(s, *product_id, out, &e) < 0) {
                if (e.kind == ERROR_NOT_FOUND)
                        return error_set(err, ERROR_NOT_FOUND,
                                         "product %s has no image repository yet (initialise it with 'cradle repo "
                                         "init')",
                                         model);
                return repo_error_pass(err, &e);
        }
        return 0;
}

int repo_root_load(struct store *s, int64_t product_id, int64_t version, struct tuf_metadata **out,
                   struct error *err) {
        *out = NULL;
        _cleanup_free_ char *doc = NULL;
        if (store_repo_root_get(s, product_id, version, &doc, err) < 0)
                return -1;
        char what[48];
        snprintf(what, sizeof(what), "%lld.root.json", (long long) version);
        return tuf_metadata_parse(what, doc, strlen(doc), REPO_ROOT_MAX, TUF_ROLE_ROOT, out, err);
}

/* ---- online keys ---- */

static const char *const online_roles[] = { REPO_ROLE_SNAPSHOT, REPO_ROLE_TIMESTAMP };

static char *key_path(const struct ota_ctx *c, const char *ref) {
        if (str_startswith(ref, "pkcs11:") || ref[0] == '/')
                return str_dup(ref);
        return path_join(c->data_dir, ref);
}

static int online_key_load(const struct ota_ctx *c, const struct store_online_key *k, struct crypto_key **out,
                           struct error *err) {
        _cleanup_free_ char *ref = key_path(c, k->key_ref);
        /* A key file is sealed under the KEK, bound to its stored ref (secret/keyfile.h). */
        if (secret_key_load(ref, k->key_ref, out, err) < 0)
                return error_prefix(err, "online %s key: ", k->role);
        return 0;
}

static char *template_expand(const char *tpl, const char *model, const char *role) {
        struct buf b = {0};
        for (const char *p = tpl; *p;) {
                if (str_startswith(p, "{model}")) {
                        buf_append(&b, model, strlen(model));
                        p += 7;
                } else if (str_startswith(p, "{role}")) {
                        buf_append(&b, role, strlen(role));
                        p += 6;
                } else {
                        buf_append(&b, p, 1);
                        p++;
                }
        }
        return buf_steal(&b);
}

/* Makes (or finds, for PKCS#11) the key of `role` and records it with `status`. */
static int online_key_make(const struct ota_ctx *c, int64_t product_id, const char *model, const char *role,
                           const char *status, struct error *err) {
        const struct ota_config *cfg = c->cfg;
        _cleanup_free_ char *ref = NULL;
        if (cfg && cfg->online_key_pkcs11 && cfg->online_key_pkcs11[0]) {
                ref = template_expand(cfg->online_key_pkcs11, model, role);
                if (str_eq(status, "next")) {
                        _cleanup_free_ char *next = str_printf("%s-next", role);
                        free(ref);
                        ref = template_expand(cfg->online_key_pkcs11, model, next);
                }
        } else {
                enum crypto_key_type type = CRYPTO_KEY_ED25519;
                const char *tn = cfg && cfg->online_key_type && cfg->online_key_type[0] ? cfg->online_key_type
                                                                                        : "ed25519";
                if (crypto_key_type_parse(tn, &type, err) < 0)
                        return error_prefix(err, "[ota] online_key_type: ");
                if (type != CRYPTO_KEY_ED25519 && type != CRYPTO_KEY_EC_P256)
                        return error_set(err, ERROR_INVALID, "[ota] online_key_type: '%s': TUF keys are ed25519 or p256",
                                         tn);
                _cleanup_free_ char *dir = str_printf("%s/" REPO_KEYS_DIR "/%s", c->data_dir, model);
                if (dir_create(dir, 0700, err) < 0)
                        return -1;
                /* A fresh file name every time: a key file is never overwritten. */
                for (int i = 0; i < 1000 && !ref; i++) {
                        _cleanup_free_ char *rel = i == 0 && str_eq(status, "current")
                                                           ? str_printf(REPO_KEYS_DIR "/%s/%s.key", model, role)
                                                           : str_printf(REPO_KEYS_DIR "/%s/%s-%" PRId64 "-%d.key",
                                                                        model, role, ota_now(c), i);
                        _cleanup_free_ char *abs = path_join(c->data_dir, rel);
                        if (!file_exists(abs)) {
                                if (secret_key_generate_file(abs, rel, type, err) < 0)
                                        return -1;
                                ref = steal_ptr(rel);
                        }
                }
                if (!ref)
                        return error_set(err, ERROR_IO, "no free key file name under %s", dir);
        }
        struct store_online_key k = { .product_id = product_id, .key_ref = ref, .created_at = ota_now(c) };
        snprintf(k.role, sizeof(k.role), "%s", role);
        snprintf(k.status, sizeof(k.status), "%s", status);
        _cleanup_crypto_key_ struct crypto_key *key = NULL;
        _cleanup_tuf_key_ struct tuf_key *tk = NULL;
        if (online_key_load(c, &k, &key, err) < 0 || tuf_key_from_crypto_key(key, &tk, err) < 0)
                return -1;
        snprintf(k.keyid, sizeof(k.keyid), "%s", tuf_key_id(tk));
        return store_online_key_insert(c->store, &k, err);
}

static json_t *online_key_json(const struct ota_ctx *c, const struct store_online_key *k, struct error *err) {
        _cleanup_crypto_key_ struct crypto_key *key = NULL;
        _cleanup_tuf_key_ struct tuf_key *tk = NULL;
        if (online_key_load(c, k, &key, err) < 0 || tuf_key_from_crypto_key(key, &tk, err) < 0)
                return NULL;
        return json_pack("{s:s, s:O, s:s, s:s}", "keyid", tuf_key_id(tk), "key", tuf_key_json(tk), "type",
                         crypto_key_describe(key), "storage", crypto_key_is_pkcs11(key) ? "pkcs11" : "file");
}

/* {"snapshot": ..., "timestamp": ...} of one status; JSON null when none. */
static int online_pair_json(const struct ota_ctx *c, int64_t product_id, const char *status, json_t **out,
                            struct error *err) {
        *out = NULL;
        json_t *pair = json_object();
        for (size_t i = 0; i < ELEMENTSOF(online_roles); i++) {
                struct store_online_key k;
                struct error e = {0};
                if (store_online_key_get(c->store, product_id, online_roles[i], status, &k, &e) < 0) {
                        json_decref(pair);
                        if (e.kind == ERROR_NOT_FOUND) {
                                *out = json_null();
                                return 0;
                        }
                        return repo_error_pass(err, &e);
                }
                json_t *j = online_key_json(c, &k, err);
                store_online_key_clear(&k);
                if (!j) {
                        json_decref(pair);
                        return -1;
                }
                json_object_set_new(pair, online_roles[i], j);
        }
        *out = pair;
        return 0;
}

static int online_keys_render(const struct ota_ctx *c, int64_t product_id, const char *model, json_t **out,
                              struct error *err) {
        json_t *current = NULL, *next = NULL;
        if (online_pair_json(c, product_id, "current", &current, err) < 0)
                return -1;
        if (online_pair_json(c, product_id, "next", &next, err) < 0) {
                json_decref(current);
                return -1;
        }
        if (!json_is_object(current)) {
                json_decref(current);
                json_decref(next);
                return error_set(err, ERROR_INTERNAL, "online keys of %s are incomplete", model);
        }
        json_object_set_new(current, "product", json_string(model));
        json_object_set_new(current, "next", next);
        *out = current;
        return 0;
}

static int online_keys_ensure(const struct ota_ctx *c, const struct audit_actor *a, const char *model,
                              const char *status, bool must_be_new, json_t **out, struct error *err) {
        *out = NULL;
        struct store *s = c->store;
        int64_t product_id;
        if (store_identity_product_by_model(s, model, &product_id, err) < 0)
                return -1;
        if (store_tx_begin(s, err) < 0)
                return -1;
        json_t *made = json_array();
        for (size_t i = 0; i < ELEMENTSOF(online_roles); i++) {
                struct store_online_key k;
                struct error e = {0};
                if (store_online_key_get(s, product_id, online_roles[i], status, &k, &e) == 0) {
                        store_online_key_clear(&k);
                        if (must_be_new) {
                                error_set(err, ERROR_CONFLICT,
                                          "%s has next online keys already; rotate the root to them (cradle repo "
                                          "rotate-root --online-keys next) first",
                                          model);
                                goto fail;
                        }
                        continue;
                }
                if (e.kind != ERROR_NOT_FOUND) {
                        repo_error_pass(err, &e);
                        goto fail;
                }
                if (online_key_make(c, product_id, model, online_roles[i], status, err) < 0)
                        goto fail;
                json_array_append_new(made, json_string(online_roles[i]));
        }
        if (json_array_size(made) > 0) {
                char object[96];
                snprintf(object, sizeof(object), "repo:%s", model);
                _cleanup_json_ json_t *details = json_pack("{s:s, s:O}", "status", status, "roles", made);
                if (audit_append(s, a, str_eq(status, "next") ? "repo.online-keys.next" : "repo.online-keys", object,
                                 details, err) < 0)
                        goto fail;
        }
        json_decref(made);
        made = NULL;
        if (online_keys_render(c, product_id, model, out, err) < 0)
                goto fail;
        if (store_tx_commit(s, err) < 0) {
                json_decref(steal_ptr(*out));
                return -1;
        }
        return 0;
fail:
        json_decref(made);
        store_tx_rollback(s);
        return -1;
}

int repo_online_keys(const struct ota_ctx *c, const struct audit_actor *a, const char *model, json_t **out,
                     struct error *err) {
        return online_keys_ensure(c, a, model, "current", false, out, err);
}

int repo_online_keys_next(const struct ota_ctx *c, const struct audit_actor *a, const char *model, json_t **out,
                          struct error *err) {
        int64_t product_id;
        struct store_online_key k;
        if (store_identity_product_by_model(c->store, model, &product_id, err) < 0)
                return -1;
        struct error e = {0};
        if (store_online_key_get(c->store, product_id, REPO_ROLE_SNAPSHOT, "current", &k, &e) < 0)
                return error_set(err, ERROR_CONFLICT,
                                 "%s has no online keys yet; GET /api/v1/repos/%s/online-keys makes the first ones",
                                 model, model);
        store_online_key_clear(&k);
        return online_keys_ensure(c, a, model, "next", true, out, err);
}

/* ---- root checks ---- */

static bool role_is_exactly(const struct tuf_metadata *root, enum tuf_role role, const char *keyid) {
        const struct tuf_role_keys *r = &root->root.roles[role];
        return r->n_keyids == 1 && r->threshold == 1 && strcmp(r->keyids[0], keyid) == 0;
}

/* Which online pair (current or next) root's snapshot and timestamp roles
 * name. *which = "current" or "next". */
static int check_online_roles(const struct ota_ctx *c, int64_t product_id, const char *model,
                              const struct tuf_metadata *root, const char **which, struct error *err) {
        static const char *const statuses[] = { "current", "next" };
        const char *ids[2][2] = { { NULL, NULL }, { NULL, NULL } };
        struct store_online_key k[2][2];
        memset(k, 0, sizeof(k));
        int ret = -1;
        *which = NULL;
        for (size_t st = 0; st < 2; st++)
                for (size_t r = 0; r < 2; r++) {
                        struct error e = {0};
                        if (store_online_key_get(c->store, product_id, online_roles[r], statuses[st], &k[st][r], &e) == 0)
                                ids[st][r] = k[st][r].keyid;
                        else if (e.kind != ERROR_NOT_FOUND) {
                                repo_error_pass(err, &e);
                                goto out;
                        }
                }
        if (!ids[0][0] || !ids[0][1]) {
                error_set(err, ERROR_CONFLICT,
                          "the server has no online keys for %s yet: GET /api/v1/repos/%s/online-keys makes them, "
                          "and the root must name them for its snapshot and timestamp roles",
                          model, model);
                goto out;
        }
        for (size_t st = 0; st < 2 && !*which; st++)
                if (ids[st][0] && ids[st][1] && role_is_exactly(root, TUF_ROLE_SNAPSHOT, ids[st][0]) &&
                    role_is_exactly(root, TUF_ROLE_TIMESTAMP, ids[st][1]))
                        *which = statuses[st];
        if (!*which) {
                error_set(err, ERROR_INVALID,
                          "root: the snapshot and timestamp roles must each name exactly the server's online key "
                          "with threshold 1 (snapshot %.12s..., timestamp %.12s...%s); see GET "
                          "/api/v1/repos/%s/online-keys",
                          ids[0][0], ids[0][1], ids[1][0] ? ", or the next pair" : "", model);
                goto out;
        }
        /* Online keys must never count for root or targets: a stolen server
         * would then hold an offline role's key. */
        for (size_t st = 0; st < 2; st++)
                for (size_t r = 0; r < 2; r++) {
                        if (!ids[st][r])
                                continue;
                        if (tuf_root_role_has_key(root, TUF_ROLE_ROOT, ids[st][r]) ||
                            tuf_root_role_has_key(root, TUF_ROLE_TARGETS, ids[st][r])) {
                                error_set(err, ERROR_INVALID,
                                          "root: the server's online %s key %.12s... must not be a root or targets "
                                          "key (those stay offline)",
                                          online_roles[r], ids[st][r]);
                                goto out;
                        }
                }
        if (root->root.roles[TUF_ROLE_SNAPSHOT].keyids && root->root.roles[TUF_ROLE_TIMESTAMP].keyids &&
            strcmp(root->root.roles[TUF_ROLE_SNAPSHOT].keyids[0], root->root.roles[TUF_ROLE_TIMESTAMP].keyids[0]) == 0) {
                error_set(err, ERROR_INVALID, "root: snapshot and timestamp must have different keys");
                goto out;
        }
        ret = 0;
out:
        for (size_t st = 0; st < 2; st++)
                for (size_t r = 0; r < 2; r++)
                        store_online_key_clear(&k[st][r]);
        return ret;
}

/* What every root must be, whatever its version. */
static int check_root_common(const struct ota_ctx *c, const struct tuf_metadata *root, struct error *err) {
        if (!root->root.consistent_snapshot)
                return error_set(err, ERROR_INVALID,
                                 "root: consistent_snapshot must be true (Cradle publishes <N>.snapshot.json, "
                                 "<N>.targets.json and hash-prefixed targets)");
        if (root->expires <= ota_now(c))
                return error_set(err, ERROR_INVALID, "root: expired at %s", root->expires_str);
        for (int r = 0; r < _TUF_ROLE_MAX; r++)
                if (root->root.roles[r].n_keyids == 0)
                        return error_set(err, ERROR_INVALID, "root: role %s has no keys", tuf_role_name((enum tuf_role) r));
        return 0;
}

/* Parses {"root": ...} (the value under `field` of body). */
static int root_from_body(json_t *body, struct tuf_metadata **out, char **bytes, size_t *len, struct error *err) {
        *out = NULL;
        *bytes = NULL;
        json_t *root = json_object_get(body, "root");
        if (!json_is_object(root))
                return error_set(err, ERROR_INVALID, "root: expected the signed root metadata (a JSON object)");
        if (tuf_metadata_from_json("root", root, TUF_ROLE_ROOT, out, err) < 0)
                return -1;
        *bytes = repo_serialize(root, len, err);
        if (!*bytes) {
                tuf_metadata_free(steal_ptr(*out));
                return -1;
        }
        if (*len > REPO_ROOT_MAX) {
                tuf_metadata_free(steal_ptr(*out));
                free(steal_ptr(*bytes));
                return error_set(err, ERROR_TOO_LARGE, "root: larger than %d bytes", REPO_ROOT_MAX);
        }
        return 0;
}

/* Stages <version>.root.json and root.json: clients probe <N+1>.root.json, so
 * neither may appear before the commit (docs/ota.md, "Files and rows"). */
static int stage_root_files(const struct ota_ctx *c, struct repo_switch *sw, const char *model, int64_t version,
                            const char *bytes, size_t len, struct error *err) {
        char name[48];
        snprintf(name, sizeof(name), "%" PRId64 ".root.json", version);
        if (repo_switch_stage(c, sw, model, name, bytes, len, err) < 0 ||
            repo_switch_stage(c, sw, model, "root.json", bytes, len, err) < 0)
                return -1;
        return 0;
}

static json_t *role_json(const struct tuf_metadata *root, enum tuf_role role) {
        const struct tuf_role_keys *r = &root->root.roles[role];
        json_t *ids = json_array();
        for (size_t i = 0; i < r->n_keyids; i++)
                json_array_append_new(ids, json_string(r->keyids[i]));
        return json_pack("{s:I, s:o}", "threshold", (json_int_t) r->threshold, "keyids", ids);
}

static int status_render(const struct ota_ctx *c, const struct store_repo *repo, json_t **out, struct error *err) {
        _cleanup_tuf_metadata_ struct tuf_metadata *root = NULL;
        if (repo_root_load(c->store, repo->product_id, repo->root_version, &root, err) < 0)
                return -1;
        int64_t published = 0;
        {
                struct store_release *list = NULL;
                size_t n = 0;
                if (store_release_list(c->store, repo->product_id, STORE_RELEASE_PUBLISHED, 0, 0, &list, &n, err) < 0)
                        return -1;
                published = (int64_t) n;
                store_release_list_free(list, n);
        }
        json_t *r = role_json(root, TUF_ROLE_ROOT);
        json_object_set_new(r, "version", json_integer(repo->root_version));
        json_object_set_new(r, "expires", repo_time_json(repo->root_expires));
        json_t *t = role_json(root, TUF_ROLE_TARGETS);
        json_object_set_new(t, "version", json_integer(repo->targets_version));
        json_object_set_new(t, "expires", repo_time_json(repo->targets_expires));
        json_t *sn = role_json(root, TUF_ROLE_SNAPSHOT);
        json_object_set_new(sn, "version", json_integer(repo->snapshot_version));
        json_object_set_new(sn, "expires", repo_time_json(repo->snapshot_expires));
        json_t *ts = role_json(root, TUF_ROLE_TIMESTAMP);
        json_object_set_new(ts, "version", json_integer(repo->timestamp_version));
        json_object_set_new(ts, "expires", repo_time_json(repo->timestamp_expires));
        _cleanup_free_ char *url = str_printf("/" REPO_DIR "/%s/", repo->product_model);
        *out = json_pack("{s:s, s:s, s:b, s:o, s:o, s:o, s:o, s:I, s:o, s:o}", "product", repo->product_model, "url",
                         url, "consistent_snapshot", root->root.consistent_snapshot, "root", r, "targets", t,
                         "snapshot", sn, "timestamp", ts, "published_releases", (json_int_t) published, "created_at",
                         repo_time_json(repo->created_at), "updated_at", repo_time_json(repo->updated_at));
        return *out ? 0 : error_set(err, ERROR_INTERNAL, "repository status cannot be rendered");
}

int repo_status(const struct ota_ctx *c, const char *model, json_t **out, struct error *err) {
        *out = NULL;
        _cleanup_repo_row_ struct store_repo repo = {0};
        int64_t product_id;
        if (repo_get_by_model(c->store, model, &product_id, &repo, err) < 0)
                return -1;
        return status_render(c, &repo, out, err);
}

int repo_list(const struct ota_ctx *c, json_t **out, struct error *err) {
        *out = NULL;
        struct store_repo *list = NULL;
        size_t n = 0;
        if (store_repo_list(c->store, &list, &n, err) < 0)
                return -1;
        json_t *items = json_array();
        for (size_t i = 0; i < n; i++) {
                json_t *j;
                if (status_render(c, &list[i], &j, err) < 0) {
                        json_decref(items);
                        store_repo_list_free(list, n);
                        return -1;
                }
                json_array_append_new(items, j);
        }
        store_repo_list_free(list, n);
        *out = json_pack("{s:o}", "items", items);
        return 0;
}

/* ---- create ---- */

int repo_create(const struct ota_ctx *c, const struct audit_actor *a, json_t *body, json_t **out,
                struct error *err) {
        *out = NULL;
        static const struct cr_json_field fields[] = {
                { "product", CR_JSON_STRING, true, 64, false },
                { "root", CR_JSON_OBJECT, true, 0, false },
        };
        if (cr_json_check_object("request body", body, fields, ELEMENTSOF(fields), err) < 0)
                return -1;
        const char *model = cr_json_get_string(body, "product");
        struct store *s = c->store;
        int64_t product_id;
        if (store_identity_product_by_model(s, model, &product_id, err) < 0)
                return -1;
        _cleanup_tuf_metadata_ struct tuf_metadata *root = NULL;
        _cleanup_free_ char *bytes = NULL;
        size_t len = 0;
        if (root_from_body(body, &root, &bytes, &len, err) < 0)
                return -1;
        if (root->version != 1)
                return error_set(err, ERROR_INVALID,
                                 "root: a new repository starts at version 1 (got %lld); rotate an existing one with "
                                 "POST /api/v1/repos/%s/root",
                                 (long long) root->version, model);
        if (check_root_common(c, root, err) < 0)
                return -1;
        struct tuf_verify_result vr;
        if (tuf_verify_role(root, TUF_ROLE_ROOT, root, &vr, err) < 0) {
                /* The signatures brought are wrong, not the caller's credential: 400. */
                if (err)
                        err->kind = ERROR_INVALID;
                return error_prefix(err, "root: not signed by its own root threshold: ");
        }

        _cleanup_close_ int lock = -1;
        _cleanup_repo_switch_ struct repo_switch sw = {0};
        if (repo_lock(c, &lock, err) < 0 || store_tx_begin(s, err) < 0)
                return -1;
        const char *which = NULL;
        int64_t now = ota_now(c);
        char object[96];
        struct store_repo row = { .product_id = product_id, .root_version = 1, .root_expires = root->expires,
                                  .created_at = now };
        if (check_online_roles(c, product_id, model, root, &which, err) < 0)
                goto fail;
        if (!str_eq(which, "current")) {
                error_set(err, ERROR_INVALID, "root: a new repository must name the current online keys");
                goto fail;
        }
        if (repo_root_keys_check_image(s, product_id, model, root, NULL, err) < 0) {
                snprintf(object, sizeof(object), "repo:%s", model);
                if (err && err->kind == ERROR_INVALID)
                        repo_root_keys_audit_refusal(s, a, "repo.root.refused", object, root->version, err->msg);
                goto fail;
        }
        if (store_repo_insert(s, &row, err) < 0) {
                if (err && err->kind == ERROR_CONFLICT)
                        error_set(err, ERROR_CONFLICT,
                                  "product %s has an image repository already; rotate its root with POST "
                                  "/api/v1/repos/%s/root",
                                  model, model);
                goto fail;
        }
        if (store_repo_root_insert(s, product_id, 1, bytes, now, err) < 0)
                goto fail;
        /* Its keys join the key registry with it (issue 11). */
        if (keys_register_tuf_root(s, root, NULL, product_id, model, NULL, a, err) < 0)
                goto fail;
        snprintf(object, sizeof(object), "repo:%s", model);
        {
                _cleanup_json_ json_t *details = json_pack(
                        "{s:I, s:s, s:o, s:o, s:I}", "root_version", (json_int_t) 1, "expires", root->expires_str,
                        "root", role_json(root, TUF_ROLE_ROOT), "targets", role_json(root, TUF_ROLE_TARGETS),
                        "valid_root_signatures", (json_int_t) vr.valid);
                if (audit_append(s, a, "repo.create", object, details, err) < 0)
                        goto fail;
        }
        if (stage_root_files(c, &sw, model, 1, bytes, len, err) < 0)
                goto fail;
        {
                _cleanup_repo_row_ struct store_repo stored = {0};
                if (store_repo_get(s, product_id, &stored, err) < 0 || status_render(c, &stored, out, err) < 0)
                        goto fail;
        }
        if (store_tx_commit(s, err) < 0) {
                json_decref(steal_ptr(*out));
                return -1;
        }
        /* Committed: a failed switch is repaired by repo_maintain. */
        struct error se = {0};
        if (repo_switch_commit(&sw, &se) < 0)
                log_error("image repository %s: root 1 installed but not yet served: %s", model, se.msg);
        return 0;
fail:
        store_tx_rollback(s);
        return -1;
}

/* ---- rotation ---- */

static int promote_next_keys(struct store *s, int64_t product_id, struct error *err) {
        for (size_t r = 0; r < ELEMENTSOF(online_roles); r++) {
                struct store_online_key cur, next;
                if (store_online_key_get(s, product_id, online_roles[r], "current", &cur, err) < 0)
                        return -1;
                if (store_online_key_get(s, product_id, online_roles[r], "next", &next, err) < 0) {
                        store_online_key_clear(&cur);
                        return -1;
                }
                int rc = store_online_key_set_status(s, cur.id, "retired", err);
                if (rc == 0)
                        rc = store_online_key_set_status(s, next.id, "current", err);
                store_online_key_clear(&cur);
                store_online_key_clear(&next);
                if (rc < 0)
                        return -1;
        }
        return 0;
}

int repo_rotate_root(const struct ota_ctx *c, const struct audit_actor *a, const char *model, json_t *body,
                     json_t **out, struct error *err) {
        *out = NULL;
        static const struct cr_json_field fields[] = {
                { "root", CR_JSON_OBJECT, true, 0, false },
        };
        if (cr_json_check_object("request body", body, fields, ELEMENTSOF(fields), err) < 0)
                return -1;
        _cleanup_tuf_metadata_ struct tuf_metadata *root = NULL;
        _cleanup_free_ char *bytes = NULL;
        size_t len = 0;
        if (root_from_body(body, &root, &bytes, &len, err) < 0)
                return -1;
        if (check_root_common(c, root, err) < 0)
                return -1;
        struct store *s = c->store;
        _cleanup_close_ int lock = -1;
        _cleanup_repo_switch_ struct repo_switch sw = {0};
        if (repo_lock(c, &lock, err) < 0 || store_tx_begin(s, err) < 0)
                return -1;
        _cleanup_repo_row_ struct store_repo repo = {0};
        _cleanup_tuf_metadata_ struct tuf_metadata *old = NULL;
        _cleanup_free_ char *signed_bytes = NULL;
        _cleanup_free_ char *targets_bytes = NULL;
        _cleanup_json_ json_t *warnings = json_array();
        size_t signed_len = 0, targets_len = 0;
        int64_t product_id;
        const char *which = NULL;
        struct tuf_verify_result old_vr, new_vr;
        char object[96];
        if (repo_get_by_model(s, model, &product_id, &repo, err) < 0 ||
            repo_root_load(s, product_id, repo.root_version, &old, err) < 0)
                goto fail;
        if (root->version != repo.root_version + 1) {
                error_set(err, ERROR_INVALID, "root: version must be %lld (the current root is version %lld), not %lld",
                          (long long) repo.root_version + 1, (long long) repo.root_version, (long long) root->version);
                goto fail;
        }
        signed_bytes = tuf_metadata_signed_bytes(root, &signed_len, err);
        if (!signed_bytes)
                goto fail;
        if (tuf_verify_signatures(old, TUF_ROLE_ROOT, signed_bytes, signed_len, root->signatures, &old_vr, err) < 0) {
                error_prefix(err, "root: not signed by the threshold of the current root (version %lld): ",
                             (long long) repo.root_version);
                if (err)
                        err->kind = ERROR_INVALID;
                goto fail;
        }
        if (tuf_verify_role(root, TUF_ROLE_ROOT, root, &new_vr, err) < 0) {
                error_prefix(err, "root: not signed by its own root threshold: ");
                if (err)
                        err->kind = ERROR_INVALID;
                goto fail;
        }
        if (check_online_roles(c, product_id, model, root, &which, err) < 0)
                goto fail;
        if (repo_root_keys_check_image(s, product_id, model, root, old, err) < 0) {
                snprintf(object, sizeof(object), "repo:%s", model);
                if (err && err->kind == ERROR_INVALID)
                        repo_root_keys_audit_refusal(s, a, "repo.root.refused", object, root->version, err->msg);
                goto fail;
        }
        bool new_online = str_eq(which, "next");
        if (new_online && promote_next_keys(s, product_id, err) < 0)
                goto fail;
        if (store_repo_root_insert(s, product_id, root->version, bytes, ota_now(c), err) < 0)
                goto fail;
        /* New keys join the key registry, dropped ones are retired, and the
         * old root keys that signed this root are recorded as used (issue 11). */
        if (keys_register_tuf_root(s, root, old, product_id, model, NULL, a, err) < 0)
                goto fail;
        if (stage_root_files(c, &sw, model, root->version, bytes, len, err) < 0)
                goto fail;
        repo.root_version = root->version;
        repo.root_expires = root->expires;
        repo.updated_at = ota_now(c);
        if (repo.targets_version > 0) {
                if (repo_published_targets_bytes(s, &repo, &targets_bytes, &targets_len, err) < 0)
                        goto fail;
                _cleanup_tuf_metadata_ struct tuf_metadata *tmd = NULL;
                struct error te = {0};
                if (tuf_metadata_parse("targets", targets_bytes, targets_len, 0, TUF_ROLE_TARGETS, &tmd, &te) < 0 ||
                    tuf_verify_role(root, TUF_ROLE_TARGETS, tmd, NULL, &te) < 0)
                {
                        _cleanup_free_ char *w = str_printf(
                                "the published targets metadata (version %lld) does not verify under root version "
                                "%lld (%s): devices refuse the repository until a release is prepared, signed with "
                                "the new targets keys and published",
                                (long long) repo.targets_version, (long long) root->version, te.msg);
                        json_array_append_new(warnings, json_string(w));
                }
                /* New online keys: clients drop their stored snapshot and
                 * timestamp on seeing them, so sign fresh ones at once. */
                if (new_online &&
                    repo_sign_online(c, &repo, targets_bytes, targets_len, true, &sw, err) < 0)
                        goto fail;
        }
        if (store_repo_update(s, &repo, err) < 0)
                goto fail;
        snprintf(object, sizeof(object), "repo:%s", model);
        {
                _cleanup_json_ json_t *details = json_pack(
                        "{s:I, s:I, s:s, s:o, s:o, s:b, s:b, s:I, s:I}", "from_version", (json_int_t) old->version,
                        "to_version", (json_int_t) root->version, "expires", root->expires_str, "root",
                        role_json(root, TUF_ROLE_ROOT), "targets", role_json(root, TUF_ROLE_TARGETS),
                        "targets_keys_changed", !tuf_root_role_equal(old, root, TUF_ROLE_TARGETS),
                        "online_keys_rotated", new_online, "valid_old_root_signatures", (json_int_t) old_vr.valid,
                        "valid_new_root_signatures", (json_int_t) new_vr.valid);
                if (audit_append(s, a, "repo.root-rotate", object, details, err) < 0)
                        goto fail;
        }
        if (status_render(c, &repo, out, err) < 0)
                goto fail;
        json_object_set(*out, "warnings", warnings);
        if (fault_point("repo.root.commit", err) < 0 || store_tx_commit(s, err) < 0) {
                json_decref(steal_ptr(*out));
                goto fail; /* the transaction is gone after a failed commit; the fault left it open */
        }
        /* Committed: roots first, then the timestamp that may be signed by
         * keys only the new root names. A failed switch is repaired by
         * repo_maintain. */
        struct error se = {0};
        if (repo_switch_commit(&sw, &se) < 0)
                log_error("image repository %s: root %lld installed but not yet served: %s", model,
                          (long long) root->version, se.msg);
        return 0;
fail:
        store_tx_rollback(s);
        return -1;
}

/* ---- online signing ---- */

static int sign_with_online(const struct ota_ctx *c, int64_t product_id, const char *role, json_t *doc,
                            struct error *err) {
        struct store_online_key k;
        if (store_online_key_get(c->store, product_id, role, "current", &k, err) < 0)
                return -1;
        _cleanup_crypto_key_ struct crypto_key *key = NULL;
        int rc = online_key_load(c, &k, &key, err);
        store_online_key_clear(&k);
        if (rc < 0)
                return -1;
        return tuf_sign(doc, key, err);
}

static char *read_repo_file(const struct ota_ctx *c, const char *model, const char *name, size_t *len) {
        _cleanup_free_ char *dir = repo_dir(c->data_dir, model);
        _cleanup_free_ char *path = path_join(dir, name);
        char *data = NULL;
        if (file_read_all(path, TUF_METADATA_DEFAULT_MAX, &data, len, NULL) < 0)
                return NULL;
        return data;
}

static int64_t max64(int64_t a, int64_t b) {
        return a > b ? a : b;
}

int repo_sign_online(const struct ota_ctx *c, struct store_repo *repo, const char *targets_bytes,
                     size_t targets_len, bool snapshot, struct repo_switch *sw, struct error *err) {
        const char *model = repo->product_model;
        int64_t now = ota_now(c);
        _cleanup_free_ char *snap_bytes = NULL;
        size_t snap_len = 0;
        char name[64];
        struct repo_served served;
        repo_served_read(c, model, &served);
        /* The row's snapshot is reused only when no newer one was ever served
         * (files ahead of the row: a database restored from a backup, or a
         * publication whose commit failed under an older cradled). */
        if (!snapshot && repo->snapshot_version > 0 && repo->snapshot_version >= served.snapshot) {
                snprintf(name, sizeof(name), "%" PRId64 ".snapshot.json", repo->snapshot_version);
                snap_bytes = read_repo_file(c, model, name, &snap_len);
        }
        if (!snap_bytes) {
                /* Above anything served, and a version never written before,
                 * even by a write whose transaction did not commit. */
                int64_t v = max64(repo->snapshot_version, served.snapshot) + 1;
                for (;; v++) {
                        snprintf(name, sizeof(name), "%" PRId64 ".snapshot.json", v);
                        if (!repo_file_exists(c, model, name))
                                break;
                }
                struct tuf_meta_file mf = { .name = (char *) "targets.json", .version = repo->targets_version };
                tuf_meta_file_describe(&mf, targets_bytes, targets_len);
                int64_t expires = now + ota_snapshot_expiry(c);
                _cleanup_json_ json_t *signed_obj = tuf_build_snapshot(v, expires, &mf, 1, err);
                if (!signed_obj)
                        return -1;
                _cleanup_json_ json_t *doc = tuf_metadata_wrap(signed_obj);
                if (sign_with_online(c, repo->product_id, REPO_ROLE_SNAPSHOT, doc, err) < 0)
                        return -1;
                snap_bytes = repo_serialize(doc, &snap_len, err);
                /* A new name: no served file refers to it before the switch. */
                if (!snap_bytes || fault_point("repo.stage.snapshot", err) < 0 ||
                    repo_file_write(c, model, name, snap_bytes, snap_len, err) < 0)
                        return -1;
                repo->snapshot_version = v;
                repo->snapshot_expires = expires;
        }
        int64_t tv = max64(repo->timestamp_version, served.timestamp) + 1;
        struct tuf_meta_file sm = { .name = (char *) "snapshot.json", .version = repo->snapshot_version };
        tuf_meta_file_describe(&sm, snap_bytes, snap_len);
        int64_t ts_expires = now + ota_timestamp_expiry(c);
        _cleanup_json_ json_t *ts_signed = tuf_build_timestamp(tv, ts_expires, &sm, err);
        if (!ts_signed)
                return -1;
        _cleanup_json_ json_t *ts_doc = tuf_metadata_wrap(ts_signed);
        if (sign_with_online(c, repo->product_id, REPO_ROLE_TIMESTAMP, ts_doc, err) < 0)
                return -1;
        size_t ts_len = 0;
        _cleanup_free_ char *ts_bytes = repo_serialize(ts_doc, &ts_len, err);
        if (!ts_bytes || fault_point("repo.stage.timestamp", err) < 0 ||
            repo_switch_stage(c, sw, model, "timestamp.json", ts_bytes, ts_len, err) < 0)
                return -1;
        repo->timestamp_version = tv;
        repo->timestamp_expires = ts_expires;
        repo->updated_at = now;
        return 0;
}

int repo_published_targets_bytes(struct store *s, const struct store_repo *repo, char **out, size_t *len,
                                 struct error *err) {
        *out = NULL;
        _cleanup_release_row_ struct store_release r = {0};
        if (store_release_by_published_targets(s, repo->product_id, repo->targets_version, &r, err) < 0)
                return error_prefix(err, "targets version %lld of %s: ", (long long) repo->targets_version,
                                    repo->product_model);
        _cleanup_json_ json_t *doc = json_loads(r.targets_metadata ? r.targets_metadata : "", 0, NULL);
        if (!doc)
                return error_set(err, ERROR_DB, "release %lld: its targets metadata is not JSON", (long long) r.id);
        *out = repo_serialize(doc, len, err);
        return *out ? 0 : -1;
}

/* ---- maintenance ---- */

static const struct audit_actor system_actor = { .name = "system", .role = "system" };

static void warn_expiry(const char *model, const char *what, int64_t expires, int64_t now) {
        if (expires && expires - now < REPO_EXPIRY_WARNING) {
                char when[TIME_RFC3339_LEN];
                time_format_rfc3339(expires, when);
                log_warn("image repository %s: the %s metadata %s %s; its keys are offline: %s", model, what,
                         expires <= now ? "expired at" : "expires at", when,
                         str_eq(what, "root") ? "rotate the root (cradle repo rotate-root)"
                                              : "prepare, sign and publish a release");
        }
}

/* One repository, in a transaction of its own, under repo_lock. The
 * database is the truth; the served files are rolled forward to it (a crash
 * after a commit and before its switch) and never below what they serve. */
static int maintain_one(const struct ota_ctx *c, int64_t product_id, struct repo_maintain_report *rep,
                        struct error *err) {
        struct store *s = c->store;
        _cleanup_close_ int lock = -1;
        if (repo_lock(c, &lock, err) < 0)
                return -1;
        if (store_tx_begin(s, err) < 0)
                return -1;
        _cleanup_repo_row_ struct store_repo repo = {0};
        _cleanup_repo_switch_ struct repo_switch sw = {0};
        _cleanup_free_ char *targets_bytes = NULL;
        _cleanup_json_ json_t *repaired = json_array();
        size_t targets_len = 0;
        int64_t now = ota_now(c);
        char name[64];
        if (store_repo_get(s, product_id, &repo, err) < 0)
                goto fail;
        const char *model = repo.product_model;
        unsigned stale = remove_stale_staged(c, model);
        if (stale)
                log_info("image repository %s: removed %u staged file(s) of a change that did not commit", model,
                         stale);
        /* Roots: every version is served for the client's rotation chain. */
        for (int64_t v = 1; v <= repo.root_version; v++) {
                snprintf(name, sizeof(name), "%" PRId64 ".root.json", v);
                bool latest = v == repo.root_version;
                if (repo_file_exists(c, model, name) && (!latest || repo_file_exists(c, model, "root.json")))
                        continue;
                _cleanup_free_ char *doc = NULL;
                if (store_repo_root_get(s, product_id, v, &doc, err) < 0 ||
                    repo_file_write(c, model, name, doc, strlen(doc), err) < 0 ||
                    (latest && repo_file_write(c, model, "root.json", doc, strlen(doc), err) < 0))
                        goto fail;
                json_array_append_new(repaired, json_string(name));
        }
        if (repo.targets_version == 0) {
                store_tx_rollback(s);
                if (json_array_size(repaired))
                        rep->repaired += (unsigned) json_array_size(repaired);
                return 0;
        }
        rep->repos++;
        struct repo_served served;
        repo_served_read(c, model, &served);
        if (served.targets > repo.targets_version) {
                /* Re-signing from the database would list an older targets
                 * version than devices have seen: they would take it for a
                 * rollback attack. Leave the served files as they are. */
                error_set(err, ERROR_CONFLICT,
                          "the served snapshot %lld lists targets version %lld, but the database has published "
                          "only version %lld (a database older than the files?); nothing is re-signed until a "
                          "release is published at targets version %lld or above (publish the signed release "
                          "prepared as that version again, or prepare a new one)",
                          (long long) served.snapshot, (long long) served.targets,
                          (long long) repo.targets_version, (long long) served.targets);
                goto fail;
        }
        if (repo_published_targets_bytes(s, &repo, &targets_bytes, &targets_len, err) < 0)
                goto fail;
        snprintf(name, sizeof(name), "%" PRId64 ".targets.json", repo.targets_version);
        if (!repo_file_exists(c, model, name)) {
                if (repo_file_write(c, model, name, targets_bytes, targets_len, err) < 0)
                        goto fail;
                json_array_append_new(repaired, json_string(name));
        }
        snprintf(name, sizeof(name), "%" PRId64 ".snapshot.json", repo.snapshot_version);
        bool snap_missing = !repo_file_exists(c, model, name);
        /* Served snapshot newer than the row's: a new one above it. */
        bool snap_behind = served.snapshot > repo.snapshot_version;
        bool ts_wrong = served.timestamp != repo.timestamp_version || served.snapshot != repo.snapshot_version;
        bool snap_due = repo.snapshot_expires - now < ota_snapshot_expiry(c) / 2;
        bool ts_due = repo.timestamp_expires - now < ota_timestamp_expiry(c) / 2;
        warn_expiry(model, "targets", repo.targets_expires, now);
        warn_expiry(model, "root", repo.root_expires, now);
        if (!(snap_missing || snap_behind || ts_wrong || snap_due || ts_due)) {
                store_tx_rollback(s);
                return 0;
        }
        int64_t old_snap = repo.snapshot_version, old_ts = repo.timestamp_version;
        /* snap_behind needs no flag: repo_sign_online never reuses a row's
         * snapshot below the served one. */
        if (repo_sign_online(c, &repo, targets_bytes, targets_len, snap_missing || snap_due, &sw, err) < 0 ||
            store_repo_update(s, &repo, err) < 0)
                goto fail;
        {
                char object[96];
                snprintf(object, sizeof(object), "repo:%s", model);
                _cleanup_json_ json_t *details = json_pack(
                        "{s:I, s:I, s:I, s:I, s:o, s:o, s:O}", "snapshot_from", (json_int_t) old_snap, "snapshot_to",
                        (json_int_t) repo.snapshot_version, "timestamp_from", (json_int_t) old_ts, "timestamp_to",
                        (json_int_t) repo.timestamp_version, "snapshot_expires", repo_time_json(repo.snapshot_expires),
                        "timestamp_expires", repo_time_json(repo.timestamp_expires), "repaired", repaired);
                if (audit_append(s, &system_actor, "repo.resign", object, details, err) < 0)
                        goto fail;
        }
        if (fault_point("repo.maintain.commit", err) < 0)
                goto fail;
        if (store_tx_commit(s, err) < 0)
                return -1;
        /* Committed: the switch may fail only for the file system, and the
         * next run rolls the files forward again. */
        if (fault_point("repo.maintain.switch", err) < 0 || repo_switch_commit(&sw, err) < 0)
                return error_prefix(err, "re-signed (committed) but not switched: ");
        if (repo.snapshot_version != old_snap)
                rep->snapshots++;
        rep->timestamps++;
        rep->repaired += (unsigned) json_array_size(repaired);
        log_info("image repository %s: signed%s timestamp %" PRId64 " (snapshot %" PRId64 ")", model,
                 repo.snapshot_version != old_snap ? " snapshot and" : "", repo.timestamp_version,
                 repo.snapshot_version);
        return 0;
fail:
        store_tx_rollback(s);
        return -1;
}

int repo_maintain(const struct ota_ctx *c, struct repo_maintain_report *rep, struct error *err) {
        struct repo_maintain_report local = {0};
        if (!rep)
                rep = &local;
        memset(rep, 0, sizeof(*rep));
        struct store_repo *list = NULL;
        size_t n = 0;
        if (store_repo_list(c->store, &list, &n, err) < 0)
                return -1;
        for (size_t i = 0; i < n; i++) {
                struct error e = {0};
                if (maintain_one(c, list[i].product_id, rep, &e) < 0) {
                        rep->failed++;
                        log_error("image repository %s: maintenance failed: %s", list[i].product_model, e.msg);
                }
        }
        store_repo_list_free(list, n);
        return 0;
}

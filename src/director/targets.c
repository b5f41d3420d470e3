/* SPDX-License-Identifier: Apache-2.0 */
/* Per-device director targets metadata: what to sign, when to sign again, serving the stored bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/cleanup.h"
#include "core/fault.h"
#include "core/json.h"
#include "core/log.h"
#include "core/strutil.h"
#include "director/internal.h"
#include "tuf/metadata.h"
#include "tuf/sign.h"

static inline void store_director_root_clearp(struct store_director_root *r) { store_director_root_clear(r); }
static inline void store_director_targets_clearp(struct store_director_targets *t) {
        store_director_targets_clear(t);
}
static inline void store_device_assignment_clearp(struct store_device_assignment *a) {
        store_device_assignment_clear(a);
}

/* The targets a device must install, as builder specs (customs owned here). */
struct wanted {
        struct tuf_target_spec *specs;
        char **paths;
        size_t n;
};

static void wanted_clear(struct wanted *w) {
        for (size_t i = 0; i < w->n; i++) {
                json_decref(w->specs[i].custom);
                free(w->paths[i]);
        }
        free(w->specs);
        free(w->paths);
        memset(w, 0, sizeof(*w));
}

static int wanted_for_device(struct director_ctx *dc, const struct store_device *d, struct wanted *w,
                             struct error *err) {
        __attribute__((cleanup(store_device_assignment_clearp))) struct store_device_assignment asg = {0};
        _cleanup_release_ struct director_release rel = {0};
        bool found;
        struct error e = {0};
        memset(w, 0, sizeof(*w));
        if (store_device_assignment_get(dc->store, d->id, &asg, &found, err) < 0)
                return -1;
        if (!found)
                return 0;
        if (director_release_load(dc->store, asg.release_id, &rel, &e) < 0) {
                if (e.kind == ERROR_NOT_FOUND)
                        return 0;
                if (err)
                        *err = e;
                return -1;
        }
        /* Offered only while published and only where it fits: a withdrawn
         * release, or a device re-provisioned onto other hardware, gets none. */
        if (!director_release_offered(&rel) || director_release_check_device(&rel, d, NULL) < 0)
                return 0;
        _cleanup_free_ char *hw_id = director_hardware_id(d);
        w->specs = xcalloc(rel.n_images ? rel.n_images : 1, sizeof(*w->specs));
        w->paths = xcalloc(rel.n_images ? rel.n_images : 1, sizeof(*w->paths));
        for (size_t i = 0; i < rel.n_images; i++) {
                struct tuf_target_spec *t = &w->specs[i];
                w->paths[i] = director_target_path(&rel, &rel.images[i]);
                t->path = w->paths[i];
                t->length = rel.images[i].length;
                memcpy(t->sha256, rel.images[i].sha256, sizeof(t->sha256));
                t->custom = json_pack("{s:s, s:s, s:I, s:O, s:s, s:s}", "product", rel.product_model, "release",
                                      rel.version, "security_version", (json_int_t) rel.security_version,
                                      "hardware_revisions", rel.hardware_revisions, "serial", d->serial,
                                      "hardware_id", hw_id);
                w->n = i + 1;
                if (!t->custom)
                        return error_set(err, ERROR_INTERNAL, "release %lld: target custom cannot be built",
                                         (long long) rel.id);
        }
        return 0;
}

/* Builds the signed targets object; *content_hex is the SHA-256 of the canonical
 * "targets" map (what decides whether a new version is due). */
static json_t *build_signed(const struct wanted *w, int64_t version, int64_t expires,
                            char content_hex[SHA256_HEX_LEN], struct error *err) {
        json_t *signed_obj = tuf_build_targets(version, expires, w->specs, w->n, err);
        if (!signed_obj)
                return NULL;
        size_t len;
        _cleanup_free_ char *canon = cr_json_canonical(json_object_get(signed_obj, "targets"), &len, err);
        if (!canon) {
                json_decref(signed_obj);
                return NULL;
        }
        hash_sha256_hex(canon, len, content_hex);
        return signed_obj;
}

/* The stored document may be served again: same content, same root, not past
 * half its lifetime. */
static bool reusable(const struct store_director_targets *t, const char *content_hex, int64_t root_version,
                     int64_t now) {
        return str_eq(t->content_sha256, content_hex) && t->root_version == root_version && t->document &&
               now < t->signed_at + (t->expires - t->signed_at) / 2 && now < t->expires;
}

static int sign_new(struct director_ctx *dc, const struct store_device *d, const struct wanted *w,
                    const struct store_director_root *root, int64_t version, int64_t now,
                    struct store_director_targets *out, struct error *err) {
        _cleanup_crypto_key_ struct crypto_key *key = NULL;
        _cleanup_tuf_key_ struct tuf_key *tk = NULL;
        _cleanup_tuf_metadata_ struct tuf_metadata *root_md = NULL;
        if (director_key_load(dc, false, &key, &tk, NULL, err) < 0)
                return -1;
        if (tuf_metadata_parse("director root", root->document, strlen(root->document), DIRECTOR_ROOT_MAX,
                               TUF_ROLE_ROOT, &root_md, err) < 0)
                return -1;
        if (!tuf_root_role_has_key(root_md, TUF_ROLE_TARGETS, tuf_key_id(tk)))
                return error_set(err, ERROR_INTERNAL,
                                 "the director online key (keyid %s) is not the targets key of director root "
                                 "version %lld; install a root that lists it",
                                 tuf_key_id(tk), (long long) root->version);
        int64_t expiry = dc->expiry > 0 ? dc->expiry : DIRECTOR_EXPIRY_DEFAULT;
        char content[SHA256_HEX_LEN];
        _cleanup_json_ json_t *signed_obj = build_signed(w, version, now + expiry, content, err);
        if (!signed_obj)
                return error_prefix(err, "director targets for %s: ", d->serial);
        _cleanup_json_ json_t *doc = tuf_metadata_wrap(signed_obj);
        size_t len;
        if (tuf_sign(doc, key, err) < 0)
                return -1;
        char *bytes = tuf_metadata_serialize(doc, &len, err);
        if (!bytes)
                return -1;
        memset(out, 0, sizeof(*out));
        out->device_id = d->id;
        out->version = version;
        snprintf(out->content_sha256, sizeof(out->content_sha256), "%s", content);
        out->root_version = root->version;
        out->signed_at = now;
        out->expires = now + expiry;
        out->document = bytes;
        return 0;
}

int director_targets_for_device(struct director_ctx *dc, const char *serial, char **out, size_t *len,
                                struct error *err) {
        _cleanup_director_device_ struct store_device d = {0};
        __attribute__((cleanup(store_director_root_clearp))) struct store_director_root root = {0};
        __attribute__((cleanup(store_director_targets_clearp))) struct store_director_targets cached = {0};
        __attribute__((cleanup(wanted_clear))) struct wanted w = {0};
        int64_t now = director_now(dc);
        bool found, have_cached;
        char content[SHA256_HEX_LEN];
        *out = NULL;
        *len = 0;
        if (!serial || !*serial)
                return error_set(err, ERROR_INVALID, "device serial: is required");
        if (store_device_get_by_serial(dc->store, serial, &d, err) < 0 ||
            store_director_root_get(dc->store, 0, &root, &found, err) < 0)
                return -1;
        if (!found)
                return error_set(err, ERROR_NOT_FOUND, "the director has no root yet (cradle director init)");
        if (wanted_for_device(dc, &d, &w, err) < 0)
                return -1;
        _cleanup_json_ json_t *probe = build_signed(&w, 1, now + 1, content, err);
        if (!probe)
                return error_prefix(err, "director targets for %s: ", d.serial);

        /* The cheap path: read, compare, serve. */
        if (store_director_targets_get(dc->store, d.id, &cached, &have_cached, err) < 0)
                return -1;
        if (!(have_cached && reusable(&cached, content, root.version, now))) {
                /* Sign a new version under the write lock, after looking again:
                 * another request for the same device may just have done it. */
                if (store_tx_begin(dc->store, err) < 0)
                        return -1;
                store_director_targets_clear(&cached);
                if (store_director_targets_get(dc->store, d.id, &cached, &have_cached, err) < 0)
                        goto fail;
                if (!(have_cached && reusable(&cached, content, root.version, now))) {
                        struct store_director_targets fresh;
                        /* Strictly increasing per device, and never below the
                         * signing time: metadata is not bound to a device when it
                         * lists no target, so a copy of another device's (higher)
                         * version served by a man in the middle raises a device's
                         * trusted version at most to "now", which this device's
                         * next signature passes again. */
                        int64_t version = have_cached ? cached.version + 1 : 1;
                        if (version < now)
                                version = now;
                        if (sign_new(dc, &d, &w, &root, version, now, &fresh, err) < 0)
                                goto fail;
                        store_director_targets_clear(&cached);
                        cached = fresh;
                        if (store_director_targets_put(dc->store, &cached, err) < 0)
                                goto fail;
                }
                /* Served only from the committed row: a failed commit serves
                 * nothing new, and no version is served before it is stored. */
                if (fault_point("director.targets.commit", err) < 0)
                        goto fail;
                if (store_tx_commit(dc->store, err) < 0)
                        return -1;
        }
        struct error e = {0};
        if (store_device_seen(dc->store, d.id, now, DIRECTOR_SEEN_INTERVAL, &e) < 0)
                log_warn("recording that device %s was seen: %s", d.serial, e.msg);
        *len = strlen(cached.document);
        *out = steal_ptr(cached.document);
        return 0;
fail:
        store_tx_rollback(dc->store);
        return -1;
}

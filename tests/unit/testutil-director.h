/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * Fixture for the director tests: the identity fixture (product T1-EU, CA,
 * batch B2026-01 with hardware revision rev-C) plus
 *   - a director context over its store and data dir, time pinned,
 *   - two offline director root keys (Ed25519 and P-256 files),
 *   - helpers to build and sign director roots, to make releases (rows as
 *     the release domain leaves them: the director only reads them), and to
 *     enroll devices.
 * Header-only, like testutil-identity.h.
 */
#include "testutil-identity.h"

#include "core/json.h"
#include "core/time.h"
#include "crypto/encoding.h"
#include "director/assign.h"
#include "director/device-status.h"
#include "director/director.h"
#include "store/store-release.h"
#include "tuf/metadata.h"
#include "tuf/sign.h"
#include "tuf/verify.h"

#define DFX_NOW 1798761600 /* 2027-01-01T00:00:00Z */

__attribute__((unused)) static const struct audit_actor dfx_release_manager = {.name = "rm-1",
                                                                              .role = "release-manager"};

struct dfx {
        struct idfx *id;
        struct director_ctx dc;
        struct crypto_key *root_keys[3];
        struct tuf_key *root_tkeys[3];
        struct tuf_key *online;            /* the director's online key (public) */
        unsigned images_made;
};

static inline struct dfx *dfx_new(void) {
        struct dfx *f = calloc(1, sizeof(*f));
        assert_non_null(f);
        f->id = idfx_new();
        f->dc = (struct director_ctx){.store = f->id->s, .data_dir = f->id->data_dir, .now = DFX_NOW};
        f->id->ic.now = DFX_NOW;
        static const enum crypto_key_type types[3] = {CRYPTO_KEY_ED25519, CRYPTO_KEY_EC_P256, CRYPTO_KEY_ED25519};
        for (int i = 0; i < 3; i++) {
                char name[32];
                snprintf(name, sizeof(name), "director-root-%d.key", i);
                char *path = tdir_path(f->id->t, name);
                struct error err = {0};
                if (crypto_key_generate_file(path, types[i], &err) < 0 ||
                    crypto_key_load(path, &f->root_keys[i], &err) < 0 ||
                    tuf_key_from_crypto_key(f->root_keys[i], &f->root_tkeys[i], &err) < 0)
                        fail_msg("director root key: %s", err.msg);
                free(path);
        }
        return f;
}

static inline void dfx_free(struct dfx *f) {
        if (!f)
                return;
        for (int i = 0; i < 3; i++) {
                crypto_key_free(f->root_keys[i]);
                if (f->root_tkeys[i])
                        tuf_key_free(f->root_tkeys[i]);
        }
        if (f->online)
                tuf_key_free(f->online);
        idfx_free(f->id);
        free(f);
}

/* GET online-keys: generates the key; f->online is its public TUF key. */
static inline void dfx_online_key(struct dfx *f) {
        json_t *out = NULL;
        struct error err = {0};
        if (director_online_keys(&f->dc, &idfx_admin, &out, &err) < 0)
                fail_msg("director_online_keys: %s", err.msg);
        if (f->online)
                tuf_key_free(f->online);
        f->online = NULL;
        if (tuf_key_from_json("online key", json_object_get(json_object_get(out, "targets"), "key"), &f->online,
                              &err) < 0)
                fail_msg("online key: %s", err.msg);
        assert_string_equal(tuf_key_id(f->online),
                            json_string_value(json_object_get(json_object_get(out, "targets"), "keyid")));
        json_decref(out);
}

/* A director root: root role = root_keys[first .. first+n_root-1] with
 * `threshold`; targets (and snapshot, timestamp) = `targets_key` (NULL: the
 * online key), threshold 1. Signed by the keys in `signers` (indexes into
 * root_keys, -1 terminated). */
static inline json_t *dfx_root(struct dfx *f, int64_t version, int64_t expires, int first, int n_root,
                               unsigned threshold, struct tuf_key *targets_key, const int *signers) {
        struct tuf_key *keys[4];
        const char *root_ids[3];
        size_t n_keys = 0;
        if (!targets_key)
                targets_key = f->online;
        for (int i = 0; i < n_root; i++) {
                keys[n_keys++] = f->root_tkeys[first + i];
                root_ids[i] = tuf_key_id(f->root_tkeys[first + i]);
        }
        bool targets_in_root = false;
        for (size_t i = 0; i < n_keys; i++)
                targets_in_root |= tuf_key_same_public(keys[i], targets_key);
        if (!targets_in_root)
                keys[n_keys++] = targets_key;
        const char *online_id[1] = {tuf_key_id(targets_key)};
        struct tuf_role_spec roles[_TUF_ROLE_MAX] = {
                [TUF_ROLE_ROOT] = {root_ids, (size_t) n_root, threshold},
                [TUF_ROLE_TARGETS] = {online_id, 1, 1},
                [TUF_ROLE_SNAPSHOT] = {online_id, 1, 1},
                [TUF_ROLE_TIMESTAMP] = {online_id, 1, 1},
        };
        struct error err = {0};
        json_t *signed_obj = tuf_build_root(version, expires, false, keys, n_keys, roles, &err);
        if (!signed_obj)
                fail_msg("tuf_build_root: %s", err.msg);
        json_t *doc = tuf_metadata_wrap(signed_obj);
        json_decref(signed_obj);
        for (const int *s = signers; s && *s >= 0; s++)
                if (tuf_sign(doc, f->root_keys[*s], &err) < 0)
                        fail_msg("tuf_sign: %s", err.msg);
        return doc;
}

/* Installs a root; returns the error kind (ERROR_NONE on success), err filled. */
static inline enum error_kind dfx_install(struct dfx *f, json_t *root_doc, struct error *err) {
        json_t *body = json_pack("{s:O}", "root", root_doc);
        json_t *out = NULL;
        error_clear(err);
        int r = director_root_install(&f->dc, &idfx_admin, body, &out, err);
        json_decref(body);
        json_decref(out);
        return r < 0 ? err->kind : ERROR_NONE;
}

/* Online key plus root version 1 (root keys 0 and 1, threshold 2). */
static inline void dfx_init(struct dfx *f) {
        dfx_online_key(f);
        json_t *root = dfx_root(f, 1, DFX_NOW + 365 * 86400, 0, 2, 2, NULL, (const int[]){0, 1, -1});
        struct error err = {0};
        if (dfx_install(f, root, &err) != ERROR_NONE)
                fail_msg("director root install: %s", err.msg);
        json_decref(root);
}

/* A release of product `product_id` in `status` with one image per name
 * (contents "<version>/<name>", so the hash is known), written through the
 * release store as the release domain leaves it: the director only reads
 * releases. Returns its id. */
static inline int64_t dfx_release(struct dfx *f, int64_t product_id, const char *version, int64_t security_version,
                                  const char *hw_json, const char *status, const char *const *images) {
        struct store_release r = {
                .product_id = product_id, .version = (char *) version, .security_version = security_version,
                .hardware_revisions = (char *) hw_json, .notes = (char *) "", .created_at = DFX_NOW,
                .created_by = (char *) "rm-1",
        };
        struct error err = {0};
        if (store_release_status_parse(status, &r.status) < 0)
                fail_msg("bad release status %s", status);
        int64_t id;
        if (store_release_insert(f->id->s, &r, &id, &err) < 0)
                fail_msg("store_release_insert: %s", err.msg);
        for (const char *const *n = images; n && *n; n++) {
                char *content = str_printf("%s/%s", version, *n);
                struct store_release_image img = {
                        .release_id = id, .name = (char *) *n, .length = (int64_t) strlen(content),
                        .created_at = DFX_NOW,
                };
                hash_sha256_hex(content, strlen(content), img.sha256);
                if (store_image_put(f->id->s, img.sha256, img.length, DFX_NOW, &err) < 0 ||
                    store_release_image_put(f->id->s, &img, NULL, &err) < 0)
                        fail_msg("release image: %s", err.msg);
                free(content);
        }
        return id;
}

static inline void dfx_release_status(struct dfx *f, int64_t id, const char *status) {
        struct store_release r;
        struct error err = {0};
        if (store_release_get(f->id->s, id, &r, &err) < 0 || store_release_status_parse(status, &r.status) < 0 ||
            store_release_update(f->id->s, &r, &err) < 0)
                fail_msg("release status: %s", err.msg);
        store_release_clear(&r);
}

static inline void dfx_enroll(struct dfx *f, const char *serial) {
        gnutls_datum_t cert = {0};
        idfx_enroll(f->id, serial, &cert, NULL);
        gnutls_free(cert.data);
}

/* director_assign with a JSON body text; returns the error kind. */
static inline enum error_kind dfx_assign(struct dfx *f, const char *body_text, struct error *err) {
        json_t *body = idfx_json(body_text);
        json_t *out = NULL;
        error_clear(err);
        int r = director_assign(f->id->s, &dfx_release_manager, body, &out, err);
        json_decref(body);
        json_decref(out);
        return r < 0 ? err->kind : ERROR_NONE;
}

static inline enum error_kind dfx_tags(struct dfx *f, const char *serial, const char *body_text, struct error *err) {
        json_t *body = idfx_json(body_text);
        json_t *out = NULL;
        error_clear(err);
        int r = director_device_tags_set(f->id->s, &dfx_release_manager, serial, body, &out, err);
        json_decref(body);
        json_decref(out);
        return r < 0 ? err->kind : ERROR_NONE;
}

/* The device's director targets as served (heap, NUL-terminated). */
static inline char *dfx_targets_bytes(struct dfx *f, const char *serial) {
        char *bytes = NULL;
        size_t len = 0;
        struct error err = {0};
        if (director_targets_for_device(&f->dc, serial, &bytes, &len, &err) < 0)
                fail_msg("director_targets_for_device %s: %s", serial, err.msg);
        assert_int_equal(strlen(bytes), len);
        return bytes;
}

/* Parsed targets metadata of a device. */
static inline struct tuf_metadata *dfx_targets(struct dfx *f, const char *serial) {
        char *bytes = dfx_targets_bytes(f, serial);
        struct tuf_metadata *md = NULL;
        struct error err = {0};
        if (tuf_metadata_parse("targets.json", bytes, strlen(bytes), 0, TUF_ROLE_TARGETS, &md, &err) < 0)
                fail_msg("director targets do not parse: %s", err.msg);
        free(bytes);
        return md;
}

/* The installed director root `version` (0 = newest), parsed. */
static inline struct tuf_metadata *dfx_root_md(struct dfx *f, int64_t version) {
        char *bytes = NULL;
        size_t len = 0;
        struct error err = {0};
        struct tuf_metadata *md = NULL;
        if (director_root_document(&f->dc, version, &bytes, &len, &err) < 0 ||
            tuf_metadata_parse("root.json", bytes, len, 0, TUF_ROLE_ROOT, &md, &err) < 0)
                fail_msg("director root: %s", err.msg);
        free(bytes);
        return md;
}

/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * A product image repository in a temp data directory, for unit tests of
 * releases, the repository, the director and the agent's verification:
 *
 *   struct ota_fx *f = ota_fx_new(now);      // product T1-EU, online keys,
 *                                            // root v1 (1 root key), targets
 *                                            // 2-of-3 (P-256, Ed25519, P-256)
 *   int64_t id = ota_fx_publish(f, "1.0.0", 1, "rootfs.img", "image bytes");
 *   // f->c.data_dir/repo/T1-EU/ now holds 1.root.json, timestamp.json,
 *   // 1.snapshot.json, 1.targets.json, targets/1.0.0/<sha256>.rootfs.img
 *   ota_fx_free(f);
 *
 * Keys are files under <dir>/keys (0600). The offline signing flow is the
 * real one: repo_release_prepare, tuf_signed_bytes + tuf_sign_bytes per
 * targets key, repo_release_sign, repo_release_publish. Header-only.
 */
#include "testutil-store.h"

#include "core/fileio.h"
#include "core/json.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/key.h"
#include "product/product.h"
#include "release/release.h"
#include "repo/repo.h"
#include "tuf/key.h"
#include "tuf/metadata.h"
#include "tuf/sign.h"

#define OTA_FX_MODEL "T1-EU"
#define OTA_FX_DAY (24 * 3600)
#define OTA_FX_N_ROOT 3
#define OTA_FX_N_TARGETS 3

static const struct audit_actor ota_fx_actor = { .name = "rm-1", .role = "release-manager" };

struct ota_fx {
        struct tdir *t;
        struct store *s;
        struct ota_ctx c;
        struct ota_config cfg;
        struct crypto_key *root[OTA_FX_N_ROOT];
        struct tuf_key *root_tk[OTA_FX_N_ROOT];
        struct crypto_key *targets[OTA_FX_N_TARGETS];
        struct tuf_key *targets_tk[OTA_FX_N_TARGETS];
        struct tuf_key *snapshot_tk, *timestamp_tk;
        char *root_json;            /* 1.root.json as installed */
        size_t root_len;
        unsigned upload_seq;
};

#define ota_fx_ok(call, e)                                                                  \
        do {                                                                                \
                if ((call) < 0)                                                             \
                        fail_msg("%s failed: %s", #call, (e).msg);                          \
        } while (0)

static inline void ota_fx_key(struct ota_fx *f, const char *name, enum crypto_key_type type, struct crypto_key **k,
                              struct tuf_key **tk) {
        struct error err = { 0 };
        _cleanup_free_ char *dir = tdir_path(f->t, "keys");
        ota_fx_ok(dir_create(dir, 0700, &err), err);
        _cleanup_free_ char *path = str_printf("%s/%s.key", dir, name);
        ota_fx_ok(crypto_key_generate_file(path, type, &err), err);
        ota_fx_ok(crypto_key_load(path, k, &err), err);
        ota_fx_ok(tuf_key_from_crypto_key(*k, tk, &err), err);
}

/* The TUF key of the current online key of `role` from the online-keys JSON. */
static inline struct tuf_key *ota_fx_online_key(json_t *keys, const char *role) {
        struct error err = { 0 };
        struct tuf_key *tk = NULL;
        json_t *obj = json_object_get(json_object_get(keys, role), "key");
        ota_fx_ok(tuf_key_from_json(role, obj, &tk, &err), err);
        return tk;
}

/* A signed root: root keys root[ri[0..n_root)] with root_threshold, targets
 * keys targets[ti[0..n_targets)] with targets_threshold, the given online
 * keys; signed by root[signers[0..n_signers)]. Returns the document. */
static inline json_t *ota_fx_root(struct ota_fx *f, int64_t version, int64_t expires, const int *ri, size_t n_root,
                                  unsigned root_threshold, const int *ti, size_t n_targets,
                                  unsigned targets_threshold, struct tuf_key *snap, struct tuf_key *ts,
                                  const int *signers, size_t n_signers) {
        struct error err = { 0 };
        struct tuf_key *keys[OTA_FX_N_ROOT + OTA_FX_N_TARGETS + 2];
        const char *root_ids[OTA_FX_N_ROOT], *targets_ids[OTA_FX_N_TARGETS], *snap_id[1], *ts_id[1];
        size_t n = 0;
        for (size_t i = 0; i < n_root; i++) {
                keys[n++] = f->root_tk[ri[i]];
                root_ids[i] = tuf_key_id(f->root_tk[ri[i]]);
        }
        for (size_t i = 0; i < n_targets; i++) {
                keys[n++] = f->targets_tk[ti[i]];
                targets_ids[i] = tuf_key_id(f->targets_tk[ti[i]]);
        }
        keys[n++] = snap;
        keys[n++] = ts;
        snap_id[0] = tuf_key_id(snap);
        ts_id[0] = tuf_key_id(ts);
        struct tuf_role_spec roles[_TUF_ROLE_MAX] = {
                [TUF_ROLE_ROOT] = { root_ids, n_root, root_threshold },
                [TUF_ROLE_TARGETS] = { targets_ids, n_targets, targets_threshold },
                [TUF_ROLE_SNAPSHOT] = { snap_id, 1, 1 },
                [TUF_ROLE_TIMESTAMP] = { ts_id, 1, 1 },
        };
        json_t *signed_obj = tuf_build_root(version, expires, true, keys, n, roles, &err);
        if (!signed_obj)
                fail_msg("tuf_build_root: %s", err.msg);
        json_t *doc = tuf_metadata_wrap(signed_obj);
        json_decref(signed_obj);
        for (size_t i = 0; i < n_signers; i++)
                ota_fx_ok(tuf_sign(doc, f->root[signers[i]], &err), err);
        return doc;
}

/* cfg (may be NULL) is copied: [ota] settings such as online_key_pkcs11. */
static inline struct ota_fx *ota_fx_new_with(int64_t now, const struct ota_config *cfg) {
        struct ota_fx *f = calloc(1, sizeof(*f));
        struct error err = { 0 };
        if (cfg)
                f->cfg = *cfg;
        f->t = tdir_new();
        ota_fx_ok(store_open(f->t->db, &f->s, &err), err);
        f->c = (struct ota_ctx) { .store = f->s, .data_dir = f->t->dir, .now = now, .cfg = &f->cfg };

        json_t *product = NULL;
        json_t *body = json_loads(
                "{\"name\": \"Thermostat T1\", \"model\": \"" OTA_FX_MODEL "\","
                " \"manufacturer\": {\"name\": \"Acme GmbH\", \"address\": \"Hauptstr. 1, Berlin\","
                " \"contact\": \"security@acme.example\"},"
                " \"support\": {\"start\": \"2026-01-01\", \"end\": \"2031-12-31\"}, \"member_states\": [\"DE\"]}",
                0, NULL);
        ota_fx_ok(product_create(f->s, &ota_fx_actor, body, &product, &err), err);
        json_decref(body);
        json_decref(product);

        static const enum crypto_key_type root_types[OTA_FX_N_ROOT] = { CRYPTO_KEY_ED25519, CRYPTO_KEY_EC_P256,
                                                                         CRYPTO_KEY_ED25519 };
        static const enum crypto_key_type targets_types[OTA_FX_N_TARGETS] = { CRYPTO_KEY_EC_P256, CRYPTO_KEY_ED25519,
                                                                               CRYPTO_KEY_EC_P256 };
        for (int i = 0; i < OTA_FX_N_ROOT; i++) {
                char name[16];
                snprintf(name, sizeof(name), "root%d", i);
                ota_fx_key(f, name, root_types[i], &f->root[i], &f->root_tk[i]);
        }
        for (int i = 0; i < OTA_FX_N_TARGETS; i++) {
                char name[16];
                snprintf(name, sizeof(name), "targets%d", i);
                ota_fx_key(f, name, targets_types[i], &f->targets[i], &f->targets_tk[i]);
        }
        json_t *keys = NULL;
        ota_fx_ok(repo_online_keys(&f->c, &ota_fx_actor, OTA_FX_MODEL, &keys, &err), err);
        f->snapshot_tk = ota_fx_online_key(keys, "snapshot");
        f->timestamp_tk = ota_fx_online_key(keys, "timestamp");
        json_decref(keys);

        static const int ri[] = { 0 }, ti[] = { 0, 1, 2 }, signers[] = { 0 };
        json_t *root = ota_fx_root(f, 1, now + 365 * OTA_FX_DAY, ri, 1, 1, ti, 3, 2, f->snapshot_tk, f->timestamp_tk,
                                   signers, 1);
        json_t *req = json_pack("{s:s, s:o}", "product", OTA_FX_MODEL, "root", root);
        json_t *status = NULL;
        ota_fx_ok(repo_create(&f->c, &ota_fx_actor, req, &status, &err), err);
        json_decref(req);
        json_decref(status);
        _cleanup_free_ char *path = str_printf("%s/repo/" OTA_FX_MODEL "/1.root.json", f->t->dir);
        ota_fx_ok(file_read_all(path, 1 << 20, &f->root_json, &f->root_len, &err), err);
        return f;
}

static inline struct ota_fx *ota_fx_new(int64_t now) {
        return ota_fx_new_with(now, NULL);
}

static inline void ota_fx_free(struct ota_fx *f) {
        if (!f)
                return;
        for (int i = 0; i < OTA_FX_N_ROOT; i++) {
                crypto_key_free(f->root[i]);
                tuf_key_free(f->root_tk[i]);
        }
        for (int i = 0; i < OTA_FX_N_TARGETS; i++) {
                crypto_key_free(f->targets[i]);
                tuf_key_free(f->targets_tk[i]);
        }
        tuf_key_free(f->snapshot_tk);
        tuf_key_free(f->timestamp_tk);
        free(f->root_json);
        store_close(f->s);
        tdir_free(f->t);
        free(f);
}

/* An upload as http.c hands it over: a file in <dir>/tmp, its length and hash. */
static inline char *ota_fx_upload(struct ota_fx *f, const void *data, size_t len, struct release_upload *up) {
        struct error err = { 0 };
        _cleanup_free_ char *dir = tdir_path(f->t, "tmp");
        ota_fx_ok(dir_create(dir, 0700, &err), err);
        char *path = str_printf("%s/upload-%u", dir, f->upload_seq++);
        ota_fx_ok(file_write_atomic(path, data, len, 0600, &err), err);
        *up = (struct release_upload) { .path = path, .length = (int64_t) len };
        hash_sha256(data, len, up->sha256);
        return path;
}

/* A draft release of T1-EU with one image; returns its id. */
static inline int64_t ota_fx_draft(struct ota_fx *f, const char *version, int64_t security_version,
                                   const char *image_name, const char *content) {
        struct error err = { 0 };
        json_t *out = NULL;
        json_t *body = json_pack("{s:s, s:s, s:I, s:[s,s], s:s}", "product", OTA_FX_MODEL, "version", version,
                                 "security_version", (json_int_t) security_version, "hardware_revisions", "r2", "r3",
                                 "notes", "test release");
        ota_fx_ok(release_create(&f->c, &ota_fx_actor, body, &out, &err), err);
        json_decref(body);
        int64_t id = json_integer_value(json_object_get(out, "id"));
        json_decref(out);
        struct release_upload up;
        char *path = ota_fx_upload(f, content, strlen(content), &up);
        ota_fx_ok(release_add_image(&f->c, &ota_fx_actor, id, image_name, &up, &out, &err), err);
        unlink(path);
        free(path);
        json_decref(out);
        return id;
}

/* Signs the release's prepared targets metadata with targets key k the way
 * `cradle release sign` does; returns repo_release_sign's result (err set). */
static inline int ota_fx_sign(struct ota_fx *f, int64_t id, int k, json_t **out, struct error *err) {
        json_t *md = NULL;
        *out = NULL;
        if (repo_release_targets_metadata(&f->c, id, &md, err) < 0)
                return -1;
        json_t *doc = json_pack("{s:O, s:[]}", "signed", json_object_get(md, "signed"), "signatures");
        json_decref(md);
        size_t len;
        _cleanup_free_ char *bytes = tuf_signed_bytes(doc, &len, err);
        json_decref(doc);
        if (!bytes)
                return -1;
        char keyid[TUF_KEYID_HEX_LEN];
        _cleanup_free_ char *sig = NULL;
        if (tuf_sign_bytes(f->targets[k], bytes, len, keyid, &sig, err) < 0)
                return -1;
        json_t *body = json_pack("{s:s, s:s}", "keyid", keyid, "sig", sig);
        int rc = repo_release_sign(&f->c, &ota_fx_actor, id, body, out, err);
        json_decref(body);
        return rc;
}

/* draft -> prepared -> signed by targets keys 0 and 1 -> published. */
static inline int64_t ota_fx_publish(struct ota_fx *f, const char *version, int64_t security_version,
                                     const char *image_name, const char *content) {
        struct error err = { 0 };
        json_t *out = NULL;
        int64_t id = ota_fx_draft(f, version, security_version, image_name, content);
        ota_fx_ok(repo_release_prepare(&f->c, &ota_fx_actor, id, &out, &err), err);
        json_decref(out);
        for (int k = 0; k < 2; k++) {
                ota_fx_ok(ota_fx_sign(f, id, k, &out, &err), err);
                json_decref(out);
        }
        ota_fx_ok(repo_release_publish(&f->c, &ota_fx_actor, id, &out, &err), err);
        json_decref(out);
        return id;
}

/* <data>/repo/T1-EU/<name> (heap). */
static inline char *ota_fx_repo_path(struct ota_fx *f, const char *name) {
        return str_printf("%s/repo/" OTA_FX_MODEL "/%s", f->t->dir, name);
}

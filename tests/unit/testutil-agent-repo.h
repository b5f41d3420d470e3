/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * Builds what cradled serves, in a directory, with file keys: the product's
 * TUF image repository (consistent snapshots; root 1-of-1, targets 2-of-2 as
 * release managers would sign, online snapshot and timestamp keys) and the
 * director's root and per-device targets. Tests tamper with it to play the
 * attacker. Include after testutil-agent.h.
 */
#include <jansson.h>

#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/key.h"
#include "tuf/metadata.h"
#include "tuf/sign.h"

#define TU_DAY (24 * 3600)

enum { RK_ROOT, RK_TGT1, RK_TGT2, RK_SNAP, RK_TS, DK_ROOT, DK_TGT, K_EVIL, RK_MAX };

struct tu_image {
        const char *release;     /* "1.2.0" */
        const char *name;        /* "rootfs.img" */
        const char *content;
        int64_t security_version;
        const char *hw_revs;     /* JSON array text, e.g. "[\"r2\"]" */
        const char *product;     /* NULL: "T1-EU" */
};

/* What an encrypted image adds (tests/unit/test-agent-encrypted.c); a
 * parallel array, NULL for plain images. */
struct tu_image_enc {
        size_t content_len;      /* the container's length (it holds NUL bytes) */
        json_t *encryption;      /* custom "encryption" of both repositories (borrowed) */
        json_t *encryption_key;  /* the director's custom "encryption_key" (borrowed); NULL: none */
};

static inline size_t tu_image_len(const struct tu_image *im, const struct tu_image_enc *enc) {
        return enc && enc->content_len ? enc->content_len : strlen(im->content);
}

struct tu_repo {
        char *dir;               /* keys/ and www/ */
        char *www_repo;          /* www/repo/T1-EU */
        char *www_director;      /* www/device/v1/director */
        struct crypto_key *k[RK_MAX];
        struct tuf_key *tk[RK_MAX];
        int64_t now;
        int64_t image_version;   /* last published targets/snapshot/timestamp version */
};

static inline struct tu_repo *tu_repo_new(const char *dir) {
        struct tu_repo *r = xcalloc(1, sizeof(*r));
        struct error err = { 0 };

        r->dir = str_dup(dir);
        r->www_repo = str_printf("%s/www/repo/T1-EU", dir);
        r->www_director = str_printf("%s/www/device/v1/director", dir);
        r->now = time(NULL);
        for (int i = 0; i < RK_MAX; i++) {
                _cleanup_free_ char *path = str_printf("%s/keys/k%d.key", dir, i);
                _cleanup_free_ char *kdir = str_printf("%s/keys", dir);
                assert_ok(dir_create(kdir, 0700, &err), err);
                assert_ok(crypto_key_generate_file(path, i % 2 ? CRYPTO_KEY_EC_P256 : CRYPTO_KEY_ED25519, &err), err);
                assert_ok(crypto_key_load(path, &r->k[i], &err), err);
                assert_ok(tuf_key_from_crypto_key(r->k[i], &r->tk[i], &err), err);
        }
        return r;
}

static inline void tu_repo_free(struct tu_repo *r) {
        for (int i = 0; i < RK_MAX; i++) {
                crypto_key_free(r->k[i]);
                tuf_key_free(r->tk[i]);
        }
        free(r->dir);
        free(r->www_repo);
        free(r->www_director);
        free(r);
}

/* Wraps, signs with the given keys, serialises (takes signed_obj). */
static inline char *tu_sign(struct tu_repo *r, json_t *signed_obj, const int *signers, size_t n, size_t *len) {
        _cleanup_json_ json_t *doc = NULL;
        struct error err = { 0 };
        char *bytes;

        if (!signed_obj)
                fail_msg("building metadata failed");
        doc = tuf_metadata_wrap(signed_obj);
        json_decref(signed_obj);
        for (size_t i = 0; i < n; i++)
                assert_ok(tuf_sign(doc, r->k[signers[i]], &err), err);
        bytes = tuf_metadata_serialize(doc, len, &err);
        assert_non_null(bytes);
        return bytes;
}

/* A root with one key per role, except targets (the given keys and threshold). */
static inline json_t *tu_root_signed(struct tu_repo *r, int64_t version, int64_t expires, int root_key,
                                     const int *tgt, size_t n_tgt, unsigned tgt_threshold, int snap, int ts) {
        const char *ids[_TUF_ROLE_MAX][4];
        struct tuf_role_spec roles[_TUF_ROLE_MAX];
        struct tuf_key *keys[8];
        size_t n_keys = 0;
        struct error err = { 0 };
        int role_keys[_TUF_ROLE_MAX][4] = { { root_key }, { 0 }, { snap }, { ts } };
        size_t n_role[_TUF_ROLE_MAX] = { 1, n_tgt, 1, 1 };
        unsigned thr[_TUF_ROLE_MAX] = { 1, tgt_threshold, 1, 1 };
        json_t *s;

        for (size_t i = 0; i < n_tgt; i++)
                role_keys[TUF_ROLE_TARGETS][i] = tgt[i];
        for (int role = 0; role < _TUF_ROLE_MAX; role++) {
                for (size_t i = 0; i < n_role[role]; i++) {
                        int k = role_keys[role][i];
                        bool have = false;
                        ids[role][i] = tuf_key_id(r->tk[k]);
                        for (size_t j = 0; j < n_keys; j++)
                                have |= keys[j] == r->tk[k];
                        if (!have)
                                keys[n_keys++] = r->tk[k];
                }
                roles[role] = (struct tuf_role_spec) { ids[role], n_role[role], thr[role] };
        }
        s = tuf_build_root(version, expires, true, keys, n_keys, roles, &err);
        if (!s)
                fail_msg("tuf_build_root: %s", err.msg);
        return s;
}

static inline json_t *tu_image_custom_enc(const struct tu_image *im, const struct tu_image_enc *enc,
                                          const char *serial, const char *hwid) {
        json_error_t jerr;
        json_t *revs = json_loads(im->hw_revs ? im->hw_revs : "[\"r2\"]", 0, &jerr);
        json_t *c = json_pack("{s:s, s:I, s:o, s:s}", "release", im->release, "security_version",
                              (json_int_t) im->security_version, "hardware_revisions", revs, "product",
                              im->product ? im->product : "T1-EU");
        if (serial)
                json_object_set_new(c, "serial", json_string(serial));
        if (hwid)
                json_object_set_new(c, "hardware_id", json_string(hwid));
        if (enc && enc->encryption)
                json_object_set_new(c, "encryption", json_deep_copy(enc->encryption));
        if (enc && serial && enc->encryption_key)
                json_object_set_new(c, "encryption_key", json_deep_copy(enc->encryption_key));
        return c;
}

static inline json_t *tu_image_custom(const struct tu_image *im, const char *serial, const char *hwid) {
        return tu_image_custom_enc(im, NULL, serial, hwid);
}

static inline json_t *tu_targets_signed_enc(const struct tu_image *ims, const struct tu_image_enc *encs, size_t n,
                                            int64_t version, int64_t expires, const char *serial, const char *hwid) {
        struct tuf_target_spec specs[8] = { 0 };
        char paths[8][256];
        json_t *customs[8] = { 0 };
        struct error err = { 0 };
        json_t *s;

        for (size_t i = 0; i < n; i++) {
                snprintf(paths[i], sizeof(paths[i]), "%s/%s", ims[i].release, ims[i].name);
                const struct tu_image_enc *enc = encs ? &encs[i] : NULL;
                customs[i] = tu_image_custom_enc(&ims[i], enc, serial, hwid);
                specs[i] = (struct tuf_target_spec) { .path = paths[i], .length = (int64_t) tu_image_len(&ims[i], enc),
                                                      .custom = customs[i] };
                hash_sha256(ims[i].content, tu_image_len(&ims[i], enc), specs[i].sha256);
        }
        s = tuf_build_targets(version, expires, specs, n, &err);
        for (size_t i = 0; i < n; i++)
                json_decref(customs[i]);
        if (!s)
                fail_msg("tuf_build_targets: %s", err.msg);
        return s;
}

static inline json_t *tu_targets_signed(const struct tu_image *ims, size_t n, int64_t version, int64_t expires,
                                        const char *serial, const char *hwid) {
        return tu_targets_signed_enc(ims, NULL, n, version, expires, serial, hwid);
}

static inline void tu_put(const char *dir, const char *name, const char *bytes, size_t len) {
        tu_write(dir, name, bytes, len, 0644);
}

/* 1.root.json of the image repository (also the device's trusted root). */
static inline void tu_publish_image_root(struct tu_repo *r) {
        static const int tgt[] = { RK_TGT1, RK_TGT2 };
        static const int signer[] = { RK_ROOT };
        size_t len;
        _cleanup_free_ char *b = tu_sign(r, tu_root_signed(r, 1, r->now + 365 * TU_DAY, RK_ROOT, tgt, 2, 2, RK_SNAP, RK_TS),
                                         signer, 1, &len);
        tu_put(r->www_repo, "1.root.json", b, len);
        tu_put(r->dir, "trust/image-root.json", b, len);
}

/* Publishes targets (signed by `signers`), snapshot (snap_key) and
 * timestamp (ts_key) at the next version, and the target files under
 * targets/<release>/<sha>.<name>. */
static inline void tu_publish_images_with_enc(struct tu_repo *r, const struct tu_image *ims,
                                              const struct tu_image_enc *encs, size_t n, const int *signers,
                                              size_t n_signers, int snap_key, int ts_key) {
        const int snap[] = { snap_key }, ts[] = { ts_key };
        int64_t v = ++r->image_version;
        size_t tlen, slen, len;
        _cleanup_free_ char *targets = tu_sign(r, tu_targets_signed_enc(ims, encs, n, v, r->now + 30 * TU_DAY, NULL, NULL),
                                               signers, n_signers, &tlen);
        struct tuf_meta_file tm = { .name = "targets.json", .version = v, .length = -1 };
        struct error err = { 0 };
        _cleanup_free_ char *tname = str_printf("%" PRId64 ".targets.json", v);
        _cleanup_free_ char *sname = str_printf("%" PRId64 ".snapshot.json", v);

        tuf_meta_file_describe(&tm, targets, tlen);
        _cleanup_free_ char *snapshot =
                tu_sign(r, tuf_build_snapshot(v, r->now + 7 * TU_DAY, &tm, 1, &err), snap, 1, &slen);
        struct tuf_meta_file sm = { .name = "snapshot.json", .version = v, .length = -1 };
        tuf_meta_file_describe(&sm, snapshot, slen);
        _cleanup_free_ char *timestamp = tu_sign(r, tuf_build_timestamp(v, r->now + TU_DAY, &sm, &err), ts, 1, &len);
        tu_put(r->www_repo, tname, targets, tlen);
        tu_put(r->www_repo, sname, snapshot, slen);
        tu_put(r->www_repo, "timestamp.json", timestamp, len);
        for (size_t i = 0; i < n; i++) {
                uint8_t sha[SHA256_LEN];
                char hex[SHA256_HEX_LEN];
                size_t len_i = tu_image_len(&ims[i], encs ? &encs[i] : NULL);
                hash_sha256(ims[i].content, len_i, sha);
                hex_encode(sha, SHA256_LEN, hex);
                _cleanup_free_ char *file = str_printf("targets/%s/%s.%s", ims[i].release, hex, ims[i].name);
                tu_put(r->www_repo, file, ims[i].content, len_i);
        }
}

static inline void tu_publish_images_with(struct tu_repo *r, const struct tu_image *ims, size_t n,
                                          const int *signers, size_t n_signers, int snap_key, int ts_key) {
        tu_publish_images_with_enc(r, ims, NULL, n, signers, n_signers, snap_key, ts_key);
}

/* The same with the repository's own online keys. */
static inline void tu_publish_images_signed(struct tu_repo *r, const struct tu_image *ims, size_t n,
                                            const int *signers, size_t n_signers) {
        tu_publish_images_with(r, ims, n, signers, n_signers, RK_SNAP, RK_TS);
}

static inline void tu_publish_images(struct tu_repo *r, const struct tu_image *ims, size_t n) {
        static const int both[] = { RK_TGT1, RK_TGT2 };
        tu_publish_images_signed(r, ims, n, both, 2);
}

/* The director's 1.root.json (root DK_ROOT, targets DK_TGT). */
static inline void tu_publish_director_root(struct tu_repo *r) {
        static const int tgt[] = { DK_TGT };
        static const int signer[] = { DK_ROOT };
        size_t len;
        _cleanup_free_ char *b = tu_sign(r, tu_root_signed(r, 1, r->now + 365 * TU_DAY, DK_ROOT, tgt, 1, 1, DK_TGT, DK_TGT),
                                         signer, 1, &len);
        tu_put(r->www_director, "1.root.json", b, len);
        tu_put(r->dir, "trust/director-root.json", b, len);
}

/* The director's targets.json for one device, with encrypted images. */
static inline void tu_publish_director_enc(struct tu_repo *r, const struct tu_image *ims,
                                           const struct tu_image_enc *encs, size_t n, int64_t version,
                                           int64_t expires, const char *serial, const char *hwid, int signer) {
        size_t len;
        int s[] = { signer };
        _cleanup_free_ char *b =
                tu_sign(r, tu_targets_signed_enc(ims, encs, n, version, expires, serial, hwid), s, 1, &len);
        tu_put(r->www_director, "targets.json", b, len);
}

/* The director's targets.json for one device. */
static inline void tu_publish_director(struct tu_repo *r, const struct tu_image *ims, size_t n, int64_t version,
                                       int64_t expires, const char *serial, const char *hwid, int signer) {
        size_t len;
        int s[] = { signer };
        _cleanup_free_ char *b = tu_sign(r, tu_targets_signed(ims, n, version, expires, serial, hwid), s, 1, &len);
        tu_put(r->www_director, "targets.json", b, len);
}

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
#include "crypto/ct.h"
#include "crypto/ota-wrap.h"
#include "release/encrypt.h"
#include "director/internal.h"
#include "director/seen.h"
#include "keys/keys.h"
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
        /* Encrypted images: per target its row (enc[i].sha256[0] == 0: plain)
         * and the device key the content keys are wrapped to at signing. */
        struct store_image_encryption *enc;
        gnutls_pubkey_t pub;
};

static void wanted_clear(struct wanted *w) {
        for (size_t i = 0; i < w->n; i++) {
                json_decref(w->specs[i].custom);
                free(w->paths[i]);
                if (w->enc)
                        store_image_encryption_clear(&w->enc[i]);
        }
        free(w->specs);
        free(w->paths);
        free(w->enc);
        if (w->pub)
                gnutls_pubkey_deinit(w->pub);
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
        char key_fp[SHA256_HEX_LEN] = "";
        /* The device key is part of what the device must get: a renewed key
         * changes the content, so the next signature wraps to the new one. */
        if (director_release_encrypted(&rel) && director_device_wrap_key(dc->store, d, &w->pub, key_fp, err) < 0)
                return -1;
        w->specs = xcalloc(rel.n_images ? rel.n_images : 1, sizeof(*w->specs));
        w->paths = xcalloc(rel.n_images ? rel.n_images : 1, sizeof(*w->paths));
        w->enc = xcalloc(rel.n_images ? rel.n_images : 1, sizeof(*w->enc));
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
                if (rel.images[i].encrypted) {
                        w->enc[i] = rel.images[i].enc; /* moved: rel's copy is emptied */
                        memset(&rel.images[i].enc, 0, sizeof(rel.images[i].enc));
                        rel.images[i].encrypted = false;
                        json_object_set_new(t->custom, "encryption", release_encryption_custom(&w->enc[i]));
                        json_object_set_new(t->custom, "encryption_key_for", json_string(key_fp));
                }
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

/* What signing needs, loaded once: the online key and the newest root,
 * checked to name it as targets key. A batch of the sign-ahead worker
 * loads it once for hundreds of devices; a poll loads it per signature. */
#define SIGNER_CONTENT_KEYS 8
struct signer {
        struct crypto_key *key;
        struct tuf_key *tk;
        struct tuf_metadata *root_md;
        int64_t root_version;
        /* Content keys opened with the KEK, kept for the batch (a batch of
         * 250 devices assigned one release opens its key once). */
        struct {
                char sha256[SHA256_HEX_LEN];
                uint8_t key[OTA_CRYPT_KEY_LEN];
        } content[SIGNER_CONTENT_KEYS];
        size_t n_content;
        int64_t registry_id;    /* the key's entry in the key registry, once looked up */
};

static void signer_clear(struct signer *sg) {
        ct_wipe(sg->content, sizeof(sg->content));
        crypto_key_free(sg->key);
        if (sg->tk)
                tuf_key_free(sg->tk);
        if (sg->root_md)
                tuf_metadata_free(sg->root_md);
        memset(sg, 0, sizeof(*sg));
}

static int signer_load(struct director_ctx *dc, const struct store_director_root *root, struct signer *sg,
                       struct error *err) {
        memset(sg, 0, sizeof(*sg));
        if (director_key_load(dc, false, &sg->key, &sg->tk, NULL, err) < 0)
                return -1;
        if (tuf_metadata_parse("director root", root->document, strlen(root->document), DIRECTOR_ROOT_MAX,
                               TUF_ROLE_ROOT, &sg->root_md, err) < 0)
                goto fail;
        if (!tuf_root_role_has_key(sg->root_md, TUF_ROLE_TARGETS, tuf_key_id(sg->tk))) {
                error_set(err, ERROR_INTERNAL,
                          "the director online key (keyid %s) is not the targets key of director root "
                          "version %lld; install a root that lists it",
                          tuf_key_id(sg->tk), (long long) root->version);
                goto fail;
        }
        sg->root_version = root->version;
        return 0;
fail:
        signer_clear(sg);
        return -1;
}

/* The content key of an encrypted target, from the signer's cache or the KEK. */
static int content_key(struct signer *sg, const struct store_image_encryption *e, uint8_t key[OTA_CRYPT_KEY_LEN],
                       struct error *err) {
        for (size_t i = 0; i < sg->n_content; i++)
                if (str_eq(sg->content[i].sha256, e->sha256)) {
                        memcpy(key, sg->content[i].key, OTA_CRYPT_KEY_LEN);
                        return 0;
                }
        if (release_content_key_open(e, key, err) < 0)
                return -1;
        size_t slot = sg->n_content < SIGNER_CONTENT_KEYS ? sg->n_content++ : SIGNER_CONTENT_KEYS - 1;
        memcpy(sg->content[slot].sha256, e->sha256, SHA256_HEX_LEN);
        memcpy(sg->content[slot].key, key, OTA_CRYPT_KEY_LEN);
        return 0;
}

/* Adds each encrypted target's content key, wrapped to this device's key, to
 * its custom ("encryption_key"). After the content hash was taken: the wrap
 * is new at every signature (a fresh ephemeral key) and must not make every
 * poll look like a change. */
static int add_wrapped_keys(struct signer *sg, const struct store_device *d, const struct wanted *w,
                            json_t *signed_obj, struct error *err) {
        json_t *targets = json_object_get(signed_obj, "targets");
        for (size_t i = 0; i < w->n; i++) {
                if (!w->enc || !w->enc[i].sha256[0])
                        continue;
                uint8_t key[OTA_CRYPT_KEY_LEN];
                json_t *wrapped = NULL;
                json_t *custom = json_object_get(json_object_get(targets, w->paths[i]), "custom");
                if (!custom || !w->pub)
                        return error_set(err, ERROR_INTERNAL, "director targets for %s: no custom for %s", d->serial,
                                         w->paths[i]);
                int r = content_key(sg, &w->enc[i], key, err);
                if (r == 0)
                        r = ota_wrap_key(w->pub, d->serial, w->paths[i], key, &wrapped, err);
                ct_wipe(key, sizeof(key));
                if (r < 0)
                        return error_prefix(err, "director targets for %s: %s: ", d->serial, w->paths[i]);
                json_object_set_new(custom, "encryption_key", wrapped);
        }
        return 0;
}

/* Inside the caller's transaction: counts `n` signatures made with the
 * online key in the key registry's usage log, one UPSERT per poll that
 * signed or per sign-ahead batch (never a row per device or poll). The key
 * is registered on first use if nothing registered it before (a key file
 * that predates the registry, a key_ref changed by hand). */
static int signer_usage(struct director_ctx *dc, struct signer *sg, int64_t n, struct error *err) {
        if (n <= 0)
                return 0;
        if (!sg->registry_id) {
                const struct keys_new k = {
                        .class = "director",
                        .purpose = "director online key (signs each device's targets metadata)",
                        .pubkey = crypto_key_pubkey(sg->key),
                        .storage = crypto_key_is_pkcs11(sg->key) ? "pkcs11" : "file",
                        .ref = crypto_key_ref(sg->key),
                };
                if (keys_register(dc->store, &k, "system", &sg->registry_id, err) < 0)
                        return error_prefix(err, "registering the director online key: ");
        }
        return keys_usage_add(dc->store, sg->registry_id, "director.targets", n, err);
}

static int sign_new(struct director_ctx *dc, struct signer *sg, const struct store_device *d,
                    const struct wanted *w, int64_t version, int64_t now, struct store_director_targets *out,
                    struct error *err) {
        int64_t expiry = dc->expiry > 0 ? dc->expiry : DIRECTOR_EXPIRY_DEFAULT;
        char content[SHA256_HEX_LEN];
        _cleanup_json_ json_t *signed_obj = build_signed(w, version, now + expiry, content, err);
        if (!signed_obj)
                return error_prefix(err, "director targets for %s: ", d->serial);
        if (add_wrapped_keys(sg, d, w, signed_obj, err) < 0)
                return -1;
        _cleanup_json_ json_t *doc = tuf_metadata_wrap(signed_obj);
        size_t len;
        if (tuf_sign(doc, sg->key, err) < 0)
                return -1;
        char *bytes = tuf_metadata_serialize(doc, &len, err);
        if (!bytes)
                return -1;
        memset(out, 0, sizeof(*out));
        out->device_id = d->id;
        out->version = version;
        snprintf(out->content_sha256, sizeof(out->content_sha256), "%s", content);
        out->root_version = sg->root_version;
        out->signed_at = now;
        out->expires = now + expiry;
        out->document = bytes;
        return 0;
}

/* Inside the caller's transaction: signs and stores a new version for the
 * device unless its stored one is still good for `content`. *cached is
 * what the device is to be served. signer is loaded on first need. */
static int ensure_signed(struct director_ctx *dc, struct signer *sg, const struct store_director_root *root,
                         const struct store_device *d, const struct wanted *w, const char *content, int64_t now,
                         struct store_director_targets *cached, bool *signed_now, struct error *err) {
        bool have_cached;
        *signed_now = false;
        store_director_targets_clear(cached);
        if (store_director_targets_get(dc->store, d->id, cached, &have_cached, err) < 0)
                return -1;
        if (have_cached && reusable(cached, content, root->version, now))
                return 0;
        if (!sg->key && signer_load(dc, root, sg, err) < 0)
                return -1;
        /* Strictly increasing per device, and never below the signing time:
         * metadata is not bound to a device when it lists no target, so a
         * copy of another device's (higher) version served by a man in the
         * middle raises a device's trusted version at most to "now", which
         * this device's next signature passes again. */
        int64_t version = have_cached ? cached->version + 1 : 1;
        if (version < now)
                version = now;
        struct store_director_targets fresh;
        if (sign_new(dc, sg, d, w, version, now, &fresh, err) < 0)
                return -1;
        store_director_targets_clear(cached);
        *cached = fresh;
        if (store_director_targets_put(dc->store, cached, err) < 0)
                return -1;
        *signed_now = true;
        return 0;
}

int director_device_seen(struct director_ctx *dc, int64_t device_id, int64_t stored_last_seen, int64_t now) {
        /* At most once per interval per device, whether batched or not. */
        if (stored_last_seen > 0 && stored_last_seen >= now - DIRECTOR_SEEN_INTERVAL)
                return 0;
        if (dc->seen && director_seen_note(dc->seen, device_id, now))
                return 0;
        /* No pending set (tests, tools), or it is full: write this one now. */
        struct error e = {0};
        if (store_device_seen(dc->store, device_id, now, DIRECTOR_SEEN_INTERVAL, &e) < 0) {
                log_warn("recording that device %lld was seen: %s", (long long) device_id, e.msg);
                return -1;
        }
        return 0;
}

int director_targets_for_device(struct director_ctx *dc, const char *serial, char **out, size_t *len,
                                struct error *err) {
        _cleanup_director_device_ struct store_device d = {0};
        __attribute__((cleanup(store_director_root_clearp))) struct store_director_root root = {0};
        __attribute__((cleanup(store_director_targets_clearp))) struct store_director_targets cached = {0};
        __attribute__((cleanup(wanted_clear))) struct wanted w = {0};
        __attribute__((cleanup(signer_clear))) struct signer sg = {0};
        int64_t now = director_now(dc);
        bool found, have_cached, signed_now;
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
        /* What the device must get is worked out from the committed rows on
         * every poll, and the stored document is served only when it says
         * exactly that: signing ahead (director_presign_batch) can make a poll
         * cheaper, never staler. */
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
                 * another request (or the sign-ahead worker) may just have done it. */
                if (store_tx_begin(dc->store, err) < 0)
                        return -1;
                if (ensure_signed(dc, &sg, &root, &d, &w, content, now, &cached, &signed_now, err) < 0 ||
                    (signed_now && signer_usage(dc, &sg, 1, err) < 0))
                        goto fail;
                /* Served only from the committed row: a failed commit serves
                 * nothing new, and no version is served before it is stored. */
                if (fault_point("director.targets.commit", err) < 0)
                        goto fail;
                if (store_tx_commit(dc->store, err) < 0)
                        return -1;
        }
        director_device_seen(dc, d.id, d.last_seen, now);
        *len = strlen(cached.document);
        *out = steal_ptr(cached.document);
        return 0;
fail:
        store_tx_rollback(dc->store);
        return -1;
}

/* One queued device in a sign-ahead batch. */
enum presign_state {
        PRESIGN_SKIP,      /* gone, or cannot be signed: leaves the queue (its poll signs on demand) */
        PRESIGN_CURRENT,   /* its stored document was already right */
        PRESIGN_SIGNED,    /* `fresh` signed for `content`, over stored version `prev_version` */
};

struct presign_item {
        int64_t device_id;
        enum presign_state state;
        char content[SHA256_HEX_LEN];
        int64_t prev_version;              /* 0 = nothing stored */
        struct store_director_targets fresh;
};

/* What the device must get now, from the committed rows: its content hash.
 * *found = false when the device no longer exists. */
static int device_content(struct director_ctx *dc, int64_t device_id, int64_t now, struct store_device *d,
                          struct wanted *w, char content[SHA256_HEX_LEN], bool *found, struct error *err) {
        struct error e = {0};
        *found = false;
        if (store_device_get(dc->store, device_id, d, &e) < 0) {
                if (e.kind == ERROR_NOT_FOUND)
                        return 0;
                if (err)
                        *err = e;
                return -1;
        }
        *found = true;
        if (wanted_for_device(dc, d, w, err) < 0)
                return -1;
        _cleanup_json_ json_t *probe = build_signed(w, 1, now + 1, content, err);
        return probe ? 0 : -1;
}

static bool db_failure(const struct error *e) {
        return e->kind == ERROR_DB || e->kind == ERROR_UNAVAILABLE || e->kind == ERROR_NO_SPACE;
}

/* Phase 1, without the write lock: work out and sign. */
static int presign_prepare(struct director_ctx *dc, struct signer *sg, const struct store_director_root *root,
                           int64_t now, struct presign_item *it, struct error *err) {
        _cleanup_director_device_ struct store_device d = {0};
        __attribute__((cleanup(store_director_targets_clearp))) struct store_director_targets cached = {0};
        __attribute__((cleanup(wanted_clear))) struct wanted w = {0};
        struct error e = {0};
        bool found, have_cached;
        it->state = PRESIGN_SKIP;
        if (device_content(dc, it->device_id, now, &d, &w, it->content, &found, &e) < 0 ||
            (found && store_director_targets_get(dc->store, d.id, &cached, &have_cached, &e) < 0))
                goto failed;
        if (!found)
                return 0;
        if (have_cached && reusable(&cached, it->content, root->version, now)) {
                it->state = PRESIGN_CURRENT;
                return 0;
        }
        it->prev_version = have_cached ? cached.version : 0;
        /* As on a poll: strictly increasing, never below the signing time. */
        int64_t version = have_cached ? cached.version + 1 : 1;
        if (version < now)
                version = now;
        if (sign_new(dc, sg, &d, &w, version, now, &it->fresh, &e) < 0)
                goto failed;
        it->state = PRESIGN_SIGNED;
        return 0;
failed:
        if (db_failure(&e)) {
                if (err)
                        *err = e;
                return -1;
        }
        log_warn("director: signing ahead for device %s: %s (its next poll signs on demand)",
                 d.serial ? d.serial : "?", e.msg);
        return 0;
}

/* Phase 2, under the write lock: stores what is still right and says
 * whether the device leaves the queue. A document signed for content the
 * committed rows no longer call for, or over a version someone else has
 * since replaced, is dropped, and the device stays queued for the next batch. */
static int presign_commit_one(struct director_ctx *dc, const struct store_director_root *root, int64_t now,
                              struct presign_item *it, bool *dequeue, bool *stored, struct error *err) {
        _cleanup_director_device_ struct store_device d = {0};
        __attribute__((cleanup(store_director_targets_clearp))) struct store_director_targets cached = {0};
        __attribute__((cleanup(wanted_clear))) struct wanted w = {0};
        char content[SHA256_HEX_LEN];
        bool found, have_cached;
        *dequeue = true;
        *stored = false;
        if (it->state == PRESIGN_SKIP)
                return 0;
        if (device_content(dc, it->device_id, now, &d, &w, content, &found, err) < 0)
                return -1;
        if (!found)
                return 0;
        if (store_director_targets_get(dc->store, d.id, &cached, &have_cached, err) < 0)
                return -1;
        if (have_cached && reusable(&cached, content, root->version, now))
                return 0;
        if (it->state == PRESIGN_SIGNED && str_eq(content, it->content) &&
            (have_cached ? cached.version == it->prev_version : it->prev_version == 0)) {
                if (store_director_targets_put(dc->store, &it->fresh, err) < 0)
                        return -1;
                *stored = true;
                return 0;
        }
        *dequeue = false;
        return 0;
}

int director_presign_batch(struct director_ctx *dc, size_t max, size_t *done, size_t *signed_count,
                           struct error *err) {
        __attribute__((cleanup(store_director_root_clearp))) struct store_director_root root = {0};
        __attribute__((cleanup(signer_clear))) struct signer sg = {0};
        _cleanup_free_ int64_t *ids = NULL;
        _cleanup_free_ int64_t *leave = NULL;
        struct presign_item *items = NULL;
        int64_t now = director_now(dc);
        size_t n = 0, n_leave = 0, n_signed = 0, n_made = 0;
        bool found;
        int rc = -1;
        *done = 0;
        if (signed_count)
                *signed_count = 0;
        if (max == 0)
                max = DIRECTOR_PRESIGN_BATCH;
        if (store_director_root_get(dc->store, 0, &root, &found, err) < 0)
                return -1;
        /* No root yet: nothing can be signed; the queue waits for one. */
        if (!found)
                return 0;
        /* An empty queue (the worker's usual look) costs one read, no key. */
        int64_t n_queued = 0;
        if (store_director_sign_queue_count(dc->store, &n_queued, err) < 0)
                return -1;
        if (n_queued == 0)
                return 0;
        /* The key and root once for the whole batch. */
        if (signer_load(dc, &root, &sg, err) < 0 ||
            store_director_sign_queue_take(dc->store, max, &ids, &n, err) < 0)
                return -1;
        /* Phase 1: the signatures, without the write lock, so polls that
         * sign on demand meanwhile do not wait behind a whole batch. */
        items = xcalloc(n ? n : 1, sizeof(*items));
        for (size_t i = 0; i < n; i++) {
                items[i].device_id = ids[i];
                if (presign_prepare(dc, &sg, &root, now, &items[i], err) < 0)
                        goto out;
        }
        /* Phase 2: under the write lock, each document is checked against the
         * committed rows again, stored if still right, and the device leaves
         * the queue; a change committed after this re-queues it. */
        leave = xcalloc(n ? n : 1, sizeof(*leave));
        if (store_tx_begin(dc->store, err) < 0)
                goto out;
        for (size_t i = 0; i < n; i++) {
                bool dequeue, stored;
                if (presign_commit_one(dc, &root, now, &items[i], &dequeue, &stored, err) < 0) {
                        store_tx_rollback(dc->store);
                        goto out;
                }
                if (dequeue)
                        leave[n_leave++] = items[i].device_id;
                n_signed += stored;
                n_made += items[i].state == PRESIGN_SIGNED;
        }
        /* Every signature made counts, stored or dropped: the key was used. */
        if (signer_usage(dc, &sg, n_made, err) < 0) {
                store_tx_rollback(dc->store);
                goto out;
        }
        if (store_director_sign_queue_delete(dc->store, leave, n_leave, err) < 0) {
                store_tx_rollback(dc->store);
                goto out;
        }
        if (store_tx_commit(dc->store, err) < 0)
                goto out;
        *done = n_leave;
        if (signed_count)
                *signed_count = n_signed;
        rc = 0;
out:
        for (size_t i = 0; items && i < n; i++)
                store_director_targets_clear(&items[i].fresh);
        free(items);
        return rc;
}

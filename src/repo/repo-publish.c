/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The offline signing flow of a release: prepare the unsigned targets
 * metadata, collect {keyid, sig} from the holders of the targets keys until
 * the threshold is met, publish. Root and targets keys never come near the
 * server; the server only ever checks their signatures.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
#include "tuf/key.h"
#include "tuf/sign.h"
#include "release/encrypt.h"
#include "tuf/verify.h"

static void object_name(char *buf, size_t size, int64_t id) {
        snprintf(buf, size, "release:%lld", (long long) id);
}

/* custom of a target (docs/internal/ota-contract.md). */
static json_t *target_custom(const char *model, const char *release_version, int64_t security_version,
                             const char *hw_json) {
        json_t *hw = json_loads(hw_json, 0, NULL);
        if (!hw)
                hw = json_array();
        return json_pack("{s:s, s:I, s:o, s:s}", "release", release_version, "security_version",
                         (json_int_t) security_version, "hardware_revisions", hw, "product", model);
}

/* An encrypted image's target carries "encryption" (release/encrypt.h):
 * the plaintext's SHA-256 and length, signed by the offline targets keys. */
static int add_encryption(struct store *s, const char *sha256, json_t *custom, struct error *err) {
        struct store_image_encryption enc;
        bool found = false;
        if (!custom)
                return error_set(err, ERROR_INTERNAL, "target custom cannot be built");
        if (store_image_encryption_get(s, sha256, &enc, &found, err) < 0)
                return -1; /* the caller's cleanup frees custom with the specs */
        if (found)
                json_object_set_new(custom, "encryption", release_encryption_custom(&enc));
        store_image_encryption_clear(&enc);
        return 0;
}

static json_t *targets_view(struct store *s, const struct store_release *r, const struct tuf_metadata *root,
                            struct error *err) {
        _cleanup_json_ json_t *doc = json_loads(r->targets_metadata, 0, NULL);
        _cleanup_tuf_metadata_ struct tuf_metadata *md = NULL;
        if (!doc || tuf_metadata_from_json("targets", doc, TUF_ROLE_TARGETS, &md, err) < 0) {
                if (!doc)
                        error_set(err, ERROR_DB, "release %lld: its targets metadata is not JSON", (long long) r->id);
                return NULL;
        }
        struct tuf_verify_result vr = {0};
        (void) tuf_verify_role(root, TUF_ROLE_TARGETS, md, &vr, NULL);
        const struct tuf_role_keys *tk = &root->root.roles[TUF_ROLE_TARGETS];
        json_t *keyids = json_array();
        for (size_t i = 0; i < tk->n_keyids; i++)
                json_array_append_new(keyids, json_string(tk->keyids[i]));
        (void) s;
        return json_pack("{s:I, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:o, s:I, s:O, s:O}", "release", (json_int_t) r->id,
                         "product", r->product_model, "release_version", r->version, "status",
                         store_release_status_name(r->status), "version", (json_int_t) r->targets_version,
                         "base_version", (json_int_t) r->targets_base_version, "root_version",
                         (json_int_t) root->version, "threshold", (json_int_t) tk->threshold, "keyids", keyids,
                         "valid_signatures", (json_int_t) vr.valid, "signed", json_object_get(doc, "signed"),
                         "signatures", json_object_get(doc, "signatures"));
}

static int view_out(struct store *s, const struct store_release *r, const struct store_repo *repo, json_t **out,
                    struct error *err) {
        _cleanup_tuf_metadata_ struct tuf_metadata *root = NULL;
        if (repo_root_load(s, repo->product_id, repo->root_version, &root, err) < 0)
                return -1;
        *out = targets_view(s, r, root, err);
        return *out ? 0 : -1;
}

/* ---- prepare ---- */

static void specs_free(struct tuf_target_spec *specs, char **paths, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(paths[i]);
                json_decref(specs[i].custom);
        }
        free(specs);
        free(paths);
}

int repo_release_prepare(const struct ota_ctx *c, const struct audit_actor *a, int64_t release_id, json_t **out,
                         struct error *err) {
        *out = NULL;
        struct store *s = c->store;
        if (store_tx_begin(s, err) < 0)
                return -1;
        _cleanup_release_row_ struct store_release r = {0};
        _cleanup_repo_row_ struct store_repo repo = {0};
        struct store_release_image *imgs = NULL;
        struct store_repo_target *pub = NULL;
        struct tuf_target_spec *specs = NULL;
        char **paths = NULL;
        size_t n_imgs = 0, n_pub = 0, n = 0;
        _cleanup_json_ json_t *signed_obj = NULL, *doc = NULL, *added = NULL;
        _cleanup_free_ char *text = NULL;
        char object[48];
        int64_t now = ota_now(c);
        if (store_release_get(s, release_id, &r, err) < 0)
                goto fail;
        if (r.status != STORE_RELEASE_DRAFT && r.status != STORE_RELEASE_SIGNED) {
                error_set(err, ERROR_CONFLICT, "release %s of %s is %s; only a draft or signed release can be prepared",
                          r.version, r.product_model, store_release_status_name(r.status));
                goto fail;
        }
        {
                struct error e = {0};
                if (store_repo_get(s, r.product_id, &repo, &e) < 0) {
                        if (e.kind == ERROR_NOT_FOUND)
                                error_set(err, ERROR_CONFLICT,
                                          "product %s has no image repository yet (initialise it with 'cradle repo "
                                          "init')",
                                          r.product_model);
                        else
                                repo_error_pass(err, &e);
                        goto fail;
                }
        }
        if (store_release_images(s, r.id, &imgs, &n_imgs, err) < 0 ||
            store_repo_targets_published(s, r.product_id, &pub, &n_pub, err) < 0)
                goto fail;
        if (n_imgs == 0) {
                error_set(err, ERROR_CONFLICT, "release %s of %s has no images; upload at least one first", r.version,
                          r.product_model);
                goto fail;
        }
        if (n_imgs + n_pub > TUF_MAX_TARGETS) {
                error_set(err, ERROR_CONFLICT, "the repository would list %zu targets; at most %d fit one targets "
                          "document", n_imgs + n_pub, TUF_MAX_TARGETS);
                goto fail;
        }
        specs = xcalloc(n_imgs + n_pub, sizeof(*specs));
        paths = xcalloc(n_imgs + n_pub, sizeof(*paths));
        for (size_t i = 0; i < n_pub; i++, n++) {
                paths[n] = str_printf("%s/%s", pub[i].release_version, pub[i].name);
                specs[n].path = paths[n];
                specs[n].length = pub[i].length;
                if (hex_decode(pub[i].sha256, specs[n].sha256, SHA256_LEN, err) < 0)
                        goto fail;
                specs[n].custom = target_custom(r.product_model, pub[i].release_version, pub[i].security_version,
                                                pub[i].hardware_revisions);
                if (add_encryption(s, pub[i].sha256, specs[n].custom, err) < 0) {
                        n++;
                        goto fail;
                }
        }
        added = json_array();
        for (size_t i = 0; i < n_imgs; i++, n++) {
                paths[n] = str_printf("%s/%s", r.version, imgs[i].name);
                specs[n].path = paths[n];
                specs[n].length = imgs[i].length;
                if (hex_decode(imgs[i].sha256, specs[n].sha256, SHA256_LEN, err) < 0)
                        goto fail;
                specs[n].custom = target_custom(r.product_model, r.version, r.security_version, r.hardware_revisions);
                if (add_encryption(s, imgs[i].sha256, specs[n].custom, err) < 0) {
                        n++;
                        goto fail;
                }
                json_array_append_new(added, json_pack("{s:s, s:s, s:I}", "path", paths[n], "sha256", imgs[i].sha256,
                                                       "length", (json_int_t) imgs[i].length));
        }
        /* Above the served targets version too: when the files are ahead of
         * the database (restored from a backup), a device may have seen
         * repo.targets_version + 1 with other content. */
        struct repo_served served;
        repo_served_read(c, r.product_model, &served);
        int64_t version = (served.targets > repo.targets_version ? served.targets : repo.targets_version) + 1;
        signed_obj = tuf_build_targets(version, now + ota_targets_expiry(c), specs, n, err);
        if (!signed_obj)
                goto fail;
        doc = tuf_metadata_wrap(signed_obj);
        text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
        if (!text) {
                error_set(err, ERROR_INTERNAL, "targets metadata cannot be written as JSON");
                goto fail;
        }
        bool was_signed = r.status == STORE_RELEASE_SIGNED;
        free(r.targets_metadata);
        r.targets_metadata = steal_ptr(text);
        r.targets_version = version;
        r.targets_base_version = repo.targets_version;
        r.prepared_at = now;
        r.status = STORE_RELEASE_DRAFT;
        r.signed_at = 0;
        if (store_release_update(s, &r, err) < 0)
                goto fail;
        object_name(object, sizeof(object), r.id);
        {
                _cleanup_json_ json_t *details = json_pack(
                        "{s:I, s:I, s:I, s:O, s:b}", "targets_version", (json_int_t) r.targets_version, "base_version",
                        (json_int_t) r.targets_base_version, "targets", (json_int_t) n, "added", added,
                        "signatures_dropped", was_signed);
                if (audit_append(s, a, "release.prepare", object, details, err) < 0)
                        goto fail;
        }
        if (view_out(s, &r, &repo, out, err) < 0)
                goto fail;
        store_release_images_free(imgs, n_imgs);
        store_repo_targets_free(pub, n_pub);
        specs_free(specs, paths, n);
        if (store_tx_commit(s, err) < 0) {
                json_decref(steal_ptr(*out));
                return -1;
        }
        return 0;
fail:
        store_release_images_free(imgs, n_imgs);
        store_repo_targets_free(pub, n_pub);
        specs_free(specs, paths, n);
        store_tx_rollback(s);
        return -1;
}

/* ---- read ---- */

static int load_prepared(struct store *s, int64_t release_id, struct store_release *r, struct store_repo *repo,
                         struct error *err) {
        if (store_release_get(s, release_id, r, err) < 0)
                return -1;
        if (!r->targets_metadata)
                return error_set(err, ERROR_CONFLICT,
                                 "release %s of %s has no prepared targets metadata%s", r->version, r->product_model,
                                 r->status == STORE_RELEASE_DRAFT ? " (prepare it first: POST "
                                                                    "/api/v1/releases/{id}/prepare)"
                                                                  : "");
        return store_repo_get(s, r->product_id, repo, err);
}

int repo_release_targets_metadata(const struct ota_ctx *c, int64_t release_id, json_t **out, struct error *err) {
        *out = NULL;
        _cleanup_release_row_ struct store_release r = {0};
        _cleanup_repo_row_ struct store_repo repo = {0};
        if (load_prepared(c->store, release_id, &r, &repo, err) < 0)
                return -1;
        return view_out(c->store, &r, &repo, out, err);
}

/* ---- signatures ---- */

static bool hex_string(const char *s, size_t min, size_t max) {
        size_t n = s ? strlen(s) : 0;
        if (n < min || n > max)
                return false;
        for (size_t i = 0; i < n; i++)
                if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') || (s[i] >= 'A' && s[i] <= 'F')))
                        return false;
        return true;
}

int repo_release_sign(const struct ota_ctx *c, const struct audit_actor *a, int64_t release_id, json_t *body,
                      json_t **out, struct error *err) {
        *out = NULL;
        static const struct cr_json_field fields[] = {
                { "keyid", CR_JSON_STRING, true, 64, false },
                { "sig", CR_JSON_STRING, true, TUF_SIG_HEX_MAX, false },
        };
        if (cr_json_check_object("signature", body, fields, ELEMENTSOF(fields), err) < 0)
                return -1;
        const char *keyid = cr_json_get_string(body, "keyid");
        const char *sig = cr_json_get_string(body, "sig");
        if (!hex_string(keyid, 64, 64))
                return error_set(err, ERROR_INVALID, "keyid: expected 64 hex digits (a TUF keyid)");
        if (!hex_string(sig, 2, TUF_SIG_HEX_MAX))
                return error_set(err, ERROR_INVALID, "sig: expected a hex signature");
        struct store *s = c->store;
        if (store_tx_begin(s, err) < 0)
                return -1;
        _cleanup_release_row_ struct store_release r = {0};
        _cleanup_repo_row_ struct store_repo repo = {0};
        _cleanup_tuf_metadata_ struct tuf_metadata *root = NULL, *md = NULL;
        _cleanup_json_ json_t *doc = NULL;
        _cleanup_free_ char *text = NULL;
        struct tuf_verify_result vr = {0};
        bool now_signed = false;
        char object[48];
        if (load_prepared(s, release_id, &r, &repo, err) < 0)
                goto fail;
        if (r.status != STORE_RELEASE_DRAFT && r.status != STORE_RELEASE_SIGNED) {
                error_set(err, ERROR_CONFLICT, "release %s of %s is %s; signatures are collected before publication",
                          r.version, r.product_model, store_release_status_name(r.status));
                goto fail;
        }
        if (repo_root_load(s, repo.product_id, repo.root_version, &root, err) < 0)
                goto fail;
        doc = json_loads(r.targets_metadata, 0, NULL);
        if (!doc) {
                error_set(err, ERROR_DB, "release %lld: its targets metadata is not JSON", (long long) r.id);
                goto fail;
        }
        {
                char lower[65];
                for (size_t i = 0; i < 64; i++)
                        lower[i] = (char) (keyid[i] >= 'A' && keyid[i] <= 'F' ? keyid[i] - 'A' + 'a' : keyid[i]);
                lower[64] = '\0';
                struct error e = {0};
                if (tuf_sign_add_external_for_role(doc, root, TUF_ROLE_TARGETS, lower, sig, &e) < 0) {
                        /* The caller is authenticated; what is wrong is the
                         * signature it brought: 400 (or 409 for a second one). */
                        error_set(err, e.kind == ERROR_CONFLICT ? ERROR_CONFLICT : ERROR_INVALID,
                                  "signature refused: %s%s", e.msg,
                                  e.kind == ERROR_UNAUTHENTICATED
                                          ? " (sign the current prepared metadata: GET "
                                            "/api/v1/releases/{id}/targets-metadata)"
                                          : "");
                        goto fail;
                }
        }
        if (tuf_metadata_from_json("targets", doc, TUF_ROLE_TARGETS, &md, err) < 0)
                goto fail;
        now_signed = tuf_verify_role(root, TUF_ROLE_TARGETS, md, &vr, NULL) == 0;
        text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
        if (!text) {
                error_set(err, ERROR_INTERNAL, "targets metadata cannot be written as JSON");
                goto fail;
        }
        free(r.targets_metadata);
        r.targets_metadata = steal_ptr(text);
        bool transition = now_signed && r.status == STORE_RELEASE_DRAFT;
        if (transition) {
                r.status = STORE_RELEASE_SIGNED;
                r.signed_at = ota_now(c);
        }
        if (store_release_update(s, &r, err) < 0)
                goto fail;
        object_name(object, sizeof(object), r.id);
        {
                _cleanup_json_ json_t *details = json_pack("{s:I, s:s, s:I, s:I}", "targets_version",
                                                           (json_int_t) r.targets_version, "keyid", md ? keyid : "",
                                                           "valid", (json_int_t) vr.valid, "threshold",
                                                           (json_int_t) vr.threshold);
                if (audit_append(s, a, "release.signature", object, details, err) < 0)
                        goto fail;
                if (transition && audit_append(s, a, "release.signed", object, details, err) < 0)
                        goto fail;
        }
        if (view_out(s, &r, &repo, out, err) < 0)
                goto fail;
        if (store_tx_commit(s, err) < 0) {
                json_decref(steal_ptr(*out));
                return -1;
        }
        return 0;
fail:
        store_tx_rollback(s);
        return -1;
}

/* ---- publish ---- */

/* A targets version a device may have seen is never served again with other
 * content. In this cradled a version is served only after its commit, so
 * this refuses only when the files are ahead of the database (restored from
 * a backup, or a publication whose commit failed under an older cradled).
 * An unserved <N>.targets.json left by a failed commit may be replaced. */
static int targets_version_served(const struct ota_ctx *c, const struct store_release *r, const char *name,
                                  const char *bytes, size_t len, struct error *err) {
        struct repo_served served;
        repo_served_read(c, r->product_model, &served);
        if (served.targets < r->targets_version)
                return 0;
        if (served.targets == r->targets_version) {
                _cleanup_free_ char *dir = repo_dir(c->data_dir, r->product_model);
                _cleanup_free_ char *path = path_join(dir, name);
                _cleanup_free_ char *have = NULL;
                size_t have_len = 0;
                if (file_read_all(path, TUF_METADATA_DEFAULT_MAX, &have, &have_len, NULL) == 0 && have_len == len &&
                    memcmp(have, bytes, len) == 0)
                        return 0;
        }
        return error_set(err, ERROR_CONFLICT,
                         "the repository of %s already serves targets version %lld%s; release %s was prepared as "
                         "version %lld: prepare and sign again",
                         r->product_model, (long long) served.targets,
                         served.targets == r->targets_version ? " with other content" : "", r->version,
                         (long long) r->targets_version);
}


int repo_release_publish(const struct ota_ctx *c, const struct audit_actor *a, int64_t release_id, json_t **out,
                         struct error *err) {
        *out = NULL;
        struct store *s = c->store;
        _cleanup_close_ int lock = -1;
        if (repo_lock(c, &lock, err) < 0 || store_tx_begin(s, err) < 0)
                return -1;
        _cleanup_release_row_ struct store_release r = {0};
        _cleanup_repo_row_ struct store_repo repo = {0};
        _cleanup_repo_switch_ struct repo_switch sw = {0};
        _cleanup_tuf_metadata_ struct tuf_metadata *root = NULL, *md = NULL;
        _cleanup_json_ json_t *doc = NULL;
        _cleanup_free_ char *bytes = NULL;
        size_t len = 0;
        struct tuf_verify_result vr = {0};
        int64_t now = ota_now(c);
        char object[48], name[64];
        if (load_prepared(s, release_id, &r, &repo, err) < 0)
                goto fail;
        if (r.status != STORE_RELEASE_SIGNED) {
                if (r.status == STORE_RELEASE_DRAFT)
                        error_set(err, ERROR_CONFLICT,
                                  "release %s of %s is a draft: its targets metadata does not have the targets "
                                  "threshold of signatures yet",
                                  r.version, r.product_model);
                else
                        error_set(err, ERROR_CONFLICT, "release %s of %s is %s already", r.version, r.product_model,
                                  store_release_status_name(r.status));
                goto fail;
        }
        if (repo.targets_version != r.targets_base_version) {
                error_set(err, ERROR_CONFLICT,
                          "another publication changed the targets version of %s since release %s was prepared "
                          "(prepared version %lld on top of %lld; the repository is at %lld now): prepare and sign "
                          "again",
                          r.product_model, r.version, (long long) r.targets_version,
                          (long long) r.targets_base_version, (long long) repo.targets_version);
                goto fail;
        }
        if (repo_root_load(s, repo.product_id, repo.root_version, &root, err) < 0)
                goto fail;
        doc = json_loads(r.targets_metadata, 0, NULL);
        if (!doc || tuf_metadata_from_json("targets", doc, TUF_ROLE_TARGETS, &md, err) < 0) {
                if (!doc)
                        error_set(err, ERROR_DB, "release %lld: its targets metadata is not JSON", (long long) r.id);
                goto fail;
        }
        {
                struct error e = {0};
                if (tuf_verify_role(root, TUF_ROLE_TARGETS, md, &vr, &e) < 0) {
                        error_set(err, ERROR_CONFLICT,
                                  "the signatures on release %s no longer meet the targets threshold of root version "
                                  "%lld (%s): prepare and sign again",
                                  r.version, (long long) root->version, e.msg);
                        goto fail;
                }
        }
        if (md->expires <= now) {
                error_set(err, ERROR_CONFLICT, "the prepared targets metadata of release %s expired at %s: prepare and "
                          "sign again", r.version, md->expires_str);
                goto fail;
        }
        /* Stage: targets, N.targets.json and a new snapshot under names no
         * served file refers to yet, timestamp.json under a temp name. Then
         * commit, then switch timestamp.json: until then clients see the
         * previous state, and a failed commit leaves it served. */
        for (size_t i = 0; i < md->n_targets; i++) {
                const struct tuf_target *t = &md->targets[i];
                char hex[SHA256_HEX_LEN];
                hex_encode(t->sha256, SHA256_LEN, hex);
                if (repo_target_link(c, r.product_model, hex, t->path, err) < 0)
                        goto fail;
        }
        bytes = repo_serialize(doc, &len, err);
        if (!bytes)
                goto fail;
        snprintf(name, sizeof(name), "%" PRId64 ".targets.json", r.targets_version);
        if (targets_version_served(c, &r, name, bytes, len, err) < 0 || fault_point("repo.stage.targets", err) < 0 ||
            repo_file_write(c, r.product_model, name, bytes, len, err) < 0)
                goto fail;
        repo.targets_version = r.targets_version;
        repo.targets_expires = md->expires;
        if (repo_sign_online(c, &repo, bytes, len, true, &sw, err) < 0)
                goto fail;
        r.status = STORE_RELEASE_PUBLISHED;
        r.published_at = now;
        if (store_release_update(s, &r, err) < 0 || store_repo_update(s, &repo, err) < 0)
                goto fail;
        object_name(object, sizeof(object), r.id);
        {
                _cleanup_json_ json_t *details = json_pack(
                        "{s:s, s:s, s:I, s:I, s:I, s:I, s:I}", "product", r.product_model, "version", r.version,
                        "security_version", (json_int_t) r.security_version, "targets_version",
                        (json_int_t) repo.targets_version, "snapshot_version", (json_int_t) repo.snapshot_version,
                        "timestamp_version", (json_int_t) repo.timestamp_version, "valid_signatures",
                        (json_int_t) vr.valid);
                if (audit_append(s, a, "release.publish", object, details, err) < 0)
                        goto fail;
        }
        if (release_render(s, &r, out, err) < 0)
                goto fail;
        if (fault_point("repo.publish.commit", err) < 0 || store_tx_commit(s, err) < 0) {
                /* Nothing was switched: the previous state is still served,
                 * the release is still signed, and a retry publishes it. */
                json_decref(steal_ptr(*out));
                goto fail;
        }
        /* Committed: published. A failed switch (the file system) is rolled
         * forward by repo_maintain within a minute; the answer stays honest
         * about the publication, which did happen. */
        {
                struct error se = {0};
                if (fault_point("repo.publish.switch", &se) < 0 || repo_switch_commit(&sw, &se) < 0)
                        log_error("release %s of %s: published, but timestamp.json is not switched yet (repository "
                                  "maintenance retries): %s",
                                  r.version, r.product_model, se.msg);
        }
        return 0;
fail:
        store_tx_rollback(s);
        return -1;
}

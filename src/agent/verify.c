/* SPDX-License-Identifier: Apache-2.0 */
#include "agent/verify.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "crypto/ota-crypt.h"
#include "core/fileio.h"
#include "core/json.h"
#include "core/log.h"
#include "core/strutil.h"
#include "core/time.h"
#include "crypto/encoding.h"
#include "agent/rootcheck.h"
#include "tuf/client.h"
#include "tuf/keysep.h"
#include "tuf/verify.h"

void agent_update_clear(struct agent_update *u) {
        free(u->url);
        memset(u, 0, sizeof(*u));
}

/* ---- cross-check ----------------------------------------------------------- */

static const char *custom_str(const struct tuf_target *t, const char *key) {
        return t->custom ? cr_json_get_string(t->custom, key) : NULL;
}

static void safe_copy(char *out, size_t size, const char *s) {
        str_sanitize(s ? s : "", s ? strlen(s) : 0, out, size);
}

/* An encrypted image (docs/ota.md, "Encrypted payloads"): the image
 * repository's custom "encryption" (signed by the offline targets keys) gives
 * the scheme and the plaintext's length and SHA-256; the director repeats it
 * and adds this device's wrapped content key ("encryption_key"). Fills the
 * plain fields of *out; a plain image leaves them empty. */
static int cross_check_encryption(const struct agent_cross_check_input *in, struct agent_image *out,
                                  struct error *err) {
        const struct tuf_target *d = in->director_target, *im = in->image_target;
        json_t *enc = im->custom ? json_object_get(im->custom, "encryption") : NULL;
        json_t *denc = d->custom ? json_object_get(d->custom, "encryption") : NULL;
        json_t *wk = d->custom ? json_object_get(d->custom, "encryption_key") : NULL;
        if (!enc) {
                if (denc || wk)
                        return error_set(err, ERROR_FORBIDDEN,
                                         "director and image repository disagree on whether '%s' is encrypted",
                                         d->path);
                return 0;
        }
        static const struct cr_json_field fields[] = {
                { "scheme", CR_JSON_STRING, true, 64, false },
                { "plaintext_sha256", CR_JSON_STRING, true, 64, false },
                { "plaintext_length", CR_JSON_INTEGER, true, 0, false },
                { "chunk_size", CR_JSON_INTEGER, true, 0, false },
        };
        if (cr_json_check_object("image repository custom 'encryption'", enc, fields, ELEMENTSOF(fields), err) < 0)
                return error_prefix(err, "'%s': ", d->path);
        if (!str_eq(json_string_value(json_object_get(enc, "scheme")), OTA_CRYPT_SCHEME))
                return error_set(err, ERROR_FORBIDDEN, "'%s': encryption scheme is not %s (this agent knows no other)",
                                 d->path, OTA_CRYPT_SCHEME);
        const char *psha = json_string_value(json_object_get(enc, "plaintext_sha256"));
        uint8_t raw[SHA256_LEN];
        struct error e = { 0 };
        if (strlen(psha) != 64 || hex_decode(psha, raw, SHA256_LEN, &e) < 0)
                return error_set(err, ERROR_FORBIDDEN, "'%s': encryption plaintext_sha256 is not 64 hex digits",
                                 d->path);
        json_int_t plen = json_integer_value(json_object_get(enc, "plaintext_length"));
        json_int_t csize = json_integer_value(json_object_get(enc, "chunk_size"));
        struct ota_crypt_header h = { .chunk_size = (uint32_t) csize, .plain_length = (uint64_t) plen };
        if (plen < 0 || (uint64_t) plen > OTA_CRYPT_PLAIN_MAX || csize < OTA_CRYPT_CHUNK_MIN ||
            csize > OTA_CRYPT_CHUNK_MAX || (csize & (csize - 1)) != 0 ||
            ota_crypt_file_length(&h) != (uint64_t) d->length)
                return error_set(err, ERROR_FORBIDDEN,
                                 "'%s': the encryption's plaintext length and chunk size do not give the target's "
                                 "%" PRId64 " bytes",
                                 d->path, d->length);
        if (in->max_image_size && (uint64_t) plen > in->max_image_size)
                return error_set(err, ERROR_TOO_LARGE,
                                 "'%s' decrypts to %" JSON_INTEGER_FORMAT " bytes, more than [download] "
                                 "max_image_size %" PRIu64,
                                 d->path, plen, in->max_image_size);
        if (denc && !json_equal(denc, enc))
                return error_set(err, ERROR_FORBIDDEN,
                                 "director and image repository disagree on the encryption of '%s'", d->path);
        if (!json_is_object(wk))
                return error_set(err, ERROR_FORBIDDEN,
                                 "'%s' is encrypted and the director gives no wrapped content key for this device",
                                 d->path);
        _cleanup_free_ char *wk_text = json_dumps(wk, JSON_COMPACT | JSON_SORT_KEYS);
        if (!wk_text || strlen(wk_text) > AGENT_ENCRYPTION_KEY_MAX)
                return error_set(err, ERROR_INVALID, "'%s': the wrapped content key is longer than %d bytes", d->path,
                                 AGENT_ENCRYPTION_KEY_MAX);
        snprintf(out->plain_sha256, sizeof(out->plain_sha256), "%s", psha);
        for (char *p = out->plain_sha256; *p; p++)
                if (*p >= 'A' && *p <= 'F')
                        *p = (char) (*p - 'A' + 'a');
        out->plain_length = plen;
        snprintf(out->encryption_key, sizeof(out->encryption_key), "%s", wk_text);
        return 0;
}

int agent_cross_check(const struct agent_cross_check_input *in, struct agent_image *out, struct error *err) {
        const struct tuf_target *d = in->director_target, *im = in->image_target;
        _cleanup_free_ char *hwid = str_printf("%s/%s", in->model, in->hardware_revision);
        char s1[160], s2[160];
        json_t *sv, *revs, *dsv;
        const char *release, *product, *drelease;
        bool rev_ok = false;
        size_t i;
        json_t *v;

        /* Director: for this device, for this hardware. */
        if (!str_eq(custom_str(d, "serial"), in->serial)) {
                safe_copy(s1, sizeof(s1), custom_str(d, "serial"));
                return error_set(err, ERROR_FORBIDDEN,
                                 "director target '%s' is for device '%s', not this device '%s' (director "
                                 "metadata for another device)",
                                 d->path, s1, in->serial);
        }
        if (!str_eq(custom_str(d, "hardware_id"), hwid)) {
                safe_copy(s1, sizeof(s1), custom_str(d, "hardware_id"));
                return error_set(err, ERROR_FORBIDDEN,
                                 "director target '%s' is for hardware id '%s', this device is '%s' (image for "
                                 "another hardware id)",
                                 d->path, s1, hwid);
        }
        /* Image repository: the same image. */
        if (!im)
                return error_set(err, ERROR_FORBIDDEN,
                                 "the image repository does not list '%s' (director and image repository "
                                 "disagree)",
                                 d->path);
        if (im->length != d->length)
                return error_set(err, ERROR_FORBIDDEN,
                                 "director and image repository disagree on the length of '%s' (%" PRId64
                                 " vs %" PRId64 " bytes)",
                                 d->path, d->length, im->length);
        if (memcmp(im->sha256, d->sha256, SHA256_LEN) != 0)
                return error_set(err, ERROR_FORBIDDEN,
                                 "director and image repository disagree on the SHA-256 of '%s'", d->path);
        /* What the release managers signed (offline keys): product, hardware,
         * security version. */
        product = custom_str(im, "product");
        if (product && !str_eq(product, in->model)) {
                safe_copy(s1, sizeof(s1), product);
                return error_set(err, ERROR_FORBIDDEN,
                                 "'%s' is an image of product '%s', this device is a '%s' (wrong software "
                                 "installation)",
                                 d->path, s1, in->model);
        }
        revs = im->custom ? json_object_get(im->custom, "hardware_revisions") : NULL;
        json_array_foreach(revs, i, v) rev_ok |= str_eq(json_string_value(v), in->hardware_revision);
        if (!rev_ok)
                return error_set(err, ERROR_FORBIDDEN,
                                 "'%s' is not released for hardware revision '%s' (image repository "
                                 "hardware_revisions; wrong software installation)",
                                 d->path, in->hardware_revision);
        sv = im->custom ? json_object_get(im->custom, "security_version") : NULL;
        if (!json_is_integer(sv) || json_integer_value(sv) < 0)
                return error_set(err, ERROR_FORBIDDEN,
                                 "'%s': the image repository gives no security_version (a non-negative integer)",
                                 d->path);
        release = custom_str(im, "release");
        if (!release || !*release || strlen(release) > AGENT_VERSION_MAX)
                return error_set(err, ERROR_FORBIDDEN, "'%s': the image repository gives no release version",
                                 d->path);
        dsv = d->custom ? json_object_get(d->custom, "security_version") : NULL;
        if (dsv && !(json_is_integer(dsv) && json_integer_value(dsv) == json_integer_value(sv)))
                return error_set(err, ERROR_FORBIDDEN,
                                 "director and image repository disagree on the security version of '%s'",
                                 d->path);
        drelease = custom_str(d, "release");
        if (drelease && strcmp(drelease, release) != 0) {
                safe_copy(s1, sizeof(s1), drelease);
                safe_copy(s2, sizeof(s2), release);
                return error_set(err, ERROR_FORBIDDEN,
                                 "director and image repository disagree on the release of '%s' ('%s' vs '%s')",
                                 d->path, s1, s2);
        }
        if (json_integer_value(sv) < in->floor)
                return error_set(err, ERROR_FORBIDDEN,
                                 "'%s' has security version %" JSON_INTEGER_FORMAT
                                 ", below this device's floor %" PRId64 " (rollback attack?)",
                                 d->path, json_integer_value(sv), in->floor);
        if (in->max_image_size && (uint64_t) d->length > in->max_image_size)
                return error_set(err, ERROR_TOO_LARGE,
                                 "'%s' is %" PRId64 " bytes, more than [download] max_image_size %" PRIu64,
                                 d->path, d->length, in->max_image_size);
        if (strlen(d->path) > AGENT_TARGET_PATH_MAX)
                return error_set(err, ERROR_INVALID, "target path longer than %d bytes", AGENT_TARGET_PATH_MAX);

        memset(out, 0, sizeof(*out));
        if (cross_check_encryption(in, out, err) < 0)
                return -1;
        snprintf(out->version, sizeof(out->version), "%s", release);
        out->security_version = json_integer_value(sv);
        snprintf(out->path, sizeof(out->path), "%s", d->path);
        out->length = d->length;
        hex_encode(d->sha256, SHA256_LEN, out->sha256);
        return 0;
}

int agent_director_pick(const struct tuf_metadata *targets, const char *image_name,
                        const struct tuf_target **out, struct error *err) {
        const struct tuf_target *found = NULL;

        *out = NULL;
        if (targets->n_targets == 0)
                return 0;
        if (!image_name || !*image_name) {
                if (targets->n_targets > 1)
                        return error_set(err, ERROR_INVALID,
                                         "the director assigns %zu images; set [install] image to the one "
                                         "this device installs",
                                         targets->n_targets);
                *out = &targets->targets[0];
                return 0;
        }
        for (size_t i = 0; i < targets->n_targets; i++) {
                const char *slash = strrchr(targets->targets[i].path, '/');
                const char *name = slash ? slash + 1 : targets->targets[i].path;
                if (strcmp(name, image_name) == 0) {
                        if (found)
                                return error_set(err, ERROR_INVALID, "the director lists two images named '%s'",
                                                 image_name);
                        found = &targets->targets[i];
                }
        }
        if (!found)
                return error_set(err, ERROR_NOT_FOUND,
                                 "the director's assignment has no image named '%s' ([install] image)",
                                 image_name);
        *out = found;
        return 0;
}

/* ---- director -------------------------------------------------------------- */

static int load_root(const char *path, struct tuf_metadata **out, struct error *err) {
        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        _cleanup_tuf_metadata_ struct tuf_metadata *md = NULL;

        if (file_read_all(path, AGENT_DIRECTOR_ROOT_MAX, &data, &len, err) < 0)
                return -1;
        if (tuf_metadata_parse("director root.json", data, len, AGENT_DIRECTOR_ROOT_MAX, TUF_ROLE_ROOT, &md,
                               err) < 0)
                return -1;
        if (tuf_verify_role(md, TUF_ROLE_ROOT, md, NULL, err) < 0)
                return error_prefix(err, "director root.json: ");
        *out = steal_ptr(md);
        return 0;
}

int agent_director_refresh(const struct tuf_fetcher *f, const char *store_dir, const char *trusted_root_file,
                           size_t targets_max, int64_t now, int64_t *min_version,
                           const struct agent_root_rules *rules, struct tuf_metadata **root_out,
                           struct tuf_metadata **out, struct error *err) {
        _cleanup_free_ char *root_path = path_join(store_dir, "root.json");
        _cleanup_free_ char *targets_path = path_join(store_dir, "targets.json");
        _cleanup_tuf_metadata_ struct tuf_metadata *root = NULL, *targets = NULL;
        _cleanup_free_ char *tbytes = NULL;
        size_t tlen = 0;
        int64_t baseline = *min_version;

        if (now == 0)
                now = time_now();
        if (dir_create(store_dir, 0700, err) < 0)
                return -1;
        if (!file_exists(root_path)) {
                _cleanup_free_ char *data = NULL;
                size_t len = 0;
                if (file_read_all(trusted_root_file, AGENT_DIRECTOR_ROOT_MAX, &data, &len, err) < 0)
                        return error_prefix(err, "[trust] director_root: ");
                if (tuf_client_store_init(store_dir, data, len, err) < 0)
                        return error_prefix(err, "[trust] director_root: ");
        }
        if (load_root(root_path, &root, err) < 0)
                return -1;

        /* The stored targets are the replay baseline while they verify
         * with the current root (after a key rotation they do not). */
        {
                _cleanup_free_ char *data = NULL;
                size_t len = 0;
                _cleanup_tuf_metadata_ struct tuf_metadata *old = NULL;
                if (file_read_all(targets_path, targets_max, &data, &len, NULL) == 0 &&
                    tuf_metadata_parse("stored director targets.json", data, len, targets_max, TUF_ROLE_TARGETS,
                                       &old, NULL) == 0 &&
                    tuf_verify_role(root, TUF_ROLE_TARGETS, old, NULL, NULL) == 0 && old->version > baseline)
                        baseline = old->version;
        }

        /* Root chain. */
        for (unsigned i = 0;; i++) {
                _cleanup_free_ char *name = str_printf("%" PRId64 ".root.json", root->version + 1);
                _cleanup_free_ char *data = NULL;
                _cleanup_tuf_metadata_ struct tuf_metadata *next = NULL;
                struct error ferr = { 0 };
                size_t len = 0;

                if (i >= AGENT_DIRECTOR_MAX_ROTATIONS)
                        return error_set(err, ERROR_INVALID,
                                         "director: more than %d root rotations in one refresh (endless data?)",
                                         AGENT_DIRECTOR_MAX_ROTATIONS);
                if (f->fetch(f->ud, name, AGENT_DIRECTOR_ROOT_MAX, &data, &len, &ferr) < 0) {
                        if (ferr.kind == ERROR_NOT_FOUND)
                                break;
                        *err = ferr;
                        return error_prefix(err, "director %s: ", name);
                }
                if (tuf_metadata_parse(name, data, len, AGENT_DIRECTOR_ROOT_MAX, TUF_ROLE_ROOT, &next, err) < 0)
                        return error_prefix(err, "director: ");
                if (tuf_verify_role(root, TUF_ROLE_ROOT, next, NULL, err) < 0)
                        return error_prefix(err, "director %s (not signed by the trusted root's threshold): ",
                                            name);
                if (tuf_verify_role(next, TUF_ROLE_ROOT, next, NULL, err) < 0)
                        return error_prefix(err, "director %s (not signed by its own threshold): ", name);
                if (next->version != root->version + 1)
                        return error_set(err, ERROR_INVALID,
                                         "director %s has version %" PRId64 ", expected %" PRId64
                                         " (rollback or fast-forward)",
                                         name, next->version, root->version + 1);
                /* Key separation from the image repository, before the new
                 * root is stored: a refused rotation changes nothing. */
                if (rules && agent_root_check(rules, name, root, next, err) < 0)
                        return -1;
                if (file_write_atomic(root_path, data, len, 0600, err) < 0)
                        return -1;
                if (!tuf_root_role_equal(root, next, TUF_ROLE_TARGETS)) {
                        /* New targets keys: the old baseline may come from a
                         * compromised key (fast-forward recovery). */
                        unlink(targets_path);
                        baseline = 0;
                }
                tuf_metadata_free(root);
                root = steal_ptr(next);
        }
        if (root->expires <= now)
                return error_set(err, ERROR_INVALID, "director root.json expired at %s (freeze attack?)",
                                 root->expires_str);
        /* The trusted root itself, rotated or not: this is what catches a
         * device installed with roots that already share a key. */
        if (rules && agent_root_check(rules, "root.json", NULL, root, err) < 0)
                return -1;

        /* Targets. */
        {
                struct error ferr = { 0 };
                if (f->fetch(f->ud, "targets.json", targets_max, &tbytes, &tlen, &ferr) < 0) {
                        *err = ferr;
                        return error_prefix(err, "director targets.json: ");
                }
        }
        if (tuf_metadata_parse("director targets.json", tbytes, tlen, targets_max, TUF_ROLE_TARGETS, &targets,
                               err) < 0)
                return -1;
        if (tuf_verify_role(root, TUF_ROLE_TARGETS, targets, NULL, err) < 0)
                return error_prefix(err, "director targets.json: ");
        if (targets->version < baseline)
                return error_set(err, ERROR_INVALID,
                                 "director targets.json version %" PRId64
                                 " is lower than the trusted version %" PRId64 " (replayed director metadata)",
                                 targets->version, baseline);
        if (targets->expires <= now)
                return error_set(err, ERROR_INVALID,
                                 "director targets.json expired at %s (replayed or frozen director metadata)",
                                 targets->expires_str);
        if (file_write_atomic(targets_path, tbytes, tlen, 0600, err) < 0)
                return -1;
        *min_version = targets->version;
        *out = steal_ptr(targets);
        if (root_out)
                *root_out = steal_ptr(root);
        return 0;
}

/* ---- both -------------------------------------------------------------------- */

int agent_verify_update(const struct agent_config *cfg, struct agent_http *http, struct agent_state *st,
                        struct agent_update *out, struct error *err) {
        _cleanup_free_ char *image_store = path_join(cfg->state_dir, "image-repo");
        _cleanup_free_ char *director_store = path_join(cfg->state_dir, "director");
        _cleanup_free_ char *repo_url = str_printf("%s/repo/%s/", cfg->server_url, cfg->model);
        _cleanup_free_ char *director_url = str_printf("%s/device/v1/director/", cfg->server_url);
        _cleanup_free_ char *image_repository = str_printf(TUF_ROOT_REPOSITORY_IMAGE_PREFIX "%s", cfg->model);
        _cleanup_tuf_metadata_ struct tuf_metadata *dtargets = NULL, *droot = NULL;
        _cleanup_tuf_client_ struct tuf_client *client = NULL;
        struct agent_http_fetcher repo_f = { http, repo_url }, dir_f = { http, director_url };
        struct tuf_fetcher director_fetcher = agent_http_fetcher(&dir_f);
        const struct tuf_target *dt = NULL, *it = NULL;
        struct agent_cross_check_input in;
        struct error lerr = { 0 };
        int64_t dversion = st->director_version;
        _cleanup_free_ char *name = NULL;
        /* Each repository's roots are checked against the other's trusted
         * root (agent/rootcheck.h); `other` is filled in as they load. */
        struct agent_root_rules image_rules = {
                .side = "image repository", .repository = image_repository,
                .offline_roles = TUF_IMAGE_OFFLINE_ROLES, .other_side = "director",
        };
        struct agent_root_rules director_rules = {
                .side = "director", .repository = TUF_ROOT_REPOSITORY_DIRECTOR,
                .offline_roles = TUF_DIRECTOR_OFFLINE_ROLES, .other_side = "image repository",
        };

        memset(out, 0, sizeof(*out));
        /* The image repository's trusted root first (installed from [trust]
         * image_root on the first run): the director's roots are checked
         * against it. */
        if (dir_create(image_store, 0700, err) < 0)
                return -1;
        {
                _cleanup_free_ char *root_path = path_join(image_store, "root.json");
                if (!file_exists(root_path)) {
                        _cleanup_free_ char *data = NULL;
                        size_t len = 0;
                        if (file_read_all(cfg->image_root, 512 * 1024, &data, &len, err) < 0)
                                return error_prefix(err, "[trust] image_root: ");
                        if (tuf_client_store_init(image_store, data, len, err) < 0)
                                return error_prefix(err, "[trust] image_root: ");
                }
        }
        struct tuf_client_config tc = {
                .store_dir = image_store,
                .metadata = agent_http_fetcher(&repo_f),
                .snapshot_max_len = (size_t) cfg->max_metadata_size,
                .targets_max_len = (size_t) cfg->max_metadata_size,
                .root_check = agent_root_check_hook,
                .root_check_ud = &image_rules,
        };
        if (tuf_client_new(&tc, &client, err) < 0)
                return error_prefix(err, "image repository: ");
        director_rules.other = tuf_client_trusted(client, TUF_ROLE_ROOT);

        /* Director next: it says whether there is anything to do. */
        if (agent_director_refresh(&director_fetcher, director_store, cfg->director_root,
                                   (size_t) cfg->max_metadata_size, 0, &dversion, &director_rules, &droot,
                                   &dtargets, err) < 0)
                return -1;
        out->director_version = dversion;
        if (agent_director_pick(dtargets, cfg->image_name, &dt, err) < 0)
                return -1;
        if (!dt)
                return 0;

        /* The image repository: its trusted root as it is, then every new
         * root of its chain (the hook), against the director's root. */
        image_rules.other = droot;
        if (agent_root_check(&image_rules, "root.json", NULL, tuf_client_trusted(client, TUF_ROLE_ROOT), err) < 0)
                return -1;
        if (tuf_client_refresh(client, err) < 0)
                return error_prefix(err, "image repository: ");
        if (tuf_client_find_target(client, dt->path, &it, &lerr) < 0) {
                if (lerr.kind != ERROR_NOT_FOUND) {
                        *err = lerr;
                        return -1;
                }
                it = NULL;
        }
        in = (struct agent_cross_check_input) {
                .serial = cfg->serial,
                .model = cfg->model,
                .hardware_revision = cfg->hardware_revision,
                .floor = st->floor,
                .max_image_size = cfg->max_image_size,
                .director_target = dt,
                .image_target = it,
        };
        if (agent_cross_check(&in, &out->image, err) < 0)
                return -1;
        name = tuf_client_target_name(client, it);
        out->url = str_printf("%stargets/%s", repo_url, name);
        out->available = true;
        return 0;
}

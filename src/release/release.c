/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Releases: creation with the anti-rollback rule, images and SBOMs from
 * streamed uploads, withdrawal, and the Art. 13(9) retention of published
 * files. The signing flow (prepare, signatures, publish) is repo/repo.h's,
 * because it is about the repository's metadata.
 */
#include "release/release.h"
#include "release/encrypt.h"
#include "keys/keys.h"
#include "crypto/ct.h"
#include "sbom/ingest.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/fileio.h"
#include "core/json.h"
#include "core/log.h"
#include "core/strutil.h"
#include "core/time.h"
#include "crypto/encoding.h"
#include "release/image-store.h"
#include "store/store-identity.h"

int64_t ota_now(const struct ota_ctx *c) {
        return c->now ? c->now : time_now();
}

int64_t ota_targets_expiry(const struct ota_ctx *c) {
        return c->cfg && c->cfg->targets_expiry > 0 ? c->cfg->targets_expiry : OTA_TARGETS_EXPIRY_DEFAULT;
}

int64_t ota_snapshot_expiry(const struct ota_ctx *c) {
        return c->cfg && c->cfg->snapshot_expiry > 0 ? c->cfg->snapshot_expiry : OTA_SNAPSHOT_EXPIRY_DEFAULT;
}

int64_t ota_timestamp_expiry(const struct ota_ctx *c) {
        return c->cfg && c->cfg->timestamp_expiry > 0 ? c->cfg->timestamp_expiry : OTA_TIMESTAMP_EXPIRY_DEFAULT;
}

static json_t *time_json(int64_t t) {
        if (t == 0)
                return json_null();
        char buf[TIME_RFC3339_LEN];
        time_format_rfc3339(t, buf);
        return json_string(buf);
}

static json_t *str_json(const char *s) {
        return s ? json_string(s) : json_null();
}

static bool name_char(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
               c == '-';
}

int release_version_check(const char *field, const char *version, struct error *err) {
        size_t n = version ? strlen(version) : 0;
        bool ok = n >= 1 && n <= RELEASE_VERSION_MAX && version[0] != '.';
        for (size_t i = 0; ok && i < n; i++)
                ok = name_char(version[i]) || version[i] == '+';
        if (!ok) {
                char safe[80];
                str_sanitize(version ? version : "", n, safe, sizeof(safe));
                return error_set(err, ERROR_INVALID,
                                 "%s: '%s' must be 1..%d characters of A-Z a-z 0-9 . _ + - and not start with "
                                 "'.' (it names the release's directory of targets)",
                                 field, safe, RELEASE_VERSION_MAX);
        }
        return 0;
}

int64_t release_retain_until(int64_t published_at, const char *support_end) {
        if (published_at == 0)
                return 0;
        int64_t until = time_add_years(published_at, OTA_RETENTION_YEARS);
        int64_t end;
        /* The support period includes its last day. */
        if (support_end && time_parse_date(support_end, &end, NULL) == 0 && end + 86400 > until)
                until = end + 86400;
        return until;
}

/* The targets threshold of the product's current root; 0 when there is none. */
static unsigned targets_threshold(struct store *s, int64_t product_id) {
        struct store_repo repo;
        if (store_repo_get(s, product_id, &repo, NULL) < 0)
                return 0;
        _cleanup_free_ char *doc = NULL;
        int64_t version = repo.root_version;
        store_repo_clear(&repo);
        if (store_repo_root_get(s, product_id, version, &doc, NULL) < 0)
                return 0;
        _cleanup_json_ json_t *j = json_loads(doc, 0, NULL);
        json_t *t = json_object_get(json_object_get(json_object_get(json_object_get(j, "signed"), "roles"), "targets"),
                                    "threshold");
        return json_is_integer(t) ? (unsigned) json_integer_value(t) : 0;
}

static int support_end_of(struct store *s, int64_t product_id, char **out, struct error *err);

int release_render(struct store *s, const struct store_release *r, json_t **out, struct error *err) {
        *out = NULL;
        struct store_release_image *imgs = NULL;
        size_t n = 0;
        if (store_release_images(s, r->id, &imgs, &n, err) < 0)
                return -1;
        json_t *images = json_array();
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *target = str_printf("%s/%s", r->version, imgs[i].name);
                json_t *im = json_pack("{s:s, s:s, s:I, s:s}", "name", imgs[i].name, "sha256", imgs[i].sha256,
                                       "length", (json_int_t) imgs[i].length, "target", target);
                /* An encrypted image: what the signed custom will say. */
                struct store_image_encryption enc;
                bool found = false;
                if (store_image_encryption_get(s, imgs[i].sha256, &enc, &found, err) < 0) {
                        json_decref(im);
                        json_decref(images);
                        store_release_images_free(imgs, n);
                        return -1;
                }
                if (found)
                        json_object_set_new(im, "encryption", release_encryption_custom(&enc));
                store_image_encryption_clear(&enc);
                json_array_append_new(images, im);
        }
        store_release_images_free(imgs, n);

        json_t *sbom = json_null();
        if (r->sbom_sha256) {
                struct store_image im;
                int64_t len = 0;
                if (store_image_get(s, r->sbom_sha256, &im, NULL) == 0)
                        len = im.length;
                json_decref(sbom);
                sbom = json_pack("{s:s, s:I, s:o}", "sha256", r->sbom_sha256, "length", (json_int_t) len,
                                 "media_type", str_json(r->sbom_media_type));
        }
        json_t *targets = json_null();
        if (r->targets_metadata) {
                _cleanup_json_ json_t *doc = json_loads(r->targets_metadata, 0, NULL);
                json_decref(targets);
                targets = json_pack("{s:I, s:I, s:I, s:I}", "version", (json_int_t) r->targets_version,
                                    "base_version", (json_int_t) r->targets_base_version, "signatures",
                                    (json_int_t) json_array_size(json_object_get(doc, "signatures")), "threshold",
                                    (json_int_t) targets_threshold(s, r->product_id));
        }
        json_t *hw = json_loads(r->hardware_revisions, 0, NULL);
        if (!hw)
                hw = json_array();
        json_t *retain = json_null();
        if (r->published_at) {
                _cleanup_free_ char *support_end = NULL;
                if (support_end_of(s, r->product_id, &support_end, NULL) == 0) {
                        json_decref(retain);
                        retain = time_json(release_retain_until(r->published_at, support_end));
                }
        }
        *out = json_pack("{s:I, s:s, s:s, s:I, s:o, s:s, s:s, s:o, s:o, s:o, s:o, s:s, s:o, s:o, s:o, s:o, s:o, "
                         "s:o}",
                         "id", (json_int_t) r->id, "product", r->product_model, "version", r->version,
                         "security_version", (json_int_t) r->security_version, "hardware_revisions", hw, "notes",
                         r->notes, "status", store_release_status_name(r->status), "images", images, "sbom", sbom,
                         "targets", targets, "created_at", time_json(r->created_at), "created_by", r->created_by,
                         "prepared_at", time_json(r->prepared_at), "signed_at", time_json(r->signed_at),
                         "published_at", time_json(r->published_at), "withdrawn_at", time_json(r->withdrawn_at),
                         "withdraw_reason", str_json(r->withdraw_reason), "retain_until", retain);
        if (!*out)
                return error_set(err, ERROR_INTERNAL, "release %lld cannot be rendered as JSON", (long long) r->id);
        return 0;
}

static int render_by_id(struct store *s, int64_t id, json_t **out, struct error *err) {
        _cleanup_release_row_ struct store_release r = {0};
        if (store_release_get(s, id, &r, err) < 0)
                return -1;
        return release_render(s, &r, out, err);
}

static void object_name(char *buf, size_t size, int64_t id) {
        snprintf(buf, size, "release:%lld", (long long) id);
}

/* ---- create ---- */

static bool has_control(const char *s, bool multiline) {
        for (; *s; s++) {
                unsigned char ch = (unsigned char) *s;
                if (multiline && (ch == '\n' || ch == '\r' || ch == '\t'))
                        continue;
                if (ch < 0x20 || ch == 0x7f)
                        return true;
        }
        return false;
}

static int check_hw_revisions(json_t *arr, struct error *err) {
        size_t n = json_array_size(arr);
        if (n == 0)
                return error_set(err, ERROR_INVALID,
                                 "hardware_revisions: at least one compatible hardware revision is required");
        for (size_t i = 0; i < n; i++) {
                const char *v = json_string_value(json_array_get(arr, i));
                size_t len = v ? strlen(v) : 0;
                bool ok = len >= 1 && len <= RELEASE_HW_REVISION_LEN_MAX && v[0] != '.';
                for (size_t k = 0; ok && k < len; k++)
                        ok = name_char(v[k]);
                if (!ok) {
                        char safe[80];
                        str_sanitize(v ? v : "", len, safe, sizeof(safe));
                        return error_set(err, ERROR_INVALID,
                                         "hardware_revisions: '%s' must be 1..%d characters of A-Z a-z 0-9 . _ -",
                                         safe, RELEASE_HW_REVISION_LEN_MAX);
                }
                for (size_t k = 0; k < i; k++)
                        if (str_eq(v, json_string_value(json_array_get(arr, k))))
                                return error_set(err, ERROR_INVALID, "hardware_revisions: '%s' is listed twice", v);
        }
        return 0;
}

int release_create(const struct ota_ctx *c, const struct audit_actor *a, json_t *body, json_t **out,
                   struct error *err) {
        *out = NULL;
        static const struct cr_json_field fields[] = {
                { "product", CR_JSON_STRING, true, 64, false },
                { "version", CR_JSON_STRING, true, 4 * RELEASE_VERSION_MAX, false },
                { "security_version", CR_JSON_INTEGER, true, 0, false },
                { "hardware_revisions", CR_JSON_STRING_ARRAY, true, RELEASE_HW_REVISIONS_MAX, false },
                { "notes", CR_JSON_STRING, false, RELEASE_NOTES_MAX, true },
        };
        if (cr_json_check_object("release", body, fields, ELEMENTSOF(fields), err) < 0)
                return -1;
        const char *model = cr_json_get_string(body, "product");
        const char *version = cr_json_get_string(body, "version");
        json_int_t sv = json_integer_value(json_object_get(body, "security_version"));
        json_t *hw = json_object_get(body, "hardware_revisions");
        const char *notes = cr_json_get_string(body, "notes");
        if (!notes)
                notes = "";
        if (release_version_check("version", version, err) < 0)
                return -1;
        if (sv < 0 || sv > RELEASE_SECURITY_VERSION_MAX)
                return error_set(err, ERROR_INVALID, "security_version: %lld is outside 0..%lld", (long long) sv,
                                 (long long) RELEASE_SECURITY_VERSION_MAX);
        if (check_hw_revisions(hw, err) < 0)
                return -1;
        json_t *notes_json = json_object_get(body, "notes");
        if ((json_is_string(notes_json) && strlen(notes) != json_string_length(notes_json)) ||
            has_control(notes, true))
                return error_set(err, ERROR_INVALID, "notes: contains a control character");

        struct store *s = c->store;
        int64_t product_id;
        if (store_identity_product_by_model(s, model, &product_id, err) < 0)
                return -1;
        _cleanup_free_ char *hw_text = json_dumps(hw, JSON_COMPACT);
        if (store_tx_begin(s, err) < 0)
                return -1;
        _cleanup_release_row_ struct store_release highest = {0};
        _cleanup_json_ json_t *j = NULL, *details = NULL;
        struct error e = {0};
        if (store_release_highest_security(s, product_id, &highest, &e) == 0) {
                if (sv < highest.security_version) {
                        error_set(err, ERROR_INVALID,
                                  "security_version: %lld is lower than %lld of release %s of %s; security "
                                  "versions never go down (devices refuse to install a lower one: anti-rollback)",
                                  (long long) sv, (long long) highest.security_version, highest.version, model);
                        goto fail;
                }
        } else if (e.kind != ERROR_NOT_FOUND) {
                if (err)
                        *err = e;
                goto fail;
        }
        struct store_release row = {
                .product_id = product_id,
                .version = (char *) version,
                .security_version = sv,
                .hardware_revisions = hw_text,
                .notes = (char *) notes,
                .status = STORE_RELEASE_DRAFT,
                .created_at = ota_now(c),
                .created_by = (char *) a->name,
        };
        int64_t id;
        char object[48];
        if (store_release_insert(s, &row, &id, err) < 0) {
                if (err && err->kind == ERROR_CONFLICT)
                        error_set(err, ERROR_CONFLICT, "product %s already has a release %s", model, version);
                goto fail;
        }
        if (render_by_id(s, id, &j, err) < 0)
                goto fail;
        object_name(object, sizeof(object), id);
        details = json_pack("{s:s, s:s, s:I, s:O}", "product", model, "version", version, "security_version",
                            (json_int_t) sv, "hardware_revisions", hw);
        if (audit_append(s, a, "release.create", object, details, err) < 0)
                goto fail;
        if (store_tx_commit(s, err) < 0)
                return -1;
        *out = steal_ptr(j);
        return 0;
fail:
        store_tx_rollback(s);
        return -1;
}

/* ---- read ---- */

int release_get(const struct ota_ctx *c, int64_t id, json_t **out, struct error *err) {
        *out = NULL;
        return render_by_id(c->store, id, out, err);
}

int release_list(const struct ota_ctx *c, const char *product_model, int64_t before, size_t limit, json_t **out,
                 struct error *err) {
        *out = NULL;
        int64_t product_id = 0;
        if (product_model && store_identity_product_by_model(c->store, product_model, &product_id, err) < 0)
                return -1;
        if (limit == 0 || limit > RELEASE_LIST_MAX)
                limit = RELEASE_LIST_MAX;
        struct store_release *list = NULL;
        size_t n = 0;
        /* One more than the page: whether another page follows, without a count. */
        if (store_release_list(c->store, product_id, -1, before, limit + 1, &list, &n, err) < 0)
                return -1;
        bool more = n > limit;
        if (more)
                n = limit;
        json_t *items = json_array();
        for (size_t i = 0; i < n; i++) {
                json_t *j;
                if (release_render(c->store, &list[i], &j, err) < 0) {
                        json_decref(items);
                        store_release_list_free(list, n);
                        return -1;
                }
                json_array_append_new(items, j);
        }
        int64_t next = more ? list[n - 1].id : 0;
        store_release_list_free(list, more ? n + 1 : n);
        *out = json_pack("{s:o, s:o}", "items", items, "next_before_id", next ? json_integer(next) : json_null());
        return 0;
}

/* ---- images and SBOM ---- */

/* Drops prepared metadata (and its signatures): the content it covered changed. */
static bool drop_prepared(struct store_release *r) {
        if (!r->targets_metadata)
                return false;
        free(r->targets_metadata);
        r->targets_metadata = NULL;
        r->targets_version = 0;
        r->targets_base_version = 0;
        r->prepared_at = 0;
        return true;
}

static int check_upload(const struct release_upload *up, const char *what, struct error *err) {
        if (!up || !up->path)
                return error_set(err, ERROR_INVALID, "%s: the request has no body (send the file as the body)", what);
        if (up->length <= 0)
                return error_set(err, ERROR_INVALID, "%s: the body is empty", what);
        return 0;
}


#define STATES_DRAFT (1u << STORE_RELEASE_DRAFT)
#define STATES_SIGNED (1u << STORE_RELEASE_SIGNED)

static int upload_state_check(const struct store_release *r, unsigned states, const char *what,
                              struct error *err) {
        if (states & (1u << r->status))
                return 0;
        return error_set(err, ERROR_CONFLICT, "release %s of %s is %s; %s", r->version, r->product_model,
                         store_release_status_name(r->status), what);
}

/* What image and SBOM uploads share. The release's state is checked before
 * the file is stored (a refusal touches no disk) and again under the write
 * lock; then the file is stored once by hash and a transaction is open with
 * the release row in *r. On success the caller owns the transaction (commit,
 * or store_tx_rollback); on failure nothing is open. */
static int upload_begin(const struct ota_ctx *c, int64_t id, const struct release_upload *up, unsigned states,
                        const char *what, struct store_release *r, char hex[SHA256_HEX_LEN], bool *created,
                        struct error *err) {
        struct store *s = c->store;
        {
                _cleanup_release_row_ struct store_release pre = {0};
                if (store_release_get(s, id, &pre, err) < 0 || upload_state_check(&pre, states, what, err) < 0)
                        return -1;
        }
        hex_encode(up->sha256, SHA256_LEN, hex);
        if (image_store_put(c->data_dir, up->path, hex, up->length, created, err) < 0)
                return -1;
        if (store_tx_begin(s, err) < 0)
                return -1;
        /* Once more under the write lock, where image_sweep removes files
         * whose row is deleted or missing: if a sweep took the file between
         * the put above and here, it is linked again from the upload (cheap
         * when it is there), so the row committed below has its file. */
        if (store_release_get(s, id, r, err) < 0 || upload_state_check(r, states, what, err) < 0 ||
            image_store_put(c->data_dir, up->path, hex, up->length, NULL, err) < 0) {
                store_tx_rollback(s);
                return -1;
        }
        return 0;
}

int release_add_image(const struct ota_ctx *c, const struct audit_actor *a, int64_t id, const char *name,
                      const struct release_upload *up, json_t **out, struct error *err) {
        return release_add_image_opts(c, a, id, name, up, false, out, err);
}

static void unlink_freep(char **p) {
        if (*p) {
                unlink(*p);
                free(*p);
        }
}

int release_add_image_opts(const struct ota_ctx *c, const struct audit_actor *a, int64_t id, const char *name,
                           const struct release_upload *up, bool encrypt, json_t **out, struct error *err) {
        *out = NULL;
        /* Encrypted: the container replaces the plaintext upload from here on
         * (it is the file stored and the TUF target); the plaintext temp file
         * stays the transport's to remove. */
        __attribute__((cleanup(unlink_freep))) char *container_path = NULL;
        struct release_upload container;
        struct ota_crypt_result enc_res;
        uint8_t key[OTA_CRYPT_KEY_LEN];
        _cleanup_free_ char *sealed = NULL;
        if (!image_name_valid(name)) {
                char safe[120];
                str_sanitize(name ? name : "", name ? strlen(name) : 0, safe, sizeof(safe));
                return error_set(err, ERROR_INVALID,
                                 "image name '%s' must be 1..%d characters of A-Z a-z 0-9 . _ - and not start "
                                 "with '.'",
                                 safe, IMAGE_NAME_MAX);
        }
        if (check_upload(up, "image", err) < 0)
                return -1;
        struct store *s = c->store;
        _cleanup_release_row_ struct store_release r = {0};
        _cleanup_json_ json_t *j = NULL, *details = NULL;
        char hex[SHA256_HEX_LEN], object[48];
        bool created = false, replaced = false;
        if (encrypt) {
                _cleanup_release_row_ struct store_release pre = {0};
                if (release_encryption_available(err) < 0 || store_release_get(s, id, &pre, err) < 0 ||
                    upload_state_check(&pre, STATES_DRAFT, "images can be added to a draft only (create a new release)",
                                       err) < 0 ||
                    release_encrypt_upload(c, up, &container, &container_path, key, &enc_res, err) < 0)
                        return -1;
                hex_encode(container.sha256, SHA256_LEN, hex);
                int rs = release_content_key_seal(id, hex, key, &sealed, err);
                ct_wipe(key, sizeof(key));
                if (rs < 0)
                        return -1;
                up = &container;
        }
        if (upload_begin(c, id, up, STATES_DRAFT, "images can be added to a draft only (create a new release)",
                         &r, hex, &created, err) < 0)
                return -1;
        struct store_release_image img = {
                .release_id = id, .name = (char *) name, .length = up->length, .created_at = ota_now(c),
        };
        memcpy(img.sha256, hex, sizeof(img.sha256));
        if (store_image_put(s, hex, up->length, ota_now(c), err) < 0 ||
            store_release_image_put(s, &img, &replaced, err) < 0)
                goto fail;
        if (encrypt) {
                struct store_image_encryption row = {
                        .release_id = id, .scheme = (char *) OTA_CRYPT_SCHEME, .chunk_size = OTA_CRYPT_CHUNK_DEFAULT,
                        .plain_length = (int64_t) enc_res.plain_length, .content_key_sealed = sealed,
                        .created_at = ota_now(c),
                };
                memcpy(row.sha256, hex, sizeof(row.sha256));
                hex_encode(enc_res.plain_sha256, SHA256_LEN, row.plain_sha256);
                if (store_image_encryption_put(s, &row, err) < 0)
                        goto fail;
                /* The key registry lists every content key (class
                 * ota-encryption, stored sealed), identified by the SHA-256
                 * of the container it encrypts: nothing derived from the key. */
                _cleanup_free_ char *purpose =
                        str_printf("content key of image %s of release %s %s", name, r.product_model, r.version);
                const struct keys_new k = {
                        .class = "ota-encryption", .purpose = purpose, .fingerprint = hex,
                        .algorithm = "AES-256-GCM (" OTA_CRYPT_SCHEME ")", .storage = "sealed",
                        .product_id = r.product_id,
                };
                int64_t key_id;
                if (keys_register_as(s, &k, a, &key_id, err) < 0)
                        goto fail;
        }
        bool dropped = drop_prepared(&r);
        if (dropped && store_release_update(s, &r, err) < 0)
                goto fail;
        object_name(object, sizeof(object), id);
        details = json_pack("{s:s, s:s, s:I, s:b, s:b, s:b}", "name", name, "sha256", hex, "length",
                            (json_int_t) up->length, "replaced", replaced, "stored_new_file", created,
                            "prepared_metadata_dropped", dropped);
        if (encrypt) {
                char plain_hex[SHA256_HEX_LEN];
                hex_encode(enc_res.plain_sha256, SHA256_LEN, plain_hex);
                json_object_set_new(details, "encrypted", json_true());
                json_object_set_new(details, "plaintext_sha256", json_string(plain_hex));
                json_object_set_new(details, "plaintext_length", json_integer((json_int_t) enc_res.plain_length));
        }
        if (audit_append(s, a, "release.image", object, details, err) < 0 || render_by_id(s, id, &j, err) < 0)
                goto fail;
        if (store_tx_commit(s, err) < 0)
                return -1;
        *out = steal_ptr(j);
        return 0;
fail:
        store_tx_rollback(s);
        return -1;
}

/* "type/subtype" with RFC 6838 characters, optional parameters kept as given. */
static bool media_type_valid(const char *m) {
        size_t n = m ? strlen(m) : 0;
        if (n < 3 || n > RELEASE_MEDIA_TYPE_MAX)
                return false;
        const char *slash = strchr(m, '/');
        if (!slash || slash == m || !slash[1])
                return false;
        for (const char *p = m; *p; p++)
                if ((unsigned char) *p < 0x20 || (unsigned char) *p >= 0x7f)
                        return false;
        return true;
}

int release_set_sbom(const struct ota_ctx *c, const struct audit_actor *a, int64_t id, const char *media_type,
                     const struct release_upload *up, json_t **out, struct error *err) {
        return release_set_sbom_module(c, a, id, "", media_type, up, out, err);
}

int release_set_sbom_module(const struct ota_ctx *c, const struct audit_actor *a, int64_t id, const char *module,
                            const char *media_type, const struct release_upload *up, json_t **out,
                            struct error *err) {
        *out = NULL;
        if (!module)
                module = "";
        if (!sbom_module_valid(module))
                return error_set(err, ERROR_INVALID, "module: at most %d characters of A-Z a-z 0-9 . _ -",
                                 SBOM_MODULE_MAX);
        if (!media_type || !*media_type)
                media_type = "application/octet-stream";
        if (!media_type_valid(media_type))
                return error_set(err, ERROR_INVALID,
                                 "SBOM: Content-Type must be a media type such as application/vnd.cyclonedx+json "
                                 "or application/spdx+json");
        if (check_upload(up, "SBOM", err) < 0)
                return -1;
        /* Parsed before anything is stored: an SBOM Cradle cannot read is
         * refused with its fault, and no file, row or audit entry remains. */
        _cleanup_sbom_doc_ struct sbom_doc *doc = NULL;
        if (sbom_parse_file(*module ? module : "SBOM", up->path, media_type, &doc, err) < 0)
                return -1;
        struct store *s = c->store;
        _cleanup_release_row_ struct store_release r = {0};
        _cleanup_json_ json_t *j = NULL, *details = NULL, *summary = NULL;
        _cleanup_free_ char *previous = NULL;
        char hex[SHA256_HEX_LEN], object[48];
        bool created = false;
        /* The release's own SBOM (module "") is part of what is signed and
         * published, so it is set until publication; a module's SBOM is
         * documentation and may follow a published release. */
        unsigned states = *module ? STATES_DRAFT | STATES_SIGNED | (1u << STORE_RELEASE_PUBLISHED)
                                  : STATES_DRAFT | STATES_SIGNED;
        if (upload_begin(c, id, up, states,
                         *module ? "a module's SBOM can be added until it is withdrawn"
                                 : "its SBOM can be set until it is published",
                         &r, hex, &created, err) < 0)
                return -1;
        if (store_image_put(s, hex, up->length, ota_now(c), err) < 0)
                goto fail;
        if (!*module) {
                previous = steal_ptr(r.sbom_sha256);
                free(r.sbom_media_type);
                r.sbom_sha256 = str_dup(hex);
                r.sbom_media_type = str_dup(media_type);
                if (store_release_update(s, &r, err) < 0)
                        goto fail;
        }
        bool replace_ok = r.status == STORE_RELEASE_DRAFT || r.status == STORE_RELEASE_SIGNED;
        if (sbom_document_store(s, a, id, module, hex, media_type, doc, ota_now(c), replace_ok, &summary, err) < 0)
                goto fail;
        object_name(object, sizeof(object), id);
        details = json_pack("{s:s, s:I, s:s, s:o, s:s, s:O}", "sha256", hex, "length", (json_int_t) up->length,
                            "media_type", media_type, "replaced", str_json(previous), "module", module, "document",
                            summary);
        if (audit_append(s, a, "release.sbom", object, details, err) < 0 || render_by_id(s, id, &j, err) < 0)
                goto fail;
        json_object_set(j, "sbom_document", summary);
        if (store_tx_commit(s, err) < 0)
                return -1;
        *out = steal_ptr(j);
        return 0;
fail:
        store_tx_rollback(s);
        return -1;
}

/* ---- withdraw ---- */

int release_withdraw(const struct ota_ctx *c, const struct audit_actor *a, int64_t id, const char *reason,
                     json_t **out, struct error *err) {
        *out = NULL;
        size_t n = reason ? strlen(reason) : 0;
        if (n == 0)
                return error_set(err, ERROR_INVALID, "reason: required (why the release is withdrawn)");
        if (n > 4 * RELEASE_WITHDRAW_REASON_MAX || has_control(reason, true))
                return error_set(err, ERROR_INVALID, "reason: at most %d characters, no control characters",
                                 RELEASE_WITHDRAW_REASON_MAX);
        struct store *s = c->store;
        if (store_tx_begin(s, err) < 0)
                return -1;
        _cleanup_release_row_ struct store_release r = {0};
        _cleanup_json_ json_t *j = NULL, *details = NULL;
        char object[48];
        if (store_release_get(s, id, &r, err) < 0)
                goto fail;
        if (r.status != STORE_RELEASE_PUBLISHED) {
                error_set(err, ERROR_CONFLICT,
                          "release %s of %s is %s; only a published release can be withdrawn%s", r.version,
                          r.product_model, store_release_status_name(r.status),
                          r.status == STORE_RELEASE_WITHDRAWN ? " (it is already)"
                                                              : " (one never published is never offered)");
                goto fail;
        }
        r.status = STORE_RELEASE_WITHDRAWN;
        r.withdrawn_at = ota_now(c);
        free(r.withdraw_reason);
        r.withdraw_reason = str_dup(reason);
        if (store_release_update(s, &r, err) < 0)
                goto fail;
        object_name(object, sizeof(object), id);
        details = json_pack("{s:s, s:s, s:s}", "product", r.product_model, "version", r.version, "reason",
                            reason);
        if (audit_append(s, a, "release.withdraw", object, details, err) < 0 || render_by_id(s, id, &j, err) < 0)
                goto fail;
        if (store_tx_commit(s, err) < 0)
                return -1;
        *out = steal_ptr(j);
        return 0;
fail:
        store_tx_rollback(s);
        return -1;
}

/* ---- image deletion and Art. 13(9) ---- */

static int support_end_of(struct store *s, int64_t product_id, char **out, struct error *err) {
        return store_release_support_end(s, product_id, out, err);
}

/* Removes images/<sha256>, and the repository links of the releases that
 * published it, when no live row needs it: no row (an upload whose commit
 * failed) or a deleted one (a deletion that committed). Under the write lock,
 * so it never races an upload, which links the file again under that lock
 * before its row commits (upload_begin). Writes no row. */
static int image_sweep(const struct ota_ctx *c, const char *sha256, bool *removed, struct error *err) {
        struct store *s = c->store;
        *removed = false;
        if (store_tx_begin(s, err) < 0)
                return -1;
        struct store_image im;
        struct error e = {0};
        if (store_image_get(s, sha256, &im, &e) == 0 && im.deleted_at == 0) {
                store_tx_rollback(s);
                return 0;
        }
        if (e.kind != ERROR_NONE && e.kind != ERROR_NOT_FOUND) {
                store_tx_rollback(s);
                if (err)
                        *err = e;
                return -1;
        }
        struct store_image_use *uses = NULL;
        size_t n_uses = 0;
        if (store_image_uses(s, sha256, &uses, &n_uses, err) < 0) {
                store_tx_rollback(s);
                return -1;
        }
        /* Published targets are hard links into the repositories: they go too. */
        for (size_t i = 0; i < n_uses; i++) {
                if (!uses[i].image_name || !uses[i].published_at)
                        continue;
                _cleanup_free_ char *link = str_printf("%s/repo/%s/targets/%s/%s.%s", c->data_dir,
                                                       uses[i].product_model, uses[i].release_version, sha256,
                                                       uses[i].image_name);
                if (unlink(link) < 0 && errno != ENOENT)
                        log_warn("image %s: cannot remove %s: %s", sha256, link, strerror(errno));
        }
        store_image_uses_free(uses, n_uses);
        int rc = image_store_remove(c->data_dir, sha256, err);
        store_tx_rollback(s);
        *removed = rc == 0;
        return rc;
}

int image_reconcile(const struct ota_ctx *c, unsigned *removed, struct error *err) {
        *removed = 0;
        _cleanup_free_ char *dir = path_join(c->data_dir, IMAGE_STORE_DIR);
        DIR *d = opendir(dir);
        if (!d)
                return errno == ENOENT ? 0 : error_set_errno(err, ERROR_IO, errno, "opening %s", dir);
        struct dirent *de;
        int rc = 0;
        while ((de = readdir(d))) {
                if (!image_sha256_hex_valid(de->d_name))
                        continue;
                bool gone = false;
                struct error e = {0};
                if (image_sweep(c, de->d_name, &gone, &e) < 0) {
                        log_warn("image %s: %s", de->d_name, e.msg);
                        rc = -1;
                        if (err)
                                *err = e;
                        continue;
                }
                if (gone) {
                        log_info("image %s: removed (no live row: an upload that did not commit, or a deletion "
                                 "interrupted)", de->d_name);
                        (*removed)++;
                }
        }
        closedir(d);
        return rc;
}

int image_delete(const struct ota_ctx *c, const struct audit_actor *a, const char *sha256, json_t **out,
                 struct error *err) {
        *out = NULL;
        if (!image_sha256_hex_valid(sha256)) {
                char safe[80];
                str_sanitize(sha256 ? sha256 : "", sha256 ? strlen(sha256) : 0, safe, sizeof(safe));
                return error_set(err, ERROR_INVALID, "'%s' is not a SHA-256 (64 lowercase hex digits)", safe);
        }
        struct store *s = c->store;
        int64_t now = ota_now(c);
        if (store_tx_begin(s, err) < 0)
                return -1;
        struct store_image im;
        struct store_image_use *uses = NULL;
        size_t n_uses = 0;
        int64_t drafts = 0;
        char object[80];
        if (store_image_get(s, sha256, &im, err) < 0)
                goto fail;
        if (im.deleted_at) {
                char when[TIME_RFC3339_LEN];
                time_format_rfc3339(im.deleted_at, when);
                error_set(err, ERROR_NOT_FOUND, "image %s was deleted at %s", sha256, when);
                goto fail;
        }
        if (store_image_uses(s, sha256, &uses, &n_uses, err) < 0)
                goto fail;
        for (size_t i = 0; i < n_uses; i++) {
                const struct store_image_use *u = &uses[i];
                const char *what = u->image_name ? "image" : "SBOM";
                if (u->status == STORE_RELEASE_SIGNED) {
                        error_set(err, ERROR_CONFLICT,
                                  "image %s is the %s%s%s of release %s of %s, which is signed and about to be "
                                  "published; it cannot be deleted",
                                  sha256, what, u->image_name ? " " : "", u->image_name ? u->image_name : "",
                                  u->release_version, u->product_model);
                        goto fail_uses;
                }
                if (u->published_at) {
                        int64_t until = release_retain_until(u->published_at, u->support_end);
                        if (now < until) {
                                char pub[TIME_DATE_LEN], day[TIME_DATE_LEN];
                                time_format_date(u->published_at, pub);
                                time_format_date(until, day);
                                error_set(err, ERROR_CONFLICT,
                                          "image %s is the %s%s%s of release %s of %s, published %s; CRA Art. "
                                          "13(9) requires a security update to stay available for at least 10 "
                                          "years after it was issued, or for the rest of the support period "
                                          "(until %s) if that is longer: it may be deleted from %s",
                                          sha256, what, u->image_name ? " " : "",
                                          u->image_name ? u->image_name : "", u->release_version, u->product_model,
                                          pub, u->support_end, day);
                                goto fail_uses;
                        }
                }
        }
        if (store_image_detach_from_drafts(s, sha256, &drafts, err) < 0 ||
            store_image_mark_deleted(s, sha256, now, err) < 0)
                goto fail_uses;
        snprintf(object, sizeof(object), "image:%s", sha256);
        {
                json_t *rels = json_array();
                for (size_t i = 0; i < n_uses; i++)
                        json_array_append_new(rels, json_pack("{s:I, s:s, s:s}", "release",
                                                              (json_int_t) uses[i].release_id, "version",
                                                              uses[i].release_version, "status",
                                                              store_release_status_name(uses[i].status)));
                _cleanup_json_ json_t *details = json_pack("{s:s, s:I, s:o, s:I}", "sha256", sha256, "length",
                                                           (json_int_t) im.length, "releases", rels,
                                                           "drafts_changed", (json_int_t) drafts);
                if (audit_append(s, a, "image.delete", object, details, err) < 0)
                        goto fail_uses;
        }
        if (store_tx_commit(s, err) < 0) {
                store_image_uses_free(uses, n_uses);
                return -1;
        }
        store_image_uses_free(uses, n_uses);
        /* The row says deleted; the file goes after the commit, under the
         * write lock again and only if the row still says so (a crash in
         * between leaves a file image_reconcile removes, never a row without
         * its file). */
        struct error fe = {0};
        bool removed = false;
        if (image_sweep(c, sha256, &removed, &fe) < 0)
                log_warn("image %s: marked deleted but the file stays (removed at the next start): %s", sha256,
                         fe.msg);
        *out = json_pack("{s:s, s:I, s:o, s:I}", "sha256", sha256, "length", (json_int_t) im.length, "deleted_at",
                         time_json(now), "drafts_changed", (json_int_t) drafts);
        return 0;
fail_uses:
        store_image_uses_free(uses, n_uses);
fail:
        store_tx_rollback(s);
        return -1;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* The DDI documents a device reads: base poll, deploymentBase, installedBase, cancelAction; artifacts. */
#include <errno.h>
#include <fcntl.h>
#include <gnutls/crypto.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "core/cleanup.h"
#include "core/strutil.h"
#include "core/time.h"
#include "crypto/encoding.h"
#include "ddi/ddi.h"
#include "director/action.h"
#include "director/director.h"
#include "director/offer.h"
#include "release/image-store.h"
#include "store/store-ddi.h"
#include "store/store-director.h"
#include "store/store-identity.h"

#define DIGEST_CHUNK (64 * 1024)

void ddi_config_defaults(struct ddi_config *c) {
        *c = (struct ddi_config){
                .polling_sleep = DDI_POLLING_SLEEP_DEFAULT,
                .feedback_lines_max = DDI_FEEDBACK_LINES_MAX,
                .feedback_line_max = DDI_FEEDBACK_LINE_MAX,
                .action_feedback_max = DDI_ACTION_FEEDBACK_MAX,
                .action_lines_max = DDI_ACTION_LINES_MAX,
                .config_keys_max = DDI_CONFIG_KEYS_MAX,
                .config_key_max = DDI_CONFIG_KEY_MAX,
                .config_value_max = DDI_CONFIG_VALUE_MAX,
                .config_allow = DDI_CONFIG_ALLOW_DEFAULT,
        };
}

static const struct ddi_config *cfg_of(const struct ddi_ctx *c, struct ddi_config *dflt) {
        if (c->cfg)
                return c->cfg;
        ddi_config_defaults(dflt);
        return dflt;
}

static inline void offer_clearp(struct director_offer *o) { director_offer_clear(o); }
#define _cleanup_offer_ __attribute__((cleanup(offer_clearp)))

/* A path segment, percent-encoded but for RFC 3986 unreserved characters. */
static void append_segment(struct buf *b, const char *seg) {
        for (const unsigned char *p = (const unsigned char *) seg; *p; p++) {
                if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' ||
                    *p == '.' || *p == '_' || *p == '~')
                        buf_append(b, p, 1);
                else
                        buf_appendf(b, "%%%02X", *p);
        }
}

/* <base>/ddi/<tenant>/controller/v1/<serial><suffix> */
static json_t *ddi_link(const struct ddi_ctx *c, const struct store_device *d, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
static json_t *ddi_link(const struct ddi_ctx *c, const struct store_device *d, const char *fmt, ...) {
        struct buf b = {0};
        buf_appendf(&b, "%s/ddi/", c->base_url ? c->base_url : "");
        append_segment(&b, d->product_model ? d->product_model : "");
        buf_appendf(&b, "/controller/v1/");
        append_segment(&b, d->serial);
        char suffix[256];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(suffix, sizeof(suffix), fmt, ap);
        va_end(ap);
        buf_appendf(&b, "%s", suffix);
        _cleanup_free_ char *href = buf_steal(&b);
        return json_pack("{s:s}", "href", href);
}

/* Why an encrypted release is never given to a DDI client: the content key
 * is wrapped per device in the director's signed targets, which only
 * cradle-agent reads; a DDI client would get the container and install it as
 * the image. */
#define DDI_ENCRYPTED_REASON                                                                                   \
        "release %s has encrypted images: hawkBit DDI has no field for the wrapped content key, so encrypted " \
        "releases are for cradle-agent devices (docs/ota.md, \"Encrypted payloads\")"

/* The device's open action is for an encrypted release: closed as rejected
 * (a campaign counts it and may retry), audited as the server's decision. */
static int refuse_encrypted(struct ddi_ctx *c, const struct store_device *d, const struct director_offer *o,
                            int64_t now, struct error *err) {
        char reason[320], object[96];
        snprintf(reason, sizeof(reason), DDI_ENCRYPTED_REASON, o->version);
        snprintf(object, sizeof(object), "device:%s", d->serial);
        static const struct audit_actor ddi_actor = { .name = "system:ddi", .role = "system" };
        int64_t applied = 0;
        if (store_tx_begin(c->store, err) < 0)
                return -1;
        _cleanup_json_ json_t *details = json_pack("{s:I, s:s, s:s}", "action_id", (json_int_t) o->action_id,
                                                   "release", o->version, "reason", reason);
        if (director_action_apply_report(c->store, d->id, NULL, "rejected", o->version, reason, now, &applied, err) <
                    0 ||
            audit_append(c->store, &ddi_actor, "device.update.refused", object, details, err) < 0) {
                store_tx_rollback(c->store);
                return -1;
        }
        return store_tx_commit(c->store, err);
}

int ddi_base_poll(struct ddi_ctx *c, const struct store_device *d, json_t **out, struct error *err) {
        struct ddi_config dflt;
        const struct ddi_config *cfg = cfg_of(c, &dflt);
        _cleanup_offer_ struct director_offer active = {0}, installed = {0};
        struct store_ddi_attr *attrs = NULL;
        size_t n_attrs = 0;
        *out = NULL;
        int64_t now = c->now ? c->now : time_now();
        if (store_device_seen(c->store, d->id, now, DIRECTOR_SEEN_INTERVAL, err) < 0 ||
            director_offer_active(c->store, d, &active, err) < 0 ||
            director_offer_installed(c->store, d, &installed, err) < 0 ||
            store_ddi_config_list(c->store, d->id, &attrs, &n_attrs, err) < 0)
                return -1;
        store_ddi_config_free(attrs, n_attrs);
        if (active.action_id && active.offered && active.encrypted) {
                if (refuse_encrypted(c, d, &active, now, err) < 0)
                        return -1;
                active.offered = false;
                active.action_id = 0;
        }
        char sleep[64];
        int64_t t = cfg->polling_sleep;
        snprintf(sleep, sizeof(sleep), "%02lld:%02lld:%02lld", (long long) (t / 3600), (long long) (t / 60 % 60),
                 (long long) (t % 60));
        json_t *links = json_object();
        if (active.action_id && str_eq(active.status, DIRECTOR_ACTION_CANCELING))
                json_object_set_new(links, "cancelAction", ddi_link(c, d, "/cancelAction/%lld", (long long) active.action_id));
        else if (active.action_id && active.offered)
                json_object_set_new(links, "deploymentBase",
                                    ddi_link(c, d, "/deploymentBase/%lld", (long long) active.action_id));
        if (installed.action_id)
                json_object_set_new(links, "installedBase",
                                    ddi_link(c, d, "/installedBase/%lld", (long long) installed.action_id));
        /* hawkBit asks for attributes until it has some: a link on every
         * poll would make suricatta PUT them on every poll. */
        if (n_attrs == 0)
                json_object_set_new(links, "configData", ddi_link(c, d, "/configData"));
        *out = json_pack("{s:{s:{s:s}}, s:o}", "config", "polling", "sleep", sleep, "_links", links);
        return 0;
}

int ddi_image_digests(struct ddi_ctx *c, const char *sha256, char sha1[41], char md5[33], struct error *err) {
        bool found;
        if (store_image_digests_get(c->store, sha256, sha1, md5, &found, err) < 0)
                return -1;
        if (found)
                return 0;
        _cleanup_free_ char *path = image_store_path(c->data_dir, sha256);
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return error_set_errno(err, ERROR_IO, errno, "image %.16s: opening %s", sha256, path);
        gnutls_hash_hd_t h1, h5;
        if (gnutls_hash_init(&h1, GNUTLS_DIG_SHA1) < 0)
                return error_set(err, ERROR_CRYPTO, "SHA-1 is not available");
        if (gnutls_hash_init(&h5, GNUTLS_DIG_MD5) < 0) {
                gnutls_hash_deinit(h1, NULL);
                return error_set(err, ERROR_CRYPTO, "MD5 is not available");
        }
        _cleanup_free_ char *chunk = xmalloc(DIGEST_CHUNK);
        ssize_t n;
        while ((n = read(fd, chunk, DIGEST_CHUNK)) != 0) {
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        gnutls_hash_deinit(h1, NULL);
                        gnutls_hash_deinit(h5, NULL);
                        return error_set_errno(err, ERROR_IO, errno, "image %.16s: reading", sha256);
                }
                gnutls_hash(h1, chunk, (size_t) n);
                gnutls_hash(h5, chunk, (size_t) n);
        }
        uint8_t d1[20], d5[16];
        gnutls_hash_deinit(h1, d1);
        gnutls_hash_deinit(h5, d5);
        hex_encode(d1, sizeof(d1), sha1);
        hex_encode(d5, sizeof(d5), md5);
        /* Kept for the next poll; a race with another request inserts the same values. */
        return store_image_digests_put(c->store, sha256, sha1, md5, err);
}

static json_t *artifacts_json(struct ddi_ctx *c, const struct store_device *d, const struct director_offer *o,
                              struct error *err) {
        json_t *arts = json_array();
        for (size_t i = 0; i < o->n_images; i++) {
                const struct director_offer_image *im = &o->images[i];
                char sha1[41], md5[33];
                if (ddi_image_digests(c, im->sha256, sha1, md5, err) < 0) {
                        json_decref(arts);
                        return NULL;
                }
                struct buf name = {0};
                append_segment(&name, im->name);
                _cleanup_free_ char *seg = buf_steal(&name);
                json_t *links = json_pack("{s:o, s:o}", "download",
                                          ddi_link(c, d, "/softwaremodules/%lld/artifacts/%s", (long long) o->release_id, seg),
                                          "md5sum",
                                          ddi_link(c, d, "/softwaremodules/%lld/artifacts/%s.MD5SUM",
                                               (long long) o->release_id, seg));
                /* download-http names the same URL: Cradle serves HTTPS only. */
                json_object_set(links, "download-http", json_object_get(links, "download"));
                json_array_append_new(arts, json_pack("{s:s, s:I, s:{s:s, s:s, s:s}, s:o}", "filename", im->name,
                                                      "size", (json_int_t) im->length, "hashes", "sha1", sha1, "md5",
                                                      md5, "sha256", im->sha256, "_links", links));
        }
        return arts;
}

/* The deployment document of an action (deploymentBase and installedBase). */
static int deployment_json(struct ddi_ctx *c, const struct store_device *d, const struct director_offer *o,
                           const char *top, json_t **out, struct error *err) {
        json_t *arts = artifacts_json(c, d, o, err);
        if (!arts)
                return -1;
        char id[24];
        snprintf(id, sizeof(id), "%lld", (long long) o->action_id);
        /* No maintenance window on a direct assignment: download and install
         * at once ("forced"). Cradle never sends update "skip": an action
         * that must not be installed now is not linked from the base poll. */
        *out = json_pack("{s:s, s:{s:s, s:s, s:[{s:s, s:s, s:s, s:o}]}}", "id", id, top, "download", "forced",
                         "update", "forced", "chunks", "part", "os", "version", o->version, "name",
                         o->product_model, "artifacts", arts);
        return 0;
}

int ddi_deployment_base(struct ddi_ctx *c, const struct store_device *d, int64_t action_id, json_t **out,
                        struct error *err) {
        _cleanup_offer_ struct director_offer o = {0};
        *out = NULL;
        if (director_offer_action(c->store, d, action_id, &o, err) < 0)
                return -1;
        if (o.offered && o.encrypted)
                return error_set(err, ERROR_CONFLICT, "update action %lld: " DDI_ENCRYPTED_REASON,
                                 (long long) action_id, o.version);
        if (!o.offered)
                return error_set(err, ERROR_GONE, "update action %lld is %s%s; it is not offered", (long long) action_id,
                                 o.status, str_eq(o.status, DIRECTOR_ACTION_OPEN) ? " but its release is not published "
                                 "or does not fit this device" : "");
        return deployment_json(c, d, &o, "deployment", out, err);
}

int ddi_installed_base(struct ddi_ctx *c, const struct store_device *d, int64_t action_id, json_t **out,
                       struct error *err) {
        _cleanup_offer_ struct director_offer o = {0};
        *out = NULL;
        if (director_offer_action(c->store, d, action_id, &o, err) < 0)
                return -1;
        if (!str_eq(o.status, "succeeded"))
                return error_set(err, ERROR_NOT_FOUND, "update action %lld is %s, not an installed one",
                                 (long long) action_id, o.status);
        return deployment_json(c, d, &o, "deployment", out, err);
}

int ddi_cancel_action(struct ddi_ctx *c, const struct store_device *d, int64_t action_id, json_t **out,
                      struct error *err) {
        _cleanup_offer_ struct director_offer o = {0};
        *out = NULL;
        if (director_offer_action(c->store, d, action_id, &o, err) < 0)
                return -1;
        if (!str_eq(o.status, DIRECTOR_ACTION_CANCELING))
                return error_set(err, str_eq(o.status, DIRECTOR_ACTION_OPEN) ? ERROR_NOT_FOUND : ERROR_GONE,
                                 "update action %lld is %s; there is no cancel to confirm", (long long) action_id,
                                 o.status);
        char id[24];
        snprintf(id, sizeof(id), "%lld", (long long) action_id);
        *out = json_pack("{s:s, s:{s:s}}", "id", id, "cancelAction", "stopId", id);
        return 0;
}

void ddi_artifact_clear(struct ddi_artifact *a) {
        free(a->path);
        free(a->file_name);
        memset(a, 0, sizeof(*a));
}

int ddi_artifact_find(struct ddi_ctx *c, const struct store_device *d, int64_t module_id, const char *file_name,
                      struct ddi_artifact *out, struct error *err) {
        _cleanup_offer_ struct director_offer active = {0}, installed = {0};
        memset(out, 0, sizeof(*out));
        char safe[80];
        str_sanitize(file_name, strlen(file_name), safe, sizeof(safe));
        size_t len = strlen(file_name);
        bool md5sum = len > 7 && strcmp(file_name + len - 7, ".MD5SUM") == 0;
        _cleanup_free_ char *name = md5sum ? strndup(file_name, len - 7) : str_dup(file_name);
        if (director_offer_active(c->store, d, &active, err) < 0 ||
            director_offer_installed(c->store, d, &installed, err) < 0)
                return -1;
        /* Only what this device is offered (or installed): a release id of
         * another device's action is not found, whatever it holds. */
        const struct director_offer *o = active.offered && active.release_id == module_id ? &active
                                         : installed.action_id && installed.release_id == module_id ? &installed
                                                                                                    : NULL;
        if (!o)
                return error_set(err, ERROR_NOT_FOUND, "software module %lld is not offered to this device",
                                 (long long) module_id);
        if (o->encrypted)
                return error_set(err, ERROR_CONFLICT, "software module %lld: " DDI_ENCRYPTED_REASON,
                                 (long long) module_id, o->version);
        for (size_t i = 0; i < o->n_images; i++) {
                if (!str_eq(o->images[i].name, name))
                        continue;
                char sha1[41];
                if (ddi_image_digests(c, o->images[i].sha256, sha1, out->md5, err) < 0)
                        return -1;
                out->path = image_store_path(c->data_dir, o->images[i].sha256);
                out->size = o->images[i].length;
                memcpy(out->sha256, o->images[i].sha256, sizeof(out->sha256));
                out->md5sum = md5sum;
                out->file_name = steal_ptr(name);
                return 0;
        }
        return error_set(err, ERROR_NOT_FOUND, "software module %lld has no artifact '%s'", (long long) module_id,
                         safe);
}

/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
#include <gnutls/abstract.h>
#include "store/store-ota-encryption.h"
/* Helpers shared by the director's .c files (never included outside src/director/). */
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "crypto/hash.h"
#include "crypto/key.h"
#include "director/director.h"
#include "store/store-director.h"
#include "store/store-identity.h"
#include "tuf/key.h"

/* dc->now or the clock. */
int64_t director_now(const struct director_ctx *dc);
/* RFC 3339 string, or JSON null for 0. */
json_t *director_time_json(int64_t t);
json_t *director_str_json(const char *s);

/* The audit actor for what a device reports itself: "device:<serial>", role
 * "device" (as identity names it). */
void director_device_actor(const char *serial, char *name_buf, size_t size, struct audit_actor *out);

/* ---- releases, as the director needs them (release.c) ----
 * The one place that reads releases (engineer A's store API, store-release.h):
 * the director needs the product, version, security version, hardware
 * revisions, status and images, nothing else. */

struct director_image {
        char *name;
        int64_t length;
        uint8_t sha256[SHA256_LEN];
        /* An encrypted image (release/encrypt.h): its row, with the sealed
         * content key; encrypted false for a plain image. */
        bool encrypted;
        struct store_image_encryption enc;
};

struct director_release {
        int64_t id;
        int64_t product_id;
        char *product_model;
        char *version;
        int64_t security_version;
        json_t *hardware_revisions;   /* array of strings (owned) */
        char *status;                 /* "draft" "signed" "published" "withdrawn" */
        struct director_image *images;
        size_t n_images;
};

/* ERROR_NOT_FOUND "no release with id N". */
int director_release_load(struct store *s, int64_t id, struct director_release *out, struct error *err);
void director_release_clear(struct director_release *r);
static inline void director_release_clearp(struct director_release *r) { director_release_clear(r); }
#define _cleanup_release_ __attribute__((cleanup(director_release_clearp)))

/* True when the release may be offered to devices (published, not withdrawn). */
bool director_release_offered(const struct director_release *r);
/* 0 when the release fits the device (same product, hardware revision listed);
 * else ERROR_CONFLICT naming the device and why. */
int director_release_check_device(const struct director_release *r, const struct store_device *d,
                                  struct error *err);
/* "<model>/<hardware revision>" (heap). */
char *director_hardware_id(const struct store_device *d);
/* The image repository's target path "<release version>/<image name>" (heap). */
char *director_target_path(const struct director_release *r, const struct director_image *im);

/* ---- encrypted images (encryption.c; docs/ota.md "Encrypted payloads") ---- */

bool director_release_encrypted(const struct director_release *r);
/* The key a device's content keys are wrapped to: the public key of its
 * newest valid certificate, and the lowercase hex SHA-256 of its
 * SubjectPublicKeyInfo (in the target custom as "encryption_key_for", so a
 * renewed key makes a new document). ERROR_CONFLICT naming the device and
 * why when it has none or it cannot be used (Ed25519, RSA). */
int director_device_wrap_key(struct store *s, const struct store_device *d, gnutls_pubkey_t *out, char fp[65],
                             struct error *err);

/* ---- the online key (key.c) ---- */

/* Loads the online key; with `create`, generates the default key file when it
 * is missing (*created says so). ERROR_CONFLICT when there is none and
 * create is false. */
int director_key_load(const struct director_ctx *dc, bool create, struct crypto_key **key,
                      struct tuf_key **tkey, bool *created, struct error *err);

static inline void store_device_clearp_director(struct store_device *p) { store_device_clear(p); }
#define _cleanup_director_device_ __attribute__((cleanup(store_device_clearp_director)))

/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * Installer backends: how an image reaches the inactive slot and how the
 * bootloader is told to try it. Every backend follows the same A/B protocol:
 *
 *   install(image)   write the image to the inactive slot and check it there;
 *                    the active slot is not touched. Idempotent.
 *   activate()       the next boot runs the new slot on trial. Idempotent.
 *   boot_state()     after a reboot: is the new slot running on trial, or did
 *                    the bootloader fall back (too many boots)?
 *   confirm()        make the running trial slot permanent.
 *   rollback()       make the previous slot the boot target again (effective
 *                    at the next boot).
 *
 * `image` is always a file whose length and SHA-256 the agent has checked
 * against verified metadata; install checks them again while it writes, so a
 * file changed in between is never activated.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "agent/config.h"
#include "agent/state.h"
#include "core/error.h"

enum agent_boot_state {
        AGENT_BOOT_NORMAL,       /* the confirmed slot runs; nothing on trial */
        AGENT_BOOT_TRIAL,        /* the new slot runs on trial */
        AGENT_BOOT_NOT_REBOOTED, /* the new slot is activated, not booted yet */
        AGENT_BOOT_FELL_BACK,    /* the bootloader gave up on the new slot */
};

const char *agent_boot_state_name(enum agent_boot_state s);

struct agent_backend;

struct agent_backend_ops {
        const char *name;
        int (*install)(struct agent_backend *b, const char *image, const struct agent_image *t,
                       struct error *err);
        int (*activate)(struct agent_backend *b, const struct agent_image *t, struct error *err);
        /* Called only once a reboot happened since activation (boot id
         * changed). why: the bootloader's reason for a fallback. */
        int (*boot_state)(struct agent_backend *b, enum agent_boot_state *out, char *why,
                          size_t why_size, struct error *err);
        int (*confirm)(struct agent_backend *b, const struct agent_image *t, struct error *err);
        int (*rollback)(struct agent_backend *b, const struct agent_image *t, const char *reason,
                        struct error *err);
        /* The current boot's id; NULL: [state] boot_id_file. */
        int (*boot_id)(struct agent_backend *b, char *out, size_t size, struct error *err);
        void (*free)(struct agent_backend *b);
        /* true: install writes the slot through agent_backend_write_slot, so
         * an encrypted image is decrypted on its way into the slot; false
         * (script, rauc: another program reads a file) gets a decrypted copy
         * of the image (agent_backend_install). */
        bool streams_slot;
};

struct agent_backend {
        const struct agent_backend_ops *ops;
        const struct agent_config *cfg;
        void *priv;
        /* The unwrapped content key of the encrypted image being installed
         * (set by the cycle around one install call, wiped after); NULL for
         * a plain image. docs/ota.md, "Encrypted payloads". */
        const uint8_t *content_key;
};

/* The backend the configuration names. */
int agent_backend_open(const struct agent_config *cfg, struct agent_backend **out, struct error *err);
void agent_backend_free(struct agent_backend *b);
/* The current boot id (backend's or the boot_id_file's first line). */
int agent_backend_boot_id(struct agent_backend *b, char *out, size_t size, struct error *err);

/* Backend constructors (backend-*.c). */
int agent_backend_abdir_new(const struct agent_config *cfg, struct agent_backend **out,
                            struct error *err);
int agent_backend_uboot_new(const struct agent_config *cfg, struct agent_backend **out,
                            struct error *err);
int agent_backend_script_new(const struct agent_config *cfg, struct agent_backend **out,
                             struct error *err);
int agent_backend_rauc_new(const struct agent_config *cfg, struct agent_backend **out,
                           struct error *err);

/* Shared by backends: copy `image` to `dest_fd` (from offset 0) while hashing,
 * then read it back and check length and SHA-256 against t. */
int agent_backend_write_image(const char *image, int dest_fd, const char *dest_name,
                              const struct agent_image *t, struct error *err);
/* agent_backend_write_image, or for an encrypted target (t->plain_sha256 set,
 * b->content_key given): the container is read and its length and SHA-256
 * checked against t (the TUF target), each chunk is decrypted and
 * authenticated before its plaintext reaches the slot, and the plaintext's
 * length and SHA-256 (the signed custom) are checked while writing and again
 * by reading the slot back. Any failure leaves the slot unactivated. */
int agent_backend_write_slot(const struct agent_backend *b, const char *image, int dest_fd, const char *dest_name,
                             const struct agent_image *t, struct error *err);
/* The plaintext view of an encrypted target: length and sha256 are the
 * plaintext's (the rest as t). */
void agent_image_plain_view(const struct agent_image *t, struct agent_image *out);
/* What the cycle calls: b->ops->install, except that a backend that does not
 * stream into the slot gets an encrypted image decrypted first to
 * "<image>.plain" (0600, beside the download, removed afterwards). */
int agent_backend_install(struct agent_backend *b, const char *image, const struct agent_image *t,
                          struct error *err);

/* The CRADLE_* environment hooks and health checks get (static buffers in
 * `storage`, NULL-terminated list in env). */
struct agent_hook_env {
        char buf[6][AGENT_TARGET_PATH_MAX + 64];
        const char *env[7];
};
void agent_hook_env_fill(struct agent_hook_env *e, const struct agent_image *t, const char *image);

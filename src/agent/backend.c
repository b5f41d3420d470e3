/* SPDX-License-Identifier: Apache-2.0 */
#include "agent/backend.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/fileio.h"
#include "core/strutil.h"
#include "crypto/ct.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/ota-crypt.h"

#define CHUNK (64 * 1024)

const char *agent_boot_state_name(enum agent_boot_state s) {
        switch (s) {
        case AGENT_BOOT_NORMAL:
                return "normal";
        case AGENT_BOOT_TRIAL:
                return "trial";
        case AGENT_BOOT_NOT_REBOOTED:
                return "not-rebooted";
        case AGENT_BOOT_FELL_BACK:
                return "fell-back";
        }
        return "?";
}

int agent_backend_open(const struct agent_config *cfg, struct agent_backend **out, struct error *err) {
        switch (cfg->backend) {
        case AGENT_BACKEND_ABDIR:
                return agent_backend_abdir_new(cfg, out, err);
        case AGENT_BACKEND_UBOOT:
                return agent_backend_uboot_new(cfg, out, err);
        case AGENT_BACKEND_SCRIPT:
                return agent_backend_script_new(cfg, out, err);
        case AGENT_BACKEND_RAUC:
                return agent_backend_rauc_new(cfg, out, err);
        }
        return error_set(err, ERROR_INTERNAL, "unknown backend");
}

void agent_backend_free(struct agent_backend *b) {
        if (!b)
                return;
        if (b->ops->free)
                b->ops->free(b);
        free(b);
}

int agent_backend_boot_id(struct agent_backend *b, char *out, size_t size, struct error *err) {
        _cleanup_free_ char *data = NULL;
        size_t len = 0;

        if (b->ops->boot_id)
                return b->ops->boot_id(b, out, size, err);
        if (file_read_all(b->cfg->boot_id_file, 4096, &data, &len, err) < 0)
                return error_prefix(err, "[state] boot_id_file: ");
        data[strcspn(data, "\r\n")] = '\0';
        snprintf(out, size, "%s", data);
        return 0;
}

static int check_digest(struct hash_sha256_ctx *h, int64_t got_len, const struct agent_image *t,
                        const char *what, struct error *err) {
        uint8_t got[SHA256_LEN], want[SHA256_LEN];
        char got_hex[SHA256_HEX_LEN];

        hash_sha256_final(h, got);
        if (got_len != t->length)
                return error_set(err, ERROR_INVALID, "%s: %" PRId64 " bytes, the target has %" PRId64
                                 " (not installed)", what, got_len, t->length);
        if (hex_decode(t->sha256, want, SHA256_LEN, err) < 0)
                return -1;
        if (!ct_equal(got, want, SHA256_LEN)) {
                hex_encode(got, SHA256_LEN, got_hex);
                return error_set(err, ERROR_INVALID, "%s: SHA-256 %s is not the target's %s (not installed)",
                                 what, got_hex, t->sha256);
        }
        return 0;
}

int agent_backend_write_image(const char *image, int dest_fd, const char *dest_name,
                              const struct agent_image *t, struct error *err) {
        _cleanup_close_ int in = open(image, O_RDONLY | O_CLOEXEC);
        char buf[CHUNK];
        struct hash_sha256_ctx *h;
        int64_t total = 0;

        if (in < 0)
                return error_set_errno(err, ERROR_IO, errno, "cannot open the image '%s'", image);
        if (lseek(dest_fd, 0, SEEK_SET) < 0)
                return error_set_errno(err, ERROR_IO, errno, "seeking in %s", dest_name);
        h = hash_sha256_new();
        for (;;) {
                ssize_t r = read(in, buf, sizeof(buf));
                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0 || total + r > t->length) {
                        uint8_t junk[SHA256_LEN];
                        hash_sha256_final(h, junk);
                        if (r < 0)
                                return error_set_errno(err, ERROR_IO, errno, "reading '%s'", image);
                        return error_set(err, ERROR_INVALID, "'%s' is longer than the target (not installed)",
                                         image);
                }
                if (r == 0)
                        break;
                hash_sha256_update(h, buf, (size_t) r);
                for (ssize_t off = 0; off < r;) {
                        ssize_t w = write(dest_fd, buf + off, (size_t) (r - off));
                        if (w < 0 && errno == EINTR)
                                continue;
                        if (w < 0) {
                                uint8_t junk[SHA256_LEN];
                                hash_sha256_final(h, junk);
                                return error_set_errno(err, ERROR_IO, errno, "writing %s", dest_name);
                        }
                        off += w;
                }
                total += r;
        }
        if (check_digest(h, total, t, image, err) < 0)
                return -1;
        if (fsync(dest_fd) < 0)
                return error_set_errno(err, ERROR_IO, errno, "fsync %s", dest_name);

        /* Read back what the slot holds now: the medium may have failed. */
        if (lseek(dest_fd, 0, SEEK_SET) < 0)
                return error_set_errno(err, ERROR_IO, errno, "seeking in %s", dest_name);
        h = hash_sha256_new();
        total = 0;
        while (total < t->length) {
                int64_t want = t->length - total;
                ssize_t r = read(dest_fd, buf, want < CHUNK ? (size_t) want : CHUNK);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r <= 0)
                        break;
                hash_sha256_update(h, buf, (size_t) r);
                total += r;
        }
        return check_digest(h, total, t, dest_name, err);
}

void agent_hook_env_fill(struct agent_hook_env *e, const struct agent_image *t, const char *image) {
        size_t n = 0;
        memset(e, 0, sizeof(*e));
        snprintf(e->buf[n], sizeof(e->buf[n]), "CRADLE_VERSION=%s", t ? t->version : "");
        e->env[n] = e->buf[n];
        n++;
        snprintf(e->buf[n], sizeof(e->buf[n]), "CRADLE_SECURITY_VERSION=%" PRId64, t ? t->security_version : 0);
        e->env[n] = e->buf[n];
        n++;
        snprintf(e->buf[n], sizeof(e->buf[n]), "CRADLE_TARGET=%s", t ? t->path : "");
        e->env[n] = e->buf[n];
        n++;
        snprintf(e->buf[n], sizeof(e->buf[n]), "CRADLE_SHA256=%s", t ? t->sha256 : "");
        e->env[n] = e->buf[n];
        n++;
        snprintf(e->buf[n], sizeof(e->buf[n]), "CRADLE_LENGTH=%" PRId64, t ? t->length : 0);
        e->env[n] = e->buf[n];
        n++;
        if (image) {
                snprintf(e->buf[n], sizeof(e->buf[n]), "CRADLE_IMAGE=%s", image);
                e->env[n] = e->buf[n];
                n++;
        }
        e->env[n] = NULL;
}

/* ---- encrypted images (docs/ota.md, "Encrypted payloads") ---- */

void agent_image_plain_view(const struct agent_image *t, struct agent_image *out) {
        *out = *t;
        out->length = t->plain_length;
        memcpy(out->sha256, t->plain_sha256, sizeof(out->sha256));
        out->plain_sha256[0] = '\0';
        out->encryption_key[0] = '\0';
}

struct slot_sink {
        int fd;
        const char *name;
};

static int slot_write(void *ud, const uint8_t *data, size_t len, struct error *err) {
        struct slot_sink *s = ud;
        while (len > 0) {
                ssize_t w = write(s->fd, data, len);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w < 0)
                        return error_set_errno(err, ERROR_IO, errno, "writing %s", s->name);
                data += w;
                len -= (size_t) w;
        }
        return 0;
}

/* Decrypts `image` (the container t describes) into dest_fd from offset 0,
 * checking the container against t and the plaintext against t's plain
 * fields; then reads the destination back. */
static int write_decrypted(const uint8_t *key, const char *image, int dest_fd, const char *dest_name,
                           const struct agent_image *t, struct error *err) {
        _cleanup_close_ int in = open(image, O_RDONLY | O_CLOEXEC);
        struct agent_image plain;
        struct slot_sink sink = { .fd = dest_fd, .name = dest_name };
        uint8_t buf[CHUNK], got[SHA256_LEN], want[SHA256_LEN];
        int64_t total = 0;
        uint64_t plain_len = 0;
        int rc = -1;

        agent_image_plain_view(t, &plain);
        if (in < 0)
                return error_set_errno(err, ERROR_IO, errno, "cannot open the image '%s'", image);
        if (lseek(dest_fd, 0, SEEK_SET) < 0)
                return error_set_errno(err, ERROR_IO, errno, "seeking in %s", dest_name);
        struct hash_sha256_ctx *hc = hash_sha256_new();
        struct ota_decrypt *d = ota_decrypt_new(key);
        for (;;) {
                ssize_t r = read(in, buf, sizeof(buf));
                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0) {
                        error_set_errno(err, ERROR_IO, errno, "reading '%s'", image);
                        goto out;
                }
                if (r == 0)
                        break;
                if (total + r > t->length) {
                        error_set(err, ERROR_INVALID, "'%s' is longer than the target (not installed)", image);
                        goto out;
                }
                total += r;
                hash_sha256_update(hc, buf, (size_t) r);
                if (ota_decrypt_update(d, buf, (size_t) r, slot_write, &sink, err) < 0)
                        goto out;
        }
        /* The container is the TUF target: length and SHA-256 first. */
        rc = check_digest(hc, total, t, image, err);
        hc = NULL;
        if (rc < 0)
                goto out;
        rc = -1;
        if (ota_decrypt_finish(d, got, &plain_len, err) < 0)
                goto out;
        if (hex_decode(plain.sha256, want, SHA256_LEN, err) < 0)
                goto out;
        if ((int64_t) plain_len != plain.length || !ct_equal(got, want, SHA256_LEN)) {
                char got_hex[SHA256_HEX_LEN];
                hex_encode(got, SHA256_LEN, got_hex);
                error_set(err, ERROR_INVALID,
                          "'%s' decrypts to %" PRIu64 " bytes with SHA-256 %s; the signed plaintext is %" PRId64
                          " bytes with %s (not installed)",
                          image, plain_len, got_hex, plain.length, plain.sha256);
                goto out;
        }
        if (fsync(dest_fd) < 0) {
                error_set_errno(err, ERROR_IO, errno, "fsync %s", dest_name);
                goto out;
        }
        /* Read back what the slot holds now: the medium may have failed. */
        if (lseek(dest_fd, 0, SEEK_SET) < 0) {
                error_set_errno(err, ERROR_IO, errno, "seeking in %s", dest_name);
                goto out;
        }
        {
                struct hash_sha256_ctx *h = hash_sha256_new();
                int64_t back = 0;
                while (back < plain.length) {
                        int64_t w = plain.length - back;
                        ssize_t r = read(dest_fd, buf, w < CHUNK ? (size_t) w : CHUNK);
                        if (r < 0 && errno == EINTR)
                                continue;
                        if (r <= 0)
                                break;
                        hash_sha256_update(h, buf, (size_t) r);
                        back += r;
                }
                rc = check_digest(h, back, &plain, dest_name, err);
        }
out:
        if (hc) {
                uint8_t junk[SHA256_LEN];
                hash_sha256_final(hc, junk);
        }
        ota_decrypt_free(d);
        ct_wipe(buf, sizeof(buf));
        return rc;
}

int agent_backend_write_slot(const struct agent_backend *b, const char *image, int dest_fd, const char *dest_name,
                             const struct agent_image *t, struct error *err) {
        if (!t->plain_sha256[0])
                return agent_backend_write_image(image, dest_fd, dest_name, t, err);
        if (!b->content_key)
                return error_set(err, ERROR_INTERNAL, "'%s' is encrypted and no content key was unwrapped", image);
        return write_decrypted(b->content_key, image, dest_fd, dest_name, t, err);
}

int agent_backend_install(struct agent_backend *b, const char *image, const struct agent_image *t,
                          struct error *err) {
        if (!t->plain_sha256[0] || b->ops->streams_slot)
                return b->ops->install(b, image, t, err);
        if (!b->content_key)
                return error_set(err, ERROR_INTERNAL, "'%s' is encrypted and no content key was unwrapped", image);
        /* Another program installs from a file: give it the plaintext, made
         * and checked the same way, and remove it afterwards. */
        _cleanup_free_ char *plain_path = str_printf("%s.plain", image);
        struct agent_image plain;
        agent_image_plain_view(t, &plain);
        int fd = open(plain_path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return error_set_errno(err, ERROR_IO, errno, "cannot create %s", plain_path);
        int r = write_decrypted(b->content_key, image, fd, plain_path, t, err);
        close(fd);
        if (r == 0)
                r = b->ops->install(b, plain_path, &plain, err);
        unlink(plain_path);
        return r;
}

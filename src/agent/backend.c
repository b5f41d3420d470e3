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

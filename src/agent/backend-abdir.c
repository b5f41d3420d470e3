/* SPDX-License-Identifier: Apache-2.0 */
#include "agent/backend-abdir.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/backend.h"
#include "core/cleanup.h"
#include "core/fileio.h"
#include "core/log.h"
#include "core/strutil.h"

struct abdir {
        char *dir;
        int64_t max_boot_attempts;
};

/* ---- markers ------------------------------------------------------------ */

static int marker_read(const char *dir, const char *name, char *out, size_t size, struct error *err) {
        _cleanup_free_ char *path = path_join(dir, name);
        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        struct error e = { 0 };

        out[0] = '\0';
        if (file_read_all(path, 4096, &data, &len, &e) < 0) {
                if (!file_exists(path))
                        return 0;
                *err = e;
                return -1;
        }
        data[strcspn(data, "\n")] = '\0';
        snprintf(out, size, "%s", data);
        return 1;
}

static int marker_write(const char *dir, const char *name, const char *value, struct error *err) {
        _cleanup_free_ char *path = path_join(dir, name);
        _cleanup_free_ char *line = str_printf("%s\n", value);
        return file_write_atomic(path, line, strlen(line), 0644, err);
}

static int marker_remove(const char *dir, const char *name, struct error *err) {
        _cleanup_free_ char *path = path_join(dir, name);
        if (unlink(path) < 0 && errno != ENOENT)
                return error_set_errno(err, ERROR_IO, errno, "cannot remove %s", path);
        return dir_fsync(dir, err);
}

static int slot_marker(const char *dir, const char *name, char *slot, struct error *err) {
        char v[16];
        int r = marker_read(dir, name, v, sizeof(v), err);
        if (r < 0)
                return -1;
        if (r == 0 || !v[0]) {
                *slot = 0;
                return 0;
        }
        if (strcmp(v, "A") != 0 && strcmp(v, "B") != 0)
                return error_set(err, ERROR_INVALID, "ab-dir %s/%s: '%s' is not A or B", dir, name, v);
        *slot = v[0];
        return 0;
}

static int int_marker(const char *dir, const char *name, int64_t *out, struct error *err) {
        char v[32];
        int r = marker_read(dir, name, v, sizeof(v), err);
        *out = 0;
        if (r <= 0)
                return r;
        if (str_to_int64(v, 0, INT64_MAX / 2, out) < 0)
                return error_set(err, ERROR_INVALID, "ab-dir %s/%s: '%s' is not a count", dir, name, v);
        return 0;
}

int agent_abdir_read(const char *dir, struct agent_abdir_status *st, struct error *err) {
        memset(st, 0, sizeof(*st));
        if (slot_marker(dir, "active", &st->active, err) < 0 ||
            slot_marker(dir, "pending", &st->pending, err) < 0 ||
            slot_marker(dir, "booted", &st->booted, err) < 0 ||
            int_marker(dir, "boot_count", &st->boot_count, err) < 0 ||
            int_marker(dir, "boot_seq", &st->boot_seq, err) < 0 ||
            marker_read(dir, "fallback", st->fallback, sizeof(st->fallback), err) < 0)
                return -1;
        if (!st->active)
                st->active = 'A';
        if (!st->booted)
                st->booted = st->active;
        if (st->pending == st->active)
                st->pending = 0; /* a confirm interrupted after writing active */
        return 0;
}

int agent_abdir_boot(const char *dir, int64_t max_boot_attempts, char *booted, struct error *err) {
        struct agent_abdir_status st;
        char slot[2] = { 0 };
        _cleanup_free_ char *seq = NULL, *count = NULL;

        if (agent_abdir_read(dir, &st, err) < 0)
                return -1;
        seq = str_printf("%" PRId64, st.boot_seq + 1);
        if (marker_write(dir, "boot_seq", seq, err) < 0)
                return -1;
        if (st.pending && st.boot_count < max_boot_attempts) {
                count = str_printf("%" PRId64, st.boot_count + 1);
                if (marker_write(dir, "boot_count", count, err) < 0)
                        return -1;
                slot[0] = st.pending;
        } else if (st.pending) {
                _cleanup_free_ char *why = str_printf(
                        "slot %c did not confirm within %" PRId64 " boots; bootloader fell back to slot %c",
                        st.pending, max_boot_attempts, st.active);
                if (marker_write(dir, "fallback", why, err) < 0 ||
                    marker_remove(dir, "pending", err) < 0 || marker_write(dir, "boot_count", "0", err) < 0)
                        return -1;
                slot[0] = st.active;
        } else {
                slot[0] = st.active;
        }
        if (marker_write(dir, "booted", slot, err) < 0)
                return -1;
        *booted = slot[0];
        return 0;
}

/* ---- backend ------------------------------------------------------------ */

static int abdir_install(struct agent_backend *b, const char *image, const struct agent_image *t,
                         struct error *err) {
        struct abdir *a = b->priv;
        struct agent_abdir_status st;
        char name[8];
        _cleanup_free_ char *tmp = NULL, *path = NULL;
        _cleanup_close_ int fd = -1;

        if (agent_abdir_read(a->dir, &st, err) < 0)
                return -1;
        /* Nothing may point at the slot while it is rewritten. */
        if (st.pending && marker_remove(a->dir, "pending", err) < 0)
                return -1;
        snprintf(name, sizeof(name), "slot%c", st.active == 'A' ? 'B' : 'A');
        path = path_join(a->dir, name);
        tmp = str_printf("%s.tmp", path);
        fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (fd < 0)
                return error_set_errno(err, ERROR_IO, errno, "cannot create %s", tmp);
        if (agent_backend_write_slot(b, image, fd, tmp, t, err) < 0) {
                unlink(tmp);
                return -1;
        }
        if (rename(tmp, path) < 0) {
                int e = errno;
                unlink(tmp);
                return error_set_errno(err, ERROR_IO, e, "cannot rename %s", tmp);
        }
        log_info("ab-dir: image %s written to %s", t->version, name);
        return dir_fsync(a->dir, err);
}

static int abdir_activate(struct agent_backend *b, const struct agent_image *t, struct error *err) {
        (void) t;
        struct abdir *a = b->priv;
        struct agent_abdir_status st;
        char slot[2] = { 0 };

        if (agent_abdir_read(a->dir, &st, err) < 0)
                return -1;
        slot[0] = st.active == 'A' ? 'B' : 'A';
        if (marker_write(a->dir, "boot_count", "0", err) < 0 || marker_remove(a->dir, "fallback", err) < 0 ||
            marker_write(a->dir, "pending", slot, err) < 0)
                return -1;
        log_info("ab-dir: slot %s pending (trial at the next boot)", slot);
        return 0;
}

static int abdir_boot_state(struct agent_backend *b, enum agent_boot_state *out, char *why,
                            size_t why_size, struct error *err) {
        struct abdir *a = b->priv;
        struct agent_abdir_status st;

        if (agent_abdir_read(a->dir, &st, err) < 0)
                return -1;
        why[0] = '\0';
        if (st.pending && st.booted == st.pending)
                *out = AGENT_BOOT_TRIAL;
        else if (st.pending)
                *out = AGENT_BOOT_NOT_REBOOTED;
        else if (st.fallback[0]) {
                *out = AGENT_BOOT_FELL_BACK;
                snprintf(why, why_size, "%s", st.fallback);
        } else
                *out = AGENT_BOOT_NORMAL;
        return 0;
}

static int abdir_confirm(struct agent_backend *b, const struct agent_image *t, struct error *err) {
        (void) t;
        struct abdir *a = b->priv;
        struct agent_abdir_status st;
        char slot[2] = { 0 };

        if (agent_abdir_read(a->dir, &st, err) < 0)
                return -1;
        if (!st.pending || st.booted != st.pending)
                return error_set(err, ERROR_CONFLICT, "ab-dir: no trial slot is running (booted %c)",
                                 st.booted);
        slot[0] = st.pending;
        /* active first: a crash before pending goes leaves pending == active,
         * which reads as "nothing pending". */
        if (marker_write(a->dir, "active", slot, err) < 0 || marker_remove(a->dir, "pending", err) < 0 ||
            marker_write(a->dir, "boot_count", "0", err) < 0)
                return -1;
        log_info("ab-dir: slot %s confirmed", slot);
        return 0;
}

static int abdir_rollback(struct agent_backend *b, const struct agent_image *t, const char *reason,
                          struct error *err) {
        (void) t;
        struct abdir *a = b->priv;
        if (marker_remove(a->dir, "pending", err) < 0 || marker_write(a->dir, "boot_count", "0", err) < 0 ||
            marker_remove(a->dir, "fallback", err) < 0)
                return -1;
        log_warn("ab-dir: pending slot dropped (%s); the next boot starts the active slot", reason);
        return 0;
}

static int abdir_boot_id(struct agent_backend *b, char *out, size_t size, struct error *err) {
        struct abdir *a = b->priv;
        struct agent_abdir_status st;
        if (agent_abdir_read(a->dir, &st, err) < 0)
                return -1;
        snprintf(out, size, "ab-dir-boot-%" PRId64, st.boot_seq);
        return 0;
}

static void abdir_free(struct agent_backend *b) {
        struct abdir *a = b->priv;
        if (a)
                free(a->dir);
        free(a);
}

static const struct agent_backend_ops abdir_ops = {
        .name = "ab-dir",
        .streams_slot = true,
        .install = abdir_install,
        .activate = abdir_activate,
        .boot_state = abdir_boot_state,
        .confirm = abdir_confirm,
        .rollback = abdir_rollback,
        .boot_id = abdir_boot_id,
        .free = abdir_free,
};

int agent_backend_abdir_new(const struct agent_config *cfg, struct agent_backend **out,
                            struct error *err) {
        struct agent_backend *b;
        struct abdir *a;

        if (dir_create(cfg->abdir_dir, 0755, err) < 0)
                return error_prefix(err, "[ab-dir] dir: ");
        a = xcalloc(1, sizeof(*a));
        a->dir = str_dup(cfg->abdir_dir);
        a->max_boot_attempts = cfg->max_boot_attempts;
        b = xcalloc(1, sizeof(*b));
        b->ops = &abdir_ops;
        b->cfg = cfg;
        b->priv = a;
        *out = b;
        return 0;
}

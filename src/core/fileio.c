/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Atomic replacement of files: a reader sees either the old content or the
 * new content, never a mix, and after a power cut the new content is either
 * fully there or not at all.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/fileio.h"
#include "core/strutil.h"

/* Directory part of path ("." when there is none). */
static char *path_dirname(const char *path) {
        const char *slash = strrchr(path, '/');

        if (!slash)
                return str_dup(".");
        if (slash == path)
                return str_dup("/");
        size_t n = (size_t) (slash - path);
        char *d = xmalloc(n + 1);
        memcpy(d, path, n);
        d[n] = '\0';
        return d;
}

static int write_full(int fd, const void *data, size_t len) {
        const char *p = data;

        while (len > 0) {
                ssize_t n = write(fd, p, len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (n == 0)
                        return -EIO; /* no progress: do not spin */
                p += n;
                len -= (size_t) n;
        }
        return 0;
}

int dir_fsync(const char *dir, struct error *err) {
        _cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

        if (fd < 0)
                return error_set_errno(err, ERROR_IO, errno, "cannot open directory '%s'", dir);
        if (fsync(fd) < 0)
                return error_set_errno(err, ERROR_IO, errno, "cannot sync directory '%s'", dir);
        return 0;
}

/* Removes the temp file unless it has been renamed into place (path NULL). */
static void unlink_tempp(char **path) {
        if (*path) {
                (void) unlink(*path);
                free(*path);
        }
}

int file_stage(const char *path, const void *data, size_t len, mode_t mode, char **staged,
               struct error *err) {
        _cleanup_free_ char *dir = NULL;
        _cleanup_(unlink_tempp) char *tmp = NULL;
        _cleanup_close_ int fd = -1;
        const char *base;
        int r;

        *staged = NULL;
        if (!path || !*path || path[strlen(path) - 1] == '/')
                return error_set(err, ERROR_INVALID, "'%s' is not a file path", path ?: "");
        dir = path_dirname(path);
        base = strrchr(path, '/');
        base = base ? base + 1 : path;

        /* Same directory as the target: rename() is only atomic within one
         * file system. The dot keeps the temp file out of globs. */
        char *t = str_printf("%s/.%s.XXXXXX", dir, base);
        fd = mkostemp(t, O_CLOEXEC);
        if (fd < 0) {
                r = errno;
                free(t);
                return error_set_errno(err, ERROR_IO, r, "%s: cannot create a temporary file in '%s'",
                                       path, dir);
        }
        tmp = t;

        r = write_full(fd, data, len);
        if (r < 0)
                return error_set_errno(err, ERROR_IO, r, "%s: cannot write '%s'", path, tmp);
        /* mkostemp creates 0600; set the final mode before the name appears. */
        if (fchmod(fd, mode) < 0)
                return error_set_errno(err, ERROR_IO, errno, "%s: cannot set mode %04o", path,
                                       (unsigned) mode);
        if (fsync(fd) < 0)
                return error_set_errno(err, ERROR_IO, errno, "%s: cannot sync '%s'", path, tmp);
        /* close() can report a delayed write error (NFS); it must be checked. */
        r = close(steal_fd(fd));
        if (r < 0)
                return error_set_errno(err, ERROR_IO, errno, "%s: cannot close '%s'", path, tmp);
        *staged = steal_ptr(tmp);
        return 0;
}

int file_stage_switch(char **staged, const char *path, struct error *err) {
        if (!*staged)
                return error_set(err, ERROR_INTERNAL, "%s: nothing staged", path);
        if (rename(*staged, path) < 0) {
                int e = errno;
                file_stage_abort(staged);
                return error_set_errno(err, ERROR_IO, e, "%s: cannot rename the staged file into place", path);
        }
        /* The staged name no longer exists: nothing left to unlink. */
        free(steal_ptr(*staged));
        /* Make the rename itself durable. */
        _cleanup_free_ char *dir = path_dirname(path);
        return dir_fsync(dir, err);
}

void file_stage_abort(char **staged) {
        unlink_tempp(staged);
        *staged = NULL;
}

int file_write_atomic(const char *path, const void *data, size_t len, mode_t mode,
                      struct error *err) {
        _cleanup_(unlink_tempp) char *staged = NULL;

        if (file_stage(path, data, len, mode, &staged, err) < 0)
                return -1;
        return file_stage_switch(&staged, path, err);
}

int file_write_new(const char *path, const void *data, size_t len, mode_t mode, struct error *err) {
        _cleanup_(unlink_tempp) char *staged = NULL;
        _cleanup_free_ char *dir = NULL;

        if (!path || !*path || path[strlen(path) - 1] == '/')
                return error_set(err, ERROR_INVALID, "'%s' is not a file path", path ?: "");
        if (file_stage(path, data, len, mode, &staged, err) < 0)
                return -1;
        /* link(), unlike rename(), fails when the name exists: the check and
         * the creation are one step, so nothing is ever overwritten. */
        if (link(staged, path) < 0) {
                if (errno == EEXIST)
                        return error_set(err, ERROR_CONFLICT, "%s exists already; not overwriting it", path);
                return error_set_errno(err, ERROR_IO, errno, "cannot create '%s'", path);
        }
        /* unlink_tempp removes the staged name; the new name stays. */
        dir = path_dirname(path);
        return dir_fsync(dir, err);
}

int file_read_all(const char *path, size_t max, char **out, size_t *len_out, struct error *err) {
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *data = NULL;
        struct stat st;
        size_t len = 0, cap;

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return error_set_errno(err, errno == ENOENT ? ERROR_NOT_FOUND : ERROR_IO, errno,
                                       "cannot open '%s'", path);
        if (fstat(fd, &st) < 0)
                return error_set_errno(err, ERROR_IO, errno, "cannot stat '%s'", path);
        if (S_ISDIR(st.st_mode))
                return error_set(err, ERROR_INVALID, "'%s' is a directory", path);
        if (S_ISREG(st.st_mode) && (uint64_t) st.st_size > max)
                return error_set(err, ERROR_TOO_LARGE, "'%s' is too large (%jd bytes, at most %zu)",
                                 path, (intmax_t) st.st_size, max);
        if (max == SIZE_MAX)
                max--; /* leave room for the NUL */

        /* The size may change under us (or be 0 for pipes and /proc): read
         * until EOF, but never keep more than max bytes. */
        cap = S_ISREG(st.st_mode) && st.st_size > 0 ? (size_t) st.st_size + 1 : 4096;
        if (cap > max + 1)
                cap = max + 1;
        data = xmalloc(cap + 1);
        for (;;) {
                if (len == cap) {
                        if (cap > max)
                                return error_set(err, ERROR_TOO_LARGE,
                                                 "'%s' is too large (more than %zu bytes)", path, max);
                        cap = cap > max / 2 ? max + 1 : cap * 2;
                        data = xrealloc(data, cap + 1);
                }
                ssize_t n = read(fd, data + len, cap - len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return error_set_errno(err, ERROR_IO, errno, "cannot read '%s'", path);
                }
                if (n == 0)
                        break;
                len += (size_t) n;
        }
        if (len > max)
                return error_set(err, ERROR_TOO_LARGE, "'%s' is too large (more than %zu bytes)",
                                 path, max);
        data[len] = '\0';
        *out = steal_ptr(data);
        if (len_out)
                *len_out = len;
        return 0;
}

int file_check_private(const char *path, struct error *err) {
        struct stat st;

        if (stat(path, &st) < 0)
                return error_set_errno(err, errno == ENOENT ? ERROR_NOT_FOUND : ERROR_IO, errno,
                                       "cannot stat '%s'", path);
        if (st.st_mode & (S_IRWXG | S_IRWXO))
                return error_set(err, ERROR_INVALID,
                                 "'%s' is accessible by group or others (mode %04o); it holds a "
                                 "secret: chmod 600 it", path, (unsigned) (st.st_mode & 07777));
        return 0;
}

static int mkdir_one(const char *path, mode_t mode, struct error *err) {
        struct stat st;

        if (mkdir(path, mode) == 0)
                return 0;
        if (errno != EEXIST)
                return error_set_errno(err, ERROR_IO, errno, "cannot create directory '%s'", path);
        if (stat(path, &st) < 0)
                return error_set_errno(err, ERROR_IO, errno, "cannot stat '%s'", path);
        if (!S_ISDIR(st.st_mode))
                return error_set(err, ERROR_IO, "'%s' exists and is not a directory", path);
        return 0;
}

int dir_create(const char *path, mode_t mode, struct error *err) {
        _cleanup_free_ char *p = NULL;

        if (!path || !*path)
                return error_set(err, ERROR_INVALID, "empty directory path");
        p = str_dup(path);
        /* Create each prefix ending before a '/', then the whole path. */
        for (char *s = p + 1; *s; s++) {
                if (*s != '/')
                        continue;
                *s = '\0';
                int r = mkdir_one(p, mode, err);
                *s = '/';
                if (r < 0)
                        return r;
        }
        return mkdir_one(p, mode, err);
}

bool file_exists(const char *path) {
        struct stat st;

        return path && stat(path, &st) == 0;
}

char *path_join(const char *a, const char *b) {
        size_t la = strlen(a);

        while (la > 0 && a[la - 1] == '/')
                la--;
        while (*b == '/')
                b++;
        if (la == 0 && a[0] == '/')
                return str_printf("/%s", b);
        if (la == 0)
                return str_dup(b);
        return str_printf("%.*s/%s", (int) la, a, b);
}

/* SPDX-License-Identifier: Apache-2.0 */
#include "release/image-store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/fileio.h"
#include "core/strutil.h"

#define HASH_CHUNK (256 * 1024)

char *image_store_path(const char *data_dir, const char *sha256_hex) {
        return str_printf("%s/" IMAGE_STORE_DIR "/%s", data_dir, sha256_hex);
}

bool image_name_valid(const char *name) {
        size_t n = name ? strlen(name) : 0;
        if (n < 1 || n > IMAGE_NAME_MAX || name[0] == '.')
                return false;
        for (size_t i = 0; i < n; i++) {
                char c = name[i];
                if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
                      c == '_' || c == '-'))
                        return false;
        }
        return true;
}

bool image_sha256_hex_valid(const char *s) {
        if (!s || strlen(s) != 64)
                return false;
        for (size_t i = 0; i < 64; i++)
                if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
                        return false;
        return true;
}

static int fsync_path(const char *path, struct error *err) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return error_set_errno(err, ERROR_IO, errno, "opening %s", path);
        if (fsync(fd) < 0)
                return error_set_errno(err, ERROR_IO, errno, "syncing %s", path);
        return 0;
}

int image_store_put(const char *data_dir, const char *src_path, const char *sha256_hex, int64_t length,
                    bool *created, struct error *err) {
        if (created)
                *created = false;
        if (!image_sha256_hex_valid(sha256_hex))
                return error_set(err, ERROR_INTERNAL, "image hash '%.80s' is not lowercase hex SHA-256", sha256_hex);
        _cleanup_free_ char *dir = path_join(data_dir, IMAGE_STORE_DIR);
        if (dir_create(dir, 0700, err) < 0)
                return -1;
        _cleanup_free_ char *dst = image_store_path(data_dir, sha256_hex);
        struct stat st;
        if (lstat(dst, &st) == 0) {
                if (S_ISREG(st.st_mode) && (int64_t) st.st_size == length)
                        return 0; /* stored once: the same bytes are there already */
                /* Truncated by a crash in another life, or tampered with: replace. */
                if (unlink(dst) < 0)
                        return error_set_errno(err, ERROR_IO, errno, "removing the damaged %s", dst);
        }
        if (fsync_path(src_path, err) < 0)
                return -1;
        if (chmod(src_path, 0644) < 0)
                return error_set_errno(err, ERROR_IO, errno, "chmod %s", src_path);
        if (link(src_path, dst) < 0) {
                if (errno == EEXIST)
                        return 0; /* a concurrent upload of the same image won */
                return error_set_errno(err, ERROR_IO, errno, "storing %s as %s", src_path, dst);
        }
        if (dir_fsync(dir, err) < 0)
                return -1;
        if (created)
                *created = true;
        return 0;
}

int image_store_remove(const char *data_dir, const char *sha256_hex, struct error *err) {
        if (!image_sha256_hex_valid(sha256_hex))
                return error_set(err, ERROR_INTERNAL, "image hash '%.80s' is not lowercase hex SHA-256", sha256_hex);
        _cleanup_free_ char *path = image_store_path(data_dir, sha256_hex);
        if (unlink(path) < 0 && errno != ENOENT)
                return error_set_errno(err, ERROR_IO, errno, "removing %s", path);
        _cleanup_free_ char *dir = path_join(data_dir, IMAGE_STORE_DIR);
        return dir_fsync(dir, err);
}

int image_store_hash_file(const char *path, uint8_t sha256[SHA256_LEN], int64_t *length, struct error *err) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return error_set_errno(err, ERROR_IO, errno, "%s", path);
        struct stat st;
        if (fstat(fd, &st) < 0)
                return error_set_errno(err, ERROR_IO, errno, "%s", path);
        if (!S_ISREG(st.st_mode))
                return error_set(err, ERROR_INVALID, "%s is not a regular file", path);
        _cleanup_free_ char *buf = xmalloc(HASH_CHUNK);
        struct hash_sha256_ctx *h = hash_sha256_new();
        int64_t total = 0;
        for (;;) {
                ssize_t n = read(fd, buf, HASH_CHUNK);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        int e = errno;
                        hash_sha256_final(h, sha256);
                        return error_set_errno(err, ERROR_IO, e, "reading %s", path);
                }
                if (n == 0)
                        break;
                hash_sha256_update(h, buf, (size_t) n);
                total += n;
        }
        hash_sha256_final(h, sha256);
        if (length)
                *length = total;
        return 0;
}

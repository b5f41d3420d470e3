/* SPDX-License-Identifier: Apache-2.0 */
#include "agent/download.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/log.h"
#include "core/strutil.h"
#include "crypto/ct.h"
#include "crypto/encoding.h"

#define CHUNK (64 * 1024)

struct sink_ctx {
        int fd;
        struct hash_sha256_ctx *hash;
        int64_t written;     /* bytes in the file */
        int64_t length;      /* expected total */
        int64_t fetched;
        struct error *err;
};

static bool on_data(void *ud, const void *data, size_t len) {
        struct sink_ctx *s = ud;
        const char *p = data;

        if ((int64_t) len > s->length - s->written) {
                error_set(s->err, ERROR_TOO_LARGE,
                          "the server sent more than the %" PRId64 " bytes the metadata lists "
                          "(endless data attack?)",
                          s->length);
                return false;
        }
        hash_sha256_update(s->hash, data, len);
        while (len > 0) {
                ssize_t w = write(s->fd, p, len);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w < 0) {
                        error_set_errno(s->err, ERROR_IO, errno, "writing the download");
                        return false;
                }
                p += w;
                len -= (size_t) w;
                s->written += w;
                s->fetched += w;
        }
        return true;
}

/* Hashes the first `len` bytes of fd into h. */
static int hash_prefix(int fd, int64_t len, struct hash_sha256_ctx *h, struct error *err) {
        char buf[CHUNK];
        int64_t left = len;

        if (lseek(fd, 0, SEEK_SET) < 0)
                return error_set_errno(err, ERROR_IO, errno, "seeking in the partial download");
        while (left > 0) {
                ssize_t r = read(fd, buf, left < CHUNK ? (size_t) left : CHUNK);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r <= 0)
                        return error_set_errno(err, ERROR_IO, r < 0 ? errno : EIO,
                                               "reading the partial download");
                hash_sha256_update(h, buf, (size_t) r);
                left -= r;
        }
        return 0;
}

static int restart_at_zero(struct sink_ctx *s, struct error *err) {
        uint8_t junk[SHA256_LEN];
        hash_sha256_final(s->hash, junk);
        s->hash = hash_sha256_new();
        s->written = 0;
        if (ftruncate(s->fd, 0) < 0 || lseek(s->fd, 0, SEEK_SET) < 0)
                return error_set_errno(err, ERROR_IO, errno, "truncating the partial download");
        return 0;
}

int agent_download(struct agent_http *http, const char *url, const char *part_path, int64_t length,
                   const uint8_t sha256[SHA256_LEN], struct agent_download_result *res,
                   struct error *err) {
        _cleanup_close_ int fd = -1;
        struct sink_ctx s = { .length = length };
        struct agent_http_sink sink = { .write = on_data, .ud = &s };
        struct agent_download_result dummy;
        uint8_t got[SHA256_LEN];
        struct stat st;
        long status = 0;
        bool resumed = false;
        struct error local = { 0 };
        int r;

        if (!err)
                err = &local;
        s.err = err;
        if (!res)
                res = &dummy;
        *res = (struct agent_download_result) { 0 };
        if (length < 0)
                return error_set(err, ERROR_INVALID, "negative target length");
        fd = open(part_path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return error_set_errno(err, ERROR_IO, errno, "cannot open '%s'", part_path);
        if (fstat(fd, &st) < 0)
                return error_set_errno(err, ERROR_IO, errno, "cannot stat '%s'", part_path);
        s.fd = fd;
        s.hash = hash_sha256_new();
        s.written = st.st_size;
        if (s.written > length) {
                log_warn("%s is longer than the target (%" PRId64 " > %" PRId64 " bytes); starting over",
                         part_path, s.written, length);
                if (restart_at_zero(&s, err) < 0)
                        goto fail;
        } else if (s.written > 0) {
                if (hash_prefix(fd, s.written, s.hash, err) < 0)
                        goto fail;
        }
        if (lseek(fd, s.written, SEEK_SET) < 0) {
                error_set_errno(err, ERROR_IO, errno, "seeking in '%s'", part_path);
                goto fail;
        }
        res->resumed_from = s.written;

        if (s.written < length) {
                struct error derr = { 0 };
                r = agent_http_download(http, url, s.written, &sink, &status, &resumed, &derr);
                if (r < 0 && derr.kind == ERROR_CONFLICT && s.written > 0) {
                        /* Range ignored or refused: from the start, once. */
                        log_warn("%s; downloading from the start", derr.msg);
                        if (restart_at_zero(&s, err) < 0)
                                goto fail;
                        res->resumed_from = 0;
                        error_clear(&derr);
                        r = agent_http_download(http, url, 0, &sink, &status, &resumed, &derr);
                }
                if (r < 0) {
                        if (derr.kind != ERROR_NONE)
                                *err = derr; /* else the sink set err when it stopped */
                        goto fail;
                }
                if (s.written > 0 && res->resumed_from > 0 && !resumed) {
                        /* A 200 with the whole body after a Range request that
                         * libcurl accepted (file:// or odd servers). */
                        error_set(err, ERROR_UNAVAILABLE, "%s: the resumed transfer did not continue at "
                                  "byte %" PRId64, url, res->resumed_from);
                        goto fail;
                }
        }
        res->fetched = s.fetched;
        if (s.written < length) {
                error_set(err, ERROR_UNAVAILABLE,
                          "%s: transfer ended after %" PRId64 " of %" PRId64 " bytes (will resume)", url,
                          s.written, length);
                goto fail;
        }
        hash_sha256_final(s.hash, got);
        s.hash = NULL;
        if (!ct_equal(got, sha256, SHA256_LEN)) {
                char want_hex[SHA256_HEX_LEN], got_hex[SHA256_HEX_LEN];
                hex_encode(sha256, SHA256_LEN, want_hex);
                hex_encode(got, SHA256_LEN, got_hex);
                unlink(part_path);
                return error_set(err, ERROR_INVALID,
                                 "%s: SHA-256 %s does not match the %s the metadata lists (wrong or "
                                 "tampered image; partial file deleted)",
                                 url, got_hex, want_hex);
        }
        if (fsync(fd) < 0)
                return error_set_errno(err, ERROR_IO, errno, "fsync '%s'", part_path);
        return 0;

fail:
        if (s.hash) {
                uint8_t junk[SHA256_LEN];
                hash_sha256_final(s.hash, junk);
        }
        if (s.written > 0 && err->kind != ERROR_TOO_LARGE)
                fsync(fd); /* keep what arrived for the next attempt */
        if (err->kind == ERROR_TOO_LARGE)
                unlink(part_path);
        return -1;
}

int agent_file_sha256(const char *path, int64_t max, uint8_t out[SHA256_LEN], int64_t *len,
                      struct error *err) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        struct hash_sha256_ctx *h;
        char buf[CHUNK];
        int64_t total = 0;

        if (fd < 0)
                return error_set_errno(err, errno == ENOENT ? ERROR_NOT_FOUND : ERROR_IO, errno,
                                       "cannot open '%s'", path);
        h = hash_sha256_new();
        for (;;) {
                ssize_t r = read(fd, buf, sizeof(buf));
                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0) {
                        hash_sha256_final(h, out);
                        return error_set_errno(err, ERROR_IO, errno, "reading '%s'", path);
                }
                if (r == 0)
                        break;
                total += r;
                if (total > max) {
                        hash_sha256_final(h, out);
                        return error_set(err, ERROR_TOO_LARGE, "'%s' is larger than %" PRId64 " bytes", path,
                                         max);
                }
                hash_sha256_update(h, buf, (size_t) r);
        }
        hash_sha256_final(h, out);
        if (len)
                *len = total;
        return 0;
}

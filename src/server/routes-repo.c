/* SPDX-License-Identifier: Apache-2.0 */
/*
 * /repo/{model}/{file} and /repo/{model}/targets/{dir}/{file}: each product's TUF
 * image repository as static files, public, as any web server or CDN
 * mirroring <data>/repo/ would serve it:
 *  - GET and HEAD; ETag = the SHA-256 of the file (quoted), If-None-Match ->
 *    304; one byte range per request (range.h: 206 + Content-Range, 416 +
 *    Content-Range: bytes STAR/len; several ranges -> 200 with the whole file);
 *    If-Range with another ETag (or a date) -> the whole file.
 *  - the file is sent from its descriptor (never read whole into memory).
 *  - names are checked before any path is built: a model is a product model
 *    ([A-Za-z0-9._-], not starting with '.'), a metadata file is one of the
 *    names repo_metadata_name_valid accepts, a target is
 *    "<release version>/<sha256>.<image name>" (TUF consistent snapshots put
 *    the hash on the file name of target "1.2.0/rootfs.img"); the router decodes each segment on its own, so
 *    "%2F" stays inside the name and is refused with it. Files are opened
 *    with O_NOFOLLOW. No database access: the files are the repository.
 *  - Cache-Control: versioned metadata and hash-named targets never change
 *    (immutable, a year); root.json and timestamp.json must be revalidated.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/json.h"
#include "core/strutil.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "problem.h"
#include "file-serve.h"
#include "release/release.h"
#include "repo/repo.h"
#include "route-io.h"
#include "router.h"
#include "routes.h"

#define REPO_HASH_CHUNK (64 * 1024)
#define CACHE_IMMUTABLE "public, max-age=31536000, immutable"
#define CACHE_REVALIDATE "public, no-cache"

static bool model_valid(const char *m) {
        size_t n = m ? strlen(m) : 0;
        if (n < 1 || n > 64 || m[0] == '.')
                return false;
        for (size_t i = 0; i < n; i++) {
                char c = m[i];
                if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
                      c == '_' || c == '-'))
                        return false;
        }
        return true;
}

/* SHA-256 of a whole file, read in chunks with pread (the offset of fd is
 * left alone). */
static int hash_fd(int fd, uint64_t size, char hex[SHA256_HEX_LEN], struct error *err) {
        _cleanup_free_ char *buf = xmalloc(REPO_HASH_CHUNK);
        struct hash_sha256_ctx *h = hash_sha256_new();
        uint8_t sum[SHA256_LEN];
        uint64_t off = 0;
        while (off < size) {
                ssize_t n = pread(fd, buf, REPO_HASH_CHUNK, (off_t) off);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0) {
                        hash_sha256_final(h, sum);
                        return error_set(err, ERROR_IO, "reading a repository file: %s",
                                         n < 0 ? strerror(errno) : "shorter than its size");
                }
                hash_sha256_update(h, buf, (size_t) n);
                off += (uint64_t) n;
        }
        hash_sha256_final(h, sum);
        hex_encode(sum, SHA256_LEN, hex);
        return 0;
}

/* target_dir: NULL for metadata, else the release version directory of a target. */
static int serve_file(struct route_ctx *ctx, struct http_response *resp, const char *model,
                      const char *target_dir, const char *file, struct error *err) {
        char safe[80];
        bool target = target_dir != NULL;
        if (!model_valid(model) || (target && release_version_check("dir", target_dir, NULL) < 0) ||
            !(target ? repo_target_file_name_valid(file) : repo_metadata_name_valid(file))) {
                str_sanitize(file, strlen(file), safe, sizeof(safe));
                return error_set(err, ERROR_NOT_FOUND, "no such repository file: '%s'", safe);
        }
        const char *data_dir = ctx->router->data_dir;
        if (!data_dir)
                return error_set(err, ERROR_UNAVAILABLE, "the repository is not available");
        _cleanup_free_ char *dir = repo_dir(data_dir, model);
        _cleanup_free_ char *path = target ? str_printf("%s/targets/%s/%s", dir, target_dir, file)
                                           : str_printf("%s/%s", dir, file);
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
        if (fd < 0) {
                if (errno == ENOENT || errno == ELOOP || errno == ENOTDIR)
                        return error_set(err, ERROR_NOT_FOUND, "no such repository file: %s", file);
                return error_set_errno(err, ERROR_IO, errno, "opening %s", path);
        }
        struct stat st;
        if (fstat(fd, &st) < 0)
                return error_set_errno(err, ERROR_IO, errno, "stat %s", path);
        if (!S_ISREG(st.st_mode))
                return error_set(err, ERROR_NOT_FOUND, "no such repository file: %s", file);
        uint64_t size = (uint64_t) st.st_size;

        char hex[SHA256_HEX_LEN];
        if (target) {
                memcpy(hex, file, 64); /* content-addressed: the name is the hash */
                hex[64] = '\0';
        } else if (hash_fd(fd, size, hex, err) < 0) {
                return -1;
        }
        char etag[SHA256_HEX_LEN + 2];
        snprintf(etag, sizeof(etag), "\"%s\"", hex);
        bool immutable = target || (!str_eq(file, "root.json") && !str_eq(file, "timestamp.json"));
        const char *ctype = target ? "application/octet-stream" : "application/json";

        return route_serve_fd(ctx, resp, steal_fd(fd), size, etag, ctype,
                              immutable ? CACHE_IMMUTABLE : CACHE_REVALIDATE, err);
}

int routes_repo_file(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        return serve_file(ctx, resp, route_param(ctx, "model"), NULL, route_param(ctx, "file"), err);
}

int routes_repo_target(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        return serve_file(ctx, resp, route_param(ctx, "model"), route_param(ctx, "dir"), route_param(ctx, "file"),
                          err);
}

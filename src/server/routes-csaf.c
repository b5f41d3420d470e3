/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CSAF advisories (issue 10 section 5): drafts, publication and stored
 * revisions for operators (/api/v1/cases/{ref}/advisory..., /publish), and
 * the provider directory for everyone (/.well-known/csaf/...), served from
 * <data_dir>/csaf/ as a static web server would (ETag, Range, HEAD).
 * Logic lives in src/csaf/ (csaf-publish.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/strutil.h"
#include "core/time.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "csaf/csaf-publish.h"
#include "file-serve.h"
#include "notify/notify-list.h"
#include "route-io.h"
#include "router.h"
#include "routes.h"

#define CSAF_SERVE_MAX (16u * 1024 * 1024)
#define CSAF_CACHE "public, no-cache"

static const struct csaf_config *config(const struct route_ctx *ctx) {
        static const struct csaf_config none = {0};
        return ctx->router->csaf ? ctx->router->csaf : &none;
}

static int category_of(struct route_ctx *ctx, enum csaf_category *cat, struct error *err) {
        _cleanup_free_ char *type = NULL;
        *cat = CSAF_CATEGORY_ADVISORY;
        if (route_query_string(ctx, "type", &type, err) < 0)
                return -1;
        return type ? csaf_category_parse(type, cat, err) : 0;
}

int routes_cases_advisory(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        enum csaf_category cat;
        if (category_of(ctx, &cat, err) < 0)
                return -1;
        struct store *s = route_store(ctx, err);
        char *doc = NULL;
        if (!s || csaf_case_draft(s, config(ctx), route_param(ctx, "ref"), cat, time_now(), &doc, err) < 0)
                return -1;
        http_response_set_body(resp, 200, "application/json", doc, strlen(doc));
        return 0;
}

int routes_cases_publish(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        _cleanup_json_ json_t *req = NULL, *body = NULL;
        if (route_read_json_body(ctx, &req, err) < 0)
                return -1;
        if (!ctx->router->data_dir)
                return error_set(err, ERROR_UNAVAILABLE, "the CSAF directory is not available");
        struct store *s = route_store(ctx, err);
        if (!s)
                return -1;
        struct audit_actor actor = route_actor(ctx);
        /* "notify": true also sends the case's notification list of impacted
         * users through the webhook (CRA Art. 14(8)) once the advisory is
         * out. Checked before anything is published: without a webhook
         * nothing would ever deliver the list. */
        json_t *nv = json_is_object(req) ? json_object_get(req, "notify") : NULL;
        if (nv && !json_is_boolean(nv))
                return error_set(err, ERROR_INVALID, "publish request: 'notify' must be true or false");
        bool notify = json_is_true(nv);
        if (nv)
                json_object_del(req, "notify");
        if (notify && !ctx->router->case_webhook)
                return error_set(err, ERROR_CONFLICT, "'notify' needs the [cases] webhook (webhook_url and "
                                                      "webhook_secret_file): nothing would deliver the list");
        const char *ref = route_param(ctx, "ref");
        if (csaf_publish_json(s, &actor, config(ctx), ctx->router->data_dir, ref, req, time_now(), &body, err) < 0)
                return -1;
        if (notify) {
                _cleanup_json_ json_t *list = NULL;
                if (notify_list_queue(s, &actor, ref, true, time_now(), &list, err) < 0)
                        return error_prefix(err, "the advisory is published, but its notification list was not queued: ");
                json_t *n = json_object();
                json_object_set_new(n, "devices_total",
                                    json_integer(json_integer_value(json_object_get(list, "devices_total"))));
                json_object_set_new(n, "devices_without_owner",
                                    json_integer(json_integer_value(json_object_get(list, "devices_without_owner"))));
                json_object_set_new(n, "queued", json_true());
                json_object_set_new(body, "notification_list", n);
        }
        route_respond_json(resp, 201, body);
        return 0;
}

int routes_cases_advisory_revisions(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        enum csaf_category cat;
        if (category_of(ctx, &cat, err) < 0)
                return -1;
        struct store *s = route_store(ctx, err);
        _cleanup_json_ json_t *body = NULL;
        if (!s || csaf_revisions_json(s, config(ctx), route_param(ctx, "ref"), cat, &body, err) < 0)
                return -1;
        route_respond_json(resp, 200, body);
        return 0;
}

int routes_cases_advisory_revision(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        enum csaf_category cat;
        int64_t number;
        if (category_of(ctx, &cat, err) < 0 || route_param_id(ctx, "number", &number, err) < 0)
                return -1;
        struct store *s = route_store(ctx, err);
        char *doc = NULL;
        size_t len = 0;
        if (!s || csaf_revision_document(s, route_param(ctx, "ref"), cat, number, &doc, &len, err) < 0)
                return -1;
        http_response_set_body(resp, 200, "application/json", doc, len);
        return 0;
}

/* ---- the public directory ---- */

static const char *content_type(const char *name) {
        size_t n = strlen(name);
#define ENDS(x) (n >= sizeof(x) - 1 && strcmp(name + n - (sizeof(x) - 1), x) == 0)
        if (ENDS(".json"))
                return "application/json";
        if (ENDS(".asc"))
                return "application/pgp-signature";
        if (ENDS(".csv"))
                return "text/csv; charset=utf-8";
#undef ENDS
        return "text/plain; charset=utf-8";
}

static int serve(struct route_ctx *ctx, struct http_response *resp, const char *dir, const char *year,
                 const char *file, struct error *err) {
        char safe[80];
        /* Names are checked before any path is built: only the two folders,
         * a four-digit year, and file names csaf_file_name_valid accepts. */
        bool ok = csaf_file_name_valid(file) &&
                  (!dir || (year ? str_eq(dir, CSAF_PUBLIC) : (str_eq(dir, CSAF_PUBLIC) || str_eq(dir, CSAF_KEYS))));
        if (ok && year)
                ok = strlen(year) == 4 && strspn(year, "0123456789") == 4;
        if (!ok) {
                str_sanitize(file, strlen(file), safe, sizeof(safe));
                return error_set(err, ERROR_NOT_FOUND, "no such CSAF file: '%s'", safe);
        }
        const char *data_dir = ctx->router->data_dir;
        if (!data_dir)
                return error_set(err, ERROR_UNAVAILABLE, "the CSAF directory is not available");
        _cleanup_free_ char *path = year  ? str_printf("%s/%s/%s/%s/%s", data_dir, CSAF_DIR, dir, year, file)
                                    : dir ? str_printf("%s/%s/%s/%s", data_dir, CSAF_DIR, dir, file)
                                          : str_printf("%s/%s/%s", data_dir, CSAF_DIR, file);
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
        if (fd < 0) {
                if (errno == ENOENT || errno == ELOOP || errno == ENOTDIR)
                        return error_set(err, ERROR_NOT_FOUND, "no such CSAF file: %s", file);
                return error_set_errno(err, ERROR_IO, errno, "opening %s", path);
        }
        struct stat st;
        if (fstat(fd, &st) < 0)
                return error_set_errno(err, ERROR_IO, errno, "stat %s", path);
        if (!S_ISREG(st.st_mode) || (uint64_t) st.st_size > CSAF_SERVE_MAX)
                return error_set(err, ERROR_NOT_FOUND, "no such CSAF file: %s", file);
        /* The ETag is the content's SHA-256 (small files: read with pread,
         * the descriptor's offset stays at 0 for the sender). */
        size_t size = (size_t) st.st_size;
        _cleanup_free_ char *buf = xmalloc(size ? size : 1);
        size_t got = 0;
        while (got < size) {
                ssize_t r = pread(fd, buf + got, size - got, (off_t) got);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r <= 0)
                        return error_set(err, ERROR_IO, "reading %s", path);
                got += (size_t) r;
        }
        char hex[SHA256_HEX_LEN], etag[SHA256_HEX_LEN + 2];
        hash_sha256_hex(buf, size, hex);
        snprintf(etag, sizeof(etag), "\"%s\"", hex);
        return route_serve_fd(ctx, resp, steal_fd(fd), size, etag, content_type(file), CSAF_CACHE, err);
}

int routes_csaf_provider_metadata(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        return serve(ctx, resp, NULL, NULL, "provider-metadata.json", err);
}

int routes_csaf_file(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        return serve(ctx, resp, route_param(ctx, "dir"), NULL, route_param(ctx, "file"), err);
}

int routes_csaf_document(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        return serve(ctx, resp, route_param(ctx, "dir"), route_param(ctx, "year"), route_param(ctx, "file"), err);
}

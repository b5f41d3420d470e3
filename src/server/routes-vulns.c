/* SPDX-License-Identifier: Apache-2.0 */
/*
 * /api/v1/vulns: the vulnerability feeds (issue 9 section 2, vuln/import.h).
 * An import arrives as a streamed body (ROUTE_STREAM_BODY: http.c has
 * written it to a temp file within [ota] max_image_size before the handler
 * runs), so a 100+ MB NVD yearly file never sits in memory; the import then
 * streams it record by record.
 */
#include <string.h>

#include "core/cleanup.h"
#include "core/strutil.h"
#include "route-io.h"
#include "router.h"
#include "routes.h"
#include "vuln/import.h"

/* The file name the operator gave (for messages and the audit entry):
 * printable ASCII without '/', at most 200 bytes; else a generic name. */
static bool feed_name_ok(const char *n) {
        size_t len = strlen(n);
        if (len == 0 || len > 200)
                return false;
        for (const char *p = n; *p; p++)
                if (*p < 0x21 || *p > 0x7e || *p == '/')
                        return false;
        return true;
}

int routes_vulns_import(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        const struct http_stream_body *sb = ctx->req->stream;
        _cleanup_free_ char *name = NULL;
        _cleanup_json_ json_t *summary = NULL;
        if (route_query_string(ctx, "name", &name, err) < 0)
                return -1;
        if (name && !feed_name_ok(name))
                return error_set(err, ERROR_INVALID, "query 'name': 1..200 printable characters without '/'");
        if (!sb)
                return error_set(err, ERROR_INVALID, "the request has no body: send the feed file itself as the body");
        struct store *s = route_store(ctx, err);
        struct audit_actor actor = route_actor(ctx);
        if (!s || vuln_import_file(s, &actor, sb->path, name ? name : "upload", NULL, 0, &summary, err) < 0)
                return -1;
        route_respond_json(resp, 200, summary);
        return 0;
}

int routes_vulns_list(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        _cleanup_free_ char *q = NULL;
        _cleanup_json_ json_t *body = NULL;
        bool exploited = false, have_after, have_limit;
        int64_t after = 0, limit = 0;
        if (route_query_string(ctx, "q", &q, err) < 0 ||
            route_query_bool(ctx, "exploited", false, &exploited, err) < 0 ||
            route_query_int(ctx, "after", 1, INT64_MAX, &after, &have_after, err) < 0 ||
            route_query_int(ctx, "limit", 1, 1000, &limit, &have_limit, err) < 0)
                return -1;
        struct store *s = route_store(ctx, err);
        if (!s || vuln_list(s, q, exploited, after, (size_t) limit, &body, err) < 0)
                return -1;
        route_respond_json(resp, 200, body);
        return 0;
}

int routes_vulns_get(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        _cleanup_json_ json_t *body = NULL;
        struct store *s = route_store(ctx, err);
        if (!s || vuln_show(s, route_param(ctx, "id"), &body, err) < 0)
                return -1;
        route_respond_json(resp, 200, body);
        return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * VEX import and export (src/vex/vex-release.h; docs/vulnerabilities.md "## VEX").
 *   POST /api/v1/vex?release=ID&name=FILE   a CycloneDX VEX, OpenVEX 0.2 or CSAF 2.0 VEX document
 *                                           (the body, application/json) applied to the release's
 *                                           findings; without release, by purl to every release
 *   GET  /api/v1/releases/{id}/vex?format=cyclonedx|openvex|csaf
 * Who may call each is in the route table only.
 */
#include <string.h>

#include "core/cleanup.h"
#include "core/strutil.h"
#include "route-io.h"
#include "router.h"
#include "routes.h"
#include "vex/vex-release.h"

int routes_vex_import(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        _cleanup_free_ char *name = NULL;
        int64_t release = 0;
        bool have_release;
        const struct http_request *req = ctx->req;
        if (route_query_int(ctx, "release", 1, INT64_MAX, &release, &have_release, err) < 0 ||
            route_query_string(ctx, "name", &name, err) < 0)
                return -1;
        const char *ct = req->content_type;
        if (!ct || strncmp(ct, "application/json", 16) != 0 || (ct[16] && ct[16] != ';' && ct[16] != ' '))
                return error_set(err, ERROR_UNSUPPORTED, "a VEX document is sent as application/json");
        char what[160];
        snprintf(what, sizeof(what), "%s", name && *name ? name : "VEX document");
        struct vex_document *doc = NULL;
        if (vex_parse(what, req->body, req->body ? req->body_len : 0, &doc, err) < 0)
                return -1;
        struct store *s = route_store(ctx, err);
        struct audit_actor actor = route_actor(ctx);
        struct vex_import_result res;
        int r = s ? vex_import(s, &actor, doc, what, have_release ? release : 0, &res, err) : -1;
        vex_document_free(doc);
        if (r < 0)
                return -1;
        _cleanup_json_ json_t *out = vex_import_result_to_json(&res);
        vex_import_result_clear(&res);
        route_respond_json(resp, 200, out);
        return 0;
}

int routes_vex_export(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        _cleanup_free_ char *format = NULL;
        int64_t id;
        enum vex_format f;
        struct store *s;
        char *text = NULL;
        if (route_param_id(ctx, "id", &id, err) < 0 || route_query_string(ctx, "format", &format, err) < 0)
                return -1;
        if (!format)
                return error_set(err, ERROR_INVALID, "query parameter 'format' is required (cyclonedx, openvex or csaf)");
        if (vex_format_parse(format, &f, err) < 0 || !(s = route_store(ctx, err)) || vex_export(s, id, f, &text, err) < 0)
                return -1;
        /* CycloneDX has its own media type; OpenVEX and CSAF are JSON. */
        http_response_set_body(resp, 200,
                               f == VEX_FORMAT_CYCLONEDX ? "application/vnd.cyclonedx+json; version=1.6"
                                                         : HTTP_CONTENT_TYPE_JSON,
                               text, strlen(text));
        return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * /api/v1/releases, /api/v1/images and /api/v1/repos: releases
 * (release/release.h), their signing flow and the product image repositories
 * (repo/repo.h). Images and SBOMs arrive as streamed bodies (ROUTE_STREAM_BODY:
 * http.c has written them to a temp file and hashed them before the handler
 * runs).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/cleanup.h"
#include "core/json.h"
#include "core/strutil.h"
#include "release/release.h"
#include "repo/repo.h"
#include "approval/approval.h"
#include "route-io.h"
#include "router.h"
#include "routes.h"

static int ota_and_actor(struct route_ctx *ctx, struct ota_ctx *oc, struct audit_actor *actor,
                         struct error *err) {
        if (route_ota(ctx, oc, err) < 0)
                return -1;
        *actor = route_actor(ctx);
        return 0;
}

static void respond_release(struct route_ctx *ctx, struct http_response *resp, unsigned status, json_t *body) {
        (void) ctx;
        route_respond_json(resp, status, body);
}

/* ---- releases ---- */

int routes_releases_list(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        struct ota_ctx oc;
        _cleanup_free_ char *product = NULL;
        _cleanup_json_ json_t *body = NULL;
        int64_t before = 0, limit = 0;
        bool have_before, have_limit;
        if (route_query_string(ctx, "product", &product, err) < 0 ||
            route_query_int(ctx, "before", 1, INT64_MAX, &before, &have_before, err) < 0 ||
            route_query_int(ctx, "limit", 1, RELEASE_LIST_MAX, &limit, &have_limit, err) < 0 ||
            route_ota(ctx, &oc, err) < 0 || release_list(&oc, product, before, (size_t) limit, &body, err) < 0)
                return -1;
        route_respond_json(resp, 200, body);
        return 0;
}

int routes_releases_create(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        struct ota_ctx oc;
        struct audit_actor actor;
        _cleanup_json_ json_t *req = NULL, *body = NULL;
        if (route_read_json_body(ctx, &req, err) < 0 || ota_and_actor(ctx, &oc, &actor, err) < 0 ||
            release_create(&oc, &actor, req, &body, err) < 0)
                return -1;
        respond_release(ctx, resp, 201, body);
        _cleanup_free_ char *location =
                str_printf("/api/v1/releases/%lld", (long long) json_integer_value(json_object_get(body, "id")));
        http_response_add_header(resp, "Location", location);
        return 0;
}

int routes_releases_get(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        struct ota_ctx oc;
        int64_t id;
        _cleanup_json_ json_t *body = NULL;
        if (route_param_id(ctx, "id", &id, err) < 0 || route_ota(ctx, &oc, err) < 0 ||
            release_get(&oc, id, &body, err) < 0)
                return -1;
        route_respond_json(resp, 200, body);
        return 0;
}

static int upload_of(const struct route_ctx *ctx, struct release_upload *up, struct error *err) {
        const struct http_stream_body *sb = ctx->req->stream;
        /* The transport streams the body of these routes to a file; a
         * request that reaches the handler without one (no transport, as in
         * tests) has no file to store. */
        if (!sb)
                return error_set(err, ERROR_INVALID, "the request has no body: send the file itself as the body");
        up->path = sb->path;
        up->length = (int64_t) sb->length;
        memcpy(up->sha256, sb->sha256, sizeof(up->sha256));
        return 0;
}

int routes_releases_upload_image(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        struct ota_ctx oc;
        struct audit_actor actor;
        struct release_upload up;
        int64_t id;
        _cleanup_json_ json_t *body = NULL;
        const char *ct = ctx->req->content_type;
        if (route_param_id(ctx, "id", &id, err) < 0)
                return -1;
        if (ct && strncasecmp(ct, "application/octet-stream", 24) != 0)
                return error_set(err, ERROR_UNSUPPORTED,
                                 "an image is uploaded as Content-Type: application/octet-stream (got '%.64s')", ct);
        bool encrypt = false; /* ?encrypt=true: stored as its encrypted container (release/encrypt.h) */
        if (route_query_bool(ctx, "encrypt", false, &encrypt, err) < 0 || upload_of(ctx, &up, err) < 0 ||
            ota_and_actor(ctx, &oc, &actor, err) < 0 ||
            release_add_image_opts(&oc, &actor, id, route_param(ctx, "name"), &up, encrypt, &body, err) < 0)
                return -1;
        route_respond_json(resp, 200, body);
        return 0;
}

int routes_releases_upload_sbom(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        struct ota_ctx oc;
        struct audit_actor actor;
        struct release_upload up;
        int64_t id;
        _cleanup_json_ json_t *body = NULL;
        _cleanup_free_ char *module = NULL; /* ?module=NAME: one module's SBOM (sbom/ingest.h) */
        if (route_param_id(ctx, "id", &id, err) < 0 || route_query_string(ctx, "module", &module, err) < 0 ||
            upload_of(ctx, &up, err) < 0 || ota_and_actor(ctx, &oc, &actor, err) < 0 ||
            release_set_sbom_module(&oc, &actor, id, module ? module : "", ctx->req->content_type, &up, &body,
                                    err) < 0)
                return -1;
        route_respond_json(resp, 200, body);
        return 0;
}

/* An action whose body is optional and must then be an empty object. */
static int read_empty_body(const struct route_ctx *ctx, struct error *err) {
        _cleanup_json_ json_t *req = NULL;
        if (route_read_optional_json_body(ctx, &req, err) < 0)
                return -1;
        if (req && json_object_size(req) > 0)
                return error_set(err, ERROR_INVALID, "request body: this action takes no fields (send {} or nothing)");
        return 0;
}

int routes_releases_prepare(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        struct ota_ctx oc;
        struct audit_actor actor;
        int64_t id;
        _cleanup_json_ json_t *body = NULL;
        if (route_param_id(ctx, "id", &id, err) < 0 || read_empty_body(ctx, err) < 0 ||
            ota_and_actor(ctx, &oc, &actor, err) < 0 || repo_release_prepare(&oc, &actor, id, &body, err) < 0)
                return -1;
        route_respond_json(resp, 200, body);
        return 0;
}

int routes_releases_targets_metadata(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        struct ota_ctx oc;
        int64_t id;
        _cleanup_json_ json_t *body = NULL;
        if (route_param_id(ctx, "id", &id, err) < 0 || route_ota(ctx, &oc, err) < 0 ||
            repo_release_targets_metadata(&oc, id, &body, err) < 0)
                return -1;
        route_respond_json(resp, 200, body);
        return 0;
}

int routes_releases_sign(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        struct ota_ctx oc;
        struct audit_actor actor;
        int64_t id;
        _cleanup_json_ json_t *req = NULL, *body = NULL;
        if (route_param_id(ctx, "id", &id, err) < 0 || route_read_json_body(ctx, &req, err) < 0 ||
            ota_and_actor(ctx, &oc, &actor, err) < 0 || repo_release_sign(&oc, &actor, id, req, &body, err) < 0)
                return -1;
        route_respond_json(resp, 200, body);
        return 0;
}

int routes_releases_publish(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        struct ota_ctx oc;
        struct audit_actor actor;
        int64_t id;
        _cleanup_json_ json_t *body = NULL;
        if (route_param_id(ctx, "id", &id, err) < 0 || read_empty_body(ctx, err) < 0 ||
            ota_and_actor(ctx, &oc, &actor, err) < 0 || repo_release_publish(&oc, &actor, id, &body, err) < 0)
                return -1;
        route_respond_json(resp, 200, body);
        return 0;
}

static const struct cr_json_field withdraw_fields[] = {
        { .name = "reason", .type = CR_JSON_STRING, .required = true, .max_len = 4 * RELEASE_WITHDRAW_REASON_MAX },
};

int routes_releases_withdraw(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        struct ota_ctx oc;
        struct audit_actor actor;
        int64_t id;
        _cleanup_json_ json_t *req = NULL, *body = NULL;
        if (route_param_id(ctx, "id", &id, err) < 0 || route_read_json_body(ctx, &req, err) < 0 ||
            cr_json_check_object("request body", req, withdraw_fields, ELEMENTSOF(withdraw_fields), err) < 0 ||
            ota_and_actor(ctx, &oc, &actor, err) < 0 ||
            release_withdraw(&oc, &actor, id, cr_json_get_string(req, "reason"), &body, err) < 0)
                return -1;
        route_respond_json(resp, 200, body);
        return 0;
}

int routes_images_delete(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        struct ota_ctx oc;
        struct audit_actor actor;
        _cleanup_json_ json_t *body = NULL;
        /* Governed as image.delete (issue 11). */
        _cleanup_json_ json_t *params = json_pack("{s:s}", "sha256", route_param(ctx, "sha256"));
        int g = route_approval_gate(ctx, resp, APPROVAL_OP_IMAGE_DELETE, params, err);
        if (g != 0)
                return g < 0 ? -1 : 0;
        if (ota_and_actor(ctx, &oc, &actor, err) < 0 ||
            image_delete(&oc, &actor, route_param(ctx, "sha256"), &body, err) < 0)
                return -1;
        route_respond_json(resp, 200, body);
        return 0;
}

/* ---- repositories ---- */

int routes_repos_list(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        struct ota_ctx oc;
        _cleanup_json_ json_t *body = NULL;
        if (route_ota(ctx, &oc, err) < 0 || repo_list(&oc, &body, err) < 0)
                return -1;
        route_respond_json(resp, 200, body);
        return 0;
}

int routes_repos_create(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        struct ota_ctx oc;
        struct audit_actor actor;
        _cleanup_json_ json_t *req = NULL, *body = NULL;
        if (route_read_json_body(ctx, &req, err) < 0 || ota_and_actor(ctx, &oc, &actor, err) < 0 ||
            repo_create(&oc, &actor, req, &body, err) < 0)
                return -1;
        route_respond_created(resp, body, "/api/v1/repos/%s", cr_json_get_string(req, "product"));
        return 0;
}

int routes_repos_get(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        struct ota_ctx oc;
        _cleanup_json_ json_t *body = NULL;
        if (route_ota(ctx, &oc, err) < 0 || repo_status(&oc, route_param(ctx, "model"), &body, err) < 0)
                return -1;
        route_respond_json(resp, 200, body);
        return 0;
}

int routes_repos_online_keys(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        struct ota_ctx oc;
        struct audit_actor actor;
        _cleanup_json_ json_t *body = NULL;
        if (ota_and_actor(ctx, &oc, &actor, err) < 0 ||
            repo_online_keys(&oc, &actor, route_param(ctx, "model"), &body, err) < 0)
                return -1;
        route_respond_json(resp, 200, body);
        return 0;
}

int routes_repos_online_keys_next(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        struct ota_ctx oc;
        struct audit_actor actor;
        _cleanup_json_ json_t *body = NULL;
        if (read_empty_body(ctx, err) < 0 || ota_and_actor(ctx, &oc, &actor, err) < 0 ||
            repo_online_keys_next(&oc, &actor, route_param(ctx, "model"), &body, err) < 0)
                return -1;
        route_respond_json(resp, 201, body);
        return 0;
}

int routes_repos_rotate_root(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        struct ota_ctx oc;
        struct audit_actor actor;
        _cleanup_json_ json_t *req = NULL, *body = NULL;
        if (route_read_json_body(ctx, &req, err) < 0 || ota_and_actor(ctx, &oc, &actor, err) < 0 ||
            repo_rotate_root(&oc, &actor, route_param(ctx, "model"), req, &body, err) < 0)
                return -1;
        route_respond_json(resp, 200, body);
        return 0;
}

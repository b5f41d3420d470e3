/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The director, assignments and update traceability (src/director/: director.h, assign.h, device-status.h).
 *   GET  /api/v1/director                     status: root, online keyid, expiry (all roles)
 *   GET  /api/v1/director/online-keys         the online targets key; generated on first call (admin)
 *   POST /api/v1/director/root                {"root": signed root} install 1 / rotate N+1 (admin)
 *   POST /api/v1/assignments                  {release_id, devices[]} or {release_id, tag}
 *   POST /api/v1/devices/{serial}/tags        {"tags": [...]} (replace)
 *   POST /api/v1/devices/tags                 {"add", "remove", "devices": [serials]} (many devices)
 *   GET  /api/v1/devices/{serial}/history     update history, oldest first (after, limit)
 * Devices (mTLS), each for itself only:
 *   GET  /device/v1/director/root.json, /device/v1/director/{N}.root.json
 *   GET  /device/v1/director/targets.json
 *   POST /device/v1/status
 */
#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/json.h"
#include "core/strutil.h"
#include "director/action.h"
#include "director/assign.h"
#include "director/device-status.h"
#include "director/director.h"
#include "director/tags-bulk.h"
#include "identity/peer.h"
#include "route-io.h"
#include "router.h"
#include "routes.h"

#define HISTORY_MAX_LIMIT 1000

static int route_director(struct route_ctx *ctx, struct director_ctx *out, struct error *err) {
        memset(out, 0, sizeof(*out));
        out->store = route_store(ctx, err);
        if (!out->store)
                return -1;
        out->data_dir = ctx->router->data_dir;
        out->key_ref = ctx->router->director_key;
        out->expiry = ctx->router->director_expiry;
        out->seen = ctx->router->director_seen;
        return 0;
}

int routes_director_get(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        struct director_ctx dc;
        _cleanup_json_ json_t *out = NULL;
        if (route_director(ctx, &dc, err) < 0 || director_status(&dc, &out, err) < 0)
                return -1;
        route_respond_json(resp, 200, out);
        return 0;
}

int routes_director_online_keys(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        struct director_ctx dc;
        _cleanup_json_ json_t *out = NULL;
        struct audit_actor a = route_actor(ctx);
        if (route_director(ctx, &dc, err) < 0 || director_online_keys(&dc, &a, &out, err) < 0)
                return -1;
        route_respond_json(resp, 200, out);
        return 0;
}

int routes_director_root_install(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        struct director_ctx dc;
        _cleanup_json_ json_t *body = NULL, *out = NULL;
        struct audit_actor a = route_actor(ctx);
        if (route_read_json_body(ctx, &body, err) < 0 || route_director(ctx, &dc, err) < 0 ||
            director_root_install(&dc, &a, body, &out, err) < 0)
                return -1;
        route_respond_json(resp, 200, out);
        return 0;
}

int routes_assignments_create(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        _cleanup_json_ json_t *body = NULL, *out = NULL;
        struct audit_actor a = route_actor(ctx);
        struct store *s;
        if (route_read_json_body(ctx, &body, err) < 0 || !(s = route_store(ctx, err)) ||
            director_assign(s, &a, body, &out, err) < 0)
                return -1;
        route_respond_json(resp, 200, out);
        return 0;
}

int routes_devices_tags_set(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        _cleanup_json_ json_t *body = NULL, *out = NULL;
        struct audit_actor a = route_actor(ctx);
        struct store *s;
        if (route_read_json_body(ctx, &body, err) < 0 || !(s = route_store(ctx, err)) ||
            director_device_tags_set(s, &a, route_param(ctx, "serial"), body, &out, err) < 0)
                return -1;
        route_respond_json(resp, 200, out);
        return 0;
}

int routes_devices_tags_bulk(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        _cleanup_json_ json_t *body = NULL, *out = NULL;
        struct audit_actor a = route_actor(ctx);
        struct store *s;
        if (route_read_json_body(ctx, &body, err) < 0 || !(s = route_store(ctx, err)) ||
            director_devices_tags_bulk(s, &a, body, &out, err) < 0)
                return -1;
        route_respond_json(resp, 200, out);
        return 0;
}

int routes_devices_history(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        int64_t after = 0, limit = 0;
        bool have_after, have_limit;
        _cleanup_json_ json_t *out = NULL;
        struct store *s;
        if (route_query_int(ctx, "after", 0, INT64_MAX, &after, &have_after, err) < 0 ||
            route_query_int(ctx, "limit", 1, HISTORY_MAX_LIMIT, &limit, &have_limit, err) < 0 ||
            !(s = route_store(ctx, err)) ||
            director_device_history(s, route_param(ctx, "serial"), after, (size_t) limit, &out, err) < 0)
                return -1;
        route_respond_json(resp, 200, out);
        return 0;
}

int routes_devices_actions(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        int64_t limit = 0, before = 0;
        bool have_limit, have_before;
        _cleanup_json_ json_t *out = NULL;
        struct store *s;
        if (route_query_int(ctx, "before", 1, INT64_MAX, &before, &have_before, err) < 0 ||
            route_query_int(ctx, "limit", 1, HISTORY_MAX_LIMIT, &limit, &have_limit, err) < 0 ||
            !(s = route_store(ctx, err)) ||
            director_device_actions_page(s, route_param(ctx, "serial"), before, (size_t) limit, &out, err) < 0)
                return -1;
        route_respond_json(resp, 200, out);
        return 0;
}

/* ---- the device side ---- */

static int respond_document(struct http_response *resp, char *bytes, size_t len) {
        http_response_set_body(resp, 200, HTTP_CONTENT_TYPE_JSON, bytes, len);
        return 0;
}

int routes_device_director_root(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        struct director_ctx dc;
        char *bytes;
        size_t len;
        if (route_director(ctx, &dc, err) < 0 || director_root_document(&dc, 0, &bytes, &len, err) < 0)
                return -1;
        return respond_document(resp, bytes, len);
}

/* "{N}.root.json": N a positive decimal without leading zeros. */
int routes_device_director_root_version(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        const char *file = route_param(ctx, "file");
        const char *suffix = ".root.json";
        size_t n = file ? strlen(file) : 0, sl = strlen(suffix);
        int64_t version;
        char digits[24];
        if (n <= sl || n - sl >= sizeof(digits) || strcmp(file + n - sl, suffix) != 0 || file[0] == '0')
                return error_set(err, ERROR_NOT_FOUND,
                                 "no director file '%.64s' (root.json, <N>.root.json, targets.json)", file ? file : "");
        memcpy(digits, file, n - sl);
        digits[n - sl] = '\0';
        for (const char *p = digits; *p; p++)
                if (*p < '0' || *p > '9')
                        return error_set(err, ERROR_NOT_FOUND,
                                         "no director file '%.64s' (root.json, <N>.root.json, targets.json)", file);
        if (str_to_int64(digits, 1, INT64_MAX, &version) < 0)
                return error_set(err, ERROR_NOT_FOUND, "no director root version %.24s", digits);
        struct director_ctx dc;
        char *bytes;
        size_t len;
        if (route_director(ctx, &dc, err) < 0 || director_root_document(&dc, version, &bytes, &len, err) < 0)
                return -1;
        return respond_document(resp, bytes, len);
}

int routes_device_director_targets(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        struct director_ctx dc;
        char *bytes;
        size_t len;
        if (route_director(ctx, &dc, err) < 0 ||
            director_targets_for_device(&dc, ctx->device->serial, &bytes, &len, err) < 0)
                return -1;
        return respond_document(resp, bytes, len);
}

int routes_device_status(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        struct director_ctx dc;
        _cleanup_json_ json_t *body = NULL, *out = NULL;
        if (route_read_json_body(ctx, &body, err) < 0 || route_director(ctx, &dc, err) < 0 ||
            director_status_report(&dc, ctx->device->serial, body, &out, err) < 0)
                return -1;
        route_respond_json(resp, 200, out);
        return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * /ddi/{tenant}/controller/v1/{controllerId}/...: the hawkBit DDI surface
 * (ddi/ddi.h, docs/ddi.md). The router has authenticated the device the URL
 * names (ROUTE_AUTH_DDI); handlers translate to src/ddi/ calls. Feedback and
 * configData bodies are read whatever their Content-Type (clients differ)
 * and parsed by the DDI's lenient parser. Plus the operator routes that go
 * with it: TargetTokens, a device's configData, canceling an action.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/cleanup.h"
#include "core/json.h"
#include "core/strutil.h"
#include "ddi/ddi.h"
#include "director/cancel.h"
#include "file-serve.h"
#include "identity/peer.h"
#include "route-io.h"
#include "router.h"
#include "routes.h"
#include "store/store-identity.h"

static inline void device_clearp(struct store_device *d) { store_device_clear(d); }

/* A Host header fit to put into a link: host name or address and port only. */
static bool host_valid(const char *h) {
        size_t n = h ? strlen(h) : 0;
        if (n == 0 || n > 255)
                return false;
        for (size_t i = 0; i < n; i++) {
                char c = h[i];
                if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
                      c == '-' || c == ':' || c == '[' || c == ']'))
                        return false;
        }
        return true;
}

/* The context, the base URL of links (heap, in *base) and the device row. */
static int ddi_setup(struct route_ctx *ctx, struct ddi_ctx *c, char **base, struct store_device *d,
                     struct error *err) {
        memset(c, 0, sizeof(*c));
        c->store = route_store(ctx, err);
        if (!c->store)
                return -1;
        c->data_dir = ctx->router->data_dir;
        c->cfg = ctx->router->ddi;
        const char *configured = ctx->router->ddi_base_url;
        if (configured && *configured)
                *base = str_dup(configured);
        else if (host_valid(ctx->req->host))
                *base = str_printf("https://%s", ctx->req->host);
        else
                return error_set(err, ERROR_INVALID, "the Host header is missing or not a host name and port; "
                                 "DDI links are built from it (or from [ddi] base_url)");
        c->base_url = *base;
        return store_device_get(c->store, ctx->device->device_id, d, err);
}

#define DDI_SETUP(ctx, c, err)                                                                        \
        struct ddi_ctx c;                                                                             \
        _cleanup_free_ char *base_##c = NULL;                                                         \
        __attribute__((cleanup(device_clearp))) struct store_device dev_##c = {0};                    \
        if (ddi_setup(ctx, &c, &base_##c, &dev_##c, err) < 0)                                         \
                return -1;

int routes_ddi_base(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        _cleanup_json_ json_t *out = NULL;
        DDI_SETUP(ctx, c, err);
        if (ddi_base_poll(&c, &dev_c, &out, err) < 0)
                return -1;
        route_respond_json(resp, 200, out);
        return 0;
}

typedef int (*ddi_action_doc_fn)(struct ddi_ctx *c, const struct store_device *d, int64_t action_id, json_t **out,
                                 struct error *err);

static int action_document(struct route_ctx *ctx, struct http_response *resp, ddi_action_doc_fn fn,
                           struct error *err) {
        _cleanup_json_ json_t *out = NULL;
        int64_t action_id;
        if (route_param_id(ctx, "actionId", &action_id, err) < 0)
                return -1;
        DDI_SETUP(ctx, c, err);
        if (fn(&c, &dev_c, action_id, &out, err) < 0)
                return -1;
        route_respond_json(resp, 200, out);
        return 0;
}

int routes_ddi_deployment_base(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        return action_document(ctx, resp, ddi_deployment_base, err);
}

int routes_ddi_installed_base(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        return action_document(ctx, resp, ddi_installed_base, err);
}

int routes_ddi_cancel_action(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        return action_document(ctx, resp, ddi_cancel_action, err);
}

static int feedback(struct route_ctx *ctx, struct http_response *resp, enum ddi_feedback_kind kind,
                    struct error *err) {
        _cleanup_json_ json_t *out = NULL;
        int64_t action_id;
        if (route_param_id(ctx, "actionId", &action_id, err) < 0)
                return -1;
        DDI_SETUP(ctx, c, err);
        if (ddi_feedback(&c, &dev_c, action_id, kind, ctx->req->body ? ctx->req->body : "", ctx->req->body_len, &out,
                         err) < 0)
                return -1;
        route_respond_json(resp, 200, out);
        return 0;
}

int routes_ddi_deployment_feedback(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        return feedback(ctx, resp, DDI_FEEDBACK_DEPLOYMENT, err);
}

int routes_ddi_cancel_feedback(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        return feedback(ctx, resp, DDI_FEEDBACK_CANCEL, err);
}

int routes_ddi_config_data(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        _cleanup_json_ json_t *out = NULL;
        DDI_SETUP(ctx, c, err);
        if (ddi_config_data(&c, &dev_c, ctx->req->body ? ctx->req->body : "", ctx->req->body_len, &out, err) < 0)
                return -1;
        route_respond_json(resp, 200, out);
        return 0;
}

int routes_ddi_artifact(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        __attribute__((cleanup(ddi_artifact_clear))) struct ddi_artifact a = {0};
        int64_t module_id;
        if (route_param_id(ctx, "moduleId", &module_id, err) < 0)
                return -1;
        DDI_SETUP(ctx, c, err);
        if (ddi_artifact_find(&c, &dev_c, module_id, route_param(ctx, "fileName"), &a, err) < 0)
                return -1;
        if (a.md5sum) {
                /* hawkBit's format: "<md5>  <file name>\n", as md5sum prints it. */
                char *text = str_printf("%s  %s\n", a.md5, a.file_name);
                http_response_set_body(resp, 200, "text/plain; charset=utf-8", text, strlen(text));
                return 0;
        }
        int fd = open(a.path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
        if (fd < 0)
                return error_set_errno(err, errno == ENOENT ? ERROR_NOT_FOUND : ERROR_IO, errno,
                                       "artifact %s: its image file", a.file_name);
        struct stat st;
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size != a.size) {
                close(fd);
                return error_set(err, ERROR_INTERNAL, "artifact %s: the image file does not have the recorded size",
                                 a.file_name);
        }
        char etag[70];
        snprintf(etag, sizeof(etag), "\"%s\"", a.sha256);
        /* Private: only this device may fetch it, through this URL. */
        return route_serve_fd(ctx, resp, fd, (uint64_t) a.size, etag, "application/octet-stream",
                              "private, max-age=86400", err);
}

/* ---- operators ---- */

int routes_devices_ddi_token_issue(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        _cleanup_json_ json_t *out = NULL;
        struct store *s = route_store(ctx, err);
        if (!s)
                return -1;
        struct audit_actor a = route_actor(ctx);
        if (ddi_token_issue(s, &a, route_param(ctx, "serial"), 0, &out, err) < 0)
                return -1;
        route_respond_json(resp, 201, out);
        http_response_add_header(resp, "Cache-Control", "no-store");
        return 0;
}

int routes_devices_ddi_token_revoke(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        struct store *s = route_store(ctx, err);
        if (!s)
                return -1;
        struct audit_actor a = route_actor(ctx);
        if (ddi_token_revoke(s, &a, route_param(ctx, "serial"), err) < 0)
                return -1;
        http_response_set_body(resp, 204, NULL, NULL, 0);
        return 0;
}

int routes_devices_config_data(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        _cleanup_json_ json_t *out = NULL;
        struct store *s = route_store(ctx, err);
        if (!s || ddi_config_data_get(s, route_param(ctx, "serial"), &out, err) < 0)
                return -1;
        route_respond_json(resp, 200, out);
        return 0;
}

int routes_devices_action_cancel(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        _cleanup_json_ json_t *body = NULL, *out = NULL;
        int64_t action_id;
        struct director_ctx dc = {0};
        if (route_param_id(ctx, "id", &action_id, err) < 0 || route_read_optional_json_body(ctx, &body, err) < 0)
                return -1;
        dc.store = route_store(ctx, err);
        dc.data_dir = ctx->router->data_dir;
        if (!dc.store)
                return -1;
        struct audit_actor a = route_actor(ctx);
        if (director_action_cancel_by_operator(&dc, &a, route_param(ctx, "serial"), action_id, body, &out, err) < 0)
                return -1;
        route_respond_json(resp, 200, out);
        return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Informing users and end of support (issue 10 section 6):
 *   PUT  /api/v1/devices/{serial}/owner          set or clear a device's owner reference (admin)
 *   PUT  /api/v1/batches/{id}/owner              set or clear a batch's owner reference (admin)
 *   GET  /api/v1/cases/{ref}/notify-list         the case's notification list, JSON or ?format=csv
 *   POST /api/v1/cases/{ref}/notify-list/send    queue it for the [cases] webhook
 *   GET  /.well-known/cradle/support.json        every product's support end (public)
 */
#include <string.h>

#include "core/cleanup.h"
#include "core/json.h"
#include "core/strutil.h"
#include "core/time.h"
#include "notify/notify-list.h"
#include "notify/owner.h"
#include "notify/support.h"
#include "response.h"
#include "route-io.h"
#include "router.h"
#include "routes.h"

static const struct cr_json_field owner_fields[] = {
        /* max_len above the limit: notify_owner_ref_check names the limit */
        { .name = "owner_ref", .type = CR_JSON_STRING, .required = true, .max_len = 1024, .allow_null = true },
};

static int read_owner(struct route_ctx *ctx, json_t **req, const char **ref, struct error *err) {
        if (route_read_json_body(ctx, req, err) < 0 ||
            cr_json_check_object("request body", *req, owner_fields, ELEMENTSOF(owner_fields), err) < 0)
                return -1;
        *ref = cr_json_get_string(*req, "owner_ref"); /* NULL for null: clear */
        return 0;
}

int routes_devices_owner_set(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        _cleanup_json_ json_t *req = NULL;
        const char *ref;
        if (read_owner(ctx, &req, &ref, err) < 0)
                return -1;
        struct store *s = route_store(ctx, err);
        if (!s)
                return -1;
        struct audit_actor actor = route_actor(ctx);
        const char *serial = route_param(ctx, "serial");
        if (notify_owner_device_set(s, &actor, serial, ref, err) < 0)
                return -1;
        _cleanup_json_ json_t *body = json_pack("{s:s, s:o}", "serial", serial, "owner_ref",
                                                ref ? json_string(ref) : json_null());
        route_respond_json(resp, 200, body);
        return 0;
}

int routes_batches_owner_set(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        _cleanup_json_ json_t *req = NULL;
        const char *ref;
        int64_t id;
        if (route_param_id(ctx, "id", &id, err) < 0 || read_owner(ctx, &req, &ref, err) < 0)
                return -1;
        struct store *s = route_store(ctx, err);
        if (!s)
                return -1;
        struct audit_actor actor = route_actor(ctx);
        if (notify_owner_batch_set(s, &actor, id, ref, err) < 0)
                return -1;
        _cleanup_json_ json_t *body = json_pack("{s:I, s:o}", "id", (json_int_t) id, "owner_ref",
                                                ref ? json_string(ref) : json_null());
        route_respond_json(resp, 200, body);
        return 0;
}

int routes_cases_notify_list(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        _cleanup_free_ char *format = NULL;
        if (route_query_string(ctx, "format", &format, err) < 0)
                return -1;
        if (format && strcmp(format, "json") != 0 && strcmp(format, "csv") != 0)
                return error_set(err, ERROR_INVALID, "query 'format': '%s' is not json or csv", format);
        struct store *s = route_store(ctx, err);
        _cleanup_json_ json_t *list = NULL;
        if (!s || notify_list_build(s, route_param(ctx, "ref"), time_now(), &list, err) < 0)
                return -1;
        if (format && strcmp(format, "csv") == 0) {
                char *csv = notify_list_csv(list);
                http_response_set_body(resp, 200, "text/csv; charset=utf-8; header=present", csv, strlen(csv));
                return 0;
        }
        route_respond_json(resp, 200, list);
        return 0;
}

int routes_cases_notify_list_send(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        _cleanup_json_ json_t *req = NULL;
        if (route_read_optional_json_body(ctx, &req, err) < 0)
                return -1;
        if (req && json_object_size(req) > 0)
                return error_set(err, ERROR_INVALID, "request body: sending a notification list takes no fields");
        struct store *s = route_store(ctx, err);
        if (!s)
                return -1;
        struct audit_actor actor = route_actor(ctx);
        _cleanup_json_ json_t *list = NULL;
        if (notify_list_queue(s, &actor, route_param(ctx, "ref"), ctx->router->case_webhook, time_now(), &list,
                              err) < 0)
                return -1;
        route_respond_json(resp, 202, list);
        return 0;
}

int routes_support_json(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        struct store *s = route_store(ctx, err);
        _cleanup_json_ json_t *body = NULL;
        if (!s || notify_support_json(s, time_now(), &body, err) < 0)
                return -1;
        route_respond_json(resp, 200, body);
        return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * /api/v1/devices and /api/v1/certificates: the device register for
 * operators (list, show), revocation and decommissioning
 * (identity/devices.h, identity/revoke.h).
 */
#include <stdlib.h>

#include "core/cleanup.h"
#include "core/json.h"
#include "core/strutil.h"
#include "identity/devices.h"
#include "identity/revoke.h"
#include "pki/cert.h"
#include "pki/crl.h"
#include "route-io.h"
#include "routes.h"

#define DEVICES_MAX_LIMIT 1000
#define EXPIRING_MAX_DAYS 36500

int routes_devices_list(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        _cleanup_free_ char *product = NULL, *batch = NULL, *status = NULL;
        int64_t days = 0, after = 0, limit = 0;
        bool have_days, have_after, have_limit;
        if (route_query_string(ctx, "product", &product, err) < 0 ||
            route_query_string(ctx, "batch", &batch, err) < 0 ||
            route_query_string(ctx, "status", &status, err) < 0 ||
            route_query_int(ctx, "expiring_within_days", 0, EXPIRING_MAX_DAYS, &days, &have_days, err) < 0 ||
            route_query_int(ctx, "after", 0, INT64_MAX, &after, &have_after, err) < 0 ||
            route_query_int(ctx, "limit", 1, DEVICES_MAX_LIMIT, &limit, &have_limit, err) < 0)
                return -1;
        const struct identity_device_filter f = {
                .product = product,
                .batch = batch,
                .status = status,
                .expiring = have_days,
                .expiring_within_days = (unsigned) days,
                .after_id = after,
                .limit = (size_t) limit,
        };
        struct store *s = route_store(ctx, err);
        _cleanup_json_ json_t *body = NULL;
        if (!s || identity_devices_list(s, &f, &body, err) < 0)
                return -1;
        route_respond_json(resp, 200, body);
        return 0;
}

int routes_devices_get(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        struct store *s = route_store(ctx, err);
        _cleanup_json_ json_t *body = NULL;
        if (!s || identity_device_get(s, route_param(ctx, "serial"), &body, err) < 0)
                return -1;
        route_respond_json(resp, 200, body);
        return 0;
}

static const struct cr_json_field revoke_fields[] = {
        { .name = "reason", .type = CR_JSON_STRING, .required = true, .max_len = 64 },
};

/* {"reason": "keyCompromise"} (an RFC 5280 CRLReason name or its number). */
static int read_reason(struct route_ctx *ctx, int *reason, struct error *err) {
        _cleanup_json_ json_t *req = NULL;
        if (route_read_json_body(ctx, &req, err) < 0 ||
            cr_json_check_object("request body", req, revoke_fields, ELEMENTSOF(revoke_fields), err) < 0)
                return -1;
        if (pki_crl_reason_parse(cr_json_get_string(req, "reason"), reason, err) < 0)
                return error_prefix(err, "field 'reason': ");
        return 0;
}

static int respond_device(struct route_ctx *ctx, struct store *s, struct http_response *resp,
                          struct error *err) {
        _cleanup_json_ json_t *body = NULL;
        if (identity_device_get(s, route_param(ctx, "serial"), &body, err) < 0)
                return -1;
        route_respond_json(resp, 200, body);
        return 0;
}

int routes_devices_revoke(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        int reason;
        struct identity_ctx ic;
        if (read_reason(ctx, &reason, err) < 0 || route_identity(ctx, &ic, err) < 0)
                return -1;
        struct audit_actor actor = route_actor(ctx);
        if (identity_revoke_device(&ic, &actor, route_param(ctx, "serial"), reason, err) < 0)
                return -1;
        return respond_device(ctx, ic.store, resp, err);
}

int routes_devices_decommission(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        _cleanup_json_ json_t *req = NULL;
        struct identity_ctx ic;
        if (route_read_optional_json_body(ctx, &req, err) < 0)
                return -1;
        if (req && json_object_size(req) > 0)
                return error_set(err, ERROR_INVALID,
                                 "request body: decommissioning takes no fields (the CRL reason is "
                                 "cessationOfOperation)");
        if (route_identity(ctx, &ic, err) < 0)
                return -1;
        struct audit_actor actor = route_actor(ctx);
        if (identity_decommission(&ic, &actor, route_param(ctx, "serial"), err) < 0)
                return -1;
        return respond_device(ctx, ic.store, resp, err);
}

int routes_certificates_revoke(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        int reason;
        struct identity_ctx ic;
        char serial[41];
        if (pki_serial_hex_normalize(route_param(ctx, "serial"), serial, err) < 0)
                return error_prefix(err, "path parameter 'serial': ");
        if (read_reason(ctx, &reason, err) < 0 || route_identity(ctx, &ic, err) < 0)
                return -1;
        struct audit_actor actor = route_actor(ctx);
        if (identity_revoke_cert(&ic, &actor, serial, reason, err) < 0)
                return -1;
        _cleanup_json_ json_t *body = json_pack("{s:s, s:s, s:s}", "serial", serial, "status", "revoked",
                                                "reason", pki_crl_reason_name(reason));
        route_respond_json(resp, 200, body);
        return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * /api/v1/device-cas: the device-issuing CAs (identity/device-ca.h).
 * create makes the key (a file under <data dir>/pki, or a given PKCS#11 URI
 * or key file) and a CSR for the offline root to sign; installing the signed
 * certificate with its chain makes the CA active.
 */
#include <stdlib.h>

#include "core/cleanup.h"
#include "core/json.h"
#include "core/strutil.h"
#include "identity/device-ca.h"
#include <string.h>
#include "approval/approval.h"
#include "route-io.h"
#include "router.h"
#include "routes.h"

#define CA_PEM_MAX (64 * 1024)

int routes_device_cas_list(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        struct store *s = route_store(ctx, err);
        _cleanup_json_ json_t *body = NULL;
        if (!s || identity_ca_list(s, &body, err) < 0)
                return -1;
        route_respond_json(resp, 200, body);
        return 0;
}

static const struct cr_json_field ca_create_fields[] = {
        { .name = "product", .type = CR_JSON_STRING, .required = true, .max_len = 64 },
        { .name = "name", .type = CR_JSON_STRING, .required = true, .max_len = IDENTITY_CA_NAME_MAX },
        { .name = "key_ref", .type = CR_JSON_STRING, .max_len = 4096, .allow_null = true },
};

int routes_device_cas_create(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        _cleanup_json_ json_t *req = NULL, *body = NULL;
        if (route_read_json_body(ctx, &req, err) < 0 ||
            cr_json_check_object("request body", req, ca_create_fields, ELEMENTSOF(ca_create_fields), err) < 0)
                return -1;
        struct store *s = route_store(ctx, err);
        if (!s)
                return -1;
        struct audit_actor actor = route_actor(ctx);
        const char *name = cr_json_get_string(req, "name");
        if (identity_ca_create(s, &actor, cr_json_get_string(req, "product"), name,
                               cr_json_get_string(req, "key_ref"), ctx->router->data_dir, &body, err) < 0)
                return -1;
        route_respond_created(resp, body, "/api/v1/device-cas/%s", name);
        return 0;
}

int routes_device_cas_get(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        struct store *s = route_store(ctx, err);
        _cleanup_json_ json_t *body = NULL;
        if (!s || identity_ca_get(s, route_param(ctx, "name"), &body, err) < 0)
                return -1;
        route_respond_json(resp, 200, body);
        return 0;
}

static const struct cr_json_field ca_install_fields[] = {
        { .name = "certificate", .type = CR_JSON_STRING, .required = true, .max_len = CA_PEM_MAX },
        { .name = "chain", .type = CR_JSON_STRING, .required = true, .max_len = CA_PEM_MAX },
};

/* Would installing CA `name` retire another CA of its product? */
static int ca_install_retires(struct store *s, const char *name, bool *out, struct error *err) {
        _cleanup_json_ json_t *ca = NULL, *list = NULL;
        *out = false;
        if (identity_ca_get(s, name, &ca, err) < 0 || identity_ca_list(s, &list, err) < 0)
                return -1;
        const char *product = json_string_value(json_object_get(ca, "product"));
        json_t *item;
        size_t i;
        json_array_foreach(json_object_get(list, "items"), i, item) {
                const char *p = json_string_value(json_object_get(item, "product"));
                const char *n = json_string_value(json_object_get(item, "name"));
                const char *st = json_string_value(json_object_get(item, "status"));
                if (p && product && n && st && strcmp(p, product) == 0 && strcmp(n, name) != 0 &&
                    strcmp(st, "active") == 0)
                        *out = true;
        }
        return 0;
}

int routes_device_cas_install(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        _cleanup_json_ json_t *req = NULL, *body = NULL;
        if (route_read_json_body(ctx, &req, err) < 0 ||
            cr_json_check_object("request body", req, ca_install_fields, ELEMENTSOF(ca_install_fields), err) < 0)
                return -1;
        struct store *s = route_store(ctx, err);
        if (!s)
                return -1;
        /* Installing a CA that replaces the product's active one retires it:
         * governed as device-ca.retire (issue 11). The first CA is not. */
        bool retires;
        if (ca_install_retires(s, route_param(ctx, "name"), &retires, err) < 0)
                return -1;
        if (retires) {
                _cleanup_json_ json_t *params = json_pack("{s:s, s:s, s:s}", "name", route_param(ctx, "name"),
                                                          "certificate", cr_json_get_string(req, "certificate"),
                                                          "chain", cr_json_get_string(req, "chain"));
                int g = route_approval_gate(ctx, resp, APPROVAL_OP_DEVICE_CA_RETIRE, params, err);
                if (g != 0)
                        return g < 0 ? -1 : 0;
        }
        struct audit_actor actor = route_actor(ctx);
        if (identity_ca_install(s, &actor, route_param(ctx, "name"), cr_json_get_string(req, "certificate"),
                                cr_json_get_string(req, "chain"), &body, err) < 0)
                return -1;
        route_respond_json(resp, 200, body);
        return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * /api/v1/batches: production batches (identity/batch.h), and the batch's
 * migration key (32 bytes as 64 hex digits; never returned).
 */
#include <inttypes.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/json.h"
#include "core/strutil.h"
#include "crypto/ct.h"
#include "crypto/encoding.h"
#include "identity/batch.h"
#include "route-io.h"
#include "routes.h"

int routes_batches_list(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        _cleanup_free_ char *product = NULL;
        _cleanup_json_ json_t *body = NULL;
        if (route_query_string(ctx, "product", &product, err) < 0)
                return -1;
        struct store *s = route_store(ctx, err);
        if (!s || identity_batch_list(s, product, &body, err) < 0)
                return -1;
        route_respond_json(resp, 200, body);
        return 0;
}

int routes_batches_create(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        return route_create_json(ctx, resp, identity_batch_create, "/api/v1/batches", err);
}

int routes_batches_get(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        int64_t id;
        _cleanup_json_ json_t *body = NULL;
        if (route_param_id(ctx, "id", &id, err) < 0)
                return -1;
        struct store *s = route_store(ctx, err);
        if (!s || identity_batch_get(s, id, &body, err) < 0)
                return -1;
        route_respond_json(resp, 200, body);
        return 0;
}

int routes_batches_close(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        int64_t id;
        _cleanup_json_ json_t *req = NULL, *body = NULL;
        if (route_param_id(ctx, "id", &id, err) < 0 || route_read_optional_json_body(ctx, &req, err) < 0)
                return -1;
        if (req && json_object_size(req) > 0)
                return error_set(err, ERROR_INVALID, "request body: closing a batch takes no fields");
        struct store *s = route_store(ctx, err);
        if (!s)
                return -1;
        struct audit_actor actor = route_actor(ctx);
        if (identity_batch_close(s, &actor, id, &body, err) < 0)
                return -1;
        route_respond_json(resp, 200, body);
        return 0;
}

#define MIGRATION_KEY_BYTES 32

static const struct cr_json_field migration_key_fields[] = {
        { .name = "key", .type = CR_JSON_STRING, .required = true, .max_len = 2 * MIGRATION_KEY_BYTES },
};

int routes_batches_set_migration_key(struct route_ctx *ctx, struct http_response *resp,
                                     struct error *err) {
        int64_t id;
        _cleanup_json_ json_t *req = NULL, *body = NULL;
        if (route_param_id(ctx, "id", &id, err) < 0 || route_read_json_body(ctx, &req, err) < 0 ||
            cr_json_check_object("request body", req, migration_key_fields,
                                 ELEMENTSOF(migration_key_fields), err) < 0)
                return -1;
        const char *hex = cr_json_get_string(req, "key");
        uint8_t key[MIGRATION_KEY_BYTES];
        size_t hex_len = strlen(hex);
        bool ok = hex_len == 2 * MIGRATION_KEY_BYTES && hex_decode(hex, key, sizeof(key), NULL) == 0;
        /* jansson's copy of the secret goes away with the request. */
        ct_wipe((char *) hex, hex_len);
        if (!ok)
                return error_set(err, ERROR_INVALID,
                                 "field 'key': expected %d hex digits (a %d-byte key)",
                                 2 * MIGRATION_KEY_BYTES, MIGRATION_KEY_BYTES);
        struct store *s = route_store(ctx, err);
        struct audit_actor actor = route_actor(ctx);
        int r = s ? identity_batch_set_migration_key(s, &actor, id, key, err) : -1;
        ct_wipe(key, sizeof(key));
        if (r < 0 || identity_batch_get(s, id, &body, err) < 0)
                return -1;
        route_respond_json(resp, 200, body);
        return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * /api/v1/products/{id}/migration: the window in which fielded devices of a
 * product may claim an identity with the shared fleet credential
 * (identity/migrate.h; the claim itself is /device/v1/claim).
 */
#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/json.h"
#include "crypto/ct.h"
#include "identity/migrate.h"
#include "approval/approval.h"
#include "crypto/hash.h"
#include "route-io.h"
#include "routes.h"
#include "store/store-identity.h"

#define SHARED_CREDENTIAL_MAX 512

static const struct cr_json_field open_fields[] = {
        { .name = "shared_credential", .type = CR_JSON_STRING, .required = true,
          .max_len = SHARED_CREDENTIAL_MAX },
};

static int product_model(struct route_ctx *ctx, struct identity_ctx *ic, char **model,
                         struct error *err) {
        int64_t id;
        if (route_param_id(ctx, "id", &id, err) < 0 || route_identity(ctx, ic, err) < 0)
                return -1;
        return store_identity_product_model(ic->store, id, model, err);
}

static void respond_state(struct http_response *resp, const char *model, const char *state) {
        _cleanup_json_ json_t *body = json_pack("{s:s, s:s}", "product", model, "migration", state);
        route_respond_json(resp, 200, body);
}

int routes_migration_open(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        _cleanup_json_ json_t *req = NULL;
        _cleanup_free_ char *model = NULL;
        struct identity_ctx ic;
        if (route_read_json_body(ctx, &req, err) < 0 ||
            cr_json_check_object("request body", req, open_fields, ELEMENTSOF(open_fields), err) < 0 ||
            product_model(ctx, &ic, &model, err) < 0)
                return -1;
        const char *cred = cr_json_get_string(req, "shared_credential");
        /* Governed as migration.open (issue 11): the request keeps the
         * credential's SHA-256, never the credential. */
        char hash[65];
        hash_sha256_hex(cred, strlen(cred), hash);
        _cleanup_json_ json_t *params = json_pack("{s:s, s:s}", "product", model, "shared_credential_sha256", hash);
        int g = route_approval_gate(ctx, resp, APPROVAL_OP_MIGRATION_OPEN, params, err);
        if (g != 0) {
                ct_wipe((char *) cred, strlen(cred));
                return g < 0 ? -1 : 0;
        }
        struct audit_actor actor = route_actor(ctx);
        int r = identity_migration_open(&ic, &actor, model, cred, err);
        ct_wipe((char *) cred, strlen(cred));
        if (r < 0)
                return -1;
        respond_state(resp, model, "open");
        return 0;
}

int routes_migration_close(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        _cleanup_free_ char *model = NULL;
        struct identity_ctx ic;
        if (product_model(ctx, &ic, &model, err) < 0)
                return -1;
        struct audit_actor actor = route_actor(ctx);
        if (identity_migration_close(&ic, &actor, model, err) < 0)
                return -1;
        respond_state(resp, model, "closed");
        return 0;
}

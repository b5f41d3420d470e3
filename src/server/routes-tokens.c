/* SPDX-License-Identifier: Apache-2.0 */
/* /api/v1/tokens: list, create (the secret is in the response, once), revoke. */
#include "auth/role.h"
#include "auth/token.h"
#include "core/cleanup.h"
#include "core/json.h"
#include "core/strutil.h"
#include <string.h>
#include "route-io.h"
#include "routes.h"
#include "store/store-token.h"

int routes_tokens_list(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        struct store *s = route_store(ctx, err);
        struct store_token *list = NULL;
        size_t n = 0;
        if (!s || store_token_list(s, &list, &n, err) < 0)
                return -1;
        _cleanup_json_ json_t *items = json_array();
        for (size_t i = 0; i < n; i++)
                json_array_append_new(items, auth_token_to_json(&list[i]));
        store_token_list_free(list, n);
        _cleanup_json_ json_t *body = json_pack("{s:O}", "items", items);
        route_respond_json(resp, 200, body);
        return 0;
}

static const struct cr_json_field token_create_fields[] = {
        { .name = "name", .type = CR_JSON_STRING, .required = true, .max_len = 128 },
        { .name = "role", .type = CR_JSON_STRING, .required = true, .max_len = 64 },
        /* issue 11: the existing user the token is for; absent: a new user
         * named after the token */
        { .name = "user", .type = CR_JSON_STRING, .required = false, .max_len = 128 },
};

int routes_tokens_create(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        _cleanup_json_ json_t *req = NULL;
        if (route_read_json_body(ctx, &req, err) < 0 ||
            cr_json_check_object("request body", req, token_create_fields,
                                 ELEMENTSOF(token_create_fields), err) < 0)
                return -1;
        enum role role;
        if (role_parse(cr_json_get_string(req, "role"), &role, err) < 0)
                return error_prefix(err, "field 'role': ");
        struct store *s = route_store(ctx, err);
        if (!s)
                return -1;
        struct audit_actor actor = route_actor(ctx);
        _cleanup_secret_ char *secret = NULL;
        struct store_token rec = {0};
        if (auth_token_create_for(s, &actor, cr_json_get_string(req, "name"), role,
                                  cr_json_get_string(req, "user"), &secret, &rec, err) < 0)
                return -1;
        _cleanup_json_ json_t *body = auth_token_to_json(&rec);
        store_token_clear(&rec);
        /* The secret is spliced into the rendered text rather than put in the
         * JSON tree, so the only heap copy is the response body, which is
         * wiped when freed. Token strings are base64url: no escaping needed. */
        _cleanup_free_ char *text = cr_json_dump(body);
        size_t len = strlen(text);
        if (len < 2 || text[len - 1] != '}')
                return error_set(err, ERROR_INTERNAL, "token JSON is not an object");
        struct buf b = {0};
        buf_append(&b, text, len - 1);
        buf_appendf(&b, ",\"token\":\"%s\"}", secret);
        size_t blen = b.len;
        http_response_set_body(resp, 201, HTTP_CONTENT_TYPE_JSON, buf_steal(&b), blen);
        resp->sensitive = true;
        return 0;
}

int routes_tokens_revoke(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        struct store *s = route_store(ctx, err);
        if (!s)
                return -1;
        struct audit_actor actor = route_actor(ctx);
        struct store_token rec = {0};
        if (auth_token_revoke(s, &actor, route_param(ctx, "name"), &rec, err) < 0)
                return -1;
        _cleanup_json_ json_t *body = auth_token_to_json(&rec);
        store_token_clear(&rec);
        route_respond_json(resp, 200, body);
        return 0;
}

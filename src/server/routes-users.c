/* SPDX-License-Identifier: Apache-2.0 */
/* /api/v1/users: operator users (auth/user.h), their roles, disabling. */
#include "auth/role.h"
#include "auth/user.h"
#include "core/cleanup.h"
#include "core/json.h"
#include "route-io.h"
#include "routes.h"

static json_t *user_json(struct store *s, const struct store_user *u, bool with_tokens,
                         struct error *err) {
        if (!with_tokens)
                return auth_user_to_json(u, NULL, 0);
        char **names = NULL;
        size_t n = 0;
        if (store_user_token_names(s, u->id, &names, &n, err) < 0)
                return NULL;
        json_t *j = auth_user_to_json(u, names ? names : (char *[]){NULL}, n);
        store_user_names_free(names, n);
        return j;
}

int routes_users_list(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        struct store *s = route_store(ctx, err);
        struct store_user *list = NULL;
        size_t n = 0;
        if (!s || store_user_list(s, &list, &n, err) < 0)
                return -1;
        _cleanup_json_ json_t *items = json_array();
        for (size_t i = 0; i < n; i++)
                json_array_append_new(items, auth_user_to_json(&list[i], NULL, 0));
        store_user_list_free(list, n);
        _cleanup_json_ json_t *body = json_pack("{s:O}", "items", items);
        route_respond_json(resp, 200, body);
        return 0;
}

static const struct cr_json_field user_create_fields[] = {
        { .name = "name", .type = CR_JSON_STRING, .required = true, .max_len = 128 },
        { .name = "contact", .type = CR_JSON_STRING, .required = false, .max_len = 512 },
        { .name = "roles", .type = CR_JSON_ARRAY, .required = true },
};

int routes_users_create(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        _cleanup_json_ json_t *req = NULL;
        if (route_read_json_body(ctx, &req, err) < 0 ||
            cr_json_check_object("request body", req, user_create_fields, ELEMENTSOF(user_create_fields),
                                 err) < 0)
                return -1;
        json_t *roles = json_object_get(req, "roles"), *r;
        size_t i;
        unsigned bits = 0;
        if (json_array_size(roles) > 8)
                return error_set(err, ERROR_INVALID, "field 'roles': at most 8 entries");
        json_array_foreach(roles, i, r) {
                enum role role;
                if (!json_is_string(r))
                        return error_set(err, ERROR_INVALID, "field 'roles[%zu]': expected a string", i);
                if (role_parse(json_string_value(r), &role, err) < 0)
                        return error_prefix(err, "field 'roles[%zu]': ", i);
                bits |= (unsigned) role;
        }
        struct store *s = route_store(ctx, err);
        if (!s)
                return -1;
        struct audit_actor actor = route_actor(ctx);
        struct store_user u;
        if (auth_user_create(s, &actor, cr_json_get_string(req, "name"), cr_json_get_string(req, "contact"),
                             bits, &u, err) < 0)
                return -1;
        _cleanup_json_ json_t *body = auth_user_to_json(&u, NULL, 0);
        store_user_clear(&u);
        route_respond_created(resp, body, "/api/v1/users/%s", json_string_value(json_object_get(body, "name")));
        return 0;
}

int routes_users_get(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        struct store *s = route_store(ctx, err);
        if (!s || auth_name_check("user", route_param(ctx, "name"), err) < 0)
                return -1;
        struct store_user u;
        if (store_user_get_by_name(s, route_param(ctx, "name"), &u, err) < 0)
                return -1;
        _cleanup_json_ json_t *body = user_json(s, &u, true, err);
        store_user_clear(&u);
        if (!body)
                return -1;
        route_respond_json(resp, 200, body);
        return 0;
}

static const struct cr_json_field role_fields[] = {
        { .name = "role", .type = CR_JSON_STRING, .required = true, .max_len = 64 },
};

static int respond_user(struct route_ctx *ctx, struct http_response *resp, struct store_user *u,
                        struct error *err) {
        (void) ctx;
        (void) err;
        _cleanup_json_ json_t *body = auth_user_to_json(u, NULL, 0);
        store_user_clear(u);
        route_respond_json(resp, 200, body);
        return 0;
}

int routes_users_role_add(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        _cleanup_json_ json_t *req = NULL;
        if (route_read_json_body(ctx, &req, err) < 0 ||
            cr_json_check_object("request body", req, role_fields, ELEMENTSOF(role_fields), err) < 0)
                return -1;
        enum role role;
        if (role_parse(cr_json_get_string(req, "role"), &role, err) < 0)
                return error_prefix(err, "field 'role': ");
        struct store *s = route_store(ctx, err);
        if (!s)
                return -1;
        struct audit_actor actor = route_actor(ctx);
        struct store_user u;
        if (auth_user_add_role(s, &actor, route_param(ctx, "name"), role, &u, err) < 0)
                return -1;
        return respond_user(ctx, resp, &u, err);
}

int routes_users_role_remove(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        enum role role;
        if (role_parse(route_param(ctx, "role"), &role, err) < 0)
                return -1;
        struct store *s = route_store(ctx, err);
        if (!s)
                return -1;
        struct audit_actor actor = route_actor(ctx);
        struct store_user u;
        if (auth_user_remove_role(s, &actor, route_param(ctx, "name"), role, &u, err) < 0)
                return -1;
        return respond_user(ctx, resp, &u, err);
}

int routes_users_disable(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        struct store *s = route_store(ctx, err);
        if (!s)
                return -1;
        struct audit_actor actor = route_actor(ctx);
        struct store_user u;
        if (auth_user_disable(s, &actor, route_param(ctx, "name"), &u, err) < 0)
                return -1;
        return respond_user(ctx, resp, &u, err);
}

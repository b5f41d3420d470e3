/* SPDX-License-Identifier: Apache-2.0 */
/*
 * /api/v1/keys (issue 11 section 2): the key registry. Reading is for
 * admins, security officers and auditors; changes (owner, custodians,
 * states, compromise) for admins and security officers. The roles are in
 * the route table only (routes.c).
 */
#include <string.h>
#include "core/cleanup.h"
#include "core/json.h"
#include "keys/keys.h"
#include "route-io.h"
#include "router.h"
#include "routes.h"

static const struct keys_policy *policy(const struct route_ctx *ctx, struct keys_policy *tmp) {
        if (ctx->router->keys_policy)
                return ctx->router->keys_policy;
        keys_policy_init(tmp);
        return tmp;
}

/* The {key} of the path: an id, a fingerprint (prefix) or a TUF keyid. */
static int key_of_path(struct route_ctx *ctx, struct store *s, int64_t *id, struct error *err) {
        struct store_key k;
        if (keys_lookup(s, route_param(ctx, "key"), &k, err) < 0)
                return -1;
        *id = k.id;
        store_key_clear(&k);
        return 0;
}

static int respond_key(struct route_ctx *ctx, struct store *s, int64_t id, struct http_response *resp,
                       struct error *err) {
        struct keys_policy tmp;
        _cleanup_json_ json_t *body = NULL;
        if (keys_show_json(s, policy(ctx, &tmp), id, &body, err) < 0)
                return -1;
        route_respond_json(resp, 200, body);
        return 0;
}

int routes_keys_list(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        _cleanup_free_ char *class = NULL, *state = NULL;
        int64_t due_within = 0;
        bool has_due = false;
        if (route_query_string(ctx, "class", &class, err) < 0 || route_query_string(ctx, "state", &state, err) < 0 ||
            route_query_int(ctx, "due_within", 1, 36500LL * 86400, &due_within, &has_due, err) < 0)
                return -1;
        struct store *s = route_store(ctx, err);
        if (!s)
                return -1;
        struct keys_policy tmp;
        const struct keys_list_filter f = {.class = class, .state = state, .due_within = has_due ? due_within : 0};
        _cleanup_json_ json_t *body = NULL;
        if (keys_list_json(s, policy(ctx, &tmp), &f, &body, err) < 0)
                return -1;
        route_respond_json(resp, 200, body);
        return 0;
}

int routes_keys_get(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        struct store *s = route_store(ctx, err);
        int64_t id;
        if (!s || key_of_path(ctx, s, &id, err) < 0)
                return -1;
        return respond_key(ctx, s, id, resp, err);
}

static const struct cr_json_field user_fields[] = {
        { .name = "user", .type = CR_JSON_STRING, .required = true, .max_len = 64 },
};

/* The body {"user": NAME}, validated. */
static int read_user(struct route_ctx *ctx, json_t **req, struct error *err) {
        return route_read_json_body(ctx, req, err) < 0 ||
                               cr_json_check_object("request body", *req, user_fields, ELEMENTSOF(user_fields), err) < 0
                       ? -1
                       : 0;
}

/* A change of the key in the path that names one user ({"user": NAME}). */
typedef int (*key_user_change_fn)(struct store *s, int64_t id, const char *user, const struct audit_actor *by,
                                  struct error *err);

static int key_user_change(struct route_ctx *ctx, struct http_response *resp, key_user_change_fn change,
                           struct error *err) {
        _cleanup_json_ json_t *req = NULL;
        if (read_user(ctx, &req, err) < 0)
                return -1;
        struct store *s = route_store(ctx, err);
        int64_t id;
        if (!s || key_of_path(ctx, s, &id, err) < 0)
                return -1;
        struct audit_actor actor = route_actor(ctx);
        if (change(s, id, cr_json_get_string(req, "user"), &actor, err) < 0)
                return -1;
        return respond_key(ctx, s, id, resp, err);
}

int routes_keys_set_owner(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        return key_user_change(ctx, resp, keys_set_owner, err);
}

int routes_keys_custodian_add(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        return key_user_change(ctx, resp, keys_custodian_add, err);
}

int routes_keys_custodian_remove(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        struct store *s = route_store(ctx, err);
        int64_t id;
        if (!s || key_of_path(ctx, s, &id, err) < 0)
                return -1;
        struct audit_actor actor = route_actor(ctx);
        if (keys_custodian_remove(s, id, route_param(ctx, "user"), &actor, err) < 0)
                return -1;
        return respond_key(ctx, s, id, resp, err);
}

static const struct cr_json_field state_fields[] = {
        { .name = "state", .type = CR_JSON_STRING, .required = true, .max_len = 32 },
        { .name = "reason", .type = CR_JSON_STRING, .required = false, .max_len = 1024 },
};

int routes_keys_set_state(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        _cleanup_json_ json_t *req = NULL;
        if (route_read_json_body(ctx, &req, err) < 0 ||
            cr_json_check_object("request body", req, state_fields, ELEMENTSOF(state_fields), err) < 0)
                return -1;
        const char *to = cr_json_get_string(req, "state");
        /* Compromise has its own route: it raises a security event and
         * answers with the runbook; a plain state change must not skip that. */
        if (strcmp(to, "compromised") == 0)
                return error_set(err, ERROR_INVALID, "field 'state': report a compromise with POST "
                                 "/api/v1/keys/{key}/compromised");
        struct store *s = route_store(ctx, err);
        int64_t id;
        if (!s || key_of_path(ctx, s, &id, err) < 0)
                return -1;
        struct audit_actor actor = route_actor(ctx);
        if (keys_transition(s, id, to, cr_json_get_string(req, "reason"), &actor, err) < 0)
                return -1;
        return respond_key(ctx, s, id, resp, err);
}

static const struct cr_json_field compromised_fields[] = {
        { .name = "reason", .type = CR_JSON_STRING, .required = true, .max_len = 1024 },
};

int routes_keys_compromised(struct route_ctx *ctx, struct http_response *resp, struct error *err) {
        _cleanup_json_ json_t *req = NULL;
        if (route_read_json_body(ctx, &req, err) < 0 ||
            cr_json_check_object("request body", req, compromised_fields, ELEMENTSOF(compromised_fields), err) < 0)
                return -1;
        struct store *s = route_store(ctx, err);
        int64_t id;
        if (!s || key_of_path(ctx, s, &id, err) < 0)
                return -1;
        struct audit_actor actor = route_actor(ctx);
        struct keys_policy tmp;
        _cleanup_json_ json_t *body = NULL;
        if (keys_compromised(s, policy(ctx, &tmp), id, cr_json_get_string(req, "reason"), &actor, &body, err) < 0)
                return -1;
        route_respond_json(resp, 200, body);
        return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* Operator users: people who hold roles and tokens (auth/user.h is the domain). */
#include "store/store.h"

struct store_user {
        int64_t id;
        char *name;           /* unique */
        char *contact;        /* e-mail or other reachable address; may be "" */
        int64_t created_at;
        char *created_by;     /* token name of the creator */
        int64_t disabled_at;  /* 0 = enabled */
        char **roles;         /* role names, sorted */
        size_t n_roles;
};

int store_user_insert(struct store *s, const struct store_user *u, int64_t *id_out,
                      struct error *err);     /* ERROR_CONFLICT on a duplicate name */
int store_user_get_by_name(struct store *s, const char *name, struct store_user *out,
                           struct error *err); /* ERROR_NOT_FOUND */
int store_user_get_by_id(struct store *s, int64_t id, struct store_user *out, struct error *err);
int store_user_list(struct store *s, struct store_user **out, size_t *n_out, struct error *err);
/* ERROR_CONFLICT when the user already holds / does not hold the role. */
int store_user_role_add(struct store *s, int64_t user_id, const char *role, struct error *err);
int store_user_role_remove(struct store *s, int64_t user_id, const char *role, struct error *err);
int store_user_disable(struct store *s, int64_t user_id, int64_t when, struct error *err);
bool store_user_has_role(const struct store_user *u, const char *role);
/* Names of the user's tokens that are not revoked (for show). */
int store_user_token_names(struct store *s, int64_t user_id, char ***out, size_t *n_out,
                           struct error *err);
void store_user_clear(struct store_user *u);
void store_user_list_free(struct store_user *list, size_t n);
void store_user_names_free(char **names, size_t n);

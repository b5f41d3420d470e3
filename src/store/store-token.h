/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* Operator API tokens. Only the SHA-256 of the secret part is stored. */
#include "store/store.h"

#define STORE_TOKEN_PUBLIC_ID_LEN 16 /* hex chars */

struct store_token {
        int64_t id;
        char public_id[STORE_TOKEN_PUBLIC_ID_LEN + 1];
        char *name;           /* unique */
        char *role;           /* role name, see auth/role.h */
        uint8_t secret_hash[32];
        int64_t created_at;
        char *created_by;     /* token name of the creator */
        int64_t revoked_at;   /* 0 = active */
        int64_t user_id;      /* the user the token acts for; 0 = none (refused) */
        char *user_name;      /* read only (from users); NULL when user_id is 0 */
};

int store_token_insert(struct store *s, const struct store_token *t, int64_t *id_out,
                       struct error *err);           /* ERROR_CONFLICT on duplicate name */
int store_token_get_by_public_id(struct store *s, const char *public_id, struct store_token *out,
                                 struct error *err); /* ERROR_NOT_FOUND */
int store_token_get_by_name(struct store *s, const char *name, struct store_token *out,
                            struct error *err);
int store_token_list(struct store *s, struct store_token **out, size_t *n_out, struct error *err);
int store_token_set_user(struct store *s, int64_t token_id, int64_t user_id, struct error *err);
int store_token_revoke(struct store *s, int64_t id, int64_t when, struct error *err);
void store_token_clear(struct store_token *t);
void store_token_list_free(struct store_token *list, size_t n);

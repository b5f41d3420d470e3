/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * Operator bearer tokens: "cradle_<16 hex public id>_<43 base64url chars>"
 * with a 256-bit secret. The public id finds the row; the SHA-256 of the
 * secret is compared in constant time. The secret is shown once, at creation.
 */
#include <jansson.h>
#include "audit/audit.h"
#include "auth/role.h"
#include "store/store-token.h"
#include "store/store-user.h"

struct auth_principal {
        int64_t token_id;
        char name[128];       /* the token's name */
        enum role role;       /* the role the token acts with (its user holds it) */
        int64_t user_id;      /* the person behind the token (auth/user.h) */
        char user_name[128];
};

/* Creates a token (row + audit entry, one transaction). *secret_out is the
 * whole token string, to be shown once; free with free_secret. The token
 * gets a new user named after it, holding `role` (see auth/user.h). */
int auth_token_create(struct store *s, const struct audit_actor *by, const char *name,
                      enum role role, char **secret_out, struct store_token *rec_out,
                      struct error *err);
/* The same for an existing user (user != NULL), who must be enabled and hold
 * `role`; user == NULL is auth_token_create. */
int auth_token_create_for(struct store *s, const struct audit_actor *by, const char *name,
                          enum role role, const char *user, char **secret_out,
                          struct store_token *rec_out, struct error *err);
int auth_token_revoke(struct store *s, const struct audit_actor *by, const char *name,
                      struct store_token *rec_out, struct error *err);
/* Checks an Authorization header value ("Bearer ..."). ERROR_UNAUTHENTICATED
 * names why: missing, not a bearer token, malformed, unknown, revoked, no
 * user, user disabled, user no longer holds the token's role. */
int auth_authenticate(struct store *s, const char *authorization, struct auth_principal *out,
                      struct error *err);
json_t *auth_token_to_json(const struct store_token *t); /* never includes secrets */

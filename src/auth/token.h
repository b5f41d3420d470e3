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

struct auth_principal {
        int64_t token_id;
        char name[128];
        enum role role;
};

/* Creates a token (row + audit entry, one transaction). *secret_out is the
 * whole token string, to be shown once; free with free_secret. */
int auth_token_create(struct store *s, const struct audit_actor *by, const char *name,
                      enum role role, char **secret_out, struct store_token *rec_out,
                      struct error *err);
int auth_token_revoke(struct store *s, const struct audit_actor *by, const char *name,
                      struct store_token *rec_out, struct error *err);
/* Checks an Authorization header value ("Bearer ..."). ERROR_UNAUTHENTICATED
 * names why: missing, not a bearer token, malformed, unknown, revoked. */
int auth_authenticate(struct store *s, const char *authorization, struct auth_principal *out,
                      struct error *err);
json_t *auth_token_to_json(const struct store_token *t); /* never includes secrets */

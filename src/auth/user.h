/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * Operator users (issue 11): people, not just tokens. A user has a name, a
 * contact, one or more roles and one or more tokens; each token acts with one
 * role its user holds (checked at authentication, auth_authenticate). Approvals
 * count distinct users, so one person with two tokens is one approver.
 *
 * `cradle token create NAME --role R` without --user creates a user named NAME
 * holding R and attaches the token to it (the behaviour of every token before
 * users existed); with --user it attaches the token to that existing user, who
 * must hold R.
 */
#include <jansson.h>
#include "audit/audit.h"
#include "auth/role.h"
#include "store/store-user.h"

#define AUTH_USER_NAME_MAX 64
#define AUTH_USER_CONTACT_MAX 256

/* roles: a non-empty set of role bits. */
int auth_user_create(struct store *s, const struct audit_actor *by, const char *name,
                     const char *contact, unsigned roles, struct store_user *out, struct error *err);
int auth_user_add_role(struct store *s, const struct audit_actor *by, const char *name, enum role role,
                       struct store_user *out, struct error *err);
/* Refuses to remove a user's last role (disable the user instead). */
int auth_user_remove_role(struct store *s, const struct audit_actor *by, const char *name,
                          enum role role, struct store_user *out, struct error *err);
/* A disabled user's tokens stop authenticating at once. */
int auth_user_disable(struct store *s, const struct audit_actor *by, const char *name,
                      struct store_user *out, struct error *err);
/* Validates a user or token name (1..64 of A-Z a-z 0-9 . _ @ -). */
int auth_name_check(const char *what, const char *name, struct error *err);
json_t *auth_user_to_json(const struct store_user *u, char **tokens, size_t n_tokens);

/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* Approval policies, requests and votes (approval/approval.h is the domain). */
#include "store/store.h"

struct store_approval_policy {
        char *operation;
        int64_t approvers;
        char *roles;          /* comma-separated role names */
        int64_t updated_at;
        char *updated_by;
};

struct store_approval_vote {
        int64_t user_id;
        char *user_name;
        char *token;
        char *role;
        char *decision;       /* "approve" | "reject" */
        char *comment;
        int64_t time;
};

struct store_approval_request {
        int64_t id;
        char *operation;
        char *params;         /* compact JSON, sorted keys (the hash is over its canonical form) */
        char params_sha256[65];
        int64_t requester_user_id;
        char *requester_token;
        char *requester_role;
        char *justification;
        int64_t approvers;
        char *roles;
        char *state;
        int64_t created_at, expires_at, executed_at;
        char *result;         /* NULL until run */
        struct store_approval_vote *votes;
        size_t n_votes;
        char *requester_name; /* read only (from users) */
};

int store_approval_policy_get(struct store *s, const char *op, struct store_approval_policy *out,
                              bool *found, struct error *err);
int store_approval_policy_list(struct store *s, struct store_approval_policy **out, size_t *n,
                               struct error *err);
int store_approval_policy_put(struct store *s, const struct store_approval_policy *p, struct error *err);
void store_approval_policy_clear(struct store_approval_policy *p);
void store_approval_policy_list_free(struct store_approval_policy *l, size_t n);

int store_approval_request_insert(struct store *s, const struct store_approval_request *r, int64_t *id,
                                  struct error *err);
int store_approval_request_get(struct store *s, int64_t id, struct store_approval_request *out,
                               struct error *err); /* ERROR_NOT_FOUND; with votes */
/* Newest first; state NULL = all. */
int store_approval_request_list(struct store *s, const char *state, size_t limit,
                                struct store_approval_request **out, size_t *n, struct error *err);
int store_approval_vote_insert(struct store *s, int64_t request_id, const struct store_approval_vote *v,
                               struct error *err);
/* Moves a request from `from` to `to`; false in *moved when it was not in `from`
 * (someone else moved it first). executed_at/result are set when given. */
int store_approval_request_transition(struct store *s, int64_t id, const char *from, const char *to,
                                      int64_t executed_at, const char *result, bool *moved,
                                      struct error *err);
void store_approval_request_clear(struct store_approval_request *r);
void store_approval_request_list_free(struct store_approval_request *l, size_t n);

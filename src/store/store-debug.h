/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* Issued debug-authorisation tokens (debug/issue.h is the domain). */
#include "store/store.h"

struct store_debug_token {
        int64_t id;
        char *token_id;          /* hex */
        int64_t approval_id;     /* 0: issued without a request (debug.issue not governed) */
        char *device_serial;
        char *device_uid;
        char *scope;
        char *challenge_sha256;
        int64_t security_floor;
        int64_t not_before, not_after;
        char *requester;
        char *approvers;
        char *key_fingerprint;
        char *token;             /* base64 */
        int64_t issued_at;
};

int store_debug_token_insert(struct store *s, const struct store_debug_token *t, int64_t *id, struct error *err);
/* ERROR_NOT_FOUND when that request issued no token. */
int store_debug_token_by_approval(struct store *s, int64_t approval_id, struct store_debug_token *out,
                                  struct error *err);
/* Newest first; serial NULL: every device. */
int store_debug_token_list(struct store *s, const char *serial, size_t limit, struct store_debug_token **out,
                           size_t *n, struct error *err);
void store_debug_token_clear(struct store_debug_token *t);
void store_debug_token_list_free(struct store_debug_token *l, size_t n);

/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * Debug-authorisation tokens on the server (issue 11, section 4;
 * docs/keys.md "## Debug tokens").
 *
 * An engineer submits a device's challenge with a justification; that is an
 * approval request for the operation debug.issue (approval/approval.h) whose
 * parameters are the challenge and what it says, so the approvers see, and
 * the hash binds, exactly the device, scope and nonce the token will name.
 * When the last approval arrives the executor calls debug_issue: the token is
 * signed with the debug-auth key (a file in the data directory or a PKCS#11
 * object, generated on first use and entered in the key registry), stored,
 * audited "debug.issue", and the key's use is recorded (keys_use_audited).
 */
#include <jansson.h>
#include "audit/audit.h"
#include "core/error.h"
#include "store/store.h"

#define DEBUG_KEY_FILE "debug-auth.key"  /* in the data directory, when [debug] key is empty */
#define DEBUG_VALIDITY_MAX (7 * 86400)   /* the longest [debug] validity accepted */

struct debug_config {
        const char *key_ref;   /* NULL or "": <data_dir>/debug-auth.key; else a path or a pkcs11: URI */
        const char *data_dir;
        int64_t validity;      /* seconds; 0: DEBUG_VALIDITY_DEFAULT (24 h) */
};

/* Checks a challenge (base64 of its bytes) and turns it into the request's
 * parameters {"challenge", "challenge_sha256", "serial", "uid", "scope",
 * "security_version"}. The serial must be a registered, not decommissioned
 * device. */
int debug_request_params(struct store *s, const char *challenge_b64, json_t **params, struct error *err);

/* Issues the token of approved parameters. as: the requester; approvers:
 * comma-separated user names; approval_id: 0 when debug.issue is not
 * governed. *result: {"token_id", "serial", "scope", "not_before",
 * "not_after", "approvers", "key_fingerprint"}. */
int debug_issue(struct store *s, const struct debug_config *cfg, const struct audit_actor *as, int64_t approval_id,
                const char *approvers, json_t *params, json_t **result, struct error *err);

/* The token a request issued: the row's JSON with "token" (base64). */
int debug_token_get(struct store *s, int64_t approval_id, json_t **out, struct error *err);
/* Every token issued for a device (serial NULL: all), newest first: {"items": [...]}. */
int debug_token_list(struct store *s, const char *serial, json_t **out, struct error *err);
/* The debug-auth public key as PEM (generated on first use), for devices' trust anchor. */
int debug_key_public_pem(struct store *s, const struct debug_config *cfg, const struct audit_actor *as, char **pem,
                         struct error *err);

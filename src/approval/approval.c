/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <string.h>
#include "approval/approval.h"
#include "auth/role.h"
#include "core/cleanup.h"
#include "core/json.h"
#include "core/log.h"
#include "core/strutil.h"
#include "core/time.h"
#include "crypto/ct.h"
#include "crypto/hash.h"

#define APPROVAL_PARAMS_MAX (64 * 1024)
#define APPROVAL_LIST_MAX 200

static const char *const known_ops[] = {
        APPROVAL_OP_DEVICE_CA_RETIRE, APPROVAL_OP_CAMPAIGN_SECURITY_START, APPROVAL_OP_DEBUG_ISSUE,
        APPROVAL_OP_MIGRATION_OPEN,   APPROVAL_OP_IMAGE_DELETE,            APPROVAL_OP_POLICY_SET,
};

void approval_defaults_init(struct approval_defaults *d) {
        *d = (struct approval_defaults) {
                .approvers = 2,
                .roles = APPROVAL_ROLES_DEFAULT,
                .governed = APPROVAL_GOVERNED_DEFAULT,
                .expiry = 72 * 3600,
        };
}

bool approval_operation_known(const char *op) {
        for (size_t i = 0; op && i < ELEMENTSOF(known_ops); i++)
                if (strcmp(known_ops[i], op) == 0)
                        return true;
        return false;
}

/* Is `item` one of the comma-separated entries of `list`? */
static bool list_has(const char *list, const char *item) {
        size_t n = strlen(item);
        for (const char *p = list; p && *p;) {
                while (*p == ' ' || *p == ',')
                        p++;
                const char *e = p;
                while (*e && *e != ',')
                        e++;
                const char *t = e;
                while (t > p && t[-1] == ' ')
                        t--;
                if ((size_t) (t - p) == n && n && strncmp(p, item, n) == 0)
                        return true;
                p = e;
        }
        return false;
}

/* Checks a comma-separated role list: non-empty, every entry a role. */
static int roles_check(const char *roles, struct error *err) {
        if (!roles || !*roles)
                return error_set(err, ERROR_INVALID, "roles: at least one role is required");
        _cleanup_free_ char *copy = str_dup(roles);
        char *save = NULL;
        size_t n = 0;
        for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
                enum role r;
                while (*tok == ' ')
                        tok++;
                if (role_parse(tok, &r, err) < 0)
                        return error_prefix(err, "roles: ");
                n++;
        }
        if (!n)
                return error_set(err, ERROR_INVALID, "roles: at least one role is required");
        return 0;
}

int approval_policy_effective(struct store *s, const struct approval_defaults *d, const char *op,
                              struct approval_policy *out, struct error *err) {
        memset(out, 0, sizeof(*out));
        if (!approval_operation_known(op))
                return error_set(err, ERROR_INVALID, "operation: '%.64s' is not a governed operation", op ? op : "");
        snprintf(out->operation, sizeof(out->operation), "%s", op);
        struct store_approval_policy p;
        bool found;
        if (store_approval_policy_get(s, op, &p, &found, err) < 0)
                return -1;
        if (found) {
                out->approvers = p.approvers;
                snprintf(out->roles, sizeof(out->roles), "%s", p.roles);
                out->configured = true;
                store_approval_policy_clear(&p);
                return 0;
        }
        out->approvers = list_has(d->governed, op) ? d->approvers : 0;
        snprintf(out->roles, sizeof(out->roles), "%s", d->roles);
        return 0;
}

static json_t *policy_json(const struct approval_policy *p) {
        return json_pack("{s:s, s:I, s:s, s:b, s:s}", "operation", p->operation, "approvers",
                         (json_int_t) p->approvers, "roles", p->roles, "governed", p->approvers > 0,
                         "source", p->configured ? "policy" : "defaults");
}

int approval_policy_list(struct store *s, const struct approval_defaults *d, json_t **out,
                         struct error *err) {
        _cleanup_json_ json_t *items = json_array();
        for (size_t i = 0; i < ELEMENTSOF(known_ops); i++) {
                struct approval_policy p;
                if (approval_policy_effective(s, d, known_ops[i], &p, err) < 0)
                        return -1;
                json_array_append_new(items, policy_json(&p));
        }
        *out = json_pack("{s:O}", "items", items);
        return 0;
}

int approval_params_hash(json_t *params, char out[65], char **canonical, struct error *err) {
        size_t len;
        char *canon = cr_json_canonical(params, &len, err);
        if (!canon)
                return -1;
        if (len > APPROVAL_PARAMS_MAX) {
                free(canon);
                return error_set(err, ERROR_INVALID, "parameters: longer than %d bytes", APPROVAL_PARAMS_MAX);
        }
        hash_sha256_hex(canon, len, out);
        if (canonical)
                *canonical = canon;
        else
                free(canon);
        return 0;
}

json_t *approval_request_to_json(const struct store_approval_request *r) {
        char created[TIME_RFC3339_LEN], expires[TIME_RFC3339_LEN], executed[TIME_RFC3339_LEN];
        time_format_rfc3339(r->created_at, created);
        time_format_rfc3339(r->expires_at, expires);
        if (r->executed_at)
                time_format_rfc3339(r->executed_at, executed);
        json_t *params = r->params ? json_loads(r->params, JSON_REJECT_DUPLICATES, NULL) : NULL;
        json_t *result = r->result ? json_loads(r->result, JSON_REJECT_DUPLICATES, NULL) : NULL;
        json_t *votes = json_array();
        int64_t approvals = 0;
        for (size_t i = 0; i < r->n_votes; i++) {
                const struct store_approval_vote *v = &r->votes[i];
                char when[TIME_RFC3339_LEN];
                time_format_rfc3339(v->time, when);
                if (strcmp(v->decision, "approve") == 0)
                        approvals++;
                json_array_append_new(votes, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "user", v->user_name,
                                                       "token", v->token, "role", v->role, "decision",
                                                       v->decision, "comment", v->comment ? v->comment : "",
                                                       "time", when));
        }
        bool expired = strcmp(r->state, "pending") == 0 && time_now() >= r->expires_at;
        return json_pack("{s:I, s:s, s:o, s:s, s:{s:s, s:s, s:s}, s:s, s:I, s:s, s:s, s:b, s:I, s:o, s:s, "
                         "s:s, s:o, s:o}",
                         "id", (json_int_t) r->id,
                         "operation", r->operation,
                         "params", params ? params : json_null(),
                         "params_sha256", r->params_sha256,
                         "requester", "user", r->requester_name ? r->requester_name : "",
                         "token", r->requester_token, "role", r->requester_role,
                         "justification", r->justification,
                         "approvers_required", (json_int_t) r->approvers,
                         "roles", r->roles,
                         "state", r->state,
                         "expired", expired,
                         "approvals", (json_int_t) approvals,
                         "votes", votes,
                         "created_at", created,
                         "expires_at", expires,
                         "executed_at", r->executed_at ? json_string(executed) : json_null(),
                         "result", result ? result : json_null());
}

static int request_json(struct store *s, int64_t id, json_t **out, struct error *err) {
        struct store_approval_request r;
        if (store_approval_request_get(s, id, &r, err) < 0)
                return -1;
        *out = approval_request_to_json(&r);
        store_approval_request_clear(&r);
        return 0;
}

int approval_get(struct store *s, int64_t id, json_t **out, struct error *err) {
        return request_json(s, id, out, err);
}

int approval_list(struct store *s, const char *state, json_t **out, struct error *err) {
        static const char *const states[] = {"pending", "approved", "rejected", "executing", "executed", "failed"};
        bool ok = !state;
        for (size_t i = 0; !ok && i < ELEMENTSOF(states); i++)
                ok = strcmp(states[i], state) == 0;
        if (!ok)
                return error_set(err, ERROR_INVALID, "state: '%.32s' is not a request state (pending, approved, "
                                 "rejected, executing, executed, failed)", state);
        struct store_approval_request *l;
        size_t n;
        if (store_approval_request_list(s, state, APPROVAL_LIST_MAX, &l, &n, err) < 0)
                return -1;
        json_t *items = json_array();
        for (size_t i = 0; i < n; i++)
                json_array_append_new(items, approval_request_to_json(&l[i]));
        store_approval_request_list_free(l, n);
        *out = json_pack("{s:o}", "items", items);
        return 0;
}

static struct audit_actor person_actor(const struct approval_person *p) {
        return (struct audit_actor) {.name = p->token, .role = p->role, .user = p->user};
}

static int justification_check(const char *j, struct error *err) {
        size_t n = strlen(j);
        if (n > APPROVAL_JUSTIFICATION_MAX)
                return error_set(err, ERROR_INVALID, "justification: longer than %d characters",
                                 APPROVAL_JUSTIFICATION_MAX);
        for (size_t i = 0; i < n; i++)
                if ((unsigned char) j[i] < 0x20 || j[i] == 0x7f)
                        return error_set(err, ERROR_INVALID, "justification: control character at offset %zu", i);
        return 0;
}

int approval_request(struct store *s, const struct approval_defaults *d, const struct approval_person *who,
                     const char *op, json_t *params, const char *justification, json_t **out,
                     struct error *err) {
        *out = NULL;
        if (!justification)
                justification = "";
        if (!json_is_object(params))
                return error_set(err, ERROR_INTERNAL, "approval parameters of %s must be a JSON object", op);
        if (justification_check(justification, err) < 0)
                return -1;
        struct approval_policy pol;
        if (approval_policy_effective(s, d, op, &pol, err) < 0)
                return -1;
        if (pol.approvers <= 0)
                return 0;
        if (who->user_id <= 0)
                return error_set(err, ERROR_FORBIDDEN, "%s needs approval, and only a user can request it", op);
        /* Stored as compact JSON with sorted keys (jansson's escaping: canonical
         * JSON leaves control characters raw, which no strict parser reads
         * back); the hash is over the canonical form, as the audit chain's. */
        _cleanup_free_ char *text = json_dumps(params, JSON_COMPACT | JSON_SORT_KEYS);
        if (!text)
                return error_set(err, ERROR_INVALID, "parameters of %s cannot be serialised", op);
        struct store_approval_request r = {
                .operation = (char *) op,
                .requester_user_id = who->user_id,
                .requester_token = (char *) who->token,
                .requester_role = (char *) who->role,
                .justification = (char *) justification,
                .approvers = pol.approvers,
                .roles = pol.roles,
                .created_at = time_now(),
        };
        r.expires_at = r.created_at + (d->expiry > 0 ? d->expiry : 72 * 3600);
        if (approval_params_hash(params, r.params_sha256, NULL, err) < 0)
                return -1;
        r.params = text;
        struct audit_actor actor = person_actor(who);
        if (store_tx_begin(s, err) < 0)
                return -1;
        int64_t id;
        char object[32];
        if (store_approval_request_insert(s, &r, &id, err) < 0)
                goto fail;
        snprintf(object, sizeof(object), "approval:%lld", (long long) id);
        {
                _cleanup_json_ json_t *details = json_pack("{s:s, s:s, s:s, s:I, s:s}", "operation", op,
                                                           "params_sha256", r.params_sha256, "justification",
                                                           justification, "approvers", (json_int_t) pol.approvers,
                                                           "roles", pol.roles);
                if (audit_append(s, &actor, "approval.request", object, details, err) < 0)
                        goto fail;
        }
        if (store_tx_commit(s, err) < 0)
                return -1;
        if (request_json(s, id, out, err) < 0)
                return -1;
        return 1;
fail:
        store_tx_rollback(s);
        return -1;
}

static int64_t approvals_count(const struct store_approval_request *r) {
        int64_t n = 0;
        for (size_t i = 0; i < r->n_votes; i++)
                if (strcmp(r->votes[i].decision, "approve") == 0)
                        n++;
        return n;
}

int approval_decide(struct store *s, const struct approval_person *who, int64_t id, bool approve,
                    const char *comment, const struct approval_executor *ex, json_t **out,
                    struct error *err) {
        *out = NULL;
        if (!comment)
                comment = "";
        if (justification_check(comment, err) < 0)
                return error_prefix(err, "comment: ");
        if (who->user_id <= 0)
                return error_set(err, ERROR_FORBIDDEN, "only a user can approve or reject");
        struct audit_actor actor = person_actor(who);
        char object[32];
        snprintf(object, sizeof(object), "approval:%lld", (long long) id);
        if (store_tx_begin(s, err) < 0)
                return -1;
        struct store_approval_request r;
        if (store_approval_request_get(s, id, &r, err) < 0) {
                store_tx_rollback(s);
                return -1;
        }
        int rc = 0;
        bool ready = false;
        if (strcmp(r.state, "pending") != 0)
                rc = error_set(err, ERROR_CONFLICT, "approval request %lld is %s, not pending", (long long) id, r.state);
        else if (time_now() >= r.expires_at)
                rc = error_set(err, ERROR_CONFLICT, "approval request %lld expired; ask again", (long long) id);
        else if (r.requester_user_id == who->user_id)
                rc = error_set(err, ERROR_FORBIDDEN, "user '%s' requested %s and cannot %s it", who->user,
                               r.operation, approve ? "approve" : "reject");
        else if (!list_has(r.roles, who->role))
                rc = error_set(err, ERROR_FORBIDDEN, "role '%s' may not decide on %s (roles allowed: %s)",
                               who->role, r.operation, r.roles);
        for (size_t i = 0; rc == 0 && i < r.n_votes; i++)
                if (r.votes[i].user_id == who->user_id)
                        rc = error_set(err, ERROR_CONFLICT, "user '%s' already voted on approval request %lld "
                                       "(one vote per person, whichever token)", who->user, (long long) id);
        if (rc == 0) {
                struct store_approval_vote v = {.user_id = who->user_id, .user_name = (char *) who->user,
                                                .token = (char *) who->token, .role = (char *) who->role,
                                                .decision = approve ? "approve" : "reject",
                                                .comment = (char *) comment, .time = time_now()};
                _cleanup_json_ json_t *details = json_pack("{s:s, s:s, s:s}", "operation", r.operation,
                                                           "params_sha256", r.params_sha256, "comment", comment);
                bool moved = true;
                if (store_approval_vote_insert(s, id, &v, err) < 0 ||
                    audit_append(s, &actor, approve ? "approval.approve" : "approval.reject", object, details,
                                 err) < 0)
                        rc = -1;
                else if (!approve)
                        rc = store_approval_request_transition(s, id, "pending", "rejected", 0, NULL, &moved, err);
                else if (approvals_count(&r) + 1 >= r.approvers) {
                        rc = store_approval_request_transition(s, id, "pending", "approved", 0, NULL, &moved, err);
                        ready = true;
                }
                if (rc == 0 && !moved)
                        rc = error_set(err, ERROR_CONFLICT, "approval request %lld changed meanwhile", (long long) id);
        }
        store_approval_request_clear(&r);
        if (rc < 0) {
                store_tx_rollback(s);
                return -1;
        }
        if (store_tx_commit(s, err) < 0)
                return -1;
        if (ready)
                return approval_execute(s, id, ex, out, err);
        return request_json(s, id, out, err);
}

static int policy_set_run(struct store *s, const struct audit_actor *as, json_t *params, json_t **result,
                          struct error *err) {
        const char *op = json_string_value(json_object_get(params, "operation"));
        json_t *n = json_object_get(params, "approvers");
        const char *roles = json_string_value(json_object_get(params, "roles"));
        if (!approval_operation_known(op))
                return error_set(err, ERROR_INVALID, "operation: '%.64s' is not a governed operation", op ? op : "");
        if (!json_is_integer(n) || json_integer_value(n) < 0 || json_integer_value(n) > APPROVAL_APPROVERS_MAX)
                return error_set(err, ERROR_INVALID, "approvers: expected an integer from 0 to %d",
                                 APPROVAL_APPROVERS_MAX);
        if (roles_check(roles, err) < 0)
                return -1;
        struct store_approval_policy p = {.operation = (char *) op, .approvers = json_integer_value(n),
                                          .roles = (char *) roles, .updated_at = time_now(),
                                          .updated_by = (char *) as->name};
        _cleanup_json_ json_t *details = json_pack("{s:I, s:s}", "approvers", (json_int_t) p.approvers, "roles", roles);
        char object[96];
        snprintf(object, sizeof(object), "approval-policy:%s", op);
        if (store_tx_begin(s, err) < 0)
                return -1;
        if (store_approval_policy_put(s, &p, err) < 0 ||
            audit_append(s, as, "approval.policy-set", object, details, err) < 0) {
                store_tx_rollback(s);
                return -1;
        }
        if (store_tx_commit(s, err) < 0)
                return -1;
        *result = json_pack("{s:s, s:I, s:s}", "operation", op, "approvers", (json_int_t) p.approvers, "roles", roles);
        return 0;
}

int approval_policy_set_now(struct store *s, const struct audit_actor *as, json_t *params, json_t **out,
                            struct error *err) {
        *out = NULL;
        return policy_set_run(s, as, params, out, err);
}

/* Records how a claimed request ended. */
static int finish(struct store *s, const struct store_approval_request *r, const char *state, json_t *result,
                  struct error *err) {
        _cleanup_free_ char *text = json_dumps(result, JSON_COMPACT | JSON_SORT_KEYS);
        json_t *approvers = json_array();
        for (size_t i = 0; i < r->n_votes; i++)
                if (strcmp(r->votes[i].decision, "approve") == 0)
                        json_array_append_new(approvers, json_string(r->votes[i].user_name));
        _cleanup_json_ json_t *details = json_pack("{s:s, s:s, s:s, s:o}", "operation", r->operation,
                                                   "params_sha256", r->params_sha256, "outcome", state,
                                                   "approvers", approvers);
        const struct audit_actor sys = {.name = "system", .role = "system"};
        char object[32];
        snprintf(object, sizeof(object), "approval:%lld", (long long) r->id);
        bool moved;
        if (store_tx_begin(s, err) < 0)
                return -1;
        if (store_approval_request_transition(s, r->id, "executing", state, time_now(), text, &moved, err) < 0 ||
            audit_append(s, &sys, "approval.execute", object, details, err) < 0) {
                store_tx_rollback(s);
                return -1;
        }
        return store_tx_commit(s, err);
}

int approval_execute(struct store *s, int64_t id, const struct approval_executor *ex, json_t **out,
                     struct error *err) {
        *out = NULL;
        struct store_approval_request r;
        if (store_approval_request_get(s, id, &r, err) < 0)
                return -1;
        int rc = 0;
        bool moved = false;
        if (strcmp(r.state, "approved") != 0)
                rc = error_set(err, ERROR_CONFLICT, "approval request %lld is %s; only an approved request runs, once",
                               (long long) id, r.state);
        else if (r.expires_at <= time_now()) /* expired before it ran */
                rc = error_set(err, ERROR_CONFLICT, "approval request %lld expired before it ran; ask again",
                               (long long) id);
        else if (store_approval_request_transition(s, id, "approved", "executing", 0, NULL, &moved, err) < 0)
                rc = -1;
        else if (!moved)
                rc = error_set(err, ERROR_CONFLICT, "approval request %lld is already being run", (long long) id);
        if (rc < 0) {
                store_approval_request_clear(&r);
                return -1;
        }
        /* From here the request is ours alone and never runs again. What runs
         * is r.params; its hash must be the one the approvers saw. */
        struct error perr = {0};
        _cleanup_json_ json_t *params = cr_json_parse("parameters", r.params, strlen(r.params),
                                                      APPROVAL_PARAMS_MAX, CR_JSON_DEFAULT_MAX_DEPTH, &perr);
        char hash[65] = "";
        _cleanup_json_ json_t *result = NULL;
        const char *state = "failed";
        if (!params || approval_params_hash(params, hash, NULL, &perr) < 0)
                rc = -1;
        else if (!ct_equal(hash, r.params_sha256, 64))
                rc = error_set(&perr, ERROR_CONFLICT, "approval request %lld: the parameters to run are not the ones "
                               "approved (hash mismatch); ask again", (long long) id);
        else {
                struct audit_actor as = {.name = r.requester_token, .role = r.requester_role,
                                         .user = r.requester_name};
                if (strcmp(r.operation, APPROVAL_OP_POLICY_SET) == 0)
                        rc = policy_set_run(s, &as, params, &result, &perr);
                else if (!ex || !ex->run)
                        rc = error_set(&perr, ERROR_INTERNAL, "no executor for %s", r.operation);
                else
                        rc = ex->run(ex->ctx, s, &as, r.operation, params, &result, &perr);
                if (store_in_transaction(s))
                        store_tx_rollback(s);
        }
        if (rc == 0)
                state = "executed";
        else {
                json_decref(result);
                result = json_pack("{s:s, s:s}", "error", error_kind_name(perr.kind), "detail", perr.msg);
        }
        if (!result)
                result = json_object();
        if (finish(s, &r, state, result, err) < 0) {
                store_approval_request_clear(&r);
                return -1;
        }
        store_approval_request_clear(&r);
        if (rc < 0) {
                if (err)
                        *err = perr;
                return -1;
        }
        return request_json(s, id, out, err);
}

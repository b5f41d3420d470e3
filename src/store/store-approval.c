/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>
#include "core/cleanup.h"
#include "core/strutil.h"
#include "store/store-approval.h"
#include "store/store-private.h"

int store_approval_policy_get(struct store *s, const char *op, struct store_approval_policy *out,
                              bool *found, struct error *err) {
        memset(out, 0, sizeof(*out));
        *found = false;
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "SELECT operation, approvers, roles, updated_at, updated_by FROM approval_policies "
                             "WHERE operation = ?1", &st, err) < 0 ||
            store_bind_text(s, st, 1, op, err) < 0)
                return -1;
        int rc = store_step_row(s, st, "reading an approval policy", err);
        if (rc <= 0)
                return rc;
        out->operation = store_column_text(st, 0);
        out->approvers = sqlite3_column_int64(st, 1);
        out->roles = store_column_text(st, 2);
        out->updated_at = sqlite3_column_int64(st, 3);
        out->updated_by = store_column_text(st, 4);
        *found = true;
        return 0;
}

int store_approval_policy_list(struct store *s, struct store_approval_policy **out, size_t *n_out,
                               struct error *err) {
        *out = NULL;
        *n_out = 0;
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "SELECT operation, approvers, roles, updated_at, updated_by FROM approval_policies "
                             "ORDER BY operation", &st, err) < 0)
                return -1;
        struct store_approval_policy *l = NULL;
        size_t n = 0;
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                l = xrealloc(l, (n + 1) * sizeof(*l));
                l[n].operation = store_column_text(st, 0);
                l[n].approvers = sqlite3_column_int64(st, 1);
                l[n].roles = store_column_text(st, 2);
                l[n].updated_at = sqlite3_column_int64(st, 3);
                l[n].updated_by = store_column_text(st, 4);
                n++;
        }
        if (rc != SQLITE_DONE) {
                store_approval_policy_list_free(l, n);
                return store_fail(s, err, "listing approval policies");
        }
        *out = l;
        *n_out = n;
        return 0;
}

int store_approval_policy_put(struct store *s, const struct store_approval_policy *p, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "INSERT INTO approval_policies (operation, approvers, roles, updated_at, updated_by) "
                             "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (operation) DO UPDATE SET "
                             "approvers = excluded.approvers, roles = excluded.roles, "
                             "updated_at = excluded.updated_at, updated_by = excluded.updated_by", &st, err) < 0 ||
            store_bind_text(s, st, 1, p->operation, err) < 0 ||
            store_bind_int64(s, st, 2, p->approvers, err) < 0 ||
            store_bind_text(s, st, 3, p->roles, err) < 0 ||
            store_bind_int64(s, st, 4, p->updated_at, err) < 0 ||
            store_bind_text(s, st, 5, p->updated_by, err) < 0)
                return -1;
        return store_step_done(s, st, "writing an approval policy", err);
}

void store_approval_policy_clear(struct store_approval_policy *p) {
        if (!p)
                return;
        free(p->operation);
        free(p->roles);
        free(p->updated_by);
        memset(p, 0, sizeof(*p));
}

void store_approval_policy_list_free(struct store_approval_policy *l, size_t n) {
        for (size_t i = 0; i < n; i++)
                store_approval_policy_clear(&l[i]);
        free(l);
}

int store_approval_request_insert(struct store *s, const struct store_approval_request *r, int64_t *id,
                                  struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "INSERT INTO approval_requests (operation, params, params_sha256, requester_user_id, "
                             "requester_token, requester_role, justification, approvers, roles, state, "
                             "created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'pending', "
                             "?10, ?11)", &st, err) < 0 ||
            store_bind_text(s, st, 1, r->operation, err) < 0 ||
            store_bind_text(s, st, 2, r->params, err) < 0 ||
            store_bind_text(s, st, 3, r->params_sha256, err) < 0 ||
            store_bind_int64(s, st, 4, r->requester_user_id, err) < 0 ||
            store_bind_text(s, st, 5, r->requester_token, err) < 0 ||
            store_bind_text(s, st, 6, r->requester_role, err) < 0 ||
            store_bind_text(s, st, 7, r->justification, err) < 0 ||
            store_bind_int64(s, st, 8, r->approvers, err) < 0 ||
            store_bind_text(s, st, 9, r->roles, err) < 0 ||
            store_bind_int64(s, st, 10, r->created_at, err) < 0 ||
            store_bind_int64(s, st, 11, r->expires_at, err) < 0 ||
            store_step_done(s, st, "inserting an approval request", err) < 0)
                return -1;
        *id = sqlite3_last_insert_rowid(s->db);
        return 0;
}

#define REQUEST_COLUMNS "r.id, r.operation, r.params, r.params_sha256, r.requester_user_id, r.requester_token, " \
        "r.requester_role, r.justification, r.approvers, r.roles, r.state, r.created_at, r.expires_at, "         \
        "r.executed_at, r.result, u.name"

static void request_from_row(sqlite3_stmt *st, struct store_approval_request *r) {
        memset(r, 0, sizeof(*r));
        r->id = sqlite3_column_int64(st, 0);
        r->operation = store_column_text(st, 1);
        r->params = store_column_text(st, 2);
        const char *h = (const char *) sqlite3_column_text(st, 3);
        snprintf(r->params_sha256, sizeof(r->params_sha256), "%s", h ? h : "");
        r->requester_user_id = sqlite3_column_int64(st, 4);
        r->requester_token = store_column_text(st, 5);
        r->requester_role = store_column_text(st, 6);
        r->justification = store_column_text(st, 7);
        r->approvers = sqlite3_column_int64(st, 8);
        r->roles = store_column_text(st, 9);
        r->state = store_column_text(st, 10);
        r->created_at = sqlite3_column_int64(st, 11);
        r->expires_at = sqlite3_column_int64(st, 12);
        r->executed_at = sqlite3_column_type(st, 13) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, 13);
        r->result = store_column_text(st, 14);
        r->requester_name = store_column_text(st, 15);
}

static int votes_load(struct store *s, struct store_approval_request *r, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "SELECT user_id, user_name, token, role, decision, comment, time FROM approval_votes "
                             "WHERE request_id = ?1 ORDER BY id", &st, err) < 0 ||
            store_bind_int64(s, st, 1, r->id, err) < 0)
                return -1;
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                r->votes = xrealloc(r->votes, (r->n_votes + 1) * sizeof(*r->votes));
                struct store_approval_vote *v = &r->votes[r->n_votes++];
                v->user_id = sqlite3_column_int64(st, 0);
                v->user_name = store_column_text(st, 1);
                v->token = store_column_text(st, 2);
                v->role = store_column_text(st, 3);
                v->decision = store_column_text(st, 4);
                v->comment = store_column_text(st, 5);
                v->time = sqlite3_column_int64(st, 6);
        }
        if (rc != SQLITE_DONE)
                return store_fail(s, err, "reading approval votes");
        return 0;
}

int store_approval_request_get(struct store *s, int64_t id, struct store_approval_request *out,
                               struct error *err) {
        memset(out, 0, sizeof(*out));
        {
                _cleanup_stmt_ sqlite3_stmt *st = NULL;
                if (store_prepare(s, "SELECT " REQUEST_COLUMNS " FROM approval_requests r "
                                     "JOIN users u ON u.id = r.requester_user_id WHERE r.id = ?1", &st, err) < 0 ||
                    store_bind_int64(s, st, 1, id, err) < 0)
                        return -1;
                int rc = store_step_row(s, st, "reading an approval request", err);
                if (rc < 0)
                        return -1;
                if (rc == 0)
                        return error_set(err, ERROR_NOT_FOUND, "no approval request %lld", (long long) id);
                request_from_row(st, out);
        }
        if (votes_load(s, out, err) < 0) {
                store_approval_request_clear(out);
                return -1;
        }
        return 0;
}

int store_approval_request_list(struct store *s, const char *state, size_t limit,
                                struct store_approval_request **out, size_t *n_out, struct error *err) {
        *out = NULL;
        *n_out = 0;
        struct store_approval_request *l = NULL;
        size_t n = 0;
        {
                _cleanup_stmt_ sqlite3_stmt *st = NULL;
                if (store_prepare(s, "SELECT " REQUEST_COLUMNS " FROM approval_requests r "
                                     "JOIN users u ON u.id = r.requester_user_id "
                                     "WHERE (?1 IS NULL OR r.state = ?1) ORDER BY r.id DESC LIMIT ?2", &st, err) < 0 ||
                    store_bind_text(s, st, 1, state, err) < 0 ||
                    store_bind_int64(s, st, 2, (int64_t) limit, err) < 0)
                        return -1;
                int rc;
                while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                        l = xrealloc(l, (n + 1) * sizeof(*l));
                        request_from_row(st, &l[n++]);
                }
                if (rc != SQLITE_DONE) {
                        store_approval_request_list_free(l, n);
                        return store_fail(s, err, "listing approval requests");
                }
        }
        for (size_t i = 0; i < n; i++)
                if (votes_load(s, &l[i], err) < 0) {
                        store_approval_request_list_free(l, n);
                        return -1;
                }
        *out = l;
        *n_out = n;
        return 0;
}

int store_approval_vote_insert(struct store *s, int64_t request_id, const struct store_approval_vote *v,
                               struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "INSERT INTO approval_votes (request_id, user_id, user_name, token, role, decision, "
                             "comment, time) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", &st, err) < 0 ||
            store_bind_int64(s, st, 1, request_id, err) < 0 ||
            store_bind_int64(s, st, 2, v->user_id, err) < 0 ||
            store_bind_text(s, st, 3, v->user_name, err) < 0 ||
            store_bind_text(s, st, 4, v->token, err) < 0 ||
            store_bind_text(s, st, 5, v->role, err) < 0 ||
            store_bind_text(s, st, 6, v->decision, err) < 0 ||
            store_bind_text(s, st, 7, v->comment ? v->comment : "", err) < 0 ||
            store_bind_int64(s, st, 8, v->time, err) < 0)
                return -1;
        return store_step_done(s, st, "recording an approval vote", err);
}

int store_approval_request_transition(struct store *s, int64_t id, const char *from, const char *to,
                                      int64_t executed_at, const char *result, bool *moved,
                                      struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "UPDATE approval_requests SET state = ?1, "
                             "executed_at = coalesce(?2, executed_at), result = coalesce(?3, result) "
                             "WHERE id = ?4 AND state = ?5", &st, err) < 0 ||
            store_bind_text(s, st, 1, to, err) < 0 ||
            (executed_at ? store_bind_int64(s, st, 2, executed_at, err) : store_bind_text(s, st, 2, NULL, err)) < 0 ||
            store_bind_text(s, st, 3, result, err) < 0 ||
            store_bind_int64(s, st, 4, id, err) < 0 ||
            store_bind_text(s, st, 5, from, err) < 0 ||
            store_step_done(s, st, "changing an approval request's state", err) < 0)
                return -1;
        *moved = sqlite3_changes(s->db) == 1;
        return 0;
}

void store_approval_request_clear(struct store_approval_request *r) {
        if (!r)
                return;
        free(r->operation);
        free(r->params);
        free(r->requester_token);
        free(r->requester_role);
        free(r->justification);
        free(r->roles);
        free(r->state);
        free(r->result);
        free(r->requester_name);
        for (size_t i = 0; i < r->n_votes; i++) {
                free(r->votes[i].user_name);
                free(r->votes[i].token);
                free(r->votes[i].role);
                free(r->votes[i].decision);
                free(r->votes[i].comment);
        }
        free(r->votes);
        memset(r, 0, sizeof(*r));
}

void store_approval_request_list_free(struct store_approval_request *l, size_t n) {
        for (size_t i = 0; i < n; i++)
                store_approval_request_clear(&l[i]);
        free(l);
}

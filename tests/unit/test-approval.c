/* SPDX-License-Identifier: Apache-2.0 */
/* M-of-N approvals (issue 11): every rule has a test that fails without it. */
#include "testutil-store.h"

#include "approval/approval.h"
#include "auth/token.h"
#include "auth/user.h"
#include "core/cleanup.h"

struct fx {
        struct tdir *t;
        struct store *s;
        struct approval_defaults d;
        int runs;
        char last_params[256];
        struct approval_person req, alice, alice2, bob, carol_ro;
        int64_t ids[4];
};

static const struct audit_actor root = {.name = "root", .role = "admin"};

static int64_t user_id(struct fx *f, const char *name, unsigned roles) {
        struct error err = {0};
        struct store_user u;
        if (auth_user_create(f->s, &root, name, "", roles, &u, &err) < 0)
                fail_msg("%s", err.msg);
        int64_t id = u.id;
        store_user_clear(&u);
        return id;
}

static int setup(void **state) {
        struct fx *f = calloc(1, sizeof(*f));
        f->t = tdir_new();
        struct error err = {0};
        if (store_open(f->t->db, &f->s, &err) < 0)
                fail_msg("%s", err.msg);
        approval_defaults_init(&f->d);
        f->req = (struct approval_person) {user_id(f, "rita", ROLE_ADMIN), "rita", "rita-t", "admin"};
        int64_t a = user_id(f, "alice", ROLE_ADMIN | ROLE_SECURITY_OFFICER);
        f->alice = (struct approval_person) {a, "alice", "alice-t", "admin"};
        f->alice2 = (struct approval_person) {a, "alice", "alice-so", "security-officer"};
        f->bob = (struct approval_person) {user_id(f, "bob", ROLE_SECURITY_OFFICER), "bob", "bob-t", "security-officer"};
        f->carol_ro = (struct approval_person) {user_id(f, "carol", ROLE_AUDITOR), "carol", "carol-t", "auditor"};
        *state = f;
        return 0;
}

static int teardown(void **state) {
        struct fx *f = *state;
        store_close(f->s);
        tdir_free(f->t);
        free(f);
        return 0;
}

static int fake_run(void *ctx, struct store *s, const struct audit_actor *as, const char *op, json_t *params,
                    json_t **result, struct error *err) {
        (void) s;
        (void) err;
        struct fx *f = ctx;
        f->runs++;
        char *t = json_dumps(params, JSON_COMPACT | JSON_SORT_KEYS);
        snprintf(f->last_params, sizeof(f->last_params), "%s", t);
        free(t);
        assert_string_equal(as->user, "rita");
        *result = json_pack("{s:s}", "ran", op);
        return 0;
}

static int64_t ask(struct fx *f, const char *op, const char *params_json) {
        struct error err = {0};
        json_t *params = json_loads(params_json, 0, NULL);
        json_t *out = NULL;
        int r = approval_request(f->s, &f->d, &f->req, op, params, "ticket OPS-1", &out, &err);
        json_decref(params);
        if (r != 1)
                fail_msg("approval_request %s: %d %s", op, r, err.msg);
        int64_t id = json_integer_value(json_object_get(out, "id"));
        assert_string_equal(json_string_value(json_object_get(out, "state")), "pending");
        json_decref(out);
        return id;
}

static int vote(struct fx *f, const struct approval_person *who, int64_t id, bool approve, struct error *err,
                char *state, size_t state_len) {
        struct approval_executor ex = {fake_run, f};
        json_t *out = NULL;
        int r = approval_decide(f->s, who, id, approve, "ok", &ex, &out, err);
        if (state && out)
                snprintf(state, state_len, "%s", json_string_value(json_object_get(out, "state")));
        json_decref(out);
        return r;
}

static const char *P = "{\"name\":\"t1-ca-2\",\"product\":\"T1-EU\"}";

static void test_two_users_run_it_once(void **state) {
        struct fx *f = *state;
        struct error err = {0};
        char st[32] = "";
        int64_t id = ask(f, APPROVAL_OP_DEVICE_CA_RETIRE, P);
        assert_int_equal(vote(f, &f->alice, id, true, &err, st, sizeof(st)), 0);
        /* one approver where two are needed: nothing runs */
        assert_string_equal(st, "pending");
        assert_int_equal(f->runs, 0);
        assert_int_equal(vote(f, &f->bob, id, true, &err, st, sizeof(st)), 0);
        assert_string_equal(st, "executed");
        assert_int_equal(f->runs, 1);
        assert_string_equal(f->last_params, "{\"name\":\"t1-ca-2\",\"product\":\"T1-EU\"}");
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM audit_log WHERE object = 'approval:1' AND action IN "
                                           "('approval.request', 'approval.approve', 'approval.execute')"), 4);
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM audit_log WHERE action = 'approval.approve' "
                                           "AND actor_user = 'bob'"), 1);
        /* executed twice: refused, by a vote and by a direct run */
        assert_int_equal(vote(f, &f->carol_ro, id, true, &err, NULL, 0), -1);
        assert_error(err, ERROR_CONFLICT, "is executed, not pending");
        struct approval_executor ex = {fake_run, f};
        json_t *out = NULL;
        assert_int_equal(approval_execute(f->s, id, &ex, &out, &err), -1);
        assert_error(err, ERROR_CONFLICT, "only an approved request runs, once");
        /* even one put back to 'approved' by hand runs only after a new claim, and a
         * claimed (executing) one never */
        raw_exec(f->t->db, "UPDATE approval_requests SET state = 'executing' WHERE id = 1");
        assert_int_equal(approval_execute(f->s, id, &ex, &out, &err), -1);
        assert_int_equal(f->runs, 1);
}

static void test_requester_cannot_approve(void **state) {
        struct fx *f = *state;
        struct error err = {0};
        int64_t id = ask(f, APPROVAL_OP_MIGRATION_OPEN, P);
        /* the requester, with the same or another of their tokens */
        struct approval_person other_token = f->req;
        other_token.token = "rita-2";
        assert_int_equal(vote(f, &f->req, id, true, &err, NULL, 0), -1);
        assert_error(err, ERROR_FORBIDDEN, "user 'rita' requested migration.open and cannot approve it");
        assert_int_equal(vote(f, &other_token, id, true, &err, NULL, 0), -1);
        assert_int_equal(err.kind, ERROR_FORBIDDEN);
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM approval_votes"), 0);
}

static void test_same_user_two_tokens_counts_once(void **state) {
        struct fx *f = *state;
        struct error err = {0};
        int64_t id = ask(f, APPROVAL_OP_IMAGE_DELETE, P);
        assert_int_equal(vote(f, &f->alice, id, true, &err, NULL, 0), 0);
        assert_int_equal(vote(f, &f->alice2, id, true, &err, NULL, 0), -1);
        assert_error(err, ERROR_CONFLICT, "user 'alice' already voted");
        assert_int_equal(f->runs, 0);
        assert_int_equal(raw_int(f->t->db, "SELECT state = 'pending' FROM approval_requests"), 1);
}

static void test_wrong_role_refused(void **state) {
        struct fx *f = *state;
        struct error err = {0};
        int64_t id = ask(f, APPROVAL_OP_CAMPAIGN_SECURITY_START, P);
        assert_int_equal(vote(f, &f->carol_ro, id, true, &err, NULL, 0), -1);
        assert_error(err, ERROR_FORBIDDEN, "role 'auditor' may not decide on campaign.security-start");
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM approval_votes"), 0);
}

static void test_changed_parameters_refused(void **state) {
        struct fx *f = *state;
        struct error err = {0};
        char st[32] = "";
        int64_t id = ask(f, APPROVAL_OP_DEVICE_CA_RETIRE, P);
        assert_int_equal(vote(f, &f->alice, id, true, &err, NULL, 0), 0);
        /* the parameters change after the approvals were given */
        raw_exec(f->t->db, "UPDATE approval_requests SET params = '{\"name\":\"evil-ca\",\"product\":\"T1-EU\"}'");
        assert_int_equal(vote(f, &f->bob, id, true, &err, st, sizeof(st)), -1);
        assert_error(err, ERROR_CONFLICT, "not the ones approved (hash mismatch)");
        assert_int_equal(f->runs, 0);
        assert_int_equal(raw_int(f->t->db, "SELECT state = 'failed' FROM approval_requests"), 1);
        /* the same parameters, spelt differently, are the same request */
        json_t *a = json_loads("{\"b\": 1, \"a\": [1, 2]}", 0, NULL), *b = json_loads("{\"a\":[1,2],\"b\":1}", 0, NULL);
        char ha[65], hb[65];
        assert_int_equal(approval_params_hash(a, ha, NULL, &err), 0);
        assert_int_equal(approval_params_hash(b, hb, NULL, &err), 0);
        assert_string_equal(ha, hb);
        json_decref(a);
        json_decref(b);
}

static void test_expired_refused(void **state) {
        struct fx *f = *state;
        struct error err = {0};
        int64_t id = ask(f, APPROVAL_OP_DEVICE_CA_RETIRE, P);
        assert_int_equal(vote(f, &f->alice, id, true, &err, NULL, 0), 0);
        raw_exec(f->t->db, "UPDATE approval_requests SET expires_at = 1000");
        assert_int_equal(vote(f, &f->bob, id, true, &err, NULL, 0), -1);
        assert_error(err, ERROR_CONFLICT, "expired; ask again");
        /* the vote itself is refused, not just the run */
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM approval_votes"), 1);
        assert_int_equal(raw_int(f->t->db, "SELECT state = 'pending' FROM approval_requests"), 1);
        /* approved but expired before it ran */
        raw_exec(f->t->db, "UPDATE approval_requests SET state = 'approved'");
        struct approval_executor ex = {fake_run, f};
        json_t *out = NULL;
        assert_int_equal(approval_execute(f->s, id, &ex, &out, &err), -1);
        assert_error(err, ERROR_CONFLICT, "expired before it ran");
        assert_int_equal(f->runs, 0);
}

static void test_rejection_ends_it(void **state) {
        struct fx *f = *state;
        struct error err = {0};
        char st[32] = "";
        int64_t id = ask(f, APPROVAL_OP_DEVICE_CA_RETIRE, P);
        assert_int_equal(vote(f, &f->alice, id, false, &err, st, sizeof(st)), 0);
        assert_string_equal(st, "rejected");
        assert_int_equal(vote(f, &f->bob, id, true, &err, NULL, 0), -1);
        assert_error(err, ERROR_CONFLICT, "is rejected");
        assert_int_equal(f->runs, 0);
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM audit_log WHERE action = 'approval.reject'"), 1);
}

static void test_policy_change_needs_approval(void **state) {
        struct fx *f = *state;
        struct error err = {0};
        char st[32] = "";
        struct approval_policy pol;
        assert_int_equal(approval_policy_effective(f->s, &f->d, APPROVAL_OP_IMAGE_DELETE, &pol, &err), 0);
        assert_int_equal(pol.approvers, 2);
        int64_t id = ask(f, APPROVAL_OP_POLICY_SET, "{\"operation\":\"image.delete\",\"approvers\":0,\"roles\":\"admin\"}");
        /* asked, not applied */
        assert_int_equal(approval_policy_effective(f->s, &f->d, APPROVAL_OP_IMAGE_DELETE, &pol, &err), 0);
        assert_int_equal(pol.approvers, 2);
        assert_int_equal(vote(f, &f->alice, id, true, &err, NULL, 0), 0);
        assert_int_equal(vote(f, &f->bob, id, true, &err, st, sizeof(st)), 0);
        assert_string_equal(st, "executed");
        assert_int_equal(approval_policy_effective(f->s, &f->d, APPROVAL_OP_IMAGE_DELETE, &pol, &err), 0);
        assert_int_equal(pol.approvers, 0);
        assert_true(pol.configured);
        /* now not governed: nothing is recorded */
        json_t *params = json_pack("{s:s}", "sha256", "ab"), *out = NULL;
        assert_int_equal(approval_request(f->s, &f->d, &f->req, APPROVAL_OP_IMAGE_DELETE, params, "", &out, &err), 0);
        assert_null(out);
        json_decref(params);
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM audit_log WHERE action = 'approval.policy-set' "
                                           "AND actor_user = 'rita'"), 1);
        /* a bad policy is refused when it runs */
        id = ask(f, APPROVAL_OP_POLICY_SET, "{\"operation\":\"image.delete\",\"approvers\":1,\"roles\":\"root\"}");
        assert_int_equal(vote(f, &f->alice, id, true, &err, NULL, 0), 0);
        assert_int_equal(vote(f, &f->bob, id, true, &err, NULL, 0), -1);
        assert_error(err, ERROR_INVALID, "'root' is not a role");
}

static void test_defaults_and_unknown(void **state) {
        struct fx *f = *state;
        struct error err = {0};
        struct approval_policy pol;
        assert_int_equal(approval_policy_effective(f->s, &f->d, "token.create", &pol, &err), -1);
        assert_error(err, ERROR_INVALID, "not a governed operation");
        f->d.governed = "migration.open";
        assert_int_equal(approval_policy_effective(f->s, &f->d, APPROVAL_OP_DEBUG_ISSUE, &pol, &err), 0);
        assert_int_equal(pol.approvers, 0);
        assert_int_equal(approval_policy_effective(f->s, &f->d, APPROVAL_OP_MIGRATION_OPEN, &pol, &err), 0);
        assert_int_equal(pol.approvers, 2);
        json_t *list = NULL;
        assert_int_equal(approval_policy_list(f->s, &f->d, &list, &err), 0);
        assert_int_equal(json_array_size(json_object_get(list, "items")), 6);
        json_decref(list);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_two_users_run_it_once, setup, teardown),
                cmocka_unit_test_setup_teardown(test_requester_cannot_approve, setup, teardown),
                cmocka_unit_test_setup_teardown(test_same_user_two_tokens_counts_once, setup, teardown),
                cmocka_unit_test_setup_teardown(test_wrong_role_refused, setup, teardown),
                cmocka_unit_test_setup_teardown(test_changed_parameters_refused, setup, teardown),
                cmocka_unit_test_setup_teardown(test_expired_refused, setup, teardown),
                cmocka_unit_test_setup_teardown(test_rejection_ends_it, setup, teardown),
                cmocka_unit_test_setup_teardown(test_policy_change_needs_approval, setup, teardown),
                cmocka_unit_test_setup_teardown(test_defaults_and_unknown, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

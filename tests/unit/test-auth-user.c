/* SPDX-License-Identifier: Apache-2.0 */
/* Operator users (issue 11): people behind tokens, their roles, the
 * migration of existing tokens, and the user in the audit chain. */
#include "testutil-store.h"

#include "auth/token.h"
#include "auth/user.h"
#include "core/cleanup.h"
#include "store/migrations.h"

struct fx {
        struct tdir *t;
        struct store *s;
};

static const struct audit_actor root = {.name = "root", .role = "admin", .user = "root"};

static int setup(void **state) {
        struct fx *f = calloc(1, sizeof(*f));
        f->t = tdir_new();
        struct error err = {0};
        if (store_open(f->t->db, &f->s, &err) < 0)
                fail_msg("%s", err.msg);
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

static char *bearer_of(struct store *s, const char *token, enum role role, const char *user) {
        struct error err = {0};
        char *secret = NULL;
        if (auth_token_create_for(s, &root, token, role, user, &secret, NULL, &err) < 0)
                fail_msg("auth_token_create_for %s: %s", token, err.msg);
        char *h = str_printf("Bearer %s", secret);
        free_secret(secret);
        return h;
}

static void user_ok(struct store *s, const char *name, unsigned roles) {
        struct error err = {0};
        if (auth_user_create(s, &root, name, "ops@example.org", roles, NULL, &err) < 0)
                fail_msg("auth_user_create %s: %s", name, err.msg);
}

static void test_create_show_list(void **state) {
        struct fx *f = *state;
        struct error err = {0};
        struct store_user u;
        assert_int_equal(auth_user_create(f->s, &root, "alice", "alice@example.org",
                                          ROLE_ADMIN | ROLE_SECURITY_OFFICER, &u, &err), 0);
        assert_string_equal(u.name, "alice");
        assert_string_equal(u.contact, "alice@example.org");
        assert_int_equal(u.n_roles, 2);
        assert_true(store_user_has_role(&u, "admin"));
        assert_true(store_user_has_role(&u, "security-officer"));
        assert_false(store_user_has_role(&u, "auditor"));
        json_t *j = auth_user_to_json(&u, NULL, 0);
        assert_int_equal(json_array_size(json_object_get(j, "roles")), 2);
        assert_true(json_is_null(json_object_get(j, "disabled_at")));
        json_decref(j);
        store_user_clear(&u);
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM audit_log WHERE action = 'user.create' "
                                           "AND object = 'user:alice' AND actor_user = 'root'"), 1);

        assert_int_equal(auth_user_create(f->s, &root, "alice", "", ROLE_AUDITOR, NULL, &err), -1);
        assert_error(err, ERROR_CONFLICT, "a user named 'alice' already exists");
        assert_int_equal(auth_user_create(f->s, &root, "bad name", "", ROLE_AUDITOR, NULL, &err), -1);
        assert_error(err, ERROR_INVALID, "not a valid user name");
        assert_int_equal(auth_user_create(f->s, &root, "bob", "", 0, NULL, &err), -1);
        assert_error(err, ERROR_INVALID, "roles:");
        assert_int_equal(auth_user_create(f->s, &root, "bob", "a\nb", ROLE_AUDITOR, NULL, &err), -1);
        assert_error(err, ERROR_INVALID, "contact: control character");

        struct store_user *list;
        size_t n;
        assert_int_equal(store_user_list(f->s, &list, &n, &err), 0);
        assert_int_equal(n, 1);
        store_user_list_free(list, n);
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM audit_log"), 1);
}

/* `token create` without --user makes a user of the token's name; with
 * --user it attaches to that user, who must hold the role. */
static void test_token_create_attaches_or_creates(void **state) {
        struct fx *f = *state;
        struct error err = {0};
        _cleanup_free_ char *h = bearer_of(f->s, "ci", ROLE_RELEASE_MANAGER, NULL);
        struct store_user u;
        assert_int_equal(store_user_get_by_name(f->s, "ci", &u, &err), 0);
        assert_int_equal(u.n_roles, 1);
        assert_string_equal(u.roles[0], "release-manager");
        store_user_clear(&u);

        user_ok(f->s, "alice", ROLE_ADMIN | ROLE_AUDITOR);
        _cleanup_free_ char *h1 = bearer_of(f->s, "alice-laptop", ROLE_ADMIN, "alice");
        _cleanup_free_ char *h2 = bearer_of(f->s, "alice-ro", ROLE_AUDITOR, "alice");
        struct auth_principal p1, p2;
        assert_int_equal(auth_authenticate(f->s, h1, &p1, &err), 0);
        assert_int_equal(auth_authenticate(f->s, h2, &p2, &err), 0);
        assert_string_equal(p1.user_name, "alice");
        assert_int_equal(p1.user_id, p2.user_id);
        assert_int_equal(p1.role, ROLE_ADMIN);
        assert_int_equal(p2.role, ROLE_AUDITOR);
        assert_string_equal(p2.name, "alice-ro");

        char *secret = NULL;
        /* a role the user does not hold */
        assert_int_equal(auth_token_create_for(f->s, &root, "alice-rm", ROLE_RELEASE_MANAGER, "alice",
                                               &secret, NULL, &err), -1);
        assert_error(err, ERROR_INVALID, "user 'alice' does not hold role 'release-manager'");
        assert_null(secret);
        /* an unknown user */
        assert_int_equal(auth_token_create_for(f->s, &root, "x", ROLE_ADMIN, "nobody", &secret, NULL, &err), -1);
        assert_error(err, ERROR_NOT_FOUND, "no user named 'nobody'");
        /* a token named after an existing user, without --user */
        assert_int_equal(auth_token_create(f->s, &root, "alice", ROLE_ADMIN, &secret, NULL, &err), -1);
        assert_error(err, ERROR_CONFLICT, "a user named 'alice' already exists");
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM api_tokens WHERE name IN ('alice-rm', 'x', 'alice')"), 0);
        /* a disabled user gets no new token */
        assert_int_equal(auth_user_disable(f->s, &root, "alice", NULL, &err), 0);
        assert_int_equal(auth_token_create_for(f->s, &root, "late", ROLE_ADMIN, "alice", &secret, NULL, &err), -1);
        assert_error(err, ERROR_CONFLICT, "user 'alice' is disabled");
}

/* A token acts with its role only while its user holds it. */
static void test_role_removed_stops_token(void **state) {
        struct fx *f = *state;
        struct error err = {0};
        user_ok(f->s, "bob", ROLE_ADMIN | ROLE_SECURITY_OFFICER);
        _cleanup_free_ char *h = bearer_of(f->s, "bob-so", ROLE_SECURITY_OFFICER, "bob");
        _cleanup_free_ char *ha = bearer_of(f->s, "bob-admin", ROLE_ADMIN, "bob");
        struct auth_principal p;
        assert_int_equal(auth_authenticate(f->s, h, &p, &err), 0);
        assert_int_equal(auth_user_remove_role(f->s, &root, "bob", ROLE_SECURITY_OFFICER, NULL, &err), 0);
        assert_int_equal(auth_authenticate(f->s, h, &p, &err), -1);
        assert_error(err, ERROR_UNAUTHENTICATED, "user 'bob' of token 'bob-so' no longer holds role 'security-officer'");
        assert_int_equal(p.user_id, 0);
        assert_int_equal(auth_authenticate(f->s, ha, &p, &err), 0);
        /* given back, the token works again */
        assert_int_equal(auth_user_add_role(f->s, &root, "bob", ROLE_SECURITY_OFFICER, NULL, &err), 0);
        assert_int_equal(auth_authenticate(f->s, h, &p, &err), 0);
        assert_int_equal(auth_user_add_role(f->s, &root, "bob", ROLE_SECURITY_OFFICER, NULL, &err), -1);
        assert_error(err, ERROR_CONFLICT, "already holds role 'security-officer'");
        assert_int_equal(auth_user_remove_role(f->s, &root, "bob", ROLE_AUDITOR, NULL, &err), -1);
        assert_error(err, ERROR_CONFLICT, "does not hold role 'auditor'");
        /* the last role stays: disabling is the way to stop a person */
        assert_int_equal(auth_user_remove_role(f->s, &root, "bob", ROLE_ADMIN, NULL, &err), 0);
        assert_int_equal(auth_user_remove_role(f->s, &root, "bob", ROLE_SECURITY_OFFICER, NULL, &err), -1);
        assert_error(err, ERROR_CONFLICT, "is the last role of user 'bob'");
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM audit_log WHERE action LIKE 'user.role-%' "
                                           "AND object = 'user:bob'"), 3);
}

static void test_disabled_user_stops_every_token(void **state) {
        struct fx *f = *state;
        struct error err = {0};
        user_ok(f->s, "carol", ROLE_ADMIN | ROLE_AUDITOR);
        _cleanup_free_ char *h1 = bearer_of(f->s, "carol-1", ROLE_ADMIN, "carol");
        _cleanup_free_ char *h2 = bearer_of(f->s, "carol-2", ROLE_AUDITOR, "carol");
        struct auth_principal p;
        assert_int_equal(auth_authenticate(f->s, h1, &p, &err), 0);
        assert_int_equal(auth_user_disable(f->s, &root, "carol", NULL, &err), 0);
        assert_int_equal(auth_authenticate(f->s, h1, &p, &err), -1);
        assert_error(err, ERROR_UNAUTHENTICATED, "user 'carol' of token 'carol-1' is disabled");
        assert_int_equal(auth_authenticate(f->s, h2, &p, &err), -1);
        assert_error(err, ERROR_UNAUTHENTICATED, "is disabled");
        assert_int_equal(auth_user_disable(f->s, &root, "carol", NULL, &err), -1);
        assert_error(err, ERROR_CONFLICT, "already disabled");
        assert_int_equal(auth_user_disable(f->s, &root, "nobody", NULL, &err), -1);
        assert_int_equal(err.kind, ERROR_NOT_FOUND);
}

/* A token row that belongs to no user (only possible by editing the
 * database) is refused, not treated as an anonymous admin. */
static void test_token_without_user_refused(void **state) {
        struct fx *f = *state;
        struct error err = {0};
        _cleanup_free_ char *h = bearer_of(f->s, "dan", ROLE_ADMIN, NULL);
        raw_exec(f->t->db, "UPDATE api_tokens SET user_id = NULL WHERE name = 'dan'");
        struct auth_principal p;
        assert_int_equal(auth_authenticate(f->s, h, &p, &err), -1);
        assert_error(err, ERROR_UNAUTHENTICATED, "token 'dan' belongs to no user");
}

static size_t users_migration(void) {
        for (size_t i = 0; i < store_migrations_count; i++)
                if (strstr(store_migrations[i], "CREATE TABLE users ("))
                        return i;
        fail_msg("no users migration");
        return 0;
}

/* Existing tokens become one user each, named after the token, with its role;
 * they keep authenticating; entries of the old chain still verify beside new
 * ones that carry a user. */
static void test_migration_gives_each_token_a_user(void **state) {
        struct tdir *t = ((struct fx *) *state)->t;
        struct error err = {0};
        _cleanup_free_ char *db = tdir_path(t, "old.db");
        struct store *s = NULL;
        size_t before = users_migration();
        assert_int_equal(store_open_with_migrations(db, store_migrations, before, &s, &err), 0);
        store_close(s);
        /* two tokens as the old schema held them (secrets' hashes are arbitrary) */
        raw_exec(db, "INSERT INTO api_tokens (public_id, name, role, secret_hash, created_at, created_by) VALUES "
                     "('00112233445566aa', 'admin', 'admin', '" AUDIT_GENESIS_HASH "', 5, 'cradled-init'),"
                     "('00112233445566bb', 'ci', 'release-manager', '" AUDIT_GENESIS_HASH "', 6, 'admin')");
        assert_int_equal(store_open(db, &s, &err), 0);
        assert_int_equal(raw_int(db, "SELECT count(*) FROM users"), 2);
        assert_int_equal(raw_int(db, "SELECT count(*) FROM api_tokens t JOIN users u ON u.id = t.user_id "
                                     "JOIN user_roles r ON r.user_id = u.id AND r.role = t.role "
                                     "WHERE u.name = t.name"), 2);
        struct store_token tok;
        assert_int_equal(store_token_get_by_name(s, "ci", &tok, &err), 0);
        assert_string_equal(tok.user_name, "ci");
        store_token_clear(&tok);

        /* an entry with no user (as every old one) and one with a user */
        static const struct audit_actor sys = {.name = "system", .role = "system"};
        assert_int_equal(store_tx_begin(s, &err), 0);
        assert_int_equal(audit_append(s, &sys, "x.old", "x:1", NULL, &err), 0);
        assert_int_equal(audit_append(s, &root, "x.new", "x:2", NULL, &err), 0);
        assert_int_equal(store_tx_commit(s, &err), 0);
        struct audit_verify_state st;
        assert_int_equal(audit_verify_store(s, &st, &err), 0);
        assert_false(st.broken);
        assert_int_equal(st.checked, 2);
        store_close(s);
}

/* The user is inside the hashed content of a new entry: changing, removing
 * or adding it breaks the chain. */
static void test_audit_user_is_hashed(void **state) {
        struct fx *f = *state;
        struct error err = {0};
        static const struct audit_actor sys = {.name = "system", .role = "system"};
        assert_int_equal(store_tx_begin(f->s, &err), 0);
        assert_int_equal(audit_append(f->s, &root, "x.a", "x:1", NULL, &err), 0);
        assert_int_equal(audit_append(f->s, &sys, "x.b", "x:2", NULL, &err), 0);
        assert_int_equal(store_tx_commit(f->s, &err), 0);
        const char *edits[] = {
                "UPDATE audit_log SET actor_user = 'mallory' WHERE seq = 1",
                "UPDATE audit_log SET actor_user = NULL WHERE seq = 1",
                "UPDATE audit_log SET actor_user = 'root' WHERE seq = 2",
        };
        const int64_t at[] = {1, 1, 2};
        raw_exec(f->t->db, "CREATE TABLE audit_backup AS SELECT * FROM audit_log");
        for (size_t i = 0; i < ELEMENTSOF(edits); i++) {
                raw_exec(f->t->db, edits[i]);
                struct audit_verify_state st;
                assert_int_equal(audit_verify_store(f->s, &st, &err), 0);
                assert_true(st.broken);
                assert_int_equal(st.bad_seq, at[i]);
                raw_exec(f->t->db, "DELETE FROM audit_log; INSERT INTO audit_log SELECT * FROM audit_backup");
        }
        /* the JSON form carries it, and a client recomputes the same hash */
        struct store_audit_filter flt = {.limit = 10};
        struct store_audit_entry *list;
        size_t n;
        assert_int_equal(store_audit_list(f->s, &flt, &list, &n, &err), 0);
        assert_int_equal(n, 2);
        assert_string_equal(list[0].actor_user, "root");
        assert_null(list[1].actor_user);
        for (size_t i = 0; i < n; i++) {
                json_t *j = audit_entry_to_json(&list[i]);
                struct store_audit_entry back;
                assert_int_equal(audit_entry_from_json(j, &back, &err), 0);
                char h[65];
                assert_int_equal(audit_entry_compute_hash(&back, h, &err), 0);
                assert_string_equal(h, list[i].hash);
                store_audit_entry_clear(&back);
                json_decref(j);
        }
        store_audit_list_free(list, n);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_create_show_list, setup, teardown),
                cmocka_unit_test_setup_teardown(test_token_create_attaches_or_creates, setup, teardown),
                cmocka_unit_test_setup_teardown(test_role_removed_stops_token, setup, teardown),
                cmocka_unit_test_setup_teardown(test_disabled_user_stops_every_token, setup, teardown),
                cmocka_unit_test_setup_teardown(test_token_without_user_refused, setup, teardown),
                cmocka_unit_test_setup_teardown(test_migration_gives_each_token_a_user, setup, teardown),
                cmocka_unit_test_setup_teardown(test_audit_user_is_hashed, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The store's read snapshot (store_read_begin/end, store.h): reads under it
 * see one committed state; anything that may write ends it first, so the
 * write is committed when it says so, starts from the latest state, and is
 * never lost with the snapshot; giving a connection back to the pool ends it.
 * Two connections to one database play the request and "someone else" (an
 * operator revoking, another request signing).
 */
#include "testutil-store.h"

#include "audit/audit.h"
#include "store/store-private.h"

static int setup(void **state) {
        struct tdir *t = tdir_new();
        struct store *s = NULL;
        struct error err = {0};
        if (store_open(t->db, &s, &err) < 0 || store_exec(s, "CREATE TABLE snap_t (x INTEGER NOT NULL)", &err) < 0)
                fail_msg("setup: %s", err.msg);
        store_close(s);
        *state = t;
        return 0;
}

static int teardown(void **state) {
        tdir_free(*state);
        return 0;
}

static struct store *open_ok(struct tdir *t) {
        struct store *s = NULL;
        struct error err = {0};
        if (store_open(t->db, &s, &err) < 0)
                fail_msg("store_open: %s", err.msg);
        return s;
}

static int64_t count_rows(struct store *s) {
        struct error err = {0};
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "SELECT count(*) FROM snap_t", &st, &err) < 0 ||
            store_step_row(s, st, "counting", &err) != 1)
                fail_msg("count: %s", err.msg);
        return sqlite3_column_int64(st, 0);
}

/* One INSERT through the statement cache, as store functions write. */
static int insert_row(struct store *s, int64_t x, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "INSERT INTO snap_t (x) VALUES (?1)", &st, err) < 0 ||
            store_bind_int64(s, st, 1, x, err) < 0)
                return -1;
        return store_step_done(s, st, "inserting", err);
}

static void insert_ok(struct store *s, int64_t x) {
        struct error err = {0};
        if (insert_row(s, x, &err) < 0)
                fail_msg("insert: %s", err.msg);
}

static void read_begin_ok(struct store *s) {
        struct error err = {0};
        if (store_read_begin(s, &err) < 0)
                fail_msg("store_read_begin: %s", err.msg);
        assert_true(store_in_read_snapshot(s));
        /* Not a transaction anything may be written in (audit_append asks). */
        assert_false(store_in_transaction(s));
}

static void test_snapshot_sees_one_state(void **state) {
        struct store *req = open_ok(*state), *other = open_ok(*state);
        read_begin_ok(req);
        assert_int_equal(count_rows(req), 0);
        insert_ok(other, 1);
        /* Committed after the snapshot's first read: not seen under it. */
        assert_int_equal(count_rows(req), 0);
        store_read_end(req);
        assert_false(store_in_read_snapshot(req));
        assert_int_equal(count_rows(req), 1);
        store_close(other);
        store_close(req);
}

static void test_snapshot_starts_at_first_read(void **state) {
        struct store *req = open_ok(*state), *other = open_ok(*state);
        read_begin_ok(req);
        /* A change committed between begin and the first read (a revocation
         * just before the request's first look) is seen. */
        insert_ok(other, 1);
        assert_int_equal(count_rows(req), 1);
        store_read_end(req);
        store_close(other);
        store_close(req);
}

/* A write statement under a stale snapshot: it must end the snapshot, so
 * it neither fails to upgrade it (SQLITE_BUSY_SNAPSHOT) nor waits for its
 * end to be committed. */
static void test_write_statement_ends_snapshot(void **state) {
        struct store *req = open_ok(*state), *other = open_ok(*state);
        read_begin_ok(req);
        assert_int_equal(count_rows(req), 0);
        insert_ok(other, 1); /* the snapshot is now stale */
        struct error err = {0};
        if (insert_row(req, 2, &err) < 0)
                fail_msg("insert under a snapshot: %s", err.msg);
        assert_false(store_in_read_snapshot(req));
        /* Committed already: the other connection sees it now. */
        assert_int_equal(count_rows(other), 2);
        /* And the request reads the latest state from here on. */
        assert_int_equal(count_rows(req), 2);
        store_read_end(req); /* a no-op now */
        assert_int_equal(count_rows(other), 2);
        store_close(other);
        store_close(req);
}

static void test_tx_begin_ends_snapshot(void **state) {
        struct store *req = open_ok(*state), *other = open_ok(*state);
        struct error err = {0};
        read_begin_ok(req);
        assert_int_equal(count_rows(req), 0);
        insert_ok(other, 1);
        if (store_tx_begin(req, &err) < 0)
                fail_msg("store_tx_begin under a snapshot: %s", err.msg);
        assert_false(store_in_read_snapshot(req));
        assert_true(store_in_transaction(req));
        /* "Look again under the write lock" sees the other's commit. */
        assert_int_equal(count_rows(req), 1);
        insert_ok(req, 2);
        if (store_tx_commit(req, &err) < 0)
                fail_msg("commit: %s", err.msg);
        assert_int_equal(count_rows(other), 2);
        store_close(other);
        store_close(req);
}

static void test_atomic_begin_ends_snapshot(void **state) {
        struct store *req = open_ok(*state), *other = open_ok(*state);
        struct error err = {0};
        read_begin_ok(req);
        assert_int_equal(count_rows(req), 0);
        struct store_atomic a;
        if (store_atomic_begin(req, &a, &err) < 0)
                fail_msg("store_atomic_begin under a snapshot: %s", err.msg);
        /* Its own transaction, not a savepoint inside the snapshot (which a
         * pool release would roll back). */
        assert_true(a.own_tx);
        insert_ok(req, 1);
        if (store_atomic_commit(req, &a, &err) < 0)
                fail_msg("commit: %s", err.msg);
        assert_int_equal(count_rows(other), 1);
        store_close(other);
        store_close(req);
}

static void test_exec_ends_snapshot(void **state) {
        struct store *req = open_ok(*state), *other = open_ok(*state);
        struct error err = {0};
        read_begin_ok(req);
        assert_int_equal(count_rows(req), 0);
        insert_ok(other, 1);
        if (store_exec(req, "INSERT INTO snap_t (x) VALUES (2)", &err) < 0)
                fail_msg("store_exec under a snapshot: %s", err.msg);
        assert_false(store_in_read_snapshot(req));
        assert_int_equal(count_rows(other), 2);
        store_close(other);
        store_close(req);
}

static void test_audit_append_refused_under_snapshot(void **state) {
        struct store *req = open_ok(*state);
        struct error err = {0};
        read_begin_ok(req);
        const struct audit_actor actor = { .name = "test", .role = "admin" };
        assert_int_equal(audit_append(req, &actor, "test.action", "x", NULL, &err), -1);
        assert_int_equal(err.kind, ERROR_INTERNAL);
        store_read_end(req);
        store_close(req);
}

static void test_begin_refused_inside_transactions(void **state) {
        struct store *req = open_ok(*state);
        struct error err = {0};
        read_begin_ok(req);
        assert_int_equal(store_read_begin(req, &err), -1);
        assert_int_equal(err.kind, ERROR_INTERNAL);
        store_read_end(req);
        if (store_tx_begin(req, &err) < 0)
                fail_msg("tx: %s", err.msg);
        err = (struct error) {0};
        assert_int_equal(store_read_begin(req, &err), -1);
        assert_int_equal(err.kind, ERROR_INTERNAL);
        assert_false(store_in_read_snapshot(req));
        store_tx_rollback(req);
        store_close(req);
}

/* A connection given back to the pool carries no snapshot to the next
 * request: it would see nothing committed since (a revocation). */
static void test_pool_release_ends_snapshot(void **state) {
        struct tdir *t = *state;
        struct store_pool *pool = NULL;
        struct error err = {0};
        if (store_pool_open(t->db, 1, &pool, &err) < 0)
                fail_msg("pool: %s", err.msg);
        struct store *other = open_ok(t);
        struct store *req = store_pool_acquire(pool);
        read_begin_ok(req);
        assert_int_equal(count_rows(req), 0);
        store_pool_release(pool, req);
        insert_ok(other, 1);
        struct store *next = store_pool_acquire(pool);
        assert_ptr_equal(next, req); /* a pool of one: the same connection */
        assert_false(store_in_read_snapshot(next));
        assert_int_equal(count_rows(next), 1);
        store_pool_release(pool, next);
        store_close(other);
        store_pool_close(pool);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_snapshot_sees_one_state, setup, teardown),
                cmocka_unit_test_setup_teardown(test_snapshot_starts_at_first_read, setup, teardown),
                cmocka_unit_test_setup_teardown(test_write_statement_ends_snapshot, setup, teardown),
                cmocka_unit_test_setup_teardown(test_tx_begin_ends_snapshot, setup, teardown),
                cmocka_unit_test_setup_teardown(test_atomic_begin_ends_snapshot, setup, teardown),
                cmocka_unit_test_setup_teardown(test_exec_ends_snapshot, setup, teardown),
                cmocka_unit_test_setup_teardown(test_audit_append_refused_under_snapshot, setup, teardown),
                cmocka_unit_test_setup_teardown(test_begin_refused_inside_transactions, setup, teardown),
                cmocka_unit_test_setup_teardown(test_pool_release_ends_snapshot, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

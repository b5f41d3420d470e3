/* SPDX-License-Identifier: Apache-2.0 */
/* The store's per-connection cache of prepared statements (store-stmt.c). */
#include "testutil-store.h"

#include "store/store-private.h"
#include "store/store-token.h"

static int setup(void **state) {
        *state = tdir_new();
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

/* True when any statement of the connection is running or still carries a
 * bound value containing `needle` (NULL: any bound value at all). */
static bool any_stmt_holds(struct store *s, const char *needle) {
        for (sqlite3_stmt *st = sqlite3_next_stmt(s->db, NULL); st; st = sqlite3_next_stmt(s->db, st)) {
                if (sqlite3_stmt_busy(st))
                        return true;
                char *x = sqlite3_expanded_sql(st);
                bool hit = x && needle && strstr(x, needle);
                sqlite3_free(x);
                if (hit)
                        return true;
        }
        return false;
}

static void test_open_leaves_no_statement_prepared_before_migrations(void **state) {
        struct store *s = open_ok(*state);
        /* The schema-version reads ran against the pre-migration schema. */
        assert_int_equal(store_stmt_cache_size(s), 0);
        assert_null(sqlite3_next_stmt(s->db, NULL));
        store_close(s);
}

static void test_same_statement_is_reused(void **state) {
        struct store *s = open_ok(*state);
        struct error err = {0};
        const char *sql = "SELECT ?1 + 1";
        sqlite3_stmt *first = NULL, *second = NULL;
        assert_int_equal(store_prepare(s, sql, &first, &err), 0);
        assert_int_equal(store_stmt_cache_lent(s), 1);
        store_stmt_release(first);
        assert_int_equal(store_stmt_cache_lent(s), 0);
        assert_int_equal(store_prepare(s, sql, &second, &err), 0);
        assert_ptr_equal(first, second);
        store_stmt_release(second);
        /* Same text from another buffer: the same statement too. */
        char copy[32];
        snprintf(copy, sizeof(copy), "%s", sql);
        assert_int_equal(store_prepare(s, copy, &second, &err), 0);
        assert_ptr_equal(first, second);
        store_stmt_release(second);
        /* Other text: another statement. */
        assert_int_equal(store_prepare(s, "SELECT ?1 + 2", &second, &err), 0);
        assert_ptr_not_equal(first, second);
        store_stmt_release(second);
        assert_int_equal(store_stmt_cache_size(s), 2);
        store_close(s);
}

static void test_release_resets_and_clears_bindings(void **state) {
        struct store *s = open_ok(*state);
        struct error err = {0};
        sqlite3_stmt *st = NULL;
        assert_int_equal(store_prepare(s, "SELECT ?1 UNION ALL SELECT 2", &st, &err), 0);
        assert_int_equal(store_bind_int64(s, st, 1, 41, &err), 0);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        assert_int_equal(sqlite3_column_int64(st, 0), 41);
        /* Given back in the middle of its rows. */
        assert_true(sqlite3_stmt_busy(st));
        store_stmt_release(st);
        assert_false(sqlite3_stmt_busy(st));
        sqlite3_stmt *again = NULL;
        assert_int_equal(store_prepare(s, "SELECT ?1 UNION ALL SELECT 2", &again, &err), 0);
        assert_ptr_equal(st, again);
        /* From the first row again, and ?1 is NULL, not 41. */
        assert_int_equal(sqlite3_step(again), SQLITE_ROW);
        assert_int_equal(sqlite3_column_type(again, 0), SQLITE_NULL);
        store_stmt_release(again);
        store_close(s);
}

/* A statement that failed half-way (a UNIQUE violation after its values
 * were bound) goes back with nothing bound: the next user, and memory, see
 * none of the previous request's values. */
static void test_error_path_leaves_nothing_bound(void **state) {
        struct store *s = open_ok(*state);
        struct error err = {0};
        struct store_token a = {.public_id = "aaaaaaaaaaaaaaaa", .name = "secret-looking-name", .role = "admin",
                                .created_at = 1, .created_by = "system"};
        assert_int_equal(store_token_insert(s, &a, NULL, &err), 0);
        assert_true(store_stmt_cache_size(s) > 0);
        assert_false(any_stmt_holds(s, "secret-looking-name"));
        struct store_token dup = a;
        memcpy(dup.public_id, "dddddddddddddddd", 17);
        assert_int_equal(store_token_insert(s, &dup, NULL, &err), -1);
        assert_int_equal(err.kind, ERROR_CONFLICT);
        assert_int_equal(store_stmt_cache_lent(s), 0);
        assert_false(any_stmt_holds(s, "secret-looking-name"));
        assert_false(any_stmt_holds(s, "dddddddddddddddd"));
        /* And the statement works for the next caller. */
        struct store_token b = {.public_id = "bbbbbbbbbbbbbbbb", .name = "bob", .role = "admin",
                                .created_at = 2, .created_by = "system"};
        assert_int_equal(store_token_insert(s, &b, NULL, &err), 0);
        struct store_token got;
        assert_int_equal(store_token_get_by_name(s, "bob", &got, &err), 0);
        assert_string_equal(got.public_id, "bbbbbbbbbbbbbbbb");
        store_token_clear(&got);
        store_close(s);
}

/* A user of the same SQL while the first still reads its rows gets its own
 * statement; neither disturbs the other. */
static void test_nested_use_gets_a_second_statement(void **state) {
        struct store *s = open_ok(*state);
        struct error err = {0};
        const char *sql = "SELECT value FROM (SELECT 1 AS value UNION ALL SELECT 2 UNION ALL SELECT 3) WHERE value >= ?1 ORDER BY value";
        sqlite3_stmt *outer = NULL, *inner = NULL;
        assert_int_equal(store_prepare(s, sql, &outer, &err), 0);
        assert_int_equal(store_bind_int64(s, outer, 1, 1, &err), 0);
        int64_t sum = 0;
        while (sqlite3_step(outer) == SQLITE_ROW) {
                assert_int_equal(store_prepare(s, sql, &inner, &err), 0);
                assert_ptr_not_equal(inner, outer);
                assert_int_equal(store_bind_int64(s, inner, 1, 3, &err), 0);
                assert_int_equal(sqlite3_step(inner), SQLITE_ROW);
                sum += sqlite3_column_int64(outer, 0) * 10 + sqlite3_column_int64(inner, 0);
                store_stmt_release(inner);
        }
        assert_int_equal(sum, (1 + 2 + 3) * 10 + 3 * 3);
        store_stmt_release(outer);
        assert_int_equal(store_stmt_cache_size(s), 2);
        assert_int_equal(store_stmt_cache_lent(s), 0);
        store_close(s);
}

/* Bounded: past STORE_STMT_CACHE_MAX texts the oldest idle statement goes,
 * and when every kept statement is lent a new one lives only until returned. */
static void test_cache_is_bounded(void **state) {
        struct store *s = open_ok(*state);
        struct error err = {0};
        char sql[64];
        for (int i = 0; i < STORE_STMT_CACHE_MAX + 40; i++) {
                sqlite3_stmt *st = NULL;
                snprintf(sql, sizeof(sql), "SELECT %d", i);
                assert_int_equal(store_prepare(s, sql, &st, &err), 0);
                assert_int_equal(sqlite3_step(st), SQLITE_ROW);
                assert_int_equal(sqlite3_column_int64(st, 0), i);
                store_stmt_release(st);
        }
        assert_int_equal(store_stmt_cache_size(s), STORE_STMT_CACHE_MAX);
        sqlite3_stmt *lent[STORE_STMT_CACHE_MAX];
        for (int i = 0; i < STORE_STMT_CACHE_MAX; i++) {
                snprintf(sql, sizeof(sql), "SELECT %d", 1000 + i);
                assert_int_equal(store_prepare(s, sql, &lent[i], &err), 0);
        }
        sqlite3_stmt *extra = NULL;
        assert_int_equal(store_prepare(s, "SELECT 'extra'", &extra, &err), 0);
        assert_int_equal(store_stmt_cache_lent(s), STORE_STMT_CACHE_MAX);
        store_stmt_release(extra); /* finalized: ASan would see a leak otherwise */
        for (int i = 0; i < STORE_STMT_CACHE_MAX; i++)
                store_stmt_release(lent[i]);
        assert_int_equal(store_stmt_cache_lent(s), 0);
        store_close(s);
}

/* A bad statement is an error naming the cause and leaves nothing behind. */
static void test_prepare_error(void **state) {
        struct store *s = open_ok(*state);
        struct error err = {0};
        sqlite3_stmt *st = (sqlite3_stmt *) &err;
        assert_int_equal(store_prepare(s, "SELECT FROM nowhere", &st, &err), -1);
        assert_null(st);
        assert_int_equal(err.kind, ERROR_DB);
        assert_non_null(strstr(err.msg, "preparing a statement"));
        assert_int_equal(store_stmt_cache_size(s), 0);
        store_close(s);
}

/* Another connection changes the schema: a kept statement follows it. */
static void test_schema_change_is_seen(void **state) {
        struct tdir *t = *state;
        struct store *s = open_ok(t);
        struct error err = {0};
        assert_int_equal(store_exec(s, "CREATE TABLE extra (a INTEGER)", &err), 0);
        sqlite3_stmt *st = NULL;
        assert_int_equal(store_prepare(s, "SELECT * FROM extra", &st, &err), 0);
        assert_int_equal(sqlite3_column_count(st), 1);
        store_stmt_release(st);
        struct store *other = open_ok(t);
        assert_int_equal(store_exec(other, "ALTER TABLE extra ADD COLUMN b TEXT", &err), 0);
        assert_int_equal(store_exec(other, "INSERT INTO extra VALUES (1, 'x')", &err), 0);
        store_close(other);
        assert_int_equal(store_prepare(s, "SELECT * FROM extra", &st, &err), 0);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        assert_int_equal(sqlite3_column_count(st), 2);
        assert_string_equal((const char *) sqlite3_column_text(st, 1), "x");
        store_stmt_release(st);
        store_close(s);
}

/* Each pooled connection has its own cache; a connection comes back from
 * the pool with nothing lent. */
static void test_pool_connections_keep_their_statements(void **state) {
        struct tdir *t = *state;
        struct error err = {0};
        struct store_pool *p = NULL;
        assert_int_equal(store_pool_open(t->db, 2, &p, &err), 0);
        struct store *a = store_pool_acquire(p), *b = store_pool_acquire(p);
        sqlite3_stmt *sa = NULL, *sb = NULL;
        assert_int_equal(store_prepare(a, "SELECT 7", &sa, &err), 0);
        assert_int_equal(store_prepare(b, "SELECT 7", &sb, &err), 0);
        assert_ptr_not_equal(sa, sb);
        assert_ptr_equal(sqlite3_db_handle(sa), a->db);
        store_stmt_release(sa);
        store_stmt_release(sb);
        store_pool_release(p, a);
        store_pool_release(p, b);
        struct store *c = store_pool_acquire(p);
        assert_int_equal(store_stmt_cache_lent(c), 0);
        assert_int_equal(store_stmt_cache_size(c), 1);
        store_pool_release(p, c);
        store_pool_close(p);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_open_leaves_no_statement_prepared_before_migrations, setup, teardown),
                cmocka_unit_test_setup_teardown(test_same_statement_is_reused, setup, teardown),
                cmocka_unit_test_setup_teardown(test_release_resets_and_clears_bindings, setup, teardown),
                cmocka_unit_test_setup_teardown(test_error_path_leaves_nothing_bound, setup, teardown),
                cmocka_unit_test_setup_teardown(test_nested_use_gets_a_second_statement, setup, teardown),
                cmocka_unit_test_setup_teardown(test_cache_is_bounded, setup, teardown),
                cmocka_unit_test_setup_teardown(test_prepare_error, setup, teardown),
                cmocka_unit_test_setup_teardown(test_schema_change_is_seen, setup, teardown),
                cmocka_unit_test_setup_teardown(test_pool_connections_keep_their_statements, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: Apache-2.0 */
#include "testutil-store.h"

#include "store/migrations.h"

static int setup(void **state) {
        *state = tdir_new();
        return 0;
}

static int teardown(void **state) {
        tdir_free(*state);
        return 0;
}

static bool table_exists(const char *db, const char *name) {
        char *sql = str_printf("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '%s'", name);
        int64_t n = raw_int(db, sql);
        free(sql);
        return n == 1;
}

static void test_fresh_database_gets_latest(void **state) {
        struct tdir *t = *state;
        struct error err = {0};
        struct store *s = NULL;
        assert_int_equal(store_open(t->db, &s, &err), 0);
        int v;
        assert_int_equal(store_schema_version(s, &v, &err), 0);
        assert_int_equal(v, store_schema_latest());
        assert_int_equal(store_schema_latest(), (int) store_migrations_count);
        store_close(s);
        /* one row per version, each with a time */
        assert_int_equal(raw_int(t->db, "SELECT count(*) FROM schema_migrations"), store_schema_latest());
        assert_int_equal(raw_int(t->db, "SELECT min(version) FROM schema_migrations"), 1);
        assert_int_equal(raw_int(t->db, "SELECT count(*) FROM schema_migrations WHERE applied_at > 0"),
                         store_schema_latest());
        for (const char *const *tbl = (const char *const[]){"api_tokens", "audit_log", "products",
                                                            "product_member_states", NULL}; *tbl; tbl++)
                assert_true(table_exists(t->db, *tbl));
        assert_int_equal(raw_int(t->db, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND "
                                        "name IN ('audit_log_object', 'audit_log_actor_name', 'audit_log_time')"), 3);
        /* reopening applies nothing again */
        assert_int_equal(store_open(t->db, &s, &err), 0);
        store_close(s);
        assert_int_equal(raw_int(t->db, "SELECT count(*) FROM schema_migrations"), store_schema_latest());
}

static void assert_refused_untouched(struct tdir *t, int newer) {
        size_t before_len, after_len;
        unsigned char *before = read_file_bytes(t->db, &before_len);
        assert_true(before_len > 0);
        char *wal = tdir_path(t, "cradle.db-wal");
        assert_int_equal(access(wal, F_OK), -1);

        struct error err = {0};
        struct store *s = (struct store *) 1;
        assert_int_equal(store_open(t->db, &s, &err), -1);
        assert_null(s);
        char *want = str_printf("database schema version %d is newer than this cradled (knows up to %d); "
                                "upgrade cradled", newer, store_schema_latest());
        assert_error(err, ERROR_CONFLICT, want);
        free(want);

        unsigned char *after = read_file_bytes(t->db, &after_len);
        assert_int_equal(before_len, after_len);
        assert_memory_equal(before, after, before_len);
        assert_int_equal(access(wal, F_OK), -1);
        free(before);
        free(after);
        free(wal);
}

static void test_newer_schema_refused_byte_identical(void **state) {
        struct tdir *t = *state;
        int newer = store_schema_latest() + 1;
        /* a database written by a future cradled, in rollback-journal mode */
        char *sql = str_printf("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER);"
                               "INSERT INTO schema_migrations VALUES (%d, 1);"
                               "CREATE TABLE future (x TEXT);", newer);
        sqlite3 *h;
        assert_int_equal(sqlite3_open(t->db, &h), SQLITE_OK);
        assert_int_equal(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK);
        sqlite3_close(h);
        free(sql);
        assert_refused_untouched(t, newer);
}

static void test_newer_schema_refused_after_upgrade_elsewhere(void **state) {
        struct tdir *t = *state;
        struct error err = {0};
        struct store *s = NULL;
        /* our own WAL-mode database, later migrated by a newer binary */
        assert_int_equal(store_open(t->db, &s, &err), 0);
        store_close(s);
        int newer = store_schema_latest() + 3;
        char *sql = str_printf("INSERT INTO schema_migrations VALUES (%d, 1)", newer);
        raw_exec(t->db, sql);
        free(sql);
        assert_refused_untouched(t, newer);
}

static void test_failed_migration_keeps_previous_version(void **state) {
        struct tdir *t = *state;
        struct error err = {0};
        struct store *s = NULL;
        size_t n = store_migrations_count;
        const char **bad = calloc(n + 1, sizeof(char *));
        for (size_t i = 0; i < n; i++)
                bad[i] = store_migrations[i];
        /* the first statement succeeds, the second fails: nothing of it may stay */
        bad[n] = "CREATE TABLE half_done (x INTEGER); INSERT INTO no_such_table VALUES (1);";
        assert_int_equal(store_open_with_migrations(t->db, bad, n + 1, &s, &err), -1);
        assert_null(s);
        char *want = str_printf("migration %zu failed", n + 1);
        assert_error(err, ERROR_DB, want);
        assert_non_null(strstr(err.msg, "no_such_table"));
        free(want);

        assert_int_equal(raw_int(t->db, "SELECT max(version) FROM schema_migrations"), (int64_t) n);
        assert_false(table_exists(t->db, "half_done"));
        assert_true(table_exists(t->db, "products"));

        /* the released binary still opens it */
        assert_int_equal(store_open(t->db, &s, &err), 0);
        int v;
        assert_int_equal(store_schema_version(s, &v, &err), 0);
        assert_int_equal(v, (int) n);
        store_close(s);
        free(bad);
}

static void test_upgrade_from_older_version(void **state) {
        struct tdir *t = *state;
        struct error err = {0};
        struct store *s = NULL;
        /* an old binary that knew only migration 1 */
        assert_int_equal(store_open_with_migrations(t->db, store_migrations, 1, &s, &err), 0);
        store_close(s);
        assert_int_equal(raw_int(t->db, "SELECT max(version) FROM schema_migrations"), 1);
        assert_false(table_exists(t->db, "products"));
        raw_exec(t->db, "INSERT INTO audit_log VALUES (1, 5, 'a', 'admin', 'x', 'y', '{}', 'p', 'h')");

        assert_int_equal(store_open(t->db, &s, &err), 0);
        store_close(s);
        assert_int_equal(raw_int(t->db, "SELECT max(version) FROM schema_migrations"), store_schema_latest());
        assert_true(table_exists(t->db, "products"));
        assert_int_equal(raw_int(t->db, "SELECT count(*) FROM audit_log"), 1); /* data kept */

        /* and the old binary now refuses it */
        assert_int_equal(store_open_with_migrations(t->db, store_migrations, 1, &s, &err), -1);
        assert_int_equal(err.kind, ERROR_CONFLICT);
}

static void test_not_a_database(void **state) {
        struct tdir *t = *state;
        struct error err = {0};
        struct store *s = NULL;
        const char junk[] = "this is not an SQLite database, just some text that is long enough......"
                            "................................................................";
        FILE *f = fopen(t->db, "wb");
        assert_non_null(f);
        fwrite(junk, 1, sizeof(junk), f);
        fclose(f);
        assert_int_equal(store_open(t->db, &s, &err), -1);
        assert_error(err, ERROR_DB, "not a database");
        size_t len;
        unsigned char *after = read_file_bytes(t->db, &len);
        assert_int_equal(len, sizeof(junk));
        assert_memory_equal(after, junk, len);
        free(after);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_fresh_database_gets_latest, setup, teardown),
                cmocka_unit_test_setup_teardown(test_newer_schema_refused_byte_identical, setup, teardown),
                cmocka_unit_test_setup_teardown(test_newer_schema_refused_after_upgrade_elsewhere, setup, teardown),
                cmocka_unit_test_setup_teardown(test_failed_migration_keeps_previous_version, setup, teardown),
                cmocka_unit_test_setup_teardown(test_upgrade_from_older_version, setup, teardown),
                cmocka_unit_test_setup_teardown(test_not_a_database, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

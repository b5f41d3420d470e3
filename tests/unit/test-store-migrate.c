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

static void test_assignments_become_actions(void **state) {
        struct tdir *t = *state;
        struct error err = {0};
        struct store *s = NULL;
        /* A database of schema version 5: two devices assigned 1.1.0, D1
         * already running it; one history row. */
        assert_int_equal(store_open_with_migrations(t->db, store_migrations, 5, &s, &err), 0);
        store_close(s);
        raw_exec(t->db, "INSERT INTO products (id, name, model, manufacturer_name, manufacturer_address, "
                        "manufacturer_contact, support_start, support_end, created_at, updated_at) "
                        "VALUES (1, 'P', 'p1', 'M', 'A', 'c@example.com', '2026-01-01', '2031-01-01', 1, 1)");
        raw_exec(t->db, "INSERT INTO devices (id, serial, product_id, status, origin, created_at) VALUES "
                        "(1, 'D1', 1, 'active', 'factory', 1), (2, 'D2', 1, 'active', 'factory', 1)");
        raw_exec(t->db, "INSERT INTO releases (id, product_id, version, security_version, hardware_revisions, notes, "
                        "status, created_at, created_by) VALUES (7, 1, '1.1.0', 3, '[]', '', 'published', 1, 'rm')");
        raw_exec(t->db, "INSERT INTO device_assignments VALUES (1, 7, NULL, 100, 'rm'), (2, 7, 'pilot', 200, 'rm')");
        raw_exec(t->db, "INSERT INTO device_update_state (device_id, installed_version, security_version, last_seen) "
                        "VALUES (1, '1.1.0', 3, 300)");
        raw_exec(t->db, "INSERT INTO device_update_history (id, device_id, time, stage, to_version, security_version, "
                        "result) VALUES (5, 1, 300, 'success', '1.1.0', 3, 'success')");

        assert_int_equal(store_open(t->db, &s, &err), 0);
        store_close(s);
        assert_int_equal(raw_int(t->db, "SELECT count(*) FROM update_actions"), 2);
        assert_int_equal(raw_int(t->db, "SELECT count(*) FROM update_actions WHERE device_id = 1 AND "
                                        "status = 'succeeded' AND closed_at = 100"), 1);
        assert_int_equal(raw_int(t->db, "SELECT count(*) FROM update_actions WHERE device_id = 2 AND "
                                        "status = 'open' AND closed_at IS NULL AND created_at = 200"), 1);
        /* The history kept its rows and ids, and takes the new stages. */
        assert_int_equal(raw_int(t->db, "SELECT count(*) FROM device_update_history WHERE id = 5 AND "
                                        "action_id IS NULL AND stage = 'success'"), 1);
        raw_exec(t->db, "INSERT INTO device_update_history (device_id, time, stage, result) "
                        "VALUES (2, 400, 'canceled', 'canceled')");
        /* One active action per device. */
        assert_int_equal(raw_exec_rc(t->db, "INSERT INTO update_actions (device_id, release_id, status, created_at, "
                                            "created_by, updated_at) VALUES (2, 7, 'canceling', 1, 'x', 1)"),
                         SQLITE_CONSTRAINT);
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
                cmocka_unit_test_setup_teardown(test_assignments_become_actions, setup, teardown),
                cmocka_unit_test_setup_teardown(test_upgrade_from_older_version, setup, teardown),
                cmocka_unit_test_setup_teardown(test_not_a_database, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: Apache-2.0 */
#include "testutil-store.h"

#include <pthread.h>
#include <stdatomic.h>

#include "store/store-private.h"
#include "store/store-product.h"
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

static int64_t pragma_int(struct store *s, const char *sql) {
        sqlite3_stmt *st = NULL;
        assert_int_equal(sqlite3_prepare_v2(s->db, sql, -1, &st, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        int64_t v = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        return v;
}

/* ---- a full disk ---- */

/* SQLite's page limit stands in for a full disk: the write fails with
 * SQLITE_FULL, which the store reports as ERROR_NO_SPACE naming the database;
 * reads go on working, and writes resume once there is room. */
static void test_disk_full_is_no_space(void **state) {
        struct tdir *t = *state;
        struct error err = {0};
        struct store *s = open_ok(t);
        int64_t pages = pragma_int(s, "PRAGMA page_count");
        char sql[64];
        snprintf(sql, sizeof(sql), "PRAGMA max_page_count = %lld", (long long) pages);
        assert_int_equal(sqlite3_exec(s->db, sql, NULL, NULL, NULL), SQLITE_OK);
        int rc = 0;
        char name[256];
        for (int i = 0; i < 2000 && rc == 0; i++) {
                snprintf(name, sizeof(name), "filler-%04d-%0200d", i, 0);
                struct store_token tok = {.name = name, .role = "admin", .created_at = 100, .created_by = "system"};
                snprintf(tok.public_id, sizeof(tok.public_id), "%016x", i);
                rc = store_token_insert(s, &tok, NULL, &err);
        }
        assert_int_equal(rc, -1);
        assert_int_equal(err.kind, ERROR_NO_SPACE);
        assert_non_null(strstr(err.msg, t->db));
        assert_non_null(strstr(err.msg, "disk is full"));
        struct store_token got;
        assert_int_equal(store_token_get_by_name(s, "filler-0000-" "00000000000000000000000000000000000000000000000000"
                                                    "00000000000000000000000000000000000000000000000000"
                                                    "00000000000000000000000000000000000000000000000000"
                                                    "00000000000000000000000000000000000000000000000000",
                                                 &got, &err),
                         0);
        store_token_clear(&got);
        assert_int_equal(sqlite3_exec(s->db, "PRAGMA max_page_count = 1073741823", NULL, NULL, NULL), SQLITE_OK);
        struct store_token more = {.public_id = "fedcba9876543210", .name = "after", .role = "admin",
                                   .created_at = 100, .created_by = "system"};
        assert_int_equal(store_token_insert(s, &more, NULL, &err), 0);
        store_close(s);
}

/* ---- open ---- */

static void test_open_creates_and_reopens(void **state) {
        struct tdir *t = *state;
        struct error err = {0};
        struct store *s = open_ok(t);
        int v = -1;
        assert_int_equal(store_schema_version(s, &v, &err), 0);
        assert_int_equal(v, store_schema_latest());
        assert_true(store_schema_latest() >= 2);
        /* a token written before close is there after reopen */
        struct store_token tok = {.public_id = "0123456789abcdef", .name = "keep", .role = "admin",
                                  .created_at = 100, .created_by = "system"};
        assert_int_equal(store_token_insert(s, &tok, NULL, &err), 0);
        store_close(s);

        s = open_ok(t);
        assert_int_equal(store_schema_version(s, &v, &err), 0);
        assert_int_equal(v, store_schema_latest());
        struct store_token got;
        assert_int_equal(store_token_get_by_name(s, "keep", &got, &err), 0);
        assert_string_equal(got.public_id, "0123456789abcdef");
        store_token_clear(&got);
        store_close(s);
}

static void test_open_bad_path_is_an_error(void **state) {
        struct tdir *t = *state;
        struct error err = {0};
        struct store *s = (struct store *) 1;
        char *p = tdir_path(t, "no/such/dir/x.db");
        assert_int_equal(store_open(p, &s, &err), -1);
        assert_null(s);
        assert_int_equal(err.kind, ERROR_DB);
        assert_non_null(strstr(err.msg, p));
        free(p);
        assert_int_equal(store_open("", &s, &err), -1);
        assert_int_equal(err.kind, ERROR_INVALID);
}

static void test_wal_fk_sync_busy_timeout(void **state) {
        struct tdir *t = *state;
        struct store *s = open_ok(t);
        assert_int_equal(pragma_int(s, "PRAGMA foreign_keys"), 1);
        assert_int_equal(pragma_int(s, "PRAGMA synchronous"), 2); /* FULL */
        assert_int_equal(pragma_int(s, "PRAGMA busy_timeout"), 5000);
        /* WAL is a property of the file: a fresh connection sees it too. */
        sqlite3 *h;
        sqlite3_stmt *st;
        assert_int_equal(sqlite3_open_v2(t->db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_prepare_v2(h, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        assert_string_equal((const char *) sqlite3_column_text(st, 0), "wal");
        sqlite3_finalize(st);
        sqlite3_close(h);
        /* foreign keys are enforced, not just switched on */
        assert_int_not_equal(sqlite3_exec(s->db, "INSERT INTO product_member_states (product_id, country) "
                                                 "VALUES (4242, 'DE')", NULL, NULL, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_extended_errcode(s->db), SQLITE_CONSTRAINT_FOREIGNKEY);
        store_close(s);
}

/* ---- transactions ---- */

static void test_transactions(void **state) {
        struct tdir *t = *state;
        struct error err = {0};
        struct store *s = open_ok(t);
        assert_false(store_in_transaction(s));
        assert_int_equal(store_tx_begin(s, &err), 0);
        assert_true(store_in_transaction(s));
        assert_int_equal(store_tx_begin(s, &err), -1);
        assert_int_equal(err.kind, ERROR_INTERNAL);
        struct store_token tok = {.public_id = "1111111111111111", .name = "gone", .role = "admin",
                                  .created_at = 1, .created_by = "system"};
        assert_int_equal(store_token_insert(s, &tok, NULL, &err), 0);
        store_tx_rollback(s);
        assert_false(store_in_transaction(s));
        struct store_token got;
        assert_int_equal(store_token_get_by_name(s, "gone", &got, &err), -1);
        assert_int_equal(err.kind, ERROR_NOT_FOUND);

        assert_int_equal(store_tx_begin(s, &err), 0);
        assert_int_equal(store_token_insert(s, &tok, NULL, &err), 0);
        assert_int_equal(store_tx_commit(s, &err), 0);
        assert_int_equal(store_token_get_by_name(s, "gone", &got, &err), 0);
        store_token_clear(&got);
        assert_int_equal(store_tx_commit(s, &err), -1);
        store_tx_rollback(s); /* harmless without a transaction */
        store_close(s);
}

/* ---- tokens ---- */

static void test_token_crud(void **state) {
        struct tdir *t = *state;
        struct error err = {0};
        struct store *s = open_ok(t);
        struct store_token a = {.public_id = "aaaaaaaaaaaaaaaa", .name = "alice", .role = "admin",
                                .created_at = 1000, .created_by = "system"};
        for (int i = 0; i < 32; i++)
                a.secret_hash[i] = (uint8_t) (i * 7);
        struct store_token b = {.public_id = "bbbbbbbbbbbbbbbb", .name = "bob", .role = "auditor",
                                .created_at = 2000, .created_by = "alice"};
        int64_t ida = 0, idb = 0;
        assert_int_equal(store_token_insert(s, &a, &ida, &err), 0);
        assert_int_equal(store_token_insert(s, &b, &idb, &err), 0);
        assert_true(ida > 0 && idb > ida);

        struct store_token got;
        assert_int_equal(store_token_get_by_public_id(s, "aaaaaaaaaaaaaaaa", &got, &err), 0);
        assert_int_equal(got.id, ida);
        assert_string_equal(got.name, "alice");
        assert_string_equal(got.role, "admin");
        assert_string_equal(got.created_by, "system");
        assert_int_equal(got.created_at, 1000);
        assert_int_equal(got.revoked_at, 0);
        assert_memory_equal(got.secret_hash, a.secret_hash, 32);
        store_token_clear(&got);

        assert_int_equal(store_token_get_by_public_id(s, "cccccccccccccccc", &got, &err), -1);
        assert_error(err, ERROR_NOT_FOUND, "cccccccccccccccc");
        assert_int_equal(store_token_get_by_name(s, "carol", &got, &err), -1);
        assert_error(err, ERROR_NOT_FOUND, "no token named 'carol'");

        struct store_token *list;
        size_t n;
        assert_int_equal(store_token_list(s, &list, &n, &err), 0);
        assert_int_equal(n, 2);
        assert_string_equal(list[0].name, "alice");
        assert_string_equal(list[1].name, "bob");
        assert_string_equal(list[1].created_by, "alice");
        store_token_list_free(list, n);

        assert_int_equal(store_token_revoke(s, idb, 3000, &err), 0);
        assert_int_equal(store_token_get_by_name(s, "bob", &got, &err), 0);
        assert_int_equal(got.revoked_at, 3000);
        store_token_clear(&got);
        assert_int_equal(store_token_revoke(s, idb, 4000, &err), -1);
        assert_error(err, ERROR_CONFLICT, "token 'bob' is already revoked");
        assert_int_equal(store_token_revoke(s, 9999, 4000, &err), -1);
        assert_error(err, ERROR_NOT_FOUND, "9999");
        store_close(s);
}

static void test_token_duplicates_conflict(void **state) {
        struct tdir *t = *state;
        struct error err = {0};
        struct store *s = open_ok(t);
        struct store_token a = {.public_id = "aaaaaaaaaaaaaaaa", .name = "alice", .role = "admin",
                                .created_at = 1, .created_by = "system"};
        assert_int_equal(store_token_insert(s, &a, NULL, &err), 0);
        struct store_token dup_name = a;
        memcpy(dup_name.public_id, "dddddddddddddddd", 17);
        assert_int_equal(store_token_insert(s, &dup_name, NULL, &err), -1);
        assert_error(err, ERROR_CONFLICT, "a token named 'alice' already exists");
        struct store_token dup_pub = a;
        dup_pub.name = "other";
        assert_int_equal(store_token_insert(s, &dup_pub, NULL, &err), -1);
        assert_error(err, ERROR_CONFLICT, "public id 'aaaaaaaaaaaaaaaa'");
        store_close(s);
}

/* ---- products ---- */

static char *de_fr[] = {"DE", "FR"};

static struct store_product sample_product(const char *model) {
        return (struct store_product){
                .name = "Thermostat T1",
                .model = (char *) model,
                .manufacturer_name = "Acme GmbH",
                .manufacturer_address = "Hauptstr. 1\n10115 Berlin",
                .manufacturer_contact = "security@acme.example",
                .support_start = "2026-11-21",
                .support_end = "2031-11-21",
                .member_states = de_fr,
                .n_member_states = 2,
                .created_at = 10,
                .updated_at = 10,
        };
}

static void test_product_crud(void **state) {
        struct tdir *t = *state;
        struct error err = {0};
        struct store *s = open_ok(t);
        struct store_product p = sample_product("T1-EU");
        int64_t id = 0;
        assert_int_equal(store_product_insert(s, &p, &id, &err), 0);
        assert_true(id > 0);

        struct store_product got;
        assert_int_equal(store_product_get(s, id, &got, &err), 0);
        assert_int_equal(got.id, id);
        assert_string_equal(got.name, "Thermostat T1");
        assert_string_equal(got.model, "T1-EU");
        assert_string_equal(got.manufacturer_address, "Hauptstr. 1\n10115 Berlin");
        assert_string_equal(got.support_end, "2031-11-21");
        assert_null(got.support_justification);
        assert_int_equal(got.n_member_states, 2);
        assert_string_equal(got.member_states[0], "DE");
        assert_string_equal(got.member_states[1], "FR");
        assert_int_equal(got.created_at, 10);
        store_product_clear(&got);

        /* update: new states, a justification, same id */
        char *at[] = {"AT"};
        struct store_product u = sample_product("T1-EU");
        u.id = id;
        u.name = "Thermostat T1 rev B";
        u.support_justification = "short-lived prototype";
        u.member_states = at;
        u.n_member_states = 1;
        u.updated_at = 20;
        assert_int_equal(store_product_update(s, &u, &err), 0);
        assert_int_equal(store_product_get(s, id, &got, &err), 0);
        assert_string_equal(got.name, "Thermostat T1 rev B");
        assert_string_equal(got.support_justification, "short-lived prototype");
        assert_int_equal(got.n_member_states, 1);
        assert_string_equal(got.member_states[0], "AT");
        assert_int_equal(got.created_at, 10);
        assert_int_equal(got.updated_at, 20);
        store_product_clear(&got);

        /* a second product; list returns both with their own states */
        struct store_product p2 = sample_product("T2-EU");
        int64_t id2;
        assert_int_equal(store_product_insert(s, &p2, &id2, &err), 0);
        struct store_product *list;
        size_t n;
        assert_int_equal(store_product_list(s, &list, &n, &err), 0);
        assert_int_equal(n, 2);
        assert_int_equal(list[0].id, id);
        assert_int_equal(list[0].n_member_states, 1);
        assert_int_equal(list[1].id, id2);
        assert_int_equal(list[1].n_member_states, 2);
        store_product_list_free(list, n);

        /* missing rows and duplicate models */
        assert_int_equal(store_product_get(s, 9999, &got, &err), -1);
        assert_error(err, ERROR_NOT_FOUND, "no product with id 9999");
        u.id = 9999;
        assert_int_equal(store_product_update(s, &u, &err), -1);
        assert_error(err, ERROR_NOT_FOUND, "no product with id 9999");
        assert_int_equal(store_product_insert(s, &p, &id, &err), -1);
        assert_error(err, ERROR_CONFLICT, "a product with model 'T1-EU' already exists");
        p2.id = id2;
        p2.model = "T1-EU";
        assert_int_equal(store_product_update(s, &p2, &err), -1);
        assert_error(err, ERROR_CONFLICT, "model 'T1-EU'");
        /* the failed update left product 2 as it was, states included */
        assert_int_equal(store_product_get(s, id2, &got, &err), 0);
        assert_string_equal(got.model, "T2-EU");
        assert_int_equal(got.n_member_states, 2);
        store_product_clear(&got);

        /* deleting a product removes its member states (ON DELETE CASCADE) */
        assert_int_equal(sqlite3_exec(s->db, "DELETE FROM products WHERE id = 1", NULL, NULL, NULL), SQLITE_OK);
        assert_int_equal(pragma_int(s, "SELECT count(*) FROM product_member_states WHERE product_id = 1"), 0);
        store_close(s);
}

static void test_product_insert_is_atomic(void **state) {
        struct tdir *t = *state;
        struct error err = {0};
        struct store *s = open_ok(t);
        char *dup[] = {"DE", "DE"};
        struct store_product p = sample_product("DUP-1");
        p.member_states = dup;
        assert_int_equal(store_product_insert(s, &p, NULL, &err), -1);
        assert_int_equal(err.kind, ERROR_CONFLICT);
        assert_int_equal(pragma_int(s, "SELECT count(*) FROM products"), 0);
        /* the same inside a caller's transaction: the savepoint undoes only this insert */
        assert_int_equal(store_tx_begin(s, &err), 0);
        struct store_product ok = sample_product("OK-1");
        assert_int_equal(store_product_insert(s, &ok, NULL, &err), 0);
        assert_int_equal(store_product_insert(s, &p, NULL, &err), -1);
        assert_true(store_in_transaction(s));
        assert_int_equal(store_tx_commit(s, &err), 0);
        assert_int_equal(pragma_int(s, "SELECT count(*) FROM products"), 1);
        assert_int_equal(pragma_int(s, "SELECT count(*) FROM product_member_states"), 2);
        store_close(s);
}

static void test_sql_shaped_strings_round_trip(void **state) {
        struct tdir *t = *state;
        struct error err = {0};
        struct store *s = open_ok(t);
        const char *evil[] = {
                "'; DROP TABLE products;--",
                "Robert'); DELETE FROM api_tokens WHERE ('1'='1",
                "\"quoted\" \\back\\slash% _under_ ?1 :name @x $y",
                "Grüße ☃ 𝄞 \t tab\nnewline",
        };
        for (size_t i = 0; i < ELEMENTSOF(evil); i++) {
                char model[32];
                snprintf(model, sizeof(model), "M%zu", i);
                struct store_product p = sample_product(model);
                p.name = (char *) evil[i];
                p.manufacturer_name = (char *) evil[(i + 1) % ELEMENTSOF(evil)];
                p.manufacturer_address = (char *) evil[(i + 2) % ELEMENTSOF(evil)];
                p.manufacturer_contact = (char *) evil[(i + 3) % ELEMENTSOF(evil)];
                p.support_justification = (char *) evil[i];
                int64_t id;
                assert_int_equal(store_product_insert(s, &p, &id, &err), 0);
                struct store_product got;
                assert_int_equal(store_product_get(s, id, &got, &err), 0);
                assert_string_equal(got.name, p.name);
                assert_string_equal(got.manufacturer_name, p.manufacturer_name);
                assert_string_equal(got.manufacturer_address, p.manufacturer_address);
                assert_string_equal(got.manufacturer_contact, p.manufacturer_contact);
                assert_string_equal(got.support_justification, p.support_justification);
                store_product_clear(&got);

                struct store_token tok = {.name = (char *) evil[i], .role = "admin", .created_at = 1,
                                          .created_by = (char *) evil[(i + 1) % ELEMENTSOF(evil)]};
                snprintf(tok.public_id, sizeof(tok.public_id), "%016zx", i + 1);
                assert_int_equal(store_token_insert(s, &tok, NULL, &err), 0);
                struct store_token gt;
                assert_int_equal(store_token_get_by_name(s, evil[i], &gt, &err), 0);
                assert_string_equal(gt.name, evil[i]);
                assert_string_equal(gt.created_by, tok.created_by);
                store_token_clear(&gt);
        }
        /* every table is still there and holds exactly what was written */
        assert_int_equal(pragma_int(s, "SELECT count(*) FROM products"), (int64_t) ELEMENTSOF(evil));
        assert_int_equal(pragma_int(s, "SELECT count(*) FROM api_tokens"), (int64_t) ELEMENTSOF(evil));
        store_close(s);
}

/* ---- pool ---- */

struct pool_ctx {
        struct store_pool *pool;
        atomic_int in_use, max_in_use, failures, next_id;
};

#define POOL_SIZE 3
#define POOL_THREADS 8
#define POOL_ROUNDS 25

static void *pool_worker(void *arg) {
        struct pool_ctx *c = arg;
        for (int r = 0; r < POOL_ROUNDS; r++) {
                struct store *s = store_pool_acquire(c->pool);
                int now = atomic_fetch_add(&c->in_use, 1) + 1;
                int prev = atomic_load(&c->max_in_use);
                while (now > prev && !atomic_compare_exchange_weak(&c->max_in_use, &prev, now))
                        ;
                int id = atomic_fetch_add(&c->next_id, 1);
                struct store_token tok = {.role = "admin", .created_at = 1, .created_by = "pool"};
                char name[32];
                snprintf(name, sizeof(name), "pool-%d", id);
                tok.name = name;
                snprintf(tok.public_id, sizeof(tok.public_id), "%016x", id);
                struct error err = {0};
                if (store_tx_begin(s, &err) < 0 || store_token_insert(s, &tok, NULL, &err) < 0 ||
                    store_tx_commit(s, &err) < 0) {
                        store_tx_rollback(s);
                        atomic_fetch_add(&c->failures, 1);
                }
                atomic_fetch_sub(&c->in_use, 1);
                store_pool_release(c->pool, s);
        }
        return NULL;
}

static void test_pool_threads(void **state) {
        struct tdir *t = *state;
        struct error err = {0};
        struct pool_ctx c = {0};
        assert_int_equal(store_pool_open(t->db, POOL_SIZE, &c.pool, &err), 0);
        pthread_t th[POOL_THREADS];
        for (int i = 0; i < POOL_THREADS; i++)
                assert_int_equal(pthread_create(&th[i], NULL, pool_worker, &c), 0);
        for (int i = 0; i < POOL_THREADS; i++)
                pthread_join(th[i], NULL);
        assert_int_equal(atomic_load(&c.failures), 0);
        assert_true(atomic_load(&c.max_in_use) <= POOL_SIZE);
        assert_true(atomic_load(&c.max_in_use) >= 1);

        struct store *s = store_pool_acquire(c.pool);
        struct store_token *list;
        size_t n;
        assert_int_equal(store_token_list(s, &list, &n, &err), 0);
        assert_int_equal(n, POOL_THREADS * POOL_ROUNDS);
        store_token_list_free(list, n);
        /* a connection handed back mid-transaction is rolled back, not leaked */
        assert_int_equal(store_tx_begin(s, &err), 0);
        struct store_token tok = {.public_id = "ffffffffffffffff", .name = "half-done", .role = "admin",
                                  .created_at = 1, .created_by = "x"};
        assert_int_equal(store_token_insert(s, &tok, NULL, &err), 0);
        store_pool_release(c.pool, s);
        s = store_pool_acquire(c.pool);
        assert_false(store_in_transaction(s));
        struct store_token got;
        assert_int_equal(store_token_get_by_name(s, "half-done", &got, &err), -1);
        assert_int_equal(err.kind, ERROR_NOT_FOUND);
        store_pool_release(c.pool, s);
        store_pool_close(c.pool);

        assert_int_equal(store_pool_open(t->db, 0, &c.pool, &err), -1);
        assert_int_equal(err.kind, ERROR_INVALID);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_open_creates_and_reopens, setup, teardown),
                cmocka_unit_test_setup_teardown(test_disk_full_is_no_space, setup, teardown),
                cmocka_unit_test_setup_teardown(test_open_bad_path_is_an_error, setup, teardown),
                cmocka_unit_test_setup_teardown(test_wal_fk_sync_busy_timeout, setup, teardown),
                cmocka_unit_test_setup_teardown(test_transactions, setup, teardown),
                cmocka_unit_test_setup_teardown(test_token_crud, setup, teardown),
                cmocka_unit_test_setup_teardown(test_token_duplicates_conflict, setup, teardown),
                cmocka_unit_test_setup_teardown(test_product_crud, setup, teardown),
                cmocka_unit_test_setup_teardown(test_product_insert_is_atomic, setup, teardown),
                cmocka_unit_test_setup_teardown(test_sql_shaped_strings_round_trip, setup, teardown),
                cmocka_unit_test_setup_teardown(test_pool_threads, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

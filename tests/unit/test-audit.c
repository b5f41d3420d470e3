/* SPDX-License-Identifier: Apache-2.0 */
#include "testutil-store.h"

#include "audit/audit.h"
#include "core/json.h"
#include "crypto/hash.h"

struct fx {
        struct tdir *t;
        struct store *s;
};

static const struct audit_actor alice = {.name = "alice", .role = "admin"};

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

static void append_n(struct store *s, int from, int n) {
        struct error err = {0};
        for (int i = from; i < from + n; i++) {
                char object[32];
                snprintf(object, sizeof(object), "product:%d", i);
                json_t *details = json_pack("{s:i, s:s, s:{s:s}}", "n", i, "note", "line\nbreak \"q\"",
                                            "nested", "k", "v");
                assert_int_equal(store_tx_begin(s, &err), 0);
                if (audit_append(s, &alice, "product.create", object, details, &err) < 0)
                        fail_msg("audit_append: %s", err.msg);
                assert_int_equal(store_tx_commit(s, &err), 0);
                json_decref(details);
        }
}

static struct audit_verify_state verify(struct store *s) {
        struct audit_verify_state st;
        struct error err = {0};
        if (audit_verify_store(s, &st, &err) < 0)
                fail_msg("audit_verify_store: %s", err.msg);
        return st;
}

#define assert_broken_at(st, seq, substr)                                                     \
        do {                                                                                  \
                assert_true((st).broken);                                                     \
                if ((st).bad_seq != (seq))                                                    \
                        fail_msg("bad_seq %lld, expected %d (%s)", (long long) (st).bad_seq, (seq), \
                                 (st).reason);                                                \
                if (!strstr((st).reason, (substr)))                                           \
                        fail_msg("reason '%s' lacks '%s'", (st).reason, (substr));            \
        } while (0)

static void test_append_and_verify(void **state) {
        struct fx *f = *state;
        struct error err = {0};
        append_n(f->s, 1, 5);
        struct audit_verify_state st = verify(f->s);
        assert_false(st.broken);
        assert_int_equal(st.checked, 5);
        assert_int_equal(st.last_seq, 5);

        struct store_audit_filter filt = {.limit = 100};
        struct store_audit_entry *list;
        size_t n;
        assert_int_equal(store_audit_list(f->s, &filt, &list, &n, &err), 0);
        assert_int_equal(n, 5);
        assert_string_equal(list[0].prev_hash, AUDIT_GENESIS_HASH);
        for (size_t i = 0; i < n; i++) {
                assert_int_equal(list[i].seq, (int64_t) i + 1);
                assert_string_equal(list[i].actor_name, "alice");
                assert_string_equal(list[i].actor_role, "admin");
                assert_string_equal(list[i].action, "product.create");
                assert_int_equal(strlen(list[i].hash), 64);
                if (i > 0)
                        assert_string_equal(list[i].prev_hash, list[i - 1].hash);
                char h[65];
                assert_int_equal(audit_entry_compute_hash(&list[i], h, &err), 0);
                assert_string_equal(h, list[i].hash);
        }
        /* details are stored as sorted compact JSON and read back as the same object */
        assert_string_equal(list[0].details, "{\"n\":1,\"nested\":{\"k\":\"v\"},\"note\":\"line\\nbreak \\\"q\\\"\"}");
        store_audit_list_free(list, n);
}

static void test_append_needs_transaction(void **state) {
        struct fx *f = *state;
        struct error err = {0};
        assert_int_equal(audit_append(f->s, &alice, "x.y", "o", NULL, &err), -1);
        assert_int_equal(err.kind, ERROR_INTERNAL);
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM audit_log"), 0);
        /* NULL details become {} */
        assert_int_equal(store_tx_begin(f->s, &err), 0);
        assert_int_equal(audit_append(f->s, &alice, "x.y", "o", NULL, &err), 0);
        json_t *arr = json_array();
        assert_int_equal(audit_append(f->s, &alice, "x.y", "o", arr, &err), -1); /* not an object */
        json_decref(arr);
        assert_int_equal(store_tx_commit(f->s, &err), 0);
        struct store_audit_entry e;
        bool found;
        assert_int_equal(store_audit_last(f->s, &e, &found, &err), 0);
        assert_true(found);
        assert_string_equal(e.details, "{}");
        store_audit_entry_clear(&e);
        /* a rolled-back change leaves no audit entry */
        assert_int_equal(store_tx_begin(f->s, &err), 0);
        assert_int_equal(audit_append(f->s, &alice, "x.y", "o", NULL, &err), 0);
        store_tx_rollback(f->s);
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM audit_log"), 1);
}

/* The hash format is what the CLI recomputes from API output; pin it. */
static void test_hash_is_sha256_of_canonical_json(void **state) {
        (void) state;
        struct error err = {0};
        struct store_audit_entry e = {
                .seq = 7,
                .time = 1767323045, /* 2026-01-02T03:04:05Z */
                .actor_name = "alice",
                .actor_role = "admin",
                .action = "token.create",
                .object = "token:bob",
                .details = "{\"role\": \"auditor\", \"a\": [1, true, null]}",
        };
        memcpy(e.prev_hash, AUDIT_GENESIS_HASH, 65);
        const char *canon = "{\"action\":\"token.create\",\"actor_name\":\"alice\",\"actor_role\":\"admin\","
                            "\"details\":{\"a\":[1,true,null],\"role\":\"auditor\"},\"object\":\"token:bob\","
                            "\"prev_hash\":\"" AUDIT_GENESIS_HASH "\",\"seq\":7,"
                            "\"time\":\"2026-01-02T03:04:05Z\"}";
        char want[65], got[65];
        hash_sha256_hex(canon, strlen(canon), want);
        assert_int_equal(audit_entry_compute_hash(&e, got, &err), 0);
        assert_string_equal(got, want);
}

static void test_tamper_update_details(void **state) {
        struct fx *f = *state;
        append_n(f->s, 1, 5);
        raw_exec(f->t->db, "UPDATE audit_log SET details = '{\"n\":999}' WHERE seq = 3");
        struct audit_verify_state st = verify(f->s);
        assert_broken_at(st, 3, "entry 3: hash mismatch; the entry was modified");
        assert_int_equal(st.checked, 2);
}

static void test_tamper_update_other_fields(void **state) {
        struct fx *f = *state;
        const char *edits[] = {
                "UPDATE audit_log SET actor_name = 'mallory' WHERE seq = 2",
                "UPDATE audit_log SET actor_role = 'auditor' WHERE seq = 2",
                "UPDATE audit_log SET action = 'product.update' WHERE seq = 2",
                "UPDATE audit_log SET object = 'product:77' WHERE seq = 2",
                "UPDATE audit_log SET time = time + 1 WHERE seq = 2",
        };
        append_n(f->s, 1, 3);
        for (size_t i = 0; i < ELEMENTSOF(edits); i++) {
                /* each edit on its own: apply, check, then restore the original rows */
                raw_exec(f->t->db, "CREATE TABLE IF NOT EXISTS audit_backup AS SELECT * FROM audit_log");
                raw_exec(f->t->db, edits[i]);
                struct audit_verify_state st = verify(f->s);
                assert_broken_at(st, 2, "hash mismatch");
                raw_exec(f->t->db, "DELETE FROM audit_log; INSERT INTO audit_log SELECT * FROM audit_backup");
                st = verify(f->s);
                assert_false(st.broken);
        }
}

static void test_tamper_rehashed_entry_breaks_next_link(void **state) {
        struct fx *f = *state;
        struct error err = {0};
        append_n(f->s, 1, 5);
        /* a careful attacker edits entry 3 and recomputes its hash */
        struct store_audit_filter filt = {.after_seq = 2, .limit = 1};
        struct store_audit_entry *list;
        size_t n;
        assert_int_equal(store_audit_list(f->s, &filt, &list, &n, &err), 0);
        assert_int_equal(n, 1);
        free(list[0].details);
        list[0].details = str_dup("{\"n\":3,\"forged\":true}");
        char h[65];
        assert_int_equal(audit_entry_compute_hash(&list[0], h, &err), 0);
        char *sql = str_printf("UPDATE audit_log SET details = '%s', hash = '%s' WHERE seq = 3", list[0].details, h);
        raw_exec(f->t->db, sql);
        free(sql);
        store_audit_list_free(list, n);
        struct audit_verify_state st = verify(f->s);
        assert_broken_at(st, 4, "entry 4: prev_hash does not match the hash of entry 3");
}

static void test_tamper_delete_middle(void **state) {
        struct fx *f = *state;
        append_n(f->s, 1, 5);
        raw_exec(f->t->db, "DELETE FROM audit_log WHERE seq = 3");
        struct audit_verify_state st = verify(f->s);
        assert_broken_at(st, 3, "entry 3 missing (expected seq 3, found 4)");
        assert_int_equal(st.checked, 2);
}

static void test_tamper_delete_first(void **state) {
        struct fx *f = *state;
        append_n(f->s, 1, 3);
        raw_exec(f->t->db, "DELETE FROM audit_log WHERE seq = 1");
        struct audit_verify_state st = verify(f->s);
        assert_broken_at(st, 1, "entry 1 missing (expected seq 1, found 2)");
}

static void test_tamper_swap_rows(void **state) {
        struct fx *f = *state;
        append_n(f->s, 1, 5);
        /* swap the contents of 2 and 4, keeping the seq numbers */
        raw_exec(f->t->db,
                 "CREATE TABLE tmp AS SELECT * FROM audit_log WHERE seq IN (2, 4);"
                 "UPDATE audit_log SET (time, actor_name, actor_role, action, object, details, prev_hash, hash) = "
                 "(SELECT time, actor_name, actor_role, action, object, details, prev_hash, hash FROM tmp "
                 " WHERE tmp.seq = 6 - audit_log.seq) WHERE seq IN (2, 4);"
                 "DROP TABLE tmp;");
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM audit_log"), 5);
        struct audit_verify_state st = verify(f->s);
        assert_broken_at(st, 2, "entry 2: prev_hash does not match the hash of entry 1");
}

static void test_tamper_genesis_and_bad_json(void **state) {
        struct fx *f = *state;
        append_n(f->s, 1, 3);
        raw_exec(f->t->db, "UPDATE audit_log SET details = '{not json' WHERE seq = 2");
        struct audit_verify_state st = verify(f->s);
        assert_broken_at(st, 2, "entry 2: details are not valid JSON");
        raw_exec(f->t->db, "UPDATE audit_log SET prev_hash = '1' || substr(prev_hash, 2) WHERE seq = 1");
        st = verify(f->s);
        assert_broken_at(st, 1, "entry 1: prev_hash is not the genesis hash");
}

static void test_verify_pages_beyond_1000(void **state) {
        struct fx *f = *state;
        struct error err = {0};
        assert_int_equal(store_tx_begin(f->s, &err), 0);
        for (int i = 0; i < 1005; i++)
                assert_int_equal(audit_append(f->s, &alice, "x.y", "o", NULL, &err), 0);
        assert_int_equal(store_tx_commit(f->s, &err), 0);
        struct audit_verify_state st = verify(f->s);
        assert_false(st.broken);
        assert_int_equal(st.checked, 1005);
        raw_exec(f->t->db, "UPDATE audit_log SET object = 'p' WHERE seq = 1003");
        st = verify(f->s);
        assert_broken_at(st, 1003, "entry 1003: hash mismatch");
        assert_int_equal(st.checked, 1002);
}

static void test_list_filters(void **state) {
        struct fx *f = *state;
        struct error err = {0};
        const struct audit_actor bob = {.name = "bob", .role = "release-manager"};
        assert_int_equal(store_tx_begin(f->s, &err), 0);
        assert_int_equal(audit_append(f->s, &alice, "token.create", "token:bob", NULL, &err), 0);
        assert_int_equal(audit_append(f->s, &bob, "product.create", "product:1", NULL, &err), 0);
        assert_int_equal(audit_append(f->s, &bob, "product.update", "product:1", NULL, &err), 0);
        assert_int_equal(audit_append(f->s, &alice, "product.update", "product:1", NULL, &err), 0);
        assert_int_equal(store_tx_commit(f->s, &err), 0);
        raw_exec(f->t->db, "UPDATE audit_log SET time = seq * 100"); /* fixed times for the range filter */

        struct store_audit_entry *list;
        size_t n;
        struct store_audit_filter byobj = {.object = "product:1", .limit = 10};
        assert_int_equal(store_audit_list(f->s, &byobj, &list, &n, &err), 0);
        assert_int_equal(n, 3);
        assert_int_equal(list[0].seq, 2);
        store_audit_list_free(list, n);

        struct store_audit_filter both = {.object = "product:1", .actor = "bob", .limit = 10};
        assert_int_equal(store_audit_list(f->s, &both, &list, &n, &err), 0);
        assert_int_equal(n, 2);
        store_audit_list_free(list, n);

        struct store_audit_filter page = {.after_seq = 1, .limit = 2};
        assert_int_equal(store_audit_list(f->s, &page, &list, &n, &err), 0);
        assert_int_equal(n, 2);
        assert_int_equal(list[0].seq, 2);
        assert_int_equal(list[1].seq, 3);
        store_audit_list_free(list, n);

        struct store_audit_filter range = {.since = 200, .until = 300, .limit = 10};
        assert_int_equal(store_audit_list(f->s, &range, &list, &n, &err), 0);
        assert_int_equal(n, 2);
        assert_int_equal(list[0].seq, 2);
        assert_int_equal(list[1].seq, 3);
        store_audit_list_free(list, n);

        struct store_audit_filter injection = {.actor = "x' OR '1'='1", .limit = 10};
        assert_int_equal(store_audit_list(f->s, &injection, &list, &n, &err), 0);
        assert_int_equal(n, 0);
        store_audit_list_free(list, n);

        struct store_audit_filter bad = {.limit = 0};
        assert_int_equal(store_audit_list(f->s, &bad, &list, &n, &err), -1);
        assert_error(err, ERROR_INVALID, "limit");
        bad.limit = 1001;
        assert_int_equal(store_audit_list(f->s, &bad, &list, &n, &err), -1);
        assert_int_equal(err.kind, ERROR_INVALID);
}

/* What the CLI does: verify the chain from API JSON. */
static void test_json_round_trip_verifies(void **state) {
        struct fx *f = *state;
        struct error err = {0};
        append_n(f->s, 1, 4);
        struct store_audit_filter filt = {.limit = 100};
        struct store_audit_entry *list;
        size_t n;
        assert_int_equal(store_audit_list(f->s, &filt, &list, &n, &err), 0);
        struct audit_verify_state st;
        audit_verify_init(&st);
        for (size_t i = 0; i < n; i++) {
                json_t *j = audit_entry_to_json(&list[i]);
                assert_non_null(j);
                assert_true(json_is_object(json_object_get(j, "details")));
                assert_string_equal(json_string_value(json_object_get(j, "object")), list[i].object);
                const char *when = json_string_value(json_object_get(j, "time"));
                assert_non_null(when);
                assert_int_equal(strlen(when), 20);
                /* over the wire and back */
                char *text = json_dumps(j, JSON_INDENT(2));
                json_decref(j);
                j = json_loads(text, 0, NULL);
                free(text);
                struct store_audit_entry back;
                assert_int_equal(audit_entry_from_json(j, &back, &err), 0);
                assert_int_equal(back.seq, list[i].seq);
                assert_int_equal(back.time, list[i].time);
                assert_true(audit_verify_next(&st, &back));
                store_audit_entry_clear(&back);
                /* a field changed in transit is caught */
                json_object_set_new(json_object_get(j, "details"), "n", json_integer(1000));
                assert_int_equal(audit_entry_from_json(j, &back, &err), 0);
                struct audit_verify_state copy = st;
                copy.last_seq--;
                memcpy(copy.prev_hash, back.prev_hash, 65);
                assert_false(audit_verify_next(&copy, &back));
                assert_non_null(strstr(copy.reason, "hash mismatch"));
                store_audit_entry_clear(&back);
                json_decref(j);
        }
        assert_int_equal(st.checked, 4);
        store_audit_list_free(list, n);

        /* malformed entries are refused with the field named */
        json_t *bad = json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:{}, s:s, s:s}", "seq", 1, "time", "yesterday",
                                "actor_name", "a", "actor_role", "r", "action", "x", "object", "o", "details",
                                "prev_hash", AUDIT_GENESIS_HASH, "hash", AUDIT_GENESIS_HASH);
        struct store_audit_entry e;
        assert_int_equal(audit_entry_from_json(bad, &e, &err), -1);
        assert_error(err, ERROR_INVALID, "time");
        json_object_set_new(bad, "time", json_string("2026-01-01T00:00:00Z"));
        json_object_set_new(bad, "hash", json_string("xyz"));
        assert_int_equal(audit_entry_from_json(bad, &e, &err), -1);
        assert_error(err, ERROR_INVALID, "hash");
        json_object_set_new(bad, "hash", json_string(AUDIT_GENESIS_HASH));
        json_object_set_new(bad, "extra", json_true());
        assert_int_equal(audit_entry_from_json(bad, &e, &err), -1);
        assert_error(err, ERROR_INVALID, "extra");
        json_decref(bad);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_append_and_verify, setup, teardown),
                cmocka_unit_test_setup_teardown(test_append_needs_transaction, setup, teardown),
                cmocka_unit_test_setup_teardown(test_hash_is_sha256_of_canonical_json, setup, teardown),
                cmocka_unit_test_setup_teardown(test_tamper_update_details, setup, teardown),
                cmocka_unit_test_setup_teardown(test_tamper_update_other_fields, setup, teardown),
                cmocka_unit_test_setup_teardown(test_tamper_rehashed_entry_breaks_next_link, setup, teardown),
                cmocka_unit_test_setup_teardown(test_tamper_delete_middle, setup, teardown),
                cmocka_unit_test_setup_teardown(test_tamper_delete_first, setup, teardown),
                cmocka_unit_test_setup_teardown(test_tamper_swap_rows, setup, teardown),
                cmocka_unit_test_setup_teardown(test_tamper_genesis_and_bad_json, setup, teardown),
                cmocka_unit_test_setup_teardown(test_verify_pages_beyond_1000, setup, teardown),
                cmocka_unit_test_setup_teardown(test_list_filters, setup, teardown),
                cmocka_unit_test_setup_teardown(test_json_round_trip_verifies, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Signed audit checkpoints (audit/checkpoint.h): when they are made, the
 * signed bytes, and each way a checkpoint or the chain behind it can differ,
 * one difference at a time: a forged checkpoint (another key), an altered one
 * (seq or hash), one of another deployment, a truncation behind it, a rewrite
 * of an entry before it; and the checkpoint file parser's refusals.
 */
#include "testutil-store.h"

#include "audit/audit.h"
#include "audit/checkpoint.h"
#include "core/json.h"
#include "core/time.h"
#include "crypto/key.h"
#include "keys/keys.h"
#include "store/store-audit-checkpoint.h"

struct fx {
        struct tdir *t;
        struct store *s;
        struct crypto_key *a, *b;
        char fp_a[65], fp_b[65];
        struct keys_new reg_a, reg_b; /* their key registry entries */
};

static const struct audit_actor alice = {.name = "alice", .role = "admin"};
static const struct audit_checkpoint_policy every_time = {.every = 1, .interval = 1};

static struct crypto_key *make_key(struct tdir *t, const char *name, char fp[65]) {
        _cleanup_free_ char *path = tdir_path(t, name);
        struct error err = {0};
        struct crypto_key *k = NULL;
        if (crypto_key_generate_file(path, CRYPTO_KEY_EC_P256, &err) < 0 || crypto_key_load(path, &k, &err) < 0)
                fail_msg("%s", err.msg);
        assert_int_equal(audit_checkpoint_key_fingerprint(crypto_key_pubkey(k), fp, &err), 0);
        return k;
}

static struct keys_new reg_of(struct crypto_key *k) {
        return (struct keys_new) {.class = "audit-checkpoint", .purpose = "test", .pubkey = crypto_key_pubkey(k),
                                  .storage = "file", .ref = crypto_key_ref(k)};
}

/* Registered ahead (the checkpoint would register it otherwise): the log starts with it. */
static int64_t register_key(struct store *s, struct crypto_key *k) {
        const struct keys_new n = reg_of(k);
        int64_t id = 0;
        struct error err = {0};
        if (keys_register(s, &n, "test", &id, &err) < 0)
                fail_msg("keys_register: %s", err.msg);
        return id;
}

static int setup(void **state) {
        struct fx *f = calloc(1, sizeof(*f));
        f->t = tdir_new();
        struct error err = {0};
        if (store_open(f->t->db, &f->s, &err) < 0)
                fail_msg("%s", err.msg);
        f->a = make_key(f->t, "a.key", f->fp_a);
        f->b = make_key(f->t, "b.key", f->fp_b);
        register_key(f->s, f->a);
        register_key(f->s, f->b);
        f->reg_a = reg_of(f->a);
        f->reg_b = reg_of(f->b);
        *state = f;
        return 0;
}

static int teardown(void **state) {
        struct fx *f = *state;
        crypto_key_free(f->a);
        crypto_key_free(f->b);
        store_close(f->s);
        tdir_free(f->t);
        free(f);
        return 0;
}

static void append_n(struct store *s, int n) {
        struct error err = {0};
        for (int i = 0; i < n; i++) {
                json_t *details = json_pack("{s:i}", "n", i);
                assert_int_equal(store_tx_begin(s, &err), 0);
                if (audit_append(s, &alice, "product.create", "product:1", details, &err) < 0)
                        fail_msg("audit_append: %s", err.msg);
                assert_int_equal(store_tx_commit(s, &err), 0);
                json_decref(details);
        }
}

/* Makes a checkpoint now (policy every_time) and returns it. */
static struct store_audit_checkpoint checkpoint_with(struct store *s, struct crypto_key *k, const struct keys_new *reg,
                                                     int64_t now) {
        struct store_audit_checkpoint cp;
        bool made = false;
        struct error err = {0};
        if (audit_checkpoint_run(s, k, reg, &every_time, now, &cp, &made, &err) < 0)
                fail_msg("audit_checkpoint_run: %s", err.msg);
        assert_true(made);
        return cp;
}

struct walk {
        struct audit_verify_state chain;
        struct audit_checkpoint_check check;
        bool cp_ok;
};

/* What `cradle audit verify --checkpoint` does, over the store. */
static struct walk walk(struct store *s, const struct store_audit_checkpoint *cps, size_t n) {
        struct walk w;
        struct error err = {0};
        audit_verify_init(&w.chain);
        audit_checkpoint_check_init(&w.check, cps, n);
        struct store_audit_filter filt = {.limit = 1000};
        struct store_audit_entry *list;
        size_t len;
        assert_int_equal(store_audit_list(s, &filt, &list, &len, &err), 0);
        for (size_t i = 0; i < len; i++) {
                if (!audit_verify_next(&w.chain, &list[i]))
                        break;
                audit_checkpoint_check_entry(&w.check, &list[i]);
        }
        store_audit_list_free(list, len);
        w.cp_ok = audit_checkpoint_check_end(&w.check, w.chain.last_seq, w.chain.broken);
        return w;
}

#define assert_reason(w, seq, substr)                                                              \
        do {                                                                                       \
                assert_false((w).cp_ok);                                                           \
                if ((w).check.bad_seq != (seq))                                                    \
                        fail_msg("bad_seq %lld, expected %d (%s)", (long long) (w).check.bad_seq, (seq), \
                                 (w).check.reason);                                                \
                if (!strstr((w).check.reason, (substr)))                                           \
                        fail_msg("reason '%s' lacks '%s'", (w).check.reason, (substr));            \
        } while (0)

/* ---- when checkpoints are made -------------------------------------------------------- */

static void test_run_empty_log(void **state) {
        struct fx *f = *state;
        /* Another store, with nothing in its log: no checkpoint. */
        struct tdir *t2 = tdir_new();
        struct store *s2 = NULL;
        struct error err = {0};
        assert_int_equal(store_open(t2->db, &s2, &err), 0);
        struct store_audit_checkpoint cp;
        bool made = true;
        assert_int_equal(audit_checkpoint_run(s2, f->a, &f->reg_a, &every_time, 1800000000, &cp, &made, &err), 0);
        assert_false(made);
        store_close(s2);
        tdir_free(t2);
}

/* The fixture's log starts with the two keys' registrations (seq 1, 2). */
static void test_run_policy(void **state) {
        struct fx *f = *state;
        struct audit_checkpoint_policy p = {.every = 5, .interval = 900};
        struct store_audit_checkpoint cp;
        bool made;
        struct error err = {0};
        int64_t t0 = 1800000000;

        /* The first one counts from entry 1: two entries just made are not enough. */
        assert_int_equal(audit_checkpoint_run(f->s, f->a, &f->reg_a, &p, time_now(), &cp, &made, &err), 0);
        assert_false(made);
        /* An interval after entry 1 it comes; it covers its own entry, the key's use. */
        assert_int_equal(audit_checkpoint_run(f->s, f->a, &f->reg_a, &p, t0, &cp, &made, &err), 0);
        assert_true(made);
        assert_int_equal(cp.seq, 3);
        assert_string_equal(cp.key, f->fp_a);
        store_audit_checkpoint_clear(&cp);
        char sql[320];
        snprintf(sql, sizeof(sql), "SELECT count(*) FROM audit_log WHERE seq = 3 AND action = 'key.use' "
                                   "AND object = (SELECT 'key:' || id FROM keys WHERE fingerprint = '%s')", f->fp_a);
        assert_int_equal(raw_int(f->t->db, sql), 1);
        /* An idle log gets no more, however long it waits. */
        assert_int_equal(audit_checkpoint_run(f->s, f->a, &f->reg_a, &p, t0 + 86400, &cp, &made, &err), 0);
        assert_false(made);
        /* Fewer than `every` new entries before `interval`: not yet. */
        append_n(f->s, 4);
        assert_int_equal(audit_checkpoint_run(f->s, f->a, &f->reg_a, &p, t0 + 899, &cp, &made, &err), 0);
        assert_false(made);
        /* The interval passes. */
        assert_int_equal(audit_checkpoint_run(f->s, f->a, &f->reg_a, &p, t0 + 900, &cp, &made, &err), 0);
        assert_true(made);
        assert_int_equal(cp.seq, 8);
        store_audit_checkpoint_clear(&cp);
        /* `every` entries, long before the interval. */
        append_n(f->s, 4);
        assert_int_equal(audit_checkpoint_run(f->s, f->a, &f->reg_a, &p, t0 + 901, &cp, &made, &err), 0);
        assert_false(made);
        append_n(f->s, 1);
        assert_int_equal(audit_checkpoint_run(f->s, f->a, &f->reg_a, &p, t0 + 901, &cp, &made, &err), 0);
        assert_true(made);
        assert_int_equal(cp.seq, 14);
        store_audit_checkpoint_clear(&cp);
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM audit_checkpoints"), 3);
        /* The key registry counted the uses. */
        assert_int_equal(raw_int(f->t->db, "SELECT sum(count) FROM key_usage WHERE what = 'audit checkpoint'"), 3);
        /* The chain with its checkpoint entries still verifies. */
        struct walk w = walk(f->s, NULL, 0);
        assert_false(w.chain.broken);
        assert_int_equal(w.chain.last_seq, 14);
}

/* ---- the signed bytes are what docs/security.md says ---------------------------------- */

static void test_signed_bytes(void **state) {
        (void) state;
        struct store_audit_checkpoint cp = {.seq = 42, .time = 1800000000};
        memset(cp.hash, 'a', 64);
        memset(cp.chain, 'b', 64);
        memset(cp.key, 'c', 64);
        char buf[AUDIT_CHECKPOINT_SIGNED_MAX];
        int n = audit_checkpoint_signed_bytes(&cp, buf);
        char want[512];
        snprintf(want, sizeof(want),
                 "{\"chain\":\"%.64s\",\"format\":\"cradle-audit-checkpoint/1\",\"hash\":\"%.64s\",\"key\":\"%.64s\","
                 "\"seq\":42,\"time\":\"2027-01-15T08:00:00Z\"}", cp.chain, cp.hash, cp.key);
        assert_int_equal(n, (int) strlen(want));
        assert_string_equal(buf, want);
        /* It is the canonical JSON of those fields. */
        json_t *j = json_loads(buf, 0, NULL);
        assert_non_null(j);
        size_t len;
        struct error err = {0};
        char *canon = cr_json_canonical(j, &len, &err);
        assert_string_equal(canon, buf);
        free(canon);
        json_decref(j);
        /* A malformed field makes no bytes to sign. */
        cp.hash[3] = 'G';
        assert_int_equal(audit_checkpoint_signed_bytes(&cp, buf), -1);
}

/* ---- the signature ------------------------------------------------------------------- */

static void test_verify_ok(void **state) {
        struct fx *f = *state;
        append_n(f->s, 3);
        struct store_audit_checkpoint cp = checkpoint_with(f->s, f->a, &f->reg_a, 1800000000);
        struct error err = {0};
        assert_int_equal(audit_checkpoint_verify(&cp, f->fp_a, &err), 0);
        struct walk w = walk(f->s, &cp, 1);
        assert_true(w.cp_ok);
        assert_int_equal(w.check.matched, 1);
        /* Entries after the checkpoint are fine. */
        append_n(f->s, 2);
        w = walk(f->s, &cp, 1);
        assert_true(w.cp_ok);
        assert_false(w.chain.broken);
        store_audit_checkpoint_clear(&cp);
}

static void test_forged_other_key(void **state) {
        struct fx *f = *state;
        append_n(f->s, 3);
        /* Signed by key B over the right seq and hash: B is not the pinned key. */
        struct store_audit_checkpoint cp = checkpoint_with(f->s, f->b, &f->reg_b, 1800000000);
        struct error err = {0};
        assert_int_equal(audit_checkpoint_verify(&cp, f->fp_b, &err), 0);
        assert_int_equal(audit_checkpoint_verify(&cp, f->fp_a, &err), -1);
        assert_error(err, ERROR_UNAUTHENTICATED, "not by the pinned audit checkpoint key");
        /* B's signature presented as A's (A's key and fingerprint put in): it does not verify. */
        append_n(f->s, 1);
        struct store_audit_checkpoint honest = checkpoint_with(f->s, f->a, &f->reg_a, 1800000001);
        memcpy(cp.key, honest.key, 65);
        free(cp.public_key);
        cp.public_key = str_dup(honest.public_key);
        err = (struct error) {0};
        assert_int_equal(audit_checkpoint_verify(&cp, f->fp_a, &err), -1);
        assert_error(err, ERROR_UNAUTHENTICATED, "signature does not verify");
        /* A's key with B's fingerprint claimed. */
        memcpy(honest.key, f->fp_b, 65);
        err = (struct error) {0};
        assert_int_equal(audit_checkpoint_verify(&honest, f->fp_b, &err), -1);
        assert_error(err, ERROR_UNAUTHENTICATED, "does not have the fingerprint");
        store_audit_checkpoint_clear(&cp);
        store_audit_checkpoint_clear(&honest);
}

static void test_altered_seq(void **state) {
        struct fx *f = *state;
        append_n(f->s, 3);
        struct store_audit_checkpoint cp = checkpoint_with(f->s, f->a, &f->reg_a, 1800000000);
        cp.seq -= 1;
        struct error err = {0};
        assert_int_equal(audit_checkpoint_verify(&cp, f->fp_a, &err), -1);
        assert_error(err, ERROR_UNAUTHENTICATED, "signature does not verify");
        store_audit_checkpoint_clear(&cp);
}

static void test_altered_hash(void **state) {
        struct fx *f = *state;
        append_n(f->s, 3);
        struct store_audit_checkpoint cp = checkpoint_with(f->s, f->a, &f->reg_a, 1800000000);
        cp.hash[0] = cp.hash[0] == '0' ? '1' : '0';
        struct error err = {0};
        assert_int_equal(audit_checkpoint_verify(&cp, f->fp_a, &err), -1);
        assert_error(err, ERROR_UNAUTHENTICATED, "signature does not verify");
        store_audit_checkpoint_clear(&cp);
}

static void test_altered_time(void **state) {
        struct fx *f = *state;
        append_n(f->s, 3);
        struct store_audit_checkpoint cp = checkpoint_with(f->s, f->a, &f->reg_a, 1800000000);
        cp.time += 1;
        struct error err = {0};
        assert_int_equal(audit_checkpoint_verify(&cp, f->fp_a, &err), -1);
        assert_error(err, ERROR_UNAUTHENTICATED, "signature does not verify");
        store_audit_checkpoint_clear(&cp);
}

/* ---- the chain behind a checkpoint --------------------------------------------------- */

static void test_truncation_behind(void **state) {
        struct fx *f = *state;
        append_n(f->s, 3);
        struct store_audit_checkpoint cp = checkpoint_with(f->s, f->a, &f->reg_a, 1800000000);
        assert_int_equal(cp.seq, 6);
        /* The attacker removes the newest entries, the checkpoint's included: the chain is whole. */
        raw_exec(f->t->db, "DELETE FROM audit_log WHERE seq >= 5");
        struct walk w = walk(f->s, &cp, 1);
        assert_false(w.chain.broken);
        assert_int_equal(w.chain.last_seq, 4);
        assert_reason(w, 6, "entries 5..6 were removed");
        /* Removing only the checkpoint's own entry is a truncation too. */
        audit_checkpoint_check_init(&w.check, &cp, 1);
        assert_false(audit_checkpoint_check_end(&w.check, 5, false));
        store_audit_checkpoint_clear(&cp);
}

static void test_truncation_everything(void **state) {
        struct fx *f = *state;
        append_n(f->s, 2);
        struct store_audit_checkpoint cp = checkpoint_with(f->s, f->a, &f->reg_a, 1800000000);
        raw_exec(f->t->db, "DELETE FROM audit_log");
        struct walk w = walk(f->s, &cp, 1);
        assert_reason(w, 5, "the log is empty");
        store_audit_checkpoint_clear(&cp);
}

/* Rewrites entry `seq`'s details and recomputes every hash from there on:
 * a chain that verifies on its own. */
static void rewrite_from(struct fx *f, int64_t seq, const char *details) {
        struct error err = {0};
        struct store_audit_filter filt = {.limit = 1000};
        struct store_audit_entry *list;
        size_t n;
        assert_int_equal(store_audit_list(f->s, &filt, &list, &n, &err), 0);
        sqlite3 *h = NULL;
        assert_int_equal(sqlite3_open_v2(f->t->db, &h, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
        sqlite3_busy_timeout(h, 5000);
        char prev[65] = "";
        for (size_t i = 0; i < n; i++) {
                if (list[i].seq < seq) {
                        memcpy(prev, list[i].hash, 65);
                        continue;
                }
                if (list[i].seq == seq) {
                        free(list[i].details);
                        list[i].details = str_dup(details);
                }
                memcpy(list[i].prev_hash, prev, 65);
                assert_int_equal(audit_entry_compute_hash(&list[i], list[i].hash, &err), 0);
                memcpy(prev, list[i].hash, 65);
                sqlite3_stmt *st = NULL;
                assert_int_equal(sqlite3_prepare_v2(h, "UPDATE audit_log SET details = ?1, prev_hash = ?2, hash = ?3 "
                                                       "WHERE seq = ?4", -1, &st, NULL), SQLITE_OK);
                sqlite3_bind_text(st, 1, list[i].details, -1, SQLITE_TRANSIENT);
                sqlite3_bind_text(st, 2, list[i].prev_hash, -1, SQLITE_TRANSIENT);
                sqlite3_bind_text(st, 3, list[i].hash, -1, SQLITE_TRANSIENT);
                sqlite3_bind_int64(st, 4, list[i].seq);
                assert_int_equal(sqlite3_step(st), SQLITE_DONE);
                sqlite3_finalize(st);
        }
        sqlite3_close(h);
        store_audit_list_free(list, n);
}

static void test_rewrite_before(void **state) {
        struct fx *f = *state;
        append_n(f->s, 3);
        struct store_audit_checkpoint cp = checkpoint_with(f->s, f->a, &f->reg_a, 1800000000); /* seq 6 */
        append_n(f->s, 2);
        rewrite_from(f, 4, "{\"n\":99}");
        struct walk w = walk(f->s, &cp, 1);
        assert_false(w.chain.broken); /* the chain alone does not show it */
        assert_reason(w, 6, "rewritten at or before entry 6");
        store_audit_checkpoint_clear(&cp);
}

static void test_rewrite_after_is_the_chains(void **state) {
        struct fx *f = *state;
        append_n(f->s, 3);
        struct store_audit_checkpoint cp = checkpoint_with(f->s, f->a, &f->reg_a, 1800000000); /* seq 6 */
        append_n(f->s, 3);
        /* A rewrite after the checkpoint that recomputes hashes fits it: nothing signed covers it. */
        rewrite_from(f, 8, "{\"n\":99}");
        struct walk w = walk(f->s, &cp, 1);
        assert_true(w.cp_ok);
        assert_false(w.chain.broken);
        /* One that does not recompute breaks the chain, which says so. */
        raw_exec(f->t->db, "UPDATE audit_log SET details = '{\"n\":7}' WHERE seq = 8");
        w = walk(f->s, &cp, 1);
        assert_true(w.chain.broken);
        assert_int_equal(w.chain.bad_seq, 8);
        assert_true(w.cp_ok);
        assert_int_equal(w.check.matched, 1);
        store_audit_checkpoint_clear(&cp);
}

static void test_other_deployment(void **state) {
        struct fx *f = *state;
        append_n(f->s, 3);
        /* Another deployment with the same key (a shared HSM key) and as many entries. */
        struct tdir *t2 = tdir_new();
        struct store *s2 = NULL;
        struct error err = {0};
        assert_int_equal(store_open(t2->db, &s2, &err), 0);
        /* Its history differs from the start (entry 1 registers key B there); a
         * deployment whose first entry were byte-identical (the same content
         * in the same second) would share the chain id, and the hash at the
         * checkpoint's seq would still tell the two apart. */
        register_key(s2, f->b);
        register_key(s2, f->a);
        append_n(s2, 2);
        struct store_audit_checkpoint other = checkpoint_with(s2, f->a, &f->reg_a, 1800000000);
        assert_int_equal(other.seq, 5);
        store_close(s2);
        tdir_free(t2);
        assert_int_equal(audit_checkpoint_verify(&other, f->fp_a, &err), 0);
        struct walk w = walk(f->s, &other, 1);
        assert_reason(w, 5, "another deployment");
        store_audit_checkpoint_clear(&other);
}

static void test_several_first_difference(void **state) {
        struct fx *f = *state;
        append_n(f->s, 2);
        struct store_audit_checkpoint cps[2];
        cps[0] = checkpoint_with(f->s, f->a, &f->reg_a, 1800000000); /* 5 */
        append_n(f->s, 2);
        cps[1] = checkpoint_with(f->s, f->a, &f->reg_a, 1800000100); /* 8 */
        struct walk w = walk(f->s, cps, 2);
        assert_true(w.cp_ok);
        assert_int_equal(w.check.matched, 2);
        raw_exec(f->t->db, "DELETE FROM audit_log WHERE seq >= 7");
        w = walk(f->s, cps, 2);
        assert_int_equal(w.check.matched, 1);
        assert_reason(w, 8, "entries 7..8 were removed");
        store_audit_checkpoint_clear(&cps[0]);
        store_audit_checkpoint_clear(&cps[1]);
}

/* ---- the checkpoint file --------------------------------------------------------------- */

static char *line_of(const struct store_audit_checkpoint *cp) {
        json_t *j = audit_checkpoint_to_json(cp);
        char *s = json_dumps(j, JSON_COMPACT);
        json_decref(j);
        return s;
}

static void test_file_round_trip(void **state) {
        struct fx *f = *state;
        append_n(f->s, 2);
        struct store_audit_checkpoint a = checkpoint_with(f->s, f->a, &f->reg_a, 1800000000);
        append_n(f->s, 1);
        struct store_audit_checkpoint b = checkpoint_with(f->s, f->a, &f->reg_a, 1800000100);
        _cleanup_free_ char *la = line_of(&a), *lb = line_of(&b);
        /* Out of order, with blank lines and CRLF: sorted, all kept. */
        _cleanup_free_ char *text = str_printf("\n%s\r\n   \n%s\n", lb, la);
        struct store_audit_checkpoint *list;
        size_t n;
        struct error err = {0};
        assert_int_equal(audit_checkpoint_file_parse(text, strlen(text), &list, &n, &err), 0);
        assert_int_equal(n, 2);
        assert_int_equal(list[0].seq, a.seq);
        assert_int_equal(list[1].seq, b.seq);
        assert_int_equal(audit_checkpoint_verify(&list[0], f->fp_a, &err), 0);
        assert_int_equal(audit_checkpoint_verify(&list[1], f->fp_a, &err), 0);
        store_audit_checkpoint_list_free(list, n);
        store_audit_checkpoint_clear(&a);
        store_audit_checkpoint_clear(&b);
}

/* Parses one line with a field replaced (json fragment) and expects the error. */
static void refuse_line(const struct store_audit_checkpoint *cp, const char *field, json_t *value, const char *substr) {
        json_t *j = audit_checkpoint_to_json(cp);
        if (value)
                json_object_set_new(j, field, value);
        else
                json_object_del(j, field);
        char *line = json_dumps(j, JSON_COMPACT);
        json_decref(j);
        _cleanup_free_ char *text = str_printf("%s\n", line);
        free(line);
        struct store_audit_checkpoint *list = NULL;
        size_t n = 0;
        struct error err = {0};
        assert_int_equal(audit_checkpoint_file_parse(text, strlen(text), &list, &n, &err), -1);
        assert_null(list);
        if (!strstr(err.msg, substr))
                fail_msg("field %s: '%s' lacks '%s'", field, err.msg, substr);
        if (!strstr(err.msg, "line 1"))
                fail_msg("'%s' does not name the line", err.msg);
}

static void test_file_refusals(void **state) {
        struct fx *f = *state;
        append_n(f->s, 1);
        struct store_audit_checkpoint cp = checkpoint_with(f->s, f->a, &f->reg_a, 1800000000);
        refuse_line(&cp, "format", json_string("cradle-audit-checkpoint/2"), "is not cradle-audit-checkpoint/1");
        refuse_line(&cp, "seq", json_integer(0), "not positive");
        refuse_line(&cp, "seq", json_string("2"), "seq");
        refuse_line(&cp, "hash", json_string("ABCDEF"), "hash is not 64");
        char upper[65];
        memcpy(upper, cp.hash, 65);
        for (int i = 0; i < 64; i++)
                if (upper[i] >= 'a' && upper[i] <= 'f')
                        upper[i] = (char) (upper[i] - 'a' + 'A');
        refuse_line(&cp, "hash", json_string(upper), "hash is not 64");
        refuse_line(&cp, "chain", json_string("00"), "chain is not 64");
        refuse_line(&cp, "key", json_null(), "key");
        refuse_line(&cp, "time", json_string("yesterday"), "time");
        refuse_line(&cp, "signature", NULL, "signature");
        refuse_line(&cp, "extra", json_string("x"), "extra");
        refuse_line(&cp, "algorithm", json_pack("{s:s}", "a", "b"), "algorithm");

        struct store_audit_checkpoint *list = NULL;
        size_t n = 0;
        struct error err = {0};
        /* Nothing in it. */
        assert_int_equal(audit_checkpoint_file_parse("\n\n", 2, &list, &n, &err), -1);
        assert_error(err, ERROR_INVALID, "no checkpoint");
        /* Not JSON, on line 2. */
        _cleanup_free_ char *good = line_of(&cp);
        _cleanup_free_ char *bad = str_printf("%s\n{\"seq\":\n", good);
        err = (struct error) {0};
        assert_int_equal(audit_checkpoint_file_parse(bad, strlen(bad), &list, &n, &err), -1);
        assert_error(err, ERROR_INVALID, "line 2");
        /* Not an object. */
        err = (struct error) {0};
        assert_int_equal(audit_checkpoint_file_parse("[1]\n", 4, &list, &n, &err), -1);
        assert_error(err, ERROR_INVALID, "line 1");
        /* Too deep for a checkpoint. */
        err = (struct error) {0};
        const char *deep = "{\"a\":{\"b\":{\"c\":1}}}\n";
        assert_int_equal(audit_checkpoint_file_parse(deep, strlen(deep), &list, &n, &err), -1);
        assert_true(strstr(err.msg, "line 1") != NULL);
        /* A line over the limit. */
        size_t big = AUDIT_CHECKPOINT_LINE_MAX + 10;
        char *huge = malloc(big + 1);
        memset(huge, ' ', big);
        huge[0] = '{';
        huge[big - 1] = '}';
        huge[big] = '\0';
        err = (struct error) {0};
        assert_int_equal(audit_checkpoint_file_parse(huge, big, &list, &n, &err), -1);
        assert_error(err, ERROR_TOO_LARGE, "longer than");
        free(huge);
        /* A file over the limit is refused before it is read through. */
        err = (struct error) {0};
        assert_int_equal(audit_checkpoint_file_parse(good, (size_t) AUDIT_CHECKPOINT_FILE_MAX + 1, &list, &n, &err), -1);
        assert_error(err, ERROR_TOO_LARGE, "over the limit");
        store_audit_checkpoint_clear(&cp);
}

static void test_verify_needs_a_pin(void **state) {
        struct fx *f = *state;
        append_n(f->s, 1);
        struct store_audit_checkpoint cp = checkpoint_with(f->s, f->a, &f->reg_a, 1800000000);
        struct error err = {0};
        assert_int_equal(audit_checkpoint_verify(&cp, NULL, &err), -1);
        assert_error(err, ERROR_INVALID, "pinned");
        /* A public key that is not base64. */
        free(cp.public_key);
        cp.public_key = str_dup("%%%");
        err = (struct error) {0};
        assert_int_equal(audit_checkpoint_verify(&cp, f->fp_a, &err), -1);
        assert_error(err, ERROR_INVALID, "public_key");
        store_audit_checkpoint_clear(&cp);
}

/* The signed bytes are reproducible outside Cradle: the fuzz seed was signed
 * with `openssl dgst -sha256 -sign` over the documented text (SOURCES in
 * tests/fuzz/corpus/fuzz-audit-checkpoint/README). */
static void test_openssl_made_checkpoint(void **state) {
        (void) state;
        const char *root = getenv("CRADLE_SOURCE_ROOT");
        if (!root)
                skip();
        _cleanup_free_ char *path = str_printf("%s/tests/fuzz/corpus/fuzz-audit-checkpoint/two-lines.jsonl", root);
        size_t len;
        _cleanup_free_ unsigned char *text = read_file_bytes(path, &len);
        assert_non_null(text);
        struct store_audit_checkpoint *list;
        size_t n;
        struct error err = {0};
        assert_int_equal(audit_checkpoint_file_parse((const char *) text, len, &list, &n, &err), 0);
        assert_int_equal(n, 2);
        const char *fp = "dbd1284081218310cc8d138cd81ce91a4a8e0c972e3caa463cc17c1bf807c714";
        for (size_t i = 0; i < n; i++)
                if (audit_checkpoint_verify(&list[i], fp, &err) < 0)
                        fail_msg("%s", err.msg);
        store_audit_checkpoint_list_free(list, n);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_run_empty_log, setup, teardown),
                cmocka_unit_test_setup_teardown(test_run_policy, setup, teardown),
                cmocka_unit_test(test_signed_bytes),
                cmocka_unit_test_setup_teardown(test_verify_ok, setup, teardown),
                cmocka_unit_test_setup_teardown(test_forged_other_key, setup, teardown),
                cmocka_unit_test_setup_teardown(test_altered_seq, setup, teardown),
                cmocka_unit_test_setup_teardown(test_altered_hash, setup, teardown),
                cmocka_unit_test_setup_teardown(test_altered_time, setup, teardown),
                cmocka_unit_test_setup_teardown(test_truncation_behind, setup, teardown),
                cmocka_unit_test_setup_teardown(test_truncation_everything, setup, teardown),
                cmocka_unit_test_setup_teardown(test_rewrite_before, setup, teardown),
                cmocka_unit_test_setup_teardown(test_rewrite_after_is_the_chains, setup, teardown),
                cmocka_unit_test_setup_teardown(test_other_deployment, setup, teardown),
                cmocka_unit_test_setup_teardown(test_several_first_difference, setup, teardown),
                cmocka_unit_test_setup_teardown(test_file_round_trip, setup, teardown),
                cmocka_unit_test_setup_teardown(test_file_refusals, setup, teardown),
                cmocka_unit_test_setup_teardown(test_verify_needs_a_pin, setup, teardown),
                cmocka_unit_test(test_openssl_made_checkpoint),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

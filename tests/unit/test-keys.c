/* SPDX-License-Identifier: Apache-2.0 */
/* The key registry (issue 11 section 2): every rule has a test that fails without it. */
#include "testutil-store.h"

#include <ctype.h>
#include <gnutls/abstract.h>

#include "auth/user.h"
#include "core/time.h"
#include "crypto/hash.h"
#include "crypto/key.h"
#include "keys/keys.h"
#include "tuf/key.h"
#include "tuf/metadata.h"
#include "tuf/sign.h"

/* An Ed25519 public key and the SHA-256 of its SubjectPublicKeyInfo DER as
 * openssl computes it: openssl pkey -pubin -outform DER | sha256sum. */
static const char ed_pem[] = "-----BEGIN PUBLIC KEY-----\n"
                             "MCowBQYDK2VwAyEAkRdFpWBxr66beJlb03HH6OF+S/B1598sIovR0BmUzUM=\n"
                             "-----END PUBLIC KEY-----\n";
static const char ed_fp[] = "72a906234647c775b8b591f8bd1f11b9aacb11d879b5f73d5be7fe67345882d9";

static const struct audit_actor root = {.name = "root-t", .role = "admin", .user = "root"};

struct fx {
        struct tdir *t;
        struct store *s;
        gnutls_pubkey_t ed;
        struct keys_policy p;
};

static int64_t mkuser(struct fx *f, const char *name, unsigned roles) {
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
        assert_int_equal(gnutls_pubkey_init(&f->ed), 0);
        gnutls_datum_t d = {(unsigned char *) ed_pem, sizeof(ed_pem) - 1};
        assert_int_equal(gnutls_pubkey_import(f->ed, &d, GNUTLS_X509_FMT_PEM), 0);
        keys_policy_init(&f->p);
        mkuser(f, "root", ROLE_AUDITOR); /* not an admin: the default owner is the first admin */
        mkuser(f, "alice", ROLE_ADMIN);
        mkuser(f, "bob", ROLE_SECURITY_OFFICER);
        raw_exec(f->t->db, "INSERT INTO products (name, model, manufacturer_name, manufacturer_address, "
                           "manufacturer_contact, support_start, support_end, created_at, updated_at) VALUES "
                           "('Gate', 'gw-1', 'Acme', 'Street 1', 'psirt@acme.example', '2026-01-01', "
                           "'2031-01-01', 1, 1)");
        *state = f;
        return 0;
}

static int teardown(void **state) {
        struct fx *f = *state;
        gnutls_pubkey_deinit(f->ed);
        store_close(f->s);
        tdir_free(f->t);
        free(f);
        return 0;
}

static int64_t reg(struct fx *f, const char *class, const char *fp) {
        struct error err = {0};
        struct keys_new k = {.class = class, .purpose = "test key", .pubkey = fp ? NULL : f->ed,
                             .fingerprint = fp, .algorithm = fp ? "AES-256" : NULL, .storage = "offline"};
        int64_t id = 0;
        if (keys_register(f->s, &k, "tester", &id, &err) < 0)
                fail_msg("keys_register: %s", err.msg);
        return id;
}

static int64_t count(struct fx *f, const char *sql) {
        return raw_int(f->t->db, sql);
}

static void test_fingerprint_is_spki_sha256(void **state) {
        struct fx *f = *state;
        char fp[65];
        struct error err = {0};
        assert_int_equal(keys_fingerprint_pubkey(f->ed, fp, &err), 0);
        assert_string_equal(fp, ed_fp);
        assert_int_equal(keys_fingerprint_pubkey(NULL, fp, &err), -1);
        assert_int_equal(err.kind, ERROR_INVALID);
}

static void test_register_new_and_idempotent(void **state) {
        struct fx *f = *state;
        int64_t id = reg(f, "firmware-signing", NULL);
        struct store_key k;
        struct error err = {0};
        assert_int_equal(store_keys_get(f->s, id, &k, &err), 0);
        assert_string_equal(k.state, "active");
        assert_string_equal(k.fingerprint, ed_fp);
        assert_string_equal(k.algorithm, "Ed25519");
        assert_string_equal(k.owner_name, "alice"); /* "tester" is nobody: the first admin */
        assert_true(k.activated_at > 0);
        store_key_clear(&k);
        assert_int_equal(count(f, "SELECT count(*) FROM audit_log WHERE action = 'key.register'"), 1);
        /* again: the same id, nothing written */
        assert_int_equal(reg(f, "firmware-signing", NULL), id);
        assert_int_equal(count(f, "SELECT count(*) FROM keys"), 1);
        assert_int_equal(count(f, "SELECT count(*) FROM audit_log WHERE action = 'key.register'"), 1);
        /* the same public key in another class is another entry */
        assert_true(reg(f, "tuf-root", NULL) != id);
        assert_int_equal(audit_verify_store(f->s, &(struct audit_verify_state) {0}, &err), 0);
}

static void test_register_owner_is_actor_user(void **state) {
        struct fx *f = *state;
        struct error err = {0};
        const struct audit_actor bob = {.name = "bob-laptop", .role = "security-officer", .user = "bob"};
        struct keys_new k = {.class = "debug-auth", .purpose = "debug", .pubkey = f->ed, .storage = "file",
                             .ref = "/etc/cradle/debug.pem", .product_id = 1};
        int64_t id = 0;
        assert_int_equal(keys_register_as(f->s, &k, &bob, &id, &err), 0);
        json_t *j = NULL;
        assert_int_equal(keys_show_json(f->s, &f->p, id, &j, &err), 0);
        assert_string_equal(json_string_value(json_object_get(j, "owner")), "bob");
        assert_string_equal(json_string_value(json_array_get(json_object_get(j, "products"), 0)), "gw-1");
        assert_string_equal(json_string_value(json_object_get(j, "ref")), "/etc/cradle/debug.pem");
        json_decref(j);
}

static void test_register_refuses_bad_input(void **state) {
        struct fx *f = *state;
        const struct {
                struct keys_new k;
                const char *msg;
        } cases[] = {
                {{.class = "nope", .purpose = "p", .pubkey = f->ed, .storage = "offline"}, "key class"},
                {{.class = "tls", .purpose = "", .pubkey = f->ed, .storage = "offline"}, "purpose is required"},
                {{.class = "tls", .purpose = "a\nb", .pubkey = f->ed, .storage = "offline"}, "control character"},
                {{.class = "tls", .purpose = "p", .pubkey = f->ed, .storage = "disk"}, "storage"},
                {{.class = "tls", .purpose = "p", .pubkey = f->ed, .storage = "file"}, "file path"},
                {{.class = "tls", .purpose = "p", .pubkey = f->ed, .storage = "offline", .ref = "/x"}, "no reference"},
                {{.class = "tls", .purpose = "p", .pubkey = f->ed, .storage = "pkcs11",
                  .ref = "pkcs11:token=t;object=k?pin-value=1234"}, "PIN"},
                {{.class = "kek", .purpose = "p", .storage = "sealed", .fingerprint = "ab"}, "fingerprint and an algorithm"},
                {{.class = "kek", .purpose = "p", .storage = "sealed", .fingerprint = "AB", .algorithm = "AES"}, "lower-case hex"},
                {{.class = "tls", .purpose = "p", .pubkey = f->ed, .storage = "offline", .expires_at = -1}, "expiry"},
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                struct error err = {0};
                int64_t id = 0;
                assert_int_equal(keys_register(f->s, &cases[i].k, "t", &id, &err), -1);
                assert_int_equal(err.kind, ERROR_INVALID);
                if (!strstr(err.msg, cases[i].msg))
                        fail_msg("case %zu: '%s' lacks '%s'", i, err.msg, cases[i].msg);
        }
        assert_int_equal(count(f, "SELECT count(*) FROM keys"), 0);
}

static void test_register_joins_callers_transaction(void **state) {
        struct fx *f = *state;
        struct error err = {0};
        assert_int_equal(store_tx_begin(f->s, &err), 0);
        reg(f, "device-ca", NULL);
        store_tx_rollback(f->s); /* the CA creation failed: its key is not registered */
        assert_int_equal(count(f, "SELECT count(*) FROM keys"), 0);
        assert_int_equal(count(f, "SELECT count(*) FROM audit_log WHERE action = 'key.register'"), 0);
}

/* Every pair the table does not allow is refused, from a real key in that state. */
static void test_every_refused_transition(void **state) {
        struct fx *f = *state;
        int64_t id = reg(f, "tls", NULL);
        int refused = 0;
        for (size_t i = 0; i < ELEMENTSOF(keys_states); i++)
                for (size_t j = 0; j < ELEMENTSOF(keys_states); j++) {
                        if (keys_transition_allowed(keys_states[i], keys_states[j]))
                                continue;
                        char sql[128];
                        snprintf(sql, sizeof(sql), "UPDATE keys SET state = '%s' WHERE id = %lld", keys_states[i],
                                 (long long) id);
                        raw_exec(f->t->db, sql);
                        struct error err = {0};
                        assert_int_equal(keys_transition(f->s, id, keys_states[j], NULL, &root, &err), -1);
                        assert_int_equal(err.kind, ERROR_CONFLICT);
                        snprintf(sql, sizeof(sql), "SELECT count(*) FROM keys WHERE state = '%s'", keys_states[i]);
                        assert_int_equal(count(f, sql), 1);
                        refused++;
                }
        /* 36 pairs, 11 allowed */
        assert_int_equal(refused, 25);
        assert_int_equal(count(f, "SELECT count(*) FROM audit_log WHERE action = 'key.state'"), 0);
}

static void test_named_refusals(void **state) {
        struct fx *f = *state;
        int64_t id = reg(f, "tls", NULL);
        struct error err = {0};
        assert_false(keys_transition_allowed("retired", "active"));
        assert_false(keys_transition_allowed("compromised", "active"));
        assert_false(keys_transition_allowed("destroyed", "compromised"));
        assert_false(keys_transition_allowed("active", "planned"));
        assert_false(keys_transition_allowed("active", "destroyed")); /* retire first */
        assert_int_equal(keys_transition(f->s, id, "destroyed", NULL, &root, &err), -1);
        assert_string_equal(err.msg, "key 1 is active: it cannot become destroyed");
        assert_int_equal(keys_transition(f->s, id, "frozen", NULL, &root, &err), -1);
        assert_int_equal(err.kind, ERROR_INVALID);
}

static void test_allowed_path_is_audited(void **state) {
        struct fx *f = *state;
        int64_t id = reg(f, "tls", NULL);
        struct error err = {0};
        assert_int_equal(keys_transition(f->s, id, "retiring", "new cert issued", &root, &err), 0);
        assert_int_equal(keys_transition(f->s, id, "retired", NULL, &root, &err), 0);
        assert_int_equal(keys_transition(f->s, id, "destroyed", NULL, &root, &err), 0);
        assert_int_equal(count(f, "SELECT count(*) FROM audit_log WHERE action = 'key.state'"), 3);
        assert_int_equal(count(f, "SELECT count(*) FROM audit_log WHERE action = 'key.state' "
                                  "AND details LIKE '%\"from\":\"active\"%' AND details LIKE '%\"to\":\"retiring\"%'"), 1);
}

static void test_compromised(void **state) {
        struct fx *f = *state;
        struct error err = {0};
        struct keys_new k = {.class = "device-ca", .purpose = "gw CA", .pubkey = f->ed, .storage = "file",
                             .ref = "/var/lib/cradle/ca.pem", .product_id = 1};
        int64_t id = 0;
        assert_int_equal(keys_register(f->s, &k, "t", &id, &err), 0);
        json_t *out = NULL;
        assert_int_equal(keys_compromised(f->s, &f->p, id, "", &root, &out, &err), -1);
        assert_int_equal(err.kind, ERROR_INVALID);
        assert_int_equal(keys_compromised(f->s, &f->p, id, "laptop stolen", &root, &out, &err), 0);
        assert_string_equal(json_string_value(json_object_get(json_object_get(out, "key"), "state")), "compromised");
        assert_string_equal(json_string_value(json_object_get(out, "runbook")),
                            "docs/keys.md#compromised-device-ca-key");
        assert_true(json_array_size(json_object_get(out, "actions")) >= 2);
        assert_non_null(strstr(json_string_value(json_array_get(json_object_get(out, "actions"), 2)), "Re-enroll"));
        json_decref(out);
        assert_int_equal(count(f, "SELECT count(*) FROM security_events WHERE kind = 'key.compromised' "
                                  "AND severity = 'critical' AND details LIKE '%gw-1%'"), 1);
        assert_int_equal(count(f, "SELECT count(*) FROM audit_log WHERE action = 'key.state' "
                                  "AND details LIKE '%laptop stolen%'"), 1);
        /* twice: refused, no second event */
        assert_int_equal(keys_compromised(f->s, &f->p, id, "again", &root, &out, &err), -1);
        assert_int_equal(err.kind, ERROR_CONFLICT);
        assert_int_equal(count(f, "SELECT count(*) FROM security_events WHERE kind = 'key.compromised'"), 1);
        /* every class has a runbook and actions */
        for (size_t i = 0; i < KEYS_CLASS_COUNT; i++) {
                assert_non_null(keys_compromise_actions(keys_classes[i]));
                assert_non_null(keys_compromise_actions(keys_classes[i])[0]);
                assert_string_not_equal(keys_runbook_anchor(keys_classes[i]), "compromise-runbooks");
        }
}

static void test_usage_aggregates_per_day(void **state) {
        struct fx *f = *state;
        int64_t id = reg(f, "director", NULL);
        struct error err = {0};
        for (int i = 0; i < 3; i++)
                assert_int_equal(keys_usage_add(f->s, id, "director.targets", 100, &err), 0);
        assert_int_equal(keys_usage_add(f->s, id, "director.targets", 0, &err), 0);
        assert_int_equal(count(f, "SELECT count(*) FROM key_usage"), 1);
        assert_int_equal(count(f, "SELECT count FROM key_usage"), 300);
        assert_int_equal(keys_use_audited(f->s, id, "root rotation v2", "alice-t", &err), 0);
        assert_int_equal(count(f, "SELECT count(*) FROM audit_log WHERE action = 'key.use' "
                                  "AND object = 'key:1' AND details LIKE '%root rotation v2%'"), 1);
        assert_int_equal(count(f, "SELECT count(*) FROM key_usage"), 2);
        assert_int_equal(keys_use_audited(f->s, 99, "x", "alice-t", &err), -1);
        assert_int_equal(err.kind, ERROR_NOT_FOUND);
        json_t *j = NULL;
        assert_int_equal(keys_show_json(f->s, &f->p, id, &j, &err), 0);
        assert_int_equal(json_array_size(json_object_get(j, "usage")), 2);
        json_decref(j);
}

static void test_rotation_due(void **state) {
        struct fx *f = *state;
        struct error err = {0};
        struct store_key k = {.class = (char *) "tuf-online", .state = (char *) "active", .created_at = 1000,
                              .activated_at = 2000};
        assert_int_equal(keys_rotation_due(&f->p, &k), 2000 + 90 * 86400);
        k.expires_at = 3000;
        assert_int_equal(keys_rotation_due(&f->p, &k), 3000);
        k.expires_at = 0;
        k.state = (char *) "retired";
        assert_int_equal(keys_rotation_due(&f->p, &k), 0);
        k.state = (char *) "active";
        assert_int_equal(keys_policy_set(&f->p, "tuf-online", 0, &err), 0);
        assert_int_equal(keys_rotation_due(&f->p, &k), 0);
        assert_int_equal(keys_policy_set(&f->p, "bogus", 1, &err), -1);

        /* --due-within: an old key is due, a fresh root CA is not */
        int64_t old = reg(f, "tls", NULL);
        reg(f, "root-ca", NULL);
        char sql[128];
        snprintf(sql, sizeof(sql), "UPDATE keys SET activated_at = %lld WHERE id = %lld",
                 (long long) (time_now() - 360 * 86400), (long long) old);
        raw_exec(f->t->db, sql);
        json_t *out = NULL;
        struct keys_list_filter flt = {.due_within = 30 * 86400};
        assert_int_equal(keys_list_json(f->s, &f->p, &flt, &out, &err), 0);
        json_t *items = json_object_get(out, "items");
        assert_int_equal(json_array_size(items), 1);
        assert_int_equal(json_integer_value(json_object_get(json_array_get(items, 0), "id")), old);
        assert_false(json_is_true(json_object_get(json_object_get(json_array_get(items, 0), "rotation"), "overdue")));
        json_decref(out);
        struct keys_gauges g;
        assert_int_equal(keys_gauges_read(f->s, &f->p, time_now() + 10 * 86400, &g, &err), 0);
        assert_int_equal(g.past_rotation, 1);
        assert_int_equal(g.by_state[1], 2);
}

static void test_owner_and_custodians(void **state) {
        struct fx *f = *state;
        int64_t id = reg(f, "root-ca", NULL);
        struct error err = {0};
        assert_int_equal(keys_set_owner(f->s, id, "nobody", &root, &err), -1);
        assert_int_equal(err.kind, ERROR_NOT_FOUND);
        assert_int_equal(keys_set_owner(f->s, id, "bob", &root, &err), 0);
        assert_int_equal(keys_custodian_add(f->s, id, "alice", &root, &err), 0);
        assert_int_equal(keys_custodian_add(f->s, id, "alice", &root, &err), -1);
        assert_int_equal(err.kind, ERROR_CONFLICT);
        json_t *j = NULL;
        assert_int_equal(keys_show_json(f->s, &f->p, id, &j, &err), 0);
        assert_string_equal(json_string_value(json_object_get(j, "owner")), "bob");
        assert_string_equal(json_string_value(json_array_get(json_object_get(j, "custodians"), 0)), "alice");
        json_decref(j);
        assert_int_equal(count(f, "SELECT count(*) FROM audit_log WHERE action = 'key.owner' "
                                  "AND details LIKE '%\"previous\":\"alice\"%'"), 1);
        assert_int_equal(keys_custodian_remove(f->s, id, "alice", &root, &err), 0);
        assert_int_equal(keys_custodian_remove(f->s, id, "alice", &root, &err), -1);
}

static void test_lookup(void **state) {
        struct fx *f = *state;
        struct error err = {0};
        int64_t a = reg(f, "tls", NULL);
        struct keys_new tk = {.class = "tuf-root", .purpose = "root", .pubkey = f->ed, .storage = "offline"};
        int64_t b = 0;
        assert_int_equal(keys_register_tuf(f->s, &tk, "abcdef0123456789", &root, &b, &err), 0);
        struct store_key k;
        assert_int_equal(keys_lookup(f->s, "1", &k, &err), 0);
        assert_int_equal(k.id, a);
        store_key_clear(&k);
        assert_int_equal(keys_lookup(f->s, "abcdef0123456789", &k, &err), 0);
        assert_int_equal(k.id, b);
        store_key_clear(&k);
        /* both share the SPKI: a fingerprint prefix is ambiguous */
        assert_int_equal(keys_lookup(f->s, "72a90623", &k, &err), -1);
        assert_int_equal(err.kind, ERROR_CONFLICT);
        assert_int_equal(keys_lookup(f->s, "72a9", &k, &err), -1);
        assert_int_equal(err.kind, ERROR_INVALID);
        assert_int_equal(keys_lookup(f->s, "72A90623", &k, &err), -1);
        assert_int_equal(err.kind, ERROR_INVALID);
        assert_int_equal(keys_lookup(f->s, "%", &k, &err), -1);
        assert_int_equal(err.kind, ERROR_INVALID);
        assert_int_equal(keys_lookup(f->s, "99", &k, &err), -1);
        assert_int_equal(err.kind, ERROR_NOT_FOUND);
}

/* ---- keys that exist elsewhere (keys-discover.c) ---- */

struct tkey {
        struct crypto_key *ck;
        struct tuf_key *tk;
};

static void tkey_make(struct fx *f, const char *name, struct tkey *out) {
        struct error err = {0};
        _cleanup_free_ char *path = tdir_path(f->t, name);
        if (crypto_key_generate_file(path, CRYPTO_KEY_ED25519, &err) < 0 || crypto_key_load(path, &out->ck, &err) < 0 ||
            tuf_key_from_crypto_key(out->ck, &out->tk, &err) < 0)
                fail_msg("%s: %s", name, err.msg);
}

static void tkey_free(struct tkey *k) {
        tuf_key_free(k->tk);
        crypto_key_free(k->ck);
}

/* A root naming `root` for root, `targets` for targets and `online` for
 * snapshot and timestamp, signed by `root`. */
static struct tuf_metadata *root_doc(int64_t version, struct tkey *rk, struct tkey *targets, struct tkey *online) {
        struct error err = {0};
        struct tuf_key *keys[] = {rk->tk, targets->tk, online->tk};
        const char *r[] = {tuf_key_id(rk->tk)}, *t[] = {tuf_key_id(targets->tk)}, *o[] = {tuf_key_id(online->tk)};
        const struct tuf_role_spec roles[_TUF_ROLE_MAX] = {
                [TUF_ROLE_ROOT] = {r, 1, 1},
                [TUF_ROLE_TARGETS] = {t, 1, 1},
                [TUF_ROLE_SNAPSHOT] = {o, 1, 1},
                [TUF_ROLE_TIMESTAMP] = {o, 1, 1},
        };
        json_t *signed_obj = tuf_build_root(version, time_now() + 86400, true, keys, 3, roles, &err);
        if (!signed_obj)
                fail_msg("root: %s", err.msg);
        json_t *doc = tuf_metadata_wrap(signed_obj);
        json_decref(signed_obj);
        struct tuf_metadata *md = NULL;
        if (tuf_sign(doc, rk->ck, &err) < 0 || tuf_metadata_from_json("root", doc, TUF_ROLE_ROOT, &md, &err) < 0)
                fail_msg("root: %s", err.msg);
        json_decref(doc);
        return md;
}

static const char *class_of(struct fx *f, struct tkey *k, char *buf, size_t size) {
        char sql[256];
        snprintf(sql, sizeof(sql), "SELECT count(*) FROM keys WHERE tuf_keyid = '%s'", tuf_key_id(k->tk));
        snprintf(buf, size, "%lld", (long long) count(f, sql));
        return buf;
}

static void test_tuf_root_keys_and_rotation(void **state) {
        struct fx *f = *state;
        struct error err = {0};
        struct tkey a, b, c, d;
        tkey_make(f, "a.key", &a);
        tkey_make(f, "b.key", &b);
        tkey_make(f, "c.key", &c);
        tkey_make(f, "d.key", &d);
        struct tuf_metadata *r1 = root_doc(1, &a, &b, &c), *r2 = root_doc(2, &a, &d, &c);
        assert_int_equal(keys_register_tuf_root(f->s, r1, NULL, 1, "gw-1", NULL, &root, &err), 0);
        assert_int_equal(count(f, "SELECT count(*) FROM keys"), 3);
        assert_int_equal(count(f, "SELECT count(*) FROM keys WHERE class = 'tuf-root' AND storage = 'offline'"), 1);
        assert_int_equal(count(f, "SELECT count(*) FROM keys WHERE class = 'firmware-signing' AND purpose = "
                                  "'release signer (TUF targets key) of gw-1'"), 1);
        assert_int_equal(count(f, "SELECT count(*) FROM keys WHERE class = 'tuf-online'"), 1);
        assert_int_equal(count(f, "SELECT count(*) FROM key_products WHERE product_id = 1"), 3);
        char buf[32];
        assert_string_equal(class_of(f, &b, buf, sizeof(buf)), "1");
        /* again: nothing new */
        assert_int_equal(keys_register_tuf_root(f->s, r1, NULL, 1, "gw-1", NULL, &root, &err), 0);
        assert_int_equal(count(f, "SELECT count(*) FROM audit_log WHERE action = 'key.register'"), 3);

        /* root 2 replaces targets key b with d: d registered, b retired, the
         * root key that signed root 2 has a key.use entry */
        assert_int_equal(keys_register_tuf_root(f->s, r2, r1, 1, "gw-1", NULL, &root, &err), 0);
        char sql[256];
        snprintf(sql, sizeof(sql), "SELECT count(*) FROM keys WHERE tuf_keyid = '%s' AND state = 'active'",
                 tuf_key_id(d.tk));
        assert_int_equal(count(f, sql), 1);
        snprintf(sql, sizeof(sql), "SELECT count(*) FROM keys WHERE tuf_keyid = '%s' AND state = 'retired' AND "
                                   "state_reason = 'not in gw-1 root version 2'", tuf_key_id(b.tk));
        assert_int_equal(count(f, sql), 1);
        assert_int_equal(count(f, "SELECT count(*) FROM audit_log WHERE action = 'key.use' AND details LIKE "
                                  "'%root rotation of the image repository gw-1 to version 2%'"), 1);
        assert_int_equal(count(f, "SELECT count(*) FROM keys WHERE state = 'active'"), 3);

        /* the director: every key is class director, the online ones with their ref */
        assert_int_equal(keys_register_tuf_root(f->s, r1, NULL, 0, NULL, "/var/lib/cradle/director-keys/targets.key",
                                                &root, &err), 0);
        assert_int_equal(count(f, "SELECT count(*) FROM keys WHERE class = 'director'"), 3);
        assert_int_equal(count(f, "SELECT count(*) FROM keys WHERE class = 'director' AND storage = 'file' AND "
                                  "ref = '/var/lib/cradle/director-keys/targets.key'"), 2);
        assert_int_equal(count(f, "SELECT count(*) FROM keys WHERE class = 'director' AND purpose = "
                                  "'director root key' AND storage = 'offline'"), 1);
        assert_int_equal(audit_verify_store(f->s, &(struct audit_verify_state) {0}, &err), 0);
        tuf_metadata_free(r1);
        tuf_metadata_free(r2);
        tkey_free(&a);
        tkey_free(&b);
        tkey_free(&c);
        tkey_free(&d);
}

static void test_migration_key_replaced_is_retired(void **state) {
        struct fx *f = *state;
        struct error err = {0};
        raw_exec(f->t->db, "INSERT INTO batches (product_id, name, hardware_revision, production_date, "
                           "initial_firmware_version, created_at) VALUES (1, 'B1', 'r1', '2026-11-01', '1.0', 1)");
        uint8_t k1[32], k2[32];
        memset(k1, 0x11, sizeof(k1));
        memset(k2, 0x22, sizeof(k2));
        assert_int_equal(keys_register_migration_key(f->s, 1, k1, NULL, &root, &err), 0);
        assert_int_equal(keys_register_migration_key(f->s, 1, k2, k1, &root, &err), 0);
        assert_int_equal(count(f, "SELECT count(*) FROM keys WHERE class = 'migration' AND storage = 'sealed'"), 2);
        assert_int_equal(count(f, "SELECT count(*) FROM keys WHERE class = 'migration' AND state = 'retired'"), 1);
        assert_int_equal(count(f, "SELECT count(*) FROM keys WHERE class = 'migration' AND state = 'active'"), 1);
        /* the identifier is the documented hash, never the key's bytes or their plain hash */
        char plain[65];
        hash_sha256_hex(k2, sizeof(k2), plain);
        char sql[256];
        snprintf(sql, sizeof(sql), "SELECT count(*) FROM keys WHERE fingerprint = '%s'", plain);
        assert_int_equal(count(f, sql), 0);
        assert_int_equal(count(f, "SELECT count(*) FROM keys WHERE fingerprint LIKE '%2222222222%'"), 0);
}

/* Every class's runbook anchor is a heading of docs/keys.md (GitHub's slug:
 * lower case, spaces to dashes), so the link the CLI prints leads somewhere. */
static void test_runbooks_exist_in_docs(void **state) {
        (void) state;
        const char *src = getenv("CRADLE_SOURCE_ROOT");
        if (!src)
                skip();
        _cleanup_free_ char *path = str_printf("%s/docs/keys.md", src);
        size_t len = 0;
        _cleanup_free_ unsigned char *doc = read_file_bytes(path, &len);
        assert_non_null(doc);
        for (size_t i = 0; i < KEYS_CLASS_COUNT; i++) {
                const char *anchor = keys_runbook_anchor(keys_classes[i]);
                bool found = false;
                for (const char *line = (const char *) doc; line && *line && !found;) {
                        const char *end = strchr(line, '\n');
                        size_t n = end ? (size_t) (end - line) : strlen(line);
                        if (n > 4 && strncmp(line, "### ", 4) == 0) {
                                char slug[128];
                                size_t k = 0;
                                for (size_t j = 4; j < n && k + 1 < sizeof(slug); j++)
                                        slug[k++] = line[j] == ' ' ? '-' : (char) tolower((unsigned char) line[j]);
                                slug[k] = '\0';
                                found = strcmp(slug, anchor) == 0;
                        }
                        line = end ? end + 1 : NULL;
                }
                if (!found)
                        fail_msg("docs/keys.md has no heading for #%s (class %s)", anchor, keys_classes[i]);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_fingerprint_is_spki_sha256, setup, teardown),
                cmocka_unit_test_setup_teardown(test_register_new_and_idempotent, setup, teardown),
                cmocka_unit_test_setup_teardown(test_register_owner_is_actor_user, setup, teardown),
                cmocka_unit_test_setup_teardown(test_register_refuses_bad_input, setup, teardown),
                cmocka_unit_test_setup_teardown(test_register_joins_callers_transaction, setup, teardown),
                cmocka_unit_test_setup_teardown(test_every_refused_transition, setup, teardown),
                cmocka_unit_test_setup_teardown(test_named_refusals, setup, teardown),
                cmocka_unit_test_setup_teardown(test_allowed_path_is_audited, setup, teardown),
                cmocka_unit_test_setup_teardown(test_compromised, setup, teardown),
                cmocka_unit_test_setup_teardown(test_usage_aggregates_per_day, setup, teardown),
                cmocka_unit_test_setup_teardown(test_rotation_due, setup, teardown),
                cmocka_unit_test_setup_teardown(test_owner_and_custodians, setup, teardown),
                cmocka_unit_test_setup_teardown(test_lookup, setup, teardown),
                cmocka_unit_test(test_runbooks_exist_in_docs),
                cmocka_unit_test_setup_teardown(test_tuf_root_keys_and_rotation, setup, teardown),
                cmocka_unit_test_setup_teardown(test_migration_key_replaced_is_retired, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: Apache-2.0 */
#include "testutil-store.h"

#include "auth/token.h"
#include "core/cleanup.h"
#include "crypto/ct.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"

struct fx {
        struct tdir *t;
        struct store *s;
};

static const struct audit_actor root = {.name = "root", .role = "admin"};

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

static char *create_ok(struct store *s, const char *name, enum role role, struct store_token *rec) {
        struct error err = {0};
        char *secret = NULL;
        if (auth_token_create(s, &root, name, role, &secret, rec, &err) < 0)
                fail_msg("auth_token_create: %s", err.msg);
        return secret;
}

static bool token_format_ok(const char *t) {
        if (strlen(t) != 67 || strncmp(t, "cradle_", 7) != 0 || t[23] != '_')
                return false;
        for (int i = 7; i < 23; i++)
                if (!strchr("0123456789abcdef", t[i]))
                        return false;
        for (int i = 24; i < 67; i++)
                if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", t[i]))
                        return false;
        return true;
}

static char *bearer(const char *tok) {
        return str_printf("Bearer %s", tok);
}

/* The 32 secret bytes of a token, decoded by hand from its 43 base64url
 * characters: the test must not trust the code under test. */
static void secret_raw(const char *tok, uint8_t raw[32]) {
        static const char *alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        const char *secret = tok + 24;
        uint32_t acc = 0;
        int bits = 0, o = 0;
        for (int k = 0; k < 43; k++) {
                acc = (acc << 6) | (uint32_t) (strchr(alpha, secret[k]) - alpha);
                bits += 6;
                if (bits >= 8) {
                        bits -= 8;
                        raw[o++] = (uint8_t) (acc >> bits);
                }
        }
        assert_int_equal(o, 32);
}

/* "Bearer " + the token with its secret replaced by `raw` (same public id). */
static char *bearer_with_secret(const char *tok, const uint8_t raw[32]) {
        char *b64 = base64url_encode(raw, 32);
        assert_non_null(b64);
        assert_int_equal(strlen(b64), 43);
        char *h = str_printf("Bearer %.24s%s", tok, b64);
        free_secret(b64);
        return h;
}

static void expect_unknown_token(struct store *s, const char *header) {
        struct error err = {0};
        struct auth_principal p;
        assert_int_equal(auth_authenticate(s, header, &p, &err), -1);
        assert_error(err, ERROR_UNAUTHENTICATED, "unknown token");
        assert_int_equal(p.token_id, 0);
}

static void test_create_and_authenticate(void **state) {
        struct fx *f = *state;
        struct error err = {0};
        struct store_token rec;
        _cleanup_secret_ char *tok = create_ok(f->s, "ci-bot@example.org_1.x", ROLE_RELEASE_MANAGER, &rec);
        assert_true(token_format_ok(tok));
        assert_true(rec.id > 0);
        assert_string_equal(rec.name, "ci-bot@example.org_1.x");
        assert_string_equal(rec.role, "release-manager");
        assert_string_equal(rec.created_by, "root");
        assert_int_equal(rec.revoked_at, 0);
        assert_memory_equal(rec.public_id, tok + 7, 16);

        _cleanup_free_ char *h = bearer(tok);
        struct auth_principal p;
        assert_int_equal(auth_authenticate(f->s, h, &p, &err), 0);
        assert_int_equal(p.token_id, rec.id);
        assert_string_equal(p.name, "ci-bot@example.org_1.x");
        assert_int_equal(p.role, ROLE_RELEASE_MANAGER);
        /* the scheme is case-insensitive; extra spaces after it are allowed */
        _cleanup_free_ char *h2 = str_printf("bEaReR   %s", tok);
        assert_int_equal(auth_authenticate(f->s, h2, &p, &err), 0);

        /* two tokens never share a secret or public id */
        _cleanup_secret_ char *tok2 = create_ok(f->s, "other", ROLE_AUDITOR, NULL);
        assert_memory_not_equal(tok, tok2, 23);
        assert_string_not_equal(tok + 24, tok2 + 24);

        /* the JSON form has no secret */
        json_t *j = auth_token_to_json(&rec);
        assert_non_null(j);
        assert_int_equal(json_integer_value(json_object_get(j, "id")), rec.id);
        assert_string_equal(json_string_value(json_object_get(j, "role")), "release-manager");
        assert_string_equal(json_string_value(json_object_get(j, "created_by")), "root");
        assert_true(json_is_null(json_object_get(j, "revoked_at")));
        assert_int_equal(strlen(json_string_value(json_object_get(j, "created_at"))), 20);
        /* the token's user: a new one named after the token (auth/user.h) */
        assert_string_equal(json_string_value(json_object_get(j, "user")), "ci-bot@example.org_1.x");
        assert_int_equal(json_object_size(j), 7);
        char *dump = json_dumps(j, 0);
        assert_null(strstr(dump, tok + 24));
        free(dump);
        json_decref(j);
        store_token_clear(&rec);
}

static void test_malformed_headers(void **state) {
        struct fx *f = *state;
        struct error err = {0};
        struct auth_principal p;
        _cleanup_secret_ char *tok = create_ok(f->s, "alice", ROLE_ADMIN, NULL);

        assert_int_equal(auth_authenticate(f->s, NULL, &p, &err), -1);
        assert_error(err, ERROR_UNAUTHENTICATED, "missing Authorization header");
        assert_int_equal(auth_authenticate(f->s, "", &p, &err), -1);
        assert_error(err, ERROR_UNAUTHENTICATED, "missing Authorization header");

        const char *not_bearer[] = {"Basic YWxpY2U6c2VjcmV0", "Bearer", "Bearerx", "Token abc", "bearer",
                                    " Bearer x", "Bearer\tx"};
        for (size_t i = 0; i < ELEMENTSOF(not_bearer); i++) {
                assert_int_equal(auth_authenticate(f->s, not_bearer[i], &p, &err), -1);
                assert_error(err, ERROR_UNAUTHENTICATED, "Authorization is not a Bearer token");
        }

        /* variants of a real token, each broken in one way */
        char *variants[32];
        size_t nv = 0;
        variants[nv++] = str_printf("Bearer ");                            /* empty */
        variants[nv++] = str_printf("Bearer %.66s", tok);                  /* one short */
        variants[nv++] = str_printf("Bearer %sA", tok);                    /* one long */
        variants[nv++] = str_printf("Bearer %s ", tok);                    /* trailing space */
        variants[nv++] = str_printf("Bearer Cradle_%s", tok + 7);          /* prefix case */
        variants[nv++] = str_printf("Bearer xradle_%s", tok + 7);          /* prefix */
        variants[nv++] = str_printf("Bearer %s", tok);
        variants[nv - 1][7 + 7] = 'G';                                     /* non-hex id */
        variants[nv++] = str_printf("Bearer %s", tok);
        for (int i = 7 + 7; i < 7 + 23; i++)                               /* upper-case hex */
                if (variants[nv - 1][i] >= 'a' && variants[nv - 1][i] <= 'f')
                        variants[nv - 1][i] = (char) (variants[nv - 1][i] - 'a' + 'A');
        variants[nv++] = str_printf("Bearer %s", tok);
        variants[nv - 1][7 + 23] = '-';                                    /* separator */
        variants[nv++] = str_printf("Bearer %s", tok);
        variants[nv - 1][7 + 30] = '+';                                    /* base64, not base64url */
        variants[nv++] = str_printf("Bearer %s", tok);
        variants[nv - 1][7 + 30] = '=';                                    /* padding char */
        variants[nv++] = str_printf("Bearer %.66s=", tok);                 /* padding at end */
        variants[nv++] = str_printf("Bearer %s", tok);
        variants[nv - 1][7 + 30] = '\0' + 1;                               /* control char */
        variants[nv++] = str_printf("Bearer %s", tok);
        variants[nv - 1][7 + 66] = 'B';                                    /* non-canonical last char: low bits set */
        if (tok[66] == 'B')
                variants[nv - 1][7 + 66] = 'C';
        variants[nv++] = str_printf("Bearer cradle_%s", "0123456789abcdef_tooshort");
        for (size_t i = 0; i < nv; i++) {
                assert_int_equal(auth_authenticate(f->s, variants[i], &p, &err), -1);
                if (err.kind != ERROR_UNAUTHENTICATED || !strstr(err.msg, "malformed token"))
                        fail_msg("variant %zu '%s': %s", i, variants[i], err.msg);
                free(variants[i]);
        }
}

static void test_unknown_and_wrong_secret(void **state) {
        struct fx *f = *state;
        struct error err = {0};
        struct auth_principal p;
        _cleanup_secret_ char *tok = create_ok(f->s, "alice", ROLE_ADMIN, NULL);

        /* right public id, another valid secret */
        _cleanup_free_ char *wrong = bearer(tok);
        char *c = &wrong[7 + 30];
        *c = *c == 'A' ? 'B' : 'A';
        assert_int_equal(auth_authenticate(f->s, wrong, &p, &err), -1);
        assert_error(err, ERROR_UNAUTHENTICATED, "unknown token");
        assert_int_equal(p.token_id, 0);
        assert_string_equal(p.name, "");

        /* a well-formed token nobody issued */
        _cleanup_free_ char *other = bearer(tok);
        memcpy(other + 7 + 7, "0000000000000000", 16);
        assert_int_equal(auth_authenticate(f->s, other, &p, &err), -1);
        assert_error(err, ERROR_UNAUTHENTICATED, "unknown token");
}

/* Wrong secrets one byte away from the right one, at the first, a middle and
 * the last byte: the whole secret counts, not a prefix of it. */
static void test_wrong_secret_one_byte_off(void **state) {
        struct fx *f = *state;
        _cleanup_secret_ char *tok = create_ok(f->s, "alice", ROLE_ADMIN, NULL);
        uint8_t raw[32];
        secret_raw(tok, raw);
        const size_t positions[] = { 0, 15, 31 };
        for (size_t k = 0; k < ELEMENTSOF(positions); k++) {
                raw[positions[k]] ^= 0x01;
                _cleanup_free_ char *h = bearer_with_secret(tok, raw);
                expect_unknown_token(f->s, h);
                raw[positions[k]] ^= 0x01;
        }
        /* the helper itself is right: the unchanged secret authenticates */
        _cleanup_free_ char *good = bearer_with_secret(tok, raw);
        struct error err = {0};
        struct auth_principal p;
        assert_int_equal(auth_authenticate(f->s, good, &p, &err), 0);
        ct_wipe(raw, sizeof(raw));
}

/* Wrong secrets whose SHA-256 shares its first byte, then its first two bytes,
 * with the right one's: what an attacker who knows a public id finds in about
 * 256 (65536) guesses if the comparison looked at a prefix of the hash. The
 * search is deterministic from the token's secret (a counter over its first
 * four bytes). */
static void test_wrong_secret_with_hash_prefix(void **state) {
        struct fx *f = *state;
        _cleanup_secret_ char *tok = create_ok(f->s, "alice", ROLE_ADMIN, NULL);
        uint8_t raw[32], want[SHA256_LEN];
        secret_raw(tok, raw);
        hash_sha256(raw, sizeof(raw), want);
        for (size_t prefix = 1; prefix <= 2; prefix++) {
                uint8_t guess[32], got[SHA256_LEN];
                bool found = false;
                for (uint32_t i = 1; i < (1u << 24) && !found; i++) {
                        memcpy(guess, raw, sizeof(guess));
                        guess[0] ^= (uint8_t) i;
                        guess[1] ^= (uint8_t) (i >> 8);
                        guess[2] ^= (uint8_t) (i >> 16);
                        hash_sha256(guess, sizeof(guess), got);
                        found = memcmp(got, want, prefix) == 0;
                }
                if (!found)
                        fail_msg("no secret with a %zu-byte hash prefix in 2^24 tries", prefix);
                assert_memory_not_equal(guess, raw, sizeof(raw));
                assert_memory_not_equal(got, want, SHA256_LEN);
                _cleanup_free_ char *h = bearer_with_secret(tok, guess);
                expect_unknown_token(f->s, h);
        }
        ct_wipe(raw, sizeof(raw));
}

/* The stored hash changed in one byte only (first, middle, last): the right
 * secret no longer matches. No secret can be crafted whose hash differs only
 * in its last byte, so this is how the full-length comparison is tested. */
static void test_stored_hash_compared_in_full(void **state) {
        struct fx *f = *state;
        _cleanup_secret_ char *tok = create_ok(f->s, "alice", ROLE_ADMIN, NULL);
        _cleanup_free_ char *h = bearer(tok);
        uint8_t raw[32], hash[SHA256_LEN];
        secret_raw(tok, raw);
        hash_sha256(raw, sizeof(raw), hash);
        ct_wipe(raw, sizeof(raw));
        const size_t positions[] = { 0, 16, SHA256_LEN - 1 };
        for (size_t k = 0; k < ELEMENTSOF(positions); k++) {
                char hex[2 * SHA256_LEN + 1];
                hash[positions[k]] ^= 0x80;
                hex_encode(hash, SHA256_LEN, hex);
                hash[positions[k]] ^= 0x80;
                char *sql = str_printf("UPDATE api_tokens SET secret_hash = '%s' WHERE name = 'alice'", hex);
                raw_exec(f->t->db, sql);
                free(sql);
                expect_unknown_token(f->s, h);
        }
        char hex[2 * SHA256_LEN + 1];
        hex_encode(hash, SHA256_LEN, hex);
        char *sql = str_printf("UPDATE api_tokens SET secret_hash = '%s' WHERE name = 'alice'", hex);
        raw_exec(f->t->db, sql);
        free(sql);
        struct error err = {0};
        struct auth_principal p;
        assert_int_equal(auth_authenticate(f->s, h, &p, &err), 0);
}

static void test_revoke(void **state) {
        struct fx *f = *state;
        struct error err = {0};
        struct auth_principal p;
        _cleanup_secret_ char *tok = create_ok(f->s, "bob", ROLE_FACTORY, NULL);
        _cleanup_secret_ char *keep = create_ok(f->s, "carol", ROLE_FACTORY, NULL);
        struct store_token rec;
        assert_int_equal(auth_token_revoke(f->s, &root, "bob", &rec, &err), 0);
        assert_true(rec.revoked_at > 0);
        assert_string_equal(rec.name, "bob");
        json_t *j = auth_token_to_json(&rec);
        assert_true(json_is_string(json_object_get(j, "revoked_at")));
        json_decref(j);
        store_token_clear(&rec);

        _cleanup_free_ char *h = bearer(tok);
        assert_int_equal(auth_authenticate(f->s, h, &p, &err), -1);
        assert_error(err, ERROR_UNAUTHENTICATED, "token 'bob' was revoked");
        _cleanup_free_ char *hk = bearer(keep);
        assert_int_equal(auth_authenticate(f->s, hk, &p, &err), 0); /* others unaffected */

        assert_int_equal(auth_token_revoke(f->s, &root, "bob", NULL, &err), -1);
        assert_error(err, ERROR_CONFLICT, "token 'bob' is already revoked");
        assert_int_equal(auth_token_revoke(f->s, &root, "nobody", NULL, &err), -1);
        assert_error(err, ERROR_NOT_FOUND, "no token named 'nobody'");

        /* exactly one revoke entry, with the role and no secret */
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM audit_log WHERE action = 'token.revoke'"), 1);
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM audit_log WHERE action = 'token.revoke' "
                                           "AND object = 'token:bob' AND actor_name = 'root' "
                                           "AND details = '{\"role\":\"factory\"}'"), 1);
        /* a revoked name stays taken (it names history in the audit log) */
        char *again = NULL;
        assert_int_equal(auth_token_create(f->s, &root, "bob", ROLE_ADMIN, &again, NULL, &err), -1);
        assert_error(err, ERROR_CONFLICT, "a token named 'bob' already exists");
        assert_null(again);
}

static void test_names_and_roles(void **state) {
        struct fx *f = *state;
        struct error err = {0};
        char long_name[70];
        memset(long_name, 'a', 65);
        long_name[65] = '\0';
        const char *bad[] = {"", long_name, "a b", "grüße", "x/y", "semi;colon", "quote'"};
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                char *tok = NULL;
                assert_int_equal(auth_token_create(f->s, &root, bad[i], ROLE_ADMIN, &tok, NULL, &err), -1);
                assert_error(err, ERROR_INVALID, "name:");
                assert_null(tok);
        }
        long_name[64] = '\0';
        free_secret(create_ok(f->s, long_name, ROLE_ADMIN, NULL));
        char *tok = NULL;
        assert_int_equal(auth_token_create(f->s, &root, "ok", (enum role) 64, &tok, NULL, &err), -1);
        assert_error(err, ERROR_INVALID, "role");

        enum role r;
        const char *names[] = {"admin", "release-manager", "security-officer", "factory", "auditor"};
        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                assert_int_equal(role_parse(names[i], &r, &err), 0);
                assert_string_equal(role_name(r), names[i]);
                assert_true(r & ROLE_ALL);
        }
        assert_int_equal(role_parse("root", &r, &err), -1);
        assert_error(err, ERROR_INVALID, "'root' is not a role");
        assert_int_equal(role_parse("Admin", &r, &err), -1);
        /* no token rows or audit entries from the failures */
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM api_tokens"), 1);
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM audit_log"), 1);
}

static void test_create_is_audited_atomically(void **state) {
        struct fx *f = *state;
        struct error err = {0};
        _cleanup_secret_ char *tok = create_ok(f->s, "alice", ROLE_ADMIN, NULL);
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM audit_log WHERE action = 'token.create' "
                                           "AND object = 'token:alice' AND actor_name = 'root' "
                                           "AND actor_role = 'admin' AND details = '{\"role\":\"admin\",\"user\":\"alice\",\"user_created\":true}'"), 1);
        char *dup = NULL;
        assert_int_equal(auth_token_create(f->s, &root, "alice", ROLE_AUDITOR, &dup, NULL, &err), -1);
        assert_error(err, ERROR_CONFLICT, "a token named 'alice' already exists");
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM audit_log"), 1);
        assert_false(store_in_transaction(f->s));

        /* a failing audit append takes the token row with it */
        raw_exec(f->t->db, "CREATE TRIGGER no_audit BEFORE INSERT ON audit_log BEGIN "
                           "SELECT RAISE(ABORT, 'audit disabled'); END");
        assert_int_equal(auth_token_create(f->s, &root, "eve", ROLE_ADMIN, &dup, NULL, &err), -1);
        assert_int_equal(err.kind, ERROR_DB);
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM api_tokens WHERE name = 'eve'"), 0);
        assert_int_equal(auth_token_revoke(f->s, &root, "alice", NULL, &err), -1);
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM api_tokens WHERE revoked_at IS NOT NULL"), 0);
        raw_exec(f->t->db, "DROP TRIGGER no_audit");

        struct audit_verify_state st;
        assert_int_equal(audit_verify_store(f->s, &st, &err), 0);
        assert_false(st.broken);
}

static void test_secret_never_stored(void **state) {
        struct fx *f = *state;
        struct error err = {0};
        char *toks[4];
        char names[4][8];
        for (int i = 0; i < 4; i++) {
                snprintf(names[i], sizeof(names[i]), "t%d", i);
                toks[i] = create_ok(f->s, names[i], ROLE_ADMIN, NULL);
        }
        assert_int_equal(auth_token_revoke(f->s, &root, "t3", NULL, &err), 0);
        store_close(f->s); /* checkpoint the WAL into the main file */
        f->s = NULL;

        size_t len;
        unsigned char *db = read_file_bytes(f->t->db, &len);
        assert_true(len > 0);
        for (int i = 0; i < 4; i++) {
                const char *secret = toks[i] + 24;
                uint8_t raw[32] = {0};
                secret_raw(toks[i], raw);
                assert_false(mem_contains(db, len, secret, 43));
                assert_false(mem_contains(db, len, toks[i], 67));
                assert_false(mem_contains(db, len, raw, 32));
                char raw_hex[65];
                hex_encode(raw, 32, raw_hex);
                assert_false(mem_contains(db, len, raw_hex, 64));
                /* what is stored is the hash: the scan can see it */
                char hash_hex[65];
                hash_sha256_hex(raw, 32, hash_hex);
                assert_true(mem_contains(db, len, hash_hex, 64));
                assert_true(mem_contains(db, len, toks[i] + 7, 16)); /* public id */
                free_secret(toks[i]);
        }
        free(db);
        char *wal = tdir_path(f->t, "cradle.db-wal");
        assert_int_equal(access(wal, F_OK), -1);
        free(wal);
        assert_int_equal(store_open(f->t->db, &f->s, &err), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_create_and_authenticate, setup, teardown),
                cmocka_unit_test_setup_teardown(test_malformed_headers, setup, teardown),
                cmocka_unit_test_setup_teardown(test_unknown_and_wrong_secret, setup, teardown),
                cmocka_unit_test_setup_teardown(test_wrong_secret_one_byte_off, setup, teardown),
                cmocka_unit_test_setup_teardown(test_wrong_secret_with_hash_prefix, setup, teardown),
                cmocka_unit_test_setup_teardown(test_stored_hash_compared_in_full, setup, teardown),
                cmocka_unit_test_setup_teardown(test_revoke, setup, teardown),
                cmocka_unit_test_setup_teardown(test_names_and_roles, setup, teardown),
                cmocka_unit_test_setup_teardown(test_create_is_audited_atomically, setup, teardown),
                cmocka_unit_test_setup_teardown(test_secret_never_stored, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

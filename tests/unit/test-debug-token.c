/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Debug-authorisation tokens (issue 11, section 4): the TLV codec and the
 * device's verifier. One test per way a token can be wrong, each refused with
 * its own reason; a valid token passes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>

#include "debug/anchor-gnutls.h"
#include "debug/sign.h"
#include "debug/token.h"
#include "debug/verify.h"

#define NOW 1800000000
#define SERIAL "SN-0001"
#define UID "0123456789abcdef"

struct keypair {
        gnutls_privkey_t priv;
        gnutls_pubkey_t pub;
};

struct fixture {
        struct keypair key, other, ed;
        struct debug_anchor anchor;
        uint8_t nonce[DEBUG_NONCE_LEN];
        uint8_t challenge[DEBUG_CHALLENGE_MAX];
        size_t challenge_len;
        struct debug_device dev;
        struct debug_token t; /* the fields of a valid token */
        uint8_t hash[DEBUG_HASH_LEN];
        uint8_t token_id[DEBUG_TOKEN_ID_LEN];
        uint8_t tok[DEBUG_TOKEN_MAX];
        size_t tok_len;
};

static void keypair_make(struct keypair *k, gnutls_pk_algorithm_t pk, unsigned bits) {
        assert_int_equal(gnutls_privkey_init(&k->priv), 0);
        assert_int_equal(gnutls_privkey_generate2(k->priv, pk, bits, 0, NULL, 0), 0);
        assert_int_equal(gnutls_pubkey_init(&k->pub), 0);
        assert_int_equal(gnutls_pubkey_import_privkey(k->pub, k->priv, 0, 0), 0);
}

static void keypair_free(struct keypair *k) {
        gnutls_pubkey_deinit(k->pub);
        gnutls_privkey_deinit(k->priv);
}

static size_t challenge_make(uint8_t *buf, const uint8_t *nonce, const char *serial, const char *uid,
                             uint32_t scope, uint64_t sv) {
        struct debug_challenge c = {
                .nonce = { nonce, DEBUG_NONCE_LEN },
                .serial = { (const uint8_t *) serial, strlen(serial) },
                .uid = { (const uint8_t *) uid, strlen(uid) },
                .scope = scope,
                .security_version = sv,
        };
        size_t len = 0;
        assert_int_equal(debug_challenge_encode(&c, buf, DEBUG_CHALLENGE_MAX, &len), DEBUG_OK);
        return len;
}

/* Signs f->t with k into f->tok. */
static void sign_with(struct fixture *f, const struct keypair *k) {
        struct error err = { 0 };
        assert_int_equal(debug_token_sign(k->priv, k->pub, &f->t, f->tok, sizeof(f->tok), &f->tok_len, &err), 0);
}

static enum debug_status verify(struct fixture *f) {
        return debug_token_verify(f->tok, f->tok_len, &f->dev, &f->anchor, NULL);
}

static int setup(void **state) {
        struct fixture *f = calloc(1, sizeof(*f));
        struct error err = { 0 };
        keypair_make(&f->key, GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1));
        keypair_make(&f->other, GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1));
        keypair_make(&f->ed, GNUTLS_PK_EDDSA_ED25519, 256);
        assert_int_equal(debug_anchor_from_pubkey(f->key.pub, &f->anchor, &err), 0);
        for (size_t i = 0; i < sizeof(f->nonce); i++)
                f->nonce[i] = (uint8_t) (i * 7 + 1);
        f->challenge_len = challenge_make(f->challenge, f->nonce, SERIAL, UID, DEBUG_SCOPE_UART | DEBUG_SCOPE_JTAG, 5);
        f->anchor.sha256(f->challenge, f->challenge_len, f->hash);
        memset(f->token_id, 0x42, sizeof(f->token_id));
        f->dev = (struct debug_device) {
                .challenge = f->challenge, .challenge_len = f->challenge_len, .serial = SERIAL,
                .uid = (const uint8_t *) UID, .uid_len = strlen(UID), .security_version = 5, .now = NOW,
        };
        f->t = (struct debug_token) {
                .token_id = { f->token_id, sizeof(f->token_id) },
                .challenge_hash = { f->hash, sizeof(f->hash) },
                .serial = { (const uint8_t *) SERIAL, strlen(SERIAL) },
                .uid = { (const uint8_t *) UID, strlen(UID) },
                .scope = DEBUG_SCOPE_UART,
                .not_before = NOW - 60,
                .not_after = NOW - 60 + 86400,
                .security_floor = 5,
                .approvers = { (const uint8_t *) "alice,bob", 9 },
        };
        sign_with(f, &f->key);
        *state = f;
        return 0;
}

static int teardown(void **state) {
        struct fixture *f = *state;
        keypair_free(&f->key);
        keypair_free(&f->other);
        keypair_free(&f->ed);
        free(f);
        return 0;
}

static void test_valid(void **state) {
        struct fixture *f = *state;
        struct debug_token out;
        assert_int_equal(debug_token_verify(f->tok, f->tok_len, &f->dev, &f->anchor, &out), DEBUG_OK);
        assert_int_equal(out.scope, DEBUG_SCOPE_UART);
        assert_int_equal(out.not_before, NOW - 60);
        assert_memory_equal(out.approvers.p, "alice,bob", 9);
        assert_string_equal(debug_status_string(DEBUG_OK), "valid");
}

static void test_ed25519(void **state) {
        struct fixture *f = *state;
        struct error err = { 0 };
        assert_int_equal(debug_anchor_from_pubkey(f->ed.pub, &f->anchor, &err), 0);
        sign_with(f, &f->ed);
        assert_int_equal(verify(f), DEBUG_OK);
        /* The ECDSA anchor does not accept it. */
        assert_int_equal(debug_anchor_from_pubkey(f->key.pub, &f->anchor, &err), 0);
        assert_int_equal(verify(f), DEBUG_ERR_KEY);
}

static void test_another_device_serial(void **state) {
        struct fixture *f = *state;
        f->dev.serial = "SN-0002";
        assert_int_equal(verify(f), DEBUG_ERR_DEVICE);
}

static void test_another_device_uid(void **state) {
        struct fixture *f = *state;
        f->dev.uid = (const uint8_t *) "0123456789abcdee";
        assert_int_equal(verify(f), DEBUG_ERR_DEVICE);
}

/* The device's own challenge, but a token naming another serial or unique id
 * (a signer's mistake, or a token meant for a twin device). */
static void test_token_names_another_serial(void **state) {
        struct fixture *f = *state;
        f->t.serial = (struct debug_bytes) { (const uint8_t *) "SN-0002", 7 };
        sign_with(f, &f->key);
        assert_int_equal(verify(f), DEBUG_ERR_DEVICE);
}

static void test_token_names_another_uid(void **state) {
        struct fixture *f = *state;
        f->t.uid = (struct debug_bytes) { (const uint8_t *) "0123456789abcdee", 16 };
        sign_with(f, &f->key);
        assert_int_equal(verify(f), DEBUG_ERR_DEVICE);
}

/* A challenge naming the device's serial but another unique id. */
static void test_challenge_of_another_uid(void **state) {
        struct fixture *f = *state;
        f->challenge_len = challenge_make(f->challenge, f->nonce, SERIAL, "0123456789abcdee", DEBUG_SCOPE_UART, 5);
        f->dev.challenge_len = f->challenge_len;
        f->anchor.sha256(f->challenge, f->challenge_len, f->hash);
        sign_with(f, &f->key);
        assert_int_equal(verify(f), DEBUG_ERR_DEVICE);
}

/* A token naming the device, for the device's challenge, but the challenge
 * itself names another device (a challenge copied from elsewhere). */
static void test_challenge_of_another_device(void **state) {
        struct fixture *f = *state;
        f->challenge_len = challenge_make(f->challenge, f->nonce, "SN-0009", UID, DEBUG_SCOPE_UART, 5);
        f->dev.challenge_len = f->challenge_len;
        f->anchor.sha256(f->challenge, f->challenge_len, f->hash);
        sign_with(f, &f->key);
        assert_int_equal(verify(f), DEBUG_ERR_DEVICE);
}

static void test_another_challenge(void **state) {
        struct fixture *f = *state;
        uint8_t other[DEBUG_CHALLENGE_MAX];
        uint8_t nonce[DEBUG_NONCE_LEN];
        memcpy(nonce, f->nonce, sizeof(nonce));
        nonce[0] ^= 1;
        f->dev.challenge = other;
        f->dev.challenge_len = challenge_make(other, nonce, SERIAL, UID, DEBUG_SCOPE_UART | DEBUG_SCOPE_JTAG, 5);
        assert_int_equal(verify(f), DEBUG_ERR_CHALLENGE);
}

static void test_expired(void **state) {
        struct fixture *f = *state;
        f->dev.now = f->t.not_after + 1;
        assert_int_equal(verify(f), DEBUG_ERR_EXPIRED);
        f->dev.now = f->t.not_after; /* the last second is inside */
        assert_int_equal(verify(f), DEBUG_OK);
}

static void test_not_yet_valid(void **state) {
        struct fixture *f = *state;
        f->dev.now = f->t.not_before - 1;
        assert_int_equal(verify(f), DEBUG_ERR_NOT_YET_VALID);
}

static void test_window_too_long(void **state) {
        struct fixture *f = *state;
        f->t.not_after = f->t.not_before + 86400 + 1;
        sign_with(f, &f->key);
        assert_int_equal(verify(f), DEBUG_ERR_WINDOW);
        f->dev.max_validity = 2 * 86400; /* a device that accepts longer */
        assert_int_equal(verify(f), DEBUG_OK);
        f->t.not_after = f->t.not_before - 1;
        sign_with(f, &f->key);
        assert_int_equal(verify(f), DEBUG_ERR_WINDOW);
}

static void test_wrong_scope(void **state) {
        struct fixture *f = *state;
        f->t.scope = DEBUG_SCOPE_UART | DEBUG_SCOPE_ROOT_SHELL; /* root shell was not requested */
        sign_with(f, &f->key);
        assert_int_equal(verify(f), DEBUG_ERR_SCOPE);
        f->t.scope = DEBUG_SCOPE_UART | DEBUG_SCOPE_JTAG; /* all that was requested */
        sign_with(f, &f->key);
        assert_int_equal(verify(f), DEBUG_OK);
}

static void test_security_version(void **state) {
        struct fixture *f = *state;
        f->dev.security_version = 4; /* rolled back below the version the token was issued for */
        assert_int_equal(verify(f), DEBUG_ERR_SECURITY_VERSION);
}

static void test_wrong_key(void **state) {
        struct fixture *f = *state;
        sign_with(f, &f->other);
        assert_int_equal(verify(f), DEBUG_ERR_KEY);
}

/* Another key's signature under the anchor's key id. */
static void test_forged_key_id(void **state) {
        struct fixture *f = *state;
        uint8_t sig_tok[DEBUG_TOKEN_MAX];
        size_t sig_len;
        struct debug_token parsed;
        sign_with(f, &f->other);
        memcpy(sig_tok, f->tok, f->tok_len);
        sig_len = f->tok_len;
        assert_int_equal(debug_token_parse(sig_tok, sig_len, &parsed), DEBUG_OK);
        memcpy((uint8_t *) parsed.key_id.p, f->anchor.key_id, DEBUG_KEY_ID_LEN);
        memcpy(f->tok, sig_tok, sig_len);
        assert_int_equal(verify(f), DEBUG_ERR_SIGNATURE);
}

static void test_tampered(void **state) {
        struct fixture *f = *state;
        struct debug_token parsed;
        assert_int_equal(debug_token_parse(f->tok, f->tok_len, &parsed), DEBUG_OK);
        ((uint8_t *) parsed.approvers.p)[0] = 'm'; /* "mlice,bob" */
        assert_int_equal(verify(f), DEBUG_ERR_SIGNATURE);
}

static void test_replayed(void **state) {
        struct fixture *f = *state;
        assert_int_equal(verify(f), DEBUG_OK);
        /* The device erased its outstanding challenge after that verify. */
        f->dev.challenge = NULL;
        f->dev.challenge_len = 0;
        assert_int_equal(verify(f), DEBUG_ERR_NO_CHALLENGE);
}

static void test_truncated(void **state) {
        struct fixture *f = *state;
        assert_int_equal(verify(f), DEBUG_OK);
        for (size_t n = 1; n < f->tok_len; n++) {
                f->dev.challenge = f->challenge;
                enum debug_status st = debug_token_verify(f->tok, n, &f->dev, &f->anchor, NULL);
                if (st != DEBUG_ERR_TRUNCATED)
                        fail_msg("prefix of %zu bytes: %s", n, debug_status_string(st));
        }
        f->tok_len = 0;
        assert_int_equal(verify(f), DEBUG_ERR_SIZE);
}

static void test_trailing(void **state) {
        struct fixture *f = *state;
        f->tok[f->tok_len++] = 0;
        assert_int_equal(verify(f), DEBUG_ERR_TRAILING);
}

static void test_bad_lengths(void **state) {
        struct fixture *f = *state;
        /* The key id field (after magic and version) claims 31 bytes. */
        size_t off = DEBUG_MAGIC_LEN + 3 + 1;
        assert_int_equal(f->tok[off], DEBUG_TAG_KEY_ID);
        f->tok[off + 2] = DEBUG_KEY_ID_LEN - 1;
        assert_int_equal(verify(f), DEBUG_ERR_LENGTH);
        /* ...or 65535 bytes. */
        f->tok[off + 1] = 0xff;
        f->tok[off + 2] = 0xff;
        assert_int_equal(verify(f), DEBUG_ERR_LENGTH);
        /* The signature claims more bytes than there are. */
        struct fixture g = *f;
        sign_with(&g, &g.key);
        struct debug_token parsed;
        assert_int_equal(debug_token_parse(g.tok, g.tok_len, &parsed), DEBUG_OK);
        g.tok[parsed.signed_len + 2] = (uint8_t) (parsed.signature.n + 1);
        assert_int_equal(debug_token_verify(g.tok, g.tok_len, &g.dev, &g.anchor, NULL), DEBUG_ERR_TRUNCATED);
        /* An empty approvers field. */
        f->t.approvers.n = 0;
        size_t len;
        assert_int_equal(debug_token_encode_tbs(&f->t, f->tok, sizeof(f->tok), &len), DEBUG_ERR_LENGTH);
}

static void test_version(void **state) {
        struct fixture *f = *state;
        f->tok[DEBUG_MAGIC_LEN + 3] = 2;
        assert_int_equal(verify(f), DEBUG_ERR_VERSION);
}

static void test_magic(void **state) {
        struct fixture *f = *state;
        /* A challenge is not a token. */
        assert_int_equal(debug_token_verify(f->challenge, f->challenge_len, &f->dev, &f->anchor, NULL),
                         DEBUG_ERR_MAGIC);
        struct debug_challenge c;
        assert_int_equal(debug_challenge_parse(f->tok, f->tok_len, &c), DEBUG_ERR_MAGIC);
}

static void test_tag_order(void **state) {
        struct fixture *f = *state;
        size_t off = DEBUG_MAGIC_LEN + 3 + 1;
        f->tok[off] = DEBUG_TAG_TOKEN_ID; /* a field where the key id belongs */
        assert_int_equal(verify(f), DEBUG_ERR_TAG);
}

static void test_too_large(void **state) {
        struct fixture *f = *state;
        uint8_t big[DEBUG_TOKEN_MAX + 1];
        memcpy(big, f->tok, f->tok_len);
        assert_int_equal(debug_token_verify(big, sizeof(big), &f->dev, &f->anchor, NULL), DEBUG_ERR_SIZE);
}

static void test_challenge_parse(void **state) {
        struct fixture *f = *state;
        struct debug_challenge c;
        assert_int_equal(debug_challenge_parse(f->challenge, f->challenge_len, &c), DEBUG_OK);
        assert_int_equal(c.scope, DEBUG_SCOPE_UART | DEBUG_SCOPE_JTAG);
        assert_int_equal(c.security_version, 5);
        assert_int_equal(c.nonce.n, DEBUG_NONCE_LEN);
        for (size_t n = 1; n < f->challenge_len; n++)
                assert_int_equal(debug_challenge_parse(f->challenge, n, &c), DEBUG_ERR_TRUNCATED);
        /* An unknown scope bit (the scope field's last byte is 5 + 8 bytes before the end). */
        uint8_t b[DEBUG_CHALLENGE_MAX];
        memcpy(b, f->challenge, f->challenge_len);
        b[f->challenge_len - 12] |= 0x80;
        assert_int_equal(debug_challenge_parse(b, f->challenge_len, &c), DEBUG_ERR_VALUE);
        /* An empty scope. */
        b[f->challenge_len - 12] = 0;
        assert_int_equal(debug_challenge_parse(b, f->challenge_len, &c), DEBUG_ERR_VALUE);
        /* A nonce under 128 bits cannot even be encoded. */
        struct debug_challenge shortc = {
                .nonce = { f->nonce, DEBUG_NONCE_MIN - 1 }, .serial = { (const uint8_t *) "x", 1 },
                .uid = { (const uint8_t *) "y", 1 }, .scope = DEBUG_SCOPE_JTAG,
        };
        size_t len;
        assert_int_equal(debug_challenge_encode(&shortc, b, sizeof(b), &len), DEBUG_ERR_LENGTH);
        /* A control byte in the serial. */
        memcpy(b, f->challenge, f->challenge_len);
        b[DEBUG_MAGIC_LEN + 4 + 3 + DEBUG_NONCE_LEN + 3] = '\n';
        assert_int_equal(debug_challenge_parse(b, f->challenge_len, &c), DEBUG_ERR_VALUE);
}

static void test_scope_names(void **state) {
        uint32_t s = 0;
        char buf[64];
        (void) state;
        assert_int_equal(debug_scope_parse("jtag,uart-console,root-shell,factory-unlock", &s), 0);
        assert_int_equal(s, DEBUG_SCOPE_ALL);
        debug_scope_format(s, buf, sizeof(buf));
        assert_string_equal(buf, "jtag,uart-console,root-shell,factory-unlock");
        assert_int_equal(debug_scope_parse("uart", &s), -1);
        assert_int_equal(debug_scope_parse("", &s), -1);
        assert_int_equal(debug_scope_parse("jtag,", &s), -1);
        assert_string_equal(debug_status_string(_DEBUG_STATUS_MAX), "unknown status");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void) {
        const struct CMUnitTest tests[] = {
                T(test_valid), T(test_ed25519), T(test_another_device_serial), T(test_another_device_uid),
                T(test_challenge_of_another_device), T(test_token_names_another_serial),
                T(test_token_names_another_uid), T(test_challenge_of_another_uid), T(test_another_challenge), T(test_expired),
                T(test_not_yet_valid), T(test_window_too_long), T(test_wrong_scope), T(test_security_version),
                T(test_wrong_key), T(test_forged_key_id), T(test_tampered), T(test_replayed), T(test_truncated),
                T(test_trailing), T(test_bad_lengths), T(test_version), T(test_magic), T(test_tag_order),
                T(test_too_large), T(test_challenge_parse), T(test_scope_names),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The OpenPGP wrapper against GnuPG itself: the keyring directory and its
 * mode, key generation, import and export, detached signatures that `gpg
 * --verify` accepts (and refuses once the data changes), a message gpg
 * encrypted to the contact key recognised as armour, and each way armour
 * can be wrong.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/cleanup.h"
#include "core/fileio.h"
#include "core/strutil.h"
#include "crypto/encoding.h"
#include "pgp/pgp.h"

struct fx {
        char dir[64];
        char *home;     /* the keyring under test */
        char *vhome;    /* a second keyring, gpg's, that only verifies */
        struct pgp *p;
        char *fpr;      /* a signing key in home */
};

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        char *cmd = NULL;
        assert_true(vasprintf(&cmd, fmt, ap) > 0);
        va_end(ap);
        int rc = system(cmd);
        free(cmd);
        return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static void put(const char *dir, const char *name, const char *data, size_t len) {
        _cleanup_free_ char *path = path_join(dir, name);
        assert_int_equal(file_write_atomic(path, data, len, 0600, NULL), 0);
}

static int setup(void **state) {
        struct fx *f = xcalloc(1, sizeof *f);
        strcpy(f->dir, "/tmp/cradle-pgp-XXXXXX");
        assert_non_null(mkdtemp(f->dir));
        f->home = pgp_home_path(f->dir);
        f->vhome = path_join(f->dir, "verifier");
        struct error err = { 0 };
        assert_int_equal(pgp_open(f->home, &f->p, &err), 0);
        assert_int_equal(pgp_key_generate(f->p, "Acme PSIRT <psirt@acme.example>", PGP_KEY_SIGN, 0,
                                          &f->fpr, &err), 0);
        *state = f;
        return 0;
}

static int teardown(void **state) {
        struct fx *f = *state;
        pgp_close(f->p);
        /* gpg-agent was started for each home; stop them before removing it. */
        sh("gpgconf --homedir '%s' --kill gpg-agent >/dev/null 2>&1", f->home);
        sh("test -d '%s' && gpgconf --homedir '%s' --kill gpg-agent >/dev/null 2>&1", f->vhome, f->vhome);
        sh("rm -rf '%s'", f->dir);
        free(f->home);
        free(f->vhome);
        free(f->fpr);
        free(f);
        return 0;
}

static void test_home_created_private(void **state) {
        struct fx *f = *state;
        struct stat st;
        assert_int_equal(stat(f->home, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0700);
        /* a home others can open is refused, naming it */
        _cleanup_free_ char *open_home = path_join(f->dir, "open");
        assert_int_equal(mkdir(open_home, 0755), 0);
        assert_int_equal(chmod(open_home, 0755), 0);
        struct pgp *p = NULL;
        struct error err = { 0 };
        assert_int_equal(pgp_open(open_home, &p, &err), -1);
        assert_int_equal(err.kind, ERROR_INVALID);
        assert_non_null(strstr(err.msg, "open"));
        assert_null(p);
        assert_int_equal(chmod(open_home, 0700), 0);
        assert_int_equal(pgp_open(open_home, &p, &err), 0);
        pgp_close(p);
}

static void test_fingerprint_and_find(void **state) {
        struct fx *f = *state;
        assert_int_equal(strlen(f->fpr), 40);
        bool present, secret;
        assert_int_equal(pgp_key_has(f->p, f->fpr, &present, &secret, NULL), 0);
        assert_true(present && secret);
        _cleanup_free_ char *found = NULL;
        assert_int_equal(pgp_key_find_secret(f->p, "psirt@acme.example", &found, NULL), 0);
        assert_string_equal(found, f->fpr);
        free(steal_ptr(found));
        assert_int_equal(pgp_key_find_secret(f->p, "nobody@else.example", &found, NULL), 0);
        assert_null(found);
        struct error err = { 0 };
        assert_int_equal(pgp_key_has(f->p, "not-a-fingerprint", &present, &secret, &err), -1);
        assert_int_equal(err.kind, ERROR_INVALID);
}

static void test_sign_verified_by_gpg(void **state) {
        struct fx *f = *state;
        static const char doc[] = "{\"document\":{\"category\":\"csaf_security_advisory\"}}\n";
        _cleanup_free_ char *sig = NULL, *pub = NULL;
        size_t sig_len = 0, pub_len = 0;
        struct error err = { 0 };
        assert_int_equal(pgp_sign_detached(f->p, f->fpr, doc, sizeof doc - 1, &sig, &sig_len, &err), 0);
        assert_true(str_startswith(sig, "-----BEGIN PGP SIGNATURE-----"));
        assert_int_equal(pgp_armour_check(sig, sig_len, PGP_ARMOUR_SIGNATURE, NULL, &err), 0);
        assert_int_equal(pgp_key_export_public(f->p, f->fpr, &pub, &pub_len, &err), 0);
        assert_true(str_startswith(pub, "-----BEGIN PGP PUBLIC KEY BLOCK-----"));
        assert_null(strstr(pub, "PRIVATE"));
        assert_int_equal(pgp_armour_check(pub, pub_len, PGP_ARMOUR_PUBLIC_KEY, NULL, &err), 0);

        put(f->dir, "doc.json", doc, sizeof doc - 1);
        put(f->dir, "doc.json.asc", sig, sig_len);
        put(f->dir, "key.asc", pub, pub_len);
        assert_int_equal(sh("mkdir -m 700 '%s' && gpg -q --batch --homedir '%s' --import '%s/key.asc' 2>/dev/null",
                            f->vhome, f->vhome, f->dir), 0);
        /* gpg names the key by fingerprint in its status output */
        assert_int_equal(sh("gpg --batch --homedir '%s' --status-fd 1 --verify '%s/doc.json.asc' '%s/doc.json' "
                            "2>/dev/null | grep -q 'VALIDSIG %s'", f->vhome, f->dir, f->dir, f->fpr), 0);
        /* SHA-512 (digest algo 10), as the keyring's gpg.conf asks */
        assert_int_equal(sh("gpg --batch --homedir '%s' --list-packets '%s/doc.json.asc' 2>/dev/null "
                            "| grep -q 'digest algo 10'", f->vhome, f->dir), 0);
        /* one changed byte and gpg refuses it */
        put(f->dir, "doc.json", "{\"document\":{\"category\":\"csaf_security_advisorY\"}}\n", sizeof doc - 1);
        assert_int_not_equal(sh("gpg -q --batch --homedir '%s' --verify '%s/doc.json.asc' '%s/doc.json' 2>/dev/null",
                                f->vhome, f->dir, f->dir), 0);

        /* the wrapper's own verification agrees both ways */
        assert_int_equal(pgp_verify_detached(f->p, f->fpr, doc, sizeof doc - 1, sig, sig_len, &err), 0);
        assert_int_equal(pgp_verify_detached(f->p, f->fpr, doc, sizeof doc - 2, sig, sig_len, &err), -1);
        assert_int_equal(err.kind, ERROR_INVALID);
}

static void test_sign_refusals(void **state) {
        struct fx *f = *state;
        _cleanup_free_ char *sig = NULL;
        struct error err = { 0 };
        assert_int_equal(pgp_sign_detached(f->p, "0123456789ABCDEF0123456789ABCDEF01234567", "x", 1, &sig,
                                           NULL, &err), -1);
        assert_int_equal(err.kind, ERROR_NOT_FOUND);
        assert_non_null(strstr(err.msg, "0123456789ABCDEF0123456789ABCDEF01234567"));
        assert_int_equal(pgp_sign_detached(f->p, "ABC", "x", 1, &sig, NULL, &err), -1);
        assert_int_equal(err.kind, ERROR_INVALID);
        assert_null(sig);
}

/* A keyring with only the public key verifies but cannot sign. */
static void test_import_public_only(void **state) {
        struct fx *f = *state;
        _cleanup_free_ char *pub = NULL, *fpr = NULL, *sig = NULL;
        size_t pub_len = 0, sig_len = 0;
        struct error err = { 0 };
        assert_int_equal(pgp_key_export_public(f->p, f->fpr, &pub, &pub_len, &err), 0);
        assert_int_equal(pgp_sign_detached(f->p, f->fpr, "abc", 3, &sig, &sig_len, &err), 0);

        _cleanup_free_ char *home2 = path_join(f->dir, "pubonly");
        struct pgp *p2 = NULL;
        assert_int_equal(pgp_open(home2, &p2, &err), 0);
        assert_int_equal(pgp_key_import(p2, pub, pub_len, &fpr, &err), 0);
        assert_string_equal(fpr, f->fpr);
        bool present, secret;
        assert_int_equal(pgp_key_has(p2, fpr, &present, &secret, &err), 0);
        assert_true(present);
        assert_false(secret);
        assert_int_equal(pgp_verify_detached(p2, fpr, "abc", 3, sig, sig_len, &err), 0);
        _cleanup_free_ char *sig2 = NULL;
        assert_int_equal(pgp_sign_detached(p2, fpr, "abc", 3, &sig2, NULL, &err), -1);
        assert_int_equal(err.kind, ERROR_NOT_FOUND);
        /* nothing that is a key */
        free(steal_ptr(fpr));
        assert_int_equal(pgp_key_import(p2, "hello", 5, &fpr, &err), -1);
        assert_int_equal(err.kind, ERROR_INVALID);
        assert_null(fpr);
        pgp_close(p2);
        sh("gpgconf --homedir '%s' --kill gpg-agent >/dev/null 2>&1", home2);
}

/* Two keys in one import are refused: the fingerprint returned must be the
 * one key the caller meant. */
static void test_import_two_keys_refused(void **state) {
        struct fx *f = *state;
        struct error err = { 0 };
        _cleanup_free_ char *fpr2 = NULL, *both = NULL, *fpr = NULL;
        assert_int_equal(pgp_key_generate(f->p, "Second <two@acme.example>", PGP_KEY_SIGN, 86400, &fpr2, &err), 0);
        assert_string_not_equal(fpr2, f->fpr);
        /* a good signature by another key of the same keyring is not the key's */
        _cleanup_free_ char *sig = NULL;
        size_t sig_len = 0;
        assert_int_equal(pgp_sign_detached(f->p, fpr2, "abc", 3, &sig, &sig_len, &err), 0);
        assert_int_equal(pgp_verify_detached(f->p, fpr2, "abc", 3, sig, sig_len, &err), 0);
        assert_int_equal(pgp_verify_detached(f->p, f->fpr, "abc", 3, sig, sig_len, &err), -1);
        assert_non_null(strstr(err.msg, "not made by key"));
        _cleanup_free_ char *a = NULL, *b = NULL;
        size_t al = 0, bl = 0;
        assert_int_equal(pgp_key_export_public(f->p, f->fpr, &a, &al, &err), 0);
        assert_int_equal(pgp_key_export_public(f->p, fpr2, &b, &bl, &err), 0);
        both = str_printf("%s%s", a, b);
        _cleanup_free_ char *home2 = path_join(f->dir, "two");
        struct pgp *p2 = NULL;
        assert_int_equal(pgp_open(home2, &p2, &err), 0);
        assert_int_equal(pgp_key_import(p2, both, strlen(both), &fpr, &err), -1);
        assert_int_equal(err.kind, ERROR_INVALID);
        assert_non_null(strstr(err.msg, "more than one"));
        pgp_close(p2);
        sh("gpgconf --homedir '%s' --kill gpg-agent >/dev/null 2>&1", home2);
}

/* The CVD contact key: gpg encrypts to it, the armour check recognises the
 * message as encrypted. */
static void test_contact_key_encrypt(void **state) {
        struct fx *f = *state;
        _cleanup_free_ char *fpr = NULL, *pub = NULL, *msg = NULL;
        size_t pub_len = 0, msg_len = 0;
        struct error err = { 0 };
        assert_int_equal(pgp_key_generate(f->p, "Acme CVD <security@acme.example>", PGP_KEY_SIGN_ENCRYPT, 0,
                                          &fpr, &err), 0);
        assert_int_equal(pgp_key_export_public(f->p, fpr, &pub, &pub_len, &err), 0);
        _cleanup_free_ char *vh = path_join(f->dir, "reporter");
        put(f->dir, "cvd.asc", pub, pub_len);
        assert_int_equal(sh("mkdir -m 700 '%s' && gpg -q --batch --homedir '%s' --import '%s/cvd.asc' 2>/dev/null && "
                            "echo 'the login page takes any password' | gpg -q --batch --homedir '%s' "
                            "--trust-model always --armor -r %s --encrypt > '%s/msg.asc' 2>/dev/null",
                            vh, vh, f->dir, vh, fpr, f->dir), 0);
        sh("gpgconf --homedir '%s' --kill gpg-agent >/dev/null 2>&1", vh);
        _cleanup_free_ char *path = path_join(f->dir, "msg.asc");
        assert_int_equal(file_read_all(path, 1 << 20, &msg, &msg_len, &err), 0);
        struct pgp_armour_info info;
        assert_int_equal(pgp_armour_check(msg, msg_len, PGP_ARMOUR_MESSAGE, &info, &err), 0);
        assert_true(info.encrypted);
        assert_int_equal(info.first_tag, 1);
        /* a message is not a key, nor a signature */
        assert_int_equal(pgp_armour_check(msg, msg_len, PGP_ARMOUR_PUBLIC_KEY, NULL, &err), -1);
        assert_int_equal(pgp_armour_check(msg, msg_len, PGP_ARMOUR_SIGNATURE, NULL, &err), -1);
}

/* Armour built here around known packet bytes, so that each negative case
 * below changes one thing. */
static uint32_t crc24(const uint8_t *d, size_t n) {
        uint32_t crc = 0xB704CEu;
        for (size_t i = 0; i < n; i++) {
                crc ^= (uint32_t) d[i] << 16;
                for (int b = 0; b < 8; b++) {
                        crc <<= 1;
                        if (crc & 0x1000000u)
                                crc ^= 0x1864CFBu;
                }
        }
        return crc & 0xFFFFFFu;
}

/* tag 3 (symmetric session key), new format, 13 body bytes */
static const uint8_t skesk[] = {0xC3, 0x0D, 0x04, 0x09, 0x03, 0x02, 0xA3, 0xDF, 0x99, 0x75,
                                0x7D, 0xF3, 0xF0, 0x34, 0xFF};

static char *armour(const char *kind, const uint8_t *d, size_t n, bool crc) {
        _cleanup_free_ char *b64 = base64_encode(d, n);
        uint32_t c = crc24(d, n);
        uint8_t cb[3] = {(uint8_t) (c >> 16), (uint8_t) (c >> 8), (uint8_t) c};
        _cleanup_free_ char *c64 = base64_encode(cb, 3);
        return str_printf("-----BEGIN PGP %s-----\r\nComment: made in a test\r\n\r\n%s\r\n%s%s%s"
                          "-----END PGP %s-----\r\n\r\n", kind, b64, crc ? "=" : "", crc ? c64 : "",
                          crc ? "\r\n" : "", kind);
}

static int check(const char *text, enum pgp_armour_kind kind, struct error *err) {
        error_clear(err);
        return pgp_armour_check(text, strlen(text), kind, NULL, err);
}

static void test_armour_good(void **state) {
        (void) state;
        struct error err = { 0 };
        _cleanup_free_ char *a = armour("MESSAGE", skesk, sizeof skesk, true);
        struct pgp_armour_info info;
        assert_int_equal(pgp_armour_check(a, strlen(a), PGP_ARMOUR_MESSAGE, &info, &err), 0);
        assert_int_equal(info.first_tag, 3);
        assert_true(info.encrypted);
        assert_int_equal(info.body_len, sizeof skesk);
        _cleanup_free_ char *b = armour("MESSAGE", skesk, sizeof skesk, false);
        assert_int_equal(check(b, PGP_ARMOUR_MESSAGE, &err), 0);
        /* a literal-data message is a message, not an encrypted one (old format, tag 11) */
        static const uint8_t lit[] = {0xAC, 0x04, 'b', 0x00, 'h', 'i'};
        _cleanup_free_ char *c = armour("MESSAGE", lit, sizeof lit, true);
        assert_int_equal(pgp_armour_check(c, strlen(c), PGP_ARMOUR_MESSAGE, &info, &err), 0);
        assert_false(info.encrypted);
}

static void replace_once(char **s, const char *from, const char *to) {
        char *at = strstr(*s, from);
        assert_non_null(at);
        char *n = str_printf("%.*s%s%s", (int) (at - *s), *s, to, at + strlen(from));
        free(*s);
        *s = n;
}

static void expect_bad(char *text, enum pgp_armour_kind kind, const char *why) {
        struct error err = { 0 };
        int rc = check(text, kind, &err);
        if (rc != -1 || !strstr(err.msg, why))
                fail_msg("expected '%s', got rc %d '%s' for:\n%s", why, rc, err.msg, text);
        free(text);
}

static void test_armour_bad(void **state) {
        (void) state;
        char *a;
        a = armour("MESSAGE", skesk, sizeof skesk, true);
        expect_bad(a, PGP_ARMOUR_SIGNATURE, "expected '-----BEGIN PGP SIGNATURE-----'");
        a = armour("MESSAGE", skesk, sizeof skesk, true);
        replace_once(&a, "-----BEGIN PGP MESSAGE-----", "-----BEGIN PGP MESSAGE----");
        expect_bad(a, PGP_ARMOUR_MESSAGE, "expected '-----BEGIN");
        a = armour("MESSAGE", skesk, sizeof skesk, true);
        replace_once(&a, "Comment: made in a test\r\n\r\n", "Comment: made in a test\r\n");
        expect_bad(a, PGP_ARMOUR_MESSAGE, "not an armour header");
        a = armour("MESSAGE", skesk, sizeof skesk, true);
        replace_once(&a, "Comment: made", "Comment made");
        expect_bad(a, PGP_ARMOUR_MESSAGE, "not an armour header");
        a = armour("MESSAGE", skesk, sizeof skesk, true);
        replace_once(&a, "ECQMCo", "ECQ<Co");
        expect_bad(a, PGP_ARMOUR_MESSAGE, "'<' is not base64");
        a = armour("MESSAGE", skesk, sizeof skesk, true);
        replace_once(&a, "ECQMCo", "ECQMCp");
        expect_bad(a, PGP_ARMOUR_MESSAGE, "checksum does not match");
        a = armour("MESSAGE", skesk, sizeof skesk, false);
        replace_once(&a, "-----END PGP MESSAGE-----", "-----END PGP SIGNATURE-----");
        expect_bad(a, PGP_ARMOUR_MESSAGE, "expected '-----END PGP MESSAGE-----'");
        a = armour("MESSAGE", skesk, sizeof skesk, false);
        replace_once(&a, "-----END PGP MESSAGE-----\r\n\r\n", "");
        expect_bad(a, PGP_ARMOUR_MESSAGE, "no '-----END PGP MESSAGE-----' line");
        a = armour("MESSAGE", skesk, sizeof skesk, true);
        replace_once(&a, "-----END PGP MESSAGE-----\r\n", "-----END PGP MESSAGE-----\r\n<script>\r\n");
        expect_bad(a, PGP_ARMOUR_MESSAGE, "text after the END line");
        /* a truncated packet (no checksum to catch it) */
        a = armour("MESSAGE", skesk, sizeof skesk - 3, false);
        expect_bad(a, PGP_ARMOUR_MESSAGE, "truncated");
        /* a packet that is not one (bit 7 clear), and the reserved tag 0 */
        static const uint8_t notpkt[] = {0x41, 0x42, 0x43};
        a = armour("MESSAGE", notpkt, sizeof notpkt, true);
        expect_bad(a, PGP_ARMOUR_MESSAGE, "does not start with an OpenPGP packet");
        static const uint8_t tag0[] = {0xC0, 0x01, 0x00};
        a = armour("MESSAGE", tag0, sizeof tag0, true);
        expect_bad(a, PGP_ARMOUR_MESSAGE, "tag 0 is reserved");
        /* a key block armoured as a message */
        static const uint8_t pubkey[] = {0xC6, 0x01, 0x04};
        a = armour("MESSAGE", pubkey, sizeof pubkey, true);
        expect_bad(a, PGP_ARMOUR_MESSAGE, "cannot start with packet tag 6");
        /* no data at all */
        expect_bad(str_dup("-----BEGIN PGP MESSAGE-----\n\n-----END PGP MESSAGE-----\n"), PGP_ARMOUR_MESSAGE,
                   "no data between");
        /* a line over 76 characters */
        uint8_t big[120];
        memcpy(big, skesk, sizeof skesk);
        big[1] = (uint8_t) (sizeof big - 2);
        for (size_t i = sizeof skesk; i < sizeof big; i++)
                big[i] = (uint8_t) i;
        a = armour("MESSAGE", big, sizeof big, true);
        expect_bad(a, PGP_ARMOUR_MESSAGE, "longer than 76");
        /* too many headers */
        a = armour("MESSAGE", skesk, sizeof skesk, true);
        struct buf h = { 0 };
        for (int i = 0; i <= PGP_ARMOUR_MAX_HEADERS; i++)
                buf_appendf(&h, "Comment: %d\n", i);
        buf_appendf(&h, "Comment: made in a test");
        _cleanup_free_ char *hs = buf_steal(&h);
        replace_once(&a, "Comment: made in a test", hs);
        expect_bad(a, PGP_ARMOUR_MESSAGE, "more than 16 headers");
        /* empty, a NUL, and over the size limit */
        struct error err = { 0 };
        assert_int_equal(pgp_armour_check("", 0, PGP_ARMOUR_MESSAGE, NULL, &err), -1);
        assert_int_equal(err.kind, ERROR_INVALID);
        a = armour("MESSAGE", skesk, sizeof skesk, true);
        size_t alen = strlen(a);
        a[10] = '\0';
        assert_int_equal(pgp_armour_check(a, alen, PGP_ARMOUR_MESSAGE, NULL, &err), -1);
        assert_non_null(strstr(err.msg, "NUL"));
        free(a);
        assert_int_equal(pgp_armour_check("x", PGP_ARMOUR_MAX + 1, PGP_ARMOUR_MESSAGE, NULL, &err), -1);
        assert_int_equal(err.kind, ERROR_TOO_LARGE);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_home_created_private, setup, teardown),
                cmocka_unit_test_setup_teardown(test_fingerprint_and_find, setup, teardown),
                cmocka_unit_test_setup_teardown(test_sign_verified_by_gpg, setup, teardown),
                cmocka_unit_test_setup_teardown(test_sign_refusals, setup, teardown),
                cmocka_unit_test_setup_teardown(test_import_public_only, setup, teardown),
                cmocka_unit_test_setup_teardown(test_import_two_keys_refused, setup, teardown),
                cmocka_unit_test_setup_teardown(test_contact_key_encrypt, setup, teardown),
                cmocka_unit_test(test_armour_good),
                cmocka_unit_test(test_armour_bad),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: Apache-2.0 */
#include "testutil-pki.h"
#include "testutil-softhsm.h"

#include "core/time.h"
#include "pki/crl.h"
#include "crypto/encoding.h"
#include <ctype.h>

#define NOW 1790000000 /* 2026-09-21 */

static void test_reason_names(void **state) {
        (void) state;
        const char *names[] = {"unspecified", "keyCompromise", "cACompromise", "affiliationChanged", "superseded",
                               "cessationOfOperation", "certificateHold", NULL, "removeFromCRL",
                               "privilegeWithdrawn", "aACompromise"};
        for (int i = 0; i <= 10; i++) {
                struct error err = {0};
                int r = -1;
                char num[4];
                snprintf(num, sizeof(num), "%d", i);
                if (!names[i]) {
                        assert_null(pki_crl_reason_name(i));
                        assert_int_equal(pki_crl_reason_parse(num, &r, &err), -1);
                        assert_error(err, ERROR_INVALID, "except 7");
                        continue;
                }
                assert_string_equal(pki_crl_reason_name(i), names[i]);
                assert_int_equal(pki_crl_reason_parse(names[i], &r, &err), 0);
                assert_int_equal(r, i);
                assert_int_equal(pki_crl_reason_parse(num, &r, &err), 0);
                assert_int_equal(r, i);
        }
        int r;
        struct error err = {0};
        assert_int_equal(pki_crl_reason_parse("KEYCOMPROMISE", &r, &err), 0);
        assert_int_equal(r, 1);
        const char *bad[] = {"", "11", "-1", "stolen", "1 ", "0x1"};
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                error_clear(&err);
                assert_int_equal(pki_crl_reason_parse(bad[i], &r, &err), -1);
                assert_error(err, ERROR_INVALID, "unknown revocation reason");
        }
        assert_null(pki_crl_reason_name(11));
        assert_null(pki_crl_reason_name(-1));
}

static void check_crl(struct tdir *t, const struct tpki *p, const char *label) {
        print_message("# %s: CA key %s\n", label, crypto_key_describe(p->ca_key));
        struct crypto_key *dev = tkey_file(t, "dev.key", CRYPTO_KEY_EC_P256);
        gnutls_x509_crt_t c1 = tdevice(p->ca_key, p->ca, dev, "SN-1", 365);
        gnutls_x509_crt_t c2 = tdevice(p->ca_key, p->ca, dev, "SN-2", 365);
        gnutls_x509_crt_t c3 = tdevice(p->ca_key, p->ca, dev, "SN-3", 365);
        char s1[41], s2[41], s3[41];
        assert_int_equal(pki_cert_serial_hex(c1, s1), 0);
        assert_int_equal(pki_cert_serial_hex(c2, s2), 0);
        assert_int_equal(pki_cert_serial_hex(c3, s3), 0);
        /* Serials as a person might type them: upper case, colons. */
        _cleanup_free_ char *s2_upper = str_dup(s2);
        for (char *q = s2_upper; *q; q++)
                *q = (char) toupper((unsigned char) *q);
        struct pki_revoked rev[] = {
                {s1, NOW - 3600, PKI_CRL_REASON_KEY_COMPROMISE},
                {s2_upper, NOW - 7200, PKI_CRL_REASON_SUPERSEDED},
                {s3, NOW - 60, PKI_CRL_REASON_UNSPECIFIED},
        };
        uint8_t *der = NULL;
        size_t len = 0;
        struct error err = {0};
        if (pki_crl_generate(p->ca_key, p->ca, rev, ELEMENTSOF(rev), 42, NOW, 7 * 86400, &der, &len, &err) < 0)
                fail_msg("%s", err.msg);

        gnutls_x509_crl_t crl = NULL;
        if (pki_crl_verify(der, len, p->ca, &crl, &err) < 0)
                fail_msg("%s", err.msg);
        assert_int_equal(gnutls_x509_crl_get_version(crl), 2);
        assert_int_equal(gnutls_x509_crl_get_this_update(crl), NOW);
        assert_int_equal(gnutls_x509_crl_get_next_update(crl), NOW + 7 * 86400);
        uint8_t num[16];
        size_t nl = sizeof(num);
        unsigned critical = 9;
        assert_int_equal(gnutls_x509_crl_get_number(crl, num, &nl, &critical), 0);
        assert_int_equal(nl, 1);
        assert_int_equal(num[0], 42);
        assert_false(critical);
        uint8_t aki[64], ski[64];
        size_t al = sizeof(aki), sl = sizeof(ski);
        assert_int_equal(gnutls_x509_crl_get_authority_key_id(crl, aki, &al, &critical), 0);
        assert_int_equal(gnutls_x509_crt_get_subject_key_id(p->ca, ski, &sl, &critical), 0);
        assert_int_equal(al, sl);
        assert_memory_equal(aki, ski, al);
        assert_int_equal(gnutls_x509_crl_check_issuer(crl, p->ca), 1);

        assert_int_equal(gnutls_x509_crl_get_crt_count(crl), 3);
        for (unsigned i = 0; i < 3; i++) {
                uint8_t serial[32];
                size_t len_s = sizeof(serial);
                time_t when;
                assert_int_equal(gnutls_x509_crl_get_crt_serial(crl, i, serial, &len_s, &when), 0);
                char hex[65];
                hex_encode(serial, len_s, hex);
                const char *want = i == 0 ? s1 : i == 1 ? s2 : s3;
                assert_string_equal(hex, want);
                assert_int_equal(when, rev[i].revoked_at);
        }
        gnutls_x509_crl_deinit(crl);

        /* Reason codes: read by OpenSSL (GnuTLS has no getter for them). */
        if (tool_available("openssl")) {
                _cleanup_free_ char *path = tdir_path(t, "ca.crl");
                assert_int_equal(file_write_atomic(path, der, len, 0644, NULL), 0);
                _cleanup_free_ char *ca = twrite_pem(t, "ca.pem", p->ca);
                char *argv[] = {"openssl", "crl", "-inform", "DER", "-in", path, "-noout", "-text",
                                "-CAfile", ca, NULL};
                _cleanup_free_ char *out = NULL;
                if (tool_run(argv, &out) != 0)
                        fail_msg("openssl crl: %s", out);
                assert_non_null(strstr(out, "verify OK"));
                assert_non_null(strstr(out, "Key Compromise"));
                assert_non_null(strstr(out, "Superseded"));
                assert_null(strstr(out, "Unspecified")); /* left out, as RFC 5280 asks */
                assert_non_null(strstr(out, "X509v3 CRL Number"));
                assert_non_null(strstr(out, "X509v3 Authority Key Identifier"));
                assert_non_null(strstr(out, "Version 2"));
        }
        free(der);

        /* An empty CRL is valid too (a fresh CA). */
        assert_int_equal(pki_crl_generate(p->ca_key, p->ca, NULL, 0, 1, NOW, 86400, &der, &len, &err), 0);
        assert_int_equal(pki_crl_verify(der, len, p->ca, &crl, &err), 0);
        assert_int_equal(gnutls_x509_crl_get_crt_count(crl), 0);
        gnutls_x509_crl_deinit(crl);
        /* ... and it does not verify against another CA. */
        error_clear(&err);
        assert_int_equal(pki_crl_verify(der, len, p->root, NULL, &err), -1);
        assert_true(err.kind == ERROR_INVALID);
        /* Tampering is caught. */
        der[len - 5] ^= 0x10;
        error_clear(&err);
        assert_int_equal(pki_crl_verify(der, len, p->ca, NULL, &err), -1);
        free(der);

        gnutls_x509_crt_deinit(c1);
        gnutls_x509_crt_deinit(c2);
        gnutls_x509_crt_deinit(c3);
        crypto_key_free(dev);
}

static void test_file_keys(void **state) {
        (void) state;
        struct tdir *t = tdir_new();
        const enum crypto_key_type types[] = {CRYPTO_KEY_EC_P256, CRYPTO_KEY_EC_P384, CRYPTO_KEY_ED25519,
                                              CRYPTO_KEY_RSA3072};
        for (size_t i = 0; i < ELEMENTSOF(types); i++) {
                struct tpki p;
                tpki_init(&p, tkey_file(t, "root.key", CRYPTO_KEY_EC_P256), tkey_file(t, "ca.key", types[i]));
                check_crl(t, &p, "file");
                tpki_free(&p);
        }
        tdir_free(t);
}

static void test_pkcs11_keys(void **state) {
        (void) state;
        const struct softhsm *h = softhsm_get();
        if (!h)
                skip();
        struct tdir *t = tdir_new();
        struct tpki p;
        tpki_init(&p, tkey_file(t, "root.key", CRYPTO_KEY_EC_P256), tkey_load(h->p256_uri));
        check_crl(t, &p, "pkcs11");
        tpki_free(&p);
        if (h->have_ed25519) {
                tpki_init(&p, tkey_file(t, "root.key", CRYPTO_KEY_EC_P256), tkey_load(h->ed25519_uri));
                check_crl(t, &p, "pkcs11");
                tpki_free(&p);
        }
        tdir_free(t);
}

static void test_refusals(void **state) {
        (void) state;
        struct tdir *t = tdir_new();
        struct tpki p;
        tpki_init(&p, tkey_file(t, "root.key", CRYPTO_KEY_EC_P256), tkey_file(t, "ca.key", CRYPTO_KEY_EC_P256));
        uint8_t *der = NULL;
        size_t len = 0;
        struct error err = {0};

        struct pki_revoked bad_serial = {"xyz", NOW, 1};
        assert_int_equal(pki_crl_generate(p.ca_key, p.ca, &bad_serial, 1, 1, NOW, 86400, &der, &len, &err), -1);
        assert_error(err, ERROR_INVALID, "CRL entry 0");
        struct pki_revoked bad_reason = {"0102", NOW, 7};
        error_clear(&err);
        assert_int_equal(pki_crl_generate(p.ca_key, p.ca, &bad_reason, 1, 1, NOW, 86400, &der, &len, &err), -1);
        assert_error(err, ERROR_INVALID, "invalid reason code 7");
        error_clear(&err);
        assert_int_equal(pki_crl_generate(p.ca_key, p.ca, NULL, 0, 1, NOW, 0, &der, &len, &err), -1);
        assert_error(err, ERROR_INVALID, "nextUpdate");
        /* Wrong key for the CA certificate. */
        error_clear(&err);
        assert_int_equal(pki_crl_generate(p.root_key, p.ca, NULL, 0, 1, NOW, 86400, &der, &len, &err), -1);
        assert_error(err, ERROR_INVALID, "does not belong");
        /* A non-CA certificate cannot sign CRLs. */
        struct crypto_key *dev = tkey_file(t, "dev.key", CRYPTO_KEY_EC_P256);
        gnutls_x509_crt_t leaf = tdevice(p.ca_key, p.ca, dev, "SN-1", 30);
        error_clear(&err);
        assert_int_equal(pki_crl_generate(dev, leaf, NULL, 0, 1, NOW, 86400, &der, &len, &err), -1);
        assert_error(err, ERROR_INVALID, "not a CA");
        assert_null(der);

        /* Garbage in pki_crl_verify. */
        error_clear(&err);
        assert_int_equal(pki_crl_verify("junk", 4, p.ca, NULL, &err), -1);
        assert_error(err, ERROR_INVALID, "does not parse");

        /* Large CRL numbers and dates past 2049 (GeneralizedTime). */
        struct pki_revoked late = {"7f", 2600000000LL, PKI_CRL_REASON_CESSATION_OF_OPERATION};
        error_clear(&err);
        assert_int_equal(pki_crl_generate(p.ca_key, p.ca, &late, 1, UINT64_MAX, 2600000000LL, 86400, &der, &len, &err),
                         0);
        gnutls_x509_crl_t crl = NULL;
        assert_int_equal(pki_crl_verify(der, len, p.ca, &crl, &err), 0);
        assert_int_equal(gnutls_x509_crl_get_this_update(crl), 2600000000LL);
        uint8_t num[16];
        size_t nl = sizeof(num);
        assert_int_equal(gnutls_x509_crl_get_number(crl, num, &nl, NULL), 0);
        assert_int_equal(nl, 9); /* 0x00 + 8 x 0xff: positive */
        gnutls_x509_crl_deinit(crl);
        free(der);

        gnutls_x509_crt_deinit(leaf);
        crypto_key_free(dev);
        tpki_free(&p);
        tdir_free(t);
}

static int group_setup(void **state) {
        (void) state;
        softhsm_get();
        return 0;
}

static int group_teardown(void **state) {
        (void) state;
        softhsm_cleanup();
        return 0;
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_reason_names),
                cmocka_unit_test(test_file_keys),
                cmocka_unit_test(test_pkcs11_keys),
                cmocka_unit_test(test_refusals),
        };
        return cmocka_run_group_tests(tests, group_setup, group_teardown);
}

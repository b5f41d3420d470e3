/* SPDX-License-Identifier: Apache-2.0 */
#include "testutil-pki.h"
#include "testutil-softhsm.h"

#include "core/time.h"

static void assert_ca_profile(gnutls_x509_crt_t c, int pathlen) {
        unsigned critical = 0, usage = 0;
        unsigned ca = 0;
        int plen = -2;
        assert_int_equal(gnutls_x509_crt_get_version(c), 3);
        assert_int_equal(gnutls_x509_crt_get_basic_constraints(c, &critical, &ca, &plen), 1);
        assert_true(critical);
        assert_int_equal(plen, pathlen);
        assert_int_equal(gnutls_x509_crt_get_key_usage(c, &usage, &critical), 0);
        assert_true(critical);
        assert_int_equal(usage, GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN);
        uint8_t ski[64];
        size_t ski_len = sizeof(ski);
        assert_int_equal(gnutls_x509_crt_get_subject_key_id(c, ski, &ski_len, &critical), 0);
        assert_false(critical);
        /* Serial: 16 random bytes, positive. */
        uint8_t serial[32];
        size_t sl = sizeof(serial);
        assert_int_equal(gnutls_x509_crt_get_serial(c, serial, &sl), 0);
        assert_int_equal(sl, 16);
        assert_true((serial[0] & 0x80) == 0);
}

static void assert_verifies(gnutls_x509_crt_t c, gnutls_x509_crt_t issuer) {
        unsigned status = 99;
        assert_int_equal(gnutls_x509_crt_verify(c, &issuer, 1, 0, &status), 0);
        if (status) {
                gnutls_datum_t m = {0};
                gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509, &m, 0);
                fail_msg("verify: %s", m.data);
        }
}

static void check_root_and_intermediate(struct crypto_key *root_key, struct crypto_key *ca_key, const char *label) {
        struct tpki p;
        tpki_init(&p, root_key, ca_key);
        print_message("# %s: root %s, intermediate %s\n", label, crypto_key_describe(root_key),
                      crypto_key_describe(ca_key));

        assert_ca_profile(p.root, 1);
        assert_verifies(p.root, p.root);
        char dn[256];
        tdn(p.root, false, dn, sizeof(dn));
        assert_string_equal(dn, "CN=Example Root CA,O=Example Devices Ltd");
        assert_true(pki_cert_matches_pubkey(p.root, crypto_key_pubkey(root_key)));

        assert_ca_profile(p.ca, 0);
        assert_verifies(p.ca, p.root);
        tdn(p.ca, false, dn, sizeof(dn));
        assert_string_equal(dn, "CN=Example Device CA");
        tdn(p.ca, true, dn, sizeof(dn));
        assert_string_equal(dn, "CN=Example Root CA,O=Example Devices Ltd");
        assert_true(pki_cert_matches_pubkey(p.ca, crypto_key_pubkey(ca_key)));

        /* AKI of the intermediate is the root's SKI. */
        uint8_t ski[64], aki[64];
        size_t sl = sizeof(ski), al = sizeof(aki);
        unsigned critical;
        assert_int_equal(gnutls_x509_crt_get_subject_key_id(p.root, ski, &sl, &critical), 0);
        assert_int_equal(gnutls_x509_crt_get_authority_key_id(p.ca, aki, &al, &critical), 0);
        assert_int_equal(sl, al);
        assert_memory_equal(ski, aki, sl);

        /* Validity: backdated 5 minutes for clock skew, length as asked. */
        int64_t now = time_now();
        time_t nb = gnutls_x509_crt_get_activation_time(p.ca), na = gnutls_x509_crt_get_expiration_time(p.ca);
        assert_true(nb <= now - 290 && nb >= now - 310);
        assert_true(na >= now + 1825LL * 86400 - 10 && na <= now + 1825LL * 86400 + 10);

        /* The signing hash follows the key. */
        int sa = gnutls_x509_crt_get_signature_algorithm(p.ca);
        const char *want = strstr(crypto_key_describe(root_key), "P-384") ? "ECDSA-SHA384"
                           : strstr(crypto_key_describe(root_key), "Ed25519") ? "EdDSA-Ed25519"
                           : strstr(crypto_key_describe(root_key), "RSA") ? "RSA-SHA256"
                                                                           : "ECDSA-SHA256";
        assert_string_equal(gnutls_sign_get_name((gnutls_sign_algorithm_t) sa), want);

        p.root_key = p.ca_key = NULL; /* owned by the caller */
        tpki_free(&p);
}

static void test_file_keys(void **state) {
        (void) state;
        struct tdir *t = tdir_new();
        const enum crypto_key_type types[] = {CRYPTO_KEY_EC_P256, CRYPTO_KEY_EC_P384, CRYPTO_KEY_ED25519};
        for (size_t i = 0; i < ELEMENTSOF(types); i++) {
                struct crypto_key *root = tkey_file(t, "root.key", types[i]);
                struct crypto_key *ca = tkey_file(t, "ca.key", CRYPTO_KEY_EC_P256);
                check_root_and_intermediate(root, ca, "file");
                crypto_key_free(root);
                crypto_key_free(ca);
        }
        tdir_free(t);
}

static void test_rsa_root(void **state) {
        (void) state;
        struct tdir *t = tdir_new();
        struct crypto_key *root = tkey_file(t, "root.key", CRYPTO_KEY_RSA3072);
        struct crypto_key *ca = tkey_file(t, "ca.key", CRYPTO_KEY_EC_P384);
        check_root_and_intermediate(root, ca, "rsa");
        crypto_key_free(root);
        crypto_key_free(ca);
        tdir_free(t);
}

static void test_pkcs11_keys(void **state) {
        (void) state;
        const struct softhsm *h = softhsm_get();
        if (!h)
                skip();
        struct tdir *t = tdir_new();
        /* Root on the token, intermediate in a file; and the other way round. */
        struct crypto_key *root = tkey_load(h->p256_uri);
        struct crypto_key *ca = tkey_file(t, "ca.key", CRYPTO_KEY_EC_P256);
        check_root_and_intermediate(root, ca, "pkcs11 root");
        crypto_key_free(root);
        crypto_key_free(ca);

        root = tkey_file(t, "root.key", CRYPTO_KEY_EC_P384);
        ca = tkey_load(h->p256_uri);
        check_root_and_intermediate(root, ca, "pkcs11 intermediate");
        crypto_key_free(root);
        crypto_key_free(ca);

        if (h->have_ed25519) {
                root = tkey_load(h->ed25519_uri);
                ca = tkey_load(h->p256_uri);
                check_root_and_intermediate(root, ca, "pkcs11 ed25519 root");
                crypto_key_free(root);
                crypto_key_free(ca);
        }
        tdir_free(t);
}

static void test_refusals(void **state) {
        (void) state;
        struct tdir *t = tdir_new();
        struct crypto_key *root_key = tkey_file(t, "root.key", CRYPTO_KEY_EC_P256);
        struct crypto_key *other = tkey_file(t, "other.key", CRYPTO_KEY_EC_P256);
        struct crypto_key *ca_key = tkey_file(t, "ca.key", CRYPTO_KEY_EC_P256);
        struct error err = {0};
        char *pem = NULL;

        assert_int_equal(pki_root_create(root_key, "", NULL, 3650, &pem, &err), -1);
        assert_error(err, ERROR_INVALID, "common name");
        error_clear(&err);
        assert_int_equal(pki_root_create(root_key, "Root", NULL, 0, &pem, &err), -1);
        assert_error(err, ERROR_INVALID, "validity");
        assert_null(pem);

        _cleanup_free_ char *root_pem = troot(root_key, "Root");
        gnutls_x509_crt_t root = tcrt(root_pem);
        gnutls_x509_crq_t crq = tcsr(ca_key, "CA", NULL);

        /* The key must belong to the root certificate. */
        error_clear(&err);
        assert_int_equal(pki_sign_intermediate(other, root, crq, 365, &pem, &err), -1);
        assert_error(err, ERROR_INVALID, "does not belong to the CA certificate");

        /* The intermediate may not reuse the root's key. */
        gnutls_x509_crq_t same = tcsr(root_key, "CA", NULL);
        error_clear(&err);
        assert_int_equal(pki_sign_intermediate(root_key, root, same, 365, &pem, &err), -1);
        assert_error(err, ERROR_INVALID, "root's own key");
        gnutls_x509_crq_deinit(same);

        /* A device-issuing CA cannot sign another CA (pathlen 0 is checked by
         * verifiers; here the non-CA issuer case is checked by us). */
        _cleanup_free_ char *ca_pem = NULL;
        assert_int_equal(pki_sign_intermediate(root_key, root, crq, 365, &ca_pem, &err), 0);
        gnutls_x509_crt_t ca = tcrt(ca_pem);
        gnutls_x509_crt_t dev = tdevice(ca_key, ca, other, "SN-1", 30);
        gnutls_x509_crq_t crq2 = tcsr(root_key, "X", NULL);
        error_clear(&err);
        assert_int_equal(pki_sign_intermediate(other, dev, crq2, 365, &pem, &err), -1);
        assert_error(err, ERROR_INVALID, "not a CA");
        assert_null(pem);

        /* The intermediate never outlives the root. */
        error_clear(&err);
        assert_int_equal(pki_sign_intermediate(root_key, root, crq, 36500, &pem, &err), 0);
        gnutls_x509_crt_t long_ca = tcrt(pem);
        assert_int_equal(gnutls_x509_crt_get_expiration_time(long_ca), gnutls_x509_crt_get_expiration_time(root));
        free(pem);

        gnutls_x509_crt_deinit(long_ca);
        gnutls_x509_crq_deinit(crq2);
        gnutls_x509_crt_deinit(dev);
        gnutls_x509_crt_deinit(ca);
        gnutls_x509_crq_deinit(crq);
        gnutls_x509_crt_deinit(root);
        crypto_key_free(root_key);
        crypto_key_free(other);
        crypto_key_free(ca_key);
        tdir_free(t);
}

/* certtool and openssl accept what we make. */
static void test_interop(void **state) {
        (void) state;
        const struct softhsm *h = softhsm_get();
        struct tdir *t = tdir_new();
        struct tpki p;
        tpki_init(&p, h ? tkey_load(h->p256_uri) : tkey_file(t, "root.key", CRYPTO_KEY_EC_P256),
                  tkey_file(t, "ca.key", CRYPTO_KEY_ED25519));
        _cleanup_free_ char *root = twrite_pem(t, "root.pem", p.root);
        _cleanup_free_ char *ca = twrite_pem(t, "ca.pem", p.ca);
        _cleanup_free_ char *chain = tdir_path(t, "chain.pem");
        _cleanup_free_ char *both = str_printf("%s%s", p.ca_pem, p.root_pem);
        assert_int_equal(file_write_atomic(chain, both, strlen(both), 0644, NULL), 0);
        if (tool_available("certtool")) {
                char *argv[] = {"certtool", "--verify-chain", "--infile", chain, NULL};
                _cleanup_free_ char *out = NULL;
                if (tool_run(argv, &out) != 0)
                        fail_msg("certtool: %s", out);
        }
        if (tool_available("openssl")) {
                char *argv[] = {"openssl", "verify", "-x509_strict", "-CAfile", root, ca, NULL};
                _cleanup_free_ char *out = NULL;
                if (tool_run(argv, &out) != 0)
                        fail_msg("openssl verify: %s", out);
        }
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
                cmocka_unit_test(test_file_keys),
                cmocka_unit_test(test_rsa_root),
                cmocka_unit_test(test_pkcs11_keys),
                cmocka_unit_test(test_refusals),
                cmocka_unit_test(test_interop),
        };
        return cmocka_run_group_tests(tests, group_setup, group_teardown);
}

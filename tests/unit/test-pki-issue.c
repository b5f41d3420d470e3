/* SPDX-License-Identifier: Apache-2.0 */
#include "testutil-pki.h"
#include "testutil-softhsm.h"

#include "core/time.h"

#define CRL_URL "https://cradle.example.com/pki/crl/sensor-ca.crl"

/* Every extension OID in the certificate, in order. */
static void assert_extensions(gnutls_x509_crt_t c, const char *const *want, size_t n) {
        size_t i = 0;
        for (;; i++) {
                char oid[128];
                size_t len = sizeof(oid);
                unsigned critical;
                int rc = gnutls_x509_crt_get_extension_info(c, (unsigned) i, oid, &len, &critical);
                if (rc == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
                        break;
                assert_int_equal(rc, 0);
                bool found = false;
                for (size_t k = 0; k < n; k++)
                        found = found || strcmp(oid, want[k]) == 0;
                if (!found)
                        fail_msg("unexpected extension %s", oid);
        }
        assert_int_equal(i, n);
}

/* The device profile exactly as documented in pki/issue.h. */
static void assert_device_profile(gnutls_x509_crt_t c, gnutls_x509_crt_t ca, const struct crypto_key *dev_key,
                                  const char *serial, unsigned days) {
        assert_int_equal(gnutls_x509_crt_get_version(c), 3);
        char dn[256];
        tdn(c, false, dn, sizeof(dn));
        _cleanup_free_ char *want_dn = str_printf("CN=%s,serialNumber=%s,O=sensor-x1", serial, serial);
        assert_string_equal(dn, want_dn);
        char subject_serial[65];
        assert_int_equal(pki_cert_subject_serial(c, subject_serial, sizeof(subject_serial)), 0);
        assert_string_equal(subject_serial, serial);

        /* SAN: exactly one URI. */
        char san[256];
        size_t len = sizeof(san);
        unsigned critical = 9;
        assert_int_equal(gnutls_x509_crt_get_subject_alt_name(c, 0, san, &len, &critical), GNUTLS_SAN_URI);
        _cleanup_free_ char *urn = str_printf("urn:cradle:device:sensor-x1:%s", serial);
        assert_string_equal(san, urn);
        len = sizeof(san);
        assert_int_equal(gnutls_x509_crt_get_subject_alt_name(c, 1, san, &len, &critical),
                         GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE);
        char model[PKI_NAME_MAX + 1], ser[PKI_NAME_MAX + 1];
        assert_int_equal(pki_device_cert_identity(c, model, ser, NULL), 0);
        assert_string_equal(model, "sensor-x1");
        assert_string_equal(ser, serial);

        /* KU digitalSignature only, critical. */
        unsigned usage = 0;
        assert_int_equal(gnutls_x509_crt_get_key_usage(c, &usage, &critical), 0);
        assert_int_equal(usage, GNUTLS_KEY_DIGITAL_SIGNATURE);
        assert_true(critical);

        /* EKU clientAuth only. */
        char oid[128];
        len = sizeof(oid);
        assert_int_equal(gnutls_x509_crt_get_key_purpose_oid(c, 0, oid, &len, &critical), 0);
        assert_string_equal(oid, GNUTLS_KP_TLS_WWW_CLIENT);
        len = sizeof(oid);
        assert_int_equal(gnutls_x509_crt_get_key_purpose_oid(c, 1, oid, &len, &critical),
                         GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE);

        /* basicConstraints CA:FALSE, critical. */
        unsigned ca_flag = 9;
        int pathlen;
        assert_int_equal(gnutls_x509_crt_get_basic_constraints(c, &critical, &ca_flag, &pathlen), 0);
        assert_int_equal(ca_flag, 0);
        assert_true(critical);
        assert_false(pki_cert_is_ca(c));

        /* CRL distribution point. */
        char dp[256];
        len = sizeof(dp);
        unsigned reasons = 0;
        assert_int_equal(gnutls_x509_crt_get_crl_dist_points(c, 0, dp, &len, &reasons, &critical), GNUTLS_SAN_URI);
        assert_string_equal(dp, CRL_URL);
        assert_false(critical);

        /* SKI from the device key, AKI from the CA's SKI. */
        uint8_t a[64], b[64];
        size_t la = sizeof(a), lb = sizeof(b);
        assert_int_equal(gnutls_x509_crt_get_subject_key_id(c, a, &la, &critical), 0);
        assert_int_equal(gnutls_pubkey_get_key_id(crypto_key_pubkey(dev_key), GNUTLS_KEYID_USE_SHA1, b, &lb), 0);
        assert_int_equal(la, lb);
        assert_memory_equal(a, b, la);
        la = sizeof(a);
        lb = sizeof(b);
        assert_int_equal(gnutls_x509_crt_get_authority_key_id(c, a, &la, &critical), 0);
        assert_int_equal(gnutls_x509_crt_get_subject_key_id(ca, b, &lb, &critical), 0);
        assert_int_equal(la, lb);
        assert_memory_equal(a, b, la);
        assert_true(pki_cert_matches_pubkey(c, crypto_key_pubkey(dev_key)));

        const char *const exts[] = {"2.5.29.14", "2.5.29.35", "2.5.29.17", "2.5.29.15",
                                    "2.5.29.37", "2.5.29.19", "2.5.29.31"};
        assert_extensions(c, exts, ELEMENTSOF(exts));

        /* Serial: 16 bytes, positive; hex form is 32 lowercase digits. */
        char hex[41];
        assert_int_equal(pki_cert_serial_hex(c, hex), 0);
        assert_int_equal(strlen(hex), 32);
        assert_true(hex[0] >= '4' && hex[0] <= '7');
        char fp[65];
        assert_int_equal(pki_cert_fingerprint_sha256(c, fp), 0);
        assert_int_equal(strlen(fp), 64);

        /* Validity: now - 5 min .. now + days. */
        int64_t now = time_now();
        time_t nb = gnutls_x509_crt_get_activation_time(c), na = gnutls_x509_crt_get_expiration_time(c);
        assert_true(nb <= now - 290 && nb >= now - 310);
        assert_true(na >= now + (int64_t) days * 86400 - 10 && na <= now + (int64_t) days * 86400 + 10);
}

/* GnuTLS itself accepts the chain for TLS client authentication. */
static void assert_gnutls_verifies(gnutls_x509_crt_t dev, gnutls_x509_crt_t ca, gnutls_x509_crt_t root) {
        gnutls_x509_trust_list_t tl;
        assert_int_equal(gnutls_x509_trust_list_init(&tl, 0), 0);
        gnutls_x509_crt_t anchor;
        gnutls_datum_t d = tder(root);
        assert_int_equal(gnutls_x509_crt_init(&anchor), 0);
        assert_int_equal(gnutls_x509_crt_import(anchor, &d, GNUTLS_X509_FMT_DER), 0);
        gnutls_free(d.data);
        assert_int_equal(gnutls_x509_trust_list_add_cas(tl, &anchor, 1, 0), 1);
        gnutls_x509_crt_t chain[2] = {dev, ca};
        gnutls_typed_vdata_st purpose = {GNUTLS_DT_KEY_PURPOSE_OID, (void *) GNUTLS_KP_TLS_WWW_CLIENT, 0};
        unsigned status = 99;
        assert_int_equal(gnutls_x509_trust_list_verify_crt2(tl, chain, 2, &purpose, 1, 0, &status, NULL), 0);
        if (status) {
                gnutls_datum_t m = {0};
                gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509, &m, 0);
                fail_msg("gnutls verify: %s", m.data);
        }
        gnutls_x509_trust_list_deinit(tl, 1);
}

static void assert_pki_trust_verifies(gnutls_x509_crt_t dev, const struct tpki *p) {
        struct pki_trust *t = NULL;
        struct error err = {0};
        assert_int_equal(pki_trust_new(&t, &err), 0);
        assert_int_equal(pki_trust_add_pem(t, p->root_pem, &err), 0);
        gnutls_datum_t chain[2] = {tder(dev), tder(p->ca)};
        if (pki_trust_verify_chain(t, chain, 2, time_now(), &err) < 0)
                fail_msg("pki_trust: %s", err.msg);
        gnutls_free(chain[0].data);
        gnutls_free(chain[1].data);
        pki_trust_free(t);
}

static void issue_and_check(struct tpki *p, const struct crypto_key *dev_key, const char *label) {
        print_message("# %s: CA %s, device %s\n", label, crypto_key_describe(p->ca_key), crypto_key_describe(dev_key));
        gnutls_x509_crt_t dev = tdevice(p->ca_key, p->ca, dev_key, "SN-000123", 365);
        assert_device_profile(dev, p->ca, dev_key, "SN-000123", 365);
        assert_gnutls_verifies(dev, p->ca, p->root);
        assert_pki_trust_verifies(dev, p);
        gnutls_x509_crt_deinit(dev);
}

static void test_file_keys(void **state) {
        (void) state;
        struct tdir *t = tdir_new();
        const enum crypto_key_type cas[] = {CRYPTO_KEY_EC_P256, CRYPTO_KEY_EC_P384, CRYPTO_KEY_ED25519};
        for (size_t i = 0; i < ELEMENTSOF(cas); i++) {
                struct tpki p;
                tpki_init(&p, tkey_file(t, "root.key", CRYPTO_KEY_EC_P384), tkey_file(t, "ca.key", cas[i]));
                struct crypto_key *dev = tkey_file(t, "dev.key", CRYPTO_KEY_EC_P256);
                issue_and_check(&p, dev, "file");
                crypto_key_free(dev);
                dev = tkey_file(t, "dev.key", CRYPTO_KEY_ED25519);
                issue_and_check(&p, dev, "file");
                crypto_key_free(dev);
                tpki_free(&p);
        }
        tdir_free(t);
}

static void test_rsa(void **state) {
        (void) state;
        struct tdir *t = tdir_new();
        struct tpki p;
        tpki_init(&p, tkey_file(t, "root.key", CRYPTO_KEY_EC_P256), tkey_file(t, "ca.key", CRYPTO_KEY_RSA3072));
        struct crypto_key *dev = tkey_file(t, "dev.key", CRYPTO_KEY_RSA3072);
        issue_and_check(&p, dev, "rsa");
        crypto_key_free(dev);
        tpki_free(&p);
        tdir_free(t);
}

/* CA keys on a token: the server's device-issuing CA in an HSM. */
static void test_pkcs11_ca(void **state) {
        (void) state;
        const struct softhsm *h = softhsm_get();
        if (!h)
                skip();
        struct tdir *t = tdir_new();
        struct tpki p;
        tpki_init(&p, tkey_file(t, "root.key", CRYPTO_KEY_EC_P384), tkey_load(h->p256_uri));
        struct crypto_key *dev = tkey_file(t, "dev.key", CRYPTO_KEY_EC_P256);
        issue_and_check(&p, dev, "pkcs11 P-256 CA");
        crypto_key_free(dev);
        tpki_free(&p);

        if (h->have_ed25519) {
                tpki_init(&p, tkey_load(h->p256_uri), tkey_load(h->ed25519_uri));
                dev = tkey_file(t, "dev.key", CRYPTO_KEY_EC_P256);
                issue_and_check(&p, dev, "pkcs11 Ed25519 CA under pkcs11 P-256 root");
                crypto_key_free(dev);
                tpki_free(&p);
        }
        tdir_free(t);
}

/* The device key on a token (a secure element on the device). */
static void test_pkcs11_device_key(void **state) {
        (void) state;
        const struct softhsm *h = softhsm_get();
        if (!h)
                skip();
        struct tdir *t = tdir_new();
        struct tpki p;
        tpki_init(&p, tkey_file(t, "root.key", CRYPTO_KEY_EC_P256), tkey_file(t, "ca.key", CRYPTO_KEY_EC_P256));
        struct crypto_key *dev = tkey_load(h->p256_uri);
        issue_and_check(&p, dev, "pkcs11 device key");
        crypto_key_free(dev);
        tpki_free(&p);
        tdir_free(t);
}

static void test_profile_inputs(void **state) {
        (void) state;
        struct tdir *t = tdir_new();
        struct tpki p;
        tpki_init(&p, tkey_file(t, "root.key", CRYPTO_KEY_EC_P256), tkey_file(t, "ca.key", CRYPTO_KEY_EC_P256));
        struct crypto_key *dev = tkey_file(t, "dev.key", CRYPTO_KEY_EC_P256);
        gnutls_x509_crq_t crq = tcsr(dev, "SN-1", "SN-1");
        const struct {
                const char *model, *serial, *url;
                unsigned days;
                const char *msg;
        } bad[] = {
                {"sensor x1", "SN-1", CRL_URL, 365, "product model 'sensor x1' may only contain"},
                {"sensor-x1", "SN:1", CRL_URL, 365, "device serial 'SN:1' may only contain"},
                {"sensor-x1", "", CRL_URL, 365, "device serial is empty"},
                {"sensor-x1", "SN-1", "ftp://x/crl", 365, "not an http:// or https:// URL"},
                {"sensor-x1", "SN-1", "https://x/a b.crl", 365, "contains spaces"},
                {"sensor-x1", "SN-1", CRL_URL, 0, "validity of 0 days"},
                {"sensor-x1", "SN-1", CRL_URL, 100000, "validity of 100000 days"},
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                struct pki_device_profile prof = {PKI_CERT_BIRTH, bad[i].model, bad[i].serial, bad[i].days, bad[i].url};
                struct error err = {0};
                gnutls_x509_crt_t out = NULL;
                assert_int_equal(pki_issue_device_cert(p.ca_key, p.ca, crq, &prof, &out, &err), -1);
                assert_error(err, ERROR_INVALID, bad[i].msg);
                assert_null(out);
        }
        char long_serial[PKI_NAME_MAX + 2];
        memset(long_serial, 'A', sizeof(long_serial) - 1);
        long_serial[sizeof(long_serial) - 1] = '\0';
        struct pki_device_profile prof = {PKI_CERT_BIRTH, "m", long_serial, 365, NULL};
        struct error err = {0};
        gnutls_x509_crt_t out = NULL;
        assert_int_equal(pki_issue_device_cert(p.ca_key, p.ca, crq, &prof, &out, &err), -1);
        assert_error(err, ERROR_INVALID, "longer than 64");

        /* Wrong CA key, a non-CA issuer, and the CA's own key in the CSR. */
        struct crypto_key *other = tkey_file(t, "other.key", CRYPTO_KEY_EC_P256);
        prof = (struct pki_device_profile){PKI_CERT_BIRTH, "m", "s", 365, NULL};
        error_clear(&err);
        assert_int_equal(pki_issue_device_cert(other, p.ca, crq, &prof, &out, &err), -1);
        assert_error(err, ERROR_INVALID, "does not belong to the CA certificate");
        gnutls_x509_crt_t leaf = tdevice(p.ca_key, p.ca, dev, "SN-2", 30);
        error_clear(&err);
        assert_int_equal(pki_issue_device_cert(dev, leaf, crq, &prof, &out, &err), -1);
        assert_error(err, ERROR_INVALID, "not a CA");
        gnutls_x509_crq_t own = tcsr(p.ca_key, "x", "x");
        error_clear(&err);
        assert_int_equal(pki_issue_device_cert(p.ca_key, p.ca, own, &prof, &out, &err), -1);
        assert_error(err, ERROR_INVALID, "CA's own key");

        /* No CRL URL: no distribution point. */
        error_clear(&err);
        assert_int_equal(pki_issue_device_cert(p.ca_key, p.ca, crq, &prof, &out, &err), 0);
        char dp[64];
        size_t len = sizeof(dp);
        unsigned reasons, critical;
        assert_int_equal(gnutls_x509_crt_get_crl_dist_points(out, 0, dp, &len, &reasons, &critical),
                         GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE);
        gnutls_x509_crt_deinit(out);

        /* A birth certificate asking for 20 years is cut to the CA's end. */
        prof = (struct pki_device_profile){PKI_CERT_BIRTH, "m", "s", PKI_BIRTH_DAYS_DEFAULT, CRL_URL};
        assert_int_equal(pki_issue_device_cert(p.ca_key, p.ca, crq, &prof, &out, &err), 0);
        assert_int_equal(gnutls_x509_crt_get_expiration_time(out), gnutls_x509_crt_get_expiration_time(p.ca));
        gnutls_x509_crt_deinit(out);

        /* Serials differ between issues. */
        gnutls_x509_crt_t a = tdevice(p.ca_key, p.ca, dev, "SN-3", 30), b = tdevice(p.ca_key, p.ca, dev, "SN-3", 30);
        char ha[41], hb[41];
        assert_int_equal(pki_cert_serial_hex(a, ha), 0);
        assert_int_equal(pki_cert_serial_hex(b, hb), 0);
        assert_string_not_equal(ha, hb);

        gnutls_x509_crt_deinit(a);
        gnutls_x509_crt_deinit(b);
        gnutls_x509_crq_deinit(own);
        gnutls_x509_crt_deinit(leaf);
        crypto_key_free(other);
        gnutls_x509_crq_deinit(crq);
        crypto_key_free(dev);
        tpki_free(&p);
        tdir_free(t);
}

static void test_cert_helpers(void **state) {
        (void) state;
        char hex[41];
        struct error err = {0};
        assert_int_equal(pki_serial_hex_normalize("4A:0b:FF", hex, &err), 0);
        assert_string_equal(hex, "4a0bff");
        assert_int_equal(pki_serial_hex_normalize("abc", hex, &err), -1);
        assert_error(err, ERROR_INVALID, "even");
        error_clear(&err);
        assert_int_equal(pki_serial_hex_normalize("zz", hex, &err), -1);
        assert_error(err, ERROR_INVALID, "not hexadecimal");
        error_clear(&err);
        assert_int_equal(pki_serial_hex_normalize("00112233445566778899aabbccddeeff0011223344", hex, &err), -1);
        assert_error(err, ERROR_INVALID, "at most 20 bytes");

        gnutls_x509_crt_t c = NULL;
        error_clear(&err);
        assert_int_equal(pki_cert_import("junk", 4, &c, &err), -1);
        assert_error(err, ERROR_INVALID, "does not parse");
        error_clear(&err);
        assert_int_equal(pki_cert_import("", 0, &c, &err), -1);
        assert_error(err, ERROR_INVALID, "empty");

        /* PEM bundle -> DER list, and DER in. */
        struct tdir *t = tdir_new();
        struct tpki p;
        tpki_init(&p, tkey_file(t, "root.key", CRYPTO_KEY_EC_P256), tkey_file(t, "ca.key", CRYPTO_KEY_EC_P256));
        _cleanup_free_ char *bundle = str_printf("%s%s", p.ca_pem, p.root_pem);
        gnutls_datum_t *ders = NULL;
        size_t n = 0;
        assert_int_equal(pki_cert_bundle_to_der(bundle, strlen(bundle), 4, &ders, &n, &err), 0);
        assert_int_equal(n, 2);
        assert_int_equal(pki_cert_import(ders[0].data, ders[0].size, &c, &err), 0);
        assert_int_equal(gnutls_x509_crt_equals(c, p.ca), 1);
        gnutls_x509_crt_deinit(c);
        pki_datum_array_free(ders, n);
        assert_int_equal(pki_cert_bundle_to_der(bundle, strlen(bundle), 1, &ders, &n, &err), -1);
        assert_error(err, ERROR_TOO_LARGE, "2 certificates");
        tpki_free(&p);
        tdir_free(t);
}

/* OpenSSL agrees the device certificate is good for TLS clients. */
static void test_openssl_interop(void **state) {
        (void) state;
        if (!tool_available("openssl"))
                skip();
        const struct softhsm *h = softhsm_get();
        struct tdir *t = tdir_new();
        struct tpki p;
        tpki_init(&p, tkey_file(t, "root.key", CRYPTO_KEY_EC_P256),
                  h ? tkey_load(h->p256_uri) : tkey_file(t, "ca.key", CRYPTO_KEY_EC_P256));
        struct crypto_key *dev = tkey_file(t, "dev.key", CRYPTO_KEY_EC_P256);
        gnutls_x509_crt_t c = tdevice(p.ca_key, p.ca, dev, "SN-9", 365);
        _cleanup_free_ char *root = twrite_pem(t, "root.pem", p.root);
        _cleanup_free_ char *ca = twrite_pem(t, "ca.pem", p.ca);
        _cleanup_free_ char *leaf = twrite_pem(t, "leaf.pem", c);
        char *argv[] = {"openssl", "verify", "-x509_strict", "-purpose", "sslclient", "-CAfile", root,
                        "-untrusted", ca, leaf, NULL};
        _cleanup_free_ char *out = NULL;
        if (tool_run(argv, &out) != 0)
                fail_msg("openssl verify: %s", out);
        char *text[] = {"openssl", "x509", "-in", leaf, "-noout", "-text", NULL};
        _cleanup_free_ char *txt = NULL;
        assert_int_equal(tool_run(text, &txt), 0);
        assert_non_null(strstr(txt, "URI:urn:cradle:device:sensor-x1:SN-9"));
        assert_non_null(strstr(txt, "TLS Web Client Authentication"));
        assert_non_null(strstr(txt, "CA:FALSE"));
        gnutls_x509_crt_deinit(c);
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
                cmocka_unit_test(test_file_keys),
                cmocka_unit_test(test_rsa),
                cmocka_unit_test(test_pkcs11_ca),
                cmocka_unit_test(test_pkcs11_device_key),
                cmocka_unit_test(test_profile_inputs),
                cmocka_unit_test(test_cert_helpers),
                cmocka_unit_test(test_openssl_interop),
        };
        return cmocka_run_group_tests(tests, group_setup, group_teardown);
}

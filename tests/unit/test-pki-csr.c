/* SPDX-License-Identifier: Apache-2.0 */
#include "testutil-pki.h"
#include "testutil-softhsm.h"

/* DER of a CSR made with pki_csr_create. */
static uint8_t *csr_der(const struct crypto_key *k, const char *cn, const char *serial, size_t *len) {
        struct error err = {0};
        _cleanup_free_ char *pem = NULL;
        if (pki_csr_create(k, cn, serial, &pem, &err) < 0)
                fail_msg("%s", err.msg);
        uint8_t *der = NULL;
        assert_int_equal(pki_csr_pem_to_der(pem, &der, len, &err), 0);
        return der;
}

/* A CSR signed with a raw GnuTLS key of any type (also ones our key policy refuses). */
static uint8_t *raw_csr(gnutls_pk_algorithm_t pk, unsigned bits, const char *serial, size_t *len) {
        gnutls_x509_privkey_t key;
        gnutls_x509_crq_t crq;
        assert_int_equal(gnutls_x509_privkey_init(&key), 0);
        assert_int_equal(gnutls_x509_privkey_generate(key, pk, bits, 0), 0);
        assert_int_equal(gnutls_x509_crq_init(&crq), 0);
        assert_int_equal(gnutls_x509_crq_set_version(crq, 1), 0);
        assert_int_equal(gnutls_x509_crq_set_dn_by_oid(crq, GNUTLS_OID_X520_COMMON_NAME, 0, serial, strlen(serial)), 0);
        assert_int_equal(gnutls_x509_crq_set_dn_by_oid(crq, "2.5.4.5", 0, serial, strlen(serial)), 0);
        assert_int_equal(gnutls_x509_crq_set_key(crq, key), 0);
        assert_int_equal(gnutls_x509_crq_sign2(crq, key, pk == GNUTLS_PK_EDDSA_ED25519 ? 0 : GNUTLS_DIG_SHA256, 0), 0);
        gnutls_datum_t d = {0};
        assert_int_equal(gnutls_x509_crq_export2(crq, GNUTLS_X509_FMT_DER, &d), 0);
        uint8_t *out = malloc(d.size);
        memcpy(out, d.data, d.size);
        *len = d.size;
        gnutls_free(d.data);
        gnutls_x509_crq_deinit(crq);
        gnutls_x509_privkey_deinit(key);
        return out;
}

static void test_round_trip_der_and_pem(void **state) {
        (void) state;
        struct tdir *t = tdir_new();
        struct crypto_key *k = tkey_file(t, "dev.key", CRYPTO_KEY_EC_P256);
        struct error err = {0};
        _cleanup_free_ char *pem = NULL;
        assert_int_equal(pki_csr_create(k, "SN-0001", "SN-0001", &pem, &err), 0);
        assert_non_null(strstr(pem, "-----BEGIN NEW CERTIFICATE REQUEST-----") ?: strstr(pem, "-----BEGIN CERTIFICATE REQUEST-----"));

        struct pki_csr_info info;
        gnutls_x509_crq_t crq = NULL;
        assert_int_equal(pki_csr_parse(pem, strlen(pem), &crq, &info, &err), 0);
        assert_string_equal(info.serial_number, "SN-0001");
        assert_string_equal(info.common_name, "SN-0001");
        assert_string_equal(info.key_desc, "ECDSA P-256");
        assert_true(info.key_in_policy);
        /* The CSR carries the key it was made with. */
        gnutls_pubkey_t pub;
        assert_int_equal(pki_csr_pubkey(crq, &pub, &err), 0);
        uint8_t a[64], b[64];
        size_t la = sizeof(a), lb = sizeof(b);
        assert_int_equal(gnutls_pubkey_get_key_id(pub, GNUTLS_KEYID_USE_SHA256, a, &la), 0);
        assert_int_equal(gnutls_pubkey_get_key_id(crypto_key_pubkey(k), GNUTLS_KEYID_USE_SHA256, b, &lb), 0);
        assert_memory_equal(a, b, la);
        gnutls_pubkey_deinit(pub);
        gnutls_x509_crq_deinit(crq);

        size_t len;
        _cleanup_free_ uint8_t *der = csr_der(k, "SN-0002", "SN-0002", &len);
        assert_int_equal(pki_csr_parse(der, len, &crq, &info, &err), 0);
        assert_string_equal(info.serial_number, "SN-0002");
        gnutls_x509_crq_deinit(crq);

        /* No serialNumber: empty string, not an error (the caller decides). */
        _cleanup_free_ uint8_t *noserial = csr_der(k, "just-a-name", NULL, &len);
        assert_int_equal(pki_csr_parse(noserial, len, &crq, &info, &err), 0);
        assert_string_equal(info.serial_number, "");
        assert_string_equal(info.common_name, "just-a-name");
        gnutls_x509_crq_deinit(crq);
        crypto_key_free(k);
        tdir_free(t);
}

static void test_tampered_signature_refused(void **state) {
        (void) state;
        struct tdir *t = tdir_new();
        struct crypto_key *k = tkey_file(t, "dev.key", CRYPTO_KEY_EC_P256);
        size_t len;
        _cleanup_free_ uint8_t *der = csr_der(k, "SN-0001", "SN-0001", &len);
        struct error err = {0};
        gnutls_x509_crq_t crq = NULL;

        /* A byte of the signature value. */
        der[len - 3] ^= 0x01;
        assert_int_equal(pki_csr_parse(der, len, &crq, NULL, &err), -1);
        assert_error(err, ERROR_INVALID, "CSR signature does not verify");
        der[len - 3] ^= 0x01;

        /* A byte of the subject: someone editing the serial after signing. */
        uint8_t *p = memmem(der, len, "SN-0001", 7);
        assert_non_null(p);
        p[6] = '2';
        error_clear(&err);
        assert_int_equal(pki_csr_parse(der, len, &crq, NULL, &err), -1);
        assert_error(err, ERROR_INVALID, "CSR signature does not verify");
        assert_null(crq);
        crypto_key_free(k);
        tdir_free(t);
}

static void test_key_policy(void **state) {
        (void) state;
        struct error err = {0};
        gnutls_x509_crq_t crq = NULL;
        struct pki_csr_info info;
        size_t len;

        _cleanup_free_ uint8_t *rsa2k = raw_csr(GNUTLS_PK_RSA, 2048, "SN-RSA2", &len);
        assert_int_equal(pki_csr_parse(rsa2k, len, &crq, &info, &err), -1);
        assert_error(err, ERROR_INVALID, "key RSA 2048 is outside policy (" CRYPTO_KEY_POLICY
                                         "): RSA modulus is 2048 bits, fewer than 3072");
        assert_null(crq);
        /* What was offered is still reported (for the audit trail). */
        assert_string_equal(info.key_desc, "RSA 2048");
        assert_false(info.key_in_policy);
        assert_string_equal(info.serial_number, "SN-RSA2");

        _cleanup_free_ uint8_t *p521 = raw_csr(GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP521R1),
                                               "SN-P521", &len);
        error_clear(&err);
        assert_int_equal(pki_csr_parse(p521, len, &crq, &info, &err), -1);
        assert_error(err, ERROR_INVALID, "key ECDSA P-521 is outside policy");

        const struct {
                gnutls_pk_algorithm_t pk;
                unsigned bits;
                const char *desc;
        } ok[] = {
                {GNUTLS_PK_RSA, 3072, "RSA 3072"},
                {GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP384R1), "ECDSA P-384"},
                {GNUTLS_PK_EDDSA_ED25519, GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_ED25519), "Ed25519"},
        };
        for (size_t i = 0; i < ELEMENTSOF(ok); i++) {
                _cleanup_free_ uint8_t *der = raw_csr(ok[i].pk, ok[i].bits, "SN-OK", &len);
                error_clear(&err);
                if (pki_csr_parse(der, len, &crq, &info, &err) < 0)
                        fail_msg("%s: %s", ok[i].desc, err.msg);
                assert_string_equal(info.key_desc, ok[i].desc);
                assert_true(info.key_in_policy);
                assert_string_equal(info.serial_number, "SN-OK");
                gnutls_x509_crq_deinit(crq);
        }
}

static void test_malformed_input(void **state) {
        (void) state;
        struct error err = {0};
        gnutls_x509_crq_t crq = NULL;

        assert_int_equal(pki_csr_parse("", 0, &crq, NULL, &err), -1);
        assert_error(err, ERROR_INVALID, "CSR is empty");

        error_clear(&err);
        assert_int_equal(pki_csr_parse("hello world", 11, &crq, NULL, &err), -1);
        assert_error(err, ERROR_INVALID, "not a PKCS#10 request");

        error_clear(&err);
        const char *badpem = "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n";
        assert_int_equal(pki_csr_parse(badpem, strlen(badpem), &crq, NULL, &err), -1);
        assert_error(err, ERROR_INVALID, "not a PKCS#10 request (PEM)");

        size_t big = PKI_CSR_MAX_DER + 1;
        uint8_t *huge = calloc(1, big);
        huge[0] = 0x30;
        error_clear(&err);
        assert_int_equal(pki_csr_parse(huge, big, &crq, NULL, &err), -1);
        assert_error(err, ERROR_TOO_LARGE, "CSR is too large");
        free(huge);

        /* Truncated: every prefix of a valid CSR is refused, none crashes. */
        struct tdir *t = tdir_new();
        struct crypto_key *k = tkey_file(t, "dev.key", CRYPTO_KEY_ED25519);
        size_t len;
        _cleanup_free_ uint8_t *der = csr_der(k, "SN-1", "SN-1", &len);
        for (size_t cut = 1; cut < len; cut++) {
                error_clear(&err);
                assert_int_equal(pki_csr_parse(der, cut, &crq, NULL, &err), -1);
                assert_true(err.kind == ERROR_INVALID);
        }
        assert_null(crq);
        crypto_key_free(k);
        tdir_free(t);
}

static void test_subject_checks(void **state) {
        (void) state;
        gnutls_x509_privkey_t key;
        gnutls_x509_crq_t crq;
        assert_int_equal(gnutls_x509_privkey_init(&key), 0);
        assert_int_equal(gnutls_x509_privkey_generate(key, GNUTLS_PK_ECDSA,
                                                      GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0), 0);
        const struct {
                const char *serial1, *serial2, *cn, *msg;
        } cases[] = {
                {"A", "B", "x", "more than one serialNumber"},
                {"0123456789012345678901234567890123456789012345678901234567890123456789", NULL, "x",
                 "serialNumber is longer than 64 bytes"},
                {"bad\tserial", NULL, "x", "serialNumber contains control characters"},
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                assert_int_equal(gnutls_x509_crq_init(&crq), 0);
                assert_int_equal(gnutls_x509_crq_set_version(crq, 1), 0);
                assert_int_equal(gnutls_x509_crq_set_dn_by_oid(crq, GNUTLS_OID_X520_COMMON_NAME, 0, cases[i].cn,
                                                               strlen(cases[i].cn)), 0);
                assert_int_equal(gnutls_x509_crq_set_dn_by_oid(crq, "2.5.4.5", 0, cases[i].serial1,
                                                               strlen(cases[i].serial1)), 0);
                if (cases[i].serial2)
                        assert_int_equal(gnutls_x509_crq_set_dn_by_oid(crq, "2.5.4.5", 0, cases[i].serial2,
                                                                       strlen(cases[i].serial2)), 0);
                assert_int_equal(gnutls_x509_crq_set_key(crq, key), 0);
                assert_int_equal(gnutls_x509_crq_sign2(crq, key, GNUTLS_DIG_SHA256, 0), 0);
                gnutls_datum_t d = {0};
                assert_int_equal(gnutls_x509_crq_export2(crq, GNUTLS_X509_FMT_DER, &d), 0);
                gnutls_x509_crq_deinit(crq);
                struct error err = {0};
                gnutls_x509_crq_t out = NULL;
                assert_int_equal(pki_csr_parse(d.data, d.size, &out, NULL, &err), -1);
                assert_error(err, ERROR_INVALID, cases[i].msg);
                gnutls_free(d.data);
        }
        gnutls_x509_privkey_deinit(key);
}

static void test_create_checks(void **state) {
        (void) state;
        struct tdir *t = tdir_new();
        struct crypto_key *k = tkey_file(t, "k.key", CRYPTO_KEY_EC_P384);
        struct error err = {0};
        char *pem = NULL;
        assert_int_equal(pki_csr_create(k, "", NULL, &pem, &err), -1);
        assert_error(err, ERROR_INVALID, "common name");
        error_clear(&err);
        assert_int_equal(pki_csr_create(k, "ok", "01234567890123456789012345678901234567890123456789012345678901234",
                                        &pem, &err), -1);
        assert_error(err, ERROR_INVALID, "serial number");
        assert_null(pem);
        /* A CN with a comma survives intact (set by OID, not parsed from text). */
        assert_int_equal(pki_csr_create(k, "Device CA, line 2", "a+b=c", &pem, &err), 0);
        struct pki_csr_info info;
        gnutls_x509_crq_t crq = NULL;
        assert_int_equal(pki_csr_parse(pem, strlen(pem), &crq, &info, &err), 0);
        assert_string_equal(info.common_name, "Device CA, line 2");
        assert_string_equal(info.serial_number, "a+b=c");
        gnutls_x509_crq_deinit(crq);
        free(pem);
        crypto_key_free(k);
        tdir_free(t);
}

/* A CSR from OpenSSL, the way a factory station script would make one. */
static void test_openssl_interop(void **state) {
        (void) state;
        if (!tool_available("openssl"))
                skip();
        struct tdir *t = tdir_new();
        _cleanup_free_ char *key = tdir_path(t, "k.pem"), *csr = tdir_path(t, "csr.der");
        char *argv[] = {"openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                        "-keyout", key, "-subj", "/CN=SN-77/serialNumber=SN-77", "-outform", "DER", "-out", csr, NULL};
        _cleanup_free_ char *out = NULL;
        if (tool_run(argv, &out) != 0)
                fail_msg("openssl req: %s", out);
        size_t len;
        _cleanup_free_ unsigned char *der = read_file_bytes(csr, &len);
        struct error err = {0};
        struct pki_csr_info info;
        gnutls_x509_crq_t crq = NULL;
        if (pki_csr_parse(der, len, &crq, &info, &err) < 0)
                fail_msg("%s", err.msg);
        assert_string_equal(info.serial_number, "SN-77");
        assert_string_equal(info.key_desc, "ECDSA P-256");
        gnutls_x509_crq_deinit(crq);

        /* And ours verifies in OpenSSL. */
        struct crypto_key *k = tkey_file(t, "ours.key", CRYPTO_KEY_ED25519);
        _cleanup_free_ char *pem = NULL;
        assert_int_equal(pki_csr_create(k, "SN-78", "SN-78", &pem, &err), 0);
        _cleanup_free_ char *ours = tdir_path(t, "ours.csr");
        assert_int_equal(file_write_atomic(ours, pem, strlen(pem), 0644, NULL), 0);
        char *verify[] = {"openssl", "req", "-in", ours, "-verify", "-noout", NULL};
        _cleanup_free_ char *vout = NULL;
        if (tool_run(verify, &vout) != 0)
                fail_msg("openssl req -verify: %s", vout);
        crypto_key_free(k);
        tdir_free(t);
}

/* RSA with public exponent 3 (GnuTLS cannot make one; OpenSSL can): the
 * size is in policy, the exponent is not. Refused as a CSR key and as a
 * signing key; the same size with 65537 is accepted. */
static void test_rsa_exponent_3_refused(void **state) {
        (void) state;
        if (!tool_available("openssl"))
                skip();
        struct tdir *t = tdir_new();
        const char *exps[] = {"3", "65537"};
        for (size_t i = 0; i < ELEMENTSOF(exps); i++) {
                bool e3 = i == 0;
                _cleanup_free_ char *key = tdir_path(t, e3 ? "e3.key" : "f4.key");
                _cleanup_free_ char *csr = tdir_path(t, e3 ? "e3.der" : "f4.der");
                _cleanup_free_ char *pubexp = str_printf("rsa_keygen_pubexp:%s", exps[i]);
                char *gen[] = {"openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:3072",
                               "-pkeyopt", pubexp, "-out", key, NULL};
                char *req[] = {"openssl", "req", "-new", "-key", key, "-subj", "/CN=SN-E3/serialNumber=SN-E3",
                               "-outform", "DER", "-out", csr, NULL};
                _cleanup_free_ char *out = NULL, *out2 = NULL;
                if (tool_run(gen, &out) != 0)
                        fail_msg("openssl genpkey: %s", out);
                if (tool_run(req, &out2) != 0)
                        fail_msg("openssl req: %s", out2);
                size_t len;
                _cleanup_free_ unsigned char *der = read_file_bytes(csr, &len);
                struct error err = {0};
                struct pki_csr_info info;
                gnutls_x509_crq_t crq = NULL;
                struct crypto_key *k = NULL;
                int rc = pki_csr_parse(der, len, &crq, &info, &err);
                assert_string_equal(info.key_desc, "RSA 3072");
                if (e3) {
                        assert_int_equal(rc, -1);
                        assert_error(err, ERROR_INVALID, "key RSA 3072 is outside policy (" CRYPTO_KEY_POLICY
                                                         "): RSA public exponent is 3, not 65537");
                        assert_null(crq);
                        assert_false(info.key_in_policy);
                        error_clear(&err);
                        assert_int_equal(crypto_key_load(key, &k, &err), -1);
                        assert_error(err, ERROR_INVALID, "RSA public exponent is 3, not 65537");
                } else {
                        if (rc < 0)
                                fail_msg("RSA-3072 with e=65537: %s", err.msg);
                        assert_true(info.key_in_policy);
                        gnutls_x509_crq_deinit(crq);
                        if (crypto_key_load(key, &k, &err) < 0)
                                fail_msg("crypto_key_load RSA-3072 e=65537: %s", err.msg);
                        crypto_key_free(k);
                }
        }
        tdir_free(t);
}

static void test_pkcs11_csr(void **state) {
        (void) state;
        const struct softhsm *h = softhsm_get();
        if (!h)
                skip();
        const char *uris[] = {h->p256_uri, h->ed25519_uri};
        for (size_t i = 0; i < ELEMENTSOF(uris); i++) {
                if (!uris[i])
                        continue;
                struct crypto_key *k = tkey_load(uris[i]);
                size_t len;
                _cleanup_free_ uint8_t *der = csr_der(k, "Token CA", NULL, &len);
                struct error err = {0};
                struct pki_csr_info info;
                gnutls_x509_crq_t crq = NULL;
                if (pki_csr_parse(der, len, &crq, &info, &err) < 0)
                        fail_msg("%s: %s", uris[i], err.msg);
                assert_string_equal(info.key_desc, crypto_key_describe(k));
                gnutls_x509_crq_deinit(crq);
                crypto_key_free(k);
        }
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
                cmocka_unit_test(test_round_trip_der_and_pem),
                cmocka_unit_test(test_tampered_signature_refused),
                cmocka_unit_test(test_key_policy),
                cmocka_unit_test(test_malformed_input),
                cmocka_unit_test(test_subject_checks),
                cmocka_unit_test(test_create_checks),
                cmocka_unit_test(test_openssl_interop),
                cmocka_unit_test(test_rsa_exponent_3_refused),
                cmocka_unit_test(test_pkcs11_csr),
        };
        return cmocka_run_group_tests(tests, group_setup, group_teardown);
}

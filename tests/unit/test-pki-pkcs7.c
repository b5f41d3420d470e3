/* SPDX-License-Identifier: Apache-2.0 */
#include "testutil-pki.h"

#include "pki/crl.h"
#include "pki/pkcs7.h"

#include <gnutls/pkcs7.h>

struct fx {
        struct tdir *t;
        struct tpki p;
        struct crypto_key *dev;
        gnutls_x509_crt_t leaf;
        gnutls_datum_t ders[3];
};

static int setup(void **state) {
        struct fx *f = calloc(1, sizeof(*f));
        f->t = tdir_new();
        tpki_init(&f->p, tkey_file(f->t, "root.key", CRYPTO_KEY_EC_P256), tkey_file(f->t, "ca.key", CRYPTO_KEY_EC_P256));
        f->dev = tkey_file(f->t, "dev.key", CRYPTO_KEY_EC_P256);
        f->leaf = tdevice(f->p.ca_key, f->p.ca, f->dev, "SN-1", 365);
        f->ders[0] = tder(f->leaf);
        f->ders[1] = tder(f->p.ca);
        f->ders[2] = tder(f->p.root);
        *state = f;
        return 0;
}

static int teardown(void **state) {
        struct fx *f = *state;
        for (size_t i = 0; i < ELEMENTSOF(f->ders); i++)
                gnutls_free(f->ders[i].data);
        gnutls_x509_crt_deinit(f->leaf);
        crypto_key_free(f->dev);
        tpki_free(&f->p);
        tdir_free(f->t);
        free(f);
        return 0;
}

static void test_round_trip(void **state) {
        struct fx *f = *state;
        struct error err = {0};
        for (size_t n = 1; n <= 3; n++) {
                uint8_t *der = NULL;
                size_t len = 0;
                assert_int_equal(pki_pkcs7_certs_only(f->ders, n, &der, &len, &err), 0);
                gnutls_datum_t *certs = NULL;
                size_t count = 0;
                if (pki_pkcs7_parse_certs(der, len, &certs, &count, &err) < 0)
                        fail_msg("%s", err.msg);
                assert_int_equal(count, n);
                /* certificates is a SET OF: DER sorts it, so compare as sets. */
                for (size_t i = 0; i < n; i++) {
                        bool found = false;
                        for (size_t k = 0; k < count; k++)
                                found = found || (certs[k].size == f->ders[i].size &&
                                                  memcmp(certs[k].data, f->ders[i].data, certs[k].size) == 0);
                        assert_true(found);
                }
                /* ... and back into chain order, leaf first. */
                assert_int_equal(pki_cert_chain_order(certs, count, &err), 0);
                for (size_t i = 0; i < n; i++)
                        assert_memory_equal(certs[i].data, f->ders[i].data, certs[i].size);
                pki_pkcs7_certs_free(certs, count);

                /* Through the EST body encoding and back. */
                _cleanup_free_ char *body = pki_est_encode_body(der, len);
                uint8_t *back = NULL;
                size_t back_len = 0;
                assert_int_equal(pki_est_decode_body(body, strlen(body), PKI_PKCS7_MAX_DER, &back, &back_len, &err), 0);
                assert_int_equal(back_len, len);
                assert_memory_equal(back, der, len);
                free(back);
                free(der);
        }
}

static void test_openssl_reads_it(void **state) {
        struct fx *f = *state;
        if (!tool_available("openssl"))
                skip();
        uint8_t *der = NULL;
        size_t len = 0;
        assert_int_equal(pki_pkcs7_certs_only(f->ders, 2, &der, &len, NULL), 0);
        _cleanup_free_ char *path = tdir_path(f->t, "certs.p7");
        assert_int_equal(file_write_atomic(path, der, len, 0644, NULL), 0);
        free(der);
        char *argv[] = {"openssl", "pkcs7", "-inform", "DER", "-in", path, "-print_certs", "-noout", NULL};
        _cleanup_free_ char *out = NULL;
        if (tool_run(argv, &out) != 0)
                fail_msg("openssl pkcs7: %s", out);
        assert_non_null(strstr(out, "subject=O = sensor-x1, serialNumber = SN-1, CN = SN-1"));
        assert_non_null(strstr(out, "subject=CN = Example Device CA"));

        /* And we read what OpenSSL writes (crl2pkcs7 makes certs-only). */
        _cleanup_free_ char *ca = twrite_pem(f->t, "ca.pem", f->p.ca);
        _cleanup_free_ char *root = twrite_pem(f->t, "root.pem", f->p.root);
        _cleanup_free_ char *p7 = tdir_path(f->t, "openssl.p7");
        char *mk[] = {"openssl", "crl2pkcs7", "-nocrl", "-certfile", ca, "-certfile", root, "-outform", "DER",
                      "-out", p7, NULL};
        _cleanup_free_ char *mk_out = NULL;
        if (tool_run(mk, &mk_out) != 0)
                fail_msg("openssl crl2pkcs7: %s", mk_out);
        size_t n;
        _cleanup_free_ unsigned char *bytes = read_file_bytes(p7, &n);
        gnutls_datum_t *certs = NULL;
        size_t count = 0;
        struct error err = {0};
        if (pki_pkcs7_parse_certs(bytes, n, &certs, &count, &err) < 0)
                fail_msg("%s", err.msg);
        assert_int_equal(count, 2);
        pki_pkcs7_certs_free(certs, count);
}

static void test_parse_refusals(void **state) {
        struct fx *f = *state;
        struct error err = {0};
        gnutls_datum_t *certs = NULL;
        size_t count = 0;

        assert_int_equal(pki_pkcs7_parse_certs((const uint8_t *) "", 0, &certs, &count, &err), -1);
        assert_error(err, ERROR_INVALID, "empty");
        error_clear(&err);
        assert_int_equal(pki_pkcs7_parse_certs((const uint8_t *) "\x30\x03\x02\x01\x01", 5, &certs, &count, &err), -1);
        assert_error(err, ERROR_INVALID, "does not parse");

        uint8_t *big = calloc(1, PKI_PKCS7_MAX_DER + 1);
        error_clear(&err);
        assert_int_equal(pki_pkcs7_parse_certs(big, PKI_PKCS7_MAX_DER + 1, &certs, &count, &err), -1);
        assert_error(err, ERROR_TOO_LARGE, "too large");
        free(big);

        /* PEM armour is not DER. */
        uint8_t *der = NULL;
        size_t len = 0;
        assert_int_equal(pki_pkcs7_certs_only(f->ders, 1, &der, &len, &err), 0);
        gnutls_pkcs7_t p7;
        gnutls_datum_t in = {der, (unsigned) len}, pem = {0};
        assert_int_equal(gnutls_pkcs7_init(&p7), 0);
        assert_int_equal(gnutls_pkcs7_import(p7, &in, GNUTLS_X509_FMT_DER), 0);
        assert_int_equal(gnutls_pkcs7_export2(p7, GNUTLS_X509_FMT_PEM, &pem), 0);
        gnutls_pkcs7_deinit(p7);
        error_clear(&err);
        assert_int_equal(pki_pkcs7_parse_certs(pem.data, pem.size, &certs, &count, &err), -1);
        assert_error(err, ERROR_INVALID, "does not parse");
        gnutls_free(pem.data);

        /* Every truncation is refused cleanly. */
        for (size_t cut = 1; cut < len; cut += 7) {
                error_clear(&err);
                assert_int_equal(pki_pkcs7_parse_certs(der, cut, &certs, &count, &err), -1);
        }
        free(der);

        /* Too many certificates. */
        gnutls_datum_t many[PKI_PKCS7_MAX_CERTS + 1];
        for (size_t i = 0; i < ELEMENTSOF(many); i++)
                many[i] = f->ders[i % 3];
        error_clear(&err);
        assert_int_equal(pki_pkcs7_certs_only(many, ELEMENTSOF(many), &der, &len, &err), -1);
        assert_error(err, ERROR_INVALID, "at most 16");
        /* ... also when someone else built it. */
        assert_int_equal(gnutls_pkcs7_init(&p7), 0);
        for (size_t i = 0; i < ELEMENTSOF(many); i++)
                assert_int_equal(gnutls_pkcs7_set_crt_raw(p7, &many[i]), 0);
        gnutls_datum_t out = {0};
        assert_int_equal(gnutls_pkcs7_export2(p7, GNUTLS_X509_FMT_DER, &out), 0);
        gnutls_pkcs7_deinit(p7);
        error_clear(&err);
        assert_int_equal(pki_pkcs7_parse_certs(out.data, out.size, &certs, &count, &err), -1);
        assert_error(err, ERROR_TOO_LARGE, "17 certificates");
        gnutls_free(out.data);

        /* No certificate at all (a CRL only). */
        uint8_t *crl = NULL;
        size_t crl_len = 0;
        assert_int_equal(pki_crl_generate(f->p.ca_key, f->p.ca, NULL, 0, 1, 1790000000, 86400, &crl, &crl_len, &err), 0);
        gnutls_datum_t crl_d = {crl, (unsigned) crl_len};
        assert_int_equal(gnutls_pkcs7_init(&p7), 0);
        assert_int_equal(gnutls_pkcs7_set_crl_raw(p7, &crl_d), 0);
        assert_int_equal(gnutls_pkcs7_export2(p7, GNUTLS_X509_FMT_DER, &out), 0);
        gnutls_pkcs7_deinit(p7);
        free(crl);
        error_clear(&err);
        assert_int_equal(pki_pkcs7_parse_certs(out.data, out.size, &certs, &count, &err), -1);
        assert_error(err, ERROR_INVALID, "no certificate");
        gnutls_free(out.data);
        assert_null(certs);
        assert_int_equal(count, 0);

        error_clear(&err);
        assert_int_equal(pki_pkcs7_certs_only(f->ders, 0, &der, &len, &err), -1);
        assert_error(err, ERROR_INVALID, "no certificates");
}

static void test_chain_order_refusals(void **state) {
        struct fx *f = *state;
        struct error err = {0};
        /* Leaf and root without the CA in between: two loose ends. */
        gnutls_datum_t gap[2] = {f->ders[2], f->ders[0]};
        assert_int_equal(pki_cert_chain_order(gap, 2, &err), -1);
        assert_error(err, ERROR_INVALID, "single chain");
        gnutls_datum_t junk[1] = {{(unsigned char *) "x", 1}};
        error_clear(&err);
        assert_int_equal(pki_cert_chain_order(junk, 1, &err), -1);
        assert_true(err.kind == ERROR_INVALID);
        /* One certificate is a chain. */
        assert_int_equal(pki_cert_chain_order(&f->ders[1], 1, &err), 0);
}

static void test_est_body(void **state) {
        (void) state;
        struct error err = {0};
        uint8_t data[200];
        for (size_t i = 0; i < sizeof(data); i++)
                data[i] = (uint8_t) (i * 7);
        _cleanup_free_ char *body = pki_est_encode_body(data, sizeof(data));
        /* Lines of 64 characters, CRLF after each. */
        size_t b64 = (sizeof(data) + 2) / 3 * 4;
        assert_int_equal(strlen(body), b64 + 2 * ((b64 + 63) / 64));
        assert_int_equal(body[64], '\r');
        assert_int_equal(body[65], '\n');
        assert_int_equal(strstr(body, "\r\n") - body, 64);

        uint8_t *out = NULL;
        size_t len = 0;
        assert_int_equal(pki_est_decode_body(body, strlen(body), 1024, &out, &len, &err), 0);
        assert_int_equal(len, sizeof(data));
        assert_memory_equal(out, data, len);
        free(out);

        /* LF only, and no line breaks at all. */
        const char *variants[] = {"AAEC\nAwQF\n", "AAECAwQF", "AAEC\r\nAwQF\r\n", "AAECAwQF\r\n\r\n"};
        for (size_t i = 0; i < ELEMENTSOF(variants); i++) {
                assert_int_equal(pki_est_decode_body(variants[i], strlen(variants[i]), 64, &out, &len, &err), 0);
                assert_int_equal(len, 6);
                assert_memory_equal(out, "\x00\x01\x02\x03\x04\x05", 6);
                free(out);
        }

        const struct {
                const char *in;
                enum error_kind kind;
                const char *msg;
        } bad[] = {
                {"", ERROR_INVALID, "empty"},
                {"\r\n", ERROR_INVALID, "empty"},
                {"AAE*", ERROR_INVALID, "not valid base64"},
                {"AAE", ERROR_INVALID, "not valid base64"},
                {"AA=A", ERROR_INVALID, "not valid base64"},
                {"-----BEGIN CERTIFICATE REQUEST-----", ERROR_INVALID, "not valid base64"},
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                error_clear(&err);
                out = NULL;
                assert_int_equal(pki_est_decode_body(bad[i].in, strlen(bad[i].in), 64, &out, &len, &err), -1);
                assert_error(err, bad[i].kind, bad[i].msg);
                assert_null(out);
        }

        /* Over the limit: refused before decoding (a big body) and after (just over). */
        size_t big = 4096;
        char *huge = malloc(big + 1);
        memset(huge, 'A', big);
        huge[big] = '\0';
        error_clear(&err);
        assert_int_equal(pki_est_decode_body(huge, big, 64, &out, &len, &err), -1);
        assert_error(err, ERROR_TOO_LARGE, "too large");
        free(huge);
        _cleanup_free_ char *just_over = pki_est_encode_body(data, 65);
        error_clear(&err);
        assert_int_equal(pki_est_decode_body(just_over, strlen(just_over), 64, &out, &len, &err), -1);
        assert_error(err, ERROR_TOO_LARGE, "65 bytes of data, at most 64");
}

static void test_csrattrs(void **state) {
        (void) state;
        uint8_t *der = NULL;
        size_t len = 0;
        assert_int_equal(pki_est_csrattrs(&der, &len), 0);
        static const uint8_t want[] = {0x30, 0x0f, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04,
                                       0x03, 0x02, 0x06, 0x03, 0x55, 0x04, 0x05};
        assert_int_equal(len, sizeof(want));
        assert_memory_equal(der, want, len);
        if (tool_available("openssl")) {
                struct tdir *t = tdir_new();
                _cleanup_free_ char *path = tdir_path(t, "csrattrs.der");
                assert_int_equal(file_write_atomic(path, der, len, 0644, NULL), 0);
                char *argv[] = {"openssl", "asn1parse", "-inform", "DER", "-in", path, NULL};
                _cleanup_free_ char *out = NULL;
                assert_int_equal(tool_run(argv, &out), 0);
                assert_non_null(strstr(out, "ecdsa-with-SHA256"));
                assert_non_null(strstr(out, "serialNumber"));
                tdir_free(t);
        }
        free(der);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
                cmocka_unit_test_setup_teardown(test_openssl_reads_it, setup, teardown),
                cmocka_unit_test_setup_teardown(test_parse_refusals, setup, teardown),
                cmocka_unit_test_setup_teardown(test_chain_order_refusals, setup, teardown),
                cmocka_unit_test(test_est_body),
                cmocka_unit_test(test_csrattrs),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

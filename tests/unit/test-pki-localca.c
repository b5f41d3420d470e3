/* SPDX-License-Identifier: Apache-2.0 */
#include "testutil-store.h"

#include <arpa/inet.h>
#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "pki/localca.h"

struct fx {
        struct tdir *t;
        char *ca_cert, *ca_key, *srv_cert, *srv_key;
        struct pki_localca_paths paths;
};

static int setup(void **state) {
        struct fx *f = calloc(1, sizeof(*f));
        f->t = tdir_new();
        f->ca_cert = tdir_path(f->t, "ca.pem");
        f->ca_key = tdir_path(f->t, "ca.key");
        f->srv_cert = tdir_path(f->t, "server.pem");
        f->srv_key = tdir_path(f->t, "server.key");
        f->paths = (struct pki_localca_paths){f->ca_cert, f->ca_key, f->srv_cert, f->srv_key};
        *state = f;
        return 0;
}

static int teardown(void **state) {
        struct fx *f = *state;
        free(f->ca_cert);
        free(f->ca_key);
        free(f->srv_cert);
        free(f->srv_key);
        tdir_free(f->t);
        free(f);
        return 0;
}

static gnutls_x509_crt_t load_crt(const char *path) {
        size_t len;
        unsigned char *pem = read_file_bytes(path, &len);
        assert_non_null(pem);
        gnutls_datum_t d = {pem, (unsigned) len};
        gnutls_x509_crt_t c;
        assert_int_equal(gnutls_x509_crt_init(&c), 0);
        assert_int_equal(gnutls_x509_crt_import(c, &d, GNUTLS_X509_FMT_PEM), 0);
        free(pem);
        return c;
}

static gnutls_x509_privkey_t load_key(const char *path) {
        size_t len;
        unsigned char *pem = read_file_bytes(path, &len);
        assert_non_null(pem);
        gnutls_datum_t d = {pem, (unsigned) len};
        gnutls_x509_privkey_t k;
        assert_int_equal(gnutls_x509_privkey_init(&k), 0);
        assert_int_equal(gnutls_x509_privkey_import(k, &d, GNUTLS_X509_FMT_PEM), 0);
        free(pem);
        return k;
}

static mode_t file_mode(const char *path) {
        struct stat st;
        assert_int_equal(stat(path, &st), 0);
        return st.st_mode & 07777;
}

static void assert_key_matches(gnutls_x509_crt_t c, gnutls_x509_privkey_t k) {
        unsigned char a[64], b[64];
        size_t la = sizeof(a), lb = sizeof(b);
        assert_int_equal(gnutls_x509_crt_get_key_id(c, GNUTLS_KEYID_USE_SHA256, a, &la), 0);
        assert_int_equal(gnutls_x509_privkey_get_key_id(k, GNUTLS_KEYID_USE_SHA256, b, &lb), 0);
        assert_int_equal(la, lb);
        assert_memory_equal(a, b, la);
}

static void test_create_and_verify(void **state) {
        struct fx *f = *state;
        struct error err = {0};
        const char *extra[] = {"cradle.example.com", "10.1.2.3", "2001:db8::7", "localhost", NULL};
        if (pki_localca_create(&f->paths, extra, &err) < 0)
                fail_msg("pki_localca_create: %s", err.msg);

        assert_int_equal(file_mode(f->ca_key), 0600);
        assert_int_equal(file_mode(f->srv_key), 0600);
        assert_int_equal(file_mode(f->ca_cert), 0644);
        assert_int_equal(file_mode(f->srv_cert), 0644);

        gnutls_x509_crt_t ca = load_crt(f->ca_cert), srv = load_crt(f->srv_cert);
        gnutls_x509_privkey_t cak = load_key(f->ca_key), srvk = load_key(f->srv_key);

        /* chain */
        unsigned status = 1;
        assert_int_equal(gnutls_x509_crt_verify(srv, &ca, 1, 0, &status), 0);
        assert_int_equal(status, 0);
        status = 1;
        assert_int_equal(gnutls_x509_crt_verify(ca, &ca, 1, 0, &status), 0);
        assert_int_equal(status, 0);
        /* another local CA does not vouch for this server (the check can fail) */
        char *other_dir = tdir_path(f->t, "other");
        assert_int_equal(mkdir(other_dir, 0700), 0);
        char *o[4];
        for (int i = 0; i < 4; i++)
                o[i] = str_printf("%s/%d.pem", other_dir, i);
        struct pki_localca_paths other = {o[0], o[1], o[2], o[3]};
        assert_int_equal(pki_localca_create(&other, NULL, &err), 0);
        gnutls_x509_crt_t other_ca = load_crt(o[0]);
        status = 0;
        assert_int_equal(gnutls_x509_crt_verify(srv, &other_ca, 1, 0, &status), 0);
        assert_int_not_equal(status, 0);
        gnutls_x509_crt_deinit(other_ca);
        for (int i = 0; i < 4; i++)
                free(o[i]);
        free(other_dir);

        /* keys: ECDSA P-256, matching their certificates */
        unsigned bits = 0;
        assert_int_equal(gnutls_x509_privkey_get_pk_algorithm2(cak, &bits), GNUTLS_PK_ECDSA);
        gnutls_ecc_curve_t curve;
        assert_int_equal(gnutls_x509_privkey_export_ecc_raw(srvk, &curve, NULL, NULL, NULL), 0);
        assert_int_equal(curve, GNUTLS_ECC_CURVE_SECP256R1);
        assert_key_matches(ca, cak);
        assert_key_matches(srv, srvk);

        /* CA: subject, CA:TRUE pathlen 0, keyCertSign|cRLSign */
        char dn[256];
        size_t dnlen = sizeof(dn);
        assert_int_equal(gnutls_x509_crt_get_dn(ca, dn, &dnlen), 0);
        assert_string_equal(dn, "CN=Cradle local CA");
        unsigned critical, is_ca;
        int pathlen = -5;
        assert_int_equal(gnutls_x509_crt_get_basic_constraints(ca, &critical, &is_ca, &pathlen), 1);
        assert_int_equal(is_ca, 1);
        assert_int_equal(pathlen, 0);
        unsigned ku = 0;
        assert_true(gnutls_x509_crt_get_key_usage(ca, &ku, &critical) >= 0);
        assert_int_equal(ku, GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN);
        time_t ca_end = gnutls_x509_crt_get_expiration_time(ca);
        assert_true(ca_end - time(NULL) > (time_t) 3650 * 86400 - 86400);

        /* server: CN=localhost, not a CA, digitalSignature, serverAuth */
        dnlen = sizeof(dn);
        assert_int_equal(gnutls_x509_crt_get_dn(srv, dn, &dnlen), 0);
        assert_string_equal(dn, "CN=localhost");
        dnlen = sizeof(dn);
        assert_int_equal(gnutls_x509_crt_get_issuer_dn(srv, dn, &dnlen), 0);
        assert_string_equal(dn, "CN=Cradle local CA");
        assert_int_equal(gnutls_x509_crt_get_ca_status(srv, &critical), 0);
        assert_true(gnutls_x509_crt_get_key_usage(srv, &ku, &critical) >= 0);
        assert_int_equal(ku, GNUTLS_KEY_DIGITAL_SIGNATURE);
        char oid[128];
        size_t oidlen = sizeof(oid);
        assert_int_equal(gnutls_x509_crt_get_key_purpose_oid(srv, 0, oid, &oidlen, &critical), 0);
        assert_string_equal(oid, GNUTLS_KP_TLS_WWW_SERVER);
        time_t srv_end = gnutls_x509_crt_get_expiration_time(srv);
        assert_true(srv_end - time(NULL) > (time_t) 700 * 86400);
        assert_true(srv_end - time(NULL) <= (time_t) 730 * 86400);
        assert_true(gnutls_x509_crt_get_activation_time(srv) <= time(NULL));

        /* SAN: localhost, 127.0.0.1, ::1 and the extras, each once */
        unsigned char v4[4], v6[16];
        inet_pton(AF_INET, "127.0.0.1", v4);
        assert_true(gnutls_x509_crt_check_ip(srv, v4, 4, 0));
        inet_pton(AF_INET6, "::1", v6);
        assert_true(gnutls_x509_crt_check_ip(srv, v6, 16, 0));
        inet_pton(AF_INET, "10.1.2.3", v4);
        assert_true(gnutls_x509_crt_check_ip(srv, v4, 4, 0));
        inet_pton(AF_INET6, "2001:db8::7", v6);
        assert_true(gnutls_x509_crt_check_ip(srv, v6, 16, 0));
        inet_pton(AF_INET, "127.0.0.2", v4);
        assert_false(gnutls_x509_crt_check_ip(srv, v4, 4, 0));
        assert_true(gnutls_x509_crt_check_hostname(srv, "localhost"));
        assert_true(gnutls_x509_crt_check_hostname(srv, "cradle.example.com"));
        assert_false(gnutls_x509_crt_check_hostname(srv, "evil.example.com"));
        int dns = 0, ips = 0;
        for (unsigned i = 0;; i++) {
                char san[256];
                size_t sanlen = sizeof(san);
                int type = gnutls_x509_crt_get_subject_alt_name(srv, i, san, &sanlen, NULL);
                if (type == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
                        break;
                assert_true(type >= 0);
                if (type == GNUTLS_SAN_DNSNAME)
                        dns++;
                else if (type == GNUTLS_SAN_IPADDRESS)
                        ips++;
        }
        assert_int_equal(dns, 2);
        assert_int_equal(ips, 4);

        /* serial: 16 random bytes; key identifiers link the two */
        unsigned char serial[40];
        size_t slen = sizeof(serial);
        assert_int_equal(gnutls_x509_crt_get_serial(srv, serial, &slen), 0);
        assert_int_equal(slen, 16);
        unsigned char skid[64], akid[64];
        size_t skidlen = sizeof(skid), akidlen = sizeof(akid);
        assert_int_equal(gnutls_x509_crt_get_subject_key_id(ca, skid, &skidlen, &critical), 0);
        assert_int_equal(gnutls_x509_crt_get_authority_key_id(srv, akid, &akidlen, &critical), 0);
        assert_int_equal(skidlen, akidlen);
        assert_memory_equal(skid, akid, skidlen);
        skidlen = sizeof(skid);
        assert_int_equal(gnutls_x509_crt_get_subject_key_id(srv, skid, &skidlen, &critical), 0);

        gnutls_x509_crt_deinit(ca);
        gnutls_x509_crt_deinit(srv);
        gnutls_x509_privkey_deinit(cak);
        gnutls_x509_privkey_deinit(srvk);
}

static void test_fresh_keys_each_time(void **state) {
        struct fx *f = *state;
        struct error err = {0};
        assert_int_equal(pki_localca_create(&f->paths, NULL, &err), 0);
        size_t l1, l2;
        unsigned char *k1 = read_file_bytes(f->ca_key, &l1);
        gnutls_x509_crt_t c1 = load_crt(f->srv_cert);
        assert_int_equal(pki_localca_create(&f->paths, NULL, &err), 0);
        unsigned char *k2 = read_file_bytes(f->ca_key, &l2);
        gnutls_x509_crt_t c2 = load_crt(f->srv_cert);
        assert_false(l1 == l2 && memcmp(k1, k2, l1) == 0);
        unsigned char s1[40], s2[40];
        size_t n1 = sizeof(s1), n2 = sizeof(s2);
        gnutls_x509_crt_get_serial(c1, s1, &n1);
        gnutls_x509_crt_get_serial(c2, s2, &n2);
        assert_false(n1 == n2 && memcmp(s1, s2, n1) == 0);
        /* the PEM key file is unencrypted PKCS#8 */
        assert_non_null(strstr((char *) k2, "-----BEGIN PRIVATE KEY-----"));
        free(k1);
        free(k2);
        gnutls_x509_crt_deinit(c1);
        gnutls_x509_crt_deinit(c2);
}

static void test_bad_extra_name_writes_nothing(void **state) {
        struct fx *f = *state;
        struct error err = {0};
        const char *bad[] = {"ok.example", "not a name!", NULL};
        assert_int_equal(pki_localca_create(&f->paths, bad, &err), -1);
        assert_error(err, ERROR_INVALID, "'not a name!' is neither an IP address nor a DNS name");
        assert_int_equal(access(f->ca_cert, F_OK), -1);
        assert_int_equal(access(f->ca_key, F_OK), -1);
        assert_int_equal(access(f->srv_cert, F_OK), -1);
        assert_int_equal(access(f->srv_key, F_OK), -1);
        const char *bad2[] = {"a..b", NULL};
        assert_int_equal(pki_localca_create(&f->paths, bad2, &err), -1);
        assert_int_equal(err.kind, ERROR_INVALID);
        struct pki_localca_paths none = {0};
        assert_int_equal(pki_localca_create(&none, NULL, &err), -1);
        assert_int_equal(err.kind, ERROR_INVALID);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_create_and_verify, setup, teardown),
                cmocka_unit_test_setup_teardown(test_fresh_keys_each_time, setup, teardown),
                cmocka_unit_test_setup_teardown(test_bad_extra_name_writes_nothing, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

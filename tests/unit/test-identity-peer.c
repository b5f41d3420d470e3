/* SPDX-License-Identifier: Apache-2.0 */
/* mTLS peer authentication: chain, certificate row, device row. */
#include "testutil-identity.h"

#include <pthread.h>

#include "core/time.h"

static int setup(void **state) {
        *state = idfx_new();
        return 0;
}

static int teardown(void **state) {
        struct idfx *f = *state;
        identity_trust_cache_free(f->ic.trust_cache);
        idfx_free(f);
        return 0;
}

static void expect_peer_refused(struct idfx *f, const gnutls_datum_t *chain, size_t n, enum error_kind kind,
                                const char *msg) {
        struct identity_device_peer peer;
        struct error err = {0};
        assert_int_equal(identity_peer_authenticate(&f->ic, chain, n, &peer, &err), -1);
        assert_error(err, kind, msg);
        assert_int_equal(peer.device_id, 0);
}

static void expect_peer_ok(struct idfx *f, const gnutls_datum_t *cert, const char *serial) {
        struct identity_device_peer peer;
        struct error err = {0};
        if (identity_peer_authenticate(&f->ic, cert, 1, &peer, &err) < 0)
                fail_msg("identity_peer_authenticate: %s", err.msg);
        assert_string_equal(peer.serial, serial);
}

static void test_valid_birth_certificate(void **state) {
        struct idfx *f = *state;
        gnutls_datum_t cert = {0};
        idfx_enroll(f, "SN-1", &cert, NULL);
        struct identity_device_peer peer;
        struct error err = {0};
        assert_int_equal(identity_peer_authenticate(&f->ic, &cert, 1, &peer, &err), 0);
        assert_string_equal(peer.serial, "SN-1");
        assert_string_equal(peer.product_model, IDFX_MODEL);
        assert_int_equal(peer.kind, PKI_CERT_BIRTH);
        char hex[41];
        idfx_cert_serial(&cert, hex);
        assert_string_equal(peer.cert_serial, hex);
        assert_true(peer.device_id > 0 && peer.cert_id > 0);
        gnutls_free(cert.data);
}

static void test_no_certificate(void **state) {
        struct idfx *f = *state;
        expect_peer_refused(f, NULL, 0, ERROR_UNAUTHENTICATED, "no client certificate presented");
}

static void test_revoked(void **state) {
        struct idfx *f = *state;
        gnutls_datum_t cert = {0};
        idfx_enroll(f, "SN-2", &cert, NULL);
        char hex[41];
        idfx_cert_serial(&cert, hex);
        struct error err = {0};
        assert_int_equal(identity_revoke_cert(&f->ic, &idfx_admin, hex, PKI_CRL_REASON_KEY_COMPROMISE, &err), 0);
        expect_peer_refused(f, &cert, 1, ERROR_UNAUTHENTICATED, "certificate revoked (keyCompromise)");
        gnutls_free(cert.data);
}

static void renew(struct idfx *f, const gnutls_datum_t *presented, const char *serial, gnutls_datum_t *out) {
        struct identity_device_peer peer;
        struct error err = {0};
        if (identity_peer_authenticate(&f->ic, presented, 1, &peer, &err) < 0)
                fail_msg("authenticate: %s", err.msg);
        uint8_t *der;
        size_t len;
        idfx_csr(f, serial, &der, &len, NULL);
        if (identity_reenroll(&f->ic, &peer, der, len, out, &err) < 0)
                fail_msg("identity_reenroll: %s", err.msg);
        free(der);
}

static void test_superseded(void **state) {
        struct idfx *f = *state;
        gnutls_datum_t birth = {0}, op1 = {0}, op2 = {0};
        idfx_enroll(f, "SN-3", &birth, NULL);
        renew(f, &birth, "SN-3", &op1);
        renew(f, &op1, "SN-3", &op2);
        char s2[41];
        idfx_cert_serial(&op2, s2);
        char *want = str_printf("certificate superseded by certificate %s", s2);
        expect_peer_refused(f, &op1, 1, ERROR_UNAUTHENTICATED, want);
        free(want);
        expect_peer_ok(f, &op2, "SN-3");
        expect_peer_ok(f, &birth, "SN-3");
        gnutls_free(birth.data);
        gnutls_free(op1.data);
        gnutls_free(op2.data);
}

static void test_expired(void **state) {
        struct idfx *f = *state;
        gnutls_datum_t birth = {0}, op = {0};
        idfx_enroll(f, "SN-4", &birth, NULL);
        renew(f, &birth, "SN-4", &op);
        /* 400 days on, the 365-day operational certificate has expired; the birth one has not */
        f->ic.now = time_now() + 400LL * 86400;
        expect_peer_refused(f, &op, 1, ERROR_UNAUTHENTICATED, "expired");
        expect_peer_ok(f, &birth, "SN-4");
        gnutls_free(birth.data);
        gnutls_free(op.data);
}

/* The chain memo (PEER_MEMO_SECONDS) may skip the chain's own date check for a
 * certificate that expired after it was memoised: the row's dates still refuse
 * it, on the next request. And one not yet valid is refused on the row's
 * dates too. */
static void test_expired_while_memoised(void **state) {
        struct idfx *f = *state;
        f->ic.trust_cache = identity_trust_cache_new();
        gnutls_datum_t birth = {0}, op = {0};
        idfx_enroll(f, "SN-9", &birth, NULL);
        renew(f, &birth, "SN-9", &op);
        gnutls_x509_crt_t crt = NULL;
        struct error err = {0};
        assert_int_equal(pki_cert_import(op.data, op.size, &crt, &err), 0);
        int64_t not_after = gnutls_x509_crt_get_expiration_time(crt);
        gnutls_x509_crt_deinit(crt);

        f->ic.now = not_after - 10; /* memoised 10 s before it expires */
        expect_peer_ok(f, &op, "SN-9");
        f->ic.now = not_after + 10; /* 20 s later: the memo still holds the chain */
        expect_peer_refused(f, &op, 1, ERROR_UNAUTHENTICATED, "certificate expired");
        gnutls_free(birth.data);
        gnutls_free(op.data);
}

/* A device certificate from a CA this server never installed (its own root). */
static void test_foreign_ca(void **state) {
        struct idfx *f = *state;
        struct error err = {0};
        char *root_key_path = idfx_device_key(f, CRYPTO_KEY_EC_P256);
        char *ca_key_path = idfx_device_key(f, CRYPTO_KEY_EC_P256);
        struct crypto_key *root_key = NULL, *ca_key = NULL;
        char *root_pem = NULL, *ca_csr = NULL, *ca_pem = NULL;
        gnutls_x509_crt_t root = NULL, ca = NULL, leaf = NULL;
        gnutls_x509_crq_t crq = NULL, dev_crq = NULL;
        struct pki_csr_info info;
        assert_int_equal(crypto_key_load(root_key_path, &root_key, &err), 0);
        assert_int_equal(crypto_key_load(ca_key_path, &ca_key, &err), 0);
        assert_int_equal(pki_root_create(root_key, "Evil Root", NULL, 3650, &root_pem, &err), 0);
        assert_int_equal(pki_cert_import(root_pem, strlen(root_pem), &root, &err), 0);
        assert_int_equal(pki_csr_create(ca_key, "evil-ca", NULL, &ca_csr, &err), 0);
        assert_int_equal(pki_csr_parse(ca_csr, strlen(ca_csr), &crq, &info, &err), 0);
        assert_int_equal(pki_sign_intermediate(root_key, root, crq, 3650, &ca_pem, &err), 0);
        assert_int_equal(pki_cert_import(ca_pem, strlen(ca_pem), &ca, &err), 0);
        uint8_t *der;
        size_t len;
        idfx_csr(f, "SN-5", &der, &len, NULL);
        assert_int_equal(pki_csr_parse(der, len, &dev_crq, &info, &err), 0);
        struct pki_device_profile prof = {.kind = PKI_CERT_BIRTH, .product_model = IDFX_MODEL,
                                          .device_serial = "SN-5", .validity_days = 365};
        assert_int_equal(pki_issue_device_cert(ca_key, ca, dev_crq, &prof, &leaf, &err), 0);
        gnutls_datum_t chain[2] = {{0}};
        assert_int_equal(pki_cert_export_der(leaf, &chain[0], &err), 0);
        assert_int_equal(pki_cert_export_der(ca, &chain[1], &err), 0);
        expect_peer_refused(f, chain, 2, ERROR_UNAUTHENTICATED, "not signed by a known device CA");
        expect_peer_refused(f, chain, 1, ERROR_UNAUTHENTICATED, "not signed by a known device CA");
        gnutls_free(chain[0].data);
        gnutls_free(chain[1].data);
        gnutls_x509_crt_deinit(leaf);
        gnutls_x509_crt_deinit(ca);
        gnutls_x509_crt_deinit(root);
        gnutls_x509_crq_deinit(crq);
        gnutls_x509_crq_deinit(dev_crq);
        crypto_key_free(root_key);
        crypto_key_free(ca_key);
        free(root_pem);
        free(ca_csr);
        free(ca_pem);
        free(der);
        free(root_key_path);
        free(ca_key_path);
}

/* Signed by our own CA key but never recorded (a CA key used outside cradled). */
static void test_not_issued_by_server(void **state) {
        struct idfx *f = *state;
        struct error err = {0};
        json_t *ca_json = NULL;
        assert_int_equal(identity_ca_get(f->s, IDFX_CA, &ca_json, &err), 0);
        const char *ca_pem = json_string_value(json_object_get(ca_json, "certificate"));
        struct crypto_key *ca_key = NULL;
        gnutls_x509_crt_t ca = NULL, leaf = NULL;
        gnutls_x509_crq_t crq = NULL;
        struct pki_csr_info info;
        assert_int_equal(crypto_key_load(json_string_value(json_object_get(ca_json, "key_ref")), &ca_key, &err), 0);
        assert_int_equal(pki_cert_import(ca_pem, strlen(ca_pem), &ca, &err), 0);
        uint8_t *der;
        size_t len;
        idfx_csr(f, "SN-6", &der, &len, NULL);
        assert_int_equal(pki_csr_parse(der, len, &crq, &info, &err), 0);
        struct pki_device_profile prof = {.kind = PKI_CERT_BIRTH, .product_model = IDFX_MODEL,
                                          .device_serial = "SN-6", .validity_days = 365};
        assert_int_equal(pki_issue_device_cert(ca_key, ca, crq, &prof, &leaf, &err), 0);
        gnutls_datum_t cert = {0};
        assert_int_equal(pki_cert_export_der(leaf, &cert, &err), 0);
        expect_peer_refused(f, &cert, 1, ERROR_UNAUTHENTICATED, "certificate not issued by this server");
        gnutls_free(cert.data);
        gnutls_x509_crt_deinit(leaf);
        gnutls_x509_crt_deinit(ca);
        gnutls_x509_crq_deinit(crq);
        crypto_key_free(ca_key);
        json_decref(ca_json);
        free(der);
}

/* Re-signs `leaf` with the fixture CA's key after giving it the serial of
 * `issued`: a certificate a holder of the (stolen or escrowed) CA key can make. */
static void forge_with_serial(struct idfx *f, gnutls_x509_crt_t leaf, const gnutls_datum_t *issued,
                              const struct crypto_key *ca_key, gnutls_x509_crt_t ca, gnutls_datum_t *out) {
        struct error err = {0};
        gnutls_x509_crt_t real = NULL;
        assert_int_equal(pki_cert_import(issued->data, issued->size, &real, &err), 0);
        unsigned char serial[64];
        size_t serial_len = sizeof(serial);
        assert_int_equal(gnutls_x509_crt_get_serial(real, serial, &serial_len), 0);
        assert_int_equal(gnutls_x509_crt_set_serial(leaf, serial, serial_len), 0);
        assert_int_equal(gnutls_x509_crt_privkey_sign(leaf, ca, crypto_key_privkey(ca_key),
                                                      crypto_key_sign_hash(ca_key), 0), 0);
        assert_int_equal(pki_cert_export_der(leaf, out, &err), 0);
        /* same serial, other bytes */
        char a[41], b[41];
        idfx_cert_serial(issued, a);
        idfx_cert_serial(out, b);
        assert_string_equal(a, b);
        assert_false(out->size == issued->size && memcmp(out->data, issued->data, out->size) == 0);
        gnutls_x509_crt_deinit(real);
        (void) f;
}

/* Signed by the real, trusted device CA key and reusing the serial of a
 * certificate this server issued, with other bytes: what someone holding a
 * stolen or escrowed CA key presents. The chain verifies and the serial is
 * found; only the fingerprint check refuses it. Two forgeries, one difference
 * each from the issued certificate: the attacker's own key; the device's key
 * with other validity dates. */
static void test_issued_serial_other_bytes(void **state) {
        struct idfx *f = *state;
        struct error err = {0};
        gnutls_datum_t issued = {0};
        char *device_key = NULL;
        idfx_enroll(f, "SN-8", &issued, &device_key);

        json_t *ca_json = NULL;
        assert_int_equal(identity_ca_get(f->s, IDFX_CA, &ca_json, &err), 0);
        const char *ca_pem = json_string_value(json_object_get(ca_json, "certificate"));
        struct crypto_key *ca_key = NULL;
        gnutls_x509_crt_t ca = NULL;
        assert_int_equal(crypto_key_load(json_string_value(json_object_get(ca_json, "key_ref")), &ca_key, &err), 0);
        assert_int_equal(pki_cert_import(ca_pem, strlen(ca_pem), &ca, &err), 0);
        char serial[41];
        idfx_cert_serial(&issued, serial);
        char *want = str_printf("certificate not issued by this server: serial %s was issued with other contents",
                                serial);

        for (int variant = 0; variant < 2; variant++) {
                uint8_t *der;
                size_t len;
                if (variant == 0)
                        idfx_csr(f, "SN-8", &der, &len, NULL); /* the attacker's key */
                else
                        idfx_csr_for_key(device_key, "SN-8", "SN-8", &der, &len); /* the device's key */
                gnutls_x509_crq_t crq = NULL;
                struct pki_csr_info info;
                assert_int_equal(pki_csr_parse(der, len, &crq, &info, &err), 0);
                struct pki_device_profile prof = {.kind = PKI_CERT_BIRTH, .product_model = IDFX_MODEL,
                                                  .device_serial = "SN-8",
                                                  .validity_days = variant == 0 ? PKI_BIRTH_DAYS_DEFAULT : 30};
                gnutls_x509_crt_t leaf = NULL;
                assert_int_equal(pki_issue_device_cert(ca_key, ca, crq, &prof, &leaf, &err), 0);
                gnutls_datum_t forged = {0};
                forge_with_serial(f, leaf, &issued, ca_key, ca, &forged);
                expect_peer_refused(f, &forged, 1, ERROR_UNAUTHENTICATED, want);
                gnutls_free(forged.data);
                gnutls_x509_crt_deinit(leaf);
                gnutls_x509_crq_deinit(crq);
                free(der);
        }
        /* the certificate the server issued still authenticates */
        expect_peer_ok(f, &issued, "SN-8");

        free(want);
        gnutls_free(issued.data);
        free(device_key);
        gnutls_x509_crt_deinit(ca);
        crypto_key_free(ca_key);
        json_decref(ca_json);
}

/* The memo keeps each chain's leaf serial and fingerprint: devices taking
 * turns on kept-alive connections are each still themselves, and a forged
 * certificate (a trusted CA's signature, another certificate's serial) is
 * refused again when its chain is remembered. */
static void test_memo_keeps_each_chains_leaf(void **state) {
        struct idfx *f = *state;
        struct error err = {0};
        f->ic.trust_cache = identity_trust_cache_new();
        gnutls_datum_t a = {0}, b = {0};
        idfx_enroll(f, "SN-MA", &a, NULL);
        idfx_enroll(f, "SN-MB", &b, NULL);
        char sa[41], sb[41];
        idfx_cert_serial(&a, sa);
        idfx_cert_serial(&b, sb);
        for (int round = 0; round < 3; round++) {
                struct identity_device_peer peer;
                assert_int_equal(identity_peer_authenticate(&f->ic, &a, 1, &peer, &err), 0);
                assert_string_equal(peer.serial, "SN-MA");
                assert_string_equal(peer.cert_serial, sa);
                assert_int_equal(identity_peer_authenticate(&f->ic, &b, 1, &peer, &err), 0);
                assert_string_equal(peer.serial, "SN-MB");
                assert_string_equal(peer.cert_serial, sb);
        }

        json_t *ca_json = NULL;
        assert_int_equal(identity_ca_get(f->s, IDFX_CA, &ca_json, &err), 0);
        const char *ca_pem = json_string_value(json_object_get(ca_json, "certificate"));
        struct crypto_key *ca_key = NULL;
        gnutls_x509_crt_t ca = NULL;
        assert_int_equal(crypto_key_load(json_string_value(json_object_get(ca_json, "key_ref")), &ca_key, &err), 0);
        assert_int_equal(pki_cert_import(ca_pem, strlen(ca_pem), &ca, &err), 0);
        uint8_t *der;
        size_t len;
        idfx_csr(f, "SN-MA", &der, &len, NULL); /* the attacker's key */
        gnutls_x509_crq_t crq = NULL;
        struct pki_csr_info info;
        assert_int_equal(pki_csr_parse(der, len, &crq, &info, &err), 0);
        struct pki_device_profile prof = {.kind = PKI_CERT_BIRTH, .product_model = IDFX_MODEL,
                                          .device_serial = "SN-MA", .validity_days = PKI_BIRTH_DAYS_DEFAULT};
        gnutls_x509_crt_t leaf = NULL;
        assert_int_equal(pki_issue_device_cert(ca_key, ca, crq, &prof, &leaf, &err), 0);
        gnutls_datum_t forged = {0};
        forge_with_serial(f, leaf, &a, ca_key, ca, &forged);
        char *want = str_printf("certificate not issued by this server: serial %s was issued with other contents", sa);
        for (int round = 0; round < 2; round++) {
                expect_peer_refused(f, &forged, 1, ERROR_UNAUTHENTICATED, want);
                expect_peer_ok(f, &a, "SN-MA");
        }
        free(want);
        gnutls_free(forged.data);
        gnutls_x509_crt_deinit(leaf);
        gnutls_x509_crq_deinit(crq);
        free(der);
        gnutls_x509_crt_deinit(ca);
        crypto_key_free(ca_key);
        json_decref(ca_json);
        gnutls_free(a.data);
        gnutls_free(b.data);
}

static void test_decommissioned(void **state) {
        struct idfx *f = *state;
        gnutls_datum_t cert = {0};
        idfx_enroll(f, "SN-7", &cert, NULL);
        struct error err = {0};
        assert_int_equal(identity_decommission(&f->ic, &idfx_admin, "SN-7", &err), 0);
        expect_peer_refused(f, &cert, 1, ERROR_FORBIDDEN, "device 'SN-7' is decommissioned");
        gnutls_free(cert.data);
}

static void test_garbage_chain(void **state) {
        struct idfx *f = *state;
        gnutls_datum_t junk = {(unsigned char *) "not a certificate", 17};
        expect_peer_refused(f, &junk, 1, ERROR_UNAUTHENTICATED, "");
}

/* The cache follows CA installations: a new product's CA, and a product's second
 * CA (the first retired but still trusted), both without a restart. */
static void test_trust_cache_follows_ca_generation(void **state) {
        struct idfx *f = *state;
        f->ic.trust_cache = identity_trust_cache_new();
        gnutls_datum_t a = {0}, b = {0}, c = {0};
        idfx_enroll(f, "SN-A", &a, NULL);
        expect_peer_ok(f, &a, "SN-A");
        expect_peer_ok(f, &a, "SN-A"); /* cached */

        idfx_product_create(f, "T2-EU");
        idfx_ca_setup(f, "T2-EU", "t2-ca");
        idfx_batch_create(f, "T2-EU", "B2");
        uint8_t *der;
        size_t len;
        idfx_csr(f, "SN-B", &der, &len, NULL);
        struct identity_enroll_request r = {.product_model = "T2-EU", .serial = "SN-B", .batch = "B2",
                                            .csr_der = der, .csr_len = len};
        struct error err = {0};
        assert_int_equal(identity_enroll(&f->ic, &idfx_factory, &r, &b, &err), 0);
        free(der);
        expect_peer_ok(f, &b, "SN-B");

        /* a second CA for T1: the first is retired, its devices still authenticate */
        idfx_ca_setup(f, IDFX_MODEL, "t1-ca-2");
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM device_cas WHERE name = 't1-ca-1' AND status = 'retired'"), 1);
        expect_peer_ok(f, &a, "SN-A");
        idfx_enroll(f, "SN-C", &c, NULL);
        expect_peer_ok(f, &c, "SN-C");
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM certificates x JOIN device_cas y ON y.id = x.ca_id "
                                           "JOIN devices d ON d.id = x.device_id WHERE d.serial = 'SN-C' AND y.name = 't1-ca-2'"), 1);
        gnutls_free(a.data);
        gnutls_free(b.data);
        gnutls_free(c.data);
}

struct worker {
        struct idfx *f;
        const gnutls_datum_t *cert;
        int ok;
};

static void *worker_run(void *arg) {
        struct worker *w = arg;
        struct store *s = NULL;
        struct error err = {0};
        if (store_open(w->f->t->db, &s, &err) < 0)
                return NULL;
        struct identity_ctx ic = w->f->ic; /* shares the trust cache */
        ic.store = s;
        for (int i = 0; i < 25; i++) {
                struct identity_device_peer peer;
                if (identity_peer_authenticate(&ic, w->cert, 1, &peer, &err) == 0)
                        w->ok++;
        }
        store_close(s);
        return NULL;
}

/* Server threads share one cache, each with its own connection; a CA installed
 * meanwhile makes them rebuild without pulling the list from under a verifier. */
static void test_trust_cache_shared_by_threads(void **state) {
        struct idfx *f = *state;
        f->ic.trust_cache = identity_trust_cache_new();
        gnutls_datum_t cert = {0};
        idfx_enroll(f, "SN-T", &cert, NULL);
        pthread_t th[4];
        struct worker w[4];
        for (int i = 0; i < 4; i++) {
                w[i] = (struct worker){.f = f, .cert = &cert};
                assert_int_equal(pthread_create(&th[i], NULL, worker_run, &w[i]), 0);
        }
        idfx_product_create(f, "T2-EU");
        idfx_ca_setup(f, "T2-EU", "t2-ca");
        for (int i = 0; i < 4; i++) {
                pthread_join(th[i], NULL);
                assert_int_equal(w[i].ok, 25);
        }
        gnutls_free(cert.data);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_valid_birth_certificate, setup, teardown),
                cmocka_unit_test_setup_teardown(test_no_certificate, setup, teardown),
                cmocka_unit_test_setup_teardown(test_revoked, setup, teardown),
                cmocka_unit_test_setup_teardown(test_superseded, setup, teardown),
                cmocka_unit_test_setup_teardown(test_expired, setup, teardown),
                cmocka_unit_test_setup_teardown(test_expired_while_memoised, setup, teardown),
                cmocka_unit_test_setup_teardown(test_foreign_ca, setup, teardown),
                cmocka_unit_test_setup_teardown(test_not_issued_by_server, setup, teardown),
                cmocka_unit_test_setup_teardown(test_issued_serial_other_bytes, setup, teardown),
                cmocka_unit_test_setup_teardown(test_decommissioned, setup, teardown),
                cmocka_unit_test_setup_teardown(test_garbage_chain, setup, teardown),
                cmocka_unit_test_setup_teardown(test_memo_keeps_each_chains_leaf, setup, teardown),
                cmocka_unit_test_setup_teardown(test_trust_cache_follows_ca_generation, setup, teardown),
                cmocka_unit_test_setup_teardown(test_trust_cache_shared_by_threads, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: Apache-2.0 */
/* Enrollment (EST simpleenroll without HTTP) and renewal (simplereenroll). */
#include "testutil-identity.h"

#include <gnutls/abstract.h>

static int setup(void **state) {
        *state = idfx_new();
        return 0;
}

static int teardown(void **state) {
        idfx_free(*state);
        return 0;
}

static struct identity_enroll_request request(const char *serial, const uint8_t *der, size_t len) {
        return (struct identity_enroll_request){
                .product_model = IDFX_MODEL, .serial = serial, .batch = IDFX_BATCH, .csr_der = der, .csr_len = len,
        };
}

static int64_t device_count(struct idfx *f) {
        return raw_int(f->t->db, "SELECT count(*) FROM devices");
}

/* Expects identity_enroll to fail with kind/message, one refusal audited with `reason`,
 * and nothing else changed (no device row, no certificate). */
static void expect_refused(struct idfx *f, const struct audit_actor *a, const struct identity_enroll_request *r,
                           enum error_kind kind, const char *msg, const char *reason) {
        int64_t devices = device_count(f);
        int64_t certs = raw_int(f->t->db, "SELECT count(*) FROM certificates");
        char *like = str_printf("\"reason\":\"%s\"", reason);
        int64_t before = idfx_audit_count(f, "device.enroll.refused", like);
        gnutls_datum_t cert = {0};
        struct error err = {0};
        assert_int_equal(identity_enroll(&f->ic, a, r, &cert, &err), -1);
        assert_error(err, kind, msg);
        assert_null(cert.data);
        assert_int_equal(idfx_audit_count(f, "device.enroll.refused", like), before + 1);
        assert_int_equal(device_count(f), devices);
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM certificates"), certs);
        /* the refusal names serial and product */
        if (r->serial && *r->serial) {
                char *sql = sqlite3_mprintf("SELECT count(*) FROM audit_log WHERE action = 'device.enroll.refused' "
                                            "AND object = 'device:' || %Q AND details LIKE '%%\"product\":\"' || %Q || '\"%%'",
                                            r->serial, r->product_model ? r->product_model : "");
                assert_true(raw_int(f->t->db, sql) >= 1);
                sqlite3_free(sql);
        }
        free(like);
}

static void test_enroll_creates_device_and_birth_cert(void **state) {
        struct idfx *f = *state;
        gnutls_datum_t cert = {0};
        idfx_enroll(f, "SN-0001", &cert, NULL);
        assert_non_null(cert.data);

        gnutls_x509_crt_t crt = NULL;
        struct error err = {0};
        assert_int_equal(pki_cert_import(cert.data, cert.size, &crt, &err), 0);
        time_t nb = gnutls_x509_crt_get_activation_time(crt), na = gnutls_x509_crt_get_expiration_time(crt);
        /* birth: 7300 days (notBefore is backdated a few minutes) */
        assert_true(na - nb >= 7300LL * 86400 && na - nb <= 7300LL * 86400 + 3600);
        char serial_number[80];
        assert_int_equal(pki_cert_subject_serial(crt, serial_number, sizeof(serial_number)), 0);
        assert_string_equal(serial_number, "SN-0001");
        gnutls_x509_crt_deinit(crt);

        json_t *dev = NULL;
        assert_int_equal(identity_device_get(f->s, "SN-0001", &dev, &err), 0);
        assert_string_equal(json_string_value(json_object_get(dev, "product")), IDFX_MODEL);
        assert_string_equal(json_string_value(json_object_get(dev, "batch")), IDFX_BATCH);
        assert_string_equal(json_string_value(json_object_get(dev, "hardware_revision")), "rev-C");
        assert_string_equal(json_string_value(json_object_get(dev, "production_date")), "2026-03-02");
        assert_string_equal(json_string_value(json_object_get(dev, "initial_firmware_version")), "1.4.2");
        assert_string_equal(json_string_value(json_object_get(dev, "station")), "station-7"); /* the token name */
        assert_string_equal(json_string_value(json_object_get(dev, "origin")), "factory");
        assert_string_equal(json_string_value(json_object_get(dev, "status")), "active");
        json_t *certs = json_object_get(dev, "certificates");
        assert_int_equal(json_array_size(certs), 1);
        json_t *c0 = json_array_get(certs, 0);
        assert_string_equal(json_string_value(json_object_get(c0, "kind")), "birth");
        assert_string_equal(json_string_value(json_object_get(c0, "status")), "valid");
        assert_string_equal(json_string_value(json_object_get(c0, "ca")), IDFX_CA);
        char hex[41];
        idfx_cert_serial(&cert, hex);
        assert_string_equal(json_string_value(json_object_get(c0, "serial")), hex);
        json_decref(dev);

        assert_int_equal(idfx_audit_count(f, "device.enroll", "\"serial\":\"SN-0001\""), 1);
        gnutls_free(cert.data);
}

static void test_station_from_request(void **state) {
        struct idfx *f = *state;
        uint8_t *der;
        size_t len;
        idfx_csr(f, "SN-0002", &der, &len, NULL);
        struct identity_enroll_request r = request("SN-0002", der, len);
        r.station = "line-3/station-12";
        gnutls_datum_t cert = {0};
        struct error err = {0};
        assert_int_equal(identity_enroll(&f->ic, &idfx_factory, &r, &cert, &err), 0);
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM devices WHERE serial = 'SN-0002' "
                                           "AND station = 'line-3/station-12'"), 1);
        gnutls_free(cert.data);
        free(der);
}

static void test_refused_csr_signature(void **state) {
        struct idfx *f = *state;
        uint8_t *der;
        size_t len;
        idfx_csr(f, "SN-0003", &der, &len, NULL);
        der[len - 3] ^= 0x55; /* inside the signature BIT STRING */
        struct identity_enroll_request r = request("SN-0003", der, len);
        expect_refused(f, &idfx_factory, &r, ERROR_INVALID, "CSR signature", "csr-signature");
        free(der);
}

static void test_refused_garbage_csr(void **state) {
        struct idfx *f = *state;
        static const uint8_t junk[] = "this is not a CSR";
        struct identity_enroll_request r = request("SN-0003b", junk, sizeof(junk) - 1);
        expect_refused(f, &idfx_factory, &r, ERROR_INVALID, "CSR is not a PKCS#10 request", "csr-invalid");
}

static void test_refused_serial_mismatch(void **state) {
        struct idfx *f = *state;
        uint8_t *der;
        size_t len;
        idfx_csr(f, "SN-OTHER", &der, &len, NULL);
        struct identity_enroll_request r = request("SN-0004", der, len);
        expect_refused(f, &idfx_factory, &r, ERROR_INVALID,
                       "CSR subject serialNumber 'SN-OTHER' differs from the requested serial 'SN-0004'",
                       "serial-mismatch");
        free(der);
        /* no serialNumber at all */
        char *key = idfx_device_key(f, CRYPTO_KEY_EC_P256);
        idfx_csr_for_key(key, "SN-0004", NULL, &der, &len);
        r = request("SN-0004", der, len);
        expect_refused(f, &idfx_factory, &r, ERROR_INVALID, "CSR subject has no serialNumber", "serial-mismatch");
        free(der);
        free(key);
}

static void test_refused_serial_enrolled(void **state) {
        struct idfx *f = *state;
        gnutls_datum_t cert = {0};
        idfx_enroll(f, "SN-0005", &cert, NULL);
        gnutls_free(cert.data);
        uint8_t *der;
        size_t len;
        idfx_csr(f, "SN-0005", &der, &len, NULL);
        struct identity_enroll_request r = request("SN-0005", der, len);
        expect_refused(f, &idfx_factory, &r, ERROR_CONFLICT, "device 'SN-0005' is already enrolled", "serial-enrolled");
        /* even an admin needs reprovision=true */
        expect_refused(f, &idfx_admin, &r, ERROR_CONFLICT, "reprovision=true", "serial-enrolled");
        free(der);
}

static void test_refused_reprovision_without_admin(void **state) {
        struct idfx *f = *state;
        gnutls_datum_t cert = {0};
        idfx_enroll(f, "SN-0006", &cert, NULL);
        gnutls_free(cert.data);
        uint8_t *der;
        size_t len;
        idfx_csr(f, "SN-0006", &der, &len, NULL);
        struct identity_enroll_request r = request("SN-0006", der, len);
        r.reprovision = true;
        expect_refused(f, &idfx_factory, &r, ERROR_FORBIDDEN, "needs the admin role", "reprovision-forbidden");
        free(der);
}

static void test_reprovision_by_admin_supersedes(void **state) {
        struct idfx *f = *state;
        gnutls_datum_t old = {0};
        idfx_enroll(f, "SN-0007", &old, NULL);
        char old_serial[41];
        idfx_cert_serial(&old, old_serial);
        uint8_t *der;
        size_t len;
        idfx_csr(f, "SN-0007", &der, &len, NULL);
        struct identity_enroll_request r = request("SN-0007", der, len);
        r.reprovision = true;
        gnutls_datum_t fresh = {0};
        struct error err = {0};
        assert_int_equal(identity_enroll(&f->ic, &idfx_admin, &r, &fresh, &err), 0);
        char *sql = str_printf("SELECT revocation_reason FROM certificates WHERE serial_hex = '%s' AND status = 'revoked'",
                               old_serial);
        assert_int_equal(raw_int(f->t->db, sql), PKI_CRL_REASON_SUPERSEDED);
        free(sql);
        assert_int_equal(idfx_audit_count(f, "device.reprovision", old_serial), 1);
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM certificates c JOIN devices d ON d.id = c.device_id "
                                           "WHERE d.serial = 'SN-0007' AND c.status = 'valid'"), 1);
        /* the old birth certificate no longer authenticates */
        struct identity_device_peer peer;
        assert_int_equal(identity_peer_authenticate(&f->ic, &old, 1, &peer, &err), -1);
        assert_error(err, ERROR_UNAUTHENTICATED, "certificate revoked (superseded)");
        assert_int_equal(identity_peer_authenticate(&f->ic, &fresh, 1, &peer, &err), 0);
        gnutls_free(old.data);
        gnutls_free(fresh.data);
        free(der);
}

/* A CSR for an RSA-2048 key, made with GnuTLS directly (the policy wants >= 3072). */
static void rsa2048_csr(const char *serial, uint8_t **der, size_t *len) {
        gnutls_x509_privkey_t xk;
        gnutls_privkey_t pk;
        gnutls_x509_crq_t crq;
        assert_int_equal(gnutls_x509_privkey_init(&xk), 0);
        assert_int_equal(gnutls_x509_privkey_generate(xk, GNUTLS_PK_RSA, 2048, 0), 0);
        assert_int_equal(gnutls_privkey_init(&pk), 0);
        assert_int_equal(gnutls_privkey_import_x509(pk, xk, 0), 0);
        assert_int_equal(gnutls_x509_crq_init(&crq), 0);
        assert_int_equal(gnutls_x509_crq_set_dn_by_oid(crq, GNUTLS_OID_X520_COMMON_NAME, 0, serial, strlen(serial)), 0);
        assert_int_equal(gnutls_x509_crq_set_dn_by_oid(crq, "2.5.4.5", 0, serial, strlen(serial)), 0);
        assert_int_equal(gnutls_x509_crq_set_key(crq, xk), 0);
        assert_int_equal(gnutls_x509_crq_privkey_sign(crq, pk, GNUTLS_DIG_SHA256, 0), 0);
        gnutls_datum_t d = {0};
        assert_int_equal(gnutls_x509_crq_export2(crq, GNUTLS_X509_FMT_DER, &d), 0);
        *der = malloc(d.size);
        memcpy(*der, d.data, d.size);
        *len = d.size;
        gnutls_free(d.data);
        gnutls_x509_crq_deinit(crq);
        gnutls_privkey_deinit(pk);
        gnutls_x509_privkey_deinit(xk);
}

static void test_refused_key_policy(void **state) {
        struct idfx *f = *state;
        uint8_t *der;
        size_t len;
        rsa2048_csr("SN-0008", &der, &len);
        struct identity_enroll_request r = request("SN-0008", der, len);
        expect_refused(f, &idfx_factory, &r, ERROR_INVALID, "key RSA 2048 is outside policy", "key-policy");
        free(der);
}

static void test_refused_unknown_product(void **state) {
        struct idfx *f = *state;
        uint8_t *der;
        size_t len;
        idfx_csr(f, "SN-0009", &der, &len, NULL);
        struct identity_enroll_request r = request("SN-0009", der, len);
        r.product_model = "NO-SUCH";
        expect_refused(f, &idfx_factory, &r, ERROR_NOT_FOUND, "no product with model 'NO-SUCH'", "unknown-product");
        free(der);
}

static void test_refused_unknown_batch(void **state) {
        struct idfx *f = *state;
        uint8_t *der;
        size_t len;
        idfx_csr(f, "SN-0010", &der, &len, NULL);
        struct identity_enroll_request r = request("SN-0010", der, len);
        r.batch = "B-NOPE";
        expect_refused(f, &idfx_factory, &r, ERROR_NOT_FOUND, "batch 'B-NOPE' does not exist for product 'T1-EU'",
                       "unknown-batch");
        free(der);
}

static void test_refused_closed_batch(void **state) {
        struct idfx *f = *state;
        json_t *out = NULL;
        struct error err = {0};
        assert_int_equal(identity_batch_close(f->s, &idfx_admin, f->batch_id, &out, &err), 0);
        assert_string_equal(json_string_value(json_object_get(out, "status")), "closed");
        json_decref(out);
        uint8_t *der;
        size_t len;
        idfx_csr(f, "SN-0011", &der, &len, NULL);
        struct identity_enroll_request r = request("SN-0011", der, len);
        expect_refused(f, &idfx_factory, &r, ERROR_CONFLICT, "batch 'B2026-01' of product 'T1-EU' is closed",
                       "batch-closed");
        free(der);
}

static void test_refused_no_active_ca(void **state) {
        struct idfx *f = *state;
        idfx_product_create(f, "T2-EU");
        idfx_batch_create(f, "T2-EU", "B2");
        /* a pending CA does not count */
        json_t *ca = NULL;
        struct error err = {0};
        assert_int_equal(identity_ca_create(f->s, &idfx_admin, "T2-EU", "t2-ca", NULL, f->data_dir, &ca, &err), 0);
        json_decref(ca);
        uint8_t *der;
        size_t len;
        idfx_csr(f, "SN-0012", &der, &len, NULL);
        struct identity_enroll_request r = request("SN-0012", der, len);
        r.product_model = "T2-EU";
        r.batch = "B2";
        expect_refused(f, &idfx_factory, &r, ERROR_CONFLICT, "product 'T2-EU' has no active device CA", "no-active-ca");
        free(der);
}

static void test_refused_invalid_request(void **state) {
        struct idfx *f = *state;
        uint8_t *der;
        size_t len;
        idfx_csr(f, "SN-0013", &der, &len, NULL);
        struct identity_enroll_request r = request("bad serial!", der, len);
        expect_refused(f, &idfx_factory, &r, ERROR_INVALID, "serial", "invalid-request");
        r = request(NULL, der, len);
        expect_refused(f, &idfx_factory, &r, ERROR_INVALID, "serial: is required", "invalid-request");
        /* bytes that are not UTF-8 still make a readable audit record */
        r = request("SN-0013", der, len);
        r.batch = "\xff\xfe";
        expect_refused(f, &idfx_factory, &r, ERROR_INVALID, "batch", "invalid-request");
        assert_int_equal(idfx_audit_count(f, "device.enroll.refused", "\"batch\":\"??\""), 1);
        free(der);
}

/* ---- renewal ---- */

static void authenticate(struct idfx *f, const gnutls_datum_t *cert, struct identity_device_peer *peer) {
        struct error err = {0};
        if (identity_peer_authenticate(&f->ic, cert, 1, peer, &err) < 0)
                fail_msg("identity_peer_authenticate: %s", err.msg);
}

static void test_reenroll_issues_operational_and_supersedes(void **state) {
        struct idfx *f = *state;
        gnutls_datum_t birth = {0}, op1 = {0}, op2 = {0};
        idfx_enroll(f, "SN-0100", &birth, NULL);
        struct identity_device_peer peer;
        authenticate(f, &birth, &peer);
        assert_int_equal(peer.kind, PKI_CERT_BIRTH);
        assert_string_equal(peer.serial, "SN-0100");
        assert_string_equal(peer.product_model, IDFX_MODEL);

        uint8_t *der;
        size_t len;
        struct error err = {0};
        idfx_csr(f, "SN-0100", &der, &len, NULL); /* a new key */
        assert_int_equal(identity_reenroll(&f->ic, &peer, der, len, &op1, &err), 0);
        free(der);
        gnutls_x509_crt_t crt = NULL;
        assert_int_equal(pki_cert_import(op1.data, op1.size, &crt, &err), 0);
        time_t span = gnutls_x509_crt_get_expiration_time(crt) - gnutls_x509_crt_get_activation_time(crt);
        assert_true(span >= 365LL * 86400 && span <= 365LL * 86400 + 3600);
        gnutls_x509_crt_deinit(crt);
        /* a birth certificate is never superseded */
        authenticate(f, &birth, &peer);

        struct identity_device_peer op_peer;
        authenticate(f, &op1, &op_peer);
        assert_int_equal(op_peer.kind, PKI_CERT_OPERATIONAL);
        idfx_csr(f, "SN-0100", &der, &len, NULL);
        assert_int_equal(identity_reenroll(&f->ic, &op_peer, der, len, &op2, &err), 0);
        free(der);
        char s1[41], s2[41];
        idfx_cert_serial(&op1, s1);
        idfx_cert_serial(&op2, s2);
        char *sql = str_printf("SELECT count(*) FROM certificates a JOIN certificates b ON b.id = a.superseded_by "
                               "WHERE a.serial_hex = '%s' AND a.status = 'superseded' AND b.serial_hex = '%s'", s1, s2);
        assert_int_equal(raw_int(f->t->db, sql), 1);
        free(sql);
        assert_int_equal(identity_peer_authenticate(&f->ic, &op1, 1, &op_peer, &err), -1);
        assert_error(err, ERROR_UNAUTHENTICATED, "superseded");
        authenticate(f, &op2, &op_peer);
        authenticate(f, &birth, &peer);
        assert_int_equal(idfx_audit_count(f, "certificate.renew", "\"serial\":\"SN-0100\""), 2);
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM audit_log WHERE action = 'certificate.renew' "
                                           "AND actor_name = 'device:SN-0100' AND actor_role = 'device'"), 2);
        gnutls_free(birth.data);
        gnutls_free(op1.data);
        gnutls_free(op2.data);
}

static void test_whoami_shows_the_presented_certificate(void **state) {
        struct idfx *f = *state;
        gnutls_datum_t birth = {0}, op = {0}, other = {0};
        idfx_enroll(f, "SN-0200", &birth, NULL);
        idfx_enroll(f, "SN-0201", &other, NULL);
        struct identity_device_peer peer;
        authenticate(f, &birth, &peer);
        uint8_t *der;
        size_t len;
        struct error err = {0};
        idfx_csr(f, "SN-0200", &der, &len, NULL);
        assert_int_equal(identity_reenroll(&f->ic, &peer, der, len, &op, &err), 0);
        free(der);
        char sb[41], so[41], sx[41];
        idfx_cert_serial(&birth, sb);
        idfx_cert_serial(&op, so);
        idfx_cert_serial(&other, sx);
        /* Each certificate sees itself, with its PEM, and never the list. */
        json_t *dev = NULL, *full = NULL;
        assert_int_equal(identity_device_get(f->s, "SN-0200", &full, &err), 0);
        for (int k = 0; k < 2; k++) {
                const char *want = k ? so : sb;
                assert_int_equal(identity_device_whoami(f->s, "SN-0200", want, &dev, &err), 0);
                json_t *c = json_object_get(dev, "certificate");
                assert_string_equal(json_string_value(json_object_get(c, "serial")), want);
                assert_non_null(json_string_value(json_object_get(c, "pem")));
                assert_null(json_object_get(dev, "certificates"));
                /* The rest is the device record as the operator API gives it. */
                assert_string_equal(json_string_value(json_object_get(dev, "serial")), "SN-0200");
                assert_true(json_equal(json_object_get(dev, "status"), json_object_get(full, "status")));
                json_decref(dev);
        }
        /* Another device's certificate serial names nothing of this device. */
        assert_int_equal(identity_device_whoami(f->s, "SN-0200", sx, &dev, &err), 0);
        assert_true(json_is_null(json_object_get(dev, "certificate")));
        json_decref(dev);
        json_decref(full);
        gnutls_free(birth.data);
        gnutls_free(op.data);
        gnutls_free(other.data);
}

static void test_reenroll_refuses_other_serial(void **state) {
        struct idfx *f = *state;
        gnutls_datum_t birth = {0}, out = {0};
        idfx_enroll(f, "SN-0101", &birth, NULL);
        struct identity_device_peer peer;
        authenticate(f, &birth, &peer);
        uint8_t *der;
        size_t len;
        struct error err = {0};
        idfx_csr(f, "SN-9999", &der, &len, NULL);
        assert_int_equal(identity_reenroll(&f->ic, &peer, der, len, &out, &err), -1);
        assert_error(err, ERROR_INVALID, "differs from the device's serial 'SN-0101'");
        assert_null(out.data);
        free(der);
        gnutls_free(birth.data);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_enroll_creates_device_and_birth_cert, setup, teardown),
                cmocka_unit_test_setup_teardown(test_station_from_request, setup, teardown),
                cmocka_unit_test_setup_teardown(test_refused_csr_signature, setup, teardown),
                cmocka_unit_test_setup_teardown(test_refused_garbage_csr, setup, teardown),
                cmocka_unit_test_setup_teardown(test_refused_serial_mismatch, setup, teardown),
                cmocka_unit_test_setup_teardown(test_refused_serial_enrolled, setup, teardown),
                cmocka_unit_test_setup_teardown(test_refused_reprovision_without_admin, setup, teardown),
                cmocka_unit_test_setup_teardown(test_reprovision_by_admin_supersedes, setup, teardown),
                cmocka_unit_test_setup_teardown(test_refused_key_policy, setup, teardown),
                cmocka_unit_test_setup_teardown(test_refused_unknown_product, setup, teardown),
                cmocka_unit_test_setup_teardown(test_refused_unknown_batch, setup, teardown),
                cmocka_unit_test_setup_teardown(test_refused_closed_batch, setup, teardown),
                cmocka_unit_test_setup_teardown(test_refused_no_active_ca, setup, teardown),
                cmocka_unit_test_setup_teardown(test_refused_invalid_request, setup, teardown),
                cmocka_unit_test_setup_teardown(test_reenroll_issues_operational_and_supersedes, setup, teardown),
                cmocka_unit_test_setup_teardown(test_reenroll_refuses_other_serial, setup, teardown),
                cmocka_unit_test_setup_teardown(test_whoami_shows_the_presented_certificate, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

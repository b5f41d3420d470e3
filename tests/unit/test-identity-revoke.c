/* SPDX-License-Identifier: Apache-2.0 */
/* Revocation, decommissioning and the CRL a relying party downloads. */
#include <stdlib.h>
#include "testutil-identity.h"

#include "core/time.h"

static int setup(void **state) {
        *state = idfx_new();
        return 0;
}

static int teardown(void **state) {
        idfx_free(*state);
        return 0;
}

/* The CA certificate from the store. */
static gnutls_x509_crt_t ca_cert(struct idfx *f, const char *name) {
        json_t *j = NULL;
        struct error err = {0};
        assert_int_equal(identity_ca_get(f->s, name, &j, &err), 0);
        const char *pem = json_string_value(json_object_get(j, "certificate"));
        gnutls_x509_crt_t crt = NULL;
        assert_int_equal(pki_cert_import(pem, strlen(pem), &crt, &err), 0);
        json_decref(j);
        return crt;
}

struct crl_view {
        unsigned long number;
        size_t n;
        char serials[16][41];
        time_t this_update, next_update;
};

/* Fetches the CRL through identity_crl_get and reads it the way a relying party
 * does: GnuTLS, signature verified against the CA. */
static void crl_fetch(struct idfx *f, const char *ca_name, struct crl_view *v) {
        memset(v, 0, sizeof(*v));
        uint8_t *der = NULL;
        size_t len = 0;
        struct error err = {0};
        if (identity_crl_get(&f->ic, ca_name, &der, &len, &err) < 0)
                fail_msg("identity_crl_get: %s", err.msg);
        gnutls_x509_crl_t crl;
        assert_int_equal(gnutls_x509_crl_init(&crl), 0);
        gnutls_datum_t d = {der, (unsigned) len};
        assert_int_equal(gnutls_x509_crl_import(crl, &d, GNUTLS_X509_FMT_DER), 0);
        gnutls_x509_crt_t ca = ca_cert(f, ca_name);
        unsigned status = 1;
        assert_int_equal(gnutls_x509_crl_verify(crl, &ca, 1, 0, &status), 0);
        assert_int_equal(status, 0);
        gnutls_x509_crt_deinit(ca);
        uint8_t num[20];
        size_t num_len = sizeof(num);
        unsigned critical;
        assert_int_equal(gnutls_x509_crl_get_number(crl, num, &num_len, &critical), 0);
        for (size_t i = 0; i < num_len; i++)
                v->number = (v->number << 8) | num[i];
        v->this_update = gnutls_x509_crl_get_this_update(crl);
        v->next_update = gnutls_x509_crl_get_next_update(crl);
        int count = gnutls_x509_crl_get_crt_count(crl);
        assert_true(count >= 0 && count <= 16);
        for (int i = 0; i < count; i++) {
                uint8_t serial[64];
                size_t serial_len = sizeof(serial);
                time_t t;
                assert_int_equal(gnutls_x509_crl_get_crt_serial(crl, (unsigned) i, serial, &serial_len, &t), 0);
                /* canonical lowercase hex without the DER sign byte, as pki_cert_serial_hex prints */
                size_t off = serial_len > 1 && serial[0] == 0 ? 1 : 0;
                for (size_t k = off; k < serial_len && 2 * (k - off) + 2 < 41; k++)
                        snprintf(&v->serials[i][2 * (k - off)], 3, "%02x", serial[k]);
        }
        v->n = (size_t) count;
        gnutls_x509_crl_deinit(crl);
        free(der);
}

static bool crl_lists(const struct crl_view *v, const char *serial) {
        for (size_t i = 0; i < v->n; i++)
                if (strcmp(v->serials[i], serial) == 0)
                        return true;
        return false;
}

static void test_installed_ca_has_empty_crl(void **state) {
        struct idfx *f = *state;
        struct crl_view v;
        crl_fetch(f, IDFX_CA, &v);
        assert_int_equal(v.number, 1);
        assert_int_equal(v.n, 0);
        /* nextUpdate a week after thisUpdate (thisUpdate is backdated a minute) */
        assert_true(v.next_update - v.this_update >= 7 * 86400 && v.next_update - v.this_update <= 7 * 86400 + 120);
        /* fetching again while fresh does not re-sign */
        crl_fetch(f, IDFX_CA, &v);
        assert_int_equal(v.number, 1);
}

static void test_revoke_cert_updates_crl(void **state) {
        struct idfx *f = *state;
        gnutls_datum_t c1 = {0}, c2 = {0};
        idfx_enroll(f, "SN-1", &c1, NULL);
        idfx_enroll(f, "SN-2", &c2, NULL);
        char s1[41], s2[41];
        idfx_cert_serial(&c1, s1);
        idfx_cert_serial(&c2, s2);
        struct error err = {0};
        assert_int_equal(identity_revoke_cert(&f->ic, &idfx_admin, s1, PKI_CRL_REASON_KEY_COMPROMISE, &err), 0);
        struct crl_view v;
        crl_fetch(f, IDFX_CA, &v);
        assert_int_equal(v.number, 2);
        assert_int_equal(v.n, 1);
        assert_true(crl_lists(&v, s1));
        assert_false(crl_lists(&v, s2));

        /* a serial as a person types it: upper case with colons */
        char typed[64] = "";
        for (size_t i = 0; s2[i]; i += 2) {
                char pair[4] = {(char) (s2[i] >= 'a' ? s2[i] - 32 : s2[i]),
                                (char) (s2[i + 1] >= 'a' ? s2[i + 1] - 32 : s2[i + 1]), s2[i + 2] ? ':' : 0, 0};
                strcat(typed, pair);
        }
        assert_int_equal(identity_revoke_cert(&f->ic, &idfx_admin, typed, PKI_CRL_REASON_AFFILIATION_CHANGED, &err), 0);
        crl_fetch(f, IDFX_CA, &v);
        assert_int_equal(v.number, 3);
        assert_int_equal(v.n, 2);
        assert_true(crl_lists(&v, s1) && crl_lists(&v, s2));

        char *sql = str_printf("SELECT revocation_reason FROM certificates WHERE serial_hex = '%s'", s1);
        assert_int_equal(raw_int(f->t->db, sql), PKI_CRL_REASON_KEY_COMPROMISE);
        free(sql);
        assert_int_equal(idfx_audit_count(f, "certificate.revoke", "\"reason\":\"keyCompromise\""), 1);
        assert_int_equal(idfx_audit_count(f, "certificate.revoke", "\"crl_number\":3"), 1);
        /* the CA row carries the number and the CRL */
        assert_int_equal(raw_int(f->t->db, "SELECT crl_number FROM device_cas WHERE name = 't1-ca-1'"), 3);
        gnutls_free(c1.data);
        gnutls_free(c2.data);
}

/* A revocation whose commit fails changes neither the certificate nor the
 * CRL relying parties fetch; the retry revokes with the next CRL number. */
static void test_revoke_commit_failure(void **state) {
#ifndef CRADLE_FAULT_INJECTION
        skip();
#endif
        struct idfx *f = *state;
        gnutls_datum_t c1 = {0};
        idfx_enroll(f, "SN-1", &c1, NULL);
        char s1[41];
        idfx_cert_serial(&c1, s1);
        struct error err = {0};
        struct crl_view v;
        crl_fetch(f, IDFX_CA, &v);
        assert_int_equal(v.number, 1);
        setenv("CRADLE_FAULT", "identity.revoke.commit:fail", 1);
        assert_int_equal(identity_revoke_cert(&f->ic, &idfx_admin, s1, PKI_CRL_REASON_KEY_COMPROMISE, &err), -1);
        unsetenv("CRADLE_FAULT");
        assert_int_equal(err.kind, ERROR_DB);
        crl_fetch(f, IDFX_CA, &v);
        assert_int_equal(v.number, 1);
        assert_false(crl_lists(&v, s1));
        assert_int_equal(idfx_audit_count(f, "certificate.revoke", ""), 0);
        assert_int_equal(identity_revoke_cert(&f->ic, &idfx_admin, s1, PKI_CRL_REASON_KEY_COMPROMISE, &err), 0);
        crl_fetch(f, IDFX_CA, &v);
        assert_int_equal(v.number, 2);
        assert_true(crl_lists(&v, s1));
        gnutls_free(c1.data);
}

static void test_revoke_errors(void **state) {
        struct idfx *f = *state;
        gnutls_datum_t c = {0};
        idfx_enroll(f, "SN-3", &c, NULL);
        char s[41];
        idfx_cert_serial(&c, s);
        struct error err = {0};
        assert_int_equal(identity_revoke_cert(&f->ic, &idfx_admin, "0badc0ffee", 1, &err), -1);
        assert_error(err, ERROR_NOT_FOUND, "no certificate with serial 0badc0ffee");
        assert_int_equal(identity_revoke_cert(&f->ic, &idfx_admin, s, 7, &err), -1);
        assert_error(err, ERROR_INVALID, "reason");
        assert_int_equal(identity_revoke_cert(&f->ic, &idfx_admin, s, PKI_CRL_REASON_CERTIFICATE_HOLD, &err), -1);
        assert_error(err, ERROR_INVALID, "certificateHold is not supported");
        assert_int_equal(identity_revoke_cert(&f->ic, &idfx_admin, s, 0, &err), 0);
        assert_int_equal(identity_revoke_cert(&f->ic, &idfx_admin, s, 0, &err), -1);
        assert_error(err, ERROR_CONFLICT, "it is revoked");
        int reason;
        assert_int_equal(pki_crl_reason_parse("keyCompromise", &reason, &err), 0);
        assert_int_equal(identity_revoke_device(&f->ic, &idfx_admin, "SN-3", reason, &err), -1);
        assert_error(err, ERROR_CONFLICT, "device 'SN-3' has no certificate left to revoke");
        assert_int_equal(identity_revoke_device(&f->ic, &idfx_admin, "SN-NOPE", reason, &err), -1);
        assert_error(err, ERROR_NOT_FOUND, "no device with serial 'SN-NOPE'");
        /* nothing of the failures left a trace in the CRL number */
        assert_int_equal(raw_int(f->t->db, "SELECT crl_number FROM device_cas WHERE name = 't1-ca-1'"), 2);
        gnutls_free(c.data);
}

static void test_revoke_device_revokes_all(void **state) {
        struct idfx *f = *state;
        gnutls_datum_t birth = {0}, op = {0}, other = {0};
        idfx_enroll(f, "SN-4", &birth, NULL);
        idfx_enroll(f, "SN-5", &other, NULL);
        struct identity_device_peer peer;
        struct error err = {0};
        assert_int_equal(identity_peer_authenticate(&f->ic, &birth, 1, &peer, &err), 0);
        uint8_t *der;
        size_t len;
        idfx_csr(f, "SN-4", &der, &len, NULL);
        assert_int_equal(identity_reenroll(&f->ic, &peer, der, len, &op, &err), 0);
        free(der);
        assert_int_equal(identity_revoke_device(&f->ic, &idfx_security_officer, "SN-4",
                                                PKI_CRL_REASON_KEY_COMPROMISE, &err), 0);
        char sb[41], so[41], sx[41];
        idfx_cert_serial(&birth, sb);
        idfx_cert_serial(&op, so);
        idfx_cert_serial(&other, sx);
        struct crl_view v;
        crl_fetch(f, IDFX_CA, &v);
        assert_int_equal(v.n, 2);
        assert_true(crl_lists(&v, sb) && crl_lists(&v, so));
        assert_false(crl_lists(&v, sx));
        assert_int_equal(idfx_audit_count(f, "device.revoke", sb), 1);
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM audit_log WHERE action = 'device.revoke' "
                                           "AND actor_role = 'security-officer'"), 1);
        /* the device itself stays active (it may be re-provisioned) */
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM devices WHERE serial = 'SN-4' AND status = 'active'"), 1);
        gnutls_free(birth.data);
        gnutls_free(op.data);
        gnutls_free(other.data);
}

static void test_decommission(void **state) {
        struct idfx *f = *state;
        gnutls_datum_t c = {0};
        idfx_enroll(f, "SN-6", &c, NULL);
        char s[41];
        idfx_cert_serial(&c, s);
        struct error err = {0};
        assert_int_equal(identity_decommission(&f->ic, &idfx_admin, "SN-6", &err), 0);
        char *sql = str_printf("SELECT revocation_reason FROM certificates WHERE serial_hex = '%s' AND status = 'revoked'", s);
        assert_int_equal(raw_int(f->t->db, sql), PKI_CRL_REASON_CESSATION_OF_OPERATION);
        free(sql);
        json_t *dev = NULL;
        assert_int_equal(identity_device_get(f->s, "SN-6", &dev, &err), 0);
        assert_string_equal(json_string_value(json_object_get(dev, "status")), "decommissioned");
        assert_true(json_is_string(json_object_get(dev, "decommissioned_at")));
        json_t *c0 = json_array_get(json_object_get(dev, "certificates"), 0);
        assert_string_equal(json_string_value(json_object_get(c0, "revocation_reason")), "cessationOfOperation");
        json_decref(dev);
        struct crl_view v;
        crl_fetch(f, IDFX_CA, &v);
        assert_true(crl_lists(&v, s));
        assert_int_equal(idfx_audit_count(f, "device.decommission", s), 1);
        assert_int_equal(identity_decommission(&f->ic, &idfx_admin, "SN-6", &err), -1);
        assert_error(err, ERROR_CONFLICT, "device 'SN-6' is already decommissioned");
        gnutls_free(c.data);
}

static void test_crl_refreshed_when_next_update_near(void **state) {
        struct idfx *f = *state;
        struct crl_view v;
        crl_fetch(f, IDFX_CA, &v);
        assert_int_equal(v.number, 1);
        /* twelve hours before nextUpdate: re-signed with the next number */
        char *sql = str_printf("UPDATE device_cas SET crl_next_update = %lld WHERE name = 't1-ca-1'",
                               (long long) (time_now() + 12 * 3600));
        raw_exec(f->t->db, sql);
        free(sql);
        crl_fetch(f, IDFX_CA, &v);
        assert_int_equal(v.number, 2);
        assert_true(v.next_update >= time_now() + 7 * 86400 - 120);
        assert_true(raw_int(f->t->db, "SELECT crl_next_update FROM device_cas WHERE name = 't1-ca-1'") >=
                    time_now() + 7 * 86400 - 120);
        /* two days before: still fresh */
        sql = str_printf("UPDATE device_cas SET crl_next_update = %lld WHERE name = 't1-ca-1'",
                         (long long) (time_now() + 2 * 86400));
        raw_exec(f->t->db, sql);
        free(sql);
        crl_fetch(f, IDFX_CA, &v);
        assert_int_equal(v.number, 2);
}

static void test_crl_of_pending_or_unknown_ca(void **state) {
        struct idfx *f = *state;
        json_t *ca = NULL;
        struct error err = {0};
        assert_int_equal(identity_ca_create(f->s, &idfx_admin, IDFX_MODEL, "t1-ca-2", NULL, f->data_dir, &ca, &err), 0);
        json_decref(ca);
        uint8_t *der = NULL;
        size_t len = 0;
        assert_int_equal(identity_crl_get(&f->ic, "t1-ca-2", &der, &len, &err), -1);
        assert_error(err, ERROR_CONFLICT, "device CA 't1-ca-2' is not installed yet");
        assert_int_equal(identity_crl_get(&f->ic, "nope", &der, &len, &err), -1);
        assert_error(err, ERROR_NOT_FOUND, "no device CA named 'nope'");
        assert_null(der);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_installed_ca_has_empty_crl, setup, teardown),
                cmocka_unit_test_setup_teardown(test_revoke_cert_updates_crl, setup, teardown),
                cmocka_unit_test_setup_teardown(test_revoke_commit_failure, setup, teardown),
                cmocka_unit_test_setup_teardown(test_revoke_errors, setup, teardown),
                cmocka_unit_test_setup_teardown(test_revoke_device_revokes_all, setup, teardown),
                cmocka_unit_test_setup_teardown(test_decommission, setup, teardown),
                cmocka_unit_test_setup_teardown(test_crl_refreshed_when_next_update_near, setup, teardown),
                cmocka_unit_test_setup_teardown(test_crl_of_pending_or_unknown_ca, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: Apache-2.0 */
/* Device-issuing CAs: key + CSR, installation, retirement, what devices are told. */
#include "testutil-identity.h"

#include <sys/stat.h>

static int setup(void **state) {
        *state = idfx_new();
        return 0;
}

static int teardown(void **state) {
        idfx_free(*state);
        return 0;
}

static json_t *ca_create_ok(struct idfx *f, const char *name, const char *key_ref) {
        json_t *out = NULL;
        struct error err = {0};
        if (identity_ca_create(f->s, &idfx_admin, IDFX_MODEL, name, key_ref, f->data_dir, &out, &err) < 0)
                fail_msg("identity_ca_create: %s", err.msg);
        return out;
}

static void test_create_generates_key_and_csr(void **state) {
        struct idfx *f = *state;
        json_t *ca = ca_create_ok(f, "t1-ca-2", NULL);
        assert_string_equal(json_string_value(json_object_get(ca, "status")), "pending");
        assert_string_equal(json_string_value(json_object_get(ca, "product")), IDFX_MODEL);
        assert_true(json_is_null(json_object_get(ca, "certificate")));
        const char *csr = json_string_value(json_object_get(ca, "csr"));
        assert_non_null(strstr(csr, "CERTIFICATE REQUEST-----"));
        char *key_path = str_printf("%s/pki/t1-ca-2.key", f->data_dir);
        assert_string_equal(json_string_value(json_object_get(ca, "key_ref")), key_path);
        struct stat st;
        assert_int_equal(stat(key_path, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0600);
        /* the CSR is signed by that key */
        struct pki_csr_info info;
        gnutls_x509_crq_t crq = NULL;
        struct error err = {0};
        assert_int_equal(pki_csr_parse(csr, strlen(csr), &crq, &info, &err), 0);
        assert_string_equal(info.common_name, "t1-ca-2");
        gnutls_x509_crq_deinit(crq);
        /* no key material anywhere in the answer or the log */
        char *dump = json_dumps(ca, 0);
        assert_null(strstr(dump, "PRIVATE KEY"));
        free(dump);
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM audit_log WHERE details LIKE '%PRIVATE%'"), 0);
        assert_int_equal(idfx_audit_count(f, "device-ca.create", "t1-ca-2"), 1);
        json_decref(ca);
        free(key_path);
}

static void test_create_with_given_key_ref(void **state) {
        struct idfx *f = *state;
        char *key = idfx_device_key(f, CRYPTO_KEY_EC_P384);
        json_t *ca = ca_create_ok(f, "t1-ca-p384", key);
        assert_string_equal(json_string_value(json_object_get(ca, "key_ref")), key);
        json_decref(ca);
        assert_int_equal(idfx_audit_count(f, "device-ca.create", "\"key_generated\":false"), 1);
        free(key);
}

static void test_create_refusals(void **state) {
        struct idfx *f = *state;
        json_t *out = NULL;
        struct error err = {0};
        assert_int_equal(identity_ca_create(f->s, &idfx_admin, IDFX_MODEL, IDFX_CA, NULL, f->data_dir, &out, &err), -1);
        assert_error(err, ERROR_CONFLICT, "a device CA named 't1-ca-1' already exists");
        assert_int_equal(identity_ca_create(f->s, &idfx_admin, "NOPE", "x-ca", NULL, f->data_dir, &out, &err), -1);
        assert_error(err, ERROR_NOT_FOUND, "no product with model 'NOPE'");
        assert_int_equal(identity_ca_create(f->s, &idfx_admin, IDFX_MODEL, "../evil", NULL, f->data_dir, &out, &err), -1);
        assert_error(err, ERROR_INVALID, "device CA name");
        assert_int_equal(identity_ca_create(f->s, &idfx_admin, IDFX_MODEL, "x-ca", "/nonexistent/key.pem", NULL, &out,
                                            &err), -1);
        assert_null(out);
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM device_cas"), 1);
        /* a key file left over from elsewhere is never overwritten */
        char *stale = str_printf("%s/pki/stale-ca.key", f->data_dir);
        FILE *fp = fopen(stale, "w");
        fputs("keep me", fp);
        fclose(fp);
        assert_int_equal(identity_ca_create(f->s, &idfx_admin, IDFX_MODEL, "stale-ca", NULL, f->data_dir, &out, &err), -1);
        assert_error(err, ERROR_CONFLICT, "already exists");
        size_t len;
        unsigned char *content = read_file_bytes(stale, &len);
        assert_int_equal(len, 7);
        free(content);
        free(stale);
}

static void test_install_checks(void **state) {
        struct idfx *f = *state;
        struct error err = {0};
        json_t *out = NULL;
        json_t *ca = ca_create_ok(f, "t1-ca-2", NULL);
        char *good = idfx_root_sign(f, json_string_value(json_object_get(ca, "csr")), 3650);

        /* a certificate for another key */
        json_t *other = ca_create_ok(f, "t1-ca-3", NULL);
        char *wrong_key = idfx_root_sign(f, json_string_value(json_object_get(other, "csr")), 3650);
        assert_int_equal(identity_ca_install(f->s, &idfx_admin, "t1-ca-2", wrong_key, f->root_pem, &out, &err), -1);
        assert_error(err, ERROR_INVALID, "its public key is not the key of device CA 't1-ca-2'");

        /* a chain that is not its issuer */
        char *root2_path = idfx_device_key(f, CRYPTO_KEY_EC_P256);
        struct crypto_key *root2 = NULL;
        char *root2_pem = NULL;
        assert_int_equal(crypto_key_load(root2_path, &root2, &err), 0);
        assert_int_equal(pki_root_create(root2, "Other Root", NULL, 3650, &root2_pem, &err), 0);
        assert_int_equal(identity_ca_install(f->s, &idfx_admin, "t1-ca-2", good, root2_pem, &out, &err), -1);
        assert_error(err, ERROR_INVALID, "does not verify against the given chain");

        /* not a CA: a device certificate for the CA's own key */
        gnutls_x509_crq_t crq = NULL;
        struct pki_csr_info info;
        const char *csr = json_string_value(json_object_get(ca, "csr"));
        assert_int_equal(pki_csr_parse(csr, strlen(csr), &crq, &info, &err), 0);
        struct pki_device_profile prof = {.kind = PKI_CERT_BIRTH, .product_model = IDFX_MODEL,
                                          .device_serial = "x", .validity_days = 30};
        gnutls_x509_crt_t leaf = NULL;
        assert_int_equal(pki_issue_device_cert(f->root_key, f->root_cert, crq, &prof, &leaf, &err), 0);
        char *leaf_pem = pki_cert_export_pem(leaf, &err);
        assert_int_equal(identity_ca_install(f->s, &idfx_admin, "t1-ca-2", leaf_pem, f->root_pem, &out, &err), -1);
        assert_error(err, ERROR_INVALID, "not a CA certificate");

        assert_int_equal(identity_ca_install(f->s, &idfx_admin, "t1-ca-2", "garbage", f->root_pem, &out, &err), -1);
        assert_error(err, ERROR_INVALID, "certificate: ");
        assert_int_equal(identity_ca_install(f->s, &idfx_admin, "nope", good, f->root_pem, &out, &err), -1);
        assert_error(err, ERROR_NOT_FOUND, "no device CA named 'nope'");
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM device_cas WHERE status = 'pending'"), 2);
        assert_int_equal(idfx_audit_count(f, "device-ca.install", NULL), 1); /* only the fixture's */

        /* the right one */
        assert_int_equal(identity_ca_install(f->s, &idfx_admin, "t1-ca-2", good, f->root_pem, &out, &err), 0);
        assert_string_equal(json_string_value(json_object_get(out, "status")), "active");
        assert_int_equal(json_integer_value(json_object_get(out, "crl_number")), 1);
        assert_true(json_is_string(json_object_get(out, "fingerprint_sha256")));
        json_decref(out);
        out = NULL;
        assert_int_equal(identity_ca_install(f->s, &idfx_admin, "t1-ca-2", good, f->root_pem, &out, &err), -1);
        assert_error(err, ERROR_CONFLICT, "device CA 't1-ca-2' is already installed (active)");

        gnutls_x509_crt_deinit(leaf);
        gnutls_x509_crq_deinit(crq);
        crypto_key_free(root2);
        free(root2_pem);
        free(root2_path);
        free(leaf_pem);
        free(good);
        free(wrong_key);
        json_decref(ca);
        json_decref(other);
}

static void test_new_ca_retires_previous(void **state) {
        struct idfx *f = *state;
        gnutls_datum_t before = {0}, after = {0};
        idfx_enroll(f, "SN-1", &before, NULL);
        int64_t gen = raw_int(f->t->db, "SELECT value FROM identity_counters WHERE name = 'device_ca_generation'");
        idfx_ca_setup(f, IDFX_MODEL, "t1-ca-2");
        assert_int_equal(raw_int(f->t->db, "SELECT value FROM identity_counters WHERE name = 'device_ca_generation'"),
                         gen + 1);
        json_t *list = NULL;
        struct error err = {0};
        assert_int_equal(identity_ca_list(f->s, &list, &err), 0);
        json_t *items = json_object_get(list, "items");
        assert_int_equal(json_array_size(items), 2);
        assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "status")), "retired");
        assert_true(json_is_string(json_object_get(json_array_get(items, 0), "retired_at")));
        assert_string_equal(json_string_value(json_object_get(json_array_get(items, 1), "status")), "active");
        char *dump = json_dumps(list, 0);
        assert_null(strstr(dump, "PRIVATE KEY"));
        free(dump);
        json_decref(list);
        assert_int_equal(idfx_audit_count(f, "device-ca.install", "\"retired\":\"t1-ca-1\""), 1);
        /* new enrollments come from the new CA; the old device still authenticates */
        idfx_enroll(f, "SN-2", &after, NULL);
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM certificates c JOIN device_cas a ON a.id = c.ca_id "
                                           "JOIN devices d ON d.id = c.device_id WHERE d.serial = 'SN-2' AND a.name = 't1-ca-2'"), 1);
        struct identity_device_peer peer;
        assert_int_equal(identity_peer_authenticate(&f->ic, &before, 1, &peer, &err), 0);
        /* the retired CA still publishes its CRL */
        uint8_t *crl = NULL;
        size_t len;
        assert_int_equal(identity_crl_get(&f->ic, IDFX_CA, &crl, &len, &err), 0);
        free(crl);
        gnutls_free(before.data);
        gnutls_free(after.data);
}

static void test_cacerts_and_chain(void **state) {
        struct idfx *f = *state;
        gnutls_datum_t *certs = NULL;
        size_t n = 0;
        struct error err = {0};
        assert_int_equal(identity_cacerts(f->s, IDFX_MODEL, &certs, &n, &err), 0);
        assert_int_equal(n, 2); /* device CA, root */
        gnutls_x509_crt_t c = NULL;
        assert_int_equal(pki_cert_import(certs[1].data, certs[1].size, &c, &err), 0);
        assert_int_equal(gnutls_x509_crt_equals(c, f->root_cert), 1);
        gnutls_x509_crt_deinit(c);
        pki_datum_array_free(certs, n);

        /* every product's active CA, the shared root once */
        idfx_product_create(f, "T2-EU");
        idfx_ca_setup(f, "T2-EU", "t2-ca");
        assert_int_equal(identity_cacerts(f->s, NULL, &certs, &n, &err), 0);
        assert_int_equal(n, 3);
        pki_datum_array_free(certs, n);

        idfx_product_create(f, "T3-EU");
        assert_int_equal(identity_cacerts(f->s, "T3-EU", &certs, &n, &err), -1);
        assert_error(err, ERROR_NOT_FOUND, "product 'T3-EU' has no active device CA");
        assert_int_equal(identity_cacerts(f->s, "NOPE", &certs, &n, &err), -1);
        assert_error(err, ERROR_NOT_FOUND, "no product with model 'NOPE'");

        char *pem = NULL;
        assert_int_equal(identity_ca_chain_pem(f->s, IDFX_MODEL, &pem, &err), 0);
        gnutls_datum_t *all = NULL;
        assert_int_equal(pki_cert_bundle_to_der(pem, strlen(pem), 8, &all, &n, &err), 0);
        assert_int_equal(n, 2);
        pki_datum_array_free(all, n);
        free(pem);
}

static void test_batches(void **state) {
        struct idfx *f = *state;
        struct error err = {0};
        json_t *out = NULL;
        json_t *body = idfx_json("{\"product\": \"T1-EU\", \"name\": \"B2026-01\", \"hardware_revision\": \"A\","
                                 " \"production_date\": \"2026-01-01\", \"initial_firmware_version\": \"1.0\"}");
        assert_int_equal(identity_batch_create(f->s, &idfx_admin, body, &out, &err), -1);
        assert_error(err, ERROR_CONFLICT, "the product already has a batch named 'B2026-01'");
        json_decref(body);
        body = idfx_json("{\"product\": \"T1-EU\", \"name\": \"B2\", \"hardware_revision\": \"A\","
                         " \"production_date\": \"2026-02-30\", \"initial_firmware_version\": \"1.0\"}");
        assert_int_equal(identity_batch_create(f->s, &idfx_admin, body, &out, &err), -1);
        assert_error(err, ERROR_INVALID, "production_date");
        json_decref(body);
        body = idfx_json("{\"product\": \"T1-EU\", \"name\": \"B2\", \"hardware_revision\": \"A\", \"extra\": 1,"
                         " \"production_date\": \"2026-02-03\", \"initial_firmware_version\": \"1.0\"}");
        assert_int_equal(identity_batch_create(f->s, &idfx_admin, body, &out, &err), -1);
        assert_error(err, ERROR_INVALID, "extra");
        json_decref(body);
        body = idfx_json("{\"product\": \"T1-EU\", \"name\": \"B2\", \"hardware_revision\": \"A\", \"station\": \"L1\","
                         " \"production_date\": \"2026-02-03\", \"initial_firmware_version\": \"1.0\"}");
        assert_int_equal(identity_batch_create(f->s, &idfx_factory, body, &out, &err), 0);
        json_decref(body);
        assert_string_equal(json_string_value(json_object_get(out, "status")), "open");
        assert_string_equal(json_string_value(json_object_get(out, "station")), "L1");
        assert_true(json_is_false(json_object_get(out, "migration_key_set")));
        int64_t id = json_integer_value(json_object_get(out, "id"));
        json_decref(out);
        assert_int_equal(identity_batch_close(f->s, &idfx_admin, id, &out, &err), 0);
        json_decref(out);
        assert_int_equal(identity_batch_close(f->s, &idfx_admin, id, &out, &err), -1);
        assert_error(err, ERROR_CONFLICT, "already closed");
        assert_int_equal(identity_batch_close(f->s, &idfx_admin, 999, &out, &err), -1);
        assert_error(err, ERROR_NOT_FOUND, "no batch with id 999");
        assert_int_equal(identity_batch_list(f->s, IDFX_MODEL, &out, &err), 0);
        assert_int_equal(json_array_size(json_object_get(out, "items")), 2);
        json_decref(out);
        assert_int_equal(idfx_audit_count(f, "batch.create", NULL), 2);
        assert_int_equal(idfx_audit_count(f, "batch.close", NULL), 1);
}

static void test_devices_list_filters(void **state) {
        struct idfx *f = *state;
        gnutls_datum_t a = {0}, b = {0};
        idfx_enroll(f, "SN-1", &a, NULL);
        idfx_enroll(f, "SN-2", &b, NULL);
        struct error err = {0};
        assert_int_equal(identity_decommission(&f->ic, &idfx_admin, "SN-2", &err), 0);
        json_t *out = NULL;
        struct identity_device_filter flt = {.product = IDFX_MODEL};
        assert_int_equal(identity_devices_list(f->s, &flt, &out, &err), 0);
        assert_int_equal(json_array_size(json_object_get(out, "items")), 2);
        json_decref(out);
        flt = (struct identity_device_filter){.status = "decommissioned"};
        assert_int_equal(identity_devices_list(f->s, &flt, &out, &err), 0);
        assert_int_equal(json_array_size(json_object_get(out, "items")), 1);
        json_decref(out);
        flt = (struct identity_device_filter){.status = "lost"};
        assert_int_equal(identity_devices_list(f->s, &flt, &out, &err), -1);
        assert_error(err, ERROR_INVALID, "status");
        flt = (struct identity_device_filter){.batch = IDFX_BATCH};
        assert_int_equal(identity_devices_list(f->s, &flt, &out, &err), 0);
        assert_int_equal(json_array_size(json_object_get(out, "items")), 2);
        json_decref(out);
        /* expiring: the birth certificate lasts 20 years; renew SN-1 with a 365-day one */
        flt = (struct identity_device_filter){.expiring = true, .expiring_within_days = 400};
        assert_int_equal(identity_devices_list(f->s, &flt, &out, &err), 0);
        assert_int_equal(json_array_size(json_object_get(out, "items")), 0);
        json_decref(out);
        raw_exec(f->t->db, "UPDATE certificates SET not_after = strftime('%s', 'now') + 30 * 86400 "
                           "WHERE device_id = (SELECT id FROM devices WHERE serial = 'SN-1')");
        assert_int_equal(identity_devices_list(f->s, &flt, &out, &err), 0);
        json_t *items = json_object_get(out, "items");
        assert_int_equal(json_array_size(items), 1);
        assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "serial")), "SN-1");
        assert_true(json_is_string(json_object_get(json_array_get(items, 0), "valid_until")));
        json_decref(out);
        flt.expiring_within_days = 10;
        assert_int_equal(identity_devices_list(f->s, &flt, &out, &err), 0);
        assert_int_equal(json_array_size(json_object_get(out, "items")), 0);
        json_decref(out);
        /* pagination */
        flt = (struct identity_device_filter){.limit = 1};
        assert_int_equal(identity_devices_list(f->s, &flt, &out, &err), 0);
        assert_int_equal(json_array_size(json_object_get(out, "items")), 1);
        flt.after_id = json_integer_value(json_object_get(out, "next_after_id"));
        json_decref(out);
        assert_int_equal(identity_devices_list(f->s, &flt, &out, &err), 0);
        assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(out, "items"), 0),
                                                              "serial")), "SN-2");
        json_decref(out);
        assert_int_equal(identity_device_get(f->s, "SN-404", &out, &err), -1);
        assert_error(err, ERROR_NOT_FOUND, "no device with serial 'SN-404'");
        gnutls_free(a.data);
        gnutls_free(b.data);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_create_generates_key_and_csr, setup, teardown),
                cmocka_unit_test_setup_teardown(test_create_with_given_key_ref, setup, teardown),
                cmocka_unit_test_setup_teardown(test_create_refusals, setup, teardown),
                cmocka_unit_test_setup_teardown(test_install_checks, setup, teardown),
                cmocka_unit_test_setup_teardown(test_new_ca_retires_previous, setup, teardown),
                cmocka_unit_test_setup_teardown(test_cacerts_and_chain, setup, teardown),
                cmocka_unit_test_setup_teardown(test_batches, setup, teardown),
                cmocka_unit_test_setup_teardown(test_devices_list_filters, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

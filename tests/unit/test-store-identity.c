/* SPDX-License-Identifier: Apache-2.0 */
/* Device identity rows (schema version 3): constraints, conflicts, filters. */
#include "testutil-store.h"

#include "store/store-identity.h"
#include "store/store-product.h"

struct fx {
        struct tdir *t;
        struct store *s;
        int64_t product, product2;
};

static int64_t product_add(struct store *s, const char *model) {
        char *member = "DE";
        struct store_product p = {
                .name = "P", .model = (char *) model, .manufacturer_name = "Acme", .manufacturer_address = "Berlin",
                .manufacturer_contact = "security@acme.example", .support_start = "2026-01-01",
                .support_end = "2036-01-01", .member_states = &member, .n_member_states = 1,
                .created_at = 1, .updated_at = 1,
        };
        int64_t id;
        struct error err = {0};
        if (store_product_insert(s, &p, &id, &err) < 0)
                fail_msg("%s", err.msg);
        return id;
}

static int setup(void **state) {
        struct fx *f = calloc(1, sizeof(*f));
        f->t = tdir_new();
        struct error err = {0};
        if (store_open(f->t->db, &f->s, &err) < 0)
                fail_msg("%s", err.msg);
        f->product = product_add(f->s, "T1-EU");
        f->product2 = product_add(f->s, "T2-EU");
        *state = f;
        return 0;
}

static int teardown(void **state) {
        struct fx *f = *state;
        store_close(f->s);
        tdir_free(f->t);
        free(f);
        return 0;
}

static int64_t ca_add(struct fx *f, const char *name, int64_t product) {
        struct store_device_ca ca = {.name = (char *) name, .product_id = product, .key_ref = "/k.pem",
                                     .csr_pem = "CSR", .status = STORE_CA_PENDING, .created_at = 100};
        int64_t id;
        struct error err = {0};
        if (store_device_ca_insert(f->s, &ca, &id, &err) < 0)
                fail_msg("%s", err.msg);
        return id;
}

static int64_t batch_add(struct fx *f, const char *name) {
        struct store_batch b = {.product_id = f->product, .name = (char *) name, .hardware_revision = "A",
                                .production_date = "2026-01-01", .initial_firmware_version = "1.0", .created_at = 5};
        int64_t id;
        struct error err = {0};
        if (store_batch_insert(f->s, &b, &id, &err) < 0)
                fail_msg("%s", err.msg);
        return id;
}

static int64_t device_add(struct fx *f, const char *serial, int64_t batch) {
        struct store_device d = {.serial = (char *) serial, .product_id = f->product, .batch_id = batch,
                                 .hardware_revision = "A", .station = "s1", .status = STORE_DEVICE_ACTIVE,
                                 .origin = STORE_DEVICE_FACTORY, .created_at = 10};
        int64_t id;
        struct error err = {0};
        if (store_device_insert(f->s, &d, &id, &err) < 0)
                fail_msg("%s", err.msg);
        return id;
}

static int64_t cert_add(struct fx *f, const char *serial_hex, int64_t device, int64_t ca, int64_t not_after) {
        struct store_certificate c = {.device_id = device, .ca_id = ca, .kind = STORE_CERT_BIRTH,
                                      .fingerprint = "ff", .not_before = 1, .not_after = not_after,
                                      .status = STORE_CERT_VALID, .revocation_reason = -1, .pem = "PEM",
                                      .issued_at = 2};
        snprintf(c.serial_hex, sizeof(c.serial_hex), "%s", serial_hex);
        int64_t id;
        struct error err = {0};
        if (store_certificate_insert(f->s, &c, &id, &err) < 0)
                fail_msg("%s", err.msg);
        return id;
}

static void test_schema(void **state) {
        struct fx *f = *state;
        int v;
        struct error err = {0};
        assert_int_equal(store_schema_version(f->s, &v, &err), 0);
        /* identity arrived with version 3; later issues add to it */
        assert_int_equal(v, store_schema_latest());
        assert_true(v >= 3);
        const char *tables[] = {"device_cas", "batches", "devices", "certificates", "migration_windows",
                                "migration_claims", "security_events", "identity_counters"};
        for (size_t i = 0; i < ELEMENTSOF(tables); i++) {
                char *sql = str_printf("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '%s'", tables[i]);
                assert_int_equal(raw_int(f->t->db, sql), 1);
                free(sql);
        }
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name IN "
                                           "('devices_product_id', 'certificates_device_id', 'certificates_not_after', "
                                           "'certificates_serial_hex', 'security_events_time')"), 5);
        assert_int_equal(raw_int(f->t->db, "SELECT \"unique\" FROM pragma_index_list('certificates') "
                                           "WHERE name = 'certificates_serial_hex'"), 1);
}

static void test_device_cas(void **state) {
        struct fx *f = *state;
        struct error err = {0};
        int64_t a = ca_add(f, "ca-a", f->product);
        struct store_device_ca ca = {.name = "ca-a", .product_id = f->product, .key_ref = "k", .csr_pem = "c",
                                     .status = STORE_CA_PENDING};
        assert_int_equal(store_device_ca_insert(f->s, &ca, NULL, &err), -1);
        assert_error(err, ERROR_CONFLICT, "a device CA named 'ca-a' already exists");
        int64_t b = ca_add(f, "ca-b", f->product);
        int64_t gen0, gen;
        assert_int_equal(store_device_ca_generation(f->s, &gen0, &err), 0);

        struct store_device_ca got;
        assert_int_equal(store_device_ca_get_active(f->s, f->product, &got, &err), -1);
        assert_int_equal(err.kind, ERROR_NOT_FOUND);
        assert_int_equal(store_device_ca_activate(f->s, a, "CERT-A", "ROOT", 200, &err), 0);
        assert_int_equal(store_device_ca_activate(f->s, a, "CERT-A", "ROOT", 200, &err), -1);
        assert_error(err, ERROR_CONFLICT, "is not pending");
        assert_int_equal(store_device_ca_get_active(f->s, f->product, &got, &err), 0);
        assert_string_equal(got.name, "ca-a");
        assert_string_equal(got.product_model, "T1-EU");
        assert_int_equal(got.activated_at, 200);
        store_device_ca_clear(&got);

        assert_int_equal(store_device_ca_activate(f->s, b, "CERT-B", "ROOT", 300, &err), 0);
        assert_int_equal(store_device_ca_generation(f->s, &gen, &err), 0);
        assert_int_equal(gen, gen0 + 2);
        assert_int_equal(store_device_ca_get(f->s, a, &got, &err), 0);
        assert_int_equal(got.status, STORE_CA_RETIRED);
        assert_int_equal(got.retired_at, 300);
        store_device_ca_clear(&got);

        /* CRL bytes round-trip, NUL bytes included */
        static const uint8_t crl[] = {0x30, 0x00, 0x01, 0x02};
        assert_int_equal(store_device_ca_set_crl(f->s, b, 7, crl, sizeof(crl), 999, &err), 0);
        assert_int_equal(store_device_ca_get_by_name(f->s, "ca-b", &got, &err), 0);
        assert_int_equal(got.crl_number, 7);
        assert_int_equal(got.crl_len, sizeof(crl));
        assert_memory_equal(got.crl_der, crl, sizeof(crl));
        assert_int_equal(got.crl_next_update, 999);
        store_device_ca_clear(&got);

        ca_add(f, "ca-c", f->product2);
        struct store_device_ca *list;
        size_t n;
        assert_int_equal(store_device_ca_list(f->s, 0, true, &list, &n, &err), 0);
        assert_int_equal(n, 2); /* active + retired, not pending */
        store_device_ca_list_free(list, n);
        assert_int_equal(store_device_ca_list(f->s, f->product2, false, &list, &n, &err), 0);
        assert_int_equal(n, 1);
        store_device_ca_list_free(list, n);
        assert_int_equal(store_device_ca_get_by_name(f->s, "zz", &got, &err), -1);
        assert_error(err, ERROR_NOT_FOUND, "no device CA named 'zz'");
}

static void test_batches(void **state) {
        struct fx *f = *state;
        struct error err = {0};
        int64_t id = batch_add(f, "B1");
        struct store_batch b = {.product_id = f->product, .name = "B1", .hardware_revision = "A",
                                .production_date = "2026-01-01", .initial_firmware_version = "1.0"};
        assert_int_equal(store_batch_insert(f->s, &b, NULL, &err), -1);
        assert_error(err, ERROR_CONFLICT, "the product already has a batch named 'B1'");
        b.product_id = f->product2; /* same name, other product: fine */
        assert_int_equal(store_batch_insert(f->s, &b, NULL, &err), 0);

        /* The store keeps the text it is given (identity/batch.c seals it). */
        const char *key = "kek1:00112233445566778899aabbccddeeff:c2VhbGVk";
        char *back = NULL;
        assert_int_equal(store_batch_migration_key(f->s, id, &back, &err), 0);
        assert_null(back);
        int64_t *ids = NULL;
        size_t n_ids = 0;
        assert_int_equal(store_batch_set_migration_key(f->s, id, "00ff", &err), 0);
        assert_int_equal(store_batch_migration_keys_unsealed(f->s, &ids, &n_ids, &err), 0);
        assert_int_equal(n_ids, 1);
        assert_int_equal(ids[0], id);
        free(ids);
        assert_int_equal(store_batch_set_migration_key(f->s, id, key, &err), 0);
        assert_int_equal(store_batch_migration_key(f->s, id, &back, &err), 0);
        assert_string_equal(back, key);
        free(back);
        assert_int_equal(store_batch_migration_keys_unsealed(f->s, &ids, &n_ids, &err), 0);
        assert_int_equal(n_ids, 0);
        free(ids);
        struct store_batch got;
        assert_int_equal(store_batch_get_by_name(f->s, f->product, "B1", &got, &err), 0);
        assert_true(got.migration_key_set);
        assert_int_equal(got.closed_at, 0);
        store_batch_clear(&got);
        assert_int_equal(store_batch_close(f->s, id, 50, &err), 0);
        assert_int_equal(store_batch_close(f->s, id, 60, &err), -1);
        assert_error(err, ERROR_CONFLICT, "batch");
        assert_int_equal(store_batch_get(f->s, id, &got, &err), 0);
        assert_int_equal(got.closed_at, 50);
        store_batch_clear(&got);
        assert_int_equal(store_batch_set_migration_key(f->s, 999, key, &err), -1);
        assert_error(err, ERROR_NOT_FOUND, "no batch with id 999");
        struct store_batch *list;
        size_t n;
        assert_int_equal(store_batch_list(f->s, 0, &list, &n, &err), 0);
        assert_int_equal(n, 2);
        store_batch_list_free(list, n);
}

static void test_devices_and_certificates(void **state) {
        struct fx *f = *state;
        struct error err = {0};
        int64_t ca = ca_add(f, "ca", f->product);
        int64_t batch = batch_add(f, "B1");
        int64_t d1 = device_add(f, "SN-1", batch);
        int64_t d2 = device_add(f, "SN-2", 0);
        struct store_device d = {.serial = "SN-1", .product_id = f->product, .status = STORE_DEVICE_ACTIVE,
                                 .origin = STORE_DEVICE_FACTORY};
        assert_int_equal(store_device_insert(f->s, &d, NULL, &err), -1);
        assert_error(err, ERROR_CONFLICT, "a device with serial 'SN-1' already exists");

        int64_t c1 = cert_add(f, "0a", d1, ca, 1000);
        int64_t c2 = cert_add(f, "0b", d1, ca, 5000);
        cert_add(f, "0c", d2, ca, 9000);
        struct store_certificate c = {.device_id = d1, .ca_id = ca, .fingerprint = "x", .pem = "p",
                                      .revocation_reason = -1};
        snprintf(c.serial_hex, sizeof(c.serial_hex), "0a");
        assert_int_equal(store_certificate_insert(f->s, &c, NULL, &err), -1);
        assert_error(err, ERROR_CONFLICT, "a certificate with serial 0a already exists");

        struct store_device got;
        assert_int_equal(store_device_get_by_serial(f->s, "SN-1", &got, &err), 0);
        assert_string_equal(got.batch_name, "B1");
        assert_int_equal(got.valid_until, 5000);
        store_device_clear(&got);

        assert_int_equal(store_certificate_supersede(f->s, c1, c2, &err), 0);
        assert_int_equal(store_certificate_supersede(f->s, c1, c2, &err), -1);
        assert_error(err, ERROR_CONFLICT, "cannot supersede certificate 0a: it is superseded");
        struct store_certificate gc;
        assert_int_equal(store_certificate_get_by_serial(f->s, "0a", &gc, &err), 0);
        assert_string_equal(gc.superseded_by_serial, "0b");
        assert_string_equal(gc.device_serial, "SN-1");
        assert_string_equal(gc.ca_name, "ca");
        assert_int_equal(gc.revocation_reason, -1);
        store_certificate_clear(&gc);
        assert_int_equal(store_certificate_revoke(f->s, c2, 77, 1, &err), 0);
        assert_int_equal(store_certificate_revoke(f->s, c2, 78, 1, &err), -1);
        assert_error(err, ERROR_CONFLICT, "it is revoked");
        assert_int_equal(store_certificate_revoke(f->s, c1, 79, 4, &err), 0); /* superseded -> revoked */
        struct store_certificate *list;
        size_t n;
        assert_int_equal(store_certificate_list_revoked(f->s, ca, &list, &n, &err), 0);
        assert_int_equal(n, 2);
        assert_int_equal(list[0].revoked_at, 79);
        assert_int_equal(list[1].revocation_reason, 1);
        store_certificate_list_free(list, n);
        assert_int_equal(store_certificate_list_by_device(f->s, d1, &list, &n, &err), 0);
        assert_int_equal(n, 2);
        assert_string_equal(list[0].serial_hex, "0b"); /* newest first */
        store_certificate_list_free(list, n);
        assert_int_equal(store_certificate_get_by_serial(f->s, "ff", &gc, &err), -1);
        assert_error(err, ERROR_NOT_FOUND, "no certificate with serial ff");

        /* filters */
        struct store_device *devs;
        struct store_device_filter flt = {.valid_until_before = 9500};
        assert_int_equal(store_device_list(f->s, &flt, &devs, &n, &err), 0);
        assert_int_equal(n, 1); /* SN-1 has no valid certificate left */
        assert_string_equal(devs[0].serial, "SN-2");
        store_device_list_free(devs, n);
        flt = (struct store_device_filter){.batch_id = batch};
        assert_int_equal(store_device_list(f->s, &flt, &devs, &n, &err), 0);
        assert_int_equal(n, 1);
        store_device_list_free(devs, n);
        assert_int_equal(store_device_decommission(f->s, d2, 400, &err), 0);
        assert_int_equal(store_device_decommission(f->s, d2, 401, &err), -1);
        assert_error(err, ERROR_CONFLICT, "device 'SN-2' is already decommissioned");
        flt = (struct store_device_filter){.status_set = true, .status = STORE_DEVICE_DECOMMISSIONED};
        assert_int_equal(store_device_list(f->s, &flt, &devs, &n, &err), 0);
        assert_int_equal(n, 1);
        assert_int_equal(devs[0].decommissioned_at, 400);
        store_device_list_free(devs, n);
        /* What peer authentication reads: the same identity and status as
         * the full row, decommissioning included. */
        struct store_device full, idn;
        assert_int_equal(store_device_get(f->s, d2, &full, &err), 0);
        assert_int_equal(store_device_get_identity(f->s, d2, &idn, &err), 0);
        assert_int_equal(idn.id, d2);
        assert_string_equal(idn.serial, full.serial);
        assert_string_equal(idn.product_model, full.product_model);
        assert_int_equal(idn.product_id, full.product_id);
        assert_int_equal(idn.status, STORE_DEVICE_DECOMMISSIONED);
        assert_int_equal(idn.origin, full.origin);
        assert_int_equal(idn.created_at, full.created_at);
        assert_int_equal(idn.decommissioned_at, 400);
        store_device_clear(&idn);
        store_device_clear(&full);
        assert_int_equal(store_device_get_identity(f->s, d1, &idn, &err), 0);
        assert_int_equal(idn.status, STORE_DEVICE_ACTIVE);
        assert_string_equal(idn.serial, "SN-1");
        store_device_clear(&idn);
        assert_int_equal(store_device_get_identity(f->s, 9999, &idn, &err), -1);
        assert_error(err, ERROR_NOT_FOUND, "no device with id 9999");

        /* the CHECK constraints hold even against a raw writer */
        sqlite3 *h;
        assert_int_equal(sqlite3_open(f->t->db, &h), SQLITE_OK);
        assert_int_not_equal(sqlite3_exec(h, "UPDATE devices SET status = 'lost'", NULL, NULL, NULL), SQLITE_OK);
        sqlite3_close(h);
}

static void test_migration_rows(void **state) {
        struct fx *f = *state;
        struct error err = {0};
        struct store_migration_window w = {.product_id = f->product, .opened_at = 10};
        memset(w.shared_credential_hash, 'a', 64);
        struct store_migration_window got;
        assert_int_equal(store_migration_window_get(f->s, f->product, &got, &err), -1);
        assert_int_equal(err.kind, ERROR_NOT_FOUND);
        assert_int_equal(store_migration_window_close(f->s, f->product, 11, &err), -1);
        assert_int_equal(err.kind, ERROR_NOT_FOUND);
        assert_int_equal(store_migration_window_put(f->s, &w, &err), 0);
        assert_int_equal(store_migration_window_close(f->s, f->product, 20, &err), 0);
        assert_int_equal(store_migration_window_close(f->s, f->product, 21, &err), -1);
        assert_int_equal(err.kind, ERROR_CONFLICT);
        memset(w.shared_credential_hash, 'b', 64);
        w.opened_at = 30;
        assert_int_equal(store_migration_window_put(f->s, &w, &err), 0); /* re-open replaces */
        assert_int_equal(store_migration_window_get(f->s, f->product, &got, &err), 0);
        assert_int_equal(got.closed_at, 0);
        assert_int_equal(got.opened_at, 30);
        assert_int_equal(got.shared_credential_hash[0], 'b');

        struct store_migration_claim c = {.device_serial = "SN-9", .product_id = f->product, .time = 40,
                                          .result = "bad-credential"};
        assert_int_equal(store_migration_claim_insert(f->s, &c, NULL, &err), 0);
        c.product_id = 0;
        c.result = "unknown-product";
        assert_int_equal(store_migration_claim_insert(f->s, &c, NULL, &err), 0);
        struct store_migration_claim *list;
        size_t n;
        assert_int_equal(store_migration_claim_list(f->s, "SN-9", &list, &n, &err), 0);
        assert_int_equal(n, 2);
        assert_string_equal(list[1].result, "unknown-product");
        assert_int_equal(list[1].product_id, 0);
        assert_null(list[0].source);
        store_migration_claim_list_free(list, n);
}

static void test_security_events(void **state) {
        struct fx *f = *state;
        struct error err = {0};
        struct store_security_event e = {.time = 100, .kind = "migration.duplicate-claim", .severity = "high",
                                         .product_id = f->product, .device_serial = "SN-1", .details = "{\"a\":1}"};
        assert_int_equal(store_security_event_insert(f->s, &e, NULL, &err), 0);
        e.time = 200;
        e.kind = "other";
        e.product_id = 0;
        e.details = NULL;
        assert_int_equal(store_security_event_insert(f->s, &e, NULL, &err), 0);
        e.severity = "apocalyptic";
        assert_int_equal(store_security_event_insert(f->s, &e, NULL, &err), -1);
        assert_int_equal(err.kind, ERROR_DB);
        struct store_security_event *list;
        size_t n;
        struct store_security_event_filter flt = {.since = 150};
        assert_int_equal(store_security_event_list(f->s, &flt, &list, &n, &err), 0);
        assert_int_equal(n, 1);
        assert_string_equal(list[0].kind, "other");
        assert_string_equal(list[0].details, "{}");
        assert_null(list[0].product_model);
        store_security_event_list_free(list, n);
        flt = (struct store_security_event_filter){.kind = "migration.duplicate-claim"};
        assert_int_equal(store_security_event_list(f->s, &flt, &list, &n, &err), 0);
        assert_int_equal(n, 1);
        assert_string_equal(list[0].product_model, "T1-EU");
        store_security_event_list_free(list, n);
        flt = (struct store_security_event_filter){.limit = 1};
        assert_int_equal(store_security_event_list(f->s, &flt, &list, &n, &err), 0);
        assert_int_equal(n, 1);
        store_security_event_list_free(list, n);
}

static void test_product_lookup(void **state) {
        struct fx *f = *state;
        struct error err = {0};
        int64_t id;
        assert_int_equal(store_identity_product_by_model(f->s, "T2-EU", &id, &err), 0);
        assert_int_equal(id, f->product2);
        assert_int_equal(store_identity_product_by_model(f->s, "x' OR '1'='1", &id, &err), -1);
        assert_error(err, ERROR_NOT_FOUND, "no product with model");
        char *model;
        assert_int_equal(store_identity_product_model(f->s, f->product, &model, &err), 0);
        assert_string_equal(model, "T1-EU");
        free(model);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_schema, setup, teardown),
                cmocka_unit_test_setup_teardown(test_device_cas, setup, teardown),
                cmocka_unit_test_setup_teardown(test_batches, setup, teardown),
                cmocka_unit_test_setup_teardown(test_devices_and_certificates, setup, teardown),
                cmocka_unit_test_setup_teardown(test_migration_rows, setup, teardown),
                cmocka_unit_test_setup_teardown(test_security_events, setup, teardown),
                cmocka_unit_test_setup_teardown(test_product_lookup, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: Apache-2.0 */
/* Migration of fielded devices off the shared fleet credential ("remote init"). */
#include "testutil-identity.h"

#include <gnutls/crypto.h>

#include "core/time.h"
#include "crypto/encoding.h"
#include "identity/batch.h"
#include "secret/kek.h"
#include "store/store-identity.h"

#define FLEET_SECRET "fleet-default-password-2019"

static const uint8_t batch_key[32] = {
        0x10, 0x21, 0x32, 0x43, 0x54, 0x65, 0x76, 0x87, 0x98, 0xa9, 0xba, 0xcb, 0xdc, 0xed, 0xfe, 0x0f,
        0x01, 0x12, 0x23, 0x34, 0x45, 0x56, 0x67, 0x78, 0x89, 0x9a, 0xab, 0xbc, 0xcd, 0xde, 0xef, 0xf0,
};

/* The process KEK the batch keys are sealed under (issue 11 section 6). */
static struct kek *test_kek;

static struct kek *kek_in(struct idfx *f, const char *name) {
        struct error err = {0};
        char *path = tdir_path(f->t, name);
        struct kek *k = NULL;
        if (kek_generate_file(path, &err) < 0 || kek_load(path, &k, &err) < 0)
                fail_msg("KEK: %s", err.msg);
        free(path);
        return k;
}

static int setup(void **state) {
        struct idfx *f = idfx_new();
        struct error err = {0};
        test_kek = kek_in(f, "kek.key");
        kek_set_default(test_kek);
        if (identity_batch_set_migration_key(f->s, &idfx_admin, f->batch_id, batch_key, &err) < 0 ||
            identity_migration_open(&f->ic, &idfx_admin, IDFX_MODEL, FLEET_SECRET, &err) < 0)
                fail_msg("%s", err.msg);
        *state = f;
        return 0;
}

static int teardown(void **state) {
        kek_free(test_kek); /* clears the default too */
        test_kek = NULL;
        idfx_free(*state);
        return 0;
}

/* What the device holds: HMAC-SHA256(batch key, serial), hex. */
static void device_secret(const char *serial, char out[65]) {
        uint8_t mac[32];
        assert_int_equal(gnutls_hmac_fast(GNUTLS_MAC_SHA256, batch_key, sizeof(batch_key), serial, strlen(serial), mac), 0);
        hex_encode(mac, sizeof(mac), out);
}

struct claim_args {
        char secret[65];
        uint8_t *csr;
        size_t csr_len;
        struct identity_claim c;
};

static void claim_prepare(struct idfx *f, const char *serial, struct claim_args *a) {
        memset(a, 0, sizeof(*a));
        device_secret(serial, a->secret);
        idfx_csr(f, serial, &a->csr, &a->csr_len, NULL);
        a->c = (struct identity_claim){
                .product_model = IDFX_MODEL, .serial = serial, .batch = IDFX_BATCH, .shared_credential = FLEET_SECRET,
                .device_secret_hex = a->secret, .source = "198.51.100.7", .csr_der = a->csr, .csr_len = a->csr_len,
        };
}

static int64_t claims(struct idfx *f, const char *serial, const char *result) {
        char *sql = sqlite3_mprintf("SELECT count(*) FROM migration_claims WHERE device_serial = %Q AND result = %Q",
                                    serial, result);
        int64_t n = raw_int(f->t->db, sql);
        sqlite3_free(sql);
        return n;
}

static void expect_claim_refused(struct idfx *f, struct claim_args *a, enum error_kind kind, const char *msg,
                                 const char *result) {
        int64_t before = claims(f, a->c.serial ? a->c.serial : "", result);
        char *like = str_printf("\"reason\":\"%s\"", result);
        int64_t audited = idfx_audit_count(f, "device.migrate.refused", like);
        int64_t devices = raw_int(f->t->db, "SELECT count(*) FROM devices");
        gnutls_datum_t cert = {0};
        struct error err = {0};
        assert_int_equal(identity_migration_claim(&f->ic, &a->c, &cert, &err), -1);
        assert_error(err, kind, msg);
        assert_null(cert.data);
        assert_int_equal(claims(f, a->c.serial ? a->c.serial : "", result), before + 1);
        assert_int_equal(idfx_audit_count(f, "device.migrate.refused", like), audited + 1);
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM devices"), devices);
        free(like);
}

static void test_claim_creates_device_with_birth_cert(void **state) {
        struct idfx *f = *state;
        struct claim_args a;
        claim_prepare(f, "FIELD-1", &a);
        gnutls_datum_t cert = {0};
        struct error err = {0};
        assert_int_equal(identity_migration_claim(&f->ic, &a.c, &cert, &err), 0);
        assert_non_null(cert.data);
        json_t *dev = NULL;
        assert_int_equal(identity_device_get(f->s, "FIELD-1", &dev, &err), 0);
        assert_string_equal(json_string_value(json_object_get(dev, "origin")), "migration");
        assert_string_equal(json_string_value(json_object_get(dev, "batch")), IDFX_BATCH);
        assert_string_equal(json_string_value(json_object_get(dev, "hardware_revision")), "rev-C");
        json_t *c0 = json_array_get(json_object_get(dev, "certificates"), 0);
        assert_string_equal(json_string_value(json_object_get(c0, "kind")), "birth");
        json_decref(dev);
        assert_int_equal(claims(f, "FIELD-1", "ok"), 1);
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM migration_claims WHERE result = 'ok' AND "
                                           "cert_id IS NOT NULL AND source = '198.51.100.7'"), 1);
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM audit_log WHERE action = 'device.migrate' AND "
                                           "actor_name = 'device:FIELD-1'"), 1);
        /* the new identity authenticates */
        struct identity_device_peer peer;
        assert_int_equal(identity_peer_authenticate(&f->ic, &cert, 1, &peer, &err), 0);
        assert_string_equal(peer.serial, "FIELD-1");
        gnutls_free(cert.data);
        free(a.csr);
}

static void test_duplicate_claim_raises_security_event(void **state) {
        struct idfx *f = *state;
        struct claim_args a, b;
        claim_prepare(f, "FIELD-2", &a);
        gnutls_datum_t cert = {0};
        struct error err = {0};
        assert_int_equal(identity_migration_claim(&f->ic, &a.c, &cert, &err), 0);
        gnutls_free(cert.data);
        /* a clone with the same secrets and its own key */
        claim_prepare(f, "FIELD-2", &b);
        b.c.source = "203.0.113.9";
        expect_claim_refused(f, &b, ERROR_CONFLICT, "serial 'FIELD-2' is already migrated", "duplicate");
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM security_events WHERE kind = 'migration.duplicate-claim' "
                                           "AND severity = 'high' AND device_serial = 'FIELD-2' AND source = '203.0.113.9'"), 1);
        json_t *events = NULL;
        struct identity_security_event_filter filter = {.kind = "migration.duplicate-claim", .since = time_now() - 60};
        assert_int_equal(identity_security_events_list(f->s, &filter, &events, &err), 0);
        json_t *items = json_object_get(events, "items");
        assert_int_equal(json_array_size(items), 1);
        json_t *e0 = json_array_get(items, 0);
        assert_string_equal(json_string_value(json_object_get(e0, "product")), IDFX_MODEL);
        assert_string_equal(json_string_value(json_object_get(e0, "severity")), "high");
        assert_true(json_is_object(json_object_get(e0, "details")));
        json_decref(events);
        filter = (struct identity_security_event_filter){.kind = "other"};
        assert_int_equal(identity_security_events_list(f->s, &filter, &events, &err), 0);
        assert_int_equal(json_array_size(json_object_get(events, "items")), 0);
        json_decref(events);
        filter = (struct identity_security_event_filter){.since = time_now() + 3600};
        assert_int_equal(identity_security_events_list(f->s, &filter, &events, &err), 0);
        assert_int_equal(json_array_size(json_object_get(events, "items")), 0);
        json_decref(events);
        /* still one device, one certificate */
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM certificates"), 1);
        free(a.csr);
        free(b.csr);
}

static void test_claim_for_enrolled_serial_is_duplicate(void **state) {
        struct idfx *f = *state;
        gnutls_datum_t cert = {0};
        idfx_enroll(f, "FIELD-3", &cert, NULL);
        gnutls_free(cert.data);
        struct claim_args a;
        claim_prepare(f, "FIELD-3", &a);
        expect_claim_refused(f, &a, ERROR_CONFLICT, "serial 'FIELD-3' is already enrolled", "duplicate");
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM security_events WHERE device_serial = 'FIELD-3'"), 1);
        free(a.csr);
}

static void test_closed_window(void **state) {
        struct idfx *f = *state;
        struct error err = {0};
        assert_int_equal(identity_migration_close(&f->ic, &idfx_admin, IDFX_MODEL, &err), 0);
        assert_int_equal(idfx_audit_count(f, "migration.close", NULL), 1);
        assert_int_equal(identity_migration_close(&f->ic, &idfx_admin, IDFX_MODEL, &err), -1);
        assert_error(err, ERROR_CONFLICT, "already closed");
        struct claim_args a;
        claim_prepare(f, "FIELD-4", &a);
        expect_claim_refused(f, &a, ERROR_FORBIDDEN, "migration window for product T1-EU is closed", "window-closed");
        /* a product that never opened one */
        idfx_product_create(f, "T9-EU");
        a.c.product_model = "T9-EU";
        expect_claim_refused(f, &a, ERROR_FORBIDDEN, "migration window for product T9-EU is closed", "window-closed");
        /* re-opening works again */
        assert_int_equal(identity_migration_open(&f->ic, &idfx_admin, IDFX_MODEL, FLEET_SECRET, &err), 0);
        a.c.product_model = IDFX_MODEL;
        gnutls_datum_t cert = {0};
        assert_int_equal(identity_migration_claim(&f->ic, &a.c, &cert, &err), 0);
        gnutls_free(cert.data);
        free(a.csr);
}

static void test_wrong_shared_credential(void **state) {
        struct idfx *f = *state;
        struct claim_args a;
        claim_prepare(f, "FIELD-5", &a);
        a.c.shared_credential = "guess";
        expect_claim_refused(f, &a, ERROR_UNAUTHENTICATED, "shared credential for product T1-EU is wrong",
                             "bad-credential");
        /* re-opening replaces the credential: the old one stops working */
        struct error err = {0};
        assert_int_equal(identity_migration_open(&f->ic, &idfx_admin, IDFX_MODEL, "rotated-credential", &err), 0);
        assert_int_equal(idfx_audit_count(f, "migration.open", "\"reopened\":true"), 1);
        a.c.shared_credential = FLEET_SECRET;
        expect_claim_refused(f, &a, ERROR_UNAUTHENTICATED, "shared credential", "bad-credential");
        /* only the hash is stored */
        char *sql = sqlite3_mprintf("SELECT count(*) FROM migration_windows WHERE shared_credential_hash LIKE "
                                    "'%%rotated%%'");
        assert_int_equal(raw_int(f->t->db, sql), 0);
        sqlite3_free(sql);
        free(a.csr);
}

static void test_wrong_device_secret(void **state) {
        struct idfx *f = *state;
        struct claim_args a;
        claim_prepare(f, "FIELD-6", &a);
        char other[65];
        device_secret("FIELD-7", other); /* the secret of another unit */
        a.c.device_secret_hex = other;
        expect_claim_refused(f, &a, ERROR_UNAUTHENTICATED, "device secret for serial 'FIELD-6' is wrong",
                             "bad-device-secret");
        a.c.device_secret_hex = "zz";
        expect_claim_refused(f, &a, ERROR_UNAUTHENTICATED, "device secret", "bad-device-secret");
        /* a batch without a migration key cannot vouch for anyone */
        idfx_batch_create(f, IDFX_MODEL, "B-NOKEY");
        a.c.device_secret_hex = a.secret;
        a.c.batch = "B-NOKEY";
        expect_claim_refused(f, &a, ERROR_UNAUTHENTICATED, "batch 'B-NOKEY' has no migration key", "no-migration-key");
        a.c.batch = "B-NONE";
        expect_claim_refused(f, &a, ERROR_UNAUTHENTICATED, "has no batch 'B-NONE'", "unknown-batch");
        /* no security event for failed authentication: nothing was proven */
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM security_events"), 0);
        free(a.csr);
}

static void test_csr_checked_after_secrets(void **state) {
        struct idfx *f = *state;
        struct claim_args a;
        claim_prepare(f, "FIELD-8", &a);
        uint8_t *other;
        size_t other_len;
        idfx_csr(f, "FIELD-9", &other, &other_len, NULL);
        a.c.csr_der = other;
        a.c.csr_len = other_len;
        expect_claim_refused(f, &a, ERROR_INVALID, "differs from the claimed serial 'FIELD-8'", "serial-mismatch");
        other[other_len - 3] ^= 0x40;
        expect_claim_refused(f, &a, ERROR_INVALID, "CSR signature", "csr-signature");
        /* with a bad credential, the CSR is not even mentioned */
        a.c.shared_credential = "nope";
        expect_claim_refused(f, &a, ERROR_UNAUTHENTICATED, "shared credential", "bad-credential");
        free(other);
        free(a.csr);
}

static void test_migration_key_never_shown(void **state) {
        struct idfx *f = *state;
        struct error err = {0};
        json_t *b = NULL;
        assert_int_equal(identity_batch_get(f->s, f->batch_id, &b, &err), 0);
        assert_true(json_is_true(json_object_get(b, "migration_key_set")));
        char hex[65];
        hex_encode(batch_key, sizeof(batch_key), hex);
        char *dump = json_dumps(b, 0);
        assert_null(strstr(dump, hex));
        free(dump);
        json_decref(b);
        assert_int_equal(identity_batch_list(f->s, NULL, &b, &err), 0);
        dump = json_dumps(b, 0);
        assert_null(strstr(dump, hex));
        assert_non_null(strstr(dump, "\"migration_key_set\": true"));
        free(dump);
        json_decref(b);
        char *sql = sqlite3_mprintf("SELECT count(*) FROM audit_log WHERE details LIKE '%%' || %Q || '%%'", hex);
        assert_int_equal(raw_int(f->t->db, sql), 0);
        sqlite3_free(sql);
        assert_int_equal(idfx_audit_count(f, "batch.migration-key.set", NULL), 1);
        static const uint8_t zero[32];
        assert_int_equal(identity_batch_set_migration_key(f->s, &idfx_admin, f->batch_id, zero, &err), -1);
        assert_error(err, ERROR_INVALID, "all zero");
}

static void test_open_requires_product_and_credential(void **state) {
        struct idfx *f = *state;
        struct error err = {0};
        assert_int_equal(identity_migration_open(&f->ic, &idfx_admin, "NOPE", "x", &err), -1);
        assert_error(err, ERROR_NOT_FOUND, "no product with model 'NOPE'");
        assert_int_equal(identity_migration_open(&f->ic, &idfx_admin, IDFX_MODEL, "", &err), -1);
        assert_error(err, ERROR_INVALID, "shared_credential");
}

/* ---- secrets at rest (issue 11 section 6) ---- */

static char *stored_key(struct idfx *f, int64_t batch_id) {
        struct error err = {0};
        char *stored = NULL;
        if (store_batch_migration_key(f->s, batch_id, &stored, &err) < 0)
                fail_msg("%s", err.msg);
        return stored;
}

/* The database row holds the key sealed: neither its hex nor its raw bytes. */
static void test_migration_key_sealed_in_db(void **state) {
        struct idfx *f = *state;
        char *stored = stored_key(f, f->batch_id);
        assert_true(kek_is_sealed(stored));
        assert_non_null(strstr(stored, kek_fingerprint(test_kek)));
        char hex[65];
        hex_encode(batch_key, sizeof(batch_key), hex);
        assert_null(strstr(stored, hex));
        free(stored);
        assert_int_equal(raw_int(f->t->db, "SELECT count(*) FROM batches WHERE migration_key LIKE 'kek1:%'"), 1);
        /* And a claim still proves the device secret through the sealed key. */
        struct claim_args a;
        claim_prepare(f, "FIELD-S1", &a);
        gnutls_datum_t cert = {0};
        struct error err = {0};
        assert_int_equal(identity_migration_claim(&f->ic, &a.c, &cert, &err), 0);
        gnutls_free(cert.data);
        free(a.csr);
}

/* Without a KEK a new key is refused and the row is left as it was: for a
 * batch without a key (nothing to open first) and for one with a key. */
static void test_migration_key_refused_without_kek(void **state) {
        struct idfx *f = *state;
        struct error err = {0};
        struct store_batch nb = { .product_id = f->product_id, .name = "B-new", .hardware_revision = "rev-C",
                                  .production_date = "2026-01-01", .initial_firmware_version = "1.0" };
        int64_t fresh = 0;
        assert_int_equal(store_batch_insert(f->s, &nb, &fresh, &err), 0);
        kek_set_default(NULL);
        assert_int_equal(identity_batch_set_migration_key(f->s, &idfx_admin, fresh, batch_key, &err), -1);
        assert_error(err, ERROR_CONFLICT, "no KEK is configured");
        char *none = stored_key(f, fresh);
        assert_null(none);

        char *before = stored_key(f, f->batch_id);
        assert_int_equal(identity_batch_set_migration_key(f->s, &idfx_admin, f->batch_id, batch_key, &err), -1);
        assert_error(err, ERROR_CONFLICT, "no KEK is configured");
        char *after = stored_key(f, f->batch_id);
        assert_string_equal(before, after);
        free(before);
        free(after);
        assert_int_equal(idfx_audit_count(f, "batch.migration-key.set", NULL), 1);
        kek_set_default(test_kek);
}

/* A sealed key copied into another batch's row does not open there; a claim
 * naming that batch fails instead of using the other batch's key. */
static void test_sealed_key_copied_to_other_batch(void **state) {
        struct idfx *f = *state;
        struct error err = {0};
        struct store_batch b = { .product_id = f->product_id, .name = "B-other", .hardware_revision = "rev-C",
                                 .production_date = "2026-01-01", .initial_firmware_version = "1.0" };
        int64_t other = 0;
        assert_int_equal(store_batch_insert(f->s, &b, &other, &err), 0);
        char *stored = stored_key(f, f->batch_id);
        assert_int_equal(store_batch_set_migration_key(f->s, other, stored, &err), 0);
        free(stored);
        uint8_t key[32];
        bool found = true;
        assert_int_equal(identity_batch_migration_key(f->s, other, key, &found, &err), -1);
        assert_error(err, ERROR_CRYPTO, "another row or purpose");
        /* The original still opens. */
        assert_int_equal(identity_batch_migration_key(f->s, f->batch_id, key, &found, &err), 0);
        assert_true(found);
        assert_memory_equal(key, batch_key, 32);
}

/* Another KEK than the one a key was sealed under: a clear error naming both. */
static void test_wrong_kek_named(void **state) {
        struct idfx *f = *state;
        struct kek *other = kek_in(f, "other.key");
        kek_set_default(other);
        uint8_t key[32];
        bool found;
        struct error err = {0};
        assert_int_equal(identity_batch_migration_key(f->s, f->batch_id, key, &found, &err), -1);
        assert_error(err, ERROR_CRYPTO, "was sealed under KEK");
        assert_non_null(strstr(err.msg, kek_fingerprint(test_kek)));
        kek_free(other);
        kek_set_default(test_kek);
}

/* A database from before secrets at rest: the hex key is sealed at start,
 * audited, once. */
static void test_seal_existing_plaintext(void **state) {
        struct idfx *f = *state;
        char hex[65];
        hex_encode(batch_key, sizeof(batch_key), hex);
        struct error err = {0};
        assert_int_equal(store_batch_set_migration_key(f->s, f->batch_id, hex, &err), 0);
        /* Legacy hex still works before it is sealed. */
        uint8_t key[32];
        bool found = false;
        assert_int_equal(identity_batch_migration_key(f->s, f->batch_id, key, &found, &err), 0);
        assert_true(found);
        assert_memory_equal(key, batch_key, 32);

        size_t n = 0;
        assert_int_equal(identity_batch_seal_existing(f->s, &idfx_admin, test_kek, &n, &err), 0);
        assert_int_equal(n, 1);
        char *stored = stored_key(f, f->batch_id);
        assert_true(kek_is_sealed(stored));
        assert_null(strstr(stored, hex));
        free(stored);
        assert_int_equal(idfx_audit_count(f, "batch.migration-key.sealed", NULL), 1);
        /* Idempotent. */
        assert_int_equal(identity_batch_seal_existing(f->s, &idfx_admin, test_kek, &n, &err), 0);
        assert_int_equal(n, 0);
        assert_int_equal(idfx_audit_count(f, "batch.migration-key.sealed", NULL), 1);
        /* And the sealed key opens to the same bytes: claims keep working. */
        assert_int_equal(identity_batch_migration_key(f->s, f->batch_id, key, &found, &err), 0);
        assert_memory_equal(key, batch_key, 32);
        struct claim_args a;
        claim_prepare(f, "FIELD-S2", &a);
        gnutls_datum_t cert = {0};
        assert_int_equal(identity_migration_claim(&f->ic, &a.c, &cert, &err), 0);
        gnutls_free(cert.data);
        free(a.csr);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_claim_creates_device_with_birth_cert, setup, teardown),
                cmocka_unit_test_setup_teardown(test_duplicate_claim_raises_security_event, setup, teardown),
                cmocka_unit_test_setup_teardown(test_claim_for_enrolled_serial_is_duplicate, setup, teardown),
                cmocka_unit_test_setup_teardown(test_closed_window, setup, teardown),
                cmocka_unit_test_setup_teardown(test_wrong_shared_credential, setup, teardown),
                cmocka_unit_test_setup_teardown(test_wrong_device_secret, setup, teardown),
                cmocka_unit_test_setup_teardown(test_csr_checked_after_secrets, setup, teardown),
                cmocka_unit_test_setup_teardown(test_migration_key_never_shown, setup, teardown),
                cmocka_unit_test_setup_teardown(test_open_requires_product_and_credential, setup, teardown),
                cmocka_unit_test_setup_teardown(test_migration_key_sealed_in_db, setup, teardown),
                cmocka_unit_test_setup_teardown(test_migration_key_refused_without_kek, setup, teardown),
                cmocka_unit_test_setup_teardown(test_sealed_key_copied_to_other_batch, setup, teardown),
                cmocka_unit_test_setup_teardown(test_wrong_kek_named, setup, teardown),
                cmocka_unit_test_setup_teardown(test_seal_existing_plaintext, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

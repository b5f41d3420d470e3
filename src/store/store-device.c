/* SPDX-License-Identifier: Apache-2.0 */
/* devices rows, the identity enums' stored names, and product lookup by model. */
#include <stdlib.h>
#include <string.h>
#include "core/cleanup.h"
#include "core/strutil.h"
#include "store/store-identity-private.h"

const char *const store_ca_status_names[3] = {"pending", "active", "retired"};
const char *const store_device_status_names[2] = {"active", "decommissioned"};
const char *const store_device_origin_names[2] = {"factory", "migration"};
const char *const store_cert_kind_names[2] = {"birth", "operational"};
const char *const store_cert_status_names[3] = {"valid", "superseded", "revoked"};

#define NAME_OF(table, v) ((size_t) (v) < ELEMENTSOF(table) ? (table)[(v)] : "?")

const char *store_ca_status_name(enum store_ca_status v) {
        return NAME_OF(store_ca_status_names, v);
}
const char *store_device_status_name(enum store_device_status v) {
        return NAME_OF(store_device_status_names, v);
}
const char *store_device_origin_name(enum store_device_origin v) {
        return NAME_OF(store_device_origin_names, v);
}
const char *store_cert_kind_name(enum store_cert_kind v) {
        return NAME_OF(store_cert_kind_names, v);
}
const char *store_cert_status_name(enum store_cert_status v) {
        return NAME_OF(store_cert_status_names, v);
}

int store_device_status_parse(const char *s, enum store_device_status *out) {
        int i = store_name_index(store_device_status_names, ELEMENTSOF(store_device_status_names), s);
        if (i < 0)
                return -1;
        *out = (enum store_device_status) i;
        return 0;
}

int store_identity_product_by_model(struct store *s, const char *model, int64_t *id_out,
                                    struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "SELECT id FROM products WHERE model = ?1", &st, err) < 0 ||
            store_bind_text(s, st, 1, model, err) < 0)
                return -1;
        int rc = store_step_row(s, st, "reading a product", err);
        if (rc < 0)
                return -1;
        if (rc == 0) {
                char safe[80];
                str_sanitize(model, strlen(model), safe, sizeof(safe));
                return error_set(err, ERROR_NOT_FOUND, "no product with model '%s'", safe);
        }
        *id_out = sqlite3_column_int64(st, 0);
        return 0;
}

int store_identity_product_model(struct store *s, int64_t id, char **model_out, struct error *err) {
        *model_out = NULL;
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "SELECT model FROM products WHERE id = ?1", &st, err) < 0 ||
            store_bind_int64(s, st, 1, id, err) < 0)
                return -1;
        int rc = store_step_row(s, st, "reading a product", err);
        if (rc < 0)
                return -1;
        if (rc == 0)
                return error_set(err, ERROR_NOT_FOUND, "no product with id %lld", (long long) id);
        *model_out = store_column_text(st, 0);
        return *model_out ? 0 : error_set(err, ERROR_DB, "product %lld has no model", (long long) id);
}

/* valid_until: the latest not_after among the device's valid certificates. */
#define DEVICE_COLUMNS "d.id, d.serial, d.product_id, d.batch_id, d.hardware_revision, d.production_date, " \
        "d.station, d.initial_firmware_version, d.status, d.origin, d.created_at, d.decommissioned_at, "     \
        "p.model, b.name, "                                                                                  \
        "(SELECT MAX(c.not_after) FROM certificates c WHERE c.device_id = d.id AND c.status = 'valid'), "   \
        DEVICE_OTA_COLUMNS
#define DEVICE_FROM " FROM devices d JOIN products p ON p.id = d.product_id " \
        "LEFT JOIN batches b ON b.id = d.batch_id " DEVICE_OTA_FROM
/* What the director records about a device (schema 5, issue 4): the installed
 * version from its last successful update, when it was last seen, its
 * assignment and its tags. Tags hold no comma ([a-z0-9._-]); PostgreSQL spells
 * the aggregate string_agg(t.tag, ',' ORDER BY t.tag). */
#define DEVICE_OTA_COLUMNS "u.installed_version, u.security_version, u.last_seen, a.release_id, " \
        "(SELECT group_concat(t.tag, ',') FROM device_tags t WHERE t.device_id = d.id)"
#define DEVICE_OTA_FROM "LEFT JOIN device_update_state u ON u.device_id = d.id " \
        "LEFT JOIN device_assignments a ON a.device_id = d.id "

int store_device_insert(struct store *s, const struct store_device *d, int64_t *id_out, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "INSERT INTO devices (serial, product_id, batch_id, hardware_revision, production_date, "
                             "station, initial_firmware_version, status, origin, created_at, decommissioned_at) "
                             "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)", &st, err) < 0 ||
            store_bind_text(s, st, 1, d->serial, err) < 0 ||
            store_bind_int64(s, st, 2, d->product_id, err) < 0 ||
            store_bind_opt_int64(s, st, 3, d->batch_id, err) < 0 ||
            store_bind_text(s, st, 4, d->hardware_revision, err) < 0 ||
            store_bind_text(s, st, 5, d->production_date, err) < 0 ||
            store_bind_text(s, st, 6, d->station, err) < 0 ||
            store_bind_text(s, st, 7, d->initial_firmware_version, err) < 0 ||
            store_bind_text(s, st, 8, store_device_status_name(d->status), err) < 0 ||
            store_bind_text(s, st, 9, store_device_origin_name(d->origin), err) < 0 ||
            store_bind_int64(s, st, 10, d->created_at, err) < 0 ||
            store_bind_opt_int64(s, st, 11, d->decommissioned_at, err) < 0)
                return -1;
        if (sqlite3_step(st) != SQLITE_DONE) {
                if (store_is_unique_violation(s, NULL, 0))
                        return error_set(err, ERROR_CONFLICT, "a device with serial '%s' already exists", d->serial);
                return store_fail(s, err, "inserting a device");
        }
        if (id_out)
                *id_out = sqlite3_last_insert_rowid(s->db);
        return 0;
}

static int device_from_row(sqlite3_stmt *st, struct store_device *d, struct error *err) {
        memset(d, 0, sizeof(*d));
        d->id = sqlite3_column_int64(st, 0);
        d->serial = store_column_text(st, 1);
        d->product_id = sqlite3_column_int64(st, 2);
        d->batch_id = store_column_opt_int64(st, 3);
        d->hardware_revision = store_column_text(st, 4);
        d->production_date = store_column_text(st, 5);
        d->station = store_column_text(st, 6);
        d->initial_firmware_version = store_column_text(st, 7);
        int status = store_name_index(store_device_status_names, ELEMENTSOF(store_device_status_names),
                                      (const char *) sqlite3_column_text(st, 8));
        int origin = store_name_index(store_device_origin_names, ELEMENTSOF(store_device_origin_names),
                                      (const char *) sqlite3_column_text(st, 9));
        d->created_at = sqlite3_column_int64(st, 10);
        d->decommissioned_at = store_column_opt_int64(st, 11);
        d->product_model = store_column_text(st, 12);
        d->batch_name = store_column_text(st, 13);
        d->valid_until = store_column_opt_int64(st, 14);
        d->installed_version = store_column_text(st, 15);
        d->security_version = sqlite3_column_type(st, 16) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 16);
        d->last_seen = store_column_opt_int64(st, 17);
        d->assigned_release_id = store_column_opt_int64(st, 18);
        d->tags = store_column_text(st, 19);
        if (!d->serial || !d->product_model || status < 0 || origin < 0) {
                int64_t id = d->id;
                store_device_clear(d);
                return error_set(err, ERROR_DB, "device %lld has a malformed row", (long long) id);
        }
        d->status = (enum store_device_status) status;
        d->origin = (enum store_device_origin) origin;
        return 0;
}

int store_device_get(struct store *s, int64_t id, struct store_device *out, struct error *err) {
        memset(out, 0, sizeof(*out));
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "SELECT " DEVICE_COLUMNS DEVICE_FROM "WHERE d.id = ?1", &st, err) < 0 ||
            store_bind_int64(s, st, 1, id, err) < 0)
                return -1;
        int rc = store_step_row(s, st, "reading a device", err);
        if (rc < 0)
                return -1;
        if (rc == 0)
                return error_set(err, ERROR_NOT_FOUND, "no device with id %lld", (long long) id);
        return device_from_row(st, out, err);
}

int store_device_get_identity(struct store *s, int64_t id, struct store_device *out, struct error *err) {
        memset(out, 0, sizeof(*out));
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "SELECT d.id, d.serial, d.product_id, d.status, d.origin, d.created_at, "
                             "d.decommissioned_at, p.model FROM devices d JOIN products p ON p.id = d.product_id "
                             "WHERE d.id = ?1", &st, err) < 0 ||
            store_bind_int64(s, st, 1, id, err) < 0)
                return -1;
        int rc = store_step_row(s, st, "reading a device", err);
        if (rc < 0)
                return -1;
        if (rc == 0)
                return error_set(err, ERROR_NOT_FOUND, "no device with id %lld", (long long) id);
        out->id = sqlite3_column_int64(st, 0);
        out->serial = store_column_text(st, 1);
        out->product_id = sqlite3_column_int64(st, 2);
        int status = store_name_index(store_device_status_names, ELEMENTSOF(store_device_status_names),
                                      (const char *) sqlite3_column_text(st, 3));
        int origin = store_name_index(store_device_origin_names, ELEMENTSOF(store_device_origin_names),
                                      (const char *) sqlite3_column_text(st, 4));
        out->created_at = sqlite3_column_int64(st, 5);
        out->decommissioned_at = store_column_opt_int64(st, 6);
        out->product_model = store_column_text(st, 7);
        out->security_version = -1;
        if (!out->serial || !out->product_model || status < 0 || origin < 0) {
                store_device_clear(out);
                return error_set(err, ERROR_DB, "device %lld has a malformed row", (long long) id);
        }
        out->status = (enum store_device_status) status;
        out->origin = (enum store_device_origin) origin;
        return 0;
}

int store_device_find_by_serial(struct store *s, const char *serial, struct store_device *out, bool *found,
                                struct error *err) {
        memset(out, 0, sizeof(*out));
        *found = false;
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "SELECT " DEVICE_COLUMNS DEVICE_FROM "WHERE d.serial = ?1", &st, err) < 0 ||
            store_bind_text(s, st, 1, serial, err) < 0)
                return -1;
        int rc = store_step_row(s, st, "reading a device", err);
        if (rc < 0)
                return -1;
        if (rc == 0)
                return 0;
        if (device_from_row(st, out, err) < 0)
                return -1;
        *found = true;
        return 0;
}

int store_device_get_by_serial(struct store *s, const char *serial, struct store_device *out,
                               struct error *err) {
        bool found;
        if (store_device_find_by_serial(s, serial, out, &found, err) < 0)
                return -1;
        if (!found) {
                char safe[80];
                str_sanitize(serial, strlen(serial), safe, sizeof(safe));
                return error_set(err, ERROR_NOT_FOUND, "no device with serial '%s'", safe);
        }
        return 0;
}

int store_device_list(struct store *s, const struct store_device_filter *f, struct store_device **out,
                      size_t *n_out, struct error *err) {
        *out = NULL;
        *n_out = 0;
        static const struct store_device_filter none = {0};
        if (!f)
                f = &none;
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "SELECT " DEVICE_COLUMNS DEVICE_FROM
                             "WHERE (?1 = 0 OR d.product_id = ?1) AND (?2 = 0 OR d.batch_id = ?2) "
                             "AND (?3 IS NULL OR b.name = ?3) AND (?4 IS NULL OR d.status = ?4) "
                             "AND (?5 = 0 OR EXISTS (SELECT 1 FROM certificates c WHERE c.device_id = d.id "
                             "               AND c.status = 'valid' AND c.not_after <= ?5)) "
                             "AND d.id > ?6 ORDER BY d.id LIMIT ?7", &st, err) < 0 ||
            store_bind_int64(s, st, 1, f->product_id, err) < 0 ||
            store_bind_int64(s, st, 2, f->batch_id, err) < 0 ||
            store_bind_text(s, st, 3, f->batch_name, err) < 0 ||
            store_bind_text(s, st, 4, f->status_set ? store_device_status_name(f->status) : NULL, err) < 0 ||
            store_bind_int64(s, st, 5, f->valid_until_before, err) < 0 ||
            store_bind_int64(s, st, 6, f->after_id, err) < 0 ||
            store_bind_int64(s, st, 7, (int64_t) store_list_limit(f->limit), err) < 0)
                return -1;
        struct store_device *list = NULL;
        size_t n = 0, cap = 0;
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                STORE_LIST_GROW(list, n, cap);
                if (device_from_row(st, &list[n], err) < 0) {
                        store_device_list_free(list, n);
                        return -1;
                }
                n++;
        }
        if (rc != SQLITE_DONE) {
                store_device_list_free(list, n);
                return store_fail(s, err, "listing devices");
        }
        *out = list;
        *n_out = n;
        return 0;
}

int store_device_reprovision(struct store *s, const struct store_device *d, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "UPDATE devices SET batch_id = ?2, hardware_revision = ?3, production_date = ?4, "
                             "station = ?5, initial_firmware_version = ?6, status = 'active', "
                             "initial_firmware_version_key = NULL, "
                             "decommissioned_at = NULL WHERE id = ?1", &st, err) < 0 ||
            store_bind_int64(s, st, 1, d->id, err) < 0 ||
            store_bind_opt_int64(s, st, 2, d->batch_id, err) < 0 ||
            store_bind_text(s, st, 3, d->hardware_revision, err) < 0 ||
            store_bind_text(s, st, 4, d->production_date, err) < 0 ||
            store_bind_text(s, st, 5, d->station, err) < 0 ||
            store_bind_text(s, st, 6, d->initial_firmware_version, err) < 0 ||
            store_step_done(s, st, "re-provisioning a device", err) < 0)
                return -1;
        if (sqlite3_changes(s->db) == 0)
                return error_set(err, ERROR_NOT_FOUND, "no device with id %lld", (long long) d->id);
        return 0;
}

int store_device_decommission(struct store *s, int64_t id, int64_t when, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "UPDATE devices SET status = 'decommissioned', decommissioned_at = ?2 "
                             "WHERE id = ?1 AND status <> 'decommissioned'", &st, err) < 0 ||
            store_bind_int64(s, st, 1, id, err) < 0 ||
            store_bind_int64(s, st, 2, when, err) < 0 ||
            store_step_done(s, st, "decommissioning a device", err) < 0)
                return -1;
        if (sqlite3_changes(s->db) == 0) {
                struct store_device d;
                if (store_device_get(s, id, &d, err) < 0)
                        return -1;
                error_set(err, ERROR_CONFLICT, "device '%s' is already decommissioned", d.serial);
                store_device_clear(&d);
                return -1;
        }
        return 0;
}

void store_device_clear(struct store_device *d) {
        if (!d)
                return;
        free(d->serial);
        free(d->hardware_revision);
        free(d->production_date);
        free(d->station);
        free(d->initial_firmware_version);
        free(d->product_model);
        free(d->batch_name);
        free(d->installed_version);
        free(d->tags);
        memset(d, 0, sizeof(*d));
}

void store_device_list_free(struct store_device *list, size_t n) {
        for (size_t i = 0; i < n; i++)
                store_device_clear(&list[i]);
        free(list);
}

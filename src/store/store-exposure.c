/* SPDX-License-Identifier: Apache-2.0 */
/* Exposure reads (store-exposure.h). */
#include "store/store-exposure.h"

#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/strutil.h"
#include "store/store-identity-private.h"

void store_exposure_findings_free(struct store_exposure_finding *list, size_t n) {
        for (size_t i = 0; list && i < n; i++) {
                free(list[i].model);
                free(list[i].version);
                free(list[i].release_status);
                free(list[i].component);
                free(list[i].component_version);
                free(list[i].state);
        }
        free(list);
}

int store_exposure_findings(struct store *s, int64_t vuln_id, struct store_exposure_finding **out, size_t *n,
                            struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        *out = NULL;
        *n = 0;
        if (store_prepare(s, "SELECT f.id, r.id, r.product_id, p.model, r.version, r.status, c.name, c.version, f.state "
                             "FROM findings f JOIN releases r ON r.id = f.release_id JOIN products p ON p.id = "
                             "r.product_id JOIN sbom_components c ON c.id = f.component_id WHERE f.vuln_id = ?1 AND "
                             "f.gone_at IS NULL AND f.state IN ('in_triage', 'affected') ORDER BY p.model, r.id, "
                             "c.name, f.id", &st, err) < 0 ||
            store_bind_int64(s, st, 1, vuln_id, err) < 0)
                return -1;
        struct store_exposure_finding *list = NULL;
        size_t k = 0, cap = 0;
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                STORE_LIST_GROW(list, k, cap);
                struct store_exposure_finding *f = &list[k++];
                f->finding_id = sqlite3_column_int64(st, 0);
                f->release_id = sqlite3_column_int64(st, 1);
                f->product_id = sqlite3_column_int64(st, 2);
                f->model = store_column_text(st, 3);
                f->version = store_column_text(st, 4);
                f->release_status = store_column_text(st, 5);
                f->component = store_column_text(st, 6);
                f->component_version = store_column_text(st, 7);
                f->state = store_column_text(st, 8);
        }
        if (rc != SQLITE_DONE) {
                store_exposure_findings_free(list, k);
                return store_fail(s, err, "reading a vulnerability's findings");
        }
        *out = list;
        *n = k;
        return 0;
}

void store_exposure_strings_free(char **list, size_t n) {
        for (size_t i = 0; list && i < n; i++)
                free(list[i]);
        free(list);
}

int store_exposure_product_versions(struct store *s, int64_t product_id, char ***versions, size_t *n,
                                    struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        *versions = NULL;
        *n = 0;
        if (store_prepare(s, "SELECT version FROM releases WHERE product_id = ?1 ORDER BY id", &st, err) < 0 ||
            store_bind_int64(s, st, 1, product_id, err) < 0)
                return -1;
        char **list = NULL;
        size_t k = 0, cap = 0;
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                STORE_LIST_GROW(list, k, cap);
                list[k++] = store_column_text(st, 0);
        }
        if (rc != SQLITE_DONE) {
                store_exposure_strings_free(list, k);
                return store_fail(s, err, "reading a product's releases");
        }
        *versions = list;
        *n = k;
        return 0;
}

void store_exposure_groups_free(struct store_exposure_group *list, size_t n) {
        for (size_t i = 0; list && i < n; i++) {
                free(list[i].hardware_revision);
                free(list[i].batch);
                free(list[i].counts);
        }
        free(list);
}

static int batch_name(struct store *s, int64_t batch_id, char **out, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        *out = NULL;
        if (!batch_id)
                return 0;
        if (store_prepare(s, "SELECT name FROM batches WHERE id = ?1", &st, err) < 0 ||
            store_bind_int64(s, st, 1, batch_id, err) < 0)
                return -1;
        int rc = store_step_row(s, st, "reading a batch name", err);
        if (rc == 1)
                *out = store_column_text(st, 0);
        return rc < 0 ? -1 : 0;
}

/* One pass over the product's active devices (the covering index
 * devices_fleet, in hardware revision and batch order: the grouping needs no
 * sort), each joined with its update state by id: a device runs its
 * installed version, else its initial firmware. One SUM per version; the SQL
 * is this file's constants and parameter numbers only. */
int store_exposure_count(struct store *s, int64_t product_id, const char *const *versions, size_t n_versions,
                         struct store_exposure_group **out, size_t *n, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        *out = NULL;
        *n = 0;
        if (n_versions == 0)
                return 0;
        if (n_versions > STORE_EXPOSURE_VERSIONS_MAX)
                return error_set(err, ERROR_INTERNAL, "exposure: %zu versions at once (at most %d)", n_versions,
                                 STORE_EXPOSURE_VERSIONS_MAX);
        struct buf q = {0};
        buf_appendf(&q, "SELECT d.hardware_revision, d.batch_id");
        for (size_t i = 0; i < n_versions; i++)
                buf_appendf(&q, ", SUM(CASE WHEN COALESCE(st.installed_version, d.initial_firmware_version) = ?%zu "
                                "THEN 1 ELSE 0 END)", i + 2);
        buf_appendf(&q, " FROM devices d LEFT JOIN device_update_state st ON st.device_id = d.id WHERE "
                        "d.product_id = ?1 AND d.status = 'active' GROUP BY d.hardware_revision, d.batch_id");
        _cleanup_free_ char *sql = buf_steal(&q);
        if (store_prepare(s, sql, &st, err) < 0 || store_bind_int64(s, st, 1, product_id, err) < 0)
                return -1;
        for (size_t i = 0; i < n_versions; i++)
                if (store_bind_text(s, st, (int) i + 2, versions[i], err) < 0)
                        return -1;
        struct store_exposure_group *list = NULL;
        int64_t *batch_ids = NULL;
        size_t k = 0, cap = 0, nb = 0, capb = 0;
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                STORE_LIST_GROW(list, k, cap);
                STORE_LIST_GROW(batch_ids, nb, capb);
                struct store_exposure_group *g = &list[k++];
                memset(g, 0, sizeof(*g));
                g->hardware_revision = store_column_text(st, 0);
                batch_ids[nb++] = store_column_opt_int64(st, 1);
                g->counts = xcalloc(n_versions, sizeof(*g->counts));
                for (size_t i = 0; i < n_versions; i++)
                        g->counts[i] = sqlite3_column_int64(st, (int) i + 2);
        }
        if (rc != SQLITE_DONE) {
                free(batch_ids);
                store_exposure_groups_free(list, k);
                return store_fail(s, err, "counting a product's devices by version");
        }
        for (size_t i = 0; i < k; i++)
                if (batch_name(s, batch_ids[i], &list[i].batch, err) < 0) {
                        free(batch_ids);
                        store_exposure_groups_free(list, k);
                        return -1;
                }
        free(batch_ids);
        *out = list;
        *n = k;
        return 0;
}

void store_exposure_devices_free(struct store_exposure_device *list, size_t n) {
        for (size_t i = 0; list && i < n; i++) {
                free(list[i].serial);
                free(list[i].hardware_revision);
                free(list[i].batch);
                free(list[i].version);
                free(list[i].owner);
        }
        free(list);
}

#define DEVICE_COLS                                                                                              \
        "SELECT d.id, d.serial, d.hardware_revision, b.name, CASE WHEN ?5 = 1 THEN (SELECT MAX(h.time) FROM "    \
        "device_update_history h WHERE h.device_id = d.id AND h.result = 'success' AND h.to_version = ?2) ELSE " \
        "NULL END, COALESCE(d.owner_ref, b.owner_ref) "
#define DEVICES_UPDATED                                                                                          \
        DEVICE_COLS "FROM device_update_state st JOIN devices d ON d.id = st.device_id LEFT JOIN batches b ON "   \
        "b.id = d.batch_id WHERE st.installed_version = ?2 AND st.device_id > ?3 AND d.product_id = ?1 AND "      \
        "d.status = 'active' ORDER BY st.device_id LIMIT ?4"
#define DEVICES_INITIAL                                                                                          \
        DEVICE_COLS "FROM devices d LEFT JOIN batches b ON b.id = d.batch_id WHERE d.product_id = ?1 AND "        \
        "d.initial_firmware_version = ?2 AND d.id > ?3 AND d.status = 'active' AND NOT EXISTS (SELECT 1 FROM "   \
        "device_update_state st WHERE st.device_id = d.id AND st.installed_version IS NOT NULL) ORDER BY d.id "  \
        "LIMIT ?4"

static int devices_part(struct store *s, const char *sql, int64_t product_id, const char *version, int64_t after_id,
                        size_t limit, bool with_since, struct store_exposure_device **list, size_t *k, size_t *cap,
                        struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, sql, &st, err) < 0 || store_bind_int64(s, st, 1, product_id, err) < 0 ||
            store_bind_text(s, st, 2, version, err) < 0 || store_bind_int64(s, st, 3, after_id, err) < 0 ||
            store_bind_int64(s, st, 4, (int64_t) limit, err) < 0 ||
            store_bind_int64(s, st, 5, with_since ? 1 : 0, err) < 0)
                return -1;
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                STORE_LIST_GROW(*list, *k, *cap);
                struct store_exposure_device *d = &(*list)[(*k)++];
                d->id = sqlite3_column_int64(st, 0);
                d->serial = store_column_text(st, 1);
                d->hardware_revision = store_column_text(st, 2);
                d->batch = store_column_text(st, 3);
                d->version = str_dup(version);
                d->since = store_column_opt_int64(st, 4);
                d->owner = store_column_text(st, 5);
        }
        if (rc != SQLITE_DONE)
                return store_fail(s, err, "listing the devices of a release");
        return 0;
}

static int device_cmp(const void *a, const void *b) {
        const struct store_exposure_device *x = a, *y = b;
        return x->id < y->id ? -1 : x->id > y->id;
}

int store_exposure_devices(struct store *s, int64_t product_id, const char *version, int64_t after_id, size_t limit,
                           bool with_since, struct store_exposure_device **out, size_t *n, struct error *err) {
        struct store_exposure_device *list = NULL;
        size_t k = 0, cap = 0;
        *out = NULL;
        *n = 0;
        if (devices_part(s, DEVICES_UPDATED, product_id, version, after_id, limit, with_since, &list, &k, &cap,
                         err) < 0 ||
            devices_part(s, DEVICES_INITIAL, product_id, version, after_id, limit, with_since, &list, &k, &cap,
                         err) < 0) {
                store_exposure_devices_free(list, k);
                return -1;
        }
        if (k)
                qsort(list, k, sizeof(*list), device_cmp);
        while (k > limit) {
                k--;
                free(list[k].serial);
                free(list[k].hardware_revision);
                free(list[k].batch);
                free(list[k].version);
                free(list[k].owner);
        }
        *out = list;
        *n = k;
        return 0;
}

int store_exposure_vuln(struct store *s, const char *alias, int64_t *id, char **name, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        *id = 0;
        *name = NULL;
        if (store_prepare(s, "SELECT id, name FROM vulns WHERE id = (SELECT id FROM vulns WHERE name = ?1 UNION "
                             "SELECT vuln_id FROM vuln_aliases WHERE alias = ?1 LIMIT 1)", &st, err) < 0 ||
            store_bind_text(s, st, 1, alias, err) < 0)
                return -1;
        int rc = store_step_row(s, st, "resolving a vulnerability id", err);
        if (rc == 1) {
                *id = sqlite3_column_int64(st, 0);
                *name = store_column_text(st, 1);
        }
        return rc;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* Production batches. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "audit/audit.h"
#include "core/cleanup.h"
#include "core/json.h"
#include "core/strutil.h"
#include "core/time.h"
#include "crypto/ct.h"
#include "identity/batch.h"
#include "identity/internal.h"
#include "keys/keys.h"
#include "pki/issue.h"

#define BATCH_TEXT_MAX 64

static json_t *batch_to_json(const struct store_batch *b) {
        return json_pack("{s:I, s:s, s:s, s:s, s:s, s:o, s:s, s:b, s:o, s:o, s:s}",
                         "id", (json_int_t) b->id,
                         "product", b->product_model,
                         "name", b->name,
                         "hardware_revision", b->hardware_revision,
                         "production_date", b->production_date,
                         "station", identity_str_json(b->station),
                         "initial_firmware_version", b->initial_firmware_version,
                         "migration_key_set", b->migration_key_set,
                         "created_at", identity_time_json(b->created_at),
                         "closed_at", identity_time_json(b->closed_at),
                         "status", b->closed_at ? "closed" : "open");
}

static int batch_json_out(const struct store_batch *b, json_t **out, struct error *err) {
        *out = batch_to_json(b);
        return *out ? 0 : error_set(err, ERROR_INTERNAL, "batch %lld cannot be rendered", (long long) b->id);
}

/* Printable text without control characters, 1..BATCH_TEXT_MAX bytes. */
static int text_check(const char *field, const char *v, struct error *err) {
        size_t n = strlen(v);
        if (n == 0 || n > BATCH_TEXT_MAX)
                return error_set(err, ERROR_INVALID, "%s: must be 1..%d characters", field, BATCH_TEXT_MAX);
        for (size_t i = 0; i < n; i++)
                if ((unsigned char) v[i] < 0x20 || v[i] == 0x7f)
                        return error_set(err, ERROR_INVALID, "%s: contains a control character", field);
        return 0;
}

static const char *field_string(json_t *body, const char *key) {
        json_t *v = json_object_get(body, key);
        if (!v || json_is_null(v))
                return NULL;
        return json_string_value(v);
}

int identity_batch_create(struct store *s, const struct audit_actor *a, json_t *body, json_t **out,
                          struct error *err) {
        *out = NULL;
        const struct cr_json_field fields[] = {
                {"product", CR_JSON_STRING, true, 4 * BATCH_TEXT_MAX, false},
                {"name", CR_JSON_STRING, true, 4 * BATCH_TEXT_MAX, false},
                {"hardware_revision", CR_JSON_STRING, true, 4 * BATCH_TEXT_MAX, false},
                {"production_date", CR_JSON_STRING, true, 32, false},
                {"initial_firmware_version", CR_JSON_STRING, true, 4 * BATCH_TEXT_MAX, false},
                {"station", CR_JSON_STRING, false, 4 * BATCH_TEXT_MAX, true},
        };
        if (cr_json_check_object("batch", body, fields, ELEMENTSOF(fields), err) < 0)
                return -1;
        const char *product = field_string(body, "product");
        const char *name = field_string(body, "name");
        const char *hw = field_string(body, "hardware_revision");
        const char *date = field_string(body, "production_date");
        const char *fw = field_string(body, "initial_firmware_version");
        const char *station = field_string(body, "station");
        for (const char *const *k = (const char *const[]){"product", "name", "hardware_revision", "production_date",
                                                           "initial_firmware_version", "station", NULL};
             *k; k++) {
                json_t *v = json_object_get(body, *k);
                if (json_is_string(v) && strlen(json_string_value(v)) != json_string_length(v))
                        return error_set(err, ERROR_INVALID, "%s: contains a NUL character", *k);
        }
        if (pki_name_check("product", product, err) < 0 || pki_name_check("name", name, err) < 0 ||
            text_check("hardware_revision", hw, err) < 0 || text_check("initial_firmware_version", fw, err) < 0 ||
            (station && text_check("station", station, err) < 0))
                return -1;
        int64_t day;
        struct error e = {0};
        if (time_parse_date(date, &day, &e) < 0)
                return error_set(err, ERROR_INVALID, "production_date: '%.32s' is not a date (YYYY-MM-DD): %s", date,
                                 e.msg);
        char canon[TIME_DATE_LEN];
        time_format_date(day, canon);

        int64_t product_id, id;
        if (store_identity_product_by_model(s, product, &product_id, err) < 0)
                return -1;
        struct store_batch row = {
                .product_id = product_id,
                .name = (char *) name,
                .hardware_revision = (char *) hw,
                .production_date = canon,
                .station = (char *) station,
                .initial_firmware_version = (char *) fw,
                .created_at = time_now(),
        };
        _cleanup_batch_row_ struct store_batch stored = {0};
        _cleanup_json_ json_t *j = NULL;
        char object[48];
        if (store_tx_begin(s, err) < 0)
                return -1;
        if (store_batch_insert(s, &row, &id, err) < 0 || store_batch_get(s, id, &stored, err) < 0)
                goto fail;
        j = batch_to_json(&stored);
        if (!j) {
                error_set(err, ERROR_INTERNAL, "batch %lld cannot be rendered", (long long) id);
                goto fail;
        }
        snprintf(object, sizeof(object), "batch:%lld", (long long) id);
        if (audit_append(s, a, "batch.create", object, j, err) < 0)
                goto fail;
        if (store_tx_commit(s, err) < 0)
                return -1;
        *out = steal_ptr(j);
        return 0;
fail:
        store_tx_rollback(s);
        return -1;
}

int identity_batch_close(struct store *s, const struct audit_actor *a, int64_t batch_id, json_t **out,
                         struct error *err) {
        *out = NULL;
        _cleanup_batch_row_ struct store_batch b = {0};
        _cleanup_json_ json_t *details = NULL;
        char object[48];
        if (store_tx_begin(s, err) < 0)
                return -1;
        if (store_batch_close(s, batch_id, time_now(), err) < 0 || store_batch_get(s, batch_id, &b, err) < 0)
                goto fail;
        snprintf(object, sizeof(object), "batch:%lld", (long long) batch_id);
        details = json_pack("{s:s, s:s}", "product", b.product_model, "name", b.name);
        if (audit_append(s, a, "batch.close", object, details, err) < 0)
                goto fail;
        if (store_tx_commit(s, err) < 0)
                return -1;
        return batch_json_out(&b, out, err);
fail:
        store_tx_rollback(s);
        return -1;
}

int identity_batch_get(struct store *s, int64_t batch_id, json_t **out, struct error *err) {
        *out = NULL;
        _cleanup_batch_row_ struct store_batch b = {0};
        if (store_batch_get(s, batch_id, &b, err) < 0)
                return -1;
        return batch_json_out(&b, out, err);
}

int identity_batch_list(struct store *s, const char *product_model, json_t **out, struct error *err) {
        *out = NULL;
        int64_t product_id = 0;
        if (product_model && store_identity_product_by_model(s, product_model, &product_id, err) < 0)
                return -1;
        struct store_batch *list;
        size_t n;
        if (store_batch_list(s, product_id, &list, &n, err) < 0)
                return -1;
        json_t *items = json_array();
        for (size_t i = 0; i < n; i++) {
                json_t *j = batch_to_json(&list[i]);
                if (!j) {
                        json_decref(items);
                        error_set(err, ERROR_INTERNAL, "batch %lld cannot be rendered", (long long) list[i].id);
                        store_batch_list_free(list, n);
                        return -1;
                }
                json_array_append_new(items, j);
        }
        store_batch_list_free(list, n);
        *out = json_pack("{s:o}", "items", items);
        return 0;
}

int identity_batch_set_migration_key(struct store *s, const struct audit_actor *a, int64_t batch_id,
                                     const uint8_t key[32], struct error *err) {
        if (!key)
                return error_set(err, ERROR_INVALID, "migration key: is required (32 bytes)");
        static const uint8_t zero[32];
        if (ct_equal(key, zero, sizeof(zero)))
                return error_set(err, ERROR_INVALID, "migration key: all zero bytes is not a key");
        _cleanup_batch_row_ struct store_batch b = {0};
        _cleanup_json_ json_t *details = NULL;
        char object[48];
        if (store_tx_begin(s, err) < 0)
                return -1;
        if (store_batch_get(s, batch_id, &b, err) < 0)
                goto fail;
        bool replaced = b.migration_key_set;
        uint8_t old[32];
        bool had_old = false;
        if (replaced && store_batch_migration_key(s, batch_id, old, &had_old, err) < 0)
                goto fail;
        /* The key registry lists it (by an identifier, never the secret) and
         * retires the key it replaces (issue 11). */
        int kr = keys_register_migration_key(s, batch_id, key, had_old ? old : NULL, a, err);
        explicit_bzero(old, sizeof(old));
        if (kr < 0 || store_batch_set_migration_key(s, batch_id, key, err) < 0)
                goto fail;
        snprintf(object, sizeof(object), "batch:%lld", (long long) batch_id);
        /* never the key itself */
        details = json_pack("{s:s, s:s, s:b}", "product", b.product_model, "name", b.name, "replaced", replaced);
        if (audit_append(s, a, "batch.migration-key.set", object, details, err) < 0)
                goto fail;
        return store_tx_commit(s, err);
fail:
        store_tx_rollback(s);
        return -1;
}

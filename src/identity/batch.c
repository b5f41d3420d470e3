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
#include "crypto/encoding.h"
#include "identity/batch.h"
#include "identity/internal.h"
#include "keys/keys.h"
#include "pki/issue.h"
#include "secret/kek.h"

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

/* What a batch's key is bound to when sealed: a sealed key copied to another
 * batch's row does not open there. */
static void batch_key_context(int64_t batch_id, char out[48]) {
        snprintf(out, 48, "migration-batch:%lld", (long long) batch_id);
}

static int batch_key_seal(const struct kek *k, int64_t batch_id, const uint8_t key[32], char **sealed,
                          struct error *err) {
        char context[48];
        batch_key_context(batch_id, context);
        if (kek_seal(k, context, key, 32, sealed, err) < 0)
                return error_prefix(err, "migration key: ");
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
        _cleanup_free_ char *sealed = NULL;
        char object[48];
        /* Sealed before the transaction: a token may be slow. */
        if (batch_key_seal(kek_default(), batch_id, key, &sealed, err) < 0)
                return -1;
        if (store_tx_begin(s, err) < 0)
                return -1;
        if (store_batch_get(s, batch_id, &b, err) < 0)
                goto fail;
        bool replaced = b.migration_key_set;
        uint8_t old[32];
        bool had_old = false;
        if (replaced && identity_batch_migration_key(s, batch_id, old, &had_old, err) < 0)
                goto fail;
        /* The key registry lists it (by an identifier, never the secret) and
         * retires the key it replaces (issue 11). */
        int kr = keys_register_migration_key(s, batch_id, key, had_old ? old : NULL, a, err);
        explicit_bzero(old, sizeof(old));
        if (kr < 0 || store_batch_set_migration_key(s, batch_id, sealed, err) < 0)
                goto fail;
        snprintf(object, sizeof(object), "batch:%lld", (long long) batch_id);
        /* never the key itself */
        details = json_pack("{s:s, s:s, s:b, s:s}", "product", b.product_model, "name", b.name, "replaced", replaced,
                            "kek", kek_fingerprint(kek_default()));
        if (audit_append(s, a, "batch.migration-key.set", object, details, err) < 0)
                goto fail;
        return store_tx_commit(s, err);
fail:
        store_tx_rollback(s);
        return -1;
}

int identity_batch_migration_key(struct store *s, int64_t batch_id, uint8_t key[32], bool *found,
                                 struct error *err) {
        *found = false;
        _cleanup_secret_ char *stored = NULL;
        if (store_batch_migration_key(s, batch_id, &stored, err) < 0)
                return -1;
        if (!stored)
                return 0;
        if (!kek_is_sealed(stored)) {
                /* Stored before secrets at rest; cradled seals it at its next
                 * start with a KEK (identity_batch_seal_existing). */
                if (strlen(stored) != 64 || hex_decode(stored, key, 32, NULL) < 0) {
                        ct_wipe(key, 32);
                        return error_set(err, ERROR_DB, "batch %lld has a malformed migration key", (long long) batch_id);
                }
                *found = true;
                return 0;
        }
        char context[48];
        batch_key_context(batch_id, context);
        uint8_t *opened = NULL;
        size_t n = 0;
        if (kek_open(kek_default(), context, stored, &opened, &n, err) < 0)
                return -1;
        if (n != 32) {
                ct_wipe(opened, n);
                free(opened);
                return error_set(err, ERROR_DB, "batch %lld: the sealed migration key is %zu bytes, not 32",
                                 (long long) batch_id, n);
        }
        memcpy(key, opened, 32);
        ct_wipe(opened, n);
        free(opened);
        *found = true;
        return 0;
}

int identity_batch_kek_check(struct store *s, const struct kek *k, struct error *err) {
        _cleanup_free_ char *prefix = str_printf("kek1:%s:", kek_fingerprint(k));
        int64_t id = 0;
        if (store_batch_migration_key_other_kek(s, prefix, &id, err) < 0)
                return -1;
        if (!id)
                return 0;
        _cleanup_secret_ char *stored = NULL;
        if (store_batch_migration_key(s, id, &stored, err) < 0)
                return -1;
        char fp[KEK_FINGERPRINT_HEX + 1] = "";
        _cleanup_free_ uint8_t *blob = NULL;
        size_t n = 0;
        struct error e = {0};
        if (kek_sealed_parse(stored, fp, &blob, &n, &e) < 0)
                return error_set(err, ERROR_CRYPTO, "batch %lld's migration key is not a valid sealed value: %s",
                                 (long long) id, e.msg);
        return error_set(err, ERROR_CRYPTO, "batch %lld's migration key is sealed under KEK %s, but the configured "
                         "KEK is %s", (long long) id, fp, kek_fingerprint(k));
}

int identity_batch_seal_existing(struct store *s, const struct audit_actor *a, const struct kek *k,
                                 size_t *sealed_out, struct error *err) {
        *sealed_out = 0;
        _cleanup_free_ int64_t *ids = NULL;
        size_t n = 0;
        if (store_tx_begin(s, err) < 0)
                return -1;
        if (store_batch_migration_keys_unsealed(s, &ids, &n, err) < 0)
                goto fail;
        for (size_t i = 0; i < n; i++) {
                uint8_t key[32];
                bool found = false;
                _cleanup_free_ char *sealed = NULL;
                _cleanup_json_ json_t *details = NULL;
                char object[48];
                if (identity_batch_migration_key(s, ids[i], key, &found, err) < 0)
                        goto fail;
                int r = found ? batch_key_seal(k, ids[i], key, &sealed, err) : 0;
                ct_wipe(key, sizeof(key));
                if (r < 0)
                        goto fail;
                if (!found)
                        continue;
                if (store_batch_set_migration_key(s, ids[i], sealed, err) < 0)
                        goto fail;
                snprintf(object, sizeof(object), "batch:%lld", (long long) ids[i]);
                details = json_pack("{s:s}", "kek", kek_fingerprint(k));
                if (audit_append(s, a, "batch.migration-key.sealed", object, details, err) < 0)
                        goto fail;
                (*sealed_out)++;
        }
        return store_tx_commit(s, err);
fail:
        store_tx_rollback(s);
        *sealed_out = 0;
        return -1;
}

int identity_batch_reseal(struct store *s, const struct audit_actor *a, const struct kek *from, const struct kek *to,
                          size_t *n_out, struct error *err) {
        *n_out = 0;
        struct store_batch *list = NULL;
        size_t n = 0;
        _cleanup_free_ char *to_prefix = str_printf("kek1:%s:", kek_fingerprint(to));
        if (store_tx_begin(s, err) < 0)
                return -1;
        if (store_batch_list(s, 0, &list, &n, err) < 0)
                goto fail;
        for (size_t i = 0; i < n; i++) {
                if (!list[i].migration_key_set)
                        continue;
                int64_t id = list[i].id;
                _cleanup_secret_ char *stored = NULL;
                if (store_batch_migration_key(s, id, &stored, err) < 0)
                        goto fail;
                if (!stored || strncmp(stored, to_prefix, strlen(to_prefix)) == 0)
                        continue;
                uint8_t key[32];
                bool found = false;
                if (kek_is_sealed(stored)) {
                        char context[48];
                        batch_key_context(id, context);
                        uint8_t *opened = NULL;
                        size_t len = 0;
                        if (kek_open(from, context, stored, &opened, &len, err) < 0) {
                                error_prefix(err, "batch %lld: ", (long long) id);
                                goto fail;
                        }
                        found = len == 32;
                        if (found)
                                memcpy(key, opened, 32);
                        ct_wipe(opened, len);
                        free(opened);
                        if (!found) {
                                error_set(err, ERROR_DB, "batch %lld: the sealed migration key is %zu bytes, not 32",
                                          (long long) id, len);
                                goto fail;
                        }
                } else if (identity_batch_migration_key(s, id, key, &found, err) < 0) {
                        goto fail;
                }
                _cleanup_free_ char *sealed = NULL;
                int r = batch_key_seal(to, id, key, &sealed, err);
                ct_wipe(key, sizeof(key));
                if (r < 0 || store_batch_set_migration_key(s, id, sealed, err) < 0)
                        goto fail;
                char object[48];
                snprintf(object, sizeof(object), "batch:%lld", (long long) id);
                _cleanup_json_ json_t *details = json_pack("{s:s, s:s}", "from", kek_fingerprint(from), "to",
                                                           kek_fingerprint(to));
                if (audit_append(s, a, "batch.migration-key.resealed", object, details, err) < 0)
                        goto fail;
                (*n_out)++;
        }
        store_batch_list_free(list, n);
        return store_tx_commit(s, err);
fail:
        store_batch_list_free(list, n);
        store_tx_rollback(s);
        *n_out = 0;
        return -1;
}

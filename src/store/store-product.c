/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>
#include "core/cleanup.h"
#include "core/strutil.h"
#include "store/store-private.h"
#include "store/store-product.h"

#define PRODUCT_COLUMNS "id, name, model, manufacturer_name, manufacturer_address, " \
        "manufacturer_contact, support_start, support_end, support_justification, created_at, updated_at"

static int product_conflict_or_fail(struct store *s, const struct store_product *p, struct error *err,
                                    const char *what) {
        char column[64];
        if (store_is_unique_violation(s, column, sizeof(column))) {
                if (strcmp(column, "product_member_states.country") == 0 ||
                    strcmp(column, "product_member_states.product_id") == 0)
                        return error_set(err, ERROR_CONFLICT, "member_states: a country is listed twice");
                return error_set(err, ERROR_CONFLICT, "a product with model '%s' already exists", p->model);
        }
        return store_fail(s, err, what);
}

static int member_states_write(struct store *s, int64_t id, const struct store_product *p,
                               struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *del = NULL;
        if (store_prepare(s, "DELETE FROM product_member_states WHERE product_id = ?1", &del, err) < 0 ||
            store_bind_int64(s, del, 1, id, err) < 0)
                return -1;
        if (sqlite3_step(del) != SQLITE_DONE)
                return store_fail(s, err, "replacing member states");

        _cleanup_stmt_ sqlite3_stmt *ins = NULL;
        if (store_prepare(s, "INSERT INTO product_member_states (product_id, country) VALUES (?1, ?2)",
                          &ins, err) < 0)
                return -1;
        for (size_t i = 0; i < p->n_member_states; i++) {
                sqlite3_reset(ins);
                if (store_bind_int64(s, ins, 1, id, err) < 0 ||
                    store_bind_text(s, ins, 2, p->member_states[i], err) < 0)
                        return -1;
                if (sqlite3_step(ins) != SQLITE_DONE)
                        return product_conflict_or_fail(s, p, err, "storing member states");
        }
        return 0;
}

static int bind_product_fields(struct store *s, sqlite3_stmt *st, const struct store_product *p,
                               struct error *err) {
        if (store_bind_text(s, st, 1, p->name, err) < 0 ||
            store_bind_text(s, st, 2, p->model, err) < 0 ||
            store_bind_text(s, st, 3, p->manufacturer_name, err) < 0 ||
            store_bind_text(s, st, 4, p->manufacturer_address, err) < 0 ||
            store_bind_text(s, st, 5, p->manufacturer_contact, err) < 0 ||
            store_bind_text(s, st, 6, p->support_start, err) < 0 ||
            store_bind_text(s, st, 7, p->support_end, err) < 0 ||
            store_bind_text(s, st, 8, p->support_justification, err) < 0 ||
            store_bind_int64(s, st, 9, p->created_at, err) < 0 ||
            store_bind_int64(s, st, 10, p->updated_at, err) < 0)
                return -1;
        return 0;
}

int store_product_insert(struct store *s, const struct store_product *p, int64_t *id_out,
                         struct error *err) {
        struct store_atomic a;
        if (store_atomic_begin(s, &a, err) < 0)
                return -1;
        {
                _cleanup_stmt_ sqlite3_stmt *st = NULL;
                if (store_prepare(s, "INSERT INTO products (name, model, manufacturer_name, "
                                     "manufacturer_address, manufacturer_contact, support_start, support_end, "
                                     "support_justification, created_at, updated_at) "
                                     "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)", &st, err) < 0 ||
                    bind_product_fields(s, st, p, err) < 0)
                        goto fail;
                if (sqlite3_step(st) != SQLITE_DONE) {
                        product_conflict_or_fail(s, p, err, "inserting a product");
                        goto fail;
                }
        }
        int64_t id = sqlite3_last_insert_rowid(s->db);
        if (member_states_write(s, id, p, err) < 0)
                goto fail;
        if (store_atomic_commit(s, &a, err) < 0)
                return -1;
        if (id_out)
                *id_out = id;
        return 0;
fail:
        store_atomic_rollback(s, &a);
        return -1;
}

int store_product_update(struct store *s, const struct store_product *p, struct error *err) {
        struct store_atomic a;
        if (store_atomic_begin(s, &a, err) < 0)
                return -1;
        {
                /* ?9 (created_at) is bound by the shared helper but never changed. */
                _cleanup_stmt_ sqlite3_stmt *st = NULL;
                if (store_prepare(s, "UPDATE products SET name = ?1, model = ?2, manufacturer_name = ?3, "
                                     "manufacturer_address = ?4, manufacturer_contact = ?5, support_start = ?6, "
                                     "support_end = ?7, support_justification = ?8, updated_at = ?10 "
                                     "WHERE id = ?11", &st, err) < 0 ||
                    bind_product_fields(s, st, p, err) < 0 ||
                    store_bind_int64(s, st, 11, p->id, err) < 0)
                        goto fail;
                if (sqlite3_step(st) != SQLITE_DONE) {
                        product_conflict_or_fail(s, p, err, "updating a product");
                        goto fail;
                }
                if (sqlite3_changes(s->db) == 0) {
                        error_set(err, ERROR_NOT_FOUND, "no product with id %lld", (long long) p->id);
                        goto fail;
                }
        }
        if (member_states_write(s, p->id, p, err) < 0)
                goto fail;
        return store_atomic_commit(s, &a, err);
fail:
        store_atomic_rollback(s, &a);
        return -1;
}

static int product_from_row(sqlite3_stmt *st, struct store_product *p, struct error *err) {
        memset(p, 0, sizeof(*p));
        p->id = sqlite3_column_int64(st, 0);
        p->name = store_column_text(st, 1);
        p->model = store_column_text(st, 2);
        p->manufacturer_name = store_column_text(st, 3);
        p->manufacturer_address = store_column_text(st, 4);
        p->manufacturer_contact = store_column_text(st, 5);
        p->support_start = store_column_text(st, 6);
        p->support_end = store_column_text(st, 7);
        p->support_justification = store_column_text(st, 8);
        p->created_at = sqlite3_column_int64(st, 9);
        p->updated_at = sqlite3_column_int64(st, 10);
        if (!p->name || !p->model || !p->manufacturer_name || !p->manufacturer_address ||
            !p->manufacturer_contact || !p->support_start || !p->support_end) {
                int64_t id = p->id;
                store_product_clear(p);
                return error_set(err, ERROR_DB, "product %lld has NULL fields", (long long) id);
        }
        return 0;
}

static void member_state_add(struct store_product *p, const char *country) {
        p->member_states = xrealloc(p->member_states, (p->n_member_states + 1) * sizeof(char *));
        p->member_states[p->n_member_states++] = str_dup(country);
}

/* Fills member_states of products[0..n) (sorted by id) in one pass. */
static int member_states_read(struct store *s, struct store_product *products, size_t n, int64_t only_id,
                              struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (only_id > 0) {
                if (store_prepare(s, "SELECT product_id, country FROM product_member_states "
                                     "WHERE product_id = ?1 ORDER BY product_id, country", &st, err) < 0 ||
                    store_bind_int64(s, st, 1, only_id, err) < 0)
                        return -1;
        } else if (store_prepare(s, "SELECT product_id, country FROM product_member_states "
                                    "ORDER BY product_id, country", &st, err) < 0)
                return -1;
        size_t i = 0;
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                int64_t pid = sqlite3_column_int64(st, 0);
                const char *country = (const char *) sqlite3_column_text(st, 1);
                while (i < n && products[i].id < pid)
                        i++;
                if (i < n && products[i].id == pid && country)
                        member_state_add(&products[i], country);
        }
        if (rc != SQLITE_DONE)
                return store_fail(s, err, "reading member states");
        return 0;
}

int store_product_get(struct store *s, int64_t id, struct store_product *out,
                      struct error *err) {
        memset(out, 0, sizeof(*out));
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "SELECT " PRODUCT_COLUMNS " FROM products WHERE id = ?1", &st, err) < 0 ||
            store_bind_int64(s, st, 1, id, err) < 0)
                return -1;
        int rc = store_step_row(s, st, "reading a product", err);
        if (rc < 0)
                return -1;
        if (rc == 0)
                return error_set(err, ERROR_NOT_FOUND, "no product with id %lld", (long long) id);
        if (product_from_row(st, out, err) < 0)
                return -1;
        if (member_states_read(s, out, 1, id, err) < 0) {
                store_product_clear(out);
                return -1;
        }
        return 0;
}

int store_product_list(struct store *s, struct store_product **out, size_t *n_out,
                       struct error *err) {
        *out = NULL;
        *n_out = 0;
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "SELECT " PRODUCT_COLUMNS " FROM products ORDER BY id", &st, err) < 0)
                return -1;
        struct store_product *list = NULL;
        size_t n = 0, cap = 0;
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                if (n == cap) {
                        cap = cap ? 2 * cap : 16;
                        list = xrealloc(list, cap * sizeof(*list));
                }
                if (product_from_row(st, &list[n], err) < 0) {
                        store_product_list_free(list, n);
                        return -1;
                }
                n++;
        }
        if (rc != SQLITE_DONE) {
                store_product_list_free(list, n);
                return store_fail(s, err, "listing products");
        }
        if (n > 0 && member_states_read(s, list, n, 0, err) < 0) {
                store_product_list_free(list, n);
                return -1;
        }
        *out = list;
        *n_out = n;
        return 0;
}

void store_product_clear(struct store_product *p) {
        if (!p)
                return;
        free(p->name);
        free(p->model);
        free(p->manufacturer_name);
        free(p->manufacturer_address);
        free(p->manufacturer_contact);
        free(p->support_start);
        free(p->support_end);
        free(p->support_justification);
        for (size_t i = 0; i < p->n_member_states; i++)
                free(p->member_states[i]);
        free(p->member_states);
        memset(p, 0, sizeof(*p));
}

void store_product_list_free(struct store_product *list, size_t n) {
        for (size_t i = 0; i < n; i++)
                store_product_clear(&list[i]);
        free(list);
}

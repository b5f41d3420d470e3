/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
#include "store/store.h"

struct store_product {
        int64_t id;
        char *name;
        char *model;                 /* unique model identifier */
        char *manufacturer_name;
        char *manufacturer_address;
        char *manufacturer_contact;
        char *support_start;         /* "YYYY-MM-DD" */
        char *support_end;           /* "YYYY-MM-DD" */
        char *support_justification; /* NULL unless the period is under five years */
        char **member_states;        /* ISO 3166-1 alpha-2, sorted */
        size_t n_member_states;
        int64_t created_at, updated_at;
};

int store_product_insert(struct store *s, const struct store_product *p, int64_t *id_out,
                         struct error *err);   /* ERROR_CONFLICT on duplicate model */
int store_product_update(struct store *s, const struct store_product *p, struct error *err);
int store_product_get(struct store *s, int64_t id, struct store_product *out,
                      struct error *err);      /* ERROR_NOT_FOUND */
int store_product_list(struct store *s, struct store_product **out, size_t *n_out,
                       struct error *err);
void store_product_clear(struct store_product *p);
void store_product_list_free(struct store_product *list, size_t n);

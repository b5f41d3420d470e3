/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* Helpers shared by the store-identity .c files (never included outside src/store/). */
#include <string.h>
#include "store/store-identity.h"
#include "store/store-private.h"

/* 0 binds SQL NULL (ids and times where 0 means "none"). */
static inline int store_bind_opt_int64(struct store *s, sqlite3_stmt *st, int idx, int64_t v,
                                       struct error *err) {
        if (v == 0) {
                if (sqlite3_bind_null(st, idx) != SQLITE_OK)
                        return store_fail(s, err, "binding a parameter");
                return 0;
        }
        return store_bind_int64(s, st, idx, v, err);
}

/* SQL NULL reads as 0. */
static inline int64_t store_column_opt_int64(sqlite3_stmt *st, int col) {
        return sqlite3_column_type(st, col) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, col);
}

/* Copies a text column into a fixed buffer; false when NULL or too long. */
static inline bool store_column_fixed(sqlite3_stmt *st, int col, char *out, size_t size) {
        const char *t = (const char *) sqlite3_column_text(st, col);
        if (!t) {
                out[0] = '\0';
                return false;
        }
        size_t n = (size_t) sqlite3_column_bytes(st, col);
        if (n >= size) {
                out[0] = '\0';
                return false;
        }
        memcpy(out, t, n + 1);
        return true;
}

/* Maps a stored name to its enum index; -1 when unknown. */
static inline int store_name_index(const char *const *names, size_t n, const char *v) {
        if (!v)
                return -1;
        for (size_t i = 0; i < n; i++)
                if (strcmp(names[i], v) == 0)
                        return (int) i;
        return -1;
}

/* Growth for list readers. */
#define STORE_LIST_GROW(list, n, cap)                                       \
        do {                                                                \
                if ((n) == (cap)) {                                         \
                        (cap) = (cap) ? 2 * (cap) : 16;                     \
                        (list) = xrealloc((list), (cap) * sizeof(*(list))); \
                }                                                           \
        } while (0)

#define STORE_LIST_LIMIT_MAX 1000
static inline size_t store_list_limit(size_t limit) {
        return limit == 0 || limit > STORE_LIST_LIMIT_MAX ? STORE_LIST_LIMIT_MAX : limit;
}

/* enum names, stored as text (store-device.c) */
extern const char *const store_ca_status_names[3];
extern const char *const store_device_status_names[2];
extern const char *const store_device_origin_names[2];
extern const char *const store_cert_kind_names[2];
extern const char *const store_cert_status_names[3];

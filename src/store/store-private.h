/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * Internals shared by the store's .c files (never included outside src/store/).
 * Every statement is prepared with bound parameters; SQL text is always a
 * constant of this module, never built from data.
 */
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include "core/error.h"
#include "store/store.h"

/* Prepared statements a connection keeps at most (store-stmt.c). */
#define STORE_STMT_CACHE_MAX 256

struct store_stmt_entry;

struct store {
        sqlite3 *db;
        bool in_tx;
        /* A read snapshot is open (store_read_begin): a deferred BEGIN that
         * has run reads only. */
        bool in_read;
        /* The statement cache (store-stmt.c). */
        struct store_stmt_entry *stmts;
        size_t n_stmts, cap_stmts;
        uint64_t stmt_clock;
        uint64_t stmt_hits, stmt_misses;
};

/* Gives back a statement from store_prepare: reset, bindings cleared, kept
 * for the next user of the same SQL (or finalized if it was not cached).
 * Never sqlite3_finalize a statement store_prepare handed out. */
void store_stmt_release(sqlite3_stmt *st);

static inline void store_stmt_releasep(sqlite3_stmt **st) {
        store_stmt_release(*st);
}
#define _cleanup_stmt_ __attribute__((cleanup(store_stmt_releasep)))

/* Lends the connection's prepared statement for `sql` (a constant of this
 * module, or text built only from such constants), preparing it on first use;
 * give it back with store_stmt_release (_cleanup_stmt_ does). On failure sets
 * err (ERROR_DB) and returns -1. */
int store_prepare(struct store *s, const char *sql, sqlite3_stmt **out, struct error *err);

/* The cache's life: attach right after opening, clear (finalizes every
 * statement; none may be lent) after migrations and before closing. */
void store_stmt_attach(struct store *s);
void store_stmt_cache_clear(struct store *s);
/* For tests: statements kept, and statements lent right now. */
size_t store_stmt_cache_size(const struct store *s);
size_t store_stmt_cache_lent(const struct store *s);

/* Maps the connection's last error to an error kind: BUSY/LOCKED -> ERROR_UNAVAILABLE,
 * anything else -> ERROR_DB. `what` says what was being done ("inserting a token").
 * Returns -1. */
int store_fail(struct store *s, struct error *err, const char *what);

/* One step of a statement that must finish (INSERT/UPDATE/DELETE). */
static inline int store_step_done(struct store *s, sqlite3_stmt *st, const char *what, struct error *err) {
        if (sqlite3_step(st) != SQLITE_DONE)
                return store_fail(s, err, what);
        return 0;
}

/* One step of a query expecting at most one row: 1 with the row ready to
 * read, 0 when there is none, -1 (store_fail) on error. */
static inline int store_step_row(struct store *s, sqlite3_stmt *st, const char *what, struct error *err) {
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
                return 1;
        if (rc == SQLITE_DONE)
                return 0;
        return store_fail(s, err, what);
}

/* True when the last failure was a UNIQUE (or PRIMARY KEY) constraint violation;
 * `column` (may be NULL) receives "table.column" of the first violated column as
 * SQLite names it in its message. */
bool store_is_unique_violation(struct store *s, char *column, size_t column_size);

/* Binding helpers: NULL string binds SQL NULL. Return 0 or -1 (err set). */
int store_bind_text(struct store *s, sqlite3_stmt *st, int idx, const char *v, struct error *err);
int store_bind_int64(struct store *s, sqlite3_stmt *st, int idx, int64_t v, struct error *err);

/* Copies a text column (byte-for-byte, NUL-terminated); NULL for SQL NULL. */
char *store_column_text(sqlite3_stmt *st, int col);

/* Executes a statement-less SQL (constant text). */
int store_exec(struct store *s, const char *sql, struct error *err);

/* Runs a multi-statement change atomically whether or not the caller holds a
 * transaction: outside one it takes BEGIN IMMEDIATE, inside one a SAVEPOINT, so
 * a failure half-way never leaves part of it behind. */
struct store_atomic {
        bool own_tx;
};
int store_atomic_begin(struct store *s, struct store_atomic *a, struct error *err);
int store_atomic_commit(struct store *s, struct store_atomic *a, struct error *err);
void store_atomic_rollback(struct store *s, struct store_atomic *a);

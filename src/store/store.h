/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * The store: the only place SQL exists. SQLite in WAL mode with foreign keys
 * and a busy timeout; versioned migrations applied at open; a database whose
 * schema is newer than this binary is refused untouched. SQL is kept portable
 * (see docs/store.md for what a PostgreSQL backend will change).
 *
 * A `struct store` is one connection and is not thread-safe; the server takes
 * one per request from a `struct store_pool`.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/error.h"

struct store;

/* Latest schema version this binary knows. */
int store_schema_latest(void);

/* Opens (creating if missing) and migrates. A database whose schema is newer
 * than store_schema_latest() is refused with ERROR_CONFLICT and not modified.
 * Errors: ERROR_DB (cannot open, not a database, a migration failed),
 * ERROR_UNAVAILABLE (locked by another process past the busy timeout). */
int store_open(const char *path, struct store **out, struct error *err);
void store_close(struct store *s);
int store_schema_version(struct store *s, int *out, struct error *err);

/* Transactions. begin takes the write lock at once (BEGIN IMMEDIATE) so two
 * writers never deadlock half-way. A domain function that changes state does
 * begin -> changes -> audit_append -> commit, and rollback on any failure. */
int store_tx_begin(struct store *s, struct error *err);
int store_tx_commit(struct store *s, struct error *err);
void store_tx_rollback(struct store *s);
/* True while a transaction is open on this connection (audit_append checks it).
 * A read snapshot (below) is not one: nothing may be written under it. */
bool store_in_transaction(struct store *s);

/* A read snapshot: one deferred read transaction over several reads, so that
 * they see one committed state and pay for SQLite's read locks once instead
 * of once per statement (about a fifth of a kept-alive device request,
 * issue 8). It ends at store_read_end, or on its own just before anything
 * could write on the connection -- store_tx_begin, store_atomic_begin, any
 * statement SQLite does not call read-only, any store_exec -- so a write
 * never runs inside it, is never deferred to its end, and never has to
 * upgrade it (which WAL can refuse with SQLITE_BUSY_SNAPSHOT). Reads after
 * such a write see the latest state again, one statement at a time.
 * Freshness: the snapshot is taken at the first read after store_read_begin,
 * so whatever was committed before that (a revocation) is seen. Keep it to
 * the span of one request. begin fails (ERROR_INTERNAL) inside a transaction
 * or another snapshot; end is a no-op without one. */
int store_read_begin(struct store *s, struct error *err);
void store_read_end(struct store *s);
/* For tests: true while a read snapshot is open. */
bool store_in_read_snapshot(const struct store *s);

/* A fixed set of connections shared by server threads. acquire blocks until one is free. */
struct store_pool;
int store_pool_open(const char *path, unsigned size, struct store_pool **out, struct error *err);
struct store *store_pool_acquire(struct store_pool *p);
void store_pool_release(struct store_pool *p, struct store *s);
void store_pool_close(struct store_pool *p);

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
/* True while a transaction is open on this connection (audit_append checks it). */
bool store_in_transaction(struct store *s);

/* A fixed set of connections shared by server threads. acquire blocks until one is free. */
struct store_pool;
int store_pool_open(const char *path, unsigned size, struct store_pool **out, struct error *err);
struct store *store_pool_acquire(struct store_pool *p);
void store_pool_release(struct store_pool *p, struct store *s);
void store_pool_close(struct store_pool *p);

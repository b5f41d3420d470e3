/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Opening the database, migrating it, and transactions.
 *
 * Order at open matters: the schema version is read *before* anything that
 * could write (journal_mode=WAL rewrites the file header), so a database made
 * by a newer cradled is refused byte-for-byte untouched.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "core/cleanup.h"
#include "core/strutil.h"
#include "core/time.h"
#include "store/migrations.h"
#include "store/store-private.h"

#define STORE_BUSY_TIMEOUT_MS 5000

int store_schema_latest(void) {
        return (int) store_migrations_count;
}

/* ---- helpers shared by the store's files ---- */

int store_fail(struct store *s, struct error *err, const char *what) {
        int rc = sqlite3_extended_errcode(s->db);
        int primary = rc & 0xff;
        if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED)
                return error_set(err, ERROR_UNAVAILABLE, "%s: the database is busy (%s); try again",
                                 what, sqlite3_errmsg(s->db));
        /* A full disk reaches SQLite as SQLITE_FULL, or as an I/O error with
         * errno ENOSPC (a WAL or journal write). Either way the operator must
         * read "disk full" and which database. */
        int sys = sqlite3_system_errno(s->db);
        if (primary == SQLITE_FULL || (primary == SQLITE_IOERR && (sys == ENOSPC || sys == EDQUOT))) {
                const char *file = sqlite3_db_filename(s->db, "main");
                return error_set(err, ERROR_NO_SPACE, "%s: database %s: %s (the disk is full)", what,
                                 file && *file ? file : "(in memory)", sqlite3_errmsg(s->db));
        }
        return error_set(err, ERROR_DB, "%s: %s", what, sqlite3_errmsg(s->db));
}

bool store_is_unique_violation(struct store *s, char *column, size_t column_size) {
        int rc = sqlite3_extended_errcode(s->db);
        if (rc != SQLITE_CONSTRAINT_UNIQUE && rc != SQLITE_CONSTRAINT_PRIMARYKEY)
                return false;
        if (column && column_size > 0) {
                /* "UNIQUE constraint failed: api_tokens.name[, ...]" */
                column[0] = '\0';
                const char *msg = sqlite3_errmsg(s->db);
                const char *p = strstr(msg, "failed: ");
                if (p) {
                        p += strlen("failed: ");
                        size_t n = strcspn(p, ", ");
                        if (n >= column_size)
                                n = column_size - 1;
                        memcpy(column, p, n);
                        column[n] = '\0';
                }
        }
        return true;
}

int store_bind_text(struct store *s, sqlite3_stmt *st, int idx, const char *v, struct error *err) {
        int rc = v ? sqlite3_bind_text(st, idx, v, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, idx);
        if (rc != SQLITE_OK)
                return store_fail(s, err, "binding a parameter");
        return 0;
}

int store_bind_int64(struct store *s, sqlite3_stmt *st, int idx, int64_t v, struct error *err) {
        if (sqlite3_bind_int64(st, idx, v) != SQLITE_OK)
                return store_fail(s, err, "binding a parameter");
        return 0;
}

char *store_column_text(sqlite3_stmt *st, int col) {
        const unsigned char *t = sqlite3_column_text(st, col);
        if (!t)
                return NULL;
        size_t n = (size_t) sqlite3_column_bytes(st, col);
        char *r = xmalloc(n + 1);
        memcpy(r, t, n);
        r[n] = '\0';
        return r;
}

int store_exec(struct store *s, const char *sql, struct error *err) {
        /* Raw SQL may write (or open a transaction): never under a snapshot. */
        store_read_end(s);
        if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
                return store_fail(s, err, sql);
        return 0;
}

/* ---- transactions ---- */

int store_tx_begin(struct store *s, struct error *err) {
        if (s->in_tx)
                return error_set(err, ERROR_INTERNAL, "a transaction is already open on this connection");
        /* A write transaction starts from the latest state, never from a
         * read snapshot taken earlier in the request. */
        store_read_end(s);
        if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
                return store_fail(s, err, "starting a transaction");
        s->in_tx = true;
        return 0;
}

int store_tx_commit(struct store *s, struct error *err) {
        if (!s->in_tx)
                return error_set(err, ERROR_INTERNAL, "commit without a transaction");
        if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
                int r = store_fail(s, err, "committing a transaction");
                store_tx_rollback(s);
                return r;
        }
        s->in_tx = false;
        return 0;
}

void store_tx_rollback(struct store *s) {
        if (!s || !s->in_tx)
                return;
        /* SQLite may already have rolled back on its own (after IOERR, FULL, NOMEM);
         * ROLLBACK then reports "no transaction is active", which is fine. */
        if (!sqlite3_get_autocommit(s->db))
                (void) sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        s->in_tx = false;
}

bool store_in_transaction(struct store *s) {
        return s && s->db && !s->in_read && !sqlite3_get_autocommit(s->db);
}

/* ---- read snapshots ---- */

/* BEGIN and COMMIT of a snapshot run once per device request: through the
 * statement cache, as sqlite3_exec would parse them every time (7 % of a
 * kept-alive request, perf). Both are read-only to SQLite, so lending them
 * never ends a snapshot itself. 0, or an SQLite result code. */
static int exec_cached(struct store *s, const char *sql) {
        struct error e = {0};
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, sql, &st, &e) < 0)
                return SQLITE_ERROR;
        int rc = sqlite3_step(st);
        return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int store_read_begin(struct store *s, struct error *err) {
        if (s->in_read || store_in_transaction(s))
                return error_set(err, ERROR_INTERNAL, "a read snapshot inside a transaction or another snapshot");
        /* Deferred: SQLite takes the snapshot at the first read. */
        if (exec_cached(s, "BEGIN DEFERRED") != SQLITE_OK)
                return store_fail(s, err, "starting a read snapshot");
        s->in_read = true;
        return 0;
}

void store_read_end(struct store *s) {
        if (!s || !s->in_read)
                return;
        s->in_read = false;
        /* Only reads ran under it: COMMIT and ROLLBACK are alike, and a COMMIT
         * that fails (it should not) must still leave no transaction open. */
        if (!sqlite3_get_autocommit(s->db) && exec_cached(s, "COMMIT") != SQLITE_OK && !sqlite3_get_autocommit(s->db))
                (void) sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

bool store_in_read_snapshot(const struct store *s) {
        return s && s->in_read;
}

int store_atomic_begin(struct store *s, struct store_atomic *a, struct error *err) {
        store_read_end(s);
        if (store_in_transaction(s)) {
                a->own_tx = false;
                return store_exec(s, "SAVEPOINT store_atomic", err);
        }
        a->own_tx = true;
        return store_tx_begin(s, err);
}

int store_atomic_commit(struct store *s, struct store_atomic *a, struct error *err) {
        if (a->own_tx)
                return store_tx_commit(s, err);
        if (store_exec(s, "RELEASE store_atomic", err) < 0) {
                store_atomic_rollback(s, a);
                return -1;
        }
        return 0;
}

void store_atomic_rollback(struct store *s, struct store_atomic *a) {
        if (a->own_tx) {
                store_tx_rollback(s);
                return;
        }
        if (store_in_transaction(s)) {
                (void) sqlite3_exec(s->db, "ROLLBACK TO store_atomic", NULL, NULL, NULL);
                (void) sqlite3_exec(s->db, "RELEASE store_atomic", NULL, NULL, NULL);
        }
}

/* ---- schema ---- */

/* Reads the version without creating anything: 0 for a database without a
 * schema_migrations table. */
static int schema_version_read(struct store *s, int *out, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, "SELECT count(*) FROM sqlite_master WHERE type = 'table' "
                             "AND name = 'schema_migrations'", &st, err) < 0)
                return -1;
        if (sqlite3_step(st) != SQLITE_ROW)
                return store_fail(s, err, "reading the schema");
        bool exists = sqlite3_column_int64(st, 0) > 0;
        store_stmt_release(st);
        st = NULL;
        if (!exists) {
                *out = 0;
                return 0;
        }
        if (store_prepare(s, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", &st, err) < 0)
                return -1;
        if (sqlite3_step(st) != SQLITE_ROW)
                return store_fail(s, err, "reading the schema version");
        int64_t v = sqlite3_column_int64(st, 0);
        if (v < 0 || v > 1000000)
                return error_set(err, ERROR_DB, "schema_migrations holds an impossible version %lld",
                                 (long long) v);
        *out = (int) v;
        return 0;
}

int store_schema_version(struct store *s, int *out, struct error *err) {
        return schema_version_read(s, out, err);
}

static int refuse_newer(int have, int latest, struct error *err) {
        return error_set(err, ERROR_CONFLICT,
                         "database schema version %d is newer than this cradled (knows up to %d); "
                         "upgrade cradled", have, latest);
}

/* Applies migration `v` (1-based) in its own transaction. Re-reads the version
 * under the write lock, so two processes opening a fresh database at once do not
 * both apply it. */
static int migration_apply(struct store *s, const char *const *migrations, size_t n, int v,
                           struct error *err) {
        if (store_tx_begin(s, err) < 0)
                return error_prefix(err, "migrating to schema version %d: ", v);
        if (store_exec(s, "CREATE TABLE IF NOT EXISTS schema_migrations ("
                          "  version INTEGER PRIMARY KEY,"
                          "  applied_at INTEGER NOT NULL)", err) < 0)
                goto fail;
        int have;
        if (schema_version_read(s, &have, err) < 0)
                goto fail;
        if (have > (int) n) {
                refuse_newer(have, (int) n, err);
                store_tx_rollback(s);
                return -1;
        }
        if (have >= v) {
                store_tx_rollback(s); /* someone else applied it meanwhile */
                return 0;
        }
        char *errmsg = NULL;
        if (sqlite3_exec(s->db, migrations[v - 1], NULL, NULL, &errmsg) != SQLITE_OK) {
                error_set(err, ERROR_DB, "schema migration %d failed: %s", v,
                          errmsg ? errmsg : sqlite3_errmsg(s->db));
                sqlite3_free(errmsg);
                store_tx_rollback(s);
                return -1;
        }
        {
                _cleanup_stmt_ sqlite3_stmt *st = NULL;
                if (store_prepare(s, "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)",
                                  &st, err) < 0 ||
                    store_bind_int64(s, st, 1, v, err) < 0 ||
                    store_bind_int64(s, st, 2, time_now(), err) < 0)
                        goto fail;
                if (sqlite3_step(st) != SQLITE_DONE) {
                        store_fail(s, err, "recording the schema version");
                        goto fail;
                }
        }
        if (store_tx_commit(s, err) < 0)
                return error_prefix(err, "migrating to schema version %d: ", v);
        return 0;
fail:
        store_tx_rollback(s);
        return error_prefix(err, "migrating to schema version %d: ", v);
}

/* Runs a PRAGMA that returns one text row and checks it (journal_mode). */
static int pragma_expect(struct store *s, const char *sql, const char *expect, struct error *err) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_prepare(s, sql, &st, err) < 0)
                return -1;
        int rc = sqlite3_step(st);
        if (rc != SQLITE_ROW)
                return store_fail(s, err, sql);
        const char *v = (const char *) sqlite3_column_text(st, 0);
        if (!v || strcasecmp(v, expect) != 0)
                return error_set(err, ERROR_DB, "%s: the database answered '%s'", sql, v ? v : "(null)");
        return 0;
}

int store_open_with_migrations(const char *path, const char *const *migrations,
                               size_t n_migrations, struct store **out, struct error *err) {
        *out = NULL;
        if (!path || !*path)
                return error_set(err, ERROR_INVALID, "database path is empty");
        struct store *s = xcalloc(1, sizeof(*s));
        int rc = sqlite3_open_v2(path, &s->db,
                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                                 NULL);
        if (rc != SQLITE_OK) {
                error_set(err, ERROR_DB, "opening database '%s': %s", path,
                          s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
                store_close(s);
                return -1;
        }
        sqlite3_extended_result_codes(s->db, 1);
        sqlite3_busy_timeout(s->db, STORE_BUSY_TIMEOUT_MS);
        store_stmt_attach(s);

        int have = 0;
        if (store_exec(s, "PRAGMA foreign_keys = ON", err) < 0 ||
            schema_version_read(s, &have, err) < 0)
                goto fail;
        if (have > (int) n_migrations) {
                refuse_newer(have, (int) n_migrations, err);
                goto fail;
        }
        if (pragma_expect(s, "PRAGMA journal_mode = WAL", "wal", err) < 0 ||
            store_exec(s, "PRAGMA synchronous = FULL", err) < 0)
                goto fail;
        for (int v = have + 1; v <= (int) n_migrations; v++)
                if (migration_apply(s, migrations, n_migrations, v, err) < 0)
                        goto fail;
        /* Nothing prepared against the old schema is kept (SQLite would
         * re-prepare it, but there is no reason to carry it). */
        if (have < (int) n_migrations)
                store_stmt_cache_clear(s);
        *out = s;
        return 0;
fail:
        error_prefix(err, "database '%s': ", path);
        store_close(s);
        return -1;
}

int store_open(const char *path, struct store **out, struct error *err) {
        return store_open_with_migrations(path, store_migrations, store_migrations_count, out, err);
}

void store_close(struct store *s) {
        if (!s)
                return;
        if (s->db) {
                store_read_end(s);
                store_tx_rollback(s);
                store_stmt_cache_clear(s);
                sqlite3_close_v2(s->db);
        }
        free(s);
}

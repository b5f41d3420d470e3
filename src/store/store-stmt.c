/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The connection's cache of prepared statements.
 *
 * Preparing (parsing and planning SQL) was about half of the server's work
 * on a kept-alive device request (perf, issue 8): every store function
 * prepared its statements afresh and finalized them on return. Each
 * connection now keeps what it prepared, keyed by the SQL text, and hands
 * the same statement out again; returning it (store_stmt_release, which
 * _cleanup_stmt_ calls) resets it and clears its bindings, so the next user
 * starts from a clean statement whatever the last one did, error paths
 * included.
 *
 * A statement is lent to one user at a time: a nested user of the same SQL
 * (a loop over rows that calls a function running the same query) gets a
 * second statement. The number kept is bounded (STORE_STMT_CACHE_MAX); past
 * it the least recently used idle statement is finalized, and when all are
 * lent the new one is prepared outside the cache and finalized on return.
 *
 * A statement that may write, lent during a read snapshot, ends the
 * snapshot (store_prepare, store.h).
 *
 * Schema changes: SQLite re-prepares a statement whose schema changed
 * (prepare_v3 keeps the text), and store_open empties the cache after its
 * migrations anyway. store_close finalizes everything.
 *
 * Returning a statement needs its connection's cache, but _cleanup_stmt_
 * sees only the statement. SQLite 3.40 has no per-connection user pointer
 * (sqlite3_set_clientdata is 3.44), so the store keeps its own address as
 * the argument of a rollback hook without a callback -- which SQLite stores
 * and never uses -- and reads it back (store_of).
 */
#include <stdlib.h>
#include <string.h>
#include "core/strutil.h"
#include "store/store-private.h"

struct store_stmt_entry {
        sqlite3_stmt *st;
        uint64_t hash;       /* of the SQL text */
        uint64_t last_used;  /* for eviction */
        bool lent;
};

static uint64_t sql_hash(const char *sql) {
        uint64_t h = 1469598103934665603ULL; /* FNV-1a */
        for (const unsigned char *p = (const unsigned char *) sql; *p; p++)
                h = (h ^ *p) * 1099511628211ULL;
        return h;
}

void store_stmt_attach(struct store *s) {
        (void) sqlite3_rollback_hook(s->db, NULL, s);
}

static struct store *store_of(sqlite3 *db) {
        void *s = sqlite3_rollback_hook(db, NULL, NULL);
        (void) sqlite3_rollback_hook(db, NULL, s);
        return s;
}

static int prepare_raw(struct store *s, const char *sql, unsigned flags, sqlite3_stmt **out, struct error *err) {
        *out = NULL;
        if (sqlite3_prepare_v3(s->db, sql, -1, flags, out, NULL) != SQLITE_OK) {
                if (*out) {
                        sqlite3_finalize(*out);
                        *out = NULL;
                }
                return store_fail(s, err, "preparing a statement");
        }
        return 0;
}

static int stmt_lend(struct store *s, const char *sql, sqlite3_stmt **out, struct error *err) {
        *out = NULL;
        uint64_t h = sql_hash(sql);
        struct store_stmt_entry *idle = NULL;
        for (size_t i = 0; i < s->n_stmts; i++) {
                struct store_stmt_entry *e = &s->stmts[i];
                if (!e->lent && e->hash == h && strcmp(sqlite3_sql(e->st), sql) == 0) {
                        idle = e;
                        break;
                }
        }
        if (idle) {
                idle->lent = true;
                idle->last_used = ++s->stmt_clock;
                s->stmt_hits++;
                *out = idle->st;
                return 0;
        }
        /* A free slot, or the least recently used idle statement's. */
        struct store_stmt_entry *slot = NULL;
        if (s->n_stmts < STORE_STMT_CACHE_MAX) {
                if (s->n_stmts == s->cap_stmts) {
                        s->cap_stmts = s->cap_stmts ? s->cap_stmts * 2 : 32;
                        if (s->cap_stmts > STORE_STMT_CACHE_MAX)
                                s->cap_stmts = STORE_STMT_CACHE_MAX;
                        s->stmts = xrealloc(s->stmts, s->cap_stmts * sizeof(*s->stmts));
                }
                slot = &s->stmts[s->n_stmts];
                slot->st = NULL;
        } else {
                for (size_t i = 0; i < s->n_stmts; i++) {
                        struct store_stmt_entry *e = &s->stmts[i];
                        if (!e->lent && (!slot || e->last_used < slot->last_used))
                                slot = e;
                }
        }
        s->stmt_misses++;
        if (!slot) /* every cached statement is lent: this one is not kept */
                return prepare_raw(s, sql, 0, out, err);
        sqlite3_stmt *st;
        if (prepare_raw(s, sql, SQLITE_PREPARE_PERSISTENT, &st, err) < 0)
                return -1;
        if (slot->st)
                sqlite3_finalize(slot->st); /* evicted */
        else
                s->n_stmts++;
        *slot = (struct store_stmt_entry) { .st = st, .hash = h, .last_used = ++s->stmt_clock, .lent = true };
        *out = st;
        return 0;
}

int store_prepare(struct store *s, const char *sql, sqlite3_stmt **out, struct error *err) {
        if (stmt_lend(s, sql, out, err) < 0)
                return -1;
        /* A statement that may write ends a read snapshot first (store.h):
         * its change must not wait for the snapshot's end, nor upgrade it. */
        if (store_in_read_snapshot(s) && !sqlite3_stmt_readonly(*out))
                store_read_end(s);
        return 0;
}

void store_stmt_release(sqlite3_stmt *st) {
        if (!st)
                return;
        struct store *s = store_of(sqlite3_db_handle(st));
        for (size_t i = 0; s && i < s->n_stmts; i++) {
                if (s->stmts[i].st == st) {
                        /* reset ends the statement's read of the database
                         * (a lent statement left mid-rows would hold the WAL
                         * snapshot); bindings may hold secrets. */
                        sqlite3_reset(st);
                        sqlite3_clear_bindings(st);
                        s->stmts[i].lent = false;
                        return;
                }
        }
        sqlite3_finalize(st);
}

void store_stmt_cache_clear(struct store *s) {
        for (size_t i = 0; i < s->n_stmts; i++)
                sqlite3_finalize(s->stmts[i].st);
        free(s->stmts);
        s->stmts = NULL;
        s->n_stmts = s->cap_stmts = 0;
}

size_t store_stmt_cache_size(const struct store *s) {
        return s->n_stmts;
}

size_t store_stmt_cache_lent(const struct store *s) {
        size_t n = 0;
        for (size_t i = 0; i < s->n_stmts; i++)
                n += s->stmts[i].lent;
        return n;
}

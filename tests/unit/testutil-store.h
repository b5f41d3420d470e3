/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * Helpers for the store-backed unit tests (store, audit, auth, product, pki):
 * a private temp directory per test, removed afterwards, and a raw SQLite
 * handle for tests that play the attacker and edit the database directly.
 * Header-only so each test stays a single executable.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* memmem, nftw */
#endif
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "core/cleanup.h"
#include "core/strutil.h"
#include "store/store.h"

struct tdir {
        char dir[256];
        char db[300];
};

static inline struct tdir *tdir_new(void) {
        struct tdir *t = calloc(1, sizeof(*t));
        assert_non_null(t);
        const char *base = getenv("TMPDIR");
        snprintf(t->dir, sizeof(t->dir), "%s/cradle-test-XXXXXX", base && *base ? base : "/tmp");
        assert_non_null(mkdtemp(t->dir));
        snprintf(t->db, sizeof(t->db), "%s/cradle.db", t->dir);
        return t;
}

static inline int tdir_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        (void) st;
        (void) flag;
        (void) ftw;
        return remove(path);
}

static inline void tdir_free(struct tdir *t) {
        if (!t)
                return;
        nftw(t->dir, tdir_rm_one, 16, FTW_DEPTH | FTW_PHYS);
        free(t);
}

static inline char *tdir_path(struct tdir *t, const char *name) {
        return str_printf("%s/%s", t->dir, name);
}

/* Runs SQL on its own connection (the "attacker" with file access). */
static inline void raw_exec(const char *db, const char *sql) {
        sqlite3 *h = NULL;
        assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
        sqlite3_busy_timeout(h, 5000);
        char *msg = NULL;
        int rc = sqlite3_exec(h, sql, NULL, NULL, &msg);
        if (rc != SQLITE_OK)
                fail_msg("raw SQL failed: %s: %s", sql, msg ? msg : "?");
        sqlite3_free(msg);
        sqlite3_close(h);
}

/* Runs SQL that may fail; returns the primary result code. */
static inline int raw_exec_rc(const char *db, const char *sql) {
        sqlite3 *h = NULL;
        assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
        sqlite3_busy_timeout(h, 5000);
        int rc = sqlite3_exec(h, sql, NULL, NULL, NULL);
        sqlite3_close(h);
        return rc & 0xff;
}

/* First column of the first row as an integer (-1 if no row). */
static inline int64_t raw_int(const char *db, const char *sql) {
        sqlite3 *h = NULL;
        sqlite3_stmt *st = NULL;
        assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
        sqlite3_busy_timeout(h, 5000);
        if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK)
                fail_msg("raw SQL failed: %s: %s", sql, sqlite3_errmsg(h));
        int64_t v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
        sqlite3_finalize(st);
        sqlite3_close(h);
        return v;
}

/* Whole file into memory; *len = 0 and NULL when missing. */
static inline unsigned char *read_file_bytes(const char *path, size_t *len) {
        *len = 0;
        FILE *f = fopen(path, "rb");
        if (!f)
                return NULL;
        struct buf b = {0};
        char chunk[65536];
        size_t n;
        while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
                buf_append(&b, chunk, n);
        fclose(f);
        *len = b.len;
        if (!b.data)
                return (unsigned char *) str_dup("");
        return (unsigned char *) b.data;
}

static inline bool mem_contains(const unsigned char *hay, size_t hay_len, const void *needle, size_t n) {
        return n > 0 && hay && memmem(hay, hay_len, needle, n) != NULL;
}

#define assert_error(err, k, substr)                                                          \
        do {                                                                                  \
                if ((err).kind != (k))                                                        \
                        fail_msg("expected error kind %d, got %d: %s", (int) (k), (int) (err).kind, \
                                 (err).msg);                                                  \
                if (!strstr((err).msg, (substr)))                                             \
                        fail_msg("error message '%s' does not contain '%s'", (err).msg, (substr)); \
        } while (0)

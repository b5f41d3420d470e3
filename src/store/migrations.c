/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Schema migrations, oldest first. Each string is applied in its own
 * transaction together with its row in schema_migrations, so a failure leaves
 * the database at the previous version.
 *
 * The SQL is kept portable to PostgreSQL 15 (the scale-out backend). What a
 * libpq backend will do differently:
 *  - Types: only INTEGER and TEXT are used. Timestamps are INTEGER seconds since
 *    the epoch (PostgreSQL: BIGINT; INTEGER there is 32-bit, so the PG migrations
 *    write BIGINT wherever a time or id is stored). Hashes are lowercase hex TEXT
 *    rather than BLOB/BYTEA so both backends compare them the same way.
 *  - Keys: "id INTEGER PRIMARY KEY" is SQLite's rowid alias and assigns ids on
 *    insert; PostgreSQL needs BIGINT GENERATED ALWAYS AS IDENTITY (or BIGSERIAL)
 *    and INSERT ... RETURNING id instead of sqlite3_last_insert_rowid().
 *    audit_log.seq is assigned by the application (last + 1) on both.
 *  - Locking: SQLite's BEGIN IMMEDIATE takes the single write lock up front;
 *    PostgreSQL uses BEGIN ISOLATION LEVEL SERIALIZABLE (retrying on 40001) plus
 *    an advisory or table lock around audit appends, since the audit chain needs
 *    one writer at a time. Nested atomic steps use SAVEPOINT on both.
 *  - Waiting: busy_timeout=5000 becomes SET lock_timeout = '5s'.
 *  - Durability: journal_mode=WAL and synchronous=FULL have no PG equivalent to
 *    set per connection (PG's WAL with synchronous_commit=on is the default).
 *  - Foreign keys: PRAGMA foreign_keys=ON is always on in PostgreSQL.
 *  - Catalogue: the "is there a schema_migrations table" check reads
 *    sqlite_master; PG reads information_schema.tables (or to_regclass).
 *  - Errors: UNIQUE violations are recognised from SQLITE_CONSTRAINT_UNIQUE and
 *    the "table.column" in SQLite's message; PG reports SQLSTATE 23505 and the
 *    constraint name (name them <table>_<column>_key, which is PG's default).
 *  - Text: SQLite compares TEXT bytewise (BINARY collation); PG columns that need
 *    the same order use COLLATE "C".
 */
#include "store/migrations.h"

const char *const store_migrations[] = {
        /* 1: operator tokens and the audit chain */
        "CREATE TABLE api_tokens ("
        "  id INTEGER PRIMARY KEY,"
        "  public_id TEXT NOT NULL UNIQUE,"
        "  name TEXT NOT NULL UNIQUE,"
        "  role TEXT NOT NULL,"
        "  secret_hash TEXT NOT NULL,"      /* hex SHA-256 of the 32 secret bytes */
        "  created_at INTEGER NOT NULL,"
        "  created_by TEXT NOT NULL,"
        "  revoked_at INTEGER"              /* NULL while active */
        ");"
        "CREATE TABLE audit_log ("
        "  seq INTEGER PRIMARY KEY,"
        "  time INTEGER NOT NULL,"
        "  actor_name TEXT NOT NULL,"
        "  actor_role TEXT NOT NULL,"
        "  action TEXT NOT NULL,"
        "  object TEXT NOT NULL,"
        "  details TEXT NOT NULL,"
        "  prev_hash TEXT NOT NULL,"
        "  hash TEXT NOT NULL"
        ");"
        "CREATE INDEX audit_log_object ON audit_log (object);"
        "CREATE INDEX audit_log_actor_name ON audit_log (actor_name);"
        "CREATE INDEX audit_log_time ON audit_log (time);",

        /* 2: products and where they are sold */
        "CREATE TABLE products ("
        "  id INTEGER PRIMARY KEY,"
        "  name TEXT NOT NULL,"
        "  model TEXT NOT NULL UNIQUE,"
        "  manufacturer_name TEXT NOT NULL,"
        "  manufacturer_address TEXT NOT NULL,"
        "  manufacturer_contact TEXT NOT NULL,"
        "  support_start TEXT NOT NULL,"    /* YYYY-MM-DD */
        "  support_end TEXT NOT NULL,"
        "  support_justification TEXT,"
        "  created_at INTEGER NOT NULL,"
        "  updated_at INTEGER NOT NULL"
        ");"
        "CREATE TABLE product_member_states ("
        "  product_id INTEGER NOT NULL REFERENCES products (id) ON DELETE CASCADE,"
        "  country TEXT NOT NULL,"
        "  PRIMARY KEY (product_id, country)"
        ");",
};

const size_t store_migrations_count = sizeof(store_migrations) / sizeof(store_migrations[0]);

/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * The schema's history: store_migrations[i] moves the schema from version i to
 * version i + 1. Append only; a released migration is never edited.
 */
#include <stddef.h>
#include "core/error.h"

struct store;

extern const char *const store_migrations[];
extern const size_t store_migrations_count;

/* store_open with another migration list. For tests that need a failing or an
 * extra migration; the server always uses store_open. */
int store_open_with_migrations(const char *path, const char *const *migrations,
                               size_t n_migrations, struct store **out, struct error *err);

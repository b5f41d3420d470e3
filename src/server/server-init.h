/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * `cradled init`: creates a data directory that `cradled run` can serve from:
 *   DIR/            mode 0700
 *   DIR/cradled.conf    the defaults, with the chosen listen address and port
 *   DIR/cradle.db       the store, migrated, holding the first admin token
 *   DIR/tls/ca.pem, ca.key, server.pem, server.key   a local CA and server cert
 * and prints the admin token once (it is not stored anywhere in clear).
 * An initialised directory is never overwritten; a failure removes everything
 * this run created.
 */
#include <stdint.h>
#include <stdio.h>

#include "core/error.h"

#define SERVER_INIT_ADMIN_NAME "admin"

struct server_init_options {
        const char *data_dir;            /* absolute */
        const char *listen;              /* NULL = default */
        int64_t port;                    /* -1 = default */
        const char *const *extra_names;  /* extra server certificate SANs, NULL-terminated; may be NULL */
};

/* ERROR_CONFLICT when DIR is already initialised. Writes the report to `out`. */
int server_init(const struct server_init_options *o, FILE *out, struct error *err);

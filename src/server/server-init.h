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
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/error.h"

#define SERVER_INIT_ADMIN_NAME "admin"

struct server_init_options {
        const char *data_dir;            /* absolute */
        const char *listen;              /* NULL = default */
        int64_t port;                    /* -1 = default */
        const char *const *extra_names;  /* extra server certificate SANs, NULL-terminated; may be NULL */
        const char *program;             /* this cradled, absolute when known: named in the report */
        bool then_run;                   /* the caller serves DIR right after (init --then-run) */
};

/* ERROR_CONFLICT when DIR is already initialised. Writes the report to `out`:
 * the token once, how to keep it (a 0600 file named by CRADLE_TOKEN_FILE, as
 * README.md and docs/cli.md say), the CLI's settings, and either that the
 * server starts now (then_run) or the full command that starts it. */
int server_init(const struct server_init_options *o, FILE *out, struct error *err);

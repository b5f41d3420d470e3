/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * What the device-identity commands (ca, batch, device, cert, migration,
 * security-events, provision, pki) share: a request whose answer is one
 * object or a list, rendered as key/value lines or a table (or the JSON with
 * --json); and files that hold keys, certificates and secrets. Each helper
 * prints what went wrong and returns the exit code, CLI_EXIT_OK on success.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cli/cli.h"

/* One column or key: its title and the dotted path of its value. */
struct cli_field {
        const char *title;
        const char *path;
};

/* METHOD path (body may be NULL); the answer must be an object. With --json
 * it is printed as is; otherwise as key/value lines of `fields`. */
int cli_send_show(struct cli_ctx *ctx, const char *method, const char *path, json_t *body,
                  const struct cli_field *fields, size_t n);
/* GET path; the answer must be {"items": [...]}, printed as a table of `cols`
 * (or the JSON with --json). */
int cli_send_list(struct cli_ctx *ctx, const char *path, const struct cli_field *cols, size_t n);
/* A list command whose only own option is --product MODEL: GET
 * <collection>[?product=MODEL], printed as cli_send_list does. */
int cli_list_by_product(struct cli_ctx *ctx, int argc, char **argv, const char *collection,
                        const struct cli_field *cols, size_t n);
/* Prints key/value lines of an object / a table of an array. */
int cli_print_object(json_t *obj, const struct cli_field *fields, size_t n);
int cli_print_table(json_t *items, const struct cli_field *cols, size_t n);

/* Reads a whole file (at most max bytes; "-" = stdin). `option` names it in
 * messages. Returns CLI_EXIT_OK or CLI_EXIT_LOCAL. *out is NUL-terminated. */
int cli_read_file(const char *option, const char *path, size_t max, char **out, size_t *len);
/* Reads a secret: the file must not be accessible by group or others; one
 * trailing newline (LF or CRLF) is dropped; the text must be one line of
 * visible ASCII. Free with free_secret. */
int cli_read_secret_file(const char *option, const char *path, size_t max, char **out);
/* Writes a file atomically with `mode`. An existing file is refused unless
 * `overwrite`. */
int cli_write_file(const char *option, const char *path, const void *data, size_t len, mode_t mode,
                   bool overwrite);

/* The id of the product with this model (GET /api/v1/products). */
int cli_product_id(struct cli_ctx *ctx, const char *model, int64_t *id);

/* CLI_CONTINUE when the option was given, else a usage error (exit 2). */
int cli_require(struct cli_ctx *ctx, const char *value, const char *option);

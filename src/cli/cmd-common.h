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
/* When doc is an approval request (the 202 of a governed operation, issue
 * 11), prints what happens next and returns true. */
bool cli_approval_pending_print(json_t *doc);
/* GET path; the answer must be {"items": [...]}, printed as a table of `cols`
 * (or the JSON with --json). */
int cli_send_list(struct cli_ctx *ctx, const char *path, const struct cli_field *cols, size_t n);
/* How a collection pages: the query parameter that continues it and the
 * answer's field that gives its value (null on the last page). The cursor
 * must move in one direction: up ("after", ascending ids) or down
 * ("before", newest first). */
struct cli_cursor {
        const char *param;      /* "after" */
        const char *field;      /* "next_after_id" */
        bool descending;        /* true: each cursor is below the last */
};
extern const struct cli_cursor cli_cursor_after_id;  /* after / next_after_id */
extern const struct cli_cursor cli_cursor_before_id; /* before / next_before_id */
/* GET path (which may carry a query already; `start` >= 0: continuing
 * from that cursor, as --after/--before give it) and every following page, so
 * a list shows the whole collection, not its first page. With `one_page`
 * (the user gave --limit or a cursor) only that page is fetched, and when
 * more follow a note on stderr names the option that continues. Printed as
 * one table; with --json as {"items": [...all...], FIELD: null} (or the one
 * page as the server sent it). A cursor that does not move, or a page that
 * is empty but claims more, stops with CLI_EXIT_SERVER (no endless loop on a
 * faulty server). */
int cli_send_list_paged(struct cli_ctx *ctx, const char *path, const struct cli_cursor *cur, int64_t start,
                        bool one_page, const struct cli_field *cols, size_t n);
/* A list command whose only own option is --product MODEL: GET
 * <collection>[?product=MODEL], printed as cli_send_list does; with a
 * cursor (NULL = the collection is not paged), every page. */
int cli_list_by_product(struct cli_ctx *ctx, int argc, char **argv, const char *collection,
                        const struct cli_cursor *cur, const struct cli_field *cols, size_t n);
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
